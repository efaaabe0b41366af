/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file mkslot.c  Media relay eBPF fast path: one worker's stat slots
 *
 * Slots are handed out from the start of the range; a freed one is
 * reused first (a stack), so the range a worker reads on each tick
 * (mkslot_span) stays as short as its busiest moment made it.
 */
#include <re.h>
#include "mkslot.h"


/** A worker's slot range */
struct mkslot {
	uint32_t base;       /**< First slot of the range            */
	uint32_t n;          /**< Slots in it                        */
	uint32_t next;       /**< Never taken from here on (relative) */
	uint32_t *gen;       /**< Generation per slot                */
	uint32_t *free;      /**< Free slots (relative), a stack     */
	uint32_t nfree;      /**< ...how many                        */
	uint32_t *retired;   /**< Handed back, free at the next tick */
	uint32_t nretired;   /**< ...how many                        */
};


static void destructor(void *data)
{
	struct mkslot *s = data;

	mem_deref(s->gen);
	mem_deref(s->free);
	mem_deref(s->retired);
}


/**
 * Make a worker's slot range
 *
 * @param sp   Pointer to the allocated range
 * @param base Its first slot
 * @param n    Its length (at least 1)
 *
 * @return 0 if success, otherwise errorcode
 */
int mkslot_alloc(struct mkslot **sp, uint32_t base, uint32_t n)
{
	struct mkslot *s;

	if (!sp || !n)
		return EINVAL;

	s = mem_zalloc(sizeof(*s), destructor);
	if (!s)
		return ENOMEM;

	s->base = base;
	s->n = n;
	s->gen = mem_zalloc(n * sizeof(*s->gen), NULL);
	s->free = mem_zalloc(n * sizeof(*s->free), NULL);
	s->retired = mem_zalloc(n * sizeof(*s->retired), NULL);
	if (!s->gen || !s->free || !s->retired) {
		mem_deref(s);
		return ENOMEM;
	}

	*sp = s;

	return 0;
}


/**
 * Take a slot
 *
 * @param s    Range
 * @param slot Its index in mk_stats
 * @param gen  Its new generation (never 0: an untouched slot has 0)
 *
 * @return 0 if success, ENOSPC if every slot is in use
 */
int mkslot_take(struct mkslot *s, uint32_t *slot, uint32_t *gen)
{
	uint32_t i;

	if (!s || !slot || !gen)
		return EINVAL;

	if (s->nfree)
		i = s->free[--s->nfree];
	else if (s->next < s->n)
		i = s->next++;
	else
		return ENOSPC;

	if (++s->gen[i] == 0)
		s->gen[i] = 1;

	*slot = s->base + i;
	*gen = s->gen[i];

	return 0;
}


/**
 * Hand a slot back: free from the next tick on
 *
 * @param s    Range
 * @param slot The slot (mk_stats index)
 */
void mkslot_retire(struct mkslot *s, uint32_t slot)
{
	if (!s || slot < s->base || slot - s->base >= s->next ||
	    s->nretired >= s->n)
		return;

	s->retired[s->nretired++] = slot - s->base;
}


/**
 * The worker's tick: slots retired before it are free now
 *
 * @param s Range
 */
void mkslot_tick(struct mkslot *s)
{
	if (!s)
		return;

	while (s->nretired && s->nfree < s->n)
		s->free[s->nfree++] = s->retired[--s->nretired];
}


/** @return the range's first slot */
uint32_t mkslot_base(const struct mkslot *s)
{
	return s ? s->base : 0;
}


/** @return the slots from the base to read: every one ever taken */
uint32_t mkslot_span(const struct mkslot *s)
{
	return s ? s->next : 0;
}


/** @return the slots in use or retiring */
uint32_t mkslot_used(const struct mkslot *s)
{
	return s ? s->next - s->nfree : 0;
}
