// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* nftables over netlink inside a customer's network namespace. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <stddef.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/xt_bpf.h>
#include <libmnl/libmnl.h>
#include <libnftnl/table.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/expr.h>
#include <libnftnl/udata.h>

#include "nft.h"
#include "log.h"

#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

int sg_family_parse(const char *s)
{
	if (!strcmp(s, "inet")) return NFPROTO_INET;
	if (!strcmp(s, "ip")) return NFPROTO_IPV4;
	if (!strcmp(s, "ip6")) return NFPROTO_IPV6;
	return -1;
}

const char *sg_family_name(int f)
{
	switch (f) {
	case NFPROTO_INET: return "inet";
	case NFPROTO_IPV4: return "ip";
	case NFPROTO_IPV6: return "ip6";
	}
	return "?";
}

int sg_netns_open(const char *netns)
{
	char path[4096];
	int fd;

	if (!netns || !*netns)
		snprintf(path, sizeof(path), "/proc/self/ns/net");
	else if (!strcmp(netns, "host")) /* the host's own: init's */
		snprintf(path, sizeof(path), "/proc/1/ns/net");
	else if (strchr(netns, '/'))
		snprintf(path, sizeof(path), "%s", netns);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", netns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* The namespace to return to after opening a socket in another one: opened
 * once (status and stats open a socket in every customer's namespace, on
 * several threads; all return to it: a namespace fd names the namespace,
 * not the thread that opened it). */
static int self_netns(void)
{
	static int fd = -1;
	int mine;

	if (__atomic_load_n(&fd, __ATOMIC_ACQUIRE) >= 0)
		return fd;
	mine = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (mine >= 0 && !__atomic_compare_exchange_n(&fd, &(int){ -1 }, mine, false, __ATOMIC_ACQ_REL,
						      __ATOMIC_ACQUIRE))
		close(mine); /* another thread's came first */
	return __atomic_load_n(&fd, __ATOMIC_ACQUIRE);
}

int sg_nl_open(const char *netns, struct sg_nl *out)
{
	int orig = -1, target = -1, err = 0, one = 1, big = 8 << 20;

	memset(out, 0, sizeof(*out));
	if (netns && *netns) {
		orig = self_netns();
		target = sg_netns_open(netns);
		if (orig < 0 || target < 0) {
			err = target < 0 ? target : -errno;
			goto out;
		}
		if (setns(target, CLONE_NEWNET)) {
			err = -errno;
			goto out;
		}
	}
	out->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!out->nl)
		err = -errno;
	if (orig >= 0 && setns(orig, CLONE_NEWNET)) {
		/* cannot go back: never continue in the wrong namespace */
		pr_warn("cannot return to the original network namespace: %s\n", strerror(errno));
		exit(1);
	}
	if (err)
		goto out;
	if (mnl_socket_bind(out->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		mnl_socket_close(out->nl);
		out->nl = NULL;
		goto out;
	}
	setsockopt(mnl_socket_get_fd(out->nl), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(mnl_socket_get_fd(out->nl), SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
	setsockopt(mnl_socket_get_fd(out->nl), SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	out->portid = mnl_socket_get_portid(out->nl);
	out->seq = (uint32_t)time(NULL);
out:
	if (target >= 0)
		close(target);
	return err;
}

void sg_nl_close(struct sg_nl *s)
{
	if (s->nl)
		mnl_socket_close(s->nl);
	s->nl = NULL;
}

/* ---- nft_compat: is the xt match known? ---- */
int sg_xt_match_available(const char *name, int rev)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	uint32_t seq = (uint32_t)time(NULL);
	int ret;

	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_NFT_COMPAT << 8) | NFNL_MSG_COMPAT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = NFPROTO_IPV4;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	mnl_attr_put_strz(nlh, NFTA_COMPAT_NAME, name);
	mnl_attr_put_u32(nlh, NFTA_COMPAT_REV, htonl(rev));
	mnl_attr_put_u32(nlh, NFTA_COMPAT_TYPE, htonl(0)); /* 0 = match, 1 = target */
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	while (ret > 0) {
		ret = mnl_cb_run(buf, ret, seq, mnl_socket_get_portid(nl), NULL, NULL);
		if (ret <= 0)
			break;
		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	}
	ret = ret < 0 ? -errno : 0;
out:
	mnl_socket_close(nl);
	return ret;
}

/* ---- batches ---- */
static int grow(struct sg_batch *bt, size_t need)
{
	if (bt->len + need <= bt->cap)
		return 0;
	size_t cap = bt->cap ? bt->cap : 65536;
	while (cap < bt->len + need)
		cap *= 2;
	char *n = realloc(bt->buf, cap);
	if (!n)
		return -ENOMEM;
	memset(n + bt->cap, 0, cap - bt->cap);
	bt->buf = n;
	bt->cap = cap;
	return 0;
}

int sg_batch_begin(struct sg_batch *bt, struct sg_nl *s)
{
	memset(bt, 0, sizeof(*bt));
	bt->s = s;
	if (grow(bt, 65536))
		return -ENOMEM;
	struct nlmsghdr *nlh = nftnl_batch_begin(bt->buf, s->seq++);
	bt->len += NLMSG_ALIGN(nlh->nlmsg_len);
	return 0;
}

static struct nlmsghdr *msg(struct sg_batch *bt, int type, int family, uint16_t flags,
			    const char *what)
{
	if (grow(bt, 65536) || bt->n >= SG_BATCH_MAX_MSGS) {
		bt->err = -ENOMEM;
		return NULL;
	}
	uint32_t seq = bt->s->seq++;
	bt->seqs[bt->n] = seq;
	bt->what[bt->n++] = what;
	return nftnl_nlmsg_build_hdr(bt->buf + bt->len, type, family, flags | NLM_F_ACK, seq);
}

#define BATCH_ADD(kind, getfam, build, freefn)                                       \
	void sg_batch_##kind(struct sg_batch *bt, int type, struct nftnl_##kind *o,      \
			     uint16_t flags, const char *what)                       \
	{                                                                            \
		struct nlmsghdr *nlh = msg(bt, type, getfam, flags, what);           \
		if (nlh) {                                                           \
			build(nlh, o);                                               \
			bt->len += NLMSG_ALIGN(nlh->nlmsg_len);                      \
		}                                                                    \
		freefn(o);                                                           \
	}

BATCH_ADD(table, nftnl_table_get_u32(o, NFTNL_TABLE_FAMILY), nftnl_table_nlmsg_build_payload, nftnl_table_free)
BATCH_ADD(chain, nftnl_chain_get_u32(o, NFTNL_CHAIN_FAMILY), nftnl_chain_nlmsg_build_payload, nftnl_chain_free)
BATCH_ADD(rule, nftnl_rule_get_u32(o, NFTNL_RULE_FAMILY), nftnl_rule_nlmsg_build_payload, nftnl_rule_free)
BATCH_ADD(set, nftnl_set_get_u32(o, NFTNL_SET_FAMILY), nftnl_set_nlmsg_build_payload, nftnl_set_free)

void sg_batch_setelem(struct sg_batch *bt, int type, struct nftnl_set *o, uint16_t flags,
		      const char *what)
{
	struct nlmsghdr *nlh = msg(bt, type, nftnl_set_get_u32(o, NFTNL_SET_FAMILY), flags, what);

	if (nlh) {
		nftnl_set_elems_nlmsg_build_payload(nlh, o);
		bt->len += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	nftnl_set_free(o);
}

static const char *what_of(struct sg_batch *bt, uint32_t seq)
{
	for (unsigned int i = 0; i < bt->n; i++)
		if (bt->seqs[i] == seq)
			return bt->what[i];
	return "batch";
}

int sg_batch_send(struct sg_batch *bt)
{
	char rbuf[16384];
	int fd = mnl_socket_get_fd(bt->s->nl);
	ssize_t r;

	if (bt->err)
		return bt->err;
	if (grow(bt, 256))
		return bt->err = -ENOMEM;
	struct nlmsghdr *nlh = nftnl_batch_end(bt->buf + bt->len, bt->s->seq++);
	bt->len += NLMSG_ALIGN(nlh->nlmsg_len);

	if (mnl_socket_sendto(bt->s->nl, bt->buf, bt->len) < 0) {
		bt->err = -errno;
		bt->err_what = "sending the batch";
		return bt->err;
	}
	/* nfnetlink handles the batch synchronously inside sendmsg: every ack
	 * is queued by now; read them without waiting. */
	while ((r = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT)) > 0) {
		for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; mnl_nlmsg_ok(h, (int)r);
		     h = mnl_nlmsg_next(h, (int *)&r)) {
			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
			if (e->error && !bt->err) {
				bt->err = e->error;
				bt->err_what = what_of(bt, h->nlmsg_seq);
			}
		}
	}
	return bt->err;
}

void sg_batch_free(struct sg_batch *bt)
{
	free(bt->buf);
	bt->buf = NULL;
}

/* ---- dumps ---- */
static int dump(struct sg_nl *s, struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 4];
	int ret;

	if (mnl_socket_sendto(s->nl, req, req->nlmsg_len) < 0)
		return -errno;
	while ((ret = mnl_socket_recvfrom(s->nl, buf, sizeof(buf))) > 0) {
		ret = mnl_cb_run(buf, ret, req->nlmsg_seq, s->portid, cb, data);
		if (ret <= 0)
			break;
	}
	return ret < 0 ? -errno : 0;
}

struct names_ctx {
	struct sg_name_list *l;
	const char *table;
	bool sets;
};

static void names_add(struct sg_name_list *l, const char *n)
{
	void *p = realloc(l->v, (l->n + 1) * sizeof(*l->v));
	if (!p)
		return;
	l->v = p;
	snprintf(l->v[l->n++], 256, "%s", n);
}

static int names_cb(const struct nlmsghdr *nlh, void *data)
{
	struct names_ctx *c = data;
	const char *table, *name;

	if (c->sets) {
		struct nftnl_set *s = nftnl_set_alloc();
		if (s && nftnl_set_nlmsg_parse(nlh, s) == 0) {
			table = nftnl_set_get_str(s, NFTNL_SET_TABLE);
			name = nftnl_set_get_str(s, NFTNL_SET_NAME);
			if (table && name && !strcmp(table, c->table) &&
			    !(nftnl_set_get_u32(s, NFTNL_SET_FLAGS) & NFT_SET_ANONYMOUS))
				names_add(c->l, name);
		}
		nftnl_set_free(s);
	} else {
		struct nftnl_chain *ch = nftnl_chain_alloc();
		if (ch && nftnl_chain_nlmsg_parse(nlh, ch) == 0) {
			table = nftnl_chain_get_str(ch, NFTNL_CHAIN_TABLE);
			name = nftnl_chain_get_str(ch, NFTNL_CHAIN_NAME);
			if (table && name && !strcmp(table, c->table))
				names_add(c->l, name);
		}
		nftnl_chain_free(ch);
	}
	return MNL_CB_OK;
}

static int table_exists(struct sg_nl *s, int family, const char *table)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETTABLE, family, NLM_F_ACK, s->seq++);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	return dump(s, nlh, NULL, NULL);
}

static int list_names(struct sg_nl *s, int family, const char *table, struct sg_name_list *out,
		      bool sets)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct names_ctx c = { out, table, sets };
	struct nlmsghdr *nlh;
	int err;

	memset(out, 0, sizeof(*out));
	err = table_exists(s, family, table);
	if (err)
		return err;
	if (sets) {
		struct nftnl_set *st = nftnl_set_alloc();
		nftnl_set_set_str(st, NFTNL_SET_TABLE, table);
		nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSET, family, NLM_F_DUMP | NLM_F_ACK, s->seq++);
		nftnl_set_nlmsg_build_payload(nlh, st);
		nftnl_set_free(st);
	} else {
		nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETCHAIN, family, NLM_F_DUMP | NLM_F_ACK, s->seq++);
	}
	return dump(s, nlh, names_cb, &c);
}

int sg_nft_list_chains(struct sg_nl *s, int family, const char *table, struct sg_name_list *out)
{
	return list_names(s, family, table, out, false);
}

int sg_nft_list_sets(struct sg_nl *s, int family, const char *table, struct sg_name_list *out)
{
	return list_names(s, family, table, out, true);
}

void sg_name_list_free(struct sg_name_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

struct rules_ctx {
	struct sg_rule_info *v;
	unsigned int n;
	const char *table, *chain;
	unsigned int cap;
	bool tree;                  /* also CHAIN.X, except CHAIN<except> */
	const char *except;
};

static bool chain_wanted(const struct rules_ctx *c, const char *chain)
{
	size_t l;

	if (!c->chain || !strcmp(chain, c->chain))
		return true;
	l = strlen(c->chain);
	return c->tree && !strncmp(chain, c->chain, l) && chain[l] == '.' &&
	       !(c->except && !strcmp(chain + l, c->except));
}

static int udata_cb(const struct nftnl_udata *attr, void *data)
{
	if (nftnl_udata_type(attr) == NFTNL_UDATA_RULE_COMMENT) {
		char *dst = data;
		unsigned int len = nftnl_udata_len(attr);
		if (len > 255)
			len = 255;
		memcpy(dst, nftnl_udata_get(attr), len);
		dst[len] = 0;
	}
	return 0;
}

static int expr_cb(struct nftnl_expr *e, void *data)
{
	struct sg_rule_info *ri = data;
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

	if (!strcmp(name, "counter")) {
		ri->has_counter = true;
		ri->packets = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS);
		ri->bytes = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_BYTES);
	} else if (!strcmp(name, "match")) {
		const char *mt = nftnl_expr_get_str(e, NFTNL_EXPR_MT_NAME);
		if (mt && !strcmp(mt, "bpf")) {
			uint32_t len = 0;
			const struct xt_bpf_info_v1 *info = nftnl_expr_get(e, NFTNL_EXPR_MT_INFO, &len);
			ri->is_bpf = true;
			if (info && len >= offsetof(struct xt_bpf_info_v1, path) + 1)
				snprintf(ri->bpf_path, sizeof(ri->bpf_path), "%.*s",
					 (int)sizeof(info->path), info->path);
		}
	} else if (!strcmp(name, "payload") &&
		   nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE) == NFT_PAYLOAD_NETWORK_HEADER) {
		/* an address match: IPv4 (4 bytes) or IPv6 (16) */
		uint32_t len = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN);

		if (len == 4 || len == 16)
			ri->nfproto = len == 4 ? NFPROTO_IPV4 : NFPROTO_IPV6;
	} else if (!strcmp(name, "immediate") && nftnl_expr_is_set(e, NFTNL_EXPR_IMM_CHAIN)) {
		snprintf(ri->jump, sizeof(ri->jump), "%s", nftnl_expr_get_str(e, NFTNL_EXPR_IMM_CHAIN));
	}
	return 0;
}

static int rules_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rules_ctx *c = data;
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct sg_rule_info *ri;

	if (!r || nftnl_rule_nlmsg_parse(nlh, r) < 0)
		goto out;
	const char *table = nftnl_rule_get_str(r, NFTNL_RULE_TABLE);
	const char *chain = nftnl_rule_get_str(r, NFTNL_RULE_CHAIN);
	if (!table || !chain || strcmp(table, c->table) || !chain_wanted(c, chain))
		goto out;
	if (c->n == c->cap) { /* doubling: an entry is 1.3 KB */
		unsigned int cap = c->cap ? 2 * c->cap : 16;
		void *p = realloc(c->v, cap * sizeof(*c->v));

		if (!p)
			goto out;
		c->v = p;
		c->cap = cap;
	}
	ri = &c->v[c->n++];
	memset(ri, 0, sizeof(*ri));
	ri->handle = nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE);
	snprintf(ri->chain, sizeof(ri->chain), "%s", chain);
	if (nftnl_rule_is_set(r, NFTNL_RULE_USERDATA)) {
		uint32_t len;
		const void *ud = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len);
		nftnl_udata_parse(ud, len, udata_cb, ri->comment);
	}
	nftnl_expr_foreach(r, expr_cb, ri);
out:
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

/* CHECK_TABLE: -ENOENT when the table is missing (one more round trip);
 * else a missing table or chain is no rules. */
static int list_rules(struct sg_nl *s, int family, const char *table, const char *chain,
		      bool check_table, const char *tree_except, struct sg_rule_info **out,
		      unsigned int *n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct rules_ctx c = { NULL, 0, table, chain, 0, tree_except != NULL, tree_except };
	struct nftnl_rule *r;
	struct nlmsghdr *nlh;
	int err;

	*out = NULL;
	*n = 0;
	if (check_table && (err = table_exists(s, family, table)))
		return err;
	r = nftnl_rule_alloc();
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
	if (chain && !c.tree) /* a tree: the whole table's, filtered here */
		nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, family, NLM_F_DUMP | NLM_F_ACK, s->seq++);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	err = dump(s, nlh, rules_cb, &c);
	if (err) {
		free(c.v);
		return err;
	}
	*out = c.v;
	*n = c.n;
	return 0;
}

int sg_nft_list_rules(struct sg_nl *s, int family, const char *table, const char *chain,
		      struct sg_rule_info **out, unsigned int *n)
{
	return list_rules(s, family, table, chain, true, NULL, out, n);
}

int sg_nft_tree_rules(struct sg_nl *s, int family, const char *table, const char *chain,
		      const char *except, bool check_table, struct sg_rule_info **out,
		      unsigned int *n)
{
	return list_rules(s, family, table, chain, check_table, except ? except : "", out, n);
}
