/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tcpkt.c  Tests of TC programs: frames, checksums from scratch,
 *                BPF_PROG_TEST_RUN (shared by tkern_prog and mkern_prog)
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tcpkt.h"


int tcpkt_failures;


static int silent(enum libbpf_print_level level, const char *fmt,
		  va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}


/**
 * Before the tests: 77 (skip) without root, else 0; libbpf's messages
 * are shown only with TCPKT_VERBOSE set
 */
int tcpkt_start(void)
{
	if (geteuid() != 0) {
		printf("SKIP: loading a BPF program needs root\n");
		return 77;
	}

	if (!getenv("TCPKT_VERBOSE"))
		libbpf_set_print(silent);

	return 0;
}


/** After the tests: the verdict, and the exit code */
int tcpkt_end(struct bpf_object *obj)
{
	bpf_object__close(obj);
	printf("%s\n", tcpkt_failures ? "FAILED" : "all passed");

	return tcpkt_failures ? 1 : 0;
}


/** Add the 16-bit words of p to s (an odd last byte padded) */
uint32_t tcpkt_sum16(const void *p, size_t n, uint32_t s)
{
	const uint8_t *b = p;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		s += (uint32_t)(b[n - 1] << 8);

	return s;
}


/** The one's complement of the folded sum */
uint16_t tcpkt_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);

	return (uint16_t)~s;
}


/** Whether a frame carries IPv6 */
bool tcpkt_v6(const struct tcpkt *p)
{
	return p->b[12] == 0x86 && p->b[13] == 0xdd;
}


/** Where a frame's UDP header starts (no IPv6 extension header) */
size_t tcpkt_l4_off(const struct tcpkt *p)
{
	return ETH_HLEN + (tcpkt_v6(p) ? sizeof(struct ipv6hdr) :
			   (size_t)(p->b[ETH_HLEN] & 0x0f) * 4);
}


/**
 * The UDP checksum of a frame, from scratch with the pseudo header
 * (host order)
 *
 * @return 0 if the checksum in it is right
 */
uint16_t tcpkt_udp_verify(const struct tcpkt *p)
{
	const uint8_t *ip = p->b + ETH_HLEN;
	const struct udphdr *uh = (const void *)(p->b + tcpkt_l4_off(p));
	uint32_t s = 0;

	if (tcpkt_v6(p))
		s = tcpkt_sum16(ip + 8, 32, s);
	else
		s = tcpkt_sum16(ip + 12, 8, s);
	s += IPPROTO_UDP + ntohs(uh->len);
	s = tcpkt_sum16(uh, ntohs(uh->len), s);

	return tcpkt_fold(s);
}


/**
 * Run a TC program once on a frame
 *
 * @param fd       The program
 * @param in       The frame
 * @param out      The frame as the program left it
 * @param ret      Its verdict
 * @param gso_size The skb's gso_size, or 0
 *
 * @return 0 if the run happened, otherwise errorcode
 */
int tcpkt_run(int fd, struct tcpkt *in, struct tcpkt *out, uint32_t *ret,
	      uint32_t gso_size)
{
	struct __sk_buff ctx;
	LIBBPF_OPTS(bpf_test_run_opts, o,
		    .data_in = in->b,
		    .data_size_in = in->len,
		    .data_out = out->b,
		    .data_size_out = sizeof(out->b),
		    .repeat = 1);
	int err;

	if (gso_size) {
		memset(&ctx, 0, sizeof(ctx));
		ctx.gso_size = gso_size;
		ctx.gso_segs = 2;
		o.ctx_in = &ctx;
		o.ctx_size_in = sizeof(ctx);
	}

	err = bpf_prog_test_run_opts(fd, &o);
	if (err)
		return -err;

	*ret = o.retval;
	out->len = o.data_size_out;

	return 0;
}
