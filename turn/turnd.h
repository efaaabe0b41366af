/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file turnd.h  TURN server (RFC 5766/8656): the public API
 *
 * Workers behind NAT reach external peers through allocations on the
 * edge, authorised by TURN REST credentials from the token authority.
 * Everything runs in the main thread. docs/turn.md describes the
 * protocol behaviour.
 */
#ifndef UMEDGE_TURND_H
#define UMEDGE_TURND_H

struct cfg;
struct portpool;
struct turnd;

int  turnd_alloc(struct turnd **turndp, const struct cfg *cfg,
		 struct portpool *pool);
void turnd_set_cfg(struct turnd *turnd, const struct cfg *cfg);
int  turnd_input(struct turnd *turnd, const struct sa *src,
		 struct mbuf *mb);
uint32_t turnd_count(const struct turnd *turnd);
void turnd_set_draining(struct turnd *turnd, bool on);
struct tlsmat;
int  turnd_tls_prepare(const struct turnd *turnd, const struct cfg *cfg,
		       struct tlsmat **mp, char *why, size_t sz);
void turnd_tls_commit(struct turnd *turnd, struct tlsmat *m);
int  turnd_listen_prepare(struct turnd *turnd, const struct cfg *cfg,
			  struct list *add, char *why, size_t sz);
void turnd_listen_commit(struct turnd *turnd, const struct cfg *cfg,
			 struct list *add);
uint32_t turnd_resv_count(const struct turnd *turnd);
int  turnd_status(struct re_printf *pf, const struct turnd *turnd);
int  turnd_allocs_print(struct re_printf *pf, const struct turnd *turnd);
int  turnd_metrics(struct mbuf *mb, const struct turnd *turnd);
struct jsonw;
void turnd_json(struct jsonw *w, const struct turnd *turnd);
void turnd_allocs_json(struct jsonw *w, const struct turnd *turnd);

#endif
