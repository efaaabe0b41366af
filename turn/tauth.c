/**
 * @file tauth.c  TURN server: long-term credentials (RFC 5389 10.2) with
 *                TURN REST usernames, and stateless nonces
 *
 * The password of a username is base64(HMAC-SHA1(secret, username))
 * for one of the active token secrets (tok.h); the key is
 * MD5(username ":" realm ":" password). Every secret is tried, so a
 * rotation never breaks a client. Nothing is stored per client: the
 * nonce is "<16 hex: unix time><32 hex: HMAC-SHA1(nonce key, time,
 * client address and port)>", with a random nonce key per process.
 * A nonce older than TURND_NONCE_TTL gets 438 and a fresh one.
 * 401 and 438 answers are rate-limited per source address (trate.c).
 */
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>
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


static void nonce_mac(char *out, const struct turnd *turnd,
		      const char *ts, const struct sa *src)
{
	uint8_t data[TS_HEX + 16 + 3], mac[20];
	size_t n = TS_HEX;

	const uint8_t *ip = data;
	size_t len = ipnet_addr(src, &ip);

	memcpy(data, ts, TS_HEX);
	memcpy(data + n, ip, len);
	n += len;
	data[n++] = (uint8_t)(sa_port(src) >> 8);
	data[n++] = (uint8_t)sa_port(src);
	data[n++] = (uint8_t)sa_af(src);

	hmac_sha1(turnd->nonce_key, sizeof(turnd->nonce_key), data, n,
		  mac, sizeof(mac));

	for (size_t i = 0; i < MAC_HEX / 2; i++)
		(void)re_snprintf(out + 2 * i, 3, "%02x", mac[i]);
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
	nonce_mac(buf + TS_HEX, turnd, buf, src);

	return 0;
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
	struct pl ts;
	uint64_t t;

	if (!turnd || !nonce || !src || strlen(nonce) != TURND_NONCE_LEN)
		return EBADMSG;

	for (size_t i = 0; i < TS_HEX; i++) {
		if (!strchr("0123456789abcdef", nonce[i]))
			return EBADMSG;
	}

	ts.p = nonce;
	ts.l = TS_HEX;
	t = pl_x64(&ts);

	nonce_mac(mac, turnd, nonce, src);
	if (CRYPTO_memcmp(mac, nonce + TS_HEX, MAC_HEX))
		return EBADMSG;

	if (t > now + SKEW)
		return EBADMSG;

	return now - t >= TURND_NONCE_TTL && t < now ? EKEYEXPIRED : 0;
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
	uint8_t mac[20], *buf;
	const uint8_t *p;
	size_t off;
	int err = 0;

	if (!mb || !key)
		return EINVAL;

	p = mbuf_buf(mb);
	off = mi_offset(p, mbuf_get_left(mb));
	if (!off)
		return EPROTO;

	buf = mem_alloc(off, NULL);
	if (!buf)
		return ENOMEM;

	memcpy(buf, p, off);
	buf[2] = (uint8_t)((off + MI_LEN - STUN_HEADER_SIZE) >> 8);
	buf[3] = (uint8_t)(off + MI_LEN - STUN_HEADER_SIZE);

	hmac_sha1(key, len, buf, off, mac, sizeof(mac));
	mem_deref(buf);

	if (CRYPTO_memcmp(mac, p + off + 4, sizeof(mac)))
		err = EBADMSG;

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
		if (!err && !tauth_mi_check(mb, key, TURND_KEY_LEN))
			return 0;
	}

	return EKEYREJECTED;
}


static bool unauth(struct treq *req, uint16_t code, uint64_t now)
{
	struct turnd *turnd = req->turnd;
	char nonce[TURND_NONCE_LEN + 1];

	if (!trate_take(turnd->rate, req->src, tmr_jiffies())) {
		++turnd->limited;
		return true;
	}

	if (tauth_nonce(nonce, sizeof(nonce), turnd, req->src, now))
		return true;

	++turnd->unauth;
	(void)treq_ereply(req, code, 2,
			  STUN_ATTR_REALM, turnd->cfg->turn.realm,
			  STUN_ATTR_NONCE, nonce);

	return true;
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
	int err;

	if (!stun_msg_attr(msg, STUN_ATTR_MSG_INTEGRITY))
		return unauth(req, 401, now);

	user  = attr_str(msg, STUN_ATTR_USERNAME);
	realm = attr_str(msg, STUN_ATTR_REALM);
	nonce = attr_str(msg, STUN_ATTR_NONCE);
	if (!user || !realm || !nonce) {
		(void)treq_ereply(req, 400, 0);
		return true;
	}

	if (strcmp(realm, req->turnd->cfg->turn.realm) ||
	    strlen(user) >= TOK_USER_MAX)
		return unauth(req, 401, now);

	if (tauth_nonce_check(req->turnd, nonce, req->src, now))
		return unauth(req, 438, now);

	err = tauth_check(req->turnd, req->mb, user, now, req->key);
	if (err) {
		DEBUG_INFO("%J: %s: credential %s\n", req->src,
			   stun_method_name(stun_msg_method(msg)),
			   tok_strerror(err));
		return unauth(req, 401, now);
	}

	req->user = user;
	req->keylen = TURND_KEY_LEN;

	return false;
}
