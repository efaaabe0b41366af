/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file umrand.c  Random numbers for secrets and unguessable values
 *
 * libre's rand_bytes() and rand_u*() fail open: when RAND_bytes()
 * fails they log and leave the buffer as it was (or give 0), so a key
 * would stay all zero and a loop waiting for a non-zero value would
 * spin for ever. These return an error instead, and every caller
 * fails: startup, the allocation or the call. Each site that draws
 * randomness is listed in tests/data/rand-sites.txt (random.test).
 */
#include <limits.h>
#include <string.h>
#include <re.h>
#include <openssl/rand.h>
#include "umrand.h"


/**
 * Fill a buffer with random bytes from OpenSSL's CSPRNG
 *
 * @param p Buffer
 * @param n Its size
 *
 * @return 0 if success, EIO if the generator failed (p is then zeroed)
 */
int um_rand_bytes(void *p, size_t n)
{
	if (!p || n > INT_MAX)
		return EINVAL;

	if (1 != RAND_bytes(p, (int)n)) {
		memset(p, 0, n);
		return EIO;
	}

	return 0;
}


/**
 * A random 32-bit number
 *
 * @param vp The number
 *
 * @return 0 if success, otherwise errorcode
 */
int um_rand_u32(uint32_t *vp)
{
	return um_rand_bytes(vp, sizeof(*vp));
}


/**
 * A random 64-bit number
 *
 * @param vp The number
 *
 * @return 0 if success, otherwise errorcode
 */
int um_rand_u64(uint64_t *vp)
{
	return um_rand_bytes(vp, sizeof(*vp));
}
