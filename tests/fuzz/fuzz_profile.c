// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* libFuzzer target: the input is profile text, loaded with sg_profile_load
 * from a temporary file. A loaded profile must give a consistent config and
 * DFA (every transition inside the table), which then judges a few packets. */
#include <unistd.h>
#include "sg_testlib.h"
#include "profile.h"

static const char *msgs[] = {
	"OPTIONS sip:nm SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.20:5060;branch=z9hG4bK-1234\r\n"
	"From: <sip:nm@nm>;tag=1\r\nTo: <sip:nm2@nm2>\r\nCall-ID: 50000\r\nCSeq: 42 OPTIONS\r\n"
	"Max-Forwards: 70\r\nUser-Agent: friendly-scanner\r\nContent-Length: 0\r\n\r\n",
	"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP pbx.example.com;branch=z9hG4bKabc\r\n"
	"From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: abc\r\nCSeq: 1 INVITE\r\n"
	"Content-Length: 0\r\n\r\n",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	static struct sg_t_hosts hosts;
	static __u8 pkt[4096];
	struct sg_profile p;
	FILE *f;

	if (!path[0]) {
		snprintf(path, sizeof(path), "/tmp/sg-fuzz-profile-%d", (int)getpid());
		sg_t_hosts_default(&hosts);
	}
	if (size > 1 << 16)
		return 0;
	f = fopen(path, "wb");
	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	memset(&p, 0, sizeof(p));
	if (sg_profile_load(path, &p) == 0) {
		if (p.cfg.version != SG_CONFIG_VERSION)
			abort();
		if (p.cfg.dfa_states && !p.dfa)
			abort();
		for (__u32 s = 0; s < p.cfg.dfa_states; s++)
			for (int c = 0; c < SG_DFA_CLASSES; c++)
				if (p.dfa[s].next[c] >= p.cfg.dfa_states)
					abort();
		for (int c = 0; c < 256; c++)
			if (p.cfg.byte_class[c] >= SG_DFA_CLASSES)
				abort();
		for (unsigned int m = 0; m < sizeof(msgs) / sizeof(*msgs); m++) {
			__u32 n = sg_user_wrap_udp4(msgs[m], strlen(msgs[m]), SG_T_PORT, pkt), r;

			for (int k = 0; k < SG_MAX_PORTS; k++)
				if (p.cfg.ports[k]) {
					pkt[22] = p.cfg.ports[k] >> 8;
					pkt[23] = p.cfg.ports[k] & 0xff;
					break;
				}
			r = sg_t_judge(pkt, n, &p.cfg, p.dfa, &hosts);
			if (!sg_t_reason_valid(r))
				abort();
		}
		sg_profile_free(&p);
	}
	return 0;
}
