/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipxs.c  Server transactions on umedge's own transports
 *
 * RFC 3261 §17.2 with RFC 6026. A transaction absorbs what belongs to
 * it and lives on for 64*T1 after its final response where the RFC
 * keeps it:
 *
 * - INVITE, 3xx-6xx: Completed until its ACK (Timer H); the ACK is
 *   absorbed here. Over UDP the response is retransmitted meanwhile
 *   (Timer G: T1 doubling up to T2) and the transaction absorbs ACKs
 *   for T4 after the first (Timer I); over a stream Timer I is 0.
 * - INVITE, 2xx: Accepted (Timer L), absorbing a retransmitted INVITE;
 *   the ACK of a 2xx is a request of the dialog and goes on (the 2xx
 *   is retransmitted by the dialog's owner, leg.c).
 * - non-INVITE: over UDP Completed for 64*T1 (Timer J), giving a
 *   retransmitted request its response again; over a stream gone with
 *   its final response (Timer J = 0).
 *
 * A request that matches one (RFC 3261 §17.2.3: branch, sent-by and
 * method; an ACK matches its INVITE) gets the last response again. A
 * CANCEL is answered here: 481 when no INVITE matches or when it comes
 * from another address than the INVITE did, else 200, and a pending
 * INVITE's cancel handler runs (its owner answers 487).
 *
 * Responses go on the connection the request came on (msg->sock, a
 * sipconn), or over UDP from its socket to its reply address
 * (sippath.c); when that is closed they fail with ENOTCONN. A
 * retransmitted request over UDP gets the response where the first one
 * did, whatever its own source. T1 is linger_ms / 64; T2 = 8·T1, T4 =
 * 10·T1. The timers run in queues of one delay each (dtqs.c).
 */
#include <stdarg.h>
#include <re.h>
#include "dtq.h"
#include "dtqs.h"
#include "sippath.h"
#include "sipresp.h"
#include "sipxs.h"


enum {
	HASH_BITS = 14,
	T1_MS     = 500,
};

/** A side's server transactions */
struct sipxs_table {
	struct hash *ht;         /**< struct sipxs, by branch         */
	const char *server;      /**< Server header value, or NULL    */
	uint32_t linger_ms;      /**< Completed/Accepted state, 64*T1 */
	struct dtqs *qs;         /**< Timer queues, one per delay     */
	uint32_t n;              /**< Transactions it holds           */
};

enum xs_state {
	XS_PROCEEDING,
	XS_COMPLETED,
	XS_ACCEPTED,
	XS_CONFIRMED,
};

/** A server transaction */
struct sipxs {
	struct le he;                /**< Member of the table           */
	struct dte tmr;              /**< Its end after the final reply */
	struct dte rtx;              /**< Timer G (UDP)                 */
	struct sipxs_table *t;       /**< The table (not a reference)   */
	const struct sip_msg *msg;   /**< The request (referenced)      */
	struct mbuf *last;           /**< The last response sent        */
	sipxs_cancel_h *cancelh;     /**< Cancel handler                */
	void *arg;                   /**< Its argument                  */
	enum xs_state state;         /**< Where it is                   */
	uint32_t rtx_ms;             /**< Timer G's next interval       */
	bool invite;                 /**< An INVITE transaction         */
	bool udp;                    /**< Over UDP                      */
};


static uint32_t t1_ms(const struct sipxs_table *t)
{
	return t->linger_ms >= 64 ? t->linger_ms / 64 : 1;
}


static void table_destructor(void *data)
{
	struct sipxs_table *t = data;

	hash_flush(t->ht);
	mem_deref(t->ht);
	mem_deref(t->qs);
}


/* Timer G (T1 doubling to T2), I (T4), H/J/L */
static int queues_alloc(struct sipxs_table *t)
{
	const uint32_t t1 = t1_ms(t);
	const uint32_t delays[] = {
		t1, 2 * t1, 4 * t1, 8 * t1, 10 * t1, t->linger_ms
	};

	return dtqs_alloc(&t->qs, delays, ARRAY_SIZE(delays));
}


/**
 * Create a side's table of server transactions
 *
 * @param tp        Pointer to allocated table
 * @param server    Server header value (a constant), or NULL
 * @param linger_ms How long a transaction lives after its final
 *                  response where the RFC keeps it (0: 64*T1)
 *
 * @return 0 if success, otherwise errorcode
 */
int sipxs_table_alloc(struct sipxs_table **tp, const char *server,
		      uint32_t linger_ms)
{
	struct sipxs_table *t;
	int err;

	if (!tp)
		return EINVAL;

	t = mem_zalloc(sizeof(*t), table_destructor);
	if (!t)
		return ENOMEM;

	t->server = server;
	t->linger_ms = linger_ms ? linger_ms : 64 * T1_MS;
	err = hash_alloc(&t->ht, 1u << HASH_BITS);
	if (!err)
		err = queues_alloc(t);
	if (err)
		mem_deref(t);
	else
		*tp = t;

	return err;
}


static void sipxs_destructor(void *data)
{
	struct sipxs *st = data;

	if (st->he.list)
		--st->t->n;
	hash_unlink(&st->he);
	dte_cancel(&st->tmr);
	dte_cancel(&st->rtx);
	mem_deref((void *)st->msg);
	mem_deref(st->last);
}


static const struct pl invite = PL("INVITE");


/* RFC 3261 §17.2.3; an ACK or CANCEL looks for its INVITE */
static bool match(const struct sipxs *st, const struct sip_msg *msg,
		  const struct pl *met)
{
	const struct sip_msg *req = st->msg;

	return !pl_cmp(&req->via.branch, &msg->via.branch) &&
		!pl_cmp(&req->via.sentby, &msg->via.sentby) &&
		!pl_cmp(&req->met, met);
}


static struct sipxs *lookup(const struct sipxs_table *t,
			    const struct sip_msg *msg, const struct pl *met)
{
	uint32_t key = hash_joaat_pl(&msg->via.branch);

	for (struct le *le = hash_list(t->ht, key)->head; le; le = le->next) {
		struct sipxs *st = le->data;

		if (match(st, msg, met))
			return st;
	}

	return NULL;
}


static void timer_start(struct sipxs *st, struct dte *e, uint32_t ms,
			dte_h *h)
{
	(void)dtqs_start(st->t->qs, ms, e, h, st);
}


/* A response to where the responses to msg go */
static int send_on(const struct sip_msg *msg, struct mbuf *mb)
{
	struct sippath p = SIPPATH_INIT;
	int err;

	err = sippath_reply_to(&p, msg);
	if (!err) {
		mb->pos = 0;
		err = sippath_send(&p, mb);
	}

	sippath_reset(&p);

	return err;
}


static int vsreply(const struct sipxs_table *t, const struct sip_msg *msg,
		   struct mbuf **mbp, bool rec_route, uint16_t scode,
		   const char *reason, const char *fmt, va_list ap)
{
	struct mbuf *mb = mbuf_alloc(1024);
	int err;

	if (!mb)
		return ENOMEM;

	err = sipresp_vencode(mb, msg, rec_route, scode, reason, t->server,
			      fmt, ap);
	if (!err)
		err = send_on(msg, mb);

	if (!err && mbp)
		*mbp = mb;
	else
		mem_deref(mb);

	return err;
}


/**
 * Answer a request without a transaction
 *
 * @param t      Table (for the Server header)
 * @param msg    Request that came on an own transport
 * @param scode  Status code
 * @param reason Reason phrase
 * @param fmt    More headers and the body, or NULL
 *
 * @return 0 if success, otherwise errorcode
 */
int sipxs_sreply(const struct sipxs_table *t, const struct sip_msg *msg,
		 uint16_t scode, const char *reason, const char *fmt, ...)
{
	va_list ap;
	int err;

	if (!t || !msg)
		return EINVAL;

	va_start(ap, fmt);
	err = vsreply(t, msg, NULL, false, scode, reason, fmt, ap);
	va_end(ap);

	return err;
}


static void cancel_absorb(struct sipxs_table *t, const struct sip_msg *msg)
{
	struct sipxs *st = lookup(t, msg, &invite);

	if (!st || !sa_cmp(&st->msg->src, &msg->src, SA_ADDR)) {
		(void)sipxs_sreply(t, msg, 481,
				   "Call/Transaction Does Not Exist", NULL);
		return;
	}

	(void)sipxs_sreply(t, msg, 200, "OK", NULL);
	if (st->state == XS_PROCEEDING && st->cancelh)
		st->cancelh(st->arg);
}


static void linger_end(struct dte *e, void *arg)
{
	(void)e;
	mem_deref(arg);
}


/* The ACK of a 3xx-6xx: over a stream the end (Timer I = 0); over UDP
 * Confirmed, absorbing ACKs for T4 */
static void ack(struct sipxs *st)
{
	if (!st->udp) {
		mem_deref(st);
		return;
	}

	if (st->state == XS_CONFIRMED)
		return;

	st->state = XS_CONFIRMED;
	dte_cancel(&st->rtx);
	timer_start(st, &st->tmr, 10 * t1_ms(st->t), linger_end);
}


/**
 * Take what belongs to a transaction: a retransmitted request (its
 * last response goes again), the ACK of a 3xx-6xx, a CANCEL
 *
 * @param t   Table
 * @param msg Request that came on an own transport
 *
 * @return true if it was taken here
 */
bool sipxs_absorb(struct sipxs_table *t, const struct sip_msg *msg)
{
	struct sipxs *st;

	if (!t || !msg || !msg->req)
		return false;

	if (!pl_strcmp(&msg->met, "CANCEL")) {
		cancel_absorb(t, msg);
		return true;
	}

	if (!pl_strcmp(&msg->met, "ACK")) {
		st = lookup(t, msg, &invite);
		if (!st || st->state < XS_COMPLETED ||
		    st->state == XS_ACCEPTED)
			return false;
		ack(st);
		return true;
	}

	st = lookup(t, msg, &msg->met);
	if (!st)
		return false;

	if (st->last && st->state != XS_CONFIRMED)
		(void)send_on(st->udp ? st->msg : msg, st->last);

	return true;
}


/**
 * Start a server transaction for a request
 *
 * @param stp     Pointer to the transaction (the table holds it)
 * @param t       Table
 * @param msg     Request that came on an own transport (referenced)
 * @param cancelh Handler of a CANCEL that matches a pending INVITE
 * @param arg     Its argument
 *
 * @return 0 if success, otherwise errorcode
 */
int sipxs_alloc(struct sipxs **stp, struct sipxs_table *t,
		const struct sip_msg *msg, sipxs_cancel_h *cancelh,
		void *arg)
{
	struct sipxs *st;

	if (!stp || !t || !msg || !msg->req || !pl_strcmp(&msg->met, "ACK"))
		return EINVAL;

	st = mem_zalloc(sizeof(*st), sipxs_destructor);
	if (!st)
		return ENOMEM;

	st->t = t;
	st->msg = mem_ref((void *)msg);
	st->cancelh = cancelh;
	st->arg = arg;
	st->invite = !pl_cmp(&msg->met, &invite);
	st->udp = msg->tp == SIP_TRANSP_UDP;
	hash_append(t->ht, hash_joaat_pl(&msg->via.branch), &st->he, st);
	++t->n;
	*stp = st;

	return 0;
}


/* Timer G: a 3xx-6xx again over UDP until its ACK */
static void rtx_handler(struct dte *e, void *arg)
{
	(void)e;
	struct sipxs *st = arg;

	if (st->state != XS_COMPLETED)
		return;

	(void)send_on(st->msg, st->last);
	st->rtx_ms = min(2 * st->rtx_ms, 8 * t1_ms(st->t));
	timer_start(st, &st->rtx, st->rtx_ms, rtx_handler);
}


/* After the final response: the state the RFC keeps, or none */
static void final(struct sipxs *st, uint16_t scode)
{
	st->cancelh = NULL;
	if (!st->invite && !st->udp) {
		mem_deref(st);
		return;
	}

	st->state = st->invite && scode < 300 ? XS_ACCEPTED : XS_COMPLETED;
	timer_start(st, &st->tmr, st->t->linger_ms, linger_end);
	if (st->udp && st->invite && scode >= 300) {
		st->rtx_ms = t1_ms(st->t);
		timer_start(st, &st->rtx, st->rtx_ms, rtx_handler);
	}
}


/**
 * Answer a request on its transaction
 *
 * @param stp       The transaction; NULL after a final response (the
 *                  table keeps it as long as the RFC says)
 * @param mbp       The response, referenced, if not NULL
 * @param rec_route Copy the request's Record-Route
 * @param scode     Status code
 * @param reason    Reason phrase
 * @param fmt       More headers and the body, or NULL
 *
 * @return 0 if success, otherwise errorcode (the transaction is ended
 *         on an error)
 */
int sipxs_reply(struct sipxs **stp, struct mbuf **mbp, bool rec_route,
		uint16_t scode, const char *reason, const char *fmt, ...)
{
	struct sipxs *st;
	struct mbuf *mb = NULL;
	va_list ap;
	int err;

	if (!stp || !*stp || (*stp)->state != XS_PROCEEDING)
		return EINVAL;

	st = *stp;
	va_start(ap, fmt);
	err = vsreply(st->t, st->msg, &mb, rec_route, scode, reason, fmt,
		      ap);
	va_end(ap);

	if (err) {
		*stp = mem_deref(st);
		return err;
	}

	mem_deref(st->last);
	st->last = mem_ref(mb);
	if (mbp)
		*mbp = mb;
	else
		mem_deref(mb);

	if (scode >= 200) {
		*stp = NULL;
		final(st, scode);
	}

	return 0;
}


/** @return how many transactions the table holds */
uint32_t sipxs_count(const struct sipxs_table *t)
{
	return t ? t->n : 0;
}
