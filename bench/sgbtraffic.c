// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * sgbtraffic: bounded UDP load for the live benchmarks.
 *   sgbtraffic send --src IP --to IP:PORT --file PAYLOAD --count N --duration S [--rate PPS]
 *       sendmmsg in batches of 64 until N packets or S seconds; prints
 *       "sent N secs T pps P"
 *   sgbtraffic pair --src IP --to IP:PORT --to2 IP:PORT --file PAYLOAD --duration S
 *       the same payload to two destinations in turn, a batch of 64 to each,
 *       timing every sendmmsg: on veth the whole receive path of a packet
 *       (forwarding, netfilter, the socket) runs inside its send, so the
 *       two paths' costs are compared batch by batch, microseconds apart,
 *       whatever the machine's speed does meanwhile; prints "pairs N a_ns
 *       A b_ns B keep K": median ns per packet of each destination's
 *       batches and the median over pairs of a_time / b_time (the share of
 *       the first path's packet rate the second keeps), and the packets
 *       sent to each
 *   sgbtraffic recv --bind IP:PORT --duration S [--idle MS] [--spin 1]
 *       recvmmsg until S seconds, or MS ms without a packet after the first;
 *       prints "received N". --spin 1: without blocking (MSG_DONTWAIT), so
 *       no packet ever has to wake the receiver (a busy server)
 * IPv4 only (the bench uses 192.0.2.0/24 and 198.51.100.0/24).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int parse_addr(const char *s, struct sockaddr_in *a)
{
	char buf[64], *c;

	snprintf(buf, sizeof(buf), "%s", s);
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	c = strchr(buf, ':');
	if (c) {
		*c = 0;
		a->sin_port = htons(atoi(c + 1));
	}
	if (inet_pton(AF_INET, buf, &a->sin_addr) != 1) {
		fprintf(stderr, "sgbtraffic: bad address %s\n", s);
		exit(2);
	}
	/* only the documentation ranges the bench may use */
	unsigned char *b = (unsigned char *)&a->sin_addr;
	if (!((b[0] == 192 && b[1] == 0 && b[2] == 2) || (b[0] == 198 && b[1] == 51 && b[2] == 100))) {
		fprintf(stderr, "sgbtraffic: %s is outside 192.0.2.0/24 and 198.51.100.0/24\n", s);
		exit(2);
	}
	return 0;
}

static int udp_to(const char *src, const char *to)
{
	struct sockaddr_in sa, da;
	int fd, sndbuf = 4 << 20;

	parse_addr(to, &da);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("socket");
		exit(1);
	}
	if (src) {
		parse_addr(src, &sa);
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			perror("bind");
			exit(1);
		}
	}
	if (connect(fd, (struct sockaddr *)&da, sizeof(da))) {
		perror("connect");
		exit(1);
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf));
	return fd;
}

/* The payload of FILE into BUF (at most CAP bytes): its length, or exits. */
static size_t read_payload(const char *file, char *buf, size_t cap)
{
	FILE *f = fopen(file, "rb");
	size_t n;

	if (!f) {
		perror(file);
		exit(1);
	}
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

/* BATCH messages, each the whole payload. */
static void batch_of(struct mmsghdr *msgs, struct iovec *iov, char *payload, size_t plen)
{
	memset(msgs, 0, BATCH * sizeof(*msgs));
	for (int i = 0; i < BATCH; i++) {
		iov[i].iov_base = payload;
		iov[i].iov_len = plen;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
}

static int do_send(int argc, char **argv)
{
	const char *src = NULL, *to = NULL, *file = NULL;
	long count = 100000;
	double dur = 5, rate = 0;
	static char payload[65536];
	size_t plen;
	int fd;

	for (int i = 0; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--src")) src = argv[i + 1];
		else if (!strcmp(argv[i], "--to")) to = argv[i + 1];
		else if (!strcmp(argv[i], "--file")) file = argv[i + 1];
		else if (!strcmp(argv[i], "--count")) count = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--duration")) dur = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--rate")) rate = atof(argv[i + 1]);
	}
	if (!to || !file) {
		fprintf(stderr, "sgbtraffic send: --to and --file needed\n");
		return 2;
	}
	plen = read_payload(file, payload, sizeof(payload));
	fd = udp_to(src, to);

	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	batch_of(msgs, iov, payload, plen);
	long sent = 0, errs = 0;
	double t0 = now(), t = t0;
	while (sent < count && (t = now()) - t0 < dur) {
		int n = BATCH;

		if (rate > 0) {
			double allowed = (t - t0) * rate - sent;
			if (allowed < 1) {
				struct timespec ts = { 0, 200000 };
				nanosleep(&ts, NULL);
				continue;
			}
			if (allowed < n)
				n = (int)allowed;
		}
		if (count - sent < n)
			n = (int)(count - sent);
		int r = sendmmsg(fd, msgs, n, 0);
		if (r < 0) {
			if (errno == ENOBUFS || errno == EAGAIN || errno == ECONNREFUSED) {
				errs++;
				continue;
			}
			perror("sendmmsg");
			return 1;
		}
		sent += r;
	}
	t = now() - t0;
	printf("sent %ld secs %.3f pps %.0f errors %ld\n", sent, t, sent / t, errs);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, long n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One timed batch: ns per packet sent, or -1 when nothing went out; adds
 * the packets sent to *SENT. */
static double timed_batch(int fd, struct mmsghdr *msgs, long *sent)
{
	double t = now();
	int r = sendmmsg(fd, msgs, BATCH, 0);

	t = now() - t;
	if (r <= 0) {
		if (r < 0 && errno != ENOBUFS && errno != EAGAIN && errno != ECONNREFUSED) {
			perror("sendmmsg");
			exit(1);
		}
		return -1;
	}
	*sent += r;
	return t * 1e9 / r;
}

static int do_pair(int argc, char **argv)
{
	const char *src = NULL, *to = NULL, *to2 = NULL, *file = NULL;
	double dur = 5;
	static char payload[65536];
	size_t plen;
	int fa, fb;

	for (int i = 0; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--src")) src = argv[i + 1];
		else if (!strcmp(argv[i], "--to")) to = argv[i + 1];
		else if (!strcmp(argv[i], "--to2")) to2 = argv[i + 1];
		else if (!strcmp(argv[i], "--file")) file = argv[i + 1];
		else if (!strcmp(argv[i], "--duration")) dur = atof(argv[i + 1]);
	}
	if (!to || !to2 || !file) {
		fprintf(stderr, "sgbtraffic pair: --to, --to2 and --file needed\n");
		return 2;
	}
	plen = read_payload(file, payload, sizeof(payload));
	fa = udp_to(src, to);
	fb = udp_to(src, to2);

	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	batch_of(msgs, iov, payload, plen);
	long cap = 1 << 20, n = 0;
	double *a = malloc(cap * sizeof(*a)), *b = malloc(cap * sizeof(*b)), *k = malloc(cap * sizeof(*k));
	double t0 = now();

	if (!a || !b || !k) {
		fprintf(stderr, "sgbtraffic pair: out of memory\n");
		return 1;
	}
	long sent_a = 0, sent_b = 0;

	while (n < cap && now() - t0 < dur) {
		double x, y;

		/* the order turns each pair: neither path always goes first */
		if (n % 2) {
			y = timed_batch(fb, msgs, &sent_b);
			x = timed_batch(fa, msgs, &sent_a);
		} else {
			x = timed_batch(fa, msgs, &sent_a);
			y = timed_batch(fb, msgs, &sent_b);
		}
		if (x <= 0 || y <= 0)
			continue;
		a[n] = x;
		b[n] = y;
		k[n] = x / y;
		n++;
	}
	printf("pairs %ld a_ns %.1f b_ns %.1f keep %.4f sent_a %ld sent_b %ld\n", n, median(a, n), median(b, n),
	       median(k, n), sent_a, sent_b);
	return 0;
}

static int do_recv(int argc, char **argv)
{
	const char *bindto = NULL;
	double dur = 10, idle = 1000;
	struct sockaddr_in a;
	int fd, rcvbuf = 32 << 20, flags = 0;

	for (int i = 0; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--bind")) bindto = argv[i + 1];
		else if (!strcmp(argv[i], "--duration")) dur = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--idle")) idle = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--spin")) flags = atoi(argv[i + 1]) ? MSG_DONTWAIT : 0;
	}
	if (!bindto) {
		fprintf(stderr, "sgbtraffic recv: --bind needed\n");
		return 2;
	}
	parse_addr(bindto, &a);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		perror("bind");
		return 1;
	}
	struct timeval tv = { 0, 100000 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	static char bufs[BATCH][2048];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof(bufs[i]);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	printf("ready\n");
	fflush(stdout);
	long got = 0;
	double t0 = now(), last = 0;
	for (;;) {
		double t = now();

		if (t - t0 > dur || (got && (t - last) * 1000 > idle))
			break;
		int r = recvmmsg(fd, msgs, BATCH, flags, NULL);
		if (r > 0) {
			got += r;
			last = now();
		}
	}
	printf("received %ld\n", got);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "send"))
		return do_send(argc - 2, argv + 2);
	if (argc > 1 && !strcmp(argv[1], "pair"))
		return do_pair(argc - 2, argv + 2);
	if (argc > 1 && !strcmp(argv[1], "recv"))
		return do_recv(argc - 2, argv + 2);
	fprintf(stderr, "usage: sgbtraffic send|pair|recv ...\n");
	return 2;
}
