/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* The validator's parser built for userspace: same code as the kernel
 * program (sip_parse.h), for fuzzing, differential and equality tests, and
 * for the packets `sipguard check` cannot give BPF_PROG_TEST_RUN. */
#ifndef SIP_PARSE_USER_H
#define SIP_PARSE_USER_H

#include "sipguard.h"

/* Where the TCP stream state lives (struct sg_flow and struct sg_carry by
 * struct sg_flow_key). get returns a copy valid until the next call of
 * the same store, or NULL; put creates or replaces (0 or < 0). */
struct sg_ustreams {
	void *(*get)(void *opaque, const struct sg_flow_key *key, int carry);
	int (*put)(void *opaque, const struct sg_flow_key *key, const void *val, int carry);
	void *opaque;
};

struct sg_uenv {
	const __u8 *pkt;                 /* packet from its IP header */
	__u32 len;
	__u32 gso_size, gso_segs;        /* as the skb's; 0: not a GSO packet */
	const struct sg_dfa_row *dfa;    /* cfg->dfa_states rows, may be NULL */
	const struct sg_dfa_fast *dfa_fast; /* sg_user_dfa_fast() of them; NULL: rows only */
	/* own_hosts / peers lookups; NULL = empty map */
	int (*own_host)(void *opaque, const struct sg_host_key *key);
	int (*peer)(void *opaque, const struct sg_peer_key *key);
	void *opaque;
	/* TCP streams; NULL: this thread's own in-memory store (sg_user_streams_reset) */
	const struct sg_ustreams *streams;
};

/* What the signature prefilter did, summed over this thread's judgements:
 * header values (and start lines) it looked at, those it cleared (no DFA
 * scan), and cleared ones rescanned because a folded line continued them. */
struct sg_pf_counts {
	unsigned long values, cleared, rescanned;
};
extern __thread struct sg_pf_counts sg_pf_counts;

/* Judges one packet like the kernel program's sg_judge() for the customer
 * of cb word CBWORD (sipguard.h) and EPOCH, with FLAGS (the profile's with
 * the customer's over them): enum sg_reason. */
__u32 sg_user_judge_as(const struct sg_uenv *env, const struct sg_config *cfg, __u32 flags,
		       __u32 cbword, __u32 epoch);
/* The same for a customer with the profile's flags (tests, tools). */
__u32 sg_user_judge(const struct sg_uenv *env, const struct sg_config *cfg);
/* What this thread's last judgement's drop was about, as a drop event
 * says it (a signature by its pattern: value = 1 + index, 0 unknown). */
void sg_user_last_detail(struct sg_detail *det);

/* The size of the parser's per-CPU scratch (the sg_scratch map's value):
 * its layout is this build's. */
unsigned int sg_user_scratch_size(void);

/* Empties this thread's in-memory stream store (the default one). */
void sg_user_streams_reset(void);
/* Stream stores of one's own, in memory. */
struct sg_ustore;
struct sg_ustore *sg_user_store_new(void);
void sg_user_store_free(struct sg_ustore *u);
const struct sg_ustreams *sg_user_store_streams(struct sg_ustore *u);

/* Fills FAST from the first rows of the N-state DFA ROWS, as the manager
 * fills the sg_dfa_fast map. */
void sg_user_dfa_fast(const struct sg_dfa_row *rows, __u32 n, struct sg_dfa_fast *fast);

/* Builds an IPv4/UDP packet around PAYLOAD into OUT (at least len + 28
 * bytes) to DPORT; returns the packet length. */
__u32 sg_user_wrap_udp4(const void *payload, __u32 len, __u16 dport, __u8 *out);

#endif
