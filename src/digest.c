/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file digest.c  SIP digest authentication as a UAC: decoding a
 *                 challenge, picking one from a 401 or 407, computing
 *                 the response and printing the header that carries it
 *
 *   WWW-Authenticate: Digest realm="trunk.example", qop="auth",
 *                     algorithm=SHA-256, nonce="...", opaque="..."
 *
 * libre 1.1.0's sip_auth knows MD5 only and keeps its encoder private,
 * so the B2BUA answers a gateway's or trunk's challenge with this.
 * The hashes are OpenSSL's (EVP). Nothing here logs: the password and
 * H(A1) stay on the stack, and H(A1) is wiped after use.
 */
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <re.h>
#include "words.h"
#include "digest.h"


/* The parameters a challenge may carry once each (RFC 7235 §2.1) */
enum {
	P_REALM  = 1 << 0,
	P_NONCE  = 1 << 1,
	P_OPAQUE = 1 << 2,
	P_ALG    = 1 << 3,
	P_QOP    = 1 << 4,
	P_STALE  = 1 << 5,
};

/* A decode in progress */
struct dec {
	const char *p;     /* the next character          */
	const char *end;   /* one past the last           */
	unsigned seen;     /* P_ flags                    */
	struct pl alg;     /* algorithm, as sent          */
	struct pl qop;     /* qop options, as sent        */
	struct pl stale;   /* stale, as sent              */
};

/* One hash in progress; err keeps the first failure */
struct hash {
	EVP_MD_CTX *ctx;
	const EVP_MD *md;
	int err;
};

/* What digest_chal_pick() looks for */
struct pick {
	struct digest_chal *c;
	const char *realm;     /* NULL: any realm */
	bool proxy;
};


static bool is_lws(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}


/* RFC 7230's tchar; RFC 3261's token characters are a subset */
static bool is_tchar(char ch)
{
	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9'))
		return true;

	switch (ch) {

	case '!': case '#': case '$': case '%': case '&': case '\'':
	case '*': case '+': case '-': case '.': case '^': case '_':
	case '`': case '|': case '~':
		return true;

	default:
		return false;
	}
}


/* What may stand inside quotes, alone or after a backslash: anything
 * but a control character other than HTAB (RFC 7230 §3.2.6). So a
 * value printed back can never end the header line or carry a NUL. */
static bool is_qchar(char ch)
{
	const unsigned char u = (unsigned char)ch;

	return u == '\t' || (u >= 0x20 && u != 0x7f);
}


/* Quoted-string content from p: where an unescaped '"' or end stops
 * it, or NULL at a character that may not stand there */
static const char *qscan(const char *p, const char *end)
{
	while (p < end && *p != '"') {

		if (*p == '\\' && ++p == end)
			return NULL;

		if (!is_qchar(*p))
			return NULL;

		++p;
	}

	return p;
}


/* A string that can be printed as quoted-string content once escaped */
static bool str_clean(const char *s)
{
	if (!s)
		return false;

	for (; *s; s++) {
		if (!is_qchar(*s))
			return false;
	}

	return true;
}


/* A value kept escaped that can be printed between quotes as it is;
 * an absent one (p NULL) is nothing to print */
static bool pl_clean(const struct pl *pl)
{
	const char *end;

	if (!pl->p)
		return pl->l == 0;

	end = pl->p + pl->l;

	return qscan(pl->p, end) == end;
}


/* The next run of an escaped value, unescaped: from the character
 * after a backslash (or from the start) up to the next backslash */
static bool unq_next(struct pl *rest, struct pl *run)
{
	const char *bs;

	if (rest->l && rest->p[0] == '\\')
		pl_advance(rest, 1);

	if (!rest->l)
		return false;

	bs = memchr(rest->p + 1, '\\', rest->l - 1);
	run->p = rest->p;
	run->l = bs ? (size_t)(bs - rest->p) : rest->l;
	pl_advance(rest, run->l);

	return true;
}


/* Is unq(pl) the string s? */
static bool unq_eq(const struct pl *pl, const char *s)
{
	struct pl rest = *pl, run;

	while (unq_next(&rest, &run)) {
		if (strnlen(s, run.l) < run.l || memcmp(s, run.p, run.l))
			return false;
		s += run.l;
	}

	return *s == '\0';
}


static void skip_lws(struct dec *d)
{
	while (d->p < d->end && is_lws(*d->p))
		++d->p;
}


static int token(struct dec *d, struct pl *pl)
{
	pl->p = d->p;
	while (d->p < d->end && is_tchar(*d->p))
		++d->p;
	pl->l = (size_t)(d->p - pl->p);

	return pl->l ? 0 : EBADMSG;
}


/* A token, or a quoted-string: then pl is what is between the quotes */
static int value(struct dec *d, struct pl *pl)
{
	const char *q;

	if (d->p == d->end || *d->p != '"')
		return token(d, pl);

	q = qscan(d->p + 1, d->end);
	if (!q || q == d->end)
		return EBADMSG;

	pl->p = d->p + 1;
	pl->l = (size_t)(q - pl->p);
	d->p = q + 1;

	return 0;
}


static int param(struct dec *d, struct digest_chal *c,
		 const struct pl *name, const struct pl *val)
{
	const struct {
		const char *name;
		unsigned flag;
		struct pl *dst;
	} tab[] = {
		{"realm",     P_REALM,  &c->realm},
		{"nonce",     P_NONCE,  &c->nonce},
		{"opaque",    P_OPAQUE, &c->opaque},
		{"algorithm", P_ALG,    &d->alg},
		{"qop",       P_QOP,    &d->qop},
		{"stale",     P_STALE,  &d->stale},
	};

	for (size_t i = 0; i < ARRAY_SIZE(tab); i++) {

		if (pl_strcasecmp(name, tab[i].name))
			continue;

		if (d->seen & tab[i].flag)
			return EBADMSG;

		d->seen |= tab[i].flag;
		*tab[i].dst = *val;
		break;
	}

	/* domain, charset, userhash and the unknown: not needed */
	return 0;
}


/* The comma-separated auth-params after the scheme */
static int params(struct dec *d, struct digest_chal *c)
{
	struct pl name, val;
	int err;

	for (;;) {
		/* empty list elements are allowed (RFC 7230 §7) */
		while (d->p < d->end && (is_lws(*d->p) || *d->p == ','))
			++d->p;

		if (d->p == d->end)
			return 0;

		err = token(d, &name);
		if (err)
			return err;

		skip_lws(d);
		if (d->p == d->end || *d->p != '=')
			return EBADMSG;
		++d->p;
		skip_lws(d);

		err = value(d, &val);
		if (!err)
			err = param(d, c, &name, &val);
		if (err)
			return err;

		skip_lws(d);
		if (d->p < d->end && *d->p != ',')
			return EBADMSG;
	}
}


/* qop="auth,auth-int": does the list hold "auth"? */
static bool qop_has_auth(const struct pl *qop)
{
	struct pl rest = *qop, item;

	while (rest.l) {
		const char *comma = pl_strchr(&rest, ',');

		item.p = rest.p;
		item.l = comma ? (size_t)(comma - rest.p) : rest.l;
		pl_advance(&rest, comma ? item.l + 1 : item.l);

		words_trim(&item);
		if (!pl_strcasecmp(&item, "auth"))
			return true;
	}

	return false;
}


/* With the whole value read: what is missing, what is not supported */
static int finish(const struct dec *d, struct digest_chal *c)
{
	if (!(d->seen & P_REALM) || !pl_isset(&c->nonce))
		return EBADMSG;

	if (!(d->seen & P_ALG) || !pl_strcasecmp(&d->alg, "MD5"))
		c->alg = DIGEST_MD5;
	else if (!pl_strcasecmp(&d->alg, "SHA-256"))
		c->alg = DIGEST_SHA256;
	else
		return ENOTSUP;

	if (d->seen & P_QOP) {
		c->qop_auth = qop_has_auth(&d->qop);
		if (!c->qop_auth)
			return ENOTSUP;
	}

	c->stale = (d->seen & P_STALE) && !pl_strcasecmp(&d->stale, "true");

	return 0;
}


/**
 * Decode a challenge: one WWW-Authenticate or Proxy-Authenticate value
 * (SIP has one challenge per header field, RFC 3261 §20.44)
 *
 * The scheme and the parameter names are matched in any case, values
 * may be tokens or quoted-strings, and LWS may stand around '=' and
 * ','. Unknown parameters are ignored; a known one given twice is an
 * error. A control character (CR, LF, NUL, ...) inside quotes is an
 * error, so no value can break the header it is printed back into.
 *
 * @param c   Decoded challenge, pointing into val; zeroed on error.
 *            c->proxy is left false.
 * @param val "Digest realm=..., nonce=..., ..."
 *
 * @return 0 if success; EBADMSG if malformed, if realm is missing or
 *         the nonce missing or empty; ENOTSUP if the scheme is not
 *         Digest, the algorithm not MD5 or SHA-256 (the "-sess" ones,
 *         SHA-512-256), or qop is offered without "auth"
 */
int digest_chal_decode(struct digest_chal *c, const struct pl *val)
{
	struct dec d;
	struct pl scheme;
	int err;

	if (!c || !val)
		return EINVAL;

	memset(c, 0, sizeof(*c));
	memset(&d, 0, sizeof(d));

	if (!val->p)
		return EBADMSG;

	d.p = val->p;
	d.end = val->p + val->l;

	skip_lws(&d);
	if (token(&d, &scheme))
		return EBADMSG;

	if (pl_strcasecmp(&scheme, "Digest"))
		return ENOTSUP;

	if (d.p == d.end || !is_lws(*d.p))
		return EBADMSG;

	err = params(&d, c);
	if (!err)
		err = finish(&d, c);

	if (err)
		memset(c, 0, sizeof(*c));

	return err;
}


static bool pick_handler(const struct sip_hdr *hdr,
			 const struct sip_msg *msg, void *arg)
{
	struct pick *pk = arg;
	struct digest_chal c;
	(void)msg;

	if (digest_chal_decode(&c, &hdr->val))
		return false;

	if (pk->realm && !unq_eq(&c.realm, pk->realm))
		return false;

	c.proxy = pk->proxy;
	*pk->c = c;

	return true;
}


/**
 * Pick the challenge to answer in a 401 (its WWW-Authenticate fields)
 * or a 407 (its Proxy-Authenticate fields)
 *
 * It is the topmost challenge that decodes, i.e. the first in header
 * order with a supported algorithm and qop (RFC 8760 §2.4): a server
 * lists its challenges in its order of preference, so one that offers
 * SHA-256 and MD5 lists SHA-256 first and gets SHA-256. Ranking by
 * strength instead would not stop a downgrade either: whoever can
 * reorder the fields can remove the SHA-256 one. Challenges in other
 * schemes, with "-sess" or other algorithms, or malformed, are passed
 * over. A response that carries both kinds of field (a forking proxy
 * coalescing a 401 and a 407) is answered for its status code's kind.
 *
 * @param c          The challenge picked, pointing into msg
 * @param msg        A 401 or 407 response
 * @param realm_want If neither NULL nor empty, only a challenge for this
 *                   realm (compared exactly, after unescaping)
 *
 * @return 0 if success, ENOENT if no challenge fits, EINVAL if msg is
 *         not a 401 or 407
 */
int digest_chal_pick(struct digest_chal *c, const struct sip_msg *msg,
		     const char *realm_want)
{
	struct pick pk;
	enum sip_hdrid id;

	if (!c || !msg)
		return EINVAL;

	if (msg->scode == 401)
		id = SIP_HDR_WWW_AUTHENTICATE;
	else if (msg->scode == 407)
		id = SIP_HDR_PROXY_AUTHENTICATE;
	else
		return EINVAL;

	pk.c = c;
	pk.realm = realm_want && *realm_want ? realm_want : NULL;
	pk.proxy = id == SIP_HDR_PROXY_AUTHENTICATE;

	if (!sip_msg_hdr_apply(msg, true, id, pick_handler, &pk))
		return ENOENT;

	return 0;
}


static void h_begin(struct hash *h)
{
	if (!h->err && !EVP_DigestInit_ex(h->ctx, h->md, NULL))
		h->err = EPROTO;
}


static void h_mem(struct hash *h, const char *p, size_t l)
{
	if (!h->err && l && !EVP_DigestUpdate(h->ctx, p, l))
		h->err = EPROTO;
}


static void h_str(struct hash *h, const char *s)
{
	h_mem(h, s, strlen(s));
}


/* A challenge value, unescaped: unq() of RFC 7616 §3.4 */
static void h_unq(struct hash *h, const struct pl *pl)
{
	struct pl rest = *pl, run;

	while (unq_next(&rest, &run))
		h_mem(h, run.p, run.l);
}


/* Finish into lower-case hex; hex has room for the digest's */
static void h_hex(struct hash *h, char *hex)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned n = 0;

	if (!h->err && !EVP_DigestFinal_ex(h->ctx, md, &n))
		h->err = EPROTO;

	if (!h->err)
		(void)re_snprintf(hex, 2 * n + 1, "%w", md, (size_t)n);

	OPENSSL_cleanse(md, sizeof(md));
}


/* The three hashes of RFC 7616 §3.4.1, with or without qop=auth */
static void responses(struct hash *h, char *ha1, char *ha2, char *out,
		      const struct digest_chal *c,
		      const struct digest_cred *cr)
{
	char nc[9];

	/* H(A1) = H(username ":" unq(realm) ":" passwd) */
	h_begin(h);
	h_str(h, cr->user);
	h_str(h, ":");
	h_unq(h, &c->realm);
	h_str(h, ":");
	h_str(h, cr->pass);
	h_hex(h, ha1);

	/* H(A2) = H(method ":" digest-uri) */
	h_begin(h);
	h_str(h, cr->met);
	h_str(h, ":");
	h_str(h, cr->uri);
	h_hex(h, ha2);

	/* KD(H(A1), unq(nonce) [":" nc ":" cnonce ":" qop] ":" H(A2)) */
	h_begin(h);
	h_str(h, ha1);
	h_str(h, ":");
	h_unq(h, &c->nonce);
	if (c->qop_auth) {
		(void)re_snprintf(nc, sizeof(nc), "%08x", cr->nc);
		h_str(h, ":");
		h_str(h, nc);
		h_str(h, ":");
		h_str(h, cr->cnonce);
		h_str(h, ":auth");
	}
	h_str(h, ":");
	h_str(h, ha2);
	h_hex(h, out);
}


/**
 * Compute the response to a challenge: KD(H(A1), nonce:nc:cnonce:qop:
 * H(A2)) with qop=auth, KD(H(A1), nonce:H(A2)) without (RFC 2069)
 *
 * @param buf Lower-case hex and a NUL; DIGEST_RESP_SZ is always enough
 * @param sz  Size of buf
 * @param c   The challenge
 * @param cr  Credentials and request; with c->qop_auth a non-empty
 *            cnonce and an nc from 1
 *
 * @return 0 if success, EINVAL if an argument is missing, EOVERFLOW if
 *         buf is too small, ENOMEM, EPROTO if OpenSSL fails (a FIPS
 *         provider refuses MD5)
 */
int digest_response(char *buf, size_t sz, const struct digest_chal *c,
		    const struct digest_cred *cr)
{
	char ha1[DIGEST_RESP_SZ], ha2[DIGEST_RESP_SZ];
	struct hash h = {NULL, NULL, 0};

	if (!buf || !c || !cr || !cr->user || !cr->pass || !cr->met ||
	    !cr->uri)
		return EINVAL;

	if (c->qop_auth && (!cr->cnonce || !*cr->cnonce || !cr->nc))
		return EINVAL;

	h.md = c->alg == DIGEST_SHA256 ? EVP_sha256() : EVP_md5();
	if (sz < 2 * (size_t)EVP_MD_size(h.md) + 1)
		return EOVERFLOW;

	h.ctx = EVP_MD_CTX_new();
	if (!h.ctx)
		return ENOMEM;

	responses(&h, ha1, ha2, buf, c, cr);

	OPENSSL_cleanse(ha1, sizeof(ha1));
	EVP_MD_CTX_free(h.ctx);

	if (h.err)
		buf[0] = '\0';

	return h.err;
}


/* Print a string as quoted-string content: '"' and '\' escaped */
static int qstr_print(struct re_printf *pf, void *arg)
{
	const char *s = arg, *run = s;
	int err = 0;

	for (; *s && !err; s++) {

		if (*s != '"' && *s != '\\')
			continue;

		err = re_hprintf(pf, "%b\\", run, (size_t)(s - run));
		run = s;
	}

	return err ? err : re_hprintf(pf, "%s", run);
}


/**
 * Print the header line that answers a challenge, with its CRLF:
 * "Authorization: Digest ..." or, for a 407, "Proxy-Authorization:
 * Digest ...", for use with %H
 *
 * It carries username, realm, nonce, uri, response, algorithm, opaque
 * if the challenge had one, and qop=auth, nc and cnonce if it offered
 * qop. The username, uri and cnonce are escaped; the challenge's values
 * go back as they came.
 *
 * @param pf Print handler
 * @param a  The challenge and the credentials
 *
 * @return 0 if success, EINVAL if something is missing or holds a
 *         control character, or an error of digest_response()
 */
int digest_auth_print(struct re_printf *pf, const struct digest_auth *a)
{
	const struct digest_chal *c;
	const struct digest_cred *cr;
	char resp[DIGEST_RESP_SZ];
	int err;

	if (!pf || !a || !a->chal || !a->cred)
		return EINVAL;

	c = a->chal;
	cr = a->cred;

	if (!pl_clean(&c->realm) || !pl_clean(&c->nonce) ||
	    !pl_clean(&c->opaque) || !str_clean(cr->user) ||
	    !str_clean(cr->uri) || (c->qop_auth && !str_clean(cr->cnonce)))
		return EINVAL;

	err = digest_response(resp, sizeof(resp), c, cr);
	if (err)
		return err;

	err  = re_hprintf(pf, "%s: Digest username=\"%H\", realm=\"%r\", "
			  "nonce=\"%r\", uri=\"%H\", response=\"%s\", "
			  "algorithm=%s",
			  c->proxy ? "Proxy-Authorization" : "Authorization",
			  qstr_print, cr->user, &c->realm, &c->nonce,
			  qstr_print, cr->uri, resp,
			  c->alg == DIGEST_SHA256 ? "SHA-256" : "MD5");
	if (c->opaque.p)
		err |= re_hprintf(pf, ", opaque=\"%r\"", &c->opaque);
	if (c->qop_auth)
		err |= re_hprintf(pf, ", qop=auth, nc=%08x, cnonce=\"%H\"",
				  cr->nc, qstr_print, cr->cnonce);
	err |= re_hprintf(pf, "\r\n");

	return err;
}


/**
 * Make a fresh client nonce: 16 hex digits from the libre's random
 * source (OpenSSL's with USE_OPENSSL)
 *
 * @param buf Output, DIGEST_CNONCE_SZ bytes (shorter is truncated)
 * @param sz  Size of buf
 */
void digest_cnonce(char *buf, size_t sz)
{
	if (!buf || !sz)
		return;

	(void)re_snprintf(buf, sz, "%016llx", (unsigned long long)rand_u64());
}
