/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file dtmf.c  RFC 4733 telephone-events made by the relay
 *
 * An event goes out every DTMF_STEP_MS with one timestamp (where it
 * started on the audio's clock) and a growing duration; the marker bit
 * opens it, and DTMF_ENDS packets with the E bit and the full duration
 * close it (RFC 4733 2.5.1). Each packet takes the next sequence number
 * of the stream it joins; the audio after it is renumbered.
 */
#include <string.h>
#include <re.h>
#include "rtpstat.h"
#include "dtmf.h"


enum {
	VOLUME = 10,     /**< -10 dBm0, as the gateways send it */
};


/**
 * The event code of a DTMF digit (RFC 4733 3.2)
 *
 * @param digit '0'-'9', '*', '#', 'A'-'D' (or 'a'-'d')
 *
 * @return 0-15, or -1 if it is none
 */
int dtmf_event(char digit)
{
	static const char codes[] = "0123456789*#ABCD";
	const char *p;

	if (digit >= 'a' && digit <= 'd')
		digit = (char)(digit - 'a' + 'A');

	p = digit ? strchr(codes, digit) : NULL;

	return p ? (int)(p - codes) : -1;
}


/**
 * Queue a digit on a side's generator
 *
 * @param g      Generator
 * @param pt     telephone-event payload type of the receiver
 * @param rate   Its clock rate
 * @param event  Event code (dtmf_event())
 * @param dur_ms Duration, clamped to DTMF_MIN_MS..DTMF_MAX_MS
 * @param now    Monotonic ms
 *
 * @return 0 if success, EOVERFLOW if DTMF_QUEUE digits wait already
 */
int dtmf_queue(struct dtmf_gen *g, uint8_t pt, uint32_t rate,
	       uint8_t event, uint32_t dur_ms, uint64_t now)
{
	if (!g || event > 15 || pt > 127 || !rate)
		return EINVAL;

	if (g->qn >= DTMF_QUEUE)
		return EOVERFLOW;

	/* the first event waits a little for the audio it joins */
	if (!g->on) {
		g->on = true;
		g->src_wait = now + DTMF_WAIT_MS;
		g->ssrc = rand_u32();
		g->seq = (uint16_t)rand_u16();
		g->src_ts = rand_u32();
	}

	g->pt = pt;
	g->rate = rate;
	g->q[g->qn].event = event;
	g->q[g->qn].dur_ms = MIN(MAX(dur_ms, DTMF_MIN_MS), DTMF_MAX_MS);
	++g->qn;

	return 0;
}


/** @return when the generator has a packet to send (ms), 0 for never */
uint64_t dtmf_due(const struct dtmf_gen *g)
{
	if (!g || !g->on)
		return 0;
	if (g->playing)
		return g->next;

	return g->qn ? MAX(MAX(g->idle_until, g->src ? 0 : g->src_wait), 1) :
		0;
}


/* The next event begins: on the audio's clock, after the last event */
static void event_start(struct dtmf_gen *g, uint64_t now)
{
	uint32_t ts = g->src_ts +
		(uint32_t)((now - MIN(g->src_ms, now)) * g->rate / 1000);

	/* never before the end of the last event */
	if (!g->sent || (int32_t)(ts - g->ts) > 0)
		g->ts = ts;

	g->cur = g->q[0];
	memmove(g->q, g->q + 1, --g->qn * sizeof(g->q[0]));
	g->playing = true;
	g->ends = 0;
	g->t0 = now;
	g->next = now;
}


static size_t packet(struct dtmf_gen *g, uint8_t *p, bool first, bool end,
		     uint32_t units)
{
	++g->seq;
	++g->shift;
	++g->sent;

	p[0] = 0x80;
	p[1] = (uint8_t)((first ? 0x80 : 0) | g->pt);
	p[2] = (uint8_t)(g->seq >> 8);
	p[3] = (uint8_t)g->seq;
	memcpy(p + 4, &(uint32_t){htonl(g->ts)}, 4);
	memcpy(p + 8, &(uint32_t){htonl(g->ssrc)}, 4);
	p[12] = g->cur.event;
	p[13] = (uint8_t)((end ? 0x80 : 0) | VOLUME);
	p[14] = (uint8_t)(units >> 8);
	p[15] = (uint8_t)units;

	return DTMF_PKT;
}


/**
 * The generator's next packet, if one is due
 *
 * @param g   Generator
 * @param now Monotonic ms
 * @param buf Where to write it
 * @param sz  Its size (at least DTMF_PKT)
 *
 * @return the packet's length, 0 if none is due
 */
size_t dtmf_next(struct dtmf_gen *g, uint64_t now, uint8_t *buf, size_t sz)
{
	uint64_t covered;
	uint32_t units;
	bool first, end;

	if (!g || !g->on || !buf || sz < DTMF_PKT)
		return 0;

	if (!g->playing) {
		if (!g->qn || now < g->idle_until ||
		    (!g->src && now < g->src_wait))
			return 0;
		event_start(g, now);
	}

	if (now < g->next)
		return 0;

	first = g->next == g->t0;
	covered = MIN(now - g->t0 + DTMF_STEP_MS, g->cur.dur_ms);
	end = covered >= g->cur.dur_ms;
	units = (uint32_t)MIN(covered * g->rate / 1000, 0xffff);
	g->next = now + DTMF_STEP_MS;
	(void)packet(g, buf, first, end, units);

	/* the last end packet: the next event starts after this one */
	if (end && ++g->ends >= DTMF_ENDS) {
		g->playing = false;
		g->idle_until = now + DTMF_GAP_MS;
		g->ts += units;
	}

	return DTMF_PKT;
}


/**
 * Audio on its way to the receiver: renumbered after the events, and
 * taken as the stream the next events join
 *
 * @param g   Generator (on)
 * @param h   The packet's header
 * @param p   The packet (its sequence number is rewritten)
 * @param now Monotonic ms
 */
void dtmf_fwd(struct dtmf_gen *g, const struct rtphdr *h, uint8_t *p,
	      uint64_t now)
{
	uint16_t seq;

	if (!g || !g->on || !h || !p)
		return;

	if (!g->src || h->ssrc != g->ssrc) {
		g->src = true;
		g->ssrc = h->ssrc;
		g->shift = 0;
	}

	seq = (uint16_t)(h->seq + g->shift);
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	g->seq = seq;
	g->src_ts = h->ts;
	g->src_ms = now;
}
