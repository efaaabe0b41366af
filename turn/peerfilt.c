/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file peerfilt.c  TURN peer filtering
 *
 * Checked when a permission or channel is made (403) and again before
 * every packet is relayed. The rules, in this order; the first that
 * matches decides:
 *
 *  1. Normalise. IPv4-mapped IPv6 (::ffff:a.b.c.d), the NAT64
 *     well-known prefix (64:ff9b::a.b.c.d), every turn_nat64_prefix
 *     (RFC 6052 layout), 6to4 (2002:AABB:CCDD::/48) and ISATAP
 *     (an interface identifier 0000:5efe:a.b.c.d or 0200:5efe:a.b.c.d)
 *     are checked as the IPv4 address they carry. IPv4-compatible IPv6
 *     (::a.b.c.d, deprecated), IPv4-translated (::ffff:0:a.b.c.d, SIIT),
 *     Teredo (2001::/32, whose client address is obfuscated) and the
 *     local-use NAT64 prefix (64:ff9b:1::/48, where the IPv4 part can
 *     sit anywhere) are refused.
 *  2. Always refused, whatever else is configured: unspecified
 *     (0.0.0.0/8, ::), loopback (127.0.0.0/8, ::1), link-local
 *     (169.254.0.0/16, fe80::/10), multicast (224.0.0.0/4, ff00::/8),
 *     reserved (240.0.0.0/4), the limited broadcast 255.255.255.255 and
 *     the broadcast address of every subnet of the host, and the edge's
 *     own addresses (every configured interface and advertise address,
 *     and every address the host has).
 *  3. turn_denied_peer networks: refused.
 *  4. turn_allowed_peer networks: allowed.
 *  5. Inside networks: sip_internal_network, and the subnets of the
 *     interfaces TURN listens on: refused.
 *  6. Anything else (the outside): allowed.
 */
#include <string.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <re.h>
#include "cfg.h"
#include "ipnet.h"
#include "peerfilt.h"


/** A fixed prefix and what it means */
struct pfx {
	const char *net;              /**< Network, text form    */
	unsigned bits;                /**< Prefix length         */
	enum peerfilt_verdict v;      /**< Verdict on a match    */
};

static const struct pfx fixed[] = {
	{"0.0.0.0",         8, PEERFILT_UNSPEC},
	{"127.0.0.0",       8, PEERFILT_LOOPBACK},
	{"169.254.0.0",    16, PEERFILT_LINKLOCAL},
	{"224.0.0.0",       4, PEERFILT_MULTICAST},
	{"255.255.255.255",32, PEERFILT_BROADCAST},
	{"240.0.0.0",       4, PEERFILT_RESERVED},
	{"::",            128, PEERFILT_UNSPEC},
	{"::1",           128, PEERFILT_LOOPBACK},
	{"fe80::",         10, PEERFILT_LINKLOCAL},
	{"ff00::",          8, PEERFILT_MULTICAST},
	{"64:ff9b:1::",    48, PEERFILT_EMBEDDED},
	{"::",             96, PEERFILT_EMBEDDED},
	{"::ffff:0:0:0",   96, PEERFILT_EMBEDDED},
	{"2001::",         32, PEERFILT_EMBEDDED},
};


/** The peer filter */
struct peerfilt {
	const struct cfg *cfg;   /**< turn_*_peer, internal networks  */
	struct list own;         /**< struct cfg_net: our addresses   */
	struct list bcast;       /**< struct cfg_net: subnet broadcast */
	struct list inside;      /**< struct cfg_net: listener subnets */
	struct sa fixed[ARRAY_SIZE(fixed)]; /**< fixed[], parsed once */
};


static void peerfilt_destructor(void *data)
{
	struct peerfilt *pf = data;

	list_flush(&pf->own);
	list_flush(&pf->bcast);
	list_flush(&pf->inside);
	mem_deref((void *)pf->cfg);
}


static bool in_net(const struct sa *a, const struct sa *n, unsigned bits)
{
	const uint8_t *x, *y;

	if (sa_af(n) != sa_af(a) || !ipnet_addr(a, &x) || !ipnet_addr(n, &y))
		return false;

	return ipnet_prefix_eq(x, y, bits);
}


static bool in_prefix(const struct sa *a, const char *net, unsigned bits)
{
	struct sa n;

	return !sa_set_str(&n, net, 0) && in_net(a, &n, bits);
}


static void v4_from(struct sa *sa, const uint8_t *p)
{
	uint32_t a;

	memcpy(&a, p, 4);
	sa_init(sa, AF_INET);
	sa_set_in(sa, ntohl(a), 0);
}


/* the IPv4 address under an RFC 6052 prefix of length bits: 4 bytes
 * from bits / 8 on, skipping byte 8 (bits 64-71, the "u" octet) */
static void v4_rfc6052(struct sa *sa, const uint8_t *b, unsigned bits)
{
	uint8_t v4[4];
	unsigned i = bits / 8;

	for (unsigned n = 0; n < 4; i++) {
		if (i != 8)
			v4[n++] = b[i];
	}

	v4_from(sa, v4);
}


static bool isatap(const uint8_t *b)
{
	return (b[8] & ~0x02) == 0 && b[9] == 0 && b[10] == 0x5e &&
		b[11] == 0xfe;
}


/* Rule 1: the address the checks see, with its embedded IPv4 */
static void normalise(const struct peerfilt *pf, struct sa *a)
{
	const uint8_t *b;

	if (ipnet_unmap(a) || sa_af(a) != AF_INET6)
		return;

	b = a->u.in6.sin6_addr.s6_addr;

	if (in_prefix(a, "64:ff9b::", 96)) {
		v4_from(a, b + 12);
		return;
	}

	for (struct le *le = pf->cfg->turn.nat64_prefixes.head; le;
	     le = le->next) {
		const struct cfg_net *n = le->data;

		if (in_net(a, &n->addr, n->bits)) {
			v4_rfc6052(a, b, n->bits);
			return;
		}
	}

	if (in_prefix(a, "2002::", 16))
		v4_from(a, b + 2);
	else if (isatap(b))
		v4_from(a, b + 12);
}


static int net_add(struct list *l, const struct sa *addr, unsigned bits)
{
	struct cfg_net *n;

	n = mem_zalloc(sizeof(*n), NULL);
	if (!n)
		return ENOMEM;

	n->addr = *addr;
	sa_set_port(&n->addr, 0);
	n->bits = bits;
	list_append(l, &n->le, n);

	return 0;
}


static bool listens_on(const struct cfg *cfg, const struct sa *addr)
{
	for (struct le *le = cfg->turn.listeners.head; le; le = le->next) {
		const struct cfg_listen *l = le->data;
		const struct cfg_iface *ifc = cfg_iface_find(cfg, l->iface);

		if (ifc && sa_cmp(&ifc->addr, addr, SA_ADDR))
			return true;
	}

	return false;
}


/**
 * Add one of the host's addresses: it is refused as a peer, and so is
 * its subnet's broadcast address (IPv4); with internal, its subnet is
 * an inside network
 *
 * @param pf       Peer filter
 * @param addr     Address
 * @param bits     Its subnet's prefix length
 * @param internal Its subnet is inside
 *
 * @return 0 if success, otherwise errorcode
 */
int peerfilt_add_host(struct peerfilt *pf, const struct sa *addr,
		      unsigned bits, bool internal)
{
	struct sa a;
	int err;

	if (!pf || !addr)
		return EINVAL;

	a = *addr;
	normalise(pf, &a);
	if (sa_af(&a) != AF_INET && sa_af(&a) != AF_INET6)
		return EAFNOSUPPORT;

	err = net_add(&pf->own, &a, sa_af(&a) == AF_INET ? 32 : 128);

	if (sa_af(&a) == AF_INET && bits < 31) {
		uint32_t host = sa_in(&a) | (0xffffffffu >> bits);
		struct sa bc;

		sa_set_in(&bc, host, 0);
		err |= net_add(&pf->bcast, &bc, 32);
	}

	if (internal)
		err |= net_add(&pf->inside, &a, bits);

	return err;
}


static unsigned mask_bits(const struct sockaddr *mask)
{
	const uint8_t *p;
	unsigned n, bits = 0;

	if (!mask)
		return 0;

	if (mask->sa_family == AF_INET) {
		p = (const uint8_t *)&((const struct sockaddr_in *)mask)
			->sin_addr;
		n = 4;
	}
	else if (mask->sa_family == AF_INET6) {
		p = ((const struct sockaddr_in6 *)mask)->sin6_addr.s6_addr;
		n = 16;
	}
	else {
		return 0;
	}

	for (unsigned i = 0; i < n; i++)
		for (uint8_t b = p[i]; b & 0x80; b <<= 1)
			++bits;

	return bits;
}


static int host_addrs(struct peerfilt *pf)
{
	struct ifaddrs *ifa, *i;
	int err = 0;

	if (getifaddrs(&ifa))
		return errno;

	for (i = ifa; i && !err; i = i->ifa_next) {
		struct sa sa;

		if (!i->ifa_addr || sa_set_sa(&sa, i->ifa_addr))
			continue;

		err = peerfilt_add_host(pf, &sa, mask_bits(i->ifa_netmask),
					listens_on(pf->cfg, &sa));
	}

	freeifaddrs(ifa);

	return err;
}


static int cfg_addrs(struct peerfilt *pf)
{
	int err = 0;

	for (struct le *le = pf->cfg->ifaces.head; le; le = le->next) {
		const struct cfg_iface *ifc = le->data;

		err |= net_add(&pf->own, &ifc->addr,
			       sa_af(&ifc->addr) == AF_INET ? 32 : 128);
		if (sa_isset(&ifc->advertise, SA_ADDR))
			err |= net_add(&pf->own, &ifc->advertise,
				       sa_af(&ifc->advertise) == AF_INET ?
				       32 : 128);
	}

	return err;
}


/**
 * Create a peer filter from the configuration and the host's addresses
 *
 * @param pfp Pointer to allocated peer filter
 * @param cfg Configuration (referenced)
 *
 * @return 0 if success, otherwise errorcode
 */
int peerfilt_alloc(struct peerfilt **pfp, const struct cfg *cfg)
{
	struct peerfilt *pf;
	int err;

	if (!pfp || !cfg)
		return EINVAL;

	pf = mem_zalloc(sizeof(*pf), peerfilt_destructor);
	if (!pf)
		return ENOMEM;

	pf->cfg = mem_ref((void *)cfg);

	err = 0;
	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
		err |= sa_set_str(&pf->fixed[i], fixed[i].net, 0);

	err |= cfg_addrs(pf);
	err |= host_addrs(pf);

	if (err)
		mem_deref(pf);
	else
		*pfp = pf;

	return err;
}


static enum peerfilt_verdict fixed_check(const struct peerfilt *pf,
					const struct sa *a)
{
	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++) {
		if (in_net(a, &pf->fixed[i], fixed[i].bits))
			return fixed[i].v;
	}

	return PEERFILT_ALLOW;
}


/**
 * Check a peer address against the rules (see the top of this file)
 *
 * @param pf   Peer filter
 * @param peer Peer address; the port is not looked at
 *
 * @return PEERFILT_ALLOW, or why it is refused
 */
enum peerfilt_verdict peerfilt_check(const struct peerfilt *pf,
				     const struct sa *peer)
{
	enum peerfilt_verdict v;
	struct sa a;

	if (!pf || !peer)
		return PEERFILT_FAMILY;

	if (sa_af(peer) != AF_INET && sa_af(peer) != AF_INET6)
		return PEERFILT_FAMILY;

	/* the IPv6 form too: fe80::5efe:a.b.c.d is link-local */
	v = fixed_check(pf, peer);
	if (v != PEERFILT_ALLOW)
		return v;

	a = *peer;
	normalise(pf, &a);

	v = fixed_check(pf, &a);
	if (v != PEERFILT_ALLOW)
		return v;

	if (ipnet_match(&pf->bcast, &a))
		return PEERFILT_BROADCAST;
	if (ipnet_match(&pf->own, &a))
		return PEERFILT_OWN;
	if (ipnet_match(&pf->cfg->turn.denied_peers, &a))
		return PEERFILT_DENIED;
	if (ipnet_match(&pf->cfg->turn.allowed_peers, &a))
		return PEERFILT_ALLOW;
	if (ipnet_match(&pf->cfg->sip.internal_nets, &a) ||
	    ipnet_match(&pf->inside, &a))
		return PEERFILT_INTERNAL;

	return PEERFILT_ALLOW;
}


/**
 * Name a verdict, for logs and umedgectl
 *
 * @param v Verdict
 *
 * @return a short phrase, never NULL
 */
const char *peerfilt_reason(enum peerfilt_verdict v)
{
	if (v == PEERFILT_N)
		return "?";

	switch (v) {

	case PEERFILT_ALLOW:     return "allowed";
	case PEERFILT_FAMILY:    return "not IPv4 or IPv6";
	case PEERFILT_EMBEDDED:  return "IPv4-compatible, IPv4-translated, "
					"Teredo or NAT64 local-use";
	case PEERFILT_UNSPEC:    return "unspecified";
	case PEERFILT_LOOPBACK:  return "loopback";
	case PEERFILT_LINKLOCAL: return "link-local";
	case PEERFILT_MULTICAST: return "multicast";
	case PEERFILT_BROADCAST: return "broadcast";
	case PEERFILT_RESERVED:  return "reserved";
	case PEERFILT_OWN:       return "own address";
	case PEERFILT_DENIED:    return "turn_denied_peer";
	case PEERFILT_INTERNAL:  return "inside, not turn_allowed_peer";
	default:                 return "?";
	}
}


/**
 * The rule behind a verdict as a short token, for metric labels
 *
 * @param v Verdict
 *
 * @return "allowed", "family", "embedded", "unspecified", "loopback",
 *         "linklocal", "multicast", "broadcast", "reserved", "own",
 *         "denied" or "internal"
 */
const char *peerfilt_rule(enum peerfilt_verdict v)
{
	static const char *rules[PEERFILT_N] = {
		"allowed", "family", "embedded", "unspecified", "loopback",
		"linklocal", "multicast", "broadcast", "reserved", "own",
		"denied", "internal"
	};

	return (unsigned)v < PEERFILT_N ? rules[v] : "?";
}
