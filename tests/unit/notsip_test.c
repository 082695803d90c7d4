// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* The "not SIP" rule (README): a payload whose start line fails is broken
 * SIP, and keeps its precise reason, when "SIP/" (letters in any case)
 * starts within 2048 bytes of the message start (after leading CR/LF);
 * otherwise it is not-sip. The parser's word-at-a-time search
 * (sg_looks_like_sip) against this rule written out byte by byte, on random
 * payloads with planted and partial "SIP/"s, up to 4000 bytes (past the
 * 2048 limit). Usage: notsip_test [ROUNDS] [SEED] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sg_testlib.h"

static int rule(const unsigned char *p, unsigned int len)
{
	unsigned int st = 0;

	while (st < len && st < 1024 && (p[st] == '\r' || p[st] == '\n'))
		st++;
	for (unsigned int i = st; i < st + 2048 && i + 4 <= len; i++)
		if ((p[i] | 0x20) == 's' && (p[i + 1] | 0x20) == 'i' && (p[i + 2] | 0x20) == 'p' &&
		    p[i + 3] == '/')
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	static unsigned char pay[4096], pkt[4096 + 28];
	unsigned long rounds = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000;
	unsigned long judged = 0, with = 0, fails = 0;
	struct sg_config cfg;

	sg_t_rng = argc > 2 ? strtoull(argv[2], NULL, 0) : 88172645463325252ULL;
	sg_t_cfg_base(&cfg);
	cfg.checks = SG_CHECK_SANITY;
	for (unsigned long r = 0; r < rounds; r++) {
		unsigned int len = 1 + sg_t_rnd(r % 10 == 0 ? 4000 : 300), pre = sg_t_rnd(4) ? 0 : sg_t_rnd(40);
		struct sg_uenv env = { 0 };
		__u32 v;
		int want;

		for (unsigned int i = 0; i < len; i++) {
			unsigned int w = sg_t_rnd(10);

			pay[i] = w < 3 ? (unsigned char)"sSiIpP/"[sg_t_rnd(7)] : w == 3 ? '\r' : w == 4 ? '\n'
			       : (unsigned char)sg_t_rnd(256);
		}
		for (unsigned int i = 0; i < pre && i < len; i++)
			pay[i] = sg_t_rnd(2) ? '\r' : '\n';
		if (pre < len)
			pay[pre] = 0x01; /* the start line holds a control byte */
		if (sg_t_rnd(3) == 0) {
			unsigned int at = pre + 1 + sg_t_rnd(len); /* after the control byte */

			if (at + 4 <= len)
				memcpy(pay + at, sg_t_rnd(2) ? "SIP/" : "sIp/", 4);
		}
		env.pkt = pkt;
		env.len = sg_user_wrap_udp4(pay, len, SG_T_PORT, pkt);
		v = sg_user_judge(&env, &cfg);
		if (v == SG_PASS_KEEPALIVE)
			continue; /* only CR/LF */
		want = rule(pay, len);
		judged++;
		with += want;
		if (v != SG_DROP_NOT_SIP && v != SG_DROP_BAD_BYTES && v != SG_DROP_START_LINE) {
			if (fails++ < 5)
				printf("round %lu: unexpected reason %u\n", r, v);
			continue;
		}
		if ((v != SG_DROP_NOT_SIP) != want && fails++ < 5)
			printf("round %lu (%u bytes, %u CR/LF first): rule says %s, parser reason %u\n", r,
			       len, pre, want ? "broken SIP" : "not SIP", v);
	}
	printf("notsip_test: %lu payloads (%lu with SIP/ in reach), %lu failures\n", judged, with, fails);
	return fails || !with || with == judged;
}
