/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tlsmat.c  Tests: TLS material renewed in place. An SSL made
 *                 before tlsmat_apply() keeps the old certificate, one
 *                 made after gets the new one, also of another key
 *                 type; a key that does not match is refused
 *
 * Certificates are made here (self-signed, serials 1, 2 and 3) and the
 * handshakes run in memory (BIO pairs), no socket.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <openssl/ssl.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/err.h>
#include <re.h>
#include "tlsmat.h"
#include "test.h"


/* a self-signed certificate and its key, written to PATH.crt/.key */
static int mkcert(const char *path, long serial, bool rsa)
{
	EVP_PKEY *key = rsa ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA",
						(size_t)2048) :
		EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *x = X509_new();
	char name[256];
	FILE *f;
	int err = ENOMEM;

	if (!key || !x)
		goto out;

	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, key);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
				   MBSTRING_ASC,
				   (const unsigned char *)"tlsmat.test", -1,
				   -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	if (!X509_sign(x, key, EVP_sha256()))
		goto out;

	(void)re_snprintf(name, sizeof(name), "%s.crt", path);
	f = fopen(name, "w");
	if (!f || !PEM_write_X509(f, x))
		goto close;
	fclose(f);
	(void)re_snprintf(name, sizeof(name), "%s.key", path);
	f = fopen(name, "w");
	if (!f || !PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL))
		goto close;
	err = 0;

 close:
	if (f)
		fclose(f);
 out:
	X509_free(x);
	EVP_PKEY_free(key);
	return err;
}


/* a handshake of a server SSL with a fresh client; the serial the
 * client sees, -1 on failure */
static long handshake(SSL *srv)
{
	SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
	SSL *cli = cctx ? SSL_new(cctx) : NULL;
	BIO *b1 = NULL, *b2 = NULL;
	long serial = -1;

	if (!cli || !BIO_new_bio_pair(&b1, 0, &b2, 0))
		goto out;

	SSL_set_bio(cli, b1, b1);
	SSL_set_bio(srv, b2, b2);
	SSL_set_connect_state(cli);
	SSL_set_accept_state(srv);

	for (int i = 0; i < 20; i++) {
		int rc = SSL_do_handshake(cli);

		(void)SSL_do_handshake(srv);
		if (rc == 1) {
			X509 *x = SSL_get1_peer_certificate(cli);

			serial = x ? ASN1_INTEGER_get(
				X509_get0_serialNumber(x)) : -1;
			X509_free(x);
			break;
		}
	}

 out:
	SSL_free(cli);
	SSL_CTX_free(cctx);
	ERR_clear_error();
	return serial;
}


int test_tlsmat_renew(void)
{
	char dir[] = "/tmp/umtest-tlsmat-XXXXXX", p[3][300] = {"", "", ""};
	char why[256];
	struct tls *tls = NULL;
	struct tlsmat *m = NULL, *bad = NULL;
	SSL *before = NULL, *after = NULL, *third = NULL;
	char c[300], k[300];
	int err = 0;

	TEST_ASSERT(mkdtemp(dir) != NULL);
	for (int i = 0; i < 3; i++) {
		(void)re_snprintf(p[i], sizeof(p[i]), "%s/c%d", dir, i + 1);
		TEST_ERR(mkcert(p[i], i + 1, i == 2));
	}

	(void)re_snprintf(c, sizeof(c), "%s.crt", p[0]);
	(void)re_snprintf(k, sizeof(k), "%s.key", p[0]);
	TEST_ERR(tls_alloc(&tls, TLS_METHOD_SSLV23, NULL, NULL));
	TEST_ASSERT(1 == SSL_CTX_use_certificate_file(tls_openssl_context(tls),
						       c, SSL_FILETYPE_PEM));
	TEST_ASSERT(1 == SSL_CTX_use_PrivateKey_file(tls_openssl_context(tls),
						      k, SSL_FILETYPE_PEM));

	before = SSL_new(tls_openssl_context(tls));
	TEST_ASSERT(before != NULL);

	/* a key that does not match its certificate is refused */
	(void)re_snprintf(c, sizeof(c), "%s.crt", p[1]);
	TEST_EQUALS(EINVAL, tlsmat_load(&bad, c, k, NULL, why,
					  sizeof(why)));
	TEST_CONTAINS(why, "does not match");

	(void)re_snprintf(k, sizeof(k), "%s.key", p[1]);
	TEST_ERR(tlsmat_load(&m, c, k, NULL, why, sizeof(why)));
	TEST_ASSERT(!tlsmat_same(m, tls));
	TEST_ERR(tlsmat_apply(tls, m));
	TEST_ASSERT(tlsmat_same(m, tls));
	m = mem_deref(m);

	after = SSL_new(tls_openssl_context(tls));
	TEST_ASSERT(after != NULL);
	TEST_EQUALS(1, handshake(before));   /* made before: the old one */
	TEST_EQUALS(2, handshake(after));

	/* an RSA certificate replaces the EC one */
	(void)re_snprintf(c, sizeof(c), "%s.crt", p[2]);
	(void)re_snprintf(k, sizeof(k), "%s.key", p[2]);
	TEST_ERR(tlsmat_load(&m, c, k, NULL, why, sizeof(why)));
	TEST_ERR(tlsmat_apply(tls, m));
	third = SSL_new(tls_openssl_context(tls));
	TEST_ASSERT(third != NULL);
	TEST_EQUALS(3, handshake(third));

 out:
	SSL_free(before);
	SSL_free(after);
	SSL_free(third);
	mem_deref(m);
	mem_deref(bad);
	mem_deref(tls);
	for (int i = 0; i < 3 && p[i][0]; i++) {
		(void)re_snprintf(c, sizeof(c), "%s.crt", p[i]);
		(void)unlink(c);
		(void)re_snprintf(c, sizeof(c), "%s.key", p[i]);
		(void)unlink(c);
	}
	(void)rmdir(dir);
	return err;
}
