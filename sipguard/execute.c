// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* Execution of a plan (plan.h): what plan.c decided, done customer by
 * customer. Enabling, changing and repairing a customer is one new
 * generation: its validator's slot and its stub in the shared dataplane,
 * pins under PIN_ROOT/CUSTOMER/GENERATION, one nftables batch that adds the
 * new chain and removes the old one, then the state file (written to .tmp
 * before the batch, renamed after it). kill -9 at any step leaves the old
 * generation in force or the new one with its state to be written: a rerun
 * converges (tests/t_faults.sh). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>

#include "audit.h"
#include "commands.h"
#include "guard.h"
#include "log.h"
#include "plan.h"
#include "rules.h"

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
	uint64_t h = sg_fnv(SG_FNV_INIT, customer, strlen(customer));
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

/* ------------------------------------------------------ enable, change, repair */

/* The customer's flags over its profile's, carried by its stub. */
static void customer_flags(const struct sg_params *p, uint32_t *set, uint32_t *clear)
{
	*set = *clear = 0;
	if (p->mode == 0)
		*clear |= SG_F_MONITOR;
	else if (p->mode == 1)
		*set |= SG_F_MONITOR;
	/* the reflection checks apply only when the customer gave the lists */
	if (!p->own_hosts.n)
		*clear |= SG_F_CHECK_VIA_OWN;
	if (!p->peers.n)
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

/* Removes what the customer had in another namespace or table (a move). */
static void remove_old_place(struct sg_item *it)
{
	const struct sg_state *prev = &it->prev;
	struct sg_nl onl;
	struct sg_batch ob;
	unsigned int n;
	int pf;

	if (!it->have_prev || (sg_netns_same(prev->p.netns, it->want.netns) &&
			       !strcmp(prev->table, it->table) && !strcmp(prev->family, it->st.family)))
		return;
	if (!sg_netns_same(prev->p.netns, it->want.netns))
		printf("%s: moved from network namespace '%s' to '%s'\n", it->customer,
			prev->p.netns, it->want.netns);
	if (sg_nl_open(prev->p.netns, &onl))
		return;
	sg_batch_begin(&ob, &onl);
	pf = sg_family_parse(prev->family);
	if (pf >= 0 && sg_rules_removals(&ob, &onl, pf, prev->table, it->customer, 0,
					 !prev->p.attach[0], &n) == 0 && n)
		if (sg_batch_send(&ob))
			pr_warn("could not remove the old rules in '%s': %s\n", prev->p.netns,
				strerror(-ob.err));
	sg_batch_free(&ob);
	sg_nl_close(&onl);
}

/* One customer to its new generation (it->st): ENABLE, CHANGE or REPAIR. */
static int exec_enable(struct sg_plan *pl, struct sg_item *it)
{
	struct sg_params *p = &it->want;
	const struct sg_profile *pr = &it->prof->pr;
	struct sg_state *st = &it->st;
	struct sg_batch bt = { 0 };
	struct sg_slot_info si;
	struct sg_nl nl;
	char stub_pin[PATH_MAX + 32];
	uint32_t fset, fclear;
	bool replaced = false, pinned = false;
	int err, rc = SG_EXIT_FAIL, stub_fd = -1, counters_fd = -1;
	unsigned int ndel;

	err = sg_nl_open(p->netns, &nl);
	if (err) {
		pr_warn("cannot open netlink in network namespace '%s': %s\n", p->netns, strerror(-err));
		return SG_EXIT_ENV;
	}
	/* the shared dataplane and the profile's validator (loaded once) */
	if (!pl->have_dp) {
		err = sg_dp_open(&pl->dp, sg_pin_root(), true);
		if (err)
			goto out;
		pl->have_dp = true;
	}
	err = sg_dp_profile(&pl->dp, pr, it->prof->hash, &st->slot, &replaced);
	if (err) {
		pr_warn("validator not loaded: %s: nothing changed\n", strerror(-err));
		goto out;
	}
	if (replaced)
		printf("profile %s: its new content is in force for every customer that uses it\n",
			pr->name);
	if (!sg_dp_slot_info(&pl->dp, st->slot, &si))
		snprintf(st->variant, sizeof(st->variant), "%s", sg_variant_name((int)si.variant));

	/* the customer's own: id, lists for the new stub, counters, stub */
	if (!st->id) {
		err = id_take(p->customer, &st->id);
		if (err)
			goto out;
	}
	if (!st->epoch || !sg_dp_customer_used(&pl->dp, st->id)) {
		if (!st->epoch)
			st->epoch = (uint32_t)(sg_fnv(SG_FNV_INIT, p->customer, strlen(p->customer)) ^
					       (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16)) | 1;
		err = sg_dp_customer_set(&pl->dp, st->id, st->epoch);
		if (err) {
			pr_warn("cannot register customer id %u: %s\n", st->id, strerror(-err));
			goto out;
		}
	}
	err = sg_dp_customer_lists(&pl->dp, st->id, st->parity,
				   (const char *const *)p->own_hosts.v, p->own_hosts.n,
				   (const char *const *)p->peers.v, p->peers.n);
	if (err) {
		rc = err == -EINVAL ? SG_EXIT_USAGE : SG_EXIT_FAIL;
		goto out;
	}
	counters_fd = sg_dp_customer_counters(&pl->dp, st->id);
	customer_flags(p, &fset, &fclear);
	stub_fd = sg_dp_stub(&pl->dp, st->id, st->parity, fset, fclear, st->slot);
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
	sg_batch_begin(&bt, &nl);
	{
		struct sg_chain_spec spec = {
			.customer = p->customer, .family = it->family, .table = it->table,
			.chain = st->chain, .attach_chain = it->attach_chain[0] ? it->attach_chain : NULL,
			.hook = p->hook, .pr = pr, .p = p, .monitor = st->monitor,
			.stub_pin = stub_pin, .stub_fd = stub_fd,
		};

		st->rules = sg_rules_build(&bt, &spec);
	}
	err = sg_rules_removals(&bt, &nl, it->family, it->table, p->customer, st->generation,
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
	remove_old_place(it);
	sg_fault_kill("after-nft");
	slot_use(st->slot, p->customer);
	if (sg_state_commit(p->customer)) {
		pr_warn("rules are active but the state file was not written: run enable again\n");
		pinned = false;
		goto out;
	}
	pinned = false; /* in force now */
	sg_pins_remove_except(p->customer, st->generation);
	if (it->have_prev && it->prev.slot != st->slot && slot_unuse(it->prev.slot, p->customer))
		sg_dp_profile_release(&pl->dp, it->prev.slot);
	printf("%s: enabled profile %s (%s) in %s, %s %s chain %s, %u rules, pins %s\n",
		p->customer, pr->name, st->monitor ? "monitor" : "enforce", p->netns, st->family,
		it->table, st->chain, st->rules, st->pin_dir);
	rc = SG_EXIT_OK;
out:
	if (pinned)
		sg_pins_remove_dir(st->pin_dir);
	if (bt.buf)
		sg_batch_free(&bt);
	if (stub_fd >= 0)
		close(stub_fd);
	if (counters_fd >= 0)
		close(counters_fd);
	sg_nl_close(&nl);
	return rc;
}

/* ------------------------------------------------------ disable */

/* Removes a customer's rules (one batch), then its pins, state, id and,
 * when it was the last of its profile, the profile's validator. */
static int exec_disable(struct sg_plan *pl, struct sg_item *it)
{
	const struct sg_state *st = &it->prev;
	const char *customer = it->customer;
	struct sg_nl nl;
	int err = sg_nl_open(st->p.netns, &nl);

	if (err) {
		pr_warn("network namespace '%s' is gone (%s): its rules went with it\n",
			st->p.netns, strerror(-err));
	} else {
		struct sg_batch bt;
		unsigned int n;
		int family = sg_family_parse(st->family);

		sg_batch_begin(&bt, &nl);
		err = family < 0 ? -EINVAL
				 : sg_rules_removals(&bt, &nl, family, st->table, customer, 0,
						     !st->p.attach[0], &n);
		if (!err && n)
			err = sg_batch_send(&bt);
		if (err)
			pr_warn("cannot remove the rules of '%s' at '%s': %s: nothing changed\n", customer,
				bt.err_what ? bt.err_what : "read-back", strerror(-err));
		sg_batch_free(&bt);
		sg_nl_close(&nl);
		if (err)
			return SG_EXIT_FAIL;
	}
	sg_pins_remove_except(customer, 0);
	sg_state_remove(customer);
	if (pl->have_dp) {
		if (st->id)
			sg_dp_customer_remove(&pl->dp, st->id);
		if (slot_unuse(st->slot, customer))
			sg_dp_profile_release(&pl->dp, st->slot);
	}
	if (st->id)
		id_release(st->id, customer);
	printf("%s: disabled\n", customer);
	return SG_EXIT_OK;
}

/* ------------------------------------------------------ the plan */

/* IT's line in the audit trail (audit.h): RC its exit code, REASON why it
 * failed. A customer kept as it is gets a record (--json) but no line. */
static void audit_item(const struct sg_plan *pl, const struct sg_item *it, int rc,
		       const char *reason)
{
	const struct sg_audit_from from = {
		.origin = pl->origin,
		.source = it->src.file[0] ? it->src.file : NULL,
		.reason = reason,
	};
	const struct sg_state *want = it->rc || !it->decided ? NULL
				      : it->act == SG_ACT_KEEP ? &it->prev : &it->st;

	if (!it->have_want)
		sg_audit_disable(it->customer, it->have_prev ? &it->prev : NULL, rc, &from);
	else
		sg_audit_enable(&it->want, pl->flags & SG_PLAN_RESTORE, want,
				it->have_prev ? &it->prev : NULL, !rc && it->act == SG_ACT_KEEP, rc,
				&from);
}

/* A plan not executed for an error in its checks: each customer that had
 * one failed; with an error of the whole plan (xt_bpf, bpffs), each
 * customer that was to change did. */
static void audit_not_done(const struct sg_plan *pl)
{
	for (unsigned int i = 0; i < pl->n; i++) {
		const struct sg_item *it = &pl->items[i];

		if (it->rc)
			audit_item(pl, it, it->rc, it->reason);
		else if (pl->reason[0] && (!it->decided || it->act != SG_ACT_KEEP))
			audit_item(pl, it, pl->rc, pl->reason);
	}
}

int sg_plan_execute(struct sg_plan *pl)
{
	static const enum sg_act order[] = { SG_ACT_ENABLE, SG_ACT_CHANGE, SG_ACT_REPAIR, SG_ACT_DISABLE };
	bool restore = pl->flags & SG_PLAN_RESTORE, disabled = false;
	int rc = SG_EXIT_OK;

	if (pl->flags & SG_PLAN_DRY_RUN)
		return pl->rc;
	if (pl->rc && !restore) {
		audit_not_done(pl);
		return pl->rc;  /* an error anywhere: nothing changes */
	}
	/* customers as desired: only leftovers of a run killed before its
	 * state write (a newer generation's pins, the .tmp state) go */
	for (unsigned int i = 0; i < pl->n; i++) {
		struct sg_item *it = &pl->items[i];

		if (it->rc) { /* restore: skipped, the others are done */
			audit_item(pl, it, it->rc, it->reason);
		} else if (!it->decided) { /* restore: the plan stopped before it (bpffs) */
			it->exec_rc = pl->rc;
			snprintf(it->reason, sizeof(it->reason), "%s", pl->reason);
			audit_item(pl, it, it->exec_rc, it->reason);
		} else if (it->act == SG_ACT_KEEP) {
			sg_pins_remove_except(it->customer, it->prev.generation);
			sg_state_abort(it->customer);
			audit_item(pl, it, 0, NULL);
		}
	}
	for (unsigned int k = 0; k < sizeof(order) / sizeof(*order); k++) {
		for (unsigned int i = 0; i < pl->n; i++) {
			struct sg_item *it = &pl->items[i];
			int r;

			if (it->rc || !it->decided || it->act != order[k])
				continue;
			sg_log_clear(); /* what follows is about this customer */
			r = it->act == SG_ACT_DISABLE ? exec_disable(pl, it) : exec_enable(pl, it);
			it->exec_rc = r;
			it->done = !r;
			if (r)
				snprintf(it->reason, sizeof(it->reason), "%s",
					 sg_log_first() ? sg_log_first() : "failed");
			audit_item(pl, it, r, it->reason);
			disabled |= !r && it->act == SG_ACT_DISABLE;
			if (r && !rc)
				rc = r;
			if (r && !restore)
				goto out; /* the customers after it stay as they are */
		}
	}
out:
	/* (also a dataplane of another sipguard version, which plan could not
	 * open: with its last customer gone it goes, and enable starts anew) */
	if (disabled && (pl->have_dp || sg_dp_exists(sg_pin_root()))) {
		/* the last customer gone: nothing of sipguard stays in bpffs */
		if (sg_state_any() == 0) {
			if (pl->have_dp)
				sg_dp_close(&pl->dp);
			pl->have_dp = false;
			sg_dp_remove(sg_pin_root());
		}
	}
	return rc ? rc : pl->rc;
}
