/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file outnum.h  The number of a call out: the toll-fraud guard and the
 *                 route, for UM's INVITEs and the transfers the edge makes
 */
#ifndef UMEDGE_OUTNUM_H
#define UMEDGE_OUTNUM_H

struct b2b;
struct hset;

/** Why a call out is refused */
struct outnum_refusal {
	uint16_t scode;       /**< Status code                    */
	const char *reason;   /**< Reason phrase                  */
	const char *why;      /**< For the log, Warning and CDR   */
};

struct hset *outnum_route(struct b2b *b2b, const struct sip_msg *msg,
			  const struct uri *uri, char *num, size_t sz,
			  struct outnum_refusal *r);

#endif
