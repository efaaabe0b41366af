/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file digest.h  SIP digest authentication as a UAC: answering a 401
 *                 or 407 challenge (RFC 3261 §22, RFC 2617, RFC 7616,
 *                 RFC 8760), with MD5 or SHA-256
 */
#ifndef UMEDGE_DIGEST_H
#define UMEDGE_DIGEST_H

/** Room for a response in hex: SHA-256's 64 digits and a NUL */
#define DIGEST_RESP_SZ   65

/** Room for a cnonce from digest_cnonce(): 16 digits and a NUL */
#define DIGEST_CNONCE_SZ 17

/** The hash a challenge asks for */
enum digest_alg {
	DIGEST_MD5 = 0,  /**< "MD5", or no algorithm parameter */
	DIGEST_SHA256,   /**< "SHA-256" (RFC 8760)             */
};

/**
 * A challenge from WWW-Authenticate or Proxy-Authenticate. The values
 * point into the header, without their quotes; a quoted-pair ("\x")
 * stays as it was sent, so a value prints back between quotes as it is
 * and is unescaped only where it is hashed or compared.
 */
struct digest_chal {
	struct pl realm;      /**< Realm (present, may be empty)      */
	struct pl nonce;      /**< Nonce (never empty)                */
	struct pl opaque;     /**< Opaque; .p is NULL if absent       */
	enum digest_alg alg;  /**< Hash algorithm                     */
	bool qop_auth;        /**< qop offered, and it has "auth"     */
	bool stale;           /**< stale=true: retry with a new nonce */
	bool proxy;           /**< From Proxy-Authenticate (a 407)    */
};

/** What a response is computed over. Nothing here is ever logged. */
struct digest_cred {
	const char *user;    /**< Username                           */
	const char *pass;    /**< Password                           */
	const char *met;     /**< Request method                     */
	const char *uri;     /**< digest-uri: the Request-URI        */
	const char *cnonce;  /**< Client nonce (with qop=auth)       */
	uint32_t nc;         /**< Nonce count from 1 (with qop=auth) */
};

/** A challenge and its answer, for digest_auth_print() */
struct digest_auth {
	const struct digest_chal *chal;  /**< The challenge answered  */
	const struct digest_cred *cred;  /**< Credentials and request */
};

int  digest_chal_decode(struct digest_chal *c, const struct pl *val);
int  digest_chal_pick(struct digest_chal *c, const struct sip_msg *msg,
		      const char *realm_want);
int  digest_response(char *buf, size_t sz, const struct digest_chal *c,
		     const struct digest_cred *cr);
int  digest_auth_print(struct re_printf *pf, const struct digest_auth *a);
void digest_cnonce(char *buf, size_t sz);

#endif
