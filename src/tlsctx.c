/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tlsctx.c  TLS contexts that verify the peer
 */
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <re.h>
#define DEBUG_MODULE "tls"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "cfg.h"
#include "elog.h"
#include "tlsctx.h"


/* Inside, the peer is a UM host: its certificate must name one of
 * them (tls_name, else the host as configured), in both roles */
static int names_set(struct ssl_ctx_st *ctx, const struct list *umhosts)
{
	X509_VERIFY_PARAM *param = SSL_CTX_get0_param(ctx);

	X509_VERIFY_PARAM_set_hostflags(param,
					X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);

	for (struct le *le = list_head(umhosts); le; le = le->next) {
		const struct cfg_host *h = le->data;
		const char *name = h->tls_name[0] ? h->tls_name : h->host;

		if (1 != X509_VERIFY_PARAM_add1_host(param, name, 0))
			return ENOMEM;
	}

	return 0;
}


/**
 * Set the names a UM host's certificate must carry anew (a reload that
 * changed the UM hosts): for new handshakes
 *
 * @param tls     Inside TLS context
 * @param umhosts struct cfg_host list
 *
 * @return 0 if success, otherwise errorcode
 */
int tlsctx_names_set(struct tls *tls, const struct list *umhosts)
{
	struct ssl_ctx_st *ctx = tls ? tls_openssl_context(tls) : NULL;

	if (!ctx)
		return EINVAL;

	/* NULL clears the list the names were added to */
	(void)X509_VERIFY_PARAM_set1_host(SSL_CTX_get0_param(ctx), NULL, 0);

	return names_set(ctx, umhosts);
}


/* The SSL_CTX's slot for the gateway sets (struct cfg_gwset list) */
static int gw_index(void)
{
	static int idx = -1;

	if (idx < 0)
		idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);

	return idx;
}


static bool gw_named(X509 *cert, const struct list *sets)
{
	for (struct le *le = list_head(sets); le; le = le->next) {
		const struct cfg_gwset *set = le->data;

		for (struct le *ge = set->gws.head; ge; ge = ge->next) {
			const struct cfg_host *h = ge->data;
			const char *name = h->tls_name[0] ? h->tls_name :
				h->host;

			if (h->tp == CFG_TLS &&
			    1 == X509_check_host(cert, name, 0,
				    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS,
				    NULL))
				return true;
		}
	}

	return false;
}


/* Outside, a gateway the edge connects to must be named by its
 * certificate: the tls_name (else the host) of one of the tls gateways.
 * A gateway connecting to the edge is trusted by its address
 * (sip_gateway) and its CA. */
static int gw_verify(int ok, X509_STORE_CTX *sctx)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(sctx,
				SSL_get_ex_data_X509_STORE_CTX_idx());
	const struct list *sets;

	if (!ok || !ssl || SSL_is_server(ssl) ||
	    X509_STORE_CTX_get_error_depth(sctx) != 0)
		return ok;

	sets = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), gw_index());
	if (gw_named(X509_STORE_CTX_get_current_cert(sctx), sets))
		return 1;

	X509_STORE_CTX_set_error(sctx, X509_V_ERR_HOSTNAME_MISMATCH);

	return 0;
}


/**
 * Give an outside context the gateway sets whose names the gateways'
 * certificates must carry (again on each reload)
 *
 * @param tls    TLS context made with gwsets
 * @param gwsets struct cfg_gwset list, which must outlive its use here
 */
void tlsctx_gwsets_set(struct tls *tls, const struct list *gwsets)
{
	if (tls && gw_index() >= 0)
		(void)SSL_CTX_set_ex_data(tls_openssl_context(tls),
					  gw_index(), (void *)gwsets);
}


/**
 * Make a TLS context that verifies its peers
 *
 * @param tlsp Pointer to allocated context
 * @param prm  Certificate, key, CA file, whether a peer certificate is
 *             required, and the names it must carry (or NULL)
 *
 * @return 0 if success, otherwise errorcode
 */
int tlsctx_alloc(struct tls **tlsp, const struct tlsctx_prm *prm)
{
	struct ssl_ctx_st *ctx;
	struct tls *tls;
	int err;

	if (!tlsp || !prm || !prm->what || !prm->cert || !prm->key)
		return EINVAL;

	err = tls_alloc(&tls, TLS_METHOD_SSLV23, NULL, NULL);
	if (err)
		return err;

	ctx = tls_openssl_context(tls);
	if (1 != SSL_CTX_use_certificate_chain_file(ctx, prm->cert)) {
		elog_err("%s_cert: cannot load %s\n", prm->what, prm->cert);
		err = EINVAL;
		goto out;
	}

	if (1 != SSL_CTX_use_PrivateKey_file(ctx, prm->key,
					     SSL_FILETYPE_PEM) ||
	    1 != SSL_CTX_check_private_key(ctx)) {
		elog_err("%s_key: cannot load %s, or it does not match "
			 "the certificate\n", prm->what, prm->key);
		err = EINVAL;
		goto out;
	}

	(void)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (!prm->ca || !prm->ca[0])
		goto out;

	err = tls_add_ca(tls, prm->ca);
	if (err) {
		elog_err("%s_ca: cannot load %s\n", prm->what, prm->ca);
		goto out;
	}

	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | (prm->require ?
			   SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0),
			   prm->gwsets ? gw_verify : NULL);

	if (prm->umhosts)
		err = names_set(ctx, prm->umhosts);
	if (prm->gwsets)
		tlsctx_gwsets_set(tls, prm->gwsets);

 out:
	if (err)
		mem_deref(tls);
	else
		*tlsp = tls;

	return err;
}
