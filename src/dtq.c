/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file dtq.c  Timer queues for many timers of one delay
 */
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/timerfd.h>
#include <re.h>
#include "dtq.h"


enum {
	GRANULE = 20,   /**< ms: the queue's timer fires at most 50 times
			     a second */
};


static void arm(struct dtq *q);


static void expire(int flags, void *arg)
{
	struct dtq *q = arg;
	uint64_t now = tmr_jiffies(), n;
	(void)flags;

	(void)!read(q->fd, &n, sizeof(n));
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


static void settime(const struct dtq *q, uint64_t ms)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = (time_t)(ms / 1000);
	its.it_value.tv_nsec = (long)(ms % 1000) * 1000000;
	(void)timerfd_settime(q->fd, 0, &its, NULL);
}


static void arm(struct dtq *q)
{
	const struct dte *head = list_ledata(q->l.head);
	uint64_t now;

	if (!head) {
		if (q->armed)
			settime(q, 0);
		q->armed = 0;
		return;
	}

	/* armed for the head or earlier: it will come */
	if (q->armed && q->armed <= head->due)
		return;

	now = tmr_jiffies();
	q->armed = head->due > now ? head->due + GRANULE -
		(head->due - now) % GRANULE : now + 1;
	settime(q, q->armed - now);
}


/**
 * Set up a queue
 *
 * @param q        Queue
 * @param delay_ms Delay of every timer in it
 *
 * @return 0 if success, otherwise errorcode
 */
int dtq_init(struct dtq *q, uint32_t delay_ms)
{
	int err;

	if (!q)
		return EINVAL;

	list_init(&q->l);
	q->delay = delay_ms;
	q->armed = 0;
	q->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (q->fd < 0)
		return errno;

	err = fd_listen(q->fd, FD_READ, expire, q);
	if (err) {
		(void)close(q->fd);
		q->fd = -1;
	}

	return err;
}


/** Stop a queue; its entries are left unlinked, not run */
void dtq_close(struct dtq *q)
{
	if (!q)
		return;

	while (q->l.head)
		list_unlink(q->l.head);
	if (q->fd >= 0) {
		fd_close(q->fd);
		(void)close(q->fd);
	}
	q->fd = -1;
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
