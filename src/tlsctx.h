/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tlsctx.h  TLS contexts that verify: SIP's mutual TLS, the
 *                 credential service's HTTPS
 *
 * libre's tls_set_verify_client() accepts any client certificate
 * (design-notes §2). Here the OpenSSL context itself verifies a peer's
 * certificate against a CA file, with TLS 1.2 at least: one from another
 * CA fails the handshake. SIP requires a certificate from the peer in
 * both roles (sip_tls_ca); inside, it must also name one of the UM hosts
 * (sip_um_host tls_name=, else its host); outside, a gateway the edge
 * connects to must name one of the tls gateways (sip_gw tls_name=, else
 * its host: OpenSSL's verify callback, for the client role only). The credential service asks
 * for one, but a client without one may still use the bearer key.
 */
#ifndef UMEDGE_TLSCTX_H
#define UMEDGE_TLSCTX_H

/** What a TLS context is made of */
struct tlsctx_prm {
	const char *what;             /**< Key prefix, for errors: "sip_tls" */
	const char *cert;             /**< Our certificate chain (PEM)       */
	const char *key;              /**< Its private key (PEM)             */
	const char *ca;               /**< CAs of peers, "" for none         */
	bool require;                 /**< A peer without one is refused     */
	const struct list *umhosts;   /**< Names a peer must have, or NULL   */
	const struct list *gwsets;    /**< Sets whose tls gateways name the
				           servers we connect to, or NULL */
};

int  tlsctx_alloc(struct tls **tlsp, const struct tlsctx_prm *prm);
void tlsctx_gwsets_set(struct tls *tls, const struct list *gwsets);
int  tlsctx_names_set(struct tls *tls, const struct list *umhosts);

#endif
