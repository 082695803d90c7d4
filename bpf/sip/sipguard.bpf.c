// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * sip_validate: the SIP validator of one profile as a socket filter for the
 * xt_bpf match, shared by every customer of the profile. A customer's rule
 * runs a stub that puts the customer's id in skb->cb[SG_CB_CUSTOMER] and
 * tail-calls this program (sipguard.h, "customers"). Input is the packet
 * from its IP header (netfilter hooks, and BPF_PROG_TEST_RUN after the
 * Ethernet header is stripped). Returns 0 to let the packet pass, or the
 * drop reason (non-zero: the nft rule matches).
 *
 * Maps: sg_config_map, sg_dfa and sg_dfa_fast are the profile's own; the
 * others are shared by the validators of every profile (the manager loads
 * them with the pinned maps reused), so that a customer keeps its counters
 * and TCP streams when it moves to another profile.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "sipguard.h"

/* ---- the profile's own ---- */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sg_config);
} sg_config_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SG_DFA_MAX_STATES_DEFAULT);
	__type(key, __u32);
	__type(value, struct sg_dfa_row);
} sg_dfa SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sg_dfa_fast);
} sg_dfa_fast SEC(".maps");

/* read by the manager only: the patterns' text for drop details */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sg_pattern_text);
} sg_patterns SEC(".maps");

/* ---- shared: per customer ---- */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SG_MAX_CUSTOMERS);
	__type(key, __u32);
	__type(value, struct sg_customer);
} sg_customers SEC(".maps");

/* (sizes, not types: clang leaves a type only named here out of the BTF) */
struct sg_counter_set {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SG_REASON_MAX);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct sg_counter));
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, SG_MAX_CUSTOMERS);
	__type(key, __u32);
	__array(values, struct sg_counter_set);
} sg_counters SEC(".maps");

struct sg_host_set {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SG_HOSTS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(key_size, sizeof(struct sg_host_key));
	__uint(value_size, sizeof(__u8));
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2 * SG_MAX_CUSTOMERS);
	__type(key, __u32);
	__array(values, struct sg_host_set);
} sg_hosts SEC(".maps");

struct sg_peer_set {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SG_PEERS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(key_size, sizeof(struct sg_peer_key));
	__uint(value_size, sizeof(__u8));
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2 * SG_MAX_CUSTOMERS);
	__type(key, __u32);
	__array(values, struct sg_peer_set);
} sg_peers SEC(".maps");

/* ---- shared: TCP streams ---- */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SG_FLOWS_DEFAULT);
	__type(key, struct sg_flow_key);
	__type(value, struct sg_flow);
} sg_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SG_CARRIES_DEFAULT);
	__type(key, struct sg_flow_key);
	__type(value, struct sg_carry);
} sg_carry SEC(".maps");

/* ---- shared: drop events (sipguard.h) ---- */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SG_EVENTS_DEFAULT);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct sg_event);
} sg_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct sg_event_head);
} sg_event_head SEC(".maps");

typedef struct __sk_buff *sg_env_t;

#define sg_env_load(skb, off, dst, len) bpf_skb_load_bytes(skb, off, dst, len)
#define sg_env_gso(skb, size, segs) (*(size) = (skb)->gso_size, *(segs) = (skb)->gso_segs)
static __always_inline const struct sg_dfa_row *sg_env_dfa_row(__u32 state)
{
	return bpf_map_lookup_elem(&sg_dfa, &state); /* the key on the stack */
}
static __always_inline __attribute__((unused)) const struct sg_dfa_fast *sg_env_dfa_fast(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&sg_dfa_fast, &zero);
}
/* Keys are copied to the stack: before 6.x a helper takes a map key only
 * from the stack, a map value or the packet, and the scratch reaches the
 * global functions as plain memory. */
#define sg_env_own_host(s, key) sg_own_host(&sg_hosts, (s)->w.lists, key)
#define sg_env_peer(s, key) sg_peer(&sg_peers, (s)->w.lists, key)
static __always_inline int sg_own_host(void *outer, __u32 cust, const struct sg_host_key *key)
{
	struct sg_host_key k = *key;
	void *inner = bpf_map_lookup_elem(outer, &cust);

	return inner && bpf_map_lookup_elem(inner, &k) != NULL;
}
static __always_inline int sg_peer(void *outer, __u32 cust, const struct sg_peer_key *key)
{
	struct sg_peer_key k = *key;
	void *inner = bpf_map_lookup_elem(outer, &cust);

	return inner && bpf_map_lookup_elem(inner, &k) != NULL;
}
#define sg_env_flow(s, key) ((struct sg_flow *)bpf_map_lookup_elem(&sg_flows, key))
#define sg_env_flow_put(s, key, val) bpf_map_update_elem(&sg_flows, key, val, BPF_ANY)
#define sg_env_flow_sync(s, key, f) ((void)0) /* changed in place */
#define sg_env_carry(s, key) ((struct sg_carry *)bpf_map_lookup_elem(&sg_carry, key))
#define sg_env_carry_put(s, key, val) bpf_map_update_elem(&sg_carry, key, val, BPF_ANY)
#define sg_env_carry_sync(s, key, c) ((void)0)

#include "sip_parse.h"

/* shared too: one judgement's scratch per CPU */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sg_scratch);
} sg_scratch SEC(".maps");

/* Writes the drop event of the packet in SKB (REASON, ACTION) to the next
 * slot of the flight recorder. Its own function: verified once, called
 * only for the drops the token bucket lets through. */
__attribute__((noinline)) int sg_event_send(struct __sk_buff *skb, struct sg_scratch *s,
					     const struct sg_config *cfg, __u32 reason, __u32 action)
{
	__u32 zero = 0, slot;
	struct sg_event_head *head;
	struct sg_event *ev;
	__u64 pos, n;

	if (!skb || !s || !cfg)
		return 0;
	head = bpf_map_lookup_elem(&sg_event_head, &zero);
	if (!head)
		return 0;
	pos = __sync_fetch_and_add(&head->next, 1);
	slot = (__u32)(pos & head->mask);
	ev = bpf_map_lookup_elem(&sg_events, &slot);
	if (!ev)
		return 0;
	__sync_lock_test_and_set(&ev->h.seq, 0);
	ev->h.time_ns = bpf_ktime_get_boot_ns();
	ev->h.customer = s->w.cust;
	ev->h.epoch = s->w.epoch;
	ev->h.len = skb->len;
	ev->h.tag = cfg->tag;
	ev->h.reason = reason;
	ev->h.action = action;
	ev->h.det = s->w.det;
	if (ev->h.det.kind == SG_DET_SIGNATURE) {
		/* the DFA state the pattern ended in names the pattern */
		const struct sg_dfa_row *row = sg_env_dfa_row(s->w.det.value);

		ev->h.det.value = row ? row->pattern : 0;
	}
	n = skb->len < SG_EVENT_SNAP ? skb->len : SG_EVENT_SNAP;
	n -= 1;
	asm volatile("" : "+r"(n)); /* keep the bound for the verifier: n + 1 in [1, SNAP] */
	if (n >= SG_EVENT_SNAP)
		return 0;
	if (bpf_skb_load_bytes(skb, 0, ev->data, n + 1))
		n = (__u64)-1;
	ev->h.snap = n + 1;
	__sync_lock_test_and_set(&ev->h.seq, pos + 1);
	return 0;
}

SEC("socket")
int sip_validate(struct __sk_buff *skb)
{
	__u32 zero = 0, reason, word = skb->cb[SG_CB_WORD], cust = word & ~SG_CB_PARITY, flags;
	const struct sg_config *cfg;
	const struct sg_customer *ce;
	struct sg_scratch *s;
	struct sg_counter *c;
	void *counters;

	cfg = bpf_map_lookup_elem(&sg_config_map, &zero);
	s = bpf_map_lookup_elem(&sg_scratch, &zero);
	ce = bpf_map_lookup_elem(&sg_customers, &cust);
	if (!cfg || !s || !ce || !ce->epoch || cfg->version != SG_CONFIG_VERSION)
		return 0; /* not configured: fail open */
	flags = (cfg->flags & ~(skb->cb[SG_CB_CLEAR] & SG_F_CUSTOMER)) |
		(skb->cb[SG_CB_SET] & SG_F_CUSTOMER);

	reason = sg_judge(skb, skb->len, s, cfg, flags, word, ce->epoch);

	counters = bpf_map_lookup_elem(&sg_counters, &cust);
	if (counters) {
		c = bpf_map_lookup_elem(counters, &reason);
		if (c) {
			c->packets++;
			c->bytes += skb->len;
			/* a drop: an event if the customer's bucket for the reason
			 * (on this CPU) has a token (GCRA: one per interval, up to
			 * a burst); check (REPORT) gets one for every drop. The
			 * coarse clock (a tick's resolution) is a third of the
			 * precise one's cost per drop in a flood (bench/RESULTS.md)
			 * and fine for rates of events per second */
			if (reason >= SG_FIRST_DROP && (flags & SG_F_REPORT)) {
				sg_event_send(skb, s, cfg, reason, 0);
			} else if (reason >= SG_FIRST_DROP && cfg->ev_interval_ns) {
				__u64 now = bpf_ktime_get_coarse_ns(), next = c->ev_next;

				if (next < now + cfg->ev_burst * cfg->ev_interval_ns) {
					c->ev_next = (next > now ? next : now) + cfg->ev_interval_ns;
					sg_event_send(skb, s, cfg, reason,
						      flags & SG_F_MONITOR ? SG_EV_ACTION_WOULD_DROP
									   : SG_EV_ACTION_DROP);
				} else {
					c->suppressed++;
				}
			}
		}
	}
	if (flags & SG_F_REPORT)
		return SG_RET_REPORT | reason;
	if (reason >= SG_FIRST_DROP && !(flags & SG_F_MONITOR))
		return reason;
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
