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

#define SG_CONFIG_VERSION 5

/* Bytes of SIP payload copied into the per-CPU scratch buffer and parsed.
 * A power of two: every buffer index is masked with SG_BUF_MASK, which is
 * what lets the verifier accept variable offsets. 16384, max_message's
 * default: a UDP header section of any datagram a shipped profile takes is
 * seen whole (issue 17: zeek's long-paths trace, 9.5 kB of headers). */
#define SG_BUF_SIZE 16384
#define SG_BUF_MASK (SG_BUF_SIZE - 1)

#define SG_MAX_PORTS 8
#define SG_MAX_HEADERS_HARD 128   /* loop bound for header lines */
#define SG_MAX_LINE_HARD 2048     /* loop bound for one header line */
#define SG_MAX_URI_HARD 1024      /* loop bound for the Request-URI */
#define SG_MAX_METHOD 32

/* Signature DFA: bytes are folded to lower case and mapped to classes by
 * sg_config.byte_class; one array-map row per state. Patterns match what
 * the SIP stack reads, not the raw bytes: a "%XX" escape and a quoted-pair
 * "\X" stand for their byte (raw '%' and '\' map to SG_DFA_CLASS_ESC, and
 * the scan decodes them), TAB is a space, and a space in a pattern matches
 * any run of spaces and tabs, and a folded line's break. */
#define SG_DFA_CLASSES 64
#define SG_DFA_CLASS_ESC (SG_DFA_CLASSES - 1)
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
#define SG_PF_MIN_STRIDE 3 /* a pattern too short for it leaves its fields to the DFA */
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
	X(SG_PASS_KEEPALIVE,      2, "keepalive",        "CRLF or STUN keep-alive")        \
	X(SG_PASS_TCP_RETRANSMIT, 3, "tcp-retransmit",   "TCP data already judged (retransmission)") \
	X(SG_PASS_TCP_CONTROL,    4, "tcp-control",      "TCP segment without data")       \
	X(SG_PASS_NOT_IP,         5, "not-ip",           "not IPv4/IPv6 UDP/TCP")          \
	X(SG_DROP_NOT_SIP,        8, "not-sip",          "payload is not SIP")             \
	X(SG_DROP_START_LINE,     9, "bad-start-line",   "malformed request or status line") \
	X(SG_DROP_VERSION,       10, "bad-version",      "SIP version is not SIP/2.0")     \
	X(SG_DROP_METHOD,        11, "method-not-allowed", "method not allowed by profile") \
	X(SG_DROP_URI_SCHEME,    12, "bad-uri-scheme",   "Request-URI scheme not allowed by profile") \
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
	X(SG_DROP_NO_SIP_SERVICE, 29, "no-sip-service",  "SIP where no SIP service exists") \
	X(SG_DROP_FRAGMENT,      30, "fragment",         "IP fragment not reassembled before the filter") \
	X(SG_DROP_HEADER_CHAIN,  31, "header-chain",     "IPv6 extension headers beyond what the filter reads") \
	X(SG_DROP_TCP_NO_FLOW,   32, "tcp-no-flow",      "TCP data of a connection whose start was not seen") \
	X(SG_DROP_TCP_GAP,       33, "tcp-out-of-order", "TCP data after a gap in the stream") \
	X(SG_DROP_TCP_DEAD,      34, "tcp-after-drop",   "TCP data after a dropped message on the connection") \
	X(SG_DROP_TCP_URGENT,    35, "tcp-urgent",       "TCP urgent data") \
	X(SG_DROP_UNJUDGED,      36, "unjudged",         "more messages or segments in one packet than the filter judges") \
	X(SG_DROP_TCP_STATE,     37, "tcp-state-full",   "no room to keep the connection's state") \
	X(SG_DROP_TCP_PAWS,      38, "tcp-stale-timestamp", "TCP data with a timestamp older than the connection's (the stack discards it: PAWS)")

enum sg_reason {
#define SG_REASON_ENUM(name, val, s, d) name = val,
	SG_REASONS(SG_REASON_ENUM)
#undef SG_REASON_ENUM
	SG_FIRST_DROP = 8,
	SG_REASON_MAX = 40,
};

/* Set only by `sipguard check`: the program returns SG_RET_REPORT | reason
 * for every packet, passes included, so the reason is visible offline. */
#define SG_RET_REPORT 0x100

/* ---- headers the validator knows by name -------------------------------- */
#define SG_HEADERS(X)                                      \
	X(SG_H_OTHER,        0, "other")                   \
	X(SG_H_VIA,          1, "Via")                     \
	X(SG_H_FROM,         2, "From")                    \
	X(SG_H_TO,           3, "To")                      \
	X(SG_H_CALLID,       4, "Call-ID")                 \
	X(SG_H_CSEQ,         5, "CSeq")                    \
	X(SG_H_CONTACT,      6, "Contact")                 \
	X(SG_H_CLEN,         7, "Content-Length")          \
	X(SG_H_CTYPE,        8, "Content-Type")            \
	X(SG_H_MAXFWD,       9, "Max-Forwards")            \
	X(SG_H_UA,          10, "User-Agent")              \
	X(SG_H_SUBJECT,     11, "Subject")                 \
	X(SG_H_CSEQ_METHOD, 12, "CSeq") /* pending only: CSeq's method on a folded line */

enum sg_hdr {
#define SG_HDR_ENUM(name, val, s) name = val,
	SG_HEADERS(SG_HDR_ENUM)
#undef SG_HDR_ENUM
};

/* ---- drop details ----------------------------------------------------------
 * What the validator knew when it dropped a packet: in drop events and in
 * `sipguard check`. LINE is the message's line (1 = start line), 0 when
 * the drop is not about a line. */
enum sg_detail_kind {
	SG_DET_NONE = 0,
	SG_DET_LINE,       /* at LINE, in header HEADER (enum sg_hdr) */
	SG_DET_LIMIT,      /* limit WHAT (enum sg_limit): VALUE where LIMIT is allowed */
	SG_DET_MISSING,    /* VALUE: 1 << enum sg_hdr of each header missing */
	SG_DET_SIGNATURE,  /* pattern VALUE - 1 of the profile in field WHAT (enum sg_field), at LINE */
	SG_DET_LENGTH,     /* Content-Length VALUE, LIMIT body bytes in the datagram */
	SG_DET_STREAM,     /* TCP: after drop: WHAT the reason the stream died of; gap: VALUE bytes missing */
};

#define SG_LIMITS(X)                                                  \
	X(SG_LIM_NONE,     0, "none")                                 \
	X(SG_LIM_LINE,     1, "line length")                          \
	X(SG_LIM_MESSAGE,  2, "message size")                         \
	X(SG_LIM_HEADERS,  3, "header lines")                         \
	X(SG_LIM_URI,      4, "Request-URI length")                   \
	X(SG_LIM_WINDOW,   5, "header section beyond the parse window") \
	X(SG_LIM_SEGMENTS, 6, "GSO segments")                         \
	X(SG_LIM_CHAIN,    7, "IPv6 extension headers")

enum sg_limit {
#define SG_LIMIT_ENUM(name, val, s) name = val,
	SG_LIMITS(SG_LIMIT_ENUM)
#undef SG_LIMIT_ENUM
};

struct sg_detail {
	__u8 kind;         /* enum sg_detail_kind */
	__u8 what;
	__u8 header;       /* enum sg_hdr */
	__u8 pad;
	__u32 line;
	__u32 value;
	__u32 limit;
};

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
	SG_F_ANY_SCHEME         = 1u << 11, /* any well-formed Request-URI scheme */
	SG_F_TEXT_KEEPALIVE     = 1u << 12, /* UDP: <= 16 bytes of text without "SIP/" is a keep-alive */
	SG_F_CTL_BYTES          = 1u << 13, /* control bytes other than NUL pass in the header section */
	SG_F_CR_CR_LF           = 1u << 14, /* a run of CRs before LF ends a line (CR CR LF) */
};

/* Flags a customer sets or clears over its profile's (struct sg_customer). */
#define SG_F_CUSTOMER (SG_F_MONITOR | SG_F_CHECK_VIA_OWN | SG_F_CHECK_PEERS | SG_F_REPORT)

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
	__u32 pf_unfiltered;           /* enum sg_field the prefilter cannot clear (always scanned) */
	__u8 pct_class, bs_class;      /* DFA classes of a decoded '%' and '\\' */
	__u8 sp_class;                 /* DFA class of SP (and TAB): 0 if no pattern has one */
	__u8 pad8;
	__u32 tag;                     /* the validator's slot: events name their profile by it */
	__u32 ev_burst;                /* drop events: burst per CPU, customer and reason */
	__u64 ev_interval_ns;          /* ... one event per interval after it; 0 = no events */
	__u8 byte_class[256];          /* lower-cased byte -> DFA class, 0 = other */
	__u8 pf_bits[SG_PF_BITS / 8];  /* prefilter bitmap, bit SG_PF_HASH(gram) */
};

/* One DFA row (sg_dfa array map value, key = state). State 0 is the root. */
struct sg_dfa_row {
	__u16 next[SG_DFA_CLASSES];
	__u32 accept;                  /* enum sg_field bits for which a pattern ends here */
	__u32 pattern;                 /* 1 + index of the longest pattern ending here, 0 = none */
};

/* The patterns' text, for drop details (sg_patterns map, key = index). */
#define SG_PATTERN_TEXT 64
struct sg_pattern_text {
	char text[SG_PATTERN_TEXT];    /* cut, NUL-terminated */
	__u32 fields;                  /* enum sg_field */
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

/* Per-CPU counter slot, indexed by enum sg_reason. A drop reason's slot
 * also holds its drop events' token bucket (per CPU: no shared cache line
 * under a flood): EV_NEXT is the bucket's theoretical arrival time (GCRA),
 * SUPPRESSED the drops that sent no event. */
struct sg_counter {
	__u64 packets;
	__u64 bytes;
	__u64 ev_next;
	__u64 suppressed;
};

/* ---- drop events ------------------------------------------------------------
 * A flight recorder shared by every customer: the array map sg_events of
 * 2^n slots (mmap-able) and sg_event_head. A drop takes the next position
 * with an atomic add, writes slot position & mask with SEQ 0, then SEQ =
 * position + 1. A reader keeps its own position (nothing is consumed, any
 * number of readers), takes a slot whose SEQ is the position + 1, and
 * keeps it if HEAD has not passed position + slots meanwhile (else the
 * slot may have been overwritten while it was read). */
#define SG_EVENT_SIZE 2048
#define SG_EVENTS_DEFAULT 2048   /* slots: 4 MiB */
#define SG_EV_ACTION_DROP 1
#define SG_EV_ACTION_WOULD_DROP 2

struct sg_event_head {
	__u64 next;              /* the next position */
	__u64 mask;              /* slots - 1 */
};

struct sg_event_hdr {
	__u64 seq;               /* position + 1 once written, 0 while being written */
	__u64 time_ns;           /* CLOCK_BOOTTIME */
	__u32 customer, epoch;
	__u32 len;               /* bytes of the packet from its IP header */
	__u32 tag;               /* the profile's validator (struct sg_config.tag) */
	__u16 snap;              /* bytes of it in data[] */
	__u8 reason, action;     /* enum sg_reason, SG_EV_ACTION_* */
	__u32 pad;
	struct sg_detail det;
};

#define SG_EVENT_SNAP (SG_EVENT_SIZE - sizeof(struct sg_event_hdr))
struct sg_event {
	struct sg_event_hdr h;
	__u8 data[SG_EVENT_SNAP];   /* the packet from its IP header */
};

/* ---- customers ----------------------------------------------------------
 * One validator program per profile serves every customer of the profile.
 * A customer's nft rule runs a stub of a few instructions that writes
 * cb[SG_CB_WORD] = id | parity << 31, cb[SG_CB_SET] and cb[SG_CB_CLEAR]
 * (SG_F_CUSTOMER flags it sets and clears over the profile's) and
 * tail-calls the profile's validator (a slot of the sg_profiles program
 * array; xt_bpf saves and restores cb around the run). Everything that
 * decides a verdict for the customer is thus in its stub or behind it:
 * a new stub in the same nft transaction as the rest of its chain changes
 * the customer in one step. What is the customer's own lives in maps every
 * validator shares: sg_customers[id] (struct sg_customer), and inner maps
 * of the arrays-of-maps sg_counters[id] (struct sg_counter per reason,
 * kept across changes), sg_hosts and sg_peers[id * 2 + parity] (own Via
 * hosts, response sources: the parity alternates with each change, so the
 * lists of the new stub are in place before it is). */
#define SG_CB_WORD 0
#define SG_CB_SET 1
#define SG_CB_CLEAR 2
#define SG_CB_PARITY (1u << 31)
#define SG_MAX_CUSTOMERS 65536
#define SG_MAX_PROFILES 64
#define SG_HOSTS_MAX 1024       /* own hosts per customer */
#define SG_PEERS_MAX 16384      /* peer CIDRs per customer */

struct sg_customer {
	__u32 epoch;             /* non-zero while the id is given to a customer; in its TCP streams */
	__u32 pad;
};

/* ---- TCP streams ----------------------------------------------------------
 * Each TCP connection to a guarded port is judged as a stream: its state
 * lives in the LRU hash sg_flows (value: struct sg_flow in sip_parse.h), the
 * unfinished line at the end of a segment in the LRU hash sg_carry. */
#define SG_CARRY_MAX 2048        /* = the longest header line a profile allows */
#define SG_FLOWS_DEFAULT 65536
#define SG_CARRIES_DEFAULT 8192

struct sg_flow_key {
	__u32 customer;
	__u16 sport, dport;      /* network byte order */
	__u8 saddr[16], daddr[16]; /* IPv4 as ::ffff:a.b.c.d */
};

/* What a message has shown so far: kept between the segments of a TCP
 * stream (struct sg_flow), so nothing in it points into the buffer. */
struct sg_msg {
	__u32 line_idx;       /* lines seen (0: the start line is next) */
	__u32 n_headers;
	__u32 bytes;          /* bytes of the message's header section so far */
	__u32 field;          /* enum sg_field of the header being continued */
	__u32 pending;        /* header id whose value is still to be parsed */
	__u32 cseq_num_ok;    /* CSeq number parsed, method on a folded line */
	__u32 dfa_state;      /* signature scan state (per field value) */
	__u32 is_response;
	__u32 start_ok;       /* the start line parsed */
	__u32 method_bit;     /* enum sg_method_bit of the request */
	__u32 method_len;
	__u64 method_a, method_b; /* method token, packed (first 16 bytes) */
	/* header counts (single-valued ones must stay <= 1) */
	__u32 n_via, n_from, n_to, n_callid, n_cseq, n_clen, n_ctype, n_maxfwd, n_ua;
	__u32 clen;           /* Content-Length value */
	__u32 via_branch_digits; /* top Via branch is z9hG4bK-<digits> */
	__u32 callid_digits;  /* Call-ID is all digits */
	__u32 host_len;       /* top Via sent-by host: length, 0 = none, */
	struct sg_host_key host; /* ... lower case (only with the own-host check) */
};

/* Where a TCP stream is between two segments (struct sg_flow.state). */
enum sg_stream_state {
	SG_ST_IDLE = 0,       /* between messages */
	SG_ST_HEAD,           /* in a header section (struct sg_msg) */
	SG_ST_BODY,           /* in a body: body_left bytes to go */
	SG_ST_DEAD,           /* a message was dropped: the rest of the stream too */
};

/* Value of the sg_flows LRU hash (key struct sg_flow_key). */
struct sg_flow {
	__u32 epoch;          /* the customer's epoch when the SYN came */
	__u32 next_seq;       /* the next stream byte to judge */
	__u32 state;          /* enum sg_stream_state */
	__u32 closed;         /* FIN or RST seen: a SYN may start it again */
	__u32 body_left;      /* SG_ST_BODY: body bytes still to come */
	__u32 ctype_left;     /* body bytes still to look at for content (Content-Type) */
	__u32 carry_len;      /* bytes of an unfinished line in sg_carry */
	__u32 dead_reason;    /* SG_ST_DEAD: why */
	__u32 ts_ok;          /* the SYN had a timestamp: the stack checks them (PAWS) */
	__u32 ts_recent;      /* the newest TSval of a segment passed at or before next_seq */
	struct sg_msg m;      /* SG_ST_HEAD: the message so far */
};

struct sg_carry {
	__u32 len;
	__u32 seq;               /* stream position of its first byte */
	__u8 bytes[SG_CARRY_MAX];
};

#endif /* SIPGUARD_H */
