/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* apply and sync: a whole desired state planned, printed and executed as
 * one plan (plan.h). */
#ifndef SG_APPLY_H
#define SG_APPLY_H

#include <stdbool.h>
#include "customer.h"

struct json_object;

/* Called under the lock after a plan was executed without error (sync
 * records the revision it applied there, so a reader of the state never
 * sees customers of one revision with the number of another). */
typedef int (*sg_applied_fn)(void *arg);

#define SG_APPLY_DRY_RUN 1    /* print the plan, change nothing */
#define SG_APPLY_QUIET 2      /* say nothing when nothing changes */
#define SG_APPLY_SYNC 4       /* for sync: audited with origin=sync */

/* Plans DESIRED against this host, prints the plan (text to stdout; with
 * JSON to stderr, and a new document in *JSON, sgjson.h) and, unless
 * SG_APPLY_DRY_RUN, executes it; with an error anywhere nothing changes.
 * Every customer changed, or not for an error, is audited (audit.h).
 * *CHANGED: something was changed (or, dry run, would be). Returns an exit
 * code. */
int sg_apply_desired(const struct sg_desired *desired, unsigned int flags, struct json_object **json,
		     bool *changed, sg_applied_fn applied, void *arg);

#endif
