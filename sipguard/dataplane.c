// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* The host's shared dataplane in bpffs (dataplane.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dataplane.h"
#include "sip_parse_user.h"
#include "fault.h"
#include "log.h"

static void shared_path(const struct sg_dp *dp, const char *name, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s/%s", dp->root, SG_DP_SHARED_DIR, name);
}

static void slot_dir(const struct sg_dp *dp, unsigned int slot, uint64_t hash, char *buf,
		     size_t n)
{
	snprintf(buf, n, "%s/%s/%u_%016llx", dp->root, SG_DP_PROFILES_DIR, slot, /* bpffs takes no dot */
		 (unsigned long long)hash);
}

bool sg_dp_exists(const char *root)
{
	char path[PATH_MAX];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s/sg_profiles", root, SG_DP_SHARED_DIR);
	return stat(path, &sb) == 0;
}

/* The shared maps pinned by an earlier sipguard must have this build's
 * layout: a validator of this build would misread them, or the verifier
 * refuse it with a message nobody can act on. The value sizes tell, and a
 * map this build shares that an older one did not have. */
static int check_layout(struct sg_dp *dp)
{
	const __u32 want[SG_SH_N] = {
		[SG_SH_CUSTOMERS] = sizeof(struct sg_customer), [SG_SH_COUNTERS] = sizeof(__u32),
		[SG_SH_HOSTS] = sizeof(__u32),                  [SG_SH_PEERS] = sizeof(__u32),
		[SG_SH_FLOWS] = sizeof(struct sg_flow),         [SG_SH_CARRY] = sizeof(struct sg_carry),
		[SG_SH_SCRATCH] = sg_user_scratch_size(),       [SG_SH_EVENTS] = sizeof(struct sg_event),
		[SG_SH_EVENT_HEAD] = sizeof(struct sg_event_head),
	};
	bool some = false;

	for (int i = 0; i < SG_SH_N; i++)
		some |= dp->sh.fd[i] >= 0;
	for (int i = 0; some && i < SG_SH_N; i++) {
		struct bpf_map_info info;
		__u32 len = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (dp->sh.fd[i] >= 0 && bpf_obj_get_info_by_fd(dp->sh.fd[i], &info, &len))
			continue;
		if (dp->sh.fd[i] < 0 || info.value_size != want[i]) {
			pr_warn("the shared dataplane under %s/%s was made by another version of sipguard "
				"(%s: %s; this version: %u-byte values): disable every customer, or reboot, "
				"then enable or restore them\n", dp->root, SG_DP_SHARED_DIR,
				sg_shared_names[i], dp->sh.fd[i] < 0 ? "missing" : "other value size",
				want[i]);
			return -EPROTO;
		}
	}
	return 0;
}

int sg_dp_open(struct sg_dp *dp, const char *root, bool create)
{
	char path[PATH_MAX];
	int err = 0;

	memset(dp, 0, sizeof(*dp));
	sg_shared_init(&dp->sh);
	dp->progs_fd = dp->slots_fd = -1;
	snprintf(dp->root, sizeof(dp->root), "%s", root);
	shared_path(dp, "sg_profiles", path, sizeof(path));
	dp->progs_fd = bpf_obj_get(path);
	if (dp->progs_fd < 0) {
		if (!create)
			return -ENOENT;
		/* a new dataplane: the program array and the registry now,
		 * the maps the validators share with the first one loaded */
		dp->progs_fd = bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "sg_profiles", sizeof(__u32),
					      sizeof(__u32), SG_MAX_PROFILES, NULL);
		dp->slots_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "sg_slots", sizeof(__u32),
					      sizeof(struct sg_slot_info), SG_MAX_PROFILES, NULL);
		if (dp->progs_fd < 0 || dp->slots_fd < 0) {
			err = -errno;
			pr_warn("cannot create the program array: %s\n", strerror(-err));
			goto fail;
		}
		snprintf(path, sizeof(path), "%s/%s", dp->root, SG_DP_SHARED_DIR);
		if (mkdir(dp->root, 0700) && errno != EEXIST) {
			err = -errno;
			goto fail_dir;
		}
		if (mkdir(path, 0700) && errno != EEXIST) {
			err = -errno;
			goto fail_dir;
		}
		shared_path(dp, "sg_slots", path, sizeof(path));
		if (bpf_obj_pin(dp->slots_fd, path)) {
			err = -errno;
			goto fail_dir;
		}
		/* pinned last: its presence says the dataplane exists */
		shared_path(dp, "sg_profiles", path, sizeof(path));
		if (bpf_obj_pin(dp->progs_fd, path)) {
			err = -errno;
			goto fail_dir;
		}
		return 0;
	}
	shared_path(dp, "sg_slots", path, sizeof(path));
	dp->slots_fd = bpf_obj_get(path);
	if (dp->slots_fd < 0) {
		err = -errno;
		pr_warn("%s: the shared dataplane is incomplete (%s): sipguard disable every customer, or rm -r %s/%s\n",
			path, strerror(-err), dp->root, SG_DP_SHARED_DIR);
		goto fail;
	}
	for (int i = 0; i < SG_SH_N; i++) {
		shared_path(dp, sg_shared_names[i], path, sizeof(path));
		dp->sh.fd[i] = bpf_obj_get(path); /* -1: no validator loaded yet */
	}
	err = check_layout(dp);
	if (err)
		goto fail;
	return 0;
fail_dir:
	pr_warn("cannot pin the shared dataplane under %s/%s: %s (is bpffs mounted?)\n", dp->root,
		SG_DP_SHARED_DIR, strerror(-err));
fail:
	sg_dp_close(dp);
	return err;
}

void sg_dp_close(struct sg_dp *dp)
{
	sg_shared_close(&dp->sh);
	if (dp->progs_fd >= 0)
		close(dp->progs_fd);
	if (dp->slots_fd >= 0)
		close(dp->slots_fd);
	dp->progs_fd = dp->slots_fd = -1;
}

static void rm_dir(const char *dir)
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
		if (unlink(path) && errno == EISDIR)
			rm_dir(path);
	}
	closedir(d);
	rmdir(dir);
}

void sg_dp_remove(const char *root)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, SG_DP_PROFILES_DIR);
	rm_dir(path);
	/* the program array last, as it was pinned last */
	snprintf(path, sizeof(path), "%s/%s/sg_profiles", root, SG_DP_SHARED_DIR);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s", root, SG_DP_SHARED_DIR);
	rm_dir(path);
}

int sg_dp_slot_info(struct sg_dp *dp, unsigned int slot, struct sg_slot_info *out)
{
	__u32 k = slot;

	memset(out, 0, sizeof(*out));
	return bpf_map_lookup_elem(dp->slots_fd, &k, out) ? -errno : 0;
}

static int pin_shared(struct sg_dp *dp)
{
	char path[PATH_MAX];
	struct stat sb;

	for (int i = 0; i < SG_SH_N; i++) {
		shared_path(dp, sg_shared_names[i], path, sizeof(path));
		if (stat(path, &sb) == 0)
			continue;
		if (bpf_obj_pin(dp->sh.fd[i], path)) {
			int err = -errno;

			pr_warn("cannot pin %s: %s\n", path, strerror(-err));
			return err;
		}
	}
	return 0;
}

int sg_dp_profile(struct sg_dp *dp, const struct sg_profile *p, uint64_t hash,
		  unsigned int *slot, bool *replaced)
{
	struct sg_slot_info info, old = { 0 };
	struct sg_loaded *l = NULL;
	char dir[PATH_MAX], path[PATH_MAX];
	int free_slot = -1, found = -1, err, fd;
	__u32 k;

	*replaced = false;
	if (!realpath(p->path, path))
		snprintf(path, sizeof(path), "%s", p->path);
	for (unsigned int s = 0; s < SG_MAX_PROFILES; s++) {
		if (sg_dp_slot_info(dp, s, &info))
			return -errno;
		if (!info.hash) {
			if (free_slot < 0)
				free_slot = (int)s;
			continue;
		}
		if (!strncmp(info.path, path, sizeof(info.path))) {
			found = (int)s;
			old = info;
			break;
		}
	}
	if (found >= 0 && old.hash == hash) {
		*slot = (unsigned int)found;
		return 0; /* loaded already: nothing to verify */
	}
	if (found < 0 && free_slot < 0) {
		pr_warn("every one of the %d profile slots is in use: disable the customers of a profile first\n",
			SG_MAX_PROFILES);
		return -ENOSPC;
	}
	k = found >= 0 ? (unsigned int)found : (unsigned int)free_slot;
	err = sg_loaded_open(p, &dp->sh, NULL, SG_VARIANT_AUTO, k, &l);
	if (err)
		return err;
	err = pin_shared(dp);
	if (err)
		goto out;
	slot_dir(dp, k, hash, dir, sizeof(dir));
	err = sg_loaded_pin(l, dir);
	if (err)
		goto out;
	memset(&info, 0, sizeof(info));
	info.hash = hash;
	info.variant = (uint32_t)l->variant;
	info.verified_insns = l->verified_insns;
	info.prog_id = l->prog_id;
	snprintf(info.name, sizeof(info.name), "%s", p->name);
	snprintf(info.path, sizeof(info.path), "%.*s", (int)sizeof(info.path) - 1, path);
	/* the registry first, then the program: a kill between leaves a
	 * slot whose program is the old one, which the next run reloads */
	if (bpf_map_update_elem(dp->slots_fd, &k, &info, BPF_ANY)) {
		err = -errno;
		goto out;
	}
	fd = sg_loaded_prog_fd(l);
	if (bpf_map_update_elem(dp->progs_fd, &k, &fd, BPF_ANY)) {
		err = -errno;
		pr_warn("cannot put the validator into slot %u: %s\n", k, strerror(-err));
		goto out;
	}
	if (found >= 0) {
		*replaced = true;
		slot_dir(dp, k, old.hash, dir, sizeof(dir));
		rm_dir(dir);
	}
	*slot = k;
	pr_debug("profile %s in slot %u: %s variant, %u instructions verified\n", p->name, k,
		 sg_variant_name(l->variant), l->verified_insns);
out:
	if (err) {
		slot_dir(dp, k, hash, dir, sizeof(dir));
		rm_dir(dir);
	}
	sg_loaded_free(l); /* the program lives on in the array and its pins */
	return err;
}

void sg_dp_profile_release(struct sg_dp *dp, unsigned int slot)
{
	struct sg_slot_info info;
	char dir[PATH_MAX];
	__u32 k = slot;

	if (sg_dp_slot_info(dp, slot, &info) || !info.hash)
		return;
	bpf_map_delete_elem(dp->progs_fd, &k);
	slot_dir(dp, slot, info.hash, dir, sizeof(dir));
	rm_dir(dir);
	memset(&info, 0, sizeof(info));
	bpf_map_update_elem(dp->slots_fd, &k, &info, BPF_ANY);
}

int sg_dp_customer_set(struct sg_dp *dp, uint32_t id, uint32_t epoch)
{
	struct sg_customer ce = { .epoch = epoch };

	if (dp->sh.fd[SG_SH_CUSTOMERS] < 0)
		return -ENOENT;
	return bpf_map_update_elem(dp->sh.fd[SG_SH_CUSTOMERS], &id, &ce, BPF_ANY) ? -errno : 0;
}

bool sg_dp_customer_used(struct sg_dp *dp, uint32_t id)
{
	struct sg_customer ce;

	return dp->sh.fd[SG_SH_CUSTOMERS] >= 0 &&
	       !bpf_map_lookup_elem(dp->sh.fd[SG_SH_CUSTOMERS], &id, &ce) && ce.epoch;
}

int sg_dp_customer_lists(struct sg_dp *dp, uint32_t id, unsigned int parity,
			 const char *const *hosts, unsigned int n_hosts,
			 const char *const *peers, unsigned int n_peers)
{
	__u32 k = id * 2 + (parity & 1);
	int h, p, err = 0;

	h = sg_inner_hosts_create(hosts, n_hosts);
	if (h < 0)
		return h;
	p = sg_inner_peers_create(peers, n_peers);
	if (p < 0) {
		close(h);
		return p;
	}
	if (bpf_map_update_elem(dp->sh.fd[SG_SH_HOSTS], &k, &h, BPF_ANY) ||
	    bpf_map_update_elem(dp->sh.fd[SG_SH_PEERS], &k, &p, BPF_ANY))
		err = -errno;
	close(h);
	close(p);
	return err;
}

int sg_dp_customer_counters(struct sg_dp *dp, uint32_t id)
{
	__u32 inner_id;
	int fd;

	if (!bpf_map_lookup_elem(dp->sh.fd[SG_SH_COUNTERS], &id, &inner_id)) {
		fd = bpf_map_get_fd_by_id(inner_id);
		if (fd >= 0)
			return fd;
	}
	fd = sg_inner_counters_create();
	if (fd < 0)
		return fd;
	if (bpf_map_update_elem(dp->sh.fd[SG_SH_COUNTERS], &id, &fd, BPF_ANY)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

void sg_dp_customer_remove(struct sg_dp *dp, uint32_t id)
{
	__u32 k0 = id * 2, k1 = id * 2 + 1;
	struct sg_customer ce = { 0 };

	if (dp->sh.fd[SG_SH_CUSTOMERS] < 0)
		return;
	bpf_map_update_elem(dp->sh.fd[SG_SH_CUSTOMERS], &id, &ce, BPF_ANY);
	bpf_map_delete_elem(dp->sh.fd[SG_SH_COUNTERS], &id);
	bpf_map_delete_elem(dp->sh.fd[SG_SH_HOSTS], &k0);
	bpf_map_delete_elem(dp->sh.fd[SG_SH_HOSTS], &k1);
	bpf_map_delete_elem(dp->sh.fd[SG_SH_PEERS], &k0);
	bpf_map_delete_elem(dp->sh.fd[SG_SH_PEERS], &k1);
}

int sg_dp_stub(struct sg_dp *dp, uint32_t id, unsigned int parity, uint32_t flags_set,
	       uint32_t flags_clear, unsigned int slot)
{
	return sg_stub_load(dp->progs_fd, slot, SG_CB_VALUE(id, parity & 1), flags_set, flags_clear);
}
