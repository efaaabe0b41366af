/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file latch.h  Learning a peer's real media address without RTP Bleed
 *
 * One latch per side of a stream. It decides, for each packet that
 * arrives, whether it comes from the peer (forward it) or from someone
 * else (drop it and count it), and where to send the peer's media.
 * The rules (docs/relay.md):
 *  - learn only within a window after each offer/answer that changes
 *    the peer's SDP address; the answer reopens the window of every
 *    side not locked yet, since media usually starts then (a call may
 *    ring for longer than the window);
 *  - rank sources: the SDP address exactly > the SDP IP with another
 *    port (NAT) > any other address; within the window the latch moves
 *    only to a source of higher rank;
 *  - the SDP address itself may take over from a weaker latch at any
 *    time (spoofing it gains nothing a spoofer lacks anyway);
 *  - after the window the latch is locked; it moves again only for a
 *    packet with the latched SSRC, after the latched source has been
 *    silent for LATCH_RELATCH_SILENCE ms, at most once per
 *    LATCH_RELATCH_HOLDOFF ms (NAT rebinding);
 *  - with nothing latched when the window closes, only the SDP address
 *    is accepted.
 */
#ifndef UMEDGE_LATCH_H
#define UMEDGE_LATCH_H

enum {
	LATCH_RELATCH_SILENCE = 1000,   /**< ms the old source is quiet  */
	LATCH_RELATCH_HOLDOFF = 10000,  /**< ms between two re-latches   */
};

/** Latch state */
enum latch_state {
	LATCH_NONE = 0,   /**< Nothing learnt yet                    */
	LATCH_LEARNING,   /**< Latched, may still improve (window)   */
	LATCH_LOCKED,     /**< Final until the next SDP change       */
};

/** What to do with a packet */
enum latch_verdict {
	LATCH_FORWARD = 0,  /**< From the peer: forward it         */
	LATCH_DROP,         /**< From someone else: drop and count */
};

/** One side's latch */
struct latch {
	struct sa sdp;             /**< Address the peer's SDP gave    */
	struct sa addr;            /**< Latched source address         */
	enum latch_state state;    /**< See enum latch_state           */
	int rank;                  /**< Rank of addr, 0 if none        */
	uint32_t ssrc;             /**< SSRC seen from addr            */
	bool ssrc_set;             /**< ssrc is valid                  */
	uint64_t window_end;       /**< Learning ends (ms)             */
	uint64_t last_rx;          /**< Last packet from addr (ms)     */
	uint64_t relatched;        /**< Last re-latch (ms), 0 if none  */
	uint32_t relatches;        /**< Re-latches so far              */
};

void latch_sdp(struct latch *l, const struct sa *sdp, uint64_t now,
	       uint32_t window_ms);
void latch_restore(struct latch *l, const struct sa *sdp,
		   const struct sa *addr, enum latch_state st,
		   uint32_t relatches, uint64_t now, uint32_t window_ms);
void latch_window(struct latch *l, uint64_t now, uint32_t window_ms);
enum latch_verdict latch_rx(struct latch *l, const struct sa *src,
			    const uint32_t *ssrc, uint64_t now);
bool latch_moving(const struct latch *l, const struct sa *src,
		  const uint32_t *ssrc);
const struct sa *latch_dst(const struct latch *l);
const char *latch_state_name(enum latch_state st);

#endif
