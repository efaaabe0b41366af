/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file iface.c  Tests: a relay interface opens a given port pair, also
 *                on an address it does not hold yet (a standby's)
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <re.h>
#include "cfg.h"
#include "portpool.h"
#include "iface.h"
#include "test.h"


static int ifc_make(struct relay_iface **ifcp, const char *addr)
{
	struct cfg_iface ci;

	memset(&ci, 0, sizeof(ci));
	str_ncpy(ci.name, "ext", sizeof(ci.name));
	if (sa_set_str(&ci.addr, addr, 0))
		return EINVAL;
	ci.port_min = 31200;
	ci.port_max = 31219;

	return iface_alloc(ifcp, &ci);
}


static bool bound_to(int fd, const char *addr, uint16_t port)
{
	struct sa sa, want;

	sa_init(&sa, AF_UNSPEC);
	if (getsockname(fd, &sa.u.sa, &sa.len))
		return false;
	if (sa_set_str(&want, addr, port))
		return false;

	return sa_cmp(&sa, &want, SA_ALL);
}


/* whether this namespace lets any socket bind to a foreign address */
static bool nonlocal_bind(void)
{
	char c = '0';
	FILE *f = fopen("/proc/sys/net/ipv4/ip_nonlocal_bind", "r");

	if (f) {
		if (fread(&c, 1, 1, f) != 1)
			c = '0';
		(void)fclose(f);
	}

	return c != '0';
}


/* 192.0.2.123 is on no interface of the test machine */
int test_iface_open_at(void)
{
	struct relay_iface *ifc = NULL, *lo = NULL;
	struct iface_pair pair, p2;
	int err;

	err  = ifc_make(&ifc, "192.0.2.123");
	err |= ifc_make(&lo, "127.0.0.1");
	TEST_ERR(err);

	/* not ours: refused, and the pair goes back to the pool (unless
	 * net.ipv4.ip_nonlocal_bind allows it to every socket) */
	if (!nonlocal_bind()) {
		TEST_EQUALS(EADDRNOTAVAIL,
			    iface_pair_open_at(ifc, &pair, 31204));
		TEST_EQUALS(10, portpool_free(ifc->pool));
	}

	/* with IP_FREEBIND both sockets bind to it */
	ifc->freebind = true;
	TEST_ERR(iface_pair_open_at(ifc, &pair, 31204));
	TEST_ASSERT(bound_to(pair.fd[0], "192.0.2.123", 31204));
	TEST_ASSERT(bound_to(pair.fd[1], "192.0.2.123", 31205));
	TEST_EQUALS(31204, pair.port);
	TEST_EQUALS(9, portpool_free(ifc->pool));
	TEST_EQUALS(EALREADY, iface_pair_open_at(ifc, &p2, 31204));
	TEST_EQUALS(EINVAL, iface_pair_open_at(ifc, &p2, 31205));
	iface_pair_close(ifc, &pair);
	TEST_EQUALS(10, portpool_free(ifc->pool));

	/* a pair another socket holds: EADDRINUSE, given back */
	TEST_ERR(iface_pair_open_at(lo, &pair, 31210));
	lo->pool = mem_deref(lo->pool);
	TEST_ERR(portpool_alloc(&lo->pool, 31200, 31219));
	TEST_EQUALS(EADDRINUSE, iface_pair_open_at(lo, &p2, 31210));
	TEST_EQUALS(10, portpool_free(lo->pool));
	(void)close(pair.fd[0]);
	(void)close(pair.fd[1]);
	err = 0;

 out:
	mem_deref(ifc);
	mem_deref(lo);
	return err;
}
