/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file stinvite.c  RFC 4028 session timers: the INVITE that makes a
 *                   call's legs
 *
 * The caller's leg (umedge the UAS): a Session-Expires below sip_min_se
 * gets 422 with Min-SE before the call exists; else the negotiated
 * interval and refresher go in the 2xx, and the leg's timer starts with
 * the caller's ACK. The callee's leg (umedge the UAC): the INVITE asks
 * for sip_session_expires with sip_min_se; a 422 sends it once more,
 * asking for the 422's Min-SE; the 2xx's Session-Expires governs the
 * leg from then on, and none means no timer on it.
 */
#include <string.h>
#include <re.h>
#include "cfg.h"
#include "b2b_priv.h"
#include "stimer.h"


enum {
	MINSE_MAX = 86400,   /**< Largest Min-SE of a 422 we go up to (s) */
};


/**
 * Refuse a new call's INVITE whose Session-Expires umedge cannot take:
 * 422 with Min-SE, or 400 when it does not decode (stateless)
 *
 * @param tp  Transport it came on
 * @param cfg SIP configuration
 * @param msg The INVITE
 *
 * @return true if it was refused
 */
bool stimer_invite_refuse(struct siptp *tp, const struct cfg_sip *cfg,
			  const struct sip_msg *msg)
{
	struct stimer_req req;
	struct stimer_neg neg;

	if (!tp || !cfg || !msg)
		return false;

	if (stimer_req_decode(&req, msg)) {
		(void)siptp_replyf(tp, msg, 400, "Bad Session-Expires",
				   "Content-Length: 0\r\n\r\n");
		return true;
	}

	if (stimer_uas_negotiate(&neg, &req, cfg->session_expires,
				 cfg->min_se) != EPROTO)
		return false;

	(void)siptp_replyf(tp, msg, 422, "Session Interval Too Small",
			   "Min-SE: %u\r\nContent-Length: 0\r\n\r\n",
			   neg.minse);

	return true;
}


/* A leg's timer from what its peer says (the INVITE or the 2xx) */
static int timer_take(struct leg *leg, const struct sip_msg *msg,
		      const struct stimer_neg *neg, struct oa *oa,
		      stimer_end_h *endh, void *arg)
{
	bool update = sip_msg_hdr_has_value(msg, SIP_HDR_ALLOW, "UPDATE");

	return stimer_attach(leg, neg, update, oa, endh, arg);
}


/**
 * The caller's leg takes its INVITE (stimer_invite_refuse() let it
 * pass): its timer, which starts with the ACK
 *
 * @param leg  The caller's leg
 * @param msg  The INVITE
 * @param oa   The call's offer/answer
 * @param endh The session is over
 * @param arg  Its argument
 *
 * @return 0 if success, otherwise errorcode
 */
int stimer_uas_accept(struct leg *leg, const struct sip_msg *msg,
		      struct oa *oa, stimer_end_h *endh, void *arg)
{
	const struct cfg_sip *cfg;
	struct stimer_req req;
	struct stimer_neg neg;

	if (!leg || !msg)
		return EINVAL;

	cfg = &leg->b2b->cfg->sip;
	if (stimer_req_decode(&req, msg) ||
	    stimer_uas_negotiate(&neg, &req, cfg->session_expires,
				 cfg->min_se))
		return 0;

	return timer_take(leg, msg, &neg, oa, endh, arg);
}


/**
 * The headers of the callee's INVITE, with our Session-Expires and
 * Min-SE (none with timers off)
 *
 * @param hdrsp The headers, allocated
 * @param hdrs  The headers passed on, or NULL
 * @param cfg   SIP configuration
 *
 * @return 0 if success, otherwise errorcode
 */
int stimer_invite_hdrs(char **hdrsp, const char *hdrs,
		       const struct cfg_sip *cfg)
{
	struct stimer_req req = {false, {0, STIMER_UNSET}, 0, false};

	if (!hdrsp || !cfg)
		return EINVAL;

	if (cfg->session_expires) {
		req.has_se = true;
		req.se.delta = cfg->session_expires;
		req.minse = cfg->min_se;
	}

	return re_sdprintf(hdrsp, "%s%H", hdrs ? hdrs : "", stimer_req_print,
			   &req);
}


/* Our Session-Expires line in a request's headers, and what precedes
 * it; it was written last (stimer_req_print) */
static int own_se(const char *hdrs, struct pl *head, struct stimer_se *se)
{
	static const char key[] = "Session-Expires: ";
	const char *p = NULL, *q, *eol;
	struct pl val;

	for (q = strstr(hdrs, key); q; q = strstr(q + 1, key)) {
		if (q == hdrs || q[-1] == '\n')
			p = q;
	}
	if (!p)
		return ENOENT;

	val.p = p + sizeof(key) - 1;
	eol = strstr(val.p, "\r\n");
	val.l = eol ? (size_t)(eol - val.p) : strlen(val.p);
	head->p = hdrs;
	head->l = p - hdrs;

	return stimer_se_decode(se, &val);
}


/**
 * A 422 to our INVITE or refresh: the request goes again asking for
 * the 422's Min-SE, if that is larger than what it asked (lreq.c)
 *
 * @param msg   The response
 * @param hdrsp The request's headers, rewritten
 * @param arg   Not used
 *
 * @return true to send it again
 */
bool stimer_retry(const struct sip_msg *msg, char **hdrsp, void *arg)
{
	struct stimer_req req = {true, {0, STIMER_UNSET}, 0, false};
	const struct sip_hdr *hdr;
	struct pl head;
	char *hdrs;
	(void)arg;

	if (!msg || msg->scode != 422 || !hdrsp || !*hdrsp)
		return false;

	hdr = sip_msg_hdr(msg, SIP_HDR_MIN_SE);
	if (!hdr || stimer_minse_decode(&req.minse, &hdr->val) ||
	    req.minse > MINSE_MAX || own_se(*hdrsp, &head, &req.se) ||
	    req.minse <= req.se.delta)
		return false;

	req.se.delta = req.minse;
	if (re_sdprintf(&hdrs, "%r%H", &head, stimer_req_print, &req))
		return false;

	mem_deref(*hdrsp);
	*hdrsp = hdrs;

	return true;
}


/**
 * The 2xx to the callee's INVITE: its Session-Expires governs the
 * leg, whose timer starts now
 *
 * @param leg  The callee's leg
 * @param msg  The 2xx
 * @param oa   The call's offer/answer
 * @param endh The session is over
 * @param arg  Its argument
 *
 * @return 0 if success, otherwise errorcode
 */
int stimer_uac_accept(struct leg *leg, const struct sip_msg *msg,
		      struct oa *oa, stimer_end_h *endh, void *arg)
{
	struct stimer_req resp;
	struct stimer_neg neg;
	int err;

	if (!leg || !msg)
		return EINVAL;

	if (stimer_req_decode(&resp, msg))
		memset(&resp, 0, sizeof(resp));
	stimer_uac_negotiate(&neg, &resp);

	err = timer_take(leg, msg, &neg, oa, endh, arg);
	if (!err)
		stimer_start(leg);

	return err;
}
