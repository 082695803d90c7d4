// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* libFuzzer target: the input is a SIP payload. It is judged wrapped as
 * IPv4/UDP, IPv4/TCP and IPv6/UDP under pbx-, edge-, signature-,
 * reflection- and shield-like configurations, and also as a raw L3 packet.
 * Aborts on an undefined reason or a broken invariant. */
#include "sg_testlib.h"
#ifdef SG_HAVE_DFA
#include "profile.h"
#endif

enum { C_PBX, C_EDGE, C_SIG, C_REFLECT, C_SHIELD, C_N };

static struct sg_config cfgs[C_N];
static struct sg_dfa_row *dfa;
static struct sg_t_hosts hosts;
static __u8 pkt[SG_T_MAXPKT];

static void init(void)
{
	sg_t_cfg_pbx(&cfgs[C_PBX]);
	sg_t_cfg_edge(&cfgs[C_EDGE]);
	sg_t_cfg_pbx(&cfgs[C_SIG]);
	cfgs[C_SIG].checks = SG_CHECK_ALL;
	cfgs[C_SIG].flags |= SG_F_ANY_METHOD;
	sg_t_cfg_reflect(&cfgs[C_REFLECT]);
	sg_t_cfg_shield(&cfgs[C_SHIELD]);
	sg_t_hosts_default(&hosts);
#ifdef SG_HAVE_DFA
	{
		static struct sg_pattern pats[] = {
			{ "friendly-scanner", SG_FIELD_USER_AGENT },
			{ "sipvicious", SG_FIELD_USER_AGENT | SG_FIELD_FROM | SG_FIELD_TO },
			{ "sipcli", SG_FIELD_USER_AGENT },
			{ "sip:nm", SG_FIELD_START_LINE | SG_FIELD_FROM },
			{ "<sip:smap@", SG_FIELD_FROM | SG_FIELD_CONTACT },
			{ "vaxsipuseragent", SG_FIELD_USER_AGENT },
			{ "aaaa", SG_FIELD_ALL },
			{ "abab", SG_FIELD_CALL_ID | SG_FIELD_VIA | SG_FIELD_SUBJECT },
		};

		if (sg_dfa_build(pats, sizeof(pats) / sizeof(*pats), &cfgs[C_SIG], &dfa) < 0)
			abort();
		cfgs[C_REFLECT].sig_fields = cfgs[C_SIG].sig_fields;
		cfgs[C_REFLECT].dfa_states = cfgs[C_SIG].dfa_states;
		memcpy(cfgs[C_REFLECT].byte_class, cfgs[C_SIG].byte_class, 256);
	}
#endif
}

static __u32 judge(__u32 len, int c)
{
	__u32 r = sg_t_judge(pkt, len, &cfgs[c], dfa, &hosts);
	__u32 r2;

	if (!sg_t_reason_valid(r))
		abort();
	if (cfgs[c].flags & SG_F_ANY_METHOD && r == SG_DROP_METHOD)
		abort();
	if (!(cfgs[c].checks & SG_CHECK_SIGNATURES) &&
	    (r == SG_DROP_SCANNER || r == SG_DROP_SCANNER_SHAPE))
		abort();
	if (!(cfgs[c].checks & SG_CHECK_REFLECTION) &&
	    (r == SG_DROP_RESPONSE || r == SG_DROP_VIA_NOT_OWN || r == SG_DROP_PEER))
		abort();
	if (!(cfgs[c].flags & SG_F_DROP_ALL_SIP) && r == SG_DROP_NO_SIP_SERVICE)
		abort();
	r2 = sg_t_judge(pkt, len, &cfgs[c], dfa, &hosts); /* no state leaks between packets */
	if (r2 != r)
		abort();
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int inited;
	__u32 n, r4[C_N];

	if (!inited) {
		init();
		inited = 1;
	}
	if (size > 65000)
		return 0;
	for (int c = 0; c < C_N; c++) {
		n = sg_user_wrap_udp4(data, size, SG_T_PORT, pkt);
		r4[c] = judge(n, c);
		n = sg_t_wrap_udp6(data, size, SG_T_PORT, pkt);
		/* IPv4 and IPv6 differ only in the peer check */
		if (judge(n, c) != r4[c] && c != C_REFLECT) {
			fprintf(stderr, "udp4 %s != udp6 in config %d\n", sg_t_reason_name(r4[c]), c);
			abort();
		}
		n = sg_t_wrap_tcp4(data, size, SG_T_PORT, pkt);
		judge(n, c);
	}
	/* not guarded: nothing is judged */
	n = sg_user_wrap_udp4(data, size, 9, pkt);
	if (judge(n, C_PBX) != SG_PASS_NOT_GUARDED)
		abort();
	/* monitor flag does not change the reason (the program maps it) */
	/* raw L3 packet: IP options, IPv6 extension headers, fragments */
	memcpy(pkt, data, size);
	judge(size, C_EDGE);
	judge(size, C_REFLECT);
	return 0;
}
