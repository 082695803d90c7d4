// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* Per-customer state files. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "state.h"
#include "log.h"

const char *sg_state_dir(void)
{
	const char *d = getenv("SIPGUARD_STATE_DIR");
	return d && *d ? d : "/var/lib/sipguard";
}

bool sg_customer_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 31)
		return false;
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

static void path_of(const char *customer, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s/customers/%s.conf", sg_state_dir(), customer);
}

static void list_add(struct sg_strlist *l, const char *v)
{
	if (l->n < SG_LIST_MAX)
		l->v[l->n++] = strdup(v);
}

void sg_params_free(struct sg_params *p)
{
	struct sg_strlist *ls[] = { &p->own_hosts, &p->peers, &p->allow, &p->deny };
	for (unsigned int i = 0; i < 4; i++) {
		for (unsigned int j = 0; j < ls[i]->n; j++)
			free(ls[i]->v[j]);
		ls[i]->n = 0;
	}
}

static bool list_eq(const struct sg_strlist *a, const struct sg_strlist *b)
{
	if (a->n != b->n)
		return false;
	for (unsigned int i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]))
			return false;
	return true;
}

bool sg_params_equal(const struct sg_params *a, const struct sg_params *b)
{
	return !strcmp(a->customer, b->customer) && !strcmp(a->profile, b->profile) &&
	       !strcmp(a->netns, b->netns) && a->mode == b->mode && a->hook == b->hook &&
	       !strcmp(a->attach, b->attach) && list_eq(&a->own_hosts, &b->own_hosts) &&
	       list_eq(&a->peers, &b->peers) && list_eq(&a->allow, &b->allow) &&
	       list_eq(&a->deny, &b->deny);
}

static void trim(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = 0;
}

int sg_state_load(const char *customer, struct sg_state *st)
{
	char path[PATH_MAX], line[PATH_MAX + 64];
	FILE *f;

	memset(st, 0, sizeof(*st));
	st->p.mode = -1;
	path_of(customer, path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		trim(line);
		char *eq = strstr(line, " = ");
		if (line[0] == '#' || !eq)
			continue;
		*eq = 0;
		const char *k = line, *v = eq + 3;
#define S(key, dst) else if (!strcmp(k, key)) snprintf(dst, sizeof(dst), "%s", v)
		if (0) {}
		S("customer", st->p.customer);
		S("profile", st->p.profile);
		S("netns", st->p.netns);
		S("attach", st->p.attach);
		S("profile_name", st->profile_name);
		S("profile_path", st->profile_path);
		S("family", st->family);
		S("table", st->table);
		S("chain", st->chain);
		S("pin_dir", st->pin_dir);
#undef S
		else if (!strcmp(k, "mode"))
			st->p.mode = !strcmp(v, "monitor") ? 1 : !strcmp(v, "enforce") ? 0 : -1;
		else if (!strcmp(k, "hook"))
			st->p.hook = !strcmp(v, "forward");
		else if (!strcmp(k, "own_host")) list_add(&st->p.own_hosts, v);
		else if (!strcmp(k, "peer")) list_add(&st->p.peers, v);
		else if (!strcmp(k, "allow")) list_add(&st->p.allow, v);
		else if (!strcmp(k, "deny")) list_add(&st->p.deny, v);
		else if (!strcmp(k, "generation")) st->generation = strtoul(v, NULL, 10);
		else if (!strcmp(k, "profile_hash")) st->profile_hash = strtoull(v, NULL, 16);
		else if (!strcmp(k, "effective_mode")) st->monitor = !strcmp(v, "monitor");
		else if (!strcmp(k, "rules")) st->rules = strtoul(v, NULL, 10);
		else if (!strcmp(k, "id")) st->id = strtoul(v, NULL, 10);
		else if (!strcmp(k, "epoch")) st->epoch = (uint32_t)strtoul(v, NULL, 16);
		else if (!strcmp(k, "parity")) st->parity = strtoul(v, NULL, 10) & 1;
		else if (!strcmp(k, "slot")) st->slot = strtoul(v, NULL, 10);
		else if (!strcmp(k, "variant")) snprintf(st->variant, sizeof(st->variant), "%s", v);
	}
	fclose(f);
	if (!st->p.customer[0]) {
		pr_warn("%s: not a sipguard state file (no 'customer = %s' line)\n", path, customer);
		sg_params_free(&st->p);
		return -EINVAL;
	}
	/* written before the namespace had to be explicit: "" was the namespace
	 * enable ran in, the host's */
	if (!st->p.netns[0])
		snprintf(st->p.netns, sizeof(st->p.netns), "host");
	if (strcmp(st->p.customer, customer)) {
		pr_warn("%s: state file names customer '%s'\n", path, st->p.customer);
		return -EINVAL;
	}
	return 0;
}

static int mkdirs(const char *d)
{
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof(tmp), "%s", d);
	for (char *s = tmp + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			mkdir(tmp, 0755);
			*s = '/';
		}
	return mkdir(tmp, 0755) && errno != EEXIST ? -errno : 0;
}

/* Writes and syncs CUSTOMER.conf.tmp; sg_state_commit renames it into place.
 * enable prepares before its nftables transaction, so that a full disk is
 * found while nothing has changed yet. */
int sg_state_prepare(const struct sg_state *st)
{
	char dir[PATH_MAX], path[PATH_MAX], tmp[PATH_MAX + 16];
	const struct sg_params *p = &st->p;
	FILE *f;
	int err;

	snprintf(dir, sizeof(dir), "%s/customers", sg_state_dir());
	if ((err = mkdirs(dir))) {
		pr_warn("cannot create %s: %s\n", dir, strerror(-err));
		return err;
	}
	path_of(p->customer, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f) {
		err = -errno;
		pr_warn("cannot write %s: %s\n", tmp, strerror(errno));
		return err;
	}
	fprintf(f, "# sipguard customer state, written by sipguard (enable, apply, sync); read by restore/status\n");
	fprintf(f, "customer = %s\nprofile = %s\nnetns = %s\nmode = %s\nhook = %s\nattach = %s\n",
		p->customer, p->profile, p->netns,
		p->mode < 0 ? "profile" : p->mode ? "monitor" : "enforce",
		p->hook ? "forward" : "input", p->attach);
	for (unsigned int i = 0; i < p->own_hosts.n; i++) fprintf(f, "own_host = %s\n", p->own_hosts.v[i]);
	for (unsigned int i = 0; i < p->peers.n; i++) fprintf(f, "peer = %s\n", p->peers.v[i]);
	for (unsigned int i = 0; i < p->allow.n; i++) fprintf(f, "allow = %s\n", p->allow.v[i]);
	for (unsigned int i = 0; i < p->deny.n; i++) fprintf(f, "deny = %s\n", p->deny.v[i]);
	fprintf(f, "generation = %u\nprofile_name = %s\nprofile_path = %s\nprofile_hash = %016llx\n"
		   "effective_mode = %s\nfamily = %s\ntable = %s\nchain = %s\npin_dir = %s\nrules = %u\n",
		st->generation, st->profile_name, st->profile_path,
		(unsigned long long)st->profile_hash, st->monitor ? "monitor" : "enforce",
		st->family, st->table, st->chain, st->pin_dir, st->rules);
	fprintf(f, "id = %u\nepoch = %08x\nparity = %u\nslot = %u\nvariant = %s\n", st->id,
		st->epoch, st->parity, st->slot, st->variant);
	if (fflush(f) || fsync(fileno(f)) || ferror(f)) {
		err = errno ? -errno : -EIO;
		pr_warn("cannot write the state file %s: %s\n", tmp, strerror(-err));
		fclose(f);
		unlink(tmp);
		return err;
	}
	if (fclose(f)) {
		err = -errno;
		pr_warn("cannot write the state file %s: %s\n", tmp, strerror(-err));
		unlink(tmp);
		return err;
	}
	return 0;
}

int sg_state_commit(const char *customer)
{
	char path[PATH_MAX], tmp[PATH_MAX + 16];
	int err;

	path_of(customer, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (rename(tmp, path)) {
		err = -errno;
		pr_warn("cannot rename %s: %s\n", tmp, strerror(errno));
		unlink(tmp);
		return err;
	}
	return 0;
}

void sg_state_abort(const char *customer)
{
	char path[PATH_MAX], tmp[PATH_MAX + 16];

	path_of(customer, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
}

int sg_state_save(const struct sg_state *st)
{
	int err = sg_state_prepare(st);
	return err ? err : sg_state_commit(st->p.customer);
}

int sg_state_remove(const char *customer)
{
	char path[PATH_MAX];
	path_of(customer, path, sizeof(path));
	return unlink(path) && errno != ENOENT ? -errno : 0;
}

int sg_state_ids(uint8_t *used, const char *except)
{
	char (*names)[32] = NULL;
	int n = sg_state_customers(&names);

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		struct sg_state st;

		if (except && !strcmp(names[i], except))
			continue;
		if (sg_state_load(names[i], &st))
			continue;
		if (st.id && st.id < 65536)
			used[st.id / 8] |= (uint8_t)(1u << (st.id % 8));
		sg_params_free(&st.p);
	}
	free(names);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

int sg_state_customers(char (**names)[32])
{
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int n = 0, cap = 0;

	*names = NULL;
	snprintf(dir, sizeof(dir), "%s/customers", sg_state_dir());
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".conf"))
			continue;
		char name[64];
		snprintf(name, sizeof(name), "%.*s", (int)(len - 5), de->d_name);
		if (!sg_customer_name_ok(name))
			continue;
		if (n == cap) { /* doubling: 10,000 customers are 10,000 names */
			void *p = realloc(*names, (cap = cap ? 2 * cap : 64) * sizeof(**names));

			if (!p)
				break;
			*names = p;
		}
		snprintf((*names)[n++], 32, "%.31s", name); /* a valid name is shorter */
	}
	closedir(d);
	qsort(*names, n, sizeof(**names), cmp_names);
	return n;
}

int sg_state_customer_one(const char *customer, char (**names)[32])
{
	char path[PATH_MAX];
	struct stat sb;

	*names = NULL;
	if (!sg_customer_name_ok(customer))
		return 0;
	path_of(customer, path, sizeof(path));
	if (stat(path, &sb))
		return errno == ENOENT ? 0 : -errno;
	*names = calloc(1, sizeof(**names));
	if (!*names)
		return -ENOMEM;
	snprintf((*names)[0], 32, "%.31s", customer);
	return 1;
}

int sg_state_any(void)
{
	char dir[PATH_MAX];
	struct dirent *de;
	int found = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/customers", sg_state_dir());
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while (!found && (de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char name[64];

		if (len < 6 || strcmp(de->d_name + len - 5, ".conf"))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(len - 5), de->d_name);
		found = sg_customer_name_ok(name);
	}
	closedir(d);
	return found;
}
