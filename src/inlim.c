/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file inlim.c  Limits on the gateways' calls in
 *
 * INVITEs that are never ACKed hold a call, its relay ports and an
 * INVITE to UM for 32 s each (RFC 3261 §13.3.1.4); without a limit a
 * gateway within its rate could hold every port. A count per gateway
 * set and one in total bound that. Counts are named by set, so that a
 * reload (new set objects) keeps them.
 */
#include <string.h>
#include <re.h>
#include "cfg.h"
#include "inlim.h"


/** Calls at once of one set, or of all */
struct count {
	struct le le;               /**< Member of inlim.sets          */
	char name[CFG_NAME_MAX];    /**< The set's name, "" for all    */
	unsigned n;                 /**< Calls holding a slot          */
};

/** The limits */
struct inlim {
	struct count *all;          /**< Every call in                 */
	struct list sets;           /**< struct count per set          */
};

/** What one call holds */
struct slot {
	struct count *all;          /**< Counted here (referenced)     */
	struct count *set;          /**< And here, or NULL             */
};


static void count_destructor(void *data)
{
	struct count *c = data;

	list_unlink(&c->le);
}


static void inlim_destructor(void *data)
{
	struct inlim *il = data;

	list_flush(&il->sets);
	mem_deref(il->all);
}


static void slot_destructor(void *data)
{
	struct slot *s = data;

	--s->all->n;
	mem_deref(s->all);
	if (s->set) {
		--s->set->n;
		mem_deref(s->set);
	}
}


/**
 * Allocate the limits
 *
 * @param ilp Pointer to allocated limits
 *
 * @return 0 if success, otherwise errorcode
 */
int inlim_alloc(struct inlim **ilp)
{
	struct inlim *il;

	if (!ilp)
		return EINVAL;

	il = mem_zalloc(sizeof(*il), inlim_destructor);
	if (!il)
		return ENOMEM;

	il->all = mem_zalloc(sizeof(*il->all), count_destructor);
	if (!il->all) {
		mem_deref(il);
		return ENOMEM;
	}

	*ilp = il;

	return 0;
}


/* The first set with a gateway at the source's address */
static const struct cfg_gwset *set_of(const struct cfg *cfg,
				      const struct sa *src)
{
	for (struct le *le = cfg->sip.gwsets.head; le; le = le->next) {
		const struct cfg_gwset *set = le->data;

		for (struct le *g = set->gws.head; g; g = g->next) {
			const struct cfg_host *h = g->data;
			struct sa a;

			if (!sa_set_str(&a, h->host, 0) &&
			    sa_cmp(&a, src, SA_ADDR))
				return set;
		}
	}

	return NULL;
}


/* The count of a set with a limit, made at its first call */
static struct count *count_get(struct inlim *il, const char *name)
{
	struct count *c;

	for (struct le *le = il->sets.head; le; le = le->next) {
		c = le->data;
		if (!strcmp(c->name, name))
			return c;
	}

	c = mem_zalloc(sizeof(*c), count_destructor);
	if (!c)
		return NULL;

	str_ncpy(c->name, name, sizeof(c->name));
	list_append(&il->sets, &c->le, c);

	return c;
}


/* A slot, counted in total and in its set's count (c, or NULL) */
static int slot_make(struct inlim *il, struct count *c, void **slotp)
{
	struct slot *s = mem_zalloc(sizeof(*s), slot_destructor);

	if (!s)
		return ENOMEM;

	s->all = mem_ref(il->all);
	++s->all->n;
	if (c) {
		s->set = mem_ref(c);
		++c->n;
	}

	*slotp = s;

	return 0;
}


/**
 * Take a slot for a gateway's new call
 *
 * @param il    Limits
 * @param cfg   Configuration (sip_in_max_calls, the sets)
 * @param src   The INVITE's source
 * @param slotp Slot the call holds (mem_deref gives it back)
 * @param whyp  Which limit refused it, for the log (may be NULL)
 *
 * @return 0 if success, EBUSY over a limit, otherwise errorcode
 */
int inlim_take(struct inlim *il, const struct cfg *cfg,
	       const struct sa *src, void **slotp, const char **whyp)
{
	const struct cfg_gwset *set;
	struct count *c = NULL;

	if (!il || !cfg || !src || !slotp)
		return EINVAL;

	if (cfg->sip.in_max_calls && il->all->n >= cfg->sip.in_max_calls) {
		if (whyp)
			*whyp = "over sip_in_max_calls";
		return EBUSY;
	}

	set = set_of(cfg, src);
	if (set && set->max_calls) {
		c = count_get(il, set->name);
		if (!c)
			return ENOMEM;
		if (c->n >= set->max_calls) {
			if (whyp)
				*whyp = "over its gateway set's max_calls";
			return EBUSY;
		}
	}

	return slot_make(il, c, slotp);
}


/**
 * Take a slot for a gateway's call made again (a restart, a
 * takeover): counted, never refused
 *
 * @param il    Limits
 * @param cfg   Configuration (the sets)
 * @param src   The gateway's address
 * @param slotp Slot the call holds (mem_deref gives it back)
 *
 * @return 0 if success, otherwise errorcode
 */
int inlim_claim(struct inlim *il, const struct cfg *cfg,
		const struct sa *src, void **slotp)
{
	const struct cfg_gwset *set;
	struct count *c = NULL;

	if (!il || !cfg || !src || !slotp)
		return EINVAL;

	set = set_of(cfg, src);
	if (set && set->max_calls) {
		c = count_get(il, set->name);
		if (!c)
			return ENOMEM;
	}

	return slot_make(il, c, slotp);
}


/** @return the gateways' calls holding a slot */
unsigned inlim_calls(const struct inlim *il)
{
	return il ? il->all->n : 0;
}
