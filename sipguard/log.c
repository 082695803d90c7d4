// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* Warnings to stderr, the first and the last remembered (log.h); libbpf's
 * messages. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "log.h"

/* per thread: status and stats probe customers on several (cmd_status.c) */
static __thread char first[512], last[512];
static __thread int have_first, have_last;

static void note(const char *prefix, const char *fmt, va_list ap)
{
	size_t n;

	vsnprintf(last, sizeof(last), fmt, ap);
	fprintf(stderr, "%s%s", prefix, last);
	n = strlen(last);
	while (n && (last[n - 1] == '\n' || last[n - 1] == ' '))
		last[--n] = 0;
	have_last = n > 0;
	if (have_last && !have_first) {
		memcpy(first, last, sizeof(first));
		have_first = 1;
	}
}

void sg_log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	note("sipguard: ", fmt, ap);
	va_end(ap);
}

void sg_log_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	note("", fmt, ap);
	va_end(ap);
}

const char *sg_log_first(void)
{
	return have_first ? first : NULL;
}

const char *sg_log_last(void)
{
	return have_last ? last : NULL;
}

void sg_log_clear(void)
{
	have_first = have_last = 0;
	first[0] = last[0] = 0;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!sg_verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void sg_log_libbpf_setup(void)
{
	libbpf_set_print(libbpf_print);
}
