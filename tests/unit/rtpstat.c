/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file rtpstat.c  Tests: RTP header decoding, loss and jitter
 */
#include <string.h>
#include <re.h>
#include "rtpstat.h"
#include "test.h"


static void pkt(uint8_t *p, uint8_t pt, uint16_t seq, uint32_t ts,
		uint32_t ssrc)
{
	memset(p, 0, 12);
	p[0] = 0x80;
	p[1] = pt;
	p[2] = (uint8_t)(seq >> 8); p[3] = (uint8_t)seq;
	p[4] = (uint8_t)(ts >> 24); p[5] = (uint8_t)(ts >> 16);
	p[6] = (uint8_t)(ts >> 8);  p[7] = (uint8_t)ts;
	p[8] = (uint8_t)(ssrc >> 24); p[9] = (uint8_t)(ssrc >> 16);
	p[10] = (uint8_t)(ssrc >> 8); p[11] = (uint8_t)ssrc;
}


int test_rtpstat_header(void)
{
	uint8_t p[32];
	struct rtphdr h;
	int err = 0;

	pkt(p, 8, 0x1234, 0xdeadbeef, 0x01020304);
	TEST_EQUALS(0, rtphdr_decode(&h, p, 12));
	TEST_EQUALS(8, h.pt);
	TEST_EQUALS(0x1234, h.seq);
	TEST_EQUALS(0xdeadbeef, h.ts);
	TEST_EQUALS(0x01020304, h.ssrc);

	TEST_EQUALS(EBADMSG, rtphdr_decode(&h, p, 11));
	p[0] = 0x82;                       /* two CSRCs: 20 bytes needed */
	TEST_EQUALS(EBADMSG, rtphdr_decode(&h, p, 19));
	TEST_EQUALS(0, rtphdr_decode(&h, p, 20));
	p[0] = 0x40;                       /* version 1 */
	TEST_EQUALS(EBADMSG, rtphdr_decode(&h, p, 12));

	pkt(p, 0, 0, 0, 0);
	p[1] = 200;                        /* RTCP SR */
	TEST_ASSERT(rtp_is_rtcp(p, 28));
	p[1] = 0x80 | 8;                   /* RTP PCMA, marker set */
	TEST_ASSERT(!rtp_is_rtcp(p, 28));
	TEST_ASSERT(!rtp_is_rtcp(p, 4));

 out:
	return err;
}


/* 100 packets with 5 missing and one reordered, across a wrap */
int test_rtpstat_loss(void)
{
	struct rtpstat s;
	struct rtphdr h = {8, 0, 0, 77};
	int err = 0;

	memset(&s, 0, sizeof(s));

	for (uint32_t i = 0; i < 100; i++) {
		if (i == 10 || i == 11 || i == 50 || i == 51 || i == 52)
			continue;
		if (i == 70)
			continue;                  /* comes late, below */
		h.seq = (uint16_t)(65500 + i);
		h.ts = i * 160;
		rtpstat_update(&s, &h, (uint64_t)i * 20000, 8000);
		if (i == 71) {
			h.seq = (uint16_t)(65500 + 70);
			rtpstat_update(&s, &h, (uint64_t)i * 20000, 8000);
		}
	}

	TEST_EQUALS(100, rtpstat_expected(&s));
	TEST_EQUALS(5, rtpstat_lost(&s));
	TEST_EQUALS(95, s.received);

	/* a new SSRC starts afresh */
	h.ssrc = 78;
	h.seq = 1;
	rtpstat_update(&s, &h, 0, 8000);
	TEST_EQUALS(1, rtpstat_expected(&s));
	TEST_EQUALS(0, rtpstat_lost(&s));

 out:
	return err;
}


/* Packets every 20 ms, timestamps every 160: no jitter. Alternate
 * arrivals 10 ms early and late: jitter converges towards 20 ms'
 * worth of |D| (160 ts units) */
int test_rtpstat_jitter(void)
{
	struct rtpstat s;
	struct rtphdr h = {0, 0, 0, 5};
	int err = 0;

	memset(&s, 0, sizeof(s));
	for (uint32_t i = 0; i < 200; i++) {
		h.seq = (uint16_t)i;
		h.ts = 1000 + i * 160;
		rtpstat_update(&s, &h, 500000 + (uint64_t)i * 20000, 8000);
	}
	TEST_EQUALS(0, rtpstat_jitter_ms(&s, 8000));

	memset(&s, 0, sizeof(s));
	for (uint32_t i = 0; i < 400; i++) {
		int64_t skew = (i % 2) ? 10000 : -10000;
		h.seq = (uint16_t)i;
		h.ts = i * 160;
		rtpstat_update(&s, &h, (uint64_t)(1000000 + i * 20000 + skew),
			       8000);
	}
	TEST_ASSERT(rtpstat_jitter_ms(&s, 8000) >= 19);
	TEST_ASSERT(rtpstat_jitter_ms(&s, 8000) <= 20);

 out:
	return err;
}
