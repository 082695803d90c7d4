/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Layouts shared by the eBPF validators (bpf/sip/) and the manager (sipguard/):
 * configuration map value, verdict reasons, method bits, signature fields.
 * Change a layout here and bump SG_CONFIG_VERSION: pinned maps of an older
 * layout are refused by the manager instead of being misread.
 */
#ifndef SIPGUARD_H
#define SIPGUARD_H

#ifdef __bpf__
#include <linux/types.h>
#else
#include <linux/types.h>
#include <stdint.h>
#endif

#define SG_CONFIG_VERSION 2

/* Bytes of SIP payload copied into the per-CPU scratch buffer and parsed.
 * A power of two: every buffer index is masked with SG_BUF_MASK, which is
 * what lets the verifier accept variable offsets. */
#define SG_BUF_SIZE 8192
#define SG_BUF_MASK (SG_BUF_SIZE - 1)

#define SG_MAX_PORTS 8
#define SG_MAX_HEADERS_HARD 128   /* loop bound for header lines */
#define SG_MAX_LINE_HARD 2048     /* loop bound for one header line */
#define SG_MAX_URI_HARD 1024      /* loop bound for the Request-URI */
#define SG_MAX_METHOD 32

/* Signature DFA: bytes are folded to lower case and mapped to classes by
 * sg_config.byte_class; one array-map row per state. */
#define SG_DFA_CLASSES 64
#define SG_DFA_MAX_STATES_DEFAULT 4096
#define SG_HOST_MAX 64            /* own-host key for the top-Via check */

/* Signature prefilter: a bitmap of hashed 3-byte windows ("grams") of the
 * patterns. A header value in which no checked window hits the bitmap holds
 * no pattern, and the DFA is not run on it. With every pattern at least L
 * bytes long, checking the windows at every S = L - 2 bytes of the value
 * (S at most SG_PF_MAX_STRIDE) finds one gram of each occurrence, if the
 * bitmap holds, per pattern, one gram at each offset residue modulo S.
 * Grams are folded with OR 0x20 (a superset of case folding: more hits,
 * never fewer). */
#define SG_PF_GRAM 3
#define SG_PF_MAX_STRIDE 8
#define SG_PF_BITS 65536
#define SG_PF_HASH_MUL 0x9e3779b1u
/* Bit of the bitmap for the 3 bytes in the low 24 bits of V (any case). */
#define SG_PF_HASH(v) ((__u32)((((__u32)(v) & 0xffffffu) | 0x202020u) * SG_PF_HASH_MUL) >> 16)

/* ---- verdict reasons -------------------------------------------------
 * Values below SG_FIRST_DROP are pass classes, the rest drop reasons.
 * The program returns the drop reason (non-zero = the nft rule matches =
 * drop) or 0 for pass. Counters are indexed by reason.
 * X(enum name, value, short name, description)
 */
#define SG_REASONS(X)                                                              \
	X(SG_PASS_SIP,            0, "sip",              "valid SIP message")              \
	X(SG_PASS_NOT_GUARDED,    1, "not-guarded",      "not to a guarded port")          \
	X(SG_PASS_KEEPALIVE,      2, "keepalive",        "CRLF keep-alive")                \
	X(SG_PASS_FRAGMENT,       3, "fragment",         "non-first IP fragment")          \
	X(SG_PASS_TCP_CONTINUATION, 4, "tcp-continuation", "TCP segment without a message start") \
	X(SG_PASS_NOT_IP,         5, "not-ip",           "not IPv4/IPv6 UDP/TCP")          \
	X(SG_DROP_NOT_SIP,        8, "not-sip",          "payload is not SIP")             \
	X(SG_DROP_START_LINE,     9, "bad-start-line",   "malformed request or status line") \
	X(SG_DROP_VERSION,       10, "bad-version",      "SIP version is not SIP/2.0")     \
	X(SG_DROP_METHOD,        11, "method-not-allowed", "method not allowed by profile") \
	X(SG_DROP_URI_SCHEME,    12, "bad-uri-scheme",   "Request-URI scheme not sip/sips/tel") \
	X(SG_DROP_MISSING_HEADER, 13, "missing-header",  "mandatory header missing")       \
	X(SG_DROP_DUPLICATE_HEADER, 14, "duplicate-header", "single-valued header repeated") \
	X(SG_DROP_CSEQ,          15, "bad-cseq",         "CSeq malformed or number >= 2^31") \
	X(SG_DROP_CSEQ_METHOD,   16, "cseq-method",      "CSeq method differs from request method") \
	X(SG_DROP_MAX_FORWARDS,  17, "bad-max-forwards", "Max-Forwards not 0..255")        \
	X(SG_DROP_CONTENT_LENGTH, 18, "bad-content-length", "Content-Length malformed or beyond the bytes on the wire") \
	X(SG_DROP_CONTENT_TYPE,  19, "missing-content-type", "body without Content-Type") \
	X(SG_DROP_TOO_LARGE,     20, "too-large",        "size limit exceeded")            \
	X(SG_DROP_BAD_BYTES,     21, "forbidden-bytes",  "NUL or bare control character")  \
	X(SG_DROP_HEADER_SYNTAX, 22, "bad-header",       "header line without name or colon") \
	X(SG_DROP_TRUNCATED,     23, "truncated",        "header section does not end in the datagram") \
	X(SG_DROP_SCANNER,       24, "scanner",          "scanner signature matched")      \
	X(SG_DROP_SCANNER_SHAPE, 25, "scanner-shape",    "SIPVicious message shape")       \
	X(SG_DROP_RESPONSE,      26, "unsolicited-response", "response at a request-only port") \
	X(SG_DROP_VIA_NOT_OWN,   27, "via-not-own",      "response whose top Via is not ours") \
	X(SG_DROP_PEER,          28, "response-not-peer", "response from outside the peer list") \
	X(SG_DROP_NO_SIP_SERVICE, 29, "no-sip-service",  "SIP where no SIP service exists")

enum sg_reason {
#define SG_REASON_ENUM(name, val, s, d) name = val,
	SG_REASONS(SG_REASON_ENUM)
#undef SG_REASON_ENUM
	SG_FIRST_DROP = 8,
	SG_REASON_MAX = 32,
};

/* Set only by `sipguard check`: the program returns SG_RET_REPORT | reason
 * for every packet, passes included, so the reason is visible offline. */
#define SG_RET_REPORT 0x100

/* ---- methods ---------------------------------------------------------- */
#define SG_METHODS(X)          \
	X(INVITE, 0)           \
	X(ACK, 1)              \
	X(BYE, 2)              \
	X(CANCEL, 3)           \
	X(REGISTER, 4)         \
	X(OPTIONS, 5)          \
	X(PRACK, 6)            \
	X(SUBSCRIBE, 7)        \
	X(NOTIFY, 8)           \
	X(PUBLISH, 9)          \
	X(INFO, 10)            \
	X(REFER, 11)           \
	X(MESSAGE, 12)         \
	X(UPDATE, 13)

enum sg_method_bit {
#define SG_METHOD_ENUM(name, bit) SG_M_##name = 1u << bit,
	SG_METHODS(SG_METHOD_ENUM)
#undef SG_METHOD_ENUM
	SG_M_OTHER = 1u << 15, /* a well-formed token not in the list above */
};

/* ---- checks: validator groups, each can be switched off ------------- */
enum sg_check {
	SG_CHECK_METHODS    = 1u << 0, /* method allow-list */
	SG_CHECK_SANITY     = 1u << 1, /* header sanity and sizes */
	SG_CHECK_SIGNATURES = 1u << 2, /* scanner signatures and shape */
	SG_CHECK_REFLECTION = 1u << 3, /* unsolicited responses, top Via, peers */
	SG_CHECK_ALL        = 0xf,
};

/* ---- flags ----------------------------------------------------------- */
enum sg_flag {
	SG_F_MONITOR            = 1u << 0,  /* count, never drop */
	SG_F_ANY_METHOD         = 1u << 1,  /* any well-formed token is allowed */
	SG_F_REQUIRE_MAX_FWD    = 1u << 2,  /* requests must carry Max-Forwards */
	SG_F_STRICT_CLEN        = 1u << 3,  /* bytes after the body are a drop */
	SG_F_DROP_ALL_SIP       = 1u << 4,  /* shield: no SIP service here */
	SG_F_DROP_RESPONSES     = 1u << 5,  /* guarded ports only serve requests */
	SG_F_CHECK_VIA_OWN      = 1u << 6,  /* response top Via must be in own_hosts */
	SG_F_CHECK_PEERS        = 1u << 7,  /* response source must be in peers */
	SG_F_SCANNER_SHAPE      = 1u << 8,  /* SIPVicious shape without User-Agent */
	SG_F_TCP_REQUIRE_CLEN   = 1u << 9,  /* RFC 3261 18.3: stream needs Content-Length */
	SG_F_REPORT             = 1u << 10, /* return SG_RET_REPORT|reason (check only) */
};

/* Which header a signature applies to; a pattern may apply to several. */
enum sg_field {
	SG_FIELD_USER_AGENT = 1u << 0, /* User-Agent and Server */
	SG_FIELD_FROM       = 1u << 1,
	SG_FIELD_TO         = 1u << 2,
	SG_FIELD_CONTACT    = 1u << 3,
	SG_FIELD_CALL_ID    = 1u << 4,
	SG_FIELD_START_LINE = 1u << 5, /* the whole request/status line */
	SG_FIELD_VIA        = 1u << 6,
	SG_FIELD_SUBJECT    = 1u << 7,
	SG_FIELD_ALL        = 0xff,
};

enum sg_port_proto {
	SG_PROTO_UDP = 1,
	SG_PROTO_TCP = 2,
};

/* One entry (key 0) of the config array map. */
struct sg_config {
	__u32 version;                 /* SG_CONFIG_VERSION */
	__u32 flags;                   /* enum sg_flag */
	__u32 checks;                  /* enum sg_check */
	__u32 methods;                 /* enum sg_method_bit: allowed methods */
	__u16 ports[SG_MAX_PORTS];     /* guarded destination ports, 0 = unused */
	__u8 port_protos[SG_MAX_PORTS];/* enum sg_port_proto bits per port */
	__u16 max_message;             /* bytes of SIP payload */
	__u16 max_line;                /* bytes of one header line */
	__u16 max_headers;             /* header lines */
	__u16 max_uri;                 /* Request-URI bytes */
	__u32 sig_fields;              /* union of enum sg_field over all patterns */
	__u32 dfa_states;              /* rows in use in the sg_dfa map, 0 = none */
	__u32 pf_stride;               /* prefilter: window step S, 0 = no prefilter */
	__u8 byte_class[256];          /* lower-cased byte -> DFA class, 0 = other */
	__u8 pf_bits[SG_PF_BITS / 8];  /* prefilter bitmap, bit SG_PF_HASH(gram) */
};

/* One DFA row (sg_dfa array map value, key = state). State 0 is the root. */
struct sg_dfa_row {
	__u16 next[SG_DFA_CLASSES];
	__u32 accept;                  /* enum sg_field bits for which a pattern ends here */
};

/* The first SG_DFA_FAST_STATES states again as one flat table (the single
 * value of the sg_dfa_fast array map), for the scan's inner loop. An entry
 * is the byte offset of the target state's row in next[] (state << 7), with
 * bit 0 set when the target accepts a pattern; SG_DFA_FAST_DEEP when the
 * target lies beyond the table (large pattern lists), where the sg_dfa rows
 * take over (the manager fills them only for such DFAs). The next entry is
 * then at (row of the class) + entry: one add and one load per byte. next[]
 * spans every u16 entry + class offset (SG_DFA_FAST_SPAN bytes) so that the
 * verifier needs no mask on that add; past the real rows it is never read. */
#define SG_DFA_FAST_STATES 256
#define SG_DFA_FAST_ACCEPT 1
#define SG_DFA_FAST_DEEP 0xffff
#define SG_DFA_FAST_SPAN (65536 + 2 * SG_DFA_CLASSES)
struct sg_dfa_fast {
	__u16 next[SG_DFA_FAST_SPAN / 2]; /* [state * classes + class], then unused */
	__u32 accept[SG_DFA_FAST_STATES];
};

/* Key of the own_hosts hash map: Via sent-by host, lower case, without
 * IPv6 brackets, zero padded. */
struct sg_host_key {
	char name[SG_HOST_MAX];
};

/* Key of the peers LPM trie: IPv4 as ::ffff:a.b.c.d (prefixlen + 96). */
struct sg_peer_key {
	__u32 prefixlen;
	__u8 addr[16];
};

/* Per-CPU counter slot, indexed by enum sg_reason. */
struct sg_counter {
	__u64 packets;
	__u64 bytes;
};

#endif /* SIPGUARD_H */
