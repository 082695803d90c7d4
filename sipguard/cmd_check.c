// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* sipguard check: offline verdicts of a profile on captures, judged by the
 * kernel program itself (BPF_PROG_TEST_RUN, report mode). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>

#include "commands.h"
#include "log.h"
#include "profile.h"
#include "validator.h"
#include "capture.h"
#include "reasm.h"
#include "sgjson.h"
#include "detail.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

#define reason_name sg_reason_name

struct verdict {
	unsigned int capture;  /* index in the capture list */
	__u8 reason;
	struct sg_detail det;  /* a drop's */
	char *more;            /* what the message adds to it (sg_detail_message), or NULL */
};

struct run {
	struct verdict *v;
	size_t n, cap;
	unsigned long counts[SG_REASON_MAX];
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: sipguard check --profile NAME|FILE [--json] [--mode enforce|monitor]\n"
		"                      [--own-host HOST]... [--peer CIDR]... CAPTURE...\n"
		"Runs every packet of the captures (pcap or pcapng; Ethernet, 802.1Q, Linux\n"
		"cooked v1/v2, raw IP, null/loopback) through the kernel validator configured\n"
		"with the profile, and prints one verdict per packet plus a summary.\n"
		"  --profile P     shipped profile name (see 'sipguard profiles') or a file\n"
		"  --json          one JSON object instead of text: {\"schema\": \"sipguard/1\",\n"
		"                  profile, mode, packets, sip, passed, dropped, would_drop,\n"
		"                  reasons, verdicts[]}\n"
		"  --mode M        override the profile's mode\n"
		"  --own-host H    a Via sent-by host of the customer (repeatable)\n"
		"  --peer CIDR     a source allowed to send responses (repeatable)\n"
		"  -h, --help      this text\n"
		"Exit: 0 judged (drops are not an error), 2 bad usage, profile or capture,\n"
		"1 the validator could not be loaded, 3 no privileges for BPF.\n");
}

static int push(struct run *r, unsigned int capture, unsigned int reason,
		const struct sg_detail *det)
{
	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 1024;
		struct verdict *nv = realloc(r->v, nc * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		r->v = nv;
		r->cap = nc;
	}
	r->v[r->n].capture = capture;
	r->v[r->n].reason = (__u8)reason;
	memset(&r->v[r->n].det, 0, sizeof(*det));
	r->v[r->n].more = NULL;
	if (reason >= SG_FIRST_DROP)
		r->v[r->n].det = *det;
	r->n++;
	r->counts[reason < SG_REASON_MAX ? reason : 0]++;
	return 0;
}

/* nft's port match in front of the validator (rules.c): traffic to other
 * ports never reaches the program. */
static bool port_guarded(const struct sg_config *cfg, const __u8 *l3, size_t len)
{
	__u8 proto;
	__u16 dport;

	if (sg_l4_port(l3, len, &proto, &dport))
		return false;
	for (int k = 0; k < SG_MAX_PORTS; k++)
		if (cfg->ports[k] == dport &&
		    (cfg->port_protos[k] & (proto == 6 ? SG_PROTO_TCP : SG_PROTO_UDP)))
			return true;
	return false;
}

static void mark_fragment(void *arg, unsigned long i)
{
	struct run *r = arg;

	r->counts[r->v[i].reason]--;
	r->v[i].reason = SG_DROP_FRAGMENT;
	r->counts[SG_DROP_FRAGMENT]++;
}

/* Judges one L3 packet the way the live chain would: the port match,
 * then the validator. Returns 0 and the reason, or SG_EXIT_*. */
static int judge_l3(struct sg_validator *v, const struct sg_config *cfg, const __u8 *l3,
		    size_t len, const char *file, unsigned long idx, unsigned int *reason,
		    struct sg_detail *det, char **more)
{
	__u32 res = 0;

	if (more)
		*more = NULL;
	memset(det, 0, sizeof(*det));
	if (!port_guarded(cfg, l3, len)) {
		__u8 proto;
		__u16 dport;

		*reason = sg_l4_port(l3, len, &proto, &dport) ? SG_PASS_NOT_IP : SG_PASS_NOT_GUARDED;
		return 0;
	}
	if (sg_validator_run(v, l3, len, &res, 1, NULL)) {
		pr_warn("%s: packet %lu: the kernel could not run the validator\n",
			file, idx);
		return SG_EXIT_FAIL;
	}
	/* report mode: SG_RET_REPORT | reason; without it (an old program)
	 * 0 is a pass and anything else the drop reason */
	*reason = (res & SG_RET_REPORT) ? (res & 0xff) : res;
	if (*reason >= SG_REASON_MAX) {
		pr_warn("%s: packet %lu: validator returned unknown reason %#x\n",
			file, idx, res);
		return SG_EXIT_FAIL;
	}
	sg_validator_detail(v, det);
	if (more && *reason >= SG_FIRST_DROP && det->kind == SG_DET_LINE && !det->line) {
		char buf[192];
		struct sg_pkt p;

		sg_pkt_decode(l3, len, &p);
		if (*sg_detail_message(*reason, p.payload, p.payload_len, p.src, buf, sizeof(buf)))
			*more = strdup(buf);
	}
	return 0;
}

/* Returns 0, or SG_EXIT_* after printing why. IP fragments are reassembled
 * as the kernel does before sipguard's chain: every fragment of a datagram
 * gets the datagram's verdict; the fragments of one never completed (or
 * overlapping) are dropped (fragment). TCP streams are followed across the
 * packets (the validator's flow table). */
static int judge_capture(struct sg_validator *v, const struct sg_config *cfg, const char *file,
			 unsigned int ci, struct run *r)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct sg_reasm *ra = sg_reasm_new();
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *pc;
	int dlt, rc, ret = 0;
	unsigned long idx = 0;

	pc = pcap_open_offline(file, errbuf);
	if (!pc || !ra) {
		pr_warn("%s: cannot read capture: %s\n", file, errbuf);
		sg_reasm_free(ra);
		if (pc)
			pcap_close(pc);
		return SG_EXIT_USAGE;
	}
	dlt = pcap_datalink(pc);
	if (!sg_capture_dlt_supported(dlt)) {
		const char *nm = pcap_datalink_val_to_name(dlt);

		pr_warn("%s: unsupported link type %d (%s): use Ethernet, Linux cooked, raw IP or loopback captures\n",
			file, dlt, nm ? nm : "?");
		ret = SG_EXIT_USAGE;
		goto out;
	}
	while ((rc = pcap_next_ex(pc, &h, &d)) == 1) {
		unsigned int reason = SG_PASS_NOT_IP;
		struct sg_detail det = { 0 };
		char *more = NULL;
		const unsigned long *members;
		const __u8 *whole;
		size_t whole_len, n;
		unsigned long slot = r->n;
		int off, fr;

		idx++;
		off = sg_capture_l3_offset(dlt, d, h->caplen);
		if (off < 0) {
			if (push(r, ci, reason, &det)) {
				ret = SG_EXIT_FAIL;
				goto out;
			}
			continue;
		}
		fr = sg_reasm_feed(ra, slot, d + off, h->caplen - off, &whole, &whole_len, &members, &n);
		if (fr == SG_REASM_NONE) {
			ret = judge_l3(v, cfg, d + off, h->caplen - off, file, idx, &reason, &det, &more);
			if (ret)
				goto out;
		} else {
			/* held until the datagram is whole; dropped if it never is */
			reason = SG_DROP_FRAGMENT;
		}
		if (push(r, ci, reason, &det)) {
			free(more);
			ret = SG_EXIT_FAIL;
			goto out;
		}
		r->v[r->n - 1].more = more;
		if (fr == SG_REASM_DONE) {
			ret = judge_l3(v, cfg, whole, whole_len, file, idx, &reason, &det, NULL);
			if (ret)
				goto out;
			for (size_t k = 0; k < n; k++) {
				r->counts[r->v[members[k]].reason]--;
				r->v[members[k]].reason = (__u8)reason;
				memset(&r->v[members[k]].det, 0, sizeof(det));
				if (reason >= SG_FIRST_DROP)
					r->v[members[k]].det = det;
				r->counts[reason]++;
			}
		}
	}
	if (rc == PCAP_ERROR) {
		pr_warn("%s: packet %lu: unreadable capture (%s): the file is truncated or corrupt, no verdicts given\n",
			file, idx + 1, pcap_geterr(pc));
		ret = SG_EXIT_USAGE;
	}
	sg_reasm_incomplete(ra, mark_fragment, r);
out:
	sg_reasm_free(ra);
	pcap_close(pc);
	return ret;
}

/* The text of the signature a detail names (the profile's pattern). */
static const char *pattern_text(const struct sg_profile *p, const struct sg_detail *d)
{
	if (d->kind != SG_DET_SIGNATURE || !d->value || d->value > p->n_patterns)
		return NULL;
	return p->patterns[d->value - 1].text;
}

static bool is_sip_reason(unsigned int r)
{
	return r != SG_PASS_NOT_GUARDED && r != SG_PASS_NOT_IP && r != SG_PASS_TCP_CONTROL &&
	       r != SG_PASS_TCP_RETRANSMIT;
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "own-host", required_argument, NULL, 'o' },
		{ "peer", required_argument, NULL, 'P' },
		{ "mode", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sg_customer_opts co = { .mode = -1, .report = true };
	const char *profile = NULL;
	const char **hosts = NULL, **peers = NULL;
	struct sg_validator *v = NULL;
	struct sg_profile p;
	struct run r = { 0 };
	bool json = false, monitor, have_profile = false;
	unsigned long passed = 0, dropped = 0, would = 0, sip = 0;
	int c, ret = SG_EXIT_OK, err, ncap;

	hosts = calloc(argc, sizeof(*hosts));
	peers = calloc(argc, sizeof(*peers));
	if (!hosts || !peers) {
		ret = SG_EXIT_FAIL;
		goto out;
	}
	while ((c = getopt_long(argc, argv, "p:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'p': profile = optarg; break;
		case 'j': json = true; break;
		case 'o': hosts[co.n_own_hosts++] = optarg; break;
		case 'P': peers[co.n_peers++] = optarg; break;
		case 'm':
			if (!strcmp(optarg, "enforce"))
				co.mode = 0;
			else if (!strcmp(optarg, "monitor"))
				co.mode = 1;
			else {
				pr_warn("check: --mode must be enforce or monitor, not '%s'\n", optarg);
				ret = SG_EXIT_USAGE;
				goto out;
			}
			break;
		case 'h': usage(stdout); goto out;
		default: usage(stderr); ret = SG_EXIT_USAGE; goto out;
		}
	}
	co.own_hosts = hosts;
	co.peers = peers;
	if (!profile) {
		pr_warn("check: --profile is required (see 'sipguard profiles')\n");
		usage(stderr);
		ret = SG_EXIT_USAGE;
		goto out;
	}
	ncap = argc - optind;
	if (ncap <= 0) {
		pr_warn("check: give at least one capture file\n");
		usage(stderr);
		ret = SG_EXIT_USAGE;
		goto out;
	}
	err = sg_profile_load(profile, &p);
	if (err) {
		ret = SG_EXIT_USAGE;
		goto out;
	}
	have_profile = true;
	sg_log_clear();
	err = sg_validator_load(&p, &co, &v);
	if (err && !sg_log_first()) /* a map it could not create says nothing */
		pr_warn("cannot load the validator: %s%s\n", strerror(-err),
			err == -EPERM || err == -EACCES ? " (run as root: CAP_BPF and CAP_NET_ADMIN)" : "");
	if (err) {
		ret = (err == -EPERM || err == -EACCES) ? SG_EXIT_ENV
			: (err == -EINVAL && (co.n_own_hosts || co.n_peers)) ? SG_EXIT_USAGE : SG_EXIT_FAIL;
		goto out;
	}
	monitor = co.mode == 1 || (co.mode == -1 && (p.cfg.flags & SG_F_MONITOR));
	for (int i = 0; i < ncap; i++) {
		ret = judge_capture(v, &p.cfg, argv[optind + i], i, &r);
		if (ret)
			goto out;
	}

	for (size_t i = 0; i < r.n; i++) {
		unsigned int rs = r.v[i].reason;

		if (is_sip_reason(rs))
			sip++;
		if (rs >= SG_FIRST_DROP) {
			if (monitor)
				would++, passed++;
			else
				dropped++;
		} else {
			passed++;
		}
	}
	if (json) {
		struct json_object *doc = sg_json_doc(), *o, *a;

		sg_json_str(doc, "profile", p.name);
		sg_json_str(doc, "mode", monitor ? "monitor" : "enforce");
		sg_json_u64(doc, "packets", r.n);
		sg_json_u64(doc, "sip", sip);
		sg_json_u64(doc, "passed", passed);
		sg_json_u64(doc, "dropped", dropped);
		sg_json_u64(doc, "would_drop", would);
		o = sg_json_obj(doc, "reasons");
		for (int k = 0; k < SG_REASON_MAX; k++)
			if (r.counts[k])
				sg_json_u64(o, reason_name(k), r.counts[k]);
		a = sg_json_arr(doc, "verdicts");
		for (size_t i = 0; i < r.n; i++) {
			unsigned int rs = r.v[i].reason;
			bool drop = rs >= SG_FIRST_DROP;
			struct json_object *vo = json_object_new_object();

			sg_json_u64(vo, "index", i + 1);
			if (ncap > 1)
				sg_json_str(vo, "capture", argv[optind + r.v[i].capture]);
			sg_json_str(vo, "verdict", drop && !monitor ? "drop" : "pass");
			sg_json_str(vo, "reason", reason_name(rs));
			if (drop && monitor)
				sg_json_bool(vo, "would_drop", true);
			if (drop)
				sg_detail_json(vo, &r.v[i].det, rs, pattern_text(&p, &r.v[i].det));
			if (drop && r.v[i].more)
				sg_json_str(vo, "detail", r.v[i].more);
			json_object_array_add(a, vo);
		}
		sg_json_emit(doc);
	} else {
		for (size_t i = 0; i < r.n; i++) {
			unsigned int rs = r.v[i].reason;
			bool drop = rs >= SG_FIRST_DROP;

			printf("%zu", i + 1);
			if (ncap > 1)
				printf(" %s", argv[optind + r.v[i].capture]);
			printf(" %s %s%s", drop && !monitor ? "drop" : "pass", reason_name(rs),
			       drop && monitor ? " (would drop)" : "");
			if (drop && r.v[i].det.kind) {
				char text[256];

				sg_detail_text(&r.v[i].det, rs, pattern_text(&p, &r.v[i].det), text,
					       sizeof(text));
				if (r.v[i].more || text[0])
					printf(": %s", r.v[i].more ? r.v[i].more : text);
			}
			printf("\n");
		}
		printf("\nprofile %s (%s): %zu packets, %lu sip, %lu passed, %lu dropped, %lu would drop\n",
		       p.name, monitor ? "monitor" : "enforce", r.n, sip, passed, dropped, would);
		for (int k = 0; k < SG_REASON_MAX; k++)
			if (r.counts[k])
				printf("  %-22s %lu%s\n", reason_name(k), r.counts[k],
				       k < SG_FIRST_DROP ? "" : monitor ? " (would drop)" : " (drop)");
	}
out:
	/* a failure other than bad input (1: the validator, 3: privileges):
	 * --json still gets an object, with why */
	if (json && ret != SG_EXIT_OK && ret != SG_EXIT_USAGE) {
		struct json_object *doc = sg_json_doc();

		sg_json_str(doc, "error", sg_log_first() ? sg_log_first() : "failed");
		sg_json_emit(doc);
	}
	sg_validator_free(v);
	if (have_profile)
		sg_profile_free(&p);
	for (size_t i = 0; i < r.n; i++)
		free(r.v[i].more);
	free(r.v);
	free(hosts);
	free(peers);
	return ret;
}
