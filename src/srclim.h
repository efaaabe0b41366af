/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file srclim.h  Limits per inside source on UM's own calls: calls at
 *                 once and new calls per second
 *
 * Each source address has a count of its calls in progress and a token
 * bucket of sip_out_cps calls per second (burst as large). A call
 * holds a slot while it lasts; freeing the slot gives the call back.
 * Sources with no call and a full bucket are forgotten by a sweep.
 */
#ifndef UMEDGE_SRCLIM_H
#define UMEDGE_SRCLIM_H

struct srclim;

enum {
	SRCLIM_SOURCES_MAX = 4096,   /**< Sources tracked at most     */
	SRCLIM_IDLE_MS     = 10000,  /**< Sweep interval              */
};

int  srclim_alloc(struct srclim **slp);
int  srclim_take(struct srclim *sl, const struct sa *src, uint32_t max_calls,
		 uint32_t cps, uint64_t now_ms, void **slotp);
int  srclim_claim(struct srclim *sl, const struct sa *src, void **slotp);
unsigned srclim_calls(const struct srclim *sl, const struct sa *src);

#endif
