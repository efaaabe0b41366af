/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file fuzz_tok.c  libFuzzer target: token and TURN REST verification
 *
 * Input that is not a valid token must be refused with one of the
 * documented errors, never accepted, never crash.
 */
#include <string.h>
#include <re.h>
#include "tok.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char secret[] = "umedge-test-secret-0001";


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tok_keyring *kr;
	struct tok_claims claims;
	struct pl pl, user, pass;
	const uint8_t *sp;
	int err;

	if (!kr && (tok_keyring_alloc(&kr) ||
		    tok_keyring_add(kr, "k1", (const uint8_t *)secret,
				    strlen(secret))))
		__builtin_trap();

	pl.p = (const char *)data;
	pl.l = size;
	err = tok_verify(kr, &pl, NULL, 0, &claims);
	switch (err) {

	case 0:
		/* accepted: must be exactly what we would issue */
		{
			char tok[TOK_MAX];
			if (tok_issue(tok, sizeof(tok), kr, claims.scope,
				      claims.expires) ||
			    strlen(tok) != size || memcmp(tok, data, size))
				__builtin_trap();
		}
		break;

	case EBADMSG: case ENODATA: case EPROTONOSUPPORT:
	case EKEYREJECTED: case EKEYEXPIRED: case EACCES:
		break;

	default:
		__builtin_trap();
	}

	/* "USERNAME PASSWORD" for the REST check */
	sp = memchr(data, ' ', size);
	if (sp) {
		user.p = (const char *)data;
		user.l = (size_t)(sp - data);
		pass.p = (const char *)sp + 1;
		pass.l = size - user.l - 1;
		(void)tok_rest_verify(kr, &user, &pass, 0);
	}

	return 0;
}
