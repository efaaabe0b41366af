/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipconn.c  One SIP connection over TCP or TLS, umedge's own
 *
 * libre 1.1.0 closes a stream connection on the first message it
 * cannot decode, and stalls it on some (docs/design/stream-transport.md).
 * Here the connection is umedge's: bytes are framed by Content-Length
 * (sipframe.c) before anything decodes them, then decoded as sipdec.c
 * reads SIP. A request that still does not decode is answered on the
 * connection, which goes on with the next message.
 *
 * What cannot be framed (too large: 513; no usable Content-Length:
 * 400) is answered, then the connection is closed: the edge stops
 * writing, waits linger_ms for the peer to read and close, and closes.
 *
 * Timers, one at a time: from accept to the first whole message
 * (first_ms, the TLS handshake included); while a message is begun,
 * until it is whole (msg_ms: slow-loris); otherwise idle (idle_ms).
 * A CRLF keep-alive counts as traffic, a CRLFCRLF ping is answered.
 */
#include <string.h>
#include <sys/socket.h>
#include <re.h>
#include "sipdec.h"
#include "sipframe.h"
#include "sipconn.h"


enum {
	PENDING_MAX = 64,     /**< Messages queued before it is up */
};

/** A stream connection */
struct sipconn {
	struct tcp_conn *tc;          /**< The TCP connection          */
	struct tls_conn *tlsc;        /**< TLS on it, or NULL          */
	struct sipframe *sf;          /**< Framing of what comes       */
	struct tmr tmr;               /**< The one timer running       */
	struct sa peer;               /**< Remote address              */
	struct sa laddr;              /**< Local address               */
	const struct sipconn_prm *prm;/**< Limits and timers           */
	struct list pending;          /**< Sent before it was up       */
	bool tls;                     /**< Over TLS                    */
	bool active;                  /**< We opened it                */
	bool estab;                   /**< Up (TLS: handshake done)    */
	bool got;                     /**< A whole message came        */
	bool closing;                 /**< Nothing more is read        */
	uint64_t answered;            /**< Requests answered here      */
	sipconn_msg_h *msgh;          /**< Message handler             */
	sipconn_close_h *closeh;      /**< Close handler               */
	void *arg;                    /**< Handlers' argument          */
};


/** A message sent before the connection was up */
struct pend {
	struct le le;         /**< Member of pending  */
	struct mbuf *mb;      /**< The message        */
};


static void pend_destructor(void *data)
{
	struct pend *p = data;

	list_unlink(&p->le);
	mem_deref(p->mb);
}


static struct pend *pend_alloc(size_t size)
{
	struct pend *p = mem_zalloc(sizeof(*p), pend_destructor);

	if (!p)
		return NULL;

	p->mb = mbuf_alloc(size);
	if (!p->mb)
		return mem_deref(p);

	return p;
}


static void sipconn_destructor(void *data)
{
	struct sipconn *sc = data;

	tmr_cancel(&sc->tmr);
	list_flush(&sc->pending);
	mem_deref(sc->sf);
	mem_deref(sc->tlsc);   /* its close_notify first */
	mem_deref(sc->tc);
}


/* Stop: no more events, the socket closed (a message that holds the
 * connection sends nothing more on it); the owner hears of it once */
static void conn_end(struct sipconn *sc, int err)
{
	sipconn_close_h *closeh = sc->closeh;

	tmr_cancel(&sc->tmr);
	sc->closeh = NULL;
	sc->msgh = NULL;
	sc->closing = true;
	sc->tlsc = mem_deref(sc->tlsc);
	sc->tc = mem_deref(sc->tc);
	if (closeh)
		closeh(sc, err, sc->arg);
}


static void timeout_handler(void *arg)
{
	struct sipconn *sc = arg;

	conn_end(sc, sc->closing ? 0 : ETIMEDOUT);
}


/* The timer that applies now */
static void timer_set(struct sipconn *sc)
{
	uint32_t ms;

	if (sc->closing)
		return;

	if (sipframe_started(sc->sf))
		ms = sc->prm->msg_ms;
	else if (!sc->got)
		ms = sc->prm->first_ms;
	else
		ms = sc->prm->idle_ms;

	tmr_start(&sc->tmr, ms, timeout_handler, sc);
}


/* The queue is empty after the last answer: stop writing, let the peer
 * read it and close, then close */
static void drained_handler(void *arg)
{
	struct sipconn *sc = arg;
	int fd = tcp_conn_fd(sc->tc);

	(void)tcp_set_send(sc->tc, NULL);
	if (!sc->tlsc && fd >= 0)
		(void)shutdown(fd, SHUT_WR);

	tmr_start(&sc->tmr, sc->prm->linger_ms, timeout_handler, sc);
}


static void close_after_send(struct sipconn *sc)
{
	sc->closing = true;
	tmr_cancel(&sc->tmr);
	if (tcp_set_send(sc->tc, drained_handler))
		conn_end(sc, 0);
}


/**
 * Send a message on the connection
 *
 * @param sc Connection
 * @param mb Message, from its pos
 *
 * @return 0 if success, otherwise errorcode (ENOSPC: the send queue is
 *         full)
 */
int sipconn_send(struct sipconn *sc, struct mbuf *mb)
{
	struct pend *copy;

	if (!sc || !mb)
		return EINVAL;

	if (!sc->tc)
		return ENOTCONN;

	if (sc->prm->traceh)
		sc->prm->traceh(true, sipconn_tp(sc), &sc->laddr, &sc->peer,
				mbuf_buf(mb), mbuf_get_left(mb),
				sc->prm->trace_arg);

	if (sc->estab)
		return tcp_send(sc->tc, mb);

	if (list_count(&sc->pending) >= PENDING_MAX)
		return ENOSPC;

	copy = pend_alloc(mbuf_get_left(mb));
	if (!copy)
		return ENOMEM;

	(void)mbuf_write_mem(copy->mb, mbuf_buf(mb), mbuf_get_left(mb));
	copy->mb->pos = 0;
	list_append(&sc->pending, &copy->le, copy);

	return 0;
}


/* Answer a request that is not taken, from its lines as they came */
static void answer(struct sipconn *sc, const struct mbuf *mb,
		   uint16_t scode, const char *reason)
{
	struct mbuf *out = NULL;

	if (sipdec_answer(&out, mb, scode, reason, sc->prm->allow))
		return;

	if (!sipconn_send(sc, out))
		++sc->answered;

	mem_deref(out);
}


static void msg_take(struct sipconn *sc, struct mbuf *mb)
{
	struct sip_msg *msg = NULL;

	sc->got = true;
	if (sc->prm->traceh)
		sc->prm->traceh(false, sipconn_tp(sc), &sc->peer, &sc->laddr,
				mbuf_buf(mb), mbuf_get_left(mb),
				sc->prm->trace_arg);
	if (sipdec_decode(&msg, mb, &sc->peer)) {
		mb->pos = 0;
		answer(sc, mb, 0, NULL);
		return;
	}

	msg->src = sc->peer;
	msg->dst = sc->laddr;
	msg->tp = sc->tls ? SIP_TRANSP_TLS : SIP_TRANSP_TCP;
	msg->sock = mem_ref(sc);

	if (sc->msgh)
		sc->msgh(sc, msg, sc->arg);

	mem_deref(msg);
}


static void frame_handler(enum sipframe_ev ev, struct mbuf *mb,
			  uint16_t scode, void *arg)
{
	struct sipconn *sc = arg;
	uint8_t crlf[2] = {'\r', '\n'};
	struct mbuf pong = {crlf, sizeof(crlf), 0, sizeof(crlf)};

	switch (ev) {

	case SIPFRAME_MSG:
		msg_take(sc, mb);
		break;

	case SIPFRAME_PONG:
		(void)sipconn_send(sc, &pong);
		break;

	case SIPFRAME_FAIL:
		answer(sc, mb, scode, scode == 513 ? "Message Too Large" :
		       "Bad Request");
		break;
	}
}


static void recv_handler(struct mbuf *mb, void *arg)
{
	struct sipconn *sc = arg;

	if (sc->closing)
		return;

	mem_ref(sc);
	(void)sipframe_input(sc->sf, mbuf_buf(mb), mbuf_get_left(mb));
	if (sipframe_failed(sc->sf) && !sc->closing)
		close_after_send(sc);
	else
		timer_set(sc);
	mem_deref(sc);
}


/* Up (TLS: after the handshake): what was sent before goes now */
static void estab_handler(void *arg)
{
	struct sipconn *sc = arg;
	int err = 0;

	sc->estab = true;
	if (sc->active)
		(void)tcp_conn_local_get(sc->tc, &sc->laddr);

	while (sc->pending.head && !err) {
		struct pend *p = sc->pending.head->data;

		err = tcp_send(sc->tc, p->mb);
		mem_deref(p);
	}

	if (err)
		conn_end(sc, err);
}


static void close_handler(int err, void *arg)
{
	conn_end(arg, err);
}


/* What both ends of a connection start with */
static int conn_alloc(struct sipconn **scp, const struct sa *peer,
		      struct tls *tls, const struct sipconn_prm *prm,
		      sipconn_msg_h *msgh, sipconn_close_h *closeh, void *arg)
{
	struct sipconn *sc;
	int err;

	sc = mem_zalloc(sizeof(*sc), sipconn_destructor);
	if (!sc)
		return ENOMEM;

	sc->peer = *peer;
	sc->tls = tls != NULL;
	sc->prm = prm;
	sc->msgh = msgh;
	sc->closeh = closeh;
	sc->arg = arg;

	err = sipframe_alloc(&sc->sf, prm->max_msg, frame_handler, sc);
	if (err)
		mem_deref(sc);
	else
		*scp = sc;

	return err;
}


/* Its socket is there: the send queue's size, the first timer */
static void conn_started(struct sipconn *sc, struct sipconn **scp)
{
	tcp_conn_txqsz_set(sc->tc, 2 * sc->prm->max_msg);
	timer_set(sc);
	*scp = sc;
}


/**
 * Take a connection a listener has: accept it, with TLS on it if tls
 * is given
 *
 * @param scp    Pointer to allocated connection
 * @param ts     The listener, in its connect handler
 * @param peer   Remote address
 * @param tls    TLS context, or NULL for TCP
 * @param prm    Limits and timers (kept: must outlive the connection)
 * @param msgh   Message handler
 * @param closeh Close handler
 * @param arg    Handlers' argument
 *
 * @return 0 if success, otherwise errorcode (the caller rejects then)
 */
int sipconn_accept(struct sipconn **scp, struct tcp_sock *ts,
		   const struct sa *peer, struct tls *tls,
		   const struct sipconn_prm *prm, sipconn_msg_h *msgh,
		   sipconn_close_h *closeh, void *arg)
{
	struct sipconn *sc;
	int err;

	if (!scp || !ts || !peer || !prm || !prm->allow)
		return EINVAL;

	err = conn_alloc(&sc, peer, tls, prm, msgh, closeh, arg);
	if (err)
		return err;

	err = tcp_accept(&sc->tc, ts, estab_handler, recv_handler,
			 close_handler, sc);
	if (!err && tls)
		err = tls_start_tcp(&sc->tlsc, tls, sc->tc, 0);
	if (!err)
		err = tcp_conn_local_get(sc->tc, &sc->laddr);
	if (err)
		goto out;

	sc->estab = !tls;
	conn_started(sc, scp);

 out:
	if (err)
		mem_deref(sc);

	return err;
}


/**
 * Open a connection to a peer, with TLS on it if tls is given; what is
 * sent before it is up waits for it
 *
 * @param scp    Pointer to allocated connection
 * @param peer   Remote address
 * @param local  Local address to bind (port 0: any), or NULL
 * @param tls    TLS context, or NULL for TCP
 * @param host   TLS: the name the peer's certificate must carry (also
 *               sent as SNI), or NULL to check only the chain
 * @param prm    Limits and timers (kept: must outlive the connection)
 * @param msgh   Message handler
 * @param closeh Close handler
 * @param arg    Handlers' argument
 *
 * @return 0 if success, otherwise errorcode
 */
int sipconn_connect(struct sipconn **scp, const struct sa *peer,
		    const struct sa *local, struct tls *tls, const char *host,
		    const struct sipconn_prm *prm, sipconn_msg_h *msgh,
		    sipconn_close_h *closeh, void *arg)
{
	struct sipconn *sc;
	int err;

	if (!scp || !peer || !prm || !prm->allow)
		return EINVAL;

	err = conn_alloc(&sc, peer, tls, prm, msgh, closeh, arg);
	if (err)
		return err;

	sc->active = true;
	err = local ? tcp_connect_bind(&sc->tc, peer, estab_handler,
				       recv_handler, close_handler, local, sc) :
		tcp_connect(&sc->tc, peer, estab_handler, recv_handler,
			    close_handler, sc);
	if (!err)     /* connect() has bound it: known before it is up */
		(void)tcp_conn_local_get(sc->tc, &sc->laddr);
	if (!err && tls)
		err = tls_start_tcp(&sc->tlsc, tls, sc->tc, 0);
	if (!err && tls && host)
		err = tls_set_verify_server(sc->tlsc, host);
	if (err)
		goto out;

	conn_started(sc, scp);

 out:
	if (err)
		mem_deref(sc);

	return err;
}


/** @return the remote address */
const struct sa *sipconn_peer(const struct sipconn *sc)
{
	return sc ? &sc->peer : NULL;
}


/** @return the local address */
const struct sa *sipconn_laddr(const struct sipconn *sc)
{
	return sc ? &sc->laddr : NULL;
}


/** @return true if we opened it */
bool sipconn_active(const struct sipconn *sc)
{
	return sc && sc->active;
}


/** @return true while it is open */
bool sipconn_open(const struct sipconn *sc)
{
	return sc && sc->tc;
}


/** @return SIP_TRANSP_TCP or SIP_TRANSP_TLS */
enum sip_transp sipconn_tp(const struct sipconn *sc)
{
	return sc && sc->tls ? SIP_TRANSP_TLS : SIP_TRANSP_TCP;
}


/** @return how many requests were answered here (undecodable ones) */
uint64_t sipconn_answered(const struct sipconn *sc)
{
	return sc ? sc->answered : 0;
}
