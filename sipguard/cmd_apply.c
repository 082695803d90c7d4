// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* sipguard apply: this host's customers to the desired state of customer
 * files (sipguard-customer(5)), as one plan. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "apply.h"
#include "commands.h"
#include "guard.h"
#include "log.h"
#include "plan.h"

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
		"  --json     the plan and what was done as JSON\n",
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

int sg_apply_desired(const struct sg_desired *d, unsigned int flags, struct json_object **json,
		     bool *changed, sg_applied_fn applied, void *arg)
{
	bool dry_run = flags & SG_APPLY_DRY_RUN;
	struct sg_plan pl;
	int rc;

	*changed = false;
	rc = sg_plan_make(&pl, d, NULL, dry_run ? SG_PLAN_DRY_RUN : 0);
	if (rc) {
		pr_warn("%s: errors in the desired state or on this host: nothing changed\n", d->where);
		goto out;
	}
	*changed = sg_plan_changes(&pl);
	if (!json && (*changed || !(flags & SG_APPLY_QUIET)))
		sg_plan_print(&pl, stdout);
	if (dry_run) {
		if (!json && *changed)
			printf("dry run: nothing changed\n");
		goto out;
	}
	if (*changed) {
		sg_out = json ? stderr : stdout; /* what execute says */
		rc = sg_plan_execute(&pl);
		sg_out = NULL;
		if (!json)
			print_result(&pl, rc);
	}
	if (!rc && applied)
		rc = applied(arg);
out:
	if (json) {
		*json = sg_plan_json(&pl);
		json_object_object_add(*json, "source", json_object_new_string(d->where));
		json_object_object_add(*json, "dry_run", json_object_new_boolean(dry_run));
		json_object_object_add(*json, "exit", json_object_new_int(rc));
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

	optind = 1;
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
	if ((rc = sg_require_root()))
		return rc;
	err = sg_desired_load(path, &d);
	if (err) {
		pr_warn("%s: %s: nothing changed\n", path,
			err == -EINVAL ? "errors in the desired state" : strerror(-err));
		if (json) {
			j = json_object_new_object();
			json_object_object_add(j, "plan", json_object_new_array());
			json_object_object_add(j, "change", json_object_new_boolean(0));
			json_object_object_add(j, "errors", json_object_new_boolean(1));
			json_object_object_add(j, "source", json_object_new_string(path));
			json_object_object_add(j, "dry_run", json_object_new_boolean(dry));
			json_object_object_add(j, "exit", json_object_new_int(SG_EXIT_USAGE));
			printf("%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
			json_object_put(j);
		}
		sg_desired_free(&d);
		return SG_EXIT_USAGE;
	}
	rc = sg_apply_desired(&d, dry ? SG_APPLY_DRY_RUN : 0, json ? &j : NULL, &changed, NULL, NULL);
	if (j) {
		printf("%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(j);
	}
	sg_desired_free(&d);
	return rc;
}
