/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file portpool.c  Tests: media port pair allocation
 */
#include <string.h>
#include <re.h>
#include "portpool.h"
#include "test.h"


int test_portpool_pairs(void)
{
	struct portpool *pp = NULL;
	uint8_t seen[10] = {0};
	uint16_t port;
	int err;

	TEST_EQUALS(EINVAL, portpool_alloc(&pp, 30001, 30010));
	TEST_EQUALS(EINVAL, portpool_alloc(&pp, 30000, 30000));

	/* 30000..30010: five whole pairs, 30010 has no RTCP partner */
	err = portpool_alloc(&pp, 30000, 30010);
	TEST_ERR(err);
	TEST_EQUALS(5, portpool_pairs(pp));

	for (int i = 0; i < 5; i++) {
		err = portpool_take(pp, &port);
		TEST_ERR(err);
		TEST_EQUALS(0, port % 2);
		TEST_ASSERT(port >= 30000 && port + 1 <= 30009);
		TEST_EQUALS(0, seen[port - 30000]);
		seen[port - 30000] = 1;
	}

 out:
	mem_deref(pp);
	return err;
}


/* Ports are not handed out in order: an attacker cannot predict the
 * next one. Over 64 takes from 1000 pairs, an ordered allocator would
 * give ascending ports; a random one gives about half descents. */
int test_portpool_random(void)
{
	struct portpool *pp = NULL, *pp2 = NULL;
	uint16_t prev = 0, port, a[16], b[16];
	unsigned descents = 0;
	int err;

	err = portpool_alloc(&pp, 40000, 41999);
	TEST_ERR(err);

	for (int i = 0; i < 64; i++) {
		err = portpool_take(pp, &port);
		TEST_ERR(err);
		if (i && port < prev)
			++descents;
		prev = port;
	}
	TEST_ASSERT(descents >= 10 && descents <= 53);

	/* two pools do not produce the same sequence */
	err  = portpool_alloc(&pp2, 40000, 41999);
	TEST_ERR(err);
	mem_deref(pp);
	err = portpool_alloc(&pp, 40000, 41999);
	TEST_ERR(err);
	for (int i = 0; i < 16; i++) {
		err  = portpool_take(pp, &a[i]);
		err |= portpool_take(pp2, &b[i]);
		TEST_ERR(err);
	}
	TEST_ASSERT(memcmp(a, b, sizeof(a)) != 0);

 out:
	mem_deref(pp2);
	mem_deref(pp);
	return err;
}


int test_portpool_exhaust(void)
{
	struct portpool *pp = NULL;
	uint16_t port;
	int err;

	err = portpool_alloc(&pp, 50000, 50007);
	TEST_ERR(err);

	for (int i = 0; i < 4; i++) {
		err = portpool_take(pp, &port);
		TEST_ERR(err);
	}

	TEST_EQUALS(0, portpool_free(pp));
	TEST_EQUALS(ENOSPC, portpool_take(pp, &port));
	TEST_EQUALS(ENOSPC, portpool_take(pp, &port));
	err = 0;

 out:
	mem_deref(pp);
	return err;
}


int test_portpool_reuse(void)
{
	struct portpool *pp = NULL;
	uint16_t p1, p2, p;
	int err;

	err = portpool_alloc(&pp, 50000, 50003);
	TEST_ERR(err);

	err  = portpool_take(pp, &p1);
	err |= portpool_take(pp, &p2);
	TEST_ERR(err);
	TEST_ASSERT(p1 != p2);
	TEST_EQUALS(ENOSPC, portpool_take(pp, &p));

	/* a freed pair returns to the pool at once */
	err = portpool_put(pp, p1);
	TEST_ERR(err);
	TEST_EQUALS(1, portpool_free(pp));
	err = portpool_take(pp, &p);
	TEST_ERR(err);
	TEST_EQUALS(p1, p);

	/* double free, odd ports and foreign ports are refused */
	err = portpool_put(pp, p2);
	TEST_ERR(err);
	TEST_EQUALS(EALREADY, portpool_put(pp, p2));
	TEST_EQUALS(EINVAL, portpool_put(pp, p1 + 1));
	TEST_EQUALS(EINVAL, portpool_put(pp, 50004));
	TEST_EQUALS(EINVAL, portpool_put(pp, 49998));
	TEST_EQUALS(1, portpool_free(pp));
	err = 0;

 out:
	mem_deref(pp);
	return err;
}


/* A standby claims the pairs of the calls it restores: a given pair
 * leaves the pool, random takes never give it, and the pool stays
 * whole through claims, takes and puts in any order */
int test_portpool_claim(void)
{
	struct portpool *pp = NULL;
	uint8_t seen[8] = {0};
	uint16_t p;
	int err;

	err = portpool_alloc(&pp, 50000, 50015);      /* 8 pairs */
	TEST_ERR(err);

	TEST_ERR(portpool_claim(pp, 50006));
	TEST_ERR(portpool_claim(pp, 50014));           /* the last one */
	TEST_ERR(portpool_claim(pp, 50000));           /* the first one */
	TEST_EQUALS(5, portpool_free(pp));
	TEST_EQUALS(EALREADY, portpool_claim(pp, 50006));
	TEST_EQUALS(EINVAL, portpool_claim(pp, 50007));
	TEST_EQUALS(EINVAL, portpool_claim(pp, 50016));
	TEST_EQUALS(EINVAL, portpool_claim(pp, 49998));

	/* the five others come out of take, each once */
	for (int n = 0; n < 5; n++) {
		TEST_ERR(portpool_take(pp, &p));
		TEST_ASSERT(p != 50006 && p != 50014 && p != 50000);
		TEST_EQUALS(0, seen[(p - 50000) / 2]);
		seen[(p - 50000) / 2] = 1;
	}
	TEST_EQUALS(ENOSPC, portpool_take(pp, &p));

	/* put back, claimed again; a put pair can be claimed at once */
	TEST_ERR(portpool_put(pp, 50006));
	TEST_ERR(portpool_put(pp, 50002));
	TEST_ERR(portpool_claim(pp, 50002));
	TEST_ERR(portpool_take(pp, &p));
	TEST_EQUALS(50006, p);
	TEST_EQUALS(0, portpool_free(pp));

	/* everything back: every pair can be claimed once more */
	for (uint16_t q = 50000; q <= 50014; q += 2)
		TEST_ERR(portpool_put(pp, q));
	TEST_EQUALS(8, portpool_free(pp));
	for (uint16_t q = 50014; q >= 50000; q -= 2)
		TEST_ERR(portpool_claim(pp, q));
	TEST_EQUALS(0, portpool_free(pp));
	err = 0;

 out:
	mem_deref(pp);
	return err;
}
