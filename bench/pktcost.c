// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * pktcost: cost per packet of the sipguard validator, offline, with
 * BPF_PROG_TEST_RUN (the kernel program itself), side by side with a trivial
 * socket filter (the floor) and with osip2 parsing the same message in
 * userspace. Every configuration is measured in interleaved rounds and the
 * median is kept, so ratios compare numbers taken at the same time.
 *
 *   pktcost [--repeat N] [--rounds N] [--osip-iters N] [--profile P] [--tsv F]
 *           cost                       per packet x per validator table
 *   pktcost ... sizes 200,400,...      pbx / trivial / osip2 vs message size
 *   pktcost ... patterns A.ini B.ini   INVITE cost under each profile
 *   pktcost ... events                 drop events off / sampled / every drop
 *   pktcost ... variants               may_goto vs portable variant, every packet
 *   pktcost ... tcp                    one INVITE per segment of a followed TCP
 *                                      stream, or split over two, vs UDP
 *   pktcost pin PROFILE DIR            load PROFILE and pin under DIR (live bench)
 *   pktcost dump DIR                   write the test payloads (*.sip) to DIR
 *   pktcost genpat N SEED              N random 'any:' patterns on stdout
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <osipparser2/osip_parser.h>

#include "sg_trivial.skel.h"
#include "sipguard.h"
#include "sip_parse_user.h"
#include "profile.h"
#include "validator.h"

int sg_verbose;

static const char *reason_name(__u32 r)
{
	switch (r & 0xff) {
#define SG_REASON_STR(name, val, s, d) case val: return s;
		SG_REASONS(SG_REASON_STR)
#undef SG_REASON_STR
	}
	return "?";
}

/* ---- packets ---------------------------------------------------------- */
struct pkt {
	const char *name;
	char payload[4096];
	__u32 plen;
	__u8 l3[4200];
	__u32 len;
};

static const char sdp_fmt[] =
	"v=0\r\n"
	"o=alice 2890844526 2890844526 IN IP4 198.51.100.20\r\n"
	"s=-\r\n"
	"c=IN IP4 198.51.100.20\r\n"
	"t=0 0\r\n"
	"m=audio 49170 RTP/AVP 0 8 9 18 101\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:9 G722/8000\r\n"
	"a=rtpmap:18 G729/8000\r\n"
	"a=fmtp:18 annexb=no\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-16\r\n"
	"a=ptime:20\r\n"
	"a=sendrecv\r\n";

/* INVITE with SDP; pad with an X-Pad header to reach TARGET bytes (0 = none). */
static __u32 make_invite(char *out, size_t n, __u32 target)
{
	char pad[4096] = "";
	int len = 0;

	for (int pass = 0; pass < 2; pass++) {
		len = snprintf(out, n,
			"INVITE sip:bob@192.0.2.10:5060 SIP/2.0\r\n"
			"Via: SIP/2.0/UDP 198.51.100.20:5060;branch=z9hG4bK776asdhds;rport\r\n"
			"Max-Forwards: 70\r\n"
			"To: Bob <sip:bob@192.0.2.10>\r\n"
			"From: Alice <sip:alice@198.51.100.20>;tag=1928301774\r\n"
			"Call-ID: a84b4c76e66710@198.51.100.20\r\n"
			"CSeq: 314159 INVITE\r\n"
			"Contact: <sip:alice@198.51.100.20:5060>\r\n"
			"User-Agent: Linphone/5.2.0 (belle-sip/5.2.0)\r\n"
			"Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, NOTIFY, MESSAGE, SUBSCRIBE, INFO, UPDATE\r\n"
			"Supported: replaces, outbound, gruu\r\n"
			"%s"
			"Content-Type: application/sdp\r\n"
			"Content-Length: %zu\r\n\r\n%s",
			pad, strlen(sdp_fmt), sdp_fmt);
		if (!target || (__u32)len >= target)
			break;
		/* "X-Pad: " + k + CRLF = k + 9 bytes */
		int k = (int)target - len - 9;
		if (k < 1)
			break;
		strcpy(pad, "X-Pad: ");
		memset(pad + 7, 'p', k);
		strcpy(pad + 7 + k, "\r\n");
	}
	return (__u32)len;
}

/* A minimal INVITE without body (~190 B), padded to TARGET with X-Pad. */
static __u32 make_small(char *out, size_t n, __u32 target)
{
	static const char fmt[] =
		"INVITE sip:bob@192.0.2.10 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 198.51.100.20;branch=z9hG4bK74bf9\r\n"
		"Max-Forwards: 70\r\n"
		"To: <sip:bob@192.0.2.10>\r\n"
		"From: <sip:alice@198.51.100.20>;tag=9fxced76sl\r\n"
		"Call-ID: 3848276298220188511\r\n"
		"CSeq: 1 INVITE\r\n"
		"%sContent-Length: 0\r\n\r\n";
	char pad[4096] = "";
	int len = snprintf(out, n, fmt, "");
	int k = (int)target - len - 9;

	if (k >= 1 && k < 4000) {
		strcpy(pad, "X-Pad: ");
		memset(pad + 7, 'p', k);
		strcpy(pad + 7 + k, "\r\n");
		len = snprintf(out, n, fmt, pad);
	}
	return (__u32)len;
}

static const char m_register[] =
	"REGISTER sip:192.0.2.10 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 198.51.100.20:5060;branch=z9hG4bKnashds7;rport\r\n"
	"Max-Forwards: 70\r\n"
	"To: Bob <sip:bob@192.0.2.10>\r\n"
	"From: Bob <sip:bob@192.0.2.10>;tag=456248\r\n"
	"Call-ID: 843817637684230@998sdasdh09\r\n"
	"CSeq: 1826 REGISTER\r\n"
	"Contact: <sip:bob@198.51.100.20:5060>;expires=3600\r\n"
	"User-Agent: Yealink SIP-T46S 66.86.0.15\r\n"
	"Content-Length: 0\r\n\r\n";

static const char m_options[] =
	"OPTIONS sip:192.0.2.10 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 198.51.100.20:5060;branch=z9hG4bKhjhs8ass877\r\n"
	"Max-Forwards: 70\r\n"
	"To: <sip:192.0.2.10>\r\n"
	"From: <sip:monitor@198.51.100.20>;tag=1928301774\r\n"
	"Call-ID: a84b4c76e66710\r\n"
	"CSeq: 63104 OPTIONS\r\n"
	"Accept: application/sdp\r\n"
	"Content-Length: 0\r\n\r\n";

static const char m_200[] =
	"SIP/2.0 200 OK\r\n"
	"Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKnashds8;received=192.0.2.10\r\n"
	"To: Bob <sip:bob@198.51.100.20>;tag=a6c85cf\r\n"
	"From: Alice <sip:alice@192.0.2.10>;tag=1928301774\r\n"
	"Call-ID: a84b4c76e66710@192.0.2.10\r\n"
	"CSeq: 314159 INVITE\r\n"
	"Contact: <sip:bob@198.51.100.20>\r\n"
	"Server: Asterisk PBX 18.10.0\r\n"
	"Content-Length: 0\r\n\r\n";

static const char m_svmap[] =
	"OPTIONS sip:100@192.0.2.10 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 198.51.100.20:5060;branch=z9hG4bK-2187311528;rport\r\n"
	"Content-Length: 0\r\n"
	"From: \"sipvicious\"<sip:100@1.1.1.1>;tag=6331636136363061313363340131363537383837343336\r\n"
	"Accept: application/sdp\r\n"
	"User-Agent: friendly-scanner\r\n"
	"To: \"sipvicious\"<sip:100@1.1.1.1>\r\n"
	"Contact: sip:100@198.51.100.20:5060\r\n"
	"CSeq: 1 OPTIONS\r\n"
	"Call-ID: 863463818082146557924133\r\n"
	"Max-Forwards: 70\r\n\r\n";

static const char m_malformed[] =
	"INVITE sip:bob@192.0.2.10 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 198.51.100.20:5060;branch=z9hG4bK776asdhds\r\n"
	"Max-Forwards: 70\r\n"
	"To: Bob <sip:bob@192.0.2.10>\r\n"
	"From: Alice <sip:alice@198.51.100.20>;tag=1928301774\r\n"
	"Call-ID: a84b4c76e66710@198.51.100.20\r\n"
	"CSeq: 314159 BYE\r\n"
	"Contact: <sip:alice@198.51.100.20>\r\n"
	"Content-Length: 0\r\n\r\n";

static void set_udp(struct pkt *p, const char *name, const char *payload, __u32 plen)
{
	p->name = name;
	memcpy(p->payload, payload, plen);
	p->plen = plen;
	p->len = sg_user_wrap_udp4(payload, plen, 5060, p->l3);
}

static void set_tcp_seg(struct pkt *p, const char *name, const char *payload, __u32 plen,
			__u32 seq, __u8 flags)
{
	static const __u8 ip[20] = { 0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 6, 0, 0,
				     198, 51, 100, 20, 192, 0, 2, 10 };
	__u32 tot = plen + 40;
	__u8 *o = p->l3;

	p->name = name;
	memcpy(p->payload, payload, plen);
	p->plen = plen;
	memset(o, 0, 40);
	memcpy(o, ip, 20);
	o[2] = tot >> 8;
	o[3] = tot & 0xff;
	o[20] = 40000 >> 8; o[21] = 40000 & 0xff;       /* sport */
	o[22] = 5060 >> 8;  o[23] = 5060 & 0xff;        /* dport */
	o[24] = seq >> 24; o[25] = seq >> 16; o[26] = seq >> 8; o[27] = seq;
	o[31] = 1;                                      /* ack */
	o[32] = 5 << 4;                                 /* data offset */
	o[33] = flags;
	o[34] = 0xff; o[35] = 0xff;                     /* window */
	memcpy(o + 40, payload, plen);
	p->len = tot;
}

static void set_tcp(struct pkt *p, const char *name, const char *payload, __u32 plen)
{
	set_tcp_seg(p, name, payload, plen, 1, 0x18 /* PSH|ACK */);
}

static int build_packets(struct pkt *ps)
{
	char buf[4096];
	__u32 n;
	int k = 0;

	n = make_invite(buf, sizeof(buf), 0);
	set_udp(&ps[k++], "INVITE+SDP", buf, n);
	set_udp(&ps[k++], "REGISTER", m_register, strlen(m_register));
	set_udp(&ps[k++], "OPTIONS", m_options, strlen(m_options));
	set_udp(&ps[k++], "200 OK", m_200, strlen(m_200));
	set_udp(&ps[k++], "svmap probe", m_svmap, strlen(m_svmap));
	set_udp(&ps[k++], "malformed (CSeq)", m_malformed, strlen(m_malformed));
	n = make_invite(buf, sizeof(buf), 1400);
	set_udp(&ps[k++], "INVITE 1400 B", buf, n);
	n = make_invite(buf, sizeof(buf), 0);
	set_tcp(&ps[k++], "INVITE over TCP", buf, n);
	/* what a flood of garbage to the SIP port costs (not-sip) */
	for (__u32 i = 0, x = 2463534242u; i < 1400; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (char)(x >> 24);
	}
	set_udp(&ps[k++], "garbage 1400 B", buf, 1400);
	return k;
}

/* ---- measurement ---------------------------------------------------- */
static __u32 g_repeat = 100000, g_rounds = 5, g_osip_iters = 20000;

/* The kernel's own time for P, averaged over REPEAT runs. */
static double test_run_n(int fd, const struct pkt *p, __u32 *ret, __u32 repeat)
{
	LIBBPF_OPTS(bpf_test_run_opts, o);
	__u8 buf[4300];

	memset(buf, 0, 14);
	buf[0] = 2; buf[6] = 2; buf[11] = 1; buf[12] = 0x08;
	memcpy(buf + 14, p->l3, p->len);
	o.data_in = buf;
	o.data_size_in = p->len + 14;
	o.repeat = repeat;
	if (bpf_prog_test_run_opts(fd, &o)) {
		fprintf(stderr, "pktcost: BPF_PROG_TEST_RUN: %s\n", strerror(errno));
		exit(1);
	}
	if (ret)
		*ret = o.retval;
	return o.duration;
}

static double test_run(int fd, const struct pkt *p, __u32 *ret)
{
	return test_run_n(fd, p, ret, g_repeat);
}

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static double osip_cost(const struct pkt *p)
{
	double t0 = now_ns();

	for (__u32 i = 0; i < g_osip_iters; i++) {
		osip_message_t *m;

		osip_message_init(&m);
		osip_message_parse(m, p->payload, p->plen);
		osip_message_free(m);
	}
	return (now_ns() - t0) / g_osip_iters;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- configurations ------------------------------------------------- */
static const char *g_profile = "pbx";

#define NO_CHECKS 0x80000000u
static struct sg_validator *load_validator(const struct sg_profile *p, __u32 checks)
{
	struct sg_profile q = *p;
	struct sg_validator *v;

	if (checks)
		q.cfg.checks = checks == NO_CHECKS ? 0 : checks;
	if (sg_validator_load(&q, NULL, &v)) {
		fprintf(stderr, "pktcost: cannot load validator for %s\n", p->name);
		exit(1);
	}
	return v;
}

static int trivial_fd(void)
{
	struct sg_trivial *t = sg_trivial__open_and_load();

	if (!t) {
		fprintf(stderr, "pktcost: cannot load the trivial program\n");
		exit(1);
	}
	return bpf_program__fd(t->progs.sg_trivial);
}

static FILE *g_tsv;

/* cost: every packet x {trivial, methods, sanity, signatures, reflection, pbx, osip2} */
static int cmd_cost(void)
{
	static struct pkt ps[16];
	static const struct { const char *name; __u32 checks; } cf[] = {
		{ "none", NO_CHECKS }, { "methods", SG_CHECK_METHODS }, { "sanity", SG_CHECK_SANITY },
		{ "signatures", SG_CHECK_SIGNATURES }, { "reflection", SG_CHECK_REFLECTION },
		{ "pbx", 0 },
	};
	enum { NC = 6 };
	struct sg_profile prof;
	int fds[NC + 1], np = build_packets(ps);

	if (sg_profile_load(g_profile, &prof))
		return 1;
	fds[0] = trivial_fd();
	for (int c = 0; c < NC; c++)
		fds[c + 1] = sg_validator_prog_fd(load_validator(&prof, cf[c].checks));

	printf("| packet | SIP bytes | %s verdict | trivial ns | parse only ns | methods ns | sanity ns | signatures ns | reflection ns | **%s ns** | osip2 ns | %s ns/B | **%s / trivial** | **osip2 / %s** |\n",
	       prof.name, prof.name, prof.name, prof.name, prof.name);
	printf("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	if (g_tsv)
		fprintf(g_tsv, "#packet\tbytes\ttrivial\tnone\tmethods\tsanity\tsignatures\treflection\tpbx\tosip2\n");
	for (int i = 0; i < np; i++) {
		double v[NC + 2][64], med[NC + 2];
		__u32 ret = 0;

		for (__u32 r = 0; r < g_rounds; r++) {
			for (int c = 0; c <= NC; c++)
				v[c][r] = test_run(fds[c], &ps[i], c == NC ? &ret : NULL);
			v[NC + 1][r] = osip_cost(&ps[i]);
		}
		for (int c = 0; c < NC + 2; c++)
			med[c] = median(v[c], g_rounds);
		printf("| %s | %u | %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | **%.0f** | %.0f | %.2f | **%.1fx** | **%.1fx** |\n",
		       ps[i].name, ps[i].plen, ret ? reason_name(ret) : "pass",
		       med[0], med[1], med[2], med[3], med[4], med[5], med[6], med[7],
		       med[6] / ps[i].plen, med[6] / (med[0] > 0 ? med[0] : 1),
		       med[7] / (med[6] > 0 ? med[6] : 1));
		if (g_tsv)
			fprintf(g_tsv, "\"%s\"\t%u\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\n", ps[i].name,
				ps[i].plen, med[0], med[1], med[2], med[3], med[4], med[5], med[6], med[7]);
		fflush(stdout);
	}
	return 0;
}

/* sizes: INVITE padded to each size, trivial / pbx / osip2 */
static int cmd_sizes(const char *list)
{
	struct sg_profile prof;
	int fdt, fdv;
	char *dup = strdup(list), *s, *save = NULL;

	if (sg_profile_load(g_profile, &prof))
		return 1;
	fdt = trivial_fd();
	fdv = sg_validator_prog_fd(load_validator(&prof, 0));
	printf("| SIP bytes | %s verdict | trivial ns | %s ns | %s ns/B | osip2 ns | osip2 ns/B | %s / trivial | osip2 / %s |\n",
	       prof.name, prof.name, prof.name, prof.name, prof.name);
	printf("|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
	if (g_tsv)
		fprintf(g_tsv, "#bytes\ttrivial\tpbx\tosip2\n");
	for (s = strtok_r(dup, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
		static struct pkt p;
		char buf[4096];
		double vt[64], vv[64], vo[64], t, b, o;
		__u32 ret = 0, n = make_small(buf, sizeof(buf), atoi(s));

		set_udp(&p, "INVITE", buf, n);
		for (__u32 r = 0; r < g_rounds; r++) {
			vt[r] = test_run(fdt, &p, NULL);
			vv[r] = test_run(fdv, &p, &ret);
			vo[r] = osip_cost(&p);
		}
		t = median(vt, g_rounds);
		b = median(vv, g_rounds);
		o = median(vo, g_rounds);
		printf("| %u | %s | %.0f | %.0f | %.2f | %.0f | %.2f | %.1fx | %.1fx |\n", n,
		       ret ? reason_name(ret) : "pass", t, b, b / n, o, o / n, b / (t ? t : 1), o / (b ? b : 1));
		if (g_tsv)
			fprintf(g_tsv, "%u\t%.1f\t%.1f\t%.1f\n", n, t, b, o);
		fflush(stdout);
	}
	free(dup);
	return 0;
}

/* patterns: INVITE (passes) and svmap probe (scanner) under each profile file */
static int cmd_patterns(int n, char **files)
{
	static struct pkt ps[16];
	struct sg_profile prof[16];
	int fdt, fds[16];

	build_packets(ps);
	if (n > 16)
		n = 16;
	fdt = trivial_fd();
	for (int i = 0; i < n; i++) {
		if (sg_profile_load(files[i], &prof[i]))
			return 1;
		fds[i] = sg_validator_prog_fd(load_validator(&prof[i], 0));
	}
	printf("| profile | patterns | DFA states | INVITE verdict | INVITE ns | INVITE / trivial | svmap verdict | svmap ns |\n");
	printf("|---|---:|---:|---|---:|---:|---|---:|\n");
	if (g_tsv)
		fprintf(g_tsv, "#patterns\tstates\ttrivial\tinvite\tsvmap\n");
	for (int i = 0; i < n; i++) {
		double vt[64], vi[64], vs[64], t, a, b;
		__u32 ri = 0, rs = 0;

		for (__u32 r = 0; r < g_rounds; r++) {
			vt[r] = test_run(fdt, &ps[0], NULL);
			vi[r] = test_run(fds[i], &ps[0], &ri);
			vs[r] = test_run(fds[i], &ps[4], &rs);
		}
		t = median(vt, g_rounds);
		a = median(vi, g_rounds);
		b = median(vs, g_rounds);
		printf("| %s | %u | %u | %s | %.0f | %.1fx | %s | %.0f |\n", prof[i].name,
		       prof[i].n_patterns, prof[i].cfg.dfa_states, ri ? reason_name(ri) : "pass", a,
		       a / (t ? t : 1), rs ? reason_name(rs) : "pass", b);
		if (g_tsv)
			fprintf(g_tsv, "%u\t%u\t%.1f\t%.1f\t%.1f\n", prof[i].n_patterns,
				prof[i].cfg.dfa_states, t, a, b);
		fflush(stdout);
	}
	return 0;
}

/* events: what drop events cost a flood. The svmap probe (a scanner drop)
 * and the INVITE (a pass) under the profile with events off, sampled (the
 * profile's rate: in a flood nearly every drop only counts as suppressed)
 * and unlimited (every drop writes an event to the ring), in interleaved
 * rounds. */
static int cmd_events(void)
{
	static struct pkt ps[16];
	static const char *const names[] = { "off ([events] rate = none)",
					     "sampled (the profile's rate)",
					     "every drop (no sampling)" };
	struct sg_profile p;
	int fd[3], fdt;
	double v[3][2][64], vt[64];

	build_packets(ps);
	if (sg_profile_load(g_profile, &p))
		return 1;
	fdt = trivial_fd();
	for (int k = 0; k < 3; k++) {
		struct sg_profile q = p;

		if (k == 0)
			q.cfg.ev_interval_ns = 0;
		if (k == 2) {
			q.cfg.ev_interval_ns = 1;
			q.cfg.ev_burst = 0xffffffffu;
		}
		fd[k] = sg_validator_prog_fd(load_validator(&q, 0));
	}
	for (__u32 r = 0; r < g_rounds; r++) {
		vt[r] = test_run(fdt, &ps[0], NULL);
		for (int k = 0; k < 3; k++) {
			v[k][0][r] = test_run(fd[k], &ps[4], NULL);
			v[k][1][r] = test_run(fd[k], &ps[0], NULL);
		}
	}
	printf("profile %s, %u runs per round, %u rounds, medians; trivial filter %.0f ns\n\n",
	       p.name, g_repeat, g_rounds, median(vt, g_rounds));
	printf("| drop events | svmap probe (scanner drop) ns | vs off | INVITE (pass) ns | vs off |\n");
	printf("|---|---:|---:|---:|---:|\n");
	for (int k = 0; k < 3; k++) {
		double d = median(v[k][0], g_rounds), i = median(v[k][1], g_rounds);
		double d0 = median(v[0][0], g_rounds), i0 = median(v[0][1], g_rounds);

		printf("| %s | %.0f | %+.1f%% | %.0f | %+.1f%% |\n", names[k], d, 100 * (d / d0 - 1), i,
		       100 * (i / i0 - 1));
	}
	return 0;
}

/* variants: the price of portability. The profile's validator loaded in
 * both variants (SIPGUARD_VARIANT, as an operator would force it), every
 * packet timed side by side in interleaved rounds, with the verifier's
 * instruction count of each. */
static int cmd_variants(void)
{
	static struct pkt ps[16];
	static const char *const vnames[] = { "may_goto", "portable" };
	struct sg_profile p;
	int fd[2], fdt, np = build_packets(ps);
	__u32 insns[2];

	if (sg_profile_load(g_profile, &p))
		return 1;
	fdt = trivial_fd();
	for (int k = 0; k < 2; k++) {
		struct sg_validator *v;

		setenv("SIPGUARD_VARIANT", vnames[k], 1);
		v = load_validator(&p, 0);
		fd[k] = sg_validator_prog_fd(v);
		insns[k] = sg_validator_verified_insns(v);
	}
	unsetenv("SIPGUARD_VARIANT");
	printf("profile %s, %u runs per round, %u rounds, medians; verifier instructions: "
	       "may_goto %u, portable %u\n\n", p.name, g_repeat, g_rounds, insns[0], insns[1]);
	printf("| packet | SIP bytes | verdict | trivial ns | may_goto ns | portable ns | **portable / may_goto** |\n");
	printf("|---|---:|---|---:|---:|---:|---:|\n");
	for (int i = 0; i < np; i++) {
		double v[3][64], m[3];
		__u32 ret = 0, ret2 = 0;

		for (__u32 r = 0; r < g_rounds; r++) {
			v[0][r] = test_run(fdt, &ps[i], NULL);
			v[1][r] = test_run(fd[0], &ps[i], &ret);
			v[2][r] = test_run(fd[1], &ps[i], &ret2);
		}
		for (int k = 0; k < 3; k++)
			m[k] = median(v[k], g_rounds);
		printf("| %s | %u | %s%s | %.0f | %.0f | %.0f | **%.2fx** |\n", ps[i].name, ps[i].plen,
		       ret ? reason_name(ret) : "pass", ret == ret2 ? "" : " (portable differs!)", m[0], m[1],
		       m[2], m[2] / (m[1] > 0 ? m[1] : 1));
		fflush(stdout);
	}
	return 0;
}

/* tcp: what following TCP streams costs per message. A stream is opened
 * with a SYN, then N segments each carry the INVITE at the next sequence
 * number (the flow table's lookup and update on every segment); then the
 * same INVITE split after its start line over two segments (the unfinished
 * line carried over, the message state kept between them); against the
 * INVITE over UDP timed the same way (one run per call: test_run's
 * duration for repeat 1 has the clock's granularity, so many calls are
 * timed and the medians of rounds compared). A data segment of a stream
 * whose SYN was not seen is dropped (tcp-no-flow): its cost too. */
static int cmd_tcp(void)
{
	enum { N = 2000 };
	static struct pkt ps[16], seg, syn, udp;
	static const char *const names[] = { "INVITE over UDP", "INVITE, one TCP segment",
					     "INVITE split over 2 TCP segments (per message)",
					     "TCP data without a SYN seen (tcp-no-flow)" };
	struct sg_profile p;
	double v[4][64];
	__u32 rets[4] = { 0 };
	char buf[4096];
	__u32 n, cut;
	int fd;

	build_packets(ps);
	if (sg_profile_load(g_profile, &p))
		return 1;
	fd = sg_validator_prog_fd(load_validator(&p, 0));
	n = make_invite(buf, sizeof(buf), 0);
	cut = (__u32)(strchr(buf, '\n') - buf) + 1 + 40; /* start line and a bit of the next */
	udp = ps[0];
	for (__u32 r = 0; r < g_rounds; r++) {
		/* a new stream per round and case: the source port changes */
		for (int k = 0; k < 4; k++) {
			double t = 0;
			__u32 seq = 1000, ret = 0;
			__u16 sport = (__u16)(20000 + r * 4 + k);

			if (k == 1 || k == 2) {
				set_tcp_seg(&syn, "SYN", "", 0, seq - 1, 0x02);
				syn.l3[20] = sport >> 8;
				syn.l3[21] = sport & 0xff;
				test_run_n(fd, &syn, NULL, 1);
			}
			for (int i = 0; i < N; i++) {
				if (k == 0) {
					t += test_run_n(fd, &udp, &ret, 1);
					continue;
				}
				if (k == 3) {
					set_tcp_seg(&seg, "data", buf, n, seq, 0x18);
					seg.l3[20] = (sport + 1000 + i) >> 8;
					seg.l3[21] = (sport + 1000 + i) & 0xff;
					t += test_run_n(fd, &seg, &ret, 1);
					continue;
				}
				for (__u32 off = 0; off < n;) {
					__u32 len = k == 1 ? n : off ? n - off : cut;

					set_tcp_seg(&seg, "data", buf + off, len, seq, 0x18);
					seg.l3[20] = sport >> 8;
					seg.l3[21] = sport & 0xff;
					t += test_run_n(fd, &seg, &ret, 1);
					if (ret)
						break;
					seq += len;
					off += len;
				}
			}
			v[k][r] = t / N;
			rets[k] |= ret;
		}
	}
	printf("profile %s, %d messages per round, one test_run per segment, %u rounds, medians\n\n",
	       p.name, N, g_rounds);
	printf("| case | SIP bytes | verdict | ns per message | vs UDP |\n");
	printf("|---|---:|---|---:|---:|\n");
	for (int k = 0; k < 4; k++) {
		double m = median(v[k], g_rounds), u = median(v[0], g_rounds);

		printf("| %s | %u | %s | %.0f | %.2fx |\n", names[k], n,
		       rets[k] ? reason_name(rets[k]) : "pass", m, m / (u ? u : 1));
	}
	return 0;
}

static int cmd_pin(const char *profile, const char *dir)
{
	struct sg_profile p;
	struct sg_validator *v;
	static const __u16 ports[] = { 5060, 0 };
	struct sg_customer_opts o = { .mode = 0, .ports = ports };

	if (sg_profile_load(profile, &p))
		return 1;
	if (sg_validator_load(&p, &o, &v))
		return 1;
	if (sg_validator_pin(v, dir))
		return 1;
	printf("%s/stub\n", dir);
	return 0;
}

/* Instructions the verifier processed for the pinned program PATH. */
static int cmd_insns(const char *path)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path);

	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 1;
	}
	printf("%u\n", info.verified_insns);
	close(fd);
	return 0;
}

/* Where the JIT put each source line of the pinned program PATH: one
 * "address file:line" per line-info record (bench/profile --lines maps perf
 * samples to source lines with it; needs the program's BTF). */
static int cmd_lines(const char *path)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), n, rec;
	struct bpf_line_info *li = NULL;
	__u64 *jl = NULL;
	struct btf *btf = NULL;
	int fd = bpf_obj_get(path), err = 1;

	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		goto out;
	}
	n = info.nr_jited_line_info < info.nr_line_info ? info.nr_jited_line_info
							 : info.nr_line_info;
	rec = info.line_info_rec_size;
	if (!n || rec < sizeof(*li)) {
		fprintf(stderr, "%s: no line info (program loaded without BTF?)\n", path);
		goto out;
	}
	li = calloc(n, rec);
	jl = calloc(n, sizeof(*jl));
	btf = btf__load_from_kernel_by_id(info.btf_id);
	if (!li || !jl || !btf) {
		fprintf(stderr, "%s: cannot read its line info or BTF\n", path);
		goto out;
	}
	memset(&info, 0, sizeof(info));
	info.nr_line_info = n;
	info.line_info_rec_size = rec;
	info.line_info = (unsigned long)li;
	info.nr_jited_line_info = n;
	info.jited_line_info_rec_size = sizeof(*jl);
	info.jited_line_info = (unsigned long)jl;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		goto out;
	}
	for (__u32 k = 0; k < n; k++) {
		const struct bpf_line_info *l = (const void *)((const char *)li + (size_t)k * rec);
		const char *file = btf__name_by_offset(btf, l->file_name_off);
		const char *base = file ? strrchr(file, '/') : NULL;

		printf("%llx %s:%u\n", (unsigned long long)jl[k], base ? base + 1 : file ? file : "?",
		       BPF_LINE_INFO_LINE_NUM(l->line_col));
	}
	err = 0;
out:
	btf__free(btf);
	free(li);
	free(jl);
	if (fd >= 0)
		close(fd);
	return err;
}

/* The packet set as NAME.sip (the SIP payload) and NAME.pkt (the whole
 * packet behind an Ethernet header, as BPF_PROG_TEST_RUN gets it here:
 * `bpftool prog run ... data_in NAME.pkt`). */
static int cmd_dump(const char *dir)
{
	static struct pkt ps[16];
	int np = build_packets(ps);
	static const char *names[] = { "invite", "register", "options", "200ok", "svmap",
				       "malformed", "invite1400", "invite-tcp", "garbage" };

	for (int i = 0; i < np && i < (int)(sizeof(names) / sizeof(names[0])); i++) {
		static const __u8 eth[14] = { 2, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1, 0x08, 0x00 };
		char path[4096];
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s.sip", dir, names[i]);
		f = fopen(path, "w");
		if (!f || fwrite(ps[i].payload, 1, ps[i].plen, f) != ps[i].plen || fclose(f)) {
			perror(path);
			return 1;
		}
		snprintf(path, sizeof(path), "%s/%s.pkt", dir, names[i]);
		f = fopen(path, "w");
		if (!f || fwrite(eth, 1, sizeof(eth), f) != sizeof(eth) ||
		    fwrite(ps[i].l3, 1, ps[i].len, f) != ps[i].len || fclose(f)) {
			perror(path);
			return 1;
		}
	}
	return 0;
}

static int cmd_genpat(int n, unsigned int seed)
{
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyz0123456789";

	srandom(seed);
	for (int i = 0; i < n; i++) {
		char t[32];
		int len = 8 + random() % 9;

		for (int k = 0; k < len; k++)
			t[k] = alpha[random() % (sizeof(alpha) - 1)];
		t[len] = 0;
		printf("any:%s\n", t);
	}
	return 0;
}

static void trace_nothing(const char *fi, int li, osip_trace_level_t level, const char *chfr,
			  va_list ap)
{
	(void)fi, (void)li, (void)level, (void)chfr, (void)ap;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: pktcost [--repeat N] [--rounds N] [--osip-iters N] [--profile P] [--tsv FILE]\n"
		"               cost | sizes LIST | patterns PROFILE... | events | variants | tcp\n"
		"       pktcost pin PROFILE DIR | insns PINNED_PROG | lines PINNED_PROG | dump DIR\n"
		"       pktcost genpat N SEED\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int i = 1;

	for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--repeat"))
			g_repeat = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--rounds"))
			g_rounds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--osip-iters"))
			g_osip_iters = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--profile"))
			g_profile = argv[++i];
		else if (!strcmp(argv[i], "--tsv")) {
			g_tsv = fopen(argv[++i], "w");
			if (!g_tsv) {
				perror(argv[i]);
				return 1;
			}
		} else
			usage();
	}
	if (g_rounds < 1 || g_rounds > 64)
		g_rounds = 5;
	if (i >= argc)
		usage();
	/* osip2 reports unparsable messages on stdout, into the tables */
	osip_trace_initialize_func(END_TRACE_LEVEL, trace_nothing);
	for (int l = 0; l < END_TRACE_LEVEL; l++)
		osip_trace_disable_level(l);
	parser_init();
	libbpf_set_print(NULL);
	if (!strcmp(argv[i], "cost"))
		return cmd_cost();
	if (!strcmp(argv[i], "sizes") && i + 1 < argc)
		return cmd_sizes(argv[i + 1]);
	if (!strcmp(argv[i], "patterns") && i + 1 < argc)
		return cmd_patterns(argc - i - 1, argv + i + 1);
	if (!strcmp(argv[i], "events"))
		return cmd_events();
	if (!strcmp(argv[i], "tcp"))
		return cmd_tcp();
	if (!strcmp(argv[i], "variants"))
		return cmd_variants();
	if (!strcmp(argv[i], "pin") && i + 2 < argc)
		return cmd_pin(argv[i + 1], argv[i + 2]);
	if (!strcmp(argv[i], "insns") && i + 1 < argc)
		return cmd_insns(argv[i + 1]);
	if (!strcmp(argv[i], "lines") && i + 1 < argc)
		return cmd_lines(argv[i + 1]);
	if (!strcmp(argv[i], "dump") && i + 1 < argc)
		return cmd_dump(argv[i + 1]);
	if (!strcmp(argv[i], "genpat") && i + 2 < argc)
		return cmd_genpat(atoi(argv[i + 1]), atoi(argv[i + 2]));
	usage();
	return 2;
}
