/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file inlim.h  Limits on the gateways' calls in: calls at once in
 *                total (sip_in_max_calls) and per gateway set
 *                (sip_gw_set max_calls=)
 *
 * A call holds a slot while it lasts; freeing the slot gives the call
 * back. A source belongs to the first set with a sip_gw of its address.
 */
#ifndef UMEDGE_INLIM_H
#define UMEDGE_INLIM_H

struct inlim;
struct cfg;

int  inlim_alloc(struct inlim **ilp);
int  inlim_take(struct inlim *il, const struct cfg *cfg,
		const struct sa *src, void **slotp, const char **whyp);
int  inlim_claim(struct inlim *il, const struct cfg *cfg,
		 const struct sa *src, void **slotp);
unsigned inlim_calls(const struct inlim *il);

#endif
