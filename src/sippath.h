/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sippath.h  Where a transaction's messages go over umedge's own
 *                  transports
 */
#ifndef UMEDGE_SIPPATH_H
#define UMEDGE_SIPPATH_H

struct sipconn;
struct sipudp;

/** An own stream connection, or an own UDP socket and an address */
struct sippath {
	struct sipconn *sc;     /**< The connection (referenced), or NULL */
	struct sipudp *su;      /**< The UDP socket (referenced), or NULL */
	struct sa dst;          /**< Over UDP: the destination            */
};

/** An empty path */
#define SIPPATH_INIT {NULL, NULL, {{{0}}, 0}}

void sippath_conn(struct sippath *p, struct sipconn *sc);
void sippath_udp(struct sippath *p, struct sipudp *su,
		 const struct sa *dst);
void sippath_copy(struct sippath *p, const struct sippath *src);
int  sippath_reply_to(struct sippath *p, const struct sip_msg *msg);
void sippath_reset(struct sippath *p);
int  sippath_send(const struct sippath *p, struct mbuf *mb);
bool sippath_reliable(const struct sippath *p);

#endif
