/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tlsmat.c  TLS material renewed in place (hitless certificate
 *                 renewal)
 *
 * libre's struct tls owns one SSL_CTX, and its holders (libre's SIP
 * transports, umedge's streams, TURN, the credential service) keep
 * their pointer to it, so the context cannot be swapped; it is changed
 * in place instead. OpenSSL copies a context's certificates into each
 * SSL at SSL_new(), so an established connection keeps what it was
 * made with. A renewal is read and checked first (tlsmat_load(): the
 * chain and key files once each, the key against the certificate, the
 * CA file into a new store), so a reload can be refused whole before
 * anything changes; tlsmat_apply() then hangs it on the context: a
 * certificate callback puts it into each new SSL (its certificates
 * cleared first, so a key of another type replaces the old one rather
 * than standing beside it), and the CA store is replaced. The material
 * belongs to the context (its ex_data, freed with it).
 */
#include <string.h>
#include <openssl/ssl.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/err.h>
#include <re.h>
#include "tlsmat.h"


/** Certificate chain, key and peers' CAs */
struct tlsmat {
	X509 *cert;              /**< Leaf certificate            */
	STACK_OF(X509) *chain;   /**< Intermediates, may be empty */
	EVP_PKEY *key;           /**< Its private key             */
	X509_STORE *store;       /**< CAs of peers, or NULL       */
	unsigned char fp[32];    /**< SHA-256 of the leaf         */
};


static void tlsmat_destructor(void *data)
{
	struct tlsmat *m = data;

	X509_free(m->cert);
	sk_X509_pop_free(m->chain, X509_free);
	EVP_PKEY_free(m->key);
	X509_STORE_free(m->store);
}


/* the leaf and the rest of a PEM chain file */
static int chain_read(struct tlsmat *m, const char *path)
{
	BIO *bio = BIO_new_file(path, "r");
	X509 *x;
	int err = 0;

	if (!bio)
		return ENOENT;

	m->cert = PEM_read_bio_X509_AUX(bio, NULL, NULL, NULL);
	m->chain = sk_X509_new_null();
	if (!m->cert || !m->chain) {
		err = EINVAL;
		goto out;
	}

	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
		if (!sk_X509_push(m->chain, x)) {
			X509_free(x);
			err = ENOMEM;
			goto out;
		}
	}
	ERR_clear_error();    /* the end of the file */

 out:
	BIO_free(bio);
	return err;
}


static int key_read(struct tlsmat *m, const char *path)
{
	BIO *bio = BIO_new_file(path, "r");

	if (!bio)
		return ENOENT;

	m->key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);

	if (!m->key || 1 != X509_check_private_key(m->cert, m->key))
		return EINVAL;

	return 0;
}


static int store_read(struct tlsmat *m, const char *path)
{
	m->store = X509_STORE_new();
	if (!m->store)
		return ENOMEM;

	return 1 == X509_STORE_load_file(m->store, path) ? 0 : EINVAL;
}


/**
 * Read and check TLS material: nothing is in force yet
 *
 * @param mp   Pointer to allocated material
 * @param cert Certificate chain file (PEM), leaf first
 * @param key  Its private key (PEM)
 * @param ca   CAs of peers (PEM), NULL or "" for none
 * @param why  Buffer for the reason it cannot be used
 * @param sz   Its size
 *
 * @return 0 if success, otherwise errorcode
 */
int tlsmat_load(struct tlsmat **mp, const char *cert, const char *key,
		const char *ca, char *why, size_t sz)
{
	struct tlsmat *m;
	unsigned int n = 0;
	int err;

	if (!mp || !cert || !key || !why)
		return EINVAL;

	m = mem_zalloc(sizeof(*m), tlsmat_destructor);
	if (!m)
		return ENOMEM;

	err = chain_read(m, cert);
	if (err) {
		(void)re_snprintf(why, sz, "%s: no certificate chain", cert);
		goto out;
	}

	err = key_read(m, key);
	if (err) {
		(void)re_snprintf(why, sz, "%s: no key, or it does not match "
				  "%s", key, cert);
		goto out;
	}

	if (ca && ca[0] && store_read(m, ca)) {
		(void)re_snprintf(why, sz, "%s: no CA certificates", ca);
		err = EINVAL;
		goto out;
	}

	(void)X509_digest(m->cert, EVP_sha256(), m->fp, &n);

 out:
	ERR_clear_error();
	if (err)
		mem_deref(m);
	else
		*mp = m;

	return err;
}


static void ex_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
		    long argl, void *argp)
{
	(void)parent;
	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;

	mem_deref(ptr);
}


/* the SSL_CTX's slot for the material in force, freed with it */
static int mat_index(void)
{
	static int idx = -1;

	if (idx < 0)
		idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, ex_free);

	return idx;
}


/* each new SSL takes the material in force, and nothing else */
static int cert_cb(SSL *ssl, void *arg)
{
	const struct tlsmat *m = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl),
						     mat_index());
	(void)arg;

	if (!m)
		return 1;

	SSL_certs_clear(ssl);

	return SSL_use_cert_and_key(ssl, m->cert, m->key, m->chain, 1);
}


/**
 * Put material in force for the context's new handshakes; connections
 * made already keep theirs
 *
 * @param tls Running context
 * @param m   Material (the context takes a reference)
 *
 * @return 0 if success, otherwise errorcode
 */
int tlsmat_apply(struct tls *tls, struct tlsmat *m)
{
	SSL_CTX *ctx = tls ? tls_openssl_context(tls) : NULL;
	struct tlsmat *old;

	if (!ctx || !m || mat_index() < 0)
		return EINVAL;

	old = SSL_CTX_get_ex_data(ctx, mat_index());
	if (1 != SSL_CTX_set_ex_data(ctx, mat_index(), mem_ref(m))) {
		mem_deref(m);
		return ENOMEM;
	}
	mem_deref(old);

	SSL_CTX_set_cert_cb(ctx, cert_cb, NULL);
	if (m->store) {
		X509_STORE_up_ref(m->store);
		SSL_CTX_set_cert_store(ctx, m->store);
	}

	return 0;
}


/**
 * Whether the material's leaf certificate is the one the context hands
 * out now (a reload with unchanged files changes nothing)
 *
 * @param m   Material
 * @param tls Running context
 *
 * @return true if it is the same certificate
 */
bool tlsmat_same(const struct tlsmat *m, struct tls *tls)
{
	SSL_CTX *ctx = tls ? tls_openssl_context(tls) : NULL;
	const struct tlsmat *cur;
	unsigned char fp[32];
	unsigned int n = 0;
	X509 *x;

	if (!m || !ctx)
		return false;

	cur = SSL_CTX_get_ex_data(ctx, mat_index());
	if (cur)
		return !memcmp(cur->fp, m->fp, sizeof(fp));

	x = SSL_CTX_get0_certificate(ctx);

	return x && 1 == X509_digest(x, EVP_sha256(), fp, &n) &&
		!memcmp(fp, m->fp, sizeof(fp));
}
