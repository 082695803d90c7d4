// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* enable/disable/restore core. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <arpa/inet.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/xt_bpf.h>
#include <bpf/bpf.h>
#include <libnftnl/table.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/expr.h>
#include <libnftnl/udata.h>

#include "audit.h"
#include "commands.h"
#include "guard.h"
#include "log.h"
#include "nft.h"
#include "dataplane.h"
#include "profile.h"
#include "rules.h"

/* ---------------------------------------------------------------- misc */
int sg_cidr_parse(const char *s, struct sg_range *r)
{
	char buf[128], *slash;
	int len, bits;

	memset(r, 0, sizeof(*r));
	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = 0;
	if (inet_pton(AF_INET, buf, r->start) == 1)
		r->af = AF_INET, bits = 32;
	else if (inet_pton(AF_INET6, buf, r->start) == 1)
		r->af = AF_INET6, bits = 128;
	else
		return -EINVAL;
	len = bits;
	if (slash) {
		char *end;
		long l = strtol(slash, &end, 10);
		if (!*slash || *end || l < 0 || l > bits)
			return -EINVAL;
		len = (int)l;
	}
	memcpy(r->end, r->start, 16);
	for (int i = len; i < bits; i++) {
		r->start[i / 8] &= ~(0x80 >> (i % 8));
		r->end[i / 8] |= 0x80 >> (i % 8);
	}
	return 0;
}

void sg_fault_kill(const char *point)
{
	if (sg_fault(point)) {
		fprintf(stderr, "SIPGUARD_FAULT=%s: killing myself\n", point);
		raise(SIGKILL);
	}
}

int sg_require_root(void)
{
	if (geteuid() != 0) {
		pr_warn("must run as root (CAP_NET_ADMIN, CAP_SYS_ADMIN, CAP_BPF)\n");
		return SG_EXIT_ENV;
	}
	return 0;
}

int sg_ensure_bpffs(void)
{
	struct statfs s;

	if (statfs(SG_BPFFS, &s) == 0 && s.f_type == BPF_FS_MAGIC)
		return 0;
	mkdir(SG_BPFFS, 0700);
	if (mount("bpf", SG_BPFFS, "bpf", 0, "mode=0700")) {
		pr_warn("bpffs is not mounted at %s and mounting it failed: %s "
			"(mount -t bpf bpf %s)\n", SG_BPFFS, strerror(errno), SG_BPFFS);
		return SG_EXIT_ENV;
	}
	if (statfs(SG_BPFFS, &s) || s.f_type != BPF_FS_MAGIC) {
		pr_warn("%s is not bpffs after mounting\n", SG_BPFFS);
		return SG_EXIT_ENV;
	}
	pr_info("mounted bpffs at %s\n", SG_BPFFS);
	return 0;
}

int sg_lock(void)
{
	int fd = open(SG_LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		pr_warn("cannot open %s: %s\n", SG_LOCK_FILE, strerror(errno));
		return -SG_EXIT_ENV;
	}
	if (flock(fd, LOCK_EX)) {
		pr_warn("cannot lock %s: %s\n", SG_LOCK_FILE, strerror(errno));
		close(fd);
		return -SG_EXIT_FAIL;
	}
	return fd;
}

const char *sg_pin_root(void)
{
	const char *r = getenv("SIPGUARD_PIN_ROOT");

	return r && *r ? r : SG_PIN_ROOT;
}

void sg_chain_name(const char *customer, unsigned int gen, char *buf, size_t sz)
{
	snprintf(buf, sz, "sg.%s.%u", customer, gen);
}

void sg_pin_dir(const char *customer, unsigned int gen, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s/%s/%u", sg_pin_root(), customer, gen);
}

static void rm_pin_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[PATH_MAX + 256];

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path))
			pr_warn("cannot unpin %s: %s\n", path, strerror(errno));
	}
	closedir(d);
	rmdir(dir);
}

/* Removes every generation directory of CUSTOMER except KEEP (0 = all). */
static void rm_pins_except(const char *customer, unsigned int keep)
{
	char dir[PATH_MAX], sub[PATH_MAX + 64];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", sg_pin_root(), customer);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (keep && strtoul(de->d_name, NULL, 10) == keep)
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) >= (int)sizeof(sub))
			continue; /* not a name sipguard made */
		rm_pin_dir(sub);
	}
	closedir(d);
	if (!keep)
		rmdir(dir);
}

static unsigned int max_pin_gen(const char *customer)
{
	char dir[PATH_MAX];
	struct dirent *de;
	unsigned int m = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", sg_pin_root(), customer);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		unsigned int g = (unsigned int)strtoul(de->d_name, NULL, 10);
		if (g > m)
			m = g;
	}
	closedir(d);
	return m;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

static uint64_t profile_hash(const struct sg_profile *pr)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	h = fnv(h, &pr->cfg, sizeof(pr->cfg));
	if (pr->dfa)
		h = fnv(h, pr->dfa, (size_t)pr->cfg.dfa_states * sizeof(*pr->dfa));
	h = fnv(h, &pr->rate, sizeof(pr->rate));
	return h;
}


/* ------------------------------------------------------ ids and slots */

/* Customer ids: SG_STATE_DIR/ids/ID is a symlink to the customer's name.
 * A customer keeps its id; a new one probes from a hash of its name, so
 * that finding a free id reads a file or two, not every state file. A
 * link to a customer without a state file is a leftover (kill -9). */
static void ids_dir(char *buf, size_t n)
{
	snprintf(buf, n, "%s/ids", sg_state_dir());
}

static bool customer_has_state(const char *name)
{
	char path[PATH_MAX];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/customers/%s.conf", sg_state_dir(), name);
	return stat(path, &sb) == 0;
}

static int id_take(const char *customer, unsigned int *out)
{
	char dir[PATH_MAX], path[PATH_MAX + 16], target[64];
	uint64_t h = fnv(0xcbf29ce484222325ULL, customer, strlen(customer));
	unsigned int n = SG_MAX_CUSTOMERS - 1;

	ids_dir(dir, sizeof(dir));
	mkdir(sg_state_dir(), 0755);
	if (mkdir(dir, 0755) && errno != EEXIST) {
		int err = -errno;

		pr_warn("cannot create %s: %s\n", dir, strerror(-err));
		return err;
	}
	for (unsigned int k = 0; k < n; k++) {
		unsigned int id = (unsigned int)((h + k) % n) + 1;
		ssize_t len;

		snprintf(path, sizeof(path), "%s/%u", dir, id);
		if (!symlink(customer, path)) {
			*out = id;
			return 0;
		}
		if (errno != EEXIST) {
			int err = -errno;

			pr_warn("cannot write %s: %s\n", path, strerror(-err));
			return err;
		}
		len = readlink(path, target, sizeof(target) - 1);
		if (len < 0)
			continue;
		target[len] = 0;
		if (!strcmp(target, customer)) {
			*out = id;
			return 0;
		}
		if (!customer_has_state(target) && !unlink(path) && !symlink(customer, path)) {
			*out = id;
			return 0;
		}
	}
	pr_warn("no free customer id (at most %d customers)\n", SG_MAX_CUSTOMERS - 1);
	return -ENOSPC;
}

static void id_release(unsigned int id, const char *customer)
{
	char path[PATH_MAX + 16], target[64];
	ssize_t len;

	ids_dir(path, sizeof(path));
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "/%u", id);
	len = readlink(path, target, sizeof(target) - 1);
	if (len >= 0) {
		target[len] = 0;
		if (!strcmp(target, customer))
			unlink(path);
	}
}

/* The customers of each profile slot: SG_STATE_DIR/slots/SLOT/CUSTOMER. */
static void slot_user_path(unsigned int slot, const char *customer, char *buf, size_t n)
{
	if (customer)
		snprintf(buf, n, "%s/slots/%u/%s", sg_state_dir(), slot, customer);
	else
		snprintf(buf, n, "%s/slots/%u", sg_state_dir(), slot);
}

static int slot_use(unsigned int slot, const char *customer)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/slots", sg_state_dir());
	mkdir(path, 0755);
	slot_user_path(slot, NULL, path, sizeof(path));
	mkdir(path, 0755);
	slot_user_path(slot, customer, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* Drops CUSTOMER from SLOT; true when nobody with a state file uses it. */
static bool slot_unuse(unsigned int slot, const char *customer)
{
	char path[PATH_MAX];
	struct dirent *de;
	bool empty = true;
	DIR *d;

	slot_user_path(slot, customer, path, sizeof(path));
	unlink(path);
	slot_user_path(slot, NULL, path, sizeof(path));
	d = opendir(path);
	if (!d)
		return true;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (customer_has_state(de->d_name)) {
			empty = false;
			break;
		}
	}
	closedir(d);
	return empty;
}

/* ------------------------------------------------------ enable */

/* One enable: what it needs, gathered and checked before anything changes
 * (plan), then done (execute). */
struct change {
	struct sg_params *p;
	bool restore;
	struct sg_profile pr;
	bool have_pr;
	uint64_t hash;
	struct sg_state prev;
	bool have_prev;
	int family;
	char table[256], attach_chain[256];
	struct sg_nl nl;
	struct sg_dp dp;
	bool have_dp;
	struct sg_state st;        /* the new state */
	int lock;
};

static void change_free(struct change *c)
{
	if (c->have_dp)
		sg_dp_close(&c->dp);
	sg_nl_close(&c->nl);
	if (c->have_prev)
		sg_params_free(&c->prev.p);
	if (c->have_pr)
		sg_profile_free(&c->pr);
	if (c->lock >= 0)
		close(c->lock);
}

static int parse_attach(const char *a, int *family, char *table, char *chain)
{
	char buf[512], *t, *ch;

	snprintf(buf, sizeof(buf), "%s", a);
	t = strchr(buf, ':');
	if (!t)
		return -1;
	*t++ = 0;
	ch = strchr(t, ':');
	if (!ch)
		return -1;
	*ch++ = 0;
	*family = sg_family_parse(buf);
	if (*family < 0 || !*t || !*ch || strlen(t) > 255 || strlen(ch) > 255)
		return -1;
	strcpy(table, t);
	strcpy(chain, ch);
	return 0;
}

/* Is the customer's chain with its rules in the kernel, its pins there, and
 * its profile's slot holding this profile? */
static bool kernel_matches(struct change *c)
{
	const struct sg_state *st = &c->prev;
	struct sg_rule_info *rules;
	struct sg_slot_info si;
	unsigned int n, bpf = 0, want_bpf;
	char prog[PATH_MAX + 32];
	struct stat sb;
	int family = sg_family_parse(st->family);

	want_bpf = (c->pr.cfg.flags & SG_F_DROP_ALL_SIP) ? 0 : 1;
	snprintf(prog, sizeof(prog), "%s/sip_validate", st->pin_dir);
	if (stat(prog, &sb))
		return false;
	if (!sg_dp_exists(sg_pin_root()) || !c->have_dp || sg_dp_slot_info(&c->dp, st->slot, &si) ||
	    si.hash != c->hash || !sg_dp_customer_used(&c->dp, st->id))
		return false;
	if (family < 0 || sg_nft_list_rules(&c->nl, family, st->table, st->chain, &rules, &n))
		return false;
	for (unsigned int i = 0; i < n; i++)
		bpf += rules[i].is_bpf;
	free(rules);
	return n == st->rules && bpf == want_bpf;
}

/* Everything that can be wrong is found here, before any change. */
static int plan(struct change *c)
{
	struct sg_params *p = c->p;
	unsigned int g;
	int err, nsfd;

	c->family = NFPROTO_INET;
	snprintf(c->table, sizeof(c->table), "%s", SG_TABLE);
	if (p->attach[0] && parse_attach(p->attach, &c->family, c->table, c->attach_chain)) {
		pr_warn("--attach '%s': expected FAMILY:TABLE:CHAIN with FAMILY inet, ip or ip6\n",
			p->attach);
		return SG_EXIT_USAGE;
	}
	memset(&c->pr, 0, sizeof(c->pr));
	if (sg_profile_load(p->profile, &c->pr)) {
		pr_warn("profile '%s' not loaded: nothing changed\n", p->profile);
		return SG_EXIT_USAGE;
	}
	c->have_pr = true;
	c->hash = profile_hash(&c->pr);
	nsfd = sg_netns_open(p->netns);
	if (nsfd < 0 && c->restore) {
		pr_warn("%s: network namespace '%s' is gone (%s): not restored, state and pins kept "
			"(re-create the namespace and run restore, or sipguard disable %s)\n",
			p->customer, p->netns, strerror(-nsfd), p->customer);
		return SG_EXIT_ENV;
	}
	if (nsfd < 0) {
		pr_warn("network namespace '%s' not found: %s (create it first: ip netns add NAME)\n",
			p->netns, strerror(-nsfd));
		return SG_EXIT_ENV;
	}
	close(nsfd);
	if ((err = sg_ensure_bpffs()))
		return err;
	if (sg_fault("no-xt-bpf") || sg_xt_match_available("bpf", 1)) {
		pr_warn("kernel lacks xt_bpf/nft_compat (xt match 'bpf' revision 1 unknown): "
			"enable CONFIG_NFT_COMPAT and CONFIG_NETFILTER_XT_MATCH_BPF\n");
		return SG_EXIT_ENV;
	}
	c->lock = sg_lock();
	if (c->lock < 0)
		return -c->lock;
	c->have_prev = sg_state_load(p->customer, &c->prev) == 0;
	err = sg_nl_open(p->netns, &c->nl);
	if (err) {
		pr_warn("cannot open netlink in network namespace '%s': %s\n", p->netns, strerror(-err));
		return SG_EXIT_ENV;
	}
	c->have_dp = sg_dp_open(&c->dp, sg_pin_root(), false) == 0;
	if (c->attach_chain[0]) {
		struct sg_name_list chains;
		bool found = false;

		if (sg_nft_list_chains(&c->nl, c->family, c->table, &chains)) {
			pr_warn("--attach: table %s %s not found in network namespace '%s'\n",
				sg_family_name(c->family), c->table, p->netns);
			return SG_EXIT_USAGE;
		}
		for (unsigned int i = 0; i < chains.n; i++)
			found |= !strcmp(chains.v[i], c->attach_chain);
		sg_name_list_free(&chains);
		if (!found) {
			pr_warn("--attach: chain '%s' not found in table %s %s\n", c->attach_chain,
				sg_family_name(c->family), c->table);
			return SG_EXIT_USAGE;
		}
	}

	/* the new state: a new generation, the id kept, the other list slot */
	memset(&c->st, 0, sizeof(c->st));
	c->st.generation = c->have_prev ? c->prev.generation : 0;
	g = max_pin_gen(p->customer);
	if (g > c->st.generation)
		c->st.generation = g;
	g = sg_rules_max_gen(&c->nl, c->family, c->table, p->customer);
	if (g > c->st.generation)
		c->st.generation = g;
	c->st.generation++;
	c->st.p = *p; /* shallow: the lists stay owned by P */
	snprintf(c->st.profile_name, sizeof(c->st.profile_name), "%s", c->pr.name);
	snprintf(c->st.profile_path, sizeof(c->st.profile_path), "%s", c->pr.path);
	c->st.profile_hash = c->hash;
	c->st.monitor = p->mode == 1 || (p->mode < 0 && (c->pr.cfg.flags & SG_F_MONITOR));
	snprintf(c->st.family, sizeof(c->st.family), "%s", sg_family_name(c->family));
	snprintf(c->st.table, sizeof(c->st.table), "%s", c->table);
	sg_chain_name(p->customer, c->st.generation, c->st.chain, sizeof(c->st.chain));
	sg_pin_dir(p->customer, c->st.generation, c->st.pin_dir, sizeof(c->st.pin_dir));
	if (snprintf(NULL, 0, "%s/sip_validate", c->st.pin_dir) >= (int)XT_BPF_PATH_MAX) {
		/* the xt_bpf match carries the path in XT_BPF_PATH_MAX bytes */
		pr_warn("pin path %s/sip_validate is longer than xt_bpf takes (%d bytes)\n",
			c->st.pin_dir, (int)XT_BPF_PATH_MAX - 1);
		return SG_EXIT_FAIL;
	}
	c->st.id = c->have_prev ? c->prev.id : 0;
	c->st.epoch = c->have_prev ? c->prev.epoch : 0;
	c->st.parity = c->have_prev ? !c->prev.parity : 0;
	return 0;
}

/* The customer's flags over its profile's, carried by its stub. */
static void customer_flags(const struct change *c, uint32_t *set, uint32_t *clear)
{
	*set = *clear = 0;
	if (c->p->mode == 0)
		*clear |= SG_F_MONITOR;
	else if (c->p->mode == 1)
		*set |= SG_F_MONITOR;
	/* the reflection checks apply only when the customer gave the lists */
	if (!c->p->own_hosts.n)
		*clear |= SG_F_CHECK_VIA_OWN;
	if (!c->p->peers.n)
		*clear |= SG_F_CHECK_PEERS;
}

static int pin_fd(int fd, const char *dir, const char *name)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (bpf_obj_pin(fd, path)) {
		int err = -errno;

		pr_warn("cannot pin %s: %s\n", path, strerror(-err));
		return err;
	}
	return 0;
}

static int mkdirs_pin(const char *dir)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", dir);
	for (char *s = tmp + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(tmp, 0700) && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	return mkdir(tmp, 0700) && errno != EEXIST ? -errno : 0;
}

/* Removes what the customer had in another namespace or table. */
static void remove_old_place(struct change *c)
{
	const struct sg_state *prev = &c->prev;
	struct sg_nl onl;
	struct sg_batch ob;
	unsigned int n;
	int pf;

	if (!c->have_prev || (!strcmp(prev->p.netns, c->p->netns) && !strcmp(prev->table, c->table) &&
			      !strcmp(prev->family, c->st.family)))
		return;
	if (sg_nl_open(prev->p.netns, &onl))
		return;
	sg_batch_begin(&ob, &onl);
	pf = sg_family_parse(prev->family);
	if (pf >= 0 && sg_rules_removals(&ob, &onl, pf, prev->table, c->p->customer, 0,
					 !prev->p.attach[0], &n) == 0 && n)
		if (sg_batch_send(&ob))
			pr_warn("could not remove the old rules in '%s': %s\n", prev->p.netns,
				strerror(-ob.err));
	sg_batch_free(&ob);
	sg_nl_close(&onl);
	printf("%s: moved from network namespace '%s' to '%s'\n", c->p->customer,
	       prev->p.netns[0] ? prev->p.netns : "host", c->p->netns[0] ? c->p->netns : "host");
}

static int execute(struct change *c)
{
	struct sg_params *p = c->p;
	struct sg_state *st = &c->st;
	struct sg_batch bt = { 0 };
	struct sg_slot_info si;
	char stub_pin[PATH_MAX + 32];
	uint32_t fset, fclear;
	bool replaced = false, pinned = false;
	int err, rc = SG_EXIT_FAIL, stub_fd = -1, counters_fd = -1;
	unsigned int ndel;

	/* the shared dataplane and the profile's validator (loaded once) */
	if (!c->have_dp) {
		err = sg_dp_open(&c->dp, sg_pin_root(), true);
		if (err)
			return SG_EXIT_FAIL;
		c->have_dp = true;
	}
	err = sg_dp_profile(&c->dp, &c->pr, c->hash, &st->slot, &replaced);
	if (err) {
		pr_warn("validator not loaded: %s: nothing changed\n", strerror(-err));
		return SG_EXIT_FAIL;
	}
	if (replaced)
		printf("profile %s: its new content is in force for every customer that uses it\n",
		       c->pr.name);
	if (!sg_dp_slot_info(&c->dp, st->slot, &si))
		snprintf(st->variant, sizeof(st->variant), "%s", sg_variant_name((int)si.variant));

	/* the customer's own: id, lists for the new stub, counters, stub */
	if (!st->id) {
		err = id_take(p->customer, &st->id);
		if (err)
			goto out;
	}
	if (!st->epoch || !sg_dp_customer_used(&c->dp, st->id)) {
		if (!st->epoch)
			st->epoch = (uint32_t)(fnv(0xcbf29ce484222325ULL, p->customer, strlen(p->customer)) ^
					       (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16)) | 1;
		err = sg_dp_customer_set(&c->dp, st->id, st->epoch);
		if (err) {
			pr_warn("cannot register customer id %u: %s\n", st->id, strerror(-err));
			goto out;
		}
	}
	err = sg_dp_customer_lists(&c->dp, st->id, st->parity,
				   (const char *const *)p->own_hosts.v, p->own_hosts.n,
				   (const char *const *)p->peers.v, p->peers.n);
	if (err) {
		rc = err == -EINVAL ? SG_EXIT_USAGE : SG_EXIT_FAIL;
		goto out;
	}
	counters_fd = sg_dp_customer_counters(&c->dp, st->id);
	customer_flags(c, &fset, &fclear);
	stub_fd = sg_dp_stub(&c->dp, st->id, st->parity, fset, fclear, st->slot);
	if (counters_fd < 0 || stub_fd < 0) {
		pr_warn("cannot load the customer's stub: %s\n",
			strerror(-(counters_fd < 0 ? counters_fd : stub_fd)));
		goto out;
	}
	err = mkdirs_pin(st->pin_dir);
	if (!err)
		err = pin_fd(stub_fd, st->pin_dir, "sip_validate");
	if (!err)
		err = pin_fd(counters_fd, st->pin_dir, "sg_counters");
	if (err) {
		pr_warn("cannot pin under %s: %s (is bpffs mounted? mount -t bpf bpf /sys/fs/bpf)\n",
			st->pin_dir, strerror(-err));
		pinned = true;
		goto out;
	}
	pinned = true;
	sg_fault_kill("after-pin");

	/* one batch: the new chain, the old generation's removal */
	snprintf(stub_pin, sizeof(stub_pin), "%s/sip_validate", st->pin_dir);
	sg_batch_begin(&bt, &c->nl);
	{
		struct sg_chain_spec spec = {
			.customer = p->customer, .family = c->family, .table = c->table,
			.chain = st->chain, .attach_chain = c->attach_chain[0] ? c->attach_chain : NULL,
			.hook = p->hook, .pr = &c->pr, .p = p, .monitor = st->monitor,
			.stub_pin = stub_pin, .stub_fd = stub_fd,
		};

		st->rules = sg_rules_build(&bt, &spec);
	}
	err = sg_rules_removals(&bt, &c->nl, c->family, c->table, p->customer, st->generation,
				false, &ndel);
	if (err) {
		pr_warn("cannot read the ruleset in '%s': %s\n", p->netns, strerror(-err));
		goto out;
	}
	/* the state file first, as CUSTOMER.conf.tmp: a full disk fails here,
	 * before anything in the kernel changed */
	if (sg_state_prepare(st)) {
		pr_warn("state file not written to %s/customers: nothing changed\n", sg_state_dir());
		goto out;
	}
	sg_fault_kill("before-nft");
	err = sg_batch_send(&bt);
	if (err) {
		sg_state_abort(p->customer);
		if (bt.err_what && strstr(bt.err_what, "xt bpf") &&
		    (err == -ENOENT || err == -EOPNOTSUPP || err == -EPROTONOSUPPORT)) {
			pr_warn("kernel lacks xt_bpf/nft_compat: %s: %s\n", bt.err_what, strerror(-err));
			rc = SG_EXIT_ENV;
		} else if (bt.err_what && strstr(bt.err_what, "defrag")) {
			pr_warn("kernel lacks nft_tproxy (used to turn on IP reassembly before sipguard's chain): "
				"%s: nothing changed (CONFIG_NFT_TPROXY)\n", strerror(-err));
			rc = SG_EXIT_ENV;
		} else {
			pr_warn("nftables batch failed at '%s': %s: nothing changed\n",
				bt.err_what ? bt.err_what : "?", strerror(-err));
		}
		goto out;
	}
	remove_old_place(c);
	sg_fault_kill("after-nft");
	slot_use(st->slot, p->customer);
	if (sg_state_commit(p->customer)) {
		pr_warn("rules are active but the state file was not written: run enable again\n");
		pinned = false;
		goto out;
	}
	pinned = false; /* in force now */
	rm_pins_except(p->customer, st->generation);
	if (c->have_prev && c->prev.slot != st->slot && slot_unuse(c->prev.slot, p->customer))
		sg_dp_profile_release(&c->dp, c->prev.slot);
	printf("%s: enabled profile %s (%s) in %s, %s %s chain %s, %u rules, pins %s\n",
	       p->customer, c->pr.name, st->monitor ? "monitor" : "enforce",
	       p->netns[0] ? p->netns : "the current namespace", st->family, c->table, st->chain,
	       st->rules, st->pin_dir);
	rc = SG_EXIT_OK;
out:
	if (pinned)
		rm_pin_dir(st->pin_dir);
	if (bt.buf)
		sg_batch_free(&bt);
	if (stub_fd >= 0)
		close(stub_fd);
	if (counters_fd >= 0)
		close(counters_fd);
	return rc;
}

int sg_apply(struct sg_params *p, bool restore)
{
	struct change c = { .p = p, .restore = restore, .lock = -1 };
	bool planned = false, unchanged = false;
	int rc;

	if ((rc = sg_require_root()))
		return rc;
	rc = plan(&c);
	if (rc)
		goto out;
	planned = true;
	if (c.have_prev && sg_params_equal(p, &c.prev.p) && c.prev.profile_hash == c.hash &&
	    kernel_matches(&c)) {
		/* leftovers of an enable that died before its state write */
		rm_pins_except(p->customer, c.prev.generation);
		sg_state_abort(p->customer);
		printf("%s: already enabled with these parameters (profile %s, generation %u): no change\n",
		       p->customer, c.prev.profile_name, c.prev.generation);
		unchanged = true;
		goto out;
	}
	rc = execute(&c);
out:
	sg_audit_enable(p, restore, planned ? &c.st : NULL, c.have_prev ? &c.prev : NULL, unchanged, rc);
	change_free(&c);
	return rc;
}

/* ------------------------------------------------------ disable */

int sg_teardown(const char *customer)
{
	struct sg_state st;
	struct sg_nl nl;
	struct sg_dp dp;
	int rc, err, lock;

	if ((rc = sg_require_root()))
		return rc;
	lock = sg_lock();
	if (lock < 0)
		return -lock;
	err = sg_state_load(customer, &st);
	if (err) {
		pr_warn("customer '%s' is not enabled (no state in %s/customers)\n", customer,
			sg_state_dir());
		/* leftover pins of a lost state are still ours */
		rm_pins_except(customer, 0);
		close(lock);
		sg_audit_disable(customer, NULL, SG_EXIT_FAIL);
		return SG_EXIT_FAIL;
	}
	rc = SG_EXIT_OK;
	err = sg_nl_open(st.p.netns, &nl);
	if (err) {
		pr_warn("network namespace '%s' is gone (%s): its rules went with it\n",
			st.p.netns, strerror(-err));
	} else {
		struct sg_batch bt;
		unsigned int n;
		int family = sg_family_parse(st.family);

		sg_batch_begin(&bt, &nl);
		err = family < 0 ? -EINVAL
				 : sg_rules_removals(&bt, &nl, family, st.table, customer, 0,
						     !st.p.attach[0], &n);
		if (!err && n)
			err = sg_batch_send(&bt);
		if (err) {
			pr_warn("cannot remove the rules of '%s' at '%s': %s: nothing changed\n", customer,
				bt.err_what ? bt.err_what : "read-back", strerror(-err));
			rc = SG_EXIT_FAIL;
		}
		sg_batch_free(&bt);
		sg_nl_close(&nl);
	}
	if (rc == SG_EXIT_OK) {
		bool have_dp = sg_dp_open(&dp, sg_pin_root(), false) == 0;

		rm_pins_except(customer, 0);
		sg_state_remove(customer);
		if (have_dp) {
			if (st.id)
				sg_dp_customer_remove(&dp, st.id);
			if (slot_unuse(st.slot, customer))
				sg_dp_profile_release(&dp, st.slot);
		}
		if (st.id)
			id_release(st.id, customer);
		if (have_dp) {
			char (*names)[32] = NULL;
			int left = sg_state_customers(&names);

			free(names);
			sg_dp_close(&dp);
			/* the last customer gone: nothing of sipguard stays in bpffs */
			if (left == 0)
				sg_dp_remove(sg_pin_root());
		}
		printf("%s: disabled\n", customer);
	}
	sg_audit_disable(customer, &st, rc);
	sg_params_free(&st.p);
	close(lock);
	return rc;
}
