/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipconn.h  One SIP connection over TCP or TLS, umedge's own
 */
#ifndef UMEDGE_SIPCONN_H
#define UMEDGE_SIPCONN_H

/** A connection's limits and timers */
struct sipconn_prm {
	size_t max_msg;       /**< Largest message, headers and body     */
	uint32_t first_ms;    /**< Accept to the first whole message     */
	uint32_t msg_ms;      /**< A begun message must be whole within  */
	uint32_t idle_ms;     /**< Closed after this long without one    */
	uint32_t linger_ms;   /**< After the last answer, before closing */
	const char *allow;    /**< The Allow of a 405                    */
	sip_trace_h *traceh;  /**< Every message in and out, or NULL     */
	void *trace_arg;      /**< Its argument                          */
};

struct sipconn;
struct tls;

/**
 * A decoded message came; msg->src, dst, tp and sock (the connection,
 * referenced) are set
 */
typedef void (sipconn_msg_h)(struct sipconn *sc, const struct sip_msg *msg,
			     void *arg);

/** The connection is closed (err 0: by the peer); it may be freed */
typedef void (sipconn_close_h)(struct sipconn *sc, int err, void *arg);

int  sipconn_accept(struct sipconn **scp, struct tcp_sock *ts,
		    const struct sa *peer, struct tls *tls,
		    const struct sipconn_prm *prm, sipconn_msg_h *msgh,
		    sipconn_close_h *closeh, void *arg);
int  sipconn_connect(struct sipconn **scp, const struct sa *peer,
		     const struct sa *local, struct tls *tls, const char *host,
		     const struct sipconn_prm *prm, sipconn_msg_h *msgh,
		     sipconn_close_h *closeh, void *arg);
int  sipconn_send(struct sipconn *sc, struct mbuf *mb);
bool sipconn_active(const struct sipconn *sc);
bool sipconn_open(const struct sipconn *sc);
const struct sa *sipconn_peer(const struct sipconn *sc);
const struct sa *sipconn_laddr(const struct sipconn *sc);
enum sip_transp sipconn_tp(const struct sipconn *sc);
uint64_t sipconn_answered(const struct sipconn *sc);

#endif
