/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file hep.h  HEP v3 (Homer's encapsulation) of SIP, to a collector
 *              over UDP
 */
#ifndef UMEDGE_HEP_H
#define UMEDGE_HEP_H

struct cfg;
struct hep;

/** HEP protocol types (chunk 11) */
enum hep_ptype {
	HEP_SIP = 1,
};

/** One captured packet */
struct hep_pkt {
	uint8_t ipproto;          /**< 17 UDP, 6 TCP (TLS: cleartext)    */
	const struct sa *src;     /**< Its source                       */
	const struct sa *dst;     /**< Its destination                  */
	uint32_t tv_sec;          /**< Capture time, seconds            */
	uint32_t tv_usec;         /**< ... and microseconds             */
	enum hep_ptype ptype;     /**< What the payload is              */
	uint32_t capid;           /**< Capture agent id                 */
	const char *key;          /**< Authentication key, NULL: none   */
	struct pl corr;           /**< Correlation id, unset: none      */
	const uint8_t *payload;   /**< The packet                       */
	size_t len;               /**< Its length                       */
};

int  hep_encode(struct mbuf *mb, const struct hep_pkt *pkt);
int  hep_alloc(struct hep **hp, const struct cfg *cfg);
void hep_sip(struct hep *hep, enum sip_transp tp, const struct sa *src,
	     const struct sa *dst, const uint8_t *p, size_t n,
	     const struct pl *corr);
uint64_t hep_sent(const struct hep *hep);
uint64_t hep_dropped(const struct hep *hep);

#endif
