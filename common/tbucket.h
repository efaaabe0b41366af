/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tbucket.h  Token buckets: so many units a second, so many at
 *                  once, kept in thousandths of a unit
 *
 * TURN's bandwidth cap and 401 rate limit (turn/), the SIP requests per
 * second from a source (src/gate.c) and UM's new calls per second from
 * a source (src/srclim.c).
 */
#ifndef UMEDGE_TBUCKET_H
#define UMEDGE_TBUCKET_H

/** A token bucket */
struct tbucket {
	uint64_t rate;        /**< Units per second, 0 = unlimited */
	uint64_t burst;       /**< Most units held                 */
	uint64_t level;       /**< Units held, times 1000          */
	uint64_t last;        /**< Last refill (ms, tmr_jiffies)   */
};

void tbucket_init(struct tbucket *b, uint64_t rate, uint64_t burst,
		  uint64_t now);
void tbucket_set(struct tbucket *b, uint64_t rate, uint64_t burst);
bool tbucket_take(struct tbucket *b, uint64_t n, uint64_t now);
bool tbucket_full(struct tbucket *b, uint64_t now);

#endif
