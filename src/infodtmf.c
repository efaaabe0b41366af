/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file infodtmf.c  DTMF a gateway sends in SIP INFO, played to UM as RFC
 *                   4733 events (sip_gw_set ... info_dtmf=convert)
 *
 * UM reads PIN entry and menu choices from RFC 4733 events only, while
 * some gateways signal digits out of band in INFO. For a call whose
 * gateway is in such a set, the gateway's INFO with a DTMF body is
 * answered here and its digit goes into the audio toward UM, on the
 * payload type UM's SDP gave telephone-event. Two bodies are read:
 *
 *   application/dtmf-relay   "Signal=5\r\nDuration=160\r\n" (ms)
 *   application/dtmf         "5"
 *
 * If UM's side has no telephone-event, the INFO is relayed as it is.
 */
#include <string.h>
#include <re.h>
#define DEBUG_MODULE "infodtmf"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "cfg.h"
#include "b2b_priv.h"
#include "bcall.h"


enum {
	DEFAULT_MS = 250,     /**< Duration when the body gives none */
};


static bool all_digits(const struct pl *pl)
{
	for (size_t i = 0; i < pl->l; i++) {
		if (pl->p[i] < '0' || pl->p[i] > '9')
			return false;
	}

	return pl->l > 0;
}


static bool digit_ok(char c)
{
	return (c >= '0' && c <= '9') || c == '*' || c == '#' ||
		(c >= 'A' && c <= 'D') || (c >= 'a' && c <= 'd');
}


/* "Signal=5" and "Duration=160" lines, in any order, any case */
static int relay_body(const struct pl *body, char *digit, uint32_t *dur)
{
	struct pl rest = *body, ln, key, val;
	bool sig = false;

	while (!re_regex(rest.p, rest.l, "[^\r\n]+", &ln)) {
		pl_advance(&rest, (size_t)(ln.p + ln.l - rest.p));

		if (re_regex(ln.p, ln.l, "[ \t]*[^ \t=]+[ \t]*=[ \t]*[^ \t]+",
			     NULL, &key, NULL, NULL, &val))
			continue;

		if (!pl_strcasecmp(&key, "Signal")) {
			if (val.l != 1 || !digit_ok(val.p[0]))
				return EBADMSG;
			*digit = val.p[0];
			sig = true;
		}
		else if (!pl_strcasecmp(&key, "Duration")) {
			if (val.l > 6 || !all_digits(&val))
				return EBADMSG;
			*dur = pl_u32(&val);
		}
	}

	return sig ? 0 : EBADMSG;
}


/* One digit, blanks around it */
static int dtmf_body(const struct pl *body, char *digit)
{
	struct pl d;

	if (re_regex(body->p, body->l, "[^ \t\r\n]+", &d) || d.l != 1 ||
	    !digit_ok(d.p[0]))
		return EBADMSG;

	for (size_t i = 0; i < body->l; i++) {
		char c = body->p[i];

		if (&body->p[i] != d.p && c != ' ' && c != '\t' && c != '\r' &&
		    c != '\n')
			return EBADMSG;
	}

	*digit = d.p[0];

	return 0;
}


/**
 * Read the digit of an INFO body
 *
 * @param subtype The body's type after "application/": "dtmf-relay" or
 *                "dtmf"
 * @param body    The body
 * @param digit   Set to '0'-'9', '*', '#', 'A'-'D' (as written)
 * @param dur_ms  Set to the duration (250 ms if the body has none)
 *
 * @return 0 if success, ENOTSUP for another type, EBADMSG if malformed
 */
int infodtmf_parse(const struct pl *subtype, const struct pl *body,
		   char *digit, uint32_t *dur_ms)
{
	if (!subtype || !body || !digit || !dur_ms)
		return EINVAL;

	*dur_ms = DEFAULT_MS;

	if (!pl_strcasecmp(subtype, "dtmf-relay"))
		return relay_body(body, digit, dur_ms);
	if (!pl_strcasecmp(subtype, "dtmf"))
		return dtmf_body(body, digit);

	return ENOTSUP;
}


/**
 * Take a gateway's DTMF INFO: answer it and play its digit to UM
 *
 * @param call Call
 * @param leg  Leg the request came on
 * @param msg  The request
 *
 * @return true if it was taken (answered), false to relay it
 */
bool infodtmf_take(struct bcall *call, struct leg *leg,
		   const struct sip_msg *msg)
{
	uint32_t dur;
	struct pl body;
	char digit;
	int err;

	if (!call->info_dtmf || leg->slot != B2B_EXT ||
	    pl_strcmp(&msg->met, "INFO") ||
	    pl_strcasecmp(&msg->ctyp.type, "application"))
		return false;

	pl_set_mbuf(&body, msg->mb);
	err = infodtmf_parse(&msg->ctyp.subtype, &body, &digit, &dur);
	if (err == ENOTSUP)
		return false;
	if (err) {
		leg_answer(leg, msg, 400, "Bad Request", "malformed DTMF body");
		return true;
	}

	err = oa_dtmf(call->oa, B2B_INT, digit, dur);
	if (err == ENOTSUP)
		return false;       /* UM's side has no telephone-event */
	if (err) {
		DEBUG_WARNING("%s: digit %c not played: %m\n",
			      oa_id(call->oa), digit, err);
		leg_answer(leg, msg, 500, "Server Internal Error", NULL);
		return true;
	}

	++call->b2b->st.info_dtmf;
	leg_answer(leg, msg, 200, "OK", NULL);

	return true;
}
