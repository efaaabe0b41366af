/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file brekey.c  A call made again without its SRTP keys (a restart or
 *                 a takeover, ha_store_keys no): each SRTP leg gets new
 *                 keys in a re-INVITE from the edge
 *
 * The relay made such a side again shut: its media is dropped both ways
 * until it has keys (fails closed). The legs go one after the other
 * (one offer at a time per call: oa_offer_begin()); the offer is the
 * SDP the edge last sent that leg with a new key of ours
 * (oa_rekey_offer()). A 2xx is ACKed and its answer gives the side the
 * leg's key (oa_rekey_answer()); a 491, or an offer of the peer's in
 * flight, tries again GLARE_MS later; any other failure ends the call
 * (cause "ha: re-key failed"), whose media could not flow on that leg
 * again. The other leg never sees any of it.
 */
#include <re.h>
#define DEBUG_MODULE "brekey"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "cfg.h"
#include "b2b_priv.h"
#include "bcall.h"


enum {
	GLARE_MS = 2500,   /**< Again after a 491 (RFC 3261 §14.1) */
};

/** The re-keying of a call's legs */
struct brekey {
	struct bcall *call;       /**< Owner (it holds this)         */
	struct lreq *req;         /**< Our re-INVITE in flight       */
	struct tmr tmr;           /**< Again after a glare           */
	int side;                 /**< The leg being re-keyed        */
};


static void brekey_destructor(void *data)
{
	struct brekey *rk = data;

	tmr_cancel(&rk->tmr);
	lreq_drop(&rk->req);
}


static void fail(struct brekey *rk, const char *why)
{
	struct bcall *call = rk->call;

	DEBUG_WARNING("%s: the %s leg could not be re-keyed: %s\n",
		      oa_id(call->oa), rk->side == B2B_EXT ? "outside" :
		      "inside", why);
	++call->b2b->st.rekey_failed;
	bcall_end(call, "ha: re-key failed");
}


static void resp_handler(int err, const struct sip_msg *msg, void *arg);


/* the offer to the first leg from rk->side on that needs one; ENOENT:
 * none left */
static int send_next(struct brekey *rk)
{
	struct bcall *call = rk->call;

	for (; rk->side < 2; rk->side++) {
		struct leg *leg = call->leg[rk->side];
		struct mbuf *sdp = NULL;
		struct body body = {NULL, NULL};
		int err;

		if (!leg)
			continue;
		if (!oa_offer_begin(call->oa))
			return EBUSY;

		err = oa_rekey_offer(call->oa, rk->side, &sdp);
		if (!err) {
			body.mb = sdp;
			err = lreq_send(leg, "INVITE", 70, NULL, &body,
					resp_handler, rk, &rk->req);
			mem_deref(sdp);
		}
		if (!err)
			return 0;

		oa_offer_done(call->oa);
		if (err != ENOENT)
			return err;
	}

	return ENOENT;
}


static void retry_handler(void *arg);


/* the next leg, or again later; the call ends if it cannot be */
static void next(struct brekey *rk)
{
	int err = send_next(rk);

	if (err == EBUSY)
		tmr_start(&rk->tmr, GLARE_MS, retry_handler, rk);
	else if (err && err != ENOENT)
		fail(rk, "the re-INVITE was not sent");
}


static void retry_handler(void *arg)
{
	next(arg);
}


static void resp_handler(int err, const struct sip_msg *msg, void *arg)
{
	struct brekey *rk = arg;
	struct bcall *call = rk->call;
	struct leg *leg = call->leg[rk->side];

	if (!err && msg && msg->scode < 200)
		return;

	oa_offer_done(call->oa);
	if (!err && msg && msg->scode == 491) {
		tmr_start(&rk->tmr, GLARE_MS, retry_handler, rk);
		return;
	}

	if (err || !msg || msg->scode >= 300) {
		fail(rk, err ? "no response" : "refused");
		return;
	}

	(void)sip_dialog_update(leg->dlg, msg);
	(void)leg_ack(leg, NULL);
	if (oa_rekey_answer(call->oa, rk->side, msg)) {
		fail(rk, oa_why(call->oa));
		return;
	}

	DEBUG_NOTICE("%s: the %s leg re-keyed\n", oa_id(call->oa),
		     rk->side == B2B_EXT ? "outside" : "inside");
	++call->b2b->st.rekeyed;
	++rk->side;
	next(rk);
}


/**
 * Re-key the SRTP legs of a call made again without its keys, if any
 *
 * @param call A confirmed call, just made again
 *
 * @return 0 if success (or nothing to re-key), otherwise errorcode
 */
int brekey_start(struct bcall *call)
{
	struct brekey *rk;

	if (!call || call->rekey)
		return EINVAL;

	rk = mem_zalloc(sizeof(*rk), brekey_destructor);
	if (!rk)
		return ENOMEM;

	rk->call = call;
	tmr_init(&rk->tmr);
	call->rekey = rk;
	next(rk);

	return 0;
}
