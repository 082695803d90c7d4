// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* sipguard status / stats / list: the state files compared with what the
 * kernel holds (pins in bpffs, rules read back over netlink). */
#define _GNU_SOURCE
#pragma GCC diagnostic ignored "-Wformat-truncation"
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <getopt.h>
#include <pthread.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <linux/netfilter.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "commands.h"
#include "dataplane.h"
#include "guard.h"
#include "log.h"
#include "nft.h"
#include "rules.h"
#include "sgjson.h"
#include "sipguard.h"
#include "state.h"
#include "sync.h"

static const char *reason_name(int r)
{
	switch (r) {
#define SG_REASON_CASE(name, val, s, d) case val: return s;
	SG_REASONS(SG_REASON_CASE)
#undef SG_REASON_CASE
	}
	return NULL;
}


/* Last word of a sipguard rule comment: the rule's role (rules.c): deny,
 * guarded, allow, urgent, tcp-invalid, peer, metered, meter-full, rate,
 * syn-rate, to-validator, no-sip-service, validator (not-guarded:
 * generations before the branch chains); jump for the rule in an attached
 * customer's own chain. */
static const char *rule_kind(const char *comment)
{
	const char *sp = strrchr(comment, ' ');
	return sp ? sp + 1 : comment;
}

/* The traffic a rule applies to, in nft's words: ip or ip6 for a rule that
 * matches addresses of one family, else the family of its table (inet). */
static const char *rule_family(const struct sg_rule_info *r, const struct sg_state *st)
{
	return r->nfproto == NFPROTO_IPV4 ? "ip" : r->nfproto == NFPROTO_IPV6 ? "ip6" : st->family;
}

struct cust {
	char name[32];
	struct sg_state st;
	bool loaded;               /* the state file was read */
	char error[768];           /* else why not */
	bool netns_ok, pin_dir_ok, prog_ok, counters_ok, chain_ok, jump_ok, bpf_rule_ok;
	__u32 prog_id;
	char prog_name[BPF_OBJ_NAME_LEN + 1];
	char prog_pin[PATH_MAX + 32], counters_pin[PATH_MAX + 32];
	struct sg_rule_info *rules;
	unsigned int nrules;
	char drift[8][160];
	unsigned int ndrift;
};

static void add_drift(struct cust *c, const char *fmt, const char *arg)
{
	if (c->ndrift < 8)
		snprintf(c->drift[c->ndrift++], sizeof(c->drift[0]), fmt, arg);
}

/* Reads NAME's state file; on failure says why on stderr and in ERR. */
static int load_state(const char *name, struct sg_state *st, char *err, size_t n)
{
	int r;

	sg_log_clear();
	r = sg_state_load(name, st);
	if (!r)
		return 0;
	if (sg_log_first()) { /* sg_state_load said why, naming the file */
		snprintf(err, n, "unreadable state file: %s", sg_log_first());
	} else {
		snprintf(err, n, "unreadable state file %s/customers/%s.conf: %s", sg_state_dir(), name,
			 strerror(-r));
		pr_warn("%s: %s\n", name, err);
	}
	return r;
}

static int probe(const char *name, struct cust *c)
{
	size_t st_end = offsetof(struct cust, st) + sizeof(c->st);
	struct stat sb;
	int fd;

	/* all but the state (sg_state_load clears that): stats and status
	 * probe every customer */
	memset(c, 0, offsetof(struct cust, st));
	memset((char *)c + st_end, 0, sizeof(*c) - st_end);
	snprintf(c->name, sizeof(c->name), "%s", name);
	if (load_state(name, &c->st, c->error, sizeof(c->error)))
		return -1;
	c->loaded = true;
	struct sg_state *st = &c->st;
	snprintf(c->prog_pin, sizeof(c->prog_pin), "%s/sip_validate", st->pin_dir);
	snprintf(c->counters_pin, sizeof(c->counters_pin), "%s/sg_counters", st->pin_dir);
	c->pin_dir_ok = stat(st->pin_dir, &sb) == 0;
	fd = bpf_obj_get(c->prog_pin);
	if (fd >= 0) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0) {
			c->prog_ok = true;
			c->prog_id = info.id;
			snprintf(c->prog_name, sizeof(c->prog_name), "%s", info.name);
		}
		close(fd);
	}
	c->counters_ok = stat(c->counters_pin, &sb) == 0;
	if (!c->prog_ok)
		add_drift(c, "pinned program missing: %s", c->prog_pin);
	if (!c->counters_ok)
		add_drift(c, "pinned counters map missing: %s", c->counters_pin);

	struct sg_nl nl;
	if (sg_nl_open(st->p.netns, &nl)) {
		/* which failed, the namespace or the socket: asked only then */
		int nsfd = sg_netns_open(st->p.netns);

		c->netns_ok = nsfd >= 0;
		if (nsfd >= 0)
			close(nsfd);
		add_drift(c, c->netns_ok ? "cannot open netlink in %s" : "network namespace gone: %s",
			  st->p.netns);
		return 0;
	}
	c->netns_ok = true;
	int family = sg_family_parse(st->family);
	struct sg_name_list chains;
	/* the chain's rules in one round trip; a chain that has some exists.
	 * Without any, whether the chain is there at all (status and stats
	 * read every customer: round trips are most of their time) */
	if (family >= 0 && !sg_rules_list(&nl, family, st->table, st->chain, false, &c->rules, &c->nrules) &&
	    c->nrules) {
		c->chain_ok = true;
	} else if (family >= 0 && !sg_nft_list_chains(&nl, family, st->table, &chains)) {
		free(c->rules);
		c->rules = NULL;
		c->nrules = 0;
		for (unsigned int i = 0; i < chains.n; i++)
			c->chain_ok |= !strcmp(chains.v[i], st->chain);
		sg_name_list_free(&chains);
	}
	if (c->chain_ok && (c->nrules || !sg_rules_list(&nl, family, st->table, st->chain, true, &c->rules, &c->nrules))) {
		for (unsigned int i = 0; i < c->nrules; i++)
			c->bpf_rule_ok |= (c->rules[i].is_bpf && !strcmp(c->rules[i].bpf_path, c->prog_pin)) ||
					  /* a shield drops natively: no program */
					  !strcmp(rule_kind(c->rules[i].comment), "no-sip-service");
	}
	if (!c->chain_ok)
		add_drift(c, "chain missing: %s", st->chain);
	else if (!c->bpf_rule_ok)
		add_drift(c, "xt bpf rule missing or not on %s", c->prog_pin);
	else if (c->nrules != st->rules)
		add_drift(c, "rules differ from the state (%s)", "rule missing or added");
	if (st->p.attach[0]) {
		struct sg_rule_info *r;
		unsigned int n;
		char cm[128];
		snprintf(cm, sizeof(cm), "sipguard %s jump", st->p.customer);
		if (!sg_nft_list_rules(&nl, family, st->table, NULL, &r, &n)) {
			for (unsigned int i = 0; i < n; i++)
				c->jump_ok |= !strcmp(r[i].comment, cm) && !strcmp(r[i].jump, st->chain);
			free(r);
		}
		if (!c->jump_ok)
			add_drift(c, "jump rule missing in %s", st->p.attach);
	}
	sg_nl_close(&nl);
	return 0;
}


/* What probe allocated in C; C itself stays. */
static void cust_release(struct cust *c)
{
	free(c->rules);
	c->rules = NULL;
	if (c->loaded)
		sg_params_free(&c->st.p);
	c->loaded = false;
}

/* Probing is most of what status and stats do at scale: a state file,
 * pins and a netlink round trip inside the customer's namespace, each
 * customer on its own and most of it waiting on the kernel. Workers (one
 * per CPU, at most PROBE_THREADS_MAX; setns is per thread) take the
 * customers of a batch in turn; the caller reports the batch in order and
 * reuses its memory for the next. The workers live as long as the
 * command: a thread per batch paid for its new arena's page faults. */
#define PROBE_THREADS_MAX 8
#define PROBE_BATCH 64

struct probe_run {
	void (*fn)(void *item, const char *name);
	char *items;               /* PROBE_BATCH items of item_size bytes */
	size_t item_size;
	char (*names)[32];         /* this batch's names */
	int n;
	int next;                  /* the next item to take (atomic) */
	/* the workers: a batch is a generation; each worker takes part in
	 * each, and the caller waits until none is busy */
	pthread_mutex_t mu;
	pthread_cond_t go, done;
	unsigned long gen;
	int busy, nthreads;
	bool quit;
	pthread_t threads[PROBE_THREADS_MAX];
};

#define PROBE_RUN_INIT(f, type) { .fn = (f), .item_size = sizeof(type), \
	.mu = PTHREAD_MUTEX_INITIALIZER, .go = PTHREAD_COND_INITIALIZER, .done = PTHREAD_COND_INITIALIZER }

static void probe_items(struct probe_run *pr)
{
	int i;

	while ((i = __atomic_fetch_add(&pr->next, 1, __ATOMIC_RELAXED)) < pr->n)
		pr->fn(pr->items + (size_t)i * pr->item_size, pr->names[i]);
}

static void *probe_worker(void *arg)
{
	struct probe_run *pr = arg;
	unsigned long seen = 0;

	pthread_mutex_lock(&pr->mu);
	for (;;) {
		while (pr->gen == seen && !pr->quit)
			pthread_cond_wait(&pr->go, &pr->mu);
		if (pr->quit)
			break;
		seen = pr->gen;
		pthread_mutex_unlock(&pr->mu);
		probe_items(pr);
		pthread_mutex_lock(&pr->mu);
		if (--pr->busy == 0)
			pthread_cond_signal(&pr->done);
	}
	pthread_mutex_unlock(&pr->mu);
	return NULL;
}

/* Starts the workers for N customers, probed into ITEMS: one per CPU
 * besides the caller's thread, none for one customer; those that cannot
 * start are done without */
static void probe_start(struct probe_run *pr, void *items, int n)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int want = cpus > 1 ? (int)cpus - 1 : 0;

	if (want > PROBE_THREADS_MAX)
		want = PROBE_THREADS_MAX;
	if (want > n - 1)
		want = n > 1 ? n - 1 : 0;
	pr->items = items;
	pr->nthreads = 0;
	while (pr->nthreads < want && !pthread_create(&pr->threads[pr->nthreads], NULL, probe_worker, pr))
		pr->nthreads++;
}

/* Probes the PR->n items of the batch in PR->names. */
static void probe_batch(struct probe_run *pr)
{
	pr->next = 0;
	pthread_mutex_lock(&pr->mu);
	pr->busy = pr->nthreads;
	pr->gen++;
	pthread_cond_broadcast(&pr->go);
	pthread_mutex_unlock(&pr->mu);
	probe_items(pr);
	pthread_mutex_lock(&pr->mu);
	while (pr->busy)
		pthread_cond_wait(&pr->done, &pr->mu);
	pthread_mutex_unlock(&pr->mu);
}

/* Probes the next batch of NAMES (N in all) from *FIRST on; returns how
 * many it probed, 0 when all were. */
static int probe_next(struct probe_run *pr, char (*names)[32], int n, int *first)
{
	if (*first >= n)
		return 0;
	pr->names = names + *first;
	pr->n = n - *first < PROBE_BATCH ? n - *first : PROBE_BATCH;
	*first += pr->n;
	probe_batch(pr);
	return pr->n;
}

static void probe_stop(struct probe_run *pr)
{
	pthread_mutex_lock(&pr->mu);
	pr->quit = true;
	pthread_cond_broadcast(&pr->go);
	pthread_mutex_unlock(&pr->mu);
	for (int i = 0; i < pr->nthreads; i++)
		pthread_join(pr->threads[i], NULL);
	pr->nthreads = 0;
}

/* Customers to report: ONE or all with a state file. */
static int names_for(const char *one, char (**names)[32])
{
	if (one) {
		if (!sg_customer_name_ok(one)) {
			pr_warn("bad customer name '%s'\n", one);
			return -SG_EXIT_USAGE;
		}
		char path[PATH_MAX];
		struct stat sb;
		snprintf(path, sizeof(path), "%s/customers/%s.conf", sg_state_dir(), one);
		if (stat(path, &sb)) {
			pr_warn("customer '%s' is not enabled\n", one);
			return -SG_EXIT_FAIL;
		}
		*names = calloc(1, sizeof(**names));
		snprintf((*names)[0], 32, "%s", one);
		return 1;
	}
	int n = sg_state_customers(names);
	if (n < 0)
		pr_warn("cannot read %s/customers: %s\n", sg_state_dir(), strerror(-n));
	return n < 0 ? -SG_EXIT_FAIL : n;
}

static const char *mode_of(const struct sg_state *st)
{
	return st->monitor ? "monitor" : "enforce";
}

struct report_opts {
	const char *one;           /* CUSTOMER, or NULL: all */
	bool json, prom;
	const char *textfile;      /* stats --textfile DIR */
};

/* Options of status (STATS false) and stats. Returns 0, or an exit code + 100
 * after --help, or SG_EXIT_USAGE. */
static int parse_report(int argc, char **argv, const char *usage, bool stats, struct report_opts *o)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "prometheus", no_argument, NULL, 'P' },
		{ "textfile", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': o->json = true; break;
		case 'P': if (!stats) goto bad; o->prom = true; break;
		case 't': if (!stats) goto bad; o->textfile = optarg; break;
		case 'h': fputs(usage, stdout); return SG_EXIT_OK + 100;
		default: goto bad;
		}
	}
	if (optind < argc)
		o->one = argv[optind++];
	if (optind < argc) {
		pr_warn("%s: at most one customer\n", argv[0]);
		goto bad;
	}
	if (o->textfile && o->json) {
		pr_warn("%s: --textfile writes the Prometheus format, not JSON\n", argv[0]);
		goto bad;
	}
	if (o->textfile)
		o->prom = true;
	if (o->json && o->prom) {
		pr_warn("%s: --json or --prometheus, not both\n", argv[0]);
		goto bad;
	}
	return 0;
bad:
	fputs(usage, stderr);
	return SG_EXIT_USAGE;
}

/* The common start of status and stats: options, root, the customers to
 * report. Returns their number (names in *NAMES), or -1 with the exit code
 * in *EXIT_CODE. */
static int begin_report(int argc, char **argv, const char *usage, bool stats,
			struct report_opts *o, char (**names)[32], int *exit_code)
{
	int rc, n;

	rc = parse_report(argc, argv, usage, stats, o);
	if (rc) {
		*exit_code = rc == 100 ? SG_EXIT_OK : rc;
		return -1;
	}
	sg_log_clear();
	if ((rc = sg_require_root())) {
		*exit_code = rc;
		goto fail;
	}
	sg_lock_shared(); /* a plan being executed is seen whole or not at all */
	n = names_for(o->one, names);
	if (n < 0) {
		*exit_code = -n;
		goto fail;
	}
	return n;
fail:
	/* not a bad command line: --json still gets an object, with why */
	if (o->json && *exit_code != SG_EXIT_USAGE) {
		struct json_object *doc = sg_json_doc();

		sg_json_arr(doc, "customers");
		sg_json_str(doc, "error", sg_log_first() ? sg_log_first() : "failed");
		sg_json_emit(doc);
	}
	return -1;
}

/* {"customer": NAME, "error": ...} for a customer whose state is unreadable */
static struct json_object *error_entry(const struct cust *c)
{
	struct json_object *o = json_object_new_object();

	sg_json_str(o, "customer", c->name);
	sg_json_str(o, "error", c->error);
	return o;
}

static struct json_object *status_json(const struct cust *c)
{
	const struct sg_state *st = &c->st;
	struct json_object *o = json_object_new_object(), *pins, *a;
	char table[300];

	sg_json_str(o, "customer", st->p.customer);
	sg_json_bool(o, "in_sync", c->ndrift == 0);
	sg_json_str(o, "profile", st->profile_name);
	sg_json_str(o, "profile_path", st->profile_path);
	sg_json_str(o, "mode", mode_of(st));
	sg_json_str(o, "netns", st->p.netns);
	sg_json_bool(o, "netns_present", c->netns_ok);
	sg_json_str(o, "hook", st->p.attach[0] ? "attach" : st->p.hook ? "forward" : "input");
	sg_json_str(o, "attach", st->p.attach);
	sg_json_u64(o, "generation", st->generation);
	sg_json_u64(o, "id", st->id);
	sg_json_u64(o, "slot", st->slot);
	sg_json_str(o, "variant", st->variant);
	snprintf(table, sizeof(table), "%s %s", st->family, st->table);
	sg_json_str(o, "table", table);
	sg_json_str(o, "chain", st->chain);
	pins = sg_json_obj(o, "pins");
	sg_json_str(pins, "dir", st->pin_dir);
	sg_json_bool(pins, "dir_present", c->pin_dir_ok);
	sg_json_str(pins, "program", c->prog_pin);
	sg_json_bool(pins, "program_present", c->prog_ok);
	sg_json_u64(pins, "program_id", c->prog_id);
	sg_json_str(pins, "program_name", c->prog_name);
	sg_json_bool(pins, "counters_present", c->counters_ok);
	a = sg_json_arr(o, "rules");
	for (unsigned int r = 0; r < c->nrules; r++) {
		struct json_object *ro = json_object_new_object();

		sg_json_u64(ro, "handle", c->rules[r].handle);
		sg_json_str(ro, "kind", rule_kind(c->rules[r].comment));
		sg_json_str(ro, "family", rule_family(&c->rules[r], st));
		sg_json_u64(ro, "packets", c->rules[r].packets);
		sg_json_u64(ro, "bytes", c->rules[r].bytes);
		sg_json_str(ro, "comment", c->rules[r].comment);
		json_object_array_add(a, ro);
	}
	a = sg_json_arr(o, "drift");
	for (unsigned int d = 0; d < c->ndrift; d++)
		json_object_array_add(a, json_object_new_string(c->drift[d]));
	return o;
}

static void status_text(const struct cust *c)
{
	const struct sg_state *st = &c->st;

	printf("%s: profile %s (%s), mode %s, netns %s%s, %s\n", st->p.customer,
	       st->profile_name, st->profile_path, mode_of(st),
	       st->p.netns[0] ? st->p.netns : "(current)", c->netns_ok ? "" : " [GONE]",
	       st->p.attach[0] ? st->p.attach : st->p.hook ? "hook forward" : "hook input");
	printf("  generation %u, table %s %s, chain %s\n", st->generation, st->family,
	       st->table, st->chain);
	printf("  customer id %u, validator in profile slot %u (%s variant)\n", st->id,
	       st->slot, st->variant[0] ? st->variant : "?");
	printf("  program %s: %s", c->prog_pin, c->prog_ok ? "pinned" : "MISSING");
	if (c->prog_ok)
		printf(" (id %u, %s)", c->prog_id, c->prog_name);
	printf("\n  counters %s: %s\n", c->counters_pin, c->counters_ok ? "pinned" : "MISSING");
	for (unsigned int r = 0; r < c->nrules; r++)
		printf("  rule handle %-4llu %-14s %-4s packets %llu bytes %llu\n",
		       (unsigned long long)c->rules[r].handle, rule_kind(c->rules[r].comment),
		       rule_family(&c->rules[r], st), (unsigned long long)c->rules[r].packets,
		       (unsigned long long)c->rules[r].bytes);
	for (unsigned int d = 0; d < c->ndrift; d++)
		printf("  DRIFT: %s\n", c->drift[d]);
	if (!c->ndrift)
		printf("  in sync\n");
}

static void status_probe(void *item, const char *name)
{
	probe(name, item);
}

int cmd_status(int argc, char **argv)
{
	struct sg_json_stream js;
	struct probe_run pr = PROBE_RUN_INIT(status_probe, struct cust);
	struct cust *batch;
	struct report_opts o;
	char (*names)[32] = NULL;
	long long sync_rev;
	int rc, n;
	bool drift = false;

	n = begin_report(argc, argv,
			 "Usage: sipguard status [CUSTOMER] [--json]\n"
			 "State of each customer against the kernel: pins, program id, rules with\n"
			 "handles and counters. Exit 4 when something drifted (pin or rule missing,\n"
			 "namespace gone, state file unreadable).\n"
			 "  --json      one JSON object: {\"schema\": \"sipguard/1\", \"customers\": [...]}\n"
			 "  -h, --help  this text\n", false, &o, &names, &rc);
	if (n < 0)
		return rc;
	sync_rev = sg_sync_revision(); /* under the lock, as the customers */
	batch = calloc(PROBE_BATCH, sizeof(*batch));
	if (!batch) {
		pr_warn("status: out of memory\n");
		free(names);
		return SG_EXIT_FAIL;
	}
	if (o.json)
		sg_json_stream_begin(&js, sg_json_doc(), "customers");
	probe_start(&pr, batch, n);
	for (int first = 0, k; (k = probe_next(&pr, names, n, &first));) {
		for (int i = 0; i < k; i++) {
			struct cust *c = &batch[i];

			if (!c->loaded) { /* the state file is unreadable */
				drift = true;
				if (o.json) {
					struct json_object *e = error_entry(c);

					sg_json_bool(e, "in_sync", false);
					sg_json_stream_add(&js, e);
				} else {
					printf("%s: state file unreadable\n  DRIFT: %s\n", c->name, c->error);
				}
			} else {
				drift |= c->ndrift > 0;
				if (o.json)
					sg_json_stream_add(&js, status_json(c));
				else
					status_text(c);
			}
			cust_release(c);
		}
	}
	probe_stop(&pr);
	free(batch);
	if (o.json) {
		struct json_object *tail = json_object_new_object();

		sg_json_bool(tail, "in_sync", !drift);
		if (sync_rev >= 0)
			sg_json_int(tail, "sync_revision", sync_rev);
		else
			sg_json_str(tail, "sync_revision", NULL);
		sg_json_stream_end(&js, tail);
	} else if (sync_rev >= 0) {
		printf("sync: etcd revision %lld applied\n", sync_rev);
	}
	free(names);
	return drift ? SG_EXIT_DRIFT : SG_EXIT_OK;
}

static int read_counters(const char *pin, struct sg_counter out[SG_REASON_MAX])
{
	int ncpu = libbpf_num_possible_cpus(), fd, err = 0;
	struct sg_counter *vals;

	memset(out, 0, sizeof(struct sg_counter) * SG_REASON_MAX);
	if (ncpu <= 0)
		return -EINVAL;
	fd = bpf_obj_get(pin);
	if (fd < 0)
		return -errno;
	/* every reason in one call (stats reads every customer); a kernel
	 * without batch lookups gets one call per reason */
	vals = calloc((size_t)ncpu * SG_REASON_MAX, sizeof(*vals));
	if (vals) {
		__u32 keys[SG_REASON_MAX], count = SG_REASON_MAX, next;

		if ((!bpf_map_lookup_batch(fd, NULL, &next, keys, vals, &count, NULL) || errno == ENOENT) &&
		    count == SG_REASON_MAX) {
			for (__u32 i = 0; i < count; i++)
				for (int cpu = 0; keys[i] < SG_REASON_MAX && cpu < ncpu; cpu++) {
					out[keys[i]].packets += vals[i * ncpu + cpu].packets;
					out[keys[i]].bytes += vals[i * ncpu + cpu].bytes;
					out[keys[i]].suppressed += vals[i * ncpu + cpu].suppressed;
				}
			goto out;
		}
	}
	for (__u32 k = 0; k < SG_REASON_MAX && vals; k++) {
		if (bpf_map_lookup_elem(fd, &k, vals)) {
			err = -errno;
			break;
		}
		for (int cpu = 0; cpu < ncpu; cpu++) {
			out[k].packets += vals[cpu].packets;
			out[k].bytes += vals[cpu].bytes;
			out[k].suppressed += vals[cpu].suppressed;
		}
	}
out:
	free(vals);
	close(fd);
	return err;
}

/* Drops that sent no drop event (the profile's [events] rate), per reason:
 * kept with the counters (struct sg_counter.suppressed). */
static void read_suppressed(const struct sg_counter cnt[SG_REASON_MAX], uint64_t out[SG_REASON_MAX])
{
	for (int k = 0; k < SG_REASON_MAX; k++)
		out[k] = cnt[k].suppressed;
}

/* A customer as stats sees it. */
struct scust {
	struct cust *c;
	bool probed;               /* else c->error says why not */
	int counters_err;
	struct sg_counter cnt[SG_REASON_MAX];
	uint64_t suppressed[SG_REASON_MAX];
};

/* A profile's validator in the shared dataplane (dataplane.h). */
struct slot_row {
	unsigned int slot;
	struct sg_slot_info si;
};

/* The loaded profile validators (none when nothing is enabled). */
static int read_slots(struct slot_row **out)
{
	struct sg_dp dp;
	int n = 0;

	*out = NULL;
	if (!sg_dp_exists(sg_pin_root()) || sg_dp_open(&dp, sg_pin_root(), false))
		return 0;
	*out = calloc(SG_MAX_PROFILES, sizeof(**out));
	for (unsigned int s = 0; *out && s < SG_MAX_PROFILES; s++) {
		struct sg_slot_info si;

		if (sg_dp_slot_info(&dp, s, &si) || !si.hash)
			continue;
		si.name[sizeof(si.name) - 1] = 0;
		(*out)[n].slot = s;
		(*out)[n++].si = si;
	}
	sg_dp_close(&dp);
	return n;
}

/* ---------------------------------------------------------- Prometheus */

static void prom_family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* NAME{KEY="VALUE",...} VALUE\n into LINE (PROM_LINE bytes); the labels
 * as KEY, VALUE pairs up to NULL. Returns its length. */
#define PROM_LINE 2048
static size_t prom_vline(char *line, const char *name, uint64_t value, va_list ap)
{
	char num[24];
	size_t n = 0, room = PROM_LINE - sizeof(num) - 8;
	const char *k, *v;
	bool first = true;
	int d = sizeof(num);

#define PUT(c) do { if (n < room) line[n++] = (c); } while (0)
	for (const char *p = name; *p; p++)
		PUT(*p);
	while ((k = va_arg(ap, const char *))) {
		v = va_arg(ap, const char *);
		PUT(first ? '{' : ',');
		for (; *k; k++)
			PUT(*k);
		PUT('=');
		PUT('"');
		for (; *v; v++) {
			if (*v == '\\' || *v == '"' || *v == '\n')
				PUT('\\');
			PUT(*v == '\n' ? 'n' : *v);
		}
		PUT('"');
		first = false;
	}
#undef PUT
	if (!first)
		line[n++] = '}';
	line[n++] = ' ';
	do
		num[--d] = (char)('0' + value % 10);
	while ((value /= 10));
	memcpy(line + n, num + d, sizeof(num) - (size_t)d);
	n += sizeof(num) - (size_t)d;
	line[n++] = '\n';
	return n;
}

/* One sample to F: the line is built, then written at once. */
static void prom_sample(FILE *f, const char *name, uint64_t value, ...)
{
	char line[PROM_LINE];
	va_list ap;
	size_t n;

	va_start(ap, value);
	n = prom_vline(line, name, value, ap);
	va_end(ap);
	fwrite(line, 1, n, f);
}

/* A customer's rules summed by role and family: several rules share both
 * (meter-full for UDP and TCP), and handles change with every generation. */
struct rule_sum {
	const char *role, *family;
	uint64_t packets, bytes;
};

static unsigned int rule_sums(const struct cust *c, struct rule_sum *out)
{
	unsigned int n = 0;

	for (unsigned int r = 0; r < c->nrules; r++) {
		const char *role = rule_kind(c->rules[r].comment);
		const char *fam = rule_family(&c->rules[r], &c->st);
		unsigned int k;

		for (k = 0; k < n; k++)
			if (!strcmp(out[k].role, role) && !strcmp(out[k].family, fam))
				break;
		if (k == n)
			out[n++] = (struct rule_sum){ role, fam, 0, 0 };
		out[k].packets += c->rules[r].packets;
		out[k].bytes += c->rules[r].bytes;
	}
	return n;
}

/* The exposition is grouped by metric family, and every family but the
 * last ones has a sample per customer. Customer after customer, what the
 * families say of it is kept in a compact record (prom_customer: 2 KB,
 * where its state is 60 KB: 600 MB at 10,000 customers), and the families
 * are written from the records at the end (prom_write), straight to the
 * output. Keeping the text of each family in a buffer instead (11 MB at
 * 1,000 customers) cost a third of stats' time in copies and first
 * touches of fresh pages. */
enum { PF_INFO, PF_GENERATION, PF_DRIFT, PF_PACKETS, PF_BYTES, PF_RULE_PACKETS, PF_RULE_BYTES,
       PF_SUPPRESSED, PF_N };
static const struct prom_family_def {
	const char *name, *type, *help;
} prom_families[PF_N] = {
	[PF_INFO] = { "sipguard_customer_info", "gauge",
		      "A customer enabled on this host, with its profile and mode (always 1)." },
	[PF_GENERATION] = { "sipguard_customer_generation", "gauge",
			    "Generation of the customer's rules and pins in force (grows with every change)." },
	[PF_DRIFT] = { "sipguard_customer_drift", "gauge",
		       "1 when the kernel's state differs from the customer's state file, as "
		       "'sipguard status' reports it (exit 4), or the state file is unreadable; else 0." },
	[PF_PACKETS] = { "sipguard_packets_total", "counter",
			 "Packets judged by the customer's validator, per verdict reason "
			 "(action: pass, drop, or monitor for a drop not done)." },
	[PF_BYTES] = { "sipguard_bytes_total", "counter",
		       "Bytes judged by the customer's validator, per verdict reason "
		       "(action: pass, drop, or monitor for a drop not done)." },
	[PF_RULE_PACKETS] = { "sipguard_rule_packets_total", "counter",
			      "Packets matched by the customer's nftables rules, by the rule's role "
			      "(last word of its comment) and family (ip, ip6, or the table's)." },
	[PF_RULE_BYTES] = { "sipguard_rule_bytes_total", "counter",
			    "Bytes matched by the customer's nftables rules, by the rule's role "
			    "(last word of its comment) and family (ip, ip6, or the table's)." },
	[PF_SUPPRESSED] = { "sipguard_events_suppressed_total", "counter",
			    "Drop events not delivered to the event stream (sampled out or lost), per "
			    "customer and drop reason." },
};

struct prom_rule {
	char role[32], family[8];
	uint64_t packets, bytes;
};

struct prom_cust {
	char name[32], profile[64];
	unsigned int generation, nrules;
	bool probed, drift, counters_ok, monitor;
	uint64_t packets[SG_REASON_MAX], bytes[SG_REASON_MAX], suppressed[SG_REASON_MAX];
	struct prom_rule *rules;
};

struct prom_out {
	struct prom_cust *v;
	unsigned int n, cap;
	bool oom;
};

static void prom_close(struct prom_out *po)
{
	for (unsigned int i = 0; i < po->n; i++)
		free(po->v[i].rules);
	free(po->v);
	memset(po, 0, sizeof(*po));
}

/* Keeps what the families say of one customer. */
static void prom_customer(struct prom_out *po, const struct scust *s)
{
	const struct cust *c = s->c;
	struct prom_cust *p;

	if (po->n == po->cap) {
		unsigned int cap = po->cap ? 2 * po->cap : 64;
		void *nv = realloc(po->v, cap * sizeof(*po->v));

		if (!nv) {
			po->oom = true;
			return;
		}
		po->v = nv;
		po->cap = cap;
	}
	p = &po->v[po->n++];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", c->name);
	p->probed = s->probed;
	p->drift = !s->probed || c->ndrift || s->counters_err;
	if (!s->probed)
		return;
	snprintf(p->profile, sizeof(p->profile), "%s", c->st.profile_name);
	p->generation = c->st.generation;
	p->monitor = c->st.monitor;
	p->counters_ok = !s->counters_err;
	for (int r = 0; r < SG_REASON_MAX; r++) {
		p->packets[r] = s->cnt[r].packets;
		p->bytes[r] = s->cnt[r].bytes;
		p->suppressed[r] = s->suppressed[r];
	}
	if (c->nrules) {
		struct rule_sum *sums = calloc(c->nrules, sizeof(*sums));
		unsigned int ns = sums ? rule_sums(c, sums) : 0;

		p->rules = ns ? calloc(ns, sizeof(*p->rules)) : NULL;
		for (unsigned int k = 0; p->rules && k < ns; k++) {
			snprintf(p->rules[k].role, sizeof(p->rules[k].role), "%s", sums[k].role);
			snprintf(p->rules[k].family, sizeof(p->rules[k].family), "%s", sums[k].family);
			p->rules[k].packets = sums[k].packets;
			p->rules[k].bytes = sums[k].bytes;
		}
		p->nrules = p->rules ? ns : 0;
		if (ns && !p->rules)
			po->oom = true;
		free(sums);
	}
}

/* Family K's samples of every customer. */
static void prom_family_samples(FILE *f, const struct prom_out *po, int k)
{
	const char *name = prom_families[k].name;

	for (unsigned int i = 0; i < po->n; i++) {
		const struct prom_cust *p = &po->v[i];

		if (k == PF_DRIFT) {
			prom_sample(f, name, p->drift, "customer", p->name, NULL);
			continue;
		}
		if (!p->probed)
			continue;
		switch (k) {
		case PF_INFO:
			prom_sample(f, name, 1, "customer", p->name, "profile", p->profile, "mode",
				    p->monitor ? "monitor" : "enforce", NULL);
			break;
		case PF_GENERATION:
			prom_sample(f, name, p->generation, "customer", p->name, NULL);
			break;
		case PF_PACKETS:
		case PF_BYTES:
			for (int r = 0; r < SG_REASON_MAX && p->counters_ok; r++)
				if (reason_name(r))
					prom_sample(f, name, k == PF_BYTES ? p->bytes[r] : p->packets[r],
						    "customer", p->name, "profile", p->profile, "reason",
						    reason_name(r), "action",
						    r < SG_FIRST_DROP ? "pass" : p->monitor ? "monitor" : "drop",
						    NULL);
			break;
		case PF_RULE_PACKETS:
		case PF_RULE_BYTES:
			for (unsigned int r = 0; r < p->nrules; r++)
				prom_sample(f, name,
					    k == PF_RULE_BYTES ? p->rules[r].bytes : p->rules[r].packets,
					    "customer", p->name, "profile", p->profile, "family",
					    p->rules[r].family, "role", p->rules[r].role, NULL);
			break;
		case PF_SUPPRESSED:
			for (int r = SG_FIRST_DROP; r < SG_REASON_MAX; r++)
				if (reason_name(r))
					prom_sample(f, name, p->suppressed[r], "customer", p->name, "reason",
						    reason_name(r), NULL);
			break;
		}
	}
}

/* The customers' families (prom_customer's records), then the host's. */
static void prom_write(FILE *f, struct prom_out *po, const struct slot_row *slots, int nslots,
		       unsigned int state_errors)
{
	long long sync_rev = sg_sync_revision();
	char num[16];

	for (int k = 0; k < PF_N; k++) {
		prom_family(f, prom_families[k].name, prom_families[k].type, prom_families[k].help);
		prom_family_samples(f, po, k);
	}
	prom_family(f, "sipguard_profile_info", "gauge",
		    "A profile's validator loaded on this host: its slot in the program array and "
		    "its program variant (always 1).");
	for (int s = 0; s < nslots; s++) {
		snprintf(num, sizeof(num), "%u", slots[s].slot);
		prom_sample(f, "sipguard_profile_info", 1, "profile", slots[s].si.name, "slot", num,
			    "variant", sg_variant_name((int)slots[s].si.variant), NULL);
	}
	prom_family(f, "sipguard_profile_verified_instructions", "gauge",
		    "Instructions the kernel verifier processed to load the profile's validator "
		    "(of its 1000000 budget).");
	for (int s = 0; s < nslots; s++) {
		snprintf(num, sizeof(num), "%u", slots[s].slot);
		prom_sample(f, "sipguard_profile_verified_instructions", slots[s].si.verified_insns,
			    "profile", slots[s].si.name, "slot", num, NULL);
	}
	prom_family(f, "sipguard_state_errors", "gauge",
		    "State files sipguard could not read (their customers are reported as drifted).");
	prom_sample(f, "sipguard_state_errors", state_errors, NULL);
	if (sync_rev >= 0) {
		/* only on a host that sipguard sync manages */
		prom_family(f, "sipguard_sync_revision", "gauge",
			    "etcd revision of the desired state that sipguard sync applied last.");
		prom_sample(f, "sipguard_sync_revision", (uint64_t)sync_rev, NULL);
	}
}

/* DIR/sipguard.prom for node_exporter's textfile collector: written to a
 * temporary file in DIR, then renamed over it (a scrape never sees half). */
static int prom_textfile(const char *dir, struct prom_out *po, const struct slot_row *slots,
			 int nslots, unsigned int state_errors)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	FILE *f;
	int fd, err = 0;

	if (snprintf(path, sizeof(path), "%s/sipguard.prom", dir) >= (int)sizeof(path) ||
	    snprintf(tmp, sizeof(tmp), "%s/.sipguard.prom.XXXXXX", dir) >= (int)sizeof(tmp)) {
		pr_warn("--textfile: path too long: %s\n", dir);
		return SG_EXIT_USAGE;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		pr_warn("--textfile: cannot create a file in %s: %s\n", dir, strerror(errno));
		return SG_EXIT_FAIL;
	}
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		return SG_EXIT_FAIL;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 16);
	prom_write(f, po, slots, nslots, state_errors);
	if (fflush(f) || ferror(f) || fchmod(fd, 0644) || fsync(fd))
		err = errno ? errno : EIO;
	if (fclose(f) && !err)
		err = errno;
	if (!err && rename(tmp, path))
		err = errno;
	if (err) {
		pr_warn("--textfile: cannot write %s: %s\n", path, strerror(err));
		unlink(tmp);
		return SG_EXIT_FAIL;
	}
	return SG_EXIT_OK;
}

/* ---------------------------------------------------------- stats */

static struct json_object *stats_json(const struct scust *s)
{
	const struct cust *c = s->c;
	struct json_object *o = json_object_new_object(), *a;

	sg_json_str(o, "customer", c->name);
	sg_json_str(o, "profile", c->st.profile_name);
	sg_json_str(o, "mode", mode_of(&c->st));
	sg_json_u64(o, "generation", c->st.generation);
	sg_json_bool(o, "in_sync", c->ndrift == 0 && !s->counters_err);
	if (s->counters_err) {
		char e[PATH_MAX + 100];

		snprintf(e, sizeof(e), "counters not readable at %s: %s", c->counters_pin,
			 strerror(-s->counters_err));
		sg_json_str(o, "error", e);
	} else {
		a = sg_json_obj(o, "reasons");
		for (int r = 0; r < SG_REASON_MAX; r++) {
			struct json_object *ro;

			if (!reason_name(r))
				continue;
			ro = sg_json_obj(a, reason_name(r));
			sg_json_u64(ro, "packets", s->cnt[r].packets);
			sg_json_u64(ro, "bytes", s->cnt[r].bytes);
			sg_json_str(ro, "action",
				    r < SG_FIRST_DROP ? "pass" : c->st.monitor ? "monitor" : "drop");
			if (r >= SG_FIRST_DROP) /* drops that sent no event (sampling) */
				sg_json_u64(ro, "events_suppressed", s->suppressed[r]);
		}
	}
	a = sg_json_arr(o, "rules");
	for (unsigned int r = 0; r < c->nrules; r++) {
		struct json_object *ro = json_object_new_object();

		sg_json_str(ro, "kind", rule_kind(c->rules[r].comment));
		sg_json_str(ro, "family", rule_family(&c->rules[r], &c->st));
		sg_json_u64(ro, "handle", c->rules[r].handle);
		sg_json_u64(ro, "packets", c->rules[r].packets);
		sg_json_u64(ro, "bytes", c->rules[r].bytes);
		json_object_array_add(a, ro);
	}
	return o;
}

static void stats_text(const struct scust *s)
{
	const struct cust *c = s->c;
	const char *drop_action = c->st.monitor ? "monitor" : "drop";

	printf("%s: profile %s, mode %s\n", c->name, c->st.profile_name, mode_of(&c->st));
	if (!s->counters_err) {
		printf("  %-22s %12s %14s  %-7s  %s\n", "reason", "packets", "bytes", "action",
		       "events not sent");
		for (int r = 0; r < SG_REASON_MAX; r++) {
			if (!reason_name(r) || !s->cnt[r].packets)
				continue;
			printf("  %-22s %12llu %14llu  %-7s", reason_name(r),
			       (unsigned long long)s->cnt[r].packets, (unsigned long long)s->cnt[r].bytes,
			       r < SG_FIRST_DROP ? "pass" : drop_action);
			if (r >= SG_FIRST_DROP)
				printf("  %llu", (unsigned long long)s->suppressed[r]);
			printf("\n");
		}
	}
	for (unsigned int r = 0; r < c->nrules; r++)
		printf("  rule %-14s %-4s handle %-4llu packets %llu bytes %llu\n",
		       rule_kind(c->rules[r].comment), rule_family(&c->rules[r], &c->st),
		       (unsigned long long)c->rules[r].handle, (unsigned long long)c->rules[r].packets,
		       (unsigned long long)c->rules[r].bytes);
}

/* A customer's state, rules and counters (a probe_run worker). */
static void stats_probe(void *item, const char *name)
{
	struct scust *s = item;

	s->probed = false;
	s->counters_err = 0;
	if (probe(name, s->c))
		return;
	s->probed = true;
	s->counters_err = read_counters(s->c->counters_pin, s->cnt);
	read_suppressed(s->cnt, s->suppressed);
}

int cmd_stats(int argc, char **argv)
{
	struct report_opts o;
	struct prom_out po = { 0 };
	struct sg_json_stream js;
	struct slot_row *slots = NULL;
	struct probe_run pr = PROBE_RUN_INIT(stats_probe, struct scust);
	struct cust *cs;
	struct scust *ss;
	char (*names)[32] = NULL;
	unsigned int state_errors = 0;
	int rc, n, nslots = 0;
	bool counters_drift = false;

	n = begin_report(argc, argv,
			 "Usage: sipguard stats [CUSTOMER] [--json | --prometheus [--textfile DIR]]\n"
			 "Packets and bytes per verdict reason (pinned sg_counters map, summed over\n"
			 "CPUs) and the counters of sipguard's nftables rules.\n"
			 "  --json          one JSON object: {\"schema\": \"sipguard/1\", \"customers\": [...],\n"
			 "                  \"profiles\": [...]}\n"
			 "  --prometheus    the Prometheus text format (customer info, drift, packets and\n"
			 "                  bytes per reason, rule counters by role, suppressed events,\n"
			 "                  loaded profile validators)\n"
			 "  --textfile DIR  write it to DIR/sipguard.prom instead (tmp file + rename), for\n"
			 "                  node_exporter's textfile collector\n"
			 "  -h, --help      this text\n"
			 "Exit 1 when a state file is unreadable, 4 when counters are missing (drift).\n",
			 true, &o, &names, &rc);
	if (n < 0)
		return rc;
	/* customer after customer, each reported and freed before the next
	 * (prom_customer); 11 MB of text at 1,000 customers: written in
	 * large pieces */
	if (o.prom && !o.textfile)
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	/* a batch at a time, each customer reported and freed before the
	 * next batch (one customer's state is 60 KB) */
	cs = calloc(PROBE_BATCH, sizeof(*cs));
	ss = calloc(PROBE_BATCH, sizeof(*ss));
	if (!cs || !ss) {
		pr_warn("stats: out of memory\n");
		free(cs);
		free(ss);
		free(names);
		return SG_EXIT_FAIL;
	}
	for (int i = 0; i < PROBE_BATCH; i++)
		ss[i].c = &cs[i];
	if (o.json && !o.prom)
		sg_json_stream_begin(&js, sg_json_doc(), "customers");
	probe_start(&pr, ss, n);
	for (int first = 0, k; (k = probe_next(&pr, names, n, &first));) {
		for (int i = 0; i < k; i++) {
			struct scust *s = &ss[i];

			if (!s->probed) {
				state_errors++;
			} else if (s->counters_err) {
				pr_warn("%s: counters not readable at %s: %s\n", s->c->name,
					s->c->counters_pin, strerror(-s->counters_err));
				counters_drift = true;
			}
			if (o.prom)
				prom_customer(&po, s);
			else if (o.json)
				sg_json_stream_add(&js, s->probed ? stats_json(s) : error_entry(s->c));
			else if (s->probed)
				stats_text(s);
			cust_release(s->c);
		}
	}
	probe_stop(&pr);
	free(ss);
	free(cs);
	if (o.json || o.prom)
		nslots = read_slots(&slots);

	if (rc != SG_EXIT_FAIL)
		rc = state_errors ? SG_EXIT_FAIL : counters_drift ? SG_EXIT_DRIFT : SG_EXIT_OK;
	if (po.oom) {
		pr_warn("stats: out of memory\n");
		rc = SG_EXIT_FAIL;
	} else if (o.textfile) {
		int r = prom_textfile(o.textfile, &po, slots, nslots, state_errors);

		if (r)
			rc = r;
	} else if (o.prom) {
		prom_write(stdout, &po, slots, nslots, state_errors);
	} else if (o.json) {
		struct json_object *tail = json_object_new_object();
		struct json_object *pa = sg_json_arr(tail, "profiles");

		for (int s = 0; s < nslots; s++) {
			struct json_object *po = json_object_new_object();

			sg_json_str(po, "profile", slots[s].si.name);
			sg_json_u64(po, "slot", slots[s].slot);
			sg_json_str(po, "variant", sg_variant_name((int)slots[s].si.variant));
			sg_json_u64(po, "verified_instructions", slots[s].si.verified_insns);
			sg_json_u64(po, "program_id", slots[s].si.prog_id);
			json_object_array_add(pa, po);
		}
		sg_json_stream_end(&js, tail);
	}
	prom_close(&po);
	free(slots);
	free(names);
	return rc;
}

/* ---------------------------------------------------------- list */

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char usage[] =
		"Usage: sipguard list [--json]\n"
		"Enabled customers (from the state files): CUSTOMER PROFILE MODE NETNS GENERATION.\n"
		"  --json      one JSON object: {\"schema\": \"sipguard/1\", \"customers\": [...]}\n"
		"  -h, --help  this text\n"
		"Exit 1 when a state file is unreadable (named on stderr; in the JSON, an entry\n"
		"with \"error\").\n";
	struct json_object *doc = NULL, *arr = NULL;
	char (*names)[32] = NULL;
	bool json = false;
	int c, n, rc = SG_EXIT_OK;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'h': fputs(usage, stdout); return SG_EXIT_OK;
		default: fputs(usage, stderr); return SG_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		pr_warn("list: no arguments expected ('%s')\n", argv[optind]);
		fputs(usage, stderr);
		return SG_EXIT_USAGE;
	}
	if (json) {
		doc = sg_json_doc();
		arr = sg_json_arr(doc, "customers");
	}
	sg_lock_shared();
	n = sg_state_customers(&names);
	if (n < 0) {
		pr_warn("cannot read %s/customers: %s\n", sg_state_dir(), strerror(-n));
		if (json) {
			sg_json_str(doc, "error", sg_log_first());
			sg_json_emit(doc);
		}
		return SG_EXIT_FAIL;
	}
	for (int i = 0; i < n; i++) {
		static struct sg_state st;
		char err[768];

		if (load_state(names[i], &st, err, sizeof(err))) {
			rc = SG_EXIT_FAIL;
			if (json) {
				struct json_object *e = json_object_new_object();

				sg_json_str(e, "customer", names[i]);
				sg_json_str(e, "error", err);
				json_object_array_add(arr, e);
			}
			continue;
		}
		if (json) {
			struct json_object *e = json_object_new_object();

			sg_json_str(e, "customer", st.p.customer);
			sg_json_str(e, "profile", st.profile_name);
			sg_json_str(e, "mode", mode_of(&st));
			sg_json_str(e, "netns", st.p.netns);
			sg_json_u64(e, "generation", st.generation);
			json_object_array_add(arr, e);
		} else {
			printf("%-31s %-10s %-8s %-20s gen %u\n", st.p.customer, st.profile_name,
			       mode_of(&st), st.p.netns[0] ? st.p.netns : "(current)", st.generation);
		}
		sg_params_free(&st.p);
	}
	if (json)
		sg_json_emit(doc);
	free(names);
	return rc;
}
