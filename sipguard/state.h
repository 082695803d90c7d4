/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* Per-customer parameters and state: one file per customer under
 * /var/lib/sipguard/customers/CUSTOMER.conf ($SIPGUARD_STATE_DIR overrides
 * /var/lib/sipguard), "key = value" lines, lists as repeated keys,
 * written atomically (tmp + fsync + rename). */
#ifndef SG_STATE_H
#define SG_STATE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#define SG_LIST_MAX 1024

struct sg_strlist {
	char *v[SG_LIST_MAX];
	unsigned int n;
};

struct sg_params {
	char customer[32];
	char profile[PATH_MAX];    /* as given: shipped name or file */
	char netns[PATH_MAX];      /* as given: NAME, PATH or "host" (the host's own) */
	int mode;                  /* -1 profile's, 0 enforce, 1 monitor */
	int hook;                  /* 0 input, 1 forward */
	struct sg_strlist own_hosts, peers, allow, deny;
	char attach[512];          /* FAMILY:TABLE:CHAIN or "" */
};

struct sg_state {
	struct sg_params p;
	unsigned int generation;
	char profile_name[64];
	char profile_path[PATH_MAX];
	uint64_t profile_hash;     /* FNV-1a of the profile file */
	bool monitor;              /* effective mode */
	char family[8];            /* nft family of the table holding our chain */
	char table[256];
	char chain[256];           /* our chain */
	char pin_dir[PATH_MAX];    /* pins of this generation */
	unsigned int rules;        /* rules we put in our chain */
	/* in the shared dataplane (dataplane.h) */
	unsigned int id;           /* customer id, 1 .. SG_MAX_CUSTOMERS - 1 */
	uint32_t epoch;            /* of the id's use by this customer */
	unsigned int parity;       /* which of the two list slots this generation's stub uses */
	unsigned int slot;         /* the profile's slot in the program array */
	char variant[16];          /* of the profile's validator, as loaded */
};

const char *sg_state_dir(void);
int sg_state_load(const char *customer, struct sg_state *st); /* -ENOENT if none */
int sg_state_save(const struct sg_state *st);
int sg_state_prepare(const struct sg_state *st);  /* writes CUSTOMER.conf.tmp */
int sg_state_commit(const char *customer);        /* renames it into place */
void sg_state_abort(const char *customer);        /* removes it */
int sg_state_remove(const char *customer);
/* Customer ids in use by state files (a bitmap of SG_MAX_CUSTOMERS bits,
 * the caller's), other than EXCEPT's. Returns 0 or -errno. */
int sg_state_ids(uint8_t *used, const char *except);
/* Names of customers with a state file, sorted; returns count or -errno. */
int sg_state_customers(char (**names)[32]);
/* sg_state_customers of CUSTOMER alone: 1 and its name when its state
 * file exists, else 0 (one stat: enable and disable of one customer among
 * thousands read no directory). */
int sg_state_customer_one(const char *customer, char (**names)[32]);
/* 1 when some customer has a state file, 0 when none, or -errno. */
int sg_state_any(void);
void sg_params_free(struct sg_params *p);
bool sg_params_equal(const struct sg_params *a, const struct sg_params *b);
bool sg_customer_name_ok(const char *s);

#endif
