// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* A UDP sender and a recording UDP listener for the live part of the
 * kernel matrix test (tests/t_kernels.sh), small enough to pack into the
 * guest: the guest's nc (OpenBSD's) connects its socket to the first
 * sender, so it cannot record datagrams from several senders.
 *
 *   sgudp send ADDR PORT FILE
 *       sends FILE's bytes as one datagram to ADDR:PORT (IPv4 or IPv6)
 *   sgudp recv PORT OUT STOPWORD SECONDS
 *       listens on PORT (all IPv4 addresses); appends every datagram to
 *       OUT, each followed by a line "@@ LEN bytes from ADDR:PORT @@";
 *       exits 0 after a datagram that contains STOPWORD, 1 after SECONDS
 *       without one. Writes OUT.ready once the socket is bound.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr, "usage: sgudp send ADDR PORT FILE | sgudp recv PORT OUT STOPWORD SECONDS\n");
	return 2;
}

static int do_send(const char *addr, const char *port, const char *file)
{
	static char buf[65536];
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *ai;
	FILE *f = fopen(file, "rb");
	size_t n;
	int fd, err;

	if (!f) {
		fprintf(stderr, "sgudp: %s: %s\n", file, strerror(errno));
		return 1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	err = getaddrinfo(addr, port, &hints, &ai);
	if (err) {
		fprintf(stderr, "sgudp: %s port %s: %s\n", addr, port, gai_strerror(err));
		return 1;
	}
	fd = socket(ai->ai_family, SOCK_DGRAM, 0);
	if (fd < 0 || sendto(fd, buf, n, 0, ai->ai_addr, ai->ai_addrlen) != (ssize_t)n) {
		fprintf(stderr, "sgudp: send to %s port %s: %s\n", addr, port, strerror(errno));
		return 1;
	}
	close(fd);
	freeaddrinfo(ai);
	return 0;
}

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000L + t.tv_nsec / 1000000;
}

static int do_recv(const char *port, const char *out, const char *stop, const char *secs)
{
	static char buf[65536];
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(atoi(port)) };
	char ready[4096];
	long end = now_ms() + 1000L * atol(secs);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	FILE *o = fopen(out, "ab");

	if (fd < 0 || !o || bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "sgudp: listen on port %s, write %s: %s\n", port, out, strerror(errno));
		return 2;
	}
	snprintf(ready, sizeof(ready), "%s.ready", out);
	close(open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644));
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		long left = end - now_ms();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return 1;
		n = recvfrom(fd, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&from, &fl);
		if (n < 0)
			continue;
		buf[n] = 0;
		fwrite(buf, 1, n, o);
		fprintf(o, "\n@@ %zd bytes from %s:%u @@\n", n, inet_ntoa(from.sin_addr), ntohs(from.sin_port));
		fflush(o);
		if (memmem(buf, n, stop, strlen(stop)))
			return 0;
	}
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "send"))
		return do_send(argv[2], argv[3], argv[4]);
	if (argc == 6 && !strcmp(argv[1], "recv"))
		return do_recv(argv[2], argv[3], argv[4], argv[5]);
	return usage();
}
