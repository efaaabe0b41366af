/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sippath.c  Where a transaction's messages go over umedge's own
 *                  transports
 *
 * A stream connection is its own path. Over UDP a message goes from
 * the socket to an address: a request to its next hop, a response to
 * where RFC 3261 §18.2.2 and RFC 3581 send it (the source address,
 * and the source port when the top Via has rport, else the Via's).
 * Transactions over UDP retransmit; over a stream they do not.
 */
#include <re.h>
#include "sipconn.h"
#include "sipudp.h"
#include "sippath.h"


/**
 * Set a path to a stream connection
 *
 * @param p  Path (reset first)
 * @param sc Connection (referenced)
 */
void sippath_conn(struct sippath *p, struct sipconn *sc)
{
	if (!p)
		return;

	sippath_reset(p);
	p->sc = mem_ref(sc);
}


/**
 * Set a path to an address over a UDP socket
 *
 * @param p   Path (reset first)
 * @param su  Socket (referenced)
 * @param dst Destination
 */
void sippath_udp(struct sippath *p, struct sipudp *su,
		 const struct sa *dst)
{
	if (!p || !dst)
		return;

	sippath_reset(p);
	p->su = mem_ref(su);
	p->dst = *dst;
}


/**
 * Copy a path, with references of its own
 *
 * @param p   Path (reset first)
 * @param src The path copied
 */
void sippath_copy(struct sippath *p, const struct sippath *src)
{
	if (!p || !src)
		return;

	if (src->su)
		sippath_udp(p, src->su, &src->dst);
	else
		sippath_conn(p, src->sc);
}


/**
 * Set a path to where the responses to a request go
 *
 * @param p   Path (reset first)
 * @param msg A request that came on an own transport
 *
 * @return 0 if success, otherwise errorcode
 */
int sippath_reply_to(struct sippath *p, const struct sip_msg *msg)
{
	struct pl rport;
	struct sa dst;

	if (!p || !msg || !msg->sock)
		return EINVAL;

	if (msg->tp != SIP_TRANSP_UDP) {
		sippath_conn(p, msg->sock);
		return 0;
	}

	sip_reply_addr(&dst, msg, !msg_param_exists(&msg->via.params,
						    "rport", &rport));
	sippath_udp(p, msg->sock, &dst);

	return 0;
}


/**
 * Let a path go: its references are dropped
 *
 * @param p Path
 */
void sippath_reset(struct sippath *p)
{
	if (!p)
		return;

	p->sc = mem_deref(p->sc);
	p->su = mem_deref(p->su);
}


/**
 * Send a message on a path
 *
 * @param p  Path
 * @param mb The message, from its position
 *
 * @return 0 if success, otherwise errorcode
 */
int sippath_send(const struct sippath *p, struct mbuf *mb)
{
	if (!p || !mb)
		return EINVAL;

	if (p->su)
		return sipudp_send(p->su, &p->dst, mb);

	return p->sc ? sipconn_send(p->sc, mb) : ENOTCONN;
}


/** @return true if the path is reliable (a stream, no retransmissions) */
bool sippath_reliable(const struct sippath *p)
{
	return !p || !p->su;
}
