/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The SIP validator: IP/UDP/TCP framing, TCP streams and the SIP checks of
 * DESIGN.md section 4. Compiled from this one file into the eBPF program
 * (sipguard.bpf.c, in two variants, see below) and into userspace
 * (sip_parse_user.c) for fuzzing, differential and kernel/user equality tests.
 *
 * The includer defines, before including this file:
 *   sg_env_t                        what the packet is read from
 *   sg_env_load(env, off, dst, len) copy packet bytes, 0 on success
 *   sg_env_gso(env, &size, &segs)   the packet's GSO segment size and count
 *   sg_env_dfa_row(state)           const struct sg_dfa_row * or NULL
 *   sg_env_dfa_fast()               const struct sg_dfa_fast * or NULL (rows only)
 *   sg_env_own_host(s, key)         non-zero if key is an own host of customer s->w.cust
 *   sg_env_peer(s, key)             non-zero if key matches the customer's peers
 *   sg_env_flow(s, key)             struct sg_flow * of a TCP stream, or NULL
 *   sg_env_flow_put(s, key, val)    creates or replaces it: 0 or < 0
 *   sg_env_flow_sync(s, key, flow)  the changes made through the pointer are final
 *   sg_env_carry(s, key)            struct sg_carry * of a stream, or NULL
 *   sg_env_carry_put(s, key, val)   creates or replaces it: 0 or < 0
 *   sg_env_carry_sync(s, key, c)    as sg_env_flow_sync
 *
 * Two variants of the kernel program (the manager picks one at load time):
 *  - the default one needs may_goto (Linux 6.9+): the step loop and every
 *    loop inside a step are may_goto loops (SG_CAN_LOOP), which the verifier
 *    checks until their state at the head repeats, so a step is inlined into
 *    the loop without a call per header line;
 *  - SG_PORTABLE (Linux 6.1+): every loop is counted from a constant (the
 *    verifier walks it trip by trip) and one step is a global function,
 *    verified once on its own: one call per header line more.
 * Every loop states its trip bound in SG_LOOP(N); inside, the loop stops at
 * the same place in both variants (the may_goto budget is never reached), so
 * both give the same verdicts.
 *
 * Verifier notes (why the code looks the way it does):
 *  - every index into the scratch buffer is masked with SG_BUF_MASK;
 *  - other work is split into global functions (SG_SUBPROG), which the
 *    verifier checks once each, on their own, so its work adds up instead
 *    of multiplying; they take the scratch and config map values as
 *    pointers to plain structs and keep mutable state in the scratch;
 *  - SG_FORGET after a bounded loop makes its many exits look alike;
 *  - loops bound the distance from where they started instead of counting
 *    (a counted loop inside a may_goto loop is walked trip by trip on every
 *    path), and SG_OPAQUE keeps clang from turning that position back into
 *    a counter.
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
#define SG_FORGET(s, v) ({ (s)->w.tmp = (v); *(volatile __u32 *)&(s)->w.tmp; })
#define SG_FORGET64(s, v) ({ (s)->w.tmp64 = (v); *(volatile __u64 *)&(s)->w.tmp64; })
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
#define SG_FORGET(s, v) (v)
#define SG_FORGET64(s, v) (v)
#define SG_OPAQUE(v) ((void)0)
#endif

/* SG_LOOP(N): a loop of at most N trips (see the variants above). STEP_FN:
 * one step of the step loop, inlined where the loop is a may_goto loop.
 * PART_FN: a part of a line's work (a header value, the signature scan),
 * global in the portable variant, where the loops inside a line are walked
 * trip by trip and a line in one piece is too much for the verifier. */
#if defined(__bpf__) && !defined(SG_PORTABLE)
#define SG_LOOP(n) while (SG_CAN_LOOP)
#define SG_STEP_FN SG_INLINE
#define SG_PART_FN SG_INLINE
#else
#define SG_LOOP(n) for (__u32 sg_trip_ = 0; sg_trip_ < (__u32)(n); sg_trip_++)
#ifdef __bpf__
#define SG_STEP_FN SG_SUBPROG
#define SG_PART_FN SG_SUBPROG
#else
#define SG_STEP_FN SG_INLINE
#define SG_PART_FN SG_INLINE
#endif
#endif

/* Prefilter counts, userspace only (the includer defines sg_pf_counts). */
#ifdef __bpf__
#define SG_PF_COUNT(what) ((void)0)
#else
#define SG_PF_COUNT(what) ((void)sg_pf_counts.what++)
#endif

/* Scratch of one packet: the state of the window being judged. */
struct sg_win {
	__u32 len;            /* bytes in buf */
	__u32 tmp;            /* SG_FORGET round-trips */
	__u64 tmp64;
	__u32 pos;            /* start of the next line */
	__u32 reason;         /* drop reason found so far, 0 = none */
	__u32 start;          /* first byte of the message's start line */
	__u32 body_off;       /* first body byte, 0 = header section not ended */
	__u32 wire_len;       /* UDP: bytes of the datagram's payload */
	__u32 is_tcp;
	__u32 flags;          /* the profile's flags with the customer's over them */
	__u32 cust, epoch;    /* customer id and epoch */
	__u32 lists;          /* index of the customer's own hosts and peers */
	__u32 state;          /* enum sg_stream_state */
	__u32 body_left, ctype_left;
	__u32 carry;          /* buf[0, carry) came from sg_carry */
	__u32 skb_pos;        /* TCP: packet offset of the next byte to load */
	__u32 skb_end;        /* TCP: packet offset of the payload's end */
	__u32 win_skb;        /* TCP: packet offset of buf[carry] */
	__u32 seq_end;        /* TCP: stream position of skb_end */
	__u32 partial;        /* the window ended inside a line starting at pos */
	__u32 msgs;           /* messages started in this packet */
	__u32 steps;          /* sg_run's steps so far */
	__u32 scan_off, scan_end, scan_field; /* signature scan of the current line */
	__u32 scan_cont;      /* the range continues the last one (folded line) */
	__u32 pf_off, pf_end; /* the last range the prefilter spared the DFA, */
	__u32 pf_skipped;     /* ... for a folded line that continues it */
	__u64 tok_a, tok_b;   /* last token (sg_token), packed */
	__u32 tok_len;
	__u32 eol_bad;        /* line-end scan: forbidden byte seen */
	__u32 hit_state;      /* the DFA state a pattern ended in */
	struct sg_detail det; /* what the first drop was about */
	__s64 num;            /* last number (sg_uint), -1 = invalid */
	struct sg_peer_key peer;    /* source address of the packet */
	struct sg_flow_key fkey;    /* TCP: the stream */
};

/* Bytes of the packet in front of the payload that the one-load path of
 * sg_judge copies along with it: an IPv4 header without options and a UDP
 * header. */
#define SG_FAST_HDR 28

/* A TCP window: the carried line, then at most SG_WIN_NEW new bytes. */
#define SG_WIN_NEW (SG_BUF_SIZE - SG_CARRY_MAX)

struct sg_scratch {
	struct sg_win w;
	struct sg_msg m;
	struct sg_flow fnew;       /* a new stream's state, for sg_env_flow_put */
	struct sg_carry cnew;      /* a new carry entry, for sg_env_carry_put */
	__u8 hdr[40];              /* IP and L4 headers of the packet */
	__u8 topt[64];             /* TCP options (at most 40 bytes; 64: masked indexes stay inside) */
	__u8 head[(SG_FAST_HDR + 7) & ~7]; /* ends with the IPv4 and UDP headers (SG_PKT) */
	__u8 buf[SG_BUF_SIZE + 8]; /* +8: word loads at any masked index stay inside */
};

#define SG_B(s, i) ((s)->buf[(i) & SG_BUF_MASK])

/* Where sg_judge stages byte 0 of the packet: its first SG_FAST_HDR bytes
 * in the end of head, the rest from buf[0] on. */
#define SG_PKT(s) ((__u8 *)(s) + __builtin_offsetof(struct sg_scratch, buf) - SG_FAST_HDR)

/* Steps (header lines, CRLF runs, bodies, windows) judged in one packet at
 * most; a packet that needs more is dropped (unjudged). A header section
 * takes at most SG_MAX_HEADERS_HARD + 2 steps; a 64 KB TCP segment (TSO
 * across a veth, GRO) of 2-byte lines takes 32768. */
#define SG_MAX_STEPS 65536
/* UDP GSO segments judged in one packet at most (the kernel's UDP_MAX_SEGMENTS). */
#define SG_MAX_GSO_SEGS 128

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
SG_INLINE void SG_STORE64(void *p, __u64 v)
{
	asm volatile("*(u64 *)(%0 + 0) = %1" :: "r"(p), "r"(v) : "memory");
}
#else
SG_INLINE __u64 SG_LOAD64(const void *p)
{
	__u64 v;

	__builtin_memcpy(&v, p, 8);
	return v;
}
SG_INLINE void SG_STORE64(void *p, __u64 v)
{
	__builtin_memcpy(p, &v, 8);
}
#endif
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

/* A run of 2 or more whitespace bytes at I, 8 bytes at a time: at most 64
 * bytes are skipped. */
SG_SUBPROG __u32 sg_skip_ws_run(struct sg_scratch *s, __u32 i, __u32 end)
{
	__u32 start = i, stop = i + 64;

	if (!s)
		return end;
	if (stop > end)
		stop = end;
	SG_LOOP(9) {
		__u64 w = SG_LOAD64(&s->buf[i & SG_BUF_MASK]);
		__u64 other = ~(sg_swar_zero(w ^ 0x2020202020202020ULL) |
				sg_swar_zero(w ^ 0x0909090909090909ULL)) & 0x8080808080808080ULL;

		if (i >= stop || i - start >= 64)
			break;
		if (other) {
			i += sg_swar_first(other);
			break;
		}
		i += 8;
		SG_OPAQUE(i);
	}
	if (i > stop)
		i = stop;
	return i;
}

SG_INLINE __u32 sg_skip_ws_inline(struct sg_scratch *s, __u32 i, __u32 end)
{
	/* nearly always: no whitespace, or one space (outside the loop) */
	if (i >= end || !sg_is_ws(SG_B(s, i)))
		return SG_FORGET(s, i);
	if (i + 1 >= end || !sg_is_ws(SG_B(s, i + 1)))
		return SG_FORGET(s, i + 1);
	return SG_FORGET(s, sg_skip_ws_run(s, i, end));
}

/* 0x80 in every byte of W that is not an RFC 3261 token byte (alphanum /
 * "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~"). */
SG_INLINE __u64 sg_swar_nontoken(__u64 w)
{
	const __u64 ones = 0x0101010101010101ULL;
	__u64 tok = sg_swar_in(w | 0x2020202020202020ULL, 'a', 'z') | sg_swar_in(w, '0', '9') |
		    sg_swar_in(w, '*', '.') | /* * + , - . : ',' is taken out below */
		    sg_swar_zero(w ^ (ones * '!')) | sg_swar_zero(w ^ (ones * '%')) |
		    sg_swar_zero(w ^ (ones * '\'')) | sg_swar_zero(w ^ (ones * '_')) |
		    sg_swar_zero(w ^ (ones * '`')) | sg_swar_zero(w ^ (ones * '~'));

	return ~(tok & ~sg_swar_zero(w ^ (ones * ','))) & 0x8080808080808080ULL;
}

/* The low N (0..8) bytes of a word, without a branch. */
SG_INLINE __u64 sg_low_bytes(__s32 n)
{
	n &= ~(n >> 31);                 /* max(n, 0) */
	n -= (n - 8) & ~((n - 8) >> 31); /* min(n, 8) */
	return ((1ULL << (4 * n)) << (4 * n)) - 1;
}

/* Token at I: packs its first 16 bytes, lower-cased when FOLD, into
 * w.tok_a/tok_b and its length into w.tok_len (a token longer than 64
 * bytes is measured to 64: only its first 16 bytes are compared, and no
 * check depends on its length beyond that). Returns the position after
 * it (after the 64th byte for a longer one). 8 bytes at a time, without a
 * branch per byte. */
SG_INLINE __u32 sg_token_inline(struct sg_scratch *s, __u32 i, __u32 end, __u32 fold)
{
	__u64 a, b;
	__u32 start = i, n;

	SG_LOOP(9) {
		__u64 nt;

		if (i >= end || i - start >= 64)
			break;
		nt = sg_swar_nontoken(SG_LOAD64(&s->buf[i & SG_BUF_MASK]));
		if (nt) {
			i += sg_swar_first(nt);
			break;
		}
		i += 8;
		SG_OPAQUE(i);
	}
	i = SG_FORGET(s, i);
	if (i > end)
		i = end;
	if (i - start > 64)
		i = start + 64;
	n = i - start;
	a = SG_LOAD64(&s->buf[start & SG_BUF_MASK]);
	b = SG_LOAD64(&s->buf[(start + 8) & SG_BUF_MASK]);
	if (fold) {
		a |= sg_swar_in(a, 'A', 'Z') >> 2;
		b |= sg_swar_in(b, 'A', 'Z') >> 2;
	}
	s->w.tok_a = a & sg_low_bytes((__s32)n);
	s->w.tok_b = b & sg_low_bytes((__s32)n - 8);
	s->w.tok_len = n;
	return i;
}

/* Parses 1*DIGIT at I (leading zeros allowed, at most 32 digits) into
 * w.num (-1: no digit, too many, or > 0xffffffff). Returns the position
 * after the digits. */
SG_INLINE __u32 sg_uint(struct sg_scratch *s, __u32 i, __u32 end)
{
	__u64 v = 0;
	__u32 start = i, n, over = 0;

	if (!s)
		return end;
	SG_LOOP(34) {
		__u8 c;

		if (i >= end || i - start >= 33)
			break;
		c = SG_B(s, i);
		if (!sg_is_digit(c))
			break;
		/* no branch: each one would double the verifier's paths */
		v = v * 10 + (c - '0');
		over |= (__u32)(v >> 32);
		v &= 0xffffffffULL;
		i++;
		SG_OPAQUE(i);
	}
	n = i - start;
	s->w.num = (n == 0 || n > 32 || over) ? -1 : (__s64)v;
	return i;
}

/* The value is exactly a number, with optional whitespace after it. */
SG_INLINE __s64 sg_number_value(struct sg_scratch *s, __u32 vs, __u32 ve)
{
	__u32 i = sg_uint(s, vs, ve);

	if (s->w.num < 0)
		return -1;
	return sg_skip_ws_inline(s, i, ve) == ve ? s->w.num : -1;
}

/* The rest of a token longer than sg_token_inline measures (rare: no
 * method or header name in use is that long, but the grammar sets no
 * bound, and a bound must not become a drop). It ends at SP, HTAB or ':'
 * (the bytes that end a method or a header name); other bytes past the
 * 64th are left to the SIP stack. Returns the position of that byte (END
 * if none). */
SG_SUBPROG __u32 sg_token_rest(struct sg_scratch *s, __u32 i, __u32 end)
{
	__u32 start = i;

	if (!s)
		return end;
	SG_LOOP(SG_MAX_LINE_HARD / 8 + 1) {
		__u64 w, stop;

		if (i >= end || i - start >= SG_MAX_LINE_HARD)
			break;
		w = SG_LOAD64(&s->buf[i & SG_BUF_MASK]);
		stop = sg_swar_zero(w ^ 0x2020202020202020ULL) |
		       sg_swar_zero(w ^ 0x0909090909090909ULL) |
		       sg_swar_zero(w ^ 0x3a3a3a3a3a3a3a3aULL);
		if (stop) {
			i += sg_swar_first(stop);
			break;
		}
		i += 8;
		SG_OPAQUE(i);
	}
	if (i > end)
		i = end;
	return i;
}

#define SG_CSEQ_NEED_METHOD 0xff

/* The Method part of CSeq at [i, ve): a token equal to the request method
 * (compared on its first 16 bytes and its length up to 64). */
SG_INLINE __u32 sg_cseq_method(struct sg_scratch *s, __u32 i, __u32 ve)
{
	i = sg_skip_ws_inline(s, i, ve);
	i = sg_token_inline(s, i, ve, 0);
	if (s->w.tok_len == 0)
		return SG_DROP_CSEQ;
	if (s->w.tok_len >= 64)
		i = sg_token_rest(s, i, ve);
	if (sg_skip_ws_inline(s, i, ve) != ve)
		return SG_DROP_CSEQ;
	if (!s->m.is_response &&
	    (s->w.tok_len != s->m.method_len || s->w.tok_a != s->m.method_a ||
	     s->w.tok_b != s->m.method_b))
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
	if (s->w.num < 0 || s->w.num >= 0x80000000LL)
		return SG_DROP_CSEQ;
	s->m.cseq_num_ok = 1;
	if (sg_skip_ws_inline(s, i, ve) == ve)
		return SG_CSEQ_NEED_METHOD; /* the method is on a folded line */
	if (!sg_is_ws(SG_B(s, i)))
		return SG_DROP_CSEQ;
	return sg_cseq_method(s, i, ve);
}

/* Top Via: "SIP / 2.0 / transport" LWS sent-by. Records the sent-by host
 * (lower case, in m.host, only when the own-host check is on: the value may
 * not be in the buffer any more when the header section ends) and whether
 * the branch is SIPVicious' "z9hG4bK-<decimal>". */
SG_SUBPROG __u32 sg_via_branch(struct sg_scratch *s, __u32 i, __u32 ve);

SG_SUBPROG __u32 sg_top_via(struct sg_scratch *s, __u32 vs, __u32 ve)
{
	__u32 i = vs, slashes = 0, hs, hl;

	if (!s)
		return 0;
	/* protocol: up to the second slash, then the transport token */
	SG_LOOP(65) {
		if (i >= ve || i - vs >= 64)
			break;
		if (SG_B(s, i) == '/' && ++slashes == 2) {
			i++;
			break;
		}
		i++;
		SG_OPAQUE(i);
	}
	i = sg_skip_ws_inline(s, SG_FORGET(s, i), ve);
	i = sg_token_inline(s, i, ve, 0);
	i = sg_skip_ws_inline(s, i, ve);
	hs = i;
	if (i < ve && SG_B(s, i) == '[') {
		hs = ++i;
		SG_LOOP(SG_HOST_MAX + 1) {
			if (i >= ve || i - hs >= SG_HOST_MAX || SG_B(s, i) == ']')
				break;
			i++;
			SG_OPAQUE(i);
		}
	} else {
		SG_LOOP(SG_HOST_MAX + 1) {
			__u8 c;

			if (i >= ve || i - hs >= SG_HOST_MAX)
				break;
			c = SG_B(s, i);
			if (c == ':' || c == ';' || c == ',' || sg_is_ws(c))
				break;
			i++;
			SG_OPAQUE(i);
		}
	}
	/* forgotten: every way out of the loops above would walk the copy */
	hs = SG_FORGET(s, hs);
	i = SG_FORGET(s, i);
	hl = i - hs;
	s->m.host_len = hl;
	if ((s->w.flags & SG_F_CHECK_VIA_OWN) && hl < SG_HOST_MAX) {
		/* lower-cased and zero-padded, a word at a time, without a
		 * branch (each would double the verifier's paths) */
#ifdef __clang__
#pragma unroll
#endif
		for (int k = 0; k < SG_HOST_MAX / 8; k++) {
			__u64 w = SG_LOAD64(&s->buf[(hs + 8 * k) & SG_BUF_MASK]);

			w |= sg_swar_in(w, 'A', 'Z') >> 2;
			SG_STORE64(&s->m.host.name[8 * k], w & sg_low_bytes((__s32)hl - 8 * k));
		}
	}

	sg_via_branch(s, i, ve);
	return 0;
}

/* The top Via's parameters from I: branch=z9hG4bK-<digits> followed by
 * ';' ',' LWS or end. Compared 8 bytes at a time with letters folded by
 * OR 0x20 (bytes that fold into the pattern from controls are dropped as
 * forbidden anyway). On its own for the verifier: the walk over the
 * parameters starts from one state. */
SG_SUBPROG __u32 sg_via_branch(struct sg_scratch *s, __u32 i, __u32 ve)
{
	__u32 hs = i;

	if (!s)
		return 0;
	SG_LOOP(257) {
		if (i + 16 > ve || i - hs >= 256)
			return 0;
		if ((SG_LOAD64(&s->buf[i & SG_BUF_MASK]) | 0x2020202020202020ULL) ==
		    SG_P8('b', 'r', 'a', 'n', 'c', 'h', '=', 'z'))
			break;
		i++;
		SG_OPAQUE(i);
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
	SG_LOOP(65) {
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

/* Value of the hex digit C, or 16 when it is none. */
SG_INLINE __u32 sg_hex(__u8 c)
{
	__u8 l = c | 0x20;

	if (c >= '0' && c <= '9')
		return c - '0';
	if (l >= 'a' && l <= 'f')
		return l - 'a' + 10;
	return 16;
}

/* The escape at AT ('%' or '\\', class SG_DFA_CLASS_ESC) as the stack
 * reads it: "%XX" is the byte XX, "\\X" is X (a quoted-pair), anything else
 * the character itself. Returns the class of what it stands for, with the
 * bytes consumed after AT in bits 8 and up. A function of its own: rare,
 * and one state for the DFA loop's verification whatever the escape. */
SG_SUBPROG __u32 sg_unescape(struct sg_scratch *s, const struct sg_config *cfg, __u32 at, __u32 end)
{
	__u8 c, b;
	__u32 cls, n;

	if (!s || !cfg)
		return 0;
	c = SG_B(s, at);

	if (c == '%') {
		__u32 h = at + 2 < end ? sg_hex(SG_B(s, at + 1)) : 16;
		__u32 l = at + 2 < end ? sg_hex(SG_B(s, at + 2)) : 16;

		if (h > 15 || l > 15)
			return cfg->pct_class;
		b = (__u8)(h << 4 | l);
		n = 2;
	} else {
		if (at + 1 >= end)
			return cfg->bs_class;
		b = SG_B(s, at + 1);
		n = 1;
	}
	cls = cfg->byte_class[b] & (SG_DFA_CLASSES - 1);
	if (cls == SG_DFA_CLASS_ESC)
		cls = b == '%' ? cfg->pct_class : cfg->bs_class;
	return cls | n << 8;
}

/* Runs the signature DFA over up to SG_DFA_CHUNK bytes from m.scan_off
 * (advancing it). Returns 1 when a pattern of m.scan_field ends, 2 when the
 * range is done, 0 when bytes remain. The state carries over between chunks
 * and between folded lines of one header. Byte classes fold case. */
SG_SUBPROG __u32 sg_dfa_chunk(struct sg_scratch *s, const struct sg_config *cfg)
{
	const struct sg_dfa_fast *fast;
	const struct sg_dfa_row *row = NULL; /* NULL: in the fast table, at row offset E */
	__u32 i, end, field, state, e = 0, adv, start;

	if (!s || !cfg)
		return 0;
#ifdef SG_PORTABLE
	/* one mode for verifiers that walk the loop trip by trip: rows only
	 * (a map lookup per byte instead of the flat table's load) */
	fast = NULL;
#else
	fast = sg_env_dfa_fast();
#endif
	i = s->w.scan_off;
	end = s->w.scan_end;
	field = s->w.scan_field;
	state = s->m.dfa_state;
	if (fast && state < SG_DFA_FAST_STATES) {
		if (fast->accept[state] & field)
			goto hit;
		e = state << 7;
	} else {
		row = sg_env_dfa_row(s->m.dfa_state);
		if (!row)
			return 0;
		if (row->accept & field)
			goto hit;
	}
	start = i;
	SG_LOOP(SG_DFA_CHUNK) {
		__u32 cls;

		if (i >= end)
			goto done;
		if (i - start >= SG_DFA_CHUNK)
			break;
		cls = cfg->byte_class[SG_B(s, i)] & (SG_DFA_CLASSES - 1);
		adv = 1;
		if (cls == SG_DFA_CLASS_ESC) {
			cls = sg_unescape(s, cfg, i, end);
			adv += (cls >> 8) & 3;
			cls &= SG_DFA_CLASSES - 1;
		}
#ifdef SG_PORTABLE
		/* forgotten: the two ways (a byte, an escape) go on as one state
		 * for verifiers that walk this loop trip by trip */
		i = SG_FORGET(s, i + adv);
#else
		i += adv;
		SG_OPAQUE(i);
#endif
		if (!row && fast) {
			const __u8 *col = (const __u8 *)fast->next + (cls << 1);
			__u32 from = e;

			/* the class's column first, off the chain: per byte
			 * the chain is this add and the load */
			SG_OPAQUE(col);
#ifdef SG_PORTABLE
			e &= 0xffff; /* older verifiers lose the bound of the u16 load */
#endif
			e = *(const __u16 *)(col + e);
			if (!(e & SG_DFA_FAST_ACCEPT))
				continue;
			if (e != SG_DFA_FAST_DEEP) {
				if (fast->accept[(e >> 7) & (SG_DFA_FAST_STATES - 1)] & field) {
					state = e >> 7;
					goto hit;
				}
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
				goto hit;
			continue;
		}
		s->m.dfa_state = state;
		row = sg_env_dfa_row(s->m.dfa_state);
		if (!row)
			return 0;
		if (row->accept & field)
			goto hit;
	}
	s->w.scan_off = i;
	s->m.dfa_state = row ? state : e >> 7;
	return 0;
done:
	s->m.dfa_state = row ? state : e >> 7;
	return 2;
hit:
	s->w.hit_state = state; /* for the drop's detail */
	return 1;
}

/* ---- drop details ------------------------------------------------------ */

/* What a drop is about (struct sg_detail), said where the drop is decided;
 * the first drop's stays. Only on the way to a drop: nothing on the paths
 * that pass. LINE: 1 = the start line, 0 = not about a line. A drop
 * without a note (sg_fail) is about the line judged last. */
SG_INLINE void sg_note(struct sg_scratch *s, __u32 kind, __u32 what, __u32 value, __u32 limit,
		       __u32 line)
{
	if (s->w.reason || s->w.det.kind)
		return;
	s->w.det.kind = kind;
	s->w.det.what = what;
	s->w.det.line = line;
	s->w.det.value = value;
	s->w.det.limit = limit;
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

/* The Request-URI's scheme. With ANY (profile setting, edge): any
 * well-formed scheme (RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
 * then ':'), for the SIP stack to answer 416. Otherwise one of sip sips tel
 * tels urn: urn: carries urn:service:sos (RFC 5031): a firewall must never
 * drop an emergency call. */
SG_INLINE int sg_scheme_ok(struct sg_scratch *s, __u32 us, __u32 ue, __u32 any)
{
	__u32 w = 0, sl = 0;

	if (any) {
		for (int k = 0; k < 64; k++) {
			__u8 c;

			if (us + k >= ue)
				return 0;
			c = sg_lower(SG_B(s, us + k));
			if (c == ':')
				return k > 0;
			if (!((c >= 'a' && c <= 'z') ||
			      (k > 0 && (sg_is_digit(c) || c == '+' || c == '-' || c == '.'))))
				return 0;
		}
		return 0;
	}
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
 * w.tok_a/tok_b/tok_len as sg_token_inline would and returns the space's
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
	s->w.tok_a = w & mask;
	s->w.tok_b = 0;
	s->w.tok_len = n;
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
		if (s->w.num < 100 || s->w.num > 699 || i - us != 3)
			return SG_DROP_START_LINE;
		/* reason phrase: anything but controls (checked by the line scan) */
		if (i < le && !sg_is_ws(SG_B(s, i)))
			return SG_DROP_START_LINE;
		s->m.is_response = 1;
		return 0;
	}

	i = sg_method_fast(s, ls, le);
	if (!i) {
		i = sg_token_inline(s, ls, le, 0);
		if (s->w.tok_len >= 64) /* methods have no length limit */
			i = sg_token_rest(s, i, le);
	}
	/* Request-Line = Method SP Request-URI SP SIP-Version CRLF (RFC 3261
	 * 25.1): one SP each, nothing after the version (RFC 4475 3.1.2.9 and
	 * 3.1.2.10: invalid; no product of tests/corpus sends either) */
	n = s->w.tok_len;
	if (n == 0 || i >= le || SG_B(s, i) != ' ')
		return SG_DROP_START_LINE;
	s->m.method_a = s->w.tok_a;
	s->m.method_b = s->w.tok_b;
	s->m.method_len = n;
	s->m.method_bit = sg_method_bit(s->w.tok_a, s->w.tok_b, n);

	us = i + 1;
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
	if (ue - us > SG_MAX_URI_HARD) {
		sg_note(s, SG_DET_LIMIT, SG_LIM_URI, ue - us, cfg->max_uri, 1);
		return SG_DROP_TOO_LARGE;
	}
	/* one SP, then "SIP/2.0" ending the line */
	if (SG_B(s, i) != ' ')
		return SG_DROP_START_LINE;
	i++;
	if (le - i < 7 || !sg_is_sip_slash(s, i))
		return SG_DROP_START_LINE;
	if (!sg_is_2_0(s, i + 4))
		return SG_DROP_VERSION;
	if (i + 7 != le)
		return sg_is_ws(SG_B(s, i + 7)) ? SG_DROP_START_LINE : SG_DROP_VERSION;

	if ((cfg->checks & SG_CHECK_METHODS) && !(cfg->flags & SG_F_ANY_METHOD) &&
	    !(cfg->methods & s->m.method_bit))
		return SG_DROP_METHOD;
	if (cfg->checks & SG_CHECK_SANITY) {
		if (!sg_scheme_ok(s, us, ue, cfg->flags & SG_F_ANY_SCHEME))
			return SG_DROP_URI_SCHEME;
		if (ue - us > cfg->max_uri) {
			sg_note(s, SG_DET_LIMIT, SG_LIM_URI, ue - us, cfg->max_uri, 1);
			return SG_DROP_TOO_LARGE;
		}
	}
	return 0;
}
/* ---- header lines ---------------------------------------------------------- */

/* Value of header ID in [vs, ve) (its first non-empty line). */
SG_PART_FN __u32 sg_header_value(struct sg_scratch *s, __u32 id, __u32 vs, __u32 ve)
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
		s->w.tok_a = (w0 | 0x2020202020202020ULL) & mask;
		s->w.tok_b = 0;
	} else if (c1) {
		n = sg_swar_first(c1);
		mask = (1ULL << (8 * n)) - 1;
		if (ok0 != hi || (sg_swar_name_bytes(w1) & mask & hi) != (mask & hi))
			return 0;
		s->w.tok_a = w0 | 0x2020202020202020ULL;
		s->w.tok_b = (w1 | 0x2020202020202020ULL) & mask;
		n += 8;
	} else {
		return 0;
	}
	if (n >= le - ls)
		return 0; /* the colon is past the line's end (unterminated line) */
	s->w.tok_len = n;
	return ls + n;
}

/* Header name, the byte scan: a token, optional whitespace, ':' (digits or
 * other token bytes in the name, whitespace before ':', longer names).
 * Returns the colon's position, 0 when there is none. */
SG_SUBPROG __u32 sg_name_slow(struct sg_scratch *s, __u32 ls, __u32 le)
{
	__u32 i;

	if (!s)
		return 0;
	i = sg_token_inline(s, ls, le, 1);
	if (s->w.tok_len >= 64) /* header names have no length limit */
		i = sg_token_rest(s, i, le);
	i = sg_skip_ws_inline(s, i, le);
	if (s->w.tok_len == 0 || i >= le || SG_B(s, i) != ':')
		return 0;
	return i;
}

/* The end of a value [vs, le) without its trailing whitespace (at most 64
 * bytes of it). */
SG_SUBPROG __u32 sg_trailing_ws(struct sg_scratch *s, __u32 vs, __u32 le)
{
	__u32 ve = le;

	if (!s)
		return le;
	SG_LOOP(65) {
		if (ve <= vs || le - ve >= 64 || !sg_is_ws(SG_B(s, ve - 1)))
			break;
		ve--;
		SG_OPAQUE(ve);
	}
	return ve;
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
	s->w.scan_field = 0;
	s->w.scan_cont = 0;
	if (idx == 0) {
		r = sg_start_line(s, cfg, ls, le);
		if (r)
			return r;
		s->m.start_ok = 1;
		s->m.dfa_state = 0;
		s->w.scan_off = ls;
		s->w.scan_end = le;
		s->w.scan_field = SG_FIELD_START_LINE;
		return 0;
	}
	if (le == ls || !sg_is_ws(SG_B(s, ls))) {
		/* a header whose value never came */
		r = sg_empty_value(s->m.pending);
		s->m.pending = 0;
		if (r && sanity)
			return r; /* det.header is still the header's */
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
		/* the fold reads as whitespace: the scan starts at it */
		s->w.scan_off = ls;
		s->w.scan_end = le;
		s->w.scan_field = s->m.field;
		s->w.scan_cont = 1;
		return 0;
	}

	/* header name: token, optional whitespace, ':' */
	i = sg_name_fast(s, ls, le);
	if (!i) {
		i = sg_name_slow(s, ls, le);
		if (!i)
			return sanity ? SG_DROP_HEADER_SYNTAX : 0;
	}
	i = SG_FORGET(s, i); /* the name paths converge here */
	vs = sg_skip_ws_inline(s, i + 1, le);
	ve = le;
	if (ve > vs && sg_is_ws(SG_B(s, ve - 1)))
		ve = sg_trailing_ws(s, vs, le);
	ve = SG_FORGET(s, ve);
	/* forgotten: every header id would otherwise be verified on its own */
	id = SG_FORGET(s, s->w.tok_len > 16 ? SG_H_OTHER
				: sg_header_id(s->w.tok_a, s->w.tok_b, s->w.tok_len));

	/* for a drop's detail, this line's or one continuing it: stored
	 * whatever comes, as a store behind the drop branches below doubles
	 * the verifier's work on the line */
	s->w.det.header = id;
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
	s->w.scan_off = vs;
	s->w.scan_end = ve;
	s->w.scan_field = s->m.field;
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

/* Non-zero when a byte of W is '%' or '\\' (an escape the DFA decodes):
 * the classic has-zero test, exact as a whole (not per byte). */
SG_INLINE __u64 sg_has_escape(__u64 w)
{
	const __u64 ones = 0x0101010101010101ULL, hi = 0x8080808080808080ULL;
	__u64 p = w ^ (ones * '%'), b = w ^ (ones * '\\');

	return (((p - ones) & ~p) | ((b - ones) & ~b)) & hi;
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

	/* two windows per trip: one loop test and one branch for both. The
	 * grams are of the raw bytes: a value holding an escape ('%' or '\\',
	 * which the DFA decodes) goes to the DFA. With S <= 4 one word holds
	 * both windows and every byte the trip covers (2 S <= 8): one load
	 * and one escape test per trip. The last trip reads past the value's
	 * end: a gram or an escape there only costs a DFA scan of the value,
	 * never a missed pattern. */
	__u64 w0, w1;

#ifndef SG_PORTABLE
	/* (not where the verifier walks loops trip by trip: a second loop
	 * there costs 100K instructions on 6.1, over the budget) */
	if (step <= 4) {
		__u32 shift = 8 * step;

		SG_LOOP(SG_MAX_LINE_HARD / (2 * SG_PF_MIN_STRIDE) + 1) {
			if (i >= end)
				return 0;
			if (i - off >= SG_MAX_LINE_HARD)
				return 1; /* longer than any line: let the DFA decide */
			w0 = SG_LOAD64(&s->buf[i & SG_BUF_MASK]);
			if (sg_pf_hit(cfg, w0) | sg_pf_hit(cfg, w0 >> shift) |
			    (int)(sg_has_escape(w0) != 0))
				return 1;
			i += 2 * step;
			SG_OPAQUE(i);
		}
		return 1;
	}
#endif
	SG_LOOP(SG_MAX_LINE_HARD / (2 * SG_PF_MIN_STRIDE) + 1) {
		if (i >= end)
			return 0;
		if (i - off >= SG_MAX_LINE_HARD)
			return 1;
		w0 = SG_LOAD64(&s->buf[i & SG_BUF_MASK]);
		w1 = SG_LOAD64(&s->buf[(i + step) & SG_BUF_MASK]);
		if (sg_pf_hit(cfg, w0) | sg_pf_hit(cfg, w1) |
		    (int)((sg_has_escape(w0) | sg_has_escape(w1)) != 0))
			return 1;
		i += 2 * step;
		SG_OPAQUE(i);
	}
	return 1;
}

/* 1 when the prefilter clears the range sg_line left (a value no pattern
 * can occur in): it is remembered instead of scanned. Inline in the line's
 * step where loops are may_goto loops: it runs for every value of a
 * signature field and clears most, so a call per value (about 7 ns with
 * this CPU's return thunk, bench/OPTIMISATIONS.md) would be much of its
 * cost. */
SG_PART_FN __u32 sg_pf_clears(struct sg_scratch *s, const struct sg_config *cfg)
{
	if (!s || !cfg || s->w.scan_cont)
		return 0;
	s->w.pf_skipped = 0;
	SG_PF_COUNT(values);
	if (!cfg->pf_stride || (s->w.scan_field & cfg->pf_unfiltered) ||
	    sg_prefilter(s, cfg, s->w.scan_off, s->w.scan_end))
		return 0;
	SG_PF_COUNT(cleared);
	s->w.pf_skipped = 1;
	s->w.pf_off = s->w.scan_off;
	s->w.pf_end = s->w.scan_end;
	return 1;
}

/* The DFA over the range sg_line left, when sg_pf_clears did not clear
 * it. If a folded line continues a value the prefilter cleared, the DFA
 * runs over that value first, for the state it carries into the fold. */
SG_SUBPROG __u32 sg_scan_value(struct sg_scratch *s, const struct sg_config *cfg)
{
	__u32 off, end;

	if (!s || !cfg)
		return 0;
	if (s->w.scan_cont && s->w.pf_skipped) {
		SG_PF_COUNT(rescanned);
		s->w.pf_skipped = 0;
		off = s->w.scan_off;
		end = s->w.scan_end;
		s->w.scan_off = s->w.pf_off;
		s->w.scan_end = s->w.pf_end;
		if (sg_dfa_range(s, cfg))
			return 1;
		s->w.scan_off = off;
		s->w.scan_end = end;
	}
	return sg_dfa_range(s, cfg);
}

/* Before the buffer is reloaded: a value the prefilter spared is scanned
 * now, so that the DFA state a folded line in the next window continues
 * from is exact (the value will not be in the buffer any more). */
SG_SUBPROG __u32 sg_pf_flush(struct sg_scratch *s, const struct sg_config *cfg)
{
	if (!s || !cfg || !s->w.pf_skipped)
		return 0;
	s->w.pf_skipped = 0;
	s->w.scan_off = s->w.pf_off;
	s->w.scan_end = s->w.pf_end;
	s->w.scan_field = s->m.field;
	return sg_dfa_range(s, cfg);
}

/* w.eol_bad bits */
#define SG_EOL_BAD 1 /* a forbidden byte */
#define SG_EOL_CRS 2 /* a run of CRs before the LF (the profile's allow_cr_cr_lf) */

/* sg_eol's slow path: at most the 8 bytes at I, one by one. Returns the
 * position of the LF or after the last byte looked at; sets w.eol_bad.
 * With STOP_BAD, a forbidden byte ends the scan: it returns w.len (the
 * caller's "no more bytes" exit; w.eol_bad decides the verdict), so that
 * garbage is not walked to its end only to be dropped for its first byte.
 * Forbidden: a control byte other than HTAB, CR, LF, or a DEL (the profile
 * may let them through, SG_F_CTL_BYTES, all but NUL); a CR not followed by
 * LF (the profile may let a run of CRs end in LF, SG_F_CR_CR_LF). */
SG_SUBPROG __u32 sg_eol_bytes(struct sg_scratch *s, __u32 i, __u32 stop_bad)
{
	__u32 len, flags;

	if (!s)
		return 0;
	len = s->w.len;
	flags = s->w.flags;
	for (int k = 0; k < 8; k++) {
		__u8 c;

		if (i >= len)
			break;
		c = SG_B(s, i);
		if (c == '\n')
			break;
		if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) {
			if (c == 0 || !(flags & SG_F_CTL_BYTES))
				s->w.eol_bad |= SG_EOL_BAD;
		} else if (c == '\r' && i + 1 < len && SG_B(s, i + 1) != '\n') {
			if (SG_B(s, i + 1) == '\r' && (flags & SG_F_CR_CR_LF))
				s->w.eol_bad |= SG_EOL_CRS; /* its last CR must meet the LF */
			else
				s->w.eol_bad |= SG_EOL_BAD; /* bare CR */
		}
		i++;
	}
	if ((s->w.eol_bad & SG_EOL_BAD) && stop_bad)
		return len;
	return i;
}

/* The end of the line [ls, lf) without the run of CRs before its LF (at
 * most 64 of them): CR CR LF line ends (SG_F_CR_CR_LF). */
SG_SUBPROG __u32 sg_cr_run(struct sg_scratch *s, __u32 ls, __u32 lf)
{
	__u32 le = lf;

	if (!s)
		return lf;
	SG_LOOP(65) {
		if (le <= ls || lf - le >= 64 || SG_B(s, le - 1) != '\r')
			break;
		le--;
		SG_OPAQUE(le);
	}
	return le;
}

/* Finds the LF ending the line at LS: 8 bytes at a time while they hold
 * no control byte (< 0x20 or DEL), byte by byte where they do. Sets
 * w.eol_bad on a forbidden byte (and, with STOP_BAD, stops there: see
 * sg_eol_bytes). Returns the LF's position, or where the scan stopped (end
 * of buffer, or line longer than SG_MAX_LINE_HARD). A CR as the buffer's
 * last byte is not a bare CR: its LF may come in the next segment. */
SG_INLINE __u32 sg_eol(struct sg_scratch *s, __u32 ls, __u32 stop_bad)
{
	__u32 i = ls, len = s->w.len, last;

	s->w.eol_bad = 0;
	/* the fast loop: whole words inside the buffer and the line limit,
	 * one compare per word; LAST is the last start it may load from */
	if (len >= 8) {
		last = ls + (SG_MAX_LINE_HARD / 8) * 8;
		if (last > len - 8)
			last = len - 8;
		SG_LOOP(SG_MAX_LINE_HARD / 8 + 2) {
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
	SG_LOOP(SG_MAX_LINE_HARD / 8 + 3) {
		if (i >= len || i - ls >= (SG_MAX_LINE_HARD / 8 + 1) * 8)
			break;
		i = sg_eol_bytes(s, i, stop_bad);
		if (i < len && SG_B(s, i) == '\n')
			break;
	}
	return SG_FORGET(s, i);
}

/* sg_next_line: */
#define SG_NL_MORE 0    /* a line was judged: go on */
#define SG_NL_STOP 1    /* w.reason holds a drop reason, or (w.body_off) the header section ended */
#define SG_NL_PARTIAL 2 /* the buffer ends inside the line at w.pos */

SG_INLINE __u32 sg_fail(struct sg_scratch *s, __u32 reason)
{
	if (!s->w.reason) {
		s->w.reason = reason;
		if (!s->w.det.kind) { /* the line just judged */
			s->w.det.kind = SG_DET_LINE;
			s->w.det.line = s->m.line_idx;
		}
	}
	return SG_NL_STOP;
}

/* The line at w.pos (m.line_idx 0 = the start line): finds its end,
 * parses it, scans it for signatures. */
SG_INLINE __u32 sg_next_line(struct sg_scratch *s, const struct sg_config *cfg)
{
	__u32 ls, i, le, r, idx, sanity;

	if (!s || !cfg)
		return SG_NL_STOP;
	sanity = cfg->checks & SG_CHECK_SANITY;
	ls = s->w.pos;
	idx = s->m.line_idx;
	if (idx >= SG_MAX_HEADERS_HARD + 2) {
		/* more lines than any profile allows */
		sg_note(s, SG_DET_LIMIT, SG_LIM_HEADERS, idx, cfg->max_headers, idx + 1);
		return sg_fail(s, SG_DROP_TOO_LARGE);
	}
	i = sg_eol(s, ls, sanity);
	if (s->w.eol_bad) {
		if ((s->w.eol_bad & SG_EOL_BAD) && sanity) {
			sg_note(s, SG_DET_LINE, 0, 0, 0, idx + 1);
			return sg_fail(s, SG_DROP_BAD_BYTES);
		}
		/* a CR CR LF line end (the profile's allow_cr_cr_lf): rare, off
		 * the common path */
		if ((s->w.eol_bad & SG_EOL_CRS) && i < s->w.len && SG_B(s, i) == '\n') {
			le = sg_cr_run(s, ls, i);
			goto line_end;
		}
	}
	if (i >= s->w.len)
		return SG_NL_PARTIAL;
	if (SG_B(s, i) != '\n') {
		sg_note(s, SG_DET_LIMIT, SG_LIM_LINE, i - ls, cfg->max_line, idx + 1);
		return sg_fail(s, SG_DROP_TOO_LARGE);
	}
	le = i;
	if (le > ls && SG_B(s, le - 1) == '\r')
		le--;
line_end:
	s->w.pos = i + 1;
	s->m.line_idx = idx + 1;
	s->m.bytes += i + 1 - ls;
	if (sanity && (i - ls > cfg->max_line || s->m.bytes > cfg->max_message)) {
		if (i - ls > cfg->max_line)
			sg_note(s, SG_DET_LIMIT, SG_LIM_LINE, i - ls, cfg->max_line, idx + 1);
		else
			sg_note(s, SG_DET_LIMIT, SG_LIM_MESSAGE, s->m.bytes, cfg->max_message, idx + 1);
		return sg_fail(s, SG_DROP_TOO_LARGE);
	}

	r = sg_line(s, cfg, idx, ls, le);
	if (r == SG_LINE_END) {
		s->w.body_off = s->w.pos;
		return SG_NL_STOP;
	}
	if (r)
		return sg_fail(s, r);
	if ((cfg->checks & SG_CHECK_SIGNATURES) && (s->w.scan_field & cfg->sig_fields) &&
	    /* (the prefilter's result forgotten: its exits alike, 270K
	     * instructions verified instead of 352K) */
	    cfg->dfa_states && !SG_FORGET(s, sg_pf_clears(s, cfg)) && sg_scan_value(s, cfg)) {
		/* the state the pattern ended in: the event names the pattern */
		sg_note(s, SG_DET_SIGNATURE, s->w.scan_field, s->w.hit_state, 0, idx + 1);
		return sg_fail(s, SG_DROP_SCANNER);
	}
	return SG_NL_MORE;
}

/* ---- after the header section ------------------------------------------- */

SG_SUBPROG __u32 sg_body_has_content(struct sg_scratch *s, __u32 off, __u32 end)
{
	if (!s)
		return 0;
	if (end > s->w.len)
		end = s->w.len;
	if (end > off + 256)
		end = off + 256;
	SG_LOOP(257) {
		__u8 c;

		if (off >= end)
			break;
		c = SG_B(s, off);
		if (!(c == ' ' || c == '\t' || c == '\r' || c == '\n'))
			return 1;
		off++;
		SG_OPAQUE(off);
	}
	return 0;
}

/* The customer's lookups, each a function of its own: the key is copied
 * to its stack (see sipguard.bpf.c), off the deepest call chain. */
SG_SUBPROG __u32 sg_is_peer(struct sg_scratch *s)
{
	return s && sg_env_peer(s, &s->w.peer);
}

SG_SUBPROG __u32 sg_is_own_host(struct sg_scratch *s)
{
	return s && sg_env_own_host(s, &s->m.host);
}

/* Which mandatory headers a message lacks (1 << enum sg_hdr each). */
SG_INLINE __u32 sg_missing_headers(struct sg_scratch *s)
{
	if (!s)
		return 0;
	return (!s->m.n_via ? 1u << SG_H_VIA : 0) | (!s->m.n_from ? 1u << SG_H_FROM : 0) |
	       (!s->m.n_to ? 1u << SG_H_TO : 0) | (!s->m.n_callid ? 1u << SG_H_CALLID : 0) |
	       (!s->m.n_cseq ? 1u << SG_H_CSEQ : 0) |
	       (!s->m.is_response && !s->m.n_maxfwd && (s->w.flags & SG_F_REQUIRE_MAX_FWD)
		? 1u << SG_H_MAXFWD : 0);
}

/* The checks on the whole message, when its header section has ended at
 * w.body_off. Returns a drop reason or 0. */
SG_INLINE __u32 sg_check_message(struct sg_scratch *s, const struct sg_config *cfg)
{
	__u32 flags = s->w.flags;

	if (cfg->checks & SG_CHECK_SANITY) {
		__u32 body_wire = s->w.wire_len - s->w.body_off;
		__u32 body = s->m.n_clen ? s->m.clen : body_wire;
		__u32 missing;

		if (s->m.n_headers > cfg->max_headers) {
			sg_note(s, SG_DET_LIMIT, SG_LIM_HEADERS, s->m.n_headers, cfg->max_headers, 0);
			return SG_DROP_TOO_LARGE;
		}
		missing = sg_missing_headers(s);
		if (missing) {
			sg_note(s, SG_DET_MISSING, 0, missing, 0, 0);
			return SG_DROP_MISSING_HEADER;
		}
		if (s->w.is_tcp) {
			if (!s->m.n_clen && (flags & SG_F_TCP_REQUIRE_CLEN)) {
				sg_note(s, SG_DET_MISSING, 0, 1u << SG_H_CLEN, 0, 0);
				return SG_DROP_CONTENT_LENGTH;
			}
			/* the message's size: its header section and its body */
			if ((__u64)s->m.bytes + s->m.clen > cfg->max_message) {
				sg_note(s, SG_DET_LIMIT, SG_LIM_MESSAGE, s->m.bytes + s->m.clen,
					cfg->max_message, 0);
				return SG_DROP_TOO_LARGE;
			}
			/* the body's first bytes are looked at as they come */
			s->w.ctype_left = s->m.clen && !s->m.n_ctype
					  ? (s->m.clen < 256 ? s->m.clen : 256) : 0;
		} else {
			if (s->m.n_clen && (s->m.clen > body_wire ||
					    (s->m.clen < body_wire && (flags & SG_F_STRICT_CLEN)))) {
				sg_note(s, SG_DET_LENGTH, 0, s->m.clen, body_wire, 0);
				return SG_DROP_CONTENT_LENGTH;
			}
			if (body > body_wire)
				body = body_wire;
			if (body && !s->m.n_ctype &&
			    sg_body_has_content(s, s->w.body_off, s->w.body_off + body))
				return SG_DROP_CONTENT_TYPE;
		}
	}

	if ((cfg->checks & SG_CHECK_SIGNATURES) && (flags & SG_F_SCANNER_SHAPE) &&
	    !s->m.is_response && !s->m.n_ua && s->m.via_branch_digits && s->m.callid_digits)
		return SG_DROP_SCANNER_SHAPE;

	if ((cfg->checks & SG_CHECK_REFLECTION) && s->m.is_response) {
		if (flags & SG_F_DROP_RESPONSES)
			return SG_DROP_RESPONSE;
		if ((flags & SG_F_CHECK_PEERS) && !sg_is_peer(s))
			return SG_DROP_PEER;
		/* a response whose top Via was not read fails the check */
		if (flags & SG_F_CHECK_VIA_OWN) {
			if (!s->m.n_via || s->m.host_len == 0 || s->m.host_len >= SG_HOST_MAX ||
			    !sg_is_own_host(s))
				return SG_DROP_VIA_NOT_OWN;
		}
	}
	return 0;
}

/* ---- the steps ------------------------------------------------------------ */

/* STUN binding (RFC 5389 magic cookie): RFC 5626 keep-alives on the SIP
 * port. The whole datagram: its length is the STUN message's (20 bytes and
 * the length field), so that nothing rides behind one. */
SG_INLINE int sg_is_stun(struct sg_scratch *s)
{
	return s->w.len >= 20 && (SG_B(s, 0) & 0xc0) == 0 && SG_B(s, 4) == 0x21 &&
	       SG_B(s, 5) == 0x12 && SG_B(s, 6) == 0xa4 && SG_B(s, 7) == 0x42 &&
	       s->w.wire_len == 20 + ((__u32)SG_B(s, 2) << 8 | SG_B(s, 3));
}

/* Text keep-alives (profile: text_keepalives): a UDP datagram of at most
 * SG_TEXT_KA_MAX bytes, all printable ASCII or whitespace. Products keep
 * NAT bindings open with a few spaces or a word ("hello": tests/corpus,
 * README). Asked only about a datagram already found not to be SIP (no
 * "SIP/" in it), so it costs nothing on SIP. */
#define SG_TEXT_KA_MAX 16
SG_SUBPROG __u32 sg_text_keepalive(struct sg_scratch *s, __u32 len)
{
	if (!s || len == 0 || len > SG_TEXT_KA_MAX)
		return 0;
	for (int k = 0; k < SG_TEXT_KA_MAX; k++) {
		__u8 c;

		if ((__u32)k >= len)
			break;
		c = s->buf[k];
		if (!((c >= 0x20 && c < 0x7f) || c == '\t' || c == '\r' || c == '\n'))
			return 0;
	}
	return 1;
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
	q = s->w.start + 3;
	last = s->w.start + 2050;
	if (s->w.len <= q)
		return 0;
	if (last > s->w.len - 1)
		last = s->w.len - 1;
	SG_LOOP(2048 / 8 + 1) {
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
	__u32 stop = i + max, start = i;

	if (!s)
		return i;
	if (stop > s->w.len)
		stop = s->w.len;
	/* 8 bytes at a time, then clamped where a byte scan would stop */
	for (int k = 0; k < 1024 / 8 + 1; k++) {
		__u64 w = SG_LOAD64(&s->buf[i & SG_BUF_MASK]);
		__u64 other = ~(sg_swar_zero(w ^ 0x0d0d0d0d0d0d0d0dULL) |
				sg_swar_zero(w ^ 0x0a0a0a0a0a0a0a0aULL)) & 0x8080808080808080ULL;

		if (i >= stop || i - start >= 1024)
			break;
		if (other) {
			i += sg_swar_first(other);
			break;
		}
		i += 8;
	}
	if (i > stop)
		i = stop;
	return i;
}

/* sg_step results */
#define SG_STEP_GO 0
#define SG_STEP_DONE 1

/* TCP: the next window of the packet from w.skb_pos, after the KEEP bytes
 * already at the start of buf (a carried line). */
SG_SUBPROG __u32 sg_window_load(sg_env_t env, struct sg_scratch *s, const struct sg_config *cfg,
				__u32 keep)
{
	__u64 n, k = keep;

	if (!s || !cfg)
		return SG_STEP_DONE;
	sg_pf_flush(s, cfg);
	if (s->w.skb_pos >= s->w.skb_end)
		return SG_STEP_DONE;
	n = s->w.skb_end - s->w.skb_pos;
	if (n > SG_WIN_NEW)
		n = SG_WIN_NEW;
	/* n in [1, SG_WIN_NEW] and k in [0, SG_CARRY_MAX] in a way every
	 * verifier follows (64-bit, and n - 1 from 0) */
	n -= 1;
	SG_OPAQUE(n);
	SG_OPAQUE(k);
	if (n >= SG_WIN_NEW || k > SG_CARRY_MAX)
		return SG_STEP_DONE;
	n += 1;
	keep = (__u32)k;
	if (sg_env_load(env, s->w.skb_pos, &s->buf[k], n)) {
		sg_fail(s, SG_DROP_NOT_SIP);
		return SG_STEP_DONE;
	}
	s->w.win_skb = s->w.skb_pos;
	s->w.skb_pos += n;
	s->w.carry = keep;
	s->w.len = keep + n;
	s->w.pos = 0;
	return SG_STEP_GO;
}

/* The buffer ends inside the line at w.pos. UDP: the datagram's header
 * section does not end in the buffer. TCP: the next window starts at the
 * line, or, at the end of the packet, the line is carried to the next
 * segment (w.partial). */
SG_INLINE __u32 sg_window_end(sg_env_t env, struct sg_scratch *s, const struct sg_config *cfg)
{
	__u32 ls = s->w.pos;

	if (!s->w.is_tcp) {
		/* headers past the parse window are never seen: too large */
		if (s->w.len < s->w.wire_len) {
			sg_note(s, SG_DET_LIMIT, SG_LIM_WINDOW, s->w.wire_len, s->w.len,
				s->m.line_idx + 1);
			sg_fail(s, SG_DROP_TOO_LARGE);
		} else
			sg_fail(s, s->m.line_idx == 0 ? SG_DROP_START_LINE : SG_DROP_TRUNCATED);
		return SG_STEP_DONE;
	}
	if (s->w.len - ls > SG_CARRY_MAX) {
		sg_note(s, SG_DET_LIMIT, SG_LIM_LINE, s->w.len - ls, cfg->max_line, s->m.line_idx + 1);
		sg_fail(s, SG_DROP_TOO_LARGE);
		return SG_STEP_DONE;
	}
	if (s->w.skb_pos < s->w.skb_end) {
		if (ls < s->w.carry) { /* cannot happen: such a line is too long */
			sg_fail(s, SG_DROP_TOO_LARGE);
			return SG_STEP_DONE;
		}
		s->w.skb_pos = s->w.win_skb + (ls - s->w.carry);
		return sg_window_load(env, s, cfg, 0);
	}
	s->w.partial = 1;
	return SG_STEP_DONE;
}

#define SG_NL_NONE 3 /* sg_step: not in a header section */

/* A header line: inlined into the step loop where that is a may_goto loop,
 * one global function (a call per line) in the portable variant. */
SG_STEP_FN __u32 sg_line_step(struct sg_scratch *s, const struct sg_config *cfg)
{
	if (!s || !cfg)
		return SG_NL_STOP;
	return sg_next_line(s, cfg);
}

/* Every other step, and what follows a header line that was not simply
 * judged (NL, sg_next_line's result, or SG_NL_NONE outside a header
 * section): the end of a header section, a window that ends inside a line,
 * a run of CRLFs between messages, the start of a message, a part of a
 * body, or the next window of the packet. A few per message: one global
 * function, so that the step loop's body stays the line. */
SG_SUBPROG __u32 sg_step(sg_env_t env, struct sg_scratch *s, const struct sg_config *cfg,
			 __u32 nl)
{
	__u32 r, n;

	if (!s || !cfg)
		return SG_STEP_DONE;
	if (nl == SG_NL_PARTIAL)
		return sg_window_end(env, s, cfg);
	if (nl == SG_NL_STOP) {
		if (s->w.reason)
			return SG_STEP_DONE;
		/* the header section ended */
		r = sg_check_message(s, cfg);
		if (r) {
			sg_note(s, SG_DET_LINE, 0, 0, 0, 0); /* about the whole message */
			sg_fail(s, r);
			return SG_STEP_DONE;
		}
		if (!s->w.is_tcp)
			return SG_STEP_DONE; /* UDP: one message; what follows is its body */
		s->w.body_left = s->m.n_clen ? s->m.clen : 0;
		s->w.state = s->w.body_left ? SG_ST_BODY : SG_ST_IDLE;
		return SG_STEP_GO;
	}
	if (s->w.pos >= s->w.len) {
		/* the window is done: TCP only (a UDP message ends in a header step) */
		if (s->w.state == SG_ST_BODY && !s->w.ctype_left) {
			/* the rest of a body needs no loading */
			n = s->w.skb_end - s->w.skb_pos;
			if (s->w.skb_pos > s->w.skb_end)
				n = 0;
			if (n > s->w.body_left)
				n = s->w.body_left;
			s->w.skb_pos += n;
			s->w.body_left -= n;
			if (!s->w.body_left)
				s->w.state = SG_ST_IDLE;
		}
		return sg_window_load(env, s, cfg, 0);
	}
	if (s->w.state == SG_ST_BODY) {
		n = s->w.len - s->w.pos;
		if (n > s->w.body_left)
			n = s->w.body_left;
		if (s->w.ctype_left) {
			__u32 c = n < s->w.ctype_left ? n : s->w.ctype_left;

			if (sg_body_has_content(s, s->w.pos, s->w.pos + c)) {
				sg_fail(s, SG_DROP_CONTENT_TYPE);
				return SG_STEP_DONE;
			}
			s->w.ctype_left -= c;
		}
		s->w.pos += n;
		s->w.body_left -= n;
		if (!s->w.body_left) {
			s->w.state = SG_ST_IDLE;
			s->w.ctype_left = 0;
		}
		return SG_STEP_GO;
	}
	/* SG_ST_IDLE: CRLFs between messages (RFC 5626 keep-alives, RFC 3261
	 * 7.5), then a message starts */
	if (SG_B(s, s->w.pos) == '\r' || SG_B(s, s->w.pos) == '\n') {
		s->w.pos = sg_skip_crlf(s, s->w.pos, 1024);
		return SG_STEP_GO;
	}
	__builtin_memset(&s->m, 0, sizeof(s->m));
	s->w.start = s->w.pos;
	s->w.body_off = 0;
	s->w.state = SG_ST_HEAD;
	s->w.msgs++;
	return SG_STEP_GO;
}

/* One trip of the step loop: a header line (the common step), or
 * sg_step. Returns 1 when the packet is judged. (sg_run spells it out
 * for the may_goto variant: as this call, the verifier's work doubles.) */
SG_INLINE __u32 sg_run_step(sg_env_t env, struct sg_scratch *s, const struct sg_config *cfg)
{
	__u32 r;

	if (s->w.state == SG_ST_HEAD) {
		r = sg_line_step(s, cfg);
		if (r == SG_NL_MORE)
			return 0;
	} else {
		r = SG_NL_NONE;
	}
	return sg_step(env, s, cfg, r);
}

#if defined(__bpf__) && defined(SG_PORTABLE)
/* The portable variant's step loop is a bpf_loop (Linux 5.17+): its
 * callback is verified on its own, whatever the number of trips. */
struct sg_run_ctx {
	sg_env_t env;
	struct sg_scratch *s;
	const struct sg_config *cfg;
	__u32 done;
};

static long sg_run_cb(__u32 idx, void *data)
{
	struct sg_run_ctx *c = data;

	if (!sg_run_step(c->env, c->s, c->cfg))
		return 0;
	c->done = 1;
	return 1;
}
#endif

/* Runs steps until the packet is judged. Returns 0 or a drop reason.
 * Inlined in the portable variant, where it is only the bpf_loop call: a
 * frame less for the deepest chain of calls (a GSO segment's, down to a
 * Via's branch: a verifier takes at most 8 frames, the callback counted). */
#if defined(__bpf__) && defined(SG_PORTABLE)
SG_INLINE
#else
SG_SUBPROG
#endif
__u32 sg_run(sg_env_t env, struct sg_scratch *s, const struct sg_config *cfg)
{
	__u32 done = 0;

	if (!s || !cfg)
		return SG_DROP_UNJUDGED;
#if defined(__bpf__) && defined(SG_PORTABLE)
	{
		struct sg_run_ctx c = { .env = env, .s = s, .cfg = cfg, .done = 0 };

		bpf_loop(SG_MAX_STEPS, sg_run_cb, &c, 0);
		done = c.done;
	}
#else
	__u32 r;

	s->w.steps = 0;
	SG_LOOP(SG_MAX_STEPS + 1) {
		/* counted in the scratch, which the verifier does not track:
		 * the loop's states still converge */
		__u32 k = s->w.steps;

		if (k >= SG_MAX_STEPS)
			break;
		s->w.steps = k + 1;
		if (s->w.state == SG_ST_HEAD) {
			r = sg_line_step(s, cfg);
			if (r == SG_NL_MORE)
				continue;
		} else {
			r = SG_NL_NONE;
		}
		if (sg_step(env, s, cfg, r)) {
			done = 1;
			break;
		}
	}
#endif
	if (!done && !s->w.reason)
		s->w.reason = SG_DROP_UNJUDGED;
	if (s->w.reason && !s->m.start_ok && s->w.state == SG_ST_HEAD &&
	    (s->w.reason == SG_DROP_START_LINE || s->w.reason == SG_DROP_BAD_BYTES) &&
	    !sg_looks_like_sip(s))
		s->w.reason = SG_DROP_NOT_SIP;
	return s->w.reason;
}

/* ---- the packet ----------------------------------------------------------- */

SG_INLINE int sg_port_guarded(const struct sg_config *cfg, __u16 port, __u8 proto)
{
	for (int k = 0; k < SG_MAX_PORTS; k++)
		if (cfg->ports[k] && cfg->ports[k] == port && (cfg->port_protos[k] & proto))
			return 1;
	return 0;
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

/* One UDP datagram (or GSO segment): LEN payload bytes at packet offset
 * OFF, already in buf when STAGED. Returns enum sg_reason. */
SG_INLINE __u32 sg_udp_datagram(sg_env_t env, struct sg_scratch *s, const struct sg_config *cfg,
				__u32 off, __u32 len, __u32 staged)
{
	__u64 copy; /* 64-bit: the bounds check and the helper use one register */
	__u32 i, r;

	if (len == 0)
		return SG_DROP_NOT_SIP;
	if ((cfg->checks & SG_CHECK_SANITY) && len > cfg->max_message) {
		sg_note(s, SG_DET_LIMIT, SG_LIM_MESSAGE, len, cfg->max_message, 0);
		return SG_DROP_TOO_LARGE;
	}
	copy = (len > SG_BUF_SIZE ? SG_BUF_SIZE : len) - 1;
	SG_OPAQUE(copy); /* keep the bounds check below for the verifier: */
	if (copy >= SG_BUF_SIZE) /* copy in [1, SG_BUF_SIZE], as every verifier sees it */
		return SG_DROP_NOT_SIP;
	copy += 1;
	if (!staged && sg_env_load(env, off, s->buf, copy))
		return SG_PASS_NOT_IP;
	s->w.len = (__u32)copy;
	s->w.wire_len = len;
	if (sg_is_stun(s))
		return SG_PASS_KEEPALIVE;
	/* CRLFs before the start line are ignored (RFC 3261 7.5), however many;
	 * only CRLFs: a keep-alive (the calls only when there is one: each
	 * call and return costs several ns here) */
	i = 0;
	for (int k = 0; k < SG_BUF_SIZE / 1024; k++) {
		if (SG_B(s, i) != '\r' && SG_B(s, i) != '\n')
			break;
		i = sg_skip_crlf(s, i, 1024);
		if (i >= copy)
			break;
	}
	if (i >= copy)
		return copy < len ? SG_DROP_TOO_LARGE : SG_PASS_KEEPALIVE;
	__builtin_memset(&s->m, 0, sizeof(s->m));
	s->w.reason = 0;
	s->w.pos = s->w.start = i;
	s->w.body_off = 0;
	s->w.pf_skipped = 0;
	s->w.state = SG_ST_HEAD;
	r = sg_run(env, s, cfg);
	if (r == SG_DROP_NOT_SIP && (s->w.flags & SG_F_TEXT_KEEPALIVE) && sg_text_keepalive(s, len))
		return SG_PASS_KEEPALIVE;
	return r ? r : SG_PASS_SIP;
}

/* A GSO segment: the same, on its own for the verifier (the loop over the
 * segments stays small). */
SG_SUBPROG __u32 sg_udp_segment(sg_env_t env, struct sg_scratch *s, const struct sg_config *cfg,
				__u32 off, __u32 len)
{
	if (!s || !cfg)
		return SG_DROP_UNJUDGED;
	return sg_udp_datagram(env, s, cfg, off, len, 0);
}

/* Moves the carried line of the stream into buf[0, len). */
SG_SUBPROG __u32 sg_carry_in(struct sg_scratch *s, const struct sg_carry *c)
{
	__u32 n;

	if (!s || !c)
		return 0;
	n = c->len;
	if (n > SG_CARRY_MAX)
		return 0;
	for (__u32 k = 0; k < SG_CARRY_MAX / 8; k++) {
		if (k * 8 >= n)
			break;
		SG_STORE64(&s->buf[k * 8], SG_LOAD64(&c->bytes[k * 8]));
	}
	return n;
}

/* Keeps buf[from, from + n) in the carry C. */
SG_SUBPROG __u32 sg_carry_out(struct sg_scratch *s, struct sg_carry *c, __u32 from, __u32 n)
{
	if (!s || !c || n > SG_CARRY_MAX)
		return 0;
	for (__u32 k = 0; k < SG_CARRY_MAX / 8; k++) {
		if (k * 8 >= n)
			break;
		SG_STORE64(&c->bytes[k * 8], SG_LOAD64(&s->buf[(from + k * 8) & SG_BUF_MASK]));
	}
	c->len = n;
	return n;
}

#define SG_TCP_FIN 0x01
#define SG_TCP_SYN 0x02
#define SG_TCP_RST 0x04
#define SG_TCP_ACK 0x10
#define SG_TCP_URG 0x20

/* The 32-bit big-endian number at P (TCP sequence numbers, timestamps). */
SG_INLINE __u32 sg_be32(const __u8 *p)
{
	return (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
}

/* Walks the N bytes of TCP options in s->topt as the receiving stack does
 * (tcp_parse_options): the last timestamp option of length 10 counts; an
 * end-of-options byte, a length below 2 or an option running past the
 * header ends the walk. Returns 1 with the TSval in *TSVAL, or 0. Its own
 * function: verified once, and run only for the segments that do not have
 * the usual layout (sg_tcp_tsval). The position is forgotten on every trip
 * and the result kept in the scratch, so that the verifier sees each trip
 * alike whatever the options before it were (with bounded loops, 6.1 went
 * past a million instructions otherwise). */
SG_SUBPROG __u32 sg_tcp_ts_walk(struct sg_scratch *s, __u32 n)
{
	__u32 i = 0, kind, len;

	if (!s)
		return 0;
	s->w.tmp64 = 0; /* 1 << 32 | TSval once one is found */
	SG_LOOP(40) {
		i = SG_FORGET(s, i);
		if (i >= n || i >= 40)
			break;
		kind = s->topt[i & 63];
		if (kind == 0)
			break;
		if (kind == 1) {
			i++;
			continue;
		}
		if (i + 1 >= n)
			break;
		len = s->topt[(i + 1) & 63];
		if (len < 2 || len > n - i)
			break;
		if (kind == 8 && len == 10) /* i < 40: its 10 bytes are inside topt */
			s->w.tmp64 = (__u64)1 << 32 | sg_be32(&s->topt[i + 2]);
		i += len;
	}
	return (__u32)(s->w.tmp64 >> 32);
}

/* The timestamp (TSval) the stack will read from the options of the TCP
 * header at L4OFF (DOFF words): 1 with *TSVAL, or 0 without one. */
SG_INLINE __u32 sg_tcp_tsval(sg_env_t env, struct sg_scratch *s, __u32 l4off, __u32 doff, __u32 *tsval)
{
	__u64 n = doff * 4;

	if (n <= 20)
		return 0;
	n -= 21;
	SG_OPAQUE(n); /* keep the bound for the verifier: n + 1 in [1, 40] */
	if (n >= 40)
		return 0;
	if (sg_env_load(env, l4off + 20, s->topt, n + 1))
		return 0;
	/* what Linux, the BSDs and Windows put on data: NOP NOP TS first */
	if (n + 1 == 12 && s->topt[0] == 1 && s->topt[1] == 1 && s->topt[2] == 8 && s->topt[3] == 10) {
		*tsval = sg_be32(&s->topt[4]);
		return 1;
	}
	if (!sg_tcp_ts_walk(s, (__u32)n + 1))
		return 0;
	*tsval = (__u32)s->w.tmp64;
	return 1;
}

/* A TCP segment (TH: its first 20 header bytes, at packet offset L4OFF) of
 * the stream in w.fkey. The stream is judged in order: each byte once,
 * whatever the segmentation, with the state of the stream (struct sg_flow)
 * and its unfinished line (struct sg_carry) kept between segments. Inlined
 * into the program: S is a map value there, which a map helper takes as
 * a key or value on every kernel (in a global function it is plain memory). */
SG_INLINE __u32 sg_tcp_segment(sg_env_t env, struct sg_scratch *s, const struct sg_config *cfg,
			       __u32 l4off, __u32 pkt_len)
{
	const __u8 *th;
	struct sg_flow *f;
	struct sg_carry *c;
	__u32 flags, seq, poff, plen, skip, keep = 0, r, skip_state, has_ts, tsval = 0;
	__s32 d;

	if (!s || !cfg)
		return SG_DROP_UNJUDGED;
	th = s->hdr; /* sg_judge left the TCP header there */
	flags = th[13];
	seq = sg_be32(&th[4]);
	poff = l4off + (th[12] >> 4) * 4;
	plen = pkt_len > poff ? pkt_len - poff : 0;
	if (flags & SG_TCP_URG)
		return SG_DROP_TCP_URGENT; /* the stack would read other bytes than these */
	has_ts = sg_tcp_tsval(env, s, l4off, th[12] >> 4, &tsval);

	f = sg_env_flow(s, &s->w.fkey);
	if (flags & SG_TCP_SYN) {
		/* a new stream (a SYN, or the SYN-ACK of a connection this side
		 * opened from a guarded port), unless one is in the middle of a
		 * message: a SYN the receiver ignores must not move the judge */
		if (!f || f->epoch != s->w.epoch || f->closed || f->state == SG_ST_IDLE) {
			__builtin_memset(&s->fnew, 0, sizeof(s->fnew));
			s->fnew.epoch = s->w.epoch;
			s->fnew.next_seq = seq + 1;
			s->fnew.ts_ok = has_ts;
			s->fnew.ts_recent = tsval;
			if (sg_env_flow_put(s, &s->w.fkey, &s->fnew))
				return SG_DROP_TCP_STATE;
			f = sg_env_flow(s, &s->w.fkey);
			if (!f)
				return SG_DROP_TCP_STATE;
		}
		seq += 1; /* data on a SYN (TCP Fast Open) follows it */
	}
	/* PAWS (RFC 7323 5.3): on a connection whose SYN had timestamps, the
	 * stack discards a segment whose TSval is older than the newest it
	 * kept (by more than 1; a kept 0 checks nothing). Judged as if it
	 * arrived, such a segment would let an attack at the same sequence
	 * numbers pass later as a retransmission; it is dropped here instead
	 * (the stack would not take it anyway). The newest TSval is that of
	 * any segment passed at or before the next byte to judge: at least the
	 * stack's own, so whatever it discards is dropped here too; a sender's
	 * clock only goes forward, so no valid segment is. */
	if (f && f->epoch == s->w.epoch && f->ts_ok && has_ts && !(flags & SG_TCP_RST)) {
		if (f->ts_recent && (__s32)(f->ts_recent - tsval) > 1)
			return plen ? SG_DROP_TCP_PAWS : SG_PASS_TCP_CONTROL;
		if ((__s32)(seq - f->next_seq) <= 0 && (__s32)(tsval - f->ts_recent) > 0) {
			f->ts_recent = tsval;
			sg_env_flow_sync(s, &s->w.fkey, f);
		}
	}
	if (plen == 0) {
		if (f && (flags & (SG_TCP_FIN | SG_TCP_RST)) && f->epoch == s->w.epoch) {
			f->closed = 1;
			sg_env_flow_sync(s, &s->w.fkey, f);
		}
		return SG_PASS_TCP_CONTROL;
	}
	if (!f || f->epoch != s->w.epoch)
		return SG_DROP_TCP_NO_FLOW;
	if (f->state == SG_ST_DEAD) {
		sg_note(s, SG_DET_STREAM, f->dead_reason, 0, 0, 0);
		return SG_DROP_TCP_DEAD;
	}
	d = (__s32)(seq - f->next_seq);
	if (d > 0) {
		sg_note(s, SG_DET_STREAM, 0, d, 0, 0);
		return SG_DROP_TCP_GAP; /* judged when the gap is filled: the peer resends */
	}
	skip = (__u32)-d;
	if (skip >= plen)
		return SG_PASS_TCP_RETRANSMIT; /* the receiver keeps the bytes it has */

	/* the stream where the last segment left it */
	skip_state = f->state != SG_ST_IDLE;
	s->w.state = f->state;
	s->w.body_left = f->body_left;
	s->w.ctype_left = f->ctype_left;
	if (f->state == SG_ST_HEAD)
		s->m = f->m;
	else
		__builtin_memset(&s->m, 0, sizeof(s->m));
	s->w.skb_pos = poff + skip;
	s->w.skb_end = poff + plen;
	if (f->carry_len) {
		c = sg_env_carry(s, &s->w.fkey);
		if (!c || c->len != f->carry_len || c->seq + c->len != f->next_seq) {
			r = SG_DROP_TCP_STATE; /* the unfinished line is lost */
			goto dead;
		}
		keep = sg_carry_in(s, c);
	}
	if (sg_window_load(env, s, cfg, keep) == SG_STEP_DONE && s->w.reason) {
		r = s->w.reason;
		goto dead;
	}
	r = sg_run(env, s, cfg);
	if (r)
		goto dead;
	sg_pf_flush(s, cfg);
	f->carry_len = 0;
	if (s->w.partial) {
		__u32 n = s->w.len - s->w.pos;

		c = sg_env_carry(s, &s->w.fkey);
		if (!c) {
			if (sg_env_carry_put(s, &s->w.fkey, &s->cnew)) {
				r = SG_DROP_TCP_STATE;
				goto dead;
			}
			c = sg_env_carry(s, &s->w.fkey);
			if (!c) {
				r = SG_DROP_TCP_STATE;
				goto dead;
			}
		}
		sg_carry_out(s, c, s->w.pos, n);
		c->seq = seq + plen - n;
		sg_env_carry_sync(s, &s->w.fkey, c);
		f->carry_len = n;
	}
	f->state = s->w.state;
	f->body_left = s->w.body_left;
	f->ctype_left = s->w.ctype_left;
	if (s->w.state == SG_ST_HEAD)
		f->m = s->m;
	f->next_seq = seq + plen;
	if (flags & (SG_TCP_FIN | SG_TCP_RST))
		f->closed = 1;
	sg_env_flow_sync(s, &s->w.fkey, f);
	/* only CRLFs between messages: a keep-alive */
	return s->w.msgs || s->w.state != SG_ST_IDLE || s->w.carry || skip_state ? SG_PASS_SIP
										  : SG_PASS_KEEPALIVE;
dead:
	/* the receiver has the message's first bytes but never gets the rest:
	 * nothing more of this stream is let through */
	f->state = SG_ST_DEAD;
	f->dead_reason = r;
	sg_env_flow_sync(s, &s->w.fkey, f);
	return r;
}

/* Judges one packet starting at its IP header for the customer of cb word
 * CBWORD (sipguard.h) and EPOCH, with FLAGS (the profile's with the
 * customer's over them). Returns enum sg_reason. */
SG_INLINE __u32 sg_judge(sg_env_t env, __u32 pkt_len, struct sg_scratch *s,
			 const struct sg_config *cfg, __u32 flags, __u32 cbword, __u32 epoch)
{
	__u8 *hdr = s->hdr; /* the IP and L4 headers: in the scratch, not on the stack */
	__u32 l4off, l4proto, payload_off, payload_len;
	__u16 dport;
	__u32 staged, v6 = 0;

	__builtin_memset(&s->w, 0, sizeof(s->w));
	s->w.flags = flags;
	s->w.cust = cbword & ~SG_CB_PARITY;
	s->w.lists = s->w.cust * 2 + (cbword >> 31);
	s->w.epoch = epoch;

	/* One helper call copies the packet so that a payload behind an IPv4
	 * header without options and a UDP header lands at buf[0]; the IP
	 * header (and IPv4's UDP or TCP header) is read from that copy. Only
	 * other payload offsets (TCP, IPv6, IP options) take more calls. A
	 * helper call costs about 15 ns here, more than copying 1400 bytes. */
	{
		__u64 n = (pkt_len > SG_FAST_HDR + SG_BUF_SIZE ? SG_FAST_HDR + SG_BUF_SIZE : pkt_len) - 1;

		SG_OPAQUE(n); /* keep the bounds check below for the verifier: */
		if (n >= SG_FAST_HDR + SG_BUF_SIZE) /* n in [1, max] as every verifier sees it */
			return SG_PASS_NOT_IP;
		n += 1;
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
		/* the kernel reassembles before sipguard's chain (README): a
		 * fragment here cannot be judged whole */
		if (frag & 0x3fff)
			return SG_DROP_FRAGMENT;
		if (tot < pkt_len)
			pkt_len = tot; /* link-layer padding */
		l4proto = hdr[9];
		l4off = ihl;
		s->w.peer.prefixlen = 128;
		s->w.peer.addr[10] = 0xff;
		s->w.peer.addr[11] = 0xff;
		s->w.peer.addr[12] = hdr[12];
		s->w.peer.addr[13] = hdr[13];
		s->w.peer.addr[14] = hdr[14];
		s->w.peer.addr[15] = hdr[15];
		__builtin_memcpy(&s->w.fkey.saddr[12], &hdr[12], 4);
		__builtin_memcpy(&s->w.fkey.daddr[12], &hdr[16], 4);
		s->w.fkey.saddr[10] = s->w.fkey.saddr[11] = 0xff;
		s->w.fkey.daddr[10] = s->w.fkey.daddr[11] = 0xff;
	} else if ((hdr[0] >> 4) == 6) {
		__u32 plen, done = 0;

		if (sg_pkt_bytes(s, staged, 0, hdr, 40))
			return SG_PASS_NOT_IP;
		v6 = 1;
		plen = (__u32)hdr[4] << 8 | hdr[5];
		if (plen + 40 < pkt_len)
			pkt_len = plen + 40;
		s->w.peer.prefixlen = 128;
		__builtin_memcpy(s->w.peer.addr, &hdr[8], 16);
		__builtin_memcpy(s->w.fkey.saddr, &hdr[8], 16);
		__builtin_memcpy(s->w.fkey.daddr, &hdr[24], 16);
		l4proto = hdr[6];
		l4off = 40;
		/* extension headers: hop-by-hop, routing, destination options,
		 * fragment, authentication (the ones ipv6_find_hdr walks, so
		 * the ones behind which nftables finds the port) */
		for (int k = 0; k < 16; k++) {
			__u8 eh[8];

			if (l4proto != 0 && l4proto != 43 && l4proto != 60 && l4proto != 44 &&
			    l4proto != 51) {
				done = 1;
				break;
			}
			if (sg_env_load(env, l4off, eh, 8)) /* rare: not worth verifier paths */
				return SG_PASS_NOT_IP;
			if (l4proto == 44)
				return SG_DROP_FRAGMENT;
			if (l4proto == 51)
				l4off += ((__u32)eh[1] + 2) * 4;
			else
				l4off += ((__u32)eh[1] + 1) * 8;
			l4proto = eh[0];
		}
		if (!done) {
			sg_note(s, SG_DET_LIMIT, SG_LIM_CHAIN, 17, 16, 0);
			return SG_DROP_HEADER_CHAIN;
		} /* longer than this walk: never passed unread */
	} else {
		return SG_PASS_NOT_IP;
	}

	if (l4proto == 17) {
		__u32 ulen, gso_size = 0, gso_segs = 0, end, r = SG_PASS_KEEPALIVE, rk;

		if (sg_l4_bytes(env, s, staged, v6, l4off, hdr, 8))
			return SG_PASS_NOT_IP;
		dport = (__u16)hdr[2] << 8 | hdr[3];
		if (!sg_port_guarded(cfg, dport, SG_PROTO_UDP))
			return SG_PASS_NOT_GUARDED;
		if (s->w.flags & SG_F_DROP_ALL_SIP)
			return SG_DROP_NO_SIP_SERVICE;
		ulen = (__u32)hdr[4] << 8 | hdr[5];
		payload_off = l4off + 8;
		payload_len = pkt_len > payload_off ? pkt_len - payload_off : 0;
		sg_env_gso(env, &gso_size, &gso_segs);
		if (gso_segs <= 1 || !gso_size) {
			if (ulen < 8)
				return SG_DROP_NOT_SIP;
			if (ulen - 8 < payload_len)
				payload_len = ulen - 8;
			return sg_udp_datagram(env, s, cfg, payload_off, payload_len,
					       payload_off == SG_FAST_HDR);
		}
		/* UDP GSO/GRO: several datagrams of gso_size payload bytes each
		 * behind one UDP header: every one is judged */
		if (gso_segs > SG_MAX_GSO_SEGS) {
			sg_note(s, SG_DET_LIMIT, SG_LIM_SEGMENTS, gso_segs, SG_MAX_GSO_SEGS, 0);
			return SG_DROP_UNJUDGED;
		}
		end = payload_off + payload_len;
		for (int k = 0; k < SG_MAX_GSO_SEGS; k++) {
			__u32 off = SG_FORGET(s, payload_off + k * gso_size);

			if (off >= end)
				break;
			rk = sg_udp_segment(env, s, cfg, off,
					    end - off < gso_size ? end - off : gso_size);
			if (rk >= SG_FIRST_DROP)
				return rk;
			if (rk == SG_PASS_SIP)
				r = rk;
		}
		return r;
	} else if (l4proto == 6) {
		if (sg_l4_bytes(env, s, staged, v6, l4off, hdr, 20))
			return SG_PASS_NOT_IP;
		dport = (__u16)hdr[2] << 8 | hdr[3];
		if (!sg_port_guarded(cfg, dport, SG_PROTO_TCP))
			return SG_PASS_NOT_GUARDED;
		if (s->w.flags & SG_F_DROP_ALL_SIP)
			return SG_DROP_NO_SIP_SERVICE;
		s->w.is_tcp = 1;
		s->w.fkey.customer = s->w.cust;
		__builtin_memcpy(&s->w.fkey.sport, &hdr[0], 2);
		__builtin_memcpy(&s->w.fkey.dport, &hdr[2], 2);
		return sg_tcp_segment(env, s, cfg, l4off, pkt_len);
	}
	return SG_PASS_NOT_IP;
}

#endif /* SIP_PARSE_H */
