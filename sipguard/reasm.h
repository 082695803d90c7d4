/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* IP reassembly of a capture's fragments, as the kernel does it before
 * sipguard's chain (nf_defrag_ipv4/ipv6): so that `sipguard check` judges
 * the datagrams the live hook judges. Like Linux, a datagram whose
 * fragments overlap (other than exact duplicates) is discarded whole. */
#ifndef SG_REASM_H
#define SG_REASM_H

#include <stddef.h>
#include <linux/types.h>

struct sg_reasm;

enum sg_reasm_result {
	SG_REASM_NONE = 0,     /* not a fragment: judge it as it is */
	SG_REASM_HELD,         /* a fragment, kept until its datagram is whole */
	SG_REASM_DONE,         /* the datagram is whole: *out, its fragments in *members */
	SG_REASM_DISCARDED,    /* overlapping fragments: the datagram is dropped */
};

struct sg_reasm *sg_reasm_new(void);
void sg_reasm_free(struct sg_reasm *r);

/* Feeds packet IDX (L3 first). On DONE, *OUT and *OUT_LEN hold the
 * reassembled packet; on DONE and DISCARDED, *MEMBERS (N) the indexes of
 * its fragments. Both valid until the next call. */
int sg_reasm_feed(struct sg_reasm *r, unsigned long idx, const __u8 *pkt, size_t len,
		  const __u8 **out, size_t *out_len, const unsigned long **members, size_t *n);

/* Calls FN for every fragment of a datagram never completed. */
void sg_reasm_incomplete(struct sg_reasm *r, void (*fn)(void *arg, unsigned long idx), void *arg);

/* The transport protocol and destination port of an L3 packet as nft
 * finds them (IPv6: behind every extension header ipv6_find_hdr knows).
 * Returns 0, or -1 when there is no transport header to read. */
int sg_l4_port(const __u8 *pkt, size_t len, __u8 *proto, __u16 *dport);

#endif
