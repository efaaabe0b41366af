/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file haports.c  Media ports a restore needs that the kernel may hand
 *                  out to any socket (a warning, with ha_redis)
 *
 * A call made again binds the very ports it had (docs/ha.md, "Warm
 * restart"). A port of an interface's ports= range that lies in the
 * kernel's ephemeral range (net.ipv4.ip_local_port_range) and is not
 * reserved (net.ipv4.ip_local_reserved_ports) may be held, when the
 * restore needs it, by any socket of the node that bound port 0: a DNS
 * query's, a connection's. umedge says so when it starts and at each
 * reload, per interface.
 */
#include <stdio.h>
#include <string.h>
#include <re.h>
#define DEBUG_MODULE "ha"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "cfg.h"
#include "ha.h"


static const char *range_path = "/proc/sys/net/ipv4/ip_local_port_range";
static const char *reserved_path =
	"/proc/sys/net/ipv4/ip_local_reserved_ports";


/* whether port is in a list "a-b,c,..." */
static bool reserved_has(const struct pl *list, uint16_t port)
{
	struct pl rest = *list;

	while (rest.l) {
		const char *comma = pl_strchr(&rest, ',');
		struct pl item = {rest.p, comma ? (size_t)(comma - rest.p) :
				  rest.l};
		const char *dash = pl_strchr(&item, '-');
		struct pl a = {item.p, dash ? (size_t)(dash - item.p) : item.l};
		struct pl b = dash ? (struct pl){dash + 1,
			item.l - (size_t)(dash - item.p) - 1} : a;

		if (port >= pl_u32(&a) && port <= pl_u32(&b))
			return true;

		pl_advance(&rest, item.l + (comma ? 1 : 0));
	}

	return false;
}


/**
 * How many ports of a range lie in the ephemeral range and are not
 * reserved
 *
 * @param lo       First port of the range
 * @param hi       Last port
 * @param elo      First ephemeral port
 * @param ehi      Last ephemeral port
 * @param reserved The reserved ports ("a-b,c,..."), NULL for none
 *
 * @return their number
 */
uint32_t haports_exposed(uint16_t lo, uint16_t hi, uint16_t elo,
			 uint16_t ehi, const struct pl *reserved)
{
	uint32_t n = 0;

	for (uint32_t p = lo > elo ? lo : elo; p <= (hi < ehi ? hi : ehi);
	     p++) {
		if (!reserved || !reserved_has(reserved, (uint16_t)p))
			++n;
	}

	return n;
}


/* a /proc file's first line, without its line end */
static bool line_read(const char *path, char *buf, size_t sz)
{
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f)
		return false;

	ok = fgets(buf, (int)sz, f) != NULL;
	(void)fclose(f);
	if (ok)
		buf[strcspn(buf, "\r\n")] = '\0';

	return ok;
}


/**
 * Warn of each interface whose media ports a restore may find taken
 *
 * @param cfg Configuration
 */
void haports_check(const struct cfg *cfg)
{
	char range[64], reserved[4096] = "";
	struct pl res;
	uint32_t elo, ehi;

	if (!cfg || !line_read(range_path, range, sizeof(range)) ||
	    sscanf(range, "%u %u", &elo, &ehi) != 2 || elo > ehi ||
	    ehi > 65535)
		return;

	(void)line_read(reserved_path, reserved, sizeof(reserved));
	pl_set_str(&res, reserved);

	for (struct le *le = cfg->ifaces.head; le; le = le->next) {
		const struct cfg_iface *ifc = le->data;
		uint32_t n;

		if (!ifc->port_min)
			continue;

		n = haports_exposed(ifc->port_min, ifc->port_max,
				    (uint16_t)elo, (uint16_t)ehi, &res);
		if (n)
			DEBUG_WARNING("interface %s: %u of its ports %u-%u "
				      "are in the kernel's ephemeral range "
				      "(%u-%u) and not reserved: a restore "
				      "may find one taken (reserve them: "
				      "net.ipv4.ip_local_reserved_ports)\n",
				      ifc->name, n, ifc->port_min,
				      ifc->port_max, elo, ehi);
	}
}
