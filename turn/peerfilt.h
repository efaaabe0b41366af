/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file peerfilt.h  TURN peer filtering: which peers an allocation may
 *                   reach (docs/turn.md, "Peer filtering")
 */
#ifndef UMEDGE_PEERFILT_H
#define UMEDGE_PEERFILT_H

struct cfg;
struct peerfilt;

/** Why a peer is refused; PEERFILT_ALLOW if it is not */
enum peerfilt_verdict {
	PEERFILT_ALLOW = 0,    /**< A permitted peer                     */
	PEERFILT_FAMILY,       /**< Neither IPv4 nor IPv6                */
	PEERFILT_EMBEDDED,     /**< IPv4-compatible, IPv4-translated,
				    Teredo or local-use NAT64            */
	PEERFILT_UNSPEC,       /**< 0.0.0.0/8, ::                        */
	PEERFILT_LOOPBACK,     /**< 127.0.0.0/8, ::1                     */
	PEERFILT_LINKLOCAL,    /**< 169.254.0.0/16, fe80::/10            */
	PEERFILT_MULTICAST,    /**< 224.0.0.0/4, ff00::/8                */
	PEERFILT_BROADCAST,    /**< 255.255.255.255, subnet broadcasts   */
	PEERFILT_RESERVED,     /**< 240.0.0.0/4                          */
	PEERFILT_OWN,          /**< One of the edge's own addresses      */
	PEERFILT_DENIED,       /**< In turn_denied_peer                  */
	PEERFILT_INTERNAL,     /**< Inside, and not in turn_allowed_peer */
	PEERFILT_N             /**< How many verdicts                    */
};

int  peerfilt_alloc(struct peerfilt **pfp, const struct cfg *cfg);
int  peerfilt_add_host(struct peerfilt *pf, const struct sa *addr,
		       unsigned bits, bool internal);
enum peerfilt_verdict peerfilt_check(const struct peerfilt *pf,
				     const struct sa *peer);
const char *peerfilt_reason(enum peerfilt_verdict v);
const char *peerfilt_rule(enum peerfilt_verdict v);

#endif
