/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* Link-layer framing of captures (libpcap link types), and raw-IP output. */
#ifndef SG_CAPTURE_H
#define SG_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* The link types sg_capture_l3_offset reads: Ethernet (with one VLAN tag),
 * Linux cooked v1/v2, raw IP, BSD loopback. */
bool sg_capture_dlt_supported(int dlt);

/* Offset of the L3 header in a frame of link type DLT, or -1 when the
 * frame carries no IPv4/IPv6 packet. */
int sg_capture_l3_offset(int dlt, const __u8 *d, __u32 n);

/* What `events` and `check` say about a packet (from its IP header). */
struct sg_pkt {
	int family;             /* 4 or 6, 0 unknown */
	char src[46], dst[46];  /* INET6_ADDRSTRLEN */
	const char *proto;      /* "udp", "tcp" or "ip" */
	unsigned int sport, dport;
	const __u8 *payload;    /* into the packet, NULL if none */
	size_t payload_len;
};
void sg_pkt_decode(const __u8 *pkt, size_t n, struct sg_pkt *p);

/* A pcap file of raw IP packets (LINKTYPE_RAW), written as they come
 * (each packet flushed): what `events --pcap` writes. */
struct sg_pcap_out;
/* NULL on failure, with why in ERR (at least 256 bytes). */
struct sg_pcap_out *sg_pcap_out_open(const char *file, char *err);
void sg_pcap_out_write(struct sg_pcap_out *o, long sec, long usec, const void *pkt, __u32 caplen,
		       __u32 len);
void sg_pcap_out_close(struct sg_pcap_out *o);

#endif
