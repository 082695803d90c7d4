// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* The forbidden-byte rule (README): a byte below 0x20 other than tab, CR
 * and LF, a DEL, or a CR not followed by LF, anywhere in the header section,
 * drops the message as bad-bytes; tab, UTF-8 and every printable byte pass.
 * The parser finds line ends 8 bytes at a time (sg_eol, sg_swar_ctl); this
 * checks it against the rule written byte by byte, on random well-formed
 * requests whose extra header lines hold random printable, tab and UTF-8
 * bytes, with a forbidden byte planted at a random place in one message of
 * two. Line lengths vary, so the planted byte falls at every position of a
 * word. Rounds take turns over the profile settings that loosen the rule:
 * allow_control_bytes (SG_F_CTL_BYTES: control bytes but NUL pass; the
 * byte is then planted in a value, where a header name cannot break) and
 * allow_cr_cr_lf (SG_F_CR_CR_LF: a run of CRs may end in the LF); lines
 * end in CR CR LF now and then under every setting.
 * Usage: badbytes_test [ROUNDS] [SEED] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sg_testlib.h"

/* a byte allowed inside a header line */
static unsigned char allowed(void)
{
	unsigned int w = sg_t_rnd(10);

	if (w == 0)
		return '\t';
	if (w == 1)
		return (unsigned char)(0x80 + sg_t_rnd(128)); /* UTF-8 and other 8-bit bytes */
	return (unsigned char)(0x20 + sg_t_rnd(0x7f - 0x20)); /* printable, space included */
}

static unsigned char forbidden(void)
{
	unsigned int w = sg_t_rnd(34);

	if (w == 33)
		return 0x7f;
	if (w == 32)
		return '\r'; /* made bare below: never followed by LF */
	if (w == 9 || w == 10 || w == 13)
		return 0x00;
	return (unsigned char)w;
}

/* the end of the run of CRs at I (FLAGS: CR runs allowed) */
static unsigned int cr_run(const unsigned char *p, unsigned int len, unsigned int i,
			   unsigned int flags)
{
	if (flags & SG_F_CR_CR_LF)
		while (i + 1 < len && p[i + 1] == '\r')
			i++;
	return i;
}

/* the rule, byte by byte, over the header section of P, under FLAGS */
static int has_forbidden(const unsigned char *p, unsigned int len, unsigned int flags)
{
	for (unsigned int i = 0; i < len; i++) {
		unsigned char c = p[i];

		if (c == '\n') {
			unsigned int j = i + 1;

			if (j < len && p[j] == '\r')
				j = cr_run(p, len, j, flags);
			if (j + 1 < len && p[j] == '\r' && p[j + 1] == '\n')
				return 0; /* the empty line: the body is not checked */
			continue;
		}
		if (c == '\r') {
			i = cr_run(p, len, i, flags);
			if (i + 1 >= len || p[i + 1] != '\n')
				return 1;
			continue;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			if (c == 0 || !(flags & SG_F_CTL_BYTES))
				return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const char head[] =
		"OPTIONS sip:bob@192.0.2.10 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 198.51.100.20;branch=z9hG4bK74bf9\r\n"
		"Max-Forwards: 70\r\n"
		"To: <sip:bob@192.0.2.10>\r\n"
		"From: <sip:alice@198.51.100.20>;tag=9fxced76sl\r\n"
		"Call-ID: 3848276298220188511\r\n"
		"CSeq: 1 OPTIONS\r\n";
	static const __u32 modes[4] = { 0, SG_F_CTL_BYTES, SG_F_CR_CR_LF, SG_F_CTL_BYTES | SG_F_CR_CR_LF };
	static unsigned char pay[4096], pkt[4096 + 28];
	unsigned long rounds = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000;
	unsigned long planted = 0, fails = 0, loose_pass = 0, crcrlf = 0;
	struct sg_config cfg;

	sg_t_rng = argc > 2 ? strtoull(argv[2], NULL, 0) : 88172645463325252ULL;
	sg_t_cfg_base(&cfg);
	cfg.checks = SG_CHECK_SANITY;
	for (unsigned long r = 0; r < rounds; r++) {
		unsigned int len = sizeof(head) - 1, lines = 1 + sg_t_rnd(6), body_start;
		unsigned int vstart[8], vend[8];
		struct sg_uenv env = { 0 };
		int want, plant = sg_t_rnd(2), crs = 0;
		__u32 v;

		cfg.flags = modes[r & 3];
		memcpy(pay, head, len);
		for (unsigned int l = 0; l < lines; l++) {
			unsigned int n = sg_t_rnd(l == 0 && sg_t_rnd(8) == 0 ? 1500 : 70);

			len += (unsigned int)sprintf((char *)pay + len, "X-R%u: ", l);
			vstart[l] = len;
			pay[len++] = 'v'; /* a value that does not start with whitespace */
			for (unsigned int k = 0; k < n; k++)
				pay[len++] = allowed();
			vend[l] = len;
			if (sg_t_rnd(6) == 0) {
				pay[len++] = '\n'; /* a bare LF ends a line too */
			} else {
				if (sg_t_rnd(10) == 0) {
					for (unsigned int k = sg_t_rnd(3); k < 3; k++)
						pay[len++] = '\r'; /* CR CR LF, CR CR CR LF */
					crs = 1;
				}
				pay[len++] = '\r';
				pay[len++] = '\n';
			}
		}
		body_start = len;
		len += (unsigned int)sprintf((char *)pay + len, "Content-Length: 0%s\r\n\r\n",
					     sg_t_rnd(12) == 0 ? "\r" : "");
		if (sg_t_rnd(12) == 0) { /* the empty line as CR CR LF */
			pay[len - 2] = '\r';
			pay[len - 1] = '\r';
			pay[len++] = '\n';
		}
		if (plant) {
			/* anywhere in the X-R lines, the LF ending them excluded;
			 * with control bytes allowed, inside a value (in a name
			 * the byte would be a bad header) */
			unsigned int at = sizeof(head) - 1 + sg_t_rnd(body_start - (sizeof(head) - 1));
			unsigned char c = forbidden();

			if (cfg.flags & SG_F_CTL_BYTES) {
				unsigned int l = sg_t_rnd(lines);

				at = vstart[l] + sg_t_rnd(vend[l] - vstart[l]);
			}
			if (pay[at] == '\n')
				at--;
			pay[at] = c;
			if (c == '\r' && pay[at + 1] == '\n')
				pay[at + 1] = 'x';
			if (pay[at + 1] == '\n' && pay[at] == '\r')
				pay[at] = 0x01;
		}
		want = has_forbidden(pay, len, cfg.flags);
		planted += want;
		crcrlf += crs && !want && (cfg.flags & SG_F_CR_CR_LF);
		loose_pass += !want && has_forbidden(pay, len, 0);
		env.pkt = pkt;
		env.len = sg_user_wrap_udp4(pay, len, SG_T_PORT, pkt);
		v = sg_user_judge(&env, &cfg);
		if (want ? v != SG_DROP_BAD_BYTES : v != SG_PASS_SIP) {
			if (fails++ < 5)
				printf("round %lu: flags 0x%x, %s, verdict %u (%u bytes)\n", r, cfg.flags,
				       want ? "forbidden byte" : "clean", v, len);
		}
	}
	printf("badbytes_test: %lu messages, %lu with a forbidden byte, %lu passed only as the "
	       "settings allow (%lu with CR CR LF), %lu wrong verdicts\n",
	       rounds, planted, loose_pass, crcrlf, fails);
	return fails || !planted || planted == rounds || !loose_pass || !crcrlf ? 1 : 0;
}
