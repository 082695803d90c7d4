// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * sgbtraffic: bounded UDP load for the live benchmarks.
 *   sgbtraffic send --src IP --to IP:PORT --file PAYLOAD --count N --duration S [--rate PPS]
 *       sendmmsg in batches of 64 until N packets or S seconds; prints
 *       "sent N secs T pps P"
 *   sgbtraffic recv --bind IP:PORT --duration S [--idle MS]
 *       recvmmsg until S seconds, or MS ms without a packet after the first;
 *       prints "received N"
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

static int do_send(int argc, char **argv)
{
	const char *src = NULL, *to = NULL, *file = NULL;
	long count = 100000;
	double dur = 5, rate = 0;
	struct sockaddr_in sa, da;
	static char payload[65536];
	size_t plen;
	FILE *f;
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
	parse_addr(to, &da);
	f = fopen(file, "rb");
	if (!f) {
		perror(file);
		return 1;
	}
	plen = fread(payload, 1, sizeof(payload), f);
	fclose(f);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (src) {
		parse_addr(src, &sa);
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			perror("bind");
			return 1;
		}
	}
	if (connect(fd, (struct sockaddr *)&da, sizeof(da))) {
		perror("connect");
		return 1;
	}
	int sndbuf = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf));

	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++) {
		iov[i].iov_base = payload;
		iov[i].iov_len = plen;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
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

static int do_recv(int argc, char **argv)
{
	const char *bindto = NULL;
	double dur = 10, idle = 1000;
	struct sockaddr_in a;
	int fd, rcvbuf = 32 << 20;

	for (int i = 0; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--bind")) bindto = argv[i + 1];
		else if (!strcmp(argv[i], "--duration")) dur = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--idle")) idle = atof(argv[i + 1]);
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
		int r = recvmmsg(fd, msgs, BATCH, 0, NULL);
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
	if (argc > 1 && !strcmp(argv[1], "recv"))
		return do_recv(argc - 2, argv + 2);
	fprintf(stderr, "usage: sgbtraffic send|recv ...\n");
	return 2;
}
