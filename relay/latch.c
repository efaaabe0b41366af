/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file latch.c  Learning a peer's real media address without RTP Bleed
 */
#include <string.h>
#include <re.h>
#include "latch.h"


enum {
	RANK_OTHER = 1,   /**< Some address                     */
	RANK_IP    = 2,   /**< The SDP IP, another port (NAT)   */
	RANK_EXACT = 3,   /**< The SDP address and port         */
};


static int rank(const struct latch *l, const struct sa *src)
{
	if (!sa_isset(&l->sdp, SA_ADDR))
		return RANK_OTHER;

	if (sa_cmp(src, &l->sdp, SA_ALL))
		return RANK_EXACT;

	if (sa_cmp(src, &l->sdp, SA_ADDR))
		return RANK_IP;

	return RANK_OTHER;
}


/**
 * The peer's SDP gave an address (offer, answer, re-offer). A changed
 * address opens a new learning window; an unchanged one keeps what was
 * learnt, so a re-INVITE does not reopen the stream to hijacking.
 *
 * @param l         Latch
 * @param sdp       Address and port from the SDP (port 0: on hold)
 * @param now       Current time (ms)
 * @param window_ms Length of the learning window
 */
void latch_sdp(struct latch *l, const struct sa *sdp, uint64_t now,
	       uint32_t window_ms)
{
	if (!l || !sdp)
		return;

	if (l->state != LATCH_NONE && sa_cmp(&l->sdp, sdp, SA_ALL))
		return;

	l->sdp = *sdp;
	l->window_end = now + window_ms;

	if (l->state == LATCH_NONE)
		return;

	/* keep forwarding to the old source until a better one speaks */
	l->state = LATCH_LEARNING;
	l->rank = rank(l, &l->addr);
}


/**
 * Reopen the learning window of a latch that is not locked yet (the
 * call was answered)
 *
 * @param l         Latch
 * @param now       Current time (ms)
 * @param window_ms Length of the window
 */
void latch_window(struct latch *l, uint64_t now, uint32_t window_ms)
{
	if (!l || l->state == LATCH_LOCKED)
		return;

	if (now + window_ms > l->window_end)
		l->window_end = now + window_ms;
}


/**
 * Set a latch as a standby's copy of the call says it was (a restored
 * call): a locked latch stays locked, so that no other source is taken
 * from the first packet on; the SSRC is learnt again from the latched
 * source's first packet, and a learning one gets a new window.
 *
 * @param l         Latch
 * @param sdp       Address the peer's SDP gave
 * @param addr      Source it had latched (unset: none)
 * @param st        Its state
 * @param relatches Re-latches so far
 * @param now       Current time (ms)
 * @param window_ms Learning window, for a latch that was learning
 */
void latch_restore(struct latch *l, const struct sa *sdp,
		   const struct sa *addr, enum latch_state st,
		   uint32_t relatches, uint64_t now, uint32_t window_ms)
{
	if (!l || !sdp || !addr)
		return;

	memset(l, 0, sizeof(*l));
	l->sdp = *sdp;
	l->relatches = relatches;
	l->window_end = st == LATCH_LOCKED ? now : now + window_ms;
	if (st == LATCH_NONE || !sa_isset(addr, SA_ALL))
		return;

	l->addr = *addr;
	l->rank = rank(l, addr);
	l->state = st == LATCH_LOCKED ? LATCH_LOCKED : LATCH_LEARNING;
	l->last_rx = now;
}


static void latch_to(struct latch *l, const struct sa *src, int r,
		     const uint32_t *ssrc, uint64_t now)
{
	l->addr = *src;
	l->rank = r;
	l->ssrc_set = ssrc != NULL;
	l->ssrc = ssrc ? *ssrc : 0;
	l->last_rx = now;
	l->state = (r == RANK_EXACT || now >= l->window_end) ?
		LATCH_LOCKED : LATCH_LEARNING;
}


static bool relatch_ok(const struct latch *l, const uint32_t *ssrc,
		       uint64_t now)
{
	if (!ssrc || !l->ssrc_set || *ssrc != l->ssrc)
		return false;

	if (now < l->last_rx + LATCH_RELATCH_SILENCE)
		return false;

	return !l->relatched || now >= l->relatched + LATCH_RELATCH_HOLDOFF;
}


/**
 * Judge a packet that arrived for this side
 *
 * @param l    Latch
 * @param src  Its source address
 * @param ssrc Its SSRC, NULL if it carries none (RTCP, not RTP)
 * @param now  Current time (ms)
 *
 * @return LATCH_FORWARD or LATCH_DROP
 */
enum latch_verdict latch_rx(struct latch *l, const struct sa *src,
			    const uint32_t *ssrc, uint64_t now)
{
	int r;

	if (!l || !src)
		return LATCH_DROP;

	if (l->state != LATCH_NONE && sa_cmp(src, &l->addr, SA_ALL)) {
		/* never back: while the kernel forwards the source, the
		 * offload path holds last_rx ahead of now (offload.c), and
		 * a packet that still reaches us must not shorten that */
		if (now > l->last_rx)
			l->last_rx = now;
		if (ssrc && !l->ssrc_set) {
			l->ssrc = *ssrc;
			l->ssrc_set = true;
		}
		if (l->state == LATCH_LEARNING && now >= l->window_end)
			l->state = LATCH_LOCKED;
		return LATCH_FORWARD;
	}

	r = rank(l, src);

	if ((now < l->window_end || r == RANK_EXACT) && r > l->rank) {
		latch_to(l, src, r, ssrc, now);
		return LATCH_FORWARD;
	}

	if (l->state != LATCH_NONE && relatch_ok(l, ssrc, now)) {
		latch_to(l, src, rank(l, src), ssrc, now);
		l->state = LATCH_LOCKED;
		l->relatched = now;
		++l->relatches;
		return LATCH_FORWARD;
	}

	return LATCH_DROP;
}


/**
 * Whether a packet could move the latch: it comes from another source
 * than the latched one and carries the latched SSRC, the only packet a
 * re-latch accepts (once the latched source has been silent long
 * enough: the caller may first bring last_rx up to date)
 *
 * @param l    Latch
 * @param src  The packet's source
 * @param ssrc Its SSRC, NULL if it carries none
 *
 * @return true if it could
 */
bool latch_moving(const struct latch *l, const struct sa *src,
		  const uint32_t *ssrc)
{
	return l && src && ssrc && l->state != LATCH_NONE && l->ssrc_set &&
		*ssrc == l->ssrc && !sa_cmp(src, &l->addr, SA_ALL);
}


/**
 * Where to send the peer's media: the latched source, or before any
 * packet came, the address its SDP gave
 *
 * @param l Latch
 *
 * @return the destination, NULL if there is none yet
 */
const struct sa *latch_dst(const struct latch *l)
{
	if (!l)
		return NULL;

	if (l->state != LATCH_NONE)
		return &l->addr;

	return sa_isset(&l->sdp, SA_ALL) ? &l->sdp : NULL;
}


/** @return the state's name, for umedgectl and logs */
const char *latch_state_name(enum latch_state st)
{
	switch (st) {

	case LATCH_NONE:     return "none";
	case LATCH_LEARNING: return "learning";
	case LATCH_LOCKED:   return "locked";
	default:             return "?";
	}
}
