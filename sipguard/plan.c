// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* The plan (plan.h): the desired state against the state files and the
 * kernel. Everything that can be wrong is found here, for every customer,
 * before anything changes; nothing here changes the kernel, the pins or
 * the state (execute.c does). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/netfilter.h>
#include <linux/netfilter/xt_bpf.h>

#include "commands.h"
#include "guard.h"
#include "log.h"
#include "plan.h"
#include "rules.h"
#include "sgjson.h"

const char *sg_act_name(enum sg_act a)
{
	static const char *const names[SG_ACT_N] = { "keep", "enable", "change", "repair", "disable" };

	return a < SG_ACT_N ? names[a] : "?";
}

/* An error about IT: "FILE:LINE: " for a customer file, "sipguard: " for
 * the command line (enable's messages, unchanged). Through log.h, so that
 * the audit line and --json can say it. */
static void __attribute__((format(printf, 3, 4)))
item_warn(const struct sg_item *it, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (it->src.file[0])
		pr_msg("%s:%d: %s", it->src.file, line, msg);
	else
		pr_warn("%s", msg);
}

/* ------------------------------------------------------ comparisons */

static void netns_path(const char *ns, char *buf, size_t n)
{
	if (!*ns || !strcmp(ns, "host"))
		snprintf(buf, n, "host");
	else if (strchr(ns, '/'))
		snprintf(buf, n, "%s", ns);
	else
		snprintf(buf, n, "/run/netns/%s", ns);
}

bool sg_netns_same(const char *a, const char *b)
{
	char pa[PATH_MAX], pb[PATH_MAX];
	struct stat sa, sb;

	netns_path(a, pa, sizeof(pa));
	netns_path(b, pb, sizeof(pb));
	if (!strcmp(pa, pb))
		return true;
	/* two names of one namespace (a bind mount and its path, host and /proc/1/ns/net) */
	return !stat(!strcmp(pa, "host") ? "/proc/1/ns/net" : pa, &sa) &&
	       !stat(!strcmp(pb, "host") ? "/proc/1/ns/net" : pb, &sb) &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static bool in_list(const struct sg_strlist *l, const char *v)
{
	for (unsigned int i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], v))
			return true;
	return false;
}

static bool list_same(const struct sg_strlist *a, const struct sg_strlist *b)
{
	for (unsigned int i = 0; i < a->n; i++)
		if (!in_list(b, a->v[i]))
			return false;
	for (unsigned int i = 0; i < b->n; i++)
		if (!in_list(a, b->v[i]))
			return false;
	return true;
}

/* What differs between the state (PREV, its profile's content PREV_HASH)
 * and the desired parameters W (profile content HASH): SG_CH_* bits. */
static unsigned int diff(const struct sg_state *prev, const struct sg_params *w, uint64_t hash)
{
	const struct sg_params *o = &prev->p;
	unsigned int ch = 0;

	if (strcmp(o->profile, w->profile))
		ch |= SG_CH_PROFILE;
	else if (prev->profile_hash != hash)
		ch |= SG_CH_CONTENT;
	if (o->mode != w->mode)
		ch |= SG_CH_MODE;
	if (o->hook != w->hook)
		ch |= SG_CH_HOOK;
	if (strcmp(o->attach, w->attach))
		ch |= SG_CH_ATTACH;
	if (strcmp(o->netns, w->netns))
		ch |= SG_CH_NETNS;
	if (!list_same(&o->own_hosts, &w->own_hosts))
		ch |= SG_CH_OWN_HOSTS;
	if (!list_same(&o->peers, &w->peers))
		ch |= SG_CH_PEERS;
	if (!list_same(&o->allow, &w->allow))
		ch |= SG_CH_ALLOW;
	if (!list_same(&o->deny, &w->deny))
		ch |= SG_CH_DENY;
	return ch;
}

/* ------------------------------------------------------ the checks */

static const struct sg_plan_profile *plan_profile(struct sg_plan *pl, const char *name)
{
	struct sg_plan_profile *pp, **v;

	for (unsigned int i = 0; i < pl->nprofiles; i++)
		if (!strcmp(pl->profiles[i]->key, name))
			return pl->profiles[i];
	pp = calloc(1, sizeof(*pp));
	v = realloc(pl->profiles, (pl->nprofiles + 1) * sizeof(*v));
	if (!pp || !v) {
		free(pp);
		return NULL;
	}
	pl->profiles = v;
	snprintf(pp->key, sizeof(pp->key), "%s", name);
	pp->err = sg_profile_load(name, &pp->pr);
	if (!pp->err)
		pp->hash = sg_profile_hash(&pp->pr);
	pl->profiles[pl->nprofiles++] = pp;
	return pp;
}

/* What the customer's desired state needs from the host, without the
 * kernel's state: its profile, its namespace, its attach target. */
static int check_item(struct sg_plan *pl, struct sg_item *it)
{
	const struct sg_params *p = &it->want;
	const char *o = it->src.file[0] ? "" : "--";
	int nsfd;

	it->family = NFPROTO_INET;
	snprintf(it->table, sizeof(it->table), "%s", SG_TABLE);
	it->attach_chain[0] = 0;
	if (p->attach[0] && sg_attach_parse(p->attach, &it->family, it->table, it->attach_chain)) {
		item_warn(it, it->src.attach_line,
			  "%sattach '%s': expected FAMILY:TABLE:CHAIN with FAMILY inet, ip or ip6\n", o,
			  p->attach);
		return SG_EXIT_USAGE;
	}
	it->prof = plan_profile(pl, p->profile);
	if (!it->prof)
		return SG_EXIT_FAIL;
	if (it->prof->err) {
		if (it->src.file[0])
			item_warn(it, it->src.profile_line, "profile '%s' not loaded\n", p->profile);
		else
			pr_warn("profile '%s' not loaded: nothing changed\n", p->profile);
		return SG_EXIT_USAGE;
	}
	nsfd = sg_netns_open(p->netns);
	if (nsfd < 0 && (pl->flags & SG_PLAN_RESTORE)) {
		pr_warn("%s: network namespace '%s' is gone (%s): not restored, state and pins kept "
			"(re-create the namespace and run restore, or sipguard disable %s)\n",
			p->customer, p->netns, strerror(-nsfd), p->customer);
		return SG_EXIT_ENV;
	}
	if (nsfd < 0) {
		item_warn(it, it->src.netns_line,
			  "network namespace '%s' not found: %s (create it first: ip netns add NAME)\n",
			  p->netns, strerror(-nsfd));
		return SG_EXIT_ENV;
	}
	close(nsfd);
	if (it->attach_chain[0]) {
		struct sg_name_list chains;
		struct sg_nl nl;
		bool found = false;
		int err = sg_nl_open(p->netns, &nl);

		if (err) {
			item_warn(it, it->src.netns_line, "cannot open netlink in network namespace '%s': %s\n",
				  p->netns, strerror(-err));
			return SG_EXIT_ENV;
		}
		err = sg_nft_list_chains(&nl, it->family, it->table, &chains);
		sg_nl_close(&nl);
		if (err) {
			item_warn(it, it->src.attach_line, "%sattach: table %s %s not found in network namespace '%s'\n",
				  o, sg_family_name(it->family), it->table, p->netns);
			return SG_EXIT_USAGE;
		}
		for (unsigned int i = 0; i < chains.n; i++)
			found |= !strcmp(chains.v[i], it->attach_chain);
		sg_name_list_free(&chains);
		if (!found) {
			item_warn(it, it->src.attach_line, "%sattach: chain '%s' not found in table %s %s\n", o,
				  it->attach_chain, sg_family_name(it->family), it->table);
			return SG_EXIT_USAGE;
		}
	}
	return 0;
}

/* What the kernel lacks of the customer as its state file says (NULL:
 * nothing): its pins, its profile's validator in its slot, its id, its
 * chain with its rules. */
static const char *kernel_lacks(struct sg_plan *pl, struct sg_item *it, struct sg_nl *nl)
{
	const struct sg_state *st = &it->prev;
	struct sg_rule_info *rules;
	struct sg_slot_info si;
	unsigned int n, bpf = 0;
	bool want_bpf;
	char prog[PATH_MAX + 32];
	struct stat sb;
	int family = sg_family_parse(st->family);

	/* a validator rule (in the validator's chain; in each branch, or the
	 * flat chain, of generations before it); the count of rules catches
	 * one gone */
	want_bpf = !(it->prof->pr.cfg.flags & SG_F_DROP_ALL_SIP);
	snprintf(prog, sizeof(prog), "%s/sip_validate", st->pin_dir);
	if (stat(prog, &sb))
		return "its pinned program is missing";
	if (!sg_dp_exists(sg_pin_root()) || !pl->have_dp)
		return "the shared dataplane is missing";
	if (sg_dp_slot_info(&pl->dp, st->slot, &si) || si.hash != it->prof->hash)
		return "its profile's validator is not loaded";
	if (!sg_dp_customer_used(&pl->dp, st->id))
		return "its customer id is not registered";
	if (family < 0 || sg_rules_list(nl, family, st->table, st->chain, true, &rules, &n))
		return "its chain is missing";
	for (unsigned int i = 0; i < n; i++)
		bpf += rules[i].is_bpf;
	free(rules);
	if (n != st->rules || (bpf > 0) != want_bpf)
		return "its rules differ from the state";
	return NULL;
}

/* The new state of a customer to enable, change or repair: a new
 * generation (above any left by an interrupted run), the id kept, the
 * other list slot. */
static int next_state(struct sg_item *it, struct sg_nl *nl)
{
	const struct sg_params *p = &it->want;
	struct sg_state *st = &it->st;
	unsigned int g;

	memset(st, 0, sizeof(*st));
	st->generation = it->have_prev ? it->prev.generation : 0;
	g = sg_pins_max_gen(p->customer);
	if (g > st->generation)
		st->generation = g;
	g = sg_rules_max_gen(nl, it->family, it->table, p->customer);
	if (g > st->generation)
		st->generation = g;
	st->generation++;
	st->p = *p; /* shallow: the lists stay owned by the item's want */
	snprintf(st->profile_name, sizeof(st->profile_name), "%s", it->prof->pr.name);
	snprintf(st->profile_path, sizeof(st->profile_path), "%s", it->prof->pr.path);
	st->profile_hash = it->prof->hash;
	st->monitor = p->mode == 1 || (p->mode < 0 && (it->prof->pr.cfg.flags & SG_F_MONITOR));
	snprintf(st->family, sizeof(st->family), "%s", sg_family_name(it->family));
	snprintf(st->table, sizeof(st->table), "%s", it->table);
	sg_chain_name(p->customer, st->generation, st->chain, sizeof(st->chain));
	sg_pin_dir(p->customer, st->generation, st->pin_dir, sizeof(st->pin_dir));
	if (snprintf(NULL, 0, "%s/sip_validate", st->pin_dir) >= (int)XT_BPF_PATH_MAX) {
		/* the xt_bpf match carries the path in XT_BPF_PATH_MAX bytes */
		pr_warn("pin path %s/sip_validate is longer than xt_bpf takes (%d bytes)\n",
			st->pin_dir, (int)XT_BPF_PATH_MAX - 1);
		return SG_EXIT_FAIL;
	}
	st->id = it->have_prev ? it->prev.id : 0;
	st->epoch = it->have_prev ? it->prev.epoch : 0;
	st->parity = it->have_prev ? !it->prev.parity : 0;
	return 0;
}

/* Decides what to do with a desired customer whose checks passed. */
static int decide(struct sg_plan *pl, struct sg_item *it)
{
	struct sg_nl nl;
	int err = sg_nl_open(it->want.netns, &nl);

	if (err) {
		item_warn(it, it->src.netns_line, "cannot open netlink in network namespace '%s': %s\n",
			  it->want.netns, strerror(-err));
		return SG_EXIT_ENV;
	}
	if (!it->have_prev) {
		it->act = SG_ACT_ENABLE;
	} else {
		it->changes = diff(&it->prev, &it->want, it->prof->hash);
		if (it->changes)
			it->act = SG_ACT_CHANGE;
		else if ((it->why = kernel_lacks(pl, it, &nl)))
			it->act = SG_ACT_REPAIR;
		else
			it->act = SG_ACT_KEEP;
	}
	it->decided = true;
	err = it->act == SG_ACT_KEEP ? 0 : next_state(it, &nl);
	sg_nl_close(&nl);
	return err;
}

static void copy_list(struct sg_strlist *dst, const struct sg_strlist *src)
{
	dst->n = 0;
	for (unsigned int i = 0; i < src->n; i++)
		if ((dst->v[dst->n] = strdup(src->v[i])))
			dst->n++;
}

static void copy_params(struct sg_params *dst, const struct sg_params *src)
{
	*dst = *src;
	copy_list(&dst->own_hosts, &src->own_hosts);
	copy_list(&dst->peers, &src->peers);
	copy_list(&dst->allow, &src->allow);
	copy_list(&dst->deny, &src->deny);
}

static struct sg_item *add_item(struct sg_plan *pl, const char *customer)
{
	struct sg_item *v = realloc(pl->items, (pl->n + 1) * sizeof(*v));

	if (!v)
		return NULL;
	pl->items = v;
	v = &pl->items[pl->n++];
	memset(v, 0, sizeof(*v));
	snprintf(v->customer, sizeof(v->customer), "%s", customer);
	return v;
}

/* The outcome of IT's checks; its messages since sg_log_clear say why. */
static void set_rc(struct sg_plan *pl, struct sg_item *it, int rc)
{
	it->rc = rc;
	if (!rc)
		return;
	if (!pl->rc)
		pl->rc = rc;
	if (!it->reason[0])
		snprintf(it->reason, sizeof(it->reason), "%s",
			 sg_log_first() ? sg_log_first() : "failed");
}

/* An error of the whole plan, just printed. */
static int plan_fail(struct sg_plan *pl, int rc)
{
	if (!pl->rc) {
		pl->rc = rc;
		snprintf(pl->reason, sizeof(pl->reason), "%s", sg_log_last() ? sg_log_last() : "failed");
	}
	return pl->rc;
}

const char *sg_plan_error(const struct sg_plan *pl)
{
	if (pl->reason[0])
		return pl->reason;
	for (unsigned int i = 0; i < pl->n; i++)
		if ((pl->items[i].rc || pl->items[i].exec_rc) && pl->items[i].reason[0])
			return pl->items[i].reason;
	return pl->rc ? "failed" : NULL;
}

int sg_plan_make(struct sg_plan *pl, const struct sg_desired *d, const char *only,
		 unsigned int flags)
{
	char (*names)[32] = NULL;
	unsigned int i = 0, j = 0, nn;
	bool changes = false;
	int n, err;

	memset(pl, 0, sizeof(*pl));
	pl->flags = flags;
	pl->only = only;
	pl->whole = d->whole;
	pl->lock = sg_lock();
	if (pl->lock < 0) {
		err = -pl->lock;
		pl->lock = -1;
		return plan_fail(pl, err);
	}
	/* a plan for one customer reads its own state file only: with every
	 * name listed and sorted, an enable among 10,000 customers spent
	 * more time on the directory than on its own work */
	n = only ? sg_state_customer_one(only, &names) : sg_state_customers(&names);
	if (n < 0) {
		pr_warn("cannot read %s/customers: %s\n", sg_state_dir(), strerror(-n));
		return plan_fail(pl, SG_EXIT_FAIL);
	}
	nn = (unsigned int)n;

	/* the customers: desired (sorted) merged with those of the state files (sorted) */
	while (i < d->n || j < nn) {
		int c = i >= d->n ? 1 : j >= nn ? -1 : strcmp(d->v[i].customer, names[j]);
		const struct sg_params *w = c <= 0 ? &d->v[i] : NULL;
		const char *name = c <= 0 ? d->v[i].customer : names[j];
		bool has_state = c >= 0;
		struct sg_item *it;

		if (only && strcmp(name, only))
			goto next;
		if (!w && !pl->whole && !only)
			goto next; /* not ours to decide (apply of one file) */
		it = add_item(pl, name);
		if (!it) {
			pr_warn("out of memory\n");
			plan_fail(pl, SG_EXIT_FAIL);
			break;
		}
		sg_log_clear(); /* what follows is about this customer */
		if (has_state) {
			err = sg_state_load(name, &it->prev);
			if (err) {
				pr_warn("%s: state file %s/customers/%s.conf unreadable: %s\n", name,
					sg_state_dir(), name, strerror(-err));
				set_rc(pl, it, SG_EXIT_FAIL);
				goto next;
			}
			it->have_prev = true;
		}
		if (w) {
			copy_params(&it->want, w);
			it->have_want = true;
			it->src = d->src[i];
			set_rc(pl, it, check_item(pl, it));
		} else {
			it->act = SG_ACT_DISABLE;
			it->decided = true;
		}
next:
		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
	}
	free(names);

	/* bpffs (mounted here if missing, unless this is a dry run), then the
	 * kernel's side of each customer */
	for (i = 0; i < pl->n; i++)
		if (pl->items[i].have_want && !pl->items[i].rc)
			break;
	if (i < pl->n && !(flags & SG_PLAN_DRY_RUN) && (err = sg_ensure_bpffs()))
		return plan_fail(pl, err);
	pl->have_dp = sg_dp_open(&pl->dp, sg_pin_root(), false) == 0;
	for (i = 0; i < pl->n; i++) {
		struct sg_item *it = &pl->items[i];

		if (it->have_want && !it->rc) {
			sg_log_clear();
			set_rc(pl, it, decide(pl, it));
		}
		if (!it->rc)
			pl->count[it->act]++;
		changes |= !it->rc && it->act != SG_ACT_KEEP && it->act != SG_ACT_DISABLE;
	}
	if (changes && (sg_fault("no-xt-bpf") || sg_xt_match_available("bpf", 1))) {
		pr_warn("kernel lacks xt_bpf/nft_compat (xt match 'bpf' revision 1 unknown): "
			"enable CONFIG_NFT_COMPAT and CONFIG_NETFILTER_XT_MATCH_BPF\n");
		plan_fail(pl, SG_EXIT_ENV);
	}
	return pl->rc;
}

bool sg_plan_changes(const struct sg_plan *pl)
{
	for (unsigned int i = 0; i < pl->n; i++)
		if (!pl->items[i].rc && pl->items[i].act != SG_ACT_KEEP)
			return true;
	return false;
}

void sg_plan_free(struct sg_plan *pl)
{
	for (unsigned int i = 0; i < pl->n; i++) {
		sg_params_free(&pl->items[i].want);
		if (pl->items[i].have_prev)
			sg_params_free(&pl->items[i].prev.p);
	}
	free(pl->items);
	for (unsigned int i = 0; i < pl->nprofiles; i++) {
		if (!pl->profiles[i]->err)
			sg_profile_free(&pl->profiles[i]->pr);
		free(pl->profiles[i]);
	}
	free(pl->profiles);
	if (pl->have_dp)
		sg_dp_close(&pl->dp);
	if (pl->lock >= 0)
		close(pl->lock);
	memset(pl, 0, sizeof(*pl));
	pl->lock = -1;
}

/* ------------------------------------------------------ the plan as text */

static const char *mode_word(int mode)
{
	return mode < 0 ? "profile's" : mode ? "monitor" : "enforce";
}

static void place(const struct sg_params *p, char *buf, size_t n)
{
	if (p->attach[0])
		snprintf(buf, n, "attach %s", p->attach);
	else
		snprintf(buf, n, "hook %s", p->hook ? "forward" : "input");
}

static void print_list(FILE *f, const char *key, const struct sg_strlist *l)
{
	if (!l->n)
		return;
	fprintf(f, ", %s", key);
	for (unsigned int i = 0; i < l->n; i++)
		fprintf(f, " %s", l->v[i]);
}

static void print_list_diff(FILE *f, const char *key, const struct sg_strlist *from,
			    const struct sg_strlist *to, bool *first)
{
	fprintf(f, "%s%s", *first ? "" : ", ", key);
	for (unsigned int i = 0; i < to->n; i++)
		if (!in_list(from, to->v[i]))
			fprintf(f, " +%s", to->v[i]);
	for (unsigned int i = 0; i < from->n; i++)
		if (!in_list(to, from->v[i]))
			fprintf(f, " -%s", from->v[i]);
	*first = false;
}

void sg_item_print(const struct sg_item *it, FILE *f)
{
	const struct sg_params *w = &it->want, *o = &it->prev.p;
	char a[600], b[600];
	bool first = true;

	switch (it->act) {
	case SG_ACT_KEEP:
		fprintf(f, "keep %s: as desired (profile %s, generation %u)\n", it->customer,
			it->prev.profile_name, it->prev.generation);
		return;
	case SG_ACT_ENABLE:
		place(w, a, sizeof(a));
		fprintf(f, "enable %s: profile %s (%s), netns %s, %s", it->customer, w->profile,
			it->st.monitor ? "monitor" : "enforce", w->netns, a);
		print_list(f, "own_host", &w->own_hosts);
		print_list(f, "peer", &w->peers);
		print_list(f, "allow", &w->allow);
		print_list(f, "deny", &w->deny);
		fputc('\n', f);
		return;
	case SG_ACT_CHANGE:
		fprintf(f, "change %s: ", it->customer);
		if (it->changes & SG_CH_PROFILE) {
			fprintf(f, "profile %s -> %s", o->profile, w->profile);
			first = false;
		}
		if (it->changes & SG_CH_CONTENT) {
			fprintf(f, "profile %s: new content", w->profile);
			first = false;
		}
		if (it->changes & SG_CH_MODE) {
			fprintf(f, "%smode %s -> %s", first ? "" : ", ", mode_word(o->mode), mode_word(w->mode));
			first = false;
		}
		if (it->changes & (SG_CH_HOOK | SG_CH_ATTACH)) {
			place(o, a, sizeof(a));
			place(w, b, sizeof(b));
			fprintf(f, "%s%s -> %s", first ? "" : ", ", a, b);
			first = false;
		}
		if (it->changes & SG_CH_NETNS) {
			fprintf(f, "%snetns %s -> %s (%s)", first ? "" : ", ", o->netns, w->netns,
				sg_netns_same(o->netns, w->netns) ? "the same namespace"
								   : "moves to another network namespace");
			first = false;
		}
		if (it->changes & SG_CH_OWN_HOSTS)
			print_list_diff(f, "own_host", &o->own_hosts, &w->own_hosts, &first);
		if (it->changes & SG_CH_PEERS)
			print_list_diff(f, "peer", &o->peers, &w->peers, &first);
		if (it->changes & SG_CH_ALLOW)
			print_list_diff(f, "allow", &o->allow, &w->allow, &first);
		if (it->changes & SG_CH_DENY)
			print_list_diff(f, "deny", &o->deny, &w->deny, &first);
		fputc('\n', f);
		return;
	case SG_ACT_REPAIR:
		fprintf(f, "repair %s: %s; rebuilt as its state says (profile %s, netns %s)\n",
			it->customer, it->why, w->profile, w->netns);
		return;
	case SG_ACT_DISABLE:
		fprintf(f, "disable %s: %s(profile %s, netns %s)\n", it->customer,
			it->have_want ? "" : "not in the desired state ", it->prev.profile_name,
			it->prev.p.netns);
		return;
	default:
		return;
	}
}

void sg_plan_print(const struct sg_plan *pl, FILE *f)
{
	bool any = false;

	for (unsigned int i = 0; i < pl->n; i++)
		if (!pl->items[i].rc && pl->items[i].act != SG_ACT_KEEP) {
			sg_item_print(&pl->items[i], f);
			any = true;
		}
	if (!any) {
		fprintf(f, "no change (%u customer%s as desired)\n", pl->count[SG_ACT_KEEP],
			pl->count[SG_ACT_KEEP] == 1 ? "" : "s");
		return;
	}
	fprintf(f, "plan: %u to enable, %u to change, %u to repair, %u to disable, %u unchanged\n",
		pl->count[SG_ACT_ENABLE], pl->count[SG_ACT_CHANGE], pl->count[SG_ACT_REPAIR],
		pl->count[SG_ACT_DISABLE], pl->count[SG_ACT_KEEP]);
}

/* ------------------------------------------------------ the plan as JSON */

static void jlist(struct json_object *o, const char *key, const struct sg_strlist *l)
{
	struct json_object *a = sg_json_arr(o, key);

	for (unsigned int i = 0; i < l->n; i++)
		json_object_array_add(a, json_object_new_string(l->v[i]));
}

static struct json_object *jparams(struct json_object *parent, const char *key,
				   const struct sg_params *p)
{
	struct json_object *o = sg_json_obj(parent, key);

	sg_json_str(o, "profile", p->profile);
	sg_json_str(o, "netns", p->netns);
	sg_json_str(o, "mode", p->mode < 0 ? "profile" : mode_word(p->mode));
	sg_json_str(o, "hook", p->attach[0] ? "attach" : p->hook ? "forward" : "input");
	sg_json_str(o, "attach", p->attach);
	jlist(o, "own_host", &p->own_hosts);
	jlist(o, "peer", &p->peers);
	jlist(o, "allow", &p->allow);
	jlist(o, "deny", &p->deny);
	return o;
}

static struct json_object *jfromto(struct json_object *parent, const char *key, const char *from,
				   const char *to)
{
	struct json_object *o = sg_json_obj(parent, key);

	sg_json_str(o, "from", from);
	sg_json_str(o, "to", to);
	return o;
}

static void jlistdiff(struct json_object *parent, const char *key, const struct sg_strlist *from,
		      const struct sg_strlist *to)
{
	struct json_object *o = sg_json_obj(parent, key), *add = sg_json_arr(o, "added"),
			   *rm = sg_json_arr(o, "removed");

	for (unsigned int i = 0; i < to->n; i++)
		if (!in_list(from, to->v[i]))
			json_object_array_add(add, json_object_new_string(to->v[i]));
	for (unsigned int i = 0; i < from->n; i++)
		if (!in_list(to, from->v[i]))
			json_object_array_add(rm, json_object_new_string(from->v[i]));
}

static void jchanges(struct json_object *j, const struct sg_item *it)
{
	const struct sg_params *o = &it->prev.p, *w = &it->want;
	struct json_object *c = sg_json_obj(j, "changes");

	if (it->changes & SG_CH_PROFILE)
		jfromto(c, "profile", o->profile, w->profile);
	if (it->changes & SG_CH_CONTENT)
		sg_json_bool(c, "profile_content", true);
	if (it->changes & SG_CH_MODE)
		jfromto(c, "mode", o->mode < 0 ? "profile" : mode_word(o->mode),
			w->mode < 0 ? "profile" : mode_word(w->mode));
	if (it->changes & (SG_CH_HOOK | SG_CH_ATTACH)) {
		char a[600], b[600];

		place(o, a, sizeof(a));
		place(w, b, sizeof(b));
		jfromto(c, "place", a, b);
	}
	if (it->changes & SG_CH_NETNS)
		sg_json_bool(jfromto(c, "netns", o->netns, w->netns), "move",
			     !sg_netns_same(o->netns, w->netns));
	if (it->changes & SG_CH_OWN_HOSTS)
		jlistdiff(c, "own_host", &o->own_hosts, &w->own_hosts);
	if (it->changes & SG_CH_PEERS)
		jlistdiff(c, "peer", &o->peers, &w->peers);
	if (it->changes & SG_CH_ALLOW)
		jlistdiff(c, "allow", &o->allow, &w->allow);
	if (it->changes & SG_CH_DENY)
		jlistdiff(c, "deny", &o->deny, &w->deny);
}

void sg_plan_json(const struct sg_plan *pl, struct json_object *doc)
{
	struct json_object *items = sg_json_arr(doc, "plan"), *counts;

	for (unsigned int i = 0; i < pl->n; i++) {
		const struct sg_item *it = &pl->items[i];
		struct json_object *j = json_object_new_object();
		int rc = it->rc ? it->rc : it->exec_rc;

		json_object_array_add(items, j);
		sg_json_str(j, "customer", it->customer);
		sg_json_str(j, "action", it->rc ? NULL : sg_act_name(it->act));
		if (it->src.file[0])
			sg_json_str(j, "source", it->src.file);
		if (rc) {
			sg_json_str(j, "error", it->reason[0] ? it->reason : "failed");
			sg_json_int(j, "exit_code", rc);
		}
		if (!(pl->flags & SG_PLAN_DRY_RUN) && !it->rc && it->act != SG_ACT_KEEP)
			sg_json_bool(j, "done", it->done);
		if (it->have_want)
			jparams(j, "desired", &it->want);
		if (it->have_prev)
			sg_json_u64(jparams(j, "current", &it->prev.p), "generation", it->prev.generation);
		if (!it->rc && it->act == SG_ACT_CHANGE)
			jchanges(j, it);
		if (!it->rc && it->act == SG_ACT_REPAIR)
			sg_json_str(j, "why", it->why);
	}
	counts = sg_json_obj(doc, "counts");
	for (int a = 0; a < SG_ACT_N; a++)
		sg_json_int(counts, sg_act_name((enum sg_act)a), pl->count[a]);
	sg_json_bool(doc, "change", sg_plan_changes(pl));
}
