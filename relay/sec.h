/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sec.h  Media security of a stream, per side: what each peer
 *              speaks (RTP or SDES-SRTP), its key, and the relay's own
 *              key toward it. Keys never cross from one side to the
 *              other: SRTP ends on the edge.
 */
#ifndef UMEDGE_SEC_H
#define UMEDGE_SEC_H

#include "sdes.h"

struct sdprw_stream;
struct sdprw_media;
struct worker_sdp;

enum {
	SEC_OFFER_MAX = 6,    /**< Our a=crypto lines in one offer   */
	SEC_PROTO_MAX = 32,   /**< Longest transport kept            */
};

/** The media security asked for in one offer */
struct sec_policy {
	enum relay_sec snd;              /**< The sender's side        */
	enum relay_sec rcv;              /**< The receiver's side      */
	enum relay_fb fb;                /**< Profile toward receiver  */
	const struct relay_sdes *sdes;   /**< SDES toward the receiver */
};

/** One of our keys in an offer, waiting for the answer to pick it */
struct sec_offered {
	uint32_t tag;            /**< Tag of its a=crypto line   */
	struct sdes_key key;     /**< The key                    */
};

/** One side of a stream: faces one peer */
struct sec_side {
	bool opaque;                  /**< Not RTP the relay keys (DTLS,
					   UDPTL...): passed as it is   */
	bool srtp;                    /**< The peer speaks SDES-SRTP    */
	char proto[SEC_PROTO_MAX];    /**< Transport the peer offered   */
	struct sdes_line rx;          /**< Its key, from its SDP        */
	bool has_tx;                  /**< It gets SRTP under our key.. */
	uint32_t tx_tag;              /**< ...of this a=crypto tag...   */
	struct sdes_key tx;           /**< ...this one                  */
	struct sec_offered offered[SEC_OFFER_MAX]; /**< Ours offered   */
	size_t offeredc;              /**< How many                     */
	bool pad;                     /**< Our keys keep base64 padding */
	char line[SEC_OFFER_MAX][SDES_LINE_MAX]; /**< a=crypto values
					   written toward the peer      */
	bool rekey;                   /**< Made again without its keys:
					   SRTP of suite tx.suite, shut
					   until re-keyed (rekey.c)     */
};

int  sec_offer(struct sec_side *snd, struct sec_side *rcv,
	       const struct sdprw_stream *md, const struct sec_policy *p,
	       struct sdprw_media *m, const char **why);
int  sec_answer(struct sec_side *ans, struct sec_side *off,
		const struct sdprw_stream *md, enum relay_sec pol,
		struct sdprw_media *m, const char **why);
const char *sec_rekey_offer(struct sec_side *side);
int  sec_rekey_answer(struct sec_side *side, const struct sdprw_stream *md);
void sec_worker(const struct sec_side *side, struct worker_sdp *ws);
int  sec_print(struct re_printf *pf, const struct sec_side *side);

#endif
