/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file uacauth.c  Our credentials toward one gateway: answers to its
 *                  challenges
 */
#include <string.h>
#include <re.h>
#include "cfg.h"
#include "digest.h"
#include "uacauth.h"


enum {
	NONCE_MAX = 256,   /**< Longest nonce or opaque kept    */
};

/** Credentials and the challenge in force */
struct uacauth {
	char user[CFG_CRED_MAX];      /**< Username                    */
	char pass[CFG_CRED_MAX];      /**< Password                    */
	char realm_want[CFG_CRED_MAX];/**< Only this realm, "" any     */
	char realm[CFG_CRED_MAX];     /**< Realm of the challenge      */
	char nonce[NONCE_MAX];        /**< Its nonce                   */
	char opaque[NONCE_MAX];       /**< Its opaque                  */
	struct digest_chal chal;      /**< The challenge, over these   */
	bool have;                    /**< A challenge is in force     */
	bool answered;                /**< Its nonce was answered      */
	uint32_t nc;                  /**< Nonce count                 */
};


static void uacauth_destructor(void *data)
{
	struct uacauth *ua = data;

	/* credentials do not linger in freed memory */
	memset(ua, 0, sizeof(*ua));
}


/**
 * Take a copy of a gateway's credentials
 *
 * @param uap Pointer to allocated credentials
 * @param gw  The gateway's configuration (user= and password=)
 *
 * @return 0 if success, ENOENT if it has none, otherwise errorcode
 */
int uacauth_alloc(struct uacauth **uap, const struct cfg_host *gw)
{
	struct uacauth *ua;

	if (!uap || !gw)
		return EINVAL;

	if (!gw->user[0])
		return ENOENT;

	ua = mem_zalloc(sizeof(*ua), uacauth_destructor);
	if (!ua)
		return ENOMEM;

	str_ncpy(ua->user, gw->user, sizeof(ua->user));
	str_ncpy(ua->pass, gw->password, sizeof(ua->pass));
	str_ncpy(ua->realm_want, gw->realm, sizeof(ua->realm_want));
	*uap = ua;

	return 0;
}


static int keep(char *buf, size_t sz, struct pl *pl)
{
	if (!pl->p) {
		buf[0] = '\0';
		return 0;
	}

	if (pl->l >= sz)
		return E2BIG;

	(void)pl_strcpy(pl, buf, sz);
	pl_set_str(pl, buf);

	return 0;
}


/**
 * A 401 or 407 came: keep its challenge, if it can be answered
 *
 * @param ua  Credentials
 * @param msg The response
 *
 * @return 0 if the request may go again with an answer; EACCES if
 *         the credentials were refused, ENOENT if no challenge fits
 */
int uacauth_challenge(struct uacauth *ua, const struct sip_msg *msg)
{
	struct digest_chal c;
	bool same;
	int err;

	if (!ua || !msg)
		return EINVAL;

	err = digest_chal_pick(&c, msg, ua->realm_want);
	if (err)
		return err;

	same = ua->have && !pl_strcmp(&c.nonce, ua->nonce);
	if (same && ua->answered && !c.stale)
		return EACCES;

	err  = keep(ua->realm, sizeof(ua->realm), &c.realm);
	err |= keep(ua->nonce, sizeof(ua->nonce), &c.nonce);
	err |= keep(ua->opaque, sizeof(ua->opaque), &c.opaque);
	if (err) {
		ua->have = false;
		return E2BIG;
	}

	ua->chal = c;
	ua->have = true;
	ua->answered = false;
	ua->nc = 0;

	return 0;
}


/**
 * Write the Authorization (or Proxy-Authorization) line for a request,
 * if a challenge is in force; nothing otherwise
 *
 * @param mb  Buffer
 * @param ua  Credentials, or NULL
 * @param met The request's method
 * @param uri Its Request-URI
 *
 * @return 0 if success, otherwise errorcode
 */
int uacauth_write(struct mbuf *mb, struct uacauth *ua, const char *met,
		  const char *uri)
{
	char cnonce[DIGEST_CNONCE_SZ];
	struct digest_cred cr;
	struct digest_auth a;

	if (!ua || !ua->have)
		return 0;

	digest_cnonce(cnonce, sizeof(cnonce));
	cr = (struct digest_cred){ua->user, ua->pass, met, uri, cnonce,
		++ua->nc};
	a = (struct digest_auth){&ua->chal, &cr};
	ua->answered = true;

	return mbuf_printf(mb, "%H", digest_auth_print, &a);
}
