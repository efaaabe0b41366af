/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file prack.h  Reliable provisional responses (RFC 3262), per leg
 *
 * On the caller's leg umedge is the UAS: its 1xx go reliably (Require:
 * 100rel, RSeq) when the caller requires or supports 100rel, one at a
 * time, retransmitted until a PRACK matches, and a 2xx waits for the
 * PRACK of a 1xx that carried SDP. On the callee's leg it is the UAC:
 * a reliable 1xx is PRACKed once, in RSeq order.
 */
#ifndef UMEDGE_PRACK_H
#define UMEDGE_PRACK_H

struct leg;
struct prack;

enum {
	PRACK_RSEQ_MAX = 0x7fffffff,   /**< Highest RSeq (2^31 - 1)     */
	PRACK_QUEUE_MAX = 8,           /**< 1xx waiting for a PRACK     */
};

/**
 * The caller's leg gave up on umedge: no PRACK came for a reliable 1xx
 * within 64*T1
 *
 * @param leg The leg
 * @param arg Handler argument
 */
typedef void (prack_fail_h)(struct leg *leg, void *arg);

/** What umedge does with a received 1xx (UAC) */
enum prack_verdict {
	PRACK_RELAY = 0,   /**< New: relay it                            */
	PRACK_REPEAT,      /**< A retransmission: PRACKed already, drop  */
	PRACK_GAP,         /**< Out of order: drop, wait for the others  */
};

/* pure parts */
int  prack_rseq_decode(const struct pl *val, uint32_t *rseq);
int  prack_rack_decode(const struct pl *val, uint32_t *rseq,
		       uint32_t *cseq, struct pl *met);
enum prack_verdict prack_rseq_order(bool *seen, uint32_t *last,
				    uint32_t rseq);

/* UAS: the caller's leg */
int  prack_accept(struct prack **relp, struct leg *leg,
		  const struct sip_msg *invite, bool enabled,
		  prack_fail_h *failh, void *arg);
bool prack_reliable(const struct prack *rel);
int  prack_reply(struct prack *rel, struct leg *leg, uint16_t scode,
		 const char *reason, const char *hdrs,
		 const struct mbuf *sdp);
void prack_recv(struct prack *rel, struct leg *leg,
		const struct sip_msg *msg);

/* UAC: the callee's leg */
enum prack_verdict prack_1xx(struct prack **relp, struct leg *leg,
			     const struct sip_msg *msg);

#endif
