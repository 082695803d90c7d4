// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* One loaded instance of the eBPF validator (skeleton sg_validator). */
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

/* The skeleton is named sg_validator too: rename its struct. */
#define sg_validator sg_validator_skel
#include "sg_validator.skel.h"
#undef sg_validator

#include "fault.h"
#include "validator.h"
#include "sip_parse_user.h"
#include "log.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

struct sg_validator {
	struct sg_validator_skel *skel;
	int ncpus;
	char pin_dir[PATH_MAX];
	struct sg_dfa_row *dfa;  /* copy of the sg_dfa rows, for sg_validator_run's fallback */
	struct sg_dfa_fast *dfa_fast; /* copy of the sg_dfa_fast table, same use */
};

/* The validator's loops are may_goto loops (sip_parse.h), which the
 * verifier accepts from Linux 6.9 on. Writes the running release to REL. */
static bool kernel_has_may_goto(char *rel, size_t size)
{
	struct utsname u;
	unsigned int major = 0, minor = 0;

	if (sg_fault("old-kernel")) /* test hook: as if the kernel were Debian 12's */
		snprintf(u.release, sizeof(u.release), "6.1.0-test");
	else if (uname(&u))
		u.release[0] = 0;
	if (sscanf(u.release, "%u.%u", &major, &minor) != 2) {
		snprintf(rel, size, "unknown");
		return true; /* cannot tell: do not blame the kernel */
	}
	snprintf(rel, size, "%s", u.release);
	return major > 6 || (major == 6 && minor >= 9);
}

static int host_key(const char *h, struct sg_host_key *k)
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

static int peer_key(const char *cidr, struct sg_peer_key *k)
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

int sg_validator_load(const struct sg_profile *p, const struct sg_customer_opts *o,
		      struct sg_validator **out)
{
	static const struct sg_customer_opts none = { .mode = -1 };
	struct sg_validator *v = NULL;
	struct sg_config cfg = p->cfg;
	struct sg_host_key *hosts = NULL;
	struct sg_peer_key *peers = NULL;
	__u32 zero = 0, rows;
	__u8 one = 1;
	int err = 0;

	*out = NULL;
	if (!o)
		o = &none;
	if (o->n_own_hosts) {
		hosts = calloc(o->n_own_hosts, sizeof(*hosts));
		if (!hosts) {
			err = -ENOMEM;
			goto out;
		}
	}
	for (unsigned int i = 0; i < o->n_own_hosts; i++)
		if (host_key(o->own_hosts[i], &hosts[i])) {
			pr_warn("own host '%s': give a host name or address of 1..%d bytes\n",
				o->own_hosts[i], SG_HOST_MAX - 1);
			err = -EINVAL;
			goto out;
		}
	if (o->n_peers) {
		peers = calloc(o->n_peers, sizeof(*peers));
		if (!peers) {
			err = -ENOMEM;
			goto out;
		}
	}
	for (unsigned int i = 0; i < o->n_peers; i++)
		if (peer_key(o->peers[i], &peers[i])) {
			pr_warn("peer '%s': expected an IPv4/IPv6 address or CIDR (198.51.100.0/24, 2001:db8::/32)\n",
				o->peers[i]);
			err = -EINVAL;
			goto out;
		}

	/* configuration for this customer */
	if (o->ports && o->ports[0]) {
		memset(cfg.ports, 0, sizeof(cfg.ports));
		memset(cfg.port_protos, 0, sizeof(cfg.port_protos));
		for (int k = 0; o->ports[k]; k++) {
			if (k >= SG_MAX_PORTS) {
				pr_warn("too many ports (at most %d)\n", SG_MAX_PORTS);
				err = -E2BIG;
				goto out;
			}
			cfg.ports[k] = o->ports[k];
			cfg.port_protos[k] = SG_PROTO_UDP | SG_PROTO_TCP;
		}
	}
	if (o->mode == 0)
		cfg.flags &= ~SG_F_MONITOR;
	else if (o->mode == 1)
		cfg.flags |= SG_F_MONITOR;
	if (o->report)
		cfg.flags |= SG_F_REPORT;
	else
		cfg.flags &= ~SG_F_REPORT;
	/* check_via / check_peers apply only when the customer gave the lists */
	if (!o->n_own_hosts)
		cfg.flags &= ~SG_F_CHECK_VIA_OWN;
	if (!o->n_peers)
		cfg.flags &= ~SG_F_CHECK_PEERS;

	v = calloc(1, sizeof(*v));
	if (!v) {
		err = -ENOMEM;
		goto out;
	}
	v->ncpus = libbpf_num_possible_cpus();
	if (v->ncpus <= 0) {
		err = v->ncpus ? v->ncpus : -EINVAL;
		pr_warn("cannot count possible CPUs: %s\n", strerror(-err));
		goto out;
	}
	v->skel = sg_validator__open();
	if (!v->skel) {
		err = -errno ? -errno : -EINVAL;
		pr_warn("cannot open the validator BPF object: %s\n", strerror(-err));
		goto out;
	}
	/* the kernel reads rows only for DFAs deeper than the flat table */
	rows = cfg.dfa_states > SG_DFA_FAST_STATES ? cfg.dfa_states : 1;
	err = bpf_map__set_max_entries(v->skel->maps.sg_dfa, rows);
	if (!err && o->n_own_hosts > 64)
		err = bpf_map__set_max_entries(v->skel->maps.sg_own_hosts, o->n_own_hosts);
	if (!err && o->n_peers > 1024)
		err = bpf_map__set_max_entries(v->skel->maps.sg_peers, o->n_peers);
	if (err) {
		pr_warn("cannot size the validator maps: %s\n", strerror(-err));
		goto out;
	}
	if (sg_fault("verifier") || sg_fault("old-kernel")) {
		/* test hook (fault.h): r0 = *(u64 *)(r10 + 8) reads above the
		 * stack frame, which the verifier rejects */
		static const struct bpf_insn bad[] = {
			{ .code = BPF_LDX | BPF_MEM | BPF_DW, .dst_reg = BPF_REG_0, .src_reg = BPF_REG_10, .off = 8 },
			{ .code = BPF_JMP | BPF_EXIT },
		};
		bpf_program__set_insns(v->skel->progs.sip_validate, (struct bpf_insn *)bad, 2);
	}
	err = sg_validator__load(v->skel);
	if (err) {
		char rel[65];

		if ((err == -EPERM || err == -EACCES) && geteuid() != 0)
			pr_warn("loading the validator was refused (%s): run as root (CAP_BPF + CAP_NET_ADMIN)\n",
				strerror(-err));
		else if (!kernel_has_may_goto(rel, sizeof(rel)))
			pr_warn("kernel %s is too old for the validator: its loops need may_goto, "
				"Linux 6.9 or later (%s)\n", rel, strerror(-err));
		else
			pr_warn("the kernel verifier rejected the validator (or its maps could not be created): "
				"%s (run with -v for the verifier log)\n", strerror(-err));
		goto out;
	}
	err = bpf_map__update_elem(v->skel->maps.sg_config_map, &zero, sizeof(zero), &cfg,
				   sizeof(cfg), BPF_ANY);
	if (err) {
		pr_warn("cannot write the configuration map: %s\n", strerror(-err));
		goto out;
	}
	for (__u32 s = 0; cfg.dfa_states > SG_DFA_FAST_STATES && s < cfg.dfa_states; s++) {
		err = bpf_map__update_elem(v->skel->maps.sg_dfa, &s, sizeof(s), &p->dfa[s],
					   sizeof(p->dfa[s]), BPF_ANY);
		if (err) {
			pr_warn("cannot write signature DFA row %u: %s\n", s, strerror(-err));
			goto out;
		}
	}
	if (cfg.dfa_states) {
		v->dfa = malloc(cfg.dfa_states * sizeof(*v->dfa));
		v->dfa_fast = malloc(sizeof(*v->dfa_fast));
		if (!v->dfa || !v->dfa_fast) {
			err = -ENOMEM;
			goto out;
		}
		memcpy(v->dfa, p->dfa, cfg.dfa_states * sizeof(*v->dfa));
		sg_user_dfa_fast(p->dfa, cfg.dfa_states, v->dfa_fast);
		err = bpf_map__update_elem(v->skel->maps.sg_dfa_fast, &zero, sizeof(zero),
					   v->dfa_fast, sizeof(*v->dfa_fast), BPF_ANY);
		if (err) {
			pr_warn("cannot write the signature DFA table: %s\n", strerror(-err));
			goto out;
		}
	}
	for (unsigned int i = 0; i < o->n_own_hosts; i++) {
		err = bpf_map__update_elem(v->skel->maps.sg_own_hosts, &hosts[i], sizeof(hosts[i]),
					   &one, sizeof(one), BPF_ANY);
		if (err) {
			pr_warn("cannot add own host '%s': %s\n", o->own_hosts[i], strerror(-err));
			goto out;
		}
	}
	for (unsigned int i = 0; i < o->n_peers; i++) {
		err = bpf_map__update_elem(v->skel->maps.sg_peers, &peers[i], sizeof(peers[i]),
					   &one, sizeof(one), BPF_ANY);
		if (err) {
			pr_warn("cannot add peer '%s': %s\n", o->peers[i], strerror(-err));
			goto out;
		}
	}
	*out = v;
	v = NULL;
out:
	sg_validator_free(v);
	free(hosts);
	free(peers);
	return err;
}

void sg_validator_free(struct sg_validator *v)
{
	if (!v)
		return;
	if (v->skel)
		sg_validator__destroy(v->skel);
	free(v->dfa);
	free(v->dfa_fast);
	free(v);
}

int sg_validator_prog_fd(const struct sg_validator *v)
{
	return bpf_program__fd(v->skel->progs.sip_validate);
}

static int user_own_host(void *opaque, const struct sg_host_key *key)
{
	struct sg_validator *v = opaque;
	__u8 val;

	return !bpf_map__lookup_elem(v->skel->maps.sg_own_hosts, key, sizeof(*key), &val,
				     sizeof(val), 0);
}

static int user_peer(void *opaque, const struct sg_peer_key *key)
{
	struct sg_validator *v = opaque;
	__u8 val;

	return !bpf_map__lookup_elem(v->skel->maps.sg_peers, key, sizeof(*key), &val,
				     sizeof(val), 0);
}

/* BPF_PROG_TEST_RUN takes at most a page less skb head- and tailroom
 * (3712 bytes on x86-64). Larger packets (reassembled datagrams), and ones
 * shorter than their IP header (see sg_validator_run), are judged
 * by the userspace build of the same parser with the loaded program's own
 * config and maps; tests/t_equal.sh shows the two agree. */
#define SG_TEST_RUN_MAX 3700

static int run_in_userspace(struct sg_validator *v, const void *l3, size_t len, __u32 *ret)
{
	struct sg_config cfg;
	__u32 zero = 0, reason;
	struct sg_uenv env = {
		.pkt = l3, .len = (__u32)len, .dfa = v->dfa, .dfa_fast = v->dfa_fast,
		.own_host = user_own_host, .peer = user_peer, .opaque = v,
	};
	int err;

	err = bpf_map__lookup_elem(v->skel->maps.sg_config_map, &zero, sizeof(zero), &cfg,
				   sizeof(cfg), 0);
	if (err)
		return err;
	reason = sg_user_judge(&env, &cfg);
	/* the program's return convention (sipguard.bpf.c) */
	if (cfg.flags & SG_F_REPORT)
		*ret = SG_RET_REPORT | reason;
	else
		*ret = reason >= SG_FIRST_DROP && !(cfg.flags & SG_F_MONITOR) ? reason : 0;
	return 0;
}

int sg_validator_run(struct sg_validator *v, const void *l3, size_t len, __u32 *ret,
		     __u32 repeat, __u32 *duration_ns)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	bool v6 = len && (((const __u8 *)l3)[0] >> 4) == 6; /* the EtherType we give it */
	__u8 *buf;
	int err;

	if (len > 0xffff)
		return -E2BIG;
	/* BPF_PROG_TEST_RUN also refuses a packet shorter than the IP header
	 * its EtherType announces (EINVAL); the program reads nothing from
	 * one either (not-ip), and the userspace build says the same */
	if (len + 14 > SG_TEST_RUN_MAX || (len && len < (v6 ? 40u : 20u))) {
		if (duration_ns)
			*duration_ns = 0;
		return run_in_userspace(v, l3, len, ret);
	}
	buf = malloc(len + 14);
	if (!buf)
		return -ENOMEM;
	memset(buf, 0, 12);
	buf[0] = 0x02; /* locally administered MACs */
	buf[6] = 0x02;
	buf[11] = 1;
	if (v6) {
		buf[12] = 0x86;
		buf[13] = 0xdd;
	} else {
		buf[12] = 0x08;
		buf[13] = 0x00;
	}
	memcpy(buf + 14, l3, len);
	opts.data_in = buf;
	opts.data_size_in = (__u32)(len + 14);
	opts.repeat = repeat ? repeat : 1;
	err = bpf_prog_test_run_opts(sg_validator_prog_fd(v), &opts);
	free(buf);
	if (err) {
		err = -errno ? -errno : err;
		pr_warn("BPF_PROG_TEST_RUN failed: %s\n", strerror(-err));
		return err;
	}
	*ret = opts.retval;
	if (duration_ns)
		*duration_ns = opts.duration;
	return 0;
}

int sg_validator_counters(const struct sg_validator *v, struct sg_counter out[SG_REASON_MAX])
{
	struct sg_counter *pc;
	int err = 0;

	memset(out, 0, sizeof(struct sg_counter) * SG_REASON_MAX);
	pc = calloc(v->ncpus, sizeof(*pc));
	if (!pc)
		return -ENOMEM;
	for (__u32 r = 0; r < SG_REASON_MAX; r++) {
		err = bpf_map__lookup_elem(v->skel->maps.sg_counters, &r, sizeof(r), pc,
					   sizeof(*pc) * v->ncpus, 0);
		if (err) {
			pr_warn("cannot read counter %u: %s\n", r, strerror(-err));
			goto out;
		}
		for (int c = 0; c < v->ncpus; c++) {
			out[r].packets += pc[c].packets;
			out[r].bytes += pc[c].bytes;
		}
	}
out:
	free(pc);
	return err;
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

static bool pinnable(const struct bpf_map *m)
{
	const char *n = bpf_map__name(m);

	return n && n[0] != '.' && !strstr(n, ".rodata") && !strstr(n, ".bss") &&
	       !strstr(n, ".data") && !strstr(n, ".kconfig");
}

int sg_validator_pin(struct sg_validator *v, const char *dir)
{
	char path[PATH_MAX];
	struct statfs sfs;
	struct bpf_map *m, *pinned[16];
	unsigned int n_pinned = 0;
	bool prog_pinned = false;
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
	err = bpf_program__pin(v->skel->progs.sip_validate, path);
	if (err) {
		pr_warn("cannot pin the program at %s: %s%s\n", path, strerror(-err),
			err == -EEXIST ? " (already pinned: disable the customer first or use another dir)" : "");
		goto out;
	}
	prog_pinned = true;
	bpf_object__for_each_map(m, v->skel->obj) {
		if (!pinnable(m))
			continue;
		if (n_pinned == sizeof(pinned) / sizeof(*pinned)) {
			err = -E2BIG;
			goto out;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, bpf_map__name(m));
		err = bpf_map__pin(m, path);
		if (err) {
			pr_warn("cannot pin map at %s: %s\n", path, strerror(-err));
			goto out;
		}
		pinned[n_pinned++] = m;
	}
	snprintf(v->pin_dir, sizeof(v->pin_dir), "%s", dir);
out:
	if (err) {
		if (prog_pinned) {
			snprintf(path, sizeof(path), "%s/sip_validate", dir);
			bpf_program__unpin(v->skel->progs.sip_validate, path);
		}
		/* only what this call pinned */
		for (unsigned int i = 0; i < n_pinned; i++)
			bpf_map__unpin(pinned[i], NULL);
	}
	return err;
}
