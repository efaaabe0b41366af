/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file rtwatch.c  Watching the kernel's routes, devices and addresses
 *                  change (rtnetlink multicast)
 *
 * A NETLINK_ROUTE socket joined to the link, address and route groups
 * of both families, read on the main thread's loop (fd_listen). Each
 * wakeup drains the socket and calls the handler once with what the
 * messages touched; a socket that overflowed (ENOBUFS) lost some, and
 * the handler hears RTWATCH_LOST. The messages' contents are not kept:
 * a user looks again at what it cares about (a route lookup, a device's
 * addresses).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <re.h>
#include "rtwatch.h"


enum {
	RTWATCH_BUF = 16384,     /**< One read                             */
	RTWATCH_RCVBUF = 1 << 20, /**< Socket buffer: a burst of changes  */
	RTWATCH_READS = 64,      /**< Reads per wakeup at most             */
};

/** A watch: its socket and handler */
struct rtwatch {
	int fd;                  /**< NETLINK_ROUTE, multicast groups     */
	rtwatch_h *h;            /**< Told what changed                   */
	void *arg;               /**< Its argument                        */
	uint8_t buf[RTWATCH_BUF]; /**< Read buffer                        */
};


static void destructor(void *data)
{
	struct rtwatch *rw = data;

	if (rw->fd >= 0) {
		fd_close(rw->fd);
		(void)close(rw->fd);
	}
}


static unsigned what_of(uint16_t type)
{
	switch (type) {

	case RTM_NEWROUTE:
	case RTM_DELROUTE: return RTWATCH_ROUTE;
	case RTM_NEWLINK:
	case RTM_DELLINK:  return RTWATCH_LINK;
	case RTM_NEWADDR:
	case RTM_DELADDR:  return RTWATCH_ADDR;
	case NLMSG_OVERRUN: return RTWATCH_LOST;
	default:           return 0;
	}
}


/**
 * What a datagram of rtnetlink messages touched
 *
 * @param buf The datagram
 * @param len Its length
 *
 * @return enum rtwatch_what bits; a truncated message stops the walk
 */
unsigned rtwatch_classify(const void *buf, size_t len)
{
	const struct nlmsghdr *nh = buf;
	unsigned what = 0;
	int left = len > INT32_MAX ? INT32_MAX : (int)len;

	if (!buf)
		return 0;

	/* NLMSG_OK(), without comparing a signed length to nlmsg_len */
	for (; left >= (int)sizeof(*nh) && nh->nlmsg_len >= sizeof(*nh) &&
		     nh->nlmsg_len <= (unsigned)left;
	     nh = NLMSG_NEXT(nh, left))
		what |= what_of(nh->nlmsg_type);

	return what;
}


static void read_handler(int flags, void *arg)
{
	struct rtwatch *rw = arg;
	unsigned what = 0;

	(void)flags;
	for (int i = 0; i < RTWATCH_READS; i++) {
		ssize_t n = recv(rw->fd, rw->buf, sizeof(rw->buf),
				 MSG_DONTWAIT);

		if (n < 0 && errno == ENOBUFS) {
			what |= RTWATCH_LOST;
			continue;
		}
		if (n <= 0)
			break;

		what |= rtwatch_classify(rw->buf, (size_t)n);
	}

	if (what)
		rw->h(what, rw->arg);
}


static int sock_open(struct rtwatch *rw)
{
	struct sockaddr_nl snl;
	int rcvbuf = RTWATCH_RCVBUF;

	rw->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
			NETLINK_ROUTE);
	if (rw->fd < 0)
		return errno;

	(void)setsockopt(rw->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
			 sizeof(rcvbuf));

	memset(&snl, 0, sizeof(snl));
	snl.nl_family = AF_NETLINK;
	snl.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR |
		RTMGRP_IPV6_IFADDR | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE;
	if (bind(rw->fd, (struct sockaddr *)&snl, sizeof(snl)))
		return errno;

	return 0;
}


/**
 * Watch for changes of routes, devices and addresses (main thread)
 *
 * @param rwp Pointer to the allocated watch
 * @param h   Told what changed, once per burst
 * @param arg Its argument
 *
 * @return 0 if success, otherwise errorcode
 */
int rtwatch_alloc(struct rtwatch **rwp, rtwatch_h *h, void *arg)
{
	struct rtwatch *rw;
	int err;

	if (!rwp || !h)
		return EINVAL;

	rw = mem_zalloc(sizeof(*rw), destructor);
	if (!rw)
		return ENOMEM;

	rw->fd = -1;
	rw->h = h;
	rw->arg = arg;
	err = sock_open(rw);
	if (!err)
		err = fd_listen(rw->fd, FD_READ, read_handler, rw);

	if (err)
		mem_deref(rw);
	else
		*rwp = rw;

	return err;
}
