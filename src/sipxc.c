/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipxc.c  Client transactions on umedge's own stream connections
 *
 * RFC 3261 §17.1 over a reliable transport, with RFC 6026: nothing is
 * retransmitted. A request is sent on a connection with the top Via
 * its owner wrote (a branch of its own); responses on any connection
 * are matched by that branch and the CSeq method (§17.1.3).
 *
 * - Timer B/F: without a final response within timeout_ms (64*T1),
 *   the owner hears ETIMEDOUT (an INVITE only until a provisional
 *   response: Proceeding has no timer); a closed connection ends it
 *   with ECONNRESET.
 * - INVITE, 3xx-6xx: the transaction sends the ACK itself (§17.1.1.3:
 *   same branch, the response's To, the request's Route), Timer D = 0.
 * - INVITE, 2xx: Accepted; further 2xx (forks) reach the owner until
 *   the timer ends (Timer M). Their ACKs are the dialog's.
 * - CANCEL (§9.1) goes only after a provisional response: asked for
 *   earlier, it waits for one. Its own responses stay here.
 *
 * The owner holds the transaction: freeing it ends it.
 */
#include <re.h>
#include "sipalias.h"
#include "sipconn.h"
#include "sipxc.h"


enum {
	HASH_BITS = 8,
	T1_MS     = 500,
};

/** A side's client transactions */
struct sipxc_table {
	struct hash *ht;         /**< struct sipxc, by branch          */
	uint32_t timeout_ms;     /**< Timer B/F (and M)                */
	uint32_t n;              /**< Transactions in it               */
};

/** A client transaction */
struct sipxc {
	struct le he;               /**< Member of the table           */
	struct tmr tmr;             /**< Timer B/F, then M             */
	struct sipxc_table *t;      /**< The table (not a reference)   */
	struct sipconn *sc;         /**< The connection (referenced)   */
	struct sip_msg *req;        /**< The request, decoded          */
	struct mbuf *mb;            /**< ... from this copy            */
	sipxc_resp_h *resph;        /**< Response handler              */
	void *arg;                  /**< Its argument                  */
	bool invite;                /**< An INVITE                     */
	bool prov;                  /**< A provisional came            */
	bool final;                 /**< A final came                  */
	bool cancel;                /**< CANCEL asked for              */
	bool cancelled;             /**< ... and sent                  */
	bool orphan;                /**< Its owner let it go           */
};


static void table_destructor(void *data)
{
	struct sipxc_table *t = data;

	hash_flush(t->ht);
	mem_deref(t->ht);
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
	tmr_cancel(&ct->tmr);
	mem_deref(ct->sc);
	mem_deref(ct->req);
	mem_deref(ct->mb);
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
		err = sipconn_send(ct->sc, mb);
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
	tmr_cancel(&ct->tmr);
	hash_unlink(&ct->he);
	--ct->t->n;
	if (resph)
		resph(err, msg, ct->arg);
	else if (ct->orphan)
		mem_deref(ct);
}


static void timeout_handler(void *arg)
{
	struct sipxc *ct = arg;

	if (ct->final) {          /* Timer M: no more 2xx */
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
	if (!err && (!ct->req->req || !pl_isset(&ct->req->via.branch) ||
		     !pl_strcmp(&ct->req->met, "ACK")))
		err = EINVAL;

	return err;
}


/**
 * Send a request on a connection, as a client transaction
 *
 * @param ctp   Pointer to the transaction (the owner's)
 * @param t     Table
 * @param sc    Connection
 * @param req   The whole request, with a top Via and a branch
 * @param resph Response handler
 * @param arg   Its argument
 *
 * @return 0 if success, otherwise errorcode
 */
int sipxc_send(struct sipxc **ctp, struct sipxc_table *t,
	       struct sipconn *sc, struct mbuf *req, sipxc_resp_h *resph,
	       void *arg)
{
	struct sipxc *ct;
	int err;

	if (!ctp || !t || !sc || !req || !resph)
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

	err = sipconn_send(sc, req);
	if (err)
		goto out;

	ct->sc = mem_ref(sc);
	ct->invite = !pl_strcmp(&ct->req->met, "INVITE");
	hash_append(t->ht, hash_joaat_pl(&ct->req->via.branch), &ct->he, ct);
	++t->n;
	tmr_start(&ct->tmr, t->timeout_ms, timeout_handler, ct);
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


static void provisional(struct sipxc *ct, const struct sip_msg *msg)
{
	const struct sip_hdr *to = sip_msg_hdr(ct->req, SIP_HDR_TO);

	/* INVITE: Proceeding has no Timer B (§17.1.1.2); a non-INVITE
	 * keeps Timer F (§17.1.2.2) */
	if (ct->invite && !ct->prov)
		tmr_cancel(&ct->tmr);

	ct->prov = true;
	if (ct->cancel && !ct->cancelled) {
		ct->cancelled = true;
		(void)send_mirror(ct, "CANCEL", &to->val);
	}

	if (ct->resph)
		ct->resph(0, msg, ct->arg);
}


static void final_response(struct sipxc *ct, const struct sip_msg *msg)
{
	const struct sip_hdr *to = sip_msg_hdr(msg, SIP_HDR_TO);

	if (ct->invite && msg->scode >= 300 && to)
		(void)send_mirror(ct, "ACK", &to->val);

	if (ct->invite && msg->scode < 300) {
		ct->final = true;     /* Accepted: Timer M */
		tmr_start(&ct->tmr, ct->t->timeout_ms, timeout_handler, ct);
		if (ct->resph)
			ct->resph(0, msg, ct->arg);
		return;
	}

	end(ct, 0, msg);
}


/**
 * Offer a response that came on an own connection
 *
 * @param t   Table
 * @param msg Response
 *
 * @return true if it belonged to a transaction here (or to its
 *         CANCEL)
 */
bool sipxc_response(struct sipxc_table *t, const struct sip_msg *msg)
{
	struct sipxc *ct;

	if (!t || !msg || msg->req)
		return false;

	if (!pl_strcmp(&msg->cseq.met, "CANCEL")) {
		struct sip_msg m = *msg;

		pl_set_str(&m.cseq.met, "INVITE");
		return lookup(t, &m) != NULL;
	}

	ct = lookup(t, msg);
	if (!ct)
		return false;

	if (msg->scode < 200) {
		if (!ct->final)
			provisional(ct, msg);
		return true;
	}

	if (ct->final && ct->invite && msg->scode < 300) {
		if (ct->resph)
			ct->resph(0, msg, ct->arg);      /* a fork's 2xx */
	}
	else if (!ct->final)
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
	const struct sip_hdr *to;

	if (!ct)
		return EINVAL;

	if (!ct->invite || ct->final)
		return EPROTO;

	ct->cancel = true;
	if (!ct->prov || ct->cancelled)
		return 0;

	ct->cancelled = true;
	to = sip_msg_hdr(ct->req, SIP_HDR_TO);

	return send_mirror(ct, "CANCEL", &to->val);
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
			if (ct->sc == sc && !ct->final)
				end(ct, ECONNRESET, NULL);
		}
	}
}


/** @return how many transactions are in the table */
uint32_t sipxc_count(const struct sipxc_table *t)
{
	return t ? t->n : 0;
}
