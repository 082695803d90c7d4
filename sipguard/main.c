// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* sipguard: SIP protection with eBPF validators inside nftables. */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "commands.h"
#include "log.h"

int sg_verbose;

struct sg_cmd {
	const char *name;
	int (*func)(int argc, char **argv);
	const char *help;
};

static const struct sg_cmd cmds[] = {
	{ "enable",   cmd_enable,   "enable a profile for a customer (in its network namespace)" },
	{ "disable",  cmd_disable,  "remove a customer's rules, pins and state" },
	{ "status",   cmd_status,   "show customers, profiles, pins and rules present in the kernel" },
	{ "stats",    cmd_stats,    "packets and drops per reason (text, --json, --prometheus)" },
	{ "list",     cmd_list,     "list enabled customers" },
	{ "restore",  cmd_restore,  "rebuild every customer from the state file (boot)" },
	{ "apply",    cmd_apply,    "bring the customers to the desired state of customer files" },
	{ "sync",     cmd_sync,     "fleet agent: apply the desired state kept in etcd, on every change" },
	{ "check",    cmd_check,    "offline verdicts of a profile on captures, with the kernel program" },
	{ "profiles", cmd_profiles, "list shipped profiles or show one" },
	{ NULL, NULL, NULL },
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: sipguard [-v] COMMAND [OPTIONS]\n\nCommands:\n");
	for (const struct sg_cmd *c = cmds; c->name; c++)
		fprintf(out, "  %-9s %s\n", c->name, c->help);
	fprintf(out, "\nRun 'sipguard COMMAND --help' for a command's options.\n"
		     "Exit codes: 0 ok, 1 failed (nothing changed), 2 bad usage or input,\n"
		     "3 environment (privileges, bpffs, xt_bpf, netns), 4 state drift.\n");
}

int main(int argc, char **argv)
{
	int i = 1;

	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			sg_verbose = 1;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return SG_EXIT_OK;
		} else {
			pr_warn("unknown option '%s'\n", argv[i]);
			usage(stderr);
			return SG_EXIT_USAGE;
		}
		i++;
	}
	if (i >= argc) {
		usage(stderr);
		return SG_EXIT_USAGE;
	}
	for (const struct sg_cmd *c = cmds; c->name; c++)
		if (!strcmp(argv[i], c->name))
			return c->func(argc - i, argv + i);
	pr_warn("unknown command '%s'\n", argv[i]);
	usage(stderr);
	return SG_EXIT_USAGE;
}
