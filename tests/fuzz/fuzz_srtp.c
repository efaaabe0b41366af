/**
 * @file fuzz_srtp.c  libFuzzer target: SRTP and SRTCP as the relay takes
 *                    them in (srtpx.c over libre's SRTP)
 *
 * The first byte picks the suite and RTP or RTCP; the rest is a packet
 * from a peer. Unprotecting it must fail cleanly or give a shorter
 * packet; whatever it gives, protecting it again with our own key and
 * unprotecting that must give it back unchanged.
 * Seeds: tests/data/srtp/ *.bin (libsrtp's published vectors, which
 * authenticate with the key here)
 */
#include <string.h>
#include <re.h>
#include "srtpx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { CAP = 2048 };


static void check(bool ok)
{
	if (!ok)
		__builtin_trap();
}


static const enum srtp_suite suites[] = {
	SRTP_AES_CM_128_HMAC_SHA1_80, SRTP_AES_CM_128_HMAC_SHA1_32,
	SRTP_AES_256_CM_HMAC_SHA1_80, SRTP_AES_128_GCM,
};
static const size_t keylen[] = {30, 30, 46, 28};


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* libsrtp's published test key: the seeds authenticate with it */
	static const uint8_t key[46] = {
		0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0,
		0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde, 0x41, 0x39,
		0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb,
		0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6,
	};
	static uint8_t buf[CAP], copy[CAP];
	struct srtp *rx = NULL, *tx = NULL, *rx2 = NULL;
	size_t n, m, k;
	bool rtcp;
	int s;

	if (size < 1 || size - 1 > CAP - SRTPX_OVERHEAD)
		return 0;

	s = data[0] % 4;
	rtcp = data[0] & 0x80;
	n = size - 1;
	memcpy(buf, data + 1, n);

	check(!srtp_alloc(&rx, suites[s], key, keylen[s], 0));
	check(!srtp_alloc(&tx, suites[s], key, keylen[s], 0));
	check(!srtp_alloc(&rx2, suites[s], key, keylen[s], 0));

	if (srtpx_unprotect(rx, rtcp, buf, &n))
		goto out;
	check(n < size);

	/* a plain packet of ours: protect and take back */
	memcpy(copy, buf, n);
	m = n;
	if (srtpx_protect(tx, rtcp, buf, &m, CAP))
		goto out;
	k = m;
	check(!srtpx_unprotect(rx2, rtcp, buf, &k));
	check(k == n && !memcmp(buf, copy, n));

 out:
	mem_deref(rx);
	mem_deref(tx);
	mem_deref(rx2);
	return 0;
}
