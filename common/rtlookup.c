/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file rtlookup.c  Route lookups: the device a datagram from one of
 *                   our addresses to a peer leaves by
 *
 * The kernel answers an RTM_GETROUTE request with the route it would
 * use for a datagram from src to dst (policy rules, the source and
 * every table included), as "ip route get DST from SRC" shows it. Only
 * a unicast route out of an Ethernet-like device is an answer: a local,
 * blackhole or unreachable route, or a device without link-layer
 * addresses (a tunnel, loopback), is EHOSTUNREACH or ENODEV, and the
 * caller keeps such a peer off its kernel path, as it keeps a peer whose
 * IPv4 route has an IPv6 gateway (RTA_VIA, ENOTSUP). The next hop is the
 * route's gateway, or the peer itself on a link. Requests are blocking,
 * one at a time, with a 1 s receive timeout.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <re.h>
#include "rtlookup.h"


enum {
	RTLOOKUP_BUF = 4096,   /**< A reply (one route)                 */
};

/** A route lookup handle: its rtnetlink socket */
struct rtlookup {
	int fd;                /**< NETLINK_ROUTE socket                */
	int ifd;               /**< UDP socket for device ioctls        */
	uint32_t seq;          /**< Last request's sequence number      */
};

/** An RTM_GETROUTE request for one destination from one source */
struct rtlookup_req {
	struct nlmsghdr nh;
	struct rtmsg rt;
	uint8_t attrs[2 * RTA_SPACE(16)];
};


static void rtlookup_destructor(void *data)
{
	struct rtlookup *rl = data;

	if (rl->fd >= 0)
		(void)close(rl->fd);
	if (rl->ifd >= 0)
		(void)close(rl->ifd);
}


/**
 * Open a route lookup handle
 *
 * @param rlp Pointer to allocated handle
 *
 * @return 0 if success, otherwise errorcode
 */
int rtlookup_alloc(struct rtlookup **rlp)
{
	struct timeval tv = {.tv_sec = 1};
	struct rtlookup *rl;
	int err = 0;

	if (!rlp)
		return EINVAL;

	rl = mem_zalloc(sizeof(*rl), rtlookup_destructor);
	if (!rl)
		return ENOMEM;

	rl->ifd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	rl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (rl->fd < 0 || rl->ifd < 0) {
		err = errno;
		goto out;
	}

	if (setsockopt(rl->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		err = errno;

 out:
	if (err)
		mem_deref(rl);
	else
		*rlp = rl;

	return err;
}


/* append an address attribute; the buffer has room for two */
static void attr_put(struct rtlookup_req *req, uint16_t type,
		     const struct sa *sa)
{
	struct rtattr *a = (void *)((uint8_t *)req +
				    NLMSG_ALIGN(req->nh.nlmsg_len));
	bool v6 = sa_af(sa) == AF_INET6;
	size_t len = v6 ? 16 : 4;

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), v6 ? (const void *)&sa->u.in6.sin6_addr :
	       (const void *)&sa->u.in.sin_addr, len);
	req->nh.nlmsg_len = NLMSG_ALIGN(req->nh.nlmsg_len) +
		RTA_ALIGN(a->rta_len);
}


static int request(struct rtlookup *rl, const struct sa *src,
		   const struct sa *dst)
{
	struct sockaddr_nl kern = {.nl_family = AF_NETLINK};
	struct rtlookup_req req;
	uint8_t bits = sa_af(dst) == AF_INET6 ? 128 : 32;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.rt));
	req.nh.nlmsg_type = RTM_GETROUTE;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.nh.nlmsg_seq = ++rl->seq;
	req.rt.rtm_family = (uint8_t)sa_af(dst);
	req.rt.rtm_dst_len = bits;
	req.rt.rtm_src_len = bits;
	attr_put(&req, RTA_DST, dst);
	attr_put(&req, RTA_SRC, src);

	if (sendto(rl->fd, &req, req.nh.nlmsg_len, 0,
		   (struct sockaddr *)&kern, sizeof(kern)) < 0)
		return errno;

	return 0;
}


/* a gateway of the answer's family, as the next hop */
static int gateway(const struct rtattr *a, struct sa *nexthop)
{
	size_t len = sa_af(nexthop) == AF_INET6 ? 16 : 4;

	if (RTA_PAYLOAD(a) != len)
		return EPROTO;

	if (len == 16)
		sa_set_in6(nexthop, RTA_DATA(a), 0);
	else
		memcpy(&nexthop->u.in.sin_addr, RTA_DATA(a), 4);

	return 0;
}


/* the device and gateway of an RTM_NEWROUTE answer; EHOSTUNREACH if it
   is not unicast; rt->nexthop is the peer when it has no gateway */
static int route_parse(const struct nlmsghdr *nh, struct rtlookup_route *rt)
{
	const struct rtmsg *rtm = NLMSG_DATA(nh);
	const struct rtattr *a = RTM_RTA(rtm);
	int len = (int)RTM_PAYLOAD(nh), err = ENODEV;

	if (rtm->rtm_type != RTN_UNICAST)
		return EHOSTUNREACH;

	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == RTA_VIA)
			return ENOTSUP;
		if (a->rta_type == RTA_GATEWAY &&
		    gateway(a, &rt->nexthop))
			return EPROTO;
		if (a->rta_type == RTA_OIF &&
		    RTA_PAYLOAD(a) >= sizeof(uint32_t)) {
			memcpy(&rt->ifindex, RTA_DATA(a), sizeof(rt->ifindex));
			err = rt->ifindex > 0 ? 0 : ENODEV;
		}
	}

	return err;
}


/* one message of the answer: 0 and the route, an error, or EAGAIN if
   it is not the answer (another sequence number) */
static int answer(uint32_t seq, const struct nlmsghdr *nh,
		  struct rtlookup_route *rt)
{
	if (nh->nlmsg_seq != seq)
		return EAGAIN;

	if (nh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(nh);

		if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
			return EPROTO;

		return e->error < 0 && e->error > -4096 ? -e->error : EPROTO;
	}

	if (nh->nlmsg_type != RTM_NEWROUTE ||
	    nh->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtmsg)))
		return EPROTO;

	return route_parse(nh, rt);
}


/**
 * Read the answer to a route request out of a datagram from the kernel
 *
 * @param buf A datagram of rtnetlink messages (4-byte aligned)
 * @param len Its length
 * @param seq The request's sequence number
 * @param rt  The route: its nexthop holds the peer's address (the
 *            family of a gateway) and is replaced by the gateway
 *
 * @return 0 if success, EAGAIN if the datagram holds no answer to the
 *         request, EHOSTUNREACH (not unicast), ENODEV (no device),
 *         ENOTSUP (a gateway of the other family), EPROTO (malformed),
 *         or the kernel's error
 */
int rtlookup_answer(const void *buf, size_t len, uint32_t seq,
		    struct rtlookup_route *rt)
{
	int left = len > INT32_MAX ? INT32_MAX : (int)len;

	if (!buf || !rt)
		return EINVAL;

	/* NLMSG_OK(), without comparing a signed length to nlmsg_len */
	for (const struct nlmsghdr *nh = buf;
	     left >= (int)sizeof(*nh) && nh->nlmsg_len >= sizeof(*nh) &&
		     nh->nlmsg_len <= (unsigned)left;
	     nh = NLMSG_NEXT(nh, left)) {
		int err = answer(seq, nh, rt);

		if (err != EAGAIN)
			return err;
	}

	return EAGAIN;
}


static int receive(const struct rtlookup *rl, struct rtlookup_route *rt)
{
	uint8_t buf[RTLOOKUP_BUF] __attribute__((aligned(4)));

	for (int tries = 0; tries < 8; tries++) {
		ssize_t n = recv(rl->fd, buf, sizeof(buf), 0);
		int err;

		if (n < 0)
			return errno == EAGAIN ? ETIMEDOUT : errno;

		err = rtlookup_answer(buf, (size_t)n, rl->seq, rt);
		if (err != EAGAIN)
			return err;
	}

	return ETIMEDOUT;
}


static int mtu_ioctl(int fd, const char *name, uint32_t *mtu)
{
	struct ifreq ifr;

	if (str_len(name) >= sizeof(ifr.ifr_name))
		return ENAMETOOLONG;

	memset(&ifr, 0, sizeof(ifr));
	str_ncpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));

	if (ioctl(fd, SIOCGIFMTU, &ifr))
		return errno;

	*mtu = (uint32_t)ifr.ifr_mtu;

	return 0;
}


/**
 * Get a device's MTU
 *
 * @param name Device name
 * @param mtu  Its MTU
 *
 * @return 0 if success, otherwise errorcode
 */
int rtlookup_mtu(const char *name, uint32_t *mtu)
{
	int fd, err;

	if (!name || !mtu)
		return EINVAL;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;

	err = mtu_ioctl(fd, name, mtu);
	(void)close(fd);

	return err;
}


/* an Ethernet-like device's MTU, ENODEV for any other device */
static int dev_info(const struct rtlookup *rl, int ifindex, uint32_t *mtu)
{
	char name[IF_NAMESIZE];
	struct ifreq ifr;

	if (!if_indextoname((unsigned)ifindex, name))
		return errno;

	memset(&ifr, 0, sizeof(ifr));
	str_ncpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
	if (ioctl(rl->ifd, SIOCGIFHWADDR, &ifr))
		return errno;

	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		return ENODEV;

	return mtu_ioctl(rl->ifd, name, mtu);
}


/**
 * Find the device and next hop a datagram from src to dst leaves by
 *
 * @param rl  Handle
 * @param src Our address (the port is not used)
 * @param dst The peer's address
 * @param rt  The route (filled in on success)
 *
 * @return 0 if success, EHOSTUNREACH if no unicast route, ENODEV if
 *         the device has no Ethernet addresses, ENOTSUP if the gateway
 *         is of the other family, otherwise errorcode
 */
int rtlookup_egress(struct rtlookup *rl, const struct sa *src,
		    const struct sa *dst, struct rtlookup_route *rt)
{
	struct rtlookup_route r;
	int err;

	if (!rl || !src || !dst || !rt || sa_af(src) != sa_af(dst) ||
	    (sa_af(dst) != AF_INET && sa_af(dst) != AF_INET6))
		return EINVAL;

	memset(&r, 0, sizeof(r));
	sa_cpy(&r.nexthop, dst);
	sa_set_port(&r.nexthop, 0);

	err = request(rl, src, dst);
	if (err)
		return err;

	err = receive(rl, &r);
	if (err)
		return err;

	err = dev_info(rl, r.ifindex, &r.mtu);
	if (err)
		return err;

	*rt = r;

	return 0;
}
