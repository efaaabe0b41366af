/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file dtqs.c  A set of timer queues, one per delay
 *
 * A transaction layer starts timers of a handful of delays (T1
 * doubling, T4, 64·T1) for thousands of transactions. libre's timers
 * are one sorted list that tmr_start() walks from its end, so a short
 * timer started among many long ones walks past them all. Here each
 * delay has its queue (dtq.c): start and cancel are O(1), expiry is on
 * a 20 ms grid. The delays are given when the set is made.
 */
#include <re.h>
#include "dtq.h"
#include "dtqs.h"


enum {
	DTQS_MAX = 16,         /**< Delays of a set */
};

/** The set */
struct dtqs {
	struct dtq q[DTQS_MAX];      /**< One queue per delay */
	size_t n;                    /**< Queues set up       */
};


static void dtqs_destructor(void *data)
{
	struct dtqs *qs = data;

	for (size_t i = 0; i < qs->n; i++)
		dtq_close(&qs->q[i]);
}


static struct dtq *find(struct dtqs *qs, uint32_t ms)
{
	for (size_t i = 0; i < qs->n; i++) {
		if (qs->q[i].delay == ms)
			return &qs->q[i];
	}

	return NULL;
}


/**
 * Make a set of timer queues
 *
 * @param qsp    Pointer to the set
 * @param delays The delays, ms (repeats are one queue)
 * @param n      How many
 *
 * @return 0 if success, otherwise errorcode (E2BIG: too many delays)
 */
int dtqs_alloc(struct dtqs **qsp, const uint32_t *delays, size_t n)
{
	struct dtqs *qs;
	int err = 0;

	if (!qsp || !delays)
		return EINVAL;

	qs = mem_zalloc(sizeof(*qs), dtqs_destructor);
	if (!qs)
		return ENOMEM;

	for (size_t i = 0; i < n && !err; i++) {
		if (find(qs, delays[i]))
			continue;
		if (qs->n == DTQS_MAX) {
			err = E2BIG;
			break;
		}

		err = dtq_init(&qs->q[qs->n], delays[i]);
		if (!err)
			++qs->n;
	}

	if (err)
		mem_deref(qs);
	else
		*qsp = qs;

	return err;
}


/**
 * Start a timer of one of the set's delays (restarted if it runs)
 *
 * @param qs  Set
 * @param ms  Delay: one the set was made with
 * @param e   Entry
 * @param h   Handler
 * @param arg Its argument
 *
 * @return 0 if success, otherwise errorcode (ENOENT: no such delay;
 *         the timer does not run)
 */
int dtqs_start(struct dtqs *qs, uint32_t ms, struct dte *e, dte_h *h,
	       void *arg)
{
	struct dtq *q;

	if (!qs || !e || !h)
		return EINVAL;

	q = find(qs, ms);
	if (!q) {
		dte_cancel(e);
		return ENOENT;
	}

	dte_start(q, e, h, arg);

	return 0;
}
