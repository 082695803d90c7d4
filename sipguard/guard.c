// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* What enable, disable, restore, apply and sync share: root, bpffs, the
 * lock, pins and names; and the front ends of enable, disable and restore
 * over the plan (plan.h: plan.c checks and decides, execute.c changes). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "audit.h"
#include "commands.h"
#include "guard.h"
#include "log.h"
#include "profile.h"
#include "plan.h"

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

void sg_pins_remove_dir(const char *dir)
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
void sg_pins_remove_except(const char *customer, unsigned int keep)
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
		sg_pins_remove_dir(sub);
	}
	closedir(d);
	if (!keep)
		rmdir(dir);
}

unsigned int sg_pins_max_gen(const char *customer)
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

uint64_t sg_fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

uint64_t sg_profile_hash(const struct sg_profile *pr)
{
	uint64_t h = SG_FNV_INIT;
	h = sg_fnv(h, &pr->cfg, sizeof(pr->cfg));
	if (pr->dfa)
		h = sg_fnv(h, pr->dfa, (size_t)pr->cfg.dfa_states * sizeof(*pr->dfa));
	h = sg_fnv(h, &pr->rate, sizeof(pr->rate));
	return h;
}



int sg_lock_shared(void)
{
	int fd = open(SG_LOCK_FILE, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_SH)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* ------------------------------------------------------ front ends */

static void say_kept(const struct sg_item *it)
{
	printf("%s: already enabled with these parameters (profile %s, generation %u): no change\n",
	       it->customer, it->prev.profile_name, it->prev.generation);
}

int sg_apply(struct sg_params *p, bool restore)
{
	struct sg_source src = { .file = "" };
	struct sg_desired d = { .v = p, .src = &src, .n = 1 };
	struct sg_plan pl;
	int rc;

	if ((rc = sg_require_root()))
		return rc;
	rc = sg_plan_make(&pl, &d, p->customer, restore ? SG_PLAN_RESTORE : 0);
	if (!rc && pl.n == 1) {
		const struct sg_item *it = &pl.items[0];

		if (it->act == SG_ACT_KEEP)
			say_kept(it);
		else if (it->act == SG_ACT_CHANGE)
			sg_item_print(it, stdout);
	}
	if (pl.n)
		rc = sg_plan_execute(&pl); /* audits a failure of the checks too */
	else /* failed before the customer was looked at (the lock) */
		sg_audit_enable(p, restore, NULL, NULL, false, rc, NULL);
	sg_plan_free(&pl);
	return rc;
}

int sg_teardown(const char *customer)
{
	struct sg_desired d = { 0 };
	struct sg_plan pl;
	int rc;

	if ((rc = sg_require_root()))
		return rc;
	rc = sg_plan_make(&pl, &d, customer, 0);
	if (!rc && !pl.n) {
		pr_warn("customer '%s' is not enabled (no state in %s/customers)\n", customer,
			sg_state_dir());
		/* leftover pins of a lost state are still ours */
		sg_pins_remove_except(customer, 0);
		rc = SG_EXIT_FAIL;
		sg_audit_disable(customer, NULL, rc, NULL);
	} else if (pl.n) {
		rc = sg_plan_execute(&pl); /* audits a failure of the checks too */
	} else {
		sg_audit_disable(customer, NULL, rc, NULL);
	}
	sg_plan_free(&pl);
	return rc;
}

int sg_restore(void)
{
	struct sg_desired d = { 0 };
	char (*names)[32] = NULL;
	struct sg_plan pl;
	int n, rc;

	if ((rc = sg_require_root()))
		return rc;
	n = sg_state_customers(&names);
	if (n < 0) {
		pr_warn("cannot read %s/customers\n", sg_state_dir());
		return SG_EXIT_FAIL;
	}
	d.v = calloc((size_t)n + 1, sizeof(*d.v));
	d.src = calloc((size_t)n + 1, sizeof(*d.src));
	if (!d.v || !d.src) {
		free(names), free(d.v), free(d.src);
		return SG_EXIT_FAIL;
	}
	for (int i = 0; i < n; i++) {
		struct sg_state *st = malloc(sizeof(*st));
		int err;

		if (!st)
			break;
		sg_log_clear();
		err = sg_state_load(names[i], st);
		if (err) {
			char why[600];

			if (sg_log_first()) /* sg_state_load said why, naming the file */
				snprintf(why, sizeof(why), "unreadable state file: %s", sg_log_first());
			else
				snprintf(why, sizeof(why), "unreadable state file %s/customers/%s.conf: %s",
					 sg_state_dir(), names[i], strerror(-err));
			pr_warn("%s: %s, skipped\n", names[i], why);
			sg_audit_failed("restore", names[i], why, SG_EXIT_FAIL);
			rc = SG_EXIT_FAIL;
			free(st);
			continue;
		}
		d.v[d.n++] = st->p; /* the lists move to d */
		free(st);
	}
	free(names);
	/* the desired state is what the state files say: each customer is kept
	 * or rebuilt; one that cannot be is said and skipped */
	sg_plan_make(&pl, &d, NULL, SG_PLAN_RESTORE);
	for (unsigned int i = 0; i < pl.n; i++) {
		const struct sg_item *it = &pl.items[i];

		if (!it->rc && it->act == SG_ACT_KEEP)
			say_kept(it);
	}
	if (sg_plan_execute(&pl))
		rc = SG_EXIT_FAIL;
	for (unsigned int i = 0; i < pl.n; i++)
		if (pl.items[i].rc || pl.items[i].exec_rc)
			pr_warn("%s: not restored (exit %d)\n", pl.items[i].customer,
				pl.items[i].rc ? pl.items[i].rc : pl.items[i].exec_rc);
	sg_plan_free(&pl);
	sg_desired_free(&d);
	return rc;
}
