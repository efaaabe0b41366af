/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file fuzz_rtcp.c  libFuzzer target: RTCP compound checks and the SDES
 *                    CNAME rewrite
 *
 * Any input is rewritten or refused (EBADMSG, ENOSPC). What is
 * rewritten must check again, keep its length a multiple of 4, and be
 * a fixed point: rewriting it once more gives the same bytes.
 * Seeds: tests/data/rtcp/ *.bin
 */
#include <string.h>
#include <re.h>
#include "rtcpsdes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static void check(bool ok)
{
	if (!ok)
		__builtin_trap();
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[8192], again[8192];
	struct pl cname = PL("umedge-0123456789");
	size_t n = 0, m = 0;
	int err;

	err = rtcpsdes_rewrite(out, sizeof(out), &n, data, size, &cname);
	check(!err || err == EBADMSG || err == ENOSPC);
	if (err)
		return 0;

	check(n % 4 == 0 && n <= sizeof(out));
	check(0 == rtcpsdes_rewrite(again, sizeof(again), &m, out, n,
				    &cname));
	check(m == n && 0 == memcmp(out, again, n));

	return 0;
}
