/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file rtwatch.h  Watching the kernel's routes, devices and addresses
 *                  change (rtnetlink multicast)
 */
#ifndef UMEDGE_RTWATCH_H
#define UMEDGE_RTWATCH_H

struct rtwatch;

/** What changed (a bit set) */
enum rtwatch_what {
	RTWATCH_ROUTE = 1 << 0,  /**< An IPv4 or IPv6 route              */
	RTWATCH_LINK  = 1 << 1,  /**< A device: state, MTU, added, gone  */
	RTWATCH_ADDR  = 1 << 2,  /**< An address added or removed        */
	RTWATCH_LOST  = 1 << 3,  /**< Events were lost: assume anything  */
};

/**
 * Something changed (main thread, once per burst of messages)
 *
 * @param what enum rtwatch_what bits
 * @param arg  Handler argument
 */
typedef void (rtwatch_h)(unsigned what, void *arg);

int rtwatch_alloc(struct rtwatch **rwp, rtwatch_h *h, void *arg);
unsigned rtwatch_classify(const void *buf, size_t len);

#endif
