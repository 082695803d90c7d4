// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* Kernel program equals userspace build (issue 5 part 3).
 *
 * For every profile: loads the validator (sg_validator_load, report=true,
 * own hosts and peers set) and runs the same packets through the kernel
 * program (BPF_PROG_TEST_RUN via sg_validator_run) and through sg_user_judge
 * with the configuration read back from the loaded program's config map, the
 * profile's DFA rows and the same own hosts / peers as callbacks. Every
 * packet must get the same reason.
 *
 * Packets: each payload file wrapped IPv4/UDP, IPv4/TCP, IPv6/UDP to the
 * profile's guarded ports; each packet of each capture (as captured and with
 * its destination port rewritten to a guarded one); MUTATIONS mutated
 * payloads (fixed seed).
 *
 * Usage: equal [-p PROFILE]... [-n MUTATIONS] [-s SEED] [-v] INPUT...
 *   INPUT: payload files, directories of them, or .pcap/.pcapng captures.
 *   Without -p: every shipped profile in sg_profile_dir().
 */
#include <getopt.h>
#include <errno.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "sg_testlib.h"
#include "profile.h"
#include "validator.h"
#include "loader.h"
#include "caps.h"

struct buf { __u8 *d; __u32 n; int l3; char *name; };
static struct buf *ins;
static size_t n_ins, cap_ins;

static void push(__u8 *d, __u32 n, int l3, const char *name)
{
	if (n_ins == cap_ins) {
		cap_ins = cap_ins ? cap_ins * 2 : 512;
		ins = realloc(ins, cap_ins * sizeof(*ins));
	}
	ins[n_ins++] = (struct buf){ d, n, l3, strdup(name) };
}

static int has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && !strcmp(s + a - b, suf);
}

static void add_packet(const __u8 *l3, __u32 len, int idx, void *arg)
{
	char name[4200];
	__u8 *c = malloc(len);

	memcpy(c, l3, len);
	snprintf(name, sizeof(name), "%s#%d", (const char *)arg, idx);
	push(c, len, 1, name);
}

static void add_input(const char *path, void *arg)
{
	if (has_suffix(path, ".pcap") || has_suffix(path, ".pcapng") || has_suffix(path, ".cap")) {
		sg_caps_read(path, add_packet, (void *)path);
		return;
	}
	if (has_suffix(path, ".md") || has_suffix(path, ".manifest") || strstr(path, "EXPECTED"))
		return;
	size_t n;
	__u8 *d = sg_t_read_file(path, &n);

	if (!d || !n || n > 60000) {
		free(d);
		return;
	}
	push(d, n, 0, path);
}

/* The config map of the loaded program, read back through its map ids. */
static int read_config(int prog_fd, struct sg_config *cfg)
{
	struct bpf_prog_info info;
	__u32 ids[16], len = sizeof(info), zero = 0;

	memset(&info, 0, sizeof(info));
	info.nr_map_ids = 16;
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	for (__u32 i = 0; i < info.nr_map_ids && i < 16; i++) {
		struct bpf_map_info mi;
		__u32 ml = sizeof(mi);
		int fd = bpf_map_get_fd_by_id(ids[i]);

		if (fd < 0)
			continue;
		memset(&mi, 0, sizeof(mi));
		if (!bpf_obj_get_info_by_fd(fd, &mi, &ml) && mi.value_size == sizeof(*cfg) &&
		    mi.type == BPF_MAP_TYPE_ARRAY && mi.max_entries == 1 &&
		    !bpf_map_lookup_elem(fd, &zero, cfg)) {
			close(fd);
			return 0;
		}
		close(fd);
	}
	return -ENOENT;
}

static const char *peers_cidr[] = { "198.51.100.0/24", "2001:db8::/32" };

struct stats { unsigned long n, diff, err; };

static void set_dport(__u8 *p, __u32 n, __u16 port)
{
	__u32 plen;
	int proto, off = sg_t_l4_payload(p, n, &plen, &proto);
	__u32 l4;

	if (off < 0)
		return;
	l4 = proto == 17 ? off - 8 : ((p[0] >> 4) == 4 ? (p[0] & 0xf) * 4 : 40);
	p[l4 + 2] = port >> 8;
	p[l4 + 3] = port & 0xff;
}

static int verbose;

static void one(struct sg_validator *v, const struct sg_config *cfg, const struct sg_dfa_row *dfa,
		struct sg_t_hosts *h, const __u8 *pkt, __u32 n, const char *name, const char *how,
		struct stats *st)
{
	__u32 ret = 0, ur;

	if (n < 14) /* BPF_PROG_TEST_RUN wants at least an Ethernet header's worth */
		return;
	/* beyond BPF_PROG_TEST_RUN's size limit sg_validator_run judges in
	 * userspace itself: nothing to compare */
	if (n + 14 > 3700)
		return;
	st->n++;
	if (sg_t_is_tcp(pkt, n)) {
		/* streams: judge the segment as the first one after its SYN, on
		 * both sides (each packet alone, so that state from an earlier
		 * one cannot hide or cause a difference) */
		static __u8 syn[128];
		__u32 sn = sg_t_syn_of(pkt, n, syn);

		sg_validator_streams_reset(v);
		sg_user_streams_reset();
		if (sn) {
			if (sg_validator_run(v, syn, sn, &ret, 1, NULL))
				st->err++;
			sg_t_judge(syn, sn, cfg, dfa, h);
		}
	}
	if (sg_validator_run(v, pkt, n, &ret, 1, NULL)) {
		if (st->err++ < 5)
			fprintf(stderr, "%s (%s): BPF_PROG_TEST_RUN failed\n", name, how);
		return;
	}
	ur = sg_t_judge(pkt, n, cfg, dfa, h);
	if (!(ret & SG_RET_REPORT) || (ret & 0xff) != ur || (ret & ~(SG_RET_REPORT | 0xffu))) {
		if (st->diff++ < 20 || verbose)
			printf("DIFF %s (%s, %u bytes): kernel %#x (%s), user %u (%s)\n", name, how, n,
			       ret, sg_t_reason_name(ret & 0xff), ur, sg_t_reason_name(ur));
	} else if (ur >= SG_FIRST_DROP) {
		/* the same drop: the same detail too (the kernel's from its
		 * drop event, the userspace build's from its scratch) */
		struct sg_detail kd, ud;

		sg_validator_detail(v, &kd);
		sg_user_last_detail(&ud);
		if (memcmp(&kd, &ud, sizeof(kd)) && (st->diff++ < 20 || verbose))
			printf("DIFF %s (%s, %u bytes): %s: kernel detail %u/%u/%u line %u value %u "
			       "limit %u, user %u/%u/%u line %u value %u limit %u\n", name, how, n,
			       sg_t_reason_name(ur), kd.kind, kd.what, kd.header, kd.line, kd.value,
			       kd.limit, ud.kind, ud.what, ud.header, ud.line, ud.value, ud.limit);
	}
}

/* issue 18: at most half of the verifier's budget, on every kernel */
#define SG_VERIFIER_MARGIN 500000

static int run_profile(const char *prof, unsigned long mutations, unsigned long long seed)
{
	static __u8 pkt[SG_T_MAXPKT], mbuf[60064];
	struct sg_customer_opts o = { 0 };
	struct sg_validator *v = NULL;
	struct sg_profile p;
	struct sg_config cfg;
	struct sg_t_hosts h;
	struct stats st = { 0 };
	__u16 uport = SG_T_PORT, tport = 0;
	int err;

	memset(&p, 0, sizeof(p));
	if ((err = sg_profile_load(prof, &p)) < 0) {
		fprintf(stderr, "%s: cannot load profile (%d)\n", prof, err);
		return 1;
	}
	sg_t_hosts_default(&h);
	o.own_hosts = sg_t_default_hosts;
	o.n_own_hosts = h.n_hosts;
	o.peers = peers_cidr;
	o.n_peers = 2;
	o.mode = -1;
	o.report = true;
	if ((err = sg_validator_load(&p, &o, &v)) < 0) {
		fprintf(stderr, "%s: sg_validator_load failed (%d)\n", prof, err);
		sg_profile_free(&p);
		return 1;
	}
	{
		/* the verifier's budget is 1M instructions for the whole program:
		 * a change that creeps towards it must be seen here, before a
		 * kernel with a slightly different verifier refuses to load it */
		struct bpf_prog_info info = { 0 };
		__u32 ilen = sizeof(info);

		(void)info;
		(void)ilen;
		if (sg_validator_verified_insns(v) > SG_VERIFIER_MARGIN) {
			fprintf(stderr, "%s: the verifier processed %u instructions (%s variant), over the %u margin "
				"(limit 1000000)\n", prof, sg_validator_verified_insns(v),
				sg_variant_name(sg_validator_variant(v)), SG_VERIFIER_MARGIN);
			sg_validator_free(v);
			sg_profile_free(&p);
			return 1;
		}
		printf("%s: verifier processed %u instructions (%s variant; margin %u, limit 1000000)\n", prof,
		       sg_validator_verified_insns(v), sg_variant_name(sg_validator_variant(v)),
		       SG_VERIFIER_MARGIN);
	}
	{
		__u32 flags;

		sg_validator_config(v, &cfg, &flags);
		cfg.flags = flags; /* the userspace side judges with the customer's flags */
	}
	if (cfg.checks != p.cfg.checks || cfg.methods != p.cfg.methods ||
	    cfg.dfa_states != p.cfg.dfa_states || (cfg.flags & ~(SG_F_REPORT | SG_F_MONITOR)) !=
	    (p.cfg.flags & ~(SG_F_REPORT | SG_F_MONITOR)))
		printf("note: %s: loaded config differs from the profile's (flags %#x vs %#x)\n",
		       prof, cfg.flags, p.cfg.flags);
	for (int k = SG_MAX_PORTS - 1; k >= 0; k--) {
		if (cfg.ports[k] && (cfg.port_protos[k] & SG_PROTO_UDP))
			uport = cfg.ports[k];
		if (cfg.ports[k] && (cfg.port_protos[k] & SG_PROTO_TCP))
			tport = cfg.ports[k];
	}

	sg_t_rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	for (size_t i = 0; i < n_ins + mutations; i++) {
		const struct buf *b;
		const __u8 *d;
		__u32 n;

		if (i < n_ins) {
			b = &ins[i];
			d = b->d;
			n = b->n;
			if (b->l3) {
				one(v, &cfg, p.dfa, &h, d, n, b->name, "captured", &st);
				memcpy(pkt, d, n);
				set_dport(pkt, n, uport);
				one(v, &cfg, p.dfa, &h, pkt, n, b->name, "to guarded port", &st);
				continue;
			}
		} else {
			size_t pick;

			do
				pick = sg_t_rand() % n_ins;
			while (ins[pick].l3 && n_ins > 1 && (sg_t_rand() & 7));
			b = &ins[pick];
			if (b->l3) {
				memcpy(mbuf, b->d, b->n);
				n = sg_t_mutate(mbuf, b->n, sizeof(mbuf) - 64);
				set_dport(mbuf, n, uport);
				one(v, &cfg, p.dfa, &h, mbuf, n, b->name, "mutated packet", &st);
				continue;
			}
			memcpy(mbuf, b->d, b->n);
			n = sg_t_mutate(mbuf, b->n, sizeof(mbuf) - 64);
			d = mbuf;
		}
		one(v, &cfg, p.dfa, &h, pkt, sg_user_wrap_udp4(d, n, uport, pkt), b->name,
		    i < n_ins ? "udp4" : "udp4 mutated", &st);
		one(v, &cfg, p.dfa, &h, pkt, sg_t_wrap_udp6(d, n, uport, pkt), b->name,
		    i < n_ins ? "udp6" : "udp6 mutated", &st);
		if (tport)
			one(v, &cfg, p.dfa, &h, pkt, sg_t_wrap_tcp4(d, n, tport, pkt), b->name,
			    i < n_ins ? "tcp4" : "tcp4 mutated", &st);
	}
	printf("%-20s %lu packets, %lu differ, %lu run errors\n", prof, st.n, st.diff, st.err);
	sg_validator_free(v);
	sg_profile_free(&p);
	return st.diff || st.err ? 1 : 0;
}

static void add_profile(const char *path, void *arg)
{
	char ***list = arg;
	size_t n = 0;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	/* a walked file must be a profile (*.ini); -p NAME may be a shipped name */
	if (base[0] == '.' || (strchr(path, '/') && !has_suffix(base, ".ini")))
		return;
	while (*list && (*list)[n])
		n++;
	*list = realloc(*list, (n + 2) * sizeof(char *));
	(*list)[n] = strdup(path);
	(*list)[n + 1] = NULL;
}

int main(int argc, char **argv)
{
	char **profiles = NULL;
	unsigned long mutations = 2000;
	unsigned long long seed = 5;
	int c, rc = 0;

	while ((c = getopt(argc, argv, "p:n:s:v")) != -1) {
		switch (c) {
		case 'p': add_profile(optarg, &profiles); break;
		case 'n': mutations = strtoul(optarg, NULL, 0); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'v': verbose = 1; break;
		default: return 2;
		}
	}
	for (int i = optind; i < argc; i++)
		sg_t_walk(argv[i], add_input, NULL);
	if (!n_ins) {
		fprintf(stderr, "no inputs\n");
		return 2;
	}
	if (!profiles)
		sg_t_walk(sg_profile_dir(), add_profile, &profiles);
	if (!profiles) {
		fprintf(stderr, "no profiles in %s\n", sg_profile_dir());
		return 2;
	}
	printf("%zu inputs, %lu mutations (seed %llu) per profile\n", n_ins, mutations, seed);
	for (char **p = profiles; *p; p++)
		rc |= run_profile(*p, mutations, seed);
	return rc;
}
