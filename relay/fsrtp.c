/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file fsrtp.c  SRTP of one forwarding side
 *
 * - SRTCP has a context of its own per key: the _32 suites shorten only
 *   SRTP's tag, SRTCP's stays 80 bits (libsrtp and rtpengine do so; RFC
 *   5764 §4.1.2 spells it out), where libre would cut it to 32.
 * - libre gives each new SSRC one of a context's 8 places for good
 *   before its packet authenticates: forged packets under random SSRCs
 *   would fill the peer's context, and its own SSRC, or a new one after
 *   a re-INVITE, would find no place. A packet of an SSRC that has not
 *   authenticated yet is therefore checked first, on a copy, under a
 *   probe context of the same key, made anew when strangers fill it.
 * - A key serves no more packets than its lifetime (RFC 4568 §6.1).
 * - Under an AEAD suite (RFC 7714) libre authenticates SRTCP but checks
 *   no replays: its SRTCP replay list is kept only with the HMAC. The
 *   SRTCP index (the last 4 bytes: E flag and index) is checked here
 *   against a list per SSRC, and taken once the packet authenticates
 *   (fuzz_srtp found a replayed SRTCP packet going through).
 * - Contexts for the same key stay across re-offers, with their
 *   rollover counters and replay windows (RFC 3711 §3.3.1).
 * - Where each context stands per SSRC is followed beside it (srtpix.c)
 *   so that a standby's contexts for the same keys can be brought there
 *   (fsrtp_restore()).
 */
#include <string.h>
#include <re.h>
#include "srtpx.h"
#include "fsrtp.h"


/* The suite for SRTCP under a key of suite s */
static enum srtp_suite rtcp_suite(enum srtp_suite s)
{
	switch (s) {

	case SRTP_AES_CM_128_HMAC_SHA1_32:
		return SRTP_AES_CM_128_HMAC_SHA1_80;

	case SRTP_AES_256_CM_HMAC_SHA1_32:
		return SRTP_AES_256_CM_HMAC_SHA1_80;

	default:
		return s;
	}
}


static bool key_same(const struct sdes_key *a, const struct sdes_key *b)
{
	return a->suite == b->suite && a->len == b->len &&
		!memcmp(a->key, b->key, a->len);
}


static void ctx_free(struct srtp *ctx[2])
{
	ctx[0] = mem_deref(ctx[0]);
	ctx[1] = mem_deref(ctx[1]);
}


/* Contexts for key k (NULL: none); those for the same key stay. If they
 * cannot be made, cur keeps the key and ctx stays empty: fails closed.
 * Returns true if the key changed. */
static bool ctx_keep(struct srtp *ctx[2], struct sdes_key *cur,
		     const struct sdes_key *k)
{
	if (k && cur->len && ctx[0] && key_same(cur, k))
		return false;

	ctx_free(ctx);
	memset(cur, 0, sizeof(*cur));
	if (!k || !k->len)
		return true;

	*cur = *k;
	if (srtp_alloc(&ctx[0], k->suite, k->key, k->len, 0) ||
	    srtp_alloc(&ctx[1], rtcp_suite(k->suite), k->key, k->len, 0))
		ctx_free(ctx);

	return true;
}


/**
 * Set a side's keys, from an offer or answer
 *
 * @param s    The side's SRTP state
 * @param rx   The peer's key, NULL if it speaks plain RTP
 * @param life Packets rx may protect, 0 for no limit of its own
 * @param tx   Our key toward the peer, NULL if it gets plain RTP
 */
void fsrtp_set(struct fsrtp *s, const struct sdes_key *rx, uint64_t life,
	       const struct sdes_key *tx)
{
	if (!s)
		return;

	if (ctx_keep(s->rx, &s->rx_key, rx)) {
		s->used = 0;
		s->nssrc = 0;
		s->nwin = 0;
		ctx_free(s->probe);
		memset(&s->ix.rx, 0, sizeof(s->ix.rx));
		++s->ix.mark;
	}
	s->life = life;
	s->shut = false;
	if (ctx_keep(s->tx, &s->tx_key, tx)) {
		memset(&s->ix.tx, 0, sizeof(s->ix.tx));
		++s->ix.mark;
	}
}


/* a context brought to each stored SSRC's place; rx: the SSRCs count
 * as authenticated (a probe context would start them at ROC 0) */
static int prime_set(struct fsrtp *s, struct srtp *ctx[2],
		     const struct sdes_key *k, struct srtpix_set *set,
		     bool rx)
{
	int err = 0;

	for (unsigned i = 0; i < set->n && !err; i++) {
		struct srtpix *ix = &set->v[i];

		err = srtpix_prime(ctx[0], k, ix, rx, false);
		if (!err && !rx && ix->rtcp)
			err = srtpix_prime(ctx[1], k, ix, false, true);
		if (!err && rx && ix->rtp && s->nssrc < FSRTP_SSRCS)
			s->ssrc[s->nssrc++] = htonl(ix->ssrc);
	}

	return err;
}


/**
 * Set a side's keys as a stored call had them, its contexts where they
 * stood (a restart or a standby taking the call over)
 *
 * @param s    The side's SRTP state, not in use yet
 * @param rx   The peer's key, NULL if it speaks plain RTP
 * @param life Packets rx may protect, 0 for no limit of its own
 * @param tx   Our key toward the peer, NULL if it gets plain RTP
 * @param ix   Where the contexts stood (fsrtp_ixs())
 *
 * @return 0 if success, otherwise errorcode: the side keeps its keys
 *         without contexts, and drops what it would have decrypted or
 *         encrypted (fails closed)
 */
int fsrtp_restore(struct fsrtp *s, const struct sdes_key *rx, uint64_t life,
		  const struct sdes_key *tx, const struct fsrtp_ixs *ix)
{
	int err = 0;

	if (!s || !ix)
		return EINVAL;

	fsrtp_set(s, rx, life, tx);
	s->ix.rx = ix->rx;
	s->ix.tx = ix->tx;
	s->ix.rx.n = ix->rx.n < SRTPIX_MAX ? ix->rx.n : SRTPIX_MAX;
	s->ix.tx.n = ix->tx.n < SRTPIX_MAX ? ix->tx.n : SRTPIX_MAX;
	s->used = ix->used;

	if (fsrtp_rx_on(s))
		err = s->rx[0] ? prime_set(s, s->rx, &s->rx_key, &s->ix.rx,
					   true) : ENOMEM;
	if (!err && fsrtp_tx_on(s))
		err = s->tx[0] ? prime_set(s, s->tx, &s->tx_key, &s->ix.tx,
					   false) : ENOMEM;
	if (err) {
		ctx_free(s->rx);
		ctx_free(s->probe);
		ctx_free(s->tx);
	}

	return err;
}


/**
 * Where a side's contexts stand
 *
 * @param s  The side's SRTP state
 * @param ix Written
 */
void fsrtp_ixs(const struct fsrtp *s, struct fsrtp_ixs *ix)
{
	if (!s || !ix)
		return;

	*ix = s->ix;
	ix->used = s->used;
}


/**
 * Shut a side that speaks SRTP whose keys are not known (a call made
 * again without them): it drops what comes and what would go until
 * fsrtp_set() gives it keys
 *
 * @param s The side's SRTP state
 */
void fsrtp_shut(struct fsrtp *s)
{
	if (!s)
		return;

	fsrtp_clear(s);
	s->shut = true;
}


/** Free a side's contexts and forget its keys */
void fsrtp_clear(struct fsrtp *s)
{
	if (!s)
		return;

	ctx_free(s->rx);
	ctx_free(s->probe);
	ctx_free(s->tx);
	memset(s, 0, sizeof(*s));
}


static bool ssrc_known(const struct fsrtp *s, uint32_t ssrc)
{
	for (unsigned i = 0; i < s->nssrc; i++) {
		if (s->ssrc[i] == ssrc)
			return true;
	}

	return false;
}


/* Whether a packet of a new SSRC authenticates, on a copy */
static bool probe(struct fsrtp *s, bool rtcp, const uint8_t *p, size_t len,
		  uint8_t *scratch, size_t scratch_sz)
{
	const struct sdes_key *k = &s->rx_key;
	struct srtp **ctx = &s->probe[rtcp];

	if (len > scratch_sz)
		return false;

	for (int i = 0; i < 2; i++) {
		size_t n = len;
		int err;

		if (!*ctx && srtp_alloc(ctx, rtcp ? rtcp_suite(k->suite) :
					k->suite, k->key, k->len, 0))
			return false;

		memcpy(scratch, p, len);
		err = srtpx_unprotect(*ctx, rtcp, scratch, &n);
		if (err != ENOSR)
			return err == 0;

		*ctx = mem_deref(*ctx);   /* full of strangers */
	}

	return false;
}


static struct fsrtp_rwin *win_find(struct fsrtp *s, uint32_t ssrc)
{
	for (unsigned i = 0; i < s->nwin; i++) {
		if (s->win[i].ssrc == ssrc)
			return &s->win[i];
	}

	return NULL;
}


/* Whether SRTCP index ix has not been taken yet; w->seen == 0: none */
static bool win_fresh(const struct fsrtp_rwin *w, uint32_t ix)
{
	if (!w->seen || ix > w->top)
		return true;

	return w->top - ix < 64 && !(w->seen >> (w->top - ix) & 1);
}


/* Take index ix of an SSRC that authenticated (made its list if new) */
static void win_take(struct fsrtp *s, uint32_t ssrc, uint32_t ix)
{
	struct fsrtp_rwin *w = win_find(s, ssrc);

	if (!w) {
		if (s->nwin >= FSRTP_SSRCS)
			return;
		w = &s->win[s->nwin++];
		memset(w, 0, sizeof(*w));
		w->ssrc = ssrc;
	}

	if (!w->seen) {
		w->top = ix;
		w->seen = 1;
	}
	else if (ix > w->top) {
		w->seen = ix - w->top < 64 ? w->seen << (ix - w->top) : 0;
		w->seen |= 1;
		w->top = ix;
	}
	else {
		w->seen |= (uint64_t)1 << (w->top - ix);
	}
}


/* SRTCP under an AEAD suite: whether its index is fresh (lists are
 * made only for SSRCs that authenticated: forgeries fill none) */
static bool aead_rtcp_fresh(struct fsrtp *s, uint32_t ssrc, const uint8_t *p,
			    size_t len, uint32_t *ixp)
{
	const struct fsrtp_rwin *w;
	uint32_t v;

	if (len < 12)
		return false;

	memcpy(&v, p + len - 4, sizeof(v));
	*ixp = ntohl(v) & 0x7fffffff;

	w = win_find(s, ssrc);
	if (!w)
		return s->nwin < FSRTP_SSRCS;

	return win_fresh(w, *ixp);
}


/**
 * Authenticate and decrypt in place what the peer sent (SRTP or SRTCP)
 *
 * @param s          The side's SRTP state (the peer speaks SRTP)
 * @param rtcp       SRTCP (true) or SRTP
 * @param p          The packet
 * @param lenp       Its length, then the plain packet's
 * @param scratch    A buffer for checks on a copy
 * @param scratch_sz Its size
 *
 * @return true if it may go on; false: drop it (forged, replayed, past
 *         the key's lifetime, malformed, or no context)
 */
bool fsrtp_in(struct fsrtp *s, bool rtcp, uint8_t *p, size_t *lenp,
	      uint8_t *scratch, size_t scratch_sz)
{
	uint32_t ssrc, ix = 0;
	bool known, aead;
	uint16_t seq;

	if (!s || !p || !lenp || !s->rx[0] || (s->life && s->used >= s->life))
		return false;

	/* the sender's SSRC: RTP's at 8, RTCP's at 4 */
	if (*lenp < (rtcp ? 8u : 12u))
		return false;
	memcpy(&ssrc, p + (rtcp ? 4 : 8), sizeof(ssrc));
	seq = (uint16_t)(p[2] << 8 | p[3]);

	aead = rtcp && sdes_aead(s->rx_key.suite);
	if (aead && !aead_rtcp_fresh(s, ssrc, p, *lenp, &ix))
		return false;

	known = ssrc_known(s, ssrc);
	if (!known && !probe(s, rtcp, p, *lenp, scratch, scratch_sz))
		return false;

	if (srtpx_unprotect(s->rx[rtcp], rtcp, p, lenp))
		return false;

	if (aead)
		win_take(s, ssrc, ix);

	if (!known && s->nssrc < FSRTP_SSRCS)
		s->ssrc[s->nssrc++] = ssrc;
	++s->used;
	if (!rtcp && srtpix_rtp(&s->ix.rx, ntohl(ssrc), seq))
		++s->ix.mark;

	return true;
}


/**
 * Encrypt in place what the peer gets, if it gets SRTP
 *
 * @param s    The side's SRTP state
 * @param rtcp SRTCP (true) or SRTP
 * @param p    The packet, in a buffer of cap bytes
 * @param lenp Its length, then the protected packet's
 * @param cap  The buffer's size
 *
 * @return false if it must not go (no context for our key, no room)
 */
bool fsrtp_out(struct fsrtp *s, bool rtcp, uint8_t *p, size_t *lenp,
	       size_t cap)
{
	uint32_t ssrc;
	uint16_t seq;
	bool mark;

	if (!s || !fsrtp_tx_on(s))
		return true;

	if (!p || !lenp || *lenp < (rtcp ? 8u : 12u) || !s->tx[rtcp] ||
	    srtpx_protect(s->tx[rtcp], rtcp, p, lenp, cap))
		return false;

	ssrc = (uint32_t)p[rtcp ? 4 : 8] << 24 | p[rtcp ? 5 : 9] << 16 |
		p[rtcp ? 6 : 10] << 8 | p[rtcp ? 7 : 11];
	seq = (uint16_t)(p[2] << 8 | p[3]);
	mark = rtcp ? srtpix_rtcp(&s->ix.tx, ssrc) :
		srtpix_rtp(&s->ix.tx, ssrc, seq);
	if (mark)
		++s->ix.mark;

	return true;
}
