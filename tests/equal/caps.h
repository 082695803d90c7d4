/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
#ifndef SG_CAPS_H
#define SG_CAPS_H
#include <linux/types.h>
typedef void (*sg_pkt_fn)(const __u8 *l3, __u32 len, int idx, void *arg);
/* Calls FN for each IP packet of capture PATH; returns packets read or -1. */
int sg_caps_read(const char *path, sg_pkt_fn fn, void *arg);
#endif
