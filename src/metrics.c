/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file metrics.c  The Prometheus endpoint: GET /metrics
 *
 * Served by httpd on metrics_listen. Who may scrape: metrics_client,
 * else sip_internal_network; anyone else has the connection closed
 * before anything is read. GET /metrics answers the text exposition
 * format (0.0.4), HEAD its headers; another path 404, another method
 * 405. A scrape is written in one pass over the parts' counters, on
 * the main thread; the relay's per-packet counters are read, never
 * locked.
 */
#include <string.h>
#include <re.h>
#define DEBUG_MODULE "metrics"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "cfg.h"
#include "promfmt.h"
#include "httpd.h"
#include "metrics.h"


enum {
	CONN_MAX = 16,     /**< Scrapers at once              */
	REQ_MAX  = 8192,   /**< Longest request head          */
	READ_MS  = 5000,   /**< Time to send it               */
};

/** The endpoint */
struct metrics {
	const struct cfg *cfg;   /**< Configuration (referenced): the
				      clients list lives there        */
	struct httpd *httpd;     /**< Listener                      */
	metrics_h *h;            /**< Writes a scrape               */
	void *arg;               /**< Its argument                  */
};


static void metrics_destructor(void *data)
{
	struct metrics *m = data;

	mem_deref(m->httpd);
	mem_deref((void *)m->cfg);
}


static void text_reply(struct httpd_conn *c, uint16_t scode,
		       const char *reason, const char *hdrs)
{
	struct mbuf *mb = mbuf_alloc(64);

	if (mb)
		(void)mbuf_printf(mb, "%u %s\n", scode, reason);
	httpd_reply(c, scode, reason, "text/plain", hdrs, mb);
	mem_deref(mb);
}


static void req_handler(struct httpd_conn *c, const struct http_msg *msg,
			void *arg)
{
	struct metrics *m = arg;
	bool head = !pl_strcmp(&msg->met, "HEAD");
	struct mbuf *mb;

	if (!head && pl_strcmp(&msg->met, "GET")) {
		text_reply(c, 405, "Method Not Allowed",
			   "Allow: GET, HEAD\r\n");
		return;
	}

	if (pl_strcmp(&msg->path, "/metrics")) {
		text_reply(c, 404, "Not Found", NULL);
		return;
	}

	mb = mbuf_alloc(16384);
	if (!mb || m->h(mb, m->arg)) {
		text_reply(c, 500, "Internal Server Error", NULL);
		mem_deref(mb);
		return;
	}

	if (head)
		httpd_head_only(c);
	httpd_reply(c, 200, "OK", PROMFMT_CTYPE, NULL, mb);
	mem_deref(mb);
}


/**
 * Serve /metrics on metrics_listen
 *
 * @param mp  Pointer to allocated endpoint
 * @param cfg Configuration (metrics_*), referenced
 * @param h   Writes a scrape
 * @param arg Its argument
 *
 * @return 0 if success, otherwise errorcode
 */
int metrics_alloc(struct metrics **mp, const struct cfg *cfg,
		  metrics_h *h, void *arg)
{
	const struct cfg_iface *ifc;
	struct httpd_prm prm;
	struct metrics *m;
	struct sa laddr;
	int err;

	if (!mp || !cfg || !h || !cfg->metrics.lsn.iface[0])
		return EINVAL;

	ifc = cfg_iface_find(cfg, cfg->metrics.lsn.iface);
	if (!ifc)
		return ENOENT;

	m = mem_zalloc(sizeof(*m), metrics_destructor);
	if (!m)
		return ENOMEM;

	m->cfg = mem_ref((void *)cfg);
	m->h = h;
	m->arg = arg;
	sa_cpy(&laddr, &ifc->addr);
	sa_set_port(&laddr, cfg->metrics.lsn.port);

	memset(&prm, 0, sizeof(prm));
	prm.laddr = &laddr;
	prm.clients = cfg->metrics.clients.head ? &cfg->metrics.clients :
		&cfg->sip.internal_nets;
	prm.conn_max = CONN_MAX;
	prm.req_max = REQ_MAX;
	prm.read_ms = READ_MS;

	err = httpd_alloc(&m->httpd, &prm, req_handler, m);
	if (err) {
		DEBUG_WARNING("cannot listen on %J: %m\n", &laddr, err);
		mem_deref(m);
		return err;
	}

	DEBUG_NOTICE("metrics on http://%J/metrics\n", &laddr);
	*mp = m;

	return 0;
}
