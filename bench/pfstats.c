// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* pfstats PROFILE CAPTURE...: what the signature prefilter does on real
 * captures. Judges every IPv4/IPv6 packet of each capture (the link types
 * `sipguard check` reads, sipguard/capture.c) with
 * the userspace build of the validator (the kernel program's code), once
 * with the profile's prefilter and once without, and prints per capture the
 * header values the prefilter looked at, the share it cleared (no DFA scan)
 * and the verdicts that differ between the two runs (must be 0).
 * Exit status 1 if any verdict differs or a capture cannot be read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>

#include "sip_parse_user.h"
#include "profile.h"
#include "capture.h"

/* Judges every packet of FILE with CFG into V (grown as needed, *N
 * packets). TCP streams start from an empty store: each run sees every
 * stream from its beginning. Returns 0 or -1. */
static int run_capture(const struct sg_profile *p, const struct sg_dfa_fast *fast,
		       const struct sg_config *cfg, const char *file, __u32 **v, unsigned long *n)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const __u8 *d;
	unsigned long cap = 0;
	pcap_t *pc;
	int rc, dlt;

	*v = NULL;
	*n = 0;
	pc = pcap_open_offline(file, errbuf);
	if (!pc) {
		fprintf(stderr, "pfstats: %s: %s\n", file, errbuf);
		return -1;
	}
	dlt = pcap_datalink(pc);
	if (!sg_capture_dlt_supported(dlt)) {
		fprintf(stderr, "pfstats: %s: unsupported link type %d\n", file, dlt);
		pcap_close(pc);
		return -1;
	}
	sg_user_streams_reset();
	while ((rc = pcap_next_ex(pc, &h, &d)) == 1) {
		struct sg_uenv env = { .dfa = p->dfa, .dfa_fast = fast };
		int off = sg_capture_l3_offset(dlt, d, h->caplen);

		if (off < 0)
			continue;
		env.pkt = d + off;
		env.len = h->caplen - off;
		if (*n == cap) {
			cap = cap ? 2 * cap : 1024;
			*v = realloc(*v, cap * sizeof(**v));
			if (!*v) {
				fprintf(stderr, "pfstats: out of memory\n");
				exit(1);
			}
		}
		(*v)[(*n)++] = sg_user_judge(&env, cfg);
	}
	if (rc == -1)
		fprintf(stderr, "pfstats: %s: %s\n", file, pcap_geterr(pc));
	pcap_close(pc);
	return rc == -1 ? -1 : 0;
}

/* FILE once with the profile's prefilter and once without, each run with
 * streams of its own (the TCP streams of one run must not see the other's
 * bytes as already judged). */
static int judge_capture(const struct sg_profile *p, const struct sg_dfa_fast *fast,
			 const char *file, unsigned long *differ)
{
	struct sg_config plain = p->cfg;
	struct sg_pf_counts before = sg_pf_counts, after;
	unsigned long packets = 0, n_without = 0, diff = 0;
	__u32 *with = NULL, *without = NULL;
	int err;

	plain.pf_stride = 0;
	err = run_capture(p, fast, &p->cfg, file, &with, &packets);
	after = sg_pf_counts;
	if (!err)
		err = run_capture(p, fast, &plain, file, &without, &n_without);
	sg_pf_counts = after; /* count the prefiltered run only */
	if (err || n_without != packets) {
		free(with);
		free(without);
		return -1;
	}
	for (unsigned long i = 0; i < packets; i++) {
		if (with[i] == without[i])
			continue;
		diff++;
		fprintf(stderr, "pfstats: %s packet %lu: %u with the prefilter, %u without\n",
			file, i + 1, with[i], without[i]);
	}
	free(with);
	free(without);
	{
		unsigned long v = sg_pf_counts.values - before.values;
		unsigned long c = sg_pf_counts.cleared - before.cleared;
		const char *base = strrchr(file, '/');

		printf("| %s | %lu | %lu | %lu | %.1f%% | %lu | %lu |\n", base ? base + 1 : file,
		       packets, v, c, v ? 100.0 * c / v : 0.0,
		       sg_pf_counts.rescanned - before.rescanned, diff);
	}
	*differ += diff;
	return 0;
}

int main(int argc, char **argv)
{
	static struct sg_dfa_fast fast;
	struct sg_profile p;
	unsigned long differ = 0;
	int err = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: pfstats PROFILE CAPTURE...\n");
		return 2;
	}
	if (sg_profile_load(argv[1], &p))
		return 1;
	sg_user_dfa_fast(p.dfa, p.cfg.dfa_states, &fast);
	printf("Profile %s: %u patterns, prefilter stride %u (0 = off).\n\n", p.name, p.n_patterns,
	       p.cfg.pf_stride);
	printf("| capture | packets | values looked at | cleared | cleared %% | rescanned (folded) | verdicts that differ |\n");
	printf("|---|---:|---:|---:|---:|---:|---:|\n");
	for (int i = 2; i < argc; i++)
		if (judge_capture(&p, &fast, argv[i], &differ))
			err = 1;
	{
		unsigned long v = sg_pf_counts.values, c = sg_pf_counts.cleared;

		printf("| **all** | | %lu | %lu | %.1f%% | %lu | %lu |\n", v, c, v ? 100.0 * c / v : 0.0,
		       sg_pf_counts.rescanned, differ);
	}
	sg_profile_free(&p);
	return err || differ ? 1 : 0;
}
