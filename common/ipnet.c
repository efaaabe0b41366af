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
		unsigned bits = n->bits, i;

		if (sa_af(&a) != sa_af(&n->addr))
			continue;

		if (sa_af(&a) == AF_INET) {
			x = (const uint8_t *)&a.u.in.sin_addr;
			y = (const uint8_t *)&n->addr.u.in.sin_addr;
		}
		else {
			x = a.u.in6.sin6_addr.s6_addr;
			y = n->addr.u.in6.sin6_addr.s6_addr;
		}

		for (i = 0; bits >= 8; i++, bits -= 8) {
			if (x[i] != y[i])
				break;
		}
		if (bits >= 8)
			continue;
		if (bits && ((x[i] ^ y[i]) & (0xff << (8 - bits))))
			continue;

		return true;
	}

	return false;
}
