// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* Signature prefilter (layout and rule in sipguard.h, SG_PF_*): picks, for
 * each pattern and each offset residue modulo the stride, the gram least
 * likely to occur in benign SIP, and sets its bit. A gram of benign text
 * that hits only costs a DFA scan of that value; what the choice decides is
 * how often that happens. */
#include <ctype.h>
#include <string.h>

#include "profile.h"

/* What benign SIP headers are made of: the grams that occur here are the
 * ones to avoid. Generic vocabulary (RFC 3261 names and parameters, URI
 * and address shapes, common product names), not any test's messages. */
static const char sg_common_sip[] =
	"INVITE sip:alice@example.com SIP/2.0 ACK BYE CANCEL REGISTER OPTIONS "
	"PRACK SUBSCRIBE NOTIFY PUBLISH INFO REFER MESSAGE UPDATE SIP/2.0 200 OK "
	"100 Trying 180 Ringing 183 Session Progress 401 Unauthorized "
	"407 Proxy Authentication Required 404 Not Found 486 Busy Here "
	"Via: SIP/2.0/UDP 192.168.1.10:5060;branch=z9hG4bK;rport;received=10.0.0.1 "
	"Via: SIP/2.0/TCP, SIP/2.0/TLS, SIP/2.0/WSS Max-Forwards: 70 "
	"From: \"Alice\" <sip:alice@example.com>;tag=1928301774 "
	"To: Bob <sips:bob@example.org;user=phone> "
	"Call-ID: a84b4c76e66710@pc33.example.com CSeq: 314159 INVITE "
	"Contact: <sip:alice@198.51.100.20:5060;transport=udp;ob>;expires=3600;q=0.7 "
	"Record-Route: <sip:proxy.example.net;lr> Route: Expires: "
	"Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, NOTIFY, MESSAGE, SUBSCRIBE "
	"Supported: replaces, outbound, gruu, timer, path, 100rel "
	"Content-Type: application/sdp Content-Length: 0 Accept: Event: "
	"Authorization: Digest username=\"alice\", realm=\"example.com\", "
	"nonce=\"\", uri=\"sip:example.com\", response=\"\", algorithm=MD5 "
	"User-Agent: Server: Linphone Asterisk PBX FreeSWITCH Yealink SIP-T46S "
	"Grandstream Zoiper MicroSIP Cisco Polycom Snom Kamailio OpenSIPS "
	"tel:+15551234567 urn:service:sos Subject: Session-Expires: P-Asserted-Identity ";

/* Lower is rarer. Each occurrence in the vocabulary above costs
 * SG_PF_SEEN; each byte that is not a letter or digit costs SG_PF_PUNCT,
 * since punctuation sits next to free text in SIP ("sip:" + any user, "@"
 * + any host, "<" + any URI): such a gram meets more of it. Tuned on the
 * bundled captures (bench/pfstats). */
#define SG_PF_SEEN 8
#define SG_PF_PUNCT 10
static unsigned int gram_cost(const unsigned char *g)
{
	unsigned int n = 0;

	for (int k = 0; k < SG_PF_GRAM; k++)
		if (!isalnum(g[k]))
			n += SG_PF_PUNCT;
	for (size_t i = 0; i + SG_PF_GRAM <= sizeof(sg_common_sip) - 1; i++) {
		const unsigned char *c = (const unsigned char *)sg_common_sip + i;

		if ((c[0] | 0x20) == (g[0] | 0x20) && (c[1] | 0x20) == (g[1] | 0x20) &&
		    (c[2] | 0x20) == (g[2] | 0x20))
			n += SG_PF_SEEN;
	}
	return n;
}

static __u32 gram_hash(const unsigned char *g)
{
	return SG_PF_HASH((__u32)g[0] | (__u32)g[1] << 8 | (__u32)g[2] << 16);
}

/* The longest run of PAT without a space: its offset, and its length. A
 * space in a pattern matches a run of spaces (sipguard.h), so only a run
 * keeps its place within an occurrence. */
static size_t longest_run(const char *pat, size_t *at)
{
	size_t best = 0, cur = 0, len = strlen(pat);

	*at = 0;
	for (size_t k = 0; k <= len; k++) {
		if (k < len && pat[k] != ' ') {
			cur++;
			continue;
		}
		if (cur > best) {
			best = cur;
			*at = k - cur;
		}
		cur = 0;
	}
	return best;
}

/* Windows at every S bytes find one gram of every occurrence of a pattern
 * whose run holds a gram at each offset residue modulo S (sipguard.h). S
 * comes from the shortest run, but not below SG_PF_MIN_STRIDE: a pattern
 * whose run is shorter leaves its fields to the DFA (pf_unfiltered) rather
 * than slowing every field's prefilter down. */
void sg_prefilter_build(const struct sg_pattern *pats, unsigned int n, struct sg_config *cfg)
{
	size_t min_run = SIZE_MAX;
	unsigned int stride;

	memset(cfg->pf_bits, 0, sizeof(cfg->pf_bits));
	cfg->pf_stride = 0;
	cfg->pf_unfiltered = 0;
	if (!n)
		return;
	for (unsigned int i = 0; i < n; i++) {
		size_t at, run = longest_run(pats[i].text, &at);

		if (run < SG_PF_GRAM + SG_PF_MIN_STRIDE - 1)
			cfg->pf_unfiltered |= pats[i].fields;
		else if (run < min_run)
			min_run = run;
	}
	if (min_run == SIZE_MAX)
		return; /* every pattern too short: the DFA sees every value */
	stride = min_run - SG_PF_GRAM + 1 > SG_PF_MAX_STRIDE ? SG_PF_MAX_STRIDE
							    : (unsigned int)(min_run - SG_PF_GRAM + 1);
	for (unsigned int i = 0; i < n; i++) {
		size_t at, run = longest_run(pats[i].text, &at);
		const unsigned char *t = (const unsigned char *)pats[i].text + at;
		size_t last;

		if (run < SG_PF_GRAM + SG_PF_MIN_STRIDE - 1)
			continue;
		last = run - SG_PF_GRAM; /* last gram's offset in the run */
		for (unsigned int r = 0; r < stride; r++) {
			size_t best = r;
			unsigned int best_cost = gram_cost(t + r);

			for (size_t o = r + stride; o <= last; o += stride) {
				unsigned int c = gram_cost(t + o);

				if (c < best_cost) {
					best = o;
					best_cost = c;
				}
			}
			__u32 h = gram_hash(t + best);

			cfg->pf_bits[h >> 3] |= (__u8)(1u << (h & 7));
		}
	}
	cfg->pf_stride = stride;
}
