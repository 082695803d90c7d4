/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* Link-layer framing of captures (libpcap link types). */
#ifndef SG_CAPTURE_H
#define SG_CAPTURE_H

#include <stdbool.h>
#include <linux/types.h>

/* The link types sg_capture_l3_offset reads: Ethernet (with one VLAN tag),
 * Linux cooked v1/v2, raw IP, BSD loopback. */
bool sg_capture_dlt_supported(int dlt);

/* Offset of the L3 header in a frame of link type DLT, or -1 when the
 * frame carries no IPv4/IPv6 packet. */
int sg_capture_l3_offset(int dlt, const __u8 *d, __u32 n);

#endif
