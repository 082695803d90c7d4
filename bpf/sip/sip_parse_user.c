// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* Userspace environment for sip_parse.h: packet reads from memory, maps as
 * arrays and callbacks, TCP streams in a store. */
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include "sip_parse_user.h"

typedef const struct sg_uenv *sg_env_t;

static int sg_env_load(sg_env_t env, __u32 off, void *dst, __u32 len)
{
	if (off > env->len || len > env->len - off)
		return -1;
	memcpy(dst, env->pkt + off, len);
	return 0;
}

#define sg_env_gso(env, size, segs) (*(size) = (env)->gso_size, *(segs) = (env)->gso_segs)

/* The judged packet's environment: the parser's lookups take no env
 * argument (in the kernel they are global maps), so it is per thread. */
static __thread const struct sg_uenv *sg_cur_env;
static __thread __u32 sg_cur_dfa_rows;

static const struct sg_dfa_row *sg_env_dfa_row(__u32 state)
{
	return sg_cur_env->dfa && state < sg_cur_dfa_rows ? &sg_cur_env->dfa[state] : NULL;
}

static const struct sg_dfa_fast *sg_env_dfa_fast(void)
{
	return sg_cur_env->dfa_fast;
}

#define sg_env_own_host(s, key) \
	(sg_cur_env->own_host && sg_cur_env->own_host(sg_cur_env->opaque, key))
#define sg_env_peer(s, key) (sg_cur_env->peer && sg_cur_env->peer(sg_cur_env->opaque, key))

/* ---- stream stores in memory: a small open-addressing table, the oldest
 * entry replaced when full (as the kernel's LRU would) ---- */
#define SG_USTORE_N 256
struct sg_ustore_slot {
	int used;
	unsigned long stamp;
	struct sg_flow_key key;
	struct sg_flow flow;
	struct sg_carry carry;
	int has_carry;
};
struct sg_ustore {
	struct sg_ustore_slot slot[SG_USTORE_N];
	unsigned long clock;
	struct sg_flow flow_copy;
	struct sg_carry carry_copy;
	struct sg_ustreams streams;
};

static struct sg_ustore_slot *ustore_find(struct sg_ustore *u, const struct sg_flow_key *key, int create)
{
	struct sg_ustore_slot *old = &u->slot[0];

	for (int i = 0; i < SG_USTORE_N; i++) {
		struct sg_ustore_slot *e = &u->slot[i];

		if (e->used && !memcmp(&e->key, key, sizeof(*key)))
			return e;
		if (!e->used || (old->used && e->stamp < old->stamp))
			old = e;
	}
	if (!create)
		return NULL;
	memset(old, 0, sizeof(*old));
	old->used = 1;
	old->key = *key;
	return old;
}

static void *ustore_get(void *opaque, const struct sg_flow_key *key, int carry)
{
	struct sg_ustore *u = opaque;
	struct sg_ustore_slot *e = ustore_find(u, key, 0);

	if (!e || (carry && !e->has_carry))
		return NULL;
	e->stamp = ++u->clock;
	if (carry) {
		u->carry_copy = e->carry;
		return &u->carry_copy;
	}
	u->flow_copy = e->flow;
	return &u->flow_copy;
}

static int ustore_put(void *opaque, const struct sg_flow_key *key, const void *val, int carry)
{
	struct sg_ustore *u = opaque;
	struct sg_ustore_slot *e = ustore_find(u, key, !carry);

	if (!e)
		return -1; /* a carry without its stream: as the kernel, a lost line */
	e->stamp = ++u->clock;
	if (carry) {
		memcpy(&e->carry, val, sizeof(e->carry));
		e->has_carry = 1;
	} else {
		memcpy(&e->flow, val, sizeof(e->flow));
	}
	return 0;
}

struct sg_ustore *sg_user_store_new(void)
{
	struct sg_ustore *u = calloc(1, sizeof(*u));

	if (u) {
		u->streams.get = ustore_get;
		u->streams.put = ustore_put;
		u->streams.opaque = u;
	}
	return u;
}

void sg_user_store_free(struct sg_ustore *u)
{
	free(u);
}

const struct sg_ustreams *sg_user_store_streams(struct sg_ustore *u)
{
	return &u->streams;
}

static __thread struct sg_ustore *sg_default_store;

void sg_user_streams_reset(void)
{
	if (sg_default_store)
		memset(sg_default_store->slot, 0, sizeof(sg_default_store->slot));
}

static __thread const struct sg_ustreams *sg_cur_streams;

#define sg_env_flow(s, key) ((struct sg_flow *)sg_cur_streams->get(sg_cur_streams->opaque, key, 0))
#define sg_env_flow_put(s, key, val) sg_cur_streams->put(sg_cur_streams->opaque, key, val, 0)
#define sg_env_flow_sync(s, key, f) ((void)sg_cur_streams->put(sg_cur_streams->opaque, key, f, 0))
#define sg_env_carry(s, key) ((struct sg_carry *)sg_cur_streams->get(sg_cur_streams->opaque, key, 1))
#define sg_env_carry_put(s, key, val) sg_cur_streams->put(sg_cur_streams->opaque, key, val, 1)
#define sg_env_carry_sync(s, key, c) ((void)sg_cur_streams->put(sg_cur_streams->opaque, key, c, 1))

__thread struct sg_pf_counts sg_pf_counts;

#include "sip_parse.h"

static __thread struct sg_scratch scratch;
static __thread struct sg_detail last_det;

__u32 sg_user_judge_as(const struct sg_uenv *env, const struct sg_config *cfg, __u32 flags,
		       __u32 cbword, __u32 epoch)
{
	__u32 r;

	memset(&last_det, 0, sizeof(last_det));
	if (cfg->version != SG_CONFIG_VERSION)
		return SG_PASS_SIP;
	sg_cur_env = env;
	sg_cur_dfa_rows = cfg->dfa_states;
	if (!env->streams && !sg_default_store)
		sg_default_store = sg_user_store_new();
	sg_cur_streams = env->streams ? env->streams : &sg_default_store->streams;
	r = sg_judge(env, env->len, &scratch, cfg, flags, cbword, epoch);
	/* the detail as a drop event says it: a signature by its pattern */
	last_det = scratch.w.det;
	if (last_det.kind == SG_DET_SIGNATURE) {
		const struct sg_dfa_row *row = sg_env_dfa_row(last_det.value);

		last_det.value = row ? row->pattern : 0;
	}
	sg_cur_env = NULL; /* ENV is the caller's */
	return r;
}

unsigned int sg_user_scratch_size(void)
{
	return sizeof(struct sg_scratch);
}

void sg_user_last_detail(struct sg_detail *det)
{
	*det = last_det;
}

__u32 sg_user_judge(const struct sg_uenv *env, const struct sg_config *cfg)
{
	return sg_user_judge_as(env, cfg, cfg->flags, 1, 1);
}

void sg_user_dfa_fast(const struct sg_dfa_row *rows, __u32 n, struct sg_dfa_fast *fast)
{
	memset(fast, 0, sizeof(*fast));
	for (__u32 st = 0; st < n && st < SG_DFA_FAST_STATES; st++) {
		for (__u32 c = 0; c < SG_DFA_CLASSES; c++) {
			__u32 t = rows[st].next[c];

			fast->next[st * SG_DFA_CLASSES + c] =
				t >= SG_DFA_FAST_STATES || t >= n ? SG_DFA_FAST_DEEP
				: (__u16)(t << 7 | (rows[t].accept ? SG_DFA_FAST_ACCEPT : 0));
		}
		fast->accept[st] = rows[st].accept;
	}
}

__u32 sg_user_wrap_udp4(const void *payload, __u32 len, __u16 dport, __u8 *out)
{
	static const __u8 ip[20] = { 0x45, 0, 0, 0, 0, 0, 0, 0, 64, 17, 0, 0,
				     198, 51, 100, 20, 192, 0, 2, 10 };
	__u32 tot = len + 28;

	memcpy(out, ip, 20);
	out[2] = tot >> 8;
	out[3] = tot & 0xff;
	out[20] = 5060 >> 8;
	out[21] = 5060 & 0xff;
	out[22] = dport >> 8;
	out[23] = dport & 0xff;
	out[24] = (len + 8) >> 8;
	out[25] = (len + 8) & 0xff;
	out[26] = out[27] = 0;
	memcpy(out + 28, payload, len);
	return tot;
}
