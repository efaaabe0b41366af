/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file turnd.c  TURN server: the server object
 */
#include <re.h>
#define DEBUG_MODULE "turnd"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "cfg.h"
#include "portpool.h"
#include "umrand.h"
#include "peerfilt.h"
#include "turnd.h"
#include "turnd_priv.h"
#include "tlsmat.h"


enum {
	ALLOC_BUCKETS = 1024,   /**< Hash buckets for allocations  */
	USER_BUCKETS  = 256,    /**< Hash buckets for users        */
	RESV_BUCKETS  = 64,     /**< Hash buckets for reservations */
};

/** 401/438 answers: per source, and a cap for spoofed floods */
static const struct trate_prm unauth_prm = {
	TURND_RATE_SLOTS, TURND_RATE_PER_S, TURND_RATE_BURST,
	TURND_RATE_ALL, TURND_RATE_ALL_BURST
};

/** Binding answers: generous per source (ICE clients behind one NAT),
 *  and a cap on what a reflection can draw */
static const struct trate_prm bind_prm = {
	TURND_BIND_SLOTS, TURND_BIND_PER_S, TURND_BIND_BURST,
	TURND_BIND_ALL, TURND_BIND_ALL_BURST
};


static void turnd_destructor(void *data)
{
	struct turnd *turnd = data;

	/* connections look their allocation up when they close */
	hash_flush(turnd->allocs);
	hash_flush(turnd->resvs);
	texpq_close(&turnd->allocs_exp);
	texpq_close(&turnd->perms);
	mem_deref(turnd->users);
	list_flush(&turnd->listeners);
	tpeer_close(turnd);
	mem_deref(turnd->kern);
	mem_deref(turnd->rx);
	mem_deref(turnd->lrx);
	mem_deref(turnd->allocs);
	mem_deref(turnd->resvs);
	mem_deref(turnd->tls);
	mem_deref(turnd->rate);
	mem_deref(turnd->brate);
	mem_deref(turnd->pf);
	mem_deref(turnd->pool);
	mem_deref((void *)turnd->cfg);
	tauth_close(turnd);
}


/* where a configured listener binds */
static int listen_addr(const struct cfg *cfg, const struct cfg_listen *cl,
		       struct sa *local)
{
	const struct cfg_iface *ifc = cfg_iface_find(cfg, cl->iface);

	if (!ifc)
		return EINVAL;

	*local = ifc->addr;
	sa_set_port(local, cl->port);

	return 0;
}


/* the running listener of this address and transport, or NULL */
static struct tlisten *listener_find(const struct list *l,
				     const struct sa *local, enum cfg_tp tp)
{
	for (struct le *le = list_head(l); le; le = le->next) {
		struct tlisten *lsn = le->data;

		if (lsn->tp == tp && sa_cmp(&lsn->local, local, SA_ALL))
			return lsn;
	}

	return NULL;
}


/* whether the new configuration still has this listener */
static bool lsn_configured(const struct cfg *cfg, const struct tlisten *lsn)
{
	for (struct le *le = cfg->turn.listeners.head; le; le = le->next) {
		const struct cfg_listen *cl = le->data;
		struct sa local;

		if (!listen_addr(cfg, cl, &local) && cl->tp == lsn->tp &&
		    sa_cmp(&lsn->local, &local, SA_ALL))
			return true;
	}

	return false;
}


/* open the configured listeners that do not run yet, into list */
static int listeners_open(struct turnd *turnd, const struct cfg *cfg,
			  struct list *list)
{
	for (struct le *le = cfg->turn.listeners.head; le; le = le->next) {
		const struct cfg_listen *cl = le->data;
		struct tlisten *lsn;
		struct sa local;
		int err;

		if (listen_addr(cfg, cl, &local))
			return EINVAL;
		if (listener_find(&turnd->listeners, &local, cl->tp))
			continue;

		if (cl->tp == CFG_TLS && !turnd->tls) {
			err = ttls_alloc(&turnd->tls, &cfg->turn);
			if (err)
				return err;
		}

		err = tlisten_alloc(&lsn, turnd, &local, cl->tp);
		if (err) {
			DEBUG_WARNING("turn_listen %J/%s: %m\n", &local,
				      cfg_tp_name(cl->tp), err);
			return err;
		}

		list_append(list, &lsn->le, lsn);
	}

	return 0;
}


static int listeners_alloc(struct turnd *turnd, const struct cfg *cfg)
{
	return listeners_open(turnd, cfg, &turnd->listeners);
}


/**
 * Open the listeners a reload adds (bound, serving only after
 * turnd_listen_commit()); nothing else changes
 *
 * @param turnd TURN server, NULL if disabled
 * @param cfg   New configuration
 * @param add   List the new listeners go to
 * @param why   Buffer for the reason it cannot be done
 * @param sz    Its size
 *
 * @return 0 if success, otherwise errorcode (the reload is refused)
 */
int turnd_listen_prepare(struct turnd *turnd, const struct cfg *cfg,
			 struct list *add, char *why, size_t sz)
{
	int err;

	if (!turnd)
		return 0;

	err = listeners_open(turnd, cfg, add);
	if (err) {
		(void)re_snprintf(why, sz, "turn_listen: a new listener "
				  "cannot be opened: %m", err);
		list_flush(add);
	}

	return err;
}


/**
 * Apply a reload's listeners: those it removed retire (they serve
 * their allocations to the end, accept nothing new), the new ones
 * join
 *
 * @param turnd TURN server
 * @param cfg   New configuration
 * @param add   The new listeners, from turnd_listen_prepare()
 */
void turnd_listen_commit(struct turnd *turnd, const struct cfg *cfg,
			 struct list *add)
{
	struct le *le;

	if (!turnd)
		return;

	le = turnd->listeners.head;
	while (le) {
		struct tlisten *lsn = le->data;

		le = le->next;
		if (lsn_configured(cfg, lsn))
			continue;

		DEBUG_NOTICE("turn_listen %J/%s removed: it serves its "
			     "allocations to their end\n", &lsn->local,
			     cfg_tp_name(lsn->tp));
		tlisten_retire(lsn);
		mem_deref(lsn);
	}

	while (add->head) {
		struct tlisten *lsn = add->head->data;

		list_unlink(&lsn->le);
		list_append(&turnd->listeners, &lsn->le, lsn);
		DEBUG_NOTICE("turn_listen %J/%s added\n", &lsn->local,
			     cfg_tp_name(lsn->tp));
	}
}


static int relay_setup(struct turnd *turnd, const struct cfg *cfg,
		       struct portpool *pool)
{
	const struct cfg_iface *ifc;

	ifc = cfg_iface_find(cfg, cfg->turn.relay_iface);
	if (!ifc || !ifc->port_min)
		return EINVAL;

	turnd->relay_addr = ifc->addr;
	turnd->relay_adv = sa_isset(&ifc->advertise, SA_ADDR) ?
		ifc->advertise : ifc->addr;

	if (pool) {
		turnd->pool = mem_ref(pool);
		return 0;
	}

	return portpool_alloc(&turnd->pool, ifc->port_min, ifc->port_max);
}


/* the kernel path, if configured; without it the server relays in
   userspace */
static void kern_setup(struct turnd *turnd)
{
	int err;

	if (!turnd->cfg->turn.kernel)
		return;

	err = tkern_alloc(&turnd->kern, turnd);
	if (err) {
		DEBUG_WARNING("turn_kernel: cannot load or attach the TC "
			      "program (%m); relaying in userspace\n", err);
		return;
	}

	DEBUG_NOTICE("turn_kernel: channels of UDP clients are relayed "
		     "in the kernel (%u devices)\n",
		     tkern_devices(turnd->kern));
}


static bool sync_handler(struct le *le, void *arg)
{
	(void)arg;
	tkern_sync(le->data);
	return false;
}


/**
 * Allocate the TURN server and open its listeners
 *
 * @param turndp Pointer to allocated TURN server
 * @param cfg    Configuration, referenced
 * @param pool   Port pool of turn_relay_interface to share with the
 *               relay (referenced), or NULL for a pool of its own
 *
 * @return 0 if success, otherwise errorcode
 */
int turnd_alloc(struct turnd **turndp, const struct cfg *cfg,
		struct portpool *pool)
{
	struct turnd *turnd;
	int err;

	if (!turndp || !cfg)
		return EINVAL;

	turnd = mem_zalloc(sizeof(*turnd), turnd_destructor);
	if (!turnd)
		return ENOMEM;

	turnd->cfg = mem_ref((void *)cfg);
	turnd->tick = 1000;
	turnd->pf_gen = 1;
	turnd->epfd = -1;
	texpq_init(&turnd->allocs_exp);
	texpq_init(&turnd->perms);
	err = um_rand_bytes(turnd->nonce_key, sizeof(turnd->nonce_key));
	if (err) {
		DEBUG_WARNING("no random nonce key: %m\n", err);
		goto out;
	}

	err  = tauth_init(turnd);
	err |= hash_alloc(&turnd->allocs, ALLOC_BUCKETS);
	err |= hash_alloc(&turnd->users, USER_BUCKETS);
	err |= hash_alloc(&turnd->resvs, RESV_BUCKETS);
	if (err)
		goto out;

	err = relay_setup(turnd, cfg, pool);
	if (err)
		goto out;

	err  = tpeer_init(turnd);
	err |= tsock_rx_alloc(&turnd->lrx);
	if (err)
		goto out;

	err  = peerfilt_alloc(&turnd->pf, cfg);
	err |= trate_alloc(&turnd->rate, &unauth_prm);
	err |= trate_alloc(&turnd->brate, &bind_prm);
	if (err)
		goto out;

	err = listeners_alloc(turnd, cfg);
	if (err)
		goto out;

	kern_setup(turnd);

 out:
	if (err)
		mem_deref(turnd);
	else
		*turndp = turnd;

	return err;
}


/**
 * Take a new configuration: secrets, realm, quotas, lifetimes, the
 * bandwidth cap and the peer networks apply to every request from now
 * on. Listeners and the relay interface stay until a restart.
 *
 * @param turnd TURN server
 * @param cfg   New configuration, referenced
 */
void turnd_set_cfg(struct turnd *turnd, const struct cfg *cfg)
{
	struct peerfilt *pf;
	int err;

	if (!turnd || !cfg)
		return;

	err = peerfilt_alloc(&pf, cfg);
	if (err) {
		DEBUG_WARNING("reload: peer filter: %m; keeping the old "
			      "configuration for TURN\n", err);
		return;
	}

	mem_deref(turnd->pf);
	turnd->pf = pf;
	if (!++turnd->pf_gen)
		turnd->pf_gen = 1;  /* 0 marks a permission never checked */
	mem_deref((void *)turnd->cfg);
	turnd->cfg = mem_ref((void *)cfg);

	/* channels in the kernel see no packet in userspace: ask the
	   new filter about their peers now */
	(void)hash_apply(turnd->allocs, sync_handler, NULL);
}


/**
 * Read and check the TLS files of a reload (turn_tls_cert, _key)
 *
 * @param turnd TURN server, NULL if disabled
 * @param cfg   New configuration
 * @param mp    The material, NULL without a TLS listener
 * @param why   Buffer for the reason it cannot be used
 * @param sz    Its size
 *
 * @return 0 if success, otherwise errorcode (the reload is refused)
 */
int turnd_tls_prepare(const struct turnd *turnd, const struct cfg *cfg,
		      struct tlsmat **mp, char *why, size_t sz)
{
	*mp = NULL;

	return turnd ? ttls_prepare(turnd->tls, &cfg->turn, mp, why, sz) : 0;
}


/**
 * Put renewed TLS material in force for new TLS connections; those
 * made keep theirs
 *
 * @param turnd TURN server
 * @param m     Material from turnd_tls_prepare(), or NULL
 */
void turnd_tls_commit(struct turnd *turnd, struct tlsmat *m)
{
	if (turnd && m && tlsmat_apply(turnd->tls, m))
		DEBUG_WARNING("reload: TLS could not be renewed\n");
}


/**
 * Handle a datagram as the first UDP listener would: STUN or
 * ChannelData from a client. The receive handler, the unit tests and
 * the fuzzer all come through here.
 *
 * @param turnd TURN server
 * @param src   Client address
 * @param mb    The datagram, from mb->pos
 *
 * @return 0 if it was handled, EINVAL without a UDP listener
 */
int turnd_input(struct turnd *turnd, const struct sa *src, struct mbuf *mb)
{
	if (!turnd || !src || !mb)
		return EINVAL;

	for (struct le *le = turnd->listeners.head; le; le = le->next) {
		struct tlisten *lsn = le->data;

		if (lsn->tp == CFG_UDP) {
			tmsg_input(turnd, lsn, NULL, src, mb);
			return 0;
		}
	}

	return EINVAL;
}


/** @return the number of allocations */
/** @return EVEN-PORT reservations held now, 0 without a server */
uint32_t turnd_resv_count(const struct turnd *turnd)
{
	return turnd ? turnd->nresvs : 0;
}


/**
 * Start or stop refusing new allocations (a drain): 508; refreshes,
 * permissions, channels and data go on
 *
 * @param turnd TURN server, NULL if disabled
 * @param on    Whether new allocations are refused
 */
void turnd_set_draining(struct turnd *turnd, bool on)
{
	if (turnd)
		turnd->draining = on;
}


uint32_t turnd_count(const struct turnd *turnd)
{
	return turnd ? turnd->nallocs : 0;
}


/**
 * Send every message for clients to a tap instead of the sockets
 * (unit tests and the fuzzer)
 *
 * @param turnd TURN server
 * @param tap   Tap, NULL for the sockets again
 * @param arg   Its argument
 */
void turnd_tap_set(struct turnd *turnd, turnd_tap_h *tap, void *arg)
{
	if (!turnd)
		return;

	turnd->tap = tap;
	turnd->tap_arg = arg;
}
