/**
 * @file sdes.c  SDES keys: the suite and inline key of an a=crypto line
 *
 * "a=crypto:<tag> <suite> inline:<base64 key||salt>[|lifetime][|MKI:n]"
 * (RFC 4568 9.1). Only what libre's SRTP supports is accepted.
 */
#include <string.h>
#include <openssl/rand.h>
#include <re.h>
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


/**
 * Read the suite and key of an a=crypto value
 *
 * @param k      The key
 * @param crypto "<tag> <suite> inline:<key>[|...]" (after "a=crypto:")
 *
 * @return 0 if success, ENOTSUP for a suite libre cannot check,
 *         EBADMSG if malformed
 */
int sdes_parse(struct sdes_key *k, const struct pl *crypto)
{
	struct pl tag, suite, key;
	uint8_t raw[64];      /* the decoder wants room for 3/4 of it */
	char b64[80];
	size_t i, len = sizeof(raw);

	if (!k || !crypto)
		return EINVAL;

	if (re_regex(crypto->p, crypto->l, "[0-9]+[ ]+[^ ]+[ ]+inline:[^|]+",
		     &tag, NULL, &suite, NULL, &key))
		return EBADMSG;

	for (i = 0; i < ARRAY_SIZE(suites); i++) {
		if (0 == pl_strcmp(&suite, suites[i].name))
			break;
	}
	if (i == ARRAY_SIZE(suites))
		return ENOTSUP;

	while (key.l && (key.p[key.l - 1] == ' ' || key.p[key.l - 1] == '\r'))
		--key.l;
	if (key.l >= sizeof(b64) || pl_strcpy(&key, b64, sizeof(b64)))
		return EBADMSG;

	if (base64_decode(b64, key.l, raw, &len) || len != suites[i].len)
		return EBADMSG;

	memcpy(k->key, raw, len);
	k->suite = suites[i].suite;
	k->len = len;

	return 0;
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
	size_t i;

	if (!k)
		return EINVAL;

	for (i = 0; i < ARRAY_SIZE(suites); i++) {
		if (suites[i].suite == suite)
			break;
	}
	if (i == ARRAY_SIZE(suites))
		return ENOTSUP;

	if (1 != RAND_bytes(k->key, (int)suites[i].len))
		return EIO;

	k->suite = suite;
	k->len = suites[i].len;

	return 0;
}


/**
 * Print a key as an a=crypto value after its tag: "<suite> inline:<key>"
 *
 * @param pf Print handler
 * @param k  The key
 *
 * @return 0 if success, otherwise errorcode
 */
int sdes_encode(struct re_printf *pf, const struct sdes_key *k)
{
	char b64[80];
	size_t n = sizeof(b64);
	const char *name = NULL;

	if (!pf || !k)
		return EINVAL;

	for (size_t i = 0; i < ARRAY_SIZE(suites); i++) {
		if (suites[i].suite == k->suite && suites[i].len == k->len)
			name = suites[i].name;
	}
	if (!name || base64_encode(k->key, k->len, b64, &n))
		return EINVAL;

	return re_hprintf(pf, "%s inline:%b", name, b64, n);
}
