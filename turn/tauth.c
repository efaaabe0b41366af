/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tauth.c  TURN server: long-term credentials (RFC 5389 10.2) with
 *                TURN REST usernames, and stateless nonces
 *
 * The password of a username is base64(HMAC-SHA1(secret, username))
 * for one of the active token secrets (tok.h); the key is
 * MD5(username ":" realm ":" password). Every secret is tried, so a
 * rotation never breaks a client. Nothing is stored for a client
 * without an allocation: the nonce is "<16 hex: unix time><32 hex:
 * HMAC-SHA1(nonce key, time, client address and port)>", with a random
 * nonce key per process. A nonce older than TURND_NONCE_TTL gets 438
 * and a fresh one. 401 and 438 answers (and 400 and 420 before
 * authentication) are rate-limited per source address and over all
 * sources together (trate.c, treq_unauth_ok).
 *
 * An allocation keeps the key of its USERNAME and the last nonce found
 * valid for its 5-tuple: a later request with the same USERNAME and
 * nonce is checked against them (expiry, nonce age, MESSAGE-INTEGRITY
 * all still checked), without deriving the key or the nonce MAC again.
 * A reload (turnd.pf_gen) voids the keys; a request the cached key
 * does not verify goes through the full check. HMAC-SHA1 runs in one
 * EVP_MAC context fetched at start, not fetched per call.
 */
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <re.h>
#define DEBUG_MODULE "turnd"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "cfg.h"
#include "tok.h"
#include "ipnet.h"
#include "turnd_priv.h"


enum {
	TS_HEX  = 16,     /**< Hex digits of the time          */
	MAC_HEX = 32,     /**< Hex digits of the MAC we keep    */
	SKEW    = 60,     /**< Seconds a nonce may be ahead     */
	MI_LEN  = 24,     /**< MESSAGE-INTEGRITY attribute      */
};


static EVP_MAC_CTX *mac_new(void)
{
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx;
	EVP_MAC *mac;

	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!mac)
		return NULL;

	ctx = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);
	if (!ctx)
		return NULL;

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     "SHA1", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_CTX_set_params(ctx, params)) {
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}

	return ctx;
}


/* HMAC-SHA1 over a, then b (may be empty), in ctx */
static int mac_sha1(EVP_MAC_CTX *ctx, const uint8_t *key, size_t klen,
		    const uint8_t *a, size_t alen,
		    const uint8_t *b, size_t blen, uint8_t *mac)
{
	size_t n = 0;

	if (!EVP_MAC_init(ctx, key, klen, NULL) ||
	    !EVP_MAC_update(ctx, a, alen) ||
	    (blen && !EVP_MAC_update(ctx, b, blen)) ||
	    !EVP_MAC_final(ctx, mac, &n, 20) || n != 20)
		return EPROTO;

	return 0;
}


/**
 * Make the server's HMAC context
 *
 * @param turnd TURN server
 *
 * @return 0 if success, otherwise errorcode
 */
int tauth_init(struct turnd *turnd)
{
	if (!turnd)
		return EINVAL;

	turnd->hmac = mac_new();

	return turnd->hmac ? 0 : ENOSYS;
}


/**
 * Free the server's HMAC context
 *
 * @param turnd TURN server
 */
void tauth_close(struct turnd *turnd)
{
	if (!turnd)
		return;

	EVP_MAC_CTX_free(turnd->hmac);
	turnd->hmac = NULL;
}


/**
 * HMAC-SHA1 in the server's context
 *
 * @param turnd TURN server
 * @param key   Key
 * @param klen  Its length
 * @param data  Data
 * @param len   Its length
 * @param mac   Output, 20 bytes
 *
 * @return 0 if success, otherwise errorcode
 */
int tauth_hmac(const struct turnd *turnd, const uint8_t *key, size_t klen,
	       const uint8_t *data, size_t len, uint8_t *mac)
{
	if (!turnd || !turnd->hmac || !key || !data || !mac)
		return EINVAL;

	return mac_sha1(turnd->hmac, key, klen, data, len, NULL, 0, mac);
}


static int nonce_mac(char *out, const struct turnd *turnd,
		     const char *ts, const struct sa *src)
{
	uint8_t data[TS_HEX + 16 + 3], mac[20];
	size_t n = TS_HEX;
	int err;

	const uint8_t *ip = data;
	size_t len = ipnet_addr(src, &ip);

	memcpy(data, ts, TS_HEX);
	memcpy(data + n, ip, len);
	n += len;
	data[n++] = (uint8_t)(sa_port(src) >> 8);
	data[n++] = (uint8_t)sa_port(src);
	data[n++] = (uint8_t)sa_af(src);

	err = mac_sha1(turnd->hmac, turnd->nonce_key,
		       sizeof(turnd->nonce_key), data, n, NULL, 0, mac);
	if (err)
		return err;

	for (size_t i = 0; i < MAC_HEX / 2; i++) {
		static const char hex[] = "0123456789abcdef";

		out[2 * i]     = hex[mac[i] >> 4];
		out[2 * i + 1] = hex[mac[i] & 0xf];
	}
	out[MAC_HEX] = '\0';

	return 0;
}


/**
 * Make a nonce for a client
 *
 * @param buf   Output, at least TURND_NONCE_LEN + 1 bytes
 * @param size  Size of buf
 * @param turnd TURN server
 * @param src   Client address
 * @param now   Unix time
 *
 * @return 0 if success, otherwise errorcode
 */
int tauth_nonce(char *buf, size_t size, const struct turnd *turnd,
		const struct sa *src, uint64_t now)
{
	if (!buf || size <= TURND_NONCE_LEN || !turnd || !src)
		return EINVAL;

	(void)re_snprintf(buf, size, "%016llx", (unsigned long long)now);

	return nonce_mac(buf + TS_HEX, turnd, buf, src);
}


/* the time of a nonce of the right length: 0 if fresh, EKEYEXPIRED if
 * stale, EBADMSG if not hex or ahead of now */
static int nonce_time(const char *nonce, uint64_t now)
{
	struct pl ts;
	uint64_t t;

	for (size_t i = 0; i < TS_HEX; i++) {
		if (!strchr("0123456789abcdef", nonce[i]))
			return EBADMSG;
	}

	ts.p = nonce;
	ts.l = TS_HEX;
	t = pl_x64(&ts);

	if (t > now + SKEW)
		return EBADMSG;

	return now - t >= TURND_NONCE_TTL && t < now ? EKEYEXPIRED : 0;
}


/**
 * Check a nonce a client sent back
 *
 * @param turnd TURN server
 * @param nonce The NONCE
 * @param src   Client address
 * @param now   Unix time
 *
 * @return 0 if valid, EKEYEXPIRED if stale, EBADMSG if not ours
 */
int tauth_nonce_check(const struct turnd *turnd, const char *nonce,
		      const struct sa *src, uint64_t now)
{
	char mac[MAC_HEX + 1];
	int err;

	if (!turnd || !nonce || !src || strlen(nonce) != TURND_NONCE_LEN)
		return EBADMSG;

	err = nonce_time(nonce, now);
	if (err == EBADMSG)
		return err;

	if (nonce_mac(mac, turnd, nonce, src) ||
	    CRYPTO_memcmp(mac, nonce + TS_HEX, MAC_HEX))
		return EBADMSG;

	return err;
}


/**
 * Derive the long-term key, MD5(username ":" realm ":" password)
 *
 * @param key   Output, TURND_KEY_LEN bytes
 * @param user  USERNAME
 * @param realm REALM
 * @param pass  Password
 *
 * @return 0 if success, otherwise errorcode
 */
int tauth_key(uint8_t *key, const char *user, const char *realm,
	      const char *pass)
{
	if (!key || !user || !realm || !pass)
		return EINVAL;

	return md5_printf(key, "%s:%s:%s", user, realm, pass);
}


static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}


/* the offset of MESSAGE-INTEGRITY; the framing was checked before */
static size_t mi_offset(const uint8_t *p, size_t n)
{
	size_t off = STUN_HEADER_SIZE;

	while (off + 4 <= n) {
		uint16_t type = rd16(p + off), len = rd16(p + off + 2);

		if (type == STUN_ATTR_MSG_INTEGRITY)
			return len == 20 && off + MI_LEN <= n ? off : 0;

		off += 4 + ((size_t)len + 3) / 4 * 4;
	}

	return 0;
}


static int mi_check(EVP_MAC_CTX *ctx, const struct mbuf *mb,
		    const uint8_t *key, size_t len)
{
	uint8_t mac[20], hdr[STUN_HEADER_SIZE];
	const uint8_t *p;
	size_t off;
	int err;

	if (!mb || !key)
		return EINVAL;

	p = mbuf_buf(mb);
	off = mi_offset(p, mbuf_get_left(mb));
	if (!off)
		return EPROTO;

	memcpy(hdr, p, sizeof(hdr));
	hdr[2] = (uint8_t)((off + MI_LEN - STUN_HEADER_SIZE) >> 8);
	hdr[3] = (uint8_t)(off + MI_LEN - STUN_HEADER_SIZE);

	err = mac_sha1(ctx, key, len, hdr, sizeof(hdr),
		       p + STUN_HEADER_SIZE, off - STUN_HEADER_SIZE, mac);
	if (err)
		return err;

	return CRYPTO_memcmp(mac, p + off + 4, sizeof(mac)) ? EBADMSG : 0;
}


/**
 * Check MESSAGE-INTEGRITY (RFC 5389 15.4) in constant time: the HMAC
 * covers the header, with the length as if the message ended with
 * MESSAGE-INTEGRITY, and every attribute before it. Attributes after
 * it (FINGERPRINT) are not covered.
 *
 * @param mb  The raw message, from mb->pos
 * @param key Key
 * @param len Key length
 *
 * @return 0 if it matches, EPROTO if absent, EBADMSG if wrong
 */
int tauth_mi_check(const struct mbuf *mb, const uint8_t *key, size_t len)
{
	EVP_MAC_CTX *ctx;
	int err;

	ctx = mac_new();
	if (!ctx)
		return ENOSYS;

	err = mi_check(ctx, mb, key, len);
	EVP_MAC_CTX_free(ctx);

	return err;
}


/**
 * Check a request's credentials: a TURN REST username that has not
 * expired, and MESSAGE-INTEGRITY made with the key of one of the active
 * secrets
 *
 * @param turnd TURN server
 * @param mb    The raw request, from mb->pos
 * @param user  USERNAME
 * @param now   Unix time
 * @param key   Output: the key that matched, TURND_KEY_LEN bytes
 *
 * @return 0 if valid; EKEYEXPIRED, EBADMSG (not REST form),
 *         EKEYREJECTED (forged) or ENOKEY
 */
int tauth_check(const struct turnd *turnd, const struct mbuf *mb,
		const char *user, uint64_t now, uint8_t *key)
{
	const struct tok_keyring *kr = turnd->cfg->keys;
	char pass[TOK_PASS_MAX];
	struct pl pl;
	int err;

	pl_set_str(&pl, user);
	err = tok_rest_expiry(&pl, now, NULL);
	if (err)
		return err;

	if (!kr || !kr->keys.head)
		return ENOKEY;

	for (struct le *le = kr->keys.head; le; le = le->next) {
		err  = tok_rest_password(pass, sizeof(pass), le->data, &pl);
		err |= tauth_key(key, user, turnd->cfg->turn.realm, pass);
		if (!err && !mi_check(turnd->hmac, mb, key, TURND_KEY_LEN))
			return 0;
	}

	return EKEYREJECTED;
}


static bool unauth(struct treq *req, uint16_t code, uint64_t now)
{
	struct turnd *turnd = req->turnd;
	char nonce[TURND_NONCE_LEN + 1];

	if (!treq_unauth_ok(req))
		return true;

	if (tauth_nonce(nonce, sizeof(nonce), turnd, req->src, now))
		return true;

	(void)treq_ereply(req, code, 2,
			  STUN_ATTR_REALM, turnd->cfg->turn.realm,
			  STUN_ATTR_NONCE, nonce);

	return true;
}


/* the nonce: the one the allocation of this 5-tuple last had valid
 * needs only its age checked, any other the full check */
static int nonce_check(const struct treq *req, const struct talloc *al,
		       const char *nonce, uint64_t now)
{
	if (al && al->nonce[0] && strlen(nonce) == TURND_NONCE_LEN &&
	    !CRYPTO_memcmp(al->nonce, nonce, TURND_NONCE_LEN))
		return nonce_time(nonce, now);

	return tauth_nonce_check(req->turnd, nonce, req->src, now);
}


/* the key the allocation of this 5-tuple keeps, for its USERNAME and
 * the configuration it was made under; ENOENT if none applies */
static int cached_check(struct treq *req, const struct talloc *al,
			const char *user, uint64_t now)
{
	struct pl pl;
	int err;

	if (!al || !al->key_gen || al->key_gen != req->turnd->pf_gen ||
	    strcmp(al->user, user))
		return ENOENT;

	pl_set_str(&pl, user);
	err = tok_rest_expiry(&pl, now, NULL);
	if (err)
		return err;

	err = mi_check(req->turnd->hmac, req->mb, al->key, TURND_KEY_LEN);
	if (err)
		return err;

	memcpy(req->key, al->key, TURND_KEY_LEN);

	return 0;
}


/**
 * Keep an authenticated request's key and nonce in the allocation of
 * its 5-tuple, which its USERNAME made
 *
 * @param al  Allocation
 * @param req The request, authenticated
 */
void tauth_remember(struct talloc *al, const struct treq *req)
{
	const struct stun_attr *a;

	if (!al || !req || req->keylen != TURND_KEY_LEN)
		return;

	memcpy(al->key, req->key, TURND_KEY_LEN);
	al->key_gen = req->turnd->pf_gen;

	a = stun_msg_attr(req->msg, STUN_ATTR_NONCE);
	if (a && strlen(a->v.str) == TURND_NONCE_LEN)
		str_ncpy(al->nonce, a->v.str, sizeof(al->nonce));
}


static const char *attr_str(const struct stun_msg *msg, uint16_t type)
{
	const struct stun_attr *a = stun_msg_attr(msg, type);

	return a ? a->v.str : NULL;
}


/**
 * Authenticate a request. Without MESSAGE-INTEGRITY, a wrong realm or
 * bad credentials it gets 401, with a stale nonce 438 (both with REALM
 * and a fresh NONCE), without USERNAME, REALM or NONCE 400.
 *
 * @param req Request; user and key are set when it passes
 *
 * @return true if it was answered (refused), false to go on
 */
bool tauth_request(struct treq *req)
{
	const struct stun_msg *msg = req->msg;
	const char *user, *realm, *nonce;
	uint64_t now = (uint64_t)time(NULL);
	struct talloc *al;
	int err;

	if (!stun_msg_attr(msg, STUN_ATTR_MSG_INTEGRITY))
		return unauth(req, 401, now);

	user  = attr_str(msg, STUN_ATTR_USERNAME);
	realm = attr_str(msg, STUN_ATTR_REALM);
	nonce = attr_str(msg, STUN_ATTR_NONCE);
	if (!user || !realm || !nonce) {
		if (treq_unauth_ok(req))
			(void)treq_ereply(req, 400, 0);
		return true;
	}

	if (strcmp(realm, req->turnd->cfg->turn.realm) ||
	    strlen(user) >= TOK_USER_MAX)
		return unauth(req, 401, now);

	al = talloc_find(req->turnd, req->lsn, req->src);

	if (nonce_check(req, al, nonce, now))
		return unauth(req, 438, now);

	err = cached_check(req, al, user, now);
	if (err)
		err = tauth_check(req->turnd, req->mb, user, now, req->key);
	if (err) {
		DEBUG_INFO("%J: %s: credential %s\n", req->src,
			   stun_method_name(stun_msg_method(msg)),
			   tok_strerror(err));
		return unauth(req, 401, now);
	}

	req->user = user;
	req->keylen = TURND_KEY_LEN;
	if (al && !strcmp(al->user, user))
		tauth_remember(al, req);

	return false;
}
