/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file siptp.c  One side's SIP transport: umedge's own UDP sockets
 *                and stream connections, or libre's stack
 *
 * The B2BUA answers, keeps server transactions and sends requests
 * through here, never through libre's transport calls directly. With
 * own streams (sip_own_streams), TCP and TLS are umedge's: listeners
 * and connections (sipstream.c, sipconn.c); with own UDP (sip_own_udp)
 * UDP is: sockets (sipudps.c, sipudp.c). Over own transports the
 * responses (sipresp.c) and transactions (sipxs.c, sipxc.c) are
 * umedge's too; a message's transport says whose it is. What is not
 * own goes to libre's stack as before.
 *
 * A request on an own transport is shown to the first-look handler
 * (fenceh) before the transactions: what it takes (an untrusted
 * source's) never makes a response go again.
 *
 * Requests over own transports go to the route's or the Request-URI's
 * host (its maddr first). A name is resolved first with the B2BUA's
 * DNS client, as libre's sip_request() does for a known transport (RFC
 * 3263): without a port, SRV _sip._udp, _sip._tcp (_sips._tcp for TLS)
 * and the first target of the lowest priority; else, or with no SRV,
 * the name's A (AAAA when the listener is IPv6), port 5060 (5061 for
 * TLS) when none is given. The request waits on its siptp_req
 * meanwhile; a failed lookup reaches the owner's response handler. An
 * open connection we made to that address and transport is used again.
 */
#include <stdarg.h>
#include <string.h>
#include <re.h>
#define DEBUG_MODULE "siptp"
#define DEBUG_LEVEL 5
#include <re_dbg.h>
#include "umrand.h"
#include "sipconn.h"
#include "sippath.h"
#include "sipstream.h"
#include "sipudp.h"
#include "sipudps.h"
#include "sipxs.h"
#include "sipxc.h"
#include "jsonw.h"
#include "siptp.h"


/** A side's transport */
struct siptp {
	struct siptp_prm prm;         /**< Its parameters             */
	struct sipstream *ls[2];      /**< Own listeners: TCP, TLS    */
	struct sipudps *udp;          /**< Own UDP sockets            */
	struct list retired;          /**< struct oldls               */
	struct sipxs_table *xs;       /**< Own server transactions    */
	struct sipxc_table *xc;       /**< Own client transactions    */
	struct list out;              /**< struct outconn             */
	struct list pend;             /**< struct rslv, lookups pending */
	struct tls *tls;              /**< TLS context of the side    */
};

/** A connection we opened */
struct outconn {
	struct le le;                 /**< Member of siptp.out        */
	struct sipconn *sc;           /**< The connection             */
	struct siptp *tp;             /**< Its transport (not a ref)  */
	bool tls;                     /**< Over TLS                   */
};

/** A listener a reload removed, kept while its connections last */
struct oldls {
	struct le le;                 /**< Member of siptp.retired    */
	struct sipstream *ss;         /**< Not accepting any more     */
};

/** A server transaction: libre's or our own */
struct siptp_st {
	struct sip_strans *l;         /**< libre's, pending           */
	struct sipxs *o;              /**< Ours, pending              */
};

/** A request: libre's or our own */
struct siptp_req {
	struct sip_request *l;        /**< libre's, pending           */
	struct sipxc *o;              /**< Ours, pending              */
	struct siptp_req **reqp;      /**< The owner's pointer, or NULL */
	sip_resp_h *resph;            /**< The owner's handler        */
	void *arg;                    /**< Its argument               */
	bool done;                    /**< The final response came    */
	size_t sortkey;               /**< DNS sort key               */
	struct rslv *rs;              /**< While its next hop resolves */
};

/** A request waiting for its next hop's name to resolve */
struct rslv {
	struct le le;                 /**< Member of siptp.pend       */
	struct siptp *tp;             /**< Transport (not a ref)      */
	struct siptp_req *req;        /**< Its request (not a ref)    */
	struct dns_query *dq;         /**< Pending lookup             */
	char *met;                    /**< Method                     */
	char *uri;                    /**< Request-URI                */
	char *host;                   /**< Name being looked up       */
	struct mbuf *body;            /**< Owner's part (referenced)  */
	sip_send_h *sendh;            /**< Writes Contact, or NULL    */
	size_t sortkey;               /**< DNS sort key               */
	enum sip_transp t;            /**< Transport                  */
	uint16_t port;                /**< Port, 0 if the URI has none */
	bool stateful;                /**< With a client transaction  */
	bool cancel;                  /**< Cancel once sent           */
};

/** The next hop of a request over an own transport */
struct hop {
	enum sip_transp t;            /**< Transport                  */
	struct pl host;               /**< Host (maddr first)         */
	uint16_t port;                /**< Port, 0 if none given      */
};


static void siptp_destructor(void *data)
{
	struct siptp *tp = data;
	struct le *le;

	/* lookups end with the transport; a request left to itself too */
	while ((le = tp->pend.head)) {
		struct rslv *rs = le->data;
		struct siptp_req *req = rs->req;

		req->rs = mem_deref(rs);
		if (!req->reqp)
			mem_deref(req);
	}
	list_flush(&tp->out);
	list_flush(&tp->retired);
	for (int i = 0; i < 2; i++)
		mem_deref(tp->ls[i]);
	mem_deref(tp->udp);
	mem_deref(tp->xc);
	mem_deref(tp->xs);
	mem_deref(tp->tls);
}


/* A message on an own transport: the first look, the transactions,
 * then the B2BUA */
static void dispatch(struct siptp *tp, const struct sip_msg *msg)
{
	if (msg->req) {
		if (tp->prm.fenceh && tp->prm.fenceh(msg, tp->prm.arg))
			return;
		if (!sipxs_absorb(tp->xs, msg) && tp->prm.reqh)
			tp->prm.reqh(msg, tp->prm.arg);
		return;
	}

	if (!sipxc_response(tp->xc, msg) && tp->prm.resph)
		tp->prm.resph(msg, tp->prm.arg);
}


static void msg_handler(struct sipconn *sc, const struct sip_msg *msg,
			void *arg)
{
	(void)sc;

	dispatch(arg, msg);
}


static void udp_msg_handler(struct sipudp *su, const struct sip_msg *msg,
			    void *arg)
{
	(void)su;

	dispatch(arg, msg);
}


static int udp_set_alloc(struct siptp *tp)
{
	const struct sipudp_prm uprm = {&tp->prm.lim->conn, tp->prm.gate};

	return sipudps_alloc(&tp->udp, &uprm, udp_msg_handler, tp);
}


/**
 * Create a side's transport
 *
 * @param tpp Pointer to allocated transport
 * @param prm Parameters (copied; what they point at must outlive it)
 *
 * @return 0 if success, otherwise errorcode
 */
int siptp_alloc(struct siptp **tpp, const struct siptp_prm *prm)
{
	struct siptp *tp;
	int err;

	if (!tpp || !prm || !prm->sip ||
	    ((prm->own || prm->own_udp) && !prm->lim))
		return EINVAL;

	tp = mem_zalloc(sizeof(*tp), siptp_destructor);
	if (!tp)
		return ENOMEM;

	tp->prm = *prm;
	err = sipxs_table_alloc(&tp->xs, prm->server, 0);
	if (!err)
		err = sipxc_table_alloc(&tp->xc, 0);
	if (!err && prm->own_udp)
		err = udp_set_alloc(tp);

	if (err)
		mem_deref(tp);
	else
		*tpp = tp;

	return err;
}


/* the own streams' figures of a side */
static void counts(const struct siptp *tp, uint32_t *open_n,
		   uint64_t *refused)
{
	*open_n = 0;
	*refused = 0;
	for (int i = 0; i < 2; i++) {
		*open_n += sipstream_count(tp->ls[i]);
		*refused += sipstream_refused(tp->ls[i]);
	}

	for (struct le *le = tp->retired.head; le; le = le->next) {
		const struct oldls *o = le->data;

		*open_n += sipstream_count(o->ss);
		*refused += sipstream_refused(o->ss);
	}
}


/**
 * Print the own transports' figures: connections open and refused,
 * transactions, UDP sockets (nothing without own transports)
 *
 * @param pf Print handler
 * @param tp Transport
 *
 * @return 0 if success, otherwise errorcode
 */
int siptp_status(struct re_printf *pf, const struct siptp *tp)
{
	uint32_t open_n;
	uint64_t refused;

	if (!tp || (!tp->prm.own && !tp->prm.own_udp))
		return 0;

	counts(tp, &open_n, &refused);

	return re_hprintf(pf, "%u connections in, %u out, %llu refused, "
			  "%u server and %u client transactions, "
			  "%u UDP sockets",
			  open_n, list_count(&tp->out),
			  (unsigned long long)refused, sipxs_count(tp->xs),
			  sipxc_count(tp->xc), sipudps_count(tp->udp));
}


/**
 * Write a side's own transports as a JSON member (null when it uses
 * libre's only)
 *
 * @param w   JSON writer, inside an object
 * @param key Member name
 * @param tp  The side's transports
 */
void siptp_json(struct jsonw *w, const char *key, const struct siptp *tp)
{
	uint32_t open_n;
	uint64_t refused;

	if (!tp || (!tp->prm.own && !tp->prm.own_udp)) {
		jsonw_null(w, key);
		return;
	}

	counts(tp, &open_n, &refused);
	jsonw_obj(w, key);
	jsonw_u64(w, "connections_in", open_n);
	jsonw_u64(w, "connections_out", list_count(&tp->out));
	jsonw_u64(w, "refused", refused);
	jsonw_u64(w, "server_transactions", sipxs_count(tp->xs));
	jsonw_u64(w, "client_transactions", sipxc_count(tp->xc));
	jsonw_u64(w, "udp_sockets", sipudps_count(tp->udp));
	jsonw_close(w);
}


/** @return libre's stack of the side */
struct sip *siptp_sip(const struct siptp *tp)
{
	return tp ? tp->prm.sip : NULL;
}


/**
 * Whether a transport is umedge's own here
 *
 * @param tp Transport
 * @param t  SIP transport
 *
 * @return true for TCP and TLS with own streams, UDP with own UDP
 */
bool siptp_own(const struct siptp *tp, enum sip_transp t)
{
	if (!tp)
		return false;

	return t == SIP_TRANSP_UDP ? tp->prm.own_udp : tp->prm.own;
}


/**
 * Listen for SIP over an own stream
 *
 * @param tp    Transport (with own streams)
 * @param laddr Where
 * @param tls   The side's TLS context for TLS (referenced; also for the
 *              connections we open), NULL for TCP
 *
 * @return 0 if success, otherwise errorcode
 */
int siptp_listen(struct siptp *tp, const struct sa *laddr, struct tls *tls)
{
	struct sipstream *ss = NULL;
	int err;

	if (!tp || tp->ls[tls != NULL])
		return EINVAL;

	err = siptp_stream_make(tp, &ss, laddr, tls);
	if (!err)
		siptp_stream_set(tp, tls != NULL, ss, tls);
	mem_deref(ss);

	return err;
}


/**
 * Bind a listener over an own stream, not yet in use (a reload makes
 * its new listeners before it knows it will apply)
 *
 * @param tp    Transport (with own streams)
 * @param ssp   The listener
 * @param laddr Where
 * @param tls   TLS context for TLS (referenced), NULL for TCP
 *
 * @return 0 if success, otherwise errorcode
 */
int siptp_stream_make(struct siptp *tp, struct sipstream **ssp,
		      const struct sa *laddr, struct tls *tls)
{
	if (!tp || !ssp || !laddr || !tp->prm.own)
		return EINVAL;

	return sipstream_listen(ssp, laddr, tls, tp->prm.lim, msg_handler,
				tp);
}


static void oldls_destructor(void *data)
{
	struct oldls *o = data;

	list_unlink(&o->le);
	mem_deref(o->ss);
}


/* the listener stops accepting; its connections go on */
static void retire(struct siptp *tp, struct sipstream *ss)
{
	struct oldls *o;
	struct le *le = tp->retired.head;

	while (le) {
		o = le->data;
		le = le->next;
		if (!sipstream_count(o->ss))
			mem_deref(o);
	}

	sipstream_close(ss);
	o = mem_zalloc(sizeof(*o), oldls_destructor);
	if (!o) {
		mem_deref(ss);      /* its connections end with it */
		return;
	}

	o->ss = ss;
	list_append(&tp->retired, &o->le, o);
}


/**
 * Put a listener in force for its transport in place of the current
 * one, which stops accepting while its connections go on
 *
 * @param tp  Transport (with own streams)
 * @param t   TLS (true) or TCP
 * @param ss  New listener (referenced), NULL for none
 * @param tls For TLS, the side's context (referenced for the
 *            connections we open, if we had none)
 */
void siptp_stream_set(struct siptp *tp, bool t, struct sipstream *ss,
		      struct tls *tls)
{
	if (!tp || !tp->prm.own || tp->ls[t] == ss)
		return;

	if (t && tls && !tp->tls)
		tp->tls = mem_ref(tls);

	if (tp->ls[t])
		retire(tp, tp->ls[t]);
	tp->ls[t] = mem_ref(ss);
}


/**
 * Bind an own UDP socket, not yet in use (a reload makes it before it
 * commits; what comes on it meanwhile is handled)
 *
 * @param tp    Transport (with own UDP)
 * @param sup   Pointer to the socket
 * @param laddr Where
 *
 * @return 0 if success, otherwise errorcode
 */
int siptp_udp_make(struct siptp *tp, struct sipudp **sup,
		   const struct sa *laddr)
{
	if (!tp || !tp->udp)
		return EINVAL;

	return sipudps_make(tp->udp, sup, laddr);
}


/**
 * Put an own UDP socket in use
 *
 * @param tp Transport (with own UDP)
 * @param su Socket from siptp_udp_make() (referenced)
 *
 * @return 0 if success, otherwise errorcode
 */
int siptp_udp_add(struct siptp *tp, struct sipudp *su)
{
	if (!tp || !tp->udp)
		return EINVAL;

	return sipudps_add(tp->udp, su);
}


/**
 * Listen for SIP over own UDP
 *
 * @param tp    Transport (with own UDP)
 * @param laddr Where
 *
 * @return 0 if success, otherwise errorcode
 */
int siptp_udp_listen(struct siptp *tp, const struct sa *laddr)
{
	struct sipudp *su = NULL;
	int err;

	err = siptp_udp_make(tp, &su, laddr);
	if (!err)
		err = siptp_udp_add(tp, su);

	mem_deref(su);

	return err;
}


/**
 * Close the own UDP socket on an address: its port is free at once;
 * the transactions on it send nothing more
 *
 * @param tp    Transport (with own UDP)
 * @param laddr Its address
 *
 * @return 0 if success, otherwise errorcode (ENOENT: none there)
 */
int siptp_udp_remove(struct siptp *tp, const struct sa *laddr)
{
	if (!tp || !tp->udp)
		return EINVAL;

	return sipudps_remove(tp->udp, laddr);
}


/**
 * Our address for a transport, as libre's sip_transp_laddr()
 *
 * @param tp    Transport
 * @param laddr Set to the address
 * @param t     SIP transport
 * @param dst   Destination, or NULL
 *
 * @return 0 if success, otherwise errorcode (EPROTONOSUPPORT: no
 *         listener of that transport)
 */
int siptp_laddr(struct siptp *tp, struct sa *laddr, enum sip_transp t,
		const struct sa *dst)
{
	const struct sa *la;

	if (!tp || !laddr)
		return EINVAL;

	if (!siptp_own(tp, t))
		return sip_transp_laddr(tp->prm.sip, laddr, t, dst);

	if (t == SIP_TRANSP_UDP)
		la = sipudp_laddr(sipudps_pick(tp->udp, dst));
	else
		la = sipstream_laddr(tp->ls[t == SIP_TRANSP_TLS]);
	if (!la)
		return EPROTONOSUPPORT;

	*laddr = *la;

	return 0;
}


/* fmt and its arguments, formatted (NULL for none); an mbuf, not a
 * string: a body may hold NUL bytes (ISUP, say) */
static int hdrs_print(struct mbuf **mbp, const char *fmt, va_list ap)
{
	struct mbuf *mb;
	int err;

	*mbp = NULL;
	if (!fmt)
		return 0;

	mb = mbuf_alloc(512);
	if (!mb)
		return ENOMEM;

	err = mbuf_vprintf(mb, fmt, ap);
	if (err)
		mem_deref(mb);
	else
		*mbp = mb;

	return err;
}


static int reply(struct siptp *tp, const struct sip_msg *msg,
		 uint16_t scode, const char *reason, const struct mbuf *hdrs)
{
	if (siptp_own(tp, msg->tp))
		return hdrs ? sipxs_sreply(tp->xs, msg, scode, reason, "%b",
					   hdrs->buf, hdrs->end) :
			sipxs_sreply(tp->xs, msg, scode, reason, NULL);

	return hdrs ? sip_replyf(tp->prm.sip, msg, scode, reason, "%b",
				 hdrs->buf, hdrs->end) :
		sip_reply(tp->prm.sip, msg, scode, reason);
}


/**
 * Answer a request without a transaction, as libre's sip_replyf()
 *
 * @return 0 if success, otherwise errorcode
 */
int siptp_replyf(struct siptp *tp, const struct sip_msg *msg,
		 uint16_t scode, const char *reason, const char *fmt, ...)
{
	struct mbuf *hdrs = NULL;
	va_list ap;
	int err;

	if (!tp || !msg || !reason)
		return EINVAL;

	va_start(ap, fmt);
	err = hdrs_print(&hdrs, fmt, ap);
	va_end(ap);
	if (!err)
		err = reply(tp, msg, scode, reason, hdrs);

	mem_deref(hdrs);

	return err;
}


/**
 * Answer a request without a transaction, no more headers
 *
 * @return 0 if success, otherwise errorcode
 */
int siptp_reply(struct siptp *tp, const struct sip_msg *msg,
		uint16_t scode, const char *reason)
{
	return siptp_replyf(tp, msg, scode, reason, NULL);
}


static void st_destructor(void *data)
{
	struct siptp_st *st = data;

	mem_deref(st->l);
	mem_deref(st->o);
}


/**
 * Send an encoded response again to where the answers to its request
 * go (over UDP: a stream is reliable)
 *
 * @param tp  Transport
 * @param msg The request it answers
 * @param mb  The response
 */
void siptp_resend(struct siptp *tp, const struct sip_msg *msg,
		  struct mbuf *mb)
{
	struct sippath p = SIPPATH_INIT;
	struct pl rp;
	struct sa dst;

	if (!tp || !msg || !mb || msg->tp != SIP_TRANSP_UDP)
		return;

	mb->pos = 0;
	if (siptp_own(tp, msg->tp)) {
		if (!sippath_reply_to(&p, msg))
			(void)sippath_send(&p, mb);
		sippath_reset(&p);
		return;
	}

	sip_reply_addr(&dst, msg,
		       !msg_param_exists(&msg->via.params, "rport", &rp));
	(void)sip_send(tp->prm.sip, msg->sock, msg->tp, &dst, mb);
}


/**
 * Start a server transaction for a request, as sip_strans_alloc()
 *
 * @param stp     Pointer to the transaction (the owner's until its
 *                final response sets it to NULL)
 * @param tp      Transport
 * @param msg     The request
 * @param cancelh Handler of a CANCEL of a pending INVITE, or NULL
 * @param arg     Its argument
 *
 * @return 0 if success, otherwise errorcode
 */
int siptp_st_alloc(struct siptp_st **stp, struct siptp *tp,
		   const struct sip_msg *msg, sip_cancel_h *cancelh,
		   void *arg)
{
	struct siptp_st *st;
	int err;

	if (!stp || !tp || !msg)
		return EINVAL;

	st = mem_zalloc(sizeof(*st), st_destructor);
	if (!st)
		return ENOMEM;

	if (siptp_own(tp, msg->tp))
		err = sipxs_alloc(&st->o, tp->xs, msg, cancelh, arg);
	else
		err = sip_strans_alloc(&st->l, tp->prm.sip, msg, cancelh,
				       arg);

	if (err)
		mem_deref(st);
	else
		*stp = st;

	return err;
}


/* The reply on a transaction, ours or libre's; a new one if *stp is
 * NULL (stp NULL: for this reply only) */
static int treply(struct siptp_st **stp, struct mbuf **mbp,
		  struct siptp *tp, const struct sip_msg *msg,
		  uint16_t scode, const char *reason, const struct mbuf *hdrs)
{
	struct siptp_st *st = stp ? *stp : NULL;
	struct siptp_st *tmp = NULL;
	const uint8_t *hb = hdrs ? hdrs->buf : NULL;
	size_t hl = hdrs ? hdrs->end : 0;
	int err;

	if (!st) {
		err = siptp_st_alloc(&tmp, tp, msg, NULL, NULL);
		if (err)
			return err;
		st = tmp;
	}

	if (st->o)
		err = sipxs_reply(&st->o, mbp, false, scode, reason,
				  hdrs ? "%b" : NULL, hb, hl);
	else
		err = sip_treplyf(&st->l, mbp, tp->prm.sip, msg, false,
				  scode, reason, hdrs ? "%b" : NULL, hb, hl);

	if (!st->o && !st->l) {
		if (stp && *stp == st)
			*stp = NULL;
		mem_deref(st);
	}
	else if (tmp && stp) {
		*stp = tmp;
	}
	else if (tmp) {
		mem_deref(tmp);
	}

	return err;
}


/**
 * Answer a request on its transaction, as libre's sip_treplyf()
 *
 * @param stp    The transaction; NULL for a new one for this reply
 *               (*stp is set to NULL after a final response)
 * @param mbp    The response, referenced, or NULL
 * @param tp     Transport
 * @param msg    The request
 * @param scode  Status code
 * @param reason Reason phrase
 * @param fmt    More headers and the body, or NULL
 *
 * @return 0 if success, otherwise errorcode
 */
int siptp_treplyf(struct siptp_st **stp, struct mbuf **mbp,
		  struct siptp *tp, const struct sip_msg *msg,
		  uint16_t scode, const char *reason, const char *fmt, ...)
{
	struct mbuf *hdrs = NULL;
	va_list ap;
	int err;

	if (!tp || !msg || !reason)
		return EINVAL;

	va_start(ap, fmt);
	err = hdrs_print(&hdrs, fmt, ap);
	va_end(ap);
	if (!err)
		err = treply(stp, mbp, tp, msg, scode, reason, hdrs);

	mem_deref(hdrs);

	return err;
}


/**
 * Answer a request on its transaction, no more headers
 *
 * @return 0 if success, otherwise errorcode
 */
int siptp_treply(struct siptp_st **stp, struct siptp *tp,
		 const struct sip_msg *msg, uint16_t scode,
		 const char *reason)
{
	return siptp_treplyf(stp, NULL, tp, msg, scode, reason, NULL);
}


static void outconn_destructor(void *data)
{
	struct outconn *c = data;

	list_unlink(&c->le);
	mem_deref(c->sc);
}


static void out_msg_handler(struct sipconn *sc, const struct sip_msg *msg,
			    void *arg)
{
	struct outconn *c = arg;

	msg_handler(sc, msg, c->tp);
}


static void out_close_handler(struct sipconn *sc, int err, void *arg)
{
	struct outconn *c = arg;
	struct siptp *tp = c->tp;

	DEBUG_INFO("%J: connection closed (%m)\n", sipconn_peer(sc), err);
	list_unlink(&c->le);
	sipxc_conn_closed(tp->xc, sc);
	mem_deref(c);
}


/* Where a connection we open is bound: the address of the side's
 * listener of its transport, any port (a pair's service address, not
 * the node's own: the peers know the former); NULL without a listener */
static const struct sa *bind_addr(struct sa *local, const struct siptp *tp,
				  bool tls)
{
	const struct sa *la = sipstream_laddr(tp->ls[tls]);

	if (!la)
		return NULL;

	*local = *la;
	sa_set_port(local, 0);

	return local;
}


/* An open connection we made to dst, or a new one */
static int conn_get(struct sipconn **scp, struct siptp *tp,
		    const struct sa *dst, bool tls)
{
	struct outconn *c;
	struct sa local;
	int err;

	for (struct le *le = tp->out.head; le; le = le->next) {
		c = le->data;
		if (c->tls == tls && sipconn_open(c->sc) &&
		    sa_cmp(sipconn_peer(c->sc), dst, SA_ALL)) {
			*scp = c->sc;
			return 0;
		}
	}

	if (tls && !tp->tls)
		return EPROTONOSUPPORT;

	c = mem_zalloc(sizeof(*c), outconn_destructor);
	if (!c)
		return ENOMEM;

	c->tp = tp;
	c->tls = tls;
	err = sipconn_connect(&c->sc, dst, bind_addr(&local, tp, tls),
			      tls ? tp->tls : NULL, NULL, &tp->prm.lim->conn,
			      out_msg_handler, out_close_handler, c);
	if (err) {
		mem_deref(c);
		return err;
	}

	list_append(&tp->out, &c->le, c);
	*scp = c->sc;

	return 0;
}


/* Where a request to dst goes: the socket of its family over UDP, an
 * open connection we made or a new one over a stream */
static int path_get(struct sippath *p, struct siptp *tp, enum sip_transp t,
		    const struct sa *dst)
{
	struct sipconn *sc;
	struct sipudp *su;
	int err;

	if (t == SIP_TRANSP_UDP) {
		su = sipudps_pick(tp->udp, dst);
		if (!su)
			return EPROTONOSUPPORT;
		sippath_udp(p, su, dst);
		return 0;
	}

	err = conn_get(&sc, tp, dst, t == SIP_TRANSP_TLS);
	if (!err)
		sippath_conn(p, sc);

	return err;
}


/* The next hop of a request over an own transport: the route's or URI's
 * host (maddr first), port and transport */
static int hop_of(struct hop *hop, const char *uri, const struct uri *route)
{
	struct uri u;
	struct pl pl, val;
	int err;

	if (route) {
		u = *route;
	}
	else {
		pl_set_str(&pl, uri);
		err = uri_decode(&u, &pl);
		if (err)
			return err;
	}

	hop->t = SIP_TRANSP_UDP;
	if (!pl_strcasecmp(&u.scheme, "sips"))
		hop->t = SIP_TRANSP_TLS;
	else if (!msg_param_decode(&u.params, "transport", &val))
		hop->t = !pl_strcasecmp(&val, "tls") ? SIP_TRANSP_TLS :
			!pl_strcasecmp(&val, "tcp") ? SIP_TRANSP_TCP :
			SIP_TRANSP_UDP;

	hop->host = u.host;
	(void)msg_param_decode(&u.params, "maddr", &hop->host);
	hop->port = u.port;

	return 0;
}


static uint16_t default_port(enum sip_transp t)
{
	return t == SIP_TRANSP_TLS ? 5061 : 5060;
}


static void rslv_destructor(void *data)
{
	struct rslv *rs = data;

	list_unlink(&rs->le);
	mem_deref(rs->dq);
	mem_deref(rs->met);
	mem_deref(rs->uri);
	mem_deref(rs->host);
	mem_deref(rs->body);
}


static void req_destructor(void *data)
{
	struct siptp_req *req = data;

	if (req->reqp)
		*req->reqp = NULL;
	mem_deref(req->rs);            /* a pending lookup ends      */
	mem_deref(req->l);             /* libre cancels a pending INVITE */
	sipxc_abandon(req->o);
}


/* A response to our request: the owner's; at the final one the
 * request is over and the owner's pointer cleared */
static void req_resp_handler(int err, const struct sip_msg *msg, void *arg)
{
	struct siptp_req *req = arg;
	sip_resp_h *resph = req->resph;
	void *rarg = req->arg;

	if (!err && msg && msg->scode < 200) {
		if (resph)
			resph(err, msg, rarg);
		return;
	}

	mem_ref(req);
	req->done = true;
	if (req->reqp) {
		*req->reqp = NULL;
		req->reqp = NULL;
	}
	req->resph = NULL;
	mem_deref(req);              /* the owner's (or its own) */
	if (resph)
		resph(err, msg, rarg);
	mem_deref(req);
}


/* The request over an own transport to dst: Via with the listener's
 * address and a branch of ours, what sendh adds (Contact), the owner's
 * part */
static int send_to(struct siptp_req *req, struct siptp *tp,
		   enum sip_transp t, const struct sa *dst, bool stateful,
		   const char *met, const char *uri, struct mbuf *body,
		   sip_send_h *sendh)
{
	struct sippath path = SIPPATH_INIT;
	struct mbuf *mb = NULL;
	struct sa laddr;
	uint64_t branch;
	int err;

	err = siptp_laddr(tp, &laddr, t, dst);
	if (!err)
		err = path_get(&path, tp, t, dst);
	if (!err)
		err = um_rand_u64(&branch);     /* unguessable, fails closed */
	if (err)
		goto out;

	mb = mbuf_alloc(1024);
	if (!mb) {
		err = ENOMEM;
		goto out;
	}

	err  = mbuf_printf(mb, "%s %s SIP/2.0\r\n", met, uri);
	err |= mbuf_printf(mb, "Via: SIP/2.0/%s %J;branch=z9hG4bK%016llx;"
			   "rport\r\n", sip_transp_name(t), &laddr,
			   (unsigned long long)branch);
	err |= sendh ? sendh(t, &laddr, dst, mb, req->arg) : 0;
	err |= mbuf_write_mem(mb, mbuf_buf(body), mbuf_get_left(body));
	if (err)
		goto out;

	mb->pos = 0;
	err = stateful ? sipxc_send(&req->o, tp->xc, &path, mb,
				    req_resp_handler, req) :
		sippath_send(&path, mb);

 out:
	mem_deref(mb);
	sippath_reset(&path);

	return err;
}


/* The lookup is over: the request goes to dst (NULL: err says why it
 * cannot). A stateful one's failure is its final response; a stateless
 * one was left to itself */
static void rslv_done(struct rslv *rs, int err, const struct sa *dst)
{
	struct siptp_req *req = rs->req;
	const bool stateful = rs->stateful;
	const bool cancel = rs->cancel;

	mem_ref(req);
	if (!err)
		err = send_to(req, rs->tp, rs->t, dst, stateful, rs->met,
			      rs->uri, rs->body, rs->sendh);
	if (err)
		DEBUG_NOTICE("%s %s: next hop %s: %m\n", rs->met, rs->uri,
			     rs->host, err);

	req->rs = mem_deref(rs);
	if ((err || !stateful) && !req->done)
		req_resp_handler(err, NULL, req);     /* stateless: ends */
	else if (cancel && req->o)
		(void)sipxc_cancel(req->o);

	mem_deref(req);
}


static void addr_handler(int err, const struct dnshdr *hdr,
			 struct list *ansl, struct list *authl,
			 struct list *addl, void *arg)
{
	struct rslv *rs = arg;
	struct dnsrr *rr;
	struct sa dst;
	(void)hdr;
	(void)authl;
	(void)addl;

	dns_rrlist_sort_addr(ansl, rs->sortkey);
	rr = dns_rrlist_apply2(ansl, NULL, DNS_TYPE_A, DNS_TYPE_AAAA,
			       DNS_CLASS_IN, false, NULL, NULL);
	if (!rr) {
		rslv_done(rs, err ? err : EDESTADDRREQ, NULL);
		return;
	}

	if (rr->type == DNS_TYPE_A)
		sa_set_in(&dst, rr->rdata.a.addr, rs->port);
	else
		sa_set_in6(&dst, rr->rdata.aaaa.addr, rs->port);

	rslv_done(rs, 0, &dst);
}


/* A or AAAA of a name, as the listener of the transport is IPv4 or 6 */
static int addr_lookup(struct rslv *rs, const char *name)
{
	struct sa laddr;
	int err;

	err = siptp_laddr(rs->tp, &laddr, rs->t, NULL);
	if (err)
		return err;

	return dnsc_query(&rs->dq, rs->tp->prm.dnsc, name,
			  sa_af(&laddr) == AF_INET6 ? DNS_TYPE_AAAA :
			  DNS_TYPE_A, DNS_CLASS_IN, true, addr_handler, rs);
}


/* SRV: the first target of the lowest priority; its address from the
 * additional records or a lookup. None: the name's own address at the
 * transport's port (RFC 3263 4.2) */
static void srv_handler(int err, const struct dnshdr *hdr,
			struct list *ansl, struct list *authl,
			struct list *addl, void *arg)
{
	struct rslv *rs = arg;
	struct dnsrr *rr, *ar;
	struct sa dst;
	(void)hdr;
	(void)authl;

	dns_rrlist_sort(ansl, DNS_TYPE_SRV, rs->sortkey);
	rr = dns_rrlist_find(ansl, NULL, DNS_TYPE_SRV, DNS_CLASS_IN, false);
	if (!rr) {
		rs->port = default_port(rs->t);
		err = addr_lookup(rs, rs->host);
		goto out;
	}

	rs->port = rr->rdata.srv.port;
	ar = dns_rrlist_apply2(addl, rr->rdata.srv.target, DNS_TYPE_A,
			       DNS_TYPE_AAAA, DNS_CLASS_IN, false, NULL,
			       NULL);
	if (!ar) {
		err = addr_lookup(rs, rr->rdata.srv.target);
		goto out;
	}

	if (ar->type == DNS_TYPE_A)
		sa_set_in(&dst, ar->rdata.a.addr, rs->port);
	else
		sa_set_in6(&dst, ar->rdata.aaaa.addr, rs->port);

	rslv_done(rs, 0, &dst);
	return;

 out:
	if (err)
		rslv_done(rs, err, NULL);
}


static const char *srv_prefix(enum sip_transp t)
{
	switch (t) {

	case SIP_TRANSP_UDP: return "_sip._udp";
	case SIP_TRANSP_TLS: return "_sips._tcp";
	default:             return "_sip._tcp";
	}
}


/* The next hop is a name: the request waits for it on req */
static int rslv_start(struct siptp_req *req, struct siptp *tp,
		      const struct hop *hop, bool stateful, const char *met,
		      const char *uri, struct mbuf *body, sip_send_h *sendh)
{
	struct rslv *rs;
	char name[256];
	int err;

	if (!tp->prm.dnsc)
		return EAFNOSUPPORT;

	rs = mem_zalloc(sizeof(*rs), rslv_destructor);
	if (!rs)
		return ENOMEM;

	rs->tp = tp;
	rs->req = req;
	rs->body = mem_ref(body);
	rs->sendh = sendh;
	rs->sortkey = req->sortkey;
	rs->t = hop->t;
	rs->port = hop->port;
	rs->stateful = stateful;
	err  = str_dup(&rs->met, met);
	err |= str_dup(&rs->uri, uri);
	err |= pl_strdup(&rs->host, &hop->host);
	if (err)
		goto out;

	if (hop->port) {
		err = addr_lookup(rs, rs->host);
	}
	else if (re_snprintf(name, sizeof(name), "%s.%s", srv_prefix(hop->t),
			     rs->host) < 0) {
		err = ENAMETOOLONG;
	}
	else {
		err = dnsc_query(&rs->dq, tp->prm.dnsc, name, DNS_TYPE_SRV,
				 DNS_CLASS_IN, true, srv_handler, rs);
	}

 out:
	if (err) {
		mem_deref(rs);
		return err;
	}

	list_append(&tp->pend, &rs->le, rs);
	req->rs = rs;

	return 0;
}


/* The request over an own transport: at once to an address, after a
 * lookup to a name */
static int own_request(struct siptp_req *req, struct siptp *tp,
		       bool stateful, const char *met, const char *uri,
		       const struct uri *route, struct mbuf *body,
		       sip_send_h *sendh)
{
	struct hop hop;
	struct sa dst;
	int err;

	err = hop_of(&hop, uri, route);
	if (!err && !siptp_own(tp, hop.t))
		err = EPROTONOSUPPORT;
	if (err)
		return err;

	if (!sa_set(&dst, &hop.host, hop.port ? hop.port :
		    default_port(hop.t)))
		return send_to(req, tp, hop.t, &dst, stateful, met, uri,
			       body, sendh);

	return rslv_start(req, tp, &hop, stateful, met, uri, body, sendh);
}


/**
 * Send a request, as libre's sip_request(): over an own transport when
 * the route (or the URI) names one that is own
 *
 * @param reqp     Pointer to the request, set to NULL when it ends; or
 *                 NULL to leave it to itself
 * @param tp       Transport
 * @param stateful With a client transaction (false: ACK)
 * @param met      Method
 * @param uri      Request-URI
 * @param route    First route, or NULL for the Request-URI
 * @param mb       Headers and body after Via and what sendh writes
 *                 (referenced while a next hop's name resolves)
 * @param sortkey  DNS sort key
 * @param sendh    Writes more headers (Contact), or NULL; after the
 *                 lookup when the next hop is a name
 * @param resph    Response handler, or NULL; a failed lookup comes to
 *                 it as an error, never before this returned
 * @param arg      Handlers' argument
 *
 * @return 0 if success, otherwise errorcode
 */
int siptp_request(struct siptp_req **reqp, struct siptp *tp,
		  bool stateful, const char *met, const char *uri,
		  const struct uri *route, struct mbuf *mb, size_t sortkey,
		  sip_send_h *sendh, sip_resp_h *resph, void *arg)
{
	struct siptp_req *req;
	struct uri lroute;
	int err;

	if (!tp || !met || !uri || !mb)
		return EINVAL;

	/* no route: the Request-URI is the next hop (as sip_requestf) */
	if (!route) {
		struct pl pl;

		pl_set_str(&pl, uri);
		err = uri_decode(&lroute, &pl);
		if (err)
			return err;
		route = &lroute;
	}

	req = mem_zalloc(sizeof(*req), req_destructor);
	if (!req)
		return ENOMEM;

	req->resph = resph;
	req->arg = arg;
	req->sortkey = sortkey;
	if (stateful && reqp) {
		req->reqp = reqp;
		*reqp = req;
	}

	/* a response may come before the call returns */
	mem_ref(req);
	if (tp->prm.own || tp->prm.own_udp)
		err = own_request(req, tp, stateful, met, uri, route, mb,
				  sendh);
	else
		err = EPROTONOSUPPORT;

	if (err == EPROTONOSUPPORT)
		err = sip_request(stateful ? &req->l : NULL, tp->prm.sip,
				  stateful, met, -1, uri, -1, route, mb,
				  sortkey, sendh,
				  stateful ? req_resp_handler : NULL, req);

	/* a stateless one waiting for its lookup is left to itself */
	if ((err || (!stateful && !req->rs)) && !req->done) {
		if (req->reqp) {
			*req->reqp = NULL;
			req->reqp = NULL;
		}
		req->resph = NULL;
		mem_deref(req);      /* the owner's (or its own) */
	}
	mem_deref(req);

	return err;
}


/**
 * A request in flight as it was sent, and where it went: what another
 * node needs to cancel it (siptp_cancel_sent())
 *
 * @param req The request
 * @param t   Its transport, set
 * @param dst Its next hop's address, set
 *
 * @return the request (its buffer from 0 to its end), NULL if it is not
 *         on an own transport or not sent yet
 */
const struct mbuf *siptp_request_sent(const struct siptp_req *req,
				      enum sip_transp *t, struct sa *dst)
{
	return req ? sipxc_sent(req->o, t, dst) : NULL;
}


/**
 * Cancel an INVITE a node that died had sent (siptp_request_sent()):
 * the CANCEL goes now, over a new connection on a stream; the 3xx-6xx
 * that answers the INVITE is ACKed
 *
 * @param tp  Transport
 * @param t   The INVITE's transport (an own one)
 * @param dst Where it went
 * @param req The INVITE as sent, from position 0
 *
 * @return 0 if success, otherwise errorcode
 */
int siptp_cancel_sent(struct siptp *tp, enum sip_transp t,
		      const struct sa *dst, const struct mbuf *req)
{
	struct sippath path = SIPPATH_INIT;
	int err;

	if (!tp || !dst || !req)
		return EINVAL;

	if (!siptp_own(tp, t))
		return EPROTONOSUPPORT;

	err = path_get(&path, tp, t, dst);
	if (!err)
		err = sipxc_cancel_sent(tp->xc, &path, req);

	sippath_reset(&path);

	return err;
}


/**
 * Read a request over UDP that a node that died had received, as the
 * socket of its family would read it from src (its responses then go
 * out of that socket)
 *
 * @param msgp Set to the request
 * @param tp   Transport
 * @param src  Where the request came from
 * @param req  The request, from its position
 *
 * @return 0 if success, EPROTONOSUPPORT without an own UDP socket of
 *         src's family, EPROTO if it is not a request, otherwise
 *         errorcode
 */
int siptp_sent_decode(struct sip_msg **msgp, struct siptp *tp,
		      const struct sa *src, const struct mbuf *req)
{
	struct sip_msg *msg = NULL;
	struct sipudp *su;
	int err;

	if (!msgp || !tp || !src || !req)
		return EINVAL;

	su = sipudps_pick(tp->udp, src);
	if (!su)
		return EPROTONOSUPPORT;

	err = sipudp_decode(&msg, su, src, req);
	if (!err && !msg->req)
		err = EPROTO;
	if (err)
		mem_deref(msg);
	else
		*msgp = msg;

	return err;
}


/**
 * Answer a request over UDP that a node that died had received
 * (siptp_sent_decode()), on a server transaction of its own (which
 * takes the ACK of a 3xx-6xx)
 *
 * @param tp     Transport
 * @param src    Where the request came from
 * @param req    The request, from its position
 * @param scode  Status code
 * @param reason Reason phrase
 *
 * @return 0 if success, EPROTONOSUPPORT without an own UDP socket of
 *         src's family, otherwise errorcode
 */
int siptp_reply_sent(struct siptp *tp, const struct sa *src,
		     const struct mbuf *req, uint16_t scode,
		     const char *reason)
{
	struct sip_msg *msg = NULL;
	int err;

	if (!reason)
		return EINVAL;

	err = siptp_sent_decode(&msg, tp, src, req);
	if (!err)
		err = treply(NULL, NULL, tp, msg, scode, reason, NULL);

	mem_deref(msg);

	return err;
}


/**
 * Cancel an INVITE in flight (CANCEL once a provisional came)
 *
 * @param req The request
 */
void siptp_request_cancel(struct siptp_req *req)
{
	if (!req)
		return;

	if (req->o)
		(void)sipxc_cancel(req->o);
	else if (req->l)
		sip_request_cancel(req->l);
	else if (req->rs)
		req->rs->cancel = true;      /* once it is sent */
}
