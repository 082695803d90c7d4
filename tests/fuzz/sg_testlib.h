/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* Shared by the fuzz targets, the osip2 differential test and the
 * kernel/user equality test: test configurations, packet wrappers
 * (IPv4/IPv6, UDP/TCP), own-host / peer callbacks, link-layer stripping
 * and file loading. Header-only (static functions) so each tool is one
 * translation unit plus the parser. */
#ifndef SG_TESTLIB_H
#define SG_TESTLIB_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <dirent.h>
#include <sys/stat.h>
#include "sip_parse_user.h"

#define SG_T_PORT 5060
#define SG_T_MAXPKT (65535 + 128)

/* ---- configurations ------------------------------------------------------ */

static inline void sg_t_cfg_base(struct sg_config *c)
{
	memset(c, 0, sizeof(*c));
	c->version = SG_CONFIG_VERSION;
	c->ports[0] = SG_T_PORT;
	c->port_protos[0] = SG_PROTO_UDP | SG_PROTO_TCP;
	c->ports[1] = 5080;
	c->port_protos[1] = SG_PROTO_UDP;
	c->max_message = 65535;
	c->max_line = 2048;
	c->max_headers = 128;
	c->max_uri = 1024;
}

/* PBX-like: method allow-list, Max-Forwards required, scanner shape. */
static inline void sg_t_cfg_pbx(struct sg_config *c)
{
	sg_t_cfg_base(c);
	c->checks = SG_CHECK_ALL & ~SG_CHECK_REFLECTION;
	c->methods = SG_M_INVITE | SG_M_ACK | SG_M_BYE | SG_M_CANCEL | SG_M_REGISTER |
		     SG_M_OPTIONS | SG_M_PRACK | SG_M_SUBSCRIBE | SG_M_NOTIFY | SG_M_INFO |
		     SG_M_REFER | SG_M_UPDATE;
	c->flags = SG_F_REQUIRE_MAX_FWD | SG_F_SCANNER_SHAPE | SG_F_TCP_REQUIRE_CLEN;
	c->max_message = 16384;
	c->max_line = 1024;
	c->max_headers = 64;
	c->max_uri = 256;
}

/* Edge-like: any well-formed method and Request-URI scheme, sanity only
 * (the osip2 diff config). */
static inline void sg_t_cfg_edge(struct sg_config *c)
{
	sg_t_cfg_base(c);
	c->checks = SG_CHECK_METHODS | SG_CHECK_SANITY;
	c->flags = SG_F_ANY_METHOD | SG_F_ANY_SCHEME;
}

/* Reflection: responses must come from a peer and carry our Via. */
static inline void sg_t_cfg_reflect(struct sg_config *c)
{
	sg_t_cfg_base(c);
	c->checks = SG_CHECK_ALL;
	c->flags = SG_F_ANY_METHOD | SG_F_CHECK_VIA_OWN | SG_F_CHECK_PEERS |
		   SG_F_STRICT_CLEN;
	c->ports[2] = 5062;
	c->port_protos[2] = SG_PROTO_UDP;
}

/* Shield: no SIP service at all. */
static inline void sg_t_cfg_shield(struct sg_config *c)
{
	sg_t_cfg_base(c);
	c->checks = SG_CHECK_ALL;
	c->flags = SG_F_DROP_ALL_SIP | SG_F_DROP_RESPONSES | SG_F_ANY_METHOD;
}

/* ---- own hosts / peers ---------------------------------------------------- */

struct sg_t_hosts {
	const char **hosts;   /* own hosts, lower case */
	unsigned int n_hosts;
	struct { __u8 addr[16]; unsigned int plen; } peers[16]; /* v4 as ::ffff: */
	unsigned int n_peers;
};

static const char *sg_t_default_hosts[] = { "pbx.example.com", "192.0.2.10", "2001:db8::10" };

static inline void sg_t_hosts_default(struct sg_t_hosts *h)
{
	static const __u8 v4[16] = { 0,0,0,0,0,0,0,0,0,0,0xff,0xff,198,51,100,0 };
	static const __u8 v6[16] = { 0x20,0x01,0x0d,0xb8,0,0,0,0,0,0,0,0,0,0,0,0 };

	memset(h, 0, sizeof(*h));
	h->hosts = sg_t_default_hosts;
	h->n_hosts = 3;
	memcpy(h->peers[0].addr, v4, 16);
	h->peers[0].plen = 96 + 24;
	memcpy(h->peers[1].addr, v6, 16);
	h->peers[1].plen = 32;
	h->n_peers = 2;
}

static inline int sg_t_own_host(void *opaque, const struct sg_host_key *key)
{
	const struct sg_t_hosts *h = opaque;

	for (unsigned int i = 0; i < h->n_hosts; i++) {
		struct sg_host_key k;

		memset(&k, 0, sizeof(k));
		strncpy(k.name, h->hosts[i], SG_HOST_MAX - 1);
		if (!memcmp(&k, key, sizeof(k)))
			return 1;
	}
	return 0;
}

/* Longest-prefix semantics: any entry whose prefix covers the key. */
static inline int sg_t_peer(void *opaque, const struct sg_peer_key *key)
{
	const struct sg_t_hosts *h = opaque;

	for (unsigned int i = 0; i < h->n_peers; i++) {
		unsigned int plen = h->peers[i].plen, b;

		if (key->prefixlen < plen)
			continue;
		for (b = 0; b < plen; b++) {
			__u8 m = 0x80 >> (b & 7);

			if ((key->addr[b / 8] & m) != (h->peers[i].addr[b / 8] & m))
				break;
		}
		if (b == plen)
			return 1;
	}
	return 0;
}

static inline __u32 sg_t_judge(const void *pkt, __u32 len, const struct sg_config *cfg,
			const struct sg_dfa_row *dfa, struct sg_t_hosts *h)
{
	struct sg_uenv env = {
		.pkt = pkt, .len = len, .dfa = dfa,
		.own_host = h ? sg_t_own_host : NULL,
		.peer = h ? sg_t_peer : NULL,
		.opaque = h,
	};

	return sg_user_judge(&env, cfg);
}

/* ---- packet builders (OUT: at least len + 60 bytes) ------------------------ */

static inline __u32 sg_t_wrap_tcp4(const void *payload, __u32 len, __u16 dport, __u8 *out)
{
	static const __u8 ip[20] = { 0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, 6, 0, 0,
				     198, 51, 100, 20, 192, 0, 2, 10 };
	__u32 tot = len + 40;

	memcpy(out, ip, 20);
	out[2] = tot >> 8;
	out[3] = tot & 0xff;
	memset(out + 20, 0, 20);
	out[20] = 5060 >> 8; out[21] = 5060 & 0xff;
	out[22] = dport >> 8; out[23] = dport & 0xff;
	out[27] = 1;             /* seq */
	out[32] = 5 << 4;        /* data offset */
	out[33] = 0x18;          /* PSH ACK */
	out[34] = 0xff; out[35] = 0xff;
	memcpy(out + 40, payload, len);
	return tot;
}

static inline __u32 sg_t_wrap_udp6(const void *payload, __u32 len, __u16 dport, __u8 *out)
{
	static const __u8 ip[40] = { 0x60, 0, 0, 0, 0, 0, 17, 64,
		0x20,0x01,0x0d,0xb8,0,0,0,0,0,0,0,0,0,0,0,0x20,
		0x20,0x01,0x0d,0xb8,0,0,0,0,0,0,0,0,0,0,0,0x10 };
	__u32 ulen = len + 8;

	memcpy(out, ip, 40);
	out[4] = ulen >> 8;
	out[5] = ulen & 0xff;
	out[40] = 5060 >> 8; out[41] = 5060 & 0xff;
	out[42] = dport >> 8; out[43] = dport & 0xff;
	out[44] = ulen >> 8; out[45] = ulen & 0xff;
	out[46] = out[47] = 0;
	memcpy(out + 48, payload, len);
	return len + 48;
}

/* ---- link layer ------------------------------------------------------------- */

/* Offset of the IP header in a captured frame of link type DLT, or -1. */
static inline int sg_t_l3_offset(int dlt, const __u8 *d, __u32 caplen)
{
	__u32 off;
	__u16 et;

	switch (dlt) {
	case 1: /* EN10MB */
		if (caplen < 14)
			return -1;
		off = 12;
		et = (__u16)d[off] << 8 | d[off + 1];
		while ((et == 0x8100 || et == 0x88a8) && off + 6 <= caplen) {
			off += 4;
			et = (__u16)d[off] << 8 | d[off + 1];
		}
		off += 2;
		return (et == 0x0800 || et == 0x86dd) && off <= caplen ? (int)off : -1;
	case 113: /* LINUX_SLL */
		if (caplen < 16)
			return -1;
		et = (__u16)d[14] << 8 | d[15];
		return (et == 0x0800 || et == 0x86dd) ? 16 : -1;
	case 276: /* LINUX_SLL2 */
		if (caplen < 20)
			return -1;
		et = (__u16)d[0] << 8 | d[1];
		return (et == 0x0800 || et == 0x86dd) ? 20 : -1;
	case 0: /* NULL / LOOP */
	case 108:
		return caplen >= 4 ? 4 : -1;
	case 12: case 14: case 101: case 228: case 229: /* RAW, IPV4, IPV6 */
		return 0;
	}
	return -1;
}

/* Payload of an IPv4/IPv6 UDP/TCP packet (no extension headers):
 * returns its offset, stores its length and transport (17/6), or -1. */
static inline int sg_t_l4_payload(const __u8 *p, __u32 len, __u32 *plen, int *proto)
{
	__u32 l4, tot;

	if (len < 20)
		return -1;
	if ((p[0] >> 4) == 4) {
		l4 = (p[0] & 0xf) * 4;
		tot = (__u32)p[2] << 8 | p[3];
		if (tot < len)
			len = tot;
		if ((((__u16)p[6] << 8 | p[7]) & 0x1fff) != 0)
			return -1;
		*proto = p[9];
	} else if ((p[0] >> 4) == 6 && len >= 40) {
		l4 = 40;
		tot = 40 + ((__u32)p[4] << 8 | p[5]);
		if (tot < len)
			len = tot;
		*proto = p[6];
	} else {
		return -1;
	}
	if (*proto == 17 && l4 + 8 <= len) {
		*plen = len - l4 - 8;
		return l4 + 8;
	}
	if (*proto == 6 && l4 + 20 <= len && l4 + (p[l4 + 12] >> 4) * 4 <= len) {
		l4 += (p[l4 + 12] >> 4) * 4;
		*plen = len - l4;
		return l4;
	}
	return -1;
}

/* Is P a TCP segment (IPv4, or IPv6 without extension headers)? */
static inline int sg_t_is_tcp(const __u8 *p, __u32 len)
{
	if (len >= 20 && (p[0] >> 4) == 4)
		return p[9] == 6 && !(((__u16)p[6] << 8 | p[7]) & 0x1fff);
	return len >= 40 && (p[0] >> 4) == 6 && p[6] == 6;
}

/* The SYN that opens the stream of TCP segment P (same addresses and
 * ports, seq one before P's, no payload) into OUT (128 bytes); its
 * length, or 0 when P's headers are not whole. */
static inline __u32 sg_t_syn_of(const __u8 *p, __u32 len, __u8 *out)
{
	__u32 l4 = (p[0] >> 4) == 4 ? (p[0] & 0xfu) * 4 : 40, seq, n = l4 + 20;

	if (len < n || n > 128)
		return 0;
	memcpy(out, p, n);
	if ((p[0] >> 4) == 4) {
		out[2] = n >> 8;
		out[3] = n & 0xff;
	} else {
		out[4] = 0;
		out[5] = 20;
	}
	seq = (__u32)p[l4 + 4] << 24 | (__u32)p[l4 + 5] << 16 | (__u32)p[l4 + 6] << 8 | p[l4 + 7];
	seq -= 1;
	out[l4 + 4] = seq >> 24;
	out[l4 + 5] = seq >> 16;
	out[l4 + 6] = seq >> 8;
	out[l4 + 7] = seq;
	out[l4 + 12] = 5 << 4;
	out[l4 + 13] = 0x02; /* SYN */
	return n;
}

/* ---- files ---------------------------------------------------------------- */

static inline __u8 *sg_t_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	__u8 *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	do {
		if (n + 4096 > cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	*len = n;
	return buf;
}

/* Calls FN(path) for every regular file under DIR (recursively, sorted). */
static inline int sg_t_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static inline void sg_t_walk(const char *dir, void (*fn)(const char *path, void *arg), void *arg)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);
	struct stat st;

	if (n < 0) {
		if (stat(dir, &st) == 0 && S_ISREG(st.st_mode))
			fn(dir, arg);
		return;
	}
	for (int i = 0; i < n; i++) {
		char path[4096];

		if (ents[i]->d_name[0] == '.') {
			free(ents[i]);
			continue;
		}
		if (snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name) >= (int)sizeof(path)) {
			free(ents[i]);
			continue;
		}
		free(ents[i]);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			sg_t_walk(path, fn, arg);
		else if (S_ISREG(st.st_mode))
			fn(path, arg);
	}
	free(ents);
}

static inline const char *sg_t_reason_name(__u32 r)
{
	switch (r) {
#define SG_T_RN(name, val, s, d) case val: return s;
	SG_REASONS(SG_T_RN)
#undef SG_T_RN
	}
	return "?";
}

static inline int sg_t_reason_valid(__u32 r)
{
	return strcmp(sg_t_reason_name(r), "?") != 0;
}

/* ---- deterministic mutator (diff / equal: "fuzzer-generated" inputs) ----- */

static __u64 sg_t_rng = 0x9e3779b97f4a7c15ULL;

static inline __u32 sg_t_rand(void)
{
	sg_t_rng ^= sg_t_rng << 13;
	sg_t_rng ^= sg_t_rng >> 7;
	sg_t_rng ^= sg_t_rng << 17;
	return (__u32)(sg_t_rng >> 11);
}

/* 0 .. N-1 (the random-input unit tests) */
static inline unsigned int sg_t_rnd(unsigned int n)
{
	return sg_t_rand() % n;
}

static const char *sg_t_tokens[] = {
	"\r\n", "\n", " ", "\t", ":", ";", ",", "\r\n ", "\r\n\r\n", "SIP/2.0", "SIP/3.0",
	"Via: ", "v: ", "From: ", "f: ", "To: ", "t: ", "Call-ID: ", "i: ", "CSeq: ",
	"Content-Length: ", "l: ", "Content-Type: ", "c: ", "Max-Forwards: ", "User-Agent: ",
	"INVITE", "ACK", "OPTIONS", "REGISTER", "sip:", "tel:", "urn:", "http:",
	"2147483647", "2147483648", "4294967296", "0", "256", "-1", "99999999999",
	"branch=z9hG4bK-1234", "friendly-scanner", "[2001:db8::1]", "\x00", "\x7f", "\r",
	"application/sdp", "<sip:a@b>", ";tag=1",
};

/* Mutates BUF (LEN bytes, capacity CAP) in place a few times; returns new length. */

/* The line holding POS: [*s, *e), its LF included. */
static inline void sg_t_line_at(const __u8 *buf, size_t len, size_t pos, size_t *s, size_t *e)
{
	*s = pos;
	while (*s > 0 && buf[*s - 1] != '\n')
		(*s)--;
	*e = *s;
	while (*e < len && buf[*e] != '\n')
		(*e)++;
	if (*e < len)
		(*e)++;
}

static inline size_t sg_t_mutate(__u8 *buf, size_t len, size_t cap)
{
	int n = 1 + sg_t_rand() % 4;

	for (int k = 0; k < n; k++) {
		size_t pos = len ? sg_t_rand() % (len + 1) : 0;
		switch (sg_t_rand() % 7) {
		case 0: /* flip a byte */
			if (len)
				buf[pos % len] ^= 1u << (sg_t_rand() % 8);
			break;
		case 1: /* random byte */
			if (len)
				buf[pos % len] = sg_t_rand();
			break;
		case 2: { /* delete a run */
			size_t d = 1 + sg_t_rand() % 16;
			if (pos + d > len)
				d = len - pos;
			memmove(buf + pos, buf + pos + d, len - pos - d);
			len -= d;
			break;
		}
		case 3: case 4: { /* insert a token */
			const char *t = sg_t_tokens[sg_t_rand() % (sizeof(sg_t_tokens) / sizeof(*sg_t_tokens))];
			size_t tl = t[0] ? strlen(t) : 1;
			if (len + tl > cap)
				break;
			memmove(buf + pos + tl, buf + pos, len - pos);
			memcpy(buf + pos, t, tl);
			len += tl;
			break;
		}
		case 5: { /* duplicate a line */
			size_t s, e;
			sg_t_line_at(buf, len, pos, &s, &e);
			if (len + (e - s) > cap)
				break;
			memmove(buf + e + (e - s), buf + e, len - e);
			memcpy(buf + e, buf + s, e - s);
			len += e - s;
			break;
		}
		case 6: { /* delete a line */
			size_t s, e;
			sg_t_line_at(buf, len, pos, &s, &e);
			memmove(buf + s, buf + e, len - e);
			len -= e - s;
			break;
		}
		}
	}
	return len;
}

#endif
