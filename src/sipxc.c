/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipxc.c  Client transactions on umedge's own transports
 *
 * RFC 3261 §17.1 with RFC 6026. A request is sent on a path (sippath.c:
 * a stream connection, or a UDP socket and an address) with the top
 * Via its owner wrote (a branch of its own); responses on any of our
 * transports are matched by that branch and the CSeq method (§17.1.3).
 *
 * Over UDP the request is retransmitted (Timer A: T1 doubling until a
 * provisional response; Timer E: T1 doubling up to T2, T2 once a
 * provisional came) and a final response is followed by a wait that
 * absorbs its retransmissions (Timer D, 64·T1: each 3xx-6xx again is
 * ACKed again; Timer K, T4). A CANCEL is retransmitted as Timer E
 * until it is answered. Over a stream nothing is retransmitted and
 * Timers D and K are 0. T1 is timeout_ms / 64; T2 = 8·T1, T4 = 10·T1.
 * The timers run in queues of one delay each (dtqs.c), not in libre's
 * sorted list: starting one is O(1) however many transactions wait.
 *
 * - Timer B/F: without a final response within timeout_ms (64*T1),
 *   the owner hears ETIMEDOUT (an INVITE only until a provisional
 *   response: Proceeding has no timer); a closed connection ends it
 *   with ECONNRESET.
 * - INVITE, 3xx-6xx: the transaction sends the ACK itself (§17.1.1.3:
 *   same branch, the response's To, the request's Route), Timer D = 0.
 * - INVITE, 2xx: Accepted; the 2xx of further forks (another To tag)
 *   reach the owner until the timer ends (Timer M). Their ACKs are the
 *   dialog's; a 2xx again of a To tag already seen is not taken here
 *   (the dialog ACKs it again).
 * - CANCEL (§9.1) goes only after a provisional response: asked for
 *   earlier, it waits for one. Its own responses stay here.
 *
 * The owner holds the transaction: freeing it ends it.
 */
#include <re.h>
#include "dtq.h"
#include "dtqs.h"
#include "sipalias.h"
#include "sipconn.h"
#include "sippath.h"
#include "sipxc.h"


enum {
	HASH_BITS = 14,
	T1_MS     = 500,
	OK_MAX    = 4,       /**< 2xx (forks) kept to tell repeats */
};

/** A side's client transactions */
struct sipxc_table {
	struct hash *ht;         /**< struct sipxc, by branch          */
	uint32_t timeout_ms;     /**< Timer B/F (and M)                */
	struct dtqs *qs;         /**< Timer queues, one per delay      */
	uint32_t n;              /**< Transactions in it               */
};

/** A client transaction */
struct sipxc {
	struct le he;               /**< Member of the table           */
	struct dte tmr;             /**< Timer B/F, then D, K or M     */
	struct dte rtx;             /**< Timer A/E (UDP)               */
	struct dte crtx;            /**< The CANCEL's Timer E (UDP)    */
	struct sipxc_table *t;      /**< The table (not a reference)   */
	struct sippath path;        /**< Where it goes                 */
	struct sip_msg *req;        /**< The request, decoded          */
	struct mbuf *mb;            /**< ... from this copy            */
	struct mbuf *sent;          /**< The request as sent (UDP)     */
	char *oks[OK_MAX];          /**< To tags of the 2xx passed on   */
	uint32_t rtx_ms;            /**< Next retransmission interval  */
	uint32_t crtx_ms;           /**< ... of the CANCEL             */
	uint32_t crtx_total;        /**< The CANCEL's time so far      */
	sipxc_resp_h *resph;        /**< Response handler              */
	void *arg;                  /**< Its argument                  */
	bool invite;                /**< An INVITE                     */
	bool prov;                  /**< A provisional came            */
	bool final;                 /**< A final came                  */
	bool cancel;                /**< CANCEL asked for              */
	bool cancelled;             /**< ... and sent                  */
	bool cancel_done;           /**< ... and answered              */
	bool completed;             /**< UDP: absorbing retransmissions */
	bool orphan;                /**< Its owner let it go           */
};


static uint32_t t1_ms(const struct sipxc_table *t)
{
	return t->timeout_ms >= 64 ? t->timeout_ms / 64 : 1;
}


static void table_destructor(void *data)
{
	struct sipxc_table *t = data;

	hash_flush(t->ht);
	mem_deref(t->ht);
	mem_deref(t->qs);
}


/* Timers A and E (T1 doubling), the CANCEL's, K (T4), B/F/D/M */
static int queues_alloc(struct sipxc_table *t)
{
	const uint32_t t1 = t1_ms(t);
	const uint32_t delays[] = {
		t1, 2 * t1, 4 * t1, 8 * t1, 16 * t1, 32 * t1, 64 * t1,
		10 * t1, t->timeout_ms
	};

	return dtqs_alloc(&t->qs, delays, ARRAY_SIZE(delays));
}


/**
 * Create a side's table of client transactions
 *
 * @param tp         Pointer to allocated table
 * @param timeout_ms Timer B/F (0: 64*T1)
 *
 * @return 0 if success, otherwise errorcode
 */
int sipxc_table_alloc(struct sipxc_table **tp, uint32_t timeout_ms)
{
	struct sipxc_table *t;
	int err;

	if (!tp)
		return EINVAL;

	t = mem_zalloc(sizeof(*t), table_destructor);
	if (!t)
		return ENOMEM;

	t->timeout_ms = timeout_ms ? timeout_ms : 64 * T1_MS;
	err = hash_alloc(&t->ht, 1u << HASH_BITS);
	if (!err)
		err = queues_alloc(t);
	if (err)
		mem_deref(t);
	else
		*tp = t;

	return err;
}


static void sipxc_destructor(void *data)
{
	struct sipxc *ct = data;

	if (ct->he.list)
		--ct->t->n;
	hash_unlink(&ct->he);
	dte_cancel(&ct->tmr);
	dte_cancel(&ct->rtx);
	dte_cancel(&ct->crtx);
	sippath_reset(&ct->path);
	mem_deref(ct->req);
	mem_deref(ct->mb);
	mem_deref(ct->sent);
	for (size_t i = 0; i < OK_MAX; i++)
		mem_deref(ct->oks[i]);
}


static void timer_start(struct sipxc *ct, struct dte *e, uint32_t ms,
			dte_h *h)
{
	(void)dtqs_start(ct->t->qs, ms, e, h, ct);
}


/* The request's Route lines, as sent */
static int routes_print(struct mbuf *mb, const struct sip_msg *req)
{
	int err = 0;

	for (struct le *le = req->hdrl.head; le && !err; le = le->next) {
		const struct sip_hdr *hdr = le->data;

		if (hdr->id == SIP_HDR_ROUTE)
			err = mbuf_printf(mb, "Route: %r\r\n", &hdr->val);
	}

	return err;
}


/* ACK of a 3xx-6xx (to: the response's To) or CANCEL (the request's) */
static int send_mirror(struct sipxc *ct, const char *met,
		       const struct pl *to)
{
	const struct sip_msg *req = ct->req;
	const struct sip_hdr *via = sip_msg_hdr(req, SIP_HDR_VIA);
	const struct sip_hdr *from = sip_msg_hdr(req, SIP_HDR_FROM);
	struct mbuf *mb = mbuf_alloc(512);
	int err;

	if (!mb)
		return ENOMEM;

	err = mbuf_printf(mb, "%s %r SIP/2.0\r\nVia: %r\r\n"
			  "Max-Forwards: 70\r\n", met, &req->ruri,
			  &via->val);
	err |= routes_print(mb, req);
	err |= mbuf_printf(mb, "From: %r\r\nTo: %r\r\nCall-ID: %r\r\n"
			   "CSeq: %u %s\r\nContent-Length: 0\r\n\r\n",
			   &from->val, to, &req->callid, req->cseq.num, met);
	if (!err) {
		mb->pos = 0;
		err = sippath_send(&ct->path, mb);
	}

	mem_deref(mb);

	return err;
}


/* Done: out of the table, the owner told once (msg NULL: err says
 * why) */
static void end(struct sipxc *ct, int err, const struct sip_msg *msg)
{
	sipxc_resp_h *resph = ct->resph;

	ct->final = true;
	ct->resph = NULL;
	dte_cancel(&ct->tmr);
	dte_cancel(&ct->rtx);
	hash_unlink(&ct->he);
	--ct->t->n;
	if (resph)
		resph(err, msg, ct->arg);
	else if (ct->orphan)
		mem_deref(ct);
}


static void timeout_handler(struct dte *e, void *arg)
{
	(void)e;
	struct sipxc *ct = arg;

	if (ct->final) {          /* Timer D, K or M: nothing more */
		hash_unlink(&ct->he);
		--ct->t->n;
		ct->resph = NULL;
		if (ct->orphan)
			mem_deref(ct);
		return;
	}

	end(ct, ETIMEDOUT, NULL);
}


/* The request as the transaction reads it: a copy, header names libre
 * would take for another renamed (a listed ms-client-diagnostics, say,
 * goes out as it came) */
static int req_decode(struct sipxc *ct, const struct mbuf *req)
{
	int err;

	ct->mb = mbuf_alloc(mbuf_get_left(req));
	if (!ct->mb)
		return ENOMEM;

	(void)mbuf_write_mem(ct->mb, mbuf_buf(req), mbuf_get_left(req));
	ct->mb->pos = 0;
	err = sipalias_rename(ct->mb);
	if (!err)
		err = sip_msg_decode(&ct->req, ct->mb);
	/* a CANCEL or an ACK copies its Via, From and To: a stored INVITE
	 * (sipxc_cancel_sent()) may lack them */
	if (!err && (!ct->req->req || !pl_isset(&ct->req->via.branch) ||
		     !sip_msg_hdr(ct->req, SIP_HDR_FROM) ||
		     !sip_msg_hdr(ct->req, SIP_HDR_TO) ||
		     !pl_strcmp(&ct->req->met, "ACK")))
		err = EINVAL;

	return err;
}


static void table_add(struct sipxc *ct)
{
	hash_append(ct->t->ht, hash_joaat_pl(&ct->req->via.branch), &ct->he,
		    ct);
	++ct->t->n;
}


/* Timer A (INVITE, until a provisional) or E (T2 once one came) */
static void rtx_handler(struct dte *e, void *arg)
{
	(void)e;
	struct sipxc *ct = arg;
	const uint32_t t2 = 8 * t1_ms(ct->t);

	if (ct->final || (ct->invite && ct->prov))
		return;

	ct->sent->pos = 0;
	(void)sippath_send(&ct->path, ct->sent);
	if (ct->invite)
		ct->rtx_ms *= 2;
	else
		ct->rtx_ms = ct->prov ? t2 : min(2 * ct->rtx_ms, t2);

	timer_start(ct, &ct->rtx, ct->rtx_ms, rtx_handler);
}


/**
 * Send a request on a path, as a client transaction
 *
 * @param ctp   Pointer to the transaction (the owner's)
 * @param t     Table
 * @param path  Where it goes (its references are taken)
 * @param req   The whole request, with a top Via and a branch (over
 *              UDP referenced for retransmissions: not to be changed)
 * @param resph Response handler
 * @param arg   Its argument
 *
 * @return 0 if success, otherwise errorcode
 */
int sipxc_send(struct sipxc **ctp, struct sipxc_table *t,
	       const struct sippath *path, struct mbuf *req,
	       sipxc_resp_h *resph, void *arg)
{
	struct sipxc *ct;
	int err;

	if (!ctp || !t || !path || !req || !resph)
		return EINVAL;

	ct = mem_zalloc(sizeof(*ct), sipxc_destructor);
	if (!ct)
		return ENOMEM;

	ct->t = t;
	ct->resph = resph;
	ct->arg = arg;
	err = req_decode(ct, req);
	if (err)
		goto out;

	err = sippath_send(path, req);
	if (err)
		goto out;

	sippath_copy(&ct->path, path);
	ct->invite = !pl_strcmp(&ct->req->met, "INVITE");
	table_add(ct);
	timer_start(ct, &ct->tmr, t->timeout_ms, timeout_handler);
	if (!sippath_reliable(path)) {
		ct->sent = mem_ref(req);
		ct->rtx_ms = t1_ms(t);
		timer_start(ct, &ct->rtx, ct->rtx_ms, rtx_handler);
	}
	*ctp = ct;

 out:
	if (err)
		mem_deref(ct);

	return err;
}


static struct sipxc *lookup(const struct sipxc_table *t,
			    const struct sip_msg *msg)
{
	uint32_t key = hash_joaat_pl(&msg->via.branch);

	for (struct le *le = hash_list(t->ht, key)->head; le; le = le->next) {
		struct sipxc *ct = le->data;

		if (!pl_cmp(&ct->req->via.branch, &msg->via.branch) &&
		    !pl_cmp(&ct->req->met, &msg->cseq.met))
			return ct;
	}

	return NULL;
}


/* The CANCEL's Timer E over UDP, until it is answered or 64·T1 */
static void crtx_handler(struct dte *e, void *arg)
{
	(void)e;
	struct sipxc *ct = arg;
	const struct sip_hdr *to = sip_msg_hdr(ct->req, SIP_HDR_TO);

	ct->crtx_total += ct->crtx_ms;
	if (ct->cancel_done || ct->final || ct->crtx_total >= ct->t->timeout_ms)
		return;

	(void)send_mirror(ct, "CANCEL", &to->val);
	ct->crtx_ms = min(2 * ct->crtx_ms, 8 * t1_ms(ct->t));
	timer_start(ct, &ct->crtx, ct->crtx_ms, crtx_handler);
}


/* CANCEL goes (§9.1): without a final response within 64·T1 the
 * INVITE ends */
static int cancel_send(struct sipxc *ct)
{
	const struct sip_hdr *to = sip_msg_hdr(ct->req, SIP_HDR_TO);

	ct->cancelled = true;
	if (!dte_isrunning(&ct->tmr))
		timer_start(ct, &ct->tmr, ct->t->timeout_ms, timeout_handler);

	if (!sippath_reliable(&ct->path)) {
		ct->crtx_ms = t1_ms(ct->t);
		timer_start(ct, &ct->crtx, ct->crtx_ms, crtx_handler);
	}

	return send_mirror(ct, "CANCEL", &to->val);
}


static void provisional(struct sipxc *ct, const struct sip_msg *msg)
{
	/* INVITE: Proceeding has no Timer B (§17.1.1.2); a non-INVITE
	 * keeps Timer F (§17.1.2.2) */
	if (ct->invite && !ct->prov) {
		dte_cancel(&ct->tmr);
		dte_cancel(&ct->rtx);
	}

	ct->prov = true;
	if (ct->cancel && !ct->cancelled)
		(void)cancel_send(ct);

	if (ct->resph)
		ct->resph(0, msg, ct->arg);
}


/* Over UDP a final response's retransmissions are absorbed for a while
 * (Timer D or K); the owner hears of it now */
static void complete(struct sipxc *ct, const struct sip_msg *msg,
		     uint32_t ms)
{
	sipxc_resp_h *resph = ct->resph;

	ct->final = true;
	ct->completed = true;
	ct->resph = NULL;
	dte_cancel(&ct->rtx);
	timer_start(ct, &ct->tmr, ms, timeout_handler);
	if (resph)
		resph(0, msg, ct->arg);
}


static void final_response(struct sipxc *ct, const struct sip_msg *msg)
{
	const struct sip_hdr *to = sip_msg_hdr(msg, SIP_HDR_TO);

	if (ct->invite && msg->scode >= 300 && to)
		(void)send_mirror(ct, "ACK", &to->val);

	if (ct->invite && msg->scode < 300) {
		ct->final = true;     /* Accepted: Timer M */
		(void)pl_strdup(&ct->oks[0], &msg->to.tag);
		dte_cancel(&ct->rtx);
		timer_start(ct, &ct->tmr, ct->t->timeout_ms, timeout_handler);
		if (ct->resph)
			ct->resph(0, msg, ct->arg);
		return;
	}

	if (sippath_reliable(&ct->path))
		end(ct, 0, msg);
	else
		complete(ct, msg, ct->invite ? ct->t->timeout_ms :
			 10 * t1_ms(ct->t));
}


/* A 2xx of a To tag seen: a repeat; else a fork's, kept (while there
 * is room) */
static bool ok_repeat(struct sipxc *ct, const struct sip_msg *msg)
{
	for (size_t i = 0; i < OK_MAX; i++) {
		if (!ct->oks[i]) {
			(void)pl_strdup(&ct->oks[i], &msg->to.tag);
			return false;
		}

		if (!pl_strcmp(&msg->to.tag, ct->oks[i]))
			return true;
	}

	return false;
}


/* A final response again: a 2xx of another fork goes to the owner, a
 * 2xx again is not taken (the dialog ACKs it again); a 3xx-6xx again
 * over UDP is ACKed again */
static bool final_again(struct sipxc *ct, const struct sip_msg *msg)
{
	const struct sip_hdr *to = sip_msg_hdr(msg, SIP_HDR_TO);

	if (!ct->invite)
		return true;

	if (msg->scode < 300 && !ct->completed) {
		if (ok_repeat(ct, msg))
			return false;
		if (ct->resph)
			ct->resph(0, msg, ct->arg);
	}
	else if (msg->scode >= 300 && ct->completed && to) {
		(void)send_mirror(ct, "ACK", &to->val);
	}

	return true;
}


/**
 * Offer a response that came on an own transport
 *
 * @param t   Table
 * @param msg Response
 *
 * @return true if it belonged to a transaction here (or to its
 *         CANCEL); false for a 2xx again of a To tag already passed on
 */
bool sipxc_response(struct sipxc_table *t, const struct sip_msg *msg)
{
	struct sipxc *ct;

	if (!t || !msg || msg->req)
		return false;

	if (!pl_strcmp(&msg->cseq.met, "CANCEL")) {
		struct sip_msg m = *msg;

		pl_set_str(&m.cseq.met, "INVITE");
		ct = lookup(t, &m);
		if (ct) {
			ct->cancel_done = true;
			dte_cancel(&ct->crtx);
		}
		return ct != NULL;
	}

	ct = lookup(t, msg);
	if (!ct)
		return false;

	if (msg->scode < 200) {
		if (!ct->final)
			provisional(ct, msg);
		return true;
	}

	if (ct->final)
		return final_again(ct, msg);

	final_response(ct, msg);

	return true;
}


/**
 * Cancel a pending INVITE: at once if a provisional response came,
 * else when one does
 *
 * @param ct Transaction
 *
 * @return 0 if success, otherwise errorcode (EPROTO: not a pending
 *         INVITE)
 */
int sipxc_cancel(struct sipxc *ct)
{
	if (!ct)
		return EINVAL;

	if (!ct->invite || ct->final)
		return EPROTO;

	ct->cancel = true;
	if (!ct->prov || ct->cancelled)
		return 0;

	return cancel_send(ct);
}


/**
 * Cancel an INVITE another process sent (the node that died before a
 * takeover): a transaction of its own, as if a provisional response
 * had come, sends the CANCEL now, ACKs the 3xx-6xx that follows and
 * ends by itself (at the latest after Timer B). A 2xx that comes
 * instead is left to its sender (no dialog here: it is never ACKed,
 * and the sender ends its dialog, RFC 3261 §13.3.1.4)
 *
 * @param t    Table
 * @param path Where the INVITE went (its references are taken)
 * @param req  The INVITE as it was sent, whole
 *
 * @return 0 if success, otherwise errorcode (a CANCEL that could not
 *         be sent leaves its transaction to end by itself)
 */
int sipxc_cancel_sent(struct sipxc_table *t, const struct sippath *path,
		      const struct mbuf *req)
{
	struct sipxc *ct;
	int err;

	if (!t || !path || !req)
		return EINVAL;

	ct = mem_zalloc(sizeof(*ct), sipxc_destructor);
	if (!ct)
		return ENOMEM;

	ct->t = t;
	err = req_decode(ct, req);
	if (!err && pl_strcmp(&ct->req->met, "INVITE"))
		err = EINVAL;
	if (err) {
		mem_deref(ct);
		return err;
	}

	sippath_copy(&ct->path, path);
	ct->invite = ct->prov = ct->cancel = ct->orphan = true;
	table_add(ct);

	return cancel_send(ct);
}


/**
 * The request of a transaction, as it was sent, and where it went
 *
 * @param ct  Transaction
 * @param tp  Its transport, set
 * @param dst Its destination (a connection's peer), set
 *
 * @return the request (its buffer from 0 to its end), or NULL
 */
const struct mbuf *sipxc_sent(const struct sipxc *ct, enum sip_transp *tp,
			      struct sa *dst)
{
	const struct sa *peer;

	if (!ct || !tp || !dst)
		return NULL;

	peer = ct->path.su ? &ct->path.dst : sipconn_peer(ct->path.sc);
	if (!peer)
		return NULL;

	*tp = ct->req->via.tp;
	*dst = *peer;

	return ct->mb;
}


/**
 * The owner lets a transaction go: no handler runs for it any more; a
 * pending INVITE is cancelled, and the transaction ends by itself
 *
 * @param ct Transaction (the owner's reference is taken over)
 */
void sipxc_abandon(struct sipxc *ct)
{
	if (!ct)
		return;

	ct->resph = NULL;
	if (!ct->he.list) {          /* over */
		mem_deref(ct);
		return;
	}

	ct->orphan = true;
	if (ct->invite && !ct->final)
		(void)sipxc_cancel(ct);
}


/**
 * A connection closed: what waits for a final response on it ends
 *
 * @param t  Table
 * @param sc The connection
 */
void sipxc_conn_closed(struct sipxc_table *t, const struct sipconn *sc)
{
	struct le *next;

	if (!t || !sc)
		return;

	for (uint32_t i = 0; i < hash_bsize(t->ht); i++) {
		for (struct le *le = hash_list(t->ht, i)->head; le;
		     le = next) {
			struct sipxc *ct = le->data;

			next = le->next;
			if (ct->path.sc == sc && !ct->final)
				end(ct, ECONNRESET, NULL);
		}
	}
}


/** @return how many transactions are in the table */
uint32_t sipxc_count(const struct sipxc_table *t)
{
	return t ? t->n : 0;
}
