/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file ipnet.c  Tests: CIDR matching and IPv4-mapped addresses
 */
#include <string.h>
#include <re.h>
#include "cfg.h"
#include "ipnet.h"
#include "test.h"


static bool in(const struct cfg *cfg, const char *addr)
{
	struct sa sa;

	if (sa_set_str(&sa, addr, 0))
		return false;

	return ipnet_match(&cfg->sip.gateways, &sa);
}


int test_ipnet_match(void)
{
	static const char text[] =
		"interface x 192.0.2.1 ports=30000-30099\n"
		"sip_enable no\n"
		"sip_gateway 198.51.100.0/24 203.0.113.7 2001:db8:a::/47\n"
		"sip_gateway 10.0.0.0/9 0.0.0.0/0\n";
	static const char text2[] =
		"interface x 192.0.2.1 ports=30000-30099\n"
		"sip_enable no\n"
		"sip_gateway 198.51.100.128/25 2001:db8::/127\n";
	struct cfg *cfg = NULL, *cfg2 = NULL;
	char msg[256];
	int err;

	err  = cfg_parse(&cfg, "t", text, strlen(text), msg, sizeof(msg));
	err |= cfg_parse(&cfg2, "t", text2, strlen(text2), msg, sizeof(msg));
	TEST_ERR(err);

	TEST_ASSERT(in(cfg, "198.51.100.200"));
	TEST_ASSERT(in(cfg, "203.0.113.7"));
	TEST_ASSERT(in(cfg, "::ffff:198.51.100.9"));
	TEST_ASSERT(in(cfg, "2001:db8:b:ffff::1"));
	TEST_ASSERT(!in(cfg, "2001:db8:c::1"));
	TEST_ASSERT(in(cfg, "1.2.3.4"));           /* 0.0.0.0/0 */

	TEST_ASSERT(in(cfg2, "198.51.100.128"));
	TEST_ASSERT(in(cfg2, "198.51.100.255"));
	TEST_ASSERT(!in(cfg2, "198.51.100.127"));
	TEST_ASSERT(!in(cfg2, "198.51.101.200"));
	TEST_ASSERT(in(cfg2, "2001:db8::1"));
	TEST_ASSERT(!in(cfg2, "2001:db8::2"));
	TEST_ASSERT(!in(cfg2, "203.0.113.7"));
	TEST_ASSERT(!ipnet_match(NULL, NULL));

 out:
	mem_deref(cfg2);
	mem_deref(cfg);
	return err;
}


int test_ipnet_unmap(void)
{
	static const uint8_t mapped[16] = {0,0,0,0, 0,0,0,0, 0,0,0xff,0xff,
					   127,0,0,1};
	struct sa sa;
	int err = 0;

	/* libre's sa_set_str() unmaps by itself; packets do not */
	sa_set_in6(&sa, mapped, 3478);
	TEST_EQUALS(AF_INET6, sa_af(&sa));
	TEST_ASSERT(ipnet_unmap(&sa));
	TEST_EQUALS(AF_INET, sa_af(&sa));
	TEST_ASSERT(sa_is_loopback(&sa));
	TEST_EQUALS(3478, sa_port(&sa));

	(void)sa_set_str(&sa, "::1", 1);
	TEST_ASSERT(!ipnet_unmap(&sa));
	TEST_EQUALS(AF_INET6, sa_af(&sa));

	(void)sa_set_str(&sa, "192.0.2.1", 1);
	TEST_ASSERT(!ipnet_unmap(&sa));

 out:
	return err;
}
