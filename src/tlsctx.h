/**
 * @file tlsctx.h  The TLS context for SIP: mutual TLS that verifies
 *
 * libre's tls_set_verify_client() accepts any client certificate
 * (design-notes §2). Here the OpenSSL context itself requires a
 * certificate from the peer, in both roles, that chains to sip_tls_ca,
 * with TLS 1.2 at least: a peer without one, or with one from another
 * CA, fails the handshake. Inside, the certificate must also name one of
 * the UM hosts (sip_um_host tls_name=, else its host).
 */
#ifndef UMEDGE_TLSCTX_H
#define UMEDGE_TLSCTX_H

struct cfg_sip;

int tlsctx_alloc(struct tls **tlsp, const struct cfg_sip *cfg,
		 const struct list *umhosts);

#endif
