/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file btry.c  The callee's leg of a call: attempts, redirects and
 *               failover
 *
 * Each attempt is a new dialog toward a host of the call's set: a UM
 * host for a gateway's call, a gateway of the routed set for UM's
 * call. A failure the set gives way on (no response, 408, 5xx, 6xx as
 * configured) before any 1xx moves on to the next host of the set.
 *
 * Toward UM, a 3xx is followed by the edge (UM's call router sends
 * every call to a worker this way): its Contacts are tried in turn if
 * they lie inside sip_internal_network, up to sip_max_redirects hops.
 * A gateway's 3xx is never followed: it could point UM's call
 * anywhere. A challenge (401/407) from a gateway is answered in the
 * leg (with the gateway's credentials); one that reaches here failed,
 * and is never passed to the caller.
 */
#include <string.h>
#include <re.h>
#define DEBUG_MODULE "call"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "cfg.h"
#include "redir.h"
#include "hset.h"
#include "sipguard.h"
#include "b2b_priv.h"
#include "bcall.h"
#include "stimer.h"


static void invite_resp_handler(int err, const struct sip_msg *msg,
				void *arg);
static void attempt_failed(struct bcall *call, uint16_t fo, uint16_t scode,
			   const char *reason, const char *cause);


/**
 * Note a host or target tried, for the log and the record
 *
 * @param call Call
 * @param what "host", "gateway", "redirect", "refused"
 * @param uri  What was tried
 */
void btry_chain_add(struct bcall *call, const char *what, const char *uri)
{
	size_t n = strlen(call->chain);

	(void)re_snprintf(call->chain + n, sizeof(call->chain) - n, "%s%s %s",
			  n ? ", " : "", what, uri);
}


/* Nothing at all came back (libre would wait 32 s, timer B): give up
 * on this host or target; dropping the request cancels it */
static void noresp_handler(struct dte *e, void *arg)
{
	struct bcall *call = arg;
	(void)e;

	lreq_drop(&call->ireq);
	attempt_failed(call, 0, 408, "Request Timeout", "no response");
}


static int dialog_new(struct bcall *call, struct leg *b, const char *uri,
		      const char *host)
{
	char to[B2B_URI_MAX];

	(void)re_snprintf(to, sizeof(to), "sip:%s@%s",
			  call->to_user[0] ? call->to_user : call->user, host);
	b->to_name = call->to_name[0] ? call->to_name : NULL;

	return leg_dial(b, uri, to, call->from_user, call->from_name);
}


/* A new dialog toward uri; the previous one is over */
static int attempt(struct bcall *call, const char *uri, const char *host,
		   struct uacauth *auth)
{
	struct body offer = {NULL, call->offer};
	enum b2b_side side = !call->aside;
	char *hdrs = NULL;
	struct leg *b;
	int err;

	leg_detach(call->leg[side]);
	call->leg[side] = mem_deref(call->leg[side]);
	call->provisional = false;

	b = bcall_leg_new(call, side);
	if (!b)
		return ENOMEM;
	call->leg[side] = b;
	leg_pair(bcall_caller(call), b);
	leg_cred_set(b, auth);

	err = dialog_new(call, b, uri, host);
	if (err)
		return err;

	err = stimer_invite_hdrs(&hdrs, call->hdrs, &call->b2b->cfg->sip);
	if (err)
		return err;

	lreq_drop(&call->ireq);
	err = lreq_send(b, "INVITE", call->maxfwd, hdrs, &offer,
			invite_resp_handler, call, &call->ireq);
	mem_deref(hdrs);
	if (err)
		return err;

	lreq_retry_set(call->ireq, stimer_retry, NULL);
	dte_start(&call->b2b->q_noresp, &call->noresp, noresp_handler, call);
	bsetup_invite_sent(call);

	return 0;
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
				      oa_id(call->oa), t->uri,
				      redir_verdict_str(v));
			btry_chain_add(call, "refused", t->uri);
			mem_deref(t);
			continue;
		}

		(void)re_snprintf(host, sizeof(host), "%j", &t->addr);
		btry_chain_add(call, "redirect", t->uri);
		err = attempt(call, t->uri, host, NULL);
		mem_deref(t);
		if (!err)
			return true;
	}

	return false;
}


/* The current attempt failed: fo is the failure as the set's failover
 * sees it (0: no response, no connection), scode and reason what the
 * caller gets if nothing else is tried. When the set gave way and no
 * host is left, the caller gets 503. */
static void attempt_failed(struct bcall *call, uint16_t fo, uint16_t scode,
			   const char *reason, const char *cause)
{
	bool first_hop = !call->hops;

	if (call->cancelled) {
		bcall_end(call, "cancelled");
		return;
	}

	if (first_hop && !call->provisional &&
	    hset_gives_way(call->hosts, fo)) {
		DEBUG_NOTICE("%s: %s %s failed (%s): next one\n",
			     oa_id(call->oa), hset_name(call->hosts),
			     hhost_name(call->host), cause);
		if (!btry_first(call))
			return;

		bcall_fail(call, 503, "Service Unavailable", cause);
		return;
	}

	if (!first_hop && next_target(call))
		return;

	bcall_fail(call, scode, reason, cause);
}


/**
 * Try the next host of the call's set that is alive and untried
 *
 * @param call Call
 *
 * @return 0 if an INVITE went out, ENOENT if no host is left
 */
int btry_first(struct bcall *call)
{
	const char *what = call->aside == B2B_EXT ? "host" : "gateway";
	char uri[B2B_URI_MAX];
	int err;

	for (;;) {
		call->host = hset_pick(call->hosts, &call->tried);
		if (!call->host)
			return ENOENT;

		hhost_uri(uri, sizeof(uri), call->host, call->user);
		btry_chain_add(call, what, hhost_name(call->host));

		err = attempt(call, uri, hhost_name(call->host),
			      hhost_auth(call->host));
		if (!err)
			return 0;

		DEBUG_WARNING("%s: INVITE to %s not sent: %m\n",
			      oa_id(call->oa), uri, err);
	}
}


static void redirected(struct bcall *call, const struct sip_msg *msg)
{
	const struct cfg *cfg = call->b2b->cfg;

	if (call->cancelled) {
		bcall_end(call, "cancelled");
		return;
	}

	if (call->aside == B2B_INT) {
		bcall_fail(call, 502, "Bad Gateway",
			   "a gateway's 3xx is not followed");
		return;
	}

	if (++call->hops > cfg->sip.max_redirects) {
		bcall_fail(call, 502, "Bad Gateway", "too many redirects");
		return;
	}

	++call->b2b->st.redirects;
	if (redir_targets(&call->targets, msg)) {
		bcall_fail(call, 502, "Bad Gateway", "3xx without a Contact");
		return;
	}

	if (!next_target(call))
		bcall_fail(call, 502, "Bad Gateway",
			   "no redirect target allowed");
}


/* UM is never challenged and a gateway's challenge that gets here was
 * not answered: either way it is the edge's problem, not the
 * caller's */
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

	attempt_failed(call, msg->scode, scode, reason, cause);
}


/* A response that does not belong to our INVITE is dropped (and a
 * final one fails the attempt) */
static bool response_fits(struct bcall *call, const struct sip_msg *msg)
{
	struct leg *b = bcall_callee(call);
	struct pl callid, ltag, met;

	pl_set_str(&callid, b->callid);
	pl_set_str(&ltag, b->ltag);
	pl_set_str(&met, "INVITE");
	if (sipguard_response(msg, &callid, &ltag, &met) &&
	    !(msg->scode >= 200 && msg->scode < 300 &&
	      !pl_isset(&msg->to.tag)))
		return true;

	DEBUG_WARNING("%s: response %u does not fit the INVITE\n",
		      oa_id(call->oa), msg->scode);
	if (msg->scode >= 200)
		attempt_failed(call, 502, 502, "Bad Gateway",
			       "response does not fit");

	return false;
}


/* No response, a refused connection or a failed TLS handshake: all
 * the same to the set's failover; a timeout is a 408 to the caller,
 * the rest 503 */
static void transport_failed(struct bcall *call, int err)
{
	char cause[64];

	(void)re_snprintf(cause, sizeof(cause), "%m", err);
	if (err == ETIMEDOUT)
		attempt_failed(call, 0, 408, "Request Timeout", cause);
	else
		attempt_failed(call, 0, 503, "Service Unavailable", cause);
}


static void invite_resp_handler(int err, const struct sip_msg *msg,
				void *arg)
{
	struct bcall *call = arg;
	struct leg *b = bcall_callee(call);

	dte_cancel(&call->noresp);

	if (err || !msg) {
		transport_failed(call, err);
		return;
	}

	if (!response_fits(call, msg))
		return;

	b->raddr = msg->src;
	(void)leg_rtag_learn(b, &msg->to.tag);

	if (msg->scode < 200)
		bcall_provisional(call, msg);
	else if (msg->scode < 300)
		bcall_answered(call, msg);
	else if (msg->scode < 400)
		redirected(call, msg);
	else
		rejected(call, msg);
}
