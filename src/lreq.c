/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file lreq.c  A request on a leg's dialog, sent once more when the
 *               peer's final response says how it would take it
 *
 * A gateway or trunk may challenge any request of UM's call, the INVITE
 * as much as a re-INVITE or the BYE (RFC 3261 §22). A 401 or 407 to a
 * request on a leg that has credentials (uacauth.c) sends the request
 * again, with a new CSeq and the answer, and the owner of the request
 * only sees the response to that one: a challenge never reaches the
 * other side. Each request is in the B2BUA's list until its final
 * response, and holds its leg: a BYE sent as a call ends is still
 * answered when challenged after the call is gone.
 *
 * The owner's pointer (lreqp) is set to NULL when the request ends, as
 * libre's sip_request() does (siptp_request); lreq_drop() lets it go early (an INVITE
 * in flight is then cancelled).
 *
 * The owner may give a retry handler too (lreq_retry_set): a final
 * response it takes (a 422 that names a larger Min-SE, stimer.c) sends
 * the request again with the headers the handler rewrote. Either way
 * the request goes at most TRIES times, and each kind of retry once.
 */
#include <string.h>
#include <re.h>
#include "cfg.h"
#include "uacauth.h"
#include "b2b_priv.h"


enum {
	TRIES = 3,       /**< Sends of one request at most        */
};

/** A request in flight on a leg */
struct lreq {
	struct le le;               /**< Member of b2b.lreqs          */
	struct leg *leg;            /**< Its leg (referenced)         */
	char met[16];               /**< Method                       */
	uint32_t maxfwd;            /**< Max-Forwards                 */
	char *hdrs;                 /**< More header lines, or NULL   */
	char *ctype;                /**< Body's type, NULL for SDP    */
	struct mbuf *body;          /**< Body, or NULL                */
	sip_resp_h *resph;          /**< Owner's response handler     */
	void *arg;                  /**< Its argument                 */
	struct lreq **lreqp;        /**< Owner's pointer, or NULL     */
	struct siptp_req *req;      /**< The request now              */
	unsigned sends;             /**< Times sent                   */
	bool authed;                /**< A challenge was answered     */
	bool retried;               /**< The retry handler took one   */
	lreq_retry_h *retryh;       /**< Owner's retry handler        */
	void *retry_arg;            /**< Its argument                 */
};


static void lreq_destructor(void *data)
{
	struct lreq *lr = data;

	if (lr->lreqp)
		*lr->lreqp = NULL;
	list_unlink(&lr->le);
	mem_deref(lr->req);
	mem_deref(lr->leg);
	mem_deref(lr->hdrs);
	mem_deref(lr->ctype);
	mem_deref(lr->body);
}


static int send_once(struct lreq *lr);


/* The end of the request: the owner's pointer is cleared before its
 * handler runs, so the handler may end the call */
static void done(struct lreq *lr, int err, const struct sip_msg *msg)
{
	sip_resp_h *resph = lr->resph;
	void *arg = lr->arg;

	if (lr->lreqp)
		*lr->lreqp = NULL;
	lr->lreqp = NULL;
	lr->resph = NULL;

	mem_ref(lr);
	if (resph)
		resph(err, msg, arg);
	mem_deref(lr);
	mem_deref(lr);
}


/* A challenge the leg's credentials answer, once */
static bool challenged(struct lreq *lr, const struct sip_msg *msg)
{
	struct uacauth *ua = lr->leg->auth;

	if (!ua || (msg->scode != 401 && msg->scode != 407) || lr->authed)
		return false;

	lr->authed = !uacauth_challenge(ua, msg);

	return lr->authed;
}


/* A response the owner's retry handler takes, once */
static bool owner_retries(struct lreq *lr, const struct sip_msg *msg)
{
	if (!lr->retryh || lr->retried)
		return false;

	lr->retried = lr->retryh(msg, &lr->hdrs, lr->retry_arg);

	return lr->retried;
}


/* Send the request again, if its final response says how */
static bool retried(struct lreq *lr, const struct sip_msg *msg)
{
	if (lr->sends >= TRIES)
		return false;

	if (!challenged(lr, msg) && !owner_retries(lr, msg))
		return false;

	return !send_once(lr);
}


static void resp_handler(int err, const struct sip_msg *msg, void *arg)
{
	struct lreq *lr = arg;

	if (!err && msg && msg->scode < 200) {
		if (lr->resph)
			lr->resph(0, msg, lr->arg);
		return;
	}

	if (!err && msg && retried(lr, msg))
		return;

	done(lr, err, msg);
}


static int send_once(struct lreq *lr)
{
	struct body body = {lr->ctype, lr->body};
	struct mbuf *hdrs;
	int err;

	hdrs = mbuf_alloc(512);
	if (!hdrs)
		return ENOMEM;

	err = leg_auth_write(hdrs, lr->leg, lr->met);
	if (!err)
		err = mbuf_printf(hdrs, "%s%c", lr->hdrs ? lr->hdrs : "", 0);
	if (!err)
		err = leg_send(lr->leg, lr->met, lr->maxfwd,
			       (const char *)hdrs->buf,
			       lr->body ? &body : NULL, resp_handler, lr,
			       &lr->req);
	if (!err)
		++lr->sends;

	mem_deref(hdrs);

	return err;
}


static int copy(struct lreq *lr, const char *hdrs, const struct body *body)
{
	int err = 0;

	if (hdrs)
		err |= str_dup(&lr->hdrs, hdrs);
	if (body && body->ctype)
		err |= str_dup(&lr->ctype, body->ctype);
	if (body && body->mb && body->mb->end) {
		lr->body = mbuf_alloc(body->mb->end);
		if (!lr->body)
			return ENOMEM;
		err |= mbuf_write_mem(lr->body, body->mb->buf, body->mb->end);
	}

	return err;
}


/**
 * Send a request on a leg's dialog
 *
 * @param leg    Leg with a dialog
 * @param met    Method
 * @param maxfwd Max-Forwards
 * @param hdrs   More header lines ("Name: value\r\n"...), or NULL
 * @param body   Body, or NULL
 * @param resph  Response handler (provisional and final), or NULL
 * @param arg    Its argument
 * @param lreqp  The request, set to NULL when it ends; or NULL to let
 *               it run on its own
 *
 * @return 0 if success, otherwise errorcode
 */
int lreq_send(struct leg *leg, const char *met, uint32_t maxfwd,
	      const char *hdrs, const struct body *body, sip_resp_h *resph,
	      void *arg, struct lreq **lreqp)
{
	struct lreq *lr;
	int err;

	if (!leg || !leg->dlg || !met)
		return EINVAL;

	lr = mem_zalloc(sizeof(*lr), lreq_destructor);
	if (!lr)
		return ENOMEM;

	lr->leg = mem_ref(leg);
	str_ncpy(lr->met, met, sizeof(lr->met));
	lr->maxfwd = maxfwd;
	lr->resph = resph;
	lr->arg = arg;

	err = copy(lr, hdrs, body);
	if (!err)
		err = send_once(lr);
	if (err) {
		mem_deref(lr);
		return err;
	}

	list_append(&leg->b2b->lreqs, &lr->le, lr);
	if (lreqp) {
		lr->lreqp = lreqp;
		*lreqp = lr;
	}

	return 0;
}


/**
 * Give a request in flight a retry handler
 *
 * @param lr     The request
 * @param retryh Handler, asked once about a final response
 * @param arg    Its argument
 */
void lreq_retry_set(struct lreq *lr, lreq_retry_h *retryh, void *arg)
{
	if (!lr)
		return;

	lr->retryh = retryh;
	lr->retry_arg = arg;
}


/**
 * Cancel an INVITE in flight (CANCEL); its final response still comes
 *
 * @param lr The request
 */
void lreq_cancel(struct lreq *lr)
{
	if (lr && lr->req)
		siptp_request_cancel(lr->req);
}


/**
 * The request now, as it was sent, and where it went (siptp.c's
 * siptp_request_sent())
 *
 * @param lr  The request
 * @param t   Its transport, set
 * @param dst Its next hop's address, set
 *
 * @return the request, NULL if none was sent on an own transport
 */
const struct mbuf *lreq_sent(const struct lreq *lr, enum sip_transp *t,
			     struct sa *dst)
{
	return lr ? siptp_request_sent(lr->req, t, dst) : NULL;
}


/**
 * The owner lets its request go: no handler runs for it any more; an
 * INVITE in flight is cancelled
 *
 * @param lreqp The owner's pointer, set to NULL
 */
void lreq_drop(struct lreq **lreqp)
{
	struct lreq *lr;

	if (!lreqp || !*lreqp)
		return;

	lr = *lreqp;
	*lreqp = NULL;
	lr->lreqp = NULL;
	mem_deref(lr);
}


/**
 * The leg of a request in flight with this Call-ID: a call's legs leave
 * the B2BUA's table when it ends, but its BYEs are still answered
 *
 * @param b2b    B2BUA
 * @param callid Call-ID
 *
 * @return the leg, NULL if no request in flight has it
 */
const struct leg *lreq_leg(const struct b2b *b2b, const struct pl *callid)
{
	for (struct le *le = b2b->lreqs.head; le; le = le->next) {
		const struct lreq *lr = le->data;

		if (!pl_strcmp(callid, lr->leg->callid))
			return lr->leg;
	}

	return NULL;
}
