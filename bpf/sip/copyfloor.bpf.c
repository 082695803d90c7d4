// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* A floor for the live benchmark: the trivial filter plus the one thing
 * every validator of this design must do, copying the UDP payload into a
 * per-CPU buffer (socket filters have no direct packet access). IPv4 only. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct sg_copy_buf {
	__u8 b[8192 + 8]; /* the benchmark's packets fit (the validator's buffer: SG_BUF_SIZE) */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sg_copy_buf);
} sg_copy_scratch SEC(".maps");

SEC("socket")
int sg_copyfloor(struct __sk_buff *skb)
{
	__u32 zero = 0, off, len;
	struct sg_copy_buf *buf = bpf_map_lookup_elem(&sg_copy_scratch, &zero);
	__u8 vihl;

	if (!buf || bpf_skb_load_bytes(skb, 0, &vihl, 1))
		return 0;
	off = (vihl & 0xf) * 4 + 8;
	if (skb->len <= off)
		return 0;
	len = skb->len - off;
	if (len > 8192)
		len = 8192;
	bpf_skb_load_bytes(skb, off, buf->b, ((len - 1) & 8191) + 1);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
