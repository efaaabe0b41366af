/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file texp.c  TURN server: expiry queues, for objects that mostly
 *               live the same time
 *
 * libre keeps its timers in one sorted list and inserts by walking it
 * from the end, past every timer that expires later: a permission
 * (300 s) started among thousands of allocations (up to
 * turn_max_lifetime) and channels (600 s) walked past all of them.
 * Objects of one lifetime expire in the order they were started, so a
 * queue of them is a FIFO: starting one appends it (O(1)), and one
 * libre timer waits for the head. An entry started out of order (an
 * allocation refreshed to a shorter lifetime) goes first if it expires
 * before the head, else in its place by a walk from the end of its own
 * queue only, so the queue stays sorted.
 * Permissions and allocations each have a queue; with the allocations
 * out of libre's list, the channels (600 s) are in order there.
 */
#include <re.h>
#include "turnd_priv.h"


static void arm(struct texpq *q, uint64_t now);


static void timeout_handler(void *arg)
{
	struct texpq *q = arg;
	uint64_t now = tmr_jiffies();
	struct texp *e;

	/* a handler may cancel or start any entry: read the head again */
	while ((e = list_ledata(q->list.head)) && e->at <= now) {
		texp_h *h = e->h;

		list_unlink(&e->le);
		e->h = NULL;
		h(e->arg);
	}

	arm(q, now);
}


static void arm(struct texpq *q, uint64_t now)
{
	const struct texp *e = list_ledata(q->list.head);

	if (!e)
		tmr_cancel(&q->tmr);
	else if (!tmr_isrunning(&q->tmr) || q->at != e->at) {
		q->at = e->at;
		tmr_start(&q->tmr, e->at > now ? e->at - now : 0,
			  timeout_handler, q);
	}
}


/**
 * Initialise an expiry queue
 *
 * @param q Queue
 */
void texpq_init(struct texpq *q)
{
	if (!q)
		return;

	list_init(&q->list);
	tmr_init(&q->tmr);
	q->at = 0;
}


/**
 * Stop an expiry queue: its entries stay, but never expire
 *
 * @param q Queue
 */
void texpq_close(struct texpq *q)
{
	if (!q)
		return;

	tmr_cancel(&q->tmr);
}


static bool earlier(struct le *le, void *arg)
{
	const struct texp *e = le->data;

	return e->at <= *(const uint64_t *)arg;
}


/**
 * Start (or restart) an entry: its handler is called in delay ms
 *
 * @param e     Entry
 * @param q     Queue
 * @param delay Milliseconds
 * @param h     Expiry handler
 * @param arg   Its argument
 */
void texp_start(struct texp *e, struct texpq *q, uint64_t delay,
		texp_h *h, void *arg)
{
	uint64_t now = tmr_jiffies();
	const struct texp *head;
	struct le *le;

	if (!e || !q || !h)
		return;

	list_unlink(&e->le);
	e->at = now + delay;
	e->h = h;
	e->arg = arg;

	head = list_ledata(q->list.head);
	le = head && e->at >= head->at ?
		list_apply(&q->list, false, earlier, &e->at) : NULL;
	if (le)
		list_insert_after(&q->list, le, &e->le, e);
	else
		list_prepend(&q->list, &e->le, e);

	if (q->list.head == &e->le)
		arm(q, now);
}


/**
 * Cancel an entry
 *
 * @param e Entry
 */
void texp_cancel(struct texp *e)
{
	if (!e)
		return;

	list_unlink(&e->le);
	e->h = NULL;
}


/**
 * Milliseconds until an entry expires
 *
 * @param e Entry
 *
 * @return milliseconds, 0 if it is not running
 */
uint64_t texp_get_expire(const struct texp *e)
{
	uint64_t now = tmr_jiffies();

	if (!e || !e->h)
		return 0;

	return e->at > now ? e->at - now : 0;
}
