// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* A customer's nftables objects (rules.h). Each helper appends one
 * expression; one batch holds a whole change. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/xt_bpf.h>
#include <libnftnl/table.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/expr.h>
#include <libnftnl/udata.h>

#include "guard.h"
#include "log.h"
#include "rules.h"

const char *const sg_set_kinds[K_KINDS + 1] = { "deny4", "deny6", "allow4", "allow6",
						 "rate4", "rate6", "ports", "peer4", "peer6",
						 NULL };

/* nft's datatypes, for `nft list` to print the sets' elements */
#define SG_TYPE_NFPROTO 2
#define SG_TYPE_IPV4 7
#define SG_TYPE_IPV6 8
#define SG_TYPE_INET_PROTO 12
#define SG_TYPE_INET_SERVICE 13
#define SG_TYPE_BITS 6

#define SG_DEFRAG_SUFFIX ".defrag"
/* The validator's chain, CHAIN.v: every branch goes to it (goto) with the
 * packets it lets through, so that a metered packet meets no rule after
 * the meter (see rate_rules). */
#define SG_VALIDATOR_SUFFIX ".v"

/* The branches: guarded traffic of one family and protocol goes to a chain
 * of its own, CHAIN.u4 (UDP over IPv4), .u6, .t4, .t6, which holds only
 * the rules that apply to it: a UDP datagram meets no TCP rule and no
 * rule of the other family. (The rules there still compare the family and
 * the protocol they read, as nft needs to print `ip saddr` and `tcp
 * flags`; each is one compare evaluated inline.) */
static const char *const branch_suffix[2][2] = { { ".u4", ".u6" }, { ".t4", ".t6" } };

/* Is SUFFIX (".u4") a branch's? */
static bool branch_of(const char *suffix)
{
	for (int tcp = 0; tcp < 2; tcp++)
		for (int v6 = 0; v6 < 2; v6++)
			if (!strcmp(suffix, branch_suffix[tcp][v6]))
				return true;
	return false;
}

unsigned int sg_owned_name(const char *name, const char *customer, bool set)
{
	char prefix[64];
	size_t pl = (size_t)snprintf(prefix, sizeof(prefix), "sg.%s.", customer);
	const char *p;
	unsigned long gen = 0;

	if (strncmp(name, prefix, pl))
		return 0;
	p = name + pl;
	if (*p < '1' || *p > '9')
		return 0;
	while (*p >= '0' && *p <= '9')
		gen = gen * 10 + (unsigned long)(*p++ - '0');
	if (!set)
		return !*p || !strcmp(p, SG_DEFRAG_SUFFIX) || !strcmp(p, SG_VALIDATOR_SUFFIX) ||
				       branch_of(p)
			       ? (unsigned int)gen
			       : 0;
	if (*p++ != '.')
		return 0;
	for (int i = 0; sg_set_kinds[i]; i++)
		if (!strcmp(p, sg_set_kinds[i]))
			return (unsigned int)gen;
	return 0;
}

struct ctx {
	const struct sg_chain_spec *c;
	struct sg_batch *bt;
	char comment[200];
	uint32_t set_id;
	unsigned int nrules;
	char set_names[K_KINDS][256];
	uint32_t set_ids[K_KINDS];
	bool have[K_KINDS];         /* the set was made (address sets: not empty) */
	const char *cur;            /* the chain rules go to */
};

static struct nftnl_rule *rule_new(struct ctx *x, const char *chain, const char *what)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(512);
	char comment[256];

	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, (uint32_t)x->c->family);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, x->c->table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	snprintf(comment, sizeof(comment), "%s %s", x->comment, what);
	nftnl_udata_put_strz(ud, NFTNL_UDATA_RULE_COMMENT, comment);
	nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(ud),
			    nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
	return r;
}

static void e_meta(struct nftnl_rule *r, uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
	nftnl_rule_add_expr(r, e);
}

static void e_cmp(struct nftnl_rule *r, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	nftnl_rule_add_expr(r, e);
}

static void e_payload(struct nftnl_rule *r, uint32_t base, uint32_t off, uint32_t len, uint32_t dreg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");

	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
	nftnl_rule_add_expr(r, e);
}

static void e_l4proto(struct nftnl_rule *r, uint8_t proto)
{
	e_meta(r, NFT_META_L4PROTO, NFT_REG_1);
	e_cmp(r, NFT_CMP_EQ, &proto, 1);
}

/* Loads the source address of IPv4 (v6=false) or IPv6 into reg 1. */
static void e_saddr(struct ctx *x, struct nftnl_rule *r, bool v6)
{
	if (x->c->family == NFPROTO_INET) {
		uint8_t proto = v6 ? NFPROTO_IPV6 : NFPROTO_IPV4;

		e_meta(r, NFT_META_NFPROTO, NFT_REG_1);
		e_cmp(r, NFT_CMP_EQ, &proto, 1);
	}
	e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, v6 ? 8 : 12, v6 ? 16 : 4, NFT_REG_1);
}

/* reg 1 = reg 1 & MASK (LEN bytes) */
static void e_and(struct nftnl_rule *r, const void *mask, uint32_t len)
{
	static const uint8_t zero[16];
	struct nftnl_expr *e = nftnl_expr_alloc("bitwise");

	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, len);
	nftnl_rule_add_expr(r, e);
}

static void e_lookup(struct ctx *x, struct nftnl_rule *r, int kind, uint32_t sreg, bool inv)
{
	struct nftnl_expr *e = nftnl_expr_alloc("lookup");

	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, sreg);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, x->set_names[kind]);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, x->set_ids[kind]);
	if (inv)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS, NFT_LOOKUP_F_INV);
	nftnl_rule_add_expr(r, e);
}

static void e_counter(struct nftnl_rule *r)
{
	nftnl_rule_add_expr(r, nftnl_expr_alloc("counter"));
}

static void e_verdict(struct nftnl_rule *r, int verdict, const char *chain)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
	if (chain)
		nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain);
	nftnl_rule_add_expr(r, e);
}

/* drop, or (monitor) nothing: the rule's counter says what it would have done */
static void e_drop(struct ctx *x, struct nftnl_rule *r)
{
	if (!x->c->monitor)
		e_verdict(r, NF_DROP, NULL);
}

static void add_rule(struct ctx *x, struct nftnl_rule *r)
{
	sg_batch_rule(x->bt, NFT_MSG_NEWRULE, r, NLM_F_CREATE | NLM_F_APPEND, "add rule");
	x->nrules++;
}

static struct nftnl_set *set_new(struct ctx *x, int kind, uint32_t key_type, uint32_t key_len)
{
	struct nftnl_set *s = nftnl_set_alloc();

	snprintf(x->set_names[kind], sizeof(x->set_names[kind]), "%s.%s", x->c->chain,
		 sg_set_kinds[kind]);
	x->set_ids[kind] = ++x->set_id;
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, (uint32_t)x->c->family);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, x->c->table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, x->set_names[kind]);
	nftnl_set_set_u32(s, NFTNL_SET_ID, x->set_ids[kind]);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, key_type);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, key_len);
	return s;
}

static struct nftnl_set *elems_new(struct ctx *x, int kind)
{
	struct nftnl_set *es = nftnl_set_alloc();

	nftnl_set_set_u32(es, NFTNL_SET_FAMILY, (uint32_t)x->c->family);
	nftnl_set_set_str(es, NFTNL_SET_TABLE, x->c->table);
	nftnl_set_set_str(es, NFTNL_SET_NAME, x->set_names[kind]);
	nftnl_set_set_u32(es, NFTNL_SET_ID, x->set_ids[kind]);
	return es;
}

/* An interval set of address ranges RG[N] (sorted, merged). */
static void add_address_set(struct ctx *x, int kind, bool v6, const struct sg_range *rg,
			    unsigned int n)
{
	uint32_t klen = v6 ? 16 : 4;
	struct nftnl_set *s = set_new(x, kind, v6 ? SG_TYPE_IPV6 : SG_TYPE_IPV4, klen);
	struct nftnl_set *es = NULL;
	unsigned int in_msg = 0;
	uint8_t zero[16] = { 0 };

	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_INTERVAL);
	sg_batch_set(x->bt, NFT_MSG_NEWSET, s, NLM_F_CREATE | NLM_F_EXCL, "add address set");
	/* interval elements: [start, end+1) with an end marker; a leading
	 * end marker at 0 when the first range does not start at 0 */
	for (unsigned int i = 0; i < n; i++) {
		struct nftnl_set_elem *e;
		uint8_t next[16];
		int k;

		if (!es) {
			es = elems_new(x, kind);
			in_msg = 0;
		}
		if (i == 0 && memcmp(rg[0].start, zero, klen)) {
			e = nftnl_set_elem_alloc();
			nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, zero, klen);
			nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
			nftnl_set_elem_add(es, e);
		}
		e = nftnl_set_elem_alloc();
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, rg[i].start, klen);
		nftnl_set_elem_add(es, e);
		memcpy(next, rg[i].end, klen);
		for (k = (int)klen - 1; k >= 0; k--)
			if (++next[k])
				break;
		if (k >= 0) { /* no overflow past the top of the address space */
			e = nftnl_set_elem_alloc();
			nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, next, klen);
			nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
			nftnl_set_elem_add(es, e);
		}
		if (++in_msg >= 200) {
			sg_batch_setelem(x->bt, NFT_MSG_NEWSETELEM, es, NLM_F_CREATE, "add set elements");
			es = NULL;
		}
	}
	if (es)
		sg_batch_setelem(x->bt, NFT_MSG_NEWSETELEM, es, NLM_F_CREATE, "add set elements");
}

static int cmp_range(const void *a, const void *b)
{
	const struct sg_range *p = a, *q = b;

	return memcmp(p->start, q->start, 16);
}

/* Sorted, merged ranges of family AF from a CIDR list. */
static unsigned int ranges(const struct sg_strlist *l, int af, struct sg_range *out)
{
	unsigned int n = 0, m = 0;
	size_t klen = af == AF_INET ? 4 : 16;

	for (unsigned int i = 0; i < l->n; i++) {
		struct sg_range r;

		if (sg_cidr_parse(l->v[i], &r) == 0 && r.af == af)
			out[n++] = r;
	}
	qsort(out, n, sizeof(*out), cmp_range);
	for (unsigned int i = 0; i < n; i++) {
		if (m) {
			struct sg_range *last = &out[m - 1];
			uint8_t next[16];
			int k;

			/* overlapping or adjacent: merge */
			memcpy(next, last->end, klen);
			for (k = (int)klen - 1; k >= 0; k--)
				if (++next[k])
					break;
			if (k < 0 || memcmp(out[i].start, next, klen) <= 0) {
				if (memcmp(out[i].end, last->end, klen) > 0)
					memcpy(last->end, out[i].end, klen);
				continue;
			}
		}
		out[m++] = out[i];
	}
	return m;
}

/* The address set KIND of list L for one family, when L has addresses of
 * it; true when made */
static bool address_set(struct ctx *x, int kind, const struct sg_strlist *l, bool v6)
{
	static struct sg_range rg[SG_LIST_MAX];
	unsigned int n = ranges(l, v6 ? AF_INET6 : AF_INET, rg);

	if (n)
		add_address_set(x, kind, v6, rg, n);
	return n > 0;
}

/* deny (LI 0) or allow (LI 1) of one family, when its set was made */
static void address_rule(struct ctx *x, int li, bool v6)
{
	int kind = (li ? K_ALLOW4 : K_DENY4) + v6;
	struct nftnl_rule *r;

	if (!x->have[kind])
		return;
	r = rule_new(x, x->cur, li ? "allow" : "deny");
	e_saddr(x, r, v6);
	e_lookup(x, r, kind, NFT_REG_1, false);
	e_counter(r);
	if (li)
		/* return, not accept: attached, an accept would skip the
		 * customer's own rules after the jump; allowed sources
		 * skip sipguard's checks on the guarded ports only */
		e_verdict(r, NFT_RETURN, NULL);
	else
		e_drop(x, r);
	add_rule(x, r);
}

static bool family_ok(const struct ctx *x, bool v6)
{
	return v6 ? x->c->family != NFPROTO_IPV4 : x->c->family != NFPROTO_IPV6;
}

static bool proto_guarded(const struct ctx *x, bool tcp)
{
	const struct sg_config *cfg = &x->c->pr->cfg;

	for (int i = 0; i < SG_MAX_PORTS; i++)
		if (cfg->ports[i] && (cfg->port_protos[i] & (tcp ? SG_PROTO_TCP : SG_PROTO_UDP)))
			return true;
	return false;
}

/* The branch for TCP (or UDP) of IPv6 (or IPv4) exists: a port guards the
 * protocol and the table takes the family */
static bool has_branch(const struct ctx *x, bool tcp, bool v6)
{
	return proto_guarded(x, tcp) && family_ok(x, v6);
}

static void branch_name(const struct ctx *x, bool tcp, bool v6, char *out, size_t len)
{
	snprintf(out, len, "%s%s", x->c->chain, branch_suffix[tcp][v6]);
}

/* A regular chain NAME of the customer's table (no hook: gone to, or
 * never run). WHAT names it in the batch's errors. */
static void chain_add(struct ctx *x, const char *name, const char *what)
{
	struct nftnl_chain *ch = nftnl_chain_alloc();

	nftnl_chain_set_u32(ch, NFTNL_CHAIN_FAMILY, (uint32_t)x->c->family);
	nftnl_chain_set_str(ch, NFTNL_CHAIN_TABLE, x->c->table);
	nftnl_chain_set_str(ch, NFTNL_CHAIN_NAME, name);
	sg_batch_chain(x->bt, NFT_MSG_NEWCHAIN, ch, NLM_F_CREATE | NLM_F_EXCL, what);
}

static void branch_chain(struct ctx *x, bool tcp, bool v6)
{
	char name[256];

	branch_name(x, tcp, v6, name, sizeof(name));
	chain_add(x, name, "add branch chain");
}

/* The guarded ports: a verdict map from family . protocol . port to the
 * branch (goto). One rule per guarded port compares the port first and
 * looks the map up only when it matches: traffic to any other port (RTP)
 * leaves the chain after one failed compare, which netfilter evaluates
 * inline. A rule that matched it (a `return` for the other ports) cost
 * media packets 3-4% more (bench/paired). */
static void dispatch_map(struct ctx *x)
{
	const struct sg_config *cfg = &x->c->pr->cfg;
	struct nftnl_set *s = set_new(x, K_PORTS, (SG_TYPE_NFPROTO << SG_TYPE_BITS |
						  SG_TYPE_INET_PROTO) << SG_TYPE_BITS |
						  SG_TYPE_INET_SERVICE, 12);
	struct nftnl_set *es;

	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_CONSTANT | NFT_SET_MAP);
	nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, NFT_DATA_VERDICT);
	sg_batch_set(x->bt, NFT_MSG_NEWSET, s, NLM_F_CREATE | NLM_F_EXCL, "add port map");
	es = elems_new(x, K_PORTS);
	for (int i = 0; i < SG_MAX_PORTS; i++) {
		for (int tcp = 0; tcp < 2; tcp++) {
			for (int v6 = 0; v6 < 2; v6++) {
				uint8_t key[12] = { 0 };
				uint16_t port = htons(cfg->ports[i]);
				struct nftnl_set_elem *e;
				char chain[256];

				if (!cfg->ports[i] || !family_ok(x, v6) ||
				    !(cfg->port_protos[i] & (tcp ? SG_PROTO_TCP : SG_PROTO_UDP)))
					continue;
				key[0] = v6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
				key[4] = tcp ? IPPROTO_TCP : IPPROTO_UDP;
				memcpy(&key[8], &port, 2);
				branch_name(x, tcp, v6, chain, sizeof(chain));
				e = nftnl_set_elem_alloc();
				nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, sizeof(key));
				nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_VERDICT, (uint32_t)NFT_GOTO);
				nftnl_set_elem_set_str(e, NFTNL_SET_ELEM_CHAIN, chain);
				nftnl_set_elem_add(es, e);
			}
		}
	}
	sg_batch_setelem(x->bt, NFT_MSG_NEWSETELEM, es, NLM_F_CREATE, "add port map elements");
}

static void dispatch_rules(struct ctx *x)
{
	const struct sg_config *cfg = &x->c->pr->cfg;

	for (int i = 0; i < SG_MAX_PORTS; i++) {
		uint16_t port = htons(cfg->ports[i]);
		struct nftnl_rule *r;
		struct nftnl_expr *e;
		bool seen = false;

		if (!cfg->ports[i])
			continue;
		for (int j = 0; j < i; j++)
			seen |= cfg->ports[j] == cfg->ports[i];
		if (seen)
			continue;
		r = rule_new(x, x->cur, "guarded");
		e_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG_1);
		e_cmp(r, NFT_CMP_EQ, &port, 2);
		e_meta(r, NFT_META_NFPROTO, NFT_REG32_00);
		e_meta(r, NFT_META_L4PROTO, NFT_REG32_01);
		e_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG32_02);
		e = nftnl_expr_alloc("lookup");
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG32_00);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, x->set_names[K_PORTS]);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, x->set_ids[K_PORTS]);
		nftnl_rule_add_expr(r, e);
		add_rule(x, r);
	}
}

/* TCP urgent data: the stack reads other bytes than the filter would */
static void urgent_rule(struct ctx *x)
{
	static const uint8_t urg = 0x20, zero = 0;
	struct nftnl_rule *r = rule_new(x, x->cur, "urgent");

	e_l4proto(r, IPPROTO_TCP); /* for `nft list` to print tcp flags */
	e_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 13, 1, NFT_REG_1);
	e_and(r, &urg, 1);
	e_cmp(r, NFT_CMP_NEQ, &zero, 1);
	e_counter(r);
	e_drop(x, r);
	add_rule(x, r);
}

/* [tcp] conntrack: what connection tracking finds invalid on a guarded TCP
 * port (bad checksum, outside the window, an ACK of unsent data) is dropped
 * before the validator. The validator follows the stream as sent; a segment
 * the stack will discard would be judged as if it arrived, and its sequence
 * numbers then sent again with other bytes would pass as a retransmission.
 * The ct expression turns on conntrack in the namespace. */
static void conntrack_rule(struct ctx *x)
{
	static const uint32_t invalid = 1 /* NF_CT_STATE_INVALID_BIT */, zero = 0;
	struct nftnl_rule *r;
	struct nftnl_expr *e;

	if (!x->c->pr->tcp_conntrack || (x->c->pr->cfg.flags & SG_F_DROP_ALL_SIP))
		return;
	r = rule_new(x, x->cur, "tcp-invalid");
	e = nftnl_expr_alloc("ct");
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_STATE);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	nftnl_rule_add_expr(r, e);
	e_and(r, &invalid, sizeof(invalid));
	e_cmp(r, NFT_CMP_NEQ, &zero, sizeof(zero));
	e_counter(r);
	e_drop(x, r);
	add_rule(x, r);
}

/* The meters' sets, one per family, sized from the profile (max_sources),
 * and the peers' interval sets. */
static void rate_sets(struct ctx *x)
{
	const struct sg_rate_limit *rl = &x->c->pr->rate;
	unsigned int size = rl->max_sources ? rl->max_sources : SG_MAX_SOURCES_DEFAULT;

	if (!rl->rate)
		return;
	for (int v6 = 0; v6 < 2; v6++) {
		struct nftnl_set *s;

		if (!family_ok(x, v6))
			continue;
		x->have[K_PEER4 + v6] = address_set(x, K_PEER4 + v6, &x->c->p->peers, v6);
		s = set_new(x, K_RATE4 + v6, v6 ? SG_TYPE_IPV6 : SG_TYPE_IPV4, v6 ? 16 : 4);
		nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_EVAL | NFT_SET_TIMEOUT);
		nftnl_set_set_u64(s, NFTNL_SET_TIMEOUT, 60000);
		nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, size);
		sg_batch_set(x->bt, NFT_MSG_NEWSET, s, NLM_F_CREATE | NLM_F_EXCL, "add rate set");
	}
}

/* A TCP branch meters connection attempts (SYN without ACK); a UDP one
 * every datagram. */
static void e_new_connection(struct nftnl_rule *r)
{
	static const uint8_t flags_mask = 0x17, syn = 0x02;

	e_l4proto(r, IPPROTO_TCP);
	e_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 13, 1, NFT_REG_1);
	e_and(r, &flags_mask, 1);
	e_cmp(r, NFT_CMP_EQ, &syn, 1);
}

static void validator_name(const struct ctx *x, char *out, size_t len)
{
	snprintf(out, len, "%s%s", x->c->chain, SG_VALIDATOR_SUFFIX);
}

/* A rule of the branch's meter: for TCP only connection attempts, then
 * the source address in register 1 (the drop rule uses it only to read
 * as one family's, in nft and in `stats`: it meets only the packets the
 * meter did not send on). */
static struct nftnl_rule *meter_rule(struct ctx *x, bool tcp, bool v6, const char *what)
{
	struct nftnl_rule *r = rule_new(x, x->cur, what);

	if (tcp)
		e_new_connection(r);
	e_saddr(x, r, v6);
	return r;
}

static void goto_validator(struct ctx *x, struct nftnl_rule *r)
{
	char v[256];

	validator_name(x, v, sizeof(v));
	e_verdict(r, NFT_GOTO, v);
	add_rule(x, r);
}

/* Per source, one meter per family for UDP datagrams and TCP connection
 * attempts together. The meter's rule matches a packet within the rate
 * and sends it on to the validator (goto), so the common packet meets
 * one set operation; only what it did not send on meets the rules after
 * it: a source the full meter could not take (the meter-full rule counts
 * it and sends it on, not limited), then what is over the rate (dropped).
 * (A meter rule that matched the packets over the rate let every packet
 * within it on to a second lookup, to tell a full meter from a packet
 * within the rate: 2% of an INVITE's rate, bench/paired.) The customer's
 * peers (--peer: carriers, SBCs, each carrying many calls from one
 * address) are not metered: their sources are in an interval set per
 * family, whose rule sends them on first. Their packets still meet the
 * validator. */
static void rate_rules(struct ctx *x, bool tcp, bool v6)
{
	const struct sg_rate_limit *rl = &x->c->pr->rate;
	int kind = K_RATE4 + v6, peers = K_PEER4 + v6;
	struct nftnl_rule *r;
	struct nftnl_expr *lim, *e;

	if (x->have[peers]) {
		r = meter_rule(x, tcp, v6, "peer");
		e_lookup(x, r, peers, NFT_REG_1, false);
		goto_validator(x, r);
	}

	r = meter_rule(x, tcp, v6, "metered");
	lim = nftnl_expr_alloc("limit");
	e = nftnl_expr_alloc("dynset");
	nftnl_expr_set_u64(lim, NFTNL_EXPR_LIMIT_RATE, rl->rate);
	nftnl_expr_set_u64(lim, NFTNL_EXPR_LIMIT_UNIT, 1);
	nftnl_expr_set_u32(lim, NFTNL_EXPR_LIMIT_BURST, rl->burst ? rl->burst : rl->rate);
	nftnl_expr_set_u32(lim, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SREG_KEY, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_OP, NFT_DYNSET_OP_ADD);
	nftnl_expr_set_u64(e, NFTNL_EXPR_DYNSET_TIMEOUT, 60000);
	nftnl_expr_set_str(e, NFTNL_EXPR_DYNSET_SET_NAME, x->set_names[kind]);
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SET_ID, x->set_ids[kind]);
	nftnl_expr_set(e, NFTNL_EXPR_DYNSET_EXPR, lim, 0);
	nftnl_rule_add_expr(r, e);
	goto_validator(x, r);

	/* not in the meter after its update: it was full */
	r = meter_rule(x, tcp, v6, "meter-full");
	e_lookup(x, r, kind, NFT_REG_1, true);
	e_counter(r);
	goto_validator(x, r);

	/* what is left is over the rate */
	r = meter_rule(x, tcp, v6, tcp ? "syn-rate" : "rate");
	e_counter(r);
	e_drop(x, r);
	add_rule(x, r);
}

/* The validator's chain and its one rule (or shield's drop). */
static void validator_chain(struct ctx *x)
{
	struct nftnl_rule *r;
	struct nftnl_expr *e;
	struct xt_bpf_info_v1 *info;
	char name[256];

	validator_name(x, name, sizeof(name));
	chain_add(x, name, "add validator chain");
	if (x->c->pr->cfg.flags & SG_F_DROP_ALL_SIP) {
		/* no SIP service here: whatever comes to the ports is dropped,
		 * no program needed */
		r = rule_new(x, name, "no-sip-service");
		e_counter(r);
		e_drop(x, r);
		add_rule(x, r);
		return;
	}
	r = rule_new(x, name, "validator");
	e = nftnl_expr_alloc("match");
	info = calloc(1, sizeof(*info)); /* owned by libnftnl */
	info->mode = XT_BPF_MODE_FD_PINNED;
	/* fits: enable checked the length against XT_BPF_PATH_MAX */
	memcpy(info->path, x->c->stub_pin, strlen(x->c->stub_pin) + 1);
	info->fd = x->c->stub_fd;
	nftnl_expr_set_str(e, NFTNL_EXPR_MT_NAME, "bpf");
	nftnl_expr_set_u32(e, NFTNL_EXPR_MT_REV, 1);
	nftnl_expr_set(e, NFTNL_EXPR_MT_INFO, info, sizeof(*info));
	nftnl_rule_add_expr(r, e);
	e_counter(r);
	e_verdict(r, NF_DROP, NULL); /* the program decides monitor mode */
	sg_batch_rule(x->bt, NFT_MSG_NEWRULE, r, NLM_F_CREATE | NLM_F_APPEND, "add xt bpf rule");
	x->nrules++;
}

/* One branch's rules, in the order the flat chain had them: urgent data
 * and what conntrack finds invalid (TCP), allowed sources leave, the
 * meter; then on to the validator's chain with what the meter does not
 * send on or drop (TCP other than connection attempts, a monitor's
 * packets over the rate, everything without a meter). */
static void branch_rules(struct ctx *x, bool tcp, bool v6)
{
	char name[256];

	branch_name(x, tcp, v6, name, sizeof(name));
	x->cur = name;
	if (tcp) {
		urgent_rule(x);
		conntrack_rule(x);
	}
	address_rule(x, 1, v6);
	if (x->c->pr->rate.rate)
		rate_rules(x, tcp, v6);
	/* (a UDP branch's meter, enforcing, leaves nothing for it) */
	if (tcp || !x->c->pr->rate.rate || x->c->monitor)
		goto_validator(x, rule_new(x, x->cur, "to-validator"));
	x->cur = x->c->chain;
}

/* The kernel reassembles IP fragments before sipguard's chain: a chain
 * that is never jumped to holds a tproxy expression, whose setup turns on
 * the namespace's defragmentation (nf_defrag_ipv4/ipv6, at prerouting
 * priority -400, as conntrack would) without tracking connections. The
 * chain is never run; its rule only has to exist.
 * At our own input chain only IPv6 needs it: the stack reassembles an
 * IPv4 datagram for local delivery before the input hook (ip_local_deliver)
 * but an IPv6 one after it (its fragment header is an extension header,
 * read past the hook), and a defrag hook costs every packet of the
 * namespace a hook call (bench/paired: about 3%). A forward chain, or a
 * chain jumped to from the customer's own (any hook), gets both. */
static void defrag_chain(struct ctx *x)
{
	char name[256];
	struct nftnl_rule *r;
	struct nftnl_expr *e;
	uint16_t port = htons(1);
	uint32_t fam = x->c->family == NFPROTO_INET ? NFPROTO_UNSPEC : (uint32_t)x->c->family;

	if (!x->c->attach_chain && !x->c->hook)
		fam = NFPROTO_IPV6; /* our table is inet */

	snprintf(name, sizeof(name), "%s%s", x->c->chain, SG_DEFRAG_SUFFIX);
	chain_add(x, name, "add defrag chain");
	r = rule_new(x, name, "defrag");
	e = nftnl_expr_alloc("immediate");
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_1);
	nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, &port, sizeof(port));
	nftnl_rule_add_expr(r, e);
	e = nftnl_expr_alloc("tproxy");
	nftnl_expr_set_u32(e, NFTNL_EXPR_TPROXY_FAMILY, fam);
	nftnl_expr_set_u32(e, NFTNL_EXPR_TPROXY_REG_PORT, NFT_REG_1);
	nftnl_rule_add_expr(r, e);
	sg_batch_rule(x->bt, NFT_MSG_NEWRULE, r, NLM_F_CREATE | NLM_F_APPEND, "add defrag rule (nft_tproxy)");
}

unsigned int sg_rules_build(struct sg_batch *bt, const struct sg_chain_spec *c)
{
	struct ctx x = { .c = c, .bt = bt, .cur = c->chain };
	struct nftnl_chain *ch;

	snprintf(x.comment, sizeof(x.comment), "sipguard %s profile=%s%s", c->customer,
		 c->pr->name, c->monitor ? " mode=monitor" : "");
	if (!c->attach_chain) {
		struct nftnl_table *t = nftnl_table_alloc();

		nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, (uint32_t)c->family);
		nftnl_table_set_str(t, NFTNL_TABLE_NAME, c->table);
		sg_batch_table(bt, NFT_MSG_NEWTABLE, t, NLM_F_CREATE, "add table");
	}
	ch = nftnl_chain_alloc();
	nftnl_chain_set_u32(ch, NFTNL_CHAIN_FAMILY, (uint32_t)c->family);
	nftnl_chain_set_str(ch, NFTNL_CHAIN_TABLE, c->table);
	nftnl_chain_set_str(ch, NFTNL_CHAIN_NAME, c->chain);
	if (!c->attach_chain) {
		nftnl_chain_set_u32(ch, NFTNL_CHAIN_HOOKNUM, c->hook ? NF_INET_FORWARD : NF_INET_LOCAL_IN);
		nftnl_chain_set_s32(ch, NFTNL_CHAIN_PRIO, -10);
		nftnl_chain_set_str(ch, NFTNL_CHAIN_TYPE, "filter");
		nftnl_chain_set_u32(ch, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	}
	sg_batch_chain(bt, NFT_MSG_NEWCHAIN, ch, NLM_F_CREATE | NLM_F_EXCL, "add chain");
	for (int tcp = 0; tcp < 2; tcp++)
		for (int v6 = 0; v6 < 2; v6++)
			if (has_branch(&x, tcp, v6))
				branch_chain(&x, tcp, v6);
	validator_chain(&x); /* before the branches' rules, which go to it */
	for (int v6 = 0; v6 < 2; v6++) {
		if (!family_ok(&x, v6))
			continue;
		x.have[K_DENY4 + v6] = address_set(&x, K_DENY4 + v6, &c->p->deny, v6);
		x.have[K_ALLOW4 + v6] = address_set(&x, K_ALLOW4 + v6, &c->p->allow, v6);
	}
	rate_sets(&x);
	dispatch_map(&x);
	/* denied sources: every port; then the guarded ports to their branch */
	address_rule(&x, 0, false);
	address_rule(&x, 0, true);
	dispatch_rules(&x);
	for (int tcp = 0; tcp < 2; tcp++)
		for (int v6 = 0; v6 < 2; v6++)
			if (has_branch(&x, tcp, v6))
				branch_rules(&x, tcp, v6);
	defrag_chain(&x);
	if (c->attach_chain) {
		struct nftnl_rule *r = rule_new(&x, c->attach_chain, "");
		struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(256);
		char cm[128];

		snprintf(cm, sizeof(cm), "sipguard %s jump", c->customer);
		nftnl_udata_put_strz(ud, NFTNL_UDATA_RULE_COMMENT, cm);
		nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(ud),
				    nftnl_udata_buf_len(ud));
		nftnl_udata_buf_free(ud);
		e_verdict(r, NFT_JUMP, c->chain);
		/* no NLM_F_APPEND: inserted at the top of their chain */
		sg_batch_rule(bt, NFT_MSG_NEWRULE, r, NLM_F_CREATE, "insert jump rule");
	}
	return x.nrules;
}

static bool is_branch(const char *chain)
{
	const char *dot = strrchr(chain, '.');

	return dot && branch_of(dot);
}

static bool is_validator_chain(const char *chain)
{
	const char *dot = strrchr(chain, '.');

	return dot && !strcmp(dot, SG_VALIDATOR_SUFFIX);
}

static bool is_port_map(const char *set)
{
	const char *dot = strrchr(set, '.');

	return dot && !strcmp(dot + 1, sg_set_kinds[K_PORTS]);
}

int sg_rules_removals(struct sg_batch *bt, struct sg_nl *nl, int family, const char *table,
		      const char *customer, unsigned int keep, bool drop_table, unsigned int *nmsgs)
{
	struct sg_name_list chains, sets;
	struct sg_rule_info *rules = NULL;
	unsigned int nrules = 0, others = 0, mine = 0;
	char jump_comment[128];
	int err;

	*nmsgs = 0;
	err = sg_nft_list_chains(nl, family, table, &chains);
	if (err == -ENOENT)
		return 0;
	if (err)
		return err;
	err = sg_nft_list_sets(nl, family, table, &sets);
	if (!err)
		err = sg_nft_list_rules(nl, family, table, NULL, &rules, &nrules);
	if (err)
		goto out;
	snprintf(jump_comment, sizeof(jump_comment), "sipguard %s jump", customer);

	for (unsigned int i = 0; i < chains.n; i++) {
		unsigned int g = sg_owned_name(chains.v[i], customer, false);

		if (!g || g == keep)
			others++;
		else
			mine++;
	}
	for (unsigned int i = 0; i < sets.n; i++) {
		unsigned int g = sg_owned_name(sets.v[i], customer, true);

		if (!g || g == keep)
			others++;
	}
	if (drop_table && !keep && !others) {
		struct nftnl_table *t;

		if (!mine && !sets.n)
			goto out;
		t = nftnl_table_alloc();
		nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, (uint32_t)family);
		nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
		sg_batch_table(bt, NFT_MSG_DELTABLE, t, 0, "delete table");
		(*nmsgs)++;
		goto out;
	}
	for (unsigned int i = 0; i < nrules; i++) {
		struct nftnl_rule *r;
		unsigned int g;

		if (strcmp(rules[i].comment, jump_comment))
			continue;
		g = sg_owned_name(rules[i].jump, customer, false);
		if (g && g == keep)
			continue;
		r = nftnl_rule_alloc();
		nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, (uint32_t)family);
		nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
		nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, rules[i].chain);
		nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, rules[i].handle);
		sg_batch_rule(bt, NFT_MSG_DELRULE, r, 0, "delete old jump rule");
		(*nmsgs)++;
	}
	/* In an order the kernel takes: a chain's references hold it (EBUSY).
	 * The chain (its rules look the port map up), the port map (its
	 * elements go to the branches), the branches (their rules use the
	 * other sets and go to the validator's chain), the validator's chain,
	 * the other sets. */
	for (int step = 0; step < 5; step++) {
		bool chains_step = step == 0 || step == 2 || step == 3;
		struct sg_name_list *l = chains_step ? &chains : &sets;

		for (unsigned int i = 0; i < l->n; i++) {
			unsigned int g = sg_owned_name(l->v[i], customer, !chains_step);

			if (!g || g == keep)
				continue;
			if (chains_step && (is_branch(l->v[i]) != (step == 2) ||
					    is_validator_chain(l->v[i]) != (step == 3)))
				continue;
			if (!chains_step && is_port_map(l->v[i]) != (step == 1))
				continue;
			if (chains_step) {
				struct nftnl_chain *ch = nftnl_chain_alloc();

				nftnl_chain_set_u32(ch, NFTNL_CHAIN_FAMILY, (uint32_t)family);
				nftnl_chain_set_str(ch, NFTNL_CHAIN_TABLE, table);
				nftnl_chain_set_str(ch, NFTNL_CHAIN_NAME, l->v[i]);
				sg_batch_chain(bt, NFT_MSG_DELCHAIN, ch, 0, "delete old chain");
			} else {
				struct nftnl_set *s = nftnl_set_alloc();

				nftnl_set_set_u32(s, NFTNL_SET_FAMILY, (uint32_t)family);
				nftnl_set_set_str(s, NFTNL_SET_TABLE, table);
				nftnl_set_set_str(s, NFTNL_SET_NAME, l->v[i]);
				sg_batch_set(bt, NFT_MSG_DELSET, s, 0, "delete old set");
			}
			(*nmsgs)++;
		}
	}
out:
	free(rules);
	sg_name_list_free(&chains);
	sg_name_list_free(&sets);
	return err;
}

int sg_rules_list(struct sg_nl *nl, int family, const char *table, const char *chain,
		  bool check_table, struct sg_rule_info **out, unsigned int *n)
{
	return sg_nft_tree_rules(nl, family, table, chain, SG_DEFRAG_SUFFIX, check_table, out, n);
}

unsigned int sg_rules_max_gen(struct sg_nl *nl, int family, const char *table,
			      const char *customer)
{
	struct sg_name_list l;
	unsigned int m = 0;

	if (sg_nft_list_chains(nl, family, table, &l))
		return 0;
	for (unsigned int i = 0; i < l.n; i++) {
		unsigned int g = sg_owned_name(l.v[i], customer, false);

		if (g > m)
			m = g;
	}
	sg_name_list_free(&l);
	return m;
}
