/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tport.c  TURN server: relayed port pairs and EVEN-PORT
 *                reservations
 *
 * An allocation takes a whole pair from the pool (shared with the relay
 * when it runs, so the two never hand out the same port) and relays on
 * its even port. EVEN-PORT with the R bit reserves the odd port of the
 * same pair for TURND_RESV_TTL seconds under a RESERVATION-TOKEN; until
 * it is used or ends, it counts against its user's turn_user_quota and
 * turn_total_quota like an allocation. The pair goes back to the pool
 * when the last of its users is freed.
 */
#include <re.h>
#include "portpool.h"
#include "umrand.h"
#include "turnd_priv.h"


enum {
	TOKEN_DRAWS = 8,   /**< Draws for a free RESERVATION-TOKEN */
};


static void tport_destructor(void *data)
{
	struct tport *tp = data;

	if (!tp->pool)
		return;

	(void)portpool_put(tp->pool, tp->port);
	mem_deref(tp->pool);
}


/**
 * Take a random free pair from a pool
 *
 * @param tpp  Pointer to the pair; mem_deref returns it
 * @param pool Pool
 *
 * @return 0 if success, ENOSPC if the pool is exhausted
 */
int tport_take(struct tport **tpp, struct portpool *pool)
{
	struct tport *tp;
	int err;

	if (!tpp || !pool)
		return EINVAL;

	tp = mem_zalloc(sizeof(*tp), tport_destructor);
	if (!tp)
		return ENOMEM;

	err = portpool_take(pool, &tp->port);
	if (err) {
		mem_deref(tp);
		return err;
	}

	tp->pool = mem_ref(pool);
	*tpp = tp;

	return 0;
}


static void tresv_destructor(void *data)
{
	struct tresv *rv = data;

	tmr_cancel(&rv->tmr);
	hash_unlink(&rv->he);
	mem_deref(rv->tp);
	if (rv->tu) {
		--rv->tu->nresv;
		--rv->turnd->nresvs;
		mem_deref(rv->tu);
	}
}


static void tresv_expire(void *arg)
{
	mem_deref(arg);
}


/* A RESERVATION-TOKEN: random, not 0, not in use; a bounded number of
 * draws (a generator that fails or repeats itself ends here) */
static int token_draw(const struct turnd *turnd, uint64_t *tokp)
{
	for (int i = 0; i < TOKEN_DRAWS; i++) {
		int err = um_rand_u64(tokp);

		if (err)
			return err;
		if (*tokp && !tresv_find(turnd, *tokp))
			return 0;
	}

	return EAGAIN;
}


/**
 * Reserve the odd port of a pair
 *
 * @param rvp   Pointer to the reservation, owned by turnd.resvs
 * @param turnd TURN server
 * @param tp    The pair (referenced)
 * @param user  USERNAME of the Allocate: the reservation counts against
 *              its user's quota and the total until it is used or ends
 *
 * @return 0 if success, otherwise errorcode
 */
int tresv_alloc(struct tresv **rvp, struct turnd *turnd, struct tport *tp,
		const char *user)
{
	struct tresv *rv;
	int err;

	if (!rvp || !turnd || !tp || !user)
		return EINVAL;

	rv = mem_zalloc(sizeof(*rv), tresv_destructor);
	if (!rv)
		return ENOMEM;

	err = token_draw(turnd, &rv->token);
	if (err) {
		mem_deref(rv);
		return err;
	}

	rv->tu = talloc_user_get(turnd, user);
	if (!rv->tu) {
		mem_deref(rv);
		return ENOMEM;
	}

	rv->turnd = turnd;
	++rv->tu->nresv;
	++turnd->nresvs;

	rv->tp = mem_ref(tp);
	hash_append(turnd->resvs, (uint32_t)rv->token, &rv->he, rv);
	tmr_start(&rv->tmr, TURND_RESV_TTL * turnd->tick, tresv_expire, rv);

	*rvp = rv;

	return 0;
}


static bool token_cmp(struct le *le, void *arg)
{
	const struct tresv *rv = le->data;

	return rv->token == *(const uint64_t *)arg;
}


/**
 * Find a reservation by its token
 *
 * @param turnd TURN server
 * @param token RESERVATION-TOKEN
 *
 * @return the reservation, or NULL
 */
struct tresv *tresv_find(const struct turnd *turnd, uint64_t token)
{
	struct le *le;

	le = hash_lookup(turnd->resvs, (uint32_t)token, token_cmp, &token);

	return le ? le->data : NULL;
}
