/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file ifreload.c  Relay interfaces added, changed and removed by a
 *                   reload
 *
 * A reload makes the interfaces the new configuration adds or changes
 * before anything changes (relay_ifaces_prepare(): nothing to bind, a
 * pool to allocate), then swaps them in (relay_ifaces_commit()). New
 * offers find the new set. An interface removed or changed leaves the
 * set but lives on, with its pool, for the streams it carries: each
 * stream holds a reference, so calls on it go on as they were, and its
 * ports return to nobody when the last of them closes. Main thread.
 */
#include <string.h>
#include <re.h>
#define DEBUG_MODULE "relay"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "cfg.h"
#include "iface.h"
#include "fwd.h"
#include "relay.h"
#include "sec.h"
#include "relay_priv.h"


static struct relay_iface *by_name(const struct list *l, const char *name)
{
	for (struct le *le = list_head(l); le; le = le->next) {
		struct relay_iface *ifc = le->data;

		if (!strcmp(ifc->name, name))
			return ifc;
	}

	return NULL;
}


/**
 * Make the relay interfaces a new configuration adds or changes
 *
 * @param relay Relay
 * @param cfg   The new configuration
 * @param add   List the new interfaces are appended to (owned by the
 *              caller until relay_ifaces_commit())
 *
 * @return 0 if success, otherwise errorcode
 */
int relay_ifaces_prepare(const struct relay *relay, const struct cfg *cfg,
			 struct list *add)
{
	if (!relay || !cfg || !add)
		return EINVAL;

	for (struct le *le = cfg->ifaces.head; le; le = le->next) {
		const struct cfg_iface *ci = le->data;
		const struct relay_iface *old = by_name(&relay->ifaces,
							 ci->name);
		struct relay_iface *ifc;
		int err;

		if (!ci->port_min || (old && iface_same(old, ci)))
			continue;

		err = iface_alloc(&ifc, ci);
		if (err) {
			list_flush(add);
			return err;
		}

		ifc->freebind = cfg->ha.pair;
		list_append(add, &ifc->le, ifc);
	}

	return 0;
}


/**
 * Apply the new set of interfaces: those the configuration no longer
 * has as they are leave the set (their streams keep them), those made
 * by relay_ifaces_prepare() join it
 *
 * @param relay Relay
 * @param cfg   The new configuration
 * @param add   What relay_ifaces_prepare() made; emptied
 */
void relay_ifaces_commit(struct relay *relay, const struct cfg *cfg,
			 struct list *add)
{
	struct le *le;

	if (!relay || !cfg || !add)
		return;

	le = relay->ifaces.head;
	while (le) {
		struct relay_iface *ifc = le->data;
		const struct cfg_iface *ci = cfg_iface_find(cfg, ifc->name);

		le = le->next;
		if (ci && ci->port_min && iface_same(ifc, ci))
			continue;

		DEBUG_NOTICE("interface %s %s: out of the set; %u streams "
			     "keep it\n", ifc->name, ci ? "changed" : "removed",
			     mem_nrefs(ifc) - 1);
		list_unlink(&ifc->le);
		mem_deref(ifc);
	}

	while ((le = add->head)) {
		struct relay_iface *ifc = le->data;

		list_unlink(le);
		list_append(&relay->ifaces, &ifc->le, ifc);
	}
}
