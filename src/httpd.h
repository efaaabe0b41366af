/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file httpd.h  A small HTTP(S) listener for the credential service and
 *                /metrics: one request per connection
 *
 * libre parses the request (http_msg_decode()); what is ours is what
 * libre's http_listen() lacks: a cap on connections, a source check
 * before anything is read, a deadline for the request head, a bound on
 * its size, and a TLS context its owner keeps (to ask for client
 * certificates, and to renew in place).
 */
#ifndef UMEDGE_HTTPD_H
#define UMEDGE_HTTPD_H

struct httpd;
struct httpd_conn;
struct http_msg;
struct tls;
struct tls_conn;

/** Where and how a listener serves */
struct httpd_prm {
	const struct sa *laddr;     /**< Address to listen on              */
	struct tls *tls;            /**< HTTPS (referenced), NULL: HTTP    */
	const struct list *clients; /**< struct ipnet allowed, NULL: any   */
	uint32_t conn_max;          /**< Connections open at once          */
	uint32_t req_max;           /**< Longest request head, bytes       */
	uint32_t read_ms;           /**< Time a client has to send it      */
};

/**
 * A request arrived (its head; no body is read)
 *
 * @param c   Connection: answer it with httpd_reply()
 * @param msg The request
 * @param arg Handler argument
 */
typedef void (httpd_req_h)(struct httpd_conn *c, const struct http_msg *msg,
			   void *arg);

int  httpd_alloc(struct httpd **hp, const struct httpd_prm *prm,
		 httpd_req_h *reqh, void *arg);
void httpd_reply(struct httpd_conn *c, uint16_t scode, const char *reason,
		 const char *ctype, const char *hdrs, const struct mbuf *body);
void httpd_head_only(struct httpd_conn *c);
const struct sa *httpd_peer(const struct httpd_conn *c);
struct tls_conn *httpd_tls(const struct httpd_conn *c);
uint64_t httpd_refused(const struct httpd *h);

#endif
