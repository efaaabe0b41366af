/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file dtmf.c  Unit tests: RFC 4733 events the relay makes (dtmf.c)
 */
#include <string.h>
#include <re.h>
#include "rtpstat.h"
#include "dtmf.h"
#include "test.h"


/** One event packet, read back */
struct evpkt {
	bool marker;
	uint8_t pt;
	uint16_t seq;
	uint32_t ts;
	uint32_t ssrc;
	uint8_t event;
	bool end;
	uint8_t volume;
	uint16_t dur;
};


static void ev_read(struct evpkt *e, const uint8_t *p)
{
	e->marker = p[1] & 0x80;
	e->pt = p[1] & 0x7f;
	e->seq = (uint16_t)(p[2] << 8 | p[3]);
	e->ts = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 |
		(uint32_t)p[6] << 8 | p[7];
	e->ssrc = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 |
		(uint32_t)p[10] << 8 | p[11];
	e->event = p[12];
	e->end = p[13] & 0x80;
	e->volume = p[13] & 0x3f;
	e->dur = (uint16_t)(p[14] << 8 | p[15]);
}


/* An audio packet of the stream the events join, forwarded at now */
static void audio(struct dtmf_gen *g, uint16_t seq, uint32_t ts,
		  uint64_t now, uint16_t *out_seq)
{
	uint8_t p[12] = {0x80, 0, (uint8_t)(seq >> 8), (uint8_t)seq};
	struct rtphdr h = {0, seq, ts, 0x1234};

	dtmf_fwd(g, &h, p, now);
	*out_seq = (uint16_t)(p[2] << 8 | p[3]);
}


int test_dtmf_codes(void)
{
	static const char digits[] = "0123456789*#ABCD";
	struct dtmf_gen g;
	int err = 0;

	for (int i = 0; digits[i]; i++)
		TEST_EQUALS(i, dtmf_event(digits[i]));
	TEST_EQUALS(13, dtmf_event('b'));
	TEST_EQUALS(-1, dtmf_event('E'));
	TEST_EQUALS(-1, dtmf_event('\0'));
	TEST_EQUALS(-1, dtmf_event('!'));

	memset(&g, 0, sizeof(g));
	TEST_EQUALS(0, dtmf_due(&g));
	TEST_EQUALS(EINVAL, dtmf_queue(&g, 101, 8000, 16, 100, 0));
	TEST_EQUALS(EINVAL, dtmf_queue(&g, 128, 8000, 1, 100, 0));
	for (int i = 0; i < DTMF_QUEUE; i++)
		TEST_ERR(dtmf_queue(&g, 101, 8000, 1, 1, 0));
	TEST_EQUALS(EOVERFLOW, dtmf_queue(&g, 101, 8000, 1, 100, 0));
	TEST_EQUALS(DTMF_MIN_MS, g.q[0].dur_ms);

 out:
	return err;
}


/* A 100 ms '5' in a stream of audio: marker first, one timestamp on the
 * audio's clock, growing durations, three end packets; the numbers
 * run on without a gap and the audio after it is renumbered */
int test_dtmf_event(void)
{
	struct dtmf_gen g;
	struct evpkt e[8];
	uint8_t buf[32];
	uint16_t s;
	unsigned n = 0;
	int err = 0;

	memset(&g, 0, sizeof(g));
	TEST_ERR(dtmf_queue(&g, 101, 8000, 5, 100, 980));
	audio(&g, 1000, 16000, 990, &s);
	TEST_EQUALS(1000, s);

	for (uint64_t t = 1000; t <= 1200; t += 5) {
		size_t len = dtmf_next(&g, t, buf, sizeof(buf));

		if (!len)
			continue;
		TEST_EQUALS(DTMF_PKT, len);
		TEST_ASSERT(n < ARRAY_SIZE(e));
		ev_read(&e[n++], buf);
	}

	TEST_EQUALS(7, n);
	for (unsigned i = 0; i < n; i++) {
		TEST_EQUALS(i == 0, e[i].marker);
		TEST_EQUALS(101, e[i].pt);
		TEST_EQUALS(1001 + i, e[i].seq);
		TEST_EQUALS(16000 + 80, e[i].ts);   /* 10 ms after the audio */
		TEST_EQUALS(0x1234, e[i].ssrc);
		TEST_EQUALS(5, e[i].event);
		TEST_EQUALS(10, e[i].volume);
		TEST_EQUALS(i >= 4, e[i].end);
		TEST_EQUALS(i >= 4 ? 800 : 160 * (i + 1), e[i].dur);
	}

	/* the audio goes on, renumbered after the events */
	audio(&g, 1001, 16160, 1210, &s);
	TEST_EQUALS(1008, s);
	TEST_EQUALS(0, g.playing);

	/* a new source starts its own numbering */
	{
		uint8_t p[12] = {0x80, 0, 0x00, 0x10};
		struct rtphdr h = {0, 0x10, 1, 0x9999};

		dtmf_fwd(&g, &h, p, 1220);
		TEST_EQUALS(0x10, p[3]);
	}

 out:
	return err;
}


/* Two digits in a row: the second after a gap, later on the clock */
int test_dtmf_sequence(void)
{
	struct dtmf_gen g;
	struct evpkt first, last = {0}, next;
	uint8_t buf[32];
	bool seen_first = false, seen_next = false;
	int err = 0;

	memset(&g, 0, sizeof(g));
	TEST_ERR(dtmf_queue(&g, 96, 8000, 1, 60, 4800));
	TEST_ERR(dtmf_queue(&g, 96, 8000, 11, 60, 4800));

	for (uint64_t t = 5000; t <= 5600; t += 5) {
		if (!dtmf_next(&g, t, buf, sizeof(buf)))
			continue;
		if (!seen_first) {
			ev_read(&first, buf);
			seen_first = true;
		}
		ev_read(&next, buf);
		if (next.event == 1) {
			last = next;
			continue;
		}
		seen_next = true;
		break;
	}

	TEST_ASSERT(seen_first && seen_next);
	TEST_EQUALS(1, first.event);
	TEST_ASSERT(last.end);
	TEST_EQUALS(11, next.event);
	TEST_ASSERT(next.marker);
	TEST_EQUALS(96, next.pt);
	TEST_EQUALS((uint16_t)(last.seq + 1), next.seq);
	TEST_ASSERT((int32_t)(next.ts - (first.ts + 480)) >= 0);
	TEST_EQUALS(first.ssrc, next.ssrc);

 out:
	return err;
}
