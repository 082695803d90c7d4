/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* A customer's nftables objects: the chain sipguard owns (rules, sets),
 * built into one batch, and the removal of an older generation's. */
#ifndef SG_RULES_H
#define SG_RULES_H

#include <stdbool.h>
#include "nft.h"
#include "profile.h"
#include "state.h"

/* Kinds of sets a customer's chain owns, named CHAIN.KIND. K_PEER4/6: the
 * --peer CIDRs, which the per-source meters skip. */
enum sg_set_kind { K_DENY4, K_DENY6, K_ALLOW4, K_ALLOW6, K_RATE4, K_RATE6, K_PORTS,
		   K_PEER4, K_PEER6, K_KINDS };
extern const char *const sg_set_kinds[K_KINDS + 1];

/* Is NAME a chain (SET false) or set of CUSTOMER? Returns its generation or 0. */
unsigned int sg_owned_name(const char *name, const char *customer, bool set);

struct sg_chain_spec {
	const char *customer;
	int family;
	const char *table;          /* ours (SG_TABLE) or the customer's (attach) */
	const char *chain;          /* sg.CUSTOMER.GEN */
	const char *attach_chain;   /* the customer's chain to jump from, or NULL */
	int hook;                   /* base chain: 0 input, 1 forward */
	const struct sg_profile *pr;
	const struct sg_params *p;
	bool monitor;
	const char *stub_pin;       /* the xt bpf match's program (not for shield) */
	int stub_fd;
};

/* Appends to BT: our table (unless attached), the chain, its sets and
 * rules, and the jump rule when attached. Returns the rules in the chain. */
unsigned int sg_rules_build(struct sg_batch *bt, const struct sg_chain_spec *c);

/* Appends deletions of CUSTOMER's objects in FAMILY/TABLE other than
 * generation KEEP (0 = all): jump rules, chains, sets. With DROP_TABLE and
 * nothing else left in the table, deletes the table instead. */
int sg_rules_removals(struct sg_batch *bt, struct sg_nl *nl, int family, const char *table,
		      const char *customer, unsigned int keep, bool drop_table, unsigned int *nmsgs);

/* The rules of a customer's generation, CHAIN and its branches (not the
 * defrag chain's: it is never run), in one round trip; CHECK_TABLE as in
 * sg_nft_tree_rules. */
int sg_rules_list(struct sg_nl *nl, int family, const char *table, const char *chain,
		  bool check_table, struct sg_rule_info **out, unsigned int *n);

/* The highest generation of CUSTOMER's chains in FAMILY/TABLE (0: none). */
unsigned int sg_rules_max_gen(struct sg_nl *nl, int family, const char *table,
			      const char *customer);

#endif
