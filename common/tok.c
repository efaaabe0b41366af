/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tok.c  Token authority: relay tokens and TURN REST credentials
 */
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <re.h>
#include "tok.h"


static void keyring_destructor(void *data)
{
	struct tok_keyring *kr = data;

	list_flush(&kr->keys);
}


static void key_destructor(void *data)
{
	struct tok_key *key = data;

	list_unlink(&key->le);
	OPENSSL_cleanse(key->secret, sizeof(key->secret));
}


/**
 * Allocate an empty keyring
 *
 * @param krp Pointer to allocated keyring
 *
 * @return 0 if success, otherwise errorcode
 */
int tok_keyring_alloc(struct tok_keyring **krp)
{
	struct tok_keyring *kr;

	if (!krp)
		return EINVAL;

	kr = mem_zalloc(sizeof(*kr), keyring_destructor);
	if (!kr)
		return ENOMEM;

	*krp = kr;

	return 0;
}


/**
 * Add a secret. The first secret added signs new tokens
 *
 * @param kr     Keyring
 * @param id     Operator's name for the secret (unique)
 * @param secret Secret bytes
 * @param len    Length, TOK_SECRET_MIN .. TOK_SECRET_MAX
 *
 * @return 0 if success, EEXIST for a duplicate id, otherwise errorcode
 */
int tok_keyring_add(struct tok_keyring *kr, const char *id,
		    const uint8_t *secret, size_t len)
{
	struct tok_key *key;
	struct le *le;

	if (!kr || !id || !*id || !secret)
		return EINVAL;

	if (strlen(id) >= TOK_ID_MAX)
		return ENAMETOOLONG;

	if (len < TOK_SECRET_MIN || len > TOK_SECRET_MAX)
		return ERANGE;

	for (le = kr->keys.head; le; le = le->next) {
		const struct tok_key *k = le->data;

		if (0 == strcmp(k->id, id))
			return EEXIST;
	}

	key = mem_zalloc(sizeof(*key), key_destructor);
	if (!key)
		return ENOMEM;

	str_ncpy(key->id, id, sizeof(key->id));
	memcpy(key->secret, secret, len);
	key->len = len;

	list_append(&kr->keys, &key->le, key);

	return 0;
}


/**
 * The secret that signs new tokens
 *
 * @param kr Keyring
 *
 * @return the first secret, NULL if there is none
 */
const struct tok_key *tok_keyring_signer(const struct tok_keyring *kr)
{
	return kr ? list_ledata(kr->keys.head) : NULL;
}


static bool scope_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || (c && strchr(":_/@=+*-", c));
}


static bool b64url_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '-' || c == '_';
}


static bool all_chars(const struct pl *pl, bool (*okh)(char))
{
	for (size_t i = 0; i < pl->l; i++) {
		if (!okh(pl->p[i]))
			return false;
	}

	return true;
}


static bool digit_char(char c)
{
	return c >= '0' && c <= '9';
}


static bool scope_valid(const struct pl *scope)
{
	return scope->l > 0 && scope->l <= TOK_SCOPE_MAX &&
		all_chars(scope, scope_char);
}


/* base64url without padding of HMAC-SHA256(key, msg) into out[44] */
static void relay_mac(char out[TOK_MAC_LEN + 1], const struct tok_key *key,
		      const char *msg, size_t len)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	char b64[64];
	size_t b64len = sizeof(b64);

	HMAC(EVP_sha256(), key->secret, (int)key->len,
	     (const uint8_t *)msg, len, md, &mdlen);

	(void)base64_encode(md, mdlen, b64, &b64len);

	for (size_t i = 0; i < TOK_MAC_LEN; i++) {
		char c = b64[i];
		out[i] = c == '+' ? '-' : c == '/' ? '_' : c;
	}
	out[TOK_MAC_LEN] = '\0';

	OPENSSL_cleanse(md, sizeof(md));
}


/**
 * Issue a relay-allocation token, signed with the first secret
 *
 * @param buf     Output buffer, TOK_MAX bytes is always enough
 * @param size    Size of buf
 * @param kr      Keyring
 * @param scope   What the token grants (see docs/tokens.md)
 * @param expires Unix time it expires at
 *
 * @return 0 if success, otherwise errorcode
 */
int tok_issue(char *buf, size_t size, const struct tok_keyring *kr,
	      const char *scope, uint64_t expires)
{
	const struct tok_key *key = tok_keyring_signer(kr);
	char mac[TOK_MAC_LEN + 1];
	struct pl pls;
	int n;

	if (!buf || !scope)
		return EINVAL;

	if (!key)
		return ENOKEY;

	pl_set_str(&pls, scope);
	if (!scope_valid(&pls))
		return EINVAL;

	n = re_snprintf(buf, size, "%u.%llu.%s", TOK_VERSION,
			(unsigned long long)expires, scope);
	if (n < 0 || (size_t)n + 1 + TOK_MAC_LEN + 1 > size)
		return ENOMEM;

	relay_mac(mac, key, buf, (size_t)n);
	(void)re_snprintf(buf + n, size - n, ".%s", mac);

	return 0;
}


/* Split a token into its four fields, checking syntax only */
static int relay_parse(const struct pl *token, struct pl f[4])
{
	static bool (*const okh[4])(char) = {
		digit_char, digit_char, scope_char, b64url_char
	};
	static const size_t maxlen[4] = {3, 19, TOK_SCOPE_MAX, TOK_MAC_LEN};
	struct pl rest = *token;
	int n = 0;

	if (!pl_isset(token))
		return ENODATA;

	while (n < 4) {
		const char *dot = n < 3 ? pl_strchr(&rest, '.') : NULL;

		f[n].p = rest.p;
		f[n].l = dot ? (size_t)(dot - rest.p) : rest.l;

		if (f[n].l > maxlen[n] || !all_chars(&f[n], okh[n]))
			return EBADMSG;

		++n;
		if (!dot)
			break;
		pl_advance(&rest, f[n-1].l + 1);
	}

	if (n < 4 || f[3].l < TOK_MAC_LEN)
		return ENODATA;

	for (int i = 0; i < 3; i++) {
		if (f[i].l == 0)
			return EBADMSG;
	}

	return 0;
}


/**
 * Check whether a granted scope covers the wanted one. A granted scope
 * ending in '*' covers every scope that starts with what precedes it.
 *
 * @param granted Scope in the token
 * @param wanted  Scope the caller needs
 *
 * @return true if granted covers wanted
 */
bool tok_scope_match(const char *granted, const char *wanted)
{
	size_t n;

	if (!granted || !wanted)
		return false;

	n = strlen(granted);
	if (n && granted[n-1] == '*')
		return 0 == strncmp(granted, wanted, n - 1);

	return 0 == strcmp(granted, wanted);
}


/* Constant-time over the keys: every key is tried */
static const struct tok_key *relay_signer(const struct tok_keyring *kr,
					  const struct pl *signed_part,
					  const struct pl *mac)
{
	const struct tok_key *found = NULL;
	struct le *le;

	for (le = kr->keys.head; le; le = le->next) {
		const struct tok_key *key = le->data;
		char want[TOK_MAC_LEN + 1];

		relay_mac(want, key, signed_part->p, signed_part->l);
		if (0 == CRYPTO_memcmp(want, mac->p, TOK_MAC_LEN) && !found)
			found = key;
	}

	return found;
}


/**
 * Verify a relay-allocation token
 *
 * @param kr     Keyring; every secret in it is tried
 * @param token  The token text
 * @param scope  Scope the caller needs, NULL to accept any
 * @param now    Current unix time
 * @param claims Optional: what the token says, filled in if valid
 *
 * @return 0 if valid, otherwise an error listed in tok.h
 */
int tok_verify(const struct tok_keyring *kr, const struct pl *token,
	       const char *scope, uint64_t now, struct tok_claims *claims)
{
	const struct tok_key *key;
	struct pl f[4], signed_part;
	char granted[TOK_SCOPE_MAX + 1];
	uint64_t expires;
	int err;

	if (!kr || !token)
		return EINVAL;

	err = relay_parse(token, f);
	if (err)
		return err;

	if (pl_u32(&f[0]) != TOK_VERSION || f[0].l != 1)
		return EPROTONOSUPPORT;

	if (!kr->keys.head)
		return ENOKEY;

	signed_part.p = token->p;
	signed_part.l = (size_t)(f[3].p - token->p) - 1;

	key = relay_signer(kr, &signed_part, &f[3]);
	if (!key)
		return EKEYREJECTED;

	expires = pl_u64(&f[1]);
	if (expires <= now)
		return EKEYEXPIRED;

	(void)pl_strcpy(&f[2], granted, sizeof(granted));
	if (scope && !tok_scope_match(granted, scope))
		return EACCES;

	if (claims) {
		claims->expires = expires;
		str_ncpy(claims->scope, granted, sizeof(claims->scope));
		claims->key = key;
	}

	return 0;
}


/**
 * Describe a token error for an operator
 *
 * @param err Error returned by tok_verify() or tok_rest_verify()
 *
 * @return a short word, never NULL
 */
const char *tok_strerror(int err)
{
	switch (err) {

	case 0:               return "valid";
	case EBADMSG:         return "malformed";
	case ENODATA:         return "truncated";
	case EPROTONOSUPPORT: return "unsupported version";
	case EKEYREJECTED:    return "forged";
	case EKEYEXPIRED:     return "expired";
	case EACCES:          return "wrong scope";
	case ENOKEY:          return "no secret configured";
	default:              return "invalid";
	}
}


/**
 * Compute the TURN REST password for a username with one secret
 *
 * @param buf      Output, at least TOK_PASS_MAX bytes
 * @param size     Size of buf
 * @param key      Secret
 * @param username The username, "<expiry>:<user>"
 *
 * @return 0 if success, otherwise errorcode
 */
int tok_rest_password(char *buf, size_t size, const struct tok_key *key,
		      const struct pl *username)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	size_t len = size ? size - 1 : 0;
	int err;

	if (!buf || !key || !username)
		return EINVAL;

	if (size < TOK_PASS_MAX)
		return ENOMEM;

	HMAC(EVP_sha1(), key->secret, (int)key->len,
	     (const uint8_t *)username->p, username->l, md, &mdlen);

	err = base64_encode(md, mdlen, buf, &len);
	OPENSSL_cleanse(md, sizeof(md));
	if (err)
		return err;

	buf[len] = '\0';

	return 0;
}


/**
 * Issue a TURN REST credential, signed with the first secret
 *
 * @param cred Credential to fill in
 * @param kr   Keyring
 * @param user User part, no ':' in it
 * @param ttl  Seconds it is valid for (> 0)
 * @param now  Current unix time
 *
 * @return 0 if success, otherwise errorcode
 */
int tok_rest_issue(struct tok_rest *cred, const struct tok_keyring *kr,
		   const char *user, uint32_t ttl, uint64_t now)
{
	const struct tok_key *key = tok_keyring_signer(kr);
	struct pl pl;
	int n;

	if (!cred || !user || !*user || strchr(user, ':') || !ttl)
		return EINVAL;

	if (!key)
		return ENOKEY;

	memset(cred, 0, sizeof(*cred));
	cred->ttl = ttl;
	cred->expires = now + ttl;

	n = re_snprintf(cred->username, sizeof(cred->username), "%llu:%s",
			(unsigned long long)cred->expires, user);
	if (n < 0 || (size_t)n >= sizeof(cred->username))
		return ENAMETOOLONG;

	pl_set_str(&pl, cred->username);

	return tok_rest_password(cred->password, sizeof(cred->password),
				 key, &pl);
}


/**
 * Read the expiry of a TURN REST username and check it
 *
 * @param username "<expiry>:<user>" or "<expiry>"
 * @param now      Current unix time
 * @param expiresp Optional: the expiry it names
 *
 * @return 0 if still valid, EKEYEXPIRED, or EBADMSG if not REST form
 */
int tok_rest_expiry(const struct pl *username, uint64_t now,
		    uint64_t *expiresp)
{
	const char *colon;
	uint64_t expires;
	struct pl ts;

	if (!username)
		return EINVAL;

	ts = *username;
	colon = pl_strchr(username, ':');
	if (colon)
		ts.l = (size_t)(colon - username->p);

	if (ts.l == 0 || ts.l > 19 || !all_chars(&ts, digit_char))
		return EBADMSG;

	expires = pl_u64(&ts);
	if (expiresp)
		*expiresp = expires;

	return expires <= now ? EKEYEXPIRED : 0;
}


/**
 * Verify a TURN REST username and password against every secret
 *
 * @param kr       Keyring
 * @param username "<expiry>:<user>"
 * @param password base64(HMAC-SHA1(secret, username))
 * @param now      Current unix time
 *
 * @return 0 if valid, otherwise an error listed in tok.h
 */
int tok_rest_verify(const struct tok_keyring *kr,
		    const struct pl *username, const struct pl *password,
		    uint64_t now)
{
	bool match = false;
	struct le *le;
	int err;

	if (!kr || !username || !password)
		return EINVAL;

	err = tok_rest_expiry(username, 0, NULL);
	if (err)
		return err;

	if (!kr->keys.head)
		return ENOKEY;

	for (le = kr->keys.head; le; le = le->next) {
		char want[TOK_PASS_MAX];

		if (tok_rest_password(want, sizeof(want), le->data, username))
			continue;

		if (password->l == strlen(want) &&
		    0 == CRYPTO_memcmp(want, password->p, password->l))
			match = true;
	}

	if (!match)
		return EKEYREJECTED;

	return tok_rest_expiry(username, now, NULL);
}
