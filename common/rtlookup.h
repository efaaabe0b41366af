/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file rtlookup.h  Route lookups: the device a datagram leaves by
 */
#ifndef UMEDGE_RTLOOKUP_H
#define UMEDGE_RTLOOKUP_H

struct rtlookup;

/** Where a datagram leaves: the route's device and next hop */
struct rtlookup_route {
	int ifindex;           /**< The device                           */
	uint32_t mtu;          /**< Its MTU                              */
	struct sa nexthop;     /**< The gateway, or the peer if on-link  */
};

int rtlookup_alloc(struct rtlookup **rlp);
int rtlookup_egress(struct rtlookup *rl, const struct sa *src,
		    const struct sa *dst, struct rtlookup_route *rt);
int rtlookup_mtu(const char *name, uint32_t *mtu);
int rtlookup_answer(const void *buf, size_t len, uint32_t seq,
		    struct rtlookup_route *rt);

#endif
