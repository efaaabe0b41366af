/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file credsrv.c  The credential service: TURN REST credentials for
 *                  internal clients, over HTTP or HTTPS
 *
 * Like the MRAS role of a Lync A/V Edge, it hands internal workers the
 * time-limited credentials the TURN server accepts (tok_rest_issue(),
 * the token authority's first secret). It listens on cred_listen, which
 * belongs on the internal interface, and answers one request per
 * connection:
 *
 *   1. a source outside cred_client (when given)         403
 *   2. neither the bearer key (Authorization: Bearer) nor
 *      a client certificate from cred_tls_ca             401
 *   3. not GET                                           405
 *   4. not /turn-credentials                             404
 *   5. no valid username (turnuri_user_valid()), or a
 *      ttl that is not a number                          400
 *   6. otherwise 200 and the JSON of turnuri_cred_json(), its ttl the
 *      one asked for within [60, token_ttl], token_ttl by default
 *
 * The HTTP is httpd's (libre's https_listen() keeps its TLS context to
 * itself, so it cannot ask for a client certificate): a request head of
 * 8 KB at most (413 beyond), within 5 s; at most 32 connections open
 * at once.
 */
#include <string.h>
#include <time.h>
#include <re.h>
#define DEBUG_MODULE "cred"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "cfg.h"
#include "tok.h"
#include "ipnet.h"
#include "turnuri.h"
#include "tlsctx.h"
#include "jsonw.h"
#include "words.h"
#include "httpd.h"
#include "tlsmat.h"
#include "promfmt.h"
#include "credsrv.h"


enum {
	REQ_MAX   = 8192,   /**< Longest request head           */
	CONN_MAX  = 32,     /**< Connections open at once        */
	READ_MS   = 5000,   /**< Time to send the request        */
	TTL_MIN   = 60,     /**< Shortest credential (s)         */
};

/** The credential service */
struct credsrv {
	const struct cfg *cfg;    /**< Configuration (referenced)     */
	struct httpd *httpd;      /**< Its listener                   */
	struct tls *tls;          /**< HTTPS, or NULL                 */
	struct sa laddr;          /**< Where it listens               */
	uint64_t issued;          /**< Credentials handed out         */
	uint64_t refused;         /**< 401 and 403                    */
	uint64_t bad;             /**< 400, 404, 405 (and httpd's)    */
	bool draining;            /**< 503 to every request           */
};

/** What the request asks for */
struct creq {
	struct pl user;           /**< username=                      */
	struct pl ttl;            /**< ttl=                           */
};


static void credsrv_destructor(void *data)
{
	struct credsrv *cs = data;

	mem_deref(cs->httpd);
	mem_deref(cs->tls);
	mem_deref((void *)cs->cfg);
}


static void reply(struct httpd_conn *c, uint16_t scode, const char *reason,
		  const char *hdrs, const struct mbuf *body)
{
	httpd_reply(c, scode, reason, "application/json", hdrs, body);
}


static void ereply(struct credsrv *cs, struct httpd_conn *c, uint16_t scode,
		   const char *reason, const char *hdrs, const char *why)
{
	struct mbuf *mb = mbuf_alloc(128);

	if (scode == 401 || scode == 403)
		++cs->refused;
	else
		++cs->bad;

	DEBUG_INFO("%J: %u %s (%s)\n", httpd_peer(c), scode, reason, why);

	if (mb)
		(void)mbuf_printf(mb, "{\"error\":\"%s\"}", why);
	reply(c, scode, reason, hdrs, mb);
	mem_deref(mb);
}


static int param_handler(const struct pl *name, const struct pl *val,
			 void *arg)
{
	struct creq *q = arg;

	if (!pl_strcmp(name, "username"))
		q->user = *val;
	else if (!pl_strcmp(name, "ttl"))
		q->ttl = *val;

	return 0;
}


/* A constant-time comparison of the presented key with ours */
static bool key_equal(const struct pl *got, const char *want)
{
	size_t n = strlen(want);
	uint8_t d = got->l != n;

	for (size_t i = 0; i < n; i++)
		d |= (uint8_t)(i < got->l ? got->p[i] : 0) ^ (uint8_t)want[i];

	return !d;
}


/* "bearer key" or "certificate", or NULL if the client is neither */
static const char *authenticated(const struct credsrv *cs,
				 const struct httpd_conn *c,
				 const struct http_msg *msg)
{
	const struct cfg_cred *cred = &cs->cfg->cred;
	struct tls_conn *sc = httpd_tls(c);
	const struct http_hdr *h = http_msg_hdr(msg, HTTP_HDR_AUTHORIZATION);
	struct pl scheme, key;
	char cn[64];

	if (cred->bearer[0] && h &&
	    !re_regex(h->val.p, h->val.l, "[^ \t]+[ \t]+[^ \t]+", &scheme,
		      NULL, &key) && !pl_strcasecmp(&scheme, "Bearer") &&
	    key_equal(&key, cred->bearer))
		return "bearer key";

	/* libre's tls_peer_verify() is also 0 when no certificate came */
	if (cred->tls_ca[0] && sc && !tls_peer_verify(sc) &&
	    !tls_peer_common_name(sc, cn, sizeof(cn)))
		return "certificate";

	return NULL;
}


static uint32_t ttl_of(const struct credsrv *cs, const struct pl *ttl)
{
	uint32_t v = pl_isset(ttl) ? pl_u32(ttl) : cs->cfg->token_ttl;

	return min(max(v, (uint32_t)TTL_MIN), cs->cfg->token_ttl);
}


static void issue(struct credsrv *cs, struct httpd_conn *c,
		  const struct creq *q, const char *how)
{
	char user[72];
	struct tok_rest cred;
	struct mbuf *mb;
	int err;

	if (pl_strcpy(&q->user, user, sizeof(user)) ||
	    !turnuri_user_valid(user)) {
		ereply(cs, c, 400, "Bad Request", NULL, "username: 1 to 64 of "
		       "A-Z a-z 0-9 . _ @ + -");
		return;
	}

	if (pl_isset(&q->ttl) && !words_isnum(&q->ttl, 9)) {
		ereply(cs, c, 400, "Bad Request", NULL, "ttl: seconds");
		return;
	}

	err = tok_rest_issue(&cred, cs->cfg->keys, user,
			     ttl_of(cs, &q->ttl), (uint64_t)time(NULL));
	mb = mbuf_alloc(512);
	if (err || !mb || turnuri_cred_json(mb, cs->cfg, &cred)) {
		mem_deref(mb);
		ereply(cs, c, 500, "Internal Server Error", NULL,
		       "cannot issue");
		return;
	}

	++cs->issued;
	DEBUG_NOTICE("issued %s (ttl %u s) to %J, by %s\n", cred.username,
		     cred.ttl, httpd_peer(c), how);
	reply(c, 200, "OK", NULL, mb);
	mem_deref(mb);
}


static void handle(struct httpd_conn *c, const struct http_msg *msg,
		   void *arg)
{
	struct credsrv *cs = arg;
	const struct cfg_cred *cred = &cs->cfg->cred;
	struct creq q;
	const char *how;

	if (cs->draining) {
		char ra[32];

		(void)re_snprintf(ra, sizeof(ra), "Retry-After: %u\r\n",
				  cs->cfg->drain.retry_after);
		ereply(cs, c, 503, "Service Unavailable", ra, "draining");
		return;
	}

	if (cred->clients.head &&
	    !ipnet_match(&cred->clients, httpd_peer(c))) {
		ereply(cs, c, 403, "Forbidden", NULL, "source not allowed");
		return;
	}

	how = authenticated(cs, c, msg);
	if (!how) {
		ereply(cs, c, 401, "Unauthorized",
		       "WWW-Authenticate: Bearer realm=\"umedge\"\r\n",
		       "bearer key or client certificate required");
		return;
	}

	if (pl_strcmp(&msg->met, "GET")) {
		ereply(cs, c, 405, "Method Not Allowed", "Allow: GET\r\n",
		       "GET only");
		return;
	}

	if (pl_strcmp(&msg->path, "/turn-credentials")) {
		ereply(cs, c, 404, "Not Found", NULL,
		       "GET /turn-credentials");
		return;
	}

	memset(&q, 0, sizeof(q));
	(void)uri_headers_apply(&msg->prm, param_handler, &q);
	issue(cs, c, &q, how);
}


static int tls_make(struct credsrv *cs)
{
	const struct cfg_cred *cred = &cs->cfg->cred;
	const struct tlsctx_prm prm = {
		"cred_tls", cred->tls_cert, cred->tls_key, cred->tls_ca,
		false, NULL, NULL
	};

	if (!cred->tls_cert[0])
		return 0;

	return tlsctx_alloc(&cs->tls, &prm);
}


static int listen_start(struct credsrv *cs)
{
	const struct httpd_prm prm = {
		&cs->laddr, cs->tls, NULL, CONN_MAX, REQ_MAX, READ_MS
	};

	return httpd_alloc(&cs->httpd, &prm, handle, cs);
}


/**
 * Start the credential service on cred_listen
 *
 * @param csp Pointer to allocated service
 * @param cfg Configuration (cred_*, token_secret, token_ttl, turn_listen
 *            for the URIs), referenced
 *
 * @return 0 if success, otherwise errorcode
 */
int credsrv_alloc(struct credsrv **csp, const struct cfg *cfg)
{
	const struct cfg_iface *ifc;
	struct credsrv *cs;
	int err;

	if (!csp || !cfg || !cfg->cred.lsn.iface[0])
		return EINVAL;

	ifc = cfg_iface_find(cfg, cfg->cred.lsn.iface);
	if (!ifc)
		return ENOENT;

	cs = mem_zalloc(sizeof(*cs), credsrv_destructor);
	if (!cs)
		return ENOMEM;

	cs->cfg = mem_ref((void *)cfg);
	sa_cpy(&cs->laddr, &ifc->addr);
	sa_set_port(&cs->laddr, cfg->cred.lsn.port);

	err = tls_make(cs);
	if (err)
		goto out;

	err = listen_start(cs);
	if (err) {
		DEBUG_WARNING("cannot listen on %J: %m\n", &cs->laddr, err);
		goto out;
	}

	DEBUG_NOTICE("credential service on %s://%J/turn-credentials\n",
		     cs->tls ? "https" : "http", &cs->laddr);

 out:
	if (err)
		mem_deref(cs);
	else
		*csp = cs;

	return err;
}


/**
 * Read and check the HTTPS files of a reload (cred_tls_cert, _key,
 * _ca): nothing changes yet
 *
 * @param cs  Credential service, NULL if off
 * @param cfg New configuration
 * @param mp  The material, NULL over plain HTTP
 * @param why Buffer for the reason it cannot be used
 * @param sz  Its size
 *
 * @return 0 if success, otherwise errorcode (the reload is refused)
 */
int credsrv_tls_prepare(const struct credsrv *cs, const struct cfg *cfg,
			struct tlsmat **mp, char *why, size_t sz)
{
	const struct cfg_cred *c = &cfg->cred;

	*mp = NULL;
	if (!cs || !cs->tls)
		return 0;

	return tlsmat_load(mp, c->tls_cert, c->tls_key, c->tls_ca, why, sz);
}


/**
 * Put renewed HTTPS material in force for new connections
 *
 * @param cs Credential service
 * @param m  Material from credsrv_tls_prepare(), or NULL
 */
void credsrv_tls_commit(struct credsrv *cs, struct tlsmat *m)
{
	if (cs && m && tlsmat_apply(cs->tls, m))
		DEBUG_WARNING("reload: TLS could not be renewed\n");
}


/**
 * Start or stop refusing requests (a drain): 503
 *
 * @param cs Credential service, NULL if off
 * @param on Whether requests get 503
 */
void credsrv_set_draining(struct credsrv *cs, bool on)
{
	if (cs)
		cs->draining = on;
}


/**
 * Print the service's state for umedgectl status
 *
 * @param pf Print handler
 * @param cs Service, or NULL if there is none
 *
 * @return 0 if success, otherwise errorcode
 */
int credsrv_status(struct re_printf *pf, const struct credsrv *cs)
{
	if (!cs)
		return re_hprintf(pf, "cred: off\n");

	return re_hprintf(pf, "cred: %s://%J, %llu issued, %llu refused, "
			  "%llu bad requests\n", cs->tls ? "https" : "http",
			  &cs->laddr, (unsigned long long)cs->issued,
			  (unsigned long long)cs->refused,
			  (unsigned long long)(cs->bad + httpd_refused(cs->httpd)));
}


/**
 * Write the credential service's state as the member "cred" of a JSON
 * object (null when it is off)
 *
 * @param w  JSON writer, inside an object
 * @param cs Credential service, NULL if off
 */
void credsrv_json(struct jsonw *w, const struct credsrv *cs)
{
	char url[80];

	if (!cs) {
		jsonw_null(w, "cred");
		return;
	}

	(void)re_snprintf(url, sizeof(url), "%s://%J",
			  cs->tls ? "https" : "http", &cs->laddr);
	jsonw_obj(w, "cred");
	jsonw_str(w, "url", url);
	jsonw_u64(w, "issued", cs->issued);
	jsonw_u64(w, "refused", cs->refused);
	jsonw_u64(w, "bad", cs->bad + httpd_refused(cs->httpd));
	jsonw_close(w);
}


/**
 * Write the credential service's metrics
 *
 * @param mb Buffer
 * @param cs Credential service, NULL if off
 *
 * @return 0 if success, otherwise errorcode
 */
int credsrv_metrics(struct mbuf *mb, const struct credsrv *cs)
{
	const char *name = "umedge_cred_requests_total";
	int err;

	if (!cs)
		return 0;

	err  = promfmt_family(mb, name, PROMFMT_COUNTER, "Credential "
			      "requests: issued, refused (401, 403), bad "
			      "(400, 404, 405, 413)");
	err |= promfmt_sample(mb, name, "result=\"issued\"", cs->issued);
	err |= promfmt_sample(mb, name, "result=\"refused\"", cs->refused);
	err |= promfmt_sample(mb, name, "result=\"bad\"",
			      cs->bad + httpd_refused(cs->httpd));

	return err;
}
