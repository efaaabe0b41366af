/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file peerfilt.c  Tests: the TURN peer filter, every address form,
 *                   the rule order; token buckets and the 401 limiter
 */
#include <string.h>
#include <re.h>
#include "cfg.h"
#include "peerfilt.h"
#include "turnd_priv.h"
#include "test.h"


/** An address and the verdict it must get */
struct pcase {
	const char *addr;            /**< Peer address   */
	enum peerfilt_verdict v;     /**< Expected       */
};

static const struct pcase matrix[] = {
	/* outside: allowed, in every form */
	{"198.51.100.10",            PEERFILT_ALLOW},
	{"::ffff:198.51.100.10",     PEERFILT_ALLOW},
	{"64:ff9b::c633:640a",       PEERFILT_ALLOW},
	{"2001:db8:100::10",         PEERFILT_ALLOW},
	{"8.8.8.8",                  PEERFILT_ALLOW},
	/* unspecified */
	{"0.0.0.0",                  PEERFILT_UNSPEC},
	{"0.1.2.3",                  PEERFILT_UNSPEC},
	{"::",                       PEERFILT_UNSPEC},
	{"::ffff:0.0.0.0",           PEERFILT_UNSPEC},
	{"64:ff9b::",                PEERFILT_UNSPEC},
	/* loopback */
	{"127.0.0.1",                PEERFILT_LOOPBACK},
	{"127.255.255.254",          PEERFILT_LOOPBACK},
	{"::1",                      PEERFILT_LOOPBACK},
	{"::ffff:127.0.0.1",         PEERFILT_LOOPBACK},
	{"::ffff:127.1.2.3",         PEERFILT_LOOPBACK},
	{"64:ff9b::7f00:1",          PEERFILT_LOOPBACK},
	{"2002:7f00:1::1",           PEERFILT_LOOPBACK},
	/* link-local */
	{"169.254.1.1",              PEERFILT_LINKLOCAL},
	{"::ffff:169.254.169.254",   PEERFILT_LINKLOCAL},
	{"fe80::1",                  PEERFILT_LINKLOCAL},
	{"febf::1",                  PEERFILT_LINKLOCAL},
	/* multicast */
	{"224.0.0.1",                PEERFILT_MULTICAST},
	{"239.255.255.250",          PEERFILT_MULTICAST},
	{"::ffff:224.0.0.251",       PEERFILT_MULTICAST},
	{"ff02::1",                  PEERFILT_MULTICAST},
	{"ff0e::101",                PEERFILT_MULTICAST},
	/* broadcast, reserved */
	{"255.255.255.255",          PEERFILT_BROADCAST},
	{"::ffff:255.255.255.255",   PEERFILT_BROADCAST},
	{"198.51.100.255",           PEERFILT_BROADCAST},
	{"::ffff:198.51.100.255",    PEERFILT_BROADCAST},
	{"203.0.113.255",            PEERFILT_BROADCAST},
	{"240.0.0.1",                PEERFILT_RESERVED},
	/* IPv4-compatible, NAT64 local-use */
	{"::127.0.0.1",              PEERFILT_EMBEDDED},
	{"::198.51.100.10",          PEERFILT_EMBEDDED},
	{"64:ff9b:1::7f00:1",        PEERFILT_EMBEDDED},
	/* IPv4-translated (SIIT) and Teredo: refused whatever they carry */
	{"::ffff:0:127.0.0.1",       PEERFILT_EMBEDDED},
	{"::ffff:0:198.51.100.10",   PEERFILT_EMBEDDED},
	{"2001:0:4136:e378:8000:63bf:3fff:fdd2", PEERFILT_EMBEDDED},
	{"2001::1",                  PEERFILT_EMBEDDED},
	/* ISATAP: the IPv4 address it carries decides */
	{"2001:db8:1::5efe:7f00:1",  PEERFILT_LOOPBACK},
	{"2001:db8:1:0:200:5efe:c633:6401", PEERFILT_OWN},
	{"2001:db8:1::5efe:c633:640a", PEERFILT_ALLOW},
	{"fe80::5efe:c633:640a",     PEERFILT_LINKLOCAL},
	/* turn_nat64_prefix, RFC 6052 layouts: /96, /64 (u octet skipped),
	   /40 */
	{"2001:db8:64::7f00:1",      PEERFILT_LOOPBACK},
	{"2001:db8:64::c633:640a",   PEERFILT_ALLOW},
	{"2001:db8:64::cb00:710a",   PEERFILT_INTERNAL},
	{"2001:db8:6464:0:7f:0:100:0", PEERFILT_LOOPBACK},
	{"2001:db8:6464:0:c6:3364:a00:0", PEERFILT_ALLOW},
	{"2001:db8:407f:0:1::",   PEERFILT_LOOPBACK},
	{"2001:db8:40c0:2:5::", PEERFILT_DENIED},
	/* our own addresses */
	{"198.51.100.1",             PEERFILT_OWN},
	{"::ffff:198.51.100.1",      PEERFILT_OWN},
	{"64:ff9b::c633:6401",       PEERFILT_OWN},
	{"198.51.100.2",             PEERFILT_OWN},      /* advertise= */
	{"203.0.113.1",              PEERFILT_OWN},
	{"::ffff:203.0.113.1",       PEERFILT_OWN},
	{"2001:db8:100::1",          PEERFILT_OWN},
	/* turn_denied_peer, even inside turn_allowed_peer */
	{"192.0.2.5",                PEERFILT_DENIED},
	{"::ffff:192.0.2.5",         PEERFILT_DENIED},
	{"203.0.113.100",            PEERFILT_DENIED},
	/* turn_allowed_peer: the only way inside */
	{"203.0.113.70",             PEERFILT_ALLOW},
	{"::ffff:203.0.113.70",      PEERFILT_ALLOW},
	/* inside: the listener's subnet and sip_internal_network */
	{"203.0.113.10",             PEERFILT_INTERNAL},
	{"::ffff:203.0.113.10",      PEERFILT_INTERNAL},
	{"10.1.2.3",                 PEERFILT_INTERNAL},
	{"2001:db8:200::10",         PEERFILT_INTERNAL},
	/* allowed_peer cannot open what is always refused */
	{"127.0.0.2",                PEERFILT_LOOPBACK},
	{"169.254.0.1",              PEERFILT_LINKLOCAL},
};

#define CONF \
	"interface external 198.51.100.1 advertise=198.51.100.2 " \
	"ports=30000-30099\n" \
	"interface internal 203.0.113.1 ports=40000-40099\n" \
	"interface internal6 2001:db8:200::1\n" \
	"sip_enable no\n" \
	"sip_internal_network 10.1.0.0/16\n" \
	"turn_enable yes\n" \
	"turn_listen internal udp 3478\n" \
	"turn_listen internal6 udp 3478\n" \
	"turn_relay_interface external\n" \
	"turn_allowed_peer 203.0.113.64/26 127.0.0.0/8 169.254.0.0/16\n" \
	"turn_denied_peer 192.0.2.0/24 203.0.113.100\n" \
	"turn_nat64_prefix 2001:db8:64::/96 2001:db8:6464::/64\n" \
	"turn_nat64_prefix 2001:db8:4000::/40\n" \
	"token_secret k1 peerfilt-secret-0123\n"


static int pf_make(struct cfg **cfgp, struct peerfilt **pfp)
{
	struct sa a;
	char msg[256];
	int err;

	err = cfg_parse(cfgp, "peerfilt", CONF, strlen(CONF), msg,
			sizeof(msg));
	if (err) {
		TEST_FAIL("%s\n", msg);
		return err;
	}

	err = peerfilt_alloc(pfp, *cfgp);
	if (err)
		return err;

	/* the test host does not have the edge's addresses: add them */
	err  = sa_set_str(&a, "198.51.100.1", 0);
	err |= peerfilt_add_host(*pfp, &a, 24, false);
	err |= sa_set_str(&a, "203.0.113.1", 0);
	err |= peerfilt_add_host(*pfp, &a, 24, true);
	err |= sa_set_str(&a, "2001:db8:100::1", 0);
	err |= peerfilt_add_host(*pfp, &a, 64, false);
	err |= sa_set_str(&a, "2001:db8:200::1", 0);
	err |= peerfilt_add_host(*pfp, &a, 64, true);

	return err;
}


int test_peerfilt_matrix(void)
{
	struct peerfilt *pf = NULL;
	struct cfg *cfg = NULL;
	int err;

	err = pf_make(&cfg, &pf);
	TEST_ERR(err);

	for (size_t i = 0; i < ARRAY_SIZE(matrix); i++) {
		struct sa sa;
		enum peerfilt_verdict v;

		err = sa_set_str(&sa, matrix[i].addr, 3480);
		TEST_ERR(err);

		v = peerfilt_check(pf, &sa);
		if (v != matrix[i].v) {
			TEST_FAIL("%s: %s, expected %s\n", matrix[i].addr,
				  peerfilt_reason(v),
				  peerfilt_reason(matrix[i].v));
			err = EINVAL;
			goto out;
		}
	}

 out:
	mem_deref(pf);
	mem_deref(cfg);
	return err;
}


int test_peerfilt_rules(void)
{
	struct peerfilt *pf = NULL;
	struct cfg *cfg = NULL;
	struct sa sa;
	int err;

	err = pf_make(&cfg, &pf);
	TEST_ERR(err);

	/* no address at all */
	sa_init(&sa, AF_UNSPEC);
	TEST_EQUALS(PEERFILT_FAMILY, peerfilt_check(pf, &sa));
	TEST_EQUALS(PEERFILT_FAMILY, peerfilt_check(pf, NULL));

	/* the port does not matter */
	(void)sa_set_str(&sa, "127.0.0.1", 0);
	TEST_EQUALS(PEERFILT_LOOPBACK, peerfilt_check(pf, &sa));
	(void)sa_set_str(&sa, "198.51.100.10", 0);
	TEST_EQUALS(PEERFILT_ALLOW, peerfilt_check(pf, &sa));

	/* every verdict has a name */
	for (int v = PEERFILT_ALLOW; v <= PEERFILT_INTERNAL; v++)
		TEST_ASSERT(strcmp("?", peerfilt_reason(v)));

 out:
	mem_deref(pf);
	mem_deref(cfg);
	return err;
}


int test_turn_bucket(void)
{
	const struct trate_prm prm = {64, 1, 3, 0, 0};
	const struct trate_prm capped = {64, 1, 3, 1, 4};
	struct trate *rate = NULL;
	struct tbucket b;
	struct sa a, c;
	int err = 0;

	/* 1000 units/s, burst 1000 */
	tbucket_init(&b, 1000, 1000, 5000);
	TEST_ASSERT(tbucket_take(&b, 1000, 5000));
	TEST_ASSERT(!tbucket_take(&b, 1, 5000));
	TEST_ASSERT(tbucket_take(&b, 500, 5500));
	TEST_ASSERT(!tbucket_take(&b, 1, 5500));
	TEST_ASSERT(tbucket_take(&b, 1000, 60000));   /* capped at burst */
	TEST_ASSERT(!tbucket_take(&b, 1, 60000));

	/* unlimited */
	tbucket_init(&b, 0, 0, 0);
	TEST_ASSERT(tbucket_take(&b, 1u << 30, 0));

	/* the limiter: 3 at once per source, others unaffected */
	err = trate_alloc(&rate, &prm);
	TEST_ERR(err);
	(void)sa_set_str(&a, "203.0.113.10", 1000);
	(void)sa_set_str(&c, "203.0.113.11", 1000);
	for (int i = 0; i < 3; i++)
		TEST_ASSERT(trate_take(rate, &a, 1000));
	TEST_ASSERT(!trate_take(rate, &a, 1000));
	sa_set_port(&a, 2000);           /* another port: the same IP */
	TEST_ASSERT(!trate_take(rate, &a, 1000));
	TEST_ASSERT(trate_take(rate, &a, 2000));      /* 1/s refill */

	/* unless it shares a slot with a, c has its own budget */
	for (int i = 0; i < 3; i++)
		(void)trate_take(rate, &c, 2000);
	TEST_EQUALS(0, trate_stats(rate).capped);

	/* the global cap: 4 at once over distinct sources, 1/s after */
	rate = mem_deref(rate);
	err = trate_alloc(&rate, &capped);
	TEST_ERR(err);
	for (uint32_t i = 0; i < 4; i++) {
		sa_set_in(&a, 0xcb007100 | i, 1000);
		TEST_ASSERT(trate_take(rate, &a, 1000));
	}
	sa_set_in(&a, 0xcb007110, 1000);
	TEST_ASSERT(!trate_take(rate, &a, 1000));
	TEST_ASSERT(trate_take(rate, &a, 2000));
	TEST_EQUALS(5, trate_stats(rate).passed);
	TEST_EQUALS(1, trate_stats(rate).limited);
	TEST_EQUALS(1, trate_stats(rate).capped);

 out:
	mem_deref(rate);
	return err;
}
