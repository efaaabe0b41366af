/* SPDX-License-Identifier: BSD-3-Clause */
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
 * A re-INVITE without SDP (delayed offer) is relayed as it is; the 2xx's
 * offer goes through the relay, and the requester's ACK brings the
 * answer, which the other leg gets in our ACK. An SDP body never
 * crosses untouched: one that is no offer or answer is left out.
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
#include "replaces.h"
#include "passhdr.h"
#include "b2b_priv.h"
#include "stimer.h"


/** One request in flight between the legs */
struct xreq {
	struct le le;                 /**< Member of the call's list     */
	struct oa *oa;                /**< The call's offer/answer       */
	struct leg *from;             /**< Leg it came on                */
	struct leg *to;               /**< Leg it goes out on            */
	struct siptp_st *st;          /**< Its server transaction        */
	const struct sip_msg *msg;    /**< The request (referenced)      */
	struct lreq *req;             /**< Ours on the other leg         */
	char *hdrs;                   /**< Headers passed with it        */
	struct mbuf *sdp;             /**< Offer as the other side sees it */
	bool offer;                   /**< Its SDP is an offer in flight */
};

static void xreq_destructor(void *data)
{
	struct xreq *x = data;

	list_unlink(&x->le);
	lreq_drop(&x->req);
	mem_deref(x->st);
	mem_deref((void *)x->msg);
	mem_deref(x->hdrs);
	mem_deref(x->sdp);
}


/** A Replaces value to map, for %H */
struct rmap {
	const struct xreq *x;   /**< The REFER                       */
	const struct pl *val;   /**< Its Replaces value, escaped     */
};

/** URI headers being copied, for uri_headers_apply() */
struct hcopy {
	struct mbuf *mb;        /**< Output                          */
	const struct xreq *x;   /**< The REFER                       */
	bool first;             /**< No header written yet           */
};


/* A Replaces in UM's Refer-To names one of UM's dialogs with the edge
 * (supervised transfer); the gateway must get the same call's dialog
 * as it knows it. ENOENT if it names no dialog of a call here. */
static int replaces_map(struct re_printf *pf, const struct rmap *rm)
{
	const struct b2b *b2b = rm->x->from->b2b;
	const struct leg *src, *dst;
	struct replaces r, m;
	char buf[512];
	struct pl val;
	int n;

	n = re_snprintf(buf, sizeof(buf), "%H", uri_header_unescape, rm->val);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return EBADMSG;

	pl_set_str(&val, buf);
	if (replaces_decode(&r, &val))
		return EBADMSG;

	src = leg_lookup(b2b, &r.callid);
	if (!src || src->side != rm->x->from->side ||
	    pl_strcmp(&r.to_tag, src->ltag) || pl_strcmp(&r.from_tag, src->rtag))
		return ENOENT;

	dst = src->peer;
	if (!dst || !str_isset(dst->rtag))
		return ENOENT;

	pl_set_str(&m.callid, dst->callid);
	pl_set_str(&m.to_tag, dst->rtag);
	pl_set_str(&m.from_tag, dst->ltag);
	m.early_only = r.early_only;

	return replaces_encode(pf, &m);
}


static int header_copy(const struct pl *name, const struct pl *val,
		       void *arg)
{
	struct hcopy *hc = arg;
	struct rmap rm = {hc->x, val};
	int err;

	err = mbuf_printf(hc->mb, "%s%r=", hc->first ? "?" : "&", name);
	hc->first = false;

	if (!pl_strcasecmp(name, "Replaces"))
		return err | mbuf_printf(hc->mb, "%H", replaces_map, &rm);

	return err | mbuf_printf(hc->mb, "%r", val);
}


/* What a URI host of a side is seen as by the request's receiver: an
 * inside host toward the outside is the gateway's own address in a
 * Refer-To and the edge's outside address elsewhere; an outside host
 * toward the inside is the edge's inside address, and toward another
 * outside party (a transfer the edge made) the edge's outside address.
 * NULL: as it is. */
static const struct sa *hide_addr(const struct xreq *x,
				  const struct sip_hdr *hdr, bool inside)
{
	const struct b2b *b2b = x->from->b2b;

	if (x->to->side == B2B_EXT && inside)
		return hdr->id == SIP_HDR_REFER_TO ? &x->to->raddr :
			&b2b->laddr[B2B_EXT];
	if (x->to->side == B2B_INT && !inside)
		return &b2b->laddr[B2B_INT];
	if (x->from->side == B2B_EXT && !inside)
		return &b2b->laddr[B2B_EXT];

	return NULL;
}


/* The host of a URI header that names the other side: the side's own
 * view instead. Toward the outside, an inside host becomes the
 * gateway's address in Refer-To (the gateway dials the transfer
 * target) and the edge's outside address elsewhere; toward the inside,
 * an outside host becomes the edge's inside address. The rest of the
 * value is kept as it came, but for a Replaces (replaces_map). */
static int uri_hdr(struct mbuf *mb, const struct xreq *x,
		   const struct sip_hdr *hdr)
{
	const struct b2b *b2b = x->from->b2b;
	const struct pl *v = &hdr->val;
	struct hcopy hc = {mb, x, true};
	const struct sa *repl;
	struct sip_addr addr;
	struct pl uhdrs;
	struct sa host;
	bool inside;
	size_t pre, post, hend;
	int err;

	if (sip_addr_decode(&addr, v) || sa_set(&host, &addr.uri.host, 0))
		return mbuf_printf(mb, "%r: %r\r\n", &hdr->name, v);

	inside = ipnet_match(&b2b->cfg->sip.internal_nets, &host) ||
		sa_cmp(&host, &b2b->laddr[B2B_INT], SA_ADDR);
	repl = hide_addr(x, hdr, inside);

	pre = (size_t)(addr.uri.host.p - v->p);
	post = pre + addr.uri.host.l;
	uhdrs = addr.uri.headers;
	if (!pl_isset(&uhdrs)) {
		uhdrs.p = v->p + post;
		uhdrs.l = 0;
	}
	hend = (size_t)(uhdrs.p - v->p) + uhdrs.l;

	err = mbuf_printf(mb, "%r: %b", &hdr->name, v->p, pre);
	if (repl)
		err |= mbuf_printf(mb, "%j", repl);
	else
		err |= mbuf_printf(mb, "%r", &addr.uri.host);

	/* up to the URI's headers (libre's pl starts at the '?') */
	err |= mbuf_write_mem(mb, (const uint8_t *)v->p + post,
			      (size_t)(uhdrs.p - v->p) - post);
	if (uhdrs.l)
		err |= uri_headers_apply(&uhdrs, header_copy, &hc);

	return err | mbuf_printf(mb, "%b\r\n", v->p + hend, v->l - hend);
}


static int hdrs_collect(struct xreq *x, const struct passhdr_policy *pol)
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
		else if (passhdr_passes(&hdr->name, pol))
			err = passhdr_write(mb, hdr, NULL);
	}

	if (!err && mb->end) {
		mb->pos = 0;
		err = mbuf_strdup(mb, &x->hdrs, mb->end);
	}

	mem_deref(mb);

	return err;
}


/* A body that is not SDP passes as it came. A received message's mbuf
 * holds the whole message (the body from its pos), and a struct body is
 * written from its start: the body's bytes go in a buffer of their own,
 * or the other side would get the start line and headers too */
static struct mbuf *body_dup(const struct sip_msg *msg)
{
	size_t n = mbuf_get_left(msg->mb);
	struct mbuf *mb = mbuf_alloc(n);

	if (mb && mbuf_write_mem(mb, mbuf_buf(msg->mb), n))
		mb = mem_deref(mb);

	return mb;
}


/* A 2xx to a re-INVITE or UPDATE refreshes the session on its leg
 * (stimer.h) and says so */
static void respond(struct xreq *x, uint16_t scode, const char *reason,
		    const struct body *body)
{
	bool refresh = scode >= 200 && scode < 300 &&
		(!pl_strcmp(&x->msg->met, "INVITE") ||
		 !pl_strcmp(&x->msg->met, "UPDATE"));
	char hdrs[96] = "";

	if (refresh) {
		stimer_refreshed(x->from, NULL, true);
		(void)re_snprintf(hdrs, sizeof(hdrs), "%H", stimer_hdrs,
				  x->from);
	}

	(void)leg_respond(x->from, &x->st, x->msg, scode, reason, hdrs, body);
}


/* A re-INVITE without SDP whose 2xx offers: the offer goes through the
 * relay, and our ACK to that leg waits for the answer in the
 * requester's ACK (bcall.c). False if the relay refused it: the 2xx is
 * then ACKed at once and reaches the requester without SDP. */
static bool late_offer(struct xreq *x, const struct sip_msg *msg,
		       struct mbuf **sdpp)
{
	if (oa_sdp(x->oa, x->to->slot, true, msg, sdpp))
		return false;

	(void)oa_offer_begin(x->oa);
	oa_ack_defer(x->oa, x->to->slot);

	return true;
}


static void xreq_resp_handler(int err, const struct sip_msg *msg,
			      void *arg)
{
	struct xreq *x = arg;
	struct mbuf *sdp = NULL, *raw = NULL;
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
		bool late = invite && !x->offer && oa_has_sdp(msg);

		if (invite || !pl_strcmp(&x->msg->met, "UPDATE")) {
			(void)sip_dialog_update(x->to->dlg, msg);
			stimer_refreshed(x->to, msg, false);
		}

		if (late && late_offer(x, msg, &sdp)) {
			body.mb = sdp;
		}
		else if (invite) {
			(void)leg_ack(x->to, NULL);
		}

		if (x->offer && oa_has_sdp(msg) &&
		    !oa_sdp(x->oa, x->to->slot, false, msg, &sdp)) {
			body.mb = sdp;
		}
		else if (!x->offer && !late && mbuf_get_left(msg->mb) &&
			 !oa_has_sdp(msg)) {
			(void)re_snprintf(ctype, sizeof(ctype), "%r/%r",
					  &msg->ctyp.type, &msg->ctyp.subtype);
			body.ctype = ctype;
			body.mb = raw = body_dup(msg);
		}
	}

	respond(x, scode, reason, body.mb ? &body : NULL);
	if (x->offer)
		oa_offer_done(x->oa);

	mem_deref(raw);
	mem_deref(sdp);
	mem_deref(x);
}


static int xreq_send(struct xreq *x, const struct passhdr_policy *pol)
{
	const struct sip_msg *msg = x->msg;
	struct body body = {NULL, NULL};
	struct mbuf *raw = NULL;
	char met[32], ctype[64];
	uint32_t maxfwd = 69;
	int err;

	if (pl_isset(&msg->maxfwd))
		maxfwd = pl_u32(&msg->maxfwd) ? pl_u32(&msg->maxfwd) - 1 : 0;

	err = hdrs_collect(x, pol);
	if (err)
		return err;

	if (x->offer) {
		body.mb = x->sdp;
	}
	else if (mbuf_get_left(msg->mb) && !oa_has_sdp(msg)) {
		(void)re_snprintf(ctype, sizeof(ctype), "%r/%r",
				  &msg->ctyp.type, &msg->ctyp.subtype);
		body.ctype = ctype;
		body.mb = raw = body_dup(msg);
		if (!raw)
			return ENOMEM;
	}

	(void)pl_strcpy(&msg->met, met, sizeof(met));

	/* lreq_send() keeps a copy of the body */
	err = lreq_send(x->to, met, maxfwd, x->hdrs,
			body.mb ? &body : NULL, xreq_resp_handler, x,
			&x->req);
	mem_deref(raw);

	return err;
}


/**
 * Relay a request that came inside one of the call's dialogs
 *
 * @param oa    The call's offer/answer state
 * @param leg   Leg it came on; it goes out on its peer
 * @param msg   The request
 * @param pol   Which of its headers pass
 * @param xreqs The call's list of requests in flight
 */
void xreq_relay(struct oa *oa, struct leg *leg, const struct sip_msg *msg,
		const struct passhdr_policy *pol, struct list *xreqs)
{
	struct siptp *sip = leg->b2b->tp[leg->side];
	bool offer_met = !pl_strcmp(&msg->met, "INVITE") ||
		!pl_strcmp(&msg->met, "UPDATE");
	struct xreq *x;
	int err;

	x = mem_zalloc(sizeof(*x), xreq_destructor);
	if (!x)
		goto fail;

	x->oa = oa;
	x->from = leg;
	x->to = leg->peer;
	x->msg = mem_ref((void *)msg);
	list_append(xreqs, &x->le, x);

	err = siptp_st_alloc(&x->st, sip, msg, NULL, NULL);
	if (err)
		goto fail;

	if (!x->to || !x->to->dlg || !sip_dialog_established(x->to->dlg)) {
		respond(x, 491, "Request Pending", NULL);
		mem_deref(x);
		return;
	}

	if (offer_met && oa_has_sdp(msg)) {
		if (!oa_offer_begin(oa)) {
			respond(x, 491, "Request Pending", NULL);
			mem_deref(x);
			return;
		}

		x->offer = true;
		if (oa_sdp(oa, leg->slot, true, msg, &x->sdp)) {
			oa_offer_done(oa);
			respond(x, 488, "Not Acceptable Here", NULL);
			mem_deref(x);
			return;
		}
	}

	if (offer_met)
		(void)sip_dialog_update(leg->dlg, msg);

	err = xreq_send(x, pol);
	if (err) {
		DEBUG_WARNING("%r not relayed: %m\n", &msg->met, err);
		if (x->offer)
			oa_offer_done(oa);
		if (err == ENOENT || err == EBADMSG)
			respond(x, 403, "Replaces Names No Call Here", NULL);
		else
			respond(x, 500, "Server Internal Error", NULL);
		mem_deref(x);
	}

	return;

 fail:
	(void)siptp_treply(NULL, sip, msg, 500, "Server Internal Error");
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
