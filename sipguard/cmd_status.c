// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* sipguard status / stats / list: the state files compared with what the
 * kernel holds (pins in bpffs, rules read back over netlink). */
#define _GNU_SOURCE
#pragma GCC diagnostic ignored "-Wformat-truncation"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "commands.h"
#include "guard.h"
#include "log.h"
#include "nft.h"
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

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* Last word of a sipguard rule comment: deny, allow, rate, validator, jump. */
static const char *rule_kind(const char *comment)
{
	const char *sp = strrchr(comment, ' ');
	return sp ? sp + 1 : comment;
}

struct cust {
	struct sg_state st;
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

static int probe(const char *name, struct cust *c)
{
	struct stat sb;
	int fd;

	memset(c, 0, sizeof(*c));
	if (sg_state_load(name, &c->st))
		return -1;
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

	int nsfd = sg_netns_open(st->p.netns);
	c->netns_ok = nsfd >= 0;
	if (nsfd >= 0)
		close(nsfd);
	if (!c->netns_ok) {
		add_drift(c, "network namespace gone: %s", st->p.netns);
		return 0;
	}
	struct sg_nl nl;
	if (sg_nl_open(st->p.netns, &nl)) {
		add_drift(c, "cannot open netlink in %s", st->p.netns);
		return 0;
	}
	int family = sg_family_parse(st->family);
	struct sg_name_list chains;
	if (family >= 0 && !sg_nft_list_chains(&nl, family, st->table, &chains)) {
		for (unsigned int i = 0; i < chains.n; i++)
			c->chain_ok |= !strcmp(chains.v[i], st->chain);
		sg_name_list_free(&chains);
	}
	if (c->chain_ok && !sg_nft_list_rules(&nl, family, st->table, st->chain, &c->rules, &c->nrules)) {
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

static void cust_free(struct cust *c)
{
	free(c->rules);
	sg_params_free(&c->st.p);
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
	return n < 0 ? -SG_EXIT_FAIL : n;
}

static const char *mode_of(const struct sg_state *st)
{
	return st->monitor ? "monitor" : "enforce";
}

static int parse_common(int argc, char **argv, const char *usage, const char **one, int *fmt,
			bool prom_ok)
{
	*one = NULL;
	*fmt = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			*fmt = 1;
		else if (prom_ok && !strcmp(argv[i], "--prometheus"))
			*fmt = 2;
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return SG_EXIT_OK + 100;
		} else if (argv[i][0] != '-' && !*one)
			*one = argv[i];
		else {
			fputs(usage, stderr);
			return SG_EXIT_USAGE;
		}
	}
	return 0;
}

/* The common start of status and stats: options, root, the customers to
 * report. Returns their number (names in *NAMES), or -1 with the exit code
 * in *EXIT_CODE. */
static int begin_report(int argc, char **argv, const char *usage, bool prom_ok, int *fmt,
			char (**names)[32], int *exit_code)
{
	const char *one;
	int rc, n;

	rc = parse_common(argc, argv, usage, &one, fmt, prom_ok);
	if (rc) {
		*exit_code = rc == 100 ? SG_EXIT_OK : rc;
		return -1;
	}
	if ((rc = sg_require_root())) {
		*exit_code = rc;
		return -1;
	}
	sg_lock_shared(); /* a plan being executed is seen whole or not at all */
	n = names_for(one, names);
	if (n < 0) {
		*exit_code = -n;
		return -1;
	}
	return n;
}

int cmd_status(int argc, char **argv)
{
	char (*names)[32] = NULL;
	int fmt, rc, n;
	bool drift = false;

	n = begin_report(argc, argv,
			 "Usage: sipguard status [CUSTOMER] [--json]\n"
			 "State of each customer against the kernel: pins, program id, rules with\n"
			 "handles and counters. Exit 4 when something drifted (pin or rule missing,\n"
			 "namespace gone).\n", false, &fmt, &names, &rc);
	if (n < 0)
		return rc;
	if (fmt == 1)
		printf("{\"customers\":[");
	for (int i = 0; i < n; i++) {
		struct cust c;
		if (probe(names[i], &c)) {
			pr_warn("%s: unreadable state\n", names[i]);
			drift = true;
			continue;
		}
		struct sg_state *st = &c.st;
		drift |= c.ndrift > 0;
		if (fmt == 1) {
			printf("%s{\"customer\":", i ? "," : "");
			json_str(stdout, st->p.customer);
			printf(",\"profile\":");
			json_str(stdout, st->profile_name);
			printf(",\"profile_path\":");
			json_str(stdout, st->profile_path);
			printf(",\"mode\":\"%s\",\"netns\":", mode_of(st));
			json_str(stdout, st->p.netns);
			printf(",\"netns_present\":%s,\"hook\":\"%s\",\"attach\":",
			       c.netns_ok ? "true" : "false",
			       st->p.attach[0] ? "attach" : st->p.hook ? "forward" : "input");
			json_str(stdout, st->p.attach);
			printf(",\"generation\":%u,\"id\":%u,\"slot\":%u,\"variant\":\"%s\",\"table\":\"%s %s\",\"chain\":",
			       st->generation, st->id, st->slot, st->variant, st->family, st->table);
			json_str(stdout, st->chain);
			printf(",\"pins\":{\"dir\":");
			json_str(stdout, st->pin_dir);
			printf(",\"dir_present\":%s,\"program\":", c.pin_dir_ok ? "true" : "false");
			json_str(stdout, c.prog_pin);
			printf(",\"program_present\":%s,\"program_id\":%u,\"program_name\":\"%s\","
			       "\"counters_present\":%s},\"rules\":[",
			       c.prog_ok ? "true" : "false", c.prog_id, c.prog_name,
			       c.counters_ok ? "true" : "false");
			for (unsigned int r = 0; r < c.nrules; r++) {
				printf("%s{\"handle\":%llu,\"kind\":\"%s\",\"packets\":%llu,\"bytes\":%llu,\"comment\":",
				       r ? "," : "", (unsigned long long)c.rules[r].handle,
				       rule_kind(c.rules[r].comment),
				       (unsigned long long)c.rules[r].packets,
				       (unsigned long long)c.rules[r].bytes);
				json_str(stdout, c.rules[r].comment);
				printf("}");
			}
			printf("],\"drift\":[");
			for (unsigned int d = 0; d < c.ndrift; d++) {
				printf("%s", d ? "," : "");
				json_str(stdout, c.drift[d]);
			}
			printf("]}");
		} else {
			printf("%s: profile %s (%s), mode %s, netns %s%s, %s\n", st->p.customer,
			       st->profile_name, st->profile_path, mode_of(st),
			       st->p.netns[0] ? st->p.netns : "(current)", c.netns_ok ? "" : " [GONE]",
			       st->p.attach[0] ? st->p.attach : st->p.hook ? "hook forward" : "hook input");
			printf("  generation %u, table %s %s, chain %s\n", st->generation, st->family,
			       st->table, st->chain);
			printf("  customer id %u, validator in profile slot %u (%s variant)\n", st->id,
			       st->slot, st->variant[0] ? st->variant : "?");
			printf("  program %s: %s", c.prog_pin, c.prog_ok ? "pinned" : "MISSING");
			if (c.prog_ok)
				printf(" (id %u, %s)", c.prog_id, c.prog_name);
			printf("\n  counters %s: %s\n", c.counters_pin, c.counters_ok ? "pinned" : "MISSING");
			for (unsigned int r = 0; r < c.nrules; r++)
				printf("  rule handle %-4llu %-9s packets %llu bytes %llu\n",
				       (unsigned long long)c.rules[r].handle, rule_kind(c.rules[r].comment),
				       (unsigned long long)c.rules[r].packets,
				       (unsigned long long)c.rules[r].bytes);
			for (unsigned int d = 0; d < c.ndrift; d++)
				printf("  DRIFT: %s\n", c.drift[d]);
			if (!c.ndrift)
				printf("  in sync\n");
		}
		cust_free(&c);
	}
	if (fmt == 1)
		printf("],\"sync_revision\":%s}\n", sg_sync_revision_json());
	else if (sg_sync_revision() >= 0)
		printf("sync: etcd revision %lld applied\n", sg_sync_revision());
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
	vals = calloc((size_t)ncpu, sizeof(*vals));
	for (__u32 k = 0; k < SG_REASON_MAX && vals; k++) {
		if (bpf_map_lookup_elem(fd, &k, vals)) {
			err = -errno;
			break;
		}
		for (int cpu = 0; cpu < ncpu; cpu++) {
			out[k].packets += vals[cpu].packets;
			out[k].bytes += vals[cpu].bytes;
		}
	}
	free(vals);
	close(fd);
	return err;
}

int cmd_stats(int argc, char **argv)
{
	char (*names)[32] = NULL;
	int fmt, rc, n;

	n = begin_report(argc, argv,
			 "Usage: sipguard stats [CUSTOMER] [--json|--prometheus]\n"
			 "Packets and bytes per verdict reason (pinned sg_counters map, summed over\n"
			 "CPUs) and the counters of sipguard's nftables rules.\n", true, &fmt, &names, &rc);
	if (n < 0)
		return rc;
	rc = SG_EXIT_OK;
	if (fmt == 1)
		printf("{\"customers\":[");
	if (fmt == 2)
		printf("# HELP sipguard_packets_total Packets judged by the validator, per reason.\n"
		       "# TYPE sipguard_packets_total counter\n"
		       "# HELP sipguard_bytes_total Bytes judged by the validator, per reason.\n"
		       "# TYPE sipguard_bytes_total counter\n"
		       "# HELP sipguard_rule_packets_total Packets matched by sipguard's nftables rules.\n"
		       "# TYPE sipguard_rule_packets_total counter\n");
	if (fmt == 2 && sg_sync_revision() >= 0)
		printf("# HELP sipguard_sync_revision etcd revision of the desired state applied by sipguard sync.\n"
		       "# TYPE sipguard_sync_revision gauge\nsipguard_sync_revision %lld\n", sg_sync_revision());
	for (int i = 0; i < n; i++) {
		struct cust c;
		struct sg_counter cnt[SG_REASON_MAX];
		if (probe(names[i], &c)) {
			rc = SG_EXIT_FAIL;
			continue;
		}
		const char *cu = c.st.p.customer;
		int err = read_counters(c.counters_pin, cnt);
		if (err) {
			pr_warn("%s: counters not readable at %s: %s\n", cu, c.counters_pin, strerror(-err));
			rc = SG_EXIT_DRIFT;
		}
		const char *drop_action = c.st.monitor ? "monitor" : "drop";
		if (fmt == 1) {
			printf("%s{\"customer\":", i ? "," : "");
			json_str(stdout, cu);
			printf(",\"profile\":");
			json_str(stdout, c.st.profile_name);
			printf(",\"mode\":\"%s\",\"reasons\":{", mode_of(&c.st));
			bool first = true;
			for (int r = 0; r < SG_REASON_MAX; r++) {
				if (!reason_name(r))
					continue;
				printf("%s\"%s\":{\"packets\":%llu,\"bytes\":%llu,\"action\":\"%s\"}",
				       first ? "" : ",", reason_name(r), (unsigned long long)cnt[r].packets,
				       (unsigned long long)cnt[r].bytes,
				       r < SG_FIRST_DROP ? "pass" : drop_action);
				first = false;
			}
			printf("},\"rules\":[");
			for (unsigned int r = 0; r < c.nrules; r++)
				printf("%s{\"kind\":\"%s\",\"handle\":%llu,\"packets\":%llu,\"bytes\":%llu}",
				       r ? "," : "", rule_kind(c.rules[r].comment),
				       (unsigned long long)c.rules[r].handle,
				       (unsigned long long)c.rules[r].packets,
				       (unsigned long long)c.rules[r].bytes);
			printf("]}");
		} else if (fmt == 2) {
			for (int r = 0; r < SG_REASON_MAX; r++) {
				if (!reason_name(r))
					continue;
				const char *a = r < SG_FIRST_DROP ? "pass" : drop_action;
				printf("sipguard_packets_total{customer=\"%s\",reason=\"%s\",action=\"%s\"} %llu\n",
				       cu, reason_name(r), a, (unsigned long long)cnt[r].packets);
				printf("sipguard_bytes_total{customer=\"%s\",reason=\"%s\",action=\"%s\"} %llu\n",
				       cu, reason_name(r), a, (unsigned long long)cnt[r].bytes);
			}
			for (unsigned int r = 0; r < c.nrules; r++)
				printf("sipguard_rule_packets_total{customer=\"%s\",rule=\"%s\",handle=\"%llu\"} %llu\n",
				       cu, rule_kind(c.rules[r].comment), (unsigned long long)c.rules[r].handle,
				       (unsigned long long)c.rules[r].packets);
		} else {
			printf("%s: profile %s, mode %s\n", cu, c.st.profile_name, mode_of(&c.st));
			printf("  %-22s %12s %14s  %s\n", "reason", "packets", "bytes", "action");
			for (int r = 0; r < SG_REASON_MAX; r++) {
				if (!reason_name(r) || !cnt[r].packets)
					continue;
				printf("  %-22s %12llu %14llu  %s\n", reason_name(r),
				       (unsigned long long)cnt[r].packets, (unsigned long long)cnt[r].bytes,
				       r < SG_FIRST_DROP ? "pass" : drop_action);
			}
			for (unsigned int r = 0; r < c.nrules; r++)
				printf("  rule %-9s handle %-4llu packets %llu bytes %llu\n",
				       rule_kind(c.rules[r].comment), (unsigned long long)c.rules[r].handle,
				       (unsigned long long)c.rules[r].packets,
				       (unsigned long long)c.rules[r].bytes);
		}
		cust_free(&c);
	}
	if (fmt == 1)
		printf("]}\n");
	free(names);
	return rc;
}

int cmd_list(int argc, char **argv)
{
	char (*names)[32] = NULL;
	int n;
	bool json = argc > 1 && !strcmp(argv[1], "--json");

	if (argc > 1 && !json) {
		fputs("Usage: sipguard list [--json]\nEnabled customers (from the state files).\n",
		      !strcmp(argv[1], "--help") ? stdout : stderr);
		return !strcmp(argv[1], "--help") ? SG_EXIT_OK : SG_EXIT_USAGE;
	}
	sg_lock_shared();
	n = sg_state_customers(&names);
	if (n < 0)
		return SG_EXIT_FAIL;
	if (json)
		printf("[");
	for (int i = 0; i < n; i++) {
		static struct sg_state st;
		if (sg_state_load(names[i], &st))
			continue;
		if (json) {
			printf("%s{\"customer\":\"%s\",\"profile\":", i ? "," : "", st.p.customer);
			json_str(stdout, st.profile_name);
			printf(",\"mode\":\"%s\",\"netns\":", mode_of(&st));
			json_str(stdout, st.p.netns);
			printf(",\"generation\":%u}", st.generation);
		} else {
			printf("%-31s %-10s %-8s %-20s gen %u\n", st.p.customer, st.profile_name,
			       mode_of(&st), st.p.netns[0] ? st.p.netns : "(current)", st.generation);
		}
		sg_params_free(&st.p);
	}
	if (json)
		printf("]\n");
	free(names);
	return SG_EXIT_OK;
}
