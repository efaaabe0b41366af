/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipudps.h  A side's own SIP sockets over UDP
 */
#ifndef UMEDGE_SIPUDPS_H
#define UMEDGE_SIPUDPS_H

struct sipudps;
struct sipudp;
struct sipudp_prm;

int  sipudps_alloc(struct sipudps **setp, const struct sipudp_prm *prm,
		   sipudp_msg_h *msgh, void *arg);
int  sipudps_make(struct sipudps *set, struct sipudp **sup,
		  const struct sa *laddr);
int  sipudps_add(struct sipudps *set, struct sipudp *su);
int  sipudps_remove(struct sipudps *set, const struct sa *laddr);
struct sipudp *sipudps_pick(const struct sipudps *set,
			    const struct sa *dst);
uint32_t sipudps_count(const struct sipudps *set);
uint64_t sipudps_answered(const struct sipudps *set);

#endif
