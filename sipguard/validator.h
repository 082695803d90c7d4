/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* One loaded instance of the eBPF validator (skeleton sg_validator) with its
 * own maps: config, counters, signature DFA, own hosts, peers. */
#ifndef SG_VALIDATOR_H
#define SG_VALIDATOR_H

#include <stddef.h>
#include <stdbool.h>
#include "sipguard.h"
#include "profile.h"

struct sg_validator;

struct sg_customer_opts {
	const char **own_hosts;        /* Via sent-by hosts that are ours */
	unsigned int n_own_hosts;
	const char **peers;            /* CIDRs allowed to send responses */
	unsigned int n_peers;
	const __u16 *ports;            /* override the profile's ports, 0-terminated */
	int mode;                      /* -1 profile's, 0 enforce, 1 monitor */
	bool report;                   /* SG_F_REPORT: return reason on pass too */
};

/* Opens and loads a validator for profile P (DFA map sized to fit) and
 * writes its configuration. Returns 0 or a negative errno, printing why. */
int sg_validator_load(const struct sg_profile *p, const struct sg_customer_opts *o,
		      struct sg_validator **out);
void sg_validator_free(struct sg_validator *v);
int sg_validator_prog_fd(const struct sg_validator *v);

/* Runs one packet (L3 header first) through the program with
 * BPF_PROG_TEST_RUN. Returns 0 and the program's return value in *ret. */
int sg_validator_run(struct sg_validator *v, const void *l3, size_t len, __u32 *ret,
		     __u32 repeat, __u32 *duration_ns);

/* Sums the per-CPU counters: out[reason] for every enum sg_reason. */
int sg_validator_counters(const struct sg_validator *v, struct sg_counter out[SG_REASON_MAX]);

/* Pins the program and its maps under DIR (created); unpins on failure. */
int sg_validator_pin(struct sg_validator *v, const char *dir);

#endif
