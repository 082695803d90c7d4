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

/* Where a pattern keeps its shape in the text it matches. A space in a
 * pattern matches a run of spaces and tabs (sipguard.h), so an occurrence
 * is the pattern's space-free runs at offsets that vary with those runs'
 * lengths. What does not vary is a run with the whitespace byte on each
 * side of it: the last byte of the run before it and the first of the run
 * after it are whitespace, SP or TAB, whatever the run's length. A
 * "segment" is such a run widened by the pattern's space on either side.
 * The pattern is read as the DFA reads it (sg_pattern_normal); returns
 * the longest segment's length and copies it to SEG. */
static size_t longest_segment(const char *pat, unsigned char *seg, size_t cap)
{
	char norm[SG_PATTERN_MAX + 1]; /* longer ones are refused (profile.c) */
	size_t n, best = 0, best_at = 0;

	if (strlen(pat) >= sizeof(norm))
		return 0; /* (only a test builds such sets): its fields go to the DFA */
	n = sg_pattern_normal(pat, norm);
	for (size_t a = 0; a < n;) {
		size_t b = a, from, to;

		if (norm[a] == ' ') {
			a++;
			continue;
		}
		while (b < n && norm[b] != ' ')
			b++;
		from = a > 0 ? a - 1 : a;    /* the space before it */
		to = b < n ? b + 1 : b;      /* the space after it */
		if (to - from > best) {
			best = to - from;
			best_at = from;
		}
		a = b;
	}
	if (best > cap)
		best = cap;
	memcpy(seg, norm + best_at, best);
	return best;
}

/* Sets the bit of the gram G, and, where G holds a space, of every gram
 * with a TAB in its place: a pattern's space may be either. */
static void set_gram(struct sg_config *cfg, const unsigned char *g)
{
	for (unsigned int v = 0; v < 1u << SG_PF_GRAM; v++) {
		unsigned char x[SG_PF_GRAM];
		int skip = 0;

		for (int k = 0; k < SG_PF_GRAM; k++) {
			x[k] = g[k];
			if (v & (1u << k)) {
				if (g[k] != ' ')
					skip = 1;
				x[k] = '\t';
			}
		}
		if (skip)
			continue;
		__u32 h = gram_hash(x);

		cfg->pf_bits[h >> 3] |= (__u8)(1u << (h & 7));
	}
}

void sg_prefilter_build(const struct sg_pattern *pats, unsigned int n, struct sg_config *cfg)
{
	unsigned char seg[SG_PATTERN_MAX + 1];
	size_t min_seg = SIZE_MAX;
	unsigned int stride;

	memset(cfg->pf_bits, 0, sizeof(cfg->pf_bits));
	cfg->pf_stride = 0;
	cfg->pf_unfiltered = 0;
	if (!n)
		return;
	for (unsigned int i = 0; i < n; i++) {
		size_t len = longest_segment(pats[i].text, seg, sizeof(seg));

		if (len < SG_PF_GRAM + SG_PF_MIN_STRIDE - 1)
			cfg->pf_unfiltered |= pats[i].fields;
		else if (len < min_seg)
			min_seg = len;
	}
	if (min_seg == SIZE_MAX)
		return; /* every pattern too short: the DFA sees every value */
	stride = min_seg - SG_PF_GRAM + 1 > SG_PF_MAX_STRIDE ? SG_PF_MAX_STRIDE
							    : (unsigned int)(min_seg - SG_PF_GRAM + 1);
	for (unsigned int i = 0; i < n; i++) {
		size_t len = longest_segment(pats[i].text, seg, sizeof(seg)), last;

		if (len < SG_PF_GRAM + SG_PF_MIN_STRIDE - 1)
			continue;
		last = len - SG_PF_GRAM; /* last gram's offset in the segment */
		for (unsigned int r = 0; r < stride; r++) {
			size_t best = r;
			unsigned int best_cost = gram_cost(seg + r);

			for (size_t o = r + stride; o <= last; o += stride) {
				unsigned int c = gram_cost(seg + o);

				if (c < best_cost) {
					best = o;
					best_cost = c;
				}
			}
			set_gram(cfg, seg + best);
		}
	}
	cfg->pf_stride = stride;
}
