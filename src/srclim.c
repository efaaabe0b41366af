/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file srclim.c  Limits per inside source on UM's own calls
 */
#include <re.h>
#include "tbucket.h"
#include "srclim.h"


/** One source */
struct source {
	struct le he;          /**< Member of srclim.sources      */
	struct srclim *sl;     /**< Owner                         */
	struct sa addr;        /**< Source address, no port       */
	unsigned calls;        /**< Calls holding a slot          */
	struct tbucket tb;     /**< New calls per second          */
};

/** A call's hold on its source */
struct slot {
	struct source *src;    /**< The source (referenced)       */
};

/** The limits */
struct srclim {
	struct hash *sources;  /**< struct source by address      */
	unsigned n;            /**< Sources in the hash           */
	struct tmr tmr;        /**< Sweep                         */
};


static void source_destructor(void *data)
{
	struct source *s = data;

	if (s->he.list)
		--s->sl->n;
	hash_unlink(&s->he);
}


static void slot_destructor(void *data)
{
	struct slot *slot = data;

	if (!slot->src)
		return;

	--slot->src->calls;
	mem_deref(slot->src);
}


static void srclim_destructor(void *data)
{
	struct srclim *sl = data;

	tmr_cancel(&sl->tmr);
	hash_flush(sl->sources);
	mem_deref(sl->sources);
}


static bool sweep_handler(struct le *le, void *arg)
{
	struct source *s = le->data;
	(void)arg;

	if (!s->calls && tbucket_full(&s->tb, tmr_jiffies()))
		mem_deref(s);

	return false;
}


static void sweep(void *arg)
{
	struct srclim *sl = arg;

	(void)hash_apply(sl->sources, sweep_handler, sl);
	tmr_start(&sl->tmr, SRCLIM_IDLE_MS, sweep, sl);
}


/**
 * Allocate the limits
 *
 * @param slp Pointer to allocated limits
 *
 * @return 0 if success, otherwise errorcode
 */
int srclim_alloc(struct srclim **slp)
{
	struct srclim *sl;
	int err;

	if (!slp)
		return EINVAL;

	sl = mem_zalloc(sizeof(*sl), srclim_destructor);
	if (!sl)
		return ENOMEM;

	err = hash_alloc(&sl->sources, 256);
	if (err) {
		mem_deref(sl);
		return err;
	}

	tmr_start(&sl->tmr, SRCLIM_IDLE_MS, sweep, sl);
	*slp = sl;

	return 0;
}


static bool source_cmp(struct le *le, void *arg)
{
	const struct source *s = le->data;

	return sa_cmp(&s->addr, arg, SA_ADDR);
}


static struct source *source_get(struct srclim *sl, const struct sa *src,
				 uint32_t cps, uint64_t now)
{
	struct source *s;

	s = list_ledata(hash_lookup(sl->sources, sa_hash(src, SA_ADDR),
				    source_cmp, (void *)src));
	if (s || sl->n >= SRCLIM_SOURCES_MAX)
		return s;

	s = mem_zalloc(sizeof(*s), source_destructor);
	if (!s)
		return NULL;

	s->sl = sl;
	sa_cpy(&s->addr, src);
	tbucket_init(&s->tb, cps, cps, now);
	hash_append(sl->sources, sa_hash(src, SA_ADDR), &s->he, s);
	++sl->n;

	return s;
}


/* A slot of a source's, counted */
static int slot_make(struct source *s, void **slotp)
{
	struct slot *slot = mem_zalloc(sizeof(*slot), slot_destructor);

	if (!slot)
		return ENOMEM;

	slot->src = mem_ref(s);
	++s->calls;
	*slotp = slot;

	return 0;
}


/**
 * Take a slot for a new call from a source
 *
 * @param sl        Limits
 * @param src       Source address (the port is ignored)
 * @param max_calls Calls at once from one source
 * @param cps       New calls per second from one source, 0: no limit
 * @param now_ms    Monotonic ms
 * @param slotp     The slot; mem_deref() gives it back
 *
 * @return 0 if the call may go, EBUSY over the calls at once, EAGAIN
 *         over the rate, ENOMEM
 */
int srclim_take(struct srclim *sl, const struct sa *src, uint32_t max_calls,
		uint32_t cps, uint64_t now_ms, void **slotp)
{
	struct source *s;

	if (!sl || !src || !slotp)
		return EINVAL;

	s = source_get(sl, src, cps, now_ms);
	if (!s)
		return EAGAIN;

	if (s->calls >= max_calls)
		return EBUSY;

	tbucket_set(&s->tb, cps, cps);
	if (!tbucket_take(&s->tb, 1, now_ms))
		return EAGAIN;

	return slot_make(s, slotp);
}


/**
 * Take a slot for a call made again (a restart, a takeover): counted,
 * never refused, no rate spent
 *
 * @param sl    Limits
 * @param src   Source address (the port is ignored)
 * @param slotp The slot; mem_deref() gives it back
 *
 * @return 0 if success, otherwise errorcode
 */
int srclim_claim(struct srclim *sl, const struct sa *src, void **slotp)
{
	struct source *s;

	if (!sl || !src || !slotp)
		return EINVAL;

	s = source_get(sl, src, 0, tmr_jiffies());
	if (!s)
		return ENOMEM;

	return slot_make(s, slotp);
}


/**
 * Count a source's calls in progress
 *
 * @param sl  Limits
 * @param src Source address
 *
 * @return the number of calls
 */
unsigned srclim_calls(const struct srclim *sl, const struct sa *src)
{
	const struct source *s;

	if (!sl || !src)
		return 0;

	s = list_ledata(hash_lookup(sl->sources, sa_hash(src, SA_ADDR),
				    source_cmp, (void *)src));

	return s ? s->calls : 0;
}
