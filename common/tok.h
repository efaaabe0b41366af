/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tok.h  Token authority: signed, expiring credentials
 *
 * Two formats, both verifiable by any node that knows a secret:
 *  - relay-allocation tokens: "1.<expiry>.<scope>.<mac>", where mac is
 *    base64url(HMAC-SHA256(secret, "1.<expiry>.<scope>")), see
 *    docs/tokens.md;
 *  - TURN REST credentials (coturn's use-auth-secret): username
 *    "<expiry>:<user>", password base64(HMAC-SHA1(secret, username)).
 *
 * Several secrets may be active at once. The first one added signs;
 * every one verifies.
 *
 * Verification errors (errno values, see tok_strerror()):
 *   EBADMSG          malformed
 *   ENODATA          truncated
 *   EPROTONOSUPPORT  unknown version
 *   EKEYREJECTED     forged: no active secret produced the signature
 *   EKEYEXPIRED      expired
 *   EACCES           valid, but for another scope
 *   ENOKEY           no secret configured
 */
#ifndef UMEDGE_TOK_H
#define UMEDGE_TOK_H

enum {
	TOK_VERSION    = 1,    /**< Relay token format version          */
	TOK_ID_MAX     = 32,   /**< Longest secret id, with NUL         */
	TOK_SECRET_MIN = 16,   /**< Shortest secret accepted (bytes)    */
	TOK_SECRET_MAX = 128,  /**< Longest secret accepted (bytes)     */
	TOK_SCOPE_MAX  = 64,   /**< Longest scope (characters)          */
	TOK_MAC_LEN    = 43,   /**< base64url of 32 bytes, no padding   */
	TOK_MAX        = 136,  /**< Buffer size for a token, with NUL   */
	TOK_USER_MAX   = 128,  /**< Longest TURN REST username, w/ NUL  */
	TOK_PASS_MAX   = 29,   /**< base64 of 20 bytes, with NUL        */
};

/** One shared secret */
struct tok_key {
	struct le le;                    /**< Member of tok_keyring.keys  */
	char id[TOK_ID_MAX];             /**< Operator's name for it      */
	uint8_t secret[TOK_SECRET_MAX];  /**< The secret bytes            */
	size_t len;                      /**< Length of the secret        */
};

/** The active secrets; the first one signs */
struct tok_keyring {
	struct list keys;  /**< struct tok_key, signing key first */
};

/** What a verified relay token says */
struct tok_claims {
	uint64_t expires;               /**< Unix time it expires at   */
	char scope[TOK_SCOPE_MAX + 1];  /**< The scope it grants       */
	const struct tok_key *key;      /**< The secret that signed it */
};

/** A TURN REST credential */
struct tok_rest {
	char username[TOK_USER_MAX];  /**< "<expiry>:<user>"           */
	char password[TOK_PASS_MAX];  /**< base64(HMAC-SHA1)           */
	uint64_t expires;             /**< Unix time it expires at     */
	uint32_t ttl;                 /**< Seconds it is valid for     */
};

int  tok_keyring_alloc(struct tok_keyring **krp);
int  tok_keyring_add(struct tok_keyring *kr, const char *id,
		     const uint8_t *secret, size_t len);
const struct tok_key *tok_keyring_signer(const struct tok_keyring *kr);

int  tok_issue(char *buf, size_t size, const struct tok_keyring *kr,
	       const char *scope, uint64_t expires);
int  tok_verify(const struct tok_keyring *kr, const struct pl *token,
		const char *scope, uint64_t now, struct tok_claims *claims);
bool tok_scope_match(const char *granted, const char *wanted);
const char *tok_strerror(int err);

int  tok_rest_issue(struct tok_rest *cred, const struct tok_keyring *kr,
		    const char *user, uint32_t ttl, uint64_t now);
int  tok_rest_password(char *buf, size_t size, const struct tok_key *key,
		       const struct pl *username);
int  tok_rest_expiry(const struct pl *username, uint64_t now,
		     uint64_t *expiresp);
int  tok_rest_verify(const struct tok_keyring *kr,
		     const struct pl *username, const struct pl *password,
		     uint64_t now);

#endif
