/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file ipnet.c  IP networks: CIDR matching, IPv4-mapped addresses
 */
#include <string.h>
#include <netinet/in.h>
#include <re.h>
#include "cfg.h"
#include "ipnet.h"


/**
 * Turn an IPv4-mapped IPv6 address (::ffff:a.b.c.d) into plain IPv4,
 * keeping the port. Other addresses are left as they are.
 *
 * @param sa Address to normalise
 *
 * @return true if it was IPv4-mapped
 */
bool ipnet_unmap(struct sa *sa)
{
	struct sa v4;
	uint32_t a;

	if (!sa || sa_af(sa) != AF_INET6 ||
	    !IN6_IS_ADDR_V4MAPPED(&sa->u.in6.sin6_addr))
		return false;

	memcpy(&a, &sa->u.in6.sin6_addr.s6_addr[12], 4);
	sa_init(&v4, AF_INET);
	sa_set_in(&v4, ntohl(a), sa_port(sa));
	*sa = v4;

	return true;
}


/**
 * Check whether an address lies in one of a list of networks
 *
 * @param nets List of struct cfg_net
 * @param sa   Address; IPv4-mapped IPv6 is compared as IPv4
 *
 * @return true if it does
 */
bool ipnet_match(const struct list *nets, const struct sa *sa)
{
	struct sa a;
	struct le *le;

	if (!nets || !sa)
		return false;

	a = *sa;
	ipnet_unmap(&a);

	for (le = nets->head; le; le = le->next) {
		const struct cfg_net *n = le->data;
		const uint8_t *x, *y;

		if (sa_af(&a) == sa_af(&n->addr) && ipnet_addr(&a, &x) &&
		    ipnet_addr(&n->addr, &y) && ipnet_prefix_eq(x, y, n->bits))
			return true;
	}

	return false;
}


/**
 * The bytes of an address, in network order
 *
 * @param sa     Address
 * @param bytesp Set to its first byte
 *
 * @return 4 for IPv4, 16 for IPv6, 0 for anything else
 */
size_t ipnet_addr(const struct sa *sa, const uint8_t **bytesp)
{
	if (!sa || !bytesp)
		return 0;

	switch (sa_af(sa)) {

	case AF_INET:
		*bytesp = (const uint8_t *)&sa->u.in.sin_addr;
		return 4;

	case AF_INET6:
		*bytesp = sa->u.in6.sin6_addr.s6_addr;
		return 16;

	default:
		return 0;
	}
}


/**
 * Compare the first bits of two addresses
 *
 * @param a    Address bytes, network order
 * @param b    Address bytes, network order
 * @param bits Prefix length
 *
 * @return true if the prefixes are equal
 */
bool ipnet_prefix_eq(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned i;

	for (i = 0; bits >= 8; i++, bits -= 8) {
		if (a[i] != b[i])
			return false;
	}

	return !bits || !((a[i] ^ b[i]) & (0xff << (8 - bits)));
}
