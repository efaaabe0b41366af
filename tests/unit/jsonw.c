/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file jsonw.c  Tests: the streaming JSON writer (escaping, nesting,
 *                separators, addresses, sticky errors)
 */
#include <string.h>
#include <re.h>
#include "jsonw.h"
#include "test.h"


static int put(const char *p, size_t size, void *arg)
{
	return mbuf_write_mem(arg, (const uint8_t *)p, size);
}


/* the text written so far, NUL-terminated */
static const char *text(struct mbuf *mb)
{
	(void)mbuf_write_u8(mb, 0);
	mb->end--;

	return (const char *)mb->buf;
}


int test_jsonw_doc(void)
{
	static const char expect[] =
		"{\"s\":\"a\\\"b\\\\c\\u000a\\u0001\xc3\xa9\",\"n\":null,"
		"\"u\":18446744073709551615,\"i\":-5,\"b\":true,"
		"\"a\":[1,{\"x\":\"192.0.2.1:5060\",\"y\":null},[]],"
		"\"v6\":\"[2001:db8::1]:3478\",\"p\":\"pl\",\"q\":null}\n";
	struct mbuf *mb = mbuf_alloc(256);
	struct re_printf pf = {put, mb};
	struct jsonw w;
	struct sa a4, a6, none;
	struct pl pl = PL("pl");
	int err = 0;

	TEST_ASSERT(mb != NULL);
	TEST_ERR(sa_set_str(&a4, "192.0.2.1", 5060));
	TEST_ERR(sa_set_str(&a6, "2001:db8::1", 3478));
	sa_init(&none, AF_INET);

	jsonw_init(&w, &pf);
	jsonw_obj(&w, NULL);
	jsonw_str(&w, "s", "a\"b\\c\n\x01\xc3\xa9");
	jsonw_str(&w, "n", NULL);
	jsonw_u64(&w, "u", UINT64_MAX);
	jsonw_i64(&w, "i", -5);
	jsonw_bool(&w, "b", true);
	jsonw_arr(&w, "a");
	jsonw_u64(&w, NULL, 1);
	jsonw_obj(&w, NULL);
	jsonw_sa(&w, "x", &a4);
	jsonw_sa(&w, "y", &none);
	jsonw_close(&w);
	jsonw_arr(&w, NULL);
	jsonw_close(&w);
	jsonw_close(&w);
	jsonw_sa(&w, "v6", &a6);
	jsonw_pl(&w, "p", &pl);
	jsonw_pl(&w, "q", NULL);
	jsonw_close(&w);
	TEST_ERR(jsonw_end(&w));

	TEST_STRCMP(expect, text(mb));

 out:
	mem_deref(mb);
	return err;
}


int test_jsonw_errors(void)
{
	struct mbuf *mb = mbuf_alloc(64);
	struct re_printf pf = {put, mb};
	struct jsonw w;
	int err = 0;

	TEST_ASSERT(mb != NULL);

	/* an object left open is an error */
	jsonw_init(&w, &pf);
	jsonw_obj(&w, NULL);
	TEST_EQUALS(EPROTO, jsonw_end(&w));

	/* a close too many, and nothing written after it */
	mbuf_reset(mb);
	jsonw_init(&w, &pf);
	jsonw_close(&w);
	jsonw_u64(&w, "k", 1);
	TEST_EQUALS(EPROTO, jsonw_end(&w));
	TEST_EQUALS(0, mb->end);

	/* nesting deeper than JSONW_DEPTH */
	mbuf_reset(mb);
	jsonw_init(&w, &pf);
	for (int i = 0; i <= JSONW_DEPTH; i++)
		jsonw_arr(&w, NULL);
	TEST_EQUALS(EOVERFLOW, jsonw_end(&w));

	/* no print handler */
	jsonw_init(&w, NULL);
	TEST_EQUALS(EINVAL, jsonw_end(&w));

 out:
	mem_deref(mb);
	return err;
}
