/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file stimer.c  RFC 4028 session timers: the pure part
 *
 * Session-Expires and Min-SE as they come (the compact form "x" is
 * libre's: the header id is the same), the negotiation of the interval
 * and the refresher on either side of an INVITE, and the arithmetic of
 * the two timers:
 *
 * - UAS (the caller's leg): a Session-Expires below our Min-SE is a 422
 *   with Min-SE; else the interval is the request's, lowered to ours
 *   but not below the request's Min-SE. The refresher is the request's
 *   if it names one and supports timer, else umedge (RFC 4028 §9 lets
 *   the UAS choose; the edge wants to know its sessions are alive).
 *   Without Session-Expires and without timer support there is nothing
 *   to negotiate; with timer support umedge proposes its own interval.
 * - UAC (the callee's leg): the 2xx's Session-Expires governs; a 2xx
 *   without one means no timer; refresher=uas leaves it to the peer,
 *   anything else to umedge.
 * - The refresher refreshes at half the interval; the other side gives
 *   up at the interval less a third of it, at most 32 s (§10).
 */
#include <string.h>
#include <re.h>
#include "stimer.h"


enum {
	BYE_MARGIN_MAX = 32,   /**< s before expiry the BYE goes, at most */
};


static void ws_skip(struct pl *pl)
{
	while (pl->l && (pl->p[0] == ' ' || pl->p[0] == '\t'))
		pl_advance(pl, 1);
}


static void pl_trim_ws(struct pl *pl)
{
	ws_skip(pl);
	while (pl->l && (pl->p[pl->l - 1] == ' ' || pl->p[pl->l - 1] == '\t'))
		--pl->l;
}


/* delta-seconds, and what follows it: nothing or ";params". A value
 * over 2^32 - 1 is taken as 2^32 - 1. */
static int delta_decode(uint32_t *delta, struct pl *rest,
			const struct pl *val)
{
	uint64_t v = 0;
	struct pl pl = *val;
	size_t n = 0;

	ws_skip(&pl);
	while (n < pl.l && pl.p[n] >= '0' && pl.p[n] <= '9') {
		v = v * 10 + (uint64_t)(pl.p[n] - '0');
		if (v > UINT32_MAX)
			v = UINT32_MAX;
		++n;
	}
	if (!n)
		return EBADMSG;

	pl_advance(&pl, n);
	ws_skip(&pl);
	if (pl.l && pl.p[0] != ';')
		return EBADMSG;

	*delta = (uint32_t)v;
	*rest = pl;

	return 0;
}


/* The refresher parameter among ";name[=value]" parameters; a value
 * other than uac or uas is a generic parameter (RFC 4028 §4) */
static enum stimer_refresher refresher_find(const struct pl *params)
{
	struct pl rest = *params;

	while (rest.l) {
		struct pl par, name, value = PL_INIT;
		const char *semi, *eq;

		pl_advance(&rest, 1);   /* the ';' */
		semi = pl_strchr(&rest, ';');
		par.p = rest.p;
		par.l = semi ? (size_t)(semi - rest.p) : rest.l;
		pl_advance(&rest, par.l);

		eq = pl_strchr(&par, '=');
		name.p = par.p;
		name.l = eq ? (size_t)(eq - par.p) : par.l;
		if (eq) {
			value.p = eq + 1;
			value.l = par.l - name.l - 1;
		}
		pl_trim_ws(&name);
		pl_trim_ws(&value);

		if (pl_strcasecmp(&name, "refresher"))
			continue;
		if (!pl_strcasecmp(&value, "uac"))
			return STIMER_UAC;
		if (!pl_strcasecmp(&value, "uas"))
			return STIMER_UAS;
	}

	return STIMER_UNSET;
}


/**
 * Decode a Session-Expires value
 *
 * @param se  Decoded value
 * @param val The header's value ("1800;refresher=uac")
 *
 * @return 0 if success, EBADMSG if it is no Session-Expires
 */
int stimer_se_decode(struct stimer_se *se, const struct pl *val)
{
	struct pl rest;
	int err;

	if (!se || !val)
		return EINVAL;

	err = delta_decode(&se->delta, &rest, val);
	if (err)
		return err;

	se->refresher = refresher_find(&rest);

	return 0;
}


/**
 * Decode a Min-SE value
 *
 * @param minse Its delta-seconds
 * @param val   The header's value
 *
 * @return 0 if success, EBADMSG if it is no Min-SE
 */
int stimer_minse_decode(uint32_t *minse, const struct pl *val)
{
	struct pl rest;

	if (!minse || !val)
		return EINVAL;

	return delta_decode(minse, &rest, val);
}


/**
 * What a request (or a 2xx) says about session timers
 *
 * @param req Decoded
 * @param msg The message
 *
 * @return 0 if success, EBADMSG for a Session-Expires or Min-SE that
 *         does not decode
 */
int stimer_req_decode(struct stimer_req *req, const struct sip_msg *msg)
{
	const struct sip_hdr *se, *minse;
	int err = 0;

	if (!req || !msg)
		return EINVAL;

	memset(req, 0, sizeof(*req));
	se = sip_msg_hdr(msg, SIP_HDR_SESSION_EXPIRES);
	minse = sip_msg_hdr(msg, SIP_HDR_MIN_SE);

	if (se) {
		req->has_se = true;
		err = stimer_se_decode(&req->se, &se->val);
	}
	if (!err && minse)
		err = stimer_minse_decode(&req->minse, &minse->val);

	req->timer = sip_msg_hdr_has_value(msg, SIP_HDR_SUPPORTED, "timer") ||
		sip_msg_hdr_has_value(msg, SIP_HDR_REQUIRE, "timer");

	return err;
}


/**
 * Negotiate as the UAS of a request (an INVITE, or a refresh)
 *
 * @param neg       The outcome; neg->minse is set for a 422
 * @param req       What the request says
 * @param se_cfg    Our interval (sip_session_expires), 0: no timers
 * @param minse_cfg Our Min-SE (sip_min_se)
 *
 * @return 0 if success, EPROTO: answer 422 with neg->minse
 */
int stimer_uas_negotiate(struct stimer_neg *neg,
			 const struct stimer_req *req, uint32_t se_cfg,
			 uint32_t minse_cfg)
{
	if (!neg || !req)
		return EINVAL;

	memset(neg, 0, sizeof(*neg));
	if (!se_cfg)
		return 0;

	if (!req->has_se) {
		if (req->timer) {
			neg->interval = max(se_cfg, req->minse);
			neg->local = true;
		}
		return 0;
	}

	if (req->se.delta < max(minse_cfg, (uint32_t)STIMER_MIN_SE)) {
		neg->minse = max(minse_cfg, (uint32_t)STIMER_MIN_SE);
		return EPROTO;
	}

	neg->interval = min(req->se.delta, max(se_cfg, req->minse));
	neg->local = !req->timer || req->se.refresher != STIMER_UAC;

	return 0;
}


/**
 * Take the outcome of a 2xx to our INVITE (or refresh) as its UAC
 *
 * @param neg  The outcome; interval 0 if the 2xx has no Session-Expires
 * @param resp What the 2xx says
 */
void stimer_uac_negotiate(struct stimer_neg *neg,
			  const struct stimer_req *resp)
{
	if (!neg || !resp)
		return;

	memset(neg, 0, sizeof(*neg));
	if (!resp->has_se || !resp->se.delta)
		return;

	/* below RFC 4028's floor (a UAS must not go there, §9): the floor,
	 * not a refresh every half second */
	neg->interval = max(resp->se.delta, (uint32_t)STIMER_MIN_SE);
	neg->local = resp->se.refresher != STIMER_UAS;
}


/**
 * @param interval Session interval (s)
 *
 * @return ms from a refresh to the refresher's next one
 */
uint64_t stimer_refresh_ms(uint32_t interval)
{
	return (uint64_t)interval * 500;
}


/**
 * @param interval Session interval (s)
 *
 * @return ms from a refresh to the BYE of the side that waits for the
 *         next one
 */
uint64_t stimer_expire_ms(uint32_t interval)
{
	uint64_t s = interval - min((uint32_t)BYE_MARGIN_MAX, interval / 3);

	return s * 1000;
}


/**
 * Print the Session-Expires of our response (and Require: timer when
 * the peer refreshes): umedge as UAS refreshes if neg->local
 *
 * @param pf  Print handler
 * @param neg The outcome; nothing is printed without an interval
 *
 * @return 0 if success, otherwise errorcode
 */
int stimer_resp_print(struct re_printf *pf, const struct stimer_neg *neg)
{
	if (!neg || !neg->interval)
		return 0;

	return re_hprintf(pf, "Session-Expires: %u;refresher=%s\r\n%s",
			  neg->interval, neg->local ? "uas" : "uac",
			  neg->local ? "" : "Require: timer\r\n");
}


/**
 * Print the Session-Expires (and Min-SE) of our request: the encoder
 * of stimer_req_decode() (Supported is not ours to write)
 *
 * @param pf  Print handler
 * @param req What to ask for: se, its refresher (unset: the UAS
 *            chooses), minse (0: none)
 *
 * @return 0 if success, otherwise errorcode
 */
int stimer_req_print(struct re_printf *pf, const struct stimer_req *req)
{
	static const char *refresher[] = {"", ";refresher=uac",
					  ";refresher=uas"};
	int err = 0;

	if (!req)
		return 0;

	if (req->has_se)
		err = re_hprintf(pf, "Session-Expires: %u%s\r\n",
				 req->se.delta,
				 refresher[req->se.refresher % 3]);
	if (!err && req->minse)
		err = re_hprintf(pf, "Min-SE: %u\r\n", req->minse);

	return err;
}
