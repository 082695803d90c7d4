// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* The request method as the parser reads it: a token (RFC 3261: letters,
 * digits and -.!%*_+`'~) of any length (the grammar sets no bound),
 * compared with CSeq's method byte for byte (case matters) on its length
 * (counted to 64) and first 16 bytes (README). The start line takes upper-case methods of up to
 * 7 letters from one 8-byte word (sg_method_fast) and everything else byte
 * by byte (sg_token_inline); this checks both paths against the rule
 * written out, on random methods (upper, lower and mixed case, digits and
 * other token bytes, non-token bytes, lengths 0..40, and token-only ones
 * of 41..120 bytes) with a CSeq method that
 * is the same or differs in one byte or in case. Edge-like config: any
 * well-formed method. Usage: method_test [ROUNDS] [SEED] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sg_testlib.h"

static int is_token(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("-.!%*_+`'~", c));
}

static unsigned char method_byte(void)
{
	static const char other[] = "-.!%*_+`'~0123456789\"(),/:;<=>?@[]{}";
	unsigned int w = sg_t_rnd(20);

	if (w < 14)
		return (unsigned char)('A' + sg_t_rnd(26));
	if (w < 17)
		return (unsigned char)('a' + sg_t_rnd(26));
	return (unsigned char)other[sg_t_rnd(sizeof(other) - 1)];
}

int main(int argc, char **argv)
{
	static char msg[1024];
	static __u8 pkt[1024 + 28];
	unsigned long rounds = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000;
	unsigned long fails = 0, passed = 0, fast = 0;
	struct sg_config cfg;

	sg_t_rng = argc > 2 ? strtoull(argv[2], NULL, 0) : 88172645463325252ULL;
	sg_t_cfg_edge(&cfg);
	for (unsigned long r = 0; r < rounds; r++) {
		char m[128], cm[128];
		unsigned int n = sg_t_rnd(8) == 0 ? sg_t_rnd(41) : 1 + sg_t_rnd(10), ok, up = 1;
		struct sg_uenv env = { 0 };
		__u32 v, want;
		int len;

		if (sg_t_rnd(16) == 0)
			n = 41 + sg_t_rnd(80); /* long: token bytes only (see below) */
		ok = n > 0;
		for (unsigned int k = 0; k < n; k++) {
			do
				m[k] = (char)method_byte();
			while (n > 40 && !is_token((unsigned char)m[k]));
			ok &= is_token((unsigned char)m[k]);
			up &= m[k] >= 'A' && m[k] <= 'Z';
		}
		m[n] = 0;
		memcpy(cm, m, n + 1);
		if (n && sg_t_rnd(3) == 0) {
			unsigned int k = sg_t_rnd(n);

			int letter = (cm[k] | 0x20) >= 'a' && (cm[k] | 0x20) <= 'z';

			cm[k] = letter && sg_t_rnd(2) ? (char)(cm[k] ^ 0x20) : (char)('A' + sg_t_rnd(26));
		}
		fast += up && n >= 1 && n <= 7;
		len = snprintf(msg, sizeof(msg),
			       "%s sip:bob@192.0.2.10 SIP/2.0\r\n"
			       "Via: SIP/2.0/UDP 198.51.100.20;branch=z9hG4bK74bf9\r\n"
			       "Max-Forwards: 70\r\nTo: <sip:bob@192.0.2.10>\r\n"
			       "From: <sip:alice@198.51.100.20>;tag=9fxced76sl\r\n"
			       "Call-ID: 3848276298220188511\r\nCSeq: 1 %s\r\n"
			       "Content-Length: 0\r\n\r\n", m, cm);
		want = !ok ? SG_DROP_START_LINE : strncmp(m, cm, 16) ? SG_DROP_CSEQ_METHOD : SG_PASS_SIP;
		env.pkt = pkt;
		env.len = sg_user_wrap_udp4(msg, (__u32)len, SG_T_PORT, pkt);
		v = sg_user_judge(&env, &cfg);
		passed += v == SG_PASS_SIP;
		if (v != want && fails++ < 5)
			printf("round %lu: method '%s' CSeq '%s': verdict %u, want %u\n", r, m, cm, v, want);
	}
	printf("method_test: %lu messages (%lu by the one-word path), %lu pass, %lu wrong verdicts\n",
	       rounds, fast, passed, fails);
	return fails || !passed || !fast ? 1 : 0;
}
