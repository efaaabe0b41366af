/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sdes.c  Unit tests: a=crypto lines read (RFC 4568 9.1) and the
 *               relay's own keys made and written
 */
#include <string.h>
#include <re.h>
#include "sdes.h"
#include "test.h"


#define K80 "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"

int test_sdes_parse(void)
{
	static const struct {
		const char *line;
		int err;
		uint32_t tag;
		size_t len;
		uint64_t lifetime;
		bool mki;
	} v[] = {
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" K80 "|2^20|1:32",
		 0, 1, 30, 1u << 20, true},
		{"7 AES_CM_128_HMAC_SHA1_32 inline:" K80, 0, 7, 30, 0, false},
		{"2 AES_CM_128_HMAC_SHA1_80 inline:" K80 "|1048576",
		 0, 2, 30, 1048576, false},
		{"3 AES_CM_128_HMAC_SHA1_80 inline:" K80 "|2:4",
		 0, 3, 30, 0, true},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" K80 " WSH=64",
		 0, 1, 30, 0, false},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" K80 "\r", 0, 1, 30, 0,
		 false},
		{"1 AES_256_CM_HMAC_SHA1_80 inline:"
		 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKiss"
		 "LQ==", 0, 1, 46, 0, false},
		{"1 AES_256_CM_HMAC_SHA1_80 inline:"
		 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKiss"
		 "LQ", 0, 1, 46, 0, false},
		{"1 F8_128_HMAC_SHA1_80 inline:" K80, ENOTSUP, 0, 0, 0, false},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" K80 " UNENCRYPTED_SRTP",
		 ENOTSUP, 0, 0, 0, false},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" K80 ";inline:" K80,
		 ENOTSUP, 0, 0, 0, false},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:c2hvcnQ=", EBADMSG, 0, 0, 0,
		 false},
		{"1 AES_CM_128_HMAC_SHA1_80 key:abc", EBADMSG, 0, 0, 0, false},
		{"x AES_CM_128_HMAC_SHA1_80 inline:abc", EBADMSG, 0, 0, 0,
		 false},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" K80 "|2^99", EBADMSG, 0,
		 0, 0, false},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" K80 "|0", EBADMSG, 0, 0,
		 0, false},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" K80 "|2^2x", EBADMSG, 0,
		 0, 0, false},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" K80 "|12ab", EBADMSG, 0,
		 0, 0, false},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" K80 "|1:x4", EBADMSG, 0,
		 0, 0, false},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" K80 "|1:4|2^20", EBADMSG,
		 0, 0, 0, false},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" K80 "||", EBADMSG, 0, 0,
		 0, false},
		{"1234567890 AES_CM_128_HMAC_SHA1_80 inline:" K80, EBADMSG, 0,
		 0, 0, false},
	};
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct sdes_line ln;
		struct pl pl;
		int e;

		pl_set_str(&pl, v[i].line);
		e = sdes_parse(&ln, &pl);
		if (e != v[i].err || (!e && (ln.key.len != v[i].len ||
					     ln.tag != v[i].tag ||
					     ln.lifetime != v[i].lifetime ||
					     ln.mki != v[i].mki))) {
			TEST_FAIL("'%s': %d, want %d\n", v[i].line, e,
				  v[i].err);
			err = EINVAL;
			goto out;
		}
	}

 out:
	return err;
}


/* Our own keys: the suite's length, never the same twice, and what we
 * write reads back as the same key, padded or not */
int test_sdes_keygen(void)
{
	static const struct { enum srtp_suite s; size_t len; } v[] = {
		{SRTP_AES_CM_128_HMAC_SHA1_80, 30},
		{SRTP_AES_CM_128_HMAC_SHA1_32, 30},
		{SRTP_AES_256_CM_HMAC_SHA1_80, 46},
		{SRTP_AES_256_CM_HMAC_SHA1_32, 46},
		{SRTP_AES_128_GCM, 28},
		{SRTP_AES_256_GCM, 44},
	};
	struct sdes_key a, b;
	struct sdes_line back;
	char line[SDES_LINE_MAX];
	struct pl pl;
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		for (int pad = 0; pad < 2; pad++) {
			TEST_ERR(sdes_keygen(&a, v[i].s));
			TEST_ERR(sdes_keygen(&b, v[i].s));
			TEST_EQUALS(v[i].len, a.len);
			TEST_ASSERT(0 != memcmp(a.key, b.key, a.len));

			TEST_ERR(sdes_print(line, sizeof(line), 5, &a, pad));
			TEST_EQUALS(pad && a.len % 3 != 0,
				    strchr(line, '=') != NULL);
			pl_set_str(&pl, line);
			TEST_ERR(sdes_parse(&back, &pl));
			TEST_EQUALS(5, back.tag);
			TEST_EQUALS(a.suite, back.key.suite);
			TEST_EQUALS(a.len, back.key.len);
			TEST_ASSERT(0 == memcmp(a.key, back.key.key, a.len));
		}
	}

	TEST_ASSERT(sdes_bit(SRTP_AES_CM_128_HMAC_SHA1_80) != 0);
	pl_set_str(&pl, "aes_256_cm_hmac_sha1_32");
	TEST_EQUALS(sdes_bit(SRTP_AES_256_CM_HMAC_SHA1_32), sdes_bit_find(&pl));
	pl_set_str(&pl, "F8_128_HMAC_SHA1_80");
	TEST_EQUALS(0, sdes_bit_find(&pl));

 out:
	return err;
}
