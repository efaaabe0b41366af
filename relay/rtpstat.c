/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file rtpstat.c  Per-source RTP statistics: loss and jitter
 */
#include <re.h>
#include "rtpstat.h"


enum {
	MAX_DROPOUT  = 3000,   /**< Forward jump still in sequence  */
	MAX_MISORDER = 100,    /**< Backward jump: late packet      */
};


/**
 * Decode the fixed RTP header (RFC 3550 5.1) of a packet
 *
 * @param h   Decoded fields
 * @param p   Packet
 * @param len Its length
 *
 * @return 0 if it is RTP version 2 with a whole header, else EBADMSG
 */
int rtphdr_decode(struct rtphdr *h, const uint8_t *p, size_t len)
{
	size_t hlen;

	if (!h || !p || len < 12 || (p[0] >> 6) != 2)
		return EBADMSG;

	hlen = 12 + 4 * (size_t)(p[0] & 0x0f);
	if (len < hlen)
		return EBADMSG;

	h->pt   = p[1] & 0x7f;
	h->seq  = (uint16_t)(p[2] << 8 | p[3]);
	h->ts   = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 |
		  (uint32_t)p[6] << 8 | p[7];
	h->ssrc = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 |
		  (uint32_t)p[10] << 8 | p[11];

	return 0;
}


/**
 * Tell RTCP from RTP on a multiplexed port (RFC 5761 4): RTCP packet
 * types 192..223 fall where RTP payload types 64..95 would be
 *
 * @param p   Packet
 * @param len Its length
 *
 * @return true if the packet is RTCP
 */
bool rtp_is_rtcp(const uint8_t *p, size_t len)
{
	return p && len >= 8 && (p[0] >> 6) == 2 && p[1] >= 192 &&
		p[1] <= 223;
}


static void stat_init(struct rtpstat *s, const struct rtphdr *h)
{
	s->ssrc = h->ssrc;
	s->init = true;
	s->base_seq = h->seq;
	s->max_seq = h->seq;
	s->cycles = 0;
	s->received = 0;
	s->jitter = 0;
	s->transit = 0;
}


static void jitter_update(struct rtpstat *s, const struct rtphdr *h,
			  uint64_t arrival_us, uint32_t clock_rate)
{
	int64_t arrival = (int64_t)(arrival_us * clock_rate / 1000000);
	int64_t transit = arrival - (int64_t)h->ts;
	int64_t d;

	if (s->received > 1) {
		d = transit - s->transit;
		if (d < 0)
			d = -d;
		/* J += (|D| - J) / 16, kept scaled by 16 */
		s->jitter += (uint32_t)(d - (((int64_t)s->jitter + 8) >> 4));
	}
	s->transit = transit;
}


/**
 * Count a packet from a source. A new SSRC restarts the statistics.
 *
 * @param s          Statistics
 * @param h          The packet's header
 * @param arrival_us Arrival time (microseconds, any epoch)
 * @param clock_rate RTP clock rate of the payload (e.g. 8000)
 */
void rtpstat_update(struct rtpstat *s, const struct rtphdr *h,
		    uint64_t arrival_us, uint32_t clock_rate)
{
	uint16_t udelta;

	if (!s || !h)
		return;

	if (!s->init || s->ssrc != h->ssrc)
		stat_init(s, h);

	udelta = (uint16_t)(h->seq - s->max_seq);

	if (udelta < MAX_DROPOUT) {
		if (h->seq < s->max_seq)
			s->cycles += 1u << 16;
		s->max_seq = h->seq;
	}
	else if (udelta <= 65535 - MAX_MISORDER) {
		/* a big jump: the source restarted */
		stat_init(s, h);
	}
	/* else: a late or duplicate packet, counted as received */

	++s->received;

	if (clock_rate)
		jitter_update(s, h, arrival_us, clock_rate);
}


/** @return packets expected from the sequence numbers seen */
uint32_t rtpstat_expected(const struct rtpstat *s)
{
	if (!s || !s->init)
		return 0;

	return s->cycles + s->max_seq - s->base_seq + 1;
}


/** @return packets lost (negative with duplicates) */
int64_t rtpstat_lost(const struct rtpstat *s)
{
	if (!s || !s->init)
		return 0;

	return (int64_t)rtpstat_expected(s) - s->received;
}


/** @return interarrival jitter in milliseconds */
uint32_t rtpstat_jitter_ms(const struct rtpstat *s, uint32_t clock_rate)
{
	if (!s || !clock_rate)
		return 0;

	return (uint32_t)(((uint64_t)(s->jitter >> 4) * 1000) / clock_rate);
}
