/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* One profile's validator program (bpf/sip/sipguard.bpf.c), loaded into the
 * kernel in the variant the kernel takes, with the maps every validator
 * shares (reused when given, created otherwise) and its own maps written
 * from the profile. */
#ifndef SG_LOADER_H
#define SG_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include "sipguard.h"
#include "profile.h"

struct bpf_object;
struct bpf_program;

enum sg_variant {
	SG_VARIANT_AUTO = 0,
	SG_VARIANT_MAY_GOTO,   /* may_goto loops: Linux 6.9+ */
	SG_VARIANT_PORTABLE,   /* bounded loops and bpf_loop: Linux 6.1+ (5.17+) */
};
const char *sg_variant_name(int variant);
/* "may_goto" or "portable" (or $SIPGUARD_VARIANT) to enum sg_variant; -1 if bad. */
int sg_variant_parse(const char *s);

/* The maps every validator shares, by the name they have in the object. */
enum sg_shared_map {
	SG_SH_CUSTOMERS, SG_SH_COUNTERS, SG_SH_HOSTS, SG_SH_PEERS,
	SG_SH_FLOWS, SG_SH_CARRY, SG_SH_SCRATCH, SG_SH_EVENTS, SG_SH_EVENT_HEAD, SG_SH_N,
};
extern const char *const sg_shared_names[SG_SH_N];

struct sg_shared {
	int fd[SG_SH_N];       /* -1: not there yet (sg_loaded_open creates it) */
};
void sg_shared_init(struct sg_shared *sh);
void sg_shared_close(struct sg_shared *sh);

/* Sizes of the shared maps sg_loaded_open creates (0: the default). */
struct sg_sizes {
	__u32 customers;       /* ids 0 .. customers - 1 */
	__u32 flows, carries;  /* TCP streams, unfinished lines */
	__u32 events;          /* drop event slots: a power of two */
};

struct sg_loaded {
	struct bpf_object *obj;
	struct bpf_program *prog;
	int variant;
	__u32 verified_insns;
	__u32 prog_id;
	struct sg_config cfg;           /* as written to sg_config_map */
	struct sg_dfa_row *dfa;         /* copies, for userspace runs */
	struct sg_dfa_fast *dfa_fast;
};

/* Loads P's validator. VARIANT: SG_VARIANT_AUTO picks by probing the
 * kernel ($SIPGUARD_VARIANT forces one). SH: shared maps to reuse; the
 * ones at -1 are created (sized by SIZES) and their fds stored in SH.
 * TAG: the validator's slot, which its drop events carry. Prints why on
 * failure; returns 0 or a negative errno. */
int sg_loaded_open(const struct sg_profile *p, struct sg_shared *sh, const struct sg_sizes *sizes,
		   int variant, __u32 tag, struct sg_loaded **out);
void sg_loaded_free(struct sg_loaded *l);
int sg_loaded_prog_fd(const struct sg_loaded *l);
/* Pins the program (DIR/sip_validate) and the profile's own maps under DIR
 * (sg_config_map, sg_dfa, sg_dfa_fast, sg_patterns). */
int sg_loaded_pin(struct sg_loaded *l, const char *dir);

/* What the kernel offers the validator, for `status` and -v: writes a
 * line like "may_goto yes, bpf_loop yes" to BUF. */
void sg_kernel_features(char *buf, size_t n);

/* Per-customer inner maps of the shared array-of-maps (fds, or -errno). */
int sg_inner_counters_create(void);
int sg_inner_hosts_create(const char *const *hosts, unsigned int n);
int sg_inner_peers_create(const char *const *cidrs, unsigned int n);
/* Parses a Via host or a peer CIDR into its map key: 0 or -EINVAL. */
int sg_host_key_parse(const char *h, struct sg_host_key *k);
int sg_peer_key_parse(const char *cidr, struct sg_peer_key *k);

/* A customer's stub: writes CBWORD (id | parity << 31), FLAGS_SET and
 * FLAGS_CLEAR into skb->cb[0..2] and tail-calls slot SLOT of PROGS (a
 * program array). Returns the program's fd or -errno. */
int sg_stub_load(int progs_fd, __u32 slot, __u32 cbword, __u32 flags_set, __u32 flags_clear);

/* The cb words of a customer (sipguard.h). */
#define SG_CB_VALUE(id, parity) ((__u32)(id) | ((__u32)(parity) << 31))

#endif
