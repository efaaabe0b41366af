/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file credsrv.h  The credential service (MRAS-like): TURN credentials
 *                  over HTTP(S) for internal clients
 *
 *   GET /turn-credentials?username=worker1&ttl=600
 *   Authorization: Bearer <cred_bearer_key>     (or a client certificate)
 *
 *   200 {"username":"<expiry>:worker1","password":"...","ttl":600,
 *        "uris":["turn:203.0.113.1:3478?transport=udp", ...]}
 */
#ifndef UMEDGE_CREDSRV_H
#define UMEDGE_CREDSRV_H

struct cfg;
struct credsrv;

int credsrv_alloc(struct credsrv **csp, const struct cfg *cfg);
int credsrv_status(struct re_printf *pf, const struct credsrv *cs);
void credsrv_set_draining(struct credsrv *cs, bool on);
struct tlsmat;
int  credsrv_tls_prepare(const struct credsrv *cs, const struct cfg *cfg,
			 struct tlsmat **mp, char *why, size_t sz);
void credsrv_tls_commit(struct credsrv *cs, struct tlsmat *m);
int credsrv_metrics(struct mbuf *mb, const struct credsrv *cs);
struct jsonw;
void credsrv_json(struct jsonw *w, const struct credsrv *cs);

#endif
