/**
 * @file bcall.c  A call through the edge: the INVITE, redirects,
 *                failover, answer, CANCEL and BYE
 *
 *   gateway            edge                      UM host / worker
 *   INVITE  ------->   100 Trying
 *                      offer via the relay --->  INVITE (new dialog)
 *                                          <---  302 Contact: worker
 *                      check, follow       --->  INVITE (new dialog)
 *           <-------   18x (answer via relay) <-- 18x
 *           <-------   200 (answer via relay) <-- 200, ACK --->
 *   ACK     ------->
 *   BYE     ------->   200, BYE            --->
 *
 * The gateway never sees a 3xx, an inside address or an inside
 * Call-ID, and the inside never sees the gateway's. A timeout or 5xx
 * from the first UM host before any answer fails over to the next
 * (umhost.h); a redirect target that fails moves on to the next
 * Contact of the same 3xx. Every path that ends a call deletes its
 * relay allocation and writes its record.
 */
#include <string.h>
#include <time.h>
#include <re.h>
#define DEBUG_MODULE "call"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "cfg.h"
#include "tok.h"
#include "elog.h"
#include "relay.h"
#include "redir.h"
#include "umhost.h"
#include "sipguard.h"
#include "passhdr.h"
#include "cdr.h"
#include "b2b_priv.h"


enum {
	ID_MAX    = 24,     /**< "um" + 16 hex digits + NUL    */
	CHAIN_MAX = 1024,   /**< Redirect chain kept for CDR   */
	TOKEN_TTL = 60,     /**< Relay token lifetime (s)      */
};

/** One call through the edge */
struct bcall {
	struct le le;                   /**< Member of b2b.calls          */
	struct b2b *b2b;                /**< Owner                        */
	char id[ID_MAX];                /**< The relay's name for it      */
	struct leg *leg[2];             /**< Outside and inside dialogs   */
	enum bcall_state state;         /**< See enum bcall_state         */
	char user[B2B_NAME_MAX];        /**< Request-URI user part        */
	char from_name[B2B_NAME_MAX];   /**< Caller's display name        */
	char from_user[B2B_NAME_MAX];   /**< Caller's user part           */
	char to_user[B2B_NAME_MAX];     /**< Callee's user part           */
	char to_name[B2B_NAME_MAX];     /**< Callee's display name        */
	char *hdrs;                     /**< Headers passed inside        */
	uint32_t maxfwd;                /**< Max-Forwards inside          */
	struct mbuf *offer;             /**< The offer the inside gets    */
	struct mbuf *answer;            /**< The answer the gateway got   */
	struct list targets;            /**< Contacts of the last 3xx     */
	const struct umhost *host;      /**< UM host of the first hop     */
	uint32_t tried;                 /**< UM hosts tried (bits)        */
	unsigned hops;                  /**< 3xx followed                 */
	bool provisional;               /**< A 1xx came on this attempt   */
	bool cancelled;                 /**< The gateway cancelled        */
	uint64_t t_start;               /**< Unix ms of the INVITE        */
	uint64_t t_answer;              /**< Unix ms of the 2xx, or 0     */
	char chain[CHAIN_MAX];          /**< Hosts and 3xx targets tried  */
	struct dte noresp;              /**< No response to the INVITE    */
	struct list xreqs;              /**< Requests in flight (xreq.c)  */
	bool offering;                  /**< A re-offer is in flight      */
	bool late;                      /**< Delayed offer: the INVITE had
					     no SDP, the 2xx offers and the
					     gateway's ACK answers        */
	struct leg *ack_leg;            /**< Leg whose 2xx offered: our ACK
					     to it waits for the answer in
					     the other leg's ACK, or NULL */
};


static int  attempt_host(struct bcall *call);
static void bcall_end(struct bcall *call, const char *cause);
static void invite_resp_handler(int err, const struct sip_msg *msg,
				void *arg);
static void attempt_failed(struct bcall *call, uint16_t scode,
			   const char *reason, const char *cause);


static uint64_t unix_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);

	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}


static void bcall_destructor(void *data)
{
	struct bcall *call = data;

	dte_cancel(&call->noresp);
	list_unlink(&call->le);
	list_flush(&call->xreqs);
	list_flush(&call->targets);
	mem_deref(call->leg[B2B_EXT]);
	mem_deref(call->leg[B2B_INT]);
	mem_deref(call->hdrs);
	mem_deref(call->offer);
	mem_deref(call->answer);
}


static struct sip *stack(const struct bcall *call, enum b2b_side side)
{
	return call->b2b->sip[side];
}


static void chain_add(struct bcall *call, const char *what, const char *uri)
{
	size_t n = strlen(call->chain);

	(void)re_snprintf(call->chain + n, sizeof(call->chain) - n, "%s%s %s",
			  n ? ", " : "", what, uri);
}


static const char *side_tag(enum b2b_side side)
{
	return side == B2B_EXT ? "ext" : "int";
}


/**
 * Put an SDP through the relay: the relay's side 0 is the side that
 * made the first offer (outside), its tags are "ext" and "int"
 *
 * @param call  Call
 * @param from  Side the SDP came from
 * @param offer Offer (true) or answer
 * @param msg   Message carrying it
 * @param outp  The SDP for the other side (replaced)
 *
 * @return 0 if success, otherwise errorcode
 */
int bcall_sdp(struct bcall *call, enum b2b_side from, bool offer,
	      const struct sip_msg *msg, struct mbuf **outp)
{
	struct b2b *b2b = call->b2b;
	char token[256] = "";
	struct relay_req req;
	struct mbuf *out;
	const char *why = NULL;
	int err;

	memset(&req, 0, sizeof(req));
	pl_set_str(&req.callid, call->id);
	pl_set_str(&req.from_tag, side_tag(offer ? from : !from));
	if (!offer)
		pl_set_str(&req.to_tag, side_tag(from));
	pl_set_mbuf(&req.sdp, msg->mb);
	pl_set_str(&req.dir[0], b2b->iface[from]);
	pl_set_str(&req.dir[1], b2b->iface[!from]);
	req.replace_origin = true;
	req.replace_session_conn = true;
	req.ssrc_remove = true;   /* topology: cname:user@host */

	if (offer && tok_keyring_signer(b2b->cfg->keys)) {
		char scope[ID_MAX + 8];

		(void)re_snprintf(scope, sizeof(scope), "relay:%s", call->id);
		if (!tok_issue(token, sizeof(token), b2b->cfg->keys, scope,
			       (uint64_t)time(NULL) + TOKEN_TTL))
			pl_set_str(&req.token, token);
	}

	out = mbuf_alloc(msg->mb->end + 256);
	if (!out)
		return ENOMEM;

	err = offer ? relay_offer(b2b->relay, &req, out, &why) :
		relay_answer(b2b->relay, &req, out, &why);
	if (err) {
		DEBUG_WARNING("%s: relay refused the %s: %s\n", call->id,
			      offer ? "offer" : "answer", why ? why : "?");
		mem_deref(out);
		return err;
	}

	mem_deref(*outp);
	*outp = out;

	return 0;
}


static int media(struct bcall *call, bool offer, const struct sip_msg *msg,
		 struct mbuf **outp)
{
	return bcall_sdp(call, offer ? B2B_EXT : B2B_INT, offer, msg, outp);
}


/** @return true if the message carries an SDP body */
bool bcall_has_sdp(const struct sip_msg *msg)
{
	return mbuf_get_left(msg->mb) > 0 &&
		msg_ctype_cmp(&msg->ctyp, "application", "sdp");
}


/* Final answer to the gateway's INVITE, unless it had one */
static void fail(struct bcall *call, uint16_t scode, const char *reason,
		 const char *cause)
{
	struct leg *a = call->leg[B2B_EXT];

	if (a->st)
		(void)leg_reply(a, scode, reason, NULL);

	++call->b2b->st.failed;
	bcall_end(call, cause);
}


/* Nothing at all came back (libre would wait 32 s, timer B): give up
 * on this host or target; dropping the request cancels it */
static void noresp_handler(struct dte *e, void *arg)
{
	struct bcall *call = arg;
	struct leg *b = call->leg[B2B_INT];
	(void)e;

	b->req = mem_deref(b->req);
	attempt_failed(call, 0, NULL, "no response");
}


/* A new dialog inside toward uri; the previous one is over */
static int attempt(struct bcall *call, const char *uri, const char *host)
{
	struct b2b *b2b = call->b2b;
	char from[B2B_URI_MAX], to[B2B_URI_MAX];
	struct body offer = {NULL, call->offer};
	struct leg *b;
	int err;

	call->leg[B2B_INT] = mem_deref(call->leg[B2B_INT]);
	call->provisional = false;

	err = leg_alloc(&b, b2b, call, B2B_INT);
	if (err)
		return err;
	call->leg[B2B_INT] = b;

	(void)re_snprintf(from, sizeof(from), "sip:%s@%j",
			  call->from_user[0] ? call->from_user : "anonymous",
			  &b2b->laddr[B2B_INT]);
	(void)re_snprintf(to, sizeof(to), "sip:%s@%s", call->to_user, host);

	err = sip_dialog_alloc(&b->dlg, uri, to,
			       call->from_name[0] ? call->from_name : NULL,
			       from, NULL, 0);
	if (err)
		return err;

	str_ncpy(b->callid, sip_dialog_callid(b->dlg), sizeof(b->callid));
	b->to_name = call->to_name[0] ? call->to_name : NULL;
	b2b_leg_link(b2b, b);

	err = leg_request(b, "INVITE", call->maxfwd, call->hdrs, &offer,
			  invite_resp_handler, call, &b->req);
	if (!err)
		dte_start(&b2b->q_noresp, &call->noresp, noresp_handler, call);

	return err;
}


/* The next Contact of the last 3xx that may be followed */
static bool next_target(struct bcall *call)
{
	const struct cfg *cfg = call->b2b->cfg;

	while (call->targets.head) {
		struct redir_target *t = call->targets.head->data;
		enum redir_verdict v;
		char host[64];
		int err;

		list_unlink(&t->le);
		v = redir_check(t, &cfg->sip.internal_nets,
				call->b2b->tls[B2B_INT] != NULL);
		if (v) {
			++call->b2b->st.refused_3xx;
			DEBUG_WARNING("%s: redirect to <%s> refused: %s\n",
				      call->id, t->uri, redir_verdict_str(v));
			chain_add(call, "refused", t->uri);
			mem_deref(t);
			continue;
		}

		(void)re_snprintf(host, sizeof(host), "%j", &t->addr);
		chain_add(call, "redirect", t->uri);
		err = attempt(call, t->uri, host);
		mem_deref(t);
		if (!err)
			return true;
	}

	return false;
}


/* The current attempt failed with scode (0: no response at all) */
static void attempt_failed(struct bcall *call, uint16_t scode,
			   const char *reason, const char *cause)
{
	bool first_hop = !call->hops;

	if (call->cancelled) {
		bcall_end(call, "cancelled");
		return;
	}

	if (first_hop && !call->provisional &&
	    (scode == 0 || scode == 408 || scode >= 500)) {
		DEBUG_NOTICE("%s: UM host %s failed (%s): next host\n",
			     call->id, umhost_name(call->host), cause);
		if (!attempt_host(call))
			return;
	}
	else if (!first_hop && next_target(call)) {
		return;
	}

	if (!scode) {
		scode = 408;
		reason = "Request Timeout";
	}

	fail(call, scode, reason, cause);
}


static int attempt_host(struct bcall *call)
{
	struct b2b *b2b = call->b2b;
	char uri[B2B_URI_MAX];
	int err;

	for (;;) {
		call->host = umhosts_pick(b2b->hosts, &call->tried);
		if (!call->host)
			return ENOENT;

		umhost_uri(uri, sizeof(uri), call->host, call->user);
		chain_add(call, "host", umhost_name(call->host));

		err = attempt(call, uri, umhost_name(call->host));
		if (!err)
			return 0;

		DEBUG_WARNING("%s: INVITE to %s not sent: %m\n", call->id,
			      uri, err);
	}
}


static void provisional(struct bcall *call, const struct sip_msg *msg)
{
	struct leg *b = call->leg[B2B_INT];
	char reason[64];
	bool early_sdp;

	call->provisional = true;
	if (msg->scode == 100)
		return;

	if (pl_isset(&msg->to.tag) && !sip_dialog_established(b->dlg) &&
	    !sip_dialog_create(b->dlg, msg))
		b->early = true;

	/* an offer in an unreliable 1xx (delayed offer) is not one
	 * (RFC 3261 §13.2.1): it waits for the 2xx */
	early_sdp = bcall_has_sdp(msg) && !call->late;
	if (early_sdp && media(call, false, msg, &call->answer))
		return;

	call->state = BCALL_EARLY;
	(void)pl_strcpy(&msg->reason, reason, sizeof(reason));
	(void)leg_reply(call->leg[B2B_EXT], msg->scode, reason,
			early_sdp ? call->answer : NULL);
}


static void bye_send(struct bcall *call, enum b2b_side side)
{
	struct leg *leg = call->leg[side];

	if (!leg || !leg->dlg || !sip_dialog_established(leg->dlg))
		return;

	if (call->ack_leg == leg) {
		call->ack_leg = NULL;
		(void)leg_ack(leg, NULL);
	}

	(void)leg_request(leg, "BYE", 70, NULL, NULL, NULL, NULL, NULL);
}


/* The SDP of the UM host's 2xx for the gateway: the answer to the
 * gateway's offer, or with a delayed offer the offer itself, whose
 * answer comes in the gateway's ACK (late_ack) */
static int answer_sdp(struct bcall *call, const struct sip_msg *msg)
{
	if (!call->late)
		return bcall_has_sdp(msg) ?
			media(call, false, msg, &call->answer) : 0;

	if (!bcall_has_sdp(msg))
		return EPROTO;

	return bcall_sdp(call, B2B_INT, true, msg, &call->answer);
}


static void answered(struct bcall *call, const struct sip_msg *msg)
{
	struct leg *b = call->leg[B2B_INT];
	char reason[64];
	int err;

	err = sip_dialog_established(b->dlg) ?
		sip_dialog_update(b->dlg, msg) :
		sip_dialog_create(b->dlg, msg);
	if (!err && !call->late)
		err = leg_ack(b, NULL);
	if (err) {
		fail(call, 502, "Bad Gateway", "2xx without a dialog");
		return;
	}

	call->ack_leg = call->late ? b : NULL;

	if (call->cancelled) {
		bye_send(call, B2B_INT);
		bcall_end(call, "cancelled");
		return;
	}

	if (answer_sdp(call, msg)) {
		bye_send(call, B2B_INT);
		fail(call, 488, "Not Acceptable Here", "answer refused");
		return;
	}

	(void)pl_strcpy(&msg->reason, reason, sizeof(reason));
	err = leg_reply(call->leg[B2B_EXT], msg->scode, reason, call->answer);
	if (err) {
		bye_send(call, B2B_INT);
		bcall_end(call, "2xx could not be sent out");
		return;
	}

	call->state = BCALL_ANSWERED;
	call->t_answer = unix_ms();
	++call->b2b->st.answered;
}


/* A 2xx that offered (delayed offer, in the INVITE or a re-INVITE):
 * the other leg's ACK carries the answer, which goes on in our ACK to
 * the leg that offered. Without one the call cannot go on. */
static void late_ack(struct bcall *call, const struct sip_msg *msg)
{
	struct leg *to = call->ack_leg;
	struct body answer = {NULL, NULL};
	struct mbuf *sdp = NULL;

	call->ack_leg = NULL;
	bcall_offer_done(call);

	if (bcall_has_sdp(msg) &&
	    !bcall_sdp(call, !to->side, false, msg, &sdp)) {
		answer.mb = sdp;
		(void)leg_ack(to, &answer);
		mem_deref(sdp);
		return;
	}

	DEBUG_WARNING("%s: the ACK has no usable answer\n", call->id);
	(void)leg_ack(to, NULL);
	bye_send(call, B2B_EXT);
	bye_send(call, B2B_INT);
	bcall_end(call, "no answer in ACK");
}


/**
 * A 2xx on a leg offered (the request had no SDP): our ACK to that leg
 * waits for the answer in the other leg's ACK
 *
 * @param call Call
 * @param leg  The leg whose 2xx offered
 */
void bcall_ack_defer(struct bcall *call, struct leg *leg)
{
	if (call)
		call->ack_leg = leg;
}


static void redirected(struct bcall *call, const struct sip_msg *msg)
{
	const struct cfg *cfg = call->b2b->cfg;

	if (call->cancelled) {
		bcall_end(call, "cancelled");
		return;
	}

	if (++call->hops > cfg->sip.max_redirects) {
		fail(call, 502, "Bad Gateway", "too many redirects");
		return;
	}

	++call->b2b->st.redirects;
	if (redir_targets(&call->targets, msg)) {
		fail(call, 502, "Bad Gateway", "3xx without a Contact");
		return;
	}

	if (!next_target(call))
		fail(call, 502, "Bad Gateway", "no redirect target allowed");
}


/* UM is never challenged and cannot be answered: a 401/407 from it is
 * the edge's problem, not the gateway's */
static void rejected(struct bcall *call, const struct sip_msg *msg)
{
	char reason[64], cause[80];
	uint16_t scode = msg->scode;

	(void)pl_strcpy(&msg->reason, reason, sizeof(reason));
	(void)re_snprintf(cause, sizeof(cause), "%u %s", scode, reason);

	if (scode == 401 || scode == 407) {
		scode = 403;
		str_ncpy(reason, "Forbidden", sizeof(reason));
	}

	attempt_failed(call, scode, reason, cause);
}


static void invite_resp_handler(int err, const struct sip_msg *msg,
				void *arg)
{
	struct bcall *call = arg;
	struct leg *b = call->leg[B2B_INT];
	struct pl callid, ltag, met;

	dte_cancel(&call->noresp);

	if (err || !msg) {
		char cause[64];

		/* no answer is a timeout; a refused connection or a failed
		 * TLS handshake is not */
		(void)re_snprintf(cause, sizeof(cause), "%m", err);
		if (err == ETIMEDOUT)
			attempt_failed(call, 0, NULL, cause);
		else
			attempt_failed(call, 503, "Service Unavailable",
				       cause);
		return;
	}

	pl_set_str(&callid, b->callid);
	pl_set_str(&ltag, b->ltag);
	pl_set_str(&met, "INVITE");
	if (!sipguard_response(msg, &callid, &ltag, &met) ||
	    (msg->scode >= 200 && msg->scode < 300 &&
	     !pl_isset(&msg->to.tag))) {
		DEBUG_WARNING("%s: response %u does not fit the INVITE\n",
			      call->id, msg->scode);
		if (msg->scode >= 200)
			attempt_failed(call, 502, "Bad Gateway",
				       "response does not fit");
		return;
	}

	if (pl_isset(&msg->to.tag) && !b->rtag[0])
		(void)pl_strcpy(&msg->to.tag, b->rtag, sizeof(b->rtag));

	if (msg->scode < 200)
		provisional(call, msg);
	else if (msg->scode < 300)
		answered(call, msg);
	else if (msg->scode < 400)
		redirected(call, msg);
	else
		rejected(call, msg);
}


static void cancel_handler(void *arg)
{
	struct bcall *call = arg;
	struct leg *b = call->leg[B2B_INT];

	call->cancelled = true;
	(void)leg_reply(call->leg[B2B_EXT], 487, "Request Terminated", NULL);

	if (b && b->req)
		sip_request_cancel(b->req);
	else
		bcall_end(call, "cancelled");
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


/* The facts of the gateway's INVITE the inside leg is built from */
static int facts_take(struct bcall *call, const struct sip_msg *msg)
{
	(void)pl_strcpy(&msg->uri.user, call->user, sizeof(call->user));
	(void)pl_strcpy(&msg->from.uri.user, call->from_user,
			sizeof(call->from_user));
	(void)pl_strcpy(&msg->to.uri.user, call->to_user,
			sizeof(call->to_user));
	dname_take(&msg->from.dname, call->from_name, sizeof(call->from_name));
	dname_take(&msg->to.dname, call->to_name, sizeof(call->to_name));

	call->maxfwd = pl_isset(&msg->maxfwd) ?
		pl_u32(&msg->maxfwd) - 1 : 69;

	return passhdr_collect(&call->hdrs, msg);
}


/**
 * A new call: the gateway's INVITE (trusted, checked)
 *
 * @param b2b B2BUA
 * @param msg INVITE without a To tag, from the outside
 *
 * @return 0 if success, otherwise errorcode (the INVITE got an answer)
 */
int bcall_invite(struct b2b *b2b, const struct sip_msg *msg)
{
	struct bcall *call;
	struct leg *a;
	int err;

	call = mem_zalloc(sizeof(*call), bcall_destructor);
	if (!call)
		return ENOMEM;

	call->b2b = b2b;
	call->t_start = unix_ms();
	(void)re_snprintf(call->id, sizeof(call->id), "um%016llx",
			  (unsigned long long)rand_u64());
	list_append(&b2b->calls, &call->le, call);
	++b2b->st.calls;

	err = leg_alloc(&a, b2b, call, B2B_EXT);
	if (err)
		goto out;
	call->leg[B2B_EXT] = a;

	err = leg_accept(a, stack(call, B2B_EXT), msg, cancel_handler, call);
	if (err)
		goto out;
	b2b_leg_link(b2b, a);
	(void)leg_reply(a, 100, "Trying", NULL);

	err = facts_take(call, msg);
	if (err)
		goto out;

	/* no SDP: a delayed offer, which the UM host's 2xx makes */
	call->late = !bcall_has_sdp(msg);
	if (!call->late && media(call, true, msg, &call->offer)) {
		fail(call, 503, "Service Unavailable", "relay refused");
		return 0;
	}

	if (attempt_host(call))
		fail(call, 503, "Service Unavailable", "no UM host alive");

	return 0;

 out:
	mem_deref(call);
	return err;
}


static void bye_handler(struct bcall *call, struct leg *leg,
			const struct sip_msg *msg)
{
	enum b2b_side other = !leg->side;

	(void)sip_treply(NULL, stack(call, leg->side), msg, 200, "OK");
	bye_send(call, other);
	bcall_end(call, leg->side == B2B_EXT ? "bye from outside" :
		  "bye from inside");
}


/**
 * A request inside one of the call's dialogs
 *
 * @param call Call
 * @param leg  The leg whose dialog it matched
 * @param msg  The request
 */
void bcall_request(struct bcall *call, struct leg *leg,
		   const struct sip_msg *msg)
{
	static const char *relayed[] = {
		"INVITE", "UPDATE", "INFO", "REFER", "NOTIFY", "MESSAGE",
		"OPTIONS",
	};

	if (!pl_strcmp(&msg->met, "ACK")) {
		leg_ack_received(leg);
		if (call->state == BCALL_ANSWERED && leg->side == B2B_EXT)
			call->state = BCALL_CONFIRMED;
		if (call->ack_leg && call->ack_leg != leg)
			late_ack(call, msg);
		return;
	}

	if (!pl_strcmp(&msg->met, "BYE")) {
		bye_handler(call, leg, msg);
		return;
	}

	for (size_t i = 0; i < ARRAY_SIZE(relayed); i++) {
		if (!pl_strcmp(&msg->met, relayed[i])) {
			xreq_relay(call, leg, msg, &call->xreqs);
			return;
		}
	}

	(void)sip_treply(NULL, stack(call, leg->side), msg, 501,
			 "Not Implemented");
}


/** @return the call's leg on a side, NULL if there is none yet */
struct leg *bcall_leg(const struct bcall *call, enum b2b_side side)
{
	return call ? call->leg[side] : NULL;
}


/**
 * Start a re-offer; one at a time per call
 *
 * @param call Call
 *
 * @return false if one is in flight already (glare: 491)
 */
bool bcall_offer_begin(struct bcall *call)
{
	if (call->offering)
		return false;

	call->offering = true;

	return true;
}


/** The re-offer in flight is answered or failed */
void bcall_offer_done(struct bcall *call)
{
	call->offering = false;
}


/** The 2xx to the gateway was never ACKed: end the call */
void bcall_noack(struct bcall *call)
{
	if (!call)
		return;

	DEBUG_WARNING("%s: no ACK for the 2xx from the gateway\n", call->id);
	bye_send(call, B2B_EXT);
	bye_send(call, B2B_INT);
	bcall_end(call, "no ACK");
}


/**
 * The relay found no media for too long: BYE on both legs
 *
 * @param b2b B2BUA
 * @param id  The relay's call name
 */
void bcall_media_timeout(struct b2b *b2b, const char *id)
{
	for (struct le *le = b2b ? b2b->calls.head : NULL; le; le = le->next) {
		struct bcall *call = le->data;

		if (strcmp(call->id, id))
			continue;

		DEBUG_NOTICE("%s: media timeout\n", call->id);
		bye_send(call, B2B_EXT);
		bye_send(call, B2B_INT);
		bcall_end(call, "media timeout");
		return;
	}
}


/* "ext_packets": N, ... for the relay's first stream: its side 0 is
 * the first offerer, the gateway unless the offer was delayed */
static int media_print(struct re_printf *pf, const struct bcall *call)
{
	const struct relay_side_info *e, *i;
	const struct relay_call *rc;
	struct relay_stream_info si;
	struct pl id;

	pl_set_str(&id, call->id);
	rc = relay_call_find(call->b2b->relay, &id);
	if (!rc || relay_call_stream(rc, 0, &si))
		return re_hprintf(pf, "null");

	e = &si.side[call->late];
	i = &si.side[!call->late];

	return re_hprintf(pf, "{\"ext_packets\":%llu,\"ext_bytes\":%llu,"
			  "\"ext_lost\":%lld,\"ext_jitter_ms\":%u,"
			  "\"int_packets\":%llu,\"int_bytes\":%llu,"
			  "\"int_lost\":%lld,\"int_jitter_ms\":%u}",
			  (unsigned long long)e->packets,
			  (unsigned long long)e->bytes,
			  (long long)e->lost, e->jitter_ms,
			  (unsigned long long)i->packets,
			  (unsigned long long)i->bytes,
			  (long long)i->lost, i->jitter_ms);
}


static int leg_callid(struct re_printf *pf, const struct leg *leg)
{
	return cdr_json_str(pf, leg ? leg->callid : NULL);
}


static void record(struct bcall *call, const char *cause)
{
	const struct cfg *cfg = call->b2b->cfg;
	const struct leg *a = call->leg[B2B_EXT];
	uint64_t end = unix_ms();
	struct mbuf *mb;

	DEBUG_NOTICE("%s: ended (%s): outside %s, inside %s, %s\n", call->id,
		     cause, a->callid,
		     call->leg[B2B_INT] ? call->leg[B2B_INT]->callid : "-",
		     call->chain);

	if (!cfg->sip.cdr_file[0])
		return;

	mb = mbuf_alloc(1024);
	if (!mb)
		return;

	(void)mbuf_printf(mb, "{\"id\":\"%s\",\"start_ms\":%llu,"
			  "\"answer_ms\":%llu,\"end_ms\":%llu,\"cause\":%H,"
			  "\"from\":%H,\"to\":%H,\"src\":\"%J\","
			  "\"ext_call_id\":%H,\"int_call_id\":%H,"
			  "\"chain\":%H,\"media\":%H}\n",
			  call->id, (unsigned long long)call->t_start,
			  (unsigned long long)call->t_answer,
			  (unsigned long long)end, cdr_json_str, cause,
			  cdr_json_str, call->from_user, cdr_json_str,
			  call->to_user, &a->msg->src, leg_callid, a,
			  leg_callid, call->leg[B2B_INT], cdr_json_str,
			  call->chain, media_print, call);

	if (cdr_write(cfg->sip.cdr_file, mb))
		DEBUG_WARNING("cdr: cannot write %s\n", cfg->sip.cdr_file);

	mem_deref(mb);
}


static void bcall_end(struct bcall *call, const char *cause)
{
	struct pl id;

	if (call->state == BCALL_CLOSING)
		return;

	call->state = BCALL_CLOSING;
	xreq_abort_all(&call->xreqs);
	record(call, cause);

	pl_set_str(&id, call->id);
	(void)relay_delete(call->b2b->relay, &id);

	mem_deref(call);
}


/**
 * Print one call for umedgectl
 *
 * @param pf   Print handler
 * @param call Call
 *
 * @return 0 if success, otherwise errorcode
 */
int bcall_print(struct re_printf *pf, const struct bcall *call)
{
	static const char *names[] = {"trying", "early", "answered",
				      "confirmed", "closing"};

	return re_hprintf(pf, "%s %-9s %llus outside %s inside %s [%s]\n",
			  call->id, names[call->state],
			  (unsigned long long)(unix_ms() - call->t_start) /
			  1000, call->leg[B2B_EXT]->callid,
			  call->leg[B2B_INT] ? call->leg[B2B_INT]->callid :
			  "-", call->chain);
}
