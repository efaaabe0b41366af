/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file srtpx.c  Unit tests: SRTP/SRTCP through the relay's own path
 *                (srtpx.c over libre's SRTP)
 *
 * The vectors are the AES_CM_128_HMAC_SHA1 ones published with libsrtp
 * (master key e1f97a0d..., salt 0ec675ad..., SSRC 0xcafebabe, sequence
 * 0x1234, ROC 0, SRTCP index 1).
 */
#include <string.h>
#include <re.h>
#include "srtpx.h"
#include "test.h"


static const uint8_t master[30] = {
	0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0,
	0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde, 0x41, 0x39,
	0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb,
	0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6,
};

static const uint8_t rtp_plain[28] = {
	0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad,
	0xca, 0xfe, 0xba, 0xbe, 0xab, 0xab, 0xab, 0xab,
	0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
	0xab, 0xab, 0xab, 0xab,
};

/* _80: 10-byte tag; _32: its first 4 bytes */
static const uint8_t srtp_80[38] = {
	0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad,
	0xca, 0xfe, 0xba, 0xbe, 0x4e, 0x55, 0xdc, 0x4c,
	0xe7, 0x99, 0x78, 0xd8, 0x8c, 0xa4, 0xd2, 0x15,
	0x94, 0x9d, 0x24, 0x02, 0xb7, 0x8d, 0x6a, 0xcc,
	0x99, 0xea, 0x17, 0x9b, 0x8d, 0xbb,
};

static const uint8_t rtcp_plain[24] = {
	0x81, 0xc8, 0x00, 0x0b, 0xca, 0xfe, 0xba, 0xbe,
	0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
	0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
};

static const uint8_t srtcp_80[38] = {
	0x81, 0xc8, 0x00, 0x0b, 0xca, 0xfe, 0xba, 0xbe,
	0x71, 0x28, 0x03, 0x5b, 0xe4, 0x87, 0xb9, 0xbd,
	0xbe, 0xf8, 0x90, 0x41, 0xf9, 0x77, 0xa5, 0xa8,
	0x80, 0x00, 0x00, 0x01, 0x99, 0x3e, 0x08, 0xcd,
	0x54, 0xd6, 0xc1, 0x23, 0x07, 0x98,
};


/* protect plain with a fresh context: want; unprotect want with
 * another: plain, and once more: a replay */
static int vector(enum srtp_suite suite, bool rtcp, const uint8_t *plain,
		  size_t plen, const uint8_t *want, size_t wlen)
{
	struct srtp *tx = NULL, *rx = NULL;
	uint8_t buf[128];
	size_t n = plen;
	int err;

	err  = srtp_alloc(&tx, suite, master, sizeof(master), 0);
	err |= srtp_alloc(&rx, suite, master, sizeof(master), 0);
	TEST_ERR(err);

	memcpy(buf, plain, plen);
	TEST_ERR(srtpx_protect(tx, rtcp, buf, &n, sizeof(buf)));
	TEST_EQUALS(wlen, n);
	TEST_ASSERT(0 == memcmp(buf, want, wlen));

	TEST_ERR(srtpx_unprotect(rx, rtcp, buf, &n));
	TEST_EQUALS(plen, n);
	TEST_ASSERT(0 == memcmp(buf, plain, plen));

	memcpy(buf, want, wlen);
	n = wlen;
	TEST_ASSERT(0 != srtpx_unprotect(rx, rtcp, buf, &n));   /* replay */

 out:
	mem_deref(tx);
	mem_deref(rx);
	return err;
}


int test_srtpx_vectors(void)
{
	int err = 0;

	TEST_ERR(vector(SRTP_AES_CM_128_HMAC_SHA1_80, false, rtp_plain,
			sizeof(rtp_plain), srtp_80, sizeof(srtp_80)));
	TEST_ERR(vector(SRTP_AES_CM_128_HMAC_SHA1_32, false, rtp_plain,
			sizeof(rtp_plain), srtp_80, 32));
	TEST_ERR(vector(SRTP_AES_CM_128_HMAC_SHA1_80, true, rtcp_plain,
			sizeof(rtcp_plain), srtcp_80, sizeof(srtcp_80)));

 out:
	return err;
}


/* A changed byte, a wrong key, no room: refused, nothing forwarded */
int test_srtpx_refuse(void)
{
	struct srtp *rx = NULL, *bad = NULL, *tx = NULL;
	uint8_t buf[64], other[30];
	size_t n;
	int err;

	memcpy(other, master, sizeof(other));
	other[0] ^= 1;
	err  = srtp_alloc(&rx, SRTP_AES_CM_128_HMAC_SHA1_80, master, 30, 0);
	err |= srtp_alloc(&bad, SRTP_AES_CM_128_HMAC_SHA1_80, other, 30, 0);
	err |= srtp_alloc(&tx, SRTP_AES_CM_128_HMAC_SHA1_80, master, 30, 0);
	TEST_ERR(err);

	memcpy(buf, srtp_80, sizeof(srtp_80));
	buf[20] ^= 0x40;
	n = sizeof(srtp_80);
	TEST_ASSERT(0 != srtpx_unprotect(rx, false, buf, &n));

	memcpy(buf, srtp_80, sizeof(srtp_80));
	n = sizeof(srtp_80);
	TEST_ASSERT(0 != srtpx_unprotect(bad, false, buf, &n));

	memcpy(buf, srtp_80, sizeof(srtp_80));
	n = sizeof(srtp_80);
	TEST_ERR(srtpx_unprotect(rx, false, buf, &n));   /* intact: fine */

	memcpy(buf, rtp_plain, sizeof(rtp_plain));
	n = sizeof(rtp_plain);
	TEST_EQUALS(ENOSPC, srtpx_protect(tx, false, buf, &n, n + 8));

 out:
	mem_deref(rx);
	mem_deref(bad);
	mem_deref(tx);
	return err;
}
