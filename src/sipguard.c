/**
 * @file sipguard.c  Checks on SIP messages that libre 1.1.0 leaves out
 *
 * Requests: the checks RFC 3261 §8.2 and §16.3 ask of a UAS before it
 * acts on a request, in the order that gives the most specific answer
 * (RFC 4475 §3.1.2 and §3.3). Responses: Call-ID, CSeq and the tag of
 * the request they answer (libre matches responses to transactions by
 * the Via branch alone).
 */
#include <string.h>
#include <re.h>
#include "sipguard.h"


static void verdict(struct sipguard_verdict *v, uint16_t scode,
		    const char *reason, const char *why)
{
	v->scode = scode;
	v->reason = reason;
	v->why = why;
}


static unsigned hdr_count(const struct sip_msg *msg, enum sip_hdrid id)
{
	unsigned n = 0;

	for (struct le *le = msg->hdrl.head; le; le = le->next) {
		const struct sip_hdr *hdr = le->data;

		if (hdr->id == id)
			++n;
	}

	return n;
}


/* A decimal number of at most 'digits' digits, nothing else */
static bool pl_isnum(const struct pl *pl, size_t digits)
{
	if (!pl_isset(pl) || pl->l > digits)
		return false;

	for (size_t i = 0; i < pl->l; i++) {
		if (pl->p[i] < '0' || pl->p[i] > '9')
			return false;
	}

	return true;
}


/* Headers a request must carry exactly once (RFC 3261 §8.1.1, §20) */
static const char *singles_check(const struct sip_msg *msg)
{
	static const struct {
		enum sip_hdrid id;
		const char *why;
	} one[] = {
		{SIP_HDR_FROM,    "From is missing or repeated"},
		{SIP_HDR_TO,      "To is missing or repeated"},
		{SIP_HDR_CALL_ID, "Call-ID is missing or repeated"},
		{SIP_HDR_CSEQ,    "CSeq is missing or repeated"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(one); i++) {
		if (hdr_count(msg, one[i].id) != 1)
			return one[i].why;
	}

	if (hdr_count(msg, SIP_HDR_MAX_FORWARDS) > 1)
		return "Max-Forwards is repeated";
	if (hdr_count(msg, SIP_HDR_CONTENT_LENGTH) > 1)
		return "Content-Length is repeated";
	if (!hdr_count(msg, SIP_HDR_VIA))
		return "Via is missing";

	return NULL;
}


/* CSeq: "number method", the number below 2**31, the method that of
 * the request line */
static const char *cseq_check(const struct sip_msg *msg)
{
	const struct sip_hdr *hdr = sip_msg_hdr(msg, SIP_HDR_CSEQ);
	struct pl num, met;

	if (re_regex(hdr->val.p, hdr->val.l, "[0-9]+[ \t\r\n]+[^ \t\r\n]+",
		     &num, NULL, &met) || num.p != hdr->val.p ||
	    met.p + met.l != hdr->val.p + hdr->val.l)
		return "CSeq is not 'number method'";

	if (!pl_isnum(&num, 10) || pl_u64(&num) > 0x7fffffff)
		return "CSeq number out of range";

	if (pl_cmp(&met, &msg->met))
		return "CSeq method differs from the request line";

	return NULL;
}


/* The From and To tags and URIs as libre decoded them */
static const char *addr_check(const struct sip_msg *msg)
{
	if (!pl_isset(&msg->from.auri) || !pl_isset(&msg->to.auri))
		return "From or To has no URI";

	if (!pl_isset(&msg->from.tag))
		return "From has no tag";

	if (!pl_isset(&msg->callid))
		return "Call-ID is empty";

	return NULL;
}


/* Content-Length against the body that came (UDP: RFC 3261 §18.3) */
static const char *clen_check(const struct sip_msg *msg)
{
	size_t body = mbuf_get_left(msg->mb);

	if (!pl_isset(&msg->clen))
		return msg->tp == SIP_TRANSP_UDP ? NULL :
			"Content-Length is missing";

	if (!pl_isnum(&msg->clen, 9))
		return "Content-Length is not a number";

	if (pl_u32(&msg->clen) > body)
		return "Content-Length is larger than the body";

	return NULL;
}


static bool uri_scheme_ok(const struct sip_msg *msg)
{
	return !pl_strcasecmp(&msg->uri.scheme, "sip") ||
		!pl_strcasecmp(&msg->uri.scheme, "sips") ||
		!pl_strcasecmp(&msg->uri.scheme, "tel");
}


/**
 * Check a request before anything acts on it
 *
 * @param msg Decoded request
 * @param v   Verdict: scode 0 if it is fine, else the response to send
 */
void sipguard_request(const struct sip_msg *msg, struct sipguard_verdict *v)
{
	const char *why;

	verdict(v, 0, NULL, NULL);
	if (!msg || !v)
		return;

	if (mbuf_get_left(msg->mb) + msg->mb->pos > SIPGUARD_SIZE_MAX) {
		verdict(v, 513, "Message Too Large", "message too large");
		return;
	}

	if (list_count(&msg->hdrl) > SIPGUARD_HEADERS_MAX ||
	    hdr_count(msg, SIP_HDR_VIA) > SIPGUARD_VIAS_MAX) {
		verdict(v, 400, "Bad Request", "too many header fields");
		return;
	}

	if (pl_strcmp(&msg->ver, "SIP/2.0")) {
		verdict(v, 505, "Version Not Supported", "SIP version");
		return;
	}

	why = singles_check(msg);
	if (!why)
		why = cseq_check(msg);
	if (!why)
		why = addr_check(msg);
	if (!why)
		why = clen_check(msg);
	if (why) {
		verdict(v, 400, "Bad Request", why);
		return;
	}

	if (pl_isset(&msg->maxfwd) && !pl_isnum(&msg->maxfwd, 3)) {
		verdict(v, 400, "Bad Request", "Max-Forwards is not a number");
		return;
	}

	if (!uri_scheme_ok(msg)) {
		verdict(v, 416, "Unsupported URI Scheme",
			"Request-URI scheme");
		return;
	}

	if (pl_isset(&msg->maxfwd) && pl_u32(&msg->maxfwd) == 0 &&
	    pl_strcmp(&msg->met, "OPTIONS")) {
		verdict(v, 483, "Too Many Hops", "Max-Forwards is 0");
		return;
	}
}


/**
 * Check that a response answers the request we sent (libre 1.1.0 takes
 * the Via branch alone)
 *
 * @param msg    Response
 * @param callid Call-ID of the request
 * @param ltag   Our From tag
 * @param met    Method of the request
 *
 * @return true if the response fits
 */
bool sipguard_response(const struct sip_msg *msg, const struct pl *callid,
		       const struct pl *ltag, const struct pl *met)
{
	if (!msg || msg->req)
		return false;

	if (callid && pl_cmp(&msg->callid, callid))
		return false;

	if (ltag && pl_cmp(&msg->from.tag, ltag))
		return false;

	if (met && pl_cmp(&msg->cseq.met, met))
		return false;

	return msg->scode >= 100 && msg->scode <= 699;
}
