// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* placeholder while the parser is written: same maps and program name */
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

SEC("socket")
int sip_validate(struct __sk_buff *skb)
{
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
