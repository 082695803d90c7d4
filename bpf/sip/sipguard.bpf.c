// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * sip_validate: the SIP validator as a socket filter for the xt_bpf match.
 * Input is the packet from its IP header (netfilter hooks, and
 * BPF_PROG_TEST_RUN after the Ethernet header is stripped). Returns 0 to
 * let the packet pass, or the drop reason (non-zero: the nft rule matches).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "sipguard.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sg_config);
} sg_config_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SG_REASON_MAX);
	__type(key, __u32);
	__type(value, struct sg_counter);
} sg_counters SEC(".maps");

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

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct sg_host_key);
	__type(value, __u8);
} sg_own_hosts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sg_peer_key);
	__type(value, __u8);
} sg_peers SEC(".maps");

typedef struct __sk_buff *sg_env_t;

#define sg_env_load(skb, off, dst, len) bpf_skb_load_bytes(skb, off, dst, len)
#define sg_env_dfa_row(state) \
	((const struct sg_dfa_row *)bpf_map_lookup_elem(&sg_dfa, &(state)))
static __always_inline const struct sg_dfa_fast *sg_env_dfa_fast(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&sg_dfa_fast, &zero);
}
#define sg_env_own_host(key) (bpf_map_lookup_elem(&sg_own_hosts, key) != NULL)
#define sg_env_peer(key) (bpf_map_lookup_elem(&sg_peers, key) != NULL)

#include "sip_parse.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sg_scratch);
} sg_scratch SEC(".maps");

SEC("socket")
int sip_validate(struct __sk_buff *skb)
{
	__u32 zero = 0, reason;
	const struct sg_config *cfg;
	struct sg_scratch *s;
	struct sg_counter *c;

	cfg = bpf_map_lookup_elem(&sg_config_map, &zero);
	s = bpf_map_lookup_elem(&sg_scratch, &zero);
	if (!cfg || !s || cfg->version != SG_CONFIG_VERSION)
		return 0; /* not configured: fail open */

	reason = sg_judge(skb, skb->len, s, cfg);

	c = bpf_map_lookup_elem(&sg_counters, &reason);
	if (c) {
		c->packets++;
		c->bytes += skb->len;
	}
	if (cfg->flags & SG_F_REPORT)
		return SG_RET_REPORT | reason;
	if (reason >= SG_FIRST_DROP && !(cfg->flags & SG_F_MONITOR))
		return reason;
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
