// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* enable/disable/restore core. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/xt_bpf.h>
#include <bpf/bpf.h>
#include <libnftnl/table.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/expr.h>
#include <libnftnl/udata.h>

#include "commands.h"
#include "guard.h"
#include "log.h"
#include "nft.h"
#include "profile.h"
#include "validator.h"

/* ---------------------------------------------------------------- misc */
int sg_cidr_parse(const char *s, struct sg_range *r)
{
	char buf[128], *slash;
	int len, bits;

	memset(r, 0, sizeof(*r));
	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = 0;
	if (inet_pton(AF_INET, buf, r->start) == 1)
		r->af = AF_INET, bits = 32;
	else if (inet_pton(AF_INET6, buf, r->start) == 1)
		r->af = AF_INET6, bits = 128;
	else
		return -EINVAL;
	len = bits;
	if (slash) {
		char *end;
		long l = strtol(slash, &end, 10);
		if (!*slash || *end || l < 0 || l > bits)
			return -EINVAL;
		len = (int)l;
	}
	memcpy(r->end, r->start, 16);
	for (int i = len; i < bits; i++) {
		r->start[i / 8] &= ~(0x80 >> (i % 8));
		r->end[i / 8] |= 0x80 >> (i % 8);
	}
	return 0;
}

void sg_fault_kill(const char *point)
{
	if (sg_fault(point)) {
		fprintf(stderr, "SIPGUARD_FAULT=%s: killing myself\n", point);
		raise(SIGKILL);
	}
}

int sg_require_root(void)
{
	if (geteuid() != 0) {
		pr_warn("must run as root (CAP_NET_ADMIN, CAP_SYS_ADMIN, CAP_BPF)\n");
		return SG_EXIT_ENV;
	}
	return 0;
}

int sg_ensure_bpffs(void)
{
	struct statfs s;

	if (statfs(SG_BPFFS, &s) == 0 && s.f_type == BPF_FS_MAGIC)
		return 0;
	mkdir(SG_BPFFS, 0700);
	if (mount("bpf", SG_BPFFS, "bpf", 0, "mode=0700")) {
		pr_warn("bpffs is not mounted at %s and mounting it failed: %s "
			"(mount -t bpf bpf %s)\n", SG_BPFFS, strerror(errno), SG_BPFFS);
		return SG_EXIT_ENV;
	}
	if (statfs(SG_BPFFS, &s) || s.f_type != BPF_FS_MAGIC) {
		pr_warn("%s is not bpffs after mounting\n", SG_BPFFS);
		return SG_EXIT_ENV;
	}
	pr_info("mounted bpffs at %s\n", SG_BPFFS);
	return 0;
}

int sg_lock(void)
{
	int fd = open(SG_LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		pr_warn("cannot open %s: %s\n", SG_LOCK_FILE, strerror(errno));
		return -SG_EXIT_ENV;
	}
	if (flock(fd, LOCK_EX)) {
		pr_warn("cannot lock %s: %s\n", SG_LOCK_FILE, strerror(errno));
		close(fd);
		return -SG_EXIT_FAIL;
	}
	return fd;
}

void sg_chain_name(const char *customer, unsigned int gen, char *buf, size_t sz)
{
	snprintf(buf, sz, "sg.%s.%u", customer, gen);
}

void sg_pin_dir(const char *customer, unsigned int gen, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s/%s/%u", SG_PIN_ROOT, customer, gen);
}

static const char *const set_kinds[] = { "deny4", "deny6", "allow4", "allow6", "rate4", "rate6",
					  "syn4", "syn6", NULL };

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
		return *p ? 0 : (unsigned int)gen;
	if (*p++ != '.')
		return 0;
	for (int i = 0; set_kinds[i]; i++)
		if (!strcmp(p, set_kinds[i]))
			return (unsigned int)gen;
	return 0;
}

static void rm_pin_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[PATH_MAX + 256];

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path))
			pr_warn("cannot unpin %s: %s\n", path, strerror(errno));
	}
	closedir(d);
	rmdir(dir);
}

/* Removes every generation directory of CUSTOMER except KEEP (0 = all). */
static void rm_pins_except(const char *customer, unsigned int keep)
{
	char dir[PATH_MAX], sub[PATH_MAX + 64];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", SG_PIN_ROOT, customer);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (keep && strtoul(de->d_name, NULL, 10) == keep)
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) >= (int)sizeof(sub))
			continue; /* not a name sipguard made */
		rm_pin_dir(sub);
	}
	closedir(d);
	if (!keep)
		rmdir(dir);
}

static unsigned int max_pin_gen(const char *customer)
{
	char dir[PATH_MAX];
	struct dirent *de;
	unsigned int m = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", SG_PIN_ROOT, customer);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		unsigned int g = (unsigned int)strtoul(de->d_name, NULL, 10);
		if (g > m)
			m = g;
	}
	closedir(d);
	return m;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

static uint64_t profile_hash(const struct sg_profile *pr)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	h = fnv(h, &pr->cfg, sizeof(pr->cfg));
	if (pr->dfa)
		h = fnv(h, pr->dfa, (size_t)pr->cfg.dfa_states * sizeof(*pr->dfa));
	h = fnv(h, &pr->rate, sizeof(pr->rate));
	return h;
}

/* ------------------------------------------------------- rule building */
/* nft sets of a chain, in set_kinds order */
enum { K_DENY4, K_DENY6, K_ALLOW4, K_ALLOW6, K_RATE4, K_RATE6, K_SYN4, K_SYN6, K_KINDS };

struct ctx {
	const struct sg_params *p;
	struct sg_state *st;
	int family;
	const char *table, *chain;
	char comment[200];
	struct sg_batch bt;
	uint32_t set_id;
	unsigned int nrules;
	char set_names[K_KINDS][256];
	bool has_set[K_KINDS];
	int bpf_fd;
};

static struct nftnl_rule *rule_new(struct ctx *c, const char *chain, const char *what)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(512);
	char comment[256];

	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, (uint32_t)c->family);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, c->table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	snprintf(comment, sizeof(comment), "%s %s", c->comment, what);
	nftnl_udata_put_strz(ud, NFTNL_UDATA_RULE_COMMENT, comment);
	nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(ud),
			    nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
	return r;
}

static void add_expr(struct nftnl_rule *r, struct nftnl_expr *e)
{
	nftnl_rule_add_expr(r, e);
}

static void e_meta(struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	add_expr(r, e);
}

static void e_cmp(struct nftnl_rule *r, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	add_expr(r, e);
}

static void e_payload(struct nftnl_rule *r, uint32_t base, uint32_t off, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	add_expr(r, e);
}

/* Loads the source address of IPv4 (v6=false) or IPv6 into reg 1. */
static void e_saddr(struct ctx *c, struct nftnl_rule *r, bool v6)
{
	if (c->family == NFPROTO_INET) {
		uint8_t proto = v6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
		e_meta(r, NFT_META_NFPROTO);
		e_cmp(r, &proto, 1);
	}
	e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, v6 ? 8 : 12, v6 ? 16 : 4);
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
	add_expr(r, e);
}

static void e_counter(struct nftnl_rule *r)
{
	add_expr(r, nftnl_expr_alloc("counter"));
}

static void e_verdict(struct nftnl_rule *r, int verdict, const char *chain)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
	if (chain)
		nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain);
	add_expr(r, e);
}

static void add_rule(struct ctx *c, struct nftnl_rule *r)
{
	sg_batch_rule(&c->bt, NFT_MSG_NEWRULE, r, NLM_F_CREATE | NLM_F_APPEND, "add rule");
	c->nrules++;
}

static void add_set(struct ctx *c, int kind, bool v6, const struct sg_range *rg, unsigned int n)
{
	struct nftnl_set *s = nftnl_set_alloc();
	const char *name = c->set_names[kind];
	uint32_t klen = v6 ? 16 : 4;

	snprintf(c->set_names[kind], sizeof(c->set_names[kind]), "%s.%s", c->chain, set_kinds[kind]);
	c->has_set[kind] = true;
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, (uint32_t)c->family);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, c->table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nftnl_set_set_u32(s, NFTNL_SET_ID, ++c->set_id);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, v6 ? 8 : 7); /* ipv6_addr / ipv4_addr */
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, klen);
	if (kind == K_RATE4 || kind == K_RATE6 || kind == K_SYN4 || kind == K_SYN6) {
		nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_EVAL | NFT_SET_TIMEOUT);
		nftnl_set_set_u64(s, NFTNL_SET_TIMEOUT, 60000);
		nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, 65535);
		sg_batch_set(&c->bt, NFT_MSG_NEWSET, s, NLM_F_CREATE | NLM_F_EXCL, "add rate set");
		return;
	}
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_INTERVAL);
	sg_batch_set(&c->bt, NFT_MSG_NEWSET, s, NLM_F_CREATE | NLM_F_EXCL, "add address set");

	/* interval elements: [start, end+1) with an end marker; a leading
	 * end marker at 0 when the first range does not start at 0 */
	struct nftnl_set *es = NULL;
	unsigned int in_msg = 0;
	uint8_t zero[16] = { 0 };
	for (unsigned int i = 0; i <= n; i++) {
		if (!es) {
			es = nftnl_set_alloc();
			nftnl_set_set_u32(es, NFTNL_SET_FAMILY, (uint32_t)c->family);
			nftnl_set_set_str(es, NFTNL_SET_TABLE, c->table);
			nftnl_set_set_str(es, NFTNL_SET_NAME, name);
			nftnl_set_set_u32(es, NFTNL_SET_ID, c->set_id);
			in_msg = 0;
		}
		if (i == n)
			break;
		struct nftnl_set_elem *e;
		if (i == 0 && memcmp(rg[0].start, zero, klen)) {
			e = nftnl_set_elem_alloc();
			nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, zero, klen);
			nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
			nftnl_set_elem_add(es, e);
		}
		e = nftnl_set_elem_alloc();
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, rg[i].start, klen);
		nftnl_set_elem_add(es, e);
		uint8_t next[16];
		memcpy(next, rg[i].end, klen);
		int k;
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
			sg_batch_setelem(&c->bt, NFT_MSG_NEWSETELEM, es, NLM_F_CREATE, "add set elements");
			es = NULL;
		}
	}
	if (in_msg)
		sg_batch_setelem(&c->bt, NFT_MSG_NEWSETELEM, es, NLM_F_CREATE, "add set elements");
	else
		nftnl_set_free(es);
}

static int cmp_range(const void *a, const void *b)
{
	const struct sg_range *x = a, *y = b;
	return memcmp(x->start, y->start, 16);
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
			/* overlapping or adjacent: merge */
			uint8_t next[16];
			memcpy(next, last->end, klen);
			int k;
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

/* One per-source meter rule: UDP to PORT, or TCP SYN (FIN/SYN/RST/ACK:
 * only SYN) to PORT; over the profile's rate the source's packets drop. */
static void rate_rule(struct ctx *c, const struct sg_profile *pr, int kind, bool v6, bool tcp,
		      uint16_t port, bool monitor)
{
	struct nftnl_rule *r = rule_new(c, c->chain, tcp ? "syn-rate" : "rate");
	uint8_t l4 = tcp ? IPPROTO_TCP : IPPROTO_UDP;
	uint16_t nport = htons(port);

	e_meta(r, NFT_META_L4PROTO);
	e_cmp(r, &l4, 1);
	e_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
	e_cmp(r, &nport, 2);
	if (tcp) {
		static const uint8_t flags_mask = 0x17, syn = 0x02;

		e_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 13, 1);
		e_and(r, &flags_mask, 1);
		e_cmp(r, &syn, 1);
	}
	e_saddr(c, r, v6);
	struct nftnl_expr *lim = nftnl_expr_alloc("limit");
	nftnl_expr_set_u64(lim, NFTNL_EXPR_LIMIT_RATE, pr->rate.rate);
	nftnl_expr_set_u64(lim, NFTNL_EXPR_LIMIT_UNIT, 1);
	nftnl_expr_set_u32(lim, NFTNL_EXPR_LIMIT_BURST, pr->rate.burst ? pr->rate.burst : pr->rate.rate);
	nftnl_expr_set_u32(lim, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
	nftnl_expr_set_u32(lim, NFTNL_EXPR_LIMIT_FLAGS, NFT_LIMIT_F_INV);
	struct nftnl_expr *e = nftnl_expr_alloc("dynset");
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SREG_KEY, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_OP, NFT_DYNSET_OP_ADD);
	nftnl_expr_set_u64(e, NFTNL_EXPR_DYNSET_TIMEOUT, 60000);
	nftnl_expr_set_str(e, NFTNL_EXPR_DYNSET_SET_NAME, c->set_names[kind]);
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SET_ID, c->set_id);
	nftnl_expr_set(e, NFTNL_EXPR_DYNSET_EXPR, lim, 0);
	add_expr(r, e);
	e_counter(r);
	if (!monitor)
		e_verdict(r, NF_DROP, NULL);
	add_rule(c, r);
}

static void lists_and_rate(struct ctx *c, const struct sg_profile *pr, bool monitor)
{
	static struct sg_range rg[SG_LIST_MAX];
	bool v4ok = c->family != NFPROTO_IPV6, v6ok = c->family != NFPROTO_IPV4;
	const struct sg_strlist *lists[2] = { &c->p->deny, &c->p->allow };

	for (int li = 0; li < 2; li++) {
		for (int v6 = 0; v6 < 2; v6++) {
			if (!(v6 ? v6ok : v4ok))
				continue;
			unsigned int n = ranges(lists[li], v6 ? AF_INET6 : AF_INET, rg);
			if (!n)
				continue;
			int kind = (li == 0 ? K_DENY4 : K_ALLOW4) + v6;
			add_set(c, kind, v6, rg, n);
			struct nftnl_rule *r = rule_new(c, c->chain, li == 0 ? "deny" : "allow");
			e_saddr(c, r, v6);
			struct nftnl_expr *e = nftnl_expr_alloc("lookup");
			nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
			nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, c->set_names[kind]);
			nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, c->set_id);
			add_expr(r, e);
			e_counter(r);
			if (li == 1)
				e_verdict(r, NF_ACCEPT, NULL);
			else if (!monitor)
				e_verdict(r, NF_DROP, NULL);
			add_rule(c, r);
		}
	}

	if (!pr->rate.rate)
		return;
	/* per source: UDP datagrams to a guarded port, and TCP connection
	 * attempts (SYN without ACK) to a guarded port, each in its own meter */
	for (int tcp = 0; tcp < 2; tcp++) {
		for (int v6 = 0; v6 < 2; v6++) {
			if (!(v6 ? v6ok : v4ok))
				continue;
			int kind = (tcp ? K_SYN4 : K_RATE4) + v6;
			bool made = false;
			for (int i = 0; i < SG_MAX_PORTS; i++) {
				uint16_t port = pr->cfg.ports[i];
				if (!port || !(pr->cfg.port_protos[i] & (tcp ? SG_PROTO_TCP : SG_PROTO_UDP)))
					continue;
				if (!made) {
					add_set(c, kind, v6, NULL, 0);
					made = true;
				}
				rate_rule(c, pr, kind, v6, tcp, port, monitor);
			}
		}
	}
}

static void bpf_rule(struct ctx *c, const char *prog_pin)
{
	struct nftnl_rule *r = rule_new(c, c->chain, "validator");
	struct nftnl_expr *e = nftnl_expr_alloc("match");
	struct xt_bpf_info_v1 *info = calloc(1, sizeof(*info)); /* owned by libnftnl */

	info->mode = XT_BPF_MODE_FD_PINNED;
	/* fits: enable checked the length against XT_BPF_PATH_MAX */
	memcpy(info->path, prog_pin, strlen(prog_pin) + 1);
	info->fd = c->bpf_fd;
	nftnl_expr_set_str(e, NFTNL_EXPR_MT_NAME, "bpf");
	nftnl_expr_set_u32(e, NFTNL_EXPR_MT_REV, 1);
	nftnl_expr_set(e, NFTNL_EXPR_MT_INFO, info, sizeof(*info));
	add_expr(r, e);
	e_counter(r);
	e_verdict(r, NF_DROP, NULL);
	sg_batch_rule(&c->bt, NFT_MSG_NEWRULE, r, NLM_F_CREATE | NLM_F_APPEND, "add xt bpf rule");
	c->nrules++;
}

/* Appends deletions of CUSTOMER's objects in FAMILY/TABLE other than
 * generation KEEP (0 = all): jump rules, chains, sets. With DROP_TABLE and
 * nothing else left in the table, deletes the table instead. */
static int removals(struct sg_batch *bt, struct sg_nl *nl, int family, const char *table,
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
		if (!mine && !sets.n)
			goto out;
		struct nftnl_table *t = nftnl_table_alloc();
		nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, (uint32_t)family);
		nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
		sg_batch_table(bt, NFT_MSG_DELTABLE, t, 0, "delete table");
		(*nmsgs)++;
		goto out;
	}
	for (unsigned int i = 0; i < nrules; i++) {
		if (strcmp(rules[i].comment, jump_comment))
			continue;
		unsigned int g = sg_owned_name(rules[i].jump, customer, false);
		if (g && g == keep)
			continue;
		struct nftnl_rule *r = nftnl_rule_alloc();
		nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, (uint32_t)family);
		nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
		nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, rules[i].chain);
		nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, rules[i].handle);
		sg_batch_rule(bt, NFT_MSG_DELRULE, r, 0, "delete old jump rule");
		(*nmsgs)++;
	}
	for (unsigned int i = 0; i < chains.n; i++) {
		unsigned int g = sg_owned_name(chains.v[i], customer, false);
		if (!g || g == keep)
			continue;
		struct nftnl_chain *ch = nftnl_chain_alloc();
		nftnl_chain_set_u32(ch, NFTNL_CHAIN_FAMILY, (uint32_t)family);
		nftnl_chain_set_str(ch, NFTNL_CHAIN_TABLE, table);
		nftnl_chain_set_str(ch, NFTNL_CHAIN_NAME, chains.v[i]);
		sg_batch_chain(bt, NFT_MSG_DELCHAIN, ch, 0, "delete old chain");
		(*nmsgs)++;
	}
	for (unsigned int i = 0; i < sets.n; i++) {
		unsigned int g = sg_owned_name(sets.v[i], customer, true);
		if (!g || g == keep)
			continue;
		struct nftnl_set *s = nftnl_set_alloc();
		nftnl_set_set_u32(s, NFTNL_SET_FAMILY, (uint32_t)family);
		nftnl_set_set_str(s, NFTNL_SET_TABLE, table);
		nftnl_set_set_str(s, NFTNL_SET_NAME, sets.v[i]);
		sg_batch_set(bt, NFT_MSG_DELSET, s, 0, "delete old set");
		(*nmsgs)++;
	}
out:
	free(rules);
	sg_name_list_free(&chains);
	sg_name_list_free(&sets);
	return err;
}

static unsigned int max_chain_gen(struct sg_nl *nl, int family, const char *table,
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

static int parse_attach(const char *a, int *family, char *table, char *chain)
{
	char buf[512], *t, *ch;
	snprintf(buf, sizeof(buf), "%s", a);
	t = strchr(buf, ':');
	if (!t)
		return -1;
	*t++ = 0;
	ch = strchr(t, ':');
	if (!ch)
		return -1;
	*ch++ = 0;
	*family = sg_family_parse(buf);
	if (*family < 0 || !*t || !*ch || strlen(t) > 255 || strlen(ch) > 255)
		return -1;
	strcpy(table, t);
	strcpy(chain, ch);
	return 0;
}

/* Is the customer's chain with its xt bpf rule in the kernel, pins present? */
static bool kernel_matches(struct sg_nl *nl, const struct sg_state *st)
{
	struct sg_rule_info *rules;
	unsigned int n, bpf = 0;
	char prog[PATH_MAX + 32];
	struct stat sb;
	int family = sg_family_parse(st->family);

	snprintf(prog, sizeof(prog), "%s/sip_validate", st->pin_dir);
	if (stat(prog, &sb))
		return false;
	if (family < 0 || sg_nft_list_rules(nl, family, st->table, st->chain, &rules, &n))
		return false;
	for (unsigned int i = 0; i < n; i++)
		bpf += rules[i].is_bpf;
	free(rules);
	return n == st->rules && bpf == 1;
}

int sg_apply(struct sg_params *p, bool restore)
{
	struct sg_state prev, st;
	struct sg_profile pr;
	struct sg_validator *v = NULL;
	struct sg_nl nl = { 0 };
	struct ctx c;
	bool have_prev, pinned = false;
	char attach_chain[256] = "", table[256] = SG_TABLE, prog_pin[PATH_MAX + 32];
	int family = NFPROTO_INET, rc, err, nsfd;

	memset(&c, 0, sizeof(c));
	c.bpf_fd = -1;
	if ((rc = sg_require_root()))
		return rc;
	if (p->attach[0] && parse_attach(p->attach, &family, table, attach_chain)) {
		pr_warn("--attach '%s': expected FAMILY:TABLE:CHAIN with FAMILY inet, ip or ip6\n",
			p->attach);
		return SG_EXIT_USAGE;
	}
	memset(&pr, 0, sizeof(pr));
	if (sg_profile_load(p->profile, &pr)) {
		pr_warn("profile '%s' not loaded: nothing changed\n", p->profile);
		return SG_EXIT_USAGE;
	}
	nsfd = sg_netns_open(p->netns);
	if (nsfd < 0 && restore) {
		pr_warn("%s: network namespace '%s' is gone (%s): not restored, state and pins kept "
			"(re-create the namespace and run restore, or sipguard disable %s)\n",
			p->customer, p->netns, strerror(-nsfd), p->customer);
		rc = SG_EXIT_ENV;
		goto out_profile;
	}
	if (nsfd < 0) {
		pr_warn("network namespace '%s' not found: %s (create it first: ip netns add NAME)\n",
			p->netns, strerror(-nsfd));
		rc = SG_EXIT_ENV;
		goto out_profile;
	}
	close(nsfd);
	if ((rc = sg_ensure_bpffs()))
		goto out_profile;
	if (sg_fault("no-xt-bpf") || sg_xt_match_available("bpf", 1)) {
		pr_warn("kernel lacks xt_bpf/nft_compat (xt match 'bpf' revision 1 unknown): "
			"enable CONFIG_NFT_COMPAT and CONFIG_NETFILTER_XT_MATCH_BPF\n");
		rc = SG_EXIT_ENV;
		goto out_profile;
	}

	int lock = sg_lock();
	if (lock < 0) {
		rc = -lock;
		goto out_profile;
	}
	have_prev = sg_state_load(p->customer, &prev) == 0;

	err = sg_nl_open(p->netns, &nl);
	if (err) {
		pr_warn("cannot open netlink in network namespace '%s': %s\n", p->netns, strerror(-err));
		rc = SG_EXIT_ENV;
		goto out_unlock;
	}

	uint64_t hash = profile_hash(&pr);
	if (have_prev && sg_params_equal(p, &prev.p) && prev.profile_hash == hash &&
	    kernel_matches(&nl, &prev)) {
		/* leftovers of an enable that died before its state write */
		rm_pins_except(p->customer, prev.generation);
		sg_state_abort(p->customer);
		printf("%s: already enabled with these parameters (profile %s, generation %u): no change\n",
		       p->customer, prev.profile_name, prev.generation);
		rc = SG_EXIT_OK;
		goto out_nl;
	}
	(void)restore;

	if (attach_chain[0]) {
		struct sg_rule_info *ri;
		unsigned int n;
		if (sg_nft_list_rules(&nl, family, table, attach_chain, &ri, &n)) {
			pr_warn("--attach: table %s %s not found in network namespace '%s'\n",
				sg_family_name(family), table, p->netns);
			rc = SG_EXIT_USAGE;
			goto out_nl;
		}
		free(ri);
		struct sg_name_list chains;
		bool found = false;
		if (!sg_nft_list_chains(&nl, family, table, &chains)) {
			for (unsigned int i = 0; i < chains.n; i++)
				found |= !strcmp(chains.v[i], attach_chain);
			sg_name_list_free(&chains);
		}
		if (!found) {
			pr_warn("--attach: chain '%s' not found in table %s %s\n", attach_chain,
				sg_family_name(family), table);
			rc = SG_EXIT_USAGE;
			goto out_nl;
		}
	}

	/* new generation */
	memset(&st, 0, sizeof(st));
	st.generation = have_prev ? prev.generation : 0;
	unsigned int g = max_pin_gen(p->customer);
	if (g > st.generation) st.generation = g;
	g = max_chain_gen(&nl, family, table, p->customer);
	if (g > st.generation) st.generation = g;
	st.generation++;
	st.p = *p; /* shallow: the lists stay owned by P */
	snprintf(st.profile_name, sizeof(st.profile_name), "%s", pr.name);
	snprintf(st.profile_path, sizeof(st.profile_path), "%s", pr.path);
	st.profile_hash = hash;
	st.monitor = p->mode == 1 || (p->mode < 0 && (pr.cfg.flags & SG_F_MONITOR));
	snprintf(st.family, sizeof(st.family), "%s", sg_family_name(family));
	snprintf(st.table, sizeof(st.table), "%s", table);
	sg_chain_name(p->customer, st.generation, st.chain, sizeof(st.chain));
	sg_pin_dir(p->customer, st.generation, st.pin_dir, sizeof(st.pin_dir));

	/* load, configure, pin */
	struct sg_customer_opts o = {
		.own_hosts = (const char **)p->own_hosts.v, .n_own_hosts = p->own_hosts.n,
		.peers = (const char **)p->peers.v, .n_peers = p->peers.n,
		.ports = NULL, .mode = p->mode, .report = false,
	};
	err = sg_validator_load(&pr, &o, &v);
	if (err) {
		pr_warn("validator not loaded: %s: nothing changed\n", strerror(-err));
		rc = SG_EXIT_FAIL;
		goto out_nl;
	}
	err = sg_validator_pin(v, st.pin_dir);
	if (err) {
		rc = SG_EXIT_FAIL;
		goto out_fail;
	}
	pinned = true;
	sg_fault_kill("after-pin");
	if (snprintf(prog_pin, sizeof(prog_pin), "%s/sip_validate", st.pin_dir) >=
	    (int)XT_BPF_PATH_MAX) {
		/* the xt_bpf match carries the path in XT_BPF_PATH_MAX bytes */
		pr_warn("pin path %s/sip_validate is longer than xt_bpf takes (%d bytes)\n",
			st.pin_dir, (int)XT_BPF_PATH_MAX - 1);
		rc = SG_EXIT_FAIL;
		goto out_fail;
	}
	c.bpf_fd = bpf_obj_get(prog_pin);
	if (c.bpf_fd < 0) {
		pr_warn("cannot open pinned program %s: %s\n", prog_pin, strerror(errno));
		rc = SG_EXIT_FAIL;
		goto out_fail;
	}

	/* one batch */
	c.p = p;
	c.st = &st;
	c.family = family;
	c.table = table;
	c.chain = st.chain;
	snprintf(c.comment, sizeof(c.comment), "sipguard %s profile=%s%s", p->customer, pr.name,
		 st.monitor ? " mode=monitor" : "");
	sg_batch_begin(&c.bt, &nl);
	if (!attach_chain[0]) {
		struct nftnl_table *t = nftnl_table_alloc();
		nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, (uint32_t)family);
		nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
		sg_batch_table(&c.bt, NFT_MSG_NEWTABLE, t, NLM_F_CREATE, "add table");
	}
	struct nftnl_chain *ch = nftnl_chain_alloc();
	nftnl_chain_set_u32(ch, NFTNL_CHAIN_FAMILY, (uint32_t)family);
	nftnl_chain_set_str(ch, NFTNL_CHAIN_TABLE, table);
	nftnl_chain_set_str(ch, NFTNL_CHAIN_NAME, st.chain);
	if (!attach_chain[0]) {
		nftnl_chain_set_u32(ch, NFTNL_CHAIN_HOOKNUM, p->hook ? NF_INET_FORWARD : NF_INET_LOCAL_IN);
		nftnl_chain_set_s32(ch, NFTNL_CHAIN_PRIO, -10);
		nftnl_chain_set_str(ch, NFTNL_CHAIN_TYPE, "filter");
		nftnl_chain_set_u32(ch, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	}
	sg_batch_chain(&c.bt, NFT_MSG_NEWCHAIN, ch, NLM_F_CREATE | NLM_F_EXCL, "add chain");
	lists_and_rate(&c, &pr, st.monitor);
	bpf_rule(&c, prog_pin);
	st.rules = c.nrules;
	if (attach_chain[0]) {
		struct nftnl_rule *r = rule_new(&c, attach_chain, "");
		char cm[128];
		struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(256);
		snprintf(cm, sizeof(cm), "sipguard %s jump", p->customer);
		nftnl_udata_put_strz(ud, NFTNL_UDATA_RULE_COMMENT, cm);
		nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(ud), nftnl_udata_buf_len(ud));
		nftnl_udata_buf_free(ud);
		e_verdict(r, NFT_JUMP, st.chain);
		/* no NLM_F_APPEND: inserted at the top of their chain */
		sg_batch_rule(&c.bt, NFT_MSG_NEWRULE, r, NLM_F_CREATE, "insert jump rule");
	}
	unsigned int ndel;
	err = removals(&c.bt, &nl, family, table, p->customer, st.generation, false, &ndel);
	if (err) {
		pr_warn("cannot read the ruleset in '%s': %s\n", p->netns, strerror(-err));
		rc = SG_EXIT_FAIL;
		goto out_fail;
	}
	/* the state file first, as CUSTOMER.conf.tmp: a full disk fails here,
	 * before anything in the kernel changed */
	if (sg_state_prepare(&st)) {
		pr_warn("state file not written to %s/customers: nothing changed\n", sg_state_dir());
		rc = SG_EXIT_FAIL;
		goto out_fail;
	}
	sg_fault_kill("before-nft");
	err = sg_batch_send(&c.bt);
	if (err) {
		sg_state_abort(p->customer);
		if (c.bt.err_what && strstr(c.bt.err_what, "xt bpf") &&
		    (err == -ENOENT || err == -EOPNOTSUPP || err == -EPROTONOSUPPORT)) {
			pr_warn("kernel lacks xt_bpf/nft_compat: %s: %s\n", c.bt.err_what, strerror(-err));
			rc = SG_EXIT_ENV;
		} else {
			pr_warn("nftables batch failed at '%s': %s: nothing changed\n",
				c.bt.err_what ? c.bt.err_what : "?", strerror(-err));
			rc = SG_EXIT_FAIL;
		}
		goto out_fail;
	}

	/* the old place (another namespace or table): remove what was there */
	if (have_prev && (strcmp(prev.p.netns, p->netns) || strcmp(prev.table, table) ||
			  strcmp(prev.family, st.family))) {
		struct sg_nl onl;
		if (sg_nl_open(prev.p.netns, &onl) == 0) {
			struct sg_batch ob;
			unsigned int n;
			sg_batch_begin(&ob, &onl);
			int pf = sg_family_parse(prev.family);
			if (pf >= 0 && removals(&ob, &onl, pf, prev.table, p->customer, 0,
						!prev.p.attach[0], &n) == 0 && n)
				if (sg_batch_send(&ob))
					pr_warn("could not remove the old rules in '%s': %s\n",
						prev.p.netns, strerror(-ob.err));
			sg_batch_free(&ob);
			sg_nl_close(&onl);
		}
	}

	sg_fault_kill("after-nft");
	if (sg_state_commit(p->customer)) {
		pr_warn("rules are active but the state file was not written: run enable again\n");
		rc = SG_EXIT_FAIL;
		goto out_ok;
	}
	rm_pins_except(p->customer, st.generation);
	printf("%s: enabled profile %s (%s) in %s, %s %s chain %s, %u rules, pins %s\n",
	       p->customer, pr.name, st.monitor ? "monitor" : "enforce",
	       p->netns[0] ? p->netns : "the current namespace", st.family, table, st.chain,
	       st.rules, st.pin_dir);
	rc = SG_EXIT_OK;
	goto out_ok;

out_fail:
	if (pinned)
		rm_pin_dir(st.pin_dir);
out_ok:
	if (c.bt.buf)
		sg_batch_free(&c.bt);
	if (c.bpf_fd >= 0)
		close(c.bpf_fd);
	sg_validator_free(v);
out_nl:
	sg_nl_close(&nl);
	if (have_prev)
		sg_params_free(&prev.p);
out_unlock:
	close(lock);
out_profile:
	sg_profile_free(&pr);
	return rc;
}

int sg_teardown(const char *customer)
{
	struct sg_state st;
	struct sg_nl nl;
	int rc, err, lock;

	if ((rc = sg_require_root()))
		return rc;
	lock = sg_lock();
	if (lock < 0)
		return -lock;
	err = sg_state_load(customer, &st);
	if (err) {
		pr_warn("customer '%s' is not enabled (no state in %s/customers)\n", customer,
			sg_state_dir());
		/* leftover pins of a lost state are still ours */
		rm_pins_except(customer, 0);
		close(lock);
		return err == -ENOENT ? SG_EXIT_FAIL : SG_EXIT_FAIL;
	}
	rc = SG_EXIT_OK;
	err = sg_nl_open(st.p.netns, &nl);
	if (err) {
		pr_warn("network namespace '%s' is gone (%s): its rules went with it\n",
			st.p.netns, strerror(-err));
	} else {
		struct sg_batch bt;
		unsigned int n;
		int family = sg_family_parse(st.family);
		sg_batch_begin(&bt, &nl);
		err = family < 0 ? -EINVAL
				 : removals(&bt, &nl, family, st.table, customer, 0, !st.p.attach[0], &n);
		if (!err && n)
			err = sg_batch_send(&bt);
		if (err) {
			pr_warn("cannot remove the rules of '%s' at '%s': %s: nothing changed\n", customer,
				bt.err_what ? bt.err_what : "read-back", strerror(-err));
			rc = SG_EXIT_FAIL;
		}
		sg_batch_free(&bt);
		sg_nl_close(&nl);
	}
	if (rc == SG_EXIT_OK) {
		rm_pins_except(customer, 0);
		sg_state_remove(customer);
		printf("%s: disabled\n", customer);
	}
	sg_params_free(&st.p);
	close(lock);
	return rc;
}
