// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* The audit trail (audit.h): every change as one line to syslog and, with
 * $SIPGUARD_AUDIT_LOG, to a file (tests; hosts without a syslog daemon). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "commands.h"
#include "log.h"

/* the records since sg_audit_reset (a plan makes one per customer) */
static struct sg_audit_rec *recs;
static unsigned int nrecs, caprecs;

const char *sg_audit_result_name(enum sg_audit_result r)
{
	return r == SG_AUDIT_OK ? "ok" : r == SG_AUDIT_UNCHANGED ? "unchanged" : "failed";
}

/* " KEY=VALUE", VALUE quoted when it would not read back as one word */
static void kv(char *buf, size_t n, const char *key, const char *v)
{
	size_t len = strlen(buf);
	bool quote = !*v || strpbrk(v, " \t\"=\\") != NULL;

	if (len >= n - 1)
		return;
	if (!quote) {
		snprintf(buf + len, n - len, " %s=%s", key, v);
		return;
	}
	len += (size_t)snprintf(buf + len, n - len, " %s=\"", key);
	for (; *v && len < n - 3; v++) {
		if (*v == '"' || *v == '\\')
			buf[len++] = '\\';
		buf[len++] = (*v == '\n' || *v == '\t') ? ' ' : *v;
	}
	buf[len++] = '"';
	buf[len] = 0;
}

static void kv_u(char *buf, size_t n, const char *key, unsigned int v)
{
	char num[16];

	snprintf(num, sizeof(num), "%u", v);
	kv(buf, n, key, num);
}

/* The one place that writes the audit trail: formats REC's line, sends it
 * to syslog and to $SIPGUARD_AUDIT_LOG, and remembers REC (sg_audit_last). */
static void audit(struct sg_audit_rec *r)
{
	const char *file = getenv("SIPGUARD_AUDIT_LOG");
	char *l = r->line;
	size_t n = sizeof(r->line);

	snprintf(l, n, "%s", r->action);
	kv(l, n, "customer", r->customer);
	if (r->profile[0])
		kv(l, n, "profile", r->profile);
	if (r->mode[0])
		kv(l, n, "mode", r->mode);
	if (r->netns_known)
		kv(l, n, "netns", r->netns[0] ? r->netns : "(current)");
	if (r->generation)
		kv_u(l, n, "generation", r->generation);
	if (r->have_prev) {
		kv(l, n, "prev_profile", r->prev_profile);
		if (strcmp(r->prev_mode, r->mode))
			kv(l, n, "prev_mode", r->prev_mode);
		kv_u(l, n, "prev_generation", r->prev_generation);
	}
	if (r->content_changed)
		kv(l, n, "profile_content", "changed");
	if (r->origin[0])
		kv(l, n, "origin", r->origin);
	if (r->source[0])
		kv(l, n, "source", r->source);
	if (r->result == SG_AUDIT_FAILED) {
		/* the reason is free text, last on the line */
		size_t len = strlen(l);

		snprintf(l + len, n - len, " result=failed: %s", r->reason[0] ? r->reason : "?");
		for (char *s = l + len; *s; s++)
			if (*s == '\n')
				*s = ' ';
	} else {
		kv(l, n, "result", sg_audit_result_name(r->result));
	}
	if (nrecs == caprecs) {
		unsigned int cap = caprecs ? 2 * caprecs : 4;
		struct sg_audit_rec *v = realloc(recs, cap * sizeof(*v));

		if (v) {
			recs = v;
			caprecs = cap;
		}
	}
	if (nrecs < caprecs)
		recs[nrecs++] = *r;
	if (r->result == SG_AUDIT_UNCHANGED)
		return; /* not a change: --json reports it, the trail does not */

	openlog("sipguard", LOG_PID, LOG_DAEMON);
	syslog(r->result == SG_AUDIT_FAILED ? LOG_WARNING : LOG_NOTICE, "%s", l);
	closelog();
	if (file && *file) {
		char ts[64];
		time_t now = time(NULL);
		struct tm tm;
		int fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);

		localtime_r(&now, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S%z", &tm);
		if (fd < 0 || dprintf(fd, "%s sipguard[%d]: %s\n", ts, (int)getpid(), l) < 0)
			fprintf(stderr, "sipguard: cannot append to the audit log %s: %s\n", file,
				strerror(errno));
		if (fd >= 0)
			close(fd);
	}
}

static const char *mode_name(bool monitor)
{
	return monitor ? "monitor" : "enforce";
}

static void set_from(struct sg_audit_rec *r, const struct sg_audit_from *from)
{
	if (from && from->origin)
		snprintf(r->origin, sizeof(r->origin), "%s", from->origin);
	if (from && from->source)
		snprintf(r->source, sizeof(r->source), "%s", from->source);
}

static void set_reason(struct sg_audit_rec *r, int rc, const struct sg_audit_from *from)
{
	const char *w = from && from->reason && *from->reason ? from->reason : sg_log_first();

	if (w)
		snprintf(r->reason, sizeof(r->reason), "%s", w);
	else
		snprintf(r->reason, sizeof(r->reason), "exit code %d", rc);
}

void sg_audit_enable(const struct sg_params *p, bool restore, const struct sg_state *want,
		     const struct sg_state *prev, bool unchanged, int rc,
		     const struct sg_audit_from *from)
{
	static struct sg_audit_rec r;
	static struct sg_state in_force;
	bool loaded = false;

	memset(&r, 0, sizeof(r));
	r.exit_code = rc;
	r.result = rc ? SG_AUDIT_FAILED : unchanged ? SG_AUDIT_UNCHANGED : SG_AUDIT_OK;
	if (r.result == SG_AUDIT_FAILED)
		set_reason(&r, rc, from);
	set_from(&r, from);
	/* a change that failed before it read the state: what stays in force */
	if (!prev && rc && sg_customer_name_ok(p->customer) && !sg_state_load(p->customer, &in_force)) {
		prev = &in_force;
		loaded = true;
	}
	snprintf(r.customer, sizeof(r.customer), "%s", p->customer);
	snprintf(r.netns, sizeof(r.netns), "%s", p->netns);
	r.netns_known = true;
	if (want) {
		snprintf(r.profile, sizeof(r.profile), "%s", want->profile_name);
		snprintf(r.mode, sizeof(r.mode), "%s", mode_name(want->monitor));
	} else {
		snprintf(r.profile, sizeof(r.profile), "%s", p->profile);
		if (p->mode >= 0)
			snprintf(r.mode, sizeof(r.mode), "%s", mode_name(p->mode == 1));
	}
	if (prev) {
		r.have_prev = true;
		snprintf(r.prev_profile, sizeof(r.prev_profile), "%s", prev->profile_name);
		snprintf(r.prev_mode, sizeof(r.prev_mode), "%s", mode_name(prev->monitor));
		r.prev_generation = prev->generation;
		if (want && !strcmp(prev->profile_name, want->profile_name) &&
		    prev->profile_hash != want->profile_hash)
			r.content_changed = true;
	}
	/* the generation in force afterwards */
	if (r.result == SG_AUDIT_OK && want)
		r.generation = want->generation;
	else if (prev)
		r.generation = prev->generation;
	snprintf(r.action, sizeof(r.action), "%s",
		 restore ? "restore"
		 : prev && want && strcmp(prev->profile_name, want->profile_name) ? "switch"
		 : "enable");
	audit(&r);
	if (loaded)
		sg_params_free(&in_force.p);
}

void sg_audit_disable(const char *customer, const struct sg_state *was, int rc,
		      const struct sg_audit_from *from)
{
	static struct sg_audit_rec r;

	memset(&r, 0, sizeof(r));
	r.exit_code = rc;
	r.result = rc ? SG_AUDIT_FAILED : SG_AUDIT_OK;
	snprintf(r.action, sizeof(r.action), "disable");
	snprintf(r.customer, sizeof(r.customer), "%s", customer);
	if (was) {
		snprintf(r.netns, sizeof(r.netns), "%s", was->p.netns);
		r.netns_known = true;
		r.have_prev = true;
		snprintf(r.prev_profile, sizeof(r.prev_profile), "%s", was->profile_name);
		snprintf(r.prev_mode, sizeof(r.prev_mode), "%s", mode_name(was->monitor));
		r.prev_generation = was->generation;
		if (rc) /* still in force */
			r.generation = was->generation;
	}
	if (rc)
		set_reason(&r, rc, from);
	set_from(&r, from);
	audit(&r);
}

void sg_audit_failed(const char *action, const char *customer, const char *reason, int rc)
{
	static struct sg_audit_rec r;

	memset(&r, 0, sizeof(r));
	r.exit_code = rc;
	r.result = SG_AUDIT_FAILED;
	snprintf(r.action, sizeof(r.action), "%s", action);
	snprintf(r.customer, sizeof(r.customer), "%s", customer);
	snprintf(r.reason, sizeof(r.reason), "%s", reason);
	audit(&r);
}

const struct sg_audit_rec *sg_audit_last(void)
{
	return nrecs ? &recs[nrecs - 1] : NULL;
}

const struct sg_audit_rec *sg_audit_records(unsigned int *n)
{
	*n = nrecs;
	return recs;
}

void sg_audit_reset(void)
{
	nrecs = 0;
	sg_log_clear();
}
