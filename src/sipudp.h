/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipudp.h  One SIP socket over UDP, umedge's own
 */
#ifndef UMEDGE_SIPUDP_H
#define UMEDGE_SIPUDP_H

struct sipudp;
struct sipconn_prm;
struct gate;

/** A socket's settings */
struct sipudp_prm {
	const struct sipconn_prm *conn; /**< The Allow of a 405 and the
					   trace handler (read when used) */
	struct gate *gate;             /**< Whose undecodable requests are
					   answered (the outside's
					   gateways), or NULL: everyone's */
};

/**
 * A decoded message came; msg->src, dst, tp and sock (the socket,
 * referenced) are set
 */
typedef void (sipudp_msg_h)(struct sipudp *su, const struct sip_msg *msg,
			    void *arg);

int  sipudp_alloc(struct sipudp **sup, const struct sa *laddr,
		  const struct sipudp_prm *prm, sipudp_msg_h *msgh,
		  void *arg);
int  sipudp_decode(struct sip_msg **msgp, struct sipudp *su,
		   const struct sa *src, const struct mbuf *mb);
int  sipudp_send(struct sipudp *su, const struct sa *dst, struct mbuf *mb);
void sipudp_close(struct sipudp *su);
bool sipudp_open(const struct sipudp *su);
const struct sa *sipudp_laddr(const struct sipudp *su);
uint64_t sipudp_answered(const struct sipudp *su);

#endif
