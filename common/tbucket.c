/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tbucket.c  Token buckets
 */
#include <re.h>
#include "tbucket.h"


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
static void refill(struct tbucket *b, uint64_t now)
{
	uint64_t gap = now > b->last ? now - b->last : 0;

	if (gap > REFILL_MAX_MS)
		gap = REFILL_MAX_MS;

	b->level += gap * b->rate;
	if (b->level > b->burst * 1000)
		b->level = b->burst * 1000;
	b->last = now;
}


/**
 * Change a bucket's rate and burst (a reload); what it holds stays,
 * up to the new burst
 *
 * @param b     Bucket
 * @param rate  Units per second; 0 means unlimited
 * @param burst Most units held at once
 */
void tbucket_set(struct tbucket *b, uint64_t rate, uint64_t burst)
{
	if (!b)
		return;

	b->rate = rate;
	b->burst = burst;
	if (b->level > burst * 1000)
		b->level = burst * 1000;
}


bool tbucket_take(struct tbucket *b, uint64_t n, uint64_t now)
{
	if (!b)
		return false;

	if (!b->rate)
		return true;

	refill(b, now);
	if (b->level < n * 1000)
		return false;

	b->level -= n * 1000;

	return true;
}


/**
 * Tell whether a bucket is full again: nothing taken lately
 *
 * @param b   Bucket
 * @param now Milliseconds (tmr_jiffies)
 *
 * @return true if full
 */
bool tbucket_full(struct tbucket *b, uint64_t now)
{
	if (!b)
		return false;

	refill(b, now);

	return b->level >= b->burst * 1000;
}
