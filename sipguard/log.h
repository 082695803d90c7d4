/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* Logging for the manager: warnings and errors always, debug with -v.
 *
 * pr_warn ("sipguard: " prefixed) and pr_msg (printed as given, for
 * "FILE:LINE: ..." messages) go through log.c, which also remembers them:
 * the audit line and the --json results say why a change failed with the
 * first message since sg_log_clear. Tools that link a few sipguard sources
 * without log.c (bench, tests/equal, fuzz) keep a plain fprintf: the
 * functions are weak references. */
#ifndef SG_LOG_H
#define SG_LOG_H

#include <stdio.h>

extern int sg_verbose;

void sg_log_warn(const char *fmt, ...) __attribute__((weak, format(printf, 1, 2)));
void sg_log_msg(const char *fmt, ...) __attribute__((weak, format(printf, 1, 2)));

#define pr_warn(fmt, ...)                                                        \
	(sg_log_warn ? sg_log_warn(fmt, ##__VA_ARGS__)                           \
		     : (void)fprintf(stderr, "sipguard: " fmt, ##__VA_ARGS__))
#define pr_msg(fmt, ...)                                                         \
	(sg_log_msg ? sg_log_msg(fmt, ##__VA_ARGS__)                             \
		    : (void)fprintf(stderr, fmt, ##__VA_ARGS__))
/* An error at LINE of FILE (a profile, a customer file): "FILE:LINE: ..." */
#define pr_file(file, line, fmt, ...) pr_msg("%s:%d: " fmt "\n", file, line, ##__VA_ARGS__)
#define pr_info(fmt, ...) fprintf(stderr, fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...)                                             \
	do {                                                           \
		if (sg_verbose)                                        \
			fprintf(stderr, "debug: " fmt, ##__VA_ARGS__); \
	} while (0)

/* The first / the last pr_warn or pr_msg message since sg_log_clear
 * (without "sipguard: " and the final newline), or NULL. */
const char *sg_log_first(void);
const char *sg_log_last(void);
void sg_log_clear(void);
/* libbpf's messages (libbpf_set_print): with -v all of them (debug, info,
 * and the verifier's log when a load fails); without -v none: sipguard says
 * itself what failed and points at -v. */
void sg_log_libbpf_setup(void);

#endif
