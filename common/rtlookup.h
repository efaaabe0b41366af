/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file rtlookup.h  Route lookups: the device a datagram leaves by
 */
#ifndef UMEDGE_RTLOOKUP_H
#define UMEDGE_RTLOOKUP_H

struct rtlookup;

int rtlookup_alloc(struct rtlookup **rlp);
int rtlookup_egress(struct rtlookup *rl, const struct sa *src,
		    const struct sa *dst, int *ifindex, uint32_t *mtu);
int rtlookup_mtu(const char *name, uint32_t *mtu);

#endif
