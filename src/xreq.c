/**
 * @file xreq.c  Requests inside a call, relayed to the other leg
 *
 * re-INVITE, UPDATE, INFO, REFER, NOTIFY and MESSAGE that come on one
 * leg go out on the other leg's dialog, and are answered only when the
 * other leg has answered: a re-INVITE waits for the far end's answer
 * (hold, resume). An SDP offer and its answer go through the relay, so
 * each side keeps seeing only addresses of its own side; a=sendonly,
 * recvonly and inactive pass as they are. One offer at a time per call:
 * another offer meanwhile gets 491 (RFC 3261 §14.2, glare), and so does
 * the other leg's answer to ours when it crossed.
 *
 * REFER: Refer-To and Referred-By never name the other side's hosts
 * (uri_hdr); a Refer-To from UM that points inside is pointed at the
 * gateway's own address, as UM transfers the call to a number the
 * gateway dials.
 */
#include <string.h>
#include <re.h>
#define DEBUG_MODULE "xreq"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "cfg.h"
#include "ipnet.h"
#include "b2b_priv.h"


/** One request in flight between the legs */
struct xreq {
	struct le le;                 /**< Member of the call's list     */
	struct bcall *call;           /**< Call                          */
	struct leg *from;             /**< Leg it came on                */
	struct leg *to;               /**< Leg it goes out on            */
	struct sip_strans *st;        /**< Its server transaction        */
	const struct sip_msg *msg;    /**< The request (referenced)      */
	struct sip_request *req;      /**< Ours on the other leg         */
	char *hdrs;                   /**< Headers passed with it        */
	struct mbuf *sdp;             /**< Offer as the other side sees it */
	bool offer;                   /**< Its SDP is an offer in flight */
};

/** Headers passed inside a dialog, as they came */
static const char *passed[] = {
	"Event", "Subscription-State", "Reason",
	"Content-Disposition", "Info-Package", "Allow-Events",
};


static void xreq_destructor(void *data)
{
	struct xreq *x = data;

	list_unlink(&x->le);
	mem_deref(x->req);
	mem_deref(x->st);
	mem_deref((void *)x->msg);
	mem_deref(x->hdrs);
	mem_deref(x->sdp);
}


static bool passes(const struct pl *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(passed); i++) {
		if (!pl_strcasecmp(name, passed[i]))
			return true;
	}

	return false;
}


/* The host of a URI header that names the other side: the side's own
 * view instead. Toward the outside, an inside host becomes the
 * gateway's address in Refer-To (the gateway dials the transfer
 * target) and the edge's outside address elsewhere; toward the inside,
 * an outside host becomes the edge's inside address. The rest of the
 * value is kept as it came. */
static int uri_hdr(struct mbuf *mb, const struct xreq *x,
		   const struct sip_hdr *hdr)
{
	const struct b2b *b2b = x->from->b2b;
	const struct pl *v = &hdr->val;
	const struct sa *repl;
	struct sip_addr addr;
	struct sa host;
	bool inside;
	size_t pre, post;

	if (sip_addr_decode(&addr, v) || sa_set(&host, &addr.uri.host, 0))
		return mbuf_printf(mb, "%r: %r\r\n", &hdr->name, v);

	inside = ipnet_match(&b2b->cfg->sip.internal_nets, &host) ||
		sa_cmp(&host, &b2b->laddr[B2B_INT], SA_ADDR);

	if (x->from->side == B2B_INT && inside)
		repl = hdr->id == SIP_HDR_REFER_TO ?
			&bcall_leg(x->call, B2B_EXT)->msg->src :
			&b2b->laddr[B2B_EXT];
	else if (x->from->side == B2B_EXT && !inside)
		repl = &b2b->laddr[B2B_INT];
	else
		return mbuf_printf(mb, "%r: %r\r\n", &hdr->name, v);

	pre = (size_t)(addr.uri.host.p - v->p);
	post = pre + addr.uri.host.l;

	return mbuf_printf(mb, "%r: %b%j%b\r\n", &hdr->name, v->p, pre,
			   repl, v->p + post, v->l - post);
}


static int hdrs_collect(struct xreq *x)
{
	struct mbuf *mb = mbuf_alloc(256);
	int err = 0;

	if (!mb)
		return ENOMEM;

	for (struct le *le = x->msg->hdrl.head; le && !err; le = le->next) {
		const struct sip_hdr *hdr = le->data;

		if (hdr->id == SIP_HDR_REFER_TO ||
		    hdr->id == SIP_HDR_REFERRED_BY)
			err = uri_hdr(mb, x, hdr);
		else if (passes(&hdr->name))
			err = mbuf_printf(mb, "%r: %r\r\n", &hdr->name,
					  &hdr->val);
	}

	if (!err && mb->end) {
		mb->pos = 0;
		err = mbuf_strdup(mb, &x->hdrs, mb->end);
	}

	mem_deref(mb);

	return err;
}


static void respond(struct xreq *x, uint16_t scode, const char *reason,
		    const struct body *body)
{
	(void)leg_respond(x->from, &x->st, x->msg, scode, reason, NULL, body);
}


static void xreq_resp_handler(int err, const struct sip_msg *msg,
			      void *arg)
{
	struct xreq *x = arg;
	struct mbuf *sdp = NULL;
	struct body body = {NULL, NULL};
	char reason[64] = "Request Timeout", ctype[64];
	uint16_t scode = 408;

	if (!err && msg && msg->scode < 200)
		return;

	if (!err && msg) {
		scode = msg->scode;
		(void)pl_strcpy(&msg->reason, reason, sizeof(reason));
	}

	if (scode >= 200 && scode < 300) {
		bool invite = !pl_strcmp(&x->msg->met, "INVITE");

		if (invite || !pl_strcmp(&x->msg->met, "UPDATE"))
			(void)sip_dialog_update(x->to->dlg, msg);
		if (invite)
			(void)leg_ack(x->to);

		if (x->offer && bcall_has_sdp(msg) &&
		    !bcall_sdp(x->call, x->to->side, false, msg, &sdp)) {
			body.mb = sdp;
		}
		else if (!x->offer && mbuf_get_left(msg->mb)) {
			(void)re_snprintf(ctype, sizeof(ctype), "%r/%r",
					  &msg->ctyp.type, &msg->ctyp.subtype);
			body.ctype = ctype;
			body.mb = msg->mb;
		}
	}

	respond(x, scode, reason, body.mb ? &body : NULL);
	if (x->offer)
		bcall_offer_done(x->call);

	mem_deref(sdp);
	mem_deref(x);
}


static int xreq_send(struct xreq *x)
{
	const struct sip_msg *msg = x->msg;
	struct body body = {NULL, NULL};
	char met[32], ctype[64];
	uint32_t maxfwd = 69;
	int err;

	if (pl_isset(&msg->maxfwd))
		maxfwd = pl_u32(&msg->maxfwd) ? pl_u32(&msg->maxfwd) - 1 : 0;

	err = hdrs_collect(x);
	if (err)
		return err;

	if (x->offer) {
		body.mb = x->sdp;
	}
	else if (mbuf_get_left(msg->mb)) {
		(void)re_snprintf(ctype, sizeof(ctype), "%r/%r",
				  &msg->ctyp.type, &msg->ctyp.subtype);
		body.ctype = ctype;
		body.mb = msg->mb;
	}

	(void)pl_strcpy(&msg->met, met, sizeof(met));

	return leg_request(x->to, met, maxfwd, x->hdrs,
			   body.mb ? &body : NULL, xreq_resp_handler, x,
			   &x->req);
}


/**
 * Relay a request that came inside one of the call's dialogs
 *
 * @param call  Call
 * @param leg   Leg it came on
 * @param msg   The request
 * @param xreqs The call's list of requests in flight
 */
void xreq_relay(struct bcall *call, struct leg *leg,
		const struct sip_msg *msg, struct list *xreqs)
{
	struct sip *sip = leg->b2b->sip[leg->side];
	bool offer_met = !pl_strcmp(&msg->met, "INVITE") ||
		!pl_strcmp(&msg->met, "UPDATE");
	struct xreq *x;
	int err;

	x = mem_zalloc(sizeof(*x), xreq_destructor);
	if (!x)
		goto fail;

	x->call = call;
	x->from = leg;
	x->to = bcall_leg(call, !leg->side);
	x->msg = mem_ref((void *)msg);
	list_append(xreqs, &x->le, x);

	err = sip_strans_alloc(&x->st, sip, msg, NULL, NULL);
	if (err)
		goto fail;

	if (!x->to || !x->to->dlg || !sip_dialog_established(x->to->dlg)) {
		respond(x, 491, "Request Pending", NULL);
		mem_deref(x);
		return;
	}

	if (offer_met && bcall_has_sdp(msg)) {
		if (!bcall_offer_begin(call)) {
			respond(x, 491, "Request Pending", NULL);
			mem_deref(x);
			return;
		}

		x->offer = true;
		if (bcall_sdp(call, leg->side, true, msg, &x->sdp)) {
			bcall_offer_done(call);
			respond(x, 488, "Not Acceptable Here", NULL);
			mem_deref(x);
			return;
		}
	}

	if (offer_met)
		(void)sip_dialog_update(leg->dlg, msg);

	err = xreq_send(x);
	if (err) {
		DEBUG_WARNING("%r not relayed: %m\n", &msg->met, err);
		if (x->offer)
			bcall_offer_done(call);
		respond(x, 500, "Server Internal Error", NULL);
		mem_deref(x);
	}

	return;

 fail:
	(void)sip_treply(NULL, sip, msg, 500, "Server Internal Error");
	mem_deref(x);
}


/**
 * The call ends: answer what is still in flight
 *
 * @param xreqs The call's list of requests in flight
 */
void xreq_abort_all(struct list *xreqs)
{
	while (xreqs && xreqs->head) {
		struct xreq *x = xreqs->head->data;

		respond(x, 481, "Call/Transaction Does Not Exist", NULL);
		mem_deref(x);
	}
}
