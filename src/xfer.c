/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file xfer.c  A transfer the edge makes itself, for a gateway that
 *               cannot take UM's REFER (sip_gw_set ... refer=local)
 *
 * UM's auto attendant transfers a caller to an outside number with a
 * REFER (RFC 3515). When the call's gateway is in a set with
 * refer=local, the REFER never reaches it: the edge makes the transfer
 * call and reports to UM in NOTIFYs with a message/sipfrag body:
 *
 *   UM (referrer)       edge                  transferee     target
 *   REFER  ------->     checks (outnum.c)
 *          <-------     202, NOTIFY 100 Trying
 *                       INVITE, no SDP  -------------------------->
 *          <-------     NOTIFY 180      <------------------------- 180
 *                                       <------------------------- 200
 *                       re-INVITE (the target's offer) ->
 *                                       <- 200 (answer)
 *                       ACK ---------------> ACK (the answer) ---->
 *          <-------     NOTIFY 200 OK, terminated
 *   BYE    ------->     200
 *
 * The call to the target is RFC 3725's flow I: the target offers in its
 * 2xx and the transferee answers in the 2xx to our re-INVITE, through
 * a new relay call whose two sides are outside. The number passes the
 * same toll-fraud guard and routes as UM's own calls out (outnum.c),
 * and the target's gateway set fails over as for those.
 *
 * While the transfer runs, the referrer's leg is the transfer's: its
 * BYE (a blind transfer hangs up at once) is answered and the transfer
 * goes on; other requests get 491. A failed transfer gives the leg back
 * to the call with a final NOTIFY, or, if UM is gone, ends the call.
 * Once bridged, the call's inside place holds the target's leg, the
 * record so far is written ("transferred"), and the call goes on with
 * "direction":"transfer"; UM's leg gets a BYE if UM does not hang up.
 */
#include <string.h>
#include <re.h>
#define DEBUG_MODULE "xfer"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "cfg.h"
#include "hset.h"
#include "outnum.h"
#include "b2b_priv.h"
#include "bcall.h"


enum {
	RING_MS = 120000,   /**< The target rings this long at most     */
	BYE_MS  = 32000,    /**< UM hangs up within this, or gets a BYE */
};

/** Where a transfer is */
enum xfer_state {
	XFER_CALLING = 0,   /**< INVITE to the target                  */
	XFER_BRIDGING,      /**< re-INVITE to the transferee           */
	XFER_DONE,          /**< Bridged; UM's leg waits for its BYE   */
};

/** A transfer the edge makes */
struct xfer {
	struct bcall *call;         /**< The call (its owner)            */
	struct leg *um;             /**< Referrer's leg (referenced)     */
	struct leg *tgt;            /**< Target's leg, or NULL           */
	struct hset *hosts;         /**< Target's gateway set (ref)      */
	const struct hhost *host;   /**< Gateway tried now               */
	uint32_t tried;             /**< Gateways tried (bits)           */
	struct lreq *ireq;          /**< Our INVITE to the target        */
	struct lreq *reinv;         /**< Our re-INVITE to the transferee */
	struct oa *oa;              /**< The new relay call              */
	struct mbuf *offer;         /**< Target's offer, for transferee  */
	struct tmr tmr;             /**< No answer, ringing, UM's BYE    */
	char num[CFG_NUM_MAX];      /**< The target's number             */
	uint32_t id;                /**< REFER's CSeq: the Event id      */
	enum xfer_state state;      /**< See enum xfer_state             */
	bool provisional;           /**< A 1xx came from the target      */
	bool um_gone;               /**< UM hung up                      */
};


static void target_drop(struct xfer *x)
{
	struct leg *t = x->tgt;

	if (!t)
		return;

	x->tgt = NULL;
	if (t->dlg && sip_dialog_established(t->dlg)) {
		if (!t->confirmed)
			(void)leg_ack(t, NULL);
		(void)lreq_send(t, "BYE", 70, NULL, NULL, NULL, NULL, NULL);
	}

	leg_detach(t);
	mem_deref(t);
}


/* UM's leg, once the call is no longer its own: BYE unless UM hung up */
static void referrer_drop(struct xfer *x)
{
	struct leg *u = x->um;

	if (!u)
		return;

	x->um = NULL;
	if (!x->um_gone)
		(void)lreq_send(u, "BYE", 70, NULL, NULL, NULL, NULL, NULL);

	leg_detach(u);
	mem_deref(u);
}


static void xfer_destructor(void *data)
{
	struct xfer *x = data;

	tmr_cancel(&x->tmr);
	lreq_drop(&x->ireq);
	lreq_drop(&x->reinv);
	target_drop(x);
	if (x->state == XFER_DONE)
		referrer_drop(x);
	mem_deref(x->um);
	mem_deref(x->hosts);
	mem_deref(x->oa);
	mem_deref(x->offer);
}


/* NOTIFY with the target's progress as a sipfrag (RFC 3515 §2.4.5) */
static void notify(struct xfer *x, uint16_t scode, const char *reason,
		   bool final)
{
	struct body body = {"message/sipfrag;version=2.0", NULL};
	struct mbuf *mb;
	char hdrs[128];

	if (x->um_gone || !x->um)
		return;

	mb = mbuf_alloc(64);
	if (!mb)
		return;

	(void)re_snprintf(hdrs, sizeof(hdrs),
			  "Event: refer;id=%u\r\nSubscription-State: %s\r\n",
			  x->id, final ? "terminated;reason=noresource" :
			  "active;expires=60");
	body.mb = mb;
	if (!mbuf_printf(mb, "SIP/2.0 %u %s\r\n", scode, reason))
		(void)lreq_send(x->um, "NOTIFY", 70, hdrs, &body, NULL, NULL,
				NULL);

	mem_deref(mb);
}


/* The transfer failed: UM learns how, and has its call back; if UM is
 * gone, the transferee is left alone and the call ends */
static void fail(struct xfer *x, uint16_t scode, const char *reason)
{
	struct bcall *call = x->call;
	bool gone = x->um_gone;

	DEBUG_NOTICE("%s: transfer to %s failed: %u %s\n", oa_id(call->oa),
		     x->num, scode, reason);
	++call->b2b->st.xfers_failed;
	notify(x, scode, reason, true);
	if (x->state == XFER_BRIDGING)
		oa_offer_done(call->oa);

	call->xfer = NULL;
	if (!gone)
		bcall_leg_adopt(call, x->um);
	mem_deref(x);

	if (gone) {
		bcall_bye_send(call, B2B_EXT);
		bcall_end(call, "transfer failed, UM gone");
	}
}


/* A request on a leg the transfer holds: true for a BYE (answered);
 * an ACK is taken, anything else waits (491) */
static bool bye_taken(struct leg *leg, const struct sip_msg *msg)
{
	struct siptp *sip = leg->b2b->tp[leg->side];

	if (!pl_strcmp(&msg->met, "ACK"))
		return false;

	if (pl_strcmp(&msg->met, "BYE")) {
		(void)siptp_treply(NULL, sip, msg, 491, "Request Pending");
		return false;
	}

	(void)siptp_treply(NULL, sip, msg, 200, "OK");

	return true;
}


/* UM's leg while the transfer runs and after */
static void referrer_handler(struct leg *leg, const struct sip_msg *msg,
			     void *arg)
{
	struct xfer *x = arg;

	if (!bye_taken(leg, msg))
		return;

	x->um_gone = true;
	if (x->state == XFER_DONE) {
		tmr_cancel(&x->tmr);
		referrer_drop(x);
	}
	else {
		leg_detach(leg);
	}
}


/* The target's leg before the bridge: its BYE ends the transfer */
static void target_handler(struct leg *leg, const struct sip_msg *msg,
			   void *arg)
{
	struct xfer *x = arg;

	if (!bye_taken(leg, msg))
		return;

	x->tgt = NULL;
	leg_detach(leg);
	mem_deref(leg);
	fail(x, 487, "Request Terminated");
}


static void um_bye(void *arg)
{
	struct xfer *x = arg;

	DEBUG_NOTICE("%s: UM did not hang up after the transfer\n",
		     oa_id(x->call->oa));
	referrer_drop(x);
}


/* The call goes on between the transferee and the target: UM's place
 * and relay call are the target's now */
static void bridge(struct xfer *x)
{
	struct bcall *call = x->call;
	struct leg *a = call->leg[B2B_EXT], *t = x->tgt;

	++call->b2b->st.xfers;
	brec_write(call, "transferred");

	if (call->aside == B2B_INT) {
		str_ncpy(call->from_user, call->user, sizeof(call->from_user));
		call->from_name[0] = '\0';
	}
	str_ncpy(call->user, x->num, sizeof(call->user));
	str_ncpy(call->to_user, x->num, sizeof(call->to_user));
	call->chain[0] = '\0';
	btry_chain_add(call, "transfer", hhost_name(x->host));

	mem_deref(call->leg[B2B_INT]);
	call->leg[B2B_INT] = t;
	x->tgt = NULL;
	leg_pair(a, t);
	bcall_leg_adopt(call, t);

	mem_deref(call->oa);
	call->oa = x->oa;
	x->oa = NULL;
	mem_deref(call->hosts);
	call->hosts = mem_ref(x->hosts);
	call->media[B2B_INT] = hset_media(x->hosts);
	call->host = x->host;
	call->slot = mem_deref(call->slot);
	call->aside = B2B_EXT;
	call->xferred = true;
	call->t_start = call->t_answer = bcall_unix_ms();

	x->state = XFER_DONE;
	DEBUG_NOTICE("%s: transferred to %s via %s\n", oa_id(call->oa),
		     x->num, hhost_name(x->host));
	notify(x, 200, "OK", true);
	if (x->um_gone)
		referrer_drop(x);
	else
		tmr_start(&x->tmr, BYE_MS, um_bye, x);
}


/* The transferee answered our re-INVITE: the answer goes to the target
 * in our ACK to its 2xx */
static void reinvite_resp(int err, const struct sip_msg *msg, void *arg)
{
	struct xfer *x = arg;
	struct leg *a = x->call->leg[B2B_EXT];
	struct body answer = {NULL, NULL};
	struct mbuf *sdp = NULL;
	char reason[64] = "Request Timeout";

	if (!err && msg && msg->scode < 200)
		return;

	oa_offer_done(x->call->oa);
	if (err || !msg || msg->scode >= 300) {
		if (msg)
			(void)pl_strcpy(&msg->reason, reason, sizeof(reason));
		fail(x, msg ? msg->scode : 408, reason);
		return;
	}

	(void)sip_dialog_update(a->dlg, msg);
	(void)leg_ack(a, NULL);
	if (!oa_has_sdp(msg) || oa_sdp(x->oa, a->slot, false, msg, &sdp)) {
		fail(x, 488, "Not Acceptable Here");
		return;
	}

	answer.mb = sdp;
	(void)leg_ack(x->tgt, &answer);
	mem_deref(sdp);
	bridge(x);
}


/* The relay call the transfer bridges the media on: both sides out */
static int relay_new(struct xfer *x)
{
	const struct b2b *b2b = x->call->b2b;
	const enum cfg_media media[2] = {
		x->call->media[B2B_EXT], hset_media(x->hosts)
	};
	char iface[2][CFG_NAME_MAX];

	str_ncpy(iface[0], b2b->iface[B2B_EXT], sizeof(iface[0]));
	str_ncpy(iface[1], b2b->iface[B2B_EXT], sizeof(iface[1]));

	return oa_alloc(&x->oa, b2b->relay, b2b->cfg->keys,
			(const char (*)[CFG_NAME_MAX])iface, media);
}


/* The target answered with its offer: the transferee gets it in a
 * re-INVITE */
static void answered(struct xfer *x, const struct sip_msg *msg)
{
	struct bcall *call = x->call;
	struct body offer = {NULL, NULL};

	if (x->state != XFER_CALLING)
		return;

	if (sip_dialog_create(x->tgt->dlg, msg)) {
		fail(x, 502, "Bad Gateway");
		return;
	}

	if (!oa_has_sdp(msg) || relay_new(x) ||
	    oa_sdp(x->oa, x->tgt->slot, true, msg, &x->offer)) {
		fail(x, 488, "Not Acceptable Here");
		return;
	}

	if (!oa_offer_begin(call->oa)) {
		fail(x, 491, "Request Pending");
		return;
	}

	x->state = XFER_BRIDGING;
	offer.mb = x->offer;
	if (lreq_send(call->leg[B2B_EXT], "INVITE", 70, NULL, &offer,
		      reinvite_resp, x, &x->reinv)) {
		oa_offer_done(call->oa);
		fail(x, 500, "Server Internal Error");
	}
}


static int try_next(struct xfer *x);


/* An attempt failed: fo is the failure as the set's failover sees it
 * (0: none came), scode and reason what UM is told otherwise */
static void attempt_failed(struct xfer *x, uint16_t fo, uint16_t scode,
			   const char *reason)
{
	if (!x->provisional && hset_gives_way(x->hosts, fo)) {
		if (!try_next(x))
			return;

		scode = 503;
		reason = "Service Unavailable";
	}

	/* a challenge that gets here was not answered: not UM's problem */
	if (scode == 401 || scode == 407) {
		scode = 403;
		reason = "Forbidden";
	}

	fail(x, scode, reason);
}


static void timeout(void *arg)
{
	struct xfer *x = arg;

	lreq_drop(&x->ireq);
	attempt_failed(x, 0, 408, "Request Timeout");
}


static void invite_resp(int err, const struct sip_msg *msg, void *arg)
{
	struct xfer *x = arg;
	char reason[64];

	tmr_cancel(&x->tmr);
	if (err || !msg) {
		attempt_failed(x, 0, err == ETIMEDOUT ? 408 : 503,
			       err == ETIMEDOUT ? "Request Timeout" :
			       "Service Unavailable");
		return;
	}

	x->tgt->raddr = msg->src;
	(void)leg_rtag_learn(x->tgt, &msg->to.tag);

	if (msg->scode < 200) {
		tmr_start(&x->tmr, RING_MS, timeout, x);
		if (msg->scode > 100 && !x->provisional)
			notify(x, msg->scode, msg->scode == 180 ? "Ringing" :
			       "Session Progress", false);
		x->provisional = msg->scode > 100 || x->provisional;
		return;
	}

	if (msg->scode < 300) {
		answered(x, msg);
		return;
	}

	(void)pl_strcpy(&msg->reason, reason, sizeof(reason));
	attempt_failed(x, msg->scode, msg->scode, reason);
}


/* Who the target sees calling: the transferee */
static int dial(struct xfer *x, const char *uri, const char *to)
{
	const struct bcall *call = x->call;
	bool caller = call->aside == B2B_EXT;
	int err;

	err = leg_alloc(&x->tgt, call->b2b, B2B_EXT, target_handler, NULL,
			x);
	if (err)
		goto out;

	x->tgt->slot = B2B_INT;
	leg_cred_set(x->tgt, hhost_auth(x->host));
	err = leg_dial(x->tgt, uri, to, caller ? call->from_user : call->user,
		       caller ? call->from_name : NULL);
	if (err)
		goto out;

	err = lreq_send(x->tgt, "INVITE", 70, NULL, NULL, invite_resp, x,
			&x->ireq);
	if (!err)
		tmr_start(&x->tmr, B2B_NORESP_MS, timeout, x);

 out:
	return err;
}


/* The next gateway of the target's set: ENOENT when none is left */
static int try_next(struct xfer *x)
{
	char uri[B2B_URI_MAX], to[B2B_URI_MAX];
	int err;

	for (;;) {
		target_drop(x);
		x->provisional = false;
		x->host = hset_pick(x->hosts, &x->tried);
		if (!x->host)
			return ENOENT;

		hhost_uri(uri, sizeof(uri), x->host, x->num);
		(void)re_snprintf(to, sizeof(to), "sip:%s@%s", x->num,
				  hhost_name(x->host));
		err = dial(x, uri, to);
		if (!err)
			return 0;

		DEBUG_WARNING("transfer: INVITE to %s not sent: %m\n", uri,
			      err);
	}
}


/**
 * Tell whether the edge makes a REFER's transfer itself: a REFER from
 * UM in a call whose gateway is in a set with refer=local
 *
 * @param call Call
 * @param leg  Leg the request came on
 * @param msg  The request
 *
 * @return true if xfer_start() takes it
 */
bool xfer_local(const struct bcall *call, const struct leg *leg,
		const struct sip_msg *msg)
{
	const struct leg *ext = call->leg[B2B_EXT];
	const struct cfg_host *gw;

	if (pl_strcmp(&msg->met, "REFER") || leg->side != B2B_INT || !ext ||
	    call->xferred)
		return false;

	gw = hhost_cfg(call->aside == B2B_INT ? call->host :
		       hset_host_find(&call->b2b->gwsets, &ext->raddr));

	return gw && gw->set && gw->set->refer == CFG_REFER_LOCAL;
}


/* The REFER's target, checked as UM's calls out are: the set, or a
 * refusal sent */
static struct hset *target_check(struct bcall *call, struct leg *leg,
				 const struct sip_msg *msg, char *num,
				 size_t sz)
{
	const struct sip_hdr *hdr = sip_msg_hdr(msg, SIP_HDR_REFER_TO);
	struct outnum_refusal r;
	struct sip_addr to;
	struct hset *hs;

	if (call->xfer || call->state != BCALL_CONFIRMED) {
		leg_answer(leg, msg, 491, "Request Pending", NULL);
		return NULL;
	}

	if (!hdr || sip_addr_decode(&to, &hdr->val)) {
		leg_answer(leg, msg, 400, "Bad Refer-To", NULL);
		return NULL;
	}

	if (pl_isset(&to.uri.headers)) {
		leg_answer(leg, msg, 501, "Not Implemented",
		      "no attended transfer with refer=local");
		return NULL;
	}

	hs = outnum_route(call->b2b, msg, &to.uri, num, sz, &r);
	if (!hs) {
		DEBUG_NOTICE("%s: transfer to '%s' refused with %u: %s\n",
			     oa_id(call->oa), num, r.scode, r.why);
		leg_answer(leg, msg, r.scode, r.reason, r.why);
	}

	return hs;
}


/**
 * UM's REFER, for the edge to carry out (refer=local)
 *
 * @param call Call
 * @param leg  UM's leg, which the REFER came on
 * @param msg  The REFER
 */
void xfer_start(struct bcall *call, struct leg *leg,
		const struct sip_msg *msg)
{
	char num[CFG_NUM_MAX] = "";
	struct hset *hs;
	struct xfer *x;

	hs = target_check(call, leg, msg, num, sizeof(num));
	if (!hs)
		return;

	x = mem_zalloc(sizeof(*x), xfer_destructor);
	if (!x) {
		leg_answer(leg, msg, 500, "Server Internal Error", NULL);
		return;
	}

	x->call = call;
	x->um = mem_ref(leg);
	x->hosts = mem_ref(hs);
	x->id = msg->cseq.num;
	str_ncpy(x->num, num, sizeof(x->num));
	call->xfer = x;
	leg_owner_set(leg, referrer_handler, NULL, x);

	DEBUG_NOTICE("%s: UM transfers the call to %s (set %s, refer=local)\n",
		     oa_id(call->oa), num, hset_name(hs));
	leg_answer(leg, msg, 202, "Accepted", NULL);
	notify(x, 100, "Trying", false);

	if (try_next(x))
		fail(x, 503, "Service Unavailable");
}
