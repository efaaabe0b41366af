/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file stleg.c  RFC 4028 session timers: one timer per leg
 *
 * Each leg with a negotiated interval has a timer (struct stimer,
 * owned by the leg and freed when its owner lets it go). Where umedge
 * refreshes, it sends a refresh at half the interval on that leg only,
 * never relayed: an UPDATE without a body if the peer allows UPDATE,
 * else a re-INVITE with the SDP umedge last sent that leg, unchanged
 * (oa.c). A 2xx re-arms; 422 is retried higher (lreq.c); 491 a little
 * later; 501 or 405 to an UPDATE falls back to re-INVITE; 408, 481 or
 * no response ends the session at once, and any other failure when the
 * interval runs out. Where the peer refreshes, the timer gives up at
 * the interval less min(32 s, a third); a refresh from the peer, or a
 * 2xx to any re-INVITE or UPDATE on the leg, re-arms it. The owner
 * learns of a session that ended through its handler.
 *
 * A refresh from the peer that changes nothing (an UPDATE without a
 * body, a re-INVITE whose SDP has the o= line it sent last) is answered
 * here with 200 and Session-Expires (the re-INVITE with the SDP umedge
 * last sent that leg): the other leg keeps its own timer and never
 * sees it.
 */
#include <string.h>
#include <re.h>
#define DEBUG_MODULE "stimer"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "cfg.h"
#include "b2b_priv.h"
#include "stimer.h"


enum {
	GLARE_MS = 3000,   /**< 491 to our refresh: again after (RFC 3261
			        §14.1: 2.1 to 4 s)                    */
};

/** The session timer of a leg */
struct stimer {
	struct leg *leg;            /**< Its leg (the owner)             */
	struct oa *oa;              /**< The call's offer/answer         */
	stimer_end_h *endh;         /**< The session is over             */
	void *arg;                  /**< Its argument                    */
	struct tmr tmr;             /**< Refresh or expiry               */
	struct tmr retry;           /**< Our refresh again, after glare  */
	struct lreq *req;           /**< Our refresh in flight, or NULL  */
	struct stimer_neg neg;      /**< Interval and who refreshes      */
	bool update;                /**< The peer allows UPDATE          */
	bool invite;                /**< Our refresh is a re-INVITE      */
	bool failing;               /**< Our refresh failed: expiry left */
};


static void stimer_destructor(void *data)
{
	struct stimer *st = data;

	tmr_cancel(&st->tmr);
	tmr_cancel(&st->retry);
	if (st->req && st->invite)
		oa_offer_done(st->oa);
	lreq_drop(&st->req);
}


static void timeout(void *arg);


static void expire(struct stimer *st, const char *why)
{
	DEBUG_NOTICE("%s: session on the %s leg over: %s\n", oa_id(st->oa),
		     st->leg->side == B2B_EXT ? "outside" : "inside", why);

	tmr_cancel(&st->tmr);
	tmr_cancel(&st->retry);
	if (st->endh)
		st->endh(st->leg, st->arg);
}


/* Our refresh failed without ending the dialog: the session lasts until
 * the interval runs out */
static void failing(struct stimer *st)
{
	uint64_t left = stimer_expire_ms(st->neg.interval) -
		stimer_refresh_ms(st->neg.interval);

	st->failing = true;
	tmr_start(&st->tmr, left, timeout, st);
}


static void refresh_resp_handler(int err, const struct sip_msg *msg,
				 void *arg);


static int refresh_send(struct stimer *st)
{
	struct body body = {NULL, oa_sent(st->oa, st->leg->slot)};
	struct stimer_req req = {
		true, {st->neg.interval, STIMER_UAC},
		st->leg->b2b->cfg->sip.min_se, true
	};
	char hdrs[128];
	int err;

	st->invite = !st->update;
	if (st->invite && (!body.mb || !oa_offer_begin(st->oa)))
		return EBUSY;

	(void)re_snprintf(hdrs, sizeof(hdrs), "Supported: timer\r\n%H",
			  stimer_req_print, &req);
	err = lreq_send(st->leg, st->invite ? "INVITE" : "UPDATE", 70, hdrs,
			st->invite ? &body : NULL, refresh_resp_handler, st,
			&st->req);
	if (err) {
		if (st->invite)
			oa_offer_done(st->oa);
		return err;
	}

	lreq_retry_set(st->req, stimer_retry, NULL);
	++st->leg->b2b->st.st_refresh;

	return 0;
}


/* Glare (491, or a relayed offer in flight): our refresh goes again a
 * little later; the session still ends when its interval runs out */
static void retry_handler(void *arg)
{
	struct stimer *st = arg;

	if (st->req)
		return;

	if (refresh_send(st) == EBUSY)
		tmr_start(&st->retry, GLARE_MS, retry_handler, st);
}


static void arm(struct stimer *st)
{
	tmr_cancel(&st->retry);
	st->failing = false;
	tmr_start(&st->tmr, st->neg.local ?
		  stimer_refresh_ms(st->neg.interval) :
		  stimer_expire_ms(st->neg.interval), timeout, st);
}


static void timeout(void *arg)
{
	struct stimer *st = arg;
	int err;

	if (!st->neg.local || st->failing) {
		expire(st, st->failing ? "refresh failed" : "no refresh");
		return;
	}

	/* a 2xx re-arms; until then the session ends when its interval
	 * runs out */
	failing(st);
	err = refresh_send(st);
	if (err == EBUSY)
		tmr_start(&st->retry, GLARE_MS, retry_handler, st);
	else if (err)
		DEBUG_WARNING("%s: refresh not sent: %m\n", oa_id(st->oa), err);
}


static void refresh_resp_handler(int err, const struct sip_msg *msg,
				 void *arg)
{
	struct stimer *st = arg;
	bool invite = st->invite;

	if (!err && msg && msg->scode < 200)
		return;

	if (invite)
		oa_offer_done(st->oa);

	if (err || !msg || msg->scode == 408 || msg->scode == 481) {
		expire(st, err ? "no response to our refresh" :
		       "refresh refused");
		return;
	}

	if (msg->scode < 300) {
		(void)sip_dialog_update(st->leg->dlg, msg);
		if (invite)
			(void)leg_ack(st->leg, NULL);
		stimer_refreshed(st->leg, msg, false);
		return;
	}

	if (msg->scode == 491) {
		tmr_start(&st->retry, GLARE_MS, retry_handler, st);
		return;
	}

	if (!invite && (msg->scode == 501 || msg->scode == 405)) {
		st->update = false;
		if (!refresh_send(st))
			return;
	}

	DEBUG_WARNING("%s: refresh answered %u\n", oa_id(st->oa),
		      msg->scode);
}


/**
 * Give a leg a session timer, or take it away (no interval); it runs
 * from stimer_start()
 *
 * @param leg    Leg
 * @param neg    Interval and who refreshes
 * @param update The peer allows UPDATE
 * @param oa     The call's offer/answer (outlives the leg's timer)
 * @param endh   The session is over
 * @param arg    Its argument
 *
 * @return 0 if success, otherwise errorcode
 */
int stimer_attach(struct leg *leg, const struct stimer_neg *neg,
		  bool update, struct oa *oa, stimer_end_h *endh, void *arg)
{
	struct stimer *st;

	if (!leg || !neg)
		return EINVAL;

	if (!neg->interval) {
		leg->stimer = mem_deref(leg->stimer);
		return 0;
	}

	st = leg->stimer;
	if (!st) {
		st = mem_zalloc(sizeof(*st), stimer_destructor);
		if (!st)
			return ENOMEM;
		tmr_init(&st->tmr);
		tmr_init(&st->retry);
		leg->stimer = st;
	}

	st->leg = leg;
	st->oa = oa;
	st->endh = endh;
	st->arg = arg;
	st->neg = *neg;
	st->update = update;

	return 0;
}


/**
 * Start (or restart) a leg's session timer: its dialog is confirmed,
 * or refreshed
 *
 * @param leg Leg
 */
void stimer_start(struct leg *leg)
{
	if (leg && leg->stimer)
		arm(leg->stimer);
}


/**
 * Read a leg's session timer (to store it)
 *
 * @param leg    Leg
 * @param neg    Its interval and who refreshes
 * @param update Whether the peer allows UPDATE
 *
 * @return true if the leg has one
 */
bool stimer_get(const struct leg *leg, struct stimer_neg *neg, bool *update)
{
	if (!leg || !leg->stimer || !neg || !update)
		return false;

	*neg = leg->stimer->neg;
	*update = leg->stimer->update;

	return true;
}


/**
 * Start a restored leg's timer: where umedge refreshes, the first
 * refresh goes after first_ms (the peer's expiry counts from before the
 * restore); where the peer does, a whole interval counts from now
 *
 * @param leg      Leg with a timer (stimer_attach())
 * @param first_ms When our first refresh goes
 */
void stimer_resume(struct leg *leg, uint32_t first_ms)
{
	struct stimer *st = leg ? leg->stimer : NULL;

	if (!st)
		return;

	if (!st->neg.local) {
		arm(st);
		return;
	}

	st->failing = false;
	tmr_start(&st->tmr, first_ms, timeout, st);
}


/**
 * Print the Session-Expires of umedge's 2xx on the leg
 *
 * @param pf  Print handler
 * @param leg Leg
 *
 * @return 0 if success, otherwise errorcode
 */
int stimer_hdrs(struct re_printf *pf, const struct leg *leg)
{
	if (!leg || !leg->stimer)
		return 0;

	return stimer_resp_print(pf, &leg->stimer->neg);
}


/**
 * A 2xx to a refresh on the leg, sent (uas) or received: it re-arms
 * the leg's timer, with what a received 2xx says
 *
 * @param leg Leg
 * @param msg The 2xx received, or NULL
 * @param uas umedge sent the 2xx
 */
void stimer_refreshed(struct leg *leg, const struct sip_msg *msg, bool uas)
{
	struct stimer *st = leg ? leg->stimer : NULL;
	struct stimer_req resp;
	struct stimer_neg neg;

	if (!st)
		return;

	if (!uas && msg && !stimer_req_decode(&resp, msg) && resp.has_se) {
		stimer_uac_negotiate(&neg, &resp);
		if (neg.interval)
			st->neg = neg;
	}

	arm(st);
}


/* umedge's own answer to a refresh from the peer */
static void answer(struct stimer *st, const struct sip_msg *msg,
		   uint16_t scode, const char *reason, const char *hdrs,
		   const struct mbuf *sdp)
{
	struct body body = {NULL, sdp};

	(void)leg_answer_hdrs(st->leg, msg, scode, reason, hdrs,
			      sdp ? &body : NULL);
}


/* A refresh that changes nothing is umedge's to answer: an UPDATE
 * without a body, a re-INVITE that repeats the peer's last SDP */
static bool unchanged(const struct stimer *st, const struct sip_msg *msg,
		      bool invite)
{
	if (!invite)
		return !mbuf_get_left(msg->mb);

	return oa_same_origin(st->oa, st->leg->slot, msg) &&
		oa_sent(st->oa, st->leg->slot);
}


/**
 * A re-INVITE or UPDATE from the peer on a leg with a session timer: it
 * takes what the request says and re-arms the timer; a request that
 * changes nothing it answers itself
 *
 * @param leg Leg it came on
 * @param msg The request
 *
 * @return true if it was answered here, false to relay it
 */
bool stimer_refresh_take(struct leg *leg, const struct sip_msg *msg)
{
	struct stimer *st = leg ? leg->stimer : NULL;
	const struct cfg_sip *cfg;
	struct stimer_req req;
	struct stimer_neg neg;
	char hdrs[96];
	bool invite;

	if (!st || !msg || (pl_strcmp(&msg->met, "UPDATE") &&
			    pl_strcmp(&msg->met, "INVITE")))
		return false;

	invite = !pl_strcmp(&msg->met, "INVITE");
	if (invite && st->req && st->invite) {
		answer(st, msg, 491, "Request Pending", NULL, NULL);
		return true;
	}

	cfg = &leg->b2b->cfg->sip;
	if (stimer_req_decode(&req, msg)) {
		answer(st, msg, 400, "Bad Session-Expires", NULL, NULL);
		return true;
	}
	if (stimer_uas_negotiate(&neg, &req, cfg->session_expires,
				 cfg->min_se) == EPROTO) {
		(void)re_snprintf(hdrs, sizeof(hdrs), "Min-SE: %u\r\n",
				  neg.minse);
		answer(st, msg, 422, "Session Interval Too Small", hdrs, NULL);
		return true;
	}

	if (neg.interval)
		st->neg = neg;
	arm(st);

	if (!unchanged(st, msg, invite))
		return false;

	(void)sip_dialog_update(leg->dlg, msg);
	(void)re_snprintf(hdrs, sizeof(hdrs), "%H", stimer_resp_print,
			  &st->neg);
	answer(st, msg, 200, "OK", hdrs,
	       invite ? oa_sent(st->oa, leg->slot) : NULL);

	return true;
}
