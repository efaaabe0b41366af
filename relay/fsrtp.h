/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file fsrtp.h  SRTP of one forwarding side: the peer's key, which
 *                authenticates and decrypts what it sends, and the
 *                relay's own, which encrypts what it gets
 *
 * Worker thread only. Fails closed: a side given a key whose context
 * cannot be made drops what it would have decrypted or encrypted.
 */
#ifndef UMEDGE_FSRTP_H
#define UMEDGE_FSRTP_H

#include "sdes.h"
#include "srtpix.h"

enum {
	FSRTP_SSRCS = SRTPIX_MAX, /**< SSRCs a libre SRTP context keeps */
};

/** The SRTCP indexes seen from one SSRC (RFC 3711 §3.3.2, 64 wide) */
struct fsrtp_rwin {
	uint32_t ssrc;                 /**< Sender                      */
	uint32_t top;                  /**< Highest index taken         */
	uint64_t seen;                 /**< Bit i: top - i was taken    */
};

/** Where a side's contexts stand, for a standby (srtpix.h) */
struct fsrtp_ixs {
	struct srtpix_set rx;          /**< The peer's SSRCs, rx[0]     */
	struct srtpix_set tx;          /**< Those sent, tx[0] and tx[1] */
	uint64_t used;                 /**< Packets rx_key protected    */
	uint32_t mark;                 /**< Raised at each change worth
					    writing (srtpix.c)          */
};

/** One side's SRTP state */
struct fsrtp {
	struct sdes_key rx_key;        /**< Peer's key, len 0: it speaks
					    plain RTP                  */
	struct srtp *rx[2];            /**< Its SRTP and SRTCP contexts */
	struct srtp *probe[2];         /**< The same again: checks a packet
					    of an SSRC with no place in rx
					    yet                        */
	uint32_t ssrc[FSRTP_SSRCS];    /**< SSRCs that authenticated    */
	unsigned nssrc;                /**< How many                    */
	uint64_t life;                 /**< Packets rx_key may protect, 0:
					    no limit of its own        */
	uint64_t used;                 /**< Packets it has protected    */
	struct fsrtp_rwin win[FSRTP_SSRCS]; /**< SRTCP replay lists under
					    an AEAD suite (libre keeps
					    none there)                */
	unsigned nwin;                 /**< How many                    */
	struct sdes_key tx_key;        /**< Our key toward the peer, len 0:
					    it gets plain RTP          */
	struct srtp *tx[2];            /**< Its SRTP and SRTCP contexts */
	struct fsrtp_ixs ix;           /**< Where the contexts stand    */
	bool shut;                     /**< SRTP without keys (restored
					    without them): drops both
					    ways until keys are set     */
};

void fsrtp_set(struct fsrtp *s, const struct sdes_key *rx, uint64_t life,
	       const struct sdes_key *tx);
int  fsrtp_restore(struct fsrtp *s, const struct sdes_key *rx,
		   uint64_t life, const struct sdes_key *tx,
		   const struct fsrtp_ixs *ix);
void fsrtp_ixs(const struct fsrtp *s, struct fsrtp_ixs *ix);
void fsrtp_shut(struct fsrtp *s);
void fsrtp_clear(struct fsrtp *s);
bool fsrtp_in(struct fsrtp *s, bool rtcp, uint8_t *p, size_t *lenp,
	      uint8_t *scratch, size_t scratch_sz);
bool fsrtp_out(struct fsrtp *s, bool rtcp, uint8_t *p, size_t *lenp,
	       size_t cap);


/** @return true if the peer speaks SRTP (its packets are checked) */
static inline bool fsrtp_rx_on(const struct fsrtp *s)
{
	return s->rx_key.len > 0 || s->shut;
}


/** @return true if the peer gets SRTP under our key */
static inline bool fsrtp_tx_on(const struct fsrtp *s)
{
	return s->tx_key.len > 0 || s->shut;
}

#endif
