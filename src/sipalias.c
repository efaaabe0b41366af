/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipalias.c  Header names that libre would take for another
 *
 * libre 1.1.0 knows a header by a 12-bit hash of its name (msg.c,
 * hdr_hash), not by the name. An unknown header whose name hashes to
 * a known id is taken as that header: "ms-client-diagnostics", which
 * Microsoft's Lync, Skype and Teams put on BYEs and error responses,
 * hashes to To, so the To decoder fails on its value and the whole
 * message with it; three or four letters ("qfdb", "qnrl") are enough
 * to add a second To or Call-ID, which overrides the real one.
 *
 * Before libre decodes a message, every such alias is renamed with a
 * prefix ("X-Umedge-Alias-"), and libre takes names starting "X-" for
 * no known header. sipalias_real() gives the name back, for the header
 * policy: the header stays the unknown header it is, under its name.
 * Names libre maps itself (known full names, one-letter compact forms,
 * "X-" names) are left as they are.
 */
#include <string.h>
#include <strings.h>
#include <re.h>
#include "sipline.h"
#include "sipalias.h"


#define ALIAS_PREFIX "X-Umedge-Alias-"

/* libre's ids and the names they stand for (re_sip.h) */
static const struct {
	enum sip_hdrid id;
	const char *name;
} known[] = {
	{SIP_HDR_ACCEPT, "Accept"},
	{SIP_HDR_ACCEPT_CONTACT, "Accept-Contact"},
	{SIP_HDR_ACCEPT_ENCODING, "Accept-Encoding"},
	{SIP_HDR_ACCEPT_LANGUAGE, "Accept-Language"},
	{SIP_HDR_ACCEPT_RESOURCE_PRIORITY, "Accept-Resource-Priority"},
	{SIP_HDR_ALERT_INFO, "Alert-Info"},
	{SIP_HDR_ALLOW, "Allow"},
	{SIP_HDR_ALLOW_EVENTS, "Allow-Events"},
	{SIP_HDR_ANSWER_MODE, "Answer-Mode"},
	{SIP_HDR_AUTHENTICATION_INFO, "Authentication-Info"},
	{SIP_HDR_AUTHORIZATION, "Authorization"},
	{SIP_HDR_CALL_ID, "Call-ID"},
	{SIP_HDR_CALL_INFO, "Call-Info"},
	{SIP_HDR_CONTACT, "Contact"},
	{SIP_HDR_CONTENT_DISPOSITION, "Content-Disposition"},
	{SIP_HDR_CONTENT_ENCODING, "Content-Encoding"},
	{SIP_HDR_CONTENT_LANGUAGE, "Content-Language"},
	{SIP_HDR_CONTENT_LENGTH, "Content-Length"},
	{SIP_HDR_CONTENT_TYPE, "Content-Type"},
	{SIP_HDR_CSEQ, "CSeq"},
	{SIP_HDR_DATE, "Date"},
	{SIP_HDR_ENCRYPTION, "Encryption"},
	{SIP_HDR_ERROR_INFO, "Error-Info"},
	{SIP_HDR_EVENT, "Event"},
	{SIP_HDR_EXPIRES, "Expires"},
	{SIP_HDR_FLOW_TIMER, "Flow-Timer"},
	{SIP_HDR_FROM, "From"},
	{SIP_HDR_HIDE, "Hide"},
	{SIP_HDR_HISTORY_INFO, "History-Info"},
	{SIP_HDR_IDENTITY, "Identity"},
	{SIP_HDR_IDENTITY_INFO, "Identity-Info"},
	{SIP_HDR_IN_REPLY_TO, "In-Reply-To"},
	{SIP_HDR_JOIN, "Join"},
	{SIP_HDR_MAX_BREADTH, "Max-Breadth"},
	{SIP_HDR_MAX_FORWARDS, "Max-Forwards"},
	{SIP_HDR_MIME_VERSION, "MIME-Version"},
	{SIP_HDR_MIN_EXPIRES, "Min-Expires"},
	{SIP_HDR_MIN_SE, "Min-Se"},
	{SIP_HDR_ORGANIZATION, "Organization"},
	{SIP_HDR_P_ACCESS_NETWORK_INFO, "P-Access-Network-Info"},
	{SIP_HDR_P_ANSWER_STATE, "P-Answer-State"},
	{SIP_HDR_P_ASSERTED_IDENTITY, "P-Asserted-Identity"},
	{SIP_HDR_P_ASSOCIATED_URI, "P-Associated-Uri"},
	{SIP_HDR_P_CALLED_PARTY_ID, "P-Called-Party-Id"},
	{SIP_HDR_P_CHARGING_FUNCTION_ADDRESSES, "P-Charging-Function-Addresses"},
	{SIP_HDR_P_CHARGING_VECTOR, "P-Charging-Vector"},
	{SIP_HDR_P_DCS_TRACE_PARTY_ID, "P-Dcs-Trace-Party-Id"},
	{SIP_HDR_P_DCS_OSPS, "P-Dcs-Osps"},
	{SIP_HDR_P_DCS_BILLING_INFO, "P-Dcs-Billing-Info"},
	{SIP_HDR_P_DCS_LAES, "P-Dcs-Laes"},
	{SIP_HDR_P_DCS_REDIRECT, "P-Dcs-Redirect"},
	{SIP_HDR_P_EARLY_MEDIA, "P-Early-Media"},
	{SIP_HDR_P_MEDIA_AUTHORIZATION, "P-Media-Authorization"},
	{SIP_HDR_P_PREFERRED_IDENTITY, "P-Preferred-Identity"},
	{SIP_HDR_P_PROFILE_KEY, "P-Profile-Key"},
	{SIP_HDR_P_REFUSED_URI_LIST, "P-Refused-Uri-List"},
	{SIP_HDR_P_SERVED_USER, "P-Served-User"},
	{SIP_HDR_P_USER_DATABASE, "P-User-Database"},
	{SIP_HDR_P_VISITED_NETWORK_ID, "P-Visited-Network-Id"},
	{SIP_HDR_PATH, "Path"},
	{SIP_HDR_PERMISSION_MISSING, "Permission-Missing"},
	{SIP_HDR_PRIORITY, "Priority"},
	{SIP_HDR_PRIV_ANSWER_MODE, "Priv-Answer-Mode"},
	{SIP_HDR_PRIVACY, "Privacy"},
	{SIP_HDR_PROXY_AUTHENTICATE, "Proxy-Authenticate"},
	{SIP_HDR_PROXY_AUTHORIZATION, "Proxy-Authorization"},
	{SIP_HDR_PROXY_REQUIRE, "Proxy-Require"},
	{SIP_HDR_RACK, "RAck"},
	{SIP_HDR_REASON, "Reason"},
	{SIP_HDR_RECORD_ROUTE, "Record-Route"},
	{SIP_HDR_REFER_SUB, "Refer-Sub"},
	{SIP_HDR_REFER_TO, "Refer-To"},
	{SIP_HDR_REFERRED_BY, "Referred-By"},
	{SIP_HDR_REJECT_CONTACT, "Reject-Contact"},
	{SIP_HDR_REPLACES, "Replaces"},
	{SIP_HDR_REPLY_TO, "Reply-To"},
	{SIP_HDR_REQUEST_DISPOSITION, "Request-Disposition"},
	{SIP_HDR_REQUIRE, "Require"},
	{SIP_HDR_RESOURCE_PRIORITY, "Resource-Priority"},
	{SIP_HDR_RESPONSE_KEY, "Response-Key"},
	{SIP_HDR_RETRY_AFTER, "Retry-After"},
	{SIP_HDR_ROUTE, "Route"},
	{SIP_HDR_RSEQ, "RSeq"},
	{SIP_HDR_SECURITY_CLIENT, "Security-Client"},
	{SIP_HDR_SECURITY_SERVER, "Security-Server"},
	{SIP_HDR_SECURITY_VERIFY, "Security-Verify"},
	{SIP_HDR_SERVER, "Server"},
	{SIP_HDR_SERVICE_ROUTE, "Service-Route"},
	{SIP_HDR_SESSION_EXPIRES, "Session-Expires"},
	{SIP_HDR_SIP_ETAG, "Sip-Etag"},
	{SIP_HDR_SIP_IF_MATCH, "Sip-If-Match"},
	{SIP_HDR_SUBJECT, "Subject"},
	{SIP_HDR_SUBSCRIPTION_STATE, "Subscription-State"},
	{SIP_HDR_SUPPORTED, "Supported"},
	{SIP_HDR_TARGET_DIALOG, "Target-Dialog"},
	{SIP_HDR_TIMESTAMP, "Timestamp"},
	{SIP_HDR_TO, "To"},
	{SIP_HDR_TRIGGER_CONSENT, "Trigger-Consent"},
	{SIP_HDR_UNSUPPORTED, "Unsupported"},
	{SIP_HDR_USER_AGENT, "User-Agent"},
	{SIP_HDR_VIA, "Via"},
	{SIP_HDR_WARNING, "Warning"},
	{SIP_HDR_WWW_AUTHENTICATE, "WWW-Authenticate"},
};


/* libre's id of a name, as msg.c's hdr_hash computes it */
static enum sip_hdrid name_id(const struct pl *name)
{
	if (name->l < 2 || ((name->p[0] | 0x20) == 'x' && name->p[1] == '-'))
		return SIP_HDR_NONE;

	return (enum sip_hdrid)(hash_joaat_ci(name->p, name->l) & 0xfff);
}


/**
 * Whether libre would take a header name for a header it is not
 *
 * @param name Header name as it came
 *
 * @return true if its hash is a known header's id and it is not that
 *         header's name
 */
bool sipalias_is(const struct pl *name)
{
	enum sip_hdrid id;

	if (!name)
		return false;

	id = name_id(name);
	if (id == SIP_HDR_NONE)
		return false;

	for (size_t i = 0; i < ARRAY_SIZE(known); i++) {
		if (known[i].id == id)
			return 0 != pl_strcasecmp(name, known[i].name);
	}

	return false;
}


/* The header section's aliases: how many, and the bytes they add */
static size_t aliases_count(const struct pl *text)
{
	struct pl rest = *text, line, name;
	size_t n = 0;

	(void)sipline_next(&rest, &line);   /* the start line */
	while (sipline_next(&rest, &line) && line.l) {
		if (sipline_name(&line, &name) && sipalias_is(&name))
			++n;
	}

	return n;
}


/* Copy the text with each alias prefixed */
static int aliases_write(struct mbuf *mb, const struct pl *text)
{
	struct pl rest = *text, line, name;
	const char *from = text->p;
	bool head = true;
	int err = 0;

	(void)sipline_next(&rest, &line);
	while (!err && head && sipline_next(&rest, &line)) {
		head = line.l > 0;
		if (!sipline_name(&line, &name) || !sipalias_is(&name))
			continue;

		err  = mbuf_write_mem(mb, (const uint8_t *)from,
				      (size_t)(line.p - from));
		err |= mbuf_write_str(mb, ALIAS_PREFIX);
		from = line.p;
	}

	if (!err)
		err = mbuf_write_mem(mb, (const uint8_t *)from,
				     (size_t)(text->p + text->l - from));

	return err;
}


/**
 * Rename the aliases in a message's headers, before libre decodes it
 *
 * @param mb A whole message from its pos; rewritten in place (from
 *           pos) if it has aliases
 *
 * @return 0 if success (nothing to do included), otherwise errorcode
 */
int sipalias_rename(struct mbuf *mb)
{
	struct pl text;
	struct mbuf *n;
	size_t start;
	int err;

	if (!mb)
		return EINVAL;

	text.p = (const char *)mbuf_buf(mb);
	text.l = mbuf_get_left(mb);
	if (!aliases_count(&text))
		return 0;

	n = mbuf_alloc(text.l + 64);
	if (!n)
		return ENOMEM;

	err = aliases_write(n, &text);
	if (err)
		goto out;

	start = mb->pos;
	mb->end = start;
	mb->pos = start;
	err = mbuf_write_mem(mb, n->buf, n->end);
	mb->pos = start;

 out:
	mem_deref(n);

	return err;
}


/**
 * The name a header came with: a renamed alias loses its prefix
 *
 * @param name Header name as decoded
 * @param real Set to the name as it came
 */
void sipalias_real(const struct pl *name, struct pl *real)
{
	const size_t n = strlen(ALIAS_PREFIX);
	struct pl rest;

	*real = *name;
	if (name->l <= n || strncasecmp(name->p, ALIAS_PREFIX, n))
		return;

	rest.p = name->p + n;
	rest.l = name->l - n;
	if (sipalias_is(&rest))
		*real = rest;
}
