// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* sg_dfa_build against a naive case-insensitive substring search: random
 * pattern sets over small alphabets (many overlaps, suffix links), random
 * inputs with both cases and bytes in no pattern. For every field, the first
 * input position where the DFA accepts must equal the first position where
 * a pattern of that field ends. Also checks the limits (62 classes).
 * Then the validator's own scan (sip_parse.h, userspace build) on the same
 * sets, as a User-Agent value: with the flat table (sg_dfa_fast, including
 * sets deeper than its 256 states) and with the rows alone, values longer
 * than one scan chunk included; the verdict must be "scanner" exactly when
 * the naive search finds a User-Agent pattern. Then the prefilter that
 * spares values the DFA (prefilter_rounds).
 * Usage: dfa_test [ROUNDS] [SEED] */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "profile.h"
#include "sip_parse_user.h"

static unsigned long long rng;

static unsigned int rnd(unsigned int n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned int)((rng >> 33) % n);
}

/* TEXT as the DFA matches it (sipguard.h): TAB is SP and a run of spaces
 * is one, in patterns and text alike. Returns the new length. */
static size_t squeeze_ws(char *text, size_t len)
{
	size_t n = 0;

	for (size_t k = 0; k < len; k++) {
		char c = text[k] == '\t' ? ' ' : text[k];

		if (c == ' ' && n && text[n - 1] == ' ')
			continue;
		text[n++] = c;
	}
	return n;
}

/* first end position (index of last byte, in the squeezed text) of a
 * pattern with FIELD, or -1 */
static long naive(const struct sg_pattern *p, unsigned int n, const char *text, size_t tlen, __u32 field)
{
	static char in[4096], pat[64];
	size_t len = tlen < sizeof(in) ? tlen : sizeof(in);

	memcpy(in, text, len);
	len = squeeze_ws(in, len);
	for (size_t end = 0; end < len; end++)
		for (unsigned int i = 0; i < n; i++) {
			size_t pl = strlen(p[i].text);

			if (!(p[i].fields & field) || pl >= sizeof(pat))
				continue;
			memcpy(pat, p[i].text, pl);
			pl = squeeze_ws(pat, pl);
			if (pl > end + 1)
				continue;
			size_t k;

			for (k = 0; k < pl; k++)
				if (tolower((unsigned char)in[end + 1 - pl + k]) !=
				    tolower((unsigned char)pat[k]))
					break;
			if (k == pl)
				return (long)end;
		}
	return -1;
}

/* A value as the SIP stack reads it (sipguard.h): each fold before an
 * offset in CUTS is a space, "%XX" is the byte XX, "\\X" is X. The parser's
 * scan must follow the naive search of this. */
static size_t stack_reads(const char *in, size_t len, const size_t *cuts, unsigned int ncuts,
			  char *out)
{
	size_t n = 0;
	unsigned int k = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		while (k < ncuts && cuts[k] == i) {
			out[n++] = ' ';
			k++;
		}
		if (c == '%' && i + 2 < len && isxdigit((unsigned char)in[i + 1]) &&
		    isxdigit((unsigned char)in[i + 2]) &&
		    !(k < ncuts && (cuts[k] == i + 1 || cuts[k] == i + 2))) {
			char h[3] = { in[i + 1], in[i + 2], 0 };

			out[n++] = (char)strtoul(h, NULL, 16);
			i += 2;
		} else if (c == '\\' && i + 1 < len && !(k < ncuts && cuts[k] == i + 1)) {
			out[n++] = in[++i];
		} else {
			out[n++] = (char)c;
		}
	}
	while (k < ncuts && cuts[k] == len) {
		out[n++] = ' ';
		k++;
	}
	return n;
}

/* Raw offset AT of TEXT as an offset in the squeezed text (squeeze_ws),
 * where naive() reports; negative AT as it is. */
static long squeezed_at(const char *text, long at)
{
	long n = -1;
	int prev_ws = 0;

	for (long k = 0; k <= at; k++) {
		int ws = text[k] == ' ' || text[k] == '\t';

		if (!(ws && prev_ws))
			n++;
		prev_ws = ws;
	}
	return at < 0 ? at : n;
}

static long run(const struct sg_config *c, const struct sg_dfa_row *d, const char *in, size_t len, __u32 field)
{
	__u32 s = 0;

	for (size_t i = 0; i < len; i++) {
		s = d[s].next[c->byte_class[(unsigned char)tolower((unsigned char)in[i])] & (SG_DFA_CLASSES - 1)];
		if (s >= c->dfa_states)
			return -2;
		if (d[s].accept & field)
			return (long)i;
	}
	return -1;
}

/* The parser's scan of a User-Agent value IN, folded onto a new line (CRLF
 * SP) before each offset in CUTS (ascending, NCUTS of them): 1 = scanner,
 * 0 = pass, -1 = another verdict (a bug in the test's message). */
static int parser_scan_folded(const struct sg_config *c, const struct sg_dfa_row *d,
			      const struct sg_dfa_fast *fast, const char *in, size_t len,
			      const size_t *cuts, unsigned int ncuts)
{
	static __u8 msg[4096], pkt[4096 + 28];
	static const char head[] = "OPTIONS sip:a@b SIP/2.0\r\nUser-Agent: ";
	struct sg_config cfg = *c;
	struct sg_uenv env = { .dfa = d, .dfa_fast = fast };
	size_t n = sizeof(head) - 1, from = 0;
	__u32 r;

	memcpy(msg, head, n);
	for (unsigned int k = 0; k <= ncuts; k++) {
		size_t to = k < ncuts ? cuts[k] : len;

		memcpy(msg + n, in + from, to - from);
		n += to - from;
		if (k < ncuts) {
			memcpy(msg + n, "\r\n ", 3);
			n += 3;
		}
		from = to;
	}
	memcpy(msg + n, "\r\n\r\n", 4);
	n += 4;
	cfg.version = SG_CONFIG_VERSION;
	cfg.checks = SG_CHECK_SIGNATURES;
	cfg.ports[0] = 5060;
	cfg.port_protos[0] = SG_PROTO_UDP;
	cfg.max_message = 0xffff;
	env.pkt = pkt;
	env.len = sg_user_wrap_udp4(msg, (__u32)n, 5060, pkt);
	r = sg_user_judge(&env, &cfg);
	return r == SG_DROP_SCANNER ? 1 : r == SG_PASS_SIP ? 0 : -1;
}

static int parser_scan(const struct sg_config *c, const struct sg_dfa_row *d,
		       const struct sg_dfa_fast *fast, const char *in, size_t len)
{
	return parser_scan_folded(c, d, fast, in, len, NULL, 0);
}

/* Random value bytes that keep the header one line and its ends unpadded;
 * spaces and tabs inside it when the alphabet has them. */
static void value_bytes(char *in, size_t len, const char *al, size_t an)
{
	for (size_t k = 0; k < len; k++) {
		unsigned int w = rnd(20);
		unsigned char b = w == 0 ? (unsigned char)rnd(256) : w == 1 ? 'Q' : (unsigned char)al[rnd(an)];

		/* spaces and tabs only from the alphabet, and not at the ends
		 * (the value's own whitespace, which the stack trims) */
		if ((b <= ' ' || b == 0x7f) &&
		    !(w > 1 && (b == ' ' || b == '\t') && k > 0 && k + 1 < len))
			b = 'Q';
		in[k] = (char)(rnd(3) == 0 ? toupper(b) : b);
	}
}

/* Sets of up to 120 patterns (deeper than the flat table) and values up to
 * 1500 bytes (several scan chunks), fast table and rows alone. */
static unsigned long scan_rounds(unsigned long rounds, unsigned long *deep)
{
	static const char *alphabets[] = { "ab", "abc", "sip:@<>nm", "friendlyscaner-", "xyz01./" };
	static char texts[120][24], in[1500];
	static struct sg_pattern pats[120];
	static struct sg_dfa_fast fast;
	unsigned long fails = 0;

	for (unsigned long r = 0; r < rounds; r++) {
		const char *al = alphabets[rnd(5)];
		size_t an = strlen(al), len = rnd(r % 4 == 0 ? sizeof(in) : 300);
		unsigned int n = 1 + rnd(r % 3 == 0 ? 120 : 12);
		struct sg_config cfg;
		struct sg_dfa_row *d;

		for (unsigned int i = 0; i < n; i++) {
			unsigned int pl = 1 + rnd(r % 3 == 0 ? 20 : 6);

			for (unsigned int k = 0; k < pl; k++)
				texts[i][k] = (char)tolower((unsigned char)al[rnd(an)]);
			texts[i][pl] = 0;
			pats[i].text = texts[i];
			/* other fields: not the start line, which the message has too */
			pats[i].fields = rnd(2) ? SG_FIELD_USER_AGENT
						: (1u << rnd(8)) & ~(__u32)SG_FIELD_START_LINE;
			if (!pats[i].fields)
				pats[i].fields = SG_FIELD_FROM;
		}
		value_bytes(in, len, al, an);
		memset(&cfg, 0, sizeof(cfg));
		if (sg_dfa_build(pats, n, &cfg, &d)) {
			printf("scan round %lu: build failed\n", r);
			return fails + 1;
		}
		*deep += cfg.dfa_states > SG_DFA_FAST_STATES;
		sg_user_dfa_fast(d, cfg.dfa_states, &fast);
		{
			static char rd[1600];
			size_t rn = stack_reads(in, len, NULL, 0, rd);
			int want = naive(pats, n, rd, rn, SG_FIELD_USER_AGENT) >= 0;
			int a = parser_scan(&cfg, d, &fast, in, len), b = parser_scan(&cfg, d, NULL, in, len);

			if ((a != want || b != want) && fails++ < 10)
				printf("scan round %lu: naive %d, table %d, rows %d (%u patterns, %u states, value %zu bytes)\n",
				       r, want, a, b, n, cfg.dfa_states, len);
		}
		free(d);
	}
	return fails;
}

/* The prefilter (sg_prefilter_build, sip_parse.h): pattern sets whose
 * shortest pattern has 3..10 bytes (so the prefilter is on, strides 1..8;
 * with spaces and tabs in patterns and values too),
 * values with a pattern planted in half of them, folded over up to three
 * lines in half of them (cuts may split the planted pattern: the DFA state
 * carries over the fold). The verdict must follow the naive search of the
 * unfolded value. */
static unsigned long prefilter_rounds(unsigned long rounds, unsigned long *on)
{
	/* the last three with spaces and tabs: a pattern's space matches any
	 * run of them, so its grams cannot simply span it */
	static const char *alphabets[] = { "abc", "sip:@<>nm", "friendlyscaner-", "xyz01./",
					   "abcdefghijklmnopqrstuvwxyz", "smap 0.\t",
					   "ab \t", "friendly scaner-\t" };
	static char texts[40][24], in[600];
	static struct sg_pattern pats[40];
	static struct sg_dfa_fast fast;
	unsigned long fails = 0;

	for (unsigned long r = 0; r < rounds; r++) {
		const char *al = alphabets[rnd(8)];
		size_t an = strlen(al), len = 3 + rnd(rnd(4) ? 80 : sizeof(in) - 30), cuts[3];
		unsigned int n = 1 + rnd(40), ncuts = rnd(2) ? 0 : 1 + rnd(3), min = 3 + rnd(8);
		struct sg_config cfg;
		struct sg_dfa_row *d;

		for (unsigned int i = 0; i < n; i++) {
			unsigned int pl = min + rnd(12);

			for (unsigned int k = 0; k < pl; k++)
				texts[i][k] = (char)tolower((unsigned char)al[rnd(an)]);
			texts[i][pl] = 0;
			pats[i].text = texts[i];
			pats[i].fields = rnd(4) ? SG_FIELD_USER_AGENT : SG_FIELD_FROM;
		}
		size_t split = SIZE_MAX; /* a cut inside the planted pattern */

		value_bytes(in, len, al, an);
		if (rnd(2)) { /* plant one, in any case */
			const char *t = texts[rnd(n)];
			size_t pl = strlen(t), at = len >= pl ? rnd((unsigned int)(len - pl + 1)) : 0;

			for (size_t k = 0; k < pl && at + k < len; k++)
				in[at + k] = rnd(2) ? (char)toupper((unsigned char)t[k]) : t[k];
			split = at + 1 + rnd((unsigned int)pl - 1);
			/* a pattern's own space may not pad the value */
			if (in[0] == ' ' || in[0] == '\t')
				in[0] = 'Q';
			if (in[len - 1] == ' ' || in[len - 1] == '\t')
				in[len - 1] = 'Q';
		}
		for (unsigned int k = 0; k < ncuts; k++)
			cuts[k] = k == 0 && split <= len && rnd(4) ? split : rnd((unsigned int)len + 1);
		for (unsigned int a = 0; a < ncuts; a++) /* ascending */
			for (unsigned int b = a + 1; b < ncuts; b++)
				if (cuts[b] < cuts[a]) {
					size_t t = cuts[a];

					cuts[a] = cuts[b];
					cuts[b] = t;
				}
		memset(&cfg, 0, sizeof(cfg));
		if (sg_dfa_build(pats, n, &cfg, &d)) {
			printf("prefilter round %lu: build failed\n", r);
			return fails + 1;
		}
		*on += cfg.pf_stride != 0;
		{
			/* on when a pattern is long enough for the smallest stride;
			 * a shorter one leaves its fields to the DFA */
			unsigned int longest = 0;

			for (unsigned int i = 0; i < n; i++)
				if (strlen(texts[i]) > longest)
					longest = (unsigned int)strlen(texts[i]);
			/* (with whitespace: the longest stretch between spaces decides) */
			if (!cfg.pf_stride && longest >= SG_PF_GRAM + SG_PF_MIN_STRIDE - 1 &&
			    !strpbrk(al, " \t") && fails++ < 10)
				printf("prefilter round %lu: longest pattern %u bytes, prefilter off\n", r, longest);
		}
		sg_user_dfa_fast(d, cfg.dfa_states, &fast);
		{
			static char rd[1200];
			size_t rn = stack_reads(in, len, cuts, ncuts, rd);
			int want = naive(pats, n, rd, rn, SG_FIELD_USER_AGENT) >= 0;
			int a = parser_scan_folded(&cfg, d, &fast, in, len, cuts, ncuts);
			int b = parser_scan_folded(&cfg, d, NULL, in, len, cuts, ncuts);

			if ((a != want || b != want) && fails++ < 10) {
				printf("prefilter round %lu: naive %d, table %d, rows %d (%u patterns, stride %u, value %zu bytes, %u folds)\n",
				       r, want, a, b, n, cfg.pf_stride, len, ncuts);
				printf("  value [%.*s]\n", (int)len, in);
				for (unsigned int i = 0; i < n; i++)
					printf("  pattern [%s] fields %#x\n", texts[i], pats[i].fields);
			}
		}
		free(d);
	}
	return fails;
}

int main(int argc, char **argv)
{
	unsigned long rounds = argc > 1 ? strtoul(argv[1], NULL, 0) : 3000;
	unsigned long fails = 0, hits = 0, checks = 0;
	static const char *alphabets[] = { "ab", "abc", "aAbB", "sip:@<>nm", "friendlyscaner-", "xyz01" };
	struct sg_config cfg;
	struct sg_dfa_row *d;

	rng = argc > 2 ? strtoull(argv[2], NULL, 0) : 12345;
	for (unsigned long r = 0; r < rounds; r++) {
		const char *al = alphabets[rnd(6)];
		size_t an = strlen(al);
		unsigned int n = 1 + rnd(12);
		struct sg_pattern pats[12];
		char texts[12][64], in[300];
		size_t len = rnd(sizeof(in));

		for (unsigned int i = 0; i < n; i++) {
			unsigned int pl = 1 + rnd(r % 7 == 0 ? 63 : 6);

			for (unsigned int k = 0; k < pl; k++)
				texts[i][k] = (char)tolower((unsigned char)al[rnd(an)]);
			texts[i][pl] = 0;
			pats[i].text = texts[i];
			pats[i].fields = 1u << rnd(8);
			if (!rnd(5))
				pats[i].fields |= 1u << rnd(8);
		}
		for (size_t k = 0; k < len; k++) {
			unsigned int w = rnd(20);

			in[k] = w == 0 ? (char)rnd(256) : w == 1 ? 'Q' : al[rnd(an)];
			if (rnd(3) == 0)
				in[k] = (char)toupper((unsigned char)in[k]);
		}
		memset(&cfg, 0, sizeof(cfg));
		if (sg_dfa_build(pats, n, &cfg, &d)) {
			printf("round %lu: build failed\n", r);
			return 1;
		}
		for (int b = 'a'; b <= 'z'; b++)
			if (cfg.byte_class[b] != cfg.byte_class[toupper(b)]) {
				printf("round %lu: class of %c differs by case\n", r, b);
				fails++;
			}
		for (unsigned int s = 0; s < cfg.dfa_states; s++)
			if (d[s].next[0] != 0) {
				printf("round %lu: class 0 of state %u is not the root\n", r, s);
				fails++;
			}
		for (__u32 f = 1; f < 0x100; f <<= 1) {
			long a = naive(pats, n, in, len, f), b = squeezed_at(in, run(&cfg, d, in, len, f));

			checks++;
			hits += a >= 0;
			if (a != b && fails++ < 10)
				printf("round %lu field %#x: naive %ld, dfa %ld (%u patterns, first '%s', input %zu bytes)\n",
				       r, f, a, b, n, texts[0], len);
		}
		__u32 un = 0;
		for (unsigned int i = 0; i < n; i++)
			un |= pats[i].fields;
		if (cfg.sig_fields != un) {
			printf("round %lu: sig_fields %#x, want %#x\n", r, cfg.sig_fields, un);
			fails++;
		}
		free(d);
	}

	/* limits: 62 classes fit, 63 do not (the last is the escape class);
	 * empty set gives no rows */
	{
		char a[64], b[8];
		struct sg_pattern p[2] = { { a, 1 }, { b, 1 } };
		int k = 0;

		for (int c = 33; c < 127 && k < 62; c++)
			if (!isupper(c))
				a[k++] = (char)c;
		a[k] = 0;
		memset(&cfg, 0, sizeof(cfg));
		if (sg_dfa_build(p, 1, &cfg, &d) || cfg.dfa_states != 63) {
			printf("62 distinct bytes: want 63 states\n");
			fails++;
		} else {
			free(d);
		}
		strcpy(b, "\x01");
		if (sg_dfa_build(p, 2, &cfg, &d) != -E2BIG || d || cfg.dfa_states) {
			printf("63 distinct bytes: want -E2BIG and no rows\n");
			fails++;
		}
		if (sg_dfa_build(p, 0, &cfg, &d) || d || cfg.dfa_states || cfg.sig_fields) {
			printf("no patterns: want 0 states\n");
			fails++;
		}
	}
	printf("dfa_test: %lu rounds, %lu field checks (%lu with a match), %lu failures\n", rounds, checks,
	       hits, fails);
	{
		unsigned long deep = 0, sf = scan_rounds(rounds, &deep);

		printf("dfa_test: parser scan, %lu rounds (%lu deeper than the %u-state table), %lu failures\n",
		       rounds, deep, SG_DFA_FAST_STATES, sf);
		if (!deep) {
			printf("dfa_test: no round was deeper than the table\n");
			sf++;
		}
		fails += sf;
	}
	{
		unsigned long on = 0, pf = prefilter_rounds(rounds, &on);

		printf("dfa_test: prefilter, %lu rounds (%lu with it on), %lu failures\n", rounds, on, pf);
		fails += pf;
	}
	return fails ? 1 : 0;
}
