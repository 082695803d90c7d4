// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* Capture reading for equal.c, in its own file: libpcap's pcap/bpf.h and
 * linux/bpf.h (libbpf) both define struct bpf_insn. */
#include <pcap/pcap.h>
#include "sg_testlib.h"
#include "caps.h"

int sg_caps_read(const char *path, sg_pkt_fn fn, void *arg)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, err);
	struct pcap_pkthdr *h;
	const u_char *d;
	int k = 0;

	if (!p) {
		fprintf(stderr, "%s: %s\n", path, err);
		return -1;
	}
	while (pcap_next_ex(p, &h, &d) == 1) {
		int off = sg_t_l3_offset(pcap_datalink(p), d, h->caplen);

		k++;
		if (off < 0 || h->caplen <= (__u32)off)
			continue;
		fn(d + off, h->caplen - off, k, arg);
	}
	pcap_close(p);
	return k;
}
