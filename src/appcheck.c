/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file appcheck.c  What a reload cannot apply while the daemon runs
 *
 * Sockets, threads and parts are made at start: a new configuration
 * that changes them is refused whole ("needs a restart"), so the
 * configuration in force always describes what runs. Listeners and
 * interfaces are the exception: a reload adds and retires TURN's
 * (turnd_listen_prepare/commit) and SIP's (b2b_listen_prepare/commit,
 * which refuses what it cannot do), and the relay's interfaces
 * (relay_ifaces_prepare/commit); an interface a listener is on keeps
 * its address. Everything else
 * (secrets, limits, hosts, routes, peers, TLS files, timers, the log
 * level) a reload applies.
 */
#include <string.h>
#include <re.h>
#include "cfg.h"
#include "app.h"
#include "app_priv.h"


/* libre's sa_cmp() finds two unset addresses different */
static bool sa_same(const struct sa *a, const struct sa *b)
{
	if (!sa_isset(a, SA_ADDR) && !sa_isset(b, SA_ADDR))
		return sa_port(a) == sa_port(b);

	return sa_cmp(a, b, SA_ALL);
}


static bool iface_same(const struct cfg_iface *i, const struct cfg_iface *j)
{
	return i && j && !strcmp(i->name, j->name) &&
		sa_same(&i->addr, &j->addr) &&
		sa_same(&i->advertise, &j->advertise) &&
		i->port_min == j->port_min && i->port_max == j->port_max;
}


/* an interface that keeps its name keeps its address */
static bool addr_kept(const struct cfg *o, const struct cfg *n,
		      const char *name)
{
	const struct cfg_iface *i = cfg_iface_find(o, name);
	const struct cfg_iface *j = cfg_iface_find(n, name);

	return !i || !j || sa_same(&i->addr, &j->addr);
}


static bool lsn_addrs_kept(const struct cfg *o, const struct cfg *n,
			   const struct list *lsns)
{
	for (struct le *le = list_head(lsns); le; le = le->next) {
		const struct cfg_listen *l = le->data;

		if (!addr_kept(o, n, l->iface))
			return false;
	}

	return true;
}


/* Interfaces come and go with a reload (the relay's set, relay.c
 * relay_ifaces_commit), but one a listener is bound on keeps its
 * address, and TURN's relay interface (whose pool TURN shares) stays
 * as it is */
static bool ifaces_kept(const struct cfg *o, const struct cfg *n)
{
	const char *tr = o->turn.relay_iface;

	return lsn_addrs_kept(o, n, &o->sip.listeners) &&
		lsn_addrs_kept(o, n, &o->turn.listeners) &&
		addr_kept(o, n, o->cred.lsn.iface) &&
		addr_kept(o, n, o->metrics.lsn.iface) &&
		(!tr[0] || !o->turn.enable ||
		 iface_same(cfg_iface_find(o, tr), cfg_iface_find(n, tr)));
}


static bool http_same(const struct cfg_http *a, const struct cfg_http *b)
{
	return !strcmp(a->iface, b->iface) && a->port == b->port;
}


static bool nets_same(const struct list *a, const struct list *b)
{
	const struct le *x = a->head, *y = b->head;

	for (; x && y; x = x->next, y = y->next) {
		const struct cfg_net *i = x->data, *j = y->data;

		if (!sa_cmp(&i->addr, &j->addr, SA_ADDR) || i->bits != j->bits)
			return false;
	}

	return !x && !y;
}


/* the first key whose change needs a restart, or NULL */
static const char *first_change(const struct cfg *o, const struct cfg *n)
{
	const struct {
		bool changed;
		const char *key;
	} checks[] = {
		{strcmp(o->control_socket, n->control_socket) != 0,
		 "control_socket"},
		{strcmp(o->pidfile, n->pidfile) != 0, "pidfile"},
		{o->log_target != n->log_target ||
		 o->log_facility != n->log_facility, "log_target/facility"},
		{o->sip.enable != n->sip.enable, "sip_enable"},
		{o->relay.enable != n->relay.enable, "relay_enable"},
		{o->turn.enable != n->turn.enable, "turn_enable"},
		{!ifaces_kept(o, n), "the address of an interface a "
		 "listener is on, or turn_relay_interface's"},
		{o->sip.own_streams != n->sip.own_streams, "sip_own_streams"},
		{o->sip.own_udp != n->sip.own_udp, "sip_own_udp"},
		{strcmp(o->turn.relay_iface, n->turn.relay_iface) != 0,
		 "turn_relay_interface"},
		{o->turn.kernel != n->turn.kernel, "turn_kernel"},
		{o->relay.threads != n->relay.threads, "relay_threads"},
		{o->relay.kernel != n->relay.kernel, "relay_kernel"},
		{o->relay.io != n->relay.io, "relay_io"},
		{!sa_same(&o->relay.ng_listen, &n->relay.ng_listen),
		 "relay_ng_listen"},
		{!http_same(&o->cred.lsn, &n->cred.lsn), "cred_listen"},
		{!http_same(&o->metrics.lsn, &n->metrics.lsn) ||
		 !nets_same(&o->metrics.clients, &n->metrics.clients),
		 "metrics_listen/metrics_client"},
		{!sa_same(&o->hep.collector, &n->hep.collector) ||
		 o->hep.capture_id != n->hep.capture_id ||
		 strcmp(o->hep.auth_key, n->hep.auth_key), "hep_*"},
		{o->ha.pair != n->ha.pair, "ha_pair"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(checks); i++) {
		if (checks[i].changed)
			return checks[i].key;
	}

	return NULL;
}


/**
 * Whether a new configuration changes what only a restart can: sockets,
 * threads, parts, the log target
 *
 * @param old The configuration in force
 * @param cfg The new one
 * @param msg Buffer for the reason
 * @param sz  Its size
 *
 * @return 0 if a reload can apply it, EBUSY if it needs a restart
 */
int app_restart_check(const struct cfg *old, const struct cfg *cfg,
		      char *msg, size_t sz)
{
	const char *key = first_change(old, cfg);

	if (!key)
		return 0;

	(void)re_snprintf(msg, sz, "%s: %s changed: that needs a restart",
			  cfg->path, key);

	return EBUSY;
}
