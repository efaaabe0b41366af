/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file ttls.c  TURN server: the TLS context of the TLS listeners
 *
 * The certificate chain and key come from turn_tls_cert and
 * turn_tls_key; TLS 1.2 is the minimum. Clients are not asked for a
 * certificate: they authenticate with their TURN credentials.
 */
#include <openssl/ssl.h>
#include <re.h>
#define DEBUG_MODULE "turnd"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "turnd_priv.h"
#include "tlsmat.h"


/**
 * Create the TLS context
 *
 * @param tlsp Pointer to allocated context
 * @param ct   TURN settings: turn_tls_cert, turn_tls_key
 *
 * @return 0 if success, otherwise errorcode
 */
int ttls_alloc(struct tls **tlsp, const struct cfg_turn *ct)
{
	struct ssl_ctx_st *ctx;
	struct tls *tls;
	int err;

	if (!tlsp || !ct)
		return EINVAL;

	err = tls_alloc(&tls, TLS_METHOD_SSLV23, NULL, NULL);
	if (err)
		return err;

	ctx = tls_openssl_context(tls);
	if (!ctx ||
	    1 != SSL_CTX_use_certificate_chain_file(ctx, ct->tls_cert) ||
	    1 != SSL_CTX_use_PrivateKey_file(ctx, ct->tls_key,
					     SSL_FILETYPE_PEM) ||
	    1 != SSL_CTX_check_private_key(ctx) ||
	    1 != SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION)) {
		DEBUG_WARNING("turn_tls_cert %s, turn_tls_key %s: cannot "
			      "load, or they do not match\n", ct->tls_cert,
			      ct->tls_key);
		mem_deref(tls);
		return EINVAL;
	}

	*tlsp = tls;

	return 0;
}


/**
 * Read and check the TURN TLS files of a reload: nothing changes yet
 *
 * @param tls Running context, NULL without a TLS listener
 * @param ct  New TURN settings
 * @param mp  The material, NULL without a TLS listener
 * @param why Buffer for the reason it cannot be used
 * @param sz  Its size
 *
 * @return 0 if success, otherwise errorcode (the reload is refused)
 */
int ttls_prepare(const struct tls *tls, const struct cfg_turn *ct,
		 struct tlsmat **mp, char *why, size_t sz)
{
	*mp = NULL;
	if (!tls)
		return 0;

	return tlsmat_load(mp, ct->tls_cert, ct->tls_key, NULL, why, sz);
}
