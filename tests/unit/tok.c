/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tok.c  Tests: the token authority
 *
 * The vectors were computed outside umedge with OpenSSL:
 *   echo -n "1700000000:alice" |
 *     openssl dgst -sha1 -hmac umedge-test-secret-0001 -binary | base64
 *   echo -n "1.4102444800.relay:external" |
 *     openssl dgst -sha256 -hmac umedge-test-secret-0001 -binary |
 *     base64 | tr '+/' '-_' | tr -d '='
 */
#include <string.h>
#include <re.h>
#include "tok.h"
#include "test.h"


#define SECRET1 "umedge-test-secret-0001"
#define SECRET2 "umedge-test-secret-0002"
#define NOW     1700000000ULL
#define VEC_TOKEN "1.4102444800.relay:external." \
	"WVh0VDvbCb-9hcHEIChXAtGRjg9rZ5NQIoPcr0keS1I"


static int keyring(struct tok_keyring **krp, const char *id,
		   const char *secret)
{
	int err = tok_keyring_alloc(krp);

	if (!err)
		err = tok_keyring_add(*krp, id, (const uint8_t *)secret,
				      strlen(secret));
	if (err)
		*krp = mem_deref(*krp);

	return err;
}


static int verify_str(const struct tok_keyring *kr, const char *tok,
		      const char *scope, uint64_t now)
{
	struct pl pl;

	pl_set_str(&pl, tok);

	return tok_verify(kr, &pl, scope, now, NULL);
}


int test_tok_roundtrip(void)
{
	struct tok_keyring *kr = NULL;
	struct tok_claims claims;
	char tok[TOK_MAX];
	struct pl pl;
	int err;

	err = keyring(&kr, "k1", SECRET1);
	TEST_ERR(err);

	err = tok_issue(tok, sizeof(tok), kr, "relay:call=abc", NOW + 60);
	TEST_ERR(err);

	pl_set_str(&pl, tok);
	err = tok_verify(kr, &pl, "relay:call=abc", NOW, &claims);
	TEST_ERR(err);
	TEST_EQUALS(NOW + 60, claims.expires);
	TEST_STRCMP("relay:call=abc", claims.scope);
	TEST_STRCMP("k1", claims.key->id);

	/* the longest token fits TOK_MAX */
	{
		char scope[TOK_SCOPE_MAX + 1];

		memset(scope, 's', TOK_SCOPE_MAX);
		scope[TOK_SCOPE_MAX] = '\0';
		err = tok_issue(tok, sizeof(tok), kr, scope,
				9999999999999999999ULL);
		TEST_ERR(err);
		pl_set_str(&pl, tok);
		TEST_EQUALS(0, tok_verify(kr, &pl, scope, NOW, NULL));
	}

	/* a buffer too small is refused, not truncated */
	TEST_EQUALS(ENOMEM, tok_issue(tok, 40, kr, "relay", NOW));
	TEST_EQUALS(EINVAL, tok_issue(tok, sizeof(tok), kr, "a.b", NOW));
	TEST_EQUALS(EINVAL, tok_issue(tok, sizeof(tok), kr, "", NOW));

 out:
	mem_deref(kr);
	return err;
}


/* Our issuer reproduces the vector computed with openssl dgst */
int test_tok_vector(void)
{
	struct tok_keyring *kr = NULL;
	char tok[TOK_MAX];
	int err;

	err = keyring(&kr, "k1", SECRET1);
	TEST_ERR(err);

	err = tok_issue(tok, sizeof(tok), kr, "relay:external", 4102444800);
	TEST_ERR(err);
	TEST_STRCMP(VEC_TOKEN, tok);

	err = verify_str(kr, VEC_TOKEN, "relay:external", NOW);
	TEST_ERR(err);

 out:
	mem_deref(kr);
	return err;
}


int test_tok_forged(void)
{
	struct tok_keyring *kr = NULL, *other = NULL;
	char tok[TOK_MAX];
	int err;

	err  = keyring(&kr, "k1", SECRET1);
	err |= keyring(&other, "evil", SECRET2);
	TEST_ERR(err);

	/* signed with a secret we do not hold */
	err = tok_issue(tok, sizeof(tok), other, "relay", NOW + 60);
	TEST_ERR(err);
	TEST_EQUALS(EKEYREJECTED, verify_str(kr, tok, "relay", NOW));

	/* one MAC character flipped */
	str_ncpy(tok, VEC_TOKEN, sizeof(tok));
	tok[strlen(tok) - 1] = tok[strlen(tok) - 1] == 'A' ? 'B' : 'A';
	TEST_EQUALS(EKEYREJECTED, verify_str(kr, tok, NULL, NOW));

	/* expiry extended, MAC kept */
	TEST_EQUALS(EKEYREJECTED, verify_str(kr, "1.4102444801.relay:external."
		"WVh0VDvbCb-9hcHEIChXAtGRjg9rZ5NQIoPcr0keS1I", NULL, NOW));

	/* scope widened, MAC kept */
	TEST_EQUALS(EKEYREJECTED, verify_str(kr, "1.4102444800.relay:*."
		"WVh0VDvbCb-9hcHEIChXAtGRjg9rZ5NQIoPcr0keS1I", NULL, NOW));

	/* forged and expired says forged: nothing is learnt */
	TEST_EQUALS(EKEYREJECTED, verify_str(other, VEC_TOKEN, NULL,
					     5000000000ULL));
	err = 0;

 out:
	mem_deref(other);
	mem_deref(kr);
	return err;
}


int test_tok_expired(void)
{
	struct tok_keyring *kr = NULL;
	char tok[TOK_MAX];
	int err;

	err = keyring(&kr, "k1", SECRET1);
	TEST_ERR(err);

	err = tok_issue(tok, sizeof(tok), kr, "relay", NOW + 10);
	TEST_ERR(err);

	TEST_EQUALS(0, verify_str(kr, tok, "relay", NOW + 9));
	TEST_EQUALS(EKEYEXPIRED, verify_str(kr, tok, "relay", NOW + 10));
	TEST_EQUALS(EKEYEXPIRED, verify_str(kr, tok, "relay", NOW + 1000));
	TEST_EQUALS(EKEYEXPIRED, verify_str(kr, VEC_TOKEN, NULL,
					    4102444800ULL));
	err = 0;

 out:
	mem_deref(kr);
	return err;
}


int test_tok_truncated(void)
{
	struct tok_keyring *kr = NULL;
	char tok[TOK_MAX];
	int err;

	err = keyring(&kr, "k1", SECRET1);
	TEST_ERR(err);

	/* every proper prefix of a valid token is truncated */
	for (size_t n = 0; n < strlen(VEC_TOKEN); n++) {
		int e;

		str_ncpy(tok, VEC_TOKEN, n + 1);
		e = verify_str(kr, tok, NULL, NOW);
		if (e != ENODATA) {
			TEST_FAIL("prefix %zu: %s\n", n, tok_strerror(e));
			err = EINVAL;
			goto out;
		}
	}
	err = 0;

 out:
	mem_deref(kr);
	return err;
}


int test_tok_malformed(void)
{
	static const char *bad[] = {
		"x.4102444800.relay.WVh0VDvbCb-9hcHEIChXAtGRjg9rZ5NQIoPcr0keS1I",
		"1.41024448x0.relay.WVh0VDvbCb-9hcHEIChXAtGRjg9rZ5NQIoPcr0keS1I",
		"1..relay.WVh0VDvbCb-9hcHEIChXAtGRjg9rZ5NQIoPcr0keS1I",
		"1.4102444800..WVh0VDvbCb-9hcHEIChXAtGRjg9rZ5NQIoPcr0keS1I",
		"1.4102444800.re lay.WVh0VDvbCb-9hcHEIChXAtGRjg9rZ5NQIoPcr0keS1I",
		"1.4102444800.relay.WVh0VDvbCb+9hcHEIChXAtGRjg9rZ5NQIoPcr0keS1I",
		"1.4102444800.relay.WVh0VDvbCb-9hcHEIChXAtGRjg9rZ5NQIoPcr0keS1IX",
		"1.4102444800.relay.WVh0VDvbCb-9hcHEIChXAtGRjg9rZ5NQIoPcr0keS1I.",
		"1.99999999999999999999.r.WVh0VDvbCb-9hcHEIChXAtGRjg9rZ5NQIoPcr0keS1I",
		"1.4102444800.relay.WVh0VDvbCb-9hcHEIChXA=GRjg9rZ5NQIoPcr0keS1I",
	};
	struct tok_keyring *kr = NULL;
	int err;

	err = keyring(&kr, "k1", SECRET1);
	TEST_ERR(err);

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int e = verify_str(kr, bad[i], NULL, NOW);
		if (e != EBADMSG) {
			TEST_FAIL("'%s': %s\n", bad[i], tok_strerror(e));
			err = EINVAL;
			goto out;
		}
	}

	TEST_EQUALS(EPROTONOSUPPORT, verify_str(kr, "2.4102444800.relay:"
		"external.WVh0VDvbCb-9hcHEIChXAtGRjg9rZ5NQIoPcr0keS1I",
		NULL, NOW));
	err = 0;

 out:
	mem_deref(kr);
	return err;
}


int test_tok_scope(void)
{
	struct tok_keyring *kr = NULL;
	char tok[TOK_MAX];
	int err;

	err = keyring(&kr, "k1", SECRET1);
	TEST_ERR(err);

	TEST_EQUALS(EACCES, verify_str(kr, VEC_TOKEN, "relay:internal", NOW));
	TEST_EQUALS(EACCES, verify_str(kr, VEC_TOKEN, "relay", NOW));
	TEST_EQUALS(0, verify_str(kr, VEC_TOKEN, "relay:external", NOW));

	err = tok_issue(tok, sizeof(tok), kr, "relay:*", NOW + 60);
	TEST_ERR(err);
	TEST_EQUALS(0, verify_str(kr, tok, "relay:internal", NOW));
	TEST_EQUALS(0, verify_str(kr, tok, "relay:", NOW));
	TEST_EQUALS(EACCES, verify_str(kr, tok, "turn", NOW));

	TEST_ASSERT(tok_scope_match("a", "a"));
	TEST_ASSERT(!tok_scope_match("a", "ab"));
	TEST_ASSERT(tok_scope_match("*", "anything"));
	TEST_ASSERT(!tok_scope_match(NULL, "a"));

 out:
	mem_deref(kr);
	return err;
}


/* Rotation: a token signed by the old secret still verifies while the
 * old secret is listed; new tokens carry the new signer */
int test_tok_rotation(void)
{
	struct tok_keyring *old = NULL, *both = NULL, *fresh = NULL;
	struct tok_claims claims;
	char tok_old[TOK_MAX], tok_new[TOK_MAX];
	struct pl pl;
	int err;

	err  = keyring(&old, "k1", SECRET1);
	err |= keyring(&both, "k2", SECRET2);
	err |= keyring(&fresh, "k2", SECRET2);
	TEST_ERR(err);
	err = tok_keyring_add(both, "k1", (const uint8_t *)SECRET1,
			      strlen(SECRET1));
	TEST_ERR(err);

	err  = tok_issue(tok_old, sizeof(tok_old), old, "relay", NOW + 60);
	err |= tok_issue(tok_new, sizeof(tok_new), both, "relay", NOW + 60);
	TEST_ERR(err);

	pl_set_str(&pl, tok_old);
	err = tok_verify(both, &pl, "relay", NOW, &claims);
	TEST_ERR(err);
	TEST_STRCMP("k1", claims.key->id);

	pl_set_str(&pl, tok_new);
	err = tok_verify(both, &pl, "relay", NOW, &claims);
	TEST_ERR(err);
	TEST_STRCMP("k2", claims.key->id);

	/* once k1 is retired, its tokens are refused */
	TEST_EQUALS(EKEYREJECTED, verify_str(fresh, tok_old, "relay", NOW));
	TEST_EQUALS(EKEYREJECTED, verify_str(old, tok_new, "relay", NOW));
	err = 0;

 out:
	mem_deref(fresh);
	mem_deref(both);
	mem_deref(old);
	return err;
}


int test_tok_keyring(void)
{
	struct tok_keyring *kr = NULL;
	char tok[TOK_MAX];
	int err;

	err = tok_keyring_alloc(&kr);
	TEST_ERR(err);

	TEST_EQUALS(ENOKEY, tok_issue(tok, sizeof(tok), kr, "relay", NOW));
	TEST_EQUALS(ENOKEY, verify_str(kr, VEC_TOKEN, NULL, NOW));
	TEST_EQUALS(ERANGE, tok_keyring_add(kr, "short",
					    (const uint8_t *)"tooshort", 8));
	TEST_EQUALS(EINVAL, tok_keyring_add(kr, "", (const uint8_t *)SECRET1,
					    strlen(SECRET1)));
	TEST_EQUALS(0, tok_keyring_add(kr, "k1", (const uint8_t *)SECRET1,
				       strlen(SECRET1)));
	TEST_EQUALS(EEXIST, tok_keyring_add(kr, "k1",
					    (const uint8_t *)SECRET2,
					    strlen(SECRET2)));
	TEST_STRCMP("k1", tok_keyring_signer(kr)->id);
	TEST_STRCMP("forged", tok_strerror(EKEYREJECTED));
	TEST_STRCMP("expired", tok_strerror(EKEYEXPIRED));
	TEST_STRCMP("truncated", tok_strerror(ENODATA));
	TEST_STRCMP("malformed", tok_strerror(EBADMSG));
	err = 0;

 out:
	mem_deref(kr);
	return err;
}


/* TURN REST: the password matches the openssl dgst vector */
int test_tok_rest_vector(void)
{
	struct tok_keyring *kr = NULL;
	struct tok_rest cred;
	char pass[TOK_PASS_MAX];
	struct pl user;
	int err;

	err = keyring(&kr, "k1", SECRET1);
	TEST_ERR(err);

	pl_set_str(&user, "1700000000:alice");
	err = tok_rest_password(pass, sizeof(pass), tok_keyring_signer(kr),
				&user);
	TEST_ERR(err);
	TEST_STRCMP("ZChndmtmz341vvaiC4ZcJiBKHHI=", pass);

	err = tok_rest_issue(&cred, kr, "alice", 3600, 1700000000 - 3600);
	TEST_ERR(err);
	TEST_STRCMP("1700000000:alice", cred.username);
	TEST_STRCMP("ZChndmtmz341vvaiC4ZcJiBKHHI=", cred.password);
	TEST_EQUALS(3600, cred.ttl);

	TEST_EQUALS(EINVAL, tok_rest_issue(&cred, kr, "a:b", 60, NOW));
	TEST_EQUALS(EINVAL, tok_rest_issue(&cred, kr, "", 60, NOW));
	err = 0;

 out:
	mem_deref(kr);
	return err;
}


int test_tok_rest_verify(void)
{
	struct tok_keyring *kr = NULL;
	struct pl user, pass;
	uint64_t exp = 0;
	int err;

	err = keyring(&kr, "k1", SECRET1);
	TEST_ERR(err);

	pl_set_str(&user, "1700000000:alice");
	pl_set_str(&pass, "ZChndmtmz341vvaiC4ZcJiBKHHI=");
	TEST_EQUALS(0, tok_rest_verify(kr, &user, &pass, NOW - 1));
	TEST_EQUALS(EKEYEXPIRED, tok_rest_verify(kr, &user, &pass, NOW));

	pl_set_str(&pass, "ZChndmtmz341vvaiC4ZcJiBKHHi=");
	TEST_EQUALS(EKEYREJECTED, tok_rest_verify(kr, &user, &pass, 0));
	pl_set_str(&pass, "ZChndmtmz341vvaiC4ZcJiBKHHI");
	TEST_EQUALS(EKEYREJECTED, tok_rest_verify(kr, &user, &pass, 0));

	/* the user part is signed too */
	pl_set_str(&user, "1700000000:mallory");
	pl_set_str(&pass, "ZChndmtmz341vvaiC4ZcJiBKHHI=");
	TEST_EQUALS(EKEYREJECTED, tok_rest_verify(kr, &user, &pass, 0));

	pl_set_str(&user, "alice:1700000000");
	TEST_EQUALS(EBADMSG, tok_rest_verify(kr, &user, &pass, 0));
	pl_set_str(&user, ":alice");
	TEST_EQUALS(EBADMSG, tok_rest_expiry(&user, 0, NULL));
	pl_set_str(&user, "1700000000");
	TEST_EQUALS(0, tok_rest_expiry(&user, 0, &exp));
	TEST_EQUALS(1700000000, exp);
	err = 0;

 out:
	mem_deref(kr);
	return err;
}
