/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sdes.h  SDES keys (RFC 4568 a=crypto): the peer's, read from its
 *               SDP, and the relay's own, made and written for a leg
 */
#ifndef UMEDGE_SDES_H
#define UMEDGE_SDES_H

/* needs re.h (re_srtp.h has no include guard) */

enum {
	SDES_KEY_MAX  = 46,   /**< Longest master key and salt (bytes) */
	SDES_LINE_MAX = 112,  /**< Longest a=crypto value we write     */
};

/** A master key and salt for one suite */
struct sdes_key {
	enum srtp_suite suite;           /**< Crypto suite           */
	uint8_t key[SDES_KEY_MAX];       /**< Master key and salt    */
	size_t len;                      /**< Their length           */
};

/** One a=crypto line, as a peer wrote it */
struct sdes_line {
	uint32_t tag;          /**< Its tag (answers echo it)            */
	struct sdes_key key;   /**< Suite and key                        */
	uint64_t lifetime;     /**< Packets the key may protect, 0: the
				    suite's own maximum                  */
	bool mki;              /**< It carries an MKI (not supported)    */
};

int  sdes_parse(struct sdes_line *ln, const struct pl *crypto);
int  sdes_keygen(struct sdes_key *k, enum srtp_suite suite);
int  sdes_print(char *buf, size_t sz, uint32_t tag, const struct sdes_key *k,
		bool pad);
uint32_t sdes_bit(enum srtp_suite suite);
uint32_t sdes_bit_find(const struct pl *name);
bool sdes_suite_at(unsigned i, enum srtp_suite *suitep);
bool sdes_aead(enum srtp_suite suite);
const char *sdes_suite_name(enum srtp_suite suite);

#endif
