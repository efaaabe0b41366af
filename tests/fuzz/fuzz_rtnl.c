/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file fuzz_rtnl.c  libFuzzer target: rtnetlink datagrams as the relay
 *                    reads them (a route lookup's answer, a route
 *                    watch's changes)
 *
 * The first byte picks the reader: 0 the watch (rtwatch_classify),
 * 1 an IPv4 route lookup's answer, 2 an IPv6 one (rtlookup_answer, to
 * sequence number 7). The rest is the datagram. An answer is one of
 * the documented errors or a route with a device; the watch reports
 * only its bits.
 */
#include <errno.h>
#include <string.h>
#include <re.h>
#include "rtlookup.h"
#include "rtwatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum {
	FUZZ_RTNL_MAX = 8192,   /**< The longest datagram tried */
};


static void lookup(const uint32_t *buf, size_t len, bool v6)
{
	struct rtlookup_route rt;
	int err;

	memset(&rt, 0, sizeof(rt));
	(void)sa_set_str(&rt.nexthop, v6 ? "2001:db8::200" : "192.0.2.200", 0);

	err = rtlookup_answer(buf, len, 7, &rt);
	switch (err) {

	case 0:
		/* a route: a device, and a next hop of the peer's family */
		if (rt.ifindex <= 0 ||
		    sa_af(&rt.nexthop) != (v6 ? AF_INET6 : AF_INET))
			__builtin_trap();
		break;

	case EAGAIN: case EHOSTUNREACH: case ENODEV: case ENOTSUP:
	case EPROTO:
		break;

	default:
		/* the kernel's own error: an errno */
		if (err < 1 || err >= 4096)
			__builtin_trap();
		break;
	}
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint32_t buf[FUZZ_RTNL_MAX / 4];
	size_t len;

	if (size < 1 || size - 1 > sizeof(buf))
		return 0;

	/* the kernel's datagrams are aligned; the fuzzer's are not */
	len = size - 1;
	memcpy(buf, data + 1, len);

	switch (data[0]) {

	case 0:
		if (rtwatch_classify(buf, len) & ~(unsigned)(RTWATCH_ROUTE |
		    RTWATCH_LINK | RTWATCH_ADDR | RTWATCH_LOST))
			__builtin_trap();
		break;

	case 1:
	case 2:
		lookup(buf, len, data[0] == 2);
		break;

	default:
		break;
	}

	return 0;
}
