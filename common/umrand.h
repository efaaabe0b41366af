/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file umrand.h  Random numbers for secrets and unguessable values,
 *                 from OpenSSL's CSPRNG, failing closed
 */
#ifndef UMEDGE_UMRAND_H
#define UMEDGE_UMRAND_H

int um_rand_bytes(void *p, size_t n);
int um_rand_u32(uint32_t *vp);
int um_rand_u64(uint64_t *vp);

#endif
