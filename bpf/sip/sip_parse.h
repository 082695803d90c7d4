/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The SIP validator: IP/UDP/TCP framing and the SIP checks of DESIGN.md
 * section 4. Compiled twice from this one file: into the eBPF program
 * (sipguard.bpf.c) and into userspace (sip_parse_user.c) for fuzzing,
 * differential tests and kernel/user equality tests.
 *
 * The includer defines, before including this file:
 *   sg_env_t                        what the packet is read from
 *   sg_env_load(env, off, dst, len) copy packet bytes, 0 on success
 *   sg_env_dfa_row(state)           const struct sg_dfa_row * or NULL
 *   sg_env_dfa_fast()               const struct sg_dfa_fast * or NULL (rows only)
 *   sg_env_own_host(key)            non-zero if key is in own_hosts
 *   sg_env_peer(key)                non-zero if key matches the peers
 *
 * Verifier notes (why the code looks the way it does):
 *  - every index into the scratch buffer is masked with SG_BUF_MASK;
 *  - the work is split into global functions (SG_SUBPROG), which the
 *    verifier checks once each, on their own, so its work adds up instead
 *    of multiplying; they take the scratch and config map values as
 *    pointers to plain structs and keep mutable state in the scratch;
 *  - SG_FORGET after a bounded loop makes its many exits look alike;
 *  - no bpf_loop: its callbacks are indirect calls, ~30 ns each here;
 *  - the line loop and every loop inside it are may_goto loops
 *    (SG_CAN_LOOP): the verifier checks such a loop until its state at the
 *    head repeats, so the line function is inlined without a call per line.
 *    Inside it, a loop counted from a constant would be walked trip by
 *    trip on every path, so these loops bound the distance from where they
 *    started instead, and SG_OPAQUE keeps clang from turning that position
 *    back into a counter.
 */
#ifndef SIP_PARSE_H
#define SIP_PARSE_H

#include "sipguard.h"

#ifdef __bpf__
#define SG_INLINE static __always_inline
/* A global BPF function is verified once, on its own, whoever calls it:
 * that keeps the verifier's work additive instead of multiplicative. */
#define SG_SUBPROG __attribute__((noinline))
#else
#define SG_INLINE static inline
#define SG_SUBPROG static
#endif

/* Round-trips V through the scratch map: the verifier forgets its range, so
 * the many exits of a bounded loop look alike and their states prune. */
#ifdef __bpf__
#define SG_OPAQUE(v) asm volatile("" : "+r"(v))
#define SG_FORGET(s, v) ({ (s)->m.tmp = (v); *(volatile __u32 *)&(s)->m.tmp; })
#define SG_FORGET64(s, v) ({ (s)->m.tmp64 = (v); *(volatile __u64 *)&(s)->m.tmp64; })
/* 1 until the kernel's may_goto budget runs out (millions of trips, never
 * reached here). may_goto needs kernel 6.9; spelled in bytes for clang < 19. */
#define SG_CAN_LOOP                                                            \
	({                                                                     \
		__label__ l_break, l_continue;                                 \
		int ok_ = 1;                                                   \
		asm volatile goto("1:.byte 0xe5; .byte 0;"                     \
				  ".long ((%l[l_break] - 1b - 8) / 8) & 0xffff;" \
				  ".short 0" :::: l_break);                    \
		goto l_continue;                                               \
	l_break:                                                               \
		ok_ = 0;                                                       \
	l_continue:                                                            \
		ok_;                                                           \
	})
#else
#define SG_CAN_LOOP 1
#define SG_FORGET(s, v) (v)
#define SG_FORGET64(s, v) (v)
#define SG_OPAQUE(v) ((void)0)
#endif

/* Prefilter counts, userspace only (the includer defines sg_pf_counts). */
#ifdef __bpf__
#define SG_PF_COUNT(what) ((void)0)
#else
#define SG_PF_COUNT(what) ((void)sg_pf_counts.what++)
#endif

/* Mutable state of one judgement; lives in the scratch map value. */
struct sg_msg {
	__u32 len;            /* bytes of payload in buf */
	__u32 tmp;            /* SG_FORGET round-trips */
	__u64 tmp64;
	__u32 wire_len;       /* bytes of payload in the datagram / segment */
	__u32 pos;            /* start of the next line */
	__u32 reason;         /* drop reason found so far, 0 = none */
	__u32 body_off;       /* first body byte, 0 = header section not ended */
	__u32 start;          /* first byte of the start line (after CRLFs) */
	__u32 field;          /* enum sg_field of the header being continued */
	__u32 pending;        /* header id whose value is still to be parsed */
	__u32 cseq_num_ok;    /* CSeq number parsed, method on a folded line */
	__u32 is_tcp;
	__u32 incomplete;     /* this packet does not hold the whole message */
	__u32 is_response;
	__u32 method_bit;     /* enum sg_method_bit of the request */
	__u64 method_a, method_b; /* method token, packed (first 16 bytes) */
	__u32 method_len;
	__u32 n_headers;
	__u32 line_idx;       /* line loop: index of the next line */
	/* header counts (single-valued ones must stay <= 1) */
	__u32 n_via, n_from, n_to, n_callid, n_cseq, n_clen, n_ctype, n_maxfwd, n_ua;
	__u32 clen;           /* Content-Length value */
	__u32 via_host_off, via_host_len; /* top Via sent-by host */
	__u32 via_branch_digits; /* top Via branch is z9hG4bK-<digits> */
	__u32 callid_digits;  /* Call-ID is all digits */
	__u32 dfa_state;      /* signature scan state (per field value) */
	__u32 scan_off, scan_end, scan_field;
	__u32 scan_cont;      /* the range continues the last one (folded line) */
	__u32 pf_off, pf_end; /* the last range the prefilter spared the DFA, */
	__u32 pf_skipped;     /* ... for a folded line that continues it */
	__u32 sig_hit;
	__u32 start_ok;       /* the start line parsed */
	__u32 next;           /* TCP: offset of the next message in the segment, 0 = none */
	__u64 tok_a, tok_b;   /* last token (sg_token), packed */
	__u32 tok_len;
	__s64 num;            /* last number (sg_uint), -1 = invalid */
	__u32 eol_bad;        /* line-end scan: forbidden byte seen */
	struct sg_peer_key peer;    /* source address of the packet */
	struct sg_host_key host;    /* top Via host, for the own_hosts lookup */
};

/* Bytes of the packet in front of the payload that the one-load path of
 * sg_judge copies along with it: an IPv4 header without options and a UDP
 * header. */
#define SG_FAST_HDR 28

struct sg_scratch {
	struct sg_msg m;
	__u8 head[(SG_FAST_HDR + 7) & ~7]; /* ends with the IPv4 and UDP headers (SG_PKT) */
	__u8 buf[SG_BUF_SIZE + 8]; /* +8: word loads at any masked index stay inside */
};

#define SG_B(s, i) ((s)->buf[(i) & SG_BUF_MASK])

/* Where sg_judge stages byte 0 of the packet: its first SG_FAST_HDR bytes
 * in the end of head, the rest from buf[0] on. */
#define SG_PKT(s) ((__u8 *)(s) + __builtin_offsetof(struct sg_scratch, buf) - SG_FAST_HDR)

#define SG_MAX_TCP_MESSAGES 4 /* messages judged in one TCP segment */

/* 8 bytes from any offset (the scratch buffer has 8 bytes of slack). */
#ifdef __bpf__
/* One 8-byte load: clang splits a u64 load at a byte-aligned address into
 * eight byte loads (the BPF target declares no misaligned access), but the
 * verifier and the x86 JIT take it as is for map values. */
SG_INLINE __u64 SG_LOAD64(const void *p)
{
	__u64 v;

	asm volatile("%0 = *(u64 *)(%1 + 0)" : "=r"(v) : "r"(p));
	return v;
}
#else
SG_INLINE __u64 SG_LOAD64(const void *p)
{
	__u64 v;

	__builtin_memcpy(&v, p, 8);
	return v;
}
#endif

enum sg_hdr {
	SG_H_OTHER = 0,
	SG_H_VIA, SG_H_FROM, SG_H_TO, SG_H_CALLID, SG_H_CSEQ, SG_H_CONTACT,
	SG_H_CLEN, SG_H_CTYPE, SG_H_MAXFWD, SG_H_UA, SG_H_SUBJECT,
	SG_H_CSEQ_METHOD, /* pending only: CSeq's method on a folded line */
};

/* Packs up to 8 characters into a little-endian u64 (name comparison). */
#define SG_P8(a, b, c, d, e, f, g, h)                                          \
	((__u64)(a) | (__u64)(b) << 8 | (__u64)(c) << 16 | (__u64)(d) << 24 |  \
	 (__u64)(e) << 32 | (__u64)(f) << 40 | (__u64)(g) << 48 | (__u64)(h) << 56)

SG_INLINE int sg_is_ws(__u8 c)
{
	return c == ' ' || c == '\t';
}

SG_INLINE int sg_is_digit(__u8 c)
{
	return c >= '0' && c <= '9';
}

SG_INLINE __u8 sg_lower(__u8 c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

/* RFC 3261 token: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~"
 * as a 128-bit set: two compares instead of a dozen. */
SG_INLINE int sg_is_token(__u8 c)
{
	const __u64 lo = 0x03ff6ca200000000ULL, hi = 0x47ffffff87fffffeULL;

	if (c >= 128)
		return 0;
	return ((c < 64 ? lo : hi) >> (c & 63)) & 1;
}

SG_INLINE __u32 sg_fail(struct sg_scratch *s, __u32 reason)
{
	if (!s->m.reason)
		s->m.reason = reason;
	return 1; /* stops the line loop */
}

/* Exact per-byte test: 0x80 in every byte of W that is zero. */
SG_INLINE __u64 sg_swar_zero(__u64 w)
{
	const __u64 low7 = 0x7f7f7f7f7f7f7f7fULL;

	return ~(((w & low7) + low7) | w | low7);
}

/* 0x80 in every byte of W in [LO, HI] (both below 0x80; exact per byte: no
 * carry crosses a byte, the sums stay below 0x100). */
SG_INLINE __u64 sg_swar_in(__u64 w, __u8 lo, __u8 hi)
{
	const __u64 ones = 0x0101010101010101ULL;
	__u64 y = w & 0x7f7f7f7f7f7f7f7fULL;
	__u64 ge_lo = y + ones * (0x80 - lo);  /* bit 7: y >= lo */
	__u64 gt_hi = y + ones * (0x7f - hi);  /* bit 7: y > hi */

	return ge_lo & ~gt_hi & ~w & 0x8080808080808080ULL;
}

/* 0x80 in every byte of W that is a letter or '-'. */
SG_INLINE __u64 sg_swar_name_bytes(__u64 w)
{
	/* letters fold to lower case */
	return sg_swar_in(w | 0x2020202020202020ULL, 'a', 'z') |
	       sg_swar_zero(w ^ 0x2d2d2d2d2d2d2d2dULL);
}

/* 0x80 in every byte of W that is a control byte (< 0x20) or DEL: (b + 1)
 * mod 128 is at most 0x20 exactly for those, and bytes from 0x80 up are
 * cleared by W's own top bit. Exact per byte, no carry crosses a byte. */
SG_INLINE __u64 sg_swar_ctl(__u64 w)
{
	const __u64 low7 = 0x7f7f7f7f7f7f7f7fULL;
	__u64 t = ((w & low7) + 0x0101010101010101ULL) & low7;

	return ~((t + 0x5f5f5f5f5f5f5f5fULL) | w) & 0x8080808080808080ULL;
}

/* Index (0..7) of the lowest byte flagged 0x80 in the non-zero mask M: the
 * multiply moves byte (7 - p) of the constant, which is p, to the top. */
SG_INLINE __u32 sg_swar_first(__u64 m)
{
	return ((((m & -m) >> 7) * 0x0001020304050607ULL) >> 56) & 7;
}

/* ---- method identification ------------------------------------------- */

SG_INLINE __u32 sg_method_bit(__u64 a, __u64 b, __u32 len)
{
	if (b != 0 && len != 9)
		return SG_M_OTHER;
	switch (len) {
	case 3:
		if (a == SG_P8('A', 'C', 'K', 0, 0, 0, 0, 0)) return SG_M_ACK;
		if (a == SG_P8('B', 'Y', 'E', 0, 0, 0, 0, 0)) return SG_M_BYE;
		break;
	case 4:
		if (a == SG_P8('I', 'N', 'F', 'O', 0, 0, 0, 0)) return SG_M_INFO;
		break;
	case 5:
		if (a == SG_P8('P', 'R', 'A', 'C', 'K', 0, 0, 0)) return SG_M_PRACK;
		if (a == SG_P8('R', 'E', 'F', 'E', 'R', 0, 0, 0)) return SG_M_REFER;
		break;
	case 6:
		if (a == SG_P8('I', 'N', 'V', 'I', 'T', 'E', 0, 0)) return SG_M_INVITE;
		if (a == SG_P8('C', 'A', 'N', 'C', 'E', 'L', 0, 0)) return SG_M_CANCEL;
		if (a == SG_P8('N', 'O', 'T', 'I', 'F', 'Y', 0, 0)) return SG_M_NOTIFY;
		if (a == SG_P8('U', 'P', 'D', 'A', 'T', 'E', 0, 0)) return SG_M_UPDATE;
		break;
	case 7:
		if (a == SG_P8('O', 'P', 'T', 'I', 'O', 'N', 'S', 0)) return SG_M_OPTIONS;
		if (a == SG_P8('P', 'U', 'B', 'L', 'I', 'S', 'H', 0)) return SG_M_PUBLISH;
		if (a == SG_P8('M', 'E', 'S', 'S', 'A', 'G', 'E', 0)) return SG_M_MESSAGE;
		break;
	case 8:
		if (a == SG_P8('R', 'E', 'G', 'I', 'S', 'T', 'E', 'R')) return SG_M_REGISTER;
		break;
	case 9:
		if (a == SG_P8('S', 'U', 'B', 'S', 'C', 'R', 'I', 'B') &&
		    b == SG_P8('E', 0, 0, 0, 0, 0, 0, 0))
			return SG_M_SUBSCRIBE;
		break;
	}
	return SG_M_OTHER;
}

/* Header name (lower-cased, packed) to header id and signature field. */
SG_INLINE __u32 sg_header_id(__u64 a, __u64 b, __u32 len)
{
	switch (len) {
	case 1:
		switch (a) {
		case 'v': return SG_H_VIA;
		case 'f': return SG_H_FROM;
		case 't': return SG_H_TO;
		case 'i': return SG_H_CALLID;
		case 'm': return SG_H_CONTACT;
		case 'l': return SG_H_CLEN;
		case 'c': return SG_H_CTYPE;
		case 's': return SG_H_SUBJECT;
		}
		break;
	case 2:
		if (a == SG_P8('t', 'o', 0, 0, 0, 0, 0, 0)) return SG_H_TO;
		break;
	case 3:
		if (a == SG_P8('v', 'i', 'a', 0, 0, 0, 0, 0)) return SG_H_VIA;
		break;
	case 4:
		if (a == SG_P8('f', 'r', 'o', 'm', 0, 0, 0, 0)) return SG_H_FROM;
		if (a == SG_P8('c', 's', 'e', 'q', 0, 0, 0, 0)) return SG_H_CSEQ;
		break;
	case 6:
		if (a == SG_P8('s', 'e', 'r', 'v', 'e', 'r', 0, 0)) return SG_H_UA;
		break;
	case 7:
		if (a == SG_P8('c', 'a', 'l', 'l', '-', 'i', 'd', 0)) return SG_H_CALLID;
		if (a == SG_P8('c', 'o', 'n', 't', 'a', 'c', 't', 0)) return SG_H_CONTACT;
		if (a == SG_P8('s', 'u', 'b', 'j', 'e', 'c', 't', 0)) return SG_H_SUBJECT;
		break;
	case 10:
		if (a == SG_P8('u', 's', 'e', 'r', '-', 'a', 'g', 'e') &&
		    b == SG_P8('n', 't', 0, 0, 0, 0, 0, 0))
			return SG_H_UA;
		break;
	case 12:
		if (a == SG_P8('m', 'a', 'x', '-', 'f', 'o', 'r', 'w') &&
		    b == SG_P8('a', 'r', 'd', 's', 0, 0, 0, 0))
			return SG_H_MAXFWD;
		if (a == SG_P8('c', 'o', 'n', 't', 'e', 'n', 't', '-') &&
		    b == SG_P8('t', 'y', 'p', 'e', 0, 0, 0, 0))
			return SG_H_CTYPE;
		break;
	case 14:
		if (a == SG_P8('c', 'o', 'n', 't', 'e', 'n', 't', '-') &&
		    b == SG_P8('l', 'e', 'n', 'g', 't', 'h', 0, 0))
			return SG_H_CLEN;
		break;
	}
	return SG_H_OTHER;
}

SG_INLINE __u32 sg_header_field(__u32 id)
{
	switch (id) {
	case SG_H_VIA:     return SG_FIELD_VIA;
	case SG_H_FROM:    return SG_FIELD_FROM;
	case SG_H_TO:      return SG_FIELD_TO;
	case SG_H_CALLID:  return SG_FIELD_CALL_ID;
	case SG_H_CONTACT: return SG_FIELD_CONTACT;
	case SG_H_UA:      return SG_FIELD_USER_AGENT;
	case SG_H_SUBJECT: return SG_FIELD_SUBJECT;
	}
	return 0;
}

/* ---- small value parsers ------------------------------------------------ */

SG_INLINE __u32 sg_skip_ws_inline(struct sg_scratch *s, __u32 i, __u32 end)
{
	__u32 start = i;

	/* nearly always: no whitespace, or one space (outside the loop) */
	if (i >= end || !sg_is_ws(SG_B(s, i)))
		return SG_FORGET(s, i);
	if (i + 1 >= end || !sg_is_ws(SG_B(s, i + 1)))
		return SG_FORGET(s, i + 1);
	while (SG_CAN_LOOP) {
		if (i >= end || i - start >= 64 || !sg_is_ws(SG_B(s, i)))
			break;
		i++;
		SG_OPAQUE(i);
	}
	return SG_FORGET(s, i);
}

/* Token at I (at most SG_MAX_METHOD + 1 bytes): packs its first 16 bytes,
 * lower-cased when FOLD, into m.tok_a/tok_b, its length into m.tok_len.
 * Returns the position after it. */
SG_INLINE __u32 sg_token_inline(struct sg_scratch *s, __u32 i, __u32 end, __u32 fold)
{
	__u64 a = 0, b = 0;
	__u32 start = i, n = 0;

	while (SG_CAN_LOOP) {
		__u8 c;

		n = i - start;
		if (i >= end || n >= 64)
			break;
		c = SG_B(s, i);
		if (!sg_is_token(c))
			break;
		if (fold)
			c = sg_lower(c);
		if (n < 8)
			a |= (__u64)c << (8 * n);
		else if (n < 16)
			b |= (__u64)c << (8 * (n - 8));
		i++;
		SG_OPAQUE(i);
	}
	s->m.tok_a = SG_FORGET64(s, a);
	s->m.tok_b = SG_FORGET64(s, b);
	s->m.tok_len = SG_FORGET(s, n);
	return SG_FORGET(s, i);
}

/* Parses 1*DIGIT at I (leading zeros allowed, at most 32 digits) into
 * m.num (-1: no digit, too many, or > 0xffffffff). Returns the position
 * after the digits. */
SG_INLINE __u32 sg_uint(struct sg_scratch *s, __u32 i, __u32 end)
{
	__u64 v = 0;
	__u32 start = i, n, over = 0;

	if (!s)
		return end;
	while (SG_CAN_LOOP) {
		__u8 c;

		if (i >= end || i - start >= 33)
			break;
		c = SG_B(s, i);
		if (!sg_is_digit(c))
			break;
		v = v * 10 + (c - '0');
		if (v > 0xffffffffULL) {
			over = 1;
			v = 0xffffffffULL + 1;
		}
		i++;
		SG_OPAQUE(i);
	}
	n = i - start;
	s->m.num = (n == 0 || n > 32 || over) ? -1 : (__s64)v;
	return i;
}

/* The value is exactly a number, with optional whitespace after it. */
SG_INLINE __s64 sg_number_value(struct sg_scratch *s, __u32 vs, __u32 ve)
{
	__u32 i = sg_uint(s, vs, ve);

	if (s->m.num < 0)
		return -1;
	return sg_skip_ws_inline(s, i, ve) == ve ? s->m.num : -1;
}

#define SG_CSEQ_NEED_METHOD 0xff

/* The Method part of CSeq at [i, ve): a token equal to the request method. */
SG_INLINE __u32 sg_cseq_method(struct sg_scratch *s, __u32 i, __u32 ve)
{
	i = sg_skip_ws_inline(s, i, ve);
	i = sg_token_inline(s, i, ve, 0);
	if (s->m.tok_len == 0 || s->m.tok_len > SG_MAX_METHOD)
		return SG_DROP_CSEQ;
	if (sg_skip_ws_inline(s, i, ve) != ve)
		return SG_DROP_CSEQ;
	if (!s->m.is_response &&
	    (s->m.tok_len != s->m.method_len || s->m.tok_a != s->m.method_a ||
	     s->m.tok_b != s->m.method_b))
		return SG_DROP_CSEQ_METHOD;
	return 0;
}

/* CSeq: 1*DIGIT LWS Method, number < 2^31, method = request method. With
 * METHOD_ONLY, [vs, ve) is the Method part alone (on a folded line). One
 * function for both: each call and return costs several ns here. */
SG_SUBPROG __u32 sg_cseq(struct sg_scratch *s, __u32 vs, __u32 ve, __u32 method_only)
{
	__u32 i;

	if (!s)
		return SG_DROP_CSEQ;
	if (method_only)
		return sg_cseq_method(s, vs, ve);
	i = sg_uint(s, vs, ve);
	if (s->m.num < 0 || s->m.num >= 0x80000000LL)
		return SG_DROP_CSEQ;
	s->m.cseq_num_ok = 1;
	if (sg_skip_ws_inline(s, i, ve) == ve)
		return SG_CSEQ_NEED_METHOD; /* the method is on a folded line */
	if (!sg_is_ws(SG_B(s, i)))
		return SG_DROP_CSEQ;
	return sg_cseq_method(s, i, ve);
}

/* Top Via: "SIP / 2.0 / transport" LWS sent-by. Records the sent-by host
 * and whether the branch is SIPVicious' "z9hG4bK-<decimal>". */
SG_SUBPROG __u32 sg_top_via(struct sg_scratch *s, __u32 vs, __u32 ve)
{
	__u32 i = vs, slashes = 0, hs;

	if (!s)
		return 0;
	/* protocol: up to the second slash, then the transport token */
	for (int k = 0; k < 64; k++) {
		if (i >= ve)
			break;
		if (SG_B(s, i) == '/' && ++slashes == 2) {
			i++;
			break;
		}
		i++;
	}
	i = sg_skip_ws_inline(s, SG_FORGET(s, i), ve);
	i = sg_token_inline(s, i, ve, 0);
	i = sg_skip_ws_inline(s, i, ve);
	hs = i;
	if (i < ve && SG_B(s, i) == '[') {
		hs = ++i;
		for (int k = 0; k < SG_HOST_MAX; k++) {
			if (i >= ve || SG_B(s, i) == ']')
				break;
			i++;
		}
	} else {
		for (int k = 0; k < SG_HOST_MAX; k++) {
			__u8 c;

			if (i >= ve)
				break;
			c = SG_B(s, i);
			if (c == ':' || c == ';' || c == ',' || sg_is_ws(c))
				break;
			i++;
		}
	}
	s->m.via_host_off = hs;
	s->m.via_host_len = i - hs;
	i = SG_FORGET(s, i);

	/* branch=z9hG4bK-<digits> followed by ';' ',' LWS or end. Compared
	 * 8 bytes at a time with letters folded by OR 0x20 (bytes that fold
	 * into the pattern from controls are dropped as forbidden anyway). */
	for (int k = 0; k < 256; k++) {
		if (i + 16 > ve)
			return 0;
		if ((SG_LOAD64(&s->buf[i & SG_BUF_MASK]) | 0x2020202020202020ULL) ==
		    SG_P8('b', 'r', 'a', 'n', 'c', 'h', '=', 'z'))
			break;
		i++;
	}
	i = SG_FORGET(s, i);
	if (((SG_LOAD64(&s->buf[(i + 8) & SG_BUF_MASK]) | 0x20202020202020ULL) &
	     0xffffffffffffffULL) != SG_P8('9', 'h', 'g', '4', 'b', 'k', '-', 0))
		return 0;
	i += 15;
	hs = i;
	for (int k = 0; k < 20; k++) {
		if (i >= ve || !sg_is_digit(SG_B(s, i)))
			break;
		i++;
	}
	i = SG_FORGET(s, i);
	if (i > hs && (i >= ve || SG_B(s, i) == ';' || SG_B(s, i) == ',' || sg_is_ws(SG_B(s, i))))
		s->m.via_branch_digits = 1;
	return 0;
}

SG_INLINE __u32 sg_all_digits(struct sg_scratch *s, __u32 i, __u32 end)
{
	__u32 start = i;

	if (!s || i >= end)
		return 0;
	while (SG_CAN_LOOP) {
		if (i - start >= 64)
			return 0;
		if (i >= end)
			return 1;
		if (!sg_is_digit(SG_B(s, i)))
			return 0;
		i++;
		SG_OPAQUE(i);
	}
	return 0;
}

/* ---- signature DFA -------------------------------------------------------- */

#define SG_DFA_CHUNK 256

/* Runs the signature DFA over up to SG_DFA_CHUNK bytes from m.scan_off
 * (advancing it). Returns 1 when a pattern of m.scan_field ends, 2 when the
 * range is done, 0 when bytes remain. The state carries over between chunks
 * and between folded lines of one header. Byte classes fold case. */
SG_SUBPROG __u32 sg_dfa_chunk(struct sg_scratch *s, const struct sg_config *cfg)
{
	const struct sg_dfa_fast *fast;
	const struct sg_dfa_row *row = NULL; /* NULL: in the fast table, at row offset E */
	__u32 i, end, field, state, e = 0;

	if (!s || !cfg)
		return 0;
	fast = sg_env_dfa_fast();
	i = s->m.scan_off;
	end = s->m.scan_end;
	field = s->m.scan_field;
	state = s->m.dfa_state;
	if (fast && state < SG_DFA_FAST_STATES) {
		if (fast->accept[state] & field)
			return 1;
		e = state << 7;
	} else {
		row = sg_env_dfa_row(s->m.dfa_state);
		if (!row)
			return 0;
		if (row->accept & field)
			return 1;
	}
	for (int k = 0; k < SG_DFA_CHUNK; k++) {
		__u32 cls;

		if (i >= end)
			goto done;
		cls = cfg->byte_class[SG_B(s, i)] & (SG_DFA_CLASSES - 1);
		i++;
		if (!row && fast) {
			const __u8 *col = (const __u8 *)fast->next + (cls << 1);
			__u32 from = e;

			/* the class's column first, off the chain: per byte
			 * the chain is this add and the load */
			SG_OPAQUE(col);
			e = *(const __u16 *)(col + e);
			if (!(e & SG_DFA_FAST_ACCEPT))
				continue;
			if (e != SG_DFA_FAST_DEEP) {
				if (fast->accept[(e >> 7) & (SG_DFA_FAST_STATES - 1)] & field)
					return 1;
				e &= ~(__u32)SG_DFA_FAST_ACCEPT;
				continue;
			}
			/* the target is beyond the table: take it from the row */
			s->m.dfa_state = from >> 7;
			row = sg_env_dfa_row(s->m.dfa_state);
			if (!row)
				return 0;
		}
		if (!row)
			return 0;
		/* one row lookup per byte: the row says both where the byte
		 * leads and, for the target, whether a pattern ended there */
		state = row->next[cls];
		if (fast && state < SG_DFA_FAST_STATES) {
			row = NULL;
			e = state << 7;
			if (fast->accept[state] & field)
				return 1;
			continue;
		}
		s->m.dfa_state = state;
		row = sg_env_dfa_row(s->m.dfa_state);
		if (!row)
			return 0;
		if (row->accept & field)
			return 1;
	}
	s->m.scan_off = i;
	s->m.dfa_state = row ? state : e >> 7;
	return 0;
done:
	s->m.dfa_state = row ? state : e >> 7;
	return 2;
}

/* ---- start line -------------------------------------------------------- */

SG_INLINE int sg_is_sip_slash(struct sg_scratch *s, __u32 i)
{
	return sg_lower(SG_B(s, i)) == 's' && sg_lower(SG_B(s, i + 1)) == 'i' &&
	       sg_lower(SG_B(s, i + 2)) == 'p' && SG_B(s, i + 3) == '/';
}

SG_INLINE int sg_is_2_0(struct sg_scratch *s, __u32 i)
{
	return SG_B(s, i) == '2' && SG_B(s, i + 1) == '.' && SG_B(s, i + 2) == '0';
}

/* Allowed Request-URI schemes: sip sips tel tels urn. urn: carries
 * urn:service:sos (RFC 5031): a firewall must never drop an emergency call. */
SG_INLINE int sg_scheme_ok(struct sg_scratch *s, __u32 us, __u32 ue)
{
	__u32 w = 0, sl = 0;

	for (int k = 0; k < 5; k++) {
		__u8 c;

		if (us + k >= ue)
			return 0;
		c = SG_B(s, us + k);
		if (c == ':')
			break;
		if (k == 4)
			return 0;
		w |= (__u32)sg_lower(c) << (8 * k);
		sl++;
	}
	if (sl == 3)
		return w == ('s' | 'i' << 8 | 'p' << 16) || w == ('t' | 'e' << 8 | 'l' << 16) ||
		       w == ('u' | 'r' << 8 | 'n' << 16);
	if (sl == 4)
		return w == ('s' | 'i' << 8 | 'p' << 16 | (__u32)'s' << 24) ||
		       w == ('t' | 'e' << 8 | 'l' << 16 | (__u32)'s' << 24);
	return 0;
}

/* Method fast path: 1 to 7 upper-case letters then a space in the line's
 * first word (every method but REGISTER and SUBSCRIBE). Packs it into
 * m.tok_a/tok_b/tok_len as sg_token_inline would and returns the space's
 * position; 0 leaves the line to sg_token_inline. */
SG_INLINE __u32 sg_method_fast(struct sg_scratch *s, __u32 ls, __u32 le)
{
	const __u64 hi = 0x8080808080808080ULL;
	__u64 w = SG_LOAD64(&s->buf[ls & SG_BUF_MASK]);
	__u64 sp = sg_swar_zero(w ^ 0x2020202020202020ULL), upper = sg_swar_in(w, 'A', 'Z'), mask;
	__u32 n;

	if (!sp)
		return 0;
	n = sg_swar_first(sp);
	mask = (1ULL << (8 * n)) - 1;
	if (n == 0 || n >= le - ls || (upper & mask) != (hi & mask))
		return 0;
	s->m.tok_a = w & mask;
	s->m.tok_b = 0;
	s->m.tok_len = n;
	return ls + n;
}

/* Request line: Method SP Request-URI SP SIP-Version, or status line:
 * SIP-Version SP 3DIGIT SP Reason-Phrase. [ls, le) excludes CR LF. */
SG_SUBPROG __u32 sg_start_line(struct sg_scratch *s, const struct sg_config *cfg,
			       __u32 ls, __u32 le)
{
	__u32 i, n, us, ue;

	if (!s || !cfg)
		return SG_DROP_START_LINE;
	/* "SIP/" starts a status line; the version literal is case-insensitive */
	if (le - ls >= 8 && sg_is_sip_slash(s, ls)) {
		if (!sg_is_2_0(s, ls + 4))
			return sg_is_digit(SG_B(s, ls + 4)) ? SG_DROP_VERSION : SG_DROP_START_LINE;
		if (!sg_is_ws(SG_B(s, ls + 7)))
			return sg_is_digit(SG_B(s, ls + 7)) ? SG_DROP_VERSION : SG_DROP_START_LINE;
		us = sg_skip_ws_inline(s, ls + 8, le);
		i = sg_uint(s, us, le);
		if (s->m.num < 100 || s->m.num > 699 || i - us != 3)
			return SG_DROP_START_LINE;
		/* reason phrase: anything but controls (checked by the line scan) */
		if (i < le && !sg_is_ws(SG_B(s, i)))
			return SG_DROP_START_LINE;
		s->m.is_response = 1;
		return 0;
	}

	i = sg_method_fast(s, ls, le);
	if (!i)
		i = sg_token_inline(s, ls, le, 0);
	n = s->m.tok_len;
	if (n > SG_MAX_METHOD)
		return SG_DROP_TOO_LARGE;
	if (n == 0 || i >= le || !sg_is_ws(SG_B(s, i)))
		return SG_DROP_START_LINE;
	s->m.method_a = s->m.tok_a;
	s->m.method_b = s->m.tok_b;
	s->m.method_len = n;
	s->m.method_bit = sg_method_bit(s->m.tok_a, s->m.tok_b, n);

	us = sg_skip_ws_inline(s, i, le);
	/* the URI ends at the first SP or HTAB: 8 bytes at a time, then the
	 * result is clamped where a byte scan would have stopped (the line's
	 * end, or one byte past the longest URI) */
	i = us;
	for (int k = 0; k < SG_MAX_URI_HARD / 8 + 1; k++) {
		__u64 w, ws;

		if (i >= le || i - us > SG_MAX_URI_HARD)
			break;
		w = SG_LOAD64(&s->buf[i & SG_BUF_MASK]);
		ws = sg_swar_zero(w ^ 0x2020202020202020ULL) | sg_swar_zero(w ^ 0x0909090909090909ULL);
		if (ws) {
			i += sg_swar_first(ws);
			break;
		}
		i += 8;
	}
	i = SG_FORGET(s, i);
	if (i > le)
		i = le;
	if (i - us > SG_MAX_URI_HARD + 1)
		i = us + SG_MAX_URI_HARD + 1;
	ue = i = SG_FORGET(s, i);
	if (ue == us || i >= le)
		return SG_DROP_START_LINE;
	if (ue - us > SG_MAX_URI_HARD)
		return SG_DROP_TOO_LARGE;
	i = sg_skip_ws_inline(s, i, le);
	/* version: "SIP/2.0" then only trailing whitespace */
	if (le - i < 7 || !sg_is_sip_slash(s, i))
		return SG_DROP_START_LINE;
	if (!sg_is_2_0(s, i + 4) || sg_skip_ws_inline(s, i + 7, le) != le)
		return SG_DROP_VERSION;

	if ((cfg->checks & SG_CHECK_METHODS) && !(cfg->flags & SG_F_ANY_METHOD) &&
	    !(cfg->methods & s->m.method_bit))
		return SG_DROP_METHOD;
	if (cfg->checks & SG_CHECK_SANITY) {
		if (!sg_scheme_ok(s, us, ue))
			return SG_DROP_URI_SCHEME;
		if (ue - us > cfg->max_uri)
			return SG_DROP_TOO_LARGE;
	}
	return 0;
}

/* ---- header lines ---------------------------------------------------------- */

/* Value of header ID in [vs, ve) (its first non-empty line). */
SG_INLINE __u32 sg_header_value(struct sg_scratch *s, __u32 id, __u32 vs, __u32 ve)
{
	__s64 v;

	if (!s)
		return 0;
	switch (id) {
	case SG_H_VIA:
		if (s->m.n_via == 1)
			sg_top_via(s, vs, ve);
		break;
	case SG_H_CSEQ:
		return sg_cseq(s, vs, ve, 0);
	case SG_H_MAXFWD:
		v = sg_number_value(s, vs, ve);
		if (v < 0 || v > 255)
			return SG_DROP_MAX_FORWARDS;
		break;
	case SG_H_CLEN:
		v = sg_number_value(s, vs, ve);
		if (v < 0 || v > 0x7fffffff)
			return SG_DROP_CONTENT_LENGTH;
		s->m.clen = (__u32)v;
		break;
	case SG_H_CALLID:
		s->m.callid_digits = sg_all_digits(s, vs, ve);
		break;
	case SG_H_CTYPE:
		s->m.n_ctype++;
		break;
	}
	return 0;
}

/* Headers whose value sg_header_value parses (the rest are only counted). */
SG_INLINE int sg_has_value_parser(__u32 id)
{
	return id == SG_H_VIA || id == SG_H_CSEQ || id == SG_H_MAXFWD || id == SG_H_CLEN ||
	       id == SG_H_CALLID || id == SG_H_CTYPE;
}

SG_INLINE __u32 sg_count_header(struct sg_scratch *s, __u32 id)
{
	__u32 n = 0;

	switch (id) {
	case SG_H_VIA:    s->m.n_via++; return 0;
	case SG_H_UA:     s->m.n_ua++; return 0;
	case SG_H_FROM:   n = ++s->m.n_from; break;
	case SG_H_TO:     n = ++s->m.n_to; break;
	case SG_H_CALLID: n = ++s->m.n_callid; break;
	case SG_H_CSEQ:   n = ++s->m.n_cseq; break;
	case SG_H_CLEN:   n = ++s->m.n_clen; break;
	case SG_H_MAXFWD: n = ++s->m.n_maxfwd; break;
	}
	return n > 1 ? SG_DROP_DUPLICATE_HEADER : 0;
}

#define SG_LINE_END 1 /* sg_line: the empty line ending the header section */

/* The reason for a header whose value is empty (no folded line followed). */
SG_INLINE __u32 sg_empty_value(__u32 id)
{
	switch (id) {
	case SG_H_CSEQ:
	case SG_H_CSEQ_METHOD:
		return SG_DROP_CSEQ;
	case SG_H_CLEN:
		return SG_DROP_CONTENT_LENGTH;
	case SG_H_MAXFWD:
		return SG_DROP_MAX_FORWARDS;
	case SG_H_VIA:
	case SG_H_FROM:
	case SG_H_TO:
	case SG_H_CALLID:
		return SG_DROP_MISSING_HEADER;
	}
	return 0;
}

/* Header name fast path: a name of letters and '-' directly followed by
 * ':' within the first 16 bytes of the line (nearly every real header).
 * Packs it lower-cased into m.tok_a/tok_b/tok_len like sg_token_inline
 * and returns the colon's position; 0 leaves the line to the byte scan
 * (digits or other token bytes, whitespace before ':', longer names). */
SG_INLINE __u32 sg_name_fast(struct sg_scratch *s, __u32 ls, __u32 le)
{
	const __u64 hi = 0x8080808080808080ULL;
	__u64 w0 = SG_LOAD64(&s->buf[ls & SG_BUF_MASK]);
	__u64 w1 = SG_LOAD64(&s->buf[(ls + 8) & SG_BUF_MASK]);
	__u64 c0 = sg_swar_zero(w0 ^ 0x3a3a3a3a3a3a3a3aULL);
	__u64 c1 = sg_swar_zero(w1 ^ 0x3a3a3a3a3a3a3a3aULL);
	__u64 ok0 = sg_swar_name_bytes(w0), mask;
	__u32 n;

	if (c0) {
		n = sg_swar_first(c0);
		mask = (1ULL << (8 * n)) - 1;
		if (n == 0 || (ok0 & mask & hi) != (mask & hi))
			return 0;
		s->m.tok_a = (w0 | 0x2020202020202020ULL) & mask;
		s->m.tok_b = 0;
	} else if (c1) {
		n = sg_swar_first(c1);
		mask = (1ULL << (8 * n)) - 1;
		if (ok0 != hi || (sg_swar_name_bytes(w1) & mask & hi) != (mask & hi))
			return 0;
		s->m.tok_a = w0 | 0x2020202020202020ULL;
		s->m.tok_b = (w1 | 0x2020202020202020ULL) & mask;
		n += 8;
	} else {
		return 0;
	}
	if (n >= le - ls)
		return 0; /* the colon is past the line's end (unterminated line) */
	s->m.tok_len = n;
	return ls + n;
}

/* One line [ls, le) of the message (IDX 0 = start line). Returns 0 to go
 * on, SG_LINE_END, or a drop reason. Leaves the range to scan for
 * signatures in m.scan_off/scan_end/scan_field (field 0: nothing). */
SG_INLINE __u32 sg_line(struct sg_scratch *s, const struct sg_config *cfg, __u32 idx,
			 __u32 ls, __u32 le)
{
	__u32 i, vs, ve, id, r, sanity;

	if (!s || !cfg)
		return SG_DROP_START_LINE;
	sanity = cfg->checks & SG_CHECK_SANITY;
	s->m.scan_field = 0;
	s->m.scan_cont = 0;
	if (idx == 0) {
		r = sg_start_line(s, cfg, ls, le);
		if (r)
			return r;
		s->m.start_ok = 1;
		if (cfg->flags & SG_F_DROP_ALL_SIP)
			return SG_DROP_NO_SIP_SERVICE;
		s->m.dfa_state = 0;
		s->m.scan_off = ls;
		s->m.scan_end = le;
		s->m.scan_field = SG_FIELD_START_LINE;
		return 0;
	}
	if (le == ls || !sg_is_ws(SG_B(s, ls))) {
		/* a header whose value never came */
		r = sg_empty_value(s->m.pending);
		s->m.pending = 0;
		if (r && sanity)
			return r;
	}
	if (le == ls)
		return SG_LINE_END;
	s->m.n_headers++;

	if (sg_is_ws(SG_B(s, ls))) {
		/* folded continuation of the previous header */
		vs = sg_skip_ws_inline(s, ls, le);
		if (s->m.pending && vs < le) {
			r = s->m.pending == SG_H_CSEQ_METHOD ? sg_cseq(s, vs, le, 1)
							     : sg_header_value(s, s->m.pending, vs, le);
			s->m.pending = r == SG_CSEQ_NEED_METHOD ? SG_H_CSEQ_METHOD : 0;
			if (r == SG_CSEQ_NEED_METHOD)
				r = 0;
			if (r && sanity)
				return r;
		}
		s->m.scan_off = vs;
		s->m.scan_end = le;
		s->m.scan_field = s->m.field;
		s->m.scan_cont = 1;
		return 0;
	}

	/* header name: token, optional whitespace, ':' */
	i = sg_name_fast(s, ls, le);
	if (!i) {
		i = sg_token_inline(s, ls, le, 1);
		i = sg_skip_ws_inline(s, i, le);
		if (s->m.tok_len == 0 || i >= le || SG_B(s, i) != ':')
			return sanity ? SG_DROP_HEADER_SYNTAX : 0;
	}
	i = SG_FORGET(s, i); /* the name paths converge here */
	vs = sg_skip_ws_inline(s, i + 1, le);
	ve = le;
	while (SG_CAN_LOOP) { /* trailing whitespace, at most 64 bytes */
		if (ve <= vs || le - ve >= 64 || !sg_is_ws(SG_B(s, ve - 1)))
			break;
		ve--;
		SG_OPAQUE(ve);
	}
	ve = SG_FORGET(s, ve);
	/* forgotten: every header id would otherwise be verified on its own */
	id = SG_FORGET(s, s->m.tok_len > 16 ? SG_H_OTHER
				: sg_header_id(s->m.tok_a, s->m.tok_b, s->m.tok_len));

	r = sg_count_header(s, id);
	if (r && sanity)
		return r;
	s->m.field = sg_header_field(id);
	s->m.dfa_state = 0;
	s->m.pending = 0;
	if (vs < ve) {
		r = sg_has_value_parser(id) ? sg_header_value(s, id, vs, ve) : 0;
		if (r == SG_CSEQ_NEED_METHOD) {
			s->m.pending = SG_H_CSEQ_METHOD;
			r = 0;
		}
		if (r && sanity)
			return r;
	} else {
		s->m.pending = id; /* the value is on a folded line, or empty */
	}
	s->m.scan_off = vs;
	s->m.scan_end = ve;
	s->m.scan_field = s->m.field;
	return 0;
}

/* Runs the DFA over [m.scan_off, m.scan_end) from m.dfa_state: 1 when a
 * pattern of m.scan_field ends in it. */
SG_INLINE __u32 sg_dfa_range(struct sg_scratch *s, const struct sg_config *cfg)
{
	for (int k = 0; k < SG_MAX_LINE_HARD / SG_DFA_CHUNK + 2; k++) {
		__u32 hit = sg_dfa_chunk(s, cfg);

		if (hit == 1)
			return 1;
		if (hit == 2)
			break;
	}
	return 0;
}

/* Non-zero when the gram at the start of W is in the prefilter bitmap. */
SG_INLINE __u32 sg_pf_hit(const struct sg_config *cfg, __u64 w)
{
	__u32 h = SG_PF_HASH(w);

	return cfg->pf_bits[(h >> 3) & (SG_PF_BITS / 8 - 1)] & (1u << (h & 7));
}

/* The prefilter over [off, end): 1 when a checked window's gram is in the
 * bitmap (a pattern may occur), 0 when no pattern can. */
SG_INLINE __u32 sg_prefilter(struct sg_scratch *s, const struct sg_config *cfg, __u32 off,
			     __u32 end)
{
	__u32 i = off, step = cfg->pf_stride;

	/* two windows per trip: one loop test and one branch for both */
	while (SG_CAN_LOOP) {
		if (i - off >= SG_MAX_LINE_HARD)
			return 1; /* longer than any line: let the DFA decide */
		if (i + step + SG_PF_GRAM > end)
			break;
		if (sg_pf_hit(cfg, SG_LOAD64(&s->buf[i & SG_BUF_MASK])) |
		    sg_pf_hit(cfg, SG_LOAD64(&s->buf[(i + step) & SG_BUF_MASK])))
			return 1;
		i += 2 * step;
		SG_OPAQUE(i);
	}
	if (i + SG_PF_GRAM > end)
		return 0;
	return sg_pf_hit(cfg, SG_LOAD64(&s->buf[i & SG_BUF_MASK])) != 0;
}

/* The signature scan of the range sg_line left. A value the prefilter
 * clears is remembered instead of scanned; if a folded line continues it,
 * the DFA runs over it first, for the state it carries into the fold. */
SG_INLINE __u32 sg_scan_value(struct sg_scratch *s, const struct sg_config *cfg)
{
	__u32 off, end;

	if (!s || !cfg)
		return 0;
	if (!s->m.scan_cont) {
		s->m.pf_skipped = 0;
		SG_PF_COUNT(values);
		if (cfg->pf_stride && !sg_prefilter(s, cfg, s->m.scan_off, s->m.scan_end)) {
			SG_PF_COUNT(cleared);
			s->m.pf_skipped = 1;
			s->m.pf_off = s->m.scan_off;
			s->m.pf_end = s->m.scan_end;
			return 0;
		}
	} else if (s->m.pf_skipped) {
		SG_PF_COUNT(rescanned);
		s->m.pf_skipped = 0;
		off = s->m.scan_off;
		end = s->m.scan_end;
		s->m.scan_off = s->m.pf_off;
		s->m.scan_end = s->m.pf_end;
		if (sg_dfa_range(s, cfg))
			return 1;
		s->m.scan_off = off;
		s->m.scan_end = end;
	}
	return sg_dfa_range(s, cfg);
}

/* sg_eol's slow path: at most the 8 bytes at I, one by one. Returns the
 * position of the LF or after the last byte looked at; sets m.eol_bad.
 * With STOP_BAD, a forbidden byte ends the scan: it returns m.len (the
 * caller's "no more bytes" exit; m.eol_bad decides the verdict), so that
 * garbage is not walked to its end only to be dropped for its first byte. */
SG_SUBPROG __u32 sg_eol_bytes(struct sg_scratch *s, __u32 i, __u32 stop_bad)
{
	__u32 len;

	if (!s)
		return 0;
	len = s->m.len;
	for (int k = 0; k < 8; k++) {
		__u8 c;

		if (i >= len)
			break;
		c = SG_B(s, i);
		if (c == '\n')
			break;
		if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f)
			s->m.eol_bad = 1;
		else if (c == '\r' && i + 1 < len && SG_B(s, i + 1) != '\n')
			s->m.eol_bad = 1; /* bare CR */
		i++;
	}
	if (s->m.eol_bad && stop_bad)
		return len;
	return i;
}

/* Finds the LF ending the line at LS: 8 bytes at a time while they hold
 * no control byte (< 0x20 or DEL), byte by byte where they do. Sets
 * m.eol_bad on a forbidden byte (and, with STOP_BAD, stops there: see
 * sg_eol_bytes). Returns the LF's position, or where the scan stopped (end
 * of buffer, or line longer than SG_MAX_LINE_HARD). */
SG_INLINE __u32 sg_eol(struct sg_scratch *s, __u32 ls, __u32 stop_bad)
{
	__u32 i = ls, len = s->m.len, last;

	s->m.eol_bad = 0;
	/* the fast loop: whole words inside the buffer and the line limit,
	 * one compare per word; LAST is the last start it may load from */
	if (len >= 8) {
		last = ls + (SG_MAX_LINE_HARD / 8) * 8;
		if (last > len - 8)
			last = len - 8;
		while (SG_CAN_LOOP) {
			__u64 ctl;
			__u32 p;

			if (i > last)
				break;
			ctl = sg_swar_ctl(SG_LOAD64(&s->buf[i & SG_BUF_MASK]));
			if (!ctl) {
				i += 8;
				SG_OPAQUE(i);
				continue;
			}
			/* a CR LF at the first control byte ends the line */
			p = i + sg_swar_first(ctl);
			if (SG_B(s, p) == '\r' && p + 1 < len && SG_B(s, p + 1) == '\n')
				return SG_FORGET(s, p + 1);
			break;
		}
	}
	/* the rest: a control byte other than CR LF, or the last bytes */
	while (SG_CAN_LOOP) {
		if (i >= len || i - ls >= (SG_MAX_LINE_HARD / 8 + 1) * 8)
			break;
		i = sg_eol_bytes(s, i, stop_bad);
		if (i < len && SG_B(s, i) == '\n')
			break;
	}
	return SG_FORGET(s, i);
}

/* One line per trip of the line loop (IDX 0 = start line): finds its end,
 * parses it, scans it for signatures. Returns 0 to go on with the next line, 1 to stop
 * (end of the header section, a drop reason in m.reason, or no more bytes). */
SG_INLINE __u32 sg_next_line(struct sg_scratch *s, const struct sg_config *cfg, __u32 idx)
{
	__u32 ls, i, le, r;

	if (!s || !cfg)
		return 1;
	ls = s->m.pos;
	i = sg_eol(s, ls, cfg->checks & SG_CHECK_SANITY);
	if (s->m.eol_bad && (cfg->checks & SG_CHECK_SANITY))
		return sg_fail(s, SG_DROP_BAD_BYTES);
	if (i >= s->m.len) {
		/* the buffer ends inside this line */
		if (s->m.incomplete || s->m.len < s->m.wire_len)
			return 1; /* judge what we have */
		return sg_fail(s, idx == 0 ? SG_DROP_START_LINE : SG_DROP_TRUNCATED);
	}
	if (SG_B(s, i) != '\n')
		return sg_fail(s, SG_DROP_TOO_LARGE);
	le = i;
	if (le > ls && SG_B(s, le - 1) == '\r')
		le--;
	s->m.pos = i + 1;
	if ((cfg->checks & SG_CHECK_SANITY) && i - ls > cfg->max_line)
		return sg_fail(s, SG_DROP_TOO_LARGE);

	r = sg_line(s, cfg, idx, ls, le);
	if (r == SG_LINE_END) {
		s->m.body_off = s->m.pos;
		return 1;
	}
	if (r)
		return sg_fail(s, r);
	if ((cfg->checks & SG_CHECK_SIGNATURES) && (s->m.scan_field & cfg->sig_fields) &&
	    cfg->dfa_states && sg_scan_value(s, cfg))
		return sg_fail(s, SG_DROP_SCANNER);
	return 0;
}

/* ---- after the header section ------------------------------------------- */

SG_SUBPROG __u32 sg_body_has_content(struct sg_scratch *s, __u32 off, __u32 end)
{
	if (!s)
		return 0;
	if (end > s->m.len)
		end = s->m.len;
	for (int k = 0; k < 256; k++) {
		__u8 c;

		if (off >= end)
			break;
		c = SG_B(s, off);
		if (!(c == ' ' || c == '\t' || c == '\r' || c == '\n'))
			return 1;
		off++;
	}
	return 0;
}

SG_INLINE __u32 sg_check_message(struct sg_scratch *s, const struct sg_config *cfg)
{
	int ended = s->m.body_off != 0;

	if (cfg->checks & SG_CHECK_SANITY) {
		if (!ended && !s->m.incomplete && s->m.len >= s->m.wire_len)
			return s->m.n_headers >= cfg->max_headers ? SG_DROP_TOO_LARGE
								   : SG_DROP_TRUNCATED;
		if (s->m.n_headers > cfg->max_headers)
			return SG_DROP_TOO_LARGE;
		if (ended) {
			__u32 body_wire = s->m.wire_len - s->m.body_off;
			__u32 body = s->m.n_clen ? s->m.clen : body_wire;

			if (!s->m.n_via || !s->m.n_from || !s->m.n_to || !s->m.n_callid ||
			    !s->m.n_cseq)
				return SG_DROP_MISSING_HEADER;
			if (!s->m.is_response && !s->m.n_maxfwd &&
			    (cfg->flags & SG_F_REQUIRE_MAX_FWD))
				return SG_DROP_MISSING_HEADER;
			if (s->m.is_tcp) {
				if (!s->m.n_clen && (cfg->flags & SG_F_TCP_REQUIRE_CLEN))
					return SG_DROP_CONTENT_LENGTH;
			} else if (s->m.n_clen && !s->m.incomplete) {
				if (s->m.clen > body_wire)
					return SG_DROP_CONTENT_LENGTH;
				if (s->m.clen < body_wire && (cfg->flags & SG_F_STRICT_CLEN))
					return SG_DROP_CONTENT_LENGTH;
			}
			if (body > body_wire)
				body = body_wire;
			if (body && !s->m.n_ctype &&
			    sg_body_has_content(s, s->m.body_off, s->m.body_off + body))
				return SG_DROP_CONTENT_TYPE;
		}
	}

	if ((cfg->checks & SG_CHECK_SIGNATURES) && (cfg->flags & SG_F_SCANNER_SHAPE) &&
	    !s->m.is_response && !s->m.n_ua && s->m.via_branch_digits && s->m.callid_digits)
		return SG_DROP_SCANNER_SHAPE;

	if ((cfg->checks & SG_CHECK_REFLECTION) && s->m.is_response) {
		if (cfg->flags & SG_F_DROP_RESPONSES)
			return SG_DROP_RESPONSE;
		if (cfg->flags & SG_F_CHECK_PEERS) {
			if (!sg_env_peer(&s->m.peer))
				return SG_DROP_PEER;
		}
		if ((cfg->flags & SG_F_CHECK_VIA_OWN) && s->m.n_via) {
			__u32 hl = s->m.via_host_len;

			if (hl == 0 || hl >= SG_HOST_MAX)
				return SG_DROP_VIA_NOT_OWN;
			for (int k = 0; k < SG_HOST_MAX; k++)
				s->m.host.name[k] = (__u32)k < hl
					? (char)sg_lower(SG_B(s, s->m.via_host_off + k)) : 0;
			if (!sg_env_own_host(&s->m.host))
				return SG_DROP_VIA_NOT_OWN;
		}
	}
	return 0;
}

/* ---- the packet ----------------------------------------------------------- */

SG_INLINE int sg_port_guarded(const struct sg_config *cfg, __u16 port, __u8 proto)
{
	for (int k = 0; k < SG_MAX_PORTS; k++)
		if (cfg->ports[k] && cfg->ports[k] == port && (cfg->port_protos[k] & proto))
			return 1;
	return 0;
}

/* STUN binding (RFC 5389 magic cookie): RFC 5626 keep-alives on the SIP port. */
SG_INLINE int sg_is_stun(struct sg_scratch *s)
{
	return s->m.len >= 20 && (SG_B(s, 0) & 0xc0) == 0 && SG_B(s, 4) == 0x21 &&
	       SG_B(s, 5) == 0x12 && SG_B(s, 6) == 0xa4 && SG_B(s, 7) == 0x42;
}

/* A payload holding "SIP/" near its start (the version of the start line,
 * or a Via) is broken SIP and keeps its precise reason; anything else is
 * "not SIP". */
SG_SUBPROG __u32 sg_looks_like_sip(struct sg_scratch *s)
{
	const __u64 ones = 0x0101010101010101ULL, hi = 0x8080808080808080ULL;
	__u32 q, last;

	if (!s)
		return 0;
	/* "SIP/" (the letters in any case) starting within 2048 bytes of the
	 * message start: its '/' lies in [start + 3, start + 2050], and before
	 * the end of the payload. 8 positions per step: a cheap test for a '/'
	 * in the word, the exact four-byte match only where there is one
	 * (garbage on the SIP port must not cost more than SIP). */
	q = s->m.start + 3;
	last = s->m.start + 2050;
	if (s->m.len <= q)
		return 0;
	if (last > s->m.len - 1)
		last = s->m.len - 1;
	for (int k = 0; k < 2048 / 8 + 1; k++) {
		__u64 d, m;

		if (q > last)
			return 0;
		d = SG_LOAD64(&s->buf[q & SG_BUF_MASK]) ^ (ones * '/');
		if (((d - ones) & ~d) & hi) {
			m = sg_swar_zero(d) &
			    sg_swar_zero((SG_LOAD64(&s->buf[(q - 1) & SG_BUF_MASK]) | (ones * 0x20)) ^ (ones * 'p')) &
			    sg_swar_zero((SG_LOAD64(&s->buf[(q - 2) & SG_BUF_MASK]) | (ones * 0x20)) ^ (ones * 'i')) &
			    sg_swar_zero((SG_LOAD64(&s->buf[(q - 3) & SG_BUF_MASK]) | (ones * 0x20)) ^ (ones * 's'));
			if (last - q < 7)
				m &= (1ULL << (8 * (last - q + 1))) - 1; /* not past LAST */
			if (m)
				return 1;
		}
		q = SG_FORGET(s, q + 8);
	}
	return 0;
}

/* Skips at most MAX (<= 1024) CR and LF bytes from I: CRLFs before a start
 * line are ignored (RFC 3261 7.5). Returns the first other position. */
SG_SUBPROG __u32 sg_skip_crlf(struct sg_scratch *s, __u32 i, __u32 max)
{
	if (!s)
		return i;
	for (__u32 k = 0; k < 1024; k++) {
		if (k >= max || i >= s->m.len)
			break;
		if (SG_B(s, i) != '\r' && SG_B(s, i) != '\n')
			break;
		i++;
	}
	return i;
}

/* Judges the message that starts at m.start: its lines, then the checks on
 * the whole message. Returns enum sg_reason. On a TCP segment whose message
 * ends before the segment does, leaves the next message's offset in m.next. */
SG_SUBPROG __u32 sg_judge_message(struct sg_scratch *s, const struct sg_config *cfg)
{
	__u32 r;

	if (!s || !cfg)
		return SG_PASS_SIP;
	s->m.pos = s->m.start;
	s->m.line_idx = 0;
	while (SG_CAN_LOOP) {
		__u32 k = s->m.line_idx;

		if (k >= SG_MAX_HEADERS_HARD + 2)
			break;
		s->m.line_idx = k + 1;
		if (sg_next_line(s, cfg, k))
			break;
	}
	if (!s->m.reason)
		s->m.reason = sg_check_message(s, cfg);
	r = s->m.reason;
	if (r && !s->m.start_ok) {
		/* a TCP segment that does not begin with a start line continues a
		 * message begun in an earlier segment: not judged (README policy) */
		if (s->m.is_tcp && (r == SG_DROP_START_LINE || r == SG_DROP_BAD_BYTES ||
				    r == SG_DROP_TOO_LARGE || r == SG_DROP_TRUNCATED))
			return SG_PASS_TCP_CONTINUATION;
		if ((r == SG_DROP_START_LINE || r == SG_DROP_BAD_BYTES) && !sg_looks_like_sip(s))
			return SG_DROP_NOT_SIP;
	}
	if (r)
		return r;
	if (s->m.is_tcp && s->m.body_off && s->m.n_clen &&
	    (__u64)s->m.body_off + s->m.clen < s->m.len)
		s->m.next = s->m.body_off + s->m.clen;
	return SG_PASS_SIP;
}

/* Moves to the message at m.next: per-message state cleared, the packet's
 * kept, CRLFs skipped. Returns 0 when only CRLFs are left. */
SG_SUBPROG __u32 sg_next_message(struct sg_scratch *s)
{
	__u32 len, wire_len, incomplete, i;
	struct sg_peer_key peer;

	if (!s)
		return 0;
	len = s->m.len;
	wire_len = s->m.wire_len;
	incomplete = s->m.incomplete;
	i = s->m.next;
	peer = s->m.peer;
	__builtin_memset(&s->m, 0, sizeof(s->m));
	s->m.len = len;
	s->m.wire_len = wire_len;
	s->m.incomplete = incomplete;
	s->m.is_tcp = 1;
	s->m.peer = peer;
	i = sg_skip_crlf(s, i, 64);
	s->m.start = i;
	return i < len;
}

/* LEN (a constant) bytes of the packet at OFF into DST, from the copy
 * sg_judge staged in head and buf (the first STAGED bytes of the packet).
 * -1 past them: the packet is shorter than OFF + LEN, as STAGED only stops
 * short of the packet's end past SG_FAST_HDR + SG_BUF_SIZE bytes, further
 * than any IPv4 header reaches. One path for the verifier. */
SG_INLINE int sg_pkt_bytes(struct sg_scratch *s, __u32 staged, __u32 off, void *dst, __u32 len)
{
	if (off + len > staged)
		return -1;
	__builtin_memcpy(dst, SG_PKT(s) + (off & SG_BUF_MASK), len);
	return 0;
}

/* The L4 header at OFF: IPv4's from the staged copy; IPv6's with one more
 * helper call (behind extension headers, left out of the one-load path). */
SG_INLINE int sg_l4_bytes(sg_env_t env, struct sg_scratch *s, __u32 staged, __u32 v6,
			  __u32 off, void *dst, __u32 len)
{
	return v6 ? sg_env_load(env, off, dst, len) : sg_pkt_bytes(s, staged, off, dst, len);
}

/* Judges one packet starting at its IP header. Returns enum sg_reason. */
SG_INLINE __u32 sg_judge(sg_env_t env, __u32 pkt_len, struct sg_scratch *s,
			 const struct sg_config *cfg)
{
	__u8 hdr[40];
	__u32 l4off, l4proto, payload_off, payload_len;
	__u64 copy; /* 64-bit: the bounds check and the helper use one register */
	__u16 dport;
	__u32 incomplete = 0, staged, v6 = 0, i, reason;

	__builtin_memset(&s->m, 0, sizeof(s->m));
	/* One helper call copies the packet so that a payload behind an IPv4
	 * header without options and a UDP header lands at buf[0]; the IP
	 * header (and IPv4's UDP or TCP header) is read from that copy. Only
	 * other payload offsets (TCP, IPv6, IP options) take more calls. A
	 * helper call costs about 15 ns here, more than copying 1400 bytes. */
	{
		__u64 n = pkt_len > SG_FAST_HDR + SG_BUF_SIZE ? SG_FAST_HDR + SG_BUF_SIZE : pkt_len;

		SG_OPAQUE(n); /* keep the bounds check below for the verifier */
		if (n < 1 || n > SG_FAST_HDR + SG_BUF_SIZE)
			return SG_PASS_NOT_IP;
		if (sg_env_load(env, 0, SG_PKT(s), n))
			return SG_PASS_NOT_IP;
		staged = n;
	}
	if (sg_pkt_bytes(s, staged, 0, hdr, 20))
		return SG_PASS_NOT_IP;
	if ((hdr[0] >> 4) == 4) {
		__u32 ihl = (hdr[0] & 0xf) * 4;
		__u32 tot = (__u32)hdr[2] << 8 | hdr[3];
		__u16 frag = (__u16)hdr[6] << 8 | hdr[7];

		if (ihl < 20 || tot < ihl)
			return SG_PASS_NOT_IP;
		if (frag & 0x1fff)
			return SG_PASS_FRAGMENT;
		if (frag & 0x2000)
			incomplete = 1;
		if (tot < pkt_len)
			pkt_len = tot; /* link-layer padding */
		l4proto = hdr[9];
		l4off = ihl;
		s->m.peer.prefixlen = 128;
		s->m.peer.addr[10] = 0xff;
		s->m.peer.addr[11] = 0xff;
		s->m.peer.addr[12] = hdr[12];
		s->m.peer.addr[13] = hdr[13];
		s->m.peer.addr[14] = hdr[14];
		s->m.peer.addr[15] = hdr[15];
	} else if ((hdr[0] >> 4) == 6) {
		__u32 plen;

		if (sg_pkt_bytes(s, staged, 0, hdr, 40))
			return SG_PASS_NOT_IP;
		v6 = 1;
		plen = (__u32)hdr[4] << 8 | hdr[5];
		if (plen + 40 < pkt_len)
			pkt_len = plen + 40;
		s->m.peer.prefixlen = 128;
		for (int k = 0; k < 16; k++)
			s->m.peer.addr[k] = hdr[8 + k];
		l4proto = hdr[6];
		l4off = 40;
		/* extension headers: hop-by-hop, routing, destination, fragment */
		for (int k = 0; k < 6; k++) {
			__u8 eh[8];

			if (l4proto != 0 && l4proto != 43 && l4proto != 60 && l4proto != 44)
				break;
			if (sg_env_load(env, l4off, eh, 8)) /* rare: not worth verifier paths */
				return SG_PASS_NOT_IP;
			if (l4proto == 44) {
				__u16 fo = (__u16)eh[2] << 8 | eh[3];

				if (fo & 0xfff8)
					return SG_PASS_FRAGMENT;
				if (fo & 1)
					incomplete = 1;
				l4off += 8;
			} else {
				l4off += ((__u32)eh[1] + 1) * 8;
			}
			l4proto = eh[0];
		}
	} else {
		return SG_PASS_NOT_IP;
	}

	if (l4proto == 17) {
		__u32 ulen;

		if (sg_l4_bytes(env, s, staged, v6, l4off, hdr, 8))
			return SG_PASS_NOT_IP;
		dport = (__u16)hdr[2] << 8 | hdr[3];
		if (!sg_port_guarded(cfg, dport, SG_PROTO_UDP))
			return SG_PASS_NOT_GUARDED;
		ulen = (__u32)hdr[4] << 8 | hdr[5];
		payload_off = l4off + 8;
		if (ulen < 8)
			return SG_DROP_NOT_SIP;
		payload_len = ulen - 8;
		/* a first fragment carries the full UDP length */
		if (!incomplete && payload_off + payload_len > pkt_len)
			payload_len = pkt_len > payload_off ? pkt_len - payload_off : 0;
		s->m.wire_len = payload_len;
		if (incomplete)
			payload_len = pkt_len > payload_off ? pkt_len - payload_off : 0;
	} else if (l4proto == 6) {
		if (sg_l4_bytes(env, s, staged, v6, l4off, hdr, 20))
			return SG_PASS_NOT_IP;
		dport = (__u16)hdr[2] << 8 | hdr[3];
		if (!sg_port_guarded(cfg, dport, SG_PROTO_TCP))
			return SG_PASS_NOT_GUARDED;
		payload_off = l4off + (hdr[12] >> 4) * 4;
		payload_len = pkt_len > payload_off ? pkt_len - payload_off : 0;
		if (payload_len == 0)
			return SG_PASS_TCP_CONTINUATION;
		s->m.is_tcp = 1;
		incomplete = 1; /* a segment may hold part of a message */
		s->m.wire_len = payload_len;
	} else {
		return SG_PASS_NOT_IP;
	}

	if (payload_len == 0)
		return SG_DROP_NOT_SIP;
	if ((cfg->checks & SG_CHECK_SANITY) && s->m.wire_len > cfg->max_message)
		return SG_DROP_TOO_LARGE;
	copy = payload_len > SG_BUF_SIZE ? SG_BUF_SIZE : payload_len;
	SG_OPAQUE(copy); /* keep the bounds check below for the verifier */
	if (copy < 1 || copy > SG_BUF_SIZE)
		return SG_DROP_NOT_SIP;
	/* a payload at SG_FAST_HDR is in the staged copy already, COPY bytes
	 * of it at least: the copy stops at the packet's end or at buf's */
	if (payload_off != SG_FAST_HDR && sg_env_load(env, payload_off, s->buf, copy))
		return SG_PASS_NOT_IP;
	s->m.len = (__u32)copy;
	s->m.incomplete = incomplete;

	if (sg_is_stun(s))
		return SG_PASS_KEEPALIVE;
	/* only CRLFs: a keep-alive (the call only when there is one: each
	 * call and return costs several ns here) */
	i = SG_B(s, 0) == '\r' || SG_B(s, 0) == '\n' ? sg_skip_crlf(s, 0, 1024) : 0;
	if (i >= copy)
		return SG_PASS_KEEPALIVE;
	s->m.start = i;
	reason = sg_judge_message(s, cfg);
	/* a TCP segment may carry several messages: judge each one that starts
	 * inside it, so that no message hides behind a valid one */
	for (int k = 0; k < SG_MAX_TCP_MESSAGES - 1; k++) {
		if (reason != SG_PASS_SIP || !s->m.next || !sg_next_message(s))
			break;
		reason = sg_judge_message(s, cfg);
		if (reason == SG_PASS_TCP_CONTINUATION)
			reason = SG_PASS_SIP; /* the tail of the segment: not judged */
	}
	return reason;
}

#endif /* SIP_PARSE_H */
