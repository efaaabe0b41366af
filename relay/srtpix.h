/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file srtpix.h  Where a libre SRTP context stands for each SSRC (its
 *                 rollover counter, highest sequence number and SRTCP
 *                 index), followed packet by packet beside it, and a
 *                 fresh context brought to the same place (a standby
 *                 taking a call over with its keys: docs/design/ha.md
 *                 §2.4)
 */
#ifndef UMEDGE_SRTPIX_H
#define UMEDGE_SRTPIX_H

/* needs re.h (re_srtp.h has no include guard) */

struct sdes_key;

enum {
	SRTPIX_MAX      = 8,       /**< SSRCs a libre context keeps     */
	SRTPIX_ROC_MAX  = 16384,   /**< Largest ROC a context is primed
				        to (8.7 days at 1000 pps)       */
	SRTPIX_RTCP_MAX = 65536,   /**< SRTCP index primed at most      */
	SRTPIX_RTCP_GAP = 1024,    /**< SRTCP indexes skipped at a
				        restore (stored ones lag)       */
};

/** One SSRC's place in a context, as libre keeps it */
struct srtpix {
	uint32_t ssrc;          /**< The SSRC                          */
	uint32_t roc;           /**< Rollover counter                  */
	uint16_t s_l;           /**< Highest sequence number under roc */
	bool rtp;               /**< SRTP seen: roc and s_l are set    */
	uint32_t rtcp;          /**< SRTCP packets protected: the last
				     SRTCP index (sending contexts)    */
};

/** The SSRCs of one context */
struct srtpix_set {
	struct srtpix v[SRTPIX_MAX];   /**< In order of arrival      */
	unsigned n;                    /**< How many                 */
};

bool srtpix_rtp(struct srtpix_set *set, uint32_t ssrc, uint16_t seq);
bool srtpix_rtcp(struct srtpix_set *set, uint32_t ssrc);
int  srtpix_prime(struct srtp *ctx, const struct sdes_key *k,
		  struct srtpix *ix, bool rx, bool rtcp);

#endif
