// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* sipguard enable / disable / restore */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "commands.h"
#include "customer.h"
#include "guard.h"
#include "log.h"
#include "sgjson.h"
#include "state.h"

/* The result of one change as JSON fields of O, from its audit record
 * (audit.h); without one (the change did not start: not root), from the
 * exit code and the first warning. */
static void result_fields(struct json_object *o, const char *action, const char *customer, int rc,
			  const struct sg_audit_rec *r)
{
	if (!r || strcmp(r->customer, customer)) {
		sg_json_str(o, "customer", customer);
		sg_json_str(o, "action", action);
		sg_json_str(o, "result", rc ? "failed" : "ok");
		if (rc)
			sg_json_str(o, "error", sg_log_first() ? sg_log_first() : "failed");
		sg_json_int(o, "exit_code", rc);
		return;
	}
	sg_json_str(o, "customer", r->customer);
	sg_json_str(o, "action", r->action);
	sg_json_str(o, "result", sg_audit_result_name(r->result));
	if (r->result == SG_AUDIT_FAILED)
		sg_json_str(o, "error", r->reason);
	sg_json_str(o, "profile", r->profile[0] ? r->profile : NULL);
	sg_json_str(o, "mode", r->mode[0] ? r->mode : NULL);
	if (r->netns_known)
		sg_json_str(o, "netns", r->netns);
	if (r->generation)
		sg_json_u64(o, "generation", r->generation);
	else
		sg_json_str(o, "generation", NULL);
	if (r->have_prev) {
		struct json_object *p = sg_json_obj(o, "previous");

		sg_json_str(p, "profile", r->prev_profile);
		sg_json_str(p, "mode", r->prev_mode);
		sg_json_u64(p, "generation", r->prev_generation);
	} else {
		sg_json_str(o, "previous", NULL);
	}
	sg_json_bool(o, "profile_content_changed", r->content_changed);
	sg_json_int(o, "exit_code", rc);
}

static int rec_cmp(const void *a, const void *b)
{
	const struct sg_audit_rec *const *x = a, *const *y = b;

	return strcmp((*x)->customer, (*y)->customer);
}

static void enable_usage(FILE *f)
{
	fprintf(f,
		"Usage: sipguard enable CUSTOMER --profile NAME|FILE [options]\n"
		"  --netns NAME|PATH|host   customer network namespace (/run/netns/NAME), required;\n"
		"                           host: the host's own\n"
		"  --mode enforce|monitor   override the profile's mode\n"
		"  --hook input|forward     netfilter hook of the base chain (default input)\n"
		"  --own-host H             our Via sent-by host (repeatable)\n"
		"  --peer CIDR              peers: may send responses, not rate-metered (repeatable)\n"
		"  --allow CIDR             sources accepted before any check (repeatable)\n"
		"  --deny CIDR              sources dropped (repeatable)\n"
		"  --attach FAMILY:TABLE:CHAIN  put sipguard's chain in that table and jump to it\n"
		"                           from the top of CHAIN instead of a base chain\n"
		"  --json                   the result as one JSON object (customer, action, result,\n"
		"                           profile, mode, netns, generation, previous, error)\n"
		"  -h, --help               this text\n"
		"CUSTOMER: [a-z0-9][a-z0-9_-]{0,30}. Same parameters again: no change.\n"
		"Every change is logged to syslog (and $SIPGUARD_AUDIT_LOG).\n");
}

static int add_item(struct sg_strlist *l, const char *v, const char *opt, bool cidr)
{
	const char *why = sg_list_value_error(v, cidr); /* as in a customer file */

	if (why) {
		pr_warn("%s '%s': %s\n", opt, v, why);
		return -1;
	}
	if (l->n >= SG_LIST_MAX) {
		pr_warn("%s: too many values (max %d)\n", opt, SG_LIST_MAX);
		return -1;
	}
	l->v[l->n++] = strdup(v);
	return 0;
}

int cmd_enable(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "netns", required_argument, NULL, 'n' },
		{ "mode", required_argument, NULL, 'm' },
		{ "hook", required_argument, NULL, 'k' },
		{ "own-host", required_argument, NULL, 'o' },
		{ "peer", required_argument, NULL, 'e' },
		{ "allow", required_argument, NULL, 'a' },
		{ "deny", required_argument, NULL, 'd' },
		{ "attach", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct sg_params p;
	bool json = false;
	int c, rc = SG_EXIT_USAGE, saved;

	memset(&p, 0, sizeof(p));
	p.mode = -1;
	while ((c = getopt_long(argc, argv, "p:n:m:k:o:e:a:d:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': snprintf(p.profile, sizeof(p.profile), "%s", optarg); break;
		case 'n': snprintf(p.netns, sizeof(p.netns), "%s", optarg); break;
		case 't': snprintf(p.attach, sizeof(p.attach), "%s", optarg); break;
		case 'm':
			if (!strcmp(optarg, "enforce")) p.mode = 0;
			else if (!strcmp(optarg, "monitor")) p.mode = 1;
			else { pr_warn("--mode: enforce or monitor\n"); goto out; }
			break;
		case 'k':
			if (!strcmp(optarg, "input")) p.hook = 0;
			else if (!strcmp(optarg, "forward")) p.hook = 1;
			else { pr_warn("--hook: input or forward\n"); goto out; }
			break;
		case 'o': if (add_item(&p.own_hosts, optarg, "--own-host", false)) goto out; break;
		case 'e': if (add_item(&p.peers, optarg, "--peer", true)) goto out; break;
		case 'a': if (add_item(&p.allow, optarg, "--allow", true)) goto out; break;
		case 'd': if (add_item(&p.deny, optarg, "--deny", true)) goto out; break;
		case 'j': json = true; break;
		case 'h': enable_usage(stdout); rc = SG_EXIT_OK; goto out;
		default: enable_usage(stderr); goto out;
		}
	}
	if (optind != argc - 1) {
		enable_usage(stderr);
		goto out;
	}
	if (!sg_customer_name_ok(argv[optind])) {
		pr_warn("bad customer name '%s': expected [a-z0-9][a-z0-9_-]{0,30}\n", argv[optind]);
		goto out;
	}
	snprintf(p.customer, sizeof(p.customer), "%s", argv[optind]);
	if (!p.profile[0]) {
		pr_warn("enable: --profile NAME|FILE is required\n");
		goto out;
	}
	if (!p.netns[0]) {
		pr_warn("enable: --netns NAME|PATH|host is required (host: the host's own network namespace)\n");
		goto out;
	}
	if (p.hook && p.attach[0]) {
		pr_warn("--hook and --attach exclude each other: the attach chain decides the hook\n");
		goto out;
	}
	if (!json) {
		rc = sg_apply(&p, false);
		goto out;
	}
	sg_audit_reset();
	saved = sg_json_text_to_stderr();
	rc = sg_apply(&p, false);
	sg_json_text_to_stdout(saved);
	{
		struct json_object *doc = sg_json_doc();

		result_fields(doc, "enable", p.customer, rc, sg_audit_last());
		sg_json_emit(doc);
	}
out:
	sg_params_free(&p);
	return rc;
}

int cmd_disable(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char usage[] =
		"Usage: sipguard disable CUSTOMER [--json]\n"
		"Removes the customer's chain, sets and jump rule (one nftables batch),\n"
		"its pins under " SG_PIN_ROOT "/CUSTOMER and its state file.\n"
		"  --json      the result as one JSON object (customer, action, result, previous, error)\n"
		"  -h, --help  this text\n";
	bool json = false;
	int c, rc, saved;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'h': fputs(usage, stdout); return SG_EXIT_OK;
		default: fputs(usage, stderr); return SG_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fputs(usage, stderr);
		return SG_EXIT_USAGE;
	}
	if (!sg_customer_name_ok(argv[optind])) {
		pr_warn("bad customer name '%s': expected [a-z0-9][a-z0-9_-]{0,30}\n", argv[optind]);
		return SG_EXIT_USAGE;
	}
	if (!json)
		return sg_teardown(argv[optind]);
	sg_audit_reset();
	saved = sg_json_text_to_stderr();
	rc = sg_teardown(argv[optind]);
	sg_json_text_to_stdout(saved);
	{
		struct json_object *doc = sg_json_doc();

		result_fields(doc, "disable", argv[optind], rc, sg_audit_last());
		sg_json_emit(doc);
	}
	return rc;
}

int cmd_restore(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct sg_audit_rec *recs;
	struct json_object *doc, *arr;
	unsigned int n;
	bool json = false;
	int c, rc, saved;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		default:
			fprintf(c == 'h' ? stdout : stderr,
				"Usage: sipguard restore [--json]\n"
				"Rebuilds every customer from %s/customers (pins, rules)\n"
				"as one plan: customers already in place are left alone, one that cannot\n"
				"be rebuilt (namespace gone) is skipped, the others are done. Run at boot\n"
				"(contrib/sipguard-restore.service).\n"
				"  --json      one JSON object: result, and customers[] with each one's result\n"
				"  -h, --help  this text\n",
				sg_state_dir());
			return c == 'h' ? SG_EXIT_OK : SG_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		pr_warn("restore: no arguments expected ('%s')\n", argv[optind]);
		return SG_EXIT_USAGE;
	}
	if (!json)
		return sg_restore();
	sg_audit_reset();
	saved = sg_json_text_to_stderr();
	rc = sg_restore();
	sg_json_text_to_stdout(saved);
	doc = sg_json_doc();
	sg_json_str(doc, "action", "restore");
	sg_json_str(doc, "result", rc ? "failed" : "ok");
	/* each customer's result, from its audit record (sorted by name) */
	recs = sg_audit_records(&n);
	if (rc && !n)
		sg_json_str(doc, "error", sg_log_first() ? sg_log_first() : "failed");
	arr = sg_json_arr(doc, "customers");
	{
		const struct sg_audit_rec **v = calloc(n ? n : 1, sizeof(*v));

		for (unsigned int i = 0; v && i < n; i++)
			v[i] = &recs[i];
		if (v)
			qsort(v, n, sizeof(*v), rec_cmp);
		for (unsigned int i = 0; v && i < n; i++) {
			struct json_object *o = json_object_new_object();

			result_fields(o, "restore", v[i]->customer, v[i]->exit_code, v[i]);
			json_object_array_add(arr, o);
		}
		free(v);
	}
	sg_json_int(doc, "exit_code", rc);
	sg_json_emit(doc);
	return rc;
}
