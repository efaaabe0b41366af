/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file portpool.h  Media port pairs: RTP even, RTCP odd, chosen at
 *                   random from a range
 */
#ifndef UMEDGE_PORTPOOL_H
#define UMEDGE_PORTPOOL_H

struct portpool;

int      portpool_alloc(struct portpool **ppp, uint16_t min, uint16_t max);
int      portpool_take(struct portpool *pp, uint16_t *rtpp);
int      portpool_claim(struct portpool *pp, uint16_t rtp);
int      portpool_put(struct portpool *pp, uint16_t rtp);
uint32_t portpool_pairs(const struct portpool *pp);
uint32_t portpool_free(const struct portpool *pp);

#endif
