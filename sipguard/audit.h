/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* The audit trail: one line per change to a customer (enable, profile
 * switch, restore, disable; by hand, or within a plan of apply or sync) to syslog (identifier "sipguard",
 * facility daemon; the journal where systemd runs), and appended to the
 * file $SIPGUARD_AUDIT_LOG when that is set:
 *
 *   switch customer=acme profile=trunk mode=enforce netns=acme generation=3 prev_profile=pbx prev_generation=2 result=ok
 *   enable customer=acme profile=nosuch netns=acme result=failed: no profile 'nosuch' in ...
 *   disable customer=old netns=old prev_profile=pbx prev_generation=4 origin=sync source=/sipguard/hosts/h1/old result=ok
 *
 * generation is the generation in force afterwards, prev_* what was in
 * force before. A run that changes nothing (same parameters again, a
 * restore of a customer in place) is recorded for --json but not logged. */
#ifndef SG_AUDIT_H
#define SG_AUDIT_H

#include <limits.h>
#include <stdbool.h>
#include "state.h"

enum sg_audit_result {
	SG_AUDIT_OK,           /* changed */
	SG_AUDIT_UNCHANGED,    /* nothing to do */
	SG_AUDIT_FAILED,       /* nothing changed (the previous generation is intact) */
};

struct sg_audit_rec {
	char action[16];           /* enable, switch, restore, disable */
	char customer[32];
	char profile[PATH_MAX];    /* in force afterwards, or asked for ("" none) */
	char mode[8];              /* enforce, monitor, "" unknown */
	char netns[PATH_MAX];      /* "" the current namespace */
	bool netns_known;
	unsigned int generation;   /* in force afterwards, 0 none */
	bool have_prev;
	char prev_profile[64];
	char prev_mode[8];
	unsigned int prev_generation;
	bool content_changed;      /* same profile name, new content */
	char origin[8];            /* apply, sync; "" the command line */
	char source[PATH_MAX];     /* the customer file or etcd key of apply and sync */
	enum sg_audit_result result;
	char reason[512];          /* why it failed */
	int exit_code;
	char line[3 * PATH_MAX];   /* as logged */
};

/* Where a change came from and why it failed, for the calls below; NULL
 * (or a NULL field): the command line, and the first warning printed since
 * sg_audit_reset (log.h). */
struct sg_audit_from {
	const char *origin;        /* "apply", "sync" */
	const char *source;        /* the customer file or etcd key */
	const char *reason;        /* why it failed */
};

/* enable (or restore, RESTORE) of P. WANT: the state planned (NULL when the
 * plan failed); PREV: the state before (NULL: none); UNCHANGED: nothing to
 * do; RC: the exit code. */
void sg_audit_enable(const struct sg_params *p, bool restore, const struct sg_state *want,
		     const struct sg_state *prev, bool unchanged, int rc,
		     const struct sg_audit_from *from);
/* disable of CUSTOMER; WAS: its state (NULL: none). */
void sg_audit_disable(const char *customer, const struct sg_state *was, int rc,
		      const struct sg_audit_from *from);
/* ACTION of CUSTOMER failed before it could start (restore of an
 * unreadable state file), for REASON. */
void sg_audit_failed(const char *action, const char *customer, const char *reason, int rc);

/* The record of the last of the calls above since sg_audit_reset, or NULL;
 * all of them, in the order made (*N of them). */
const struct sg_audit_rec *sg_audit_last(void);
const struct sg_audit_rec *sg_audit_records(unsigned int *n);
/* Forgets the records and the warnings printed so far (log.h). */
void sg_audit_reset(void);
const char *sg_audit_result_name(enum sg_audit_result r);

#endif
