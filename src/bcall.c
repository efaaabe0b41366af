/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file bcall.c  A call through the edge, in either direction: the
 *                caller's INVITE, the answer, CANCEL and BYE
 *
 *   caller             edge                      callee's hosts
 *   INVITE  ------->   100 Trying
 *                      offer via the relay --->  INVITE (new dialog)
 *           <-------   18x (answer via relay) <-- 18x
 *           <-------   200 (answer via relay) <-- 200, ACK --->
 *   ACK     ------->
 *   BYE     ------->   200, BYE            --->
 *
 * The caller is a gateway outside (the callee's hosts are the UM
 * hosts, whose 3xx the edge follows) or UM inside (the callee's hosts
 * are the gateway set its number routes to). The two directions are
 * one flow: only the side of the caller and the set of hosts differ.
 * Neither side sees the other's addresses or Call-IDs. How the callee
 * leg is tried, redirected and failed over is btry.c; the record is
 * brec.c. Every path that ends a call deletes its relay allocation
 * (with its offer/answer state, oa.c) and writes its record.
 */
#include <string.h>
#include <time.h>
#include <re.h>
#define DEBUG_MODULE "call"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "cfg.h"
#include "hset.h"
#include "passhdr.h"
#include "b2b_priv.h"
#include "prack.h"
#include "bcall.h"
#include "stimer.h"


/** @return the wall clock in Unix ms */
uint64_t bcall_unix_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);

	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}


static void bcall_destructor(void *data)
{
	struct bcall *call = data;

	dte_cancel(&call->noresp);
	dte_cancel(&call->setup_t);
	call->xfer = mem_deref(call->xfer);
	call->rekey = mem_deref(call->rekey);
	lreq_drop(&call->ireq);
	list_unlink(&call->le);
	hash_unlink(&call->he);
	list_flush(&call->xreqs);
	list_flush(&call->targets);
	for (int s = 0; s < 2; s++) {
		leg_detach(call->leg[s]);
		mem_deref(call->leg[s]);
	}
	mem_deref(call->hdrs);
	mem_deref(call->offer);
	mem_deref(call->answer);
	mem_deref(call->hosts);
	mem_deref(call->slot);
	mem_deref(call->oa);
}


/**
 * A new call in the B2BUA's list, its caller on a side
 *
 * @param b2b   B2BUA
 * @param aside The caller's side
 *
 * @return the call (the list's; bcall_end() ends it), NULL if out of
 *         memory
 */
struct bcall *bcall_new(struct b2b *b2b, enum b2b_side aside)
{
	struct bcall *call = mem_zalloc(sizeof(*call), bcall_destructor);

	if (!call)
		return NULL;

	call->b2b = b2b;
	call->aside = aside;
	call->t_start = bcall_unix_ms();
	list_append(&b2b->calls, &call->le, call);

	return call;
}


/**
 * Enter a call in the B2BUA's table by its relay id (once it has one)
 *
 * @param call Call with its offer/answer state
 */
void bcall_id_link(struct bcall *call)
{
	hash_append(call->b2b->callids, hash_joaat_str(oa_id(call->oa)),
		    &call->he, call);
}


static bool id_cmp(struct le *le, void *arg)
{
	const struct bcall *call = le->data;

	return !strcmp(oa_id(call->oa), arg);
}


/**
 * Find a call by its relay id
 *
 * @param b2b B2BUA
 * @param id  The relay id
 *
 * @return the call, NULL if none
 */
struct bcall *bcall_find(const struct b2b *b2b, const char *id)
{
	return list_ledata(hash_lookup(b2b->callids, hash_joaat_str(id),
				       id_cmp, (void *)id));
}


static struct siptp *stack(const struct bcall *call, enum b2b_side side)
{
	return call->b2b->tp[side];
}


static int media(struct bcall *call, bool offer, const struct sip_msg *msg,
		 struct mbuf **outp)
{
	return oa_sdp(call->oa, offer ? call->aside : !call->aside, offer,
		      msg, outp);
}


/* a call that ends before an answer, the caller told scode */
static void failed_count(struct bcall *call, uint16_t scode)
{
	struct b2b_stats *st = &call->b2b->st;

	++st->failed;
	++st->failed_code[call->aside][b2b_code_index(scode)];
}


/**
 * Final answer to the caller's INVITE, unless it had one; the call ends
 *
 * @param call   Call
 * @param scode  Status code
 * @param reason Reason phrase
 * @param cause  Cause, for the log and the record
 */
void bcall_fail(struct bcall *call, uint16_t scode, const char *reason,
		const char *cause)
{
	struct leg *a = bcall_caller(call);

	if (a->st)
		(void)prack_reply(a->rel, a, scode, reason, NULL, NULL);

	failed_count(call, scode);
	bcall_end(call, cause);
}


/**
 * A 1xx from the callee
 *
 * @param call Call
 * @param msg  The response
 */
void bcall_provisional(struct bcall *call, const struct sip_msg *msg)
{
	struct leg *b = bcall_callee(call);
	char reason[64];
	bool early_sdp;

	call->provisional = true;
	if (msg->scode == 100)
		return;

	if (pl_isset(&msg->to.tag) && !sip_dialog_established(b->dlg) &&
	    !sip_dialog_create(b->dlg, msg))
		b->early = true;

	/* a reliable 1xx is PRACKed on the callee's leg; its repeats and
	 * those out of order go no further */
	if (prack_1xx(&b->rel, b, msg) != PRACK_RELAY)
		return;

	/* an offer in an unreliable 1xx (delayed offer) is not one
	 * (RFC 3261 §13.2.1): it waits for the 2xx */
	early_sdp = oa_has_sdp(msg) && !call->late;
	if (early_sdp && media(call, false, msg, &call->answer))
		return;

	call->state = BCALL_EARLY;
	(void)pl_strcpy(&msg->reason, reason, sizeof(reason));
	(void)prack_reply(bcall_caller(call)->rel, bcall_caller(call),
			  msg->scode, reason, NULL,
			  early_sdp ? call->answer : NULL);
}


/**
 * BYE on a side's dialog, if it is established
 *
 * @param call Call
 * @param side Side
 */
void bcall_bye_send(struct bcall *call, enum b2b_side side)
{
	struct leg *leg = call->leg[side];

	if (!leg || !leg->dlg || !sip_dialog_established(leg->dlg))
		return;

	if (oa_ack_cancel(call->oa, side))
		(void)leg_ack(leg, NULL);

	(void)lreq_send(leg, "BYE", 70, NULL, NULL, NULL, NULL, NULL);
}


/* The SDP of the callee's 2xx for the caller: the answer to the
 * caller's offer, or with a delayed offer the offer itself, whose
 * answer comes in the caller's ACK (late_ack) */
static int answer_sdp(struct bcall *call, const struct sip_msg *msg)
{
	if (!call->late)
		return oa_has_sdp(msg) ?
			media(call, false, msg, &call->answer) : 0;

	if (!oa_has_sdp(msg))
		return EPROTO;

	return oa_sdp(call->oa, !call->aside, true, msg, &call->answer);
}


/**
 * End the call on the edge's own decision (a drain that timed out):
 * BYE on both legs once answered, else 503 to the caller, whose
 * callee's INVITE is cancelled with the request
 *
 * @param call  Call
 * @param cause Cause, for the log and the record
 */
void bcall_hangup(struct bcall *call, const char *cause)
{
	if (!call->t_answer) {
		bcall_fail(call, 503, "Service Unavailable", cause);
		return;
	}

	bcall_bye_send(call, B2B_EXT);
	bcall_bye_send(call, B2B_INT);
	bcall_end(call, cause);
}


/* A leg's session timer ran out (stimer.h): BYE on both legs */
static void expired_handler(struct leg *leg, void *arg)
{
	struct bcall *call = arg;
	(void)leg;

	++call->b2b->st.st_expired;
	bcall_bye_send(call, B2B_EXT);
	bcall_bye_send(call, B2B_INT);
	bcall_end(call, "session expired");
}


/**
 * A 2xx from the callee: ACK it (unless it offered) and answer the
 * caller
 *
 * @param call Call
 * @param msg  The response
 */
void bcall_answered(struct bcall *call, const struct sip_msg *msg)
{
	struct leg *b = bcall_callee(call);
	char reason[64], hdrs[96] = "";
	int err;

	err = sip_dialog_established(b->dlg) ?
		sip_dialog_update(b->dlg, msg) :
		sip_dialog_create(b->dlg, msg);
	if (!err && !call->late)
		err = leg_ack(b, NULL);
	if (err) {
		bcall_fail(call, 502, "Bad Gateway", "2xx without a dialog");
		return;
	}

	if (call->late)
		oa_ack_defer(call->oa, b->side);

	if (call->cancelled) {
		bcall_bye_send(call, b->side);
		bcall_end(call, "cancelled");
		return;
	}

	if (answer_sdp(call, msg)) {
		bcall_bye_send(call, b->side);
		bcall_fail(call, 488, "Not Acceptable Here", "answer refused");
		return;
	}

	(void)stimer_uac_accept(b, msg, call->oa, expired_handler, call);
	(void)re_snprintf(hdrs, sizeof(hdrs), "%H", stimer_hdrs,
			  bcall_caller(call));
	(void)pl_strcpy(&msg->reason, reason, sizeof(reason));
	err = prack_reply(bcall_caller(call)->rel, bcall_caller(call),
			  msg->scode, reason, hdrs, call->answer);
	if (err) {
		bcall_bye_send(call, b->side);
		bcall_end(call, "2xx could not be sent");
		return;
	}

	call->state = BCALL_ANSWERED;
	call->t_answer = bcall_unix_ms();
	++call->b2b->st.answered;
	++call->b2b->st.dir_answered[call->aside];

	/* stored with its 2xx if the ACK is late (legok.c) */
	bsetup_answer_sent(call);
}


/* A 2xx that offered (delayed offer, in the INVITE or a re-INVITE):
 * the other leg's ACK carries the answer, which goes on in our ACK to
 * the leg that offered. Without one the call cannot go on. */
static void late_ack(struct bcall *call, enum b2b_side to_side,
		     const struct sip_msg *msg)
{
	struct leg *to = call->leg[to_side];
	struct body answer = {NULL, NULL};
	struct mbuf *sdp = NULL;

	oa_offer_done(call->oa);

	if (oa_has_sdp(msg) &&
	    !oa_sdp(call->oa, !to_side, false, msg, &sdp)) {
		answer.mb = sdp;
		(void)leg_ack(to, &answer);
		mem_deref(sdp);
		return;
	}

	DEBUG_WARNING("%s: the ACK has no usable answer\n", oa_id(call->oa));
	(void)leg_ack(to, NULL);
	bcall_bye_send(call, B2B_EXT);
	bcall_bye_send(call, B2B_INT);
	bcall_end(call, "no answer in ACK");
}


static void cancel_handler(void *arg)
{
	struct bcall *call = arg;

	call->cancelled = true;
	(void)prack_reply(bcall_caller(call)->rel, bcall_caller(call), 487,
			  "Request Terminated", NULL, NULL);

	if (call->ireq)
		lreq_cancel(call->ireq);
	else
		bcall_end(call, "cancelled");
}


static void bye_handler(struct bcall *call, struct leg *leg,
			const struct sip_msg *msg)
{
	(void)siptp_treply(NULL, stack(call, leg->side), msg, 200, "OK");
	bcall_bye_send(call, !leg->slot);
	bcall_end(call, leg->side == B2B_EXT ? "bye from outside" :
		  "bye from inside");
}


/* A request inside one of the call's dialogs */
static void request_handler(struct leg *leg, const struct sip_msg *msg,
			    void *arg)
{
	static const char *relayed[] = {
		"INVITE", "UPDATE", "INFO", "REFER", "NOTIFY", "MESSAGE",
		"OPTIONS",
	};
	struct passhdr_policy pol;
	struct bcall *call = arg;
	enum b2b_side to;

	if (!pl_strcmp(&msg->met, "ACK")) {
		leg_ack_received(leg);
		stimer_start(leg);
		if (call->state == BCALL_ANSWERED &&
		    leg->slot == (int)call->aside) {
			call->state = BCALL_CONFIRMED;
			b2b_call_changed(call->b2b, oa_id(call->oa));
		}
		if (oa_ack_take(call->oa, leg->slot, &to))
			late_ack(call, to, msg);
		return;
	}

	if (!pl_strcmp(&msg->met, "BYE")) {
		bye_handler(call, leg, msg);
		return;
	}

	if (!pl_strcmp(&msg->met, "PRACK")) {
		prack_recv(leg->rel, leg, msg);
		return;
	}

	if (xfer_local(call, leg, msg)) {
		xfer_start(call, leg, msg);
		return;
	}

	if (infodtmf_take(call, leg, msg) || stimer_refresh_take(leg, msg))
		return;

	bcall_hdr_policy(call, leg->peer && leg->peer->side == B2B_EXT, true,
			 &pol);
	for (size_t i = 0; i < ARRAY_SIZE(relayed); i++) {
		if (!pl_strcmp(&msg->met, relayed[i])) {
			xreq_relay(call->oa, leg, msg, &pol, &call->xreqs);
			return;
		}
	}

	(void)siptp_treply(NULL, stack(call, leg->side), msg, 501,
			 "Not Implemented");
}


/* Our 2xx to the caller was never ACKed: end the call */
static void noack_handler(struct leg *leg, void *arg)
{
	struct bcall *call = arg;
	(void)leg;

	DEBUG_WARNING("%s: no ACK for our 2xx\n", oa_id(call->oa));
	bcall_bye_send(call, B2B_EXT);
	bcall_bye_send(call, B2B_INT);
	bcall_end(call, "no ACK");
}


/**
 * Give a restored leg its session timer again (bstate.c)
 *
 * @param call     Call
 * @param leg      Leg
 * @param neg      Interval and who refreshes
 * @param update   The peer allows UPDATE
 * @param first_ms Where umedge refreshes: when the first refresh goes
 *
 * @return 0 if success, otherwise errorcode
 */
int bcall_stimer_resume(struct bcall *call, struct leg *leg,
			const struct stimer_neg *neg, bool update,
			uint32_t first_ms)
{
	int err = stimer_attach(leg, neg, update, call->oa, expired_handler,
				call);

	if (!err)
		stimer_resume(leg, first_ms);

	return err;
}


/**
 * Make one of the call's legs
 *
 * @param call Call
 * @param side Side
 *
 * @return the leg, NULL if out of memory
 */
struct leg *bcall_leg_new(struct bcall *call, enum b2b_side side)
{
	struct leg *leg;

	if (leg_alloc(&leg, call->b2b, side, request_handler, noack_handler,
		      call))
		return NULL;

	return leg;
}


/**
 * Take a leg made elsewhere into the call (a transfer's target, or the
 * referrer's leg given back): the call gets its requests
 *
 * @param call Call
 * @param leg  Leg
 */
void bcall_leg_adopt(struct bcall *call, struct leg *leg)
{
	leg_owner_set(leg, request_handler, noack_handler, call);
}


/* A display name without its quotes */
static void dname_take(const struct pl *dname, char *buf, size_t sz)
{
	struct pl dn = *dname;

	if (!pl_isset(&dn))
		return;

	if (dn.l >= 2 && dn.p[0] == '"' && dn.p[dn.l - 1] == '"') {
		++dn.p;
		dn.l -= 2;
	}

	(void)pl_strcpy(&dn, buf, sz);
}


/**
 * Which headers of a request of the call pass to the other leg
 *
 * @param call   Call
 * @param out    The request goes toward a gateway (else toward UM)
 * @param dialog Inside the dialog (else the call's first INVITE)
 * @param pol    Set to the policy (valid while the call and the
 *               configuration are)
 */
void bcall_hdr_policy(const struct bcall *call, bool out, bool dialog,
		      struct passhdr_policy *pol)
{
	pol->extra = &call->b2b->cfg->sip.pass_hdrs;
	pol->out = out;
	pol->set = call->gwset;
	pol->dialog = dialog;
	pol->divhi = CFG_DIVHI_PASS;
	pol->target = NULL;
	pol->convh = NULL;
	pol->arg = NULL;
}


/* Count what the Diversion / History-Info conversion did */
static void conv_handler(enum passhdr_conv conv, void *arg)
{
	struct b2b_stats *st = arg;

	switch (conv) {

	case PASSHDR_CONV_MADE: ++st->divhi_made; break;
	case PASSHDR_CONV_BOTH: ++st->divhi_both; break;
	default:                ++st->divhi_none; break;
	}
}


/* The Diversion / History-Info conversion toward the callee (sip_um_divhi
 * or the gateway set's divhi=), whose last History-Info entry is the
 * callee's number at our address on its side */
static void conv_policy(struct bcall *call, struct passhdr_policy *pol,
			char *target, size_t sz)
{
	const struct cfg *cfg = call->b2b->cfg;
	const struct cfg_gwset *set;
	const struct sa *addr;

	if (call->aside == B2B_EXT) {
		pol->divhi = cfg->sip.um_divhi;
	}
	else {
		set = cfg_gwset_find(cfg, call->gwset);
		pol->divhi = set ? set->divhi : CFG_DIVHI_PASS;
	}

	addr = &call->b2b->laddr[!call->aside];
	if (sa_af(addr) == AF_INET6)
		(void)re_snprintf(target, sz, "sip:%s@[%j]", call->user, addr);
	else
		(void)re_snprintf(target, sz, "sip:%s@%j", call->user, addr);
	pol->target = target;
	pol->convh = conv_handler;
	pol->arg = &call->b2b->st;
}


/* The facts of the caller's INVITE the callee's leg is built from */
static int facts_take(struct bcall *call, const struct sip_msg *msg,
		      const char *user)
{
	char target[B2B_URI_MAX];
	struct passhdr_policy pol;
	struct passhdr_hide hide;

	if (user)
		str_ncpy(call->user, user, sizeof(call->user));
	else
		(void)pl_strcpy(&msg->uri.user, call->user,
				sizeof(call->user));
	(void)pl_strcpy(&msg->from.uri.user, call->from_user,
			sizeof(call->from_user));
	(void)pl_strcpy(&msg->to.uri.user, call->to_user,
			sizeof(call->to_user));
	dname_take(&msg->from.dname, call->from_name, sizeof(call->from_name));
	dname_take(&msg->to.dname, call->to_name, sizeof(call->to_name));

	call->maxfwd = pl_isset(&msg->maxfwd) ?
		pl_u32(&msg->maxfwd) - 1 : 69;

	/* toward the outside, no URI host names the inside */
	hide.nets = &call->b2b->cfg->sip.internal_nets;
	hide.repl = &call->b2b->laddr[B2B_EXT];
	bcall_hdr_policy(call, call->aside == B2B_INT, false, &pol);
	conv_policy(call, &pol, target, sizeof(target));

	return passhdr_collect(&call->hdrs, msg, &pol,
			       call->aside == B2B_INT ? &hide : NULL);
}


/* No PRACK came for a reliable 1xx to the caller: a callee that
 * answered meanwhile gets a BYE (one still ringing a CANCEL, as the
 * call ends), the caller 500 (RFC 3262 §3) */
static void prack_fail_handler(struct leg *leg, void *arg)
{
	struct bcall *call = arg;
	(void)leg;

	DEBUG_WARNING("%s: no PRACK for a reliable 1xx\n", oa_id(call->oa));
	if (call->state == BCALL_ANSWERED)
		bcall_bye_send(call, !call->aside);
	bcall_fail(call, 500, "Reliable Response Timed Out", "no PRACK");
}


static int caller_accept(struct bcall *call, const struct sip_msg *msg)
{
	struct leg *a = bcall_leg_new(call, call->aside);
	int err;

	if (!a)
		return ENOMEM;
	call->leg[call->aside] = a;

	err = leg_accept(a, stack(call, call->aside), msg, cancel_handler,
			 call);
	if (err)
		return err;

	leg_link(a);
	(void)leg_reply(a, 100, "Trying", NULL);

	err = prack_accept(&a->rel, a, msg, call->b2b->cfg->sip.rel100,
			   prack_fail_handler, call);
	if (err)
		return err;

	return stimer_uas_accept(a, msg, call->oa, expired_handler, call);
}


/* The INVITE requires 100rel, which is off (sip_100rel no) */
static void rel_refused(struct bcall *call)
{
	struct leg *a = bcall_caller(call);

	(void)leg_respond(a, &a->st, a->msg, 420, "Bad Extension",
			  "Unsupported: 100rel\r\n", NULL);
	failed_count(call, 420);
	bcall_end(call, "100rel required");
}


/* The callee's INVITE says what umedge supports; 100rel only with an
 * offer: an offer in a reliable 1xx to an offerless INVITE would need
 * the caller's answer in a PRACK, which umedge does not relay */
static int supported_add(struct bcall *call)
{
	const char *sup = leg_supported(call->b2b->cfg, !call->late);
	char *hdrs = NULL;
	int err;

	if (!sup)
		return 0;

	err = re_sdprintf(&hdrs, "%sSupported: %s\r\n",
			  call->hdrs ? call->hdrs : "", sup);
	if (err)
		return err;

	mem_deref(call->hdrs);
	call->hdrs = hdrs;

	return 0;
}


/* The caller's offer the relay refused: 488 with the reason in a
 * Warning (the leg's media security, the SDP), 503 for the relay's own
 * trouble */
static void offer_refused(struct bcall *call, int err)
{
	struct leg *a = bcall_caller(call);
	char warn[160];

	if (oa_scode(err) != 488) {
		bcall_fail(call, 503, "Service Unavailable", "relay refused");
		return;
	}

	(void)re_snprintf(warn, sizeof(warn), "Warning: 399 umedge \"%s\"\r\n",
			  oa_why(call->oa));
	(void)leg_respond(a, &a->st, a->msg, 488, "Not Acceptable Here",
			  warn, NULL);
	failed_count(call, 488);
	bcall_end(call, "media refused");
}


/* Media security per side: the callee's set's, and the caller's:
 * UM's, or the set of the gateway it came from; what becomes of the
 * gateway's INFO digits; the set's name, for the headers it passes */
static void media_policy(struct bcall *call, const struct bcall_prm *prm,
			 const struct sip_msg *msg)
{
	const struct b2b *b2b = call->b2b;
	const struct hhost *gw;

	call->media[!prm->side] = hset_media(prm->hosts);
	if (prm->side == B2B_INT) {
		call->media[B2B_INT] = b2b->cfg->sip.um_media;
		call->info_dtmf = hset_info_dtmf(prm->hosts);
		str_ncpy(call->gwset, hset_name(prm->hosts),
			 sizeof(call->gwset));
		return;
	}

	gw = hset_host_find(&b2b->gwsets, &msg->src);
	call->media[B2B_EXT] = gw ? hset_media(hhost_hset(gw)) :
		b2b->cfg->sip.gw_media;
	call->info_dtmf = hset_info_dtmf(hhost_hset(gw));
	str_ncpy(call->gwset, hset_name(hhost_hset(gw)), sizeof(call->gwset));
}


/**
 * A new call: the caller's INVITE (trusted, checked, admitted)
 *
 * @param b2b B2BUA
 * @param prm The caller's side, the callee's hosts and number
 * @param msg INVITE without a To tag
 *
 * @return 0 if success, otherwise errorcode (the INVITE got no answer)
 */
int bcall_invite(struct b2b *b2b, const struct bcall_prm *prm,
		 const struct sip_msg *msg)
{
	struct bcall *call;
	int err;

	if (stimer_invite_refuse(b2b->tp[prm->side], &b2b->cfg->sip, msg))
		return 0;

	call = bcall_new(b2b, prm->side);
	if (!call)
		return ENOMEM;

	call->hosts = mem_ref(prm->hosts);
	call->slot = mem_ref(prm->slot);
	++b2b->st.calls;
	++b2b->st.dir_calls[call->aside];

	media_policy(call, prm, msg);
	err = oa_alloc(&call->oa, b2b->relay, b2b->cfg->keys,
		       (const char (*)[CFG_NAME_MAX])b2b->iface, call->media);
	if (err)
		goto out;

	bcall_id_link(call);

	err = caller_accept(call, msg);
	if (err == ENOTSUP) {
		rel_refused(call);
		return 0;
	}
	if (err)
		goto out;

	err = facts_take(call, msg, prm->user);
	if (err)
		goto out;

	/* no SDP: a delayed offer, which the callee's 2xx makes */
	call->late = !oa_has_sdp(msg);
	err = supported_add(call);
	if (err)
		goto out;

	err = call->late ? 0 : media(call, true, msg, &call->offer);
	if (err) {
		offer_refused(call, err);
		return 0;
	}

	if (btry_first(call))
		bcall_fail(call, 503, "Service Unavailable",
			   call->aside == B2B_EXT ? "no UM host alive" :
			   "no gateway alive");

	return 0;

 out:
	mem_deref(call);
	return err;
}


/**
 * The relay found no media for too long: BYE on both legs
 *
 * @param b2b B2BUA
 * @param id  The relay's call name
 */
void bcall_media_timeout(struct b2b *b2b, const char *id)
{
	struct bcall *call = b2b ? bcall_find(b2b, id) : NULL;

	if (!call)
		return;

	DEBUG_NOTICE("%s: media timeout\n", id);
	bcall_bye_send(call, B2B_EXT);
	bcall_bye_send(call, B2B_INT);
	bcall_end(call, "media timeout");
}


/**
 * End the call: answer what is in flight, write the record, delete
 * the relay call, free the call and its legs
 *
 * @param call  Call
 * @param cause Cause, for the log and the record
 */
void bcall_end(struct bcall *call, const char *cause)
{
	if (call->state == BCALL_CLOSING)
		return;

	++call->b2b->st.ended[call->aside][b2b_cause_index(cause,
						  call->t_answer != 0)];
	call->state = BCALL_CLOSING;
	xreq_abort_all(&call->xreqs);
	brec_write(call, cause);

	mem_deref(call);
}
