/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file kern.c  Tests: which flows the kernel fast path can take
 *
 * Installing entries needs CAP_NET_ADMIN and a ruleset; that is tested
 * against the real kernel in tests/integration/relay-kernel.test.
 */
#include <string.h>
#include <re.h>
#include "kern.h"
#include "test.h"


static int flow_set(struct kern_flow *f, const char *pa, const char *la,
		    const char *lb, const char *pb)
{
	memset(f, 0, sizeof(*f));

	return sa_decode(&f->peer_a, pa, strlen(pa)) |
		sa_decode(&f->local_a, la, strlen(la)) |
		sa_decode(&f->local_b, lb, strlen(lb)) |
		sa_decode(&f->peer_b, pb, strlen(pb));
}


int test_kern_flow(void)
{
	struct kern_flow f;
	int err = 0;

	TEST_ERR(flow_set(&f, "198.51.100.10:6000", "198.51.100.1:30000",
			  "203.0.113.1:40000", "203.0.113.10:7000"));
	TEST_ASSERT(kern_flow_valid(&f));

	TEST_ERR(flow_set(&f, "[2001:db8:100::10]:6000",
			  "[2001:db8:100::1]:30000", "[2001:db8:200::1]:40000",
			  "[2001:db8:200::10]:7000"));
	TEST_ASSERT(kern_flow_valid(&f));

	/* IPv4 outside, IPv6 inside: conntrack cannot translate */
	TEST_ERR(flow_set(&f, "198.51.100.10:6000", "198.51.100.1:30000",
			  "[2001:db8:200::1]:40000",
			  "[2001:db8:200::10]:7000"));
	TEST_ASSERT(!kern_flow_valid(&f));

	/* a socket bound to any address gives no tuple */
	TEST_ERR(flow_set(&f, "198.51.100.10:6000", "0.0.0.0:30000",
			  "203.0.113.1:40000", "203.0.113.10:7000"));
	TEST_ASSERT(!kern_flow_valid(&f));

	/* a peer not latched yet */
	TEST_ERR(flow_set(&f, "198.51.100.10:6000", "198.51.100.1:30000",
			  "203.0.113.1:40000", "203.0.113.10:7000"));
	sa_init(&f.peer_b, AF_UNSPEC);
	TEST_ASSERT(!kern_flow_valid(&f));
	sa_set_port(&f.peer_a, 0);
	TEST_ASSERT(!kern_flow_valid(&f));

	TEST_ASSERT(!kern_flow_valid(NULL));
	TEST_ASSERT(!kern_ready(NULL, AF_INET));
	TEST_EQUALS(EINVAL, kern_add(NULL, &f, 30));

 out:
	return err;
}
