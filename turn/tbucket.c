/**
 * @file tbucket.c  TURN server: token buckets, for the bandwidth cap
 *                  and the 401 rate limit
 */
#include <re.h>
#include "turnd_priv.h"


enum {
	REFILL_MAX_MS = 10000,   /**< Longest gap counted (ms) */
};


/**
 * Start a bucket full
 *
 * @param b     Bucket
 * @param rate  Units per second; 0 means unlimited
 * @param burst Most units held at once
 * @param now   Milliseconds (tmr_jiffies)
 */
void tbucket_init(struct tbucket *b, uint64_t rate, uint64_t burst,
		  uint64_t now)
{
	if (!b)
		return;

	b->rate = rate;
	b->burst = burst;
	b->level = burst * 1000;
	b->last = now;
}


/**
 * Take units from a bucket if it holds them
 *
 * @param b   Bucket
 * @param n   Units
 * @param now Milliseconds (tmr_jiffies)
 *
 * @return true if taken, false if there were too few (drop)
 */
bool tbucket_take(struct tbucket *b, uint64_t n, uint64_t now)
{
	uint64_t gap;

	if (!b)
		return false;

	if (!b->rate)
		return true;

	gap = now > b->last ? now - b->last : 0;
	if (gap > REFILL_MAX_MS)
		gap = REFILL_MAX_MS;

	b->level += gap * b->rate;
	if (b->level > b->burst * 1000)
		b->level = b->burst * 1000;
	b->last = now;

	if (b->level < n * 1000)
		return false;

	b->level -= n * 1000;

	return true;
}
