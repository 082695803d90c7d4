// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* Link-layer framing of captures: where a frame's IP packet starts. */
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
