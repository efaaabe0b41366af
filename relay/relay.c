/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file relay.c  Media relay core: the relay object, its interfaces,
 *                workers and calls
 */
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <re.h>
#define DEBUG_MODULE "relay"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "elog.h"
#include "cfg.h"
#include "iface.h"
#include "fwd.h"
#include "worker.h"
#include "offload.h"
#include "kpath.h"
#include "mkern.h"
#include "kattach.h"
#include "relay.h"
#include "sec.h"
#include "relay_priv.h"


enum {
	CALLS_HASH = 1024,    /**< Call hash table buckets */
	WORKERS_MAX = 64,     /**< Forwarding threads, at most */
};


static void call_destructor(void *data)
{
	struct relay_call *call = data;

	relay_change(call, RELAY_CHG_END);
	hash_unlink(&call->he);
	--call->relay->ncalls;
	while (call->streams.head)
		relay_stream_close(call->streams.head->data);
}


static void relay_destructor(void *data)
{
	struct relay *relay = data;

	/* the threads go first: then nothing else touches a stream */
	for (unsigned i = 0; i < relay->nworkers; i++)
		mem_deref(relay->workers[i]);
	relay->nworkers = 0;
	mem_deref(relay->workers);
	mem_deref(relay->beats);
	relay->mq = mem_deref(relay->mq);
	relay->ka = mem_deref(relay->ka);
	relay->mk = mem_deref(relay->mk);  /* detaches the filters */

	hash_flush(relay->calls);
	mem_deref(relay->calls);
	list_flush(&relay->closing);
	list_flush(&relay->ifaces);
	mem_deref((void *)relay->cfg);
}


static void mq_handler(int id, void *data, void *arg)
{
	struct fwd_stream *fs = data;
	struct relay_stream *s = fs->arg;
	struct relay *relay = arg;

	switch (id) {

	case FWD_EV_TIMEOUT:
		if (!s->call || s->timed_out)
			break;
		s->timed_out = true;
		DEBUG_NOTICE("call %s: stream %u: no media, timed out\n",
			     s->call->id, s->index);
		if (relay->timeouth)
			relay->timeouth(s->call->id, relay->arg);
		break;

	case FWD_EV_CHANGED:
		if (s->call)
			relay_change(s->call, RELAY_CHG_MEDIA);
		break;

	case FWD_EV_RELEASED:
		/* the worker let go: keep its counts, close the sockets,
		 * free the ports */
		relay_totals_add(&relay->gone, s);
		mem_deref(s);
		break;
	}
}


static int ifaces_alloc(struct relay *relay, const struct cfg *cfg)
{
	for (struct le *le = cfg->ifaces.head; le; le = le->next) {
		const struct cfg_iface *ci = le->data;
		struct relay_iface *ifc;
		int err;

		if (!ci->port_min)
			continue;

		err = iface_alloc(&ifc, ci);
		if (err)
			return err;

		/* a pair's standby binds before it has the addresses */
		ifc->freebind = cfg->ha.pair;
		list_append(&relay->ifaces, &ifc->le, ifc);
	}

	return relay->ifaces.head ? 0 : EINVAL;
}


/* relay_io: what the threads use, logged; with "uring" a fallback is a
 * warning, with "auto" a note */
static void io_note(const struct relay *relay)
{
	enum cfg_rio want = relay->cfg->relay.io;
	unsigned n = 0;
	int err = 0;

	if (want == CFG_RIO_EPOLL || !relay->nworkers)
		return;

	for (unsigned i = 0; i < relay->nworkers; i++) {
		int e = 0;

		if (worker_uring(relay->workers[i], &e))
			++n;
		else if (!err)
			err = e;
	}

	if (n == relay->nworkers) {
		DEBUG_INFO("relay_io: forwarding threads use io_uring\n");
		return;
	}

	if (n) {
		DEBUG_WARNING("relay_io: %u of %u forwarding threads use "
			      "io_uring, the others epoll (%m)\n",
			      n, relay->nworkers, err);
		return;
	}

	if (want == CFG_RIO_URING)
		DEBUG_WARNING("relay_io uring: io_uring is not available "
			      "(%m): epoll\n", err);
	else
		DEBUG_INFO("relay_io: io_uring is not available (%m): "
			   "epoll\n", err);
}


static int workers_alloc(struct relay *relay, unsigned n)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	if (!n)
		n = cores > 0 ? (unsigned)cores : 1;
	if (n > WORKERS_MAX)
		n = WORKERS_MAX;

	relay->workers = mem_zalloc(n * sizeof(*relay->workers), NULL);
	relay->beats = mem_zalloc(n * sizeof(*relay->beats), NULL);
	if (!relay->workers || !relay->beats)
		return ENOMEM;
	memset(relay->beats, 0xff, n * sizeof(*relay->beats)); /* unseen */

	for (unsigned i = 0; i < n; i++) {
		struct offload_cfg oc = {
			.path = relay->kpath,
			.mk = relay->mk,
			.slot_base = i * (MK_STAT_MAX / n),
			.slots = MK_STAT_MAX / n,
		};
		int err = worker_alloc(&relay->workers[i], i, relay->mq, &oc,
				       relay->cfg->relay.io != CFG_RIO_EPOLL);
		if (err)
			return err;
		++relay->nworkers;
	}

	return 0;
}


/**
 * Whether every forwarding thread ran its loop since the last call
 * (for the watchdog: a stuck worker stops the feed)
 *
 * @param relay Relay, NULL if disabled
 *
 * @return true if all of them did (always on the first call)
 */
bool relay_alive(struct relay *relay)
{
	bool alive = true;

	for (unsigned i = 0; relay && i < relay->nworkers; i++) {
		uint64_t b = worker_beat(relay->workers[i]);

		if (b == relay->beats[i])
			alive = false;
		relay->beats[i] = b;
	}

	return alive;
}


/* Attach the TC program for an interface (said why not); *later: no
 * device holds its address yet */
static int bpf_iface(struct relay *relay, const struct relay_iface *ifc,
		     bool *later)
{
	int e = mkern_attach(relay->mk, &ifc->addr);

	if (e == EADDRNOTAVAIL) {
		DEBUG_NOTICE("relay_kernel: interface %s (%j): a wildcard "
			     "or loopback address: its media stays in "
			     "userspace\n", ifc->name, &ifc->addr);
		return 0;
	}

	if (e == ENODEV) {
		DEBUG_NOTICE("relay_kernel: interface %s (%j): no device "
			     "holds it yet: its media stays in userspace "
			     "until one does\n", ifc->name, &ifc->addr);
		*later = true;
		return 0;
	}

	return e;
}


/* Load the TC program and attach it to the interfaces' devices; an
 * interface on a wildcard stays in userspace, one on no device until
 * its address appears (kattach.c) */
static int bpf_try(struct relay *relay)
{
	bool later = false;
	int err;

	err = mkern_alloc(&relay->mk);
	if (err)
		return err;

	for (struct le *le = relay->ifaces.head; le && !err; le = le->next)
		err = bpf_iface(relay, le->data, &later);

	if (!err && !mkern_devices(relay->mk) && !later)
		err = ENODEV;
	if (!err)
		err = kattach_alloc(&relay->ka, relay->mk, &relay->ifaces);
	if (err)
		relay->mk = mem_deref(relay->mk);

	return err;
}


/* Whether conntrack can forward (each worker opens its own handle) */
static int ct_try(void)
{
	struct kern *k = NULL;
	int err = kern_alloc(&k);

	mem_deref(k);

	return err;
}


static void bpf_note(enum cfg_kpath want, int err)
{
	if (want == CFG_KPATH_AUTO)
		DEBUG_WARNING("relay_kernel: eBPF unavailable (%m: %s); "
			      "trying conntrack\n", err, kpath_bpf_why(err));
	else
		DEBUG_WARNING("relay_kernel bpf: cannot load or attach the TC "
			      "program (%m: %s): media stays in userspace\n",
			      err, kpath_bpf_why(err));
}


/* Whether an interface has an address a kernel path can serve */
static bool kernel_eligible(const struct relay *relay)
{
	for (struct le *le = relay->ifaces.head; le; le = le->next) {
		const struct relay_iface *ifc = le->data;

		if (mkern_addr_ok(&ifc->addr))
			return true;
	}

	return false;
}


/* Choose the kernel fast path, before the workers start (kpath.h) */
static void kpath_select(struct relay *relay)
{
	enum cfg_kpath want = relay->cfg->relay.kernel;
	int bpf_err = KPATH_UNTRIED, ct_err = KPATH_UNTRIED;
	enum offload_path p;

	if (want != CFG_KPATH_NO && !kernel_eligible(relay)) {
		DEBUG_INFO("relay_kernel: every interface is on a loopback "
			   "or wildcard address: media stays in userspace\n");
		relay->kpath = OFFLOAD_USER;
		relay->kpath_err = EADDRNOTAVAIL;
		return;
	}

	for (;;) {
		p = kpath_next(want, bpf_err, ct_err);
		if (p == OFFLOAD_BPF && bpf_err == KPATH_UNTRIED) {
			bpf_err = bpf_try(relay);
			if (bpf_err)
				bpf_note(want, bpf_err);
		}
		else if (p == OFFLOAD_CONNTRACK && ct_err == KPATH_UNTRIED) {
			ct_err = ct_try();
			if (ct_err)
				DEBUG_WARNING("relay_kernel: %s (%m): media "
					      "stays in userspace\n",
					      kpath_ct_why(ct_err), ct_err);
		}
		else {
			break;
		}
	}

	relay->kpath = p;
	if (p == OFFLOAD_USER && want != CFG_KPATH_NO)
		relay->kpath_err = ct_err > 0 ? ct_err :
			bpf_err > 0 ? bpf_err : ENODEV;
}


/* Say which kernel path took effect */
static void kernel_note(const struct relay *relay)
{
	const struct offload *o = worker_offload(relay->workers[0]);

	if (relay->kpath == OFFLOAD_BPF) {
		DEBUG_INFO("relay_kernel: eBPF fast path on %u devices\n",
			   mkern_devices(relay->mk));
	}
	else if (relay->kpath == OFFLOAD_CONNTRACK && o->kern) {
		DEBUG_INFO("relay_kernel: latched streams are forwarded by "
			   "the kernel (IPv4 %s, IPv6 %s)\n",
			   kern_ready(o->kern, AF_INET) ? "yes" : "no",
			   kern_ready(o->kern, AF_INET6) ? "yes" : "no");
	}
}


/**
 * Allocate the media relay: its interfaces and forwarding threads
 *
 * @param relayp Pointer to allocated relay
 * @param cfg    Configuration, referenced
 *
 * @return 0 if success, otherwise errorcode
 */
int relay_alloc(struct relay **relayp, const struct cfg *cfg)
{
	struct relay *relay;
	int err;

	if (!relayp || !cfg)
		return EINVAL;

	relay = mem_zalloc(sizeof(*relay), relay_destructor);
	if (!relay)
		return ENOMEM;

	relay->cfg = mem_ref((void *)cfg);

	err = hash_alloc(&relay->calls, CALLS_HASH);
	if (err)
		goto out;

	err = ifaces_alloc(relay, cfg);
	if (err) {
		elog_err("no interface with a port range\n");
		goto out;
	}

	err = mqueue_alloc(&relay->mq, mq_handler, relay);
	if (err)
		goto out;

	kpath_select(relay);

	err = workers_alloc(relay, cfg->relay.threads);
	if (err) {
		elog_err("forwarding threads: %m\n", err);
		goto out;
	}

	kernel_note(relay);
	io_note(relay);

	DEBUG_INFO("%u interfaces, %u forwarding threads\n",
		   list_count(&relay->ifaces), relay->nworkers);

 out:
	if (err)
		mem_deref(relay);
	else
		*relayp = relay;

	return err;
}


/**
 * Apply a reloaded configuration: token secrets, token requirement,
 * learning window and timeouts take effect for the next offer and
 * answer. Interfaces and threads stay as they were started.
 *
 * @param relay Relay
 * @param cfg   New configuration, referenced
 */
void relay_set_cfg(struct relay *relay, const struct cfg *cfg)
{
	if (!relay || !cfg)
		return;

	mem_deref((void *)relay->cfg);
	relay->cfg = mem_ref((void *)cfg);
}


/**
 * Set the handler told about media timeouts
 *
 * @param relay Relay
 * @param h     Handler
 * @param arg   Handler argument
 */
void relay_set_timeout_handler(struct relay *relay, relay_timeout_h *h,
			       void *arg)
{
	if (!relay)
		return;

	relay->timeouth = h;
	relay->arg = arg;
}


/**
 * Set the handler told about changes of a call (high availability)
 *
 * @param relay Relay
 * @param h     Handler, NULL for none
 * @param arg   Handler argument
 */
void relay_set_change_handler(struct relay *relay, relay_change_h *h,
			      void *arg)
{
	if (!relay)
		return;

	relay->changeh = h;
	relay->change_arg = arg;
	for (unsigned i = 0; i < relay->nworkers; i++)
		worker_post_changes(relay->workers[i], h != NULL);
}


/**
 * Tell the change handler that a call changed
 *
 * @param call Call
 * @param what What changed
 */
void relay_change(const struct relay_call *call, enum relay_change what)
{
	if (call && call->relay->changeh)
		call->relay->changeh(call->id, what,
				     call->relay->change_arg);
}


/**
 * Find an interface by name; an unset name gives the first one
 *
 * @return the interface, NULL if none has that name
 */
struct relay_iface *relay_iface_find(const struct relay *relay,
				     const struct pl *name)
{
	for (struct le *le = relay->ifaces.head; le; le = le->next) {
		struct relay_iface *ifc = le->data;

		if (!pl_isset(name) || 0 == pl_strcmp(name, ifc->name))
			return ifc;
	}

	return NULL;
}


static bool call_cmp(struct le *le, void *arg)
{
	const struct relay_call *call = le->data;

	return 0 == pl_strcmp(arg, call->id);
}


/**
 * Find a call
 *
 * @param relay  Relay
 * @param callid Call-ID
 *
 * @return the call, NULL if there is none
 */
const struct relay_call *relay_call_find(const struct relay *relay,
					 const struct pl *callid)
{
	if (!relay || !pl_isset(callid))
		return NULL;

	return list_ledata(hash_lookup(relay->calls,
				       hash_joaat((const uint8_t *)callid->p,
						  callid->l),
				       call_cmp, (void *)callid));
}


/**
 * Create a call, empty
 *
 * @return 0 if success, otherwise errorcode
 */
int relay_call_alloc(struct relay_call **callp, struct relay *relay,
		     const struct pl *callid)
{
	struct relay_call *call;

	if (!callid->l || callid->l >= RELAY_ID_MAX ||
	    memchr(callid->p, '\0', callid->l))
		return EINVAL;

	call = mem_zalloc(sizeof(*call), call_destructor);
	if (!call)
		return ENOMEM;

	call->relay = relay;
	++relay->ncalls;
	call->created = (uint64_t)time(NULL);
	(void)pl_strcpy(callid, call->id, sizeof(call->id));
	hash_append(relay->calls, hash_joaat((const uint8_t *)callid->p,
					     callid->l), &call->he, call);

	*callp = call;

	return 0;
}


/**
 * Delete a call and release its ports
 *
 * @param relay  Relay
 * @param callid Call-ID
 *
 * @return 0 if success, ENOENT if there is no such call
 */
int relay_delete(struct relay *relay, const struct pl *callid)
{
	struct relay_call *call;

	call = (struct relay_call *)relay_call_find(relay, callid);
	if (!call)
		return ENOENT;

	DEBUG_INFO("call %s deleted\n", call->id);
	mem_deref(call);

	return 0;
}


/**
 * Delete every call and release their ports (each is told to the
 * change handler, if one is set)
 *
 * @param relay Relay
 */
void relay_calls_flush(struct relay *relay)
{
	if (relay)
		hash_flush(relay->calls);
}


/** @return the number of calls */
unsigned relay_call_count(const struct relay *relay)
{
	return relay ? relay->ncalls : 0;
}


/**
 * Call a handler for every call
 *
 * @param relay Relay
 * @param h     Handler; returns true to stop
 * @param arg   Handler argument
 */
void relay_call_apply(const struct relay *relay, relay_call_h *h, void *arg)
{
	if (!relay || !h)
		return;

	for (uint32_t b = 0; b < hash_bsize(relay->calls); b++) {
		for (struct le *le = list_head(hash_list(relay->calls, b)); le;
		     le = le->next) {
			if (h(le->data, arg))
				return;
		}
	}
}


/**
 * The port pool of one of the relay's interfaces, for another part of
 * the daemon to share (the TURN server takes its relayed ports from the
 * same pool, so the two never hand out the same port). Main thread only.
 *
 * @param relay Relay
 * @param name  Interface name
 *
 * @return the pool, or NULL if the relay has no such interface
 */
struct portpool *relay_portpool(const struct relay *relay, const char *name)
{
	for (struct le *le = relay ? relay->ifaces.head : NULL; le;
	     le = le->next) {
		struct relay_iface *ifc = le->data;

		if (name && 0 == strcmp(ifc->name, name))
			return ifc->pool;
	}

	return NULL;
}
