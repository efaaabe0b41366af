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

/** What is wrong with a request, and the answer it gets */
struct sipguard_verdict {
	uint16_t scode;        /**< 0 if the request is fine       */
	const char *reason;    /**< Reason phrase                  */
	const char *why;       /**< Detail for the log             */
	char hdrs[256];        /**< Header lines the answer needs  */
};

void sipguard_request(const struct sip_msg *msg,
		      struct sipguard_verdict *v);
bool sipguard_response(const struct sip_msg *msg, const struct pl *callid,
		       const struct pl *ltag, const struct pl *met);

#endif
