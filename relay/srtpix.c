/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file srtpix.c  A libre SRTP context's place per SSRC, followed and
 *                 primed
 *
 * libre 1.1.0 has no getter or setter for a context's rollover counter
 * (ROC) or SRTCP index. Both are deterministic, though: per SSRC it
 * keeps s_l, set by the first packet and raised by every later one
 * above it, and adds one to the ROC when a sequence number comes 32768
 * or more below s_l (srtp_encrypt() and srtp_decrypt() alike, s_l then
 * 0); srtcp_encrypt() adds one to the SRTCP index per packet. The
 * forwarding side runs the same rules on each packet its contexts took
 * (srtpix_rtp(), srtpix_rtcp()).
 *
 * A fresh context is brought to a stored place with packets made here
 * through the public API: sequence numbers 0, 16384, 32768, 49152 and 0
 * again (the wrap) once per ROC step, then up to s_l in steps of 16384
 * (a receiving context refuses steps above 32768). A receiving context
 * decrypts what a scratch context of the same key encrypted; a sending
 * one encrypts. Its SRTCP index is run past the stored one by
 * SRTPIX_RTCP_GAP: the stored value lags, and a receiver takes a higher
 * index but drops a repeated one.
 *
 * A forged packet of a known SSRC whose sequence number would wrap moves
 * libre's ROC before it fails to authenticate; that is not followed
 * here (the context is then out of step with its peer anyway).
 */
#include <string.h>
#include <re.h>
#include "sdes.h"
#include "srtpx.h"
#include "srtpix.h"


enum {
	QUARTER   = 16384,      /**< A write per quarter of the space  */
	RTCP_MARK = 512,        /**< A write per 512 SRTCP packets     */
	PKT_CAP   = 96,         /**< A priming packet and its tag      */
	RTP_LEN   = 16,         /**< Its RTP header and 4 bytes        */
	RTCP_LEN  = 28,         /**< An empty sender report            */
};


static struct srtpix *find(struct srtpix_set *set, uint32_t ssrc,
			   bool *fresh)
{
	struct srtpix *ix;

	*fresh = false;
	if (!set)
		return NULL;

	for (unsigned i = 0; i < set->n; i++) {
		if (set->v[i].ssrc == ssrc)
			return &set->v[i];
	}

	if (set->n >= SRTPIX_MAX)
		return NULL;

	ix = &set->v[set->n++];
	memset(ix, 0, sizeof(*ix));
	ix->ssrc = ssrc;
	*fresh = true;

	return ix;
}


/**
 * Follow an SRTP packet a context took (encrypted or authenticated)
 *
 * @param set  The context's SSRCs
 * @param ssrc The packet's SSRC
 * @param seq  Its sequence number
 *
 * @return true if the place should be written again: a new SSRC, a new
 *         ROC or a new quarter of the sequence space
 */
bool srtpix_rtp(struct srtpix_set *set, uint32_t ssrc, uint16_t seq)
{
	uint32_t before;
	bool fresh;
	struct srtpix *ix = find(set, ssrc, &fresh);

	if (!ix)
		return false;

	if (!ix->rtp) {
		ix->rtp = true;
		ix->s_l = seq;
		return true;
	}

	before = ix->s_l / QUARTER;
	if ((int)seq - (int)ix->s_l <= -32768) {
		++ix->roc;
		ix->s_l = 0;
		before = UINT32_MAX;
	}
	if (seq > ix->s_l)
		ix->s_l = seq;

	return fresh || before != (uint32_t)ix->s_l / QUARTER;
}


/**
 * Follow an SRTCP packet a sending context protected
 *
 * @param set  The context's SSRCs
 * @param ssrc The packet's sender SSRC
 *
 * @return true if the place should be written again (a new SSRC, or
 *         every 512 packets)
 */
bool srtpix_rtcp(struct srtpix_set *set, uint32_t ssrc)
{
	bool fresh;
	struct srtpix *ix = find(set, ssrc, &fresh);

	if (!ix)
		return false;

	ix->rtcp = (ix->rtcp + 1) & 0x7fffffff;

	return fresh || ix->rtcp % RTCP_MARK == 0;
}


static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}


/* one RTP packet of the schedule through ctx (rx: made by scratch) */
static int rtp_step(struct srtp *ctx, struct srtp *scratch, uint32_t ssrc,
		    uint16_t seq)
{
	uint8_t p[PKT_CAP];
	size_t len = RTP_LEN;
	int err;

	memset(p, 0, sizeof(p));
	p[0] = 0x80;
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	put32(p + 8, ssrc);

	err = srtpx_protect(scratch ? scratch : ctx, false, p, &len,
			    sizeof(p));
	if (err || !scratch)
		return err;

	return srtpx_unprotect(ctx, false, p, &len);
}


static int prime_rtp(struct srtp *ctx, struct srtp *scratch,
		     const struct srtpix *ix)
{
	int err;

	err = rtp_step(ctx, scratch, ix->ssrc, ix->roc ? 0 : ix->s_l);

	for (uint32_t r = 0; r < ix->roc && !err; r++) {
		for (uint32_t q = 1; q <= 4 && !err; q++)
			err = rtp_step(ctx, scratch, ix->ssrc,
				       (uint16_t)(q * QUARTER));
	}

	for (uint32_t seq = QUARTER; ix->roc && seq < ix->s_l && !err;
	     seq += QUARTER)
		err = rtp_step(ctx, scratch, ix->ssrc, (uint16_t)seq);

	if (ix->roc && ix->s_l && !err)
		err = rtp_step(ctx, scratch, ix->ssrc, ix->s_l);

	return err;
}


/* the SRTCP index run past the stored one; returns the new index */
static int prime_rtcp(struct srtp *ctx, struct srtpix *ix)
{
	uint32_t n = ix->rtcp < SRTPIX_RTCP_MAX ? ix->rtcp : SRTPIX_RTCP_MAX;
	uint8_t p[PKT_CAP];

	n += SRTPIX_RTCP_GAP;
	for (uint32_t i = 0; i < n; i++) {
		size_t len = RTCP_LEN;
		int err;

		memset(p, 0, sizeof(p));
		p[0] = 0x80;
		p[1] = 200;
		p[3] = RTCP_LEN / 4 - 1;
		put32(p + 4, ix->ssrc);

		err = srtpx_protect(ctx, true, p, &len, sizeof(p));
		if (err)
			return err;
	}

	ix->rtcp = n;

	return 0;
}


/**
 * Bring a fresh context to a stored place of one SSRC
 *
 * @param ctx  The context (new, of key k)
 * @param k    Its key
 * @param ix   The place; a sending SRTCP context's index is moved on
 * @param rx   ctx decrypts (the peer's key) rather than encrypts
 * @param rtcp ctx is an SRTCP context
 *
 * @return 0 if success, ERANGE if the ROC is beyond SRTPIX_ROC_MAX,
 *         otherwise errorcode
 */
int srtpix_prime(struct srtp *ctx, const struct sdes_key *k,
		 struct srtpix *ix, bool rx, bool rtcp)
{
	struct srtp *scratch = NULL;
	int err;

	if (!ctx || !k || !ix)
		return EINVAL;

	if (rtcp)
		return rx ? 0 : prime_rtcp(ctx, ix);

	if (!ix->rtp)
		return 0;
	if (ix->roc > SRTPIX_ROC_MAX)
		return ERANGE;

	if (rx) {
		err = srtp_alloc(&scratch, k->suite, k->key, k->len, 0);
		if (err)
			return err;
	}

	err = prime_rtp(ctx, scratch, ix);
	mem_deref(scratch);

	return err;
}
