/**
 * @file sdes.h  SDES keys (RFC 4568 a=crypto): the peer's, read from its
 *               SDP, and the relay's own, made and written for a leg
 */
#ifndef UMEDGE_SDES_H
#define UMEDGE_SDES_H

/* needs re.h (re_srtp.h has no include guard) */

enum {
	SDES_KEY_MAX = 46,    /**< Longest master key and salt (bytes) */
};

/** One a=crypto line's key */
struct sdes_key {
	enum srtp_suite suite;           /**< Crypto suite           */
	uint8_t key[SDES_KEY_MAX];       /**< Master key and salt    */
	size_t len;                      /**< Their length           */
};

int sdes_parse(struct sdes_key *k, const struct pl *crypto);
int sdes_keygen(struct sdes_key *k, enum srtp_suite suite);
int sdes_encode(struct re_printf *pf, const struct sdes_key *k);

#endif
