// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* libFuzzer target: the input is a capture file (pcap or pcapng). It is
 * opened with libpcap from memory and every packet is judged from its IP
 * header, as `sipguard check` does, under the pbx- and edge-like configs. */
#include <pcap/pcap.h>
#include "sg_testlib.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sg_config pbx, edge;
	static struct sg_t_hosts hosts;
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *p;
	FILE *f;
	int dlt, n = 0;

	if (!pbx.version) {
		sg_t_cfg_pbx(&pbx);
		sg_t_cfg_edge(&edge);
		sg_t_hosts_default(&hosts);
	}
	if (size == 0)
		return 0;
	f = fmemopen((void *)data, size, "rb");
	if (!f)
		return 0;
	p = pcap_fopen_offline(f, err);
	if (!p) {
		fclose(f);
		return 0;
	}
	dlt = pcap_datalink(p);
	while (n++ < 10000 && pcap_next_ex(p, &h, &d) == 1) {
		int off = sg_t_l3_offset(dlt, d, h->caplen);
		__u32 r;

		if (off < 0)
			continue;
		r = sg_t_judge(d + off, h->caplen - off, &pbx, NULL, &hosts);
		if (!sg_t_reason_valid(r))
			abort();
		r = sg_t_judge(d + off, h->caplen - off, &edge, NULL, &hosts);
		if (!sg_t_reason_valid(r))
			abort();
	}
	pcap_close(p);
	return 0;
}
