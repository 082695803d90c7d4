/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* A private instance of the validator for offline runs (check, tests,
 * benchmarks): the profile's program, maps of its own, one customer and
 * its stub; packets run through the stub as the live rule runs them. */
#ifndef SG_VALIDATOR_H
#define SG_VALIDATOR_H

#include <stddef.h>
#include <stdbool.h>
#include "sipguard.h"
#include "profile.h"

struct sg_validator;

struct sg_customer_opts {
	const char *const *own_hosts;  /* Via sent-by hosts that are ours */
	unsigned int n_own_hosts;
	const char *const *peers;      /* CIDRs allowed to send responses */
	unsigned int n_peers;
	const __u16 *ports;            /* override the profile's ports, 0-terminated */
	int mode;                      /* -1 profile's, 0 enforce, 1 monitor */
	bool report;                   /* SG_F_REPORT: return reason on pass too */
};

/* Loads a validator for profile P (in the variant the kernel takes) with
 * the customer O. Returns 0 or a negative errno, printing why. */
int sg_validator_load(const struct sg_profile *p, const struct sg_customer_opts *o,
		      struct sg_validator **out);
void sg_validator_free(struct sg_validator *v);
/* The entry point: the customer's stub (which tail-calls the validator). */
int sg_validator_prog_fd(const struct sg_validator *v);
/* The validator program itself. */
int sg_validator_validator_fd(const struct sg_validator *v);
int sg_validator_variant(const struct sg_validator *v);
__u32 sg_validator_verified_insns(const struct sg_validator *v);
/* The config the program runs with, and the customer's flags over it. */
int sg_validator_config(const struct sg_validator *v, struct sg_config *cfg, __u32 *flags);

/* Runs one packet (L3 header first) through the stub with
 * BPF_PROG_TEST_RUN. Returns 0 and the program's return value in *ret.
 * TCP streams are followed across calls (the instance's flow table). */
int sg_validator_run(struct sg_validator *v, const void *l3, size_t len, __u32 *ret,
		     __u32 repeat, __u32 *duration_ns);

/* What the last run's drop was about (kind SG_DET_NONE after a pass). */
void sg_validator_detail(const struct sg_validator *v, struct sg_detail *det);

/* Forgets every TCP stream the instance follows. */
void sg_validator_streams_reset(struct sg_validator *v);

/* Sums the per-CPU counters: out[reason] for every enum sg_reason. */
int sg_validator_counters(const struct sg_validator *v, struct sg_counter out[SG_REASON_MAX]);

/* Pins the validator and its own maps under DIR, and the stub as DIR/stub. */
int sg_validator_pin(struct sg_validator *v, const char *dir);

#endif
