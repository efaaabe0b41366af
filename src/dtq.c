/**
 * @file dtq.c  Timer queues for many timers of one delay
 */
#include <re.h>
#include "dtq.h"


static void arm(struct dtq *q);


static void expire(void *arg)
{
	struct dtq *q = arg;
	uint64_t now = tmr_jiffies();

	q->armed = 0;
	while (q->l.head) {
		struct dte *e = q->l.head->data;

		if (e->due > now)
			break;

		/* the handler may start the entry again, or free it */
		list_unlink(&e->le);
		e->h(e, e->arg);
	}

	arm(q);
}


static void arm(struct dtq *q)
{
	const struct dte *head = list_ledata(q->l.head);
	uint64_t now;

	if (!head) {
		tmr_cancel(&q->tmr);
		q->armed = 0;
		return;
	}

	if (q->armed == head->due)
		return;

	now = tmr_jiffies();
	q->armed = head->due;
	tmr_start(&q->tmr, head->due > now ? head->due - now : 0, expire, q);
}


/**
 * Set up a queue
 *
 * @param q        Queue
 * @param delay_ms Delay of every timer in it
 */
void dtq_init(struct dtq *q, uint32_t delay_ms)
{
	if (!q)
		return;

	list_init(&q->l);
	tmr_init(&q->tmr);
	q->delay = delay_ms;
	q->armed = 0;
}


/** Stop a queue; its entries are left unlinked, not run */
void dtq_close(struct dtq *q)
{
	if (!q)
		return;

	while (q->l.head)
		list_unlink(q->l.head);
	tmr_cancel(&q->tmr);
	q->armed = 0;
}


/**
 * Start a timer: it expires after the queue's delay
 *
 * @param q   Queue
 * @param e   Entry (restarted if it runs, in any queue)
 * @param h   Handler
 * @param arg Its argument
 */
void dte_start(struct dtq *q, struct dte *e, dte_h *h, void *arg)
{
	if (!q || !e || !h)
		return;

	dte_cancel(e);
	e->due = tmr_jiffies() + q->delay;
	e->h = h;
	e->arg = arg;
	list_append(&q->l, &e->le, e);
	arm(q);
}


/** Stop a timer; nothing happens if it does not run */
void dte_cancel(struct dte *e)
{
	if (!e)
		return;

	/* the queue's own timer keeps its time: expire() skips ahead */
	list_unlink(&e->le);
}


/** @return true if the timer runs */
bool dte_isrunning(const struct dte *e)
{
	return e && e->le.list;
}
