/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file kern.h  Kernel fast path: conntrack NAT entries for latched flows
 *
 * A flow is one media 5-tuple pair: the peer of side A sends to our
 * socket A, and what it sends leaves our socket B for the peer of side
 * B, and back. kern_add() installs it as one conntrack entry with
 * DNAT to peer B and SNAT to our socket B, so that the kernel forwards
 * both directions without waking userspace (design-notes §3).
 *
 * A kern handle is a netlink socket; it is used by one thread only.
 */
#ifndef UMEDGE_KERN_H
#define UMEDGE_KERN_H

struct kern;

/** One forwarded flow, as the kernel entry sees it */
struct kern_flow {
	struct sa peer_a;    /**< Side A's peer (latched source)    */
	struct sa local_a;   /**< Our socket it sends to            */
	struct sa local_b;   /**< Our socket toward side B          */
	struct sa peer_b;    /**< Side B's peer (latched source)    */
};

/** Accounting of an entry: [0] A to B, [1] B to A */
struct kern_count {
	uint64_t packets[2];   /**< Packets forwarded               */
	uint64_t bytes[2];     /**< UDP payload bytes               */
};

int  kern_alloc(struct kern **kp);
int  kern_add(struct kern *k, const struct kern_flow *f,
	      uint32_t timeout_s);
int  kern_get(struct kern *k, const struct kern_flow *f,
	      struct kern_count *cnt);
int  kern_del(struct kern *k, const struct kern_flow *f,
	      struct kern_count *cnt);
bool kern_flow_valid(const struct kern_flow *f);
bool kern_ready(const struct kern *k, int af);
int  kern_prepare(int af);

#endif
