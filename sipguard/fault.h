/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* Test hook (tests/t_faults.sh), not an interface: SIPGUARD_FAULT=POINT makes
 * sg_fault(POINT) true. Points: after-pin, before-nft, after-nft (enable kills
 * itself with SIGKILL there: sg_fault_kill), no-xt-bpf (the xt_bpf probe
 * reports absence), verifier (the validator is loaded with a program the
 * verifier rejects), old-kernel (a kernel without bpf_loop nor may_goto, said to be 5.10).
 * Inline: the validator loader is also linked without guard.c (bench, tests). */
#ifndef SG_FAULT_H
#define SG_FAULT_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static inline bool sg_fault(const char *point)
{
	const char *f = getenv("SIPGUARD_FAULT");

	return f && !strcmp(f, point);
}

#endif
