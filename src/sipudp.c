/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipudp.c  One SIP socket over UDP, umedge's own
 *
 * libre 1.1.0 keeps its UDP transports in one list it can only flush
 * whole, and a message it received holds its socket, so one listener
 * cannot be closed alone (docs/design/stream-transport.md). Here the
 * socket is umedge's: a reload closes it, and what still refers to it
 * (a transaction's request) sends nothing more (ENOTCONN).
 *
 * A datagram that is not SIP (STUN, a keep-alive) is dropped. The rest
 * is decoded as sipdec.c reads SIP, whole up to 64 KiB; a request that
 * does not decode is answered (505, 416, 400) when its source may have
 * an answer (the gate's gateways outside), a response that does not
 * decode is dropped. Responses that answered a request in RFC 2543
 * syntax lose the branch umedge gave it on their way out.
 */
#include <re.h>
#define DEBUG_MODULE "sipudp"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "gate.h"
#include "sip2543.h"
#include "sipconn.h"
#include "sipdec.h"
#include "sipudp.h"


enum {
	RX_SIZE  = 65536,      /**< Largest datagram read whole      */
	BUF_SIZE = 1048576,    /**< Socket buffers: a burst of calls */
};

/** An own UDP socket */
struct sipudp {
	struct udp_sock *us;          /**< The socket, NULL once closed */
	struct sa laddr;              /**< Its address                  */
	struct sipudp_prm prm;        /**< Settings                     */
	sipudp_msg_h *msgh;           /**< Message handler              */
	void *arg;                    /**< Its argument                 */
	uint64_t answered;            /**< Requests answered here       */
};


static void sipudp_destructor(void *data)
{
	struct sipudp *su = data;

	mem_deref(su->us);
}


static void trace(const struct sipudp *su, bool tx, const struct sa *src,
		  const struct sa *dst, const struct mbuf *mb)
{
	const struct sipconn_prm *c = su->prm.conn;

	if (c && c->traceh)
		c->traceh(tx, SIP_TRANSP_UDP, src, dst, mbuf_buf(mb),
			  mbuf_get_left(mb), c->trace_arg);
}


/* A request that does not decode: answered if its source may have one */
static void undecodable(struct sipudp *su, const struct sa *src,
			const struct mbuf *mb)
{
	const bool trusted = !su->prm.gate ||
		gate_trusted(su->prm.gate, false, src);
	const char *allow = su->prm.conn ? su->prm.conn->allow : NULL;
	struct mbuf *out = NULL;

	if (sipdec_answer(&out, mb, 0, NULL, allow))
		return;                  /* a response: dropped */

	if (trusted && !sipudp_send(su, src, out))
		++su->answered;

	mem_deref(out);
	if (!su->prm.gate || gate_log(su->prm.gate))
		DEBUG_INFO("%J: undecodable request: %s\n", src,
			   trusted ? "answered" : "dropped (untrusted source)");
}


/* A datagram copied to a buffer of its size: the message and what keeps
 * it (a transaction, 32 s) do not hold a 64 KiB receive buffer */
static struct mbuf *compact(const struct mbuf *mb)
{
	struct mbuf *cp = mbuf_alloc(mbuf_get_left(mb) + 64);

	if (!cp)
		return NULL;

	(void)mbuf_write_mem(cp, mbuf_buf(mb), mbuf_get_left(mb));
	cp->pos = 0;

	return cp;
}


/**
 * Decode a message as this socket reads one it received
 *
 * @param msgp Pointer to the message: its src, dst, tp and sock (the
 *             socket, referenced) set
 * @param su   Socket
 * @param src  Where it came from
 * @param mb   The datagram, from its position (copied)
 *
 * @return 0 if success, otherwise errorcode (ENOMEM, or the decoder's)
 */
int sipudp_decode(struct sip_msg **msgp, struct sipudp *su,
		  const struct sa *src, const struct mbuf *mb)
{
	struct sip_msg *msg = NULL;
	struct mbuf *cp;
	int err;

	if (!msgp || !su || !src || !mb)
		return EINVAL;

	cp = compact(mb);
	if (!cp)
		return ENOMEM;

	err = sipdec_decode(&msg, cp, src);
	if (err) {
		mem_deref(cp);
		return err;
	}

	mem_deref(cp);                  /* the message has it */

	msg->src = *src;
	msg->dst = su->laddr;
	msg->tp = SIP_TRANSP_UDP;
	msg->sock = mem_ref(su);
	*msgp = msg;

	return 0;
}


static void recv_handler(const struct sa *src, struct mbuf *mb, void *arg)
{
	struct sipudp *su = arg;
	struct sip_msg *msg = NULL;
	int err;

	if (!sipdec_is_sip(mb))
		return;

	trace(su, false, src, &su->laddr, mb);
	err = sipudp_decode(&msg, su, src, mb);
	if (err == ENOMEM)
		return;
	if (err) {
		undecodable(su, src, mb);
		return;
	}

	if (su->msgh)
		su->msgh(su, msg, su->arg);

	mem_deref(msg);
}


/**
 * Open a SIP socket over UDP
 *
 * @param sup   Pointer to the socket
 * @param laddr Where (port 0: any)
 * @param prm   Settings (copied; what they point at must outlive it)
 * @param msgh  Message handler
 * @param arg   Its argument
 *
 * @return 0 if success, otherwise errorcode
 */
int sipudp_alloc(struct sipudp **sup, const struct sa *laddr,
		 const struct sipudp_prm *prm, sipudp_msg_h *msgh,
		 void *arg)
{
	struct sipudp *su;
	int err;

	if (!sup || !laddr || !prm || !msgh)
		return EINVAL;

	su = mem_zalloc(sizeof(*su), sipudp_destructor);
	if (!su)
		return ENOMEM;

	su->prm = *prm;
	su->msgh = msgh;
	su->arg = arg;
	err = udp_listen(&su->us, laddr, recv_handler, su);
	if (!err)
		err = udp_local_get(su->us, &su->laddr);
	if (err) {
		mem_deref(su);
		return err;
	}

	udp_rxsz_set(su->us, RX_SIZE);
	(void)udp_sockbuf_set(su->us, BUF_SIZE);
	*sup = su;

	return 0;
}


/**
 * Send a message
 *
 * @param su  Socket
 * @param dst Destination
 * @param mb  The message, from its position
 *
 * @return 0 if success, otherwise errorcode (ENOTCONN: closed)
 */
int sipudp_send(struct sipudp *su, const struct sa *dst, struct mbuf *mb)
{
	if (!su || !dst || !mb)
		return EINVAL;

	if (!su->us)
		return ENOTCONN;

	(void)sip2543_strip(mb);
	trace(su, true, &su->laddr, dst, mb);

	return udp_send(su->us, dst, mb);
}


/**
 * Close the socket (a reload removed its listener): nothing more is
 * received or sent; what refers to it may still free it later
 *
 * @param su Socket
 */
void sipudp_close(struct sipudp *su)
{
	if (!su)
		return;

	su->us = mem_deref(su->us);
	su->msgh = NULL;
}


/** @return true until the socket is closed */
bool sipudp_open(const struct sipudp *su)
{
	return su && su->us;
}


/** @return the socket's address */
const struct sa *sipudp_laddr(const struct sipudp *su)
{
	return su ? &su->laddr : NULL;
}


/** @return the requests answered here */
uint64_t sipudp_answered(const struct sipudp *su)
{
	return su ? su->answered : 0;
}
