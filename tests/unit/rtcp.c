/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file rtcp.c  Unit tests: RTCP compound checks and SDES CNAME rewriting
 */
#include <string.h>
#include <re.h>
#include "rtcpsdes.h"
#include "test.h"


/* SR (28 bytes) + SDES: SSRC 0x11223344, CNAME gw@198.51.100.10, NAME
 * Bob, END (32 bytes) */
static const uint8_t sr_sdes[] = {
	0x80, 0xc8, 0x00, 0x06, 0x11, 0x22, 0x33, 0x44,
	0xe0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x32,
	0x00, 0x00, 0x1f, 0x40,
	0x81, 0xca, 0x00, 0x07, 0x11, 0x22, 0x33, 0x44,
	0x01, 0x10, 'g', 'w', '@', '1', '9', '8', '.', '5', '1', '.',
	'1', '0', '0', '.', '1', '0',
	0x02, 0x03, 'B', 'o', 'b', 0x00,
};

/* the same with CNAME um-ab: the SDES shrinks to 24 bytes */
static const uint8_t sr_sdes_out[] = {
	0x80, 0xc8, 0x00, 0x06, 0x11, 0x22, 0x33, 0x44,
	0xe0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x32,
	0x00, 0x00, 0x1f, 0x40,
	0x81, 0xca, 0x00, 0x05, 0x11, 0x22, 0x33, 0x44,
	0x01, 0x05, 'u', 'm', '-', 'a', 'b',
	0x02, 0x03, 'B', 'o', 'b', 0x00, 0x00, 0x00, 0x00,
};


static int rewrite(const uint8_t *in, size_t len, uint8_t *out,
		   size_t outsz, size_t *n)
{
	struct pl cname = PL("um-ab");

	return rtcpsdes_rewrite(out, outsz, n, in, len, &cname);
}


int test_rtcpsdes(void)
{
	/* RR (8 bytes), then a padded SDES of two chunks: the second has
	 * no items; the padding (4 bytes) is dropped */
	static const uint8_t rr_sdes2[] = {
		0x80, 0xc9, 0x00, 0x01, 0x01, 0x02, 0x03, 0x04,
		0xa2, 0xca, 0x00, 0x06, 0x01, 0x02, 0x03, 0x04,
		0x01, 0x02, 'a', 'b', 0x00, 0x00, 0x00, 0x00,
		0x05, 0x06, 0x07, 0x08, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x04,
	};
	static const uint8_t rr_sdes2_out[] = {
		0x80, 0xc9, 0x00, 0x01, 0x01, 0x02, 0x03, 0x04,
		0x82, 0xca, 0x00, 0x05, 0x01, 0x02, 0x03, 0x04,
		0x01, 0x05, 'u', 'm', '-', 'a', 'b', 0x00,
		0x05, 0x06, 0x07, 0x08, 0x00, 0x00, 0x00, 0x00,
	};
	uint8_t out[256];
	size_t n = 0;
	int err = 0;

	TEST_ERR(rewrite(sr_sdes, sizeof(sr_sdes), out, sizeof(out), &n));
	TEST_EQUALS(sizeof(sr_sdes_out), n);
	TEST_ASSERT(0 == memcmp(out, sr_sdes_out, n));

	TEST_ERR(rewrite(rr_sdes2, sizeof(rr_sdes2), out, sizeof(out), &n));
	TEST_EQUALS(sizeof(rr_sdes2_out), n);
	TEST_ASSERT(0 == memcmp(out, rr_sdes2_out, n));

	/* rewritten once more: the same */
	TEST_ERR(rewrite(sr_sdes_out, sizeof(sr_sdes_out), out, sizeof(out),
			 &n));
	TEST_EQUALS(sizeof(sr_sdes_out), n);
	TEST_ASSERT(0 == memcmp(out, sr_sdes_out, n));

	/* too little room */
	TEST_EQUALS(ENOSPC, rewrite(sr_sdes, sizeof(sr_sdes), out, 40, &n));

 out:
	return err;
}


/* a copy of sr_sdes with one byte changed */
static int bad_byte(size_t i, uint8_t v)
{
	uint8_t in[sizeof(sr_sdes)], out[256];
	size_t n;

	memcpy(in, sr_sdes, sizeof(in));
	in[i] = v;

	return rewrite(in, sizeof(in), out, sizeof(out), &n);
}


int test_rtcpsdes_bad(void)
{
	struct pl empty = PL("");
	uint8_t out[256];
	size_t n;
	int err = 0;

	TEST_EQUALS(EBADMSG, bad_byte(0, 0x40));      /* version 1        */
	TEST_EQUALS(EBADMSG, bad_byte(3, 0x07));      /* SR past the SDES */
	TEST_EQUALS(EBADMSG, bad_byte(31, 0x08));     /* SDES past the end */
	TEST_EQUALS(EBADMSG, bad_byte(37, 0x11));     /* CNAME past it    */
	TEST_EQUALS(EBADMSG, bad_byte(59, 'x'));      /* no END           */
	TEST_EQUALS(EBADMSG, bad_byte(28, 0x82));     /* 2 chunks, 1 there */
	TEST_EQUALS(EBADMSG, bad_byte(0, 0xa0));      /* padded, not last */
	TEST_EQUALS(EBADMSG, bad_byte(28, 0xa1));     /* padding 0        */

	TEST_EQUALS(EBADMSG, rewrite(sr_sdes, sizeof(sr_sdes) - 2, out,
				     sizeof(out), &n));
	TEST_EQUALS(EBADMSG, rewrite(sr_sdes, 0, out, sizeof(out), &n));
	TEST_EQUALS(EINVAL, rtcpsdes_rewrite(out, sizeof(out), &n, sr_sdes,
					     sizeof(sr_sdes), &empty));

 out:
	return err;
}
