/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file trate.c  TURN server: limits on unauthenticated answers (401 and
 *                438, Binding), per source and over all sources
 *
 * A fixed table of token buckets, indexed by a keyed hash of the source
 * IP address. It never grows: sources that share a slot share a budget.
 * The hash key is random per process, so an attacker cannot choose to
 * share a victim's slot. On top of the table, one bucket for every
 * source together caps what spoofed sources can draw, however many of
 * them there are. The limiter counts what it let through and what it
 * held back.
 */
#include <string.h>
#include <re.h>
#include "ipnet.h"
#include "umrand.h"
#include "turnd_priv.h"


/** The limiter */
struct trate {
	struct tbucket *slots;   /**< Buckets               */
	struct tbucket all;      /**< Every source together */
	struct trate_prm prm;    /**< Budgets               */
	struct trate_st st;      /**< Counters              */
	uint8_t seed[16];        /**< Hash key              */
};


static void trate_destructor(void *data)
{
	struct trate *rate = data;

	mem_deref(rate->slots);
}


/**
 * Allocate a limiter
 *
 * @param ratep Pointer to allocated limiter
 * @param prm   Its budgets: slots, per source and over all sources (an
 *              all_rate of 0 leaves the sum unlimited)
 *
 * @return 0 if success, otherwise errorcode
 */
int trate_alloc(struct trate **ratep, const struct trate_prm *prm)
{
	struct trate *r;
	int err = 0;

	if (!ratep || !prm || !prm->slots || !prm->rate ||
	    (prm->all_rate && !prm->all_burst))
		return EINVAL;

	r = mem_zalloc(sizeof(*r), trate_destructor);
	if (!r)
		return ENOMEM;

	r->slots = mem_zalloc(prm->slots * sizeof(*r->slots), NULL);
	if (!r->slots) {
		err = ENOMEM;
		goto out;
	}

	r->prm = *prm;
	if (um_rand_bytes(r->seed, sizeof(r->seed)))
		err = EIO;

 out:
	if (err)
		mem_deref(r);
	else
		*ratep = r;

	return err;
}


static uint32_t slot_of(const struct trate *r, const struct sa *src)
{
	uint8_t key[sizeof(r->seed) + 16];
	const uint8_t *ip = r->seed;
	size_t n = ipnet_addr(src, &ip);

	memcpy(key, r->seed, sizeof(r->seed));
	memcpy(key + sizeof(r->seed), ip, n);
	n += sizeof(r->seed);

	return hash_joaat(key, n) % r->prm.slots;
}


/**
 * Take one answer from a source's budget, then from the global one
 *
 * @param rate Limiter
 * @param src  Source
 * @param now  Milliseconds (tmr_jiffies)
 *
 * @return true if the answer may be sent
 */
bool trate_take(struct trate *rate, const struct sa *src, uint64_t now)
{
	struct tbucket *b;

	if (!rate || !src)
		return false;

	b = &rate->slots[slot_of(rate, src)];
	if (!b->rate)
		tbucket_init(b, rate->prm.rate, rate->prm.burst, now);

	if (!rate->all.burst)
		tbucket_init(&rate->all, rate->prm.all_rate,
			     rate->prm.all_burst, now);

	if (!tbucket_take(b, 1, now)) {
		++rate->st.limited;
		return false;
	}

	if (!tbucket_take(&rate->all, 1, now)) {
		++rate->st.limited;
		++rate->st.capped;
		return false;
	}

	++rate->st.passed;

	return true;
}


/**
 * Get a limiter's counters
 *
 * @param rate Limiter
 *
 * @return Its counters, all 0 without a limiter
 */
struct trate_st trate_stats(const struct trate *rate)
{
	struct trate_st st = {0, 0, 0};

	return rate ? rate->st : st;
}


/**
 * Print a limiter's counters: "N answered, M rate-limited (K over the
 * global cap)"
 *
 * @param pf   Print handler
 * @param rate Limiter
 *
 * @return 0 if success, otherwise errorcode
 */
int trate_print(struct re_printf *pf, const struct trate *rate)
{
	const struct trate_st st = trate_stats(rate);

	return re_hprintf(pf, "%llu answered, %llu rate-limited (%llu over "
			  "the global cap)", (unsigned long long)st.passed,
			  (unsigned long long)st.limited,
			  (unsigned long long)st.capped);
}
