// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* Differential test against osip2 (issue 5 part 2).
 *
 * For every input (files/directories given, plus -n mutations of them from a
 * fixed seed) compares the validator's verdict under an edge-like config
 * (sanity on, any method and scheme, signatures and reflection off) with osip2's:
 * osip_message_parse() succeeds AND the message has Via, From, To, Call-ID
 * and CSeq. A disagreement is classed by (our reason, osip2 verdict); classes
 * listed in KNOWN.md (rows "| reason | osip2 | ... |") are deliberate
 * differences, any other class fails the test.
 *
 * Usage: diff_osip [-k KNOWN.md] [-n MUTATIONS] [-s SEED] [-o DIR] [-v] INPUT...
 *        diff_osip -x regressions/EXPECTED   (our reason for each listed input)
 *   -v      prints each disagreement (-vv: every input)
 *   -o DIR  writes up to 20 example inputs per class to DIR/<reason>-<osip2>-<n>
 */
#include <getopt.h>
#include <osipparser2/osip_parser.h>
#include "sg_testlib.h"

#define MAXIN 65000

struct input { __u8 *d; size_t n; char *name; };
static struct input *ins;
static size_t n_ins, cap_ins;

static void add_input(const char *path, void *arg)
{
	size_t n = 0;
	__u8 *d = sg_t_read_file(path, &n);

	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	if (!strcmp(base, "EXPECTED") || strstr(base, ".md") || strstr(base, ".pcap")) {
		free(d);
		return;
	}
	if (!d || n == 0 || n > MAXIN) {
		free(d);
		return;
	}
	if (n_ins == cap_ins) {
		cap_ins = cap_ins ? cap_ins * 2 : 256;
		ins = realloc(ins, cap_ins * sizeof(*ins));
	}
	ins[n_ins++] = (struct input){ d, n, strdup(path) };
}

/* 1: osip2 accepts (parses, has the five mandatory headers) */
static int osip_verdict(const __u8 *d, size_t n)
{
	osip_message_t *m;
	osip_via_t *via = NULL;
	int ok;
	char *buf = malloc(n + 1);

	memcpy(buf, d, n);
	buf[n] = 0;
	if (osip_message_init(&m) != 0)
		abort();
	ok = osip_message_parse(m, buf, n) == 0 &&
	     osip_message_get_via(m, 0, &via) >= 0 && via &&
	     m->from && m->to && m->call_id && m->cseq;
	osip_message_free(m);
	free(buf);
	return ok;
}

static void trace_nothing(const char *fi, int li, osip_trace_level_t level, const char *chfr, va_list ap)
{
}

struct klass { char reason[32]; int osip_ok; int known; unsigned long count; char example[256]; };
static struct klass classes[128];
static int n_classes;

static struct klass *klass(const char *reason, int osip_ok)
{
	for (int i = 0; i < n_classes; i++)
		if (!strcmp(classes[i].reason, reason) && classes[i].osip_ok == osip_ok)
			return &classes[i];
	if (n_classes == 128)
		abort();
	snprintf(classes[n_classes].reason, 32, "%s", reason);
	classes[n_classes].osip_ok = osip_ok;
	return &classes[n_classes++];
}

/* KNOWN.md: table rows "| <reason> | accept|reject | why |" */
static void load_known(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[2048];

	if (!f) {
		perror(path);
		exit(2);
	}
	while (fgets(line, sizeof(line), f)) {
		char r[64], o[64];

		if (sscanf(line, "| `%63[^`]` | %63[a-z] |", r, o) == 2 ||
		    sscanf(line, "| %63[a-z-] | %63[a-z] |", r, o) == 2) {
			if (strcmp(o, "accept") && strcmp(o, "reject"))
				continue;
			klass(r, !strcmp(o, "accept"))->known = 1;
		}
	}
	fclose(f);
}

/* -x EXPECTED: "file reason" lines (paths relative to EXPECTED's folder) */
static int check_expected(const char *path, const struct sg_config *cfg)
{
	static __u8 pkt[SG_T_MAXPKT];
	char line[1024], dir[4096], *slash;
	int bad = 0, n = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		perror(path);
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	else
		strcpy(dir, ".");
	while (fgets(line, sizeof(line), f)) {
		char name[256], want[64], file[4400], *bug = strstr(line, "BUG");
		__u8 *d;
		size_t len;
		__u32 r;

		if (line[0] == '#' || sscanf(line, "%255s %63s", name, want) != 2)
			continue;
		snprintf(file, sizeof(file), "%s/%s", dir, name);
		d = sg_t_read_file(file, &len);
		if (!d) {
			printf("FAIL %s: cannot read\n", file);
			bad++;
			continue;
		}
		r = sg_t_judge(pkt, sg_user_wrap_udp4(d, len, SG_T_PORT, pkt), cfg, NULL, NULL);
		n++;
		if (strcmp(sg_t_reason_name(r), want)) {
			printf("FAIL %s: ours %s, expected %s%s\n", name, sg_t_reason_name(r), want,
			       bug ? " (parser bug reported to the lead)" : "");
			bad++;
		}
		free(d);
	}
	fclose(f);
	printf("%d expected verdicts checked, %d wrong\n", n, bad);
	return bad != 0;
}

int main(int argc, char **argv)
{
	const char *known = NULL, *outdir = NULL;
	unsigned long mutations = 0, agree = 0, total = 0, unknown = 0;
	unsigned long long seed = 5;
	int verbose = 0, c;
	const char *expected = NULL;
	struct sg_config cfg;
	static __u8 pkt[SG_T_MAXPKT], buf[MAXIN + 64];

	while ((c = getopt(argc, argv, "k:n:s:o:vx:")) != -1) {
		switch (c) {
		case 'k': known = optarg; break;
		case 'n': mutations = strtoul(optarg, NULL, 0); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'o': outdir = optarg; break;
		case 'v': verbose++; break;
		case 'x': expected = optarg; break;
		default: return 2;
		}
	}
	if (expected) {
		sg_t_cfg_edge(&cfg);
		return check_expected(expected, &cfg);
	}
	for (int i = optind; i < argc; i++)
		sg_t_walk(argv[i], add_input, NULL);
	if (!n_ins) {
		fprintf(stderr, "no inputs\n");
		return 2;
	}
	if (known)
		load_known(known);
	osip_trace_initialize_func(END_TRACE_LEVEL, trace_nothing);
	for (int l = 0; l < END_TRACE_LEVEL; l++)
		osip_trace_disable_level(l);
	parser_init();
	sg_t_cfg_edge(&cfg);
	sg_t_rng = seed * 0x9e3779b97f4a7c15ULL + 1;

	for (unsigned long k = 0; k < n_ins + mutations; k++) {
		const __u8 *d;
		size_t n;
		const char *name;
		char mname[64];
		__u32 r;
		int ours, theirs;

		if (k < n_ins) {
			d = ins[k].d;
			n = ins[k].n;
			name = ins[k].name;
		} else {
			const struct input *in = &ins[sg_t_rand() % n_ins];

			memcpy(buf, in->d, in->n);
			n = sg_t_mutate(buf, in->n, MAXIN);
			d = buf;
			snprintf(mname, sizeof(mname), "mutation-%lu", k - n_ins);
			name = mname;
			if (!n)
				continue;
		}
		total++;
		r = sg_t_judge(pkt, sg_user_wrap_udp4(d, n, SG_T_PORT, pkt), &cfg, NULL, NULL);
		ours = r < SG_FIRST_DROP;
		theirs = osip_verdict(d, n);
		if (verbose > 1)
			printf("%s: ours %s, osip2 %s\n", name, sg_t_reason_name(r),
			       theirs ? "accept" : "reject");
		if (ours == theirs) {
			agree++;
			continue;
		}
		struct klass *kl = klass(sg_t_reason_name(r), theirs);
		if (!kl->count)
			snprintf(kl->example, sizeof(kl->example), "%s", name);
		if (kl->count++ < 20) {
			if (outdir) {
				char p[4096];
				FILE *f;

				snprintf(p, sizeof(p), "%s/%s-%s-%lu", outdir, kl->reason,
					 theirs ? "accept" : "reject", kl->count - 1);
				if ((f = fopen(p, "wb"))) {
					fwrite(d, 1, n, f);
					fclose(f);
				}
			}
		}
		if (!kl->known)
			unknown++;
		if (verbose == 1)
			printf("%s: ours %s, osip2 %s\n", name, sg_t_reason_name(r),
			       theirs ? "accept" : "reject");
	}

	printf("%lu inputs (%zu files, %lu mutations, seed %llu): %lu agree, %lu differ\n",
	       total, n_ins, mutations, seed, agree, total - agree);
	printf("%-22s %-7s %8s  %-7s  first example\n", "our reason", "osip2", "count", "class");
	for (int i = 0; i < n_classes; i++)
		if (classes[i].count)
			printf("%-22s %-7s %8lu  %-7s  %s\n", classes[i].reason,
			       classes[i].osip_ok ? "accept" : "reject", classes[i].count,
			       classes[i].known ? "known" : "UNKNOWN", classes[i].example);
	if (unknown)
		printf("FAIL: %lu disagreements in classes not in KNOWN.md\n", unknown);
	return unknown ? 1 : 0;
}
