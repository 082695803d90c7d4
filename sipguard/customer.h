/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* The desired state of customers (sipguard-customer(5)): one text per
 * customer, "[customer]" with the keys of enable's options, from a file, a
 * directory of NAME.conf files, or texts kept elsewhere (etcd values).
 * Errors are printed as "FILE:LINE: message" (LINE 0: the whole file). */
#ifndef SG_CUSTOMER_H
#define SG_CUSTOMER_H

#include <stdbool.h>
#include <stddef.h>
#include "state.h"

#define SG_CUSTOMER_TEXT_MAX (1024 * 1024)

/* Where a customer's desired state came from: the file (or etcd key) and
 * the lines of the keys checked against the host (0: not given). */
struct sg_source {
	char file[PATH_MAX];
	int profile_line, netns_line, attach_line;
};

struct sg_desired {
	struct sg_params *v;       /* one per customer, sorted by name */
	struct sg_source *src;     /* where each came from */
	unsigned int n;
	/* the whole desired state of the host: customers sipguard manages (state
	 * files) that are not in it are disabled. A single file is only its
	 * own customer's. */
	bool whole;
	char where[PATH_MAX];      /* the directory, file or etcd prefix, for messages */
};

/* Parses TEXT (LEN bytes) as customer NAME's file; LABEL names it in errors.
 * Fills OUT (customer set to NAME) and, if not NULL, WHERE. Returns 0 or
 * -EINVAL (error printed). */
int sg_customer_parse(const char *label, const char *name, const char *text, size_t len,
		      struct sg_params *out, struct sg_source *where);
/* Adds customer NAME from TEXT. Returns 0 or -EINVAL (error printed). */
int sg_desired_add(struct sg_desired *d, const char *label, const char *name, const char *text,
		   size_t len);
/* Reads PATH: a directory (every NAME.conf in it; the whole desired state)
 * or one file. Every file is checked, every error printed. Returns 0,
 * -EINVAL (a bad file) or -errno (PATH unreadable, not said). */
int sg_desired_load(const char *path, struct sg_desired *d);
/* Sorts by name; two texts for one customer are an error (-EINVAL). */
int sg_desired_finish(struct sg_desired *d);
const struct sg_params *sg_desired_find(const struct sg_desired *d, const char *customer,
					 const struct sg_source **src);
void sg_desired_free(struct sg_desired *d);

/* The checks of enable's list options: an address or CIDR (CIDR true), else
 * a word of 1..63 bytes. Returns NULL or what is wrong. */
const char *sg_list_value_error(const char *v, bool cidr);
/* Parses FAMILY:TABLE:CHAIN (FAMILY inet, ip or ip6): 0 or -1. */
int sg_attach_parse(const char *a, int *family, char *table, char *chain);

#endif
