// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* The floor for benchmarks: a socket filter that only gets called. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
int sg_trivial(struct __sk_buff *skb)
{
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
