// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* Signature DFA: Aho-Corasick automaton over lower-cased bytes, flattened
 * into one struct sg_dfa_row per state (next state for every byte class,
 * accept = fields of every pattern ending here, suffix links included).
 * Byte classes: each distinct (lower-cased) pattern byte gets a class
 * 1..62; both cases of a letter share it; every other byte is class 0, which
 * no pattern contains, so class 0 always leads back to the root (state 0).
 * Patterns are matched as the SIP stack reads a value (sipguard.h): raw '%'
 * and '\\' are SG_DFA_CLASS_ESC (the scan decodes them into the class of
 * their byte), TAB shares SP's class, runs of spaces in a pattern count as
 * one, and the state after a pattern's space loops on further spaces. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"

#define SG_DFA_MAX_STATES 65535

size_t sg_pattern_normal(const char *text, char *out)
{
	size_t o = 0;

	for (const unsigned char *t = (const unsigned char *)text; *t; t++) {
		unsigned char c = *t == '\t' ? ' ' : (unsigned char)tolower(*t);

		if (c == ' ' && o && out[o - 1] == ' ')
			continue;
		out[o++] = (char)c;
	}
	out[o] = 0;
	return o;
}

int sg_dfa_build(const struct sg_pattern *pats, unsigned int n, struct sg_config *cfg,
		 struct sg_dfa_row **rows)
{
	struct sg_dfa_row *d = NULL;
	__u32 *fail = NULL, *queue = NULL;
	char **norm = NULL;
	__u8 *after_space = NULL;
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
	cfg->pct_class = cfg->bs_class = cfg->sp_class = 0;
	norm = calloc(n, sizeof(*norm));
	after_space = NULL;
	if (!norm) {
		err = -ENOMEM;
		goto out;
	}
	/* patterns as the stack reads text (sg_pattern_normal) */
	for (unsigned int i = 0; i < n; i++) {
		const unsigned char *t = (const unsigned char *)pats[i].text;
		size_t len = t ? strlen((const char *)t) : 0;

		if (!len) {
			err = -EINVAL;
			goto out;
		}
		norm[i] = malloc(len + 1);
		if (!norm[i]) {
			err = -ENOMEM;
			goto out;
		}
		sg_pattern_normal((const char *)t, norm[i]);
	}
	/* classes */
	for (unsigned int i = 0; i < n; i++) {
		const unsigned char *t = (const unsigned char *)norm[i];
		size_t len = strlen((const char *)t);

		max_states += len;
		for (size_t k = 0; k < len; k++) {
			unsigned char c = t[k];
			__u8 *slot = c == '%' ? &cfg->pct_class : c == '\\' ? &cfg->bs_class
				   : &cfg->byte_class[c];

			if (*slot)
				continue;
			if (n_classes == SG_DFA_CLASS_ESC - 1) {
				err = -E2BIG;
				goto out;
			}
			n_classes++;
			*slot = (__u8)n_classes;
			if (c == '%' || c == '\\')
				continue;
			cfg->byte_class[toupper(c)] = (__u8)n_classes;
			if (c == ' ') {
				cfg->byte_class['\t'] = (__u8)n_classes;
				cfg->sp_class = (__u8)n_classes;
			}
		}
	}
	/* the scan decodes escapes, whatever the patterns hold */
	cfg->byte_class['%'] = SG_DFA_CLASS_ESC;
	cfg->byte_class['\\'] = SG_DFA_CLASS_ESC;

	/* trie (goto function); 0 in next[] = no edge yet (the root is never a target) */
	if (max_states > SG_DFA_MAX_STATES + 1)
		max_states = SG_DFA_MAX_STATES + 1;
	d = calloc(max_states, sizeof(*d));
	fail = calloc(max_states, sizeof(*fail));
	queue = calloc(max_states, sizeof(*queue));
	after_space = calloc(max_states, 1);
	if (!d || !fail || !queue || !after_space) {
		err = -ENOMEM;
		goto out;
	}
	for (unsigned int i = 0; i < n; i++) {
		const unsigned char *t = (const unsigned char *)norm[i];
		__u32 s = 0;

		for (; *t; t++) {
			__u8 c = *t == '%' ? cfg->pct_class : *t == '\\' ? cfg->bs_class
			       : cfg->byte_class[*t];

			if (!d[s].next[c]) {
				if (n_states >= SG_DFA_MAX_STATES) {
					err = -E2BIG;
					goto out;
				}
				d[s].next[c] = (__u16)n_states++;
			}
			s = d[s].next[c];
			if (*t == ' ')
				after_space[s] = 1;
		}
		d[s].accept |= pats[i].fields;
		if (!d[s].pattern) /* the first of equal patterns names the state */
			d[s].pattern = i + 1;
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
		if (!d[u].pattern) /* a pattern ending here by suffix link */
			d[u].pattern = d[fail[u]].pattern;
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
	/* class 0 never occurs in a pattern: every row sends it to the root;
	 * the escape class is decoded before it reaches the DFA; more spaces
	 * after a pattern's space keep its place */
	for (unsigned int s = 0; s < n_states; s++) {
		d[s].next[0] = 0;
		d[s].next[SG_DFA_CLASS_ESC] = 0;
		if (after_space[s])
			d[s].next[cfg->sp_class] = (__u16)s;
	}

	cfg->dfa_states = n_states;
	cfg->sig_fields = sig_fields;
	{
		struct sg_pattern *np = calloc(n, sizeof(*np));

		if (!np) {
			err = -ENOMEM;
			goto out;
		}
		for (unsigned int i = 0; i < n; i++) {
			np[i].text = norm[i];
			np[i].fields = pats[i].fields;
		}
		sg_prefilter_build(np, n, cfg);
		free(np);
	}
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
	free(after_space);
	for (unsigned int i = 0; norm && i < n; i++)
		free(norm[i]);
	free(norm);
	return err;
}
