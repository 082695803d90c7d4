/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* The audit trail: one line per change (enable, profile switch, restore,
 * disable; later apply and sync) to syslog (identifier "sipguard",
 * facility daemon; the journal where systemd runs), and appended to the
 * file $SIPGUARD_AUDIT_LOG when that is set:
 *
 *   switch customer=acme profile=trunk mode=enforce netns=acme generation=3 prev_profile=pbx prev_generation=2 result=ok
 *   enable customer=acme profile=nosuch netns=acme result=failed: no profile 'nosuch' in ...
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
	enum sg_audit_result result;
	char reason[512];          /* why it failed */
	int exit_code;
	char line[3 * PATH_MAX];   /* as logged */
};

/* enable (or restore, RESTORE) of P. WANT: the state planned (NULL when the
 * plan failed); PREV: the state before (NULL: none); UNCHANGED: nothing to
 * do; RC: the exit code. The failure's reason is the last warning printed. */
void sg_audit_enable(const struct sg_params *p, bool restore, const struct sg_state *want,
		     const struct sg_state *prev, bool unchanged, int rc);
/* disable of CUSTOMER; WAS: its state (NULL: none). */
void sg_audit_disable(const char *customer, const struct sg_state *was, int rc);
/* ACTION of CUSTOMER failed before it could start (restore of an
 * unreadable state file), for REASON. */
void sg_audit_failed(const char *action, const char *customer, const char *reason, int rc);

/* The record of the last of the calls above since sg_audit_reset, or NULL. */
const struct sg_audit_rec *sg_audit_last(void);
void sg_audit_reset(void);
const char *sg_audit_result_name(enum sg_audit_result r);

#endif
