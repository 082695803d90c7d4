// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* A private instance of the validator for offline runs (`sipguard check`,
 * tests, benchmarks): the profile's program with maps of its own, one
 * customer (id 1) and a stub, run the way the live rule runs it. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "loader.h"
#include "validator.h"
#include "sip_parse_user.h"
#include "log.h"

#define SG_PRIVATE_ID 1

struct sg_validator {
	struct sg_shared sh;
	struct sg_loaded *l;
	int progs_fd, stub_fd, counters_fd, hosts_fd, peers_fd;
	__u32 flags_set, flags_clear;
	int ncpus;
	char pin_dir[PATH_MAX];
	/* the stream store of runs in userspace: the kernel's own maps */
	struct sg_flow flow_copy;
	struct sg_carry carry_copy;
	struct sg_ustreams streams;
	/* the last run's drop detail (its event, or the userspace build's) */
	struct sg_detail det;
	__u64 ev_seen;                 /* event ring position read up to */
};

int sg_validator_prog_fd(const struct sg_validator *v)
{
	return v->stub_fd;
}

int sg_validator_variant(const struct sg_validator *v)
{
	return v->l->variant;
}

__u32 sg_validator_verified_insns(const struct sg_validator *v)
{
	return v->l->verified_insns;
}

int sg_validator_validator_fd(const struct sg_validator *v)
{
	return sg_loaded_prog_fd(v->l);
}

static int set_inner(int outer, __u32 key, int inner)
{
	return bpf_map_update_elem(outer, &key, &inner, BPF_ANY) ? -errno : 0;
}

int sg_validator_load(const struct sg_profile *p, const struct sg_customer_opts *o,
		      struct sg_validator **out)
{
	static const struct sg_customer_opts none = { .mode = -1 };
	const struct sg_sizes sizes = { .customers = 2, .flows = 4096, .carries = 1024, .events = 64 };
	struct sg_customer ce = { .epoch = 1 };
	struct sg_profile q = *p; /* shallow: the ports may change */
	struct sg_validator *v;
	__u32 id = SG_PRIVATE_ID, zero = 0;
	int err, fd;

	*out = NULL;
	if (!o)
		o = &none;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	sg_shared_init(&v->sh);
	v->progs_fd = v->stub_fd = v->counters_fd = v->hosts_fd = v->peers_fd = -1;
	v->ncpus = libbpf_num_possible_cpus();
	if (v->ncpus <= 0) {
		err = v->ncpus ? v->ncpus : -EINVAL;
		pr_warn("cannot count possible CPUs: %s\n", strerror(-err));
		goto fail;
	}
	if (o->ports && o->ports[0]) {
		memset(q.cfg.ports, 0, sizeof(q.cfg.ports));
		memset(q.cfg.port_protos, 0, sizeof(q.cfg.port_protos));
		for (int k = 0; o->ports[k]; k++) {
			if (k >= SG_MAX_PORTS) {
				pr_warn("too many ports (at most %d)\n", SG_MAX_PORTS);
				err = -E2BIG;
				goto fail;
			}
			q.cfg.ports[k] = o->ports[k];
			q.cfg.port_protos[k] = SG_PROTO_UDP | SG_PROTO_TCP;
		}
	}
	/* the lists first: a bad host or peer is the caller's mistake, said
	 * before anything is loaded */
	v->hosts_fd = sg_inner_hosts_create(o->own_hosts, o->n_own_hosts);
	if (v->hosts_fd < 0) {
		err = v->hosts_fd;
		goto fail;
	}
	v->peers_fd = sg_inner_peers_create(o->peers, o->n_peers);
	if (v->peers_fd < 0) {
		err = v->peers_fd;
		goto fail;
	}
	err = sg_loaded_open(&q, &v->sh, &sizes, SG_VARIANT_AUTO, 0, &v->l);
	if (err)
		goto fail;
	v->counters_fd = sg_inner_counters_create();
	if (v->counters_fd < 0) {
		err = v->counters_fd;
		goto fail;
	}
	err = set_inner(v->sh.fd[SG_SH_COUNTERS], id, v->counters_fd);
	if (!err)
		err = set_inner(v->sh.fd[SG_SH_HOSTS], id * 2, v->hosts_fd);
	if (!err)
		err = set_inner(v->sh.fd[SG_SH_PEERS], id * 2, v->peers_fd);
	if (!err && bpf_map_update_elem(v->sh.fd[SG_SH_CUSTOMERS], &id, &ce, BPF_ANY))
		err = -errno;
	if (err) {
		pr_warn("cannot set up the validator's customer: %s\n", strerror(-err));
		goto fail;
	}
	/* the customer's flags over the profile's, as a live stub sets them */
	if (o->mode == 0)
		v->flags_clear |= SG_F_MONITOR;
	else if (o->mode == 1)
		v->flags_set |= SG_F_MONITOR;
	if (o->report)
		v->flags_set |= SG_F_REPORT;
	/* check_via / check_peers apply only when the customer gave the lists */
	if (!o->n_own_hosts)
		v->flags_clear |= SG_F_CHECK_VIA_OWN;
	if (!o->n_peers)
		v->flags_clear |= SG_F_CHECK_PEERS;
	v->progs_fd = bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "sg_profiles", sizeof(__u32),
				     sizeof(__u32), 1, NULL);
	if (v->progs_fd < 0) {
		err = -errno;
		pr_warn("cannot create the program array: %s\n", strerror(-err));
		goto fail;
	}
	v->stub_fd = sg_stub_load(v->progs_fd, 0, SG_CB_VALUE(id, 0), v->flags_set, v->flags_clear);
	if (v->stub_fd < 0) {
		err = v->stub_fd;
		pr_warn("cannot load the customer stub: %s\n", strerror(-err));
		goto fail;
	}
	fd = sg_loaded_prog_fd(v->l);
	if (bpf_map_update_elem(v->progs_fd, &zero, &fd, BPF_ANY)) {
		err = -errno;
		pr_warn("cannot put the validator in the program array: %s\n", strerror(-err));
		goto fail;
	}
	*out = v;
	return 0;
fail:
	sg_validator_free(v);
	return err ? err : -EINVAL;
}

void sg_validator_free(struct sg_validator *v)
{
	if (!v)
		return;
	sg_loaded_free(v->l);
	sg_shared_close(&v->sh);
	if (v->progs_fd >= 0)
		close(v->progs_fd);
	if (v->stub_fd >= 0)
		close(v->stub_fd);
	if (v->counters_fd >= 0)
		close(v->counters_fd);
	if (v->hosts_fd >= 0)
		close(v->hosts_fd);
	if (v->peers_fd >= 0)
		close(v->peers_fd);
	free(v);
}

static int user_own_host(void *opaque, const struct sg_host_key *key)
{
	struct sg_validator *v = opaque;
	__u8 val;

	return !bpf_map_lookup_elem(v->hosts_fd, key, &val);
}

static int user_peer(void *opaque, const struct sg_peer_key *key)
{
	struct sg_validator *v = opaque;
	__u8 val;

	return !bpf_map_lookup_elem(v->peers_fd, key, &val);
}

static void *user_stream_get(void *opaque, const struct sg_flow_key *key, int carry)
{
	struct sg_validator *v = opaque;
	void *dst = carry ? (void *)&v->carry_copy : (void *)&v->flow_copy;

	return bpf_map_lookup_elem(v->sh.fd[carry ? SG_SH_CARRY : SG_SH_FLOWS], key, dst) ? NULL : dst;
}

static int user_stream_put(void *opaque, const struct sg_flow_key *key, const void *val, int carry)
{
	struct sg_validator *v = opaque;

	return bpf_map_update_elem(v->sh.fd[carry ? SG_SH_CARRY : SG_SH_FLOWS], key, val, BPF_ANY)
		? -errno : 0;
}

/* BPF_PROG_TEST_RUN takes at most a page less skb head- and tailroom
 * (3712 bytes on x86-64). Larger packets (reassembled datagrams), and ones
 * shorter than their IP header (see sg_validator_run), are judged
 * by the userspace build of the same parser with the instance's own
 * config and maps (its TCP streams included); tests/t_equal.sh shows the
 * two agree. */
#define SG_TEST_RUN_MAX 3700

/* The detail of the drop the last kernel run made, from the event it
 * wrote (report mode sends one for every drop). */
static void read_last_event(struct sg_validator *v)
{
	struct sg_event_head head;
	struct sg_event *ev;
	__u32 zero = 0, slot;

	if (bpf_map_lookup_elem(v->sh.fd[SG_SH_EVENT_HEAD], &zero, &head) || head.next == v->ev_seen)
		return;
	v->ev_seen = head.next;
	ev = malloc(sizeof(*ev));
	if (!ev)
		return;
	slot = (__u32)((head.next - 1) & head.mask);
	if (!bpf_map_lookup_elem(v->sh.fd[SG_SH_EVENTS], &slot, ev) && ev->h.seq == head.next)
		v->det = ev->h.det;
	free(ev);
}

static int run_in_userspace(struct sg_validator *v, const void *l3, size_t len, __u32 *ret)
{
	const struct sg_config *cfg = &v->l->cfg;
	__u32 flags = (cfg->flags & ~(v->flags_clear & SG_F_CUSTOMER)) | (v->flags_set & SG_F_CUSTOMER);
	__u32 reason, id = SG_PRIVATE_ID, zero = 0;
	struct sg_counter pc[v->ncpus];
	struct sg_uenv env = {
		.pkt = l3, .len = (__u32)len, .dfa = v->l->dfa, .dfa_fast = v->l->dfa_fast,
		.own_host = user_own_host, .peer = user_peer, .opaque = v, .streams = &v->streams,
	};

	v->streams.get = user_stream_get;
	v->streams.put = user_stream_put;
	v->streams.opaque = v;
	reason = sg_user_judge_as(&env, cfg, flags, SG_CB_VALUE(id, 0), 1);
	if (reason >= SG_FIRST_DROP)
		sg_user_last_detail(&v->det);
	/* counted like the kernel program counts */
	if (!bpf_map_lookup_elem(v->counters_fd, &reason, pc)) {
		pc[0].packets++;
		pc[0].bytes += len;
		bpf_map_update_elem(v->counters_fd, &reason, pc, BPF_ANY);
	}
	(void)zero;
	/* the program's return convention (sipguard.bpf.c) */
	if (flags & SG_F_REPORT)
		*ret = SG_RET_REPORT | reason;
	else
		*ret = reason >= SG_FIRST_DROP && !(flags & SG_F_MONITOR) ? reason : 0;
	return 0;
}

int sg_validator_run(struct sg_validator *v, const void *l3, size_t len, __u32 *ret,
		     __u32 repeat, __u32 *duration_ns)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	bool v6 = len && (((const __u8 *)l3)[0] >> 4) == 6; /* the EtherType we give it */
	__u8 *buf;
	int err;

	if (len > 0xffff)
		return -E2BIG;
	memset(&v->det, 0, sizeof(v->det));
	/* BPF_PROG_TEST_RUN also refuses a packet shorter than the IP header
	 * its EtherType announces (EINVAL); the program reads nothing from
	 * one either (not-ip), and the userspace build says the same */
	if (len + 14 > SG_TEST_RUN_MAX || (len && len < (v6 ? 40u : 20u))) {
		if (duration_ns)
			*duration_ns = 0;
		return run_in_userspace(v, l3, len, ret);
	}
	buf = malloc(len + 14);
	if (!buf)
		return -ENOMEM;
	memset(buf, 0, 12);
	buf[0] = 0x02; /* locally administered MACs */
	buf[6] = 0x02;
	buf[11] = 1;
	if (v6) {
		buf[12] = 0x86;
		buf[13] = 0xdd;
	} else {
		buf[12] = 0x08;
		buf[13] = 0x00;
	}
	memcpy(buf + 14, l3, len);
	opts.data_in = buf;
	opts.data_size_in = (__u32)(len + 14);
	opts.repeat = repeat ? repeat : 1;
	err = bpf_prog_test_run_opts(v->stub_fd, &opts);
	free(buf);
	if (err) {
		err = -errno ? -errno : err;
		pr_warn("BPF_PROG_TEST_RUN failed: %s\n", strerror(-err));
		return err;
	}
	*ret = opts.retval;
	if (duration_ns)
		*duration_ns = opts.duration;
	read_last_event(v);
	return 0;
}

void sg_validator_detail(const struct sg_validator *v, struct sg_detail *det)
{
	*det = v->det;
}

int sg_validator_counters(const struct sg_validator *v, struct sg_counter out[SG_REASON_MAX])
{
	struct sg_counter *pc;
	int err = 0;

	memset(out, 0, sizeof(struct sg_counter) * SG_REASON_MAX);
	pc = calloc(v->ncpus, sizeof(*pc));
	if (!pc)
		return -ENOMEM;
	for (__u32 r = 0; r < SG_REASON_MAX; r++) {
		if (bpf_map_lookup_elem(v->counters_fd, &r, pc)) {
			err = -errno;
			pr_warn("cannot read counter %u: %s\n", r, strerror(-err));
			goto out;
		}
		for (int c = 0; c < v->ncpus; c++) {
			out[r].packets += pc[c].packets;
			out[r].bytes += pc[c].bytes;
			out[r].suppressed += pc[c].suppressed;
		}
	}
out:
	free(pc);
	return err;
}

static void clear_map(int fd, size_t key_size)
{
	__u8 key[64], next[64];

	if (key_size > sizeof(key))
		return;
	while (!bpf_map_get_next_key(fd, NULL, next)) {
		memcpy(key, next, key_size);
		if (bpf_map_delete_elem(fd, key))
			break;
	}
}

void sg_validator_streams_reset(struct sg_validator *v)
{
	clear_map(v->sh.fd[SG_SH_FLOWS], sizeof(struct sg_flow_key));
	clear_map(v->sh.fd[SG_SH_CARRY], sizeof(struct sg_flow_key));
}

int sg_validator_config(const struct sg_validator *v, struct sg_config *cfg, __u32 *flags)
{
	*cfg = v->l->cfg;
	*flags = (cfg->flags & ~(v->flags_clear & SG_F_CUSTOMER)) | (v->flags_set & SG_F_CUSTOMER);
	return 0;
}

int sg_validator_pin(struct sg_validator *v, const char *dir)
{
	char path[PATH_MAX];
	int err;

	err = sg_loaded_pin(v->l, dir);
	if (err)
		return err;
	/* the entry the benchmarks run: the stub (it keeps the program array
	 * and with it the validator) */
	snprintf(path, sizeof(path), "%s/stub", dir);
	if (bpf_obj_pin(v->stub_fd, path)) {
		err = -errno;
		pr_warn("cannot pin %s: %s\n", path, strerror(-err));
		return err;
	}
	snprintf(v->pin_dir, sizeof(v->pin_dir), "%s", dir);
	return 0;
}
