/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file haports.c  Unit tests: media ports the kernel may hand out
 *                  (src/haports.c)
 */
#include <re.h>
#include "cfg.h"
#include "ha.h"
#include "test.h"


/* Ports of a range in the ephemeral range, less the reserved ones */
int test_haports_exposed(void)
{
	struct pl none = PL(""), res = PL("40000-40999,41500,50000-50010");
	int err = 0;

	TEST_EQUALS(0, haports_exposed(30000, 30099, 32768, 60999, NULL));
	TEST_EQUALS(2000, haports_exposed(40000, 41999, 32768, 60999, NULL));
	TEST_EQUALS(2000, haports_exposed(40000, 41999, 32768, 60999, &none));
	TEST_EQUALS(999, haports_exposed(40000, 41999, 32768, 60999, &res));
	TEST_EQUALS(33, haports_exposed(32000, 32800, 32768, 60999, NULL));
	TEST_EQUALS(1, haports_exposed(60999, 61100, 32768, 60999, NULL));
	TEST_EQUALS(0, haports_exposed(40000, 40999, 32768, 60999, &res));

 out:
	return err;
}
