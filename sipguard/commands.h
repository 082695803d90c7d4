/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* Subcommands of the sipguard CLI; each lives in its own cmd_*.c file and
 * has a line in main.c's command table. The conventions every command
 * follows:
 *  - options parsed with getopt_long (main() sets optind = 0 before it calls
 *    the command, so getopt starts afresh, with GNU argument permutation);
 *  - --help prints the usage to stdout and exits 0; a bad command line
 *    prints it to stderr and exits 2 (nothing on stdout);
 *  - a command that prints something takes --json: one JSON object
 *    (sgjson.h: "schema": "sipguard/1", one line), or one per line for a
 *    command that streams;
 *  - a change (enable, disable, restore, ...) is written to the audit
 *    trail (audit.h).
 * Exit codes shared by all subcommands: */
#ifndef SG_COMMANDS_H
#define SG_COMMANDS_H

enum sg_exit {
	SG_EXIT_OK = 0,
	SG_EXIT_FAIL = 1,      /* operation failed, state unchanged */
	SG_EXIT_USAGE = 2,     /* bad command line or bad input file */
	SG_EXIT_ENV = 3,       /* environment: no root, no bpffs, no xt_bpf, no netns */
	SG_EXIT_DRIFT = 4,     /* status: kernel state differs from the state file */
};

int cmd_check(int argc, char **argv);
int cmd_profiles(int argc, char **argv);
int cmd_enable(int argc, char **argv);
int cmd_disable(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_events(int argc, char **argv);

#endif
