/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file httpd.c  A small HTTP(S) listener: one request per connection
 *
 * A connection is refused at once beyond conn_max, or when its source
 * is not in the clients list (when there is one): closed, nothing
 * read. A request head is read up to its empty line within read_ms and
 * req_max bytes (413 beyond), decoded by libre (400 if it cannot), and
 * handed to the owner, who answers it with httpd_reply(). The server
 * closes the connection after the answer (the client has a second to
 * read it).
 */
#include <string.h>
#include <re.h>
#include "ipnet.h"
#include "httpd.h"


enum {
	LINGER_MS = 1000,   /**< Time for the client to close */
};

/** A listener */
struct httpd {
	struct httpd_prm prm;     /**< Parameters (clients referenced)  */
	struct tcp_sock *ts;      /**< Listening socket                 */
	struct list conns;        /**< struct httpd_conn                */
	httpd_req_h *reqh;        /**< Request handler                  */
	void *arg;                /**< Its argument                     */
	uint64_t refused;         /**< 400 and 413 sent by the server   */
};

/** One client connection */
struct httpd_conn {
	struct le le;             /**< Member of httpd.conns            */
	struct httpd *h;          /**< Listener                         */
	struct tcp_conn *tc;      /**< TCP connection                   */
	struct tls_conn *sc;      /**< TLS on it, or NULL               */
	struct mbuf *mb;          /**< Request read so far              */
	struct tmr tmr;           /**< Read, then linger timeout        */
	struct sa peer;           /**< Client address                   */
	bool done;                /**< Answered                         */
	bool head;                /**< Answer without its body (HEAD)   */
};


static void conn_destructor(void *data)
{
	struct httpd_conn *c = data;

	tmr_cancel(&c->tmr);
	list_unlink(&c->le);
	mem_deref(c->sc);
	mem_deref(c->tc);
	mem_deref(c->mb);
}


static void httpd_destructor(void *data)
{
	struct httpd *h = data;

	list_flush(&h->conns);
	mem_deref(h->ts);
	mem_deref(h->prm.tls);
}


static void timeout_handler(void *arg)
{
	mem_deref(arg);
}


/**
 * Answer the request; the connection closes a second later (or when
 * the client closes it)
 *
 * @param c      Connection
 * @param scode  Status code
 * @param reason Reason phrase
 * @param ctype  Content-Type of the body
 * @param hdrs   More header lines, each ending in CRLF, or NULL
 * @param body   Body, or NULL
 */
void httpd_reply(struct httpd_conn *c, uint16_t scode, const char *reason,
		 const char *ctype, const char *hdrs, const struct mbuf *body)
{
	struct mbuf *mb;
	int err;

	if (!c || c->done)
		return;

	c->done = true;
	tmr_start(&c->tmr, LINGER_MS, timeout_handler, c);
	mb = mbuf_alloc(512 + (body ? body->end : 0));
	if (!mb)
		return;

	err = mbuf_printf(mb, "HTTP/1.1 %u %s\r\nServer: umedge\r\n"
			  "Content-Type: %s\r\n"
			  "Cache-Control: no-store\r\nConnection: close\r\n"
			  "%sContent-Length: %zu\r\n\r\n", scode, reason,
			  ctype, hdrs ? hdrs : "", body ? body->end : (size_t)0);
	if (body && !c->head)
		err |= mbuf_write_mem(mb, body->buf, body->end);

	if (!err) {
		mb->pos = 0;
		(void)tcp_send(c->tc, mb);
	}

	mem_deref(mb);
}


static void refuse(struct httpd_conn *c, uint16_t scode, const char *reason)
{
	struct mbuf *mb = mbuf_alloc(64);

	++c->h->refused;
	if (mb)
		(void)mbuf_printf(mb, "%u %s\n", scode, reason);
	httpd_reply(c, scode, reason, "text/plain", NULL, mb);
	mem_deref(mb);
}


/* The request head is complete when an empty line ends it */
static bool head_complete(const struct mbuf *mb)
{
	for (size_t i = 3; i < mb->end; i++) {
		if (!memcmp(mb->buf + i - 3, "\r\n\r\n", 4))
			return true;
	}

	return false;
}


static void recv_handler(struct mbuf *mb, void *arg)
{
	struct httpd_conn *c = arg;
	struct http_msg *msg = NULL;

	if (c->done)
		return;

	if (c->mb->end + mbuf_get_left(mb) > c->h->prm.req_max) {
		refuse(c, 413, "Request Entity Too Large");
		return;
	}

	c->mb->pos = c->mb->end;
	(void)mbuf_write_mem(c->mb, mbuf_buf(mb), mbuf_get_left(mb));
	if (!head_complete(c->mb))
		return;

	c->mb->pos = 0;
	if (http_msg_decode(&msg, c->mb, true)) {
		refuse(c, 400, "Bad Request");
		return;
	}

	c->h->reqh(c, msg, c->h->arg);
	mem_deref(msg);
}


static void close_handler(int err, void *arg)
{
	(void)err;

	mem_deref(arg);
}


static bool admitted(const struct httpd *h, const struct sa *peer)
{
	if (list_count(&h->conns) >= h->prm.conn_max)
		return false;

	return !h->prm.clients || ipnet_match(h->prm.clients, peer);
}


static void conn_handler(const struct sa *peer, void *arg)
{
	struct httpd *h = arg;
	struct httpd_conn *c;
	int err;

	c = admitted(h, peer) ? mem_zalloc(sizeof(*c), conn_destructor) :
		NULL;
	if (!c) {
		tcp_reject(h->ts);
		return;
	}

	c->h = h;
	c->peer = *peer;
	list_append(&h->conns, &c->le, c);
	c->mb = mbuf_alloc(1024);

	err = c->mb ? tcp_accept(&c->tc, h->ts, NULL, recv_handler,
				 close_handler, c) : ENOMEM;
	if (!err && h->prm.tls)
		err = tls_start_tcp(&c->sc, h->prm.tls, c->tc, 0);
	if (err) {
		if (!c->tc)
			tcp_reject(h->ts);
		mem_deref(c);
		return;
	}

	tmr_start(&c->tmr, h->prm.read_ms, timeout_handler, c);
}


/**
 * Listen for HTTP (or HTTPS) requests
 *
 * @param hp   Pointer to allocated listener
 * @param prm  Where and how; the clients list must outlive the listener
 * @param reqh Request handler
 * @param arg  Its argument
 *
 * @return 0 if success, otherwise errorcode
 */
int httpd_alloc(struct httpd **hp, const struct httpd_prm *prm,
		httpd_req_h *reqh, void *arg)
{
	struct httpd *h;
	int err;

	if (!hp || !prm || !prm->laddr || !reqh || !prm->conn_max)
		return EINVAL;

	h = mem_zalloc(sizeof(*h), httpd_destructor);
	if (!h)
		return ENOMEM;

	h->prm = *prm;
	h->prm.tls = mem_ref(prm->tls);
	h->reqh = reqh;
	h->arg = arg;

	err = tcp_listen(&h->ts, prm->laddr, conn_handler, h);
	h->prm.laddr = NULL;    /* the caller's, used only here */
	if (err)
		mem_deref(h);
	else
		*hp = h;

	return err;
}


/**
 * Answer the connection's request without the body (a HEAD request):
 * the headers, Content-Length included, stay as for GET
 *
 * @param c Connection
 */
void httpd_head_only(struct httpd_conn *c)
{
	if (c)
		c->head = true;
}


/** @return the client's address */
const struct sa *httpd_peer(const struct httpd_conn *c)
{
	return c ? &c->peer : NULL;
}


/** @return the connection's TLS, NULL over plain HTTP */
struct tls_conn *httpd_tls(const struct httpd_conn *c)
{
	return c ? c->sc : NULL;
}


/** @return requests the listener refused itself (400 and 413) */
uint64_t httpd_refused(const struct httpd *h)
{
	return h ? h->refused : 0;
}
