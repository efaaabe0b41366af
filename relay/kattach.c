/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file kattach.c  The eBPF path following the host's network: devices
 *                   whose address comes late, and routes that change
 *
 * At start the relay attaches its TC program to the devices holding
 * the interfaces' addresses (relay.c). An interface whose address no
 * device holds yet is served later: an HA pair's service address,
 * which keepalived adds to the standby when it takes over (the sockets
 * are bound with IP_FREEBIND), or an interface a reload added. Every
 * KATTACH_MS the main thread tries to attach the program for each
 * interface it does not serve yet and logs when it does, and at once
 * when rtnetlink says an address or a device changed. Until then
 * the interface's streams stay in userspace: mkern_egress() refuses
 * their installs, and the retry (offload.c) tries again.
 *
 * The program is never detached from a device whose address leaves:
 * a flow it holds is of a call this node no longer serves, and it is
 * removed with the call.
 *
 * A route or a device that changes (rtwatch.c) bumps the program's
 * route generation: the workers look up again the out device and next
 * hop of each flow they have in the kernel (mkback.c), so that media
 * follows the new route, and a flow left without one goes back to
 * userspace.
 */
#include <re.h>
#define DEBUG_MODULE "relay"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "iface.h"
#include "mkern.h"
#include "rtwatch.h"
#include "kattach.h"


enum {
	KATTACH_MS = 1000,   /**< Try the interfaces not served this often */
};

/** Attaching late */
struct kattach {
	struct tmr tmr;              /**< Next try                       */
	struct rtwatch *rw;          /**< rtnetlink changes (NULL: none) */
	struct mkern *mk;            /**< The program (not owned)        */
	const struct list *ifaces;   /**< struct relay_iface (not owned) */
};


static void destructor(void *data)
{
	struct kattach *ka = data;

	tmr_cancel(&ka->tmr);
	mem_deref(ka->rw);
}


/* an interface the program could serve, does not, and now can */
static void try_iface(struct kattach *ka, const struct relay_iface *ifc)
{
	if (!mkern_addr_ok(&ifc->addr) || mkern_serves(ka->mk, &ifc->addr))
		return;

	if (mkern_attach(ka->mk, &ifc->addr))
		return;

	DEBUG_NOTICE("relay_kernel: interface %s (%j) has its address: "
		     "eBPF fast path on %u devices\n", ifc->name,
		     &ifc->addr, mkern_devices(ka->mk));
}


static void try_all(struct kattach *ka)
{
	for (struct le *le = list_head(ka->ifaces); le; le = le->next)
		try_iface(ka, le->data);
}


static void tmr_handler(void *arg)
{
	struct kattach *ka = arg;

	try_all(ka);
	tmr_start(&ka->tmr, KATTACH_MS, tmr_handler, ka);
}


static void change_handler(unsigned what, void *arg)
{
	struct kattach *ka = arg;

	if (what & (RTWATCH_ROUTE | RTWATCH_LINK | RTWATCH_LOST))
		mkern_route_bump(ka->mk);

	if (what & (RTWATCH_ADDR | RTWATCH_LINK | RTWATCH_LOST))
		try_all(ka);
}


/**
 * Try, from now on, to attach the program for the interfaces it does
 * not serve (main thread)
 *
 * @param kap    Pointer to the allocated state
 * @param mk     The loaded program (outlives the state)
 * @param ifaces The relay's interfaces, struct relay_iface (the list
 *               outlives the state; a reload may change its members)
 *
 * @return 0 if success, otherwise errorcode
 */
int kattach_alloc(struct kattach **kap, struct mkern *mk,
		  const struct list *ifaces)
{
	struct kattach *ka;
	int err;

	if (!kap || !mk || !ifaces)
		return EINVAL;

	ka = mem_zalloc(sizeof(*ka), destructor);
	if (!ka)
		return ENOMEM;

	ka->mk = mk;
	ka->ifaces = ifaces;
	tmr_start(&ka->tmr, KATTACH_MS, tmr_handler, ka);

	/* without the watch, flows keep the route they went in with */
	err = rtwatch_alloc(&ka->rw, change_handler, ka);
	if (err)
		DEBUG_WARNING("relay_kernel: cannot watch routes (%m): a "
			      "flow in the kernel keeps the route it went "
			      "in with\n", err);

	*kap = ka;

	return 0;
}
