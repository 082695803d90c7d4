// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* sipguard events: the drop events in the kernel's flight recorder
 * (sipguard.h, "drop events"): which packet was dropped, why, from where.
 * Reads the shared ring through mmap without consuming it, so any number of
 * readers see every event; --follow polls it for new ones. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>

#include "capture.h"
#include "commands.h"
#include "dataplane.h"
#include "detail.h"
#include "guard.h"
#include "log.h"
#include "sgjson.h"
#include "state.h"

#define POLL_MS 100
#define START_LINE_MAX 120
#define PAYLOAD_HEAD 64

static const char usage[] =
	"Usage: sipguard events [CUSTOMER...] [--json] [--follow] [--reason R]...\n"
	"                       [--pcap FILE]\n"
	"Prints the drop events the validators recorded: time, customer, profile,\n"
	"reason, action (drop, or would-drop in monitor mode), protocol, source and\n"
	"destination, length, start line and what was wrong (the detail). Events are\n"
	"sampled per customer and reason by the profile's [events] rate; the drops\n"
	"that sent none are counted (stats: suppressed). The kernel keeps the last\n"
	"events in a ring shared by every customer; reading takes nothing from it.\n"
	"  CUSTOMER        only these customers' events (default: every customer)\n"
	"  --json          one object per event and line: {\"schema\", time, customer,\n"
	"                  profile, reason, action, proto, src, sport, dst, dport, len,\n"
	"                  start_line, detail, detail_fields, payload_head}\n"
	"  -f, --follow    after the recorded events, print new ones as they come\n"
	"                  (until interrupted)\n"
	"  --reason R      only drops for reason R (repeatable; see 'sipguard stats')\n"
	"  --pcap FILE     also write the events' packets (raw IP, as much as the event\n"
	"                  holds) to FILE: Wireshark and 'sipguard check' read it\n"
	"  -h, --help      this text\n"
	"Exit: 0 ok, 2 bad usage (unknown customer or reason), 3 no privileges,\n"
	"1 the event ring is not readable.\n";

struct ring {
	int fd, head_fd;
	const struct sg_event *ev;
	const volatile struct sg_event_head *head;
	size_t ev_len, head_len;
	__u64 slots;
};

/* what the reader knows of ids, slots and patterns, looked up once */
struct names {
	char cust[SG_MAX_CUSTOMERS][32];
	bool cust_done[SG_MAX_CUSTOMERS];
	struct sg_dp dp;
	bool dp_ok;
	struct sg_slot_info slot[SG_MAX_PROFILES];
	bool slot_done[SG_MAX_PROFILES];
	int patterns_fd[SG_MAX_PROFILES];
};

struct filter {
	unsigned int n_cust;
	__u32 id[64], epoch[64];
	__u64 reasons;          /* bit per reason, 0 = all */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int ring_open(struct ring *r)
{
	char path[PATH_MAX];
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	long page = sysconf(_SC_PAGESIZE);

	memset(r, 0, sizeof(*r));
	r->fd = r->head_fd = -1;
	snprintf(path, sizeof(path), "%s/%s/sg_events", sg_pin_root(), SG_DP_SHARED_DIR);
	r->fd = bpf_obj_get(path);
	snprintf(path, sizeof(path), "%s/%s/sg_event_head", sg_pin_root(), SG_DP_SHARED_DIR);
	r->head_fd = bpf_obj_get(path);
	if (r->fd < 0 || r->head_fd < 0)
		return -ENOENT;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(r->fd, &info, &len) || info.value_size != sizeof(struct sg_event)) {
		pr_warn("%s: not an event ring of this sipguard version\n", path);
		return -EPROTO;
	}
	r->slots = info.max_entries;
	r->ev_len = ((size_t)info.max_entries * sizeof(struct sg_event) + page - 1) / page * page;
	r->head_len = (size_t)page;
	r->ev = mmap(NULL, r->ev_len, PROT_READ, MAP_SHARED, r->fd, 0);
	r->head = mmap(NULL, r->head_len, PROT_READ, MAP_SHARED, r->head_fd, 0);
	if (r->ev == MAP_FAILED || r->head == MAP_FAILED) {
		int err = -errno;

		pr_warn("cannot map the event ring: %s\n", strerror(-err));
		return err;
	}
	return 0;
}

static void ring_close(struct ring *r)
{
	if (r->ev && r->ev != MAP_FAILED)
		munmap((void *)r->ev, r->ev_len);
	if (r->head && r->head != MAP_FAILED)
		munmap((void *)r->head, r->head_len);
	if (r->fd >= 0)
		close(r->fd);
	if (r->head_fd >= 0)
		close(r->head_fd);
}

static __u64 ring_head(const struct ring *r)
{
	return __atomic_load_n(&r->head->next, __ATOMIC_ACQUIRE);
}

/* The event at POS into OUT: 1 when it is whole, 0 when it was
 * overwritten, -1 when it is not written yet (a drop on another CPU took
 * the position and is still writing). */
static int ring_read(const struct ring *r, __u64 pos, struct sg_event *out)
{
	const struct sg_event *e = &r->ev[pos & (r->slots - 1)];
	__u64 seq = __atomic_load_n(&e->h.seq, __ATOMIC_ACQUIRE);

	if (seq != pos + 1)
		return seq > pos + 1 ? 0 : -1;
	memcpy(out, e, sizeof(*out));
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	/* a writer that took POS + slots may have started on this slot */
	if (ring_head(r) > pos + r->slots || out->h.seq != pos + 1 ||
	    out->h.snap > SG_EVENT_SNAP)
		return 0;
	return 1;
}

/* ---- names ---- */

static const char *customer_name(struct names *nm, __u32 id)
{
	char path[PATH_MAX];
	ssize_t n;

	if (id >= SG_MAX_CUSTOMERS)
		return "?";
	if (!nm->cust_done[id]) {
		nm->cust_done[id] = true;
		snprintf(path, sizeof(path), "%s/ids/%u", sg_state_dir(), id);
		n = readlink(path, nm->cust[id], sizeof(nm->cust[id]) - 1);
		if (n <= 0)
			snprintf(nm->cust[id], sizeof(nm->cust[id]), "id:%u", id);
		else
			nm->cust[id][n] = 0;
	}
	return nm->cust[id];
}

static const struct sg_slot_info *slot_info(struct names *nm, __u32 tag)
{
	if (tag >= SG_MAX_PROFILES || !nm->dp_ok)
		return NULL;
	if (!nm->slot_done[tag]) {
		nm->slot_done[tag] = true;
		if (sg_dp_slot_info(&nm->dp, tag, &nm->slot[tag]))
			memset(&nm->slot[tag], 0, sizeof(nm->slot[tag]));
	}
	return nm->slot[tag].hash ? &nm->slot[tag] : NULL;
}

static const char *pattern_text(struct names *nm, __u32 tag, const struct sg_detail *d,
				struct sg_pattern_text *buf)
{
	const struct sg_slot_info *si = slot_info(nm, tag);
	__u32 k;

	if (d->kind != SG_DET_SIGNATURE || !d->value || !si)
		return NULL;
	if (nm->patterns_fd[tag] == -1) {
		char path[PATH_MAX];

		/* the slot's directory (dataplane.c): SLOT_HASH */
		snprintf(path, sizeof(path), "%s/%s/%u_%016llx/sg_patterns", sg_pin_root(),
			 SG_DP_PROFILES_DIR, tag, (unsigned long long)si->hash);
		nm->patterns_fd[tag] = bpf_obj_get(path);
		if (nm->patterns_fd[tag] < 0)
			nm->patterns_fd[tag] = -2;
	}
	k = d->value - 1;
	if (nm->patterns_fd[tag] < 0 || bpf_map_lookup_elem(nm->patterns_fd[tag], &k, buf))
		return NULL;
	buf->text[sizeof(buf->text) - 1] = 0;
	return buf->text;
}

/* Up to MAX bytes of S (N long) up to its first CR or LF, unprintable
 * bytes as \xNN. */
static void printable(const __u8 *s, size_t n, size_t max, bool stop_at_eol, char *out, size_t on)
{
	size_t o = 0;

	for (size_t i = 0; i < n && i < max && o + 5 < on; i++) {
		__u8 c = s[i];

		if (stop_at_eol && (c == '\r' || c == '\n'))
			break;
		if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, on - o, "\\x%02x", c);
	}
	out[o] = 0;
}

static void ev_time(__u64 boot_ns, struct timespec *ts, char *buf, size_t n)
{
	struct timespec now_real, now_boot;
	__s64 ns;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &now_real);
	clock_gettime(CLOCK_BOOTTIME, &now_boot);
	ns = (__s64)now_real.tv_sec * 1000000000 + now_real.tv_nsec -
	     ((__s64)now_boot.tv_sec * 1000000000 + now_boot.tv_nsec - (__s64)boot_ns);
	ts->tv_sec = ns / 1000000000;
	ts->tv_nsec = ns % 1000000000;
	gmtime_r(&ts->tv_sec, &tm);
	snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long)(ts->tv_nsec / 1000) % 1000000);
}

static bool wanted(const struct filter *f, const struct sg_event *e)
{
	if (f->reasons && (e->h.reason >= 64 || !(f->reasons & (1ull << e->h.reason))))
		return false;
	if (!f->n_cust)
		return true;
	for (unsigned int i = 0; i < f->n_cust; i++)
		if (f->id[i] == e->h.customer && f->epoch[i] == e->h.epoch)
			return true;
	return false;
}

static const char *action_name(unsigned int a)
{
	return a == SG_EV_ACTION_WOULD_DROP ? "would-drop" : "drop";
}

static void print_event(struct names *nm, const struct sg_event *e, bool json,
			struct sg_pcap_out *pd)
{
	struct sg_pattern_text pbuf;
	const struct sg_slot_info *si = slot_info(nm, e->h.tag);
	const char *pattern = pattern_text(nm, e->h.tag, &e->h.det, &pbuf);
	const char *profile = si ? si->name : "?";
	char when[64], start[START_LINE_MAX * 4 + 1], head[PAYLOAD_HEAD * 4 + 1], det[256];
	struct timespec ts;
	struct sg_pkt p;

	ev_time(e->h.time_ns, &ts, when, sizeof(when));
	sg_pkt_decode(e->data, e->h.snap, &p);
	printable(p.payload, p.payload_len, START_LINE_MAX, true, start, sizeof(start));
	printable(p.payload, p.payload_len, PAYLOAD_HEAD, false, head, sizeof(head));
	sg_detail_text(&e->h.det, e->h.reason, pattern, det, sizeof(det));
	if (e->h.det.kind == SG_DET_LINE && !e->h.det.line) {
		char more[192];

		if (*sg_detail_message(e->h.reason, p.payload, p.payload_len, p.src, more, sizeof(more)))
			snprintf(det, sizeof(det), "%s", more);
	}
	if (json) {
		struct json_object *doc = sg_json_doc();

		sg_json_str(doc, "time", when);
		sg_json_str(doc, "customer", customer_name(nm, e->h.customer));
		sg_json_str(doc, "profile", profile);
		sg_json_str(doc, "reason", sg_reason_name(e->h.reason));
		sg_json_str(doc, "action", action_name(e->h.action));
		sg_json_str(doc, "proto", p.proto);
		sg_json_str(doc, "src", p.src);
		sg_json_u64(doc, "sport", p.sport);
		sg_json_str(doc, "dst", p.dst);
		sg_json_u64(doc, "dport", p.dport);
		sg_json_u64(doc, "len", e->h.len);
		sg_json_str(doc, "start_line", start);
		if (e->h.det.kind)
			sg_detail_json(doc, &e->h.det, e->h.reason, pattern);
		/* the text as printed (with what the message itself adds) */
		sg_json_str(doc, "detail", det);
		sg_json_str(doc, "payload_head", head);
		sg_json_emit(doc);
	} else {
		const char *l = p.family == 6 ? "[" : "", *r = p.family == 6 ? "]" : "";

		printf("%s %s %s %s %s %s %s%s%s:%u -> %s%s%s:%u len %u \"%s\"%s%s\n", when,
		       customer_name(nm, e->h.customer), profile, action_name(e->h.action),
		       sg_reason_name(e->h.reason), p.proto, l, p.src, r, p.sport, l, p.dst, r,
		       p.dport, e->h.len, start, det[0] ? ": " : "", det);
		fflush(stdout);
	}
	if (pd)
		sg_pcap_out_write(pd, ts.tv_sec, ts.tv_nsec / 1000, e->data, e->h.snap, e->h.len);
}

static int parse_reason(const char *s, __u64 *mask)
{
	for (unsigned int r = SG_FIRST_DROP; r < SG_REASON_MAX && r < 64; r++)
		if (!strcmp(s, sg_reason_name(r))) {
			*mask |= 1ull << r;
			return 0;
		}
	pr_warn("events: unknown drop reason '%s' (see 'sipguard stats' for the names)\n", s);
	return -EINVAL;
}

int cmd_events(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "follow", no_argument, NULL, 'f' },
		{ "reason", required_argument, NULL, 'r' },
		{ "pcap", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct filter f = { 0 };
	struct names *nm = NULL;
	struct sg_event *ev = NULL;
	struct ring r = { .fd = -1, .head_fd = -1 };
	const char *pcap_file = NULL;
	struct sg_pcap_out *pd = NULL;
	bool json = false, follow = false;
	__u64 pos, head;
	int c, ret = SG_EXIT_OK, err;

	while ((c = getopt_long(argc, argv, "jfr:w:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'f': follow = true; break;
		case 'r':
			if (parse_reason(optarg, &f.reasons))
				return SG_EXIT_USAGE;
			break;
		case 'w': pcap_file = optarg; break;
		case 'h': fputs(usage, stdout); return SG_EXIT_OK;
		default: fputs(usage, stderr); return SG_EXIT_USAGE;
		}
	}
	for (int i = optind; i < argc; i++) {
		struct sg_state st;

		if (f.n_cust >= sizeof(f.id) / sizeof(*f.id)) {
			pr_warn("events: at most %zu customers\n", sizeof(f.id) / sizeof(*f.id));
			return SG_EXIT_USAGE;
		}
		if (!sg_customer_name_ok(argv[i]) || sg_state_load(argv[i], &st)) {
			pr_warn("events: no customer '%s' is enabled (see 'sipguard list')\n", argv[i]);
			return SG_EXIT_USAGE;
		}
		f.id[f.n_cust] = st.id;
		f.epoch[f.n_cust++] = st.epoch;
		sg_params_free(&st.p);
	}
	ret = sg_require_root();
	if (ret)
		return ret;
	err = ring_open(&r);
	if (err == -ENOENT) {
		/* nothing enabled on this host yet: no events, and none to follow */
		pr_warn("events: no event ring at %s/%s (nothing is enabled on this host)\n",
			sg_pin_root(), SG_DP_SHARED_DIR);
		ring_close(&r);
		return follow ? SG_EXIT_FAIL : SG_EXIT_OK;
	}
	if (err) {
		ring_close(&r);
		return SG_EXIT_FAIL;
	}
	nm = calloc(1, sizeof(*nm));
	ev = malloc(sizeof(*ev));
	if (!nm || !ev) {
		ret = SG_EXIT_FAIL;
		goto out;
	}
	for (int i = 0; i < SG_MAX_PROFILES; i++)
		nm->patterns_fd[i] = -1;
	nm->dp_ok = !sg_dp_open(&nm->dp, sg_pin_root(), false);
	if (pcap_file) {
		char why[256];

		pd = sg_pcap_out_open(pcap_file, why);
		if (!pd) {
			pr_warn("events: cannot write %s: %s\n", pcap_file, why);
			ret = SG_EXIT_USAGE;
			goto out;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, on_signal);
	head = ring_head(&r);
	pos = head > r.slots ? head - r.slots : 0;
	for (;;) {
		for (; pos < head && !stop; pos++) {
			int got = ring_read(&r, pos, ev);

			if (got < 0 && follow)
				break; /* being written: at the next poll */
			if (got > 0 && wanted(&f, ev))
				print_event(nm, ev, json, pd);
		}
		if (!follow || stop)
			break;
		usleep(POLL_MS * 1000);
		head = ring_head(&r);
		if (head - pos > r.slots) {
			pr_warn("events: %llu events were overwritten before they were read\n",
				(unsigned long long)(head - pos - r.slots));
			pos = head - r.slots;
		}
	}
out:
	sg_pcap_out_close(pd);
	if (nm) {
		for (int i = 0; i < SG_MAX_PROFILES; i++)
			if (nm->patterns_fd[i] >= 0)
				close(nm->patterns_fd[i]);
		if (nm->dp_ok)
			sg_dp_close(&nm->dp);
	}
	free(nm);
	free(ev);
	ring_close(&r);
	return ret;
}
