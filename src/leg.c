/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file leg.c  One dialog of a B2BUA call, on one side's SIP stack
 *
 * A leg is a libre sip_dialog plus the transactions in flight on it.
 * The gateway's leg starts as the UAS of the INVITE (leg_accept); the
 * callee's leg as its UAC (lreq_send on a dialog from
 * sip_dialog_alloc). Requests are encoded here rather than with
 * sip_drequestf() so that Max-Forwards is the caller's, decremented
 * (sipx.h). Our Contact always names the stack the leg is on, so no
 * message carries the other side's addresses.
 *
 * A 2xx to an INVITE is retransmitted on UDP until its ACK comes (RFC
 * 3261 §13.3.1.4): libre's server transaction does not.
 */
#include <string.h>
#include <re.h>
#include "cfg.h"
#include "sipx.h"
#include "uacauth.h"
#include "b2b_priv.h"


enum {
	T1 = 500,            /**< RFC 3261 T1, ms                   */
};



static void leg_destructor(void *data)
{
	struct leg *leg = data;

	leg_detach(leg);
	dte_cancel(&leg->ok_t);
	mem_deref(leg->auth);
	mem_deref(leg->rel);
	mem_deref(leg->st);
	mem_deref(leg->ok);
	mem_deref(leg->ack_sdp);
	mem_deref((void *)leg->ok_msg);
	mem_deref((void *)leg->msg);
	mem_deref(leg->dlg);
	mem_deref(leg->callid);
	mem_deref(leg->linkid);
	mem_deref(leg->rtag);
}


/**
 * Allocate a leg
 *
 * @param legp   Pointer to allocated leg
 * @param b2b    The B2BUA
 * @param side   B2B_EXT or B2B_INT
 * @param reqh   Requests in the leg's dialog
 * @param noackh Our 2xx to its INVITE was never ACKed
 * @param arg    Handlers' argument
 *
 * @return 0 if success, otherwise errorcode
 */
int leg_alloc(struct leg **legp, struct b2b *b2b, enum b2b_side side,
	      leg_req_h *reqh, leg_noack_h *noackh, void *arg)
{
	struct leg *leg;

	if (!legp || !b2b)
		return EINVAL;

	leg = mem_zalloc(sizeof(*leg), leg_destructor);
	if (!leg)
		return ENOMEM;

	leg->b2b = b2b;
	leg->side = side;
	leg->slot = side;
	leg->reqh = reqh;
	leg->noackh = noackh;
	leg->arg = arg;
	*legp = leg;

	return 0;
}


static bool leg_cmp(struct le *le, void *arg)
{
	const struct leg *leg = le->data;
	const struct sip_msg *msg = arg;

	return leg->dlg && !pl_strcmp(&msg->callid, leg->callid) &&
		sip_dialog_cmp(leg->dlg, msg);
}


/**
 * Find the leg whose dialog a request belongs to
 *
 * @param b2b B2BUA
 * @param msg Request
 *
 * @return the leg, NULL if none
 */
struct leg *leg_find(const struct b2b *b2b, const struct sip_msg *msg)
{
	return list_ledata(hash_lookup(b2b->legs, hash_joaat_pl(&msg->callid),
				       leg_cmp, (void *)msg));
}


static bool callid_cmp(struct le *le, void *arg)
{
	const struct leg *leg = le->data;

	return !pl_strcmp(arg, leg->callid);
}


/**
 * Find a leg by its Call-ID alone
 *
 * @param b2b    B2BUA
 * @param callid Call-ID
 *
 * @return the leg, NULL if none
 */
struct leg *leg_lookup(const struct b2b *b2b, const struct pl *callid)
{
	return list_ledata(hash_lookup(b2b->legs, hash_joaat_pl(callid),
				       callid_cmp, (void *)callid));
}


static bool invite_cmp(struct le *le, void *arg)
{
	const struct leg *leg = le->data;
	const struct sip_msg *msg = arg;

	return leg->msg && !pl_strcmp(&msg->callid, leg->callid) &&
		!pl_cmp(&msg->via.branch, &leg->msg->via.branch);
}


/**
 * Whether a CANCEL names an INVITE the edge took from another source
 * (address, port or transport): only the INVITE's sender may cancel it
 *
 * @param b2b B2BUA
 * @param msg The CANCEL
 *
 * @return true if it does
 */
bool leg_cancel_foreign(const struct b2b *b2b, const struct sip_msg *msg)
{
	const struct leg *leg;

	if (!b2b || !msg)
		return false;

	leg = list_ledata(hash_lookup(b2b->legs, hash_joaat_pl(&msg->callid),
				      invite_cmp, (void *)msg));

	return leg && (leg->msg->tp != msg->tp ||
		       !sa_cmp(&leg->msg->src, &msg->src, SA_ALL));
}


static bool ok_cmp(struct le *le, void *arg)
{
	const struct leg *leg = le->data;
	const struct sip_msg *msg = arg;

	return leg->ok && leg->ok_msg &&
		!pl_strcmp(&msg->callid, leg->callid) &&
		!pl_cmp(&msg->via.branch, &leg->ok_msg->via.branch);
}


/**
 * An INVITE that came again after our 2xx, and found no server
 * transaction (a node that took the call over: docs/ha.md): it gets
 * the 2xx again rather than becoming a new call
 *
 * @param b2b B2BUA
 * @param msg The INVITE (no To tag)
 *
 * @return true if it was such an INVITE, answered
 */
bool leg_ok_again(const struct b2b *b2b, const struct sip_msg *msg)
{
	struct leg *leg;

	if (!b2b || !msg)
		return false;

	leg = list_ledata(hash_lookup(b2b->legs, hash_joaat_pl(&msg->callid),
				      ok_cmp, (void *)msg));
	if (!leg)
		return false;

	leg_resend(leg, msg, leg->ok);

	return true;
}


/** Enter a leg in the B2BUA's table by its Call-ID */
void leg_link(struct leg *leg)
{
	if (leg)
		hash_append(leg->b2b->legs, hash_joaat_str(leg->callid),
			    &leg->he, leg);
}


/** Make two legs each other's peer: the two dialogs of one call; a
 *  peer either had before is no longer one (a transfer's referrer) */
void leg_pair(struct leg *a, struct leg *b)
{
	if (!a || !b)
		return;

	if (a->peer && a->peer != b && a->peer->peer == a)
		a->peer->peer = NULL;
	if (b->peer && b->peer != a && b->peer->peer == b)
		b->peer->peer = NULL;

	a->peer = b;
	b->peer = a;

	/* the link id (HEP's correlation) is the first leg's: the caller's */
	if (!b->linkid) {
		b->linkid = mem_ref(a->linkid ? a->linkid : a->callid);
		if (!a->linkid)
			a->linkid = mem_ref(a->callid);
	}
}


/**
 * The call's link id: the Call-ID of the caller's leg (the leg's own
 * until it is paired)
 *
 * @param leg Leg
 *
 * @return the link id
 */
const char *leg_link_id(const struct leg *leg)
{
	return leg->linkid ? leg->linkid : leg->callid;
}


/**
 * Hand the leg to a new owner (a transfer takes the referrer's leg and
 * gives the target's to the call)
 *
 * @param leg    Leg
 * @param reqh   Requests in the leg's dialog
 * @param noackh Our 2xx to its INVITE was never ACKed
 * @param arg    Handlers' argument
 */
void leg_owner_set(struct leg *leg, leg_req_h *reqh, leg_noack_h *noackh,
		   void *arg)
{
	if (!leg)
		return;

	leg->reqh = reqh;
	leg->noackh = noackh;
	leg->arg = arg;
}


/**
 * Start the leg's dialog as its UAC, toward a host, and enter it in
 * the table
 *
 * @param leg       Leg without a dialog
 * @param uri       Request-URI
 * @param to        To URI
 * @param from_user Caller's user part, NULL or "" for anonymous
 * @param from_name Caller's display name, or NULL
 *
 * @return 0 if success, otherwise errorcode
 */
int leg_dial(struct leg *leg, const char *uri, const char *to,
	     const char *from_user, const char *from_name)
{
	char from[B2B_URI_MAX];
	int err;

	if (!leg || !uri || !to || leg->dlg)
		return EINVAL;

	(void)re_snprintf(from, sizeof(from), "sip:%s@%j",
			  str_isset(from_user) ? from_user : "anonymous",
			  &leg->b2b->laddr[leg->side]);

	err = sip_dialog_alloc(&leg->dlg, uri, to,
			       str_isset(from_name) ? from_name : NULL,
			       from, NULL, 0);
	if (err)
		return err;

	err = str_dup(&leg->callid, sip_dialog_callid(leg->dlg));
	if (err)
		return err;

	leg_link(leg);

	return 0;
}


/**
 * The leg's owner lets it go: out of the table, no more handlers, no
 * peer. It may live on a while (a request still in flight on it).
 *
 * @param leg Leg
 */
void leg_detach(struct leg *leg)
{
	if (!leg)
		return;

	hash_unlink(&leg->he);
	leg->stimer = mem_deref(leg->stimer);
	leg->reqh = NULL;
	leg->noackh = NULL;
	leg->arg = NULL;
	if (leg->peer && leg->peer->peer == leg)
		leg->peer->peer = NULL;
	leg->peer = NULL;
}


/**
 * A request matched the leg's dialog: its owner takes it
 *
 * @param leg Leg
 * @param msg The request
 */
void leg_recv(struct leg *leg, const struct sip_msg *msg)
{
	if (leg && leg->reqh)
		leg->reqh(leg, msg, leg->arg);
	else if (leg)
		(void)siptp_treply(NULL, leg->b2b->tp[leg->side], msg, 481,
				   "Call/Transaction Does Not Exist");
}


/**
 * Take an incoming INVITE: the leg becomes its dialog's UAS
 *
 * @param leg     Leg
 * @param tp      Transport it came on
 * @param msg     The INVITE
 * @param cancelh Called on CANCEL
 * @param arg     Handler argument
 *
 * @return 0 if success, otherwise errorcode
 */
int leg_accept(struct leg *leg, struct siptp *tp, const struct sip_msg *msg,
	       sip_cancel_h *cancelh, void *arg)
{
	int err;

	if (!leg || !tp || !msg)
		return EINVAL;

	err = sip_dialog_accept(&leg->dlg, msg);
	if (err)
		return err;

	err = siptp_st_alloc(&leg->st, tp, msg, cancelh, arg);
	if (err)
		return err;

	leg->msg = mem_ref((void *)msg);
	leg->raddr = msg->src;
	(void)re_snprintf(leg->ltag, sizeof(leg->ltag), "%016llx",
			  (unsigned long long)msg->tag);

	err = pl_strdup(&leg->callid, &msg->callid);
	if (err)
		return err;

	return leg_rtag_learn(leg, &msg->from.tag);
}


/**
 * The peer's tag, kept whole, once: the first one seen stays
 *
 * @param leg Leg
 * @param tag Its From tag (UAS) or To tag (UAC), may be unset
 *
 * @return 0 if success, otherwise errorcode
 */
int leg_rtag_learn(struct leg *leg, const struct pl *tag)
{
	if (!leg || !tag)
		return EINVAL;

	if (leg->rtag || !pl_isset(tag))
		return 0;

	return pl_strdup(&leg->rtag, tag);
}


/**
 * The option tags umedge supports (RFC 3261 §20.37), for Supported
 *
 * @param cfg Configuration
 * @param rel 100rel may be listed (timer is, with session timers on)
 *
 * @return the tags, NULL for none
 */
const char *leg_supported(const struct cfg *cfg, bool rel)
{
	bool r, t;

	if (!cfg)
		return NULL;

	r = rel && cfg->sip.rel100;
	t = cfg->sip.session_expires > 0;

	return r && t ? "100rel, timer" : r ? "100rel" : t ? "timer" : NULL;
}


/* Our Contact header line, on the address the stack uses;
 * sip_transp_param() gives ";transport=tcp", or "" for UDP */
static void contact_fmt(char *buf, size_t sz, const struct sa *laddr,
			enum sip_transp tp)
{
	(void)re_snprintf(buf, sz, "Contact: <sip:umedge@%J%s>\r\n", laddr,
			  sip_transp_param(tp));
}


/* Our listening address for a request that came on the leg: a request
 * on a connection we opened arrived on its ephemeral port */
static void laddr_of(const struct leg *leg, const struct sip_msg *msg,
		     struct sa *laddr)
{
	if (siptp_laddr(leg->b2b->tp[leg->side], laddr, msg->tp, &msg->src))
		*laddr = msg->dst;
}


static int body_print(struct re_printf *pf, const struct body *b)
{
	if (!b || !b->mb || !b->mb->end)
		return re_hprintf(pf, "Content-Length: 0\r\n\r\n");

	return re_hprintf(pf, "Content-Type: %s\r\n"
			  "Content-Length: %zu\r\n\r\n%b",
			  b->ctype ? b->ctype : "application/sdp", b->mb->end,
			  b->mb->buf, b->mb->end);
}


/**
 * Send an encoded response of the leg again (over UDP: a stream is
 * reliable), to where the answers to its request go
 *
 * @param leg Leg
 * @param msg The request it answers
 * @param mb  The response
 */
void leg_resend(struct leg *leg, const struct sip_msg *msg, struct mbuf *mb)
{
	if (!leg)
		return;

	siptp_resend(leg->b2b->tp[leg->side], msg, mb);
}


static void ok_retransmit(struct dte *e, void *arg)
{
	struct leg *leg = arg;
	struct dtq *q = leg->b2b->q_ok;
	(void)e;

	leg->ok_total += q[leg->ok_step].delay;
	if (leg->ok_total >= 64 * T1) {
		leg->ok = mem_deref(leg->ok);
		leg->ok_msg = mem_deref((void *)leg->ok_msg);
		if (leg->noackh)
			leg->noackh(leg, leg->arg);
		return;
	}

	leg_resend(leg, leg->ok_msg, leg->ok);

	if (leg->ok_step + 1 < B2B_OK_STEPS)
		++leg->ok_step;
	dte_start(&q[leg->ok_step], &leg->ok_t, ok_retransmit, leg);
}


/**
 * Retransmit a 2xx to the leg's INVITE over UDP until its ACK comes
 * (leg_ack_received()), for 64*T1 at most (then the owner's no-ACK
 * handler runs)
 *
 * @param leg Leg (UAS of the INVITE)
 * @param mb  The 2xx, encoded
 * @param msg The INVITE it answers (where it goes)
 */
void leg_ok_start(struct leg *leg, struct mbuf *mb,
		  const struct sip_msg *msg)
{
	if (!leg || !mb || !msg)
		return;

	mem_deref(leg->ok);
	mem_deref((void *)leg->ok_msg);
	leg->ok = mem_ref(mb);
	leg->ok_msg = mem_ref((void *)msg);
	leg->ok_step = 0;
	leg->ok_total = 0;
	dte_start(&leg->b2b->q_ok[0], &leg->ok_t, ok_retransmit, leg);
}


/* The response, with our Contact, Allow and Supported in a 1xx or
 * 2xx; the encoded message in *mbp if mbp is given */
static int respond(struct leg *leg, struct siptp_st **stp,
		   const struct sip_msg *msg, uint16_t scode,
		   const char *reason, const char *hdrs,
		   const struct body *body, struct mbuf **mbp)
{
	const char *sup = leg_supported(leg->b2b->cfg, true);
	char contact[256] = "";

	if (scode > 100 && scode < 300) {
		struct sa laddr;
		size_t n;

		laddr_of(leg, msg, &laddr);
		contact_fmt(contact, sizeof(contact), &laddr, msg->tp);
		n = strlen(contact);
		(void)re_snprintf(contact + n, sizeof(contact) - n,
				  "Allow: %s\r\n%s%s%s", B2B_ALLOW,
				  sup ? "Supported: " : "", sup ? sup : "",
				  sup ? "\r\n" : "");
	}

	return siptp_treplyf(stp, mbp, leg->b2b->tp[leg->side], msg,
			     scode, reason, "%s%s" "%H", contact,
			     hdrs ? hdrs : "", body_print, body);
}


/**
 * Answer a request received on the leg
 *
 * 1xx and 2xx carry our Contact, Allow and Supported; a 2xx to an
 * INVITE over UDP is retransmitted until leg_ack_received().
 *
 * @param leg    Leg
 * @param stp    The request's server transaction, NULL when final
 * @param msg    The request
 * @param scode  Status code
 * @param reason Reason phrase
 * @param hdrs   More header lines, or NULL
 * @param body   Body, or NULL
 *
 * @return 0 if success, otherwise errorcode
 */
int leg_respond(struct leg *leg, struct siptp_st **stp,
		const struct sip_msg *msg, uint16_t scode, const char *reason,
		const char *hdrs, const struct body *body)
{
	bool ok = scode >= 200 && scode < 300;
	struct mbuf *mb = NULL;
	int err;

	if (!leg || !stp || !*stp || !msg || !reason)
		return EINVAL;

	err = respond(leg, stp, msg, scode, reason, hdrs, body,
		      ok && !pl_strcmp(&msg->met, "INVITE") ? &mb : NULL);
	if (err || !mb)
		goto out;

	if (msg->tp == SIP_TRANSP_UDP)
		leg_ok_start(leg, mb, msg);

 out:
	mem_deref(mb);

	return err;
}


/**
 * A provisional response to the leg's first INVITE, kept encoded (a
 * reliable one, RFC 3262, is sent again until its PRACK)
 *
 * @param leg    Leg (UAS of the INVITE)
 * @param scode  Status code, 101 to 199
 * @param reason Reason phrase
 * @param hdrs   More header lines, or NULL
 * @param sdp    SDP body, or NULL
 * @param mbp    Set to the response, referenced
 *
 * @return 0 if success, otherwise errorcode
 */
int leg_provisional(struct leg *leg, uint16_t scode, const char *reason,
		    const char *hdrs, const struct mbuf *sdp,
		    struct mbuf **mbp)
{
	struct body body = {NULL, sdp};

	if (!leg || !leg->msg || !reason || !mbp || scode <= 100 ||
	    scode >= 200)
		return EINVAL;

	if (!leg->st)
		return EALREADY;

	return respond(leg, &leg->st, leg->msg, scode, reason, hdrs, &body,
		       mbp);
}


/**
 * Answer the leg's first INVITE
 *
 * @param leg    Leg (UAS of the INVITE)
 * @param scode  Status code
 * @param reason Reason phrase
 * @param sdp    SDP body, or NULL
 *
 * @return 0 if success, otherwise errorcode
 */
int leg_reply(struct leg *leg, uint16_t scode, const char *reason,
	      const struct mbuf *sdp)
{
	return leg_reply_hdrs(leg, scode, reason, NULL, sdp);
}


/**
 * Answer the leg's first INVITE, with more header lines
 *
 * @param leg    Leg (UAS of the INVITE)
 * @param scode  Status code
 * @param reason Reason phrase
 * @param hdrs   More header lines, or NULL
 * @param sdp    SDP body, or NULL
 *
 * @return 0 if success, otherwise errorcode
 */
int leg_reply_hdrs(struct leg *leg, uint16_t scode, const char *reason,
		   const char *hdrs, const struct mbuf *sdp)
{
	struct body body = {NULL, sdp};

	if (!leg || !leg->msg)
		return EINVAL;

	if (!leg->st)
		return EALREADY;

	return leg_respond(leg, &leg->st, leg->msg, scode, reason, hdrs,
			   scode == 100 || scode >= 300 ? NULL : &body);
}


/**
 * Answer a request that came on the leg, in a server transaction of its
 * own (a retransmission gets the same answer), with a Warning if why
 * is given
 *
 * @param leg    Leg the request came on
 * @param msg    The request
 * @param scode  Status code
 * @param reason Reason phrase
 * @param why    Text of a "Warning: 399", or NULL
 */
void leg_answer(struct leg *leg, const struct sip_msg *msg, uint16_t scode,
		const char *reason, const char *why)
{
	char hdrs[160] = "";

	if (why)
		(void)re_snprintf(hdrs, sizeof(hdrs),
				  "Warning: 399 umedge \"%s\"\r\n", why);

	(void)leg_answer_hdrs(leg, msg, scode, reason, hdrs, NULL);
}


/**
 * Answer a request that came on the leg, in a server transaction of its
 * own, with more header lines and a body
 *
 * @param leg    Leg the request came on
 * @param msg    The request
 * @param scode  Status code
 * @param reason Reason phrase
 * @param hdrs   More header lines, or NULL
 * @param body   Body, or NULL
 *
 * @return 0 if success, otherwise errorcode
 */
int leg_answer_hdrs(struct leg *leg, const struct sip_msg *msg,
		    uint16_t scode, const char *reason, const char *hdrs,
		    const struct body *body)
{
	struct siptp_st *st = NULL;
	int err;

	if (!leg || !msg)
		return EINVAL;

	err = siptp_st_alloc(&st, leg->b2b->tp[leg->side], msg, NULL, NULL);
	if (err)
		return err;

	err = leg_respond(leg, &st, msg, scode, reason, hdrs, body);
	mem_deref(st);

	return err;
}


/** The ACK for our 2xx came: stop retransmitting it */
void leg_ack_received(struct leg *leg)
{
	if (!leg)
		return;

	dte_cancel(&leg->ok_t);
	leg->ok = mem_deref(leg->ok);
	leg->ok_msg = mem_deref((void *)leg->ok_msg);
	leg->confirmed = true;
}


/* Our Contact, from the address the stack sends from */
static int send_handler(enum sip_transp tp, const struct sa *src,
			const struct sa *dst, struct mbuf *mb, void *arg)
{
	char contact[128];
	(void)dst;
	(void)arg;

	contact_fmt(contact, sizeof(contact), src, tp);

	return mbuf_write_str(mb, contact);
}


/* Our tag, from the From line sip_dialog_encode() wrote (libre keeps
 * it to itself): responses are checked against it */
static void ltag_learn(struct leg *leg, const struct mbuf *mb, size_t start)
{
	struct pl line, tag;

	if (leg->ltag[0])
		return;

	if (!re_regex((const char *)mb->buf + start, mb->pos - start,
		      "\r\nFrom:[^\r\n]+", &line) &&
	    !msg_param_decode(&line, "tag", &tag))
		(void)pl_strcpy(&tag, leg->ltag, sizeof(leg->ltag));
}


/* A new dialog's To with the callee's display name: libre's
 * sip_dialog_alloc() writes only "To: <uri>"; once the dialog is
 * established, libre's To is the peer's own, name and tag */
static int to_name_insert(struct mbuf *mb, size_t start, const char *name)
{
	static const char key[] = "\r\nTo: <";
	char dn[B2B_NAME_MAX + 4];
	size_t off, n;
	int err;

	for (off = start; off + sizeof(key) - 1 <= mb->pos; off++) {
		if (!memcmp(mb->buf + off, key, sizeof(key) - 1))
			break;
	}
	if (off + sizeof(key) - 1 > mb->pos)
		return 0;

	off += sizeof(key) - 2;   /* at the '<' */
	(void)re_snprintf(dn, sizeof(dn), "\"%s\" ", name);
	n = strlen(dn);

	err = mbuf_resize(mb, mb->pos + n);
	if (err)
		return err;

	memmove(mb->buf + off + n, mb->buf + off, mb->pos - off);
	memcpy(mb->buf + off, dn, n);
	mb->pos += n;
	mb->end = mb->pos;

	return 0;
}


/* A restored dialog's CSeq goes on from the stored one: the last line
 * sip_dialog_encode() wrote gets cseq_add (an ACK's number is given) */
static int cseq_shift(struct mbuf *mb, size_t start, const struct leg *leg,
		      const char *met)
{
	struct pl num;
	size_t off;

	if (!leg->cseq_add || !strcmp(met, "ACK"))
		return 0;

	for (off = mb->pos; off > start; off--) {
		if (!memcmp(mb->buf + off - 1, "\nCSeq: ", 7))
			break;
	}

	if (off == start || re_regex((char *)mb->buf + off + 6,
				     mb->pos - off - 6, "[0-9]+", &num))
		return EBADMSG;

	mb->pos = mb->end = off;

	return mbuf_printf(mb, "CSeq: %u %s\r\n",
			   pl_u32(&num) + leg->cseq_add, met);
}


/* The request's headers and body, after Via and Contact */
static int request_encode(struct mbuf *mb, struct leg *leg, const char *met,
			  uint32_t cseq, uint32_t maxfwd, const char *hdrs,
			  const struct body *body)
{
	const struct cfg *cfg = leg->b2b->cfg;
	size_t start;
	int err;

	err  = mbuf_printf(mb, "Max-Forwards: %u\r\n", maxfwd);
	start = mb->pos - 2;
	err |= sip_dialog_encode(mb, leg->dlg, cseq, met);
	if (!err)
		err = cseq_shift(mb, start, leg, met);
	if (!err)
		ltag_learn(leg, mb, start);
	if (!err && leg->to_name && !sip_dialog_established(leg->dlg))
		err = to_name_insert(mb, start, leg->to_name);
	err |= mbuf_printf(mb, "User-Agent: %s\r\n", cfg->sip.user_agent);
	if (hdrs)
		err |= mbuf_write_str(mb, hdrs);
	err |= mbuf_printf(mb, "%H", body_print, body);

	mb->pos = 0;

	return err;
}


/**
 * Give the leg the credentials of its peer (a gateway's, shared by
 * every leg toward it: the challenge in force and its nonce count go
 * with them)
 *
 * @param leg  Leg
 * @param auth The gateway's credentials, or NULL: none
 */
void leg_cred_set(struct leg *leg, struct uacauth *auth)
{
	if (!leg)
		return;

	mem_deref(leg->auth);
	leg->auth = mem_ref(auth);
}


/**
 * Write the answer to the challenge in force on the leg, if any
 *
 * @param mb  Buffer
 * @param leg Leg with a dialog
 * @param met Method of the request it goes with
 *
 * @return 0 if success, otherwise errorcode
 */
int leg_auth_write(struct mbuf *mb, struct leg *leg, const char *met)
{
	if (!leg || !leg->auth || !leg->dlg)
		return 0;

	return uacauth_write(mb, leg->auth, met, sip_dialog_uri(leg->dlg));
}


/**
 * Send a request on the leg's dialog (once: lreq.c answers challenges)
 *
 * @param leg    Leg with a dialog
 * @param met    Method
 * @param maxfwd Max-Forwards
 * @param hdrs   More header lines ("Name: value\r\n"...), or NULL
 * @param body   Body, or NULL
 * @param resph  Response handler, or NULL
 * @param arg    Its argument
 * @param reqp   Pending request, set to NULL by libre when it ends; or
 *               NULL to leave the request to libre
 *
 * @return 0 if success, otherwise errorcode
 */
int leg_send(struct leg *leg, const char *met, uint32_t maxfwd,
	     const char *hdrs, const struct body *body,
	     sip_resp_h *resph, void *arg, struct siptp_req **reqp)
{
	struct mbuf *mb;
	int err;

	if (!leg || !leg->dlg || !met)
		return EINVAL;

	mb = mbuf_alloc(1024);
	if (!mb)
		return ENOMEM;

	err = request_encode(mb, leg, met, 0, maxfwd, hdrs, body);
	if (err)
		goto out;

	if (!strcmp(met, "INVITE"))
		leg->invite_cseq = sip_dialog_lseq(leg->dlg) - 1 +
			leg->cseq_add;

	err = siptp_request(reqp, leg->b2b->tp[leg->side], true, met,
			    sip_dialog_uri(leg->dlg),
			    sip_dialog_route(leg->dlg), mb,
			    sip_dialog_hash(leg->dlg), send_handler, resph,
			    arg);

 out:
	mem_deref(mb);

	return err;
}


/**
 * Acknowledge the 2xx to our INVITE
 *
 * @param leg  Leg (UAC of the INVITE), its dialog established
 * @param body The SDP answer when the 2xx offered (delayed offer), or
 *             NULL
 *
 * @return 0 if success, otherwise errorcode
 */
int leg_ack(struct leg *leg, const struct body *body)
{
	struct mbuf *mb;
	int err;

	if (!leg || !leg->dlg)
		return EINVAL;

	if (body && body->mb && body->mb != leg->ack_sdp) {
		mem_deref(leg->ack_sdp);
		leg->ack_sdp = mbuf_alloc(body->mb->end);
		if (leg->ack_sdp)
			(void)mbuf_write_mem(leg->ack_sdp, body->mb->buf,
					     body->mb->end);
	}

	mb = mbuf_alloc(512);
	if (!mb)
		return ENOMEM;

	err = request_encode(mb, leg, "ACK", leg->invite_cseq, 70, NULL,
			     body);
	if (!err)
		err = siptp_request(NULL, leg->b2b->tp[leg->side], false,
				    "ACK", sip_dialog_uri(leg->dlg),
				    sip_dialog_route(leg->dlg), mb,
				    sip_dialog_hash(leg->dlg), send_handler,
				    NULL, NULL);

	mem_deref(mb);
	leg->confirmed = !err;

	return err;
}


/**
 * A 2xx to one of our INVITEs that came again, after our transaction
 * ended: our ACK was lost, and goes again with the same answer (RFC
 * 3261 §13.2.2.4)
 *
 * @param b2b B2BUA
 * @param msg A response no transaction took
 *
 * @return true if it was such a 2xx, and ACKed
 */
bool leg_ack_again(const struct b2b *b2b, const struct sip_msg *msg)
{
	struct body body = {NULL, NULL};
	struct leg *leg;

	if (!b2b || !msg || msg->scode < 200 || msg->scode >= 300 ||
	    pl_strcmp(&msg->cseq.met, "INVITE"))
		return false;

	leg = leg_lookup(b2b, &msg->callid);
	if (!leg || !leg->confirmed || !leg->dlg ||
	    pl_strcmp(&msg->from.tag, leg->ltag) ||
	    pl_strcmp(&msg->to.tag, leg->rtag) ||
	    msg->cseq.num != leg->invite_cseq)
		return false;

	body.mb = leg->ack_sdp;
	(void)leg_ack(leg, body.mb ? &body : NULL);

	return true;
}
