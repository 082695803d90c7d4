// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* Link-layer framing of captures: where a frame's IP packet starts. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <pcap/pcap.h>

#include "capture.h"

/* Offset of the L3 header in a frame of link type DLT, or -1 when the
 * frame carries no IPv4/IPv6 packet. */
int sg_capture_l3_offset(int dlt, const __u8 *d, __u32 n)
{
	__u32 off, et;

	switch (dlt) {
	case DLT_EN10MB:
		if (n < 14)
			return -1;
		off = 14;
		et = (d[12] << 8) | d[13];
		if (et == 0x8100 || et == 0x88a8) {
			if (n < 18)
				return -1;
			et = (d[16] << 8) | d[17];
			off = 18;
		}
		break;
	case DLT_LINUX_SLL:
		if (n < 16)
			return -1;
		et = (d[14] << 8) | d[15];
		off = 16;
		break;
	case DLT_LINUX_SLL2:
		if (n < 20)
			return -1;
		et = (d[0] << 8) | d[1];
		off = 20;
		break;
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		off = 0;
		et = 0;
		break;
	case DLT_NULL:
	case DLT_LOOP:
		if (n < 4)
			return -1;
		off = 4;
		et = 0;
		break;
	default:
		return -1;
	}
	if (et && et != 0x0800 && et != 0x86dd)
		return -1;
	if (n <= off)
		return -1;
	if (et == 0x0800 && (d[off] >> 4) != 4)
		return -1;
	if (et == 0x86dd && (d[off] >> 4) != 6)
		return -1;
	if (!et && (d[off] >> 4) != 4 && (d[off] >> 4) != 6)
		return -1;
	return (int)off;
}

bool sg_capture_dlt_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB: case DLT_LINUX_SLL: case DLT_LINUX_SLL2: case DLT_RAW:
	case DLT_IPV4: case DLT_IPV6: case DLT_NULL: case DLT_LOOP:
		return true;
	}
	return false;
}

struct sg_pcap_out {
	pcap_t *dead;
	pcap_dumper_t *d;
};

struct sg_pcap_out *sg_pcap_out_open(const char *file, char *err)
{
	struct sg_pcap_out *o = calloc(1, sizeof(*o));

	if (!o || !(o->dead = pcap_open_dead(DLT_RAW, 65535))) {
		snprintf(err, 256, o ? "libpcap cannot make a capture writer" : "out of memory");
		free(o);
		return NULL;
	}
	o->d = pcap_dump_open(o->dead, file);
	if (!o->d) {
		snprintf(err, 256, "%s", pcap_geterr(o->dead));
		pcap_close(o->dead);
		free(o);
		return NULL;
	}
	return o;
}

void sg_pcap_out_write(struct sg_pcap_out *o, long sec, long usec, const void *pkt, __u32 caplen,
		       __u32 len)
{
	struct pcap_pkthdr h = { .caplen = caplen, .len = len };

	h.ts.tv_sec = sec;
	h.ts.tv_usec = usec;
	pcap_dump((u_char *)o->d, &h, pkt);
	pcap_dump_flush(o->d);
}

void sg_pcap_out_close(struct sg_pcap_out *o)
{
	if (!o)
		return;
	pcap_dump_close(o->d);
	pcap_close(o->dead);
	free(o);
}

void sg_pkt_decode(const __u8 *d, size_t n, struct sg_pkt *p)
{
	size_t off = 0;
	unsigned int l4 = 0;

	memset(p, 0, sizeof(*p));
	p->proto = "ip";
	if (n >= 20 && d[0] >> 4 == 4) {
		p->family = 4;
		inet_ntop(AF_INET, d + 12, p->src, sizeof(p->src));
		inet_ntop(AF_INET, d + 16, p->dst, sizeof(p->dst));
		off = (size_t)(d[0] & 0xf) * 4;
		l4 = d[9];
	} else if (n >= 40 && d[0] >> 4 == 6) {
		p->family = 6;
		inet_ntop(AF_INET6, d + 8, p->src, sizeof(p->src));
		inet_ntop(AF_INET6, d + 24, p->dst, sizeof(p->dst));
		off = 40;
		l4 = d[6];
		/* hop-by-hop, routing, destination options */
		for (int k = 0; k < 16 && (l4 == 0 || l4 == 43 || l4 == 60) && off + 8 <= n; k++) {
			l4 = d[off];
			off += ((size_t)d[off + 1] + 1) * 8;
		}
	} else {
		return;
	}
	if (l4 == 17 && off + 8 <= n) {
		p->proto = "udp";
		p->sport = (unsigned int)d[off] << 8 | d[off + 1];
		p->dport = (unsigned int)d[off + 2] << 8 | d[off + 3];
		off += 8;
	} else if (l4 == 6 && off + 20 <= n) {
		p->proto = "tcp";
		p->sport = (unsigned int)d[off] << 8 | d[off + 1];
		p->dport = (unsigned int)d[off + 2] << 8 | d[off + 3];
		off += (size_t)(d[off + 12] >> 4) * 4;
	} else {
		return;
	}
	if (off < n) {
		p->payload = d + off;
		p->payload_len = n - off;
	}
}

