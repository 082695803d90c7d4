// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* Loading a profile's validator: the variant, the shared maps, the
 * profile's own maps; the customers' inner maps and stubs. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

/* Both variants are embedded; only their ELF bytes are used (the maps and
 * the program are found by name, the same in both). */
#include "sg_validator.skel.h"
#include "sg_validator_portable.skel.h"

#include "fault.h"
#include "loader.h"
#include "sip_parse_user.h"
#include "log.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

const char *const sg_shared_names[SG_SH_N] = {
	[SG_SH_CUSTOMERS] = "sg_customers", [SG_SH_COUNTERS] = "sg_counters",
	[SG_SH_HOSTS] = "sg_hosts",         [SG_SH_PEERS] = "sg_peers",
	[SG_SH_FLOWS] = "sg_flows",         [SG_SH_CARRY] = "sg_carry",
	[SG_SH_SCRATCH] = "sg_scratch",     [SG_SH_EVENTS] = "sg_events",
	[SG_SH_EVENT_HEAD] = "sg_event_head",
};

const char *sg_variant_name(int v)
{
	switch (v) {
	case SG_VARIANT_MAY_GOTO: return "may_goto";
	case SG_VARIANT_PORTABLE: return "portable";
	}
	return "auto";
}

int sg_variant_parse(const char *s)
{
	if (!s || !*s || !strcmp(s, "auto"))
		return SG_VARIANT_AUTO;
	if (!strcmp(s, "may_goto"))
		return SG_VARIANT_MAY_GOTO;
	if (!strcmp(s, "portable"))
		return SG_VARIANT_PORTABLE;
	return -1;
}

void sg_shared_init(struct sg_shared *sh)
{
	for (int i = 0; i < SG_SH_N; i++)
		sh->fd[i] = -1;
}

void sg_shared_close(struct sg_shared *sh)
{
	for (int i = 0; i < SG_SH_N; i++) {
		if (sh->fd[i] >= 0)
			close(sh->fd[i]);
		sh->fd[i] = -1;
	}
}

/* ---- kernel features ------------------------------------------------------ */

/* Does the verifier take a may_goto (Linux 6.9)? A four-instruction socket
 * filter that uses one. The jump offset is not zero: 6.12's verifier
 * refuses "may_goto +0" ("invalid may_goto off 0") where 6.18's takes it,
 * so a zero offset made 6.12 look like a kernel without may_goto. */
static bool probe_may_goto(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | 0xe0 /* BPF_JCOND */, .off = 1 }, /* may_goto +1 */
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "sg_probe", "GPL", insns, 4, NULL);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static bool probe_bpf_loop(void)
{
	return libbpf_probe_bpf_helper(BPF_PROG_TYPE_SOCKET_FILTER, BPF_FUNC_loop, NULL) == 1;
}

void sg_kernel_features(char *buf, size_t n)
{
	struct utsname u;

	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "?");
	snprintf(buf, n, "kernel %s: may_goto %s, bpf_loop %s", u.release,
		 probe_may_goto() ? "yes" : "no", probe_bpf_loop() ? "yes" : "no");
}

/* ---- loading -------------------------------------------------------------- */

static const void *variant_elf(int variant, size_t *sz)
{
	return variant == SG_VARIANT_PORTABLE ? sg_validator_portable__elf_bytes(sz)
					      : sg_validator__elf_bytes(sz);
}

static int set_size(struct bpf_object *obj, const char *name, __u32 n)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	return m && n ? bpf_map__set_max_entries(m, n) : 0;
}

static int load_variant(const struct sg_profile *p, struct sg_shared *sh, const struct sg_sizes *z,
			int variant, struct sg_loaded *l, bool quiet)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "sg_validator");
	struct bpf_prog_info info;
	__u32 ilen = sizeof(info), rows;
	size_t sz;
	const void *elf = variant_elf(variant, &sz);
	int err;

	l->obj = bpf_object__open_mem(elf, sz, &oo);
	if (!l->obj) {
		err = -errno ? -errno : -EINVAL;
		pr_warn("cannot open the validator BPF object: %s\n", strerror(-err));
		return err;
	}
	l->prog = bpf_object__find_program_by_name(l->obj, "sip_validate");
	if (!l->prog)
		return -ENOENT;
	/* every row: the portable variant reads only rows, the other the
	 * rows of DFAs deeper than the flat table */
	rows = p->cfg.dfa_states ? p->cfg.dfa_states : 1;
	err = set_size(l->obj, "sg_dfa", rows);
	if (!err)
		err = set_size(l->obj, "sg_patterns", p->n_patterns ? p->n_patterns : 1);
	for (int i = 0; !err && i < SG_SH_N; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(l->obj, sg_shared_names[i]);

		if (!m)
			err = -ENOENT;
		else if (sh->fd[i] >= 0)
			err = bpf_map__reuse_fd(m, sh->fd[i]);
	}
	if (!err && z && sh->fd[SG_SH_CUSTOMERS] < 0) {
		err = set_size(l->obj, "sg_customers", z->customers);
		if (!err)
			err = set_size(l->obj, "sg_counters", z->customers);
		if (!err)
			err = set_size(l->obj, "sg_hosts", 2 * z->customers);
		if (!err)
			err = set_size(l->obj, "sg_peers", 2 * z->customers);
	}
	if (!err && z && sh->fd[SG_SH_FLOWS] < 0)
		err = set_size(l->obj, "sg_flows", z->flows);
	if (!err && z && sh->fd[SG_SH_CARRY] < 0)
		err = set_size(l->obj, "sg_carry", z->carries);
	if (!err && z && sh->fd[SG_SH_EVENTS] < 0) {
		if (z->events & (z->events - 1))
			err = -EINVAL; /* the ring's index is masked */
		else
			err = set_size(l->obj, "sg_events", z->events);
	}
	if (err) {
		pr_warn("cannot prepare the validator's maps: %s\n", strerror(-err));
		return err;
	}
	if (sg_fault("verifier")) {
		/* test hook (fault.h): the program as an XDP one, whose context
		 * has no skb->cb: the verifier rejects it, with its log */
		bpf_program__set_type(l->prog, BPF_PROG_TYPE_XDP);
	}
	if (quiet)
		bpf_program__set_log_level(l->prog, 0);
	err = bpf_object__load(l->obj);
	if (err)
		return err;
	l->variant = variant;
	memset(&info, 0, sizeof(info));
	if (!bpf_obj_get_info_by_fd(bpf_program__fd(l->prog), &info, &ilen)) {
		l->verified_insns = info.verified_insns;
		l->prog_id = info.id;
	}
	/* a new event ring: its mask, before the first drop uses it */
	if (sh->fd[SG_SH_EVENT_HEAD] < 0) {
		struct bpf_map *ev = bpf_object__find_map_by_name(l->obj, "sg_events");
		struct sg_event_head head = { .mask = bpf_map__max_entries(ev) - 1 };
		__u32 zero = 0;

		err = bpf_map__update_elem(bpf_object__find_map_by_name(l->obj, "sg_event_head"),
					   &zero, sizeof(zero), &head, sizeof(head), BPF_ANY);
		if (err) {
			pr_warn("cannot set up the event ring: %s\n", strerror(-err));
			return err;
		}
	}
	/* the shared maps this load created are the caller's from now on */
	for (int i = 0; i < SG_SH_N; i++)
		if (sh->fd[i] < 0)
			sh->fd[i] = dup(bpf_map__fd(bpf_object__find_map_by_name(l->obj, sg_shared_names[i])));
	return 0;
}

static int write_profile_maps(const struct sg_profile *p, __u32 tag, struct sg_loaded *l)
{
	struct bpf_map *cfgm = bpf_object__find_map_by_name(l->obj, "sg_config_map");
	struct bpf_map *dfa = bpf_object__find_map_by_name(l->obj, "sg_dfa");
	struct bpf_map *fast = bpf_object__find_map_by_name(l->obj, "sg_dfa_fast");
	struct bpf_map *pats = bpf_object__find_map_by_name(l->obj, "sg_patterns");
	__u32 zero = 0;
	int err;

	l->cfg = p->cfg;
	l->cfg.version = SG_CONFIG_VERSION;
	l->cfg.tag = tag;
	if (!cfgm || !dfa || !fast || !pats)
		return -ENOENT;
	for (__u32 i = 0; i < p->n_patterns; i++) {
		struct sg_pattern_text t = { .fields = p->patterns[i].fields };

		snprintf(t.text, sizeof(t.text), "%s", p->patterns[i].text);
		err = bpf_map__update_elem(pats, &i, sizeof(i), &t, sizeof(t), BPF_ANY);
		if (err) {
			pr_warn("cannot write signature %u's text: %s\n", i, strerror(-err));
			return err;
		}
	}
	for (__u32 s = 0; s < l->cfg.dfa_states; s++) {
		err = bpf_map__update_elem(dfa, &s, sizeof(s), &p->dfa[s], sizeof(p->dfa[s]), BPF_ANY);
		if (err) {
			pr_warn("cannot write signature DFA row %u: %s\n", s, strerror(-err));
			return err;
		}
	}
	if (l->cfg.dfa_states) {
		l->dfa = malloc(l->cfg.dfa_states * sizeof(*l->dfa));
		l->dfa_fast = malloc(sizeof(*l->dfa_fast));
		if (!l->dfa || !l->dfa_fast)
			return -ENOMEM;
		memcpy(l->dfa, p->dfa, l->cfg.dfa_states * sizeof(*l->dfa));
		sg_user_dfa_fast(p->dfa, l->cfg.dfa_states, l->dfa_fast);
		err = bpf_map__update_elem(fast, &zero, sizeof(zero), l->dfa_fast,
					   sizeof(*l->dfa_fast), BPF_ANY);
		if (err) {
			pr_warn("cannot write the signature DFA table: %s\n", strerror(-err));
			return err;
		}
	}
	/* last: until the config is there the program passes everything */
	err = bpf_map__update_elem(cfgm, &zero, sizeof(zero), &l->cfg, sizeof(l->cfg), BPF_ANY);
	if (err)
		pr_warn("cannot write the configuration map: %s\n", strerror(-err));
	return err;
}

int sg_loaded_open(const struct sg_profile *p, struct sg_shared *sh, const struct sg_sizes *sizes,
		   int variant, __u32 tag, struct sg_loaded **out)
{
	struct sg_loaded *l;
	const char *force = getenv("SIPGUARD_VARIANT");
	bool has_may_goto;
	int err;

	*out = NULL;
	if (variant == SG_VARIANT_AUTO && force && *force) {
		variant = sg_variant_parse(force);
		if (variant < 0) {
			pr_warn("SIPGUARD_VARIANT='%s': expected may_goto, portable or auto\n", force);
			return -EINVAL;
		}
	}
	/* test hook (fault.h): a kernel without either, as 5.10 is */
	has_may_goto = !sg_fault("old-kernel") && probe_may_goto();
	if (variant == SG_VARIANT_AUTO)
		variant = has_may_goto ? SG_VARIANT_MAY_GOTO : SG_VARIANT_PORTABLE;
	if (variant == SG_VARIANT_PORTABLE && (sg_fault("old-kernel") || !probe_bpf_loop())) {
		struct utsname u;

		if (sg_fault("old-kernel"))
			snprintf(u.release, sizeof(u.release), "5.10.0-test");
		else if (uname(&u))
			snprintf(u.release, sizeof(u.release), "?");
		pr_warn("kernel %s is too old for the validator: it lacks the bpf_loop helper "
			"(Linux 5.17; sipguard is tested on 6.1 and later)\n", u.release);
		return -EOPNOTSUPP;
	}
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	err = load_variant(p, sh, sizes, variant, l, variant == SG_VARIANT_MAY_GOTO && !force);
	if (err && variant == SG_VARIANT_MAY_GOTO && !(force && *force) && err != -EPERM &&
	    !sg_fault("verifier")) {
		/* a kernel with may_goto whose verifier still gives up on the
		 * may_goto variant: the portable one */
		pr_debug("may_goto variant not loaded (%s): trying the portable one\n", strerror(-err));
		bpf_object__close(l->obj);
		memset(l, 0, sizeof(*l));
		variant = SG_VARIANT_PORTABLE;
		err = load_variant(p, sh, sizes, variant, l, false);
	}
	if (err) {
		struct utsname u;

		if (uname(&u))
			snprintf(u.release, sizeof(u.release), "?");
		if ((err == -EPERM || err == -EACCES) && geteuid() != 0)
			pr_warn("loading the validator was refused (%s): run as root (CAP_BPF + CAP_NET_ADMIN)\n",
				strerror(-err));
		else
			pr_warn("the kernel verifier rejected the validator (%s variant, kernel %s) or its maps "
				"could not be created: %s (run with -v for the verifier log)\n",
				sg_variant_name(variant), u.release, strerror(-err));
		goto fail;
	}
	pr_debug("validator loaded: %s variant, %u instructions verified (of the kernel's 1000000)\n",
		 sg_variant_name(l->variant), l->verified_insns);
	err = write_profile_maps(p, tag, l);
	if (err)
		goto fail;
	*out = l;
	return 0;
fail:
	sg_loaded_free(l);
	return err ? err : -EINVAL;
}

void sg_loaded_free(struct sg_loaded *l)
{
	if (!l)
		return;
	bpf_object__close(l->obj);
	free(l->dfa);
	free(l->dfa_fast);
	free(l);
}

int sg_loaded_prog_fd(const struct sg_loaded *l)
{
	return bpf_program__fd(l->prog);
}

static int mkdir_p(const char *dir)
{
	char tmp[PATH_MAX];

	if (strlen(dir) >= sizeof(tmp))
		return -ENAMETOOLONG;
	strcpy(tmp, dir);
	for (char *s = tmp + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(tmp, 0700) && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(tmp, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

int sg_loaded_pin(struct sg_loaded *l, const char *dir)
{
	static const char *const own[] = { "sg_config_map", "sg_dfa", "sg_dfa_fast", "sg_patterns" };
	char path[PATH_MAX];
	struct statfs sfs;
	int err;

	err = mkdir_p(dir);
	if (err) {
		pr_warn("cannot create %s: %s (is bpffs mounted? mount -t bpf bpf /sys/fs/bpf)\n",
			dir, strerror(-err));
		return err;
	}
	if (statfs(dir, &sfs) || sfs.f_type != BPF_FS_MAGIC) {
		pr_warn("%s is not on bpffs: bpffs not mounted at /sys/fs/bpf? mount -t bpf bpf /sys/fs/bpf\n",
			dir);
		return -ENOTSUP;
	}
	snprintf(path, sizeof(path), "%s/sip_validate", dir);
	err = bpf_program__pin(l->prog, path);
	for (unsigned int i = 0; !err && i < sizeof(own) / sizeof(*own); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, own[i]);
		err = bpf_map__pin(bpf_object__find_map_by_name(l->obj, own[i]), path);
	}
	if (err)
		pr_warn("cannot pin the validator under %s: %s\n", dir, strerror(-err));
	return err;
}

/* ---- customers' inner maps and stubs ----------------------------------------- */

int sg_host_key_parse(const char *h, struct sg_host_key *k)
{
	size_t len = strlen(h);

	memset(k, 0, sizeof(*k));
	if (len >= 2 && h[0] == '[' && h[len - 1] == ']') {
		h++;
		len -= 2;
	}
	if (!len || len >= SG_HOST_MAX)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (isspace((unsigned char)h[i]) || !isprint((unsigned char)h[i]))
			return -EINVAL;
		k->name[i] = (char)tolower((unsigned char)h[i]);
	}
	return 0;
}

int sg_peer_key_parse(const char *cidr, struct sg_peer_key *k)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	unsigned long plen;
	struct in_addr a4;
	int max;

	memset(k, 0, sizeof(*k));
	if (strlen(cidr) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, cidr);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = 0;
	if (inet_pton(AF_INET, buf, &a4) == 1) {
		k->addr[10] = 0xff;
		k->addr[11] = 0xff;
		memcpy(&k->addr[12], &a4, 4);
		max = 32;
	} else if (inet_pton(AF_INET6, buf, k->addr) == 1) {
		max = 128;
	} else {
		return -EINVAL;
	}
	plen = max;
	if (slash) {
		char *end;

		if (!isdigit((unsigned char)*slash))
			return -EINVAL;
		plen = strtoul(slash, &end, 10);
		if (*end || plen > (unsigned long)max)
			return -EINVAL;
	}
	k->prefixlen = (__u32)plen + (max == 32 ? 96 : 0);
	/* clear host bits so the key is canonical */
	for (int bit = k->prefixlen; bit < 128; bit++)
		k->addr[bit / 8] &= (__u8) ~(0x80 >> (bit % 8));
	return 0;
}

/* The inner maps' shapes must equal the templates in sipguard.bpf.c. */
int sg_inner_counters_create(void)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "sg_cust_counters", sizeof(__u32),
				sizeof(struct sg_counter), SG_REASON_MAX, NULL);

	return fd < 0 ? -errno : fd;
}

int sg_inner_hosts_create(const char *const *hosts, unsigned int n)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_NO_PREALLOC);
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "sg_cust_hosts", sizeof(struct sg_host_key),
				sizeof(__u8), SG_HOSTS_MAX, &o);
	__u8 one = 1;

	if (fd < 0)
		return -errno;
	if (n > SG_HOSTS_MAX) {
		close(fd);
		pr_warn("too many own hosts: %u (at most %d)\n", n, SG_HOSTS_MAX);
		return -E2BIG;
	}
	for (unsigned int i = 0; i < n; i++) {
		struct sg_host_key k;

		if (sg_host_key_parse(hosts[i], &k)) {
			pr_warn("own host '%s': give a host name or address of 1..%d bytes\n", hosts[i],
				SG_HOST_MAX - 1);
			close(fd);
			return -EINVAL;
		}
		if (bpf_map_update_elem(fd, &k, &one, BPF_ANY)) {
			int err = -errno;

			pr_warn("cannot add own host '%s': %s\n", hosts[i], strerror(-err));
			close(fd);
			return err;
		}
	}
	return fd;
}

int sg_inner_peers_create(const char *const *cidrs, unsigned int n)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_NO_PREALLOC);
	int fd = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "sg_cust_peers", sizeof(struct sg_peer_key),
				sizeof(__u8), SG_PEERS_MAX, &o);
	__u8 one = 1;

	if (fd < 0)
		return -errno;
	if (n > SG_PEERS_MAX) {
		close(fd);
		pr_warn("too many peers: %u (at most %d)\n", n, SG_PEERS_MAX);
		return -E2BIG;
	}
	for (unsigned int i = 0; i < n; i++) {
		struct sg_peer_key k;

		if (sg_peer_key_parse(cidrs[i], &k)) {
			pr_warn("peer '%s': expected an IPv4/IPv6 address or CIDR (198.51.100.0/24, 2001:db8::/32)\n",
				cidrs[i]);
			close(fd);
			return -EINVAL;
		}
		if (bpf_map_update_elem(fd, &k, &one, BPF_ANY)) {
			int err = -errno;

			pr_warn("cannot add peer '%s': %s\n", cidrs[i], strerror(-err));
			close(fd);
			return err;
		}
	}
	return fd;
}

int sg_stub_load(int progs_fd, __u32 slot, __u32 cbword, __u32 flags_set, __u32 flags_clear)
{
#define CB(i) ((__s16)(offsetof(struct __sk_buff, cb) + 4 * (i)))
	struct bpf_insn insns[] = {
		/* r2 = cbword; *(u32 *)(r1 + cb[0]) = r2 (a store of an
		 * immediate into the context is refused by the verifier) */
		{ .code = BPF_ALU | BPF_MOV | BPF_K, .dst_reg = BPF_REG_2, .imm = (__s32)cbword },
		{ .code = BPF_STX | BPF_MEM | BPF_W, .dst_reg = BPF_REG_1, .src_reg = BPF_REG_2, .off = CB(SG_CB_WORD) },
		{ .code = BPF_ALU | BPF_MOV | BPF_K, .dst_reg = BPF_REG_2, .imm = (__s32)flags_set },
		{ .code = BPF_STX | BPF_MEM | BPF_W, .dst_reg = BPF_REG_1, .src_reg = BPF_REG_2, .off = CB(SG_CB_SET) },
		{ .code = BPF_ALU | BPF_MOV | BPF_K, .dst_reg = BPF_REG_2, .imm = (__s32)flags_clear },
		{ .code = BPF_STX | BPF_MEM | BPF_W, .dst_reg = BPF_REG_1, .src_reg = BPF_REG_2, .off = CB(SG_CB_CLEAR) },
		/* r2 = the program array; r3 = slot; tail call */
		{ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = BPF_REG_2, .src_reg = BPF_PSEUDO_MAP_FD, .imm = progs_fd },
		{ 0 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_3, .imm = (__s32)slot },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_tail_call },
		/* the slot is empty: no validator, no verdict (pass) */
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
#undef CB
	char name[32]; /* libbpf keeps the first 15 characters */
	int fd;

	snprintf(name, sizeof(name), "sg_stub_%u", cbword & ~SG_CB_PARITY);
	fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, name, "Dual BSD/GPL", insns,
			   sizeof(insns) / sizeof(*insns), NULL);
	return fd < 0 ? -errno : fd;
}
