/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* The one path that changes the kernel. A plan compares a desired state
 * (customer.h: customer files, etcd, or one enable's options) with what the
 * state files and the kernel hold, checks everything that can be wrong, and
 * says per customer what is to be done (plan.c); execute.c then does it,
 * customer by customer, each in one nftables transaction. enable, disable,
 * restore, apply and sync are front ends of sg_plan_make + sg_plan_execute. */
#ifndef SG_PLAN_H
#define SG_PLAN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "customer.h"
#include "dataplane.h"
#include "nft.h"
#include "profile.h"
#include "state.h"

struct json_object;

enum sg_act {
	SG_ACT_KEEP,       /* as desired, in the kernel too */
	SG_ACT_ENABLE,     /* new */
	SG_ACT_CHANGE,     /* other parameters or profile content: a new generation */
	SG_ACT_REPAIR,     /* parameters as desired, the kernel lacks something: rebuilt */
	SG_ACT_DISABLE,    /* managed here (state file), no longer desired */
	SG_ACT_N
};

/* What a CHANGE changes (sg_item.changes). */
enum {
	SG_CH_PROFILE = 1 << 0,   /* another profile */
	SG_CH_CONTENT = 1 << 1,   /* the same profile, new content */
	SG_CH_MODE = 1 << 2,
	SG_CH_HOOK = 1 << 3,
	SG_CH_ATTACH = 1 << 4,
	SG_CH_NETNS = 1 << 5,     /* moves to another network namespace */
	SG_CH_OWN_HOSTS = 1 << 6,
	SG_CH_PEERS = 1 << 7,
	SG_CH_ALLOW = 1 << 8,
	SG_CH_DENY = 1 << 9,
};

/* A profile loaded once per plan, whatever the number of its customers. */
struct sg_plan_profile {
	char key[PATH_MAX];       /* as the customers name it */
	struct sg_profile pr;
	uint64_t hash;
	int err;
};

/* One customer in the plan. */
struct sg_item {
	enum sg_act act;
	bool decided;             /* act is known (the plan got that far) */
	char customer[32];
	struct sg_source src;     /* where the desired state came from ("" file: the command line) */
	unsigned int changes;     /* SG_CH_* of a CHANGE */
	const char *why;          /* REPAIR: what the kernel lacks */
	int rc;                   /* exit code of its checks (plan) */
	int exec_rc;              /* exit code of its execution */
	char reason[512];         /* why rc or exec_rc: the first message about it */
	bool done;                /* executed */
	/* desired */
	struct sg_params want;    /* owns its lists */
	bool have_want;
	const struct sg_plan_profile *prof;
	/* as it is */
	struct sg_state prev;
	bool have_prev;
	/* as it will be */
	int family;
	char table[256], attach_chain[256];
	struct sg_state st;       /* the new state; st.p is a shallow copy of want */
};

/* sg_plan_make flags */
#define SG_PLAN_RESTORE 1     /* restore: rebuild what the state files say; a customer
			       * that cannot be is skipped, the others are done */
#define SG_PLAN_DRY_RUN 2     /* changes nothing, not even a mount of bpffs */

struct sg_plan {
	unsigned int flags;
	bool whole;               /* customers not desired are disabled */
	const char *only;         /* only this customer (enable, disable), or NULL */
	struct sg_item *items;    /* sorted by customer */
	unsigned int n;
	unsigned int count[SG_ACT_N];
	struct sg_plan_profile **profiles;
	unsigned int nprofiles;
	int lock;                 /* held from plan to the end of execution */
	struct sg_dp dp;
	bool have_dp;
	int rc;                   /* exit code of the checks: the first error */
	char reason[512];         /* an error not of one customer (lock, bpffs, xt_bpf) */
	const char *origin;       /* for the audit trail: "apply", "sync"; NULL the
				   * command line (enable, disable, restore) */
};

/* Checks DESIRED against the state files and the kernel and fills PL.
 * ONLY limits the plan to that customer (enable: DESIRED holds it; disable:
 * DESIRED is empty). Takes /run/sipguard.lock until sg_plan_free. Every
 * error is printed; returns PL->rc (0 or an exit code). */
int sg_plan_make(struct sg_plan *pl, const struct sg_desired *desired, const char *only,
		 unsigned int flags);
/* Does the plan: new customers, then changes and repairs, then disables,
 * each customer in one nftables transaction (kill -9 safe: a rerun
 * converges). Stops at the first failure unless SG_PLAN_RESTORE; with an
 * error in the checks nothing is done. Every customer changed, or not
 * changed for an error, is audited (audit.h); called for a plan whose
 * checks failed too, so that the failure is. Returns an exit code. */
int sg_plan_execute(struct sg_plan *pl);
void sg_plan_free(struct sg_plan *pl);
bool sg_plan_changes(const struct sg_plan *pl);   /* anything to do? */

/* The plan as text: one line per customer to enable, change, repair or
 * disable ("ACTION CUSTOMER: what"), then the counts (or "no change"). */
void sg_plan_print(const struct sg_plan *pl, FILE *f);
void sg_item_print(const struct sg_item *it, FILE *f);
/* The plan as JSON fields of DOC (sgjson.h), for apply and sync --json:
 * "plan" (one object per customer), "counts", "change". */
void sg_plan_json(const struct sg_plan *pl, struct json_object *doc);
/* Why the plan or its execution failed (its first error), or NULL. */
const char *sg_plan_error(const struct sg_plan *pl);
const char *sg_act_name(enum sg_act a);

/* Helpers shared by plan.c, execute.c and guard.c. */
uint64_t sg_fnv(uint64_t h, const void *p, size_t n);
#define SG_FNV_INIT 0xcbf29ce484222325ULL
uint64_t sg_profile_hash(const struct sg_profile *pr);
unsigned int sg_pins_max_gen(const char *customer);
void sg_pins_remove_dir(const char *dir);
void sg_pins_remove_except(const char *customer, unsigned int keep); /* keep 0: all */
/* Do A and B name the same network namespace ("host", a name in
 * /run/netns, a path)? */
bool sg_netns_same(const char *a, const char *b);

#endif
