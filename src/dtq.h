/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file dtq.h  Timer queues for many timers of one delay
 *
 * libre 1.1.0 keeps its timers in one sorted list, and tmr_start()
 * walks it from the end to find the place: a short timer started while
 * thousands of long ones run (libre keeps each finished transaction for
 * 32 s) costs a walk over all of them. Where umedge starts a timer per
 * call with a fixed delay, entries go in a queue of that delay instead:
 * appended, so the queue stays in order, with one libre timer for its
 * head, which fires on a 50 ms grid and runs every entry due: a timer
 * may expire up to 50 ms late. Start and cancel are O(1).
 */
#ifndef UMEDGE_DTQ_H
#define UMEDGE_DTQ_H

struct dte;

typedef void (dte_h)(struct dte *e, void *arg);

/** A queue of timers with one delay */
struct dtq {
	struct list l;        /**< struct dte, by due time          */
	uint32_t delay;       /**< ms from start to expiry          */
	int fd;               /**< timerfd, fires for the head      */
	uint64_t armed;       /**< Due time tmr is set for, 0 none  */
};

/** A timer in a queue */
struct dte {
	struct le le;         /**< Member of its queue              */
	uint64_t due;         /**< Expiry, tmr_jiffies() ms         */
	dte_h *h;             /**< Handler                          */
	void *arg;            /**< Its argument                     */
};

int  dtq_init(struct dtq *q, uint32_t delay_ms);
void dtq_close(struct dtq *q);
void dte_start(struct dtq *q, struct dte *e, dte_h *h, void *arg);
void dte_cancel(struct dte *e);
bool dte_isrunning(const struct dte *e);

#endif
