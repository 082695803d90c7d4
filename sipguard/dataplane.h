/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* The host's shared dataplane in bpffs: the maps every validator shares
 * (SG_PIN_ROOT/_shared), the program array of the profiles' validators
 * with the registry of which profile is in which slot, each profile's
 * validator (SG_PIN_ROOT/_profiles/SLOT), and the customers' own maps and
 * stubs. One validator per profile, however many customers use it. */
#ifndef SG_DATAPLANE_H
#define SG_DATAPLANE_H

#include <stdbool.h>
#include <stdint.h>
#include "loader.h"

#define SG_DP_SHARED_DIR "_shared"
#define SG_DP_PROFILES_DIR "_profiles"
#define SG_PROFILE_PATH_MAX 200

/* Value of the registry map: the profile in a slot of the program array. */
struct sg_slot_info {
	uint64_t hash;                 /* content (0: the slot is free) */
	uint32_t variant;              /* enum sg_variant loaded */
	uint32_t verified_insns;
	uint32_t prog_id;
	uint32_t pad;
	char name[64];
	char path[SG_PROFILE_PATH_MAX];
};

struct sg_dp {
	struct sg_shared sh;
	int progs_fd;                  /* program array sg_profiles */
	int slots_fd;                  /* registry: array of struct sg_slot_info */
	char root[256];                /* the pin root */
};

/* Opens the pinned shared dataplane under ROOT, or (CREATE) prepares an
 * empty one: the shared maps are made by the first validator loaded
 * (sg_dp_profile) and pinned then. -ENOENT without CREATE if none. */
int sg_dp_open(struct sg_dp *dp, const char *root, bool create);
void sg_dp_close(struct sg_dp *dp);
bool sg_dp_exists(const char *root);

/* The slot of profile P (content HASH): loads its validator unless the
 * slot already holds this content; a new content of a loaded profile
 * replaces the old program in its slot in one step (every customer of
 * the profile moves at once: *REPLACED). Returns 0 or -errno. */
int sg_dp_profile(struct sg_dp *dp, const struct sg_profile *p, uint64_t hash,
		  unsigned int *slot, bool *replaced);
int sg_dp_slot_info(struct sg_dp *dp, unsigned int slot, struct sg_slot_info *out);
/* Empties SLOT (the last customer of its profile went) and unpins it. */
void sg_dp_profile_release(struct sg_dp *dp, unsigned int slot);
/* Removes the whole shared dataplane from bpffs (no customer is left). */
void sg_dp_remove(const char *root);

/* A customer's id in the shared maps: EPOCH (non-zero) marks it in use. */
int sg_dp_customer_set(struct sg_dp *dp, uint32_t id, uint32_t epoch);
/* Its own hosts and peers for stubs of PARITY. */
int sg_dp_customer_lists(struct sg_dp *dp, uint32_t id, unsigned int parity,
			 const char *const *hosts, unsigned int n_hosts,
			 const char *const *peers, unsigned int n_peers);
/* Its counters: the inner map at sg_counters[id], made when missing.
 * Returns an fd (the caller closes it) or -errno. */
int sg_dp_customer_counters(struct sg_dp *dp, uint32_t id);
/* Forgets the customer (counters, lists, id). */
void sg_dp_customer_remove(struct sg_dp *dp, uint32_t id);
/* Is ID's slot in use (epoch non-zero)? */
bool sg_dp_customer_used(struct sg_dp *dp, uint32_t id);

/* A stub for the customer (loader.h sg_stub_load) into the dataplane's
 * program array. Returns an fd or -errno. */
int sg_dp_stub(struct sg_dp *dp, uint32_t id, unsigned int parity, uint32_t flags_set,
	       uint32_t flags_clear, unsigned int slot);

#endif
