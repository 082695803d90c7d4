// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* sipguard enable / disable / restore */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "guard.h"
#include "log.h"
#include "state.h"

static void enable_usage(FILE *f)
{
	fprintf(f,
		"Usage: sipguard enable CUSTOMER --profile NAME|FILE [options]\n"
		"  --netns NAME|PATH        customer network namespace (/run/netns/NAME); default: current\n"
		"  --mode enforce|monitor   override the profile's mode\n"
		"  --hook input|forward     netfilter hook of the base chain (default input)\n"
		"  --own-host H             our Via sent-by host (repeatable)\n"
		"  --peer CIDR              peers: may send responses, not rate-metered (repeatable)\n"
		"  --allow CIDR             sources accepted before any check (repeatable)\n"
		"  --deny CIDR              sources dropped (repeatable)\n"
		"  --attach FAMILY:TABLE:CHAIN  put sipguard's chain in that table and jump to it\n"
		"                           from the top of CHAIN instead of a base chain\n"
		"CUSTOMER: [a-z0-9][a-z0-9_-]{0,30}. Same parameters again: no change.\n");
}

static int add_item(struct sg_strlist *l, const char *v, const char *opt, bool cidr)
{
	struct sg_range r;

	if (cidr && sg_cidr_parse(v, &r)) {
		pr_warn("%s '%s': not an address or CIDR\n", opt, v);
		return -1;
	}
	if (!*v || strlen(v) >= 64 || strchr(v, '\n')) {
		pr_warn("%s '%s': bad value\n", opt, v);
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct sg_params p;
	int c, rc = SG_EXIT_USAGE;

	memset(&p, 0, sizeof(p));
	p.mode = -1;
	optind = 1;
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
	if (p.hook && p.attach[0]) {
		pr_warn("--hook and --attach exclude each other: the attach chain decides the hook\n");
		goto out;
	}
	rc = sg_apply(&p, false);
out:
	sg_params_free(&p);
	return rc;
}

int cmd_disable(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(argc == 2 && !strcmp(argv[1], "--help") ? stdout : stderr,
			"Usage: sipguard disable CUSTOMER\n"
			"Removes the customer's chain, sets and jump rule (one nftables batch),\n"
			"its pins under " SG_PIN_ROOT "/CUSTOMER and its state file.\n");
		return argc == 2 && !strcmp(argv[1], "--help") ? SG_EXIT_OK : SG_EXIT_USAGE;
	}
	if (!sg_customer_name_ok(argv[1])) {
		pr_warn("bad customer name '%s': expected [a-z0-9][a-z0-9_-]{0,30}\n", argv[1]);
		return SG_EXIT_USAGE;
	}
	return sg_teardown(argv[1]);
}

int cmd_restore(int argc, char **argv)
{
	char (*names)[32];
	int n, rc = SG_EXIT_OK;

	if (argc > 1) {
		fprintf(!strcmp(argv[1], "--help") ? stdout : stderr,
			"Usage: sipguard restore\n"
			"Rebuilds every customer from %s/customers (pins, rules); customers\n"
			"already in place are left alone. Run at boot (contrib/sipguard-restore.service).\n",
			sg_state_dir());
		return !strcmp(argv[1], "--help") ? SG_EXIT_OK : SG_EXIT_USAGE;
	}
	if ((rc = sg_require_root()))
		return rc;
	n = sg_state_customers(&names);
	if (n < 0) {
		pr_warn("cannot read %s/customers\n", sg_state_dir());
		return SG_EXIT_FAIL;
	}
	for (int i = 0; i < n; i++) {
		static struct sg_state st;
		if (sg_state_load(names[i], &st)) {
			pr_warn("%s: unreadable state, skipped\n", names[i]);
			rc = SG_EXIT_FAIL;
			continue;
		}
		int r = sg_apply(&st.p, true);
		if (r) {
			pr_warn("%s: not restored (exit %d)\n", names[i], r);
			rc = SG_EXIT_FAIL;
		}
		sg_params_free(&st.p);
	}
	free(names);
	return rc;
}
