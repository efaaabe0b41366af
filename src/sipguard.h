/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipguard.h  Checks on SIP requests that libre 1.1.0 leaves out
 *
 * libre's decoder accepts a message once its start line and headers
 * split; it does not compare the CSeq method with the request line,
 * nor check that the headers every request needs are there and
 * well-formed. sipguard_request() does, before a request reaches the
 * B2BUA, and says which response fits (RFC 3261, RFC 4475).
 */
#ifndef UMEDGE_SIPGUARD_H
#define UMEDGE_SIPGUARD_H

struct sip_msg;

enum {
	SIPGUARD_SIZE_MAX    = 65535,  /**< Largest message accepted     */
	SIPGUARD_HEADERS_MAX = 128,    /**< Most header fields           */
	SIPGUARD_VIAS_MAX    = 70,     /**< Most Via fields (Max-Forwards'
					    default: no more hops)       */
	SIPGUARD_ID_MAX      = 1024,   /**< Longest Call-ID, tag or Via
					    branch (the Warning says it) */
};

/** The rule a request broke (for counters; sipguard_rule_name()) */
enum sipguard_rule {
	SIPGUARD_OK = 0,        /**< None                               */
	SIPGUARD_SIZE,          /**< 513: over SIPGUARD_SIZE_MAX        */
	SIPGUARD_HEADERS,       /**< 400: too many header fields        */
	SIPGUARD_VERSION,       /**< 505: not SIP/2.0                   */
	SIPGUARD_SINGLES,       /**< 400: a single header twice/missing */
	SIPGUARD_IDS,           /**< 400: Call-ID, tag or branch        */
	SIPGUARD_CSEQ,          /**< 400: CSeq                          */
	SIPGUARD_ADDR,          /**< 400: From, To or Contact           */
	SIPGUARD_CLEN,          /**< 400: Content-Length                */
	SIPGUARD_DATE,          /**< 400: Date                          */
	SIPGUARD_MAX_FORWARDS,  /**< 400: Max-Forwards not a number     */
	SIPGUARD_URI_SCHEME,    /**< 416: Request-URI scheme            */
	SIPGUARD_EXTENSION,     /**< 420: Require names an unknown one  */
	SIPGUARD_CONTENT_TYPE,  /**< 415: body is not SDP               */
	SIPGUARD_ACCEPT,        /**< 406: Accept excludes SDP           */
	SIPGUARD_HOPS,          /**< 483: Max-Forwards 0                */
	SIPGUARD_RULE_N         /**< How many                           */
};

/** What is wrong with a request, and the answer it gets */
struct sipguard_verdict {
	enum sipguard_rule rule; /**< The rule broken, SIPGUARD_OK     */
	uint16_t scode;        /**< 0 if the request is fine       */
	const char *reason;    /**< Reason phrase                  */
	const char *why;       /**< Detail for the log             */
	char hdrs[256];        /**< Header lines the answer needs  */
};

void sipguard_request(const struct sip_msg *msg,
		      struct sipguard_verdict *v);
bool sipguard_response(const struct sip_msg *msg, const struct pl *callid,
		       const struct pl *ltag, const struct pl *met);
const char *sipguard_rule_name(enum sipguard_rule rule);

#endif
