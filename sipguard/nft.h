/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* nftables over netlink (libmnl + libnftnl) inside a customer's network
 * namespace: one batch per change, read-back of chains, sets and rules. */
#ifndef SG_NFT_H
#define SG_NFT_H

#include <stdbool.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

struct nftnl_rule;
struct nftnl_set;
struct nftnl_chain;
struct nftnl_table;

/* A netlink socket opened inside NETNS ("" = the current one). Only the
 * network namespace is entered (setns CLONE_NEWNET), never the mount one. */
struct sg_nl {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
};

/* Opens /run/netns/NAME, PATH, or for "host" the host's own namespace
 * (/proc/1/ns/net); returns an fd or -errno. */
int sg_netns_open(const char *netns);
int sg_nl_open(const char *netns, struct sg_nl *out);
void sg_nl_close(struct sg_nl *s);

/* Is the xt match NAME revision REV known to the kernel (nft_compat)? */
int sg_xt_match_available(const char *name, int rev);

/* ---- batches ---- */
#define SG_BATCH_MAX_MSGS 256
struct sg_batch {
	char *buf;
	size_t len, cap;
	struct sg_nl *s;
	uint32_t seqs[SG_BATCH_MAX_MSGS];
	const char *what[SG_BATCH_MAX_MSGS];
	unsigned int n;
	/* result of sg_batch_send */
	int err;                 /* first error, negative errno */
	const char *err_what;    /* label of the message that failed */
};

int sg_batch_begin(struct sg_batch *bt, struct sg_nl *s);
/* Each add_* consumes (frees) the object. WHAT labels errors. */
void sg_batch_table(struct sg_batch *bt, int msgtype, struct nftnl_table *t, uint16_t flags, const char *what);
void sg_batch_chain(struct sg_batch *bt, int msgtype, struct nftnl_chain *c, uint16_t flags, const char *what);
void sg_batch_rule(struct sg_batch *bt, int msgtype, struct nftnl_rule *r, uint16_t flags, const char *what);
void sg_batch_set(struct sg_batch *bt, int msgtype, struct nftnl_set *s, uint16_t flags, const char *what);
void sg_batch_setelem(struct sg_batch *bt, int msgtype, struct nftnl_set *s, uint16_t flags, const char *what);
/* Sends the batch; returns 0 or the first error (also in bt->err/err_what). */
int sg_batch_send(struct sg_batch *bt);
void sg_batch_free(struct sg_batch *bt);

/* ---- read-back ---- */
struct sg_rule_info {
	uint64_t handle;
	uint64_t packets, bytes;
	bool has_counter;
	char chain[256];
	char comment[256];
	char bpf_path[512];      /* xt bpf match info path, "" if none */
	bool is_bpf;
	char jump[256];          /* jump/goto target, "" if none */
	int nfproto;             /* NFPROTO_IPV4/IPV6 when it matches addresses of one family, else 0 */
};

struct sg_name_list {
	char (*v)[256];
	unsigned int n;
};

/* Chains or sets of FAMILY/TABLE; -ENOENT when the table does not exist. */
int sg_nft_list_chains(struct sg_nl *s, int family, const char *table, struct sg_name_list *out);
int sg_nft_list_sets(struct sg_nl *s, int family, const char *table, struct sg_name_list *out);
/* Rules of FAMILY/TABLE/CHAIN (CHAIN NULL = whole table). */
int sg_nft_list_rules(struct sg_nl *s, int family, const char *table, const char *chain,
		      struct sg_rule_info **out, unsigned int *n);
/* Rules of CHAIN and of the chains named CHAIN.X but CHAIN<EXCEPT>, from
 * one dump of the table; CHECK_TABLE as sg_nft_list_rules, else a missing
 * table is no rules. */
int sg_nft_tree_rules(struct sg_nl *s, int family, const char *table, const char *chain,
		      const char *except, bool check_table, struct sg_rule_info **out,
		      unsigned int *n);
void sg_name_list_free(struct sg_name_list *l);

int sg_family_parse(const char *s);       /* "inet" -> NFPROTO_INET, -1 if bad */
const char *sg_family_name(int family);

#endif
