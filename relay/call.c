/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file call.c  Offer and answer: streams follow the SDP, the SDP is
 *               rewritten to anchor the media on the relay
 *
 * An offer from one side gives that side's peer addresses to its
 * latches, and the receiver gets the SDP with the relay's addresses on
 * the interface facing it. An answer does the same the other way.
 * Streams are matched to m= lines by position; re-offers (hold,
 * resume) update them in place and keep their ports, unless the
 * interfaces change.
 */
#include <string.h>
#include <re.h>
#define DEBUG_MODULE "relay"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "tok.h"
#include "cfg.h"
#include "iface.h"
#include "fwd.h"
#include "sdes.h"
#include "worker.h"
#include "sdprw.h"
#include "relay.h"
#include "sec.h"
#include "relay_priv.h"


/** State of one offer or answer being handled */
struct exchange {
	struct relay *relay;            /**< Relay                      */
	const struct relay_req *req;    /**< The request                */
	struct relay_call *call;        /**< The call                   */
	bool created;                   /**< The call is new            */
	int from;                       /**< Side sending the SDP       */
	struct relay_iface *ifc[2];     /**< Interfaces, per side       */
	struct sdprw_sdp *sdp;          /**< The parsed SDP             */
	struct sdprw_media m[SDPRW_MEDIA_MAX];  /**< What to announce   */
	struct sec_policy pol;          /**< Media security asked for   */
	bool changed;                   /**< Our ports changed          */
	const char *why;                /**< Reason of a refusal        */
};


/**
 * The side of a call a tag names
 *
 * @param call Call
 * @param tag  A party's tag
 *
 * @return 0 or 1, -1 if neither
 */
int relay_call_side(const struct relay_call *call, const struct pl *tag)
{
	for (int i = 0; i < 2; i++) {
		if (call->tag[i][0] && 0 == pl_strcmp(tag, call->tag[i]))
			return i;
	}

	return -1;
}


static struct relay_stream *stream_at(const struct relay_call *call,
				      unsigned index)
{
	for (struct le *le = call->streams.head; le; le = le->next) {
		struct relay_stream *s = le->data;

		if (s->index == index)
			return s;
	}

	return NULL;
}


static int refuse(struct exchange *x, int err, const char *why)
{
	x->why = why;
	++x->relay->refused;

	return err;
}


static int token_check(struct exchange *x)
{
	char scope[8 + RELAY_ID_MAX];
	int err;

	if (!x->relay->cfg->relay.require_token)
		return 0;

	(void)re_snprintf(scope, sizeof(scope), "relay:%r", &x->req->callid);
	err = tok_verify(x->relay->cfg->keys, &x->req->token, scope,
			 (uint64_t)time(NULL), NULL);
	if (!err)
		return 0;

	if (!pl_isset(&x->req->token))
		return refuse(x, EPERM, "no relay-allocation token");

	DEBUG_NOTICE("call %r: token %s\n", &x->req->callid,
		     tok_strerror(err));
	switch (err) {

	case EKEYEXPIRED: return refuse(x, EPERM, "token expired");
	case EACCES:      return refuse(x, EPERM, "token for another scope");
	case EKEYREJECTED:return refuse(x, EPERM, "token forged");
	default:          return refuse(x, EPERM, "token malformed");
	}
}


/* The interfaces named by the direction flag, sender's first; with
 * no direction, a call's streams keep theirs */
static int ifaces_resolve(struct exchange *x, int from)
{
	const struct relay_stream *s = list_ledata(x->call->streams.head);
	struct relay_iface *a, *b;

	if (s && !pl_isset(&x->req->dir[0]) && !pl_isset(&x->req->dir[1])) {
		x->ifc[0] = s->ifc[0];
		x->ifc[1] = s->ifc[1];
		return 0;
	}

	a = relay_iface_find(x->relay, &x->req->dir[0]);
	b = relay_iface_find(x->relay, &x->req->dir[1]);
	if (!a || !b)
		return refuse(x, EINVAL, "unknown interface in direction");

	x->ifc[from] = a;
	x->ifc[!from] = b;

	return 0;
}


static bool sdes_given(const struct relay_sdes *sd)
{
	return sd->no || sd->only || sd->off || sd->pad;
}


/* What the request asks for sticks to the call's sides; what it leaves
 * unsaid, each side keeps */
static void policy_take(struct exchange *x)
{
	const struct relay_req *r = x->req;
	struct relay_call *c = x->call;
	int to = !x->from;

	if (r->sec[0] != RELAY_SEC_KEEP)
		c->sec[x->from] = r->sec[0];
	if (r->sec[1] != RELAY_SEC_KEEP)
		c->sec[to] = r->sec[1];
	if (r->fb != RELAY_FB_KEEP)
		c->fb[to] = r->fb;
	if (sdes_given(&r->sdes))
		c->sdes[to] = r->sdes;

	x->pol.snd = c->sec[x->from];
	x->pol.rcv = c->sec[to];
	x->pol.fb = c->fb[to];
	x->pol.sdes = &c->sdes[to];
}


static int family_check(struct exchange *x, const struct sdprw_stream *md)
{
	if (sa_af(&md->addr) != sa_af(&x->ifc[x->from]->addr))
		return refuse(x, EAFNOSUPPORT, "address family of the SDP "
			      "does not match the interface");

	return 0;
}


static void announce(struct exchange *x, unsigned i, struct relay_stream *s,
		     enum sdprw_mux mux)
{
	int to = !x->from;

	x->m[i].keep = false;
	x->m[i].addr = *iface_announce(s->ifc[to]);
	sa_set_port(&x->m[i].addr, s->pair[to].port);
	x->m[i].rtcp_port = (uint16_t)(s->pair[to].port + 1);
	x->m[i].mux = mux;
}


/* An offer's m= line: find, move or open its stream */
static int offer_media(struct exchange *x, unsigned i)
{
	const struct sdprw_stream *md = &x->sdp->media[i];
	struct relay_stream *s = stream_at(x->call, i);
	static const enum sdprw_mux muxmap[] = {
		SDPRW_MUX_KEEP, SDPRW_MUX_ADD, SDPRW_MUX_REMOVE
	};
	int err;

	if (md->disabled) {
		relay_stream_close(s);
		x->m[i].keep = true;
		return 0;
	}

	err = family_check(x, md);
	if (err)
		return err;

	if (s && (s->ifc[0] != x->ifc[0] || s->ifc[1] != x->ifc[1])) {
		relay_stream_close(s);
		s = NULL;
	}

	if (!s) {
		err = relay_stream_alloc(&s, x->call, i, x->ifc);
		if (err == ENOSPC)
			return refuse(x, err, "media ports exhausted");
		if (err)
			return refuse(x, err, "cannot open media sockets");
		x->changed = true;
	}

	announce(x, i, s, muxmap[x->req->mux]);
	err = sec_offer(&s->sec[x->from], &s->sec[!x->from], md, &x->pol,
			&x->m[i], &x->why);
	if (err)
		return refuse(x, err, x->why);

	relay_stream_peer(s, x->from, md);

	return 0;
}


/* An answer's interfaces: its call's. Before any m= line, so that an
 * answer with none, or with all declined (port 0), has them too
 * (fuzz_ng: its SDP was written from no interface, a NULL read) */
static int answer_ifaces(struct exchange *x)
{
	const struct relay_stream *s = list_ledata(x->call->streams.head);

	if (!s)
		return refuse(x, EPROTO, "the call has no stream to answer");

	x->ifc[0] = s->ifc[0];
	x->ifc[1] = s->ifc[1];

	return 0;
}


/* An answer's m= line: its stream must exist */
static int answer_media(struct exchange *x, unsigned i)
{
	const struct sdprw_stream *md = &x->sdp->media[i];
	struct relay_stream *s = stream_at(x->call, i);
	int err;

	if (md->disabled) {
		relay_stream_close(s);
		x->m[i].keep = true;
		return 0;
	}

	if (!s)
		return refuse(x, EPROTO, "answer has a stream the offer did "
			      "not have");

	x->ifc[0] = s->ifc[0];
	x->ifc[1] = s->ifc[1];
	err = family_check(x, md);
	if (err)
		return err;

	err = sec_answer(&s->sec[x->from], &s->sec[!x->from], md,
			 x->call->sec[x->from], &x->m[i], &x->why);
	if (err)
		return refuse(x, err, x->why);

	relay_stream_peer(s, x->from, md);

	/* media starts now: the offerer's side may still learn */
	(void)worker_window(s->w, s->fs, !x->from,
			    x->relay->cfg->relay.learn_window * 1000);

	/* the offerer keeps what it offered: the relay converts */
	announce(x, i, s, s->mux[!x->from] ? SDPRW_MUX_ADD :
		 SDPRW_MUX_REMOVE);

	return 0;
}


static bool on_hold(const struct sdprw_sdp *sdp)
{
	for (size_t i = 0; i < sdp->mediac; i++) {
		const struct sdprw_stream *md = &sdp->media[i];

		if (!md->disabled && (md->dir != SDPRW_SENDRECV ||
				      sa_is_any(&md->addr)))
			return true;
	}

	return false;
}


static void timeouts_set(struct exchange *x)
{
	const struct cfg_relay *rc = &x->relay->cfg->relay;
	uint32_t t = !x->call->answered ? rc->timeout_setup :
		on_hold(x->sdp) ? rc->timeout_hold : rc->timeout;

	for (struct le *le = x->call->streams.head; le; le = le->next) {
		struct relay_stream *s = le->data;

		s->timed_out = false;
		(void)worker_timeout(s->w, s->fs, t * 1000);
	}
}


static int sdp_write(struct exchange *x, struct mbuf *out)
{
	int to = !x->from;
	struct sdprw_opts opts;
	int err;

	memset(&opts, 0, sizeof(opts));
	opts.replace_origin = x->req->replace_origin;
	opts.replace_session_conn = x->req->replace_session_conn;
	opts.ice_remove = x->req->ice_remove;
	opts.ssrc_remove = x->req->ssrc_remove;
	opts.origin = *iface_announce(x->ifc[to]);

	/* our part changed after the receiver saw it: a new version */
	if (x->changed && x->call->sent[to])
		++x->call->bump[to];
	if (opts.replace_origin && x->call->bump[to])
		opts.o_version = pl_u64(&x->sdp->origin.version) +
			x->call->bump[to];

	err = sdprw_rewrite(out, &x->req->sdp, x->m, x->sdp->mediac, &opts);
	if (err)
		return refuse(x, err, "SDP rewrite failed");

	x->call->sent[to] = true;

	return 0;
}


static bool has_nul(const struct pl *pl)
{
	return pl->p && pl->l && memchr(pl->p, '\0', pl->l);
}


static int exchange_begin(struct exchange *x, struct relay *relay,
			  const struct relay_req *req)
{
	int err;

	memset(x, 0, sizeof(*x));
	x->relay = relay;
	x->req = req;

	if (!pl_isset(&req->callid) || !pl_isset(&req->from_tag) ||
	    !pl_isset(&req->sdp))
		return refuse(x, EINVAL, "call-id, from-tag and sdp are "
			      "required");

	if (req->callid.l >= RELAY_ID_MAX || req->from_tag.l >= RELAY_TAG_MAX
	    || req->to_tag.l >= RELAY_TAG_MAX)
		return refuse(x, EINVAL, "call-id or tag too long");

	/* kept as C strings: one with a NUL would be found by no command
	 * (fuzz_ng found such a call that delete could not end) */
	if (has_nul(&req->callid) || has_nul(&req->from_tag) ||
	    has_nul(&req->to_tag))
		return refuse(x, EINVAL, "call-id or tag holds a NUL");

	err = sdprw_parse(&x->sdp, &req->sdp);
	if (err)
		return refuse(x, err, err == E2BIG ? "too many m= lines" :
			      "malformed SDP");

	x->call = (struct relay_call *)relay_call_find(relay, &req->callid);

	return 0;
}


/* Streams are set: new timeouts, the SDP for the receiver, counted */
static int exchange_finish(struct exchange *x, struct mbuf *out,
			   uint64_t *counter)
{
	int err;

	timeouts_set(x);
	err = sdp_write(x, out);
	if (!err) {
		++*counter;
		relay_change(x->call, RELAY_CHG_SDP);
	}

	return err;
}


static void exchange_end(struct exchange *x, int err, const char **why)
{
	if (err && x->created)
		mem_deref(x->call);

	mem_deref(x->sdp);
	if (why)
		*why = x->why;
}


/**
 * Handle an offer: open or update the streams, rewrite the SDP for the
 * receiver
 *
 * @param relay Relay
 * @param req   The offer
 * @param out   The SDP for the receiver
 * @param why   Reason of a refusal, for the ng reply or a log line
 *
 * @return 0 if success, otherwise errorcode (and *why set)
 */
int relay_offer(struct relay *relay, const struct relay_req *req,
		struct mbuf *out, const char **why)
{
	struct exchange x;
	int err;

	if (!relay || !req || !out)
		return EINVAL;

	err = exchange_begin(&x, relay, req);
	if (err)
		goto out;

	if (!x.call) {
		err = token_check(&x);
		if (err)
			goto out;
		err = relay_call_alloc(&x.call, relay, &req->callid);
		if (err)
			goto out;
		x.created = true;
		x.call->ng = req->ng;
		(void)pl_strcpy(&req->from_tag, x.call->tag[0],
				sizeof(x.call->tag[0]));
	}

	x.from = relay_call_side(x.call, &req->from_tag);
	if (x.from < 0) {
		err = refuse(&x, EPROTO, "from-tag is not a party of the "
			     "call");
		goto out;
	}

	policy_take(&x);
	err = ifaces_resolve(&x, x.from);
	for (unsigned i = 0; !err && i < x.sdp->mediac; i++)
		err = offer_media(&x, i);
	if (err)
		goto out;

	err = exchange_finish(&x, out, &relay->offers);

 out:
	exchange_end(&x, err, why);

	return err;
}


/**
 * Handle an answer: give the answerer's addresses to its side, rewrite
 * the SDP for the offerer
 *
 * @param relay Relay
 * @param req   The answer; from_tag is the offerer's, to_tag the
 *              answerer's
 * @param out   The SDP for the offerer
 * @param why   Reason of a refusal
 *
 * @return 0 if success, otherwise errorcode (and *why set)
 */
int relay_answer(struct relay *relay, const struct relay_req *req,
		 struct mbuf *out, const char **why)
{
	struct exchange x;
	int err, to;

	if (!relay || !req || !out)
		return EINVAL;

	err = exchange_begin(&x, relay, req);
	if (err)
		goto out;

	if (!x.call) {
		err = refuse(&x, ENOENT, "unknown call-id");
		goto out;
	}

	if (!pl_isset(&req->to_tag)) {
		err = refuse(&x, EINVAL, "to-tag is required");
		goto out;
	}

	to = relay_call_side(x.call, &req->from_tag);
	x.from = relay_call_side(x.call, &req->to_tag);
	if (x.from < 0 && to == 0 && !x.call->tag[1][0]) {
		(void)pl_strcpy(&req->to_tag, x.call->tag[1],
				sizeof(x.call->tag[1]));
		x.from = 1;
	}
	if (x.from < 0 || to != !x.from) {
		err = refuse(&x, EPROTO, "tags do not match the call");
		goto out;
	}

	policy_take(&x);
	err = answer_ifaces(&x);
	for (unsigned i = 0; !err && i < x.sdp->mediac; i++)
		err = answer_media(&x, i);
	if (err)
		goto out;

	x.call->answered = true;
	err = exchange_finish(&x, out, &relay->answers);

 out:
	exchange_end(&x, err, why);

	return err;
}
