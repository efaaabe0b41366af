/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tcpkt.h  Tests of TC programs: frames, checksums from scratch,
 *                BPF_PROG_TEST_RUN
 */
#ifndef UMEDGE_TCPKT_H
#define UMEDGE_TCPKT_H

enum {
	TCPKT_MAX = 2048,   /**< Largest frame */
};

/** A frame; b starts 2 bytes past a 4-byte boundary, so its IP header
    is aligned as in an skb */
struct tcpkt {
	uint32_t len;
	uint16_t align;
	uint8_t b[TCPKT_MAX];
};

extern int tcpkt_failures;

/** A check of a test function: on failure it says where and returns */
#define TCPKT_CHECK(cond, what) do {                                   \
		if (!(cond)) {                                          \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__,   \
			       (what));                                 \
			++tcpkt_failures;                               \
			return;                                         \
		}                                                       \
	} while (0)

int      tcpkt_start(void);
int      tcpkt_end(struct bpf_object *obj);
uint32_t tcpkt_sum16(const void *p, size_t n, uint32_t s);
uint16_t tcpkt_fold(uint32_t s);
bool     tcpkt_v6(const struct tcpkt *p);
size_t   tcpkt_l4_off(const struct tcpkt *p);
uint16_t tcpkt_udp_verify(const struct tcpkt *p);
int      tcpkt_run(int fd, struct tcpkt *in, struct tcpkt *out,
		   uint32_t *ret, uint32_t gso_size);

#endif
