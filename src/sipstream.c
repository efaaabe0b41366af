/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipstream.c  A SIP listener over TCP or TLS, umedge's own
 *
 * Accepts connections up to a total and a number per source address,
 * and refuses the rest at once (tcp_reject: no buffer, no timer). Each
 * accepted connection is a sipconn; the listener keeps them, so that a
 * response goes back on the connection its request came on (RFC 3261
 * §18.2.2), and frees them when they close.
 */
#include <re.h>
#define DEBUG_MODULE "sipstream"
#define DEBUG_LEVEL 5
#include <re_dbg.h>
#include "sipconn.h"
#include "sipstream.h"


/** A listener */
struct sipstream {
	struct tcp_sock *ts;              /**< Listening socket        */
	struct tls *tls;                  /**< TLS context, or NULL    */
	struct sa laddr;                  /**< Where it listens        */
	const struct sipstream_prm *prm;  /**< Limits                  */
	struct list conns;                /**< struct ssconn           */
	uint64_t refused;                 /**< Connections refused     */
	sipconn_msg_h *msgh;              /**< Message handler         */
	void *arg;                        /**< Its argument            */
};

/** An accepted connection in the listener's list */
struct ssconn {
	struct le le;             /**< Member of conns             */
	struct sipconn *sc;       /**< The connection              */
	struct sipstream *ss;     /**< Its listener (not a ref)    */
};


static void ssconn_destructor(void *data)
{
	struct ssconn *c = data;

	list_unlink(&c->le);
	mem_deref(c->sc);
}


static void sipstream_destructor(void *data)
{
	struct sipstream *ss = data;

	list_flush(&ss->conns);
	mem_deref(ss->ts);
	mem_deref(ss->tls);
}


static uint32_t from_source(const struct sipstream *ss, const struct sa *peer)
{
	uint32_t n = 0;

	for (struct le *le = ss->conns.head; le; le = le->next) {
		const struct ssconn *c = le->data;

		if (sa_cmp(sipconn_peer(c->sc), peer, SA_ADDR))
			++n;
	}

	return n;
}


static void msg_handler(struct sipconn *sc, const struct sip_msg *msg,
			void *arg)
{
	struct ssconn *c = arg;

	if (c->ss->msgh)
		c->ss->msgh(sc, msg, c->ss->arg);
}


static void close_handler(struct sipconn *sc, int err, void *arg)
{
	struct ssconn *c = arg;

	(void)sc;
	DEBUG_INFO("%J: connection closed (%m)\n", sipconn_peer(c->sc), err);
	mem_deref(c);
}


static void conn_handler(const struct sa *peer, void *arg)
{
	struct sipstream *ss = arg;
	struct ssconn *c;

	if (list_count(&ss->conns) >= ss->prm->max_conns ||
	    from_source(ss, peer) >= ss->prm->max_per_source)
		goto refuse;

	c = mem_zalloc(sizeof(*c), ssconn_destructor);
	if (!c)
		goto refuse;

	c->ss = ss;
	if (sipconn_accept(&c->sc, ss->ts, peer, ss->tls, &ss->prm->conn,
			   msg_handler, close_handler, c)) {
		mem_deref(c);
		goto refuse;
	}

	list_append(&ss->conns, &c->le, c);
	return;

 refuse:
	++ss->refused;
	DEBUG_INFO("%J: connection refused (%u open)\n", peer,
		   list_count(&ss->conns));
	tcp_reject(ss->ts);
}


/**
 * Listen for SIP over TCP, or TLS if tls is given
 *
 * @param ssp   Pointer to allocated listener
 * @param laddr Where (port 0: any)
 * @param tls   TLS context (referenced), or NULL for TCP
 * @param prm   Limits (kept: must outlive the listener)
 * @param msgh  Handler of each decoded message
 * @param arg   Its argument
 *
 * @return 0 if success, otherwise errorcode
 */
int sipstream_listen(struct sipstream **ssp, const struct sa *laddr,
		     struct tls *tls, const struct sipstream_prm *prm,
		     sipconn_msg_h *msgh, void *arg)
{
	struct sipstream *ss;
	int err;

	if (!ssp || !laddr || !prm || !prm->max_conns ||
	    !prm->max_per_source)
		return EINVAL;

	ss = mem_zalloc(sizeof(*ss), sipstream_destructor);
	if (!ss)
		return ENOMEM;

	ss->tls = mem_ref(tls);
	ss->prm = prm;
	ss->msgh = msgh;
	ss->arg = arg;

	err = tcp_listen(&ss->ts, laddr, conn_handler, ss);
	if (!err)
		err = tcp_local_get(ss->ts, &ss->laddr);

	if (err)
		mem_deref(ss);
	else
		*ssp = ss;

	return err;
}


/**
 * Stop accepting connections (a reload removed or replaced the
 * listener); those open go on until they close
 *
 * @param ss Listener
 */
void sipstream_close(struct sipstream *ss)
{
	if (ss)
		ss->ts = mem_deref(ss->ts);
}


/** @return the connections open now */
uint32_t sipstream_count(const struct sipstream *ss)
{
	return ss ? list_count(&ss->conns) : 0;
}


/** @return the connections refused so far */
uint64_t sipstream_refused(const struct sipstream *ss)
{
	return ss ? ss->refused : 0;
}


/** @return where it listens */
const struct sa *sipstream_laddr(const struct sipstream *ss)
{
	return ss ? &ss->laddr : NULL;
}
