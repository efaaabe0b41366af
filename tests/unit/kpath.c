/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file kpath.c  Tests: the relay_kernel word, the choice of the kernel
 *                fast path and its fallbacks, the eBPF slot ranges,
 *                the egress route lookup and its answers, what a
 *                route watch hears
 *
 * Loading and attaching the TC program needs CAP_BPF and CAP_NET_ADMIN;
 * that is tested in tests/integration/relay-bpf.test.
 */
#include <errno.h>
#include <string.h>
#include <re.h>
#include "cfg.h"
#include "offload.h"
#include "kpath.h"
#include "mkslot.h"
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include "rtlookup.h"
#include "rtwatch.h"
#include "test.h"


#define CONF \
	"interface external 198.51.100.1 ports=30000-30099\n" \
	"interface internal 203.0.113.1 ports=40000-40099\n" \
	"sip_listen external udp\n" \
	"sip_um_host tcp 203.0.113.10\n"


static int word(const char *w, enum cfg_kpath *k)
{
	struct pl pl;

	pl_set_str(&pl, w);

	return cfg_kpath_decode(&pl, k);
}


int test_kpath_word(void)
{
	static const struct {
		const char *w;
		enum cfg_kpath k;
	} good[] = {
		{"auto", CFG_KPATH_AUTO}, {"yes", CFG_KPATH_AUTO},
		{"YES", CFG_KPATH_AUTO}, {"bpf", CFG_KPATH_BPF},
		{"conntrack", CFG_KPATH_CONNTRACK}, {"no", CFG_KPATH_NO},
	};
	static const char *bad[] = {"", "on", "true", "ebpf", "bpf2", "y"};
	struct cfg *cfg = NULL;
	enum cfg_kpath k;
	char msg[256];
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		k = CFG_KPATH_NO;
		TEST_ERR(word(good[i].w, &k));
		TEST_EQUALS(good[i].k, k);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		TEST_EQUALS(EINVAL, word(bad[i], &k));

	for (int i = CFG_KPATH_NO; i <= CFG_KPATH_CONNTRACK; i++) {
		TEST_ERR(word(cfg_kpath_name(i), &k));
		TEST_EQUALS(i, k);
	}

	/* the default is auto */
	TEST_ERR(cfg_parse(&cfg, "t.conf", CONF, strlen(CONF), msg,
			   sizeof(msg)));
	TEST_EQUALS(CFG_KPATH_AUTO, cfg->relay.kernel);
	cfg = mem_deref(cfg);

	TEST_ERR(cfg_parse(&cfg, "t.conf", CONF "relay_kernel yes\n",
			   strlen(CONF "relay_kernel yes\n"), msg,
			   sizeof(msg)));
	TEST_EQUALS(CFG_KPATH_AUTO, cfg->relay.kernel);
	cfg = mem_deref(cfg);

	TEST_EQUALS(EINVAL, cfg_parse(&cfg, "t.conf", CONF "relay_kernel xdp\n",
				      strlen(CONF "relay_kernel xdp\n"), msg,
				      sizeof(msg)));
	TEST_ASSERT(strstr(msg, "relay_kernel") != NULL);
	TEST_ASSERT(strstr(msg, "'xdp' is not auto, bpf, conntrack or no") !=
		    NULL);
	err = 0;

 out:
	mem_deref(cfg);
	return err;
}


int test_kpath_choose(void)
{
	const int U = KPATH_UNTRIED;
	int err = 0;

	/* auto: bpf, then conntrack, then userspace */
	TEST_EQUALS(OFFLOAD_BPF, kpath_next(CFG_KPATH_AUTO, U, U));
	TEST_EQUALS(OFFLOAD_BPF, kpath_next(CFG_KPATH_AUTO, 0, U));
	TEST_EQUALS(OFFLOAD_CONNTRACK, kpath_next(CFG_KPATH_AUTO, EPERM, U));
	TEST_EQUALS(OFFLOAD_CONNTRACK, kpath_next(CFG_KPATH_AUTO, EPERM, 0));
	TEST_EQUALS(OFFLOAD_USER, kpath_next(CFG_KPATH_AUTO, EPERM,
					     ENETDOWN));

	/* bpf: bpf, then userspace; conntrack is never tried */
	TEST_EQUALS(OFFLOAD_BPF, kpath_next(CFG_KPATH_BPF, U, U));
	TEST_EQUALS(OFFLOAD_BPF, kpath_next(CFG_KPATH_BPF, 0, U));
	TEST_EQUALS(OFFLOAD_USER, kpath_next(CFG_KPATH_BPF, EPERM, U));
	TEST_EQUALS(OFFLOAD_USER, kpath_next(CFG_KPATH_BPF, ENODEV, U));

	/* conntrack: as before; bpf is never tried */
	TEST_EQUALS(OFFLOAD_CONNTRACK, kpath_next(CFG_KPATH_CONNTRACK, U, U));
	TEST_EQUALS(OFFLOAD_CONNTRACK, kpath_next(CFG_KPATH_CONNTRACK, U, 0));
	TEST_EQUALS(OFFLOAD_USER, kpath_next(CFG_KPATH_CONNTRACK, U,
					     ENETDOWN));

	/* no: nothing is tried */
	TEST_EQUALS(OFFLOAD_USER, kpath_next(CFG_KPATH_NO, U, U));

	/* the causes told apart in the log */
	TEST_ASSERT(strstr(kpath_bpf_why(EPERM), "CAP_BPF and CAP_NET_ADMIN"));
	TEST_ASSERT(strstr(kpath_bpf_why(EOPNOTSUPP), "kernel too old"));
	TEST_ASSERT(strstr(kpath_bpf_why(ENODEV), "no device"));
	TEST_ASSERT(strstr(kpath_ct_why(ENETDOWN), "forwarding is off"));

 out:
	return err;
}


int test_kpath_slots(void)
{
	struct mkslot *s = NULL;
	uint32_t slot, gen, a, ga;
	int err;

	TEST_ERR(mkslot_alloc(&s, 100, 3));
	TEST_ERR(mkslot_take(s, &a, &ga));
	TEST_EQUALS(100, a);
	TEST_EQUALS(1, ga);
	TEST_ERR(mkslot_take(s, &slot, &gen));
	TEST_ERR(mkslot_take(s, &slot, &gen));
	TEST_EQUALS(102, slot);
	TEST_EQUALS(ENOSPC, mkslot_take(s, &slot, &gen));
	TEST_EQUALS(3, mkslot_span(s));

	/* retired: not free before the next tick, then with gen + 1 */
	mkslot_retire(s, a);
	TEST_EQUALS(ENOSPC, mkslot_take(s, &slot, &gen));
	mkslot_tick(s);
	TEST_ERR(mkslot_take(s, &slot, &gen));
	TEST_EQUALS(a, slot);
	TEST_EQUALS(ga + 1, gen);

	/* outside the range: ignored */
	mkslot_retire(s, 99);
	mkslot_retire(s, 103);
	mkslot_tick(s);
	TEST_EQUALS(ENOSPC, mkslot_take(s, &slot, &gen));
	TEST_EQUALS(3, mkslot_used(s));
	err = 0;

 out:
	mem_deref(s);
	return err;
}


/* The egress lookup on what every machine has: a route to our own
   address is local, not an egress (the peer behind a device is
   relay-bpf.test's) */
int test_rtlookup(void)
{
	struct rtlookup *rl = NULL;
	struct rtlookup_route rt;
	struct sa lo, lo6;
	uint32_t mtu = 0;
	int err;

	memset(&rt, 0, sizeof(rt));
	rt.ifindex = -1;
	TEST_ERR(sa_set_str(&lo, "127.0.0.1", 0));
	TEST_ERR(sa_set_str(&lo6, "::1", 0));
	TEST_ERR(rtlookup_alloc(&rl));

	TEST_EQUALS(EHOSTUNREACH, rtlookup_egress(rl, &lo, &lo, &rt));
	TEST_EQUALS(-1, rt.ifindex);
	TEST_EQUALS(EINVAL, rtlookup_egress(rl, &lo, &lo6, &rt));
	TEST_EQUALS(EINVAL, rtlookup_egress(NULL, &lo, &lo, &rt));
	TEST_EQUALS(EINVAL, rtlookup_egress(rl, &lo, &lo, NULL));

	/* a second request on the same socket: its own answer */
	TEST_EQUALS(EHOSTUNREACH, rtlookup_egress(rl, &lo, &lo, &rt));

	TEST_ERR(rtlookup_mtu("lo", &mtu));
	TEST_ASSERT(mtu >= 1280);
	TEST_EQUALS(ENODEV, rtlookup_mtu("umedge-nodev0", &mtu));
	TEST_EQUALS(ENAMETOOLONG,
		    rtlookup_mtu("a-name-longer-than-ifnamsiz", &mtu));
	err = 0;

 out:
	mem_deref(rl);
	return err;
}


/* append a message of a type with len bytes of body; @return its end */
static size_t msg_put(uint8_t *buf, size_t off, uint16_t type, size_t len)
{
	struct nlmsghdr *nh = (void *)(buf + off);

	memset(nh, 0, NLMSG_SPACE(len));
	nh->nlmsg_len = (uint32_t)NLMSG_LENGTH(len);
	nh->nlmsg_type = type;

	return off + NLMSG_SPACE(len);
}


/* What a datagram of rtnetlink messages says changed: each kind, a
   burst of several, a truncated message (the walk stops), nothing */
int test_rtwatch_classify(void)
{
	uint32_t words[256];
	uint8_t *buf = (uint8_t *)words;
	size_t n;
	int err = 0;

	memset(words, 0, sizeof(words));
	n = msg_put(buf, 0, RTM_NEWROUTE, sizeof(struct rtmsg));
	TEST_EQUALS(RTWATCH_ROUTE, rtwatch_classify(buf, n));

	n = msg_put(buf, 0, RTM_DELLINK, sizeof(struct ifinfomsg));
	TEST_EQUALS(RTWATCH_LINK, rtwatch_classify(buf, n));

	n = msg_put(buf, 0, RTM_NEWNEIGH, 12);
	n = msg_put(buf, n, RTM_DELADDR, sizeof(struct ifaddrmsg));
	n = msg_put(buf, n, RTM_DELROUTE, sizeof(struct rtmsg));
	TEST_EQUALS(RTWATCH_ADDR | RTWATCH_ROUTE, rtwatch_classify(buf, n));

	/* the last message claims more than the datagram holds */
	n = msg_put(buf, 0, RTM_NEWADDR, sizeof(struct ifaddrmsg));
	n = msg_put(buf, n, RTM_NEWLINK, sizeof(struct ifinfomsg));
	TEST_EQUALS(RTWATCH_ADDR, rtwatch_classify(buf, n - 4));

	/* a header alone, shorter than itself, and nothing */
	TEST_EQUALS(0, rtwatch_classify(buf, sizeof(struct nlmsghdr) - 1));
	TEST_EQUALS(0, rtwatch_classify(buf, 0));
	TEST_EQUALS(0, rtwatch_classify(NULL, 64));

	n = msg_put(buf, 0, NLMSG_OVERRUN, 0);
	TEST_EQUALS(RTWATCH_LOST, rtwatch_classify(buf, n));

 out:
	return err;
}


/* append an attribute to the message at buf; @return the datagram's end */
static size_t attr_add(uint8_t *buf, uint16_t type, const void *data,
		       size_t len)
{
	struct nlmsghdr *nh = (void *)buf;
	struct rtattr *a = (void *)(buf + NLMSG_ALIGN(nh->nlmsg_len));

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(a->rta_len);

	return nh->nlmsg_len;
}


/* an RTM_NEWROUTE answer of a type, sequence number 7 */
static size_t route_msg(uint8_t *buf, uint8_t type)
{
	struct rtmsg *rtm;
	size_t n = msg_put(buf, 0, RTM_NEWROUTE, sizeof(*rtm));

	rtm = NLMSG_DATA((struct nlmsghdr *)buf);
	rtm->rtm_family = AF_INET;
	rtm->rtm_type = type;
	((struct nlmsghdr *)buf)->nlmsg_seq = 7;

	return n;
}


static int answer_of(const uint8_t *buf, size_t n, struct rtlookup_route *rt)
{
	memset(rt, 0, sizeof(*rt));
	(void)sa_set_str(&rt->nexthop, "192.0.2.200", 0);

	return rtlookup_answer(buf, n, 7, rt);
}


/* What the kernel may answer a route request: a route via a gateway or
   on a link, and each answer that is not one (another request's, an
   error, not unicast, no device, a gateway of the other family or of a
   wrong length, truncated) */
int test_rtlookup_answer(void)
{
	uint32_t words[256];
	uint8_t *buf = (uint8_t *)words;
	struct rtlookup_route rt;
	struct nlmsgerr *e;
	uint32_t oif = 5, gw4 = htonl(0xc000024d), gw6[4] = {0};
	size_t n;
	int err = 0;

	memset(words, 0, sizeof(words));
	n = route_msg(buf, RTN_UNICAST);
	n = attr_add(buf, RTA_OIF, &oif, 4);
	n = attr_add(buf, RTA_GATEWAY, &gw4, 4);
	TEST_ERR(answer_of(buf, n, &rt));
	TEST_EQUALS(5, rt.ifindex);
	TEST_EQUALS(0xc000024d, sa_in(&rt.nexthop));

	/* on a link: the peer is the next hop */
	n = route_msg(buf, RTN_UNICAST);
	n = attr_add(buf, RTA_OIF, &oif, 4);
	TEST_ERR(answer_of(buf, n, &rt));
	TEST_EQUALS(0xc00002c8, sa_in(&rt.nexthop));

	TEST_EQUALS(EAGAIN, rtlookup_answer(buf, n, 8, &rt));
	TEST_EQUALS(EAGAIN, answer_of(buf, n - 4, &rt));
	TEST_EQUALS(EINVAL, rtlookup_answer(NULL, n, 7, &rt));

	n = route_msg(buf, RTN_UNICAST);
	n = attr_add(buf, RTA_GATEWAY, &gw4, 4);
	TEST_EQUALS(ENODEV, answer_of(buf, n, &rt));

	/* a device index that is none */
	oif = 0;
	n = route_msg(buf, RTN_UNICAST);
	n = attr_add(buf, RTA_OIF, &oif, 4);
	TEST_EQUALS(ENODEV, answer_of(buf, n, &rt));
	oif = 5;

	n = route_msg(buf, RTN_UNICAST);
	n = attr_add(buf, RTA_OIF, &oif, 4);
	n = attr_add(buf, RTA_GATEWAY, gw6, 16);
	TEST_EQUALS(EPROTO, answer_of(buf, n, &rt));

	n = route_msg(buf, RTN_UNICAST);
	n = attr_add(buf, RTA_VIA, gw6, 16);
	n = attr_add(buf, RTA_OIF, &oif, 4);
	TEST_EQUALS(ENOTSUP, answer_of(buf, n, &rt));

	n = route_msg(buf, RTN_UNREACHABLE);
	TEST_EQUALS(EHOSTUNREACH, answer_of(buf, n, &rt));

	/* an rtmsg cut short, another type */
	n = msg_put(buf, 0, RTM_NEWROUTE, 4);
	((struct nlmsghdr *)buf)->nlmsg_seq = 7;
	TEST_EQUALS(EPROTO, answer_of(buf, n, &rt));
	n = msg_put(buf, 0, RTM_NEWLINK, sizeof(struct rtmsg));
	((struct nlmsghdr *)buf)->nlmsg_seq = 7;
	TEST_EQUALS(EPROTO, answer_of(buf, n, &rt));

	/* the kernel's error, a malformed one, one cut short */
	n = msg_put(buf, 0, NLMSG_ERROR, sizeof(*e));
	((struct nlmsghdr *)buf)->nlmsg_seq = 7;
	e = NLMSG_DATA((struct nlmsghdr *)buf);
	e->error = -ENETUNREACH;
	TEST_EQUALS(ENETUNREACH, answer_of(buf, n, &rt));
	e->error = 5;
	TEST_EQUALS(EPROTO, answer_of(buf, n, &rt));
	n = msg_put(buf, 0, NLMSG_ERROR, 2);
	((struct nlmsghdr *)buf)->nlmsg_seq = 7;
	TEST_EQUALS(EPROTO, answer_of(buf, n, &rt));

 out:
	return err;
}
