/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file umrtp.c  RTP test peer: send a paced RTP stream, or receive and
 *                count packets per source
 *
 * usage: umrtp send BIND TO COUNT PPS SSRC [SIZE]
 *        umrtp recv BIND MS
 *        umrtp both BIND TO COUNT PPS SSRC MS
 *
 * BIND and TO are "a.b.c.d:port" or "[IPv6]:port" (both of one
 * family). "recv" prints one line per
 * source, "SOURCE COUNT", after MS milliseconds with no packet (or 60 s
 * in all). "both" sends and receives on the same socket (a peer that
 * talks and listens, as a symmetric RTP endpoint does) and prints
 * "sent N" and the receive lines; with UMRTP_FIRST_RX=1 in the
 * environment also "first_rx_after K" (K: packets it had sent when the
 * first one arrived, if one did). UMRTP_START_MS in the environment:
 * wait that long between binding and sending (so that two peers
 * started together are both bound before either sends). UMRTP_GAP_MS:
 * that long between two packets instead of 1/PPS s (a sparse sender).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>


enum {
	SRC_MAX = 16,        /**< Sources counted     */
	PKT_MAX = 1500,      /**< Largest packet      */
	TOTAL_MS = 60000,    /**< Longest run         */
};

/** An IPv4 or IPv6 socket address */
union umrtp_sa {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

/** Packets seen from one source */
struct src_count {
	union umrtp_sa sa;
	unsigned long n;
};


static socklen_t sa_len(const union umrtp_sa *u)
{
	return u->sa.sa_family == AF_INET6 ? sizeof(u->in6) : sizeof(u->in);
}


static int addr_parse(const char *s, union umrtp_sa *u)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	size_t n;

	if (!colon)
		return -1;
	n = (size_t)(colon - s);
	if (s[0] == '[' && n >= 2 && s[n - 1] == ']') {
		++s;
		n -= 2;
	}
	if (n >= sizeof(host))
		return -1;

	memcpy(host, s, n);
	host[n] = '\0';
	memset(u, 0, sizeof(*u));
	if (inet_pton(AF_INET6, host, &u->in6.sin6_addr) == 1) {
		u->in6.sin6_family = AF_INET6;
		u->in6.sin6_port = htons((uint16_t)atoi(colon + 1));
		return 0;
	}
	u->in.sin_family = AF_INET;
	u->in.sin_port = htons((uint16_t)atoi(colon + 1));

	return inet_pton(AF_INET, host, &u->in.sin_addr) == 1 ? 0 : -1;
}


static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}


static void rtp_fill(uint8_t *p, size_t size, uint16_t seq, uint32_t ssrc)
{
	uint32_t ts = (uint32_t)seq * 160;

	memset(p, 0xd5, size);             /* A-law silence */
	p[0] = 0x80;
	p[1] = 8;
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	p[4] = (uint8_t)(ts >> 24);
	p[5] = (uint8_t)(ts >> 16);
	p[6] = (uint8_t)(ts >> 8);
	p[7] = (uint8_t)ts;
	p[8] = (uint8_t)(ssrc >> 24);
	p[9] = (uint8_t)(ssrc >> 16);
	p[10] = (uint8_t)(ssrc >> 8);
	p[11] = (uint8_t)ssrc;
}


static void count(struct src_count *tab, unsigned *ntab,
		  const union umrtp_sa *from)
{
	for (unsigned i = 0; i < *ntab; i++) {
		if (!memcmp(&tab[i].sa, from, sa_len(from))) {
			++tab[i].n;
			return;
		}
	}

	if (*ntab < SRC_MAX) {
		tab[*ntab].sa = *from;
		tab[(*ntab)++].n = 1;
	}
}


static void drain(int fd, struct src_count *tab, unsigned *ntab)
{
	uint8_t buf[PKT_MAX];
	union umrtp_sa from;
	socklen_t len = sizeof(from);

	memset(&from, 0, sizeof(from));
	while (recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, &from.sa,
			&len) >= 0) {
		count(tab, ntab, &from);
		memset(&from, 0, sizeof(from));
		len = sizeof(from);
	}
}


static void report(const struct src_count *tab, unsigned ntab)
{
	for (unsigned i = 0; i < ntab; i++) {
		const union umrtp_sa *u = &tab[i].sa;
		char ip[INET6_ADDRSTRLEN];

		if (u->sa.sa_family == AF_INET6) {
			inet_ntop(AF_INET6, &u->in6.sin6_addr, ip, sizeof(ip));
			printf("[%s]:%u %lu\n", ip, ntohs(u->in6.sin6_port),
			       tab[i].n);
			continue;
		}
		inet_ntop(AF_INET, &u->in.sin_addr, ip, sizeof(ip));
		printf("%s:%u %lu\n", ip, ntohs(u->in.sin_port), tab[i].n);
	}
}


/* Send count packets at pps, receiving meanwhile when tab is set */
/* UMRTP_GAP_MS: ms between two packets, 0 for 1/PPS s */
static uint64_t gap_ms;
/* "both": packets sent when the first one arrived, -1 before */
static long first_rx_after = -1;


static unsigned long run_send(int fd, const union umrtp_sa *to,
			      unsigned long n, unsigned pps, uint32_t ssrc,
			      size_t size, struct src_count *tab,
			      unsigned *ntab)
{
	uint8_t pkt[PKT_MAX];
	uint64_t start = now_ms();
	unsigned long sent = 0;

	for (unsigned long i = 0; i < n; i++) {
		uint64_t due = start + (gap_ms ? i * gap_ms :
					i * 1000 / (pps ? pps : 1));

		while (now_ms() < due) {
			struct pollfd pfd = {fd, POLLIN, 0};

			if (tab && poll(&pfd, 1, 1) > 0)
				drain(fd, tab, ntab);
			else if (!tab)
				usleep(200);

			if (tab && *ntab && first_rx_after < 0)
				first_rx_after = (long)sent;
		}

		rtp_fill(pkt, size, (uint16_t)i, ssrc);
		if (sendto(fd, pkt, size, 0, &to->sa, sa_len(to)) ==
		    (ssize_t)size)
			++sent;
	}

	return sent;
}


static void run_recv(int fd, int idle_ms, struct src_count *tab,
		     unsigned *ntab)
{
	uint64_t end = now_ms() + TOTAL_MS;
	struct pollfd pfd = {fd, POLLIN, 0};

	while (now_ms() < end && poll(&pfd, 1, idle_ms) > 0)
		drain(fd, tab, ntab);
}


static int usage(void)
{
	fprintf(stderr, "usage: umrtp send BIND TO COUNT PPS SSRC [SIZE]\n"
			"       umrtp recv BIND MS\n"
			"       umrtp both BIND TO COUNT PPS SSRC MS\n");
	return 2;
}


int main(int argc, char *argv[])
{
	struct src_count tab[SRC_MAX];
	union umrtp_sa local, to;
	unsigned ntab = 0;
	int fd, one = 1;

	if (argc < 4 || addr_parse(argv[2], &local))
		return usage();

	fd = socket(local.sa.sa_family, SOCK_DGRAM, 0);
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, &local.sa, sa_len(&local))) {
		perror("umrtp: bind");
		return 1;
	}
	if (getenv("UMRTP_GAP_MS"))
		gap_ms = strtoull(getenv("UMRTP_GAP_MS"), NULL, 10);
	if (getenv("UMRTP_START_MS"))
		(void)usleep((useconds_t)atoi(getenv("UMRTP_START_MS")) * 1000);

	if (!strcmp(argv[1], "recv") && argc == 4) {
		run_recv(fd, atoi(argv[3]), tab, &ntab);
		report(tab, ntab);
		return 0;
	}

	if (argc < 7 || addr_parse(argv[3], &to))
		return usage();

	if (!strcmp(argv[1], "send")) {
		size_t size = argc > 7 ? (size_t)atoi(argv[7]) : 172;

		if (size < 12 || size > PKT_MAX)
			return usage();
		printf("sent %lu\n", run_send(fd, &to, strtoul(argv[4], 0, 10),
					       (unsigned)atoi(argv[5]),
					       (uint32_t)strtoul(argv[6], 0, 0),
					       size, NULL, NULL));
		return 0;
	}

	if (!strcmp(argv[1], "both") && argc == 8) {
		unsigned long sent;

		sent = run_send(fd, &to, strtoul(argv[4], 0, 10),
				(unsigned)atoi(argv[5]),
				(uint32_t)strtoul(argv[6], 0, 0), 172, tab,
				&ntab);
		run_recv(fd, atoi(argv[7]), tab, &ntab);
		printf("sent %lu\n", sent);
		if (ntab && getenv("UMRTP_FIRST_RX"))
			printf("first_rx_after %ld\n",
			       first_rx_after < 0 ? (long)sent : first_rx_after);
		report(tab, ntab);
		return 0;
	}

	return usage();
}
