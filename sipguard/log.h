/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* Logging for the manager: warnings and errors always, debug with -v. */
#ifndef SG_LOG_H
#define SG_LOG_H

#include <stdio.h>

extern int sg_verbose;

#define pr_warn(fmt, ...) fprintf(stderr, "sipguard: " fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...) fprintf(stderr, fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...)                                             \
	do {                                                           \
		if (sg_verbose)                                        \
			fprintf(stderr, "debug: " fmt, ##__VA_ARGS__); \
	} while (0)

#endif
