// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* Signature DFA: Aho-Corasick automaton over lower-cased bytes, flattened
 * into one struct sg_dfa_row per state (next state for every byte class,
 * accept = fields of every pattern ending here, suffix links included).
 * Byte classes: each distinct (lower-cased) pattern byte gets a class
 * 1..63; both cases of a letter share it; every other byte is class 0, which
 * no pattern contains, so class 0 always leads back to the root (state 0). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"

#define SG_DFA_MAX_STATES 65535

int sg_dfa_build(const struct sg_pattern *pats, unsigned int n, struct sg_config *cfg,
		 struct sg_dfa_row **rows)
{
	struct sg_dfa_row *d = NULL;
	__u32 *fail = NULL, *queue = NULL;
	unsigned int n_classes = 0, n_states = 1, max_states = 1, head = 0, tail = 0;
	__u32 sig_fields = 0;
	int err = 0;

	*rows = NULL;
	memset(cfg->byte_class, 0, sizeof(cfg->byte_class));
	sg_prefilter_build(pats, 0, cfg); /* off until the DFA is built */
	cfg->dfa_states = 0;
	cfg->sig_fields = 0;
	if (!n)
		return 0;

	/* classes */
	for (unsigned int i = 0; i < n; i++) {
		const unsigned char *t = (const unsigned char *)pats[i].text;
		size_t len = t ? strlen((const char *)t) : 0;

		if (!len)
			return -EINVAL;
		max_states += len;
		for (size_t k = 0; k < len; k++) {
			unsigned char c = (unsigned char)tolower(t[k]);

			if (cfg->byte_class[c])
				continue;
			if (n_classes == SG_DFA_CLASSES - 1) {
				err = -E2BIG;
				goto out;
			}
			n_classes++;
			cfg->byte_class[c] = (__u8)n_classes;
			cfg->byte_class[toupper(c)] = (__u8)n_classes;
		}
	}

	/* trie (goto function); 0 in next[] = no edge yet (the root is never a target) */
	if (max_states > SG_DFA_MAX_STATES + 1)
		max_states = SG_DFA_MAX_STATES + 1;
	d = calloc(max_states, sizeof(*d));
	fail = calloc(max_states, sizeof(*fail));
	queue = calloc(max_states, sizeof(*queue));
	if (!d || !fail || !queue) {
		err = -ENOMEM;
		goto out;
	}
	for (unsigned int i = 0; i < n; i++) {
		const unsigned char *t = (const unsigned char *)pats[i].text;
		__u32 s = 0;

		for (; *t; t++) {
			__u8 c = cfg->byte_class[tolower(*t)];

			if (!d[s].next[c]) {
				if (n_states >= SG_DFA_MAX_STATES) {
					err = -E2BIG;
					goto out;
				}
				d[s].next[c] = (__u16)n_states++;
			}
			s = d[s].next[c];
		}
		d[s].accept |= pats[i].fields;
		sig_fields |= pats[i].fields;
	}

	/* breadth-first: failure links, accept union, missing edges */
	for (int c = 0; c < SG_DFA_CLASSES; c++) {
		__u32 v = d[0].next[c];

		if (v) {
			fail[v] = 0;
			queue[tail++] = v;
		}
	}
	while (head < tail) {
		__u32 u = queue[head++];

		d[u].accept |= d[fail[u]].accept;
		for (int c = 0; c < SG_DFA_CLASSES; c++) {
			__u32 v = d[u].next[c];

			if (v && c != 0) {
				fail[v] = d[fail[u]].next[c];
				queue[tail++] = v;
			} else {
				d[u].next[c] = d[fail[u]].next[c];
			}
		}
	}
	/* class 0 never occurs in a pattern: every row sends it to the root */
	for (unsigned int s = 0; s < n_states; s++)
		d[s].next[0] = 0;

	cfg->dfa_states = n_states;
	cfg->sig_fields = sig_fields;
	sg_prefilter_build(pats, n, cfg);
	*rows = d;
	d = NULL;
out:
	if (err) {
		memset(cfg->byte_class, 0, sizeof(cfg->byte_class));
		cfg->dfa_states = 0;
		cfg->sig_fields = 0;
	}
	free(d);
	free(fail);
	free(queue);
	return err;
}
