/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file b2b.h  SIP B2BUA front end: the public API
 *
 * Terminates gateway SIP outside (UDP, TCP, TLS), opens a second,
 * independent dialog to a UM host inside (TCP, mutual TLS), follows
 * the host's 3xx itself, and anchors the media on the relay through
 * its C API. Listeners on an interface whose address lies in a
 * sip_internal_network are inside; all others are outside.
 */
#ifndef UMEDGE_B2B_H
#define UMEDGE_B2B_H

struct b2b;
struct cfg;
struct relay;

int  b2b_alloc(struct b2b **b2bp, const struct cfg *cfg,
	       struct relay *relay);
void b2b_set_cfg(struct b2b *b2b, const struct cfg *cfg);
int  b2b_status(struct re_printf *pf, const struct b2b *b2b);
int  b2b_calls_print(struct re_printf *pf, const struct b2b *b2b);
unsigned b2b_count(const struct b2b *b2b);
void b2b_set_draining(struct b2b *b2b, bool on);
struct tlsmat;
struct b2b_lprep;
int  b2b_listen_prepare(const struct b2b *b2b, const struct cfg *cfg,
			struct b2b_lprep **pp, char *msg, size_t sz);
void b2b_listen_commit(struct b2b *b2b, struct b2b_lprep *p);
int  b2b_tls_prepare(const struct b2b *b2b, const struct cfg *cfg,
		     struct tlsmat **mp, char *why, size_t sz);
void b2b_tls_commit(struct b2b *b2b, const struct cfg *cfg,
		    struct tlsmat *m);
void b2b_hangup_all(struct b2b *b2b, const char *cause);
int  b2b_metrics(struct mbuf *mb, const struct b2b *b2b, bool per_host);
struct jsonw;
void b2b_json(struct jsonw *w, const struct b2b *b2b);
void b2b_calls_json(struct jsonw *w, const struct b2b *b2b);

/**
 * A call's stored state changed
 *
 * @param id  Its relay id
 * @param arg Handler argument
 */
typedef void (b2b_change_h)(const char *id, void *arg);
void b2b_set_change_handler(struct b2b *b2b, b2b_change_h *h, void *arg);
int  b2b_call_export(struct mbuf *mb, const struct b2b *b2b, const char *id,
		     bool keys);
int  b2b_call_import(struct b2b *b2b, const char *buf, size_t len,
		     bool relay);

#endif
