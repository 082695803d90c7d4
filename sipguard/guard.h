/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* What the commands that change customers share (root, bpffs, the lock,
 * pins, names), and the front ends of enable, disable and restore over the
 * plan (plan.h): pins under bpffs, one nftables batch per customer in its
 * network namespace, state files. */
#ifndef SG_GUARD_H
#define SG_GUARD_H

#include <stdbool.h>
#include <stdint.h>
#include "fault.h"
#include "state.h"

#define SG_BPFFS "/sys/fs/bpf"
#define SG_PIN_ROOT SG_BPFFS "/sipguard"
#define SG_LOCK_FILE "/run/sipguard.lock"
#define SG_TABLE "sipguard"

/* An address range [start, end] in network byte order (4 or 16 bytes). */
struct sg_range {
	int af;
	uint8_t start[16], end[16];
};
/* Parses ADDR or ADDR/LEN. Returns 0 or -EINVAL. */
int sg_cidr_parse(const char *s, struct sg_range *r);

/* Kills the process with SIGKILL when sg_fault(POINT) (fault.h). */
void sg_fault_kill(const char *point);

int sg_lock(void);                 /* flock on SG_LOCK_FILE: fd or exit code < 0 */
/* A shared lock on SG_LOCK_FILE for readers (status): a plan is executed
 * under the exclusive one, so a reader sees all of it or none. fd or -1. */
int sg_lock_shared(void);
/* The pin root: $SIPGUARD_PIN_ROOT, else SG_PIN_ROOT. */
const char *sg_pin_root(void);
int sg_require_root(void);         /* 0 or SG_EXIT_ENV */
int sg_ensure_bpffs(void);         /* mounts it if missing: 0 or SG_EXIT_ENV */

/* enable: P (already syntax-checked) as the desired state of its customer,
 * planned and executed. RESTORE: as restore says things. Returns an exit code. */
int sg_apply(struct sg_params *p, bool restore);
/* disable: removes a customer's rules, pins and state. Returns an exit code. */
int sg_teardown(const char *customer);
/* restore: every customer as its state file says (kept or rebuilt); one
 * that cannot be (namespace gone) is skipped. Returns an exit code. */
int sg_restore(void);

/* Chain and pin naming. */
void sg_chain_name(const char *customer, unsigned int gen, char *buf, size_t sz);
void sg_pin_dir(const char *customer, unsigned int gen, char *buf, size_t sz);

#endif
