/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sdes.c  SDES keys: the suite and inline key of an a=crypto line
 *
 * "a=crypto:<tag> <suite> inline:<base64 key||salt>[|lifetime][|MKI:n]
 * [session-params]" (RFC 4568 9.1). Only what libre's SRTP supports is
 * accepted: one key per line, no session parameter but WSH (a hint).
 * An MKI is read, so that the relay can refuse it by name.
 */
#include <string.h>
#include <re.h>
#include "umrand.h"
#include "sdes.h"


static const struct {
	const char *name;
	enum srtp_suite suite;
	size_t len;                /* master key + salt */
} suites[] = {
	{"AES_CM_128_HMAC_SHA1_80", SRTP_AES_CM_128_HMAC_SHA1_80, 30},
	{"AES_CM_128_HMAC_SHA1_32", SRTP_AES_CM_128_HMAC_SHA1_32, 30},
	{"AES_256_CM_HMAC_SHA1_80", SRTP_AES_256_CM_HMAC_SHA1_80, 46},
	{"AES_256_CM_HMAC_SHA1_32", SRTP_AES_256_CM_HMAC_SHA1_32, 46},
	{"AEAD_AES_128_GCM",        SRTP_AES_128_GCM,             28},
	{"AEAD_AES_256_GCM",        SRTP_AES_256_GCM,             44},
};


static int suite_index(enum srtp_suite suite)
{
	for (size_t i = 0; i < ARRAY_SIZE(suites); i++) {
		if (suites[i].suite == suite)
			return (int)i;
	}

	return -1;
}


static bool all_digits(const struct pl *pl)
{
	for (size_t i = 0; i < pl->l; i++) {
		if (pl->p[i] < '0' || pl->p[i] > '9')
			return false;
	}

	return pl->l > 0;
}


/* "2^N" or a decimal number of packets */
static int lifetime_parse(uint64_t *lt, const struct pl *v)
{
	uint32_t n;

	if (v->l > 2 && v->p[0] == '2' && v->p[1] == '^') {
		struct pl e = {v->p + 2, v->l - 2};

		if (!all_digits(&e) || e.l > 2)
			return EBADMSG;
		n = pl_u32(&e);
		if (n > 63)
			return EBADMSG;
		*lt = (uint64_t)1 << n;
		return 0;
	}

	if (v->l > 19 || !all_digits(v))
		return EBADMSG;

	*lt = pl_u64(v);

	return *lt ? 0 : EBADMSG;
}


/* What follows the key: "|lifetime", "|MKI:len", or both */
static int params_parse(struct sdes_line *ln, struct pl rest)
{
	bool seen_mki = false;

	while (rest.l) {
		const char *bar;
		struct pl v;

		if (rest.p[0] != '|')
			return EBADMSG;
		pl_advance(&rest, 1);
		bar = pl_strchr(&rest, '|');
		v.p = rest.p;
		v.l = bar ? (size_t)(bar - rest.p) : rest.l;
		pl_advance(&rest, v.l);

		if (seen_mki)
			return EBADMSG;
		if (pl_strchr(&v, ':')) {
			struct pl mki, len;

			if (re_regex(v.p, v.l, "[^:]+:[^]+", &mki, &len) ||
			    !all_digits(&mki) || !all_digits(&len))
				return EBADMSG;
			ln->mki = seen_mki = true;
		}
		else if (ln->lifetime || lifetime_parse(&ln->lifetime, &v))
			return EBADMSG;
	}

	return 0;
}


/* Session parameters: only the window size hint is harmless */
static int session_params(const struct pl *sp)
{
	struct pl rest = *sp, w;

	while (!re_regex(rest.p, rest.l, "[ ]*[^ ]+", NULL, &w)) {
		if (w.l < 4 || strncmp(w.p, "WSH=", 4))
			return ENOTSUP;
		pl_advance(&rest, (size_t)(w.p + w.l - rest.p));
	}

	return 0;
}


static int key_decode(struct sdes_key *k, int i, const struct pl *b64)
{
	uint8_t raw[64];      /* the decoder wants room for 3/4 of it */
	char txt[80];
	size_t len = sizeof(raw);

	size_t n = b64->l;

	if (n + 3 >= sizeof(txt) || pl_strcpy(b64, txt, sizeof(txt)))
		return EBADMSG;

	/* padding left out (RFC 4568 is ambiguous): put it back */
	while (n % 4)
		txt[n++] = '=';

	if (base64_decode(txt, n, raw, &len) || len != suites[i].len)
		return EBADMSG;

	memcpy(k->key, raw, len);
	k->suite = suites[i].suite;
	k->len = len;

	return 0;
}


/**
 * Read an a=crypto value
 *
 * @param ln     The line read
 * @param crypto "<tag> <suite> inline:<key>[|...]" (after "a=crypto:")
 *
 * @return 0 if success, ENOTSUP for a suite libre cannot run, several
 *         keys or a session parameter; EBADMSG if malformed
 */
int sdes_parse(struct sdes_line *ln, const struct pl *crypto)
{
	struct pl tag, suite, key, params, sp, rest;
	size_t i;

	if (!ln || !crypto)
		return EINVAL;

	memset(ln, 0, sizeof(*ln));
	rest = *crypto;
	while (rest.l && (rest.p[rest.l - 1] == ' ' ||
			  rest.p[rest.l - 1] == '\r'))
		--rest.l;

	if (re_regex(rest.p, rest.l, "[0-9]+[ ]+[^ ]+[ ]+inline:[^|; ]+"
		     "[^; ]*[^ ]*", &tag, NULL, &suite, NULL, &key,
		     &params, &sp) || tag.p != rest.p || tag.l > 9)
		return EBADMSG;
	pl_advance(&rest, (size_t)(key.p + key.l - rest.p) + params.l + sp.l);

	for (i = 0; i < ARRAY_SIZE(suites); i++) {
		if (0 == pl_strcmp(&suite, suites[i].name))
			break;
	}
	if (i == ARRAY_SIZE(suites))
		return ENOTSUP;
	if (sp.l)                       /* ";inline:..." another key */
		return ENOTSUP;

	ln->tag = pl_u32(&tag);
	if (params_parse(ln, params) || key_decode(&ln->key, (int)i, &key))
		return EBADMSG;

	return session_params(&rest);
}


/**
 * Make a key of our own for a suite: master key and salt from the
 * CSPRNG (OpenSSL's RAND_bytes), never one a peer sent
 *
 * @param k     The key
 * @param suite Its suite
 *
 * @return 0 if success, ENOTSUP for a suite not known here, EIO if the
 *         CSPRNG failed
 */
int sdes_keygen(struct sdes_key *k, enum srtp_suite suite)
{
	int i = suite_index(suite);

	if (!k)
		return EINVAL;
	if (i < 0)
		return ENOTSUP;

	if (um_rand_bytes(k->key, suites[i].len))
		return EIO;

	k->suite = suite;
	k->len = suites[i].len;

	return 0;
}


/**
 * Write an a=crypto value: "<tag> <suite> inline:<key>"
 *
 * @param buf Buffer
 * @param sz  Its size (SDES_LINE_MAX is enough)
 * @param tag The tag
 * @param k   The key
 * @param pad Keep base64's '=' padding (RFC 4568 is ambiguous; like
 *            rtpengine, it is left out unless asked for)
 *
 * @return 0 if success, otherwise errorcode
 */
int sdes_print(char *buf, size_t sz, uint32_t tag, const struct sdes_key *k,
	       bool pad)
{
	char b64[80];
	size_t n = sizeof(b64);
	int i;

	if (!buf || !k)
		return EINVAL;

	i = suite_index(k->suite);
	if (i < 0 || suites[i].len != k->len ||
	    base64_encode(k->key, k->len, b64, &n))
		return EINVAL;

	while (!pad && n && b64[n - 1] == '=')
		--n;

	if (re_snprintf(buf, sz, "%u %s inline:%b", tag, suites[i].name,
			b64, n) < 0)
		return ENOMEM;

	return 0;
}


/** @return the bit of a suite in a mask of suites, 0 if unknown */
uint32_t sdes_bit(enum srtp_suite suite)
{
	int i = suite_index(suite);

	return i < 0 ? 0 : 1u << i;
}


/** @return the bit of a suite named as in a=crypto, 0 if unknown */
uint32_t sdes_bit_find(const struct pl *name)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(suites); i++) {
		if (0 == pl_strcasecmp(name, suites[i].name))
			return 1u << i;
	}

	return 0;
}


/**
 * The suites, in the order the relay prefers them
 *
 * @param i      From 0
 * @param suitep Set to the i-th suite
 *
 * @return false past the last one
 */
bool sdes_suite_at(unsigned i, enum srtp_suite *suitep)
{
	if (i >= ARRAY_SIZE(suites) || !suitep)
		return false;

	*suitep = suites[i].suite;

	return true;
}


/** @return true for an AEAD (GCM) suite */
bool sdes_aead(enum srtp_suite suite)
{
	return suite == SRTP_AES_128_GCM || suite == SRTP_AES_256_GCM;
}


/** @return the name of a suite as a=crypto writes it, "?" if unknown */
const char *sdes_suite_name(enum srtp_suite suite)
{
	int i = suite_index(suite);

	return i < 0 ? "?" : suites[i].name;
}
