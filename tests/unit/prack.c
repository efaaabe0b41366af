/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file prack.c  Tests: RFC 3262's RSeq and RAck, and the order of
 *                received RSeqs
 */
#include <string.h>
#include <re.h>
#include "prack.h"
#include "test.h"


int test_prack_rseq(void)
{
	static const struct {
		const char *val;
		int err;
		uint32_t rseq;
	} t[] = {
		{"1", 0, 1}, {" 988789 ", 0, 988789}, {"\t42\t", 0, 42},
		{"2147483647", 0, 2147483647u}, {"2147483648", ERANGE, 0},
		{"0", ERANGE, 0}, {"", EBADMSG, 0}, {"  ", EBADMSG, 0},
		{"12a", EBADMSG, 0}, {"-1", EBADMSG, 0}, {"1 2", EBADMSG, 0},
		{"99999999999", EBADMSG, 0}, {"4294967297", ERANGE, 0},
	};
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		struct pl pl;
		uint32_t r = 0;

		pl_set_str(&pl, t[i].val);
		if (prack_rseq_decode(&pl, &r) != t[i].err)
			TEST_FAIL("RSeq '%s'\n", t[i].val);
		if (!t[i].err)
			TEST_EQUALS(t[i].rseq, r);
	}

 out:
	return err;
}


int test_prack_rack(void)
{
	struct pl pl, met;
	uint32_t r, c;
	int err = 0;

	pl_set_str(&pl, "776656 1 INVITE");
	TEST_ERR(prack_rack_decode(&pl, &r, &c, &met));
	TEST_EQUALS(776656, r);
	TEST_EQUALS(1, c);
	TEST_ASSERT(!pl_strcmp(&met, "INVITE"));

	pl_set_str(&pl, " 7\t\t314159   INVITE  ");
	TEST_ERR(prack_rack_decode(&pl, &r, &c, &met));
	TEST_EQUALS(7, r);
	TEST_EQUALS(314159, c);
	TEST_ASSERT(!pl_strcmp(&met, "INVITE"));

	pl_set_str(&pl, "7 1");
	TEST_EQUALS(EBADMSG, prack_rack_decode(&pl, &r, &c, &met));
	pl_set_str(&pl, "7 1 INVITE extra");
	TEST_EQUALS(EBADMSG, prack_rack_decode(&pl, &r, &c, &met));
	pl_set_str(&pl, "x 1 INVITE");
	TEST_EQUALS(EBADMSG, prack_rack_decode(&pl, &r, &c, &met));
	pl_set_str(&pl, "0 1 INVITE");
	TEST_EQUALS(ERANGE, prack_rack_decode(&pl, &r, &c, &met));
	pl_set_str(&pl, "1 4294967296 INVITE");
	TEST_EQUALS(ERANGE, prack_rack_decode(&pl, &r, &c, &met));
	pl_set_str(&pl, "");
	TEST_EQUALS(EBADMSG, prack_rack_decode(&pl, &r, &c, &met));

 out:
	return err;
}


/* RFC 3262 §4: the first starts the count, then last + 1; a repeat is
 * a retransmission, a gap waits */
int test_prack_order(void)
{
	bool seen = false;
	uint32_t last = 0;
	int err = 0;

	TEST_EQUALS(PRACK_RELAY, prack_rseq_order(&seen, &last, 500));
	TEST_EQUALS(PRACK_REPEAT, prack_rseq_order(&seen, &last, 500));
	TEST_EQUALS(PRACK_GAP, prack_rseq_order(&seen, &last, 502));
	TEST_EQUALS(500, last);
	TEST_EQUALS(PRACK_RELAY, prack_rseq_order(&seen, &last, 501));
	TEST_EQUALS(PRACK_RELAY, prack_rseq_order(&seen, &last, 502));
	TEST_EQUALS(PRACK_REPEAT, prack_rseq_order(&seen, &last, 501));
	TEST_EQUALS(502, last);

 out:
	return err;
}
