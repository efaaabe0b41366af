/* SPDX-License-Identifier: BSD-3-Clause */
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
#include <strings.h>
#include <re.h>
#include "words.h"
#include "sipguard.h"


static void verdict(struct sipguard_verdict *v, enum sipguard_rule rule,
		    uint16_t scode, const char *reason, const char *why)
{
	v->rule = rule;
	v->scode = scode;
	v->reason = reason;
	v->why = why;
	v->hdrs[0] = '\0';
}


static bool is_token_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || strchr("-.!%*_+`'~ \t", c);
}


/* A name-addr as RFC 3261 §25.1 has it, where libre is lenient:
 * balanced quotes, a display name of tokens unless quoted, and no
 * whitespace inside the angle brackets (RFC 4475 §3.1.2.6-8) */
static const char *nameaddr_check(const struct pl *v)
{
	bool inq = false;
	size_t lt = v->l;

	for (size_t i = 0; i < v->l; i++) {
		char c = v->p[i];

		if (inq && c == '\\') {
			++i;
			continue;
		}
		if (c == '"')
			inq = !inq;
		else if (!inq && c == '<' && lt == v->l)
			lt = i;
		else if (!inq && lt == v->l && c != '"' && !is_token_char(c)
			 && memchr(v->p + i, '<', v->l - i))
			return "display name needs quotes";
	}

	if (inq)
		return "unbalanced quotes";

	if (lt < v->l) {
		const char *gt = memchr(v->p + lt, '>', v->l - lt);

		if (!gt || lt + 1 >= v->l || strchr(" \t", v->p[lt + 1]) ||
		    strchr(" \t", gt[-1]))
			return "whitespace inside <>";
	}

	return NULL;
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


/* CSeq: "number method", the number below 2**31 */
static const char *cseq_parse(const struct sip_msg *msg, struct pl *met)
{
	const struct sip_hdr *hdr = sip_msg_hdr(msg, SIP_HDR_CSEQ);
	struct pl num;

	if (!hdr || re_regex(hdr->val.p, hdr->val.l,
			     "[0-9]+[ \t\r\n]+[^ \t\r\n]+",
			     &num, NULL, met) || num.p != hdr->val.p ||
	    met->p + met->l != hdr->val.p + hdr->val.l)
		return "CSeq is not 'number method'";

	if (!words_isnum(&num, 10) || pl_u64(&num) > 0x7fffffff)
		return "CSeq number out of range";

	return NULL;
}


/* ... and the method that of the request line */
static const char *cseq_check(const struct sip_msg *msg)
{
	struct pl met;
	const char *why = cseq_parse(msg, &met);

	if (!why && pl_cmp(&met, &msg->met))
		why = "CSeq method differs from the request line";

	return why;
}


static bool pl_contains(const struct pl *pl, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i + n <= pl->l; i++) {
		if (!strncasecmp(pl->p + i, s, n))
			return true;
	}

	return false;
}


/* The From and To tags and URIs as libre decoded them */
static const char *addr_check(const struct sip_msg *msg)
{
	const char *why;

	why = nameaddr_check(&sip_msg_hdr(msg, SIP_HDR_FROM)->val);
	if (!why)
		why = nameaddr_check(&sip_msg_hdr(msg, SIP_HDR_TO)->val);
	if (why)
		return why;

	if (!pl_isset(&msg->from.auri) || !pl_isset(&msg->to.auri))
		return "From or To has no URI";

	if (!pl_isset(&msg->from.tag))
		return "From has no tag";

	if (pl_isset(&msg->uri.headers))
		return "Request-URI carries headers";

	if (!pl_isset(&msg->callid))
		return "Call-ID is empty";

	return NULL;
}


/* Identifiers the edge keeps whole, up to SIPGUARD_ID_MAX (RFC 3261
 * sets no limit; Kamailio's CVE-2018-8828 was a long tag or branch) */
static const char *ids_check(const struct sip_msg *msg)
{
	if (msg->callid.l > SIPGUARD_ID_MAX)
		return "Call-ID is longer than 1024 bytes";

	if (msg->from.tag.l > SIPGUARD_ID_MAX ||
	    msg->to.tag.l > SIPGUARD_ID_MAX)
		return "a tag is longer than 1024 bytes";

	if (msg->via.branch.l > SIPGUARD_ID_MAX)
		return "the Via branch is longer than 1024 bytes";

	return NULL;
}


/* Content-Length against the body that came (UDP: RFC 3261 §18.3) */
static const char *clen_check(const struct sip_msg *msg)
{
	size_t body = mbuf_get_left(msg->mb);

	if (!pl_isset(&msg->clen))
		return msg->tp == SIP_TRANSP_UDP ? NULL :
			"Content-Length is missing";

	if (!words_isnum(&msg->clen, 9))
		return "Content-Length is not a number";

	if (pl_u32(&msg->clen) > body)
		return "Content-Length is larger than the body";

	return NULL;
}


/* Date, when given, is an RFC 1123 date in GMT (RFC 3261 §20.17) */
static const char *date_check(const struct sip_msg *msg)
{
	const struct sip_hdr *hdr = sip_msg_hdr(msg, SIP_HDR_DATE);

	if (!hdr)
		return NULL;

	if (hdr->val.l < 4 ||
	    memcmp(hdr->val.p + hdr->val.l - 4, " GMT", 4))
		return "Date is not in GMT";

	return NULL;
}


static bool has_body(const struct sip_msg *msg)
{
	return mbuf_get_left(msg->mb) > 0;
}


/* An option tag of Require that umedge does not implement goes into
 * Unsupported (libre splits Require at commas, one field per tag) */
enum { SIPGUARD_TAGS_MAX = 224 };  /* fits "Unsupported: ...\r\n" */


static bool unknown_tag(const struct sip_hdr *hdr, const struct sip_msg *msg,
			void *arg)
{
	char *tags = arg;
	size_t n = strlen(tags);
	(void)msg;

	if (!pl_strcasecmp(&hdr->val, "100rel") ||
	    !pl_strcasecmp(&hdr->val, "timer"))
		return false;

	(void)re_snprintf(tags + n, SIPGUARD_TAGS_MAX - n, "%s%r",
			  n ? ", " : "", &hdr->val);
	return false;
}


/* What the edge can honour: the extensions it implements (100rel, RFC
 * 3262; timer, RFC 4028), and SDP as the only body of an offer or
 * answer (RFC 3261 §8.2.2, §8.2.3) */
static bool features_check(const struct sip_msg *msg,
			   struct sipguard_verdict *v)
{
	bool sdp_met = !pl_strcmp(&msg->met, "INVITE") ||
		!pl_strcmp(&msg->met, "UPDATE");
	const struct sip_hdr *acc = sip_msg_hdr(msg, SIP_HDR_ACCEPT);
	char tags[SIPGUARD_TAGS_MAX] = "";

	if (pl_strcmp(&msg->met, "ACK") && pl_strcmp(&msg->met, "CANCEL"))
		(void)sip_msg_hdr_apply(msg, true, SIP_HDR_REQUIRE,
					unknown_tag, tags);
	if (tags[0]) {
		verdict(v, SIPGUARD_EXTENSION, 420, "Bad Extension",
			"Require names an extension umedge lacks");
		(void)re_snprintf(v->hdrs, sizeof(v->hdrs),
				  "Unsupported: %s\r\n", tags);
		return true;
	}

	if (sdp_met && has_body(msg) &&
	    !msg_ctype_cmp(&msg->ctyp, "application", "sdp")) {
		verdict(v, SIPGUARD_CONTENT_TYPE, 415, "Unsupported Media Type",
			"body is not SDP");
		str_ncpy(v->hdrs, "Accept: application/sdp\r\n",
			 sizeof(v->hdrs));
		return true;
	}

	if (sdp_met && acc && !pl_contains(&acc->val, "application/sdp") &&
	    !pl_contains(&acc->val, "*/*") &&
	    !pl_contains(&acc->val, "application/*")) {
		verdict(v, SIPGUARD_ACCEPT, 406, "Not Acceptable",
			"Accept excludes SDP");
		return true;
	}

	return false;
}


/* the header checks that answer 400, in order; true if one failed */
static bool headers_check(const struct sip_msg *msg,
			  struct sipguard_verdict *v)
{
	static const struct {
		const char *(*check)(const struct sip_msg *msg);
		enum sipguard_rule rule;
	} checks[] = {
		{singles_check, SIPGUARD_SINGLES},
		{ids_check,     SIPGUARD_IDS},
		{cseq_check,    SIPGUARD_CSEQ},
		{addr_check,    SIPGUARD_ADDR},
		{clen_check,    SIPGUARD_CLEN},
		{date_check,    SIPGUARD_DATE},
	};

	for (size_t i = 0; i < ARRAY_SIZE(checks); i++) {
		const char *why = checks[i].check(msg);

		if (why) {
			verdict(v, checks[i].rule, 400, "Bad Request", why);
			return true;
		}
	}

	return false;
}


/**
 * The name of a rule, for logs and metric labels
 *
 * @param rule Rule
 *
 * @return "size", "headers", ..., "hops"; "ok" for SIPGUARD_OK
 */
const char *sipguard_rule_name(enum sipguard_rule rule)
{
	static const char *names[SIPGUARD_RULE_N] = {
		"ok", "size", "headers", "version", "singles", "ids",
		"cseq", "addr", "clen", "date", "max_forwards",
		"uri_scheme", "extension", "content_type", "accept", "hops"
	};

	return (unsigned)rule < SIPGUARD_RULE_N ? names[rule] : "?";
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
	if (!v)
		return;

	verdict(v, SIPGUARD_OK, 0, NULL, NULL);
	if (!msg)
		return;

	if (mbuf_get_left(msg->mb) + msg->mb->pos > SIPGUARD_SIZE_MAX) {
		verdict(v, SIPGUARD_SIZE, 513, "Message Too Large",
			"message too large");
		return;
	}

	if (list_count(&msg->hdrl) > SIPGUARD_HEADERS_MAX ||
	    hdr_count(msg, SIP_HDR_VIA) > SIPGUARD_VIAS_MAX) {
		verdict(v, SIPGUARD_HEADERS, 400, "Bad Request",
			"too many header fields");
		return;
	}

	if (pl_strcmp(&msg->ver, "SIP/2.0")) {
		verdict(v, SIPGUARD_VERSION, 505, "Version Not Supported",
			"SIP version");
		return;
	}

	if (headers_check(msg, v))
		return;

	if (pl_isset(&msg->maxfwd) && !words_isnum(&msg->maxfwd, 9)) {
		verdict(v, SIPGUARD_MAX_FORWARDS, 400, "Bad Request",
			"Max-Forwards is not a number");
		return;
	}

	if (!uri_scheme_ok(msg)) {
		verdict(v, SIPGUARD_URI_SCHEME, 416, "Unsupported URI Scheme",
			"Request-URI scheme");
		return;
	}

	if (features_check(msg, v))
		return;

	if (pl_isset(&msg->maxfwd) && pl_u32(&msg->maxfwd) == 0 &&
	    pl_strcmp(&msg->met, "OPTIONS")) {
		verdict(v, SIPGUARD_HOPS, 483, "Too Many Hops",
			"Max-Forwards is 0");
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
	struct pl cmet;

	if (!msg || msg->req)
		return false;

	if (callid && pl_cmp(&msg->callid, callid))
		return false;

	if (ltag && pl_cmp(&msg->from.tag, ltag))
		return false;

	if (met && pl_cmp(&msg->cseq.met, met))
		return false;

	if (cseq_parse(msg, &cmet))
		return false;

	return msg->scode >= 100 && msg->scode <= 699;
}
