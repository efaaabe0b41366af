/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file randfail.c  LD_PRELOAD shim for tests/attack/random.test:
 *                   OpenSSL's RAND_bytes() fails (RANDFAIL unset or
 *                   "fail"), or succeeds with all-zero bytes
 *                   (RANDFAIL=zero, a generator that repeats itself)
 *
 * Build: cc -shared -fPIC -o randfail.so randfail.c
 */
#include <stdlib.h>
#include <string.h>

int RAND_bytes(unsigned char *buf, int num);


int RAND_bytes(unsigned char *buf, int num)
{
	const char *mode = getenv("RANDFAIL");

	if (mode && !strcmp(mode, "zero") && buf && num > 0) {
		memset(buf, 0, (size_t)num);
		return 1;
	}

	return 0;
}
