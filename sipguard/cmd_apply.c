// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* sipguard apply: this host's customers to the desired state of customer
 * files (sipguard-customer(5)), as one plan. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "audit.h"
#include "commands.h"
#include "guard.h"
#include "log.h"
#include "plan.h"
#include "sgjson.h"

#ifndef SIPGUARD_CUSTOMERS_DIR
#define SIPGUARD_CUSTOMERS_DIR "/etc/sipguard/customers.d"
#endif

static void apply_usage(FILE *f)
{
	fprintf(f,
		"Usage: sipguard apply [PATH] [--dry-run] [--json]\n"
		"Brings this host's customers to the desired state in PATH, as one plan:\n"
		"customers to enable, to change (profile, mode, place, lists, namespace),\n"
		"to repair (the kernel lost something) and to disable. Everything is checked\n"
		"first: an error in any file changes nothing.\n"
		"  PATH       a directory of CUSTOMER.conf files (sipguard-customer(5)): the whole\n"
		"             desired state, customers enabled here and not in it are disabled;\n"
		"             or one CUSTOMER.conf: that customer only.\n"
		"             Default: %s\n"
		"  --dry-run  print the plan, change nothing\n"
		"  --json     the plan and what was done as one JSON object (the text goes to\n"
		"             stderr)\n"
		"  -h, --help this text\n"
		"Every change is audited (syslog, $SIPGUARD_AUDIT_LOG) with origin=apply.\n",
		SIPGUARD_CUSTOMERS_DIR);
}

static void print_result(const struct sg_plan *pl, int rc)
{
	unsigned int done[SG_ACT_N] = { 0 }, failed = 0, todo = 0;

	for (unsigned int i = 0; i < pl->n; i++) {
		const struct sg_item *it = &pl->items[i];

		if (it->done)
			done[it->act]++;
		else if (it->exec_rc)
			failed++;
		else if (it->act != SG_ACT_KEEP)
			todo++;
	}
	if (!rc)
		printf("applied: %u enabled, %u changed, %u repaired, %u disabled, %u unchanged\n",
		       done[SG_ACT_ENABLE], done[SG_ACT_CHANGE], done[SG_ACT_REPAIR],
		       done[SG_ACT_DISABLE], pl->count[SG_ACT_KEEP]);
	else
		printf("failed: %u enabled, %u changed, %u repaired, %u disabled before %u failed; "
		       "%u not done (rerun apply to converge)\n",
		       done[SG_ACT_ENABLE], done[SG_ACT_CHANGE], done[SG_ACT_REPAIR],
		       done[SG_ACT_DISABLE], failed, todo);
}

/* apply's and sync's JSON: the document of one run over SOURCE. */
static struct json_object *run_doc(unsigned int flags, const char *source)
{
	struct json_object *doc = sg_json_doc();

	sg_json_str(doc, "action", flags & SG_APPLY_SYNC ? "sync" : "apply");
	sg_json_str(doc, "source", source);
	sg_json_bool(doc, "dry_run", flags & SG_APPLY_DRY_RUN);
	return doc;
}

static void run_result(struct json_object *doc, int rc, bool changed, const char *error)
{
	sg_json_str(doc, "result", rc ? "failed" : changed ? "ok" : "unchanged");
	if (rc)
		sg_json_str(doc, "error", error ? error : "failed");
	sg_json_int(doc, "exit_code", rc);
}

int sg_apply_desired(const struct sg_desired *d, unsigned int flags, struct json_object **json,
		     bool *changed, sg_applied_fn applied, void *arg)
{
	bool dry_run = flags & SG_APPLY_DRY_RUN;
	struct sg_plan pl;
	int rc, saved = -1;

	*changed = false;
	sg_audit_reset();
	if (json) /* stdout is for the JSON: the text goes to stderr */
		saved = sg_json_text_to_stderr();
	sg_plan_make(&pl, d, NULL, dry_run ? SG_PLAN_DRY_RUN : 0);
	pl.origin = flags & SG_APPLY_SYNC ? "sync" : "apply";
	*changed = !pl.rc && sg_plan_changes(&pl);
	if (!pl.rc && (*changed || !(flags & SG_APPLY_QUIET)))
		sg_plan_print(&pl, stdout);
	if (dry_run) {
		rc = pl.rc;
		if (!rc && *changed)
			printf("dry run: nothing changed\n");
	} else {
		/* with an error in the plan: nothing is done, and that is audited */
		rc = pl.rc || *changed ? sg_plan_execute(&pl) : 0;
		if (*changed && !pl.rc)
			print_result(&pl, rc);
		if (!rc && applied)
			rc = applied(arg);
	}
	if (pl.rc)
		pr_warn("%s: errors in the desired state or on this host: nothing changed\n", d->where);
	if (json) {
		sg_json_text_to_stdout(saved);
		*json = run_doc(flags, d->where);
		sg_plan_json(&pl, *json);
		run_result(*json, rc, *changed, sg_plan_error(&pl) ? sg_plan_error(&pl) : sg_log_first());
	}
	sg_plan_free(&pl);
	return rc;
}

int cmd_apply(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *j = NULL;
	struct sg_desired d;
	bool dry = false, json = false, changed;
	const char *path;
	int c, rc, err;

	while ((c = getopt_long(argc, argv, "njh", opts, NULL)) != -1) {
		switch (c) {
		case 'n': dry = true; break;
		case 'j': json = true; break;
		case 'h': apply_usage(stdout); return SG_EXIT_OK;
		default: apply_usage(stderr); return SG_EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		apply_usage(stderr);
		return SG_EXIT_USAGE;
	}
	path = optind < argc ? argv[optind] : SIPGUARD_CUSTOMERS_DIR;
	sg_log_clear();
	if ((rc = sg_require_root()))
		goto fail;
	err = sg_desired_load(path, &d);
	if (err) {
		pr_warn("%s: %s: nothing changed\n", path,
			err == -EINVAL ? "errors in the desired state" : strerror(-err));
		sg_desired_free(&d);
		rc = SG_EXIT_USAGE;
		goto fail;
	}
	rc = sg_apply_desired(&d, dry ? SG_APPLY_DRY_RUN : 0, json ? &j : NULL, &changed, NULL, NULL);
	if (j)
		sg_json_emit(j);
	sg_desired_free(&d);
	return rc;
fail:
	/* not a bad command line: --json still gets an object, with why */
	if (json) {
		j = run_doc(dry ? SG_APPLY_DRY_RUN : 0, path);
		sg_json_arr(j, "plan");
		sg_json_bool(j, "change", false);
		run_result(j, rc, false, sg_log_first());
		sg_json_emit(j);
	}
	return rc;
}
