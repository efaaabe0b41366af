/**
 * @file trate.c  TURN server: a per-source limit on 401/438 answers
 *
 * A fixed table of token buckets, indexed by a keyed hash of the source
 * IP address. It never grows: sources that share a slot share a budget.
 * The hash key is random per process, so an attacker cannot choose to
 * share a victim's slot.
 */
#include <string.h>
#include <re.h>
#include "ipnet.h"
#include "umrand.h"
#include "turnd_priv.h"


/** The limiter */
struct trate {
	struct tbucket *slots;   /**< Buckets               */
	uint32_t n;              /**< How many              */
	uint32_t rate;           /**< Per second per slot   */
	uint32_t burst;          /**< Burst per slot        */
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
 * @param slots Buckets in the table
 * @param rate  Answers per second per source
 * @param burst Answers in a burst
 *
 * @return 0 if success, otherwise errorcode
 */
int trate_alloc(struct trate **ratep, uint32_t slots, uint32_t rate,
		uint32_t burst)
{
	struct trate *r;

	if (!ratep || !slots || !rate)
		return EINVAL;

	r = mem_zalloc(sizeof(*r), trate_destructor);
	if (!r)
		return ENOMEM;

	r->slots = mem_zalloc(slots * sizeof(*r->slots), NULL);
	if (!r->slots) {
		mem_deref(r);
		return ENOMEM;
	}

	r->n = slots;
	r->rate = rate;
	r->burst = burst;
	if (um_rand_bytes(r->seed, sizeof(r->seed))) {
		mem_deref(r);
		return EIO;
	}

	*ratep = r;

	return 0;
}


static uint32_t slot_of(const struct trate *r, const struct sa *src)
{
	uint8_t key[sizeof(r->seed) + 16];
	const uint8_t *ip = r->seed;
	size_t n = ipnet_addr(src, &ip);

	memcpy(key, r->seed, sizeof(r->seed));
	memcpy(key + sizeof(r->seed), ip, n);
	n += sizeof(r->seed);

	return hash_joaat(key, n) % r->n;
}


/**
 * Take one answer from a source's budget
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
		tbucket_init(b, rate->rate, rate->burst, now);

	return tbucket_take(b, 1, now);
}
