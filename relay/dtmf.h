/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file dtmf.h  RFC 4733 telephone-events the relay makes itself (from a
 *               gateway's SIP INFO), slipped into the RTP stream that
 *               one side receives
 *
 * The events take the SSRC of the audio they join, a timestamp on its
 * clock, and sequence numbers of their own: the audio forwarded after
 * them is renumbered (dtmf_fwd), so the receiver sees one gapless
 * sequence. Worker thread only, apart from the parse helpers.
 */
#ifndef UMEDGE_DTMF_H
#define UMEDGE_DTMF_H

struct rtphdr;

enum {
	DTMF_QUEUE    = 16,    /**< Digits waiting to be played        */
	DTMF_STEP_MS  = 20,    /**< Interval between an event's packets */
	DTMF_ENDS     = 3,     /**< End packets sent (RFC 4733 2.5.1.4) */
	DTMF_GAP_MS   = 60,    /**< Silence between two events         */
	DTMF_MIN_MS   = 40,    /**< Shortest event played              */
	DTMF_MAX_MS   = 5000,  /**< Longest event played               */
	DTMF_PKT      = 16,    /**< Size of an event packet            */
	DTMF_WAIT_MS  = 100,   /**< Wait for audio to join, at first   */
};

/** One digit to play */
struct dtmf_digit {
	uint8_t event;        /**< 0-9, 10 '*', 11 '#', 12-15 A-D */
	uint32_t dur_ms;      /**< Its duration                   */
};

/** The generator of one side: what it plays and the stream it joins */
struct dtmf_gen {
	bool on;                       /**< It has played or plays  */
	uint8_t pt;                    /**< Payload type the receiver
					    gave telephone-event     */
	uint32_t rate;                 /**< Its clock rate (Hz)     */
	struct dtmf_digit q[DTMF_QUEUE]; /**< Waiting digits        */
	unsigned qn;                   /**< How many                */
	bool playing;                  /**< An event is under way   */
	struct dtmf_digit cur;         /**< The event playing       */
	uint32_t ts;                   /**< Its timestamp           */
	uint64_t t0;                   /**< When it started (ms)    */
	uint64_t next;                 /**< Next packet due (ms)    */
	unsigned ends;                 /**< End packets sent        */
	uint64_t idle_until;           /**< No new event before (ms) */
	uint64_t src_wait;             /**< Wait for it until (ms)  */
	bool src;                      /**< The audio was seen:     */
	uint32_t ssrc;                 /**< ...its SSRC,            */
	uint16_t seq;                  /**< ...last number sent,    */
	uint32_t src_ts;               /**< ...last timestamp,      */
	uint64_t src_ms;               /**< ...and when (ms)        */
	uint16_t shift;                /**< Numbers events took     */
	uint64_t sent;                 /**< Event packets sent      */
};

int  dtmf_event(char digit);
int  dtmf_queue(struct dtmf_gen *g, uint8_t pt, uint32_t rate,
		uint8_t event, uint32_t dur_ms, uint64_t now);
uint64_t dtmf_due(const struct dtmf_gen *g);
size_t dtmf_next(struct dtmf_gen *g, uint64_t now, uint8_t *buf,
		 size_t sz);
void dtmf_fwd(struct dtmf_gen *g, const struct rtphdr *h, uint8_t *p,
	      uint64_t now);

#endif
