/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file portpool.c  Media port pairs chosen at random from a range
 *
 * The range MIN..MAX holds the pairs (MIN, MIN+1), (MIN+2, MIN+3) ...;
 * the RTP port is even, RTCP is the odd one above it. Free pairs are
 * kept in an array: taking one swaps a random entry with the last, so
 * every free pair is equally likely (RTP Bleed defence: ports cannot be
 * guessed), taking and putting back are O(1), and a pair put back is
 * available again at once. A bitmap catches double frees.
 *
 * A given pair can be claimed too (a standby takes over the ports of
 * the calls it restores): pos[] holds each free pair's place in free[],
 * so that taking it out is O(1) as well.
 */
#include <string.h>
#include <re.h>
#include "portpool.h"
#include "umrand.h"


/** A range of port pairs */
struct portpool {
	uint16_t min;       /**< First (even) port              */
	uint32_t npairs;    /**< Pairs in the range             */
	uint32_t nfree;     /**< Pairs in free[0 .. nfree-1]    */
	uint32_t *free;     /**< Indices of free pairs          */
	uint32_t *pos;      /**< Pair index -> place in free[]  */
	uint8_t *used;      /**< Bitmap: pair index in use      */
};


static void portpool_destructor(void *data)
{
	struct portpool *pp = data;

	mem_deref(pp->free);
	mem_deref(pp->pos);
	mem_deref(pp->used);
}


static bool used_get(const struct portpool *pp, uint32_t i)
{
	return pp->used[i / 8] & (1u << (i % 8));
}


static void used_set(struct portpool *pp, uint32_t i, bool on)
{
	if (on)
		pp->used[i / 8] |= (uint8_t)(1u << (i % 8));
	else
		pp->used[i / 8] &= (uint8_t)~(1u << (i % 8));
}


/**
 * Allocate a pool over the ports MIN..MAX
 *
 * @param ppp Pointer to allocated pool
 * @param min First port, even
 * @param max Last port; an odd MIN+1 or more
 *
 * @return 0 if success, otherwise errorcode
 */
int portpool_alloc(struct portpool **ppp, uint16_t min, uint16_t max)
{
	struct portpool *pp;
	int err = 0;

	if (!ppp || min % 2 || max <= min)
		return EINVAL;

	pp = mem_zalloc(sizeof(*pp), portpool_destructor);
	if (!pp)
		return ENOMEM;

	pp->min = min;
	pp->npairs = ((uint32_t)max - min + 1) / 2;
	pp->nfree = pp->npairs;
	pp->free = mem_alloc(pp->npairs * sizeof(*pp->free), NULL);
	pp->pos = mem_alloc(pp->npairs * sizeof(*pp->pos), NULL);
	pp->used = mem_zalloc((pp->npairs + 7) / 8, NULL);
	if (!pp->free || !pp->pos || !pp->used) {
		err = ENOMEM;
		goto out;
	}

	for (uint32_t i = 0; i < pp->npairs; i++) {
		pp->free[i] = i;
		pp->pos[i] = i;
	}

 out:
	if (err)
		mem_deref(pp);
	else
		*ppp = pp;

	return err;
}


/* the free pair at place k is taken: the last free one fills its place */
static uint16_t take_at(struct portpool *pp, uint32_t k)
{
	uint32_t i = pp->free[k];
	uint32_t last = pp->free[--pp->nfree];

	pp->free[k] = last;
	pp->pos[last] = k;
	used_set(pp, i, true);

	return (uint16_t)(pp->min + 2 * i);
}


/* the index of the pair whose RTP port is rtp; false if none */
static bool index_of(const struct portpool *pp, uint16_t rtp, uint32_t *ip)
{
	if (rtp < pp->min || (rtp - pp->min) % 2)
		return false;

	*ip = (uint32_t)(rtp - pp->min) / 2;

	return *ip < pp->npairs;
}


/**
 * Take a random free pair
 *
 * @param pp   Pool
 * @param rtpp The pair's RTP port; RTCP is one above
 *
 * @return 0 if success, ENOSPC if every pair is in use
 */
int portpool_take(struct portpool *pp, uint16_t *rtpp)
{
	uint32_t k;
	int err;

	if (!pp || !rtpp)
		return EINVAL;

	if (!pp->nfree)
		return ENOSPC;

	err = um_rand_u32(&k);
	if (err)
		return err;

	*rtpp = take_at(pp, k % pp->nfree);

	return 0;
}


/**
 * Take a given pair
 *
 * @param pp  Pool
 * @param rtp The pair's RTP port
 *
 * @return 0 if success, EINVAL if the port is no pair of this pool,
 *         EALREADY if the pair is in use
 */
int portpool_claim(struct portpool *pp, uint16_t rtp)
{
	uint32_t i;

	if (!pp || !index_of(pp, rtp, &i))
		return EINVAL;

	if (used_get(pp, i))
		return EALREADY;

	(void)take_at(pp, pp->pos[i]);

	return 0;
}


/**
 * Return a pair to the pool; it may be taken again at once
 *
 * @param pp  Pool
 * @param rtp The pair's RTP port, as portpool_take() gave it
 *
 * @return 0 if success, EINVAL if the port is no pair of this pool,
 *         EALREADY if the pair is not in use
 */
int portpool_put(struct portpool *pp, uint16_t rtp)
{
	uint32_t i;

	if (!pp || !index_of(pp, rtp, &i))
		return EINVAL;

	if (!used_get(pp, i))
		return EALREADY;

	used_set(pp, i, false);
	pp->pos[i] = pp->nfree;
	pp->free[pp->nfree++] = i;

	return 0;
}


/** @return the number of pairs in the range */
uint32_t portpool_pairs(const struct portpool *pp)
{
	return pp ? pp->npairs : 0;
}


/** @return the number of pairs free */
uint32_t portpool_free(const struct portpool *pp)
{
	return pp ? pp->nfree : 0;
}
