/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file latch.c  Tests: latching rules (RTP Bleed defences)
 */
#include <string.h>
#include <re.h>
#include "latch.h"
#include "test.h"


#define WINDOW 10000


static struct sa addr(const char *ip, uint16_t port)
{
	struct sa sa;

	(void)sa_set_str(&sa, ip, port);

	return sa;
}


static enum latch_verdict rx(struct latch *l, const char *ip, uint16_t port,
			     uint32_t ssrc, uint64_t now)
{
	struct sa src = addr(ip, port);

	return latch_rx(l, &src, &ssrc, now);
}


/* The SDP address speaks first: latched and locked at once */
int test_latch_exact(void)
{
	struct sa sdp = addr("198.51.100.10", 4000);
	struct latch l;
	int err = 0;

	memset(&l, 0, sizeof(l));
	latch_sdp(&l, &sdp, 1000, WINDOW);
	TEST_ASSERT(sa_cmp(latch_dst(&l), &sdp, SA_ALL));

	TEST_EQUALS(LATCH_FORWARD, rx(&l, "198.51.100.10", 4000, 7, 1100));
	TEST_EQUALS(LATCH_LOCKED, l.state);

	/* within the window, nobody else gets in */
	TEST_EQUALS(LATCH_DROP, rx(&l, "198.51.100.11", 4000, 7, 1200));
	TEST_EQUALS(LATCH_DROP, rx(&l, "198.51.100.10", 4002, 7, 1300));
	TEST_ASSERT(sa_cmp(latch_dst(&l), &sdp, SA_ALL));

 out:
	return err;
}


/* A gateway behind NAT: same IP, another port. Latched; an attacker
 * from another IP cannot take it over */
int test_latch_nat(void)
{
	struct sa sdp = addr("198.51.100.10", 4000);
	struct sa nat = addr("198.51.100.10", 61234);
	struct latch l;
	int err = 0;

	memset(&l, 0, sizeof(l));
	latch_sdp(&l, &sdp, 0, WINDOW);

	TEST_EQUALS(LATCH_FORWARD, rx(&l, "198.51.100.10", 61234, 9, 10));
	TEST_EQUALS(LATCH_LEARNING, l.state);
	TEST_EQUALS(LATCH_DROP, rx(&l, "198.51.100.66", 4000, 9, 20));
	TEST_ASSERT(sa_cmp(latch_dst(&l), &nat, SA_ALL));

	/* the window closes: locked where it was */
	TEST_EQUALS(LATCH_FORWARD, rx(&l, "198.51.100.10", 61234, 9, WINDOW));
	TEST_EQUALS(LATCH_LOCKED, l.state);
	TEST_EQUALS(LATCH_DROP, rx(&l, "198.51.100.66", 61234, 9, WINDOW + 1));

	/* the signalled address itself may still take over */
	TEST_EQUALS(LATCH_FORWARD, rx(&l, "198.51.100.10", 4000, 1,
				      WINDOW + 2));
	TEST_ASSERT(sa_cmp(latch_dst(&l), &sdp, SA_ALL));
	TEST_EQUALS(LATCH_DROP, rx(&l, "198.51.100.10", 61234, 9, WINDOW + 3));

 out:
	return err;
}


/* An attacker races the real peer during the window and loses as soon
 * as the SDP address speaks */
int test_latch_hijack(void)
{
	struct sa sdp = addr("198.51.100.10", 4000);
	struct sa evil = addr("198.51.100.66", 5000);
	struct latch l;
	int err = 0;

	memset(&l, 0, sizeof(l));
	latch_sdp(&l, &sdp, 0, WINDOW);

	TEST_EQUALS(LATCH_FORWARD, rx(&l, "198.51.100.66", 5000, 1, 5));
	TEST_ASSERT(sa_cmp(latch_dst(&l), &evil, SA_ALL));

	TEST_EQUALS(LATCH_FORWARD, rx(&l, "198.51.100.10", 4000, 2, 50));
	TEST_ASSERT(sa_cmp(latch_dst(&l), &sdp, SA_ALL));
	TEST_EQUALS(LATCH_LOCKED, l.state);

	TEST_EQUALS(LATCH_DROP, rx(&l, "198.51.100.66", 5000, 1, 60));
	/* even with the peer's SSRC while the peer is talking */
	TEST_EQUALS(LATCH_DROP, rx(&l, "198.51.100.66", 5000, 2, 70));
	TEST_ASSERT(sa_cmp(latch_dst(&l), &sdp, SA_ALL));

	/* an attacker who got in while the peer was silent through the
	 * whole window loses as soon as the SDP address speaks */
	memset(&l, 0, sizeof(l));
	latch_sdp(&l, &sdp, 0, WINDOW);
	TEST_EQUALS(LATCH_FORWARD, rx(&l, "198.51.100.66", 5000, 1, 5));
	TEST_EQUALS(LATCH_FORWARD, rx(&l, "198.51.100.66", 5000, 1,
				      WINDOW + 1));
	TEST_EQUALS(LATCH_LOCKED, l.state);
	TEST_EQUALS(LATCH_FORWARD, rx(&l, "198.51.100.10", 4000, 2,
				      WINDOW + 50));
	TEST_ASSERT(sa_cmp(latch_dst(&l), &sdp, SA_ALL));
	TEST_EQUALS(LATCH_DROP, rx(&l, "198.51.100.66", 5000, 1,
				   WINDOW + 60));

 out:
	return err;
}


/* Nothing came in the window: only the SDP address may start later */
int test_latch_window(void)
{
	struct sa sdp = addr("2001:db8:100::10", 4000);
	struct latch l;
	int err = 0;

	memset(&l, 0, sizeof(l));
	latch_sdp(&l, &sdp, 0, WINDOW);

	TEST_EQUALS(LATCH_DROP, rx(&l, "2001:db8:100::66", 4000, 1,
				   WINDOW + 1));
	TEST_EQUALS(LATCH_NONE, l.state);
	TEST_EQUALS(LATCH_DROP, rx(&l, "2001:db8:100::10", 4001, 1,
				   WINDOW + 2));
	TEST_EQUALS(LATCH_FORWARD, rx(&l, "2001:db8:100::10", 4000, 1,
				      WINDOW + 3));
	TEST_EQUALS(LATCH_LOCKED, l.state);

	/* NAT (the SDP IP, another port) is too late now... */
	{
		struct latch l2;

		memset(&l2, 0, sizeof(l2));
		latch_sdp(&l2, &sdp, 0, WINDOW);
		TEST_EQUALS(LATCH_DROP, rx(&l2, "2001:db8:100::10", 5000, 1,
					   WINDOW + 5));
		/* ...until the answer reopens the window */
		latch_window(&l2, WINDOW + 10, WINDOW);
		TEST_EQUALS(LATCH_FORWARD, rx(&l2, "2001:db8:100::10", 5000,
					      1, WINDOW + 20));
		TEST_EQUALS(LATCH_LEARNING, l2.state);
		/* a locked latch is not reopened */
		TEST_EQUALS(LATCH_FORWARD, rx(&l2, "2001:db8:100::10", 5000,
					      1, 3 * WINDOW));
		TEST_EQUALS(LATCH_LOCKED, l2.state);
		latch_window(&l2, 3 * WINDOW, WINDOW);
		TEST_EQUALS(LATCH_DROP, rx(&l2, "2001:db8:100::66", 5000, 1,
					   3 * WINDOW + 1));
	}

	/* RTCP (no SSRC passed) from the latched source is forwarded */
	{
		struct sa src = addr("2001:db8:100::10", 4000);
		TEST_EQUALS(LATCH_FORWARD, latch_rx(&l, &src, NULL,
						    WINDOW + 4));
	}

 out:
	return err;
}


/* NAT rebinding: the same SSRC from a new port, once the old source
 * went quiet, re-latches; within limits */
int test_latch_relatch(void)
{
	struct sa sdp = addr("198.51.100.10", 4000);
	struct sa moved = addr("198.51.100.10", 4444);
	struct latch l;
	uint64_t t = WINDOW + 100;
	int err = 0;

	memset(&l, 0, sizeof(l));
	latch_sdp(&l, &sdp, 0, WINDOW);
	TEST_EQUALS(LATCH_FORWARD, rx(&l, "198.51.100.10", 4000, 42, 10));

	/* still talking from the old source: refused */
	TEST_EQUALS(LATCH_FORWARD, rx(&l, "198.51.100.10", 4000, 42, t));
	TEST_EQUALS(LATCH_DROP, rx(&l, "198.51.100.10", 4444, 42, t + 500));

	/* quiet for a second: the same SSRC may move; another may not */
	TEST_EQUALS(LATCH_DROP, rx(&l, "198.51.100.10", 4444, 43,
				   t + 1500));
	TEST_EQUALS(LATCH_FORWARD, rx(&l, "198.51.100.10", 4444, 42,
				      t + 1500));
	TEST_ASSERT(sa_cmp(latch_dst(&l), &moved, SA_ALL));
	TEST_EQUALS(1, l.relatches);

	/* not again within the hold-off */
	TEST_EQUALS(LATCH_DROP, rx(&l, "198.51.100.10", 4446, 42, t + 3000));
	TEST_EQUALS(LATCH_FORWARD, rx(&l, "198.51.100.10", 4446, 42,
				      t + 1500 + LATCH_RELATCH_HOLDOFF));
	TEST_EQUALS(2, l.relatches);

 out:
	return err;
}


/* Which packets make the worker refresh last_rx from the kernel first
 * (design note 6.4): only those a re-latch could accept */
int test_latch_moving(void)
{
	struct sa sdp = addr("198.51.100.10", 4000);
	struct sa other = addr("198.51.100.10", 4444);
	uint32_t s42 = 42, s43 = 43;
	struct latch l;
	int err = 0;

	memset(&l, 0, sizeof(l));
	latch_sdp(&l, &sdp, 0, WINDOW);

	/* no packet yet: nothing latched, no SSRC to move with */
	TEST_ASSERT(!latch_moving(&l, &other, &s42));
	TEST_EQUALS(LATCH_FORWARD, rx(&l, "198.51.100.10", 4000, 42, 10));

	TEST_ASSERT(latch_moving(&l, &other, &s42));
	TEST_ASSERT(!latch_moving(&l, &sdp, &s42));     /* the latched one */
	TEST_ASSERT(!latch_moving(&l, &other, &s43));   /* another SSRC   */
	TEST_ASSERT(!latch_moving(&l, &other, NULL));   /* RTCP           */
	TEST_ASSERT(!latch_moving(NULL, &other, &s42));

 out:
	return err;
}


/* While the kernel forwards the peer, the offload path holds last_rx
 * ahead of now; a packet of the peer that still reaches userspace (one
 * queued before the install) must not bring it back, or a same-SSRC
 * attacker would re-latch while the kernel forwards the real peer */
int test_latch_kernel_hold(void)
{
	struct sa sdp = addr("198.51.100.10", 4000);
	struct latch l;
	uint64_t t = WINDOW + 100;
	int err = 0;

	memset(&l, 0, sizeof(l));
	latch_sdp(&l, &sdp, 0, WINDOW);
	TEST_EQUALS(LATCH_FORWARD, rx(&l, "198.51.100.10", 4000, 42, 10));
	TEST_EQUALS(LATCH_FORWARD, rx(&l, "198.51.100.10", 4000, 42, t));

	l.last_rx = t + 2000;          /* installed: held ahead */
	TEST_EQUALS(LATCH_FORWARD, rx(&l, "198.51.100.10", 4000, 42, t + 5));
	TEST_EQUALS(t + 2000, l.last_rx);
	TEST_EQUALS(LATCH_DROP, rx(&l, "203.0.113.66", 6000, 42, t + 1100));
	TEST_EQUALS(LATCH_DROP, rx(&l, "203.0.113.66", 6000, 42, t + 2900));
	TEST_EQUALS(0, l.relatches);

	/* the hold ran out and the peer is silent: NAT rebinding again */
	TEST_EQUALS(LATCH_FORWARD, rx(&l, "198.51.100.10", 4444, 42,
				      t + 3000));
	TEST_EQUALS(1, l.relatches);

 out:
	return err;
}


/* A re-offer with the same address keeps the lock; a new address opens
 * a new window, and media keeps flowing to the old source until the
 * new one speaks */
int test_latch_reoffer(void)
{
	struct sa sdp = addr("198.51.100.10", 4000);
	struct sa sdp2 = addr("198.51.100.12", 6000);
	struct latch l;
	uint64_t t = 50000;
	int err = 0;

	memset(&l, 0, sizeof(l));
	latch_sdp(&l, &sdp, 0, WINDOW);
	TEST_EQUALS(LATCH_FORWARD, rx(&l, "198.51.100.10", 4000, 1, 10));

	latch_sdp(&l, &sdp, t, WINDOW);
	TEST_EQUALS(LATCH_LOCKED, l.state);
	TEST_EQUALS(LATCH_DROP, rx(&l, "198.51.100.66", 4000, 99, t + 1));

	latch_sdp(&l, &sdp2, t + 10, WINDOW);
	TEST_EQUALS(LATCH_LEARNING, l.state);
	TEST_ASSERT(sa_cmp(latch_dst(&l), &sdp, SA_ALL));
	TEST_EQUALS(LATCH_FORWARD, rx(&l, "198.51.100.12", 6000, 5, t + 20));
	TEST_ASSERT(sa_cmp(latch_dst(&l), &sdp2, SA_ALL));
	TEST_EQUALS(LATCH_LOCKED, l.state);
	TEST_EQUALS(LATCH_DROP, rx(&l, "198.51.100.10", 4000, 1, t + 30));
	TEST_STRCMP("locked", latch_state_name(l.state));

 out:
	return err;
}
