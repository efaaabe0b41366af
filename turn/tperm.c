/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tperm.c  TURN server: permissions (RFC 5766 8)
 *
 * A permission lets packets from and to one peer IP address (any port)
 * through an allocation for TURND_PERM_TTL seconds; CreatePermission and
 * ChannelBind refresh it. It caches the peer filter's verdict on its
 * address, tagged with the filter's generation (turnd.pf_gen): a reload
 * makes a new filter and a new generation, and the next packet asks
 * the new filter.
 */
#include <re.h>
#include "peerfilt.h"
#include "turnd_priv.h"


/* a permission is gone: its peer's channels leave the kernel (the
   channels list is whole even while the allocation is freed) */
static void tperm_kern_drop(struct talloc *al, const struct sa *peer)
{
	for (struct le *le = al->chans.head; le; le = le->next) {
		struct tchan *chan = le->data;

		if (chan->kern && sa_cmp(&chan->peer, peer, SA_ADDR))
			tkern_chan_del(al, chan);
	}
}


static void tperm_destructor(void *data)
{
	struct tperm *perm = data;

	texp_cancel(&perm->exp);
	list_unlink(&perm->le);
	if (perm->al)
		tperm_kern_drop(perm->al, &perm->peer);
}


static void expire_handler(void *arg)
{
	mem_deref(arg);
}


/**
 * Find an allocation's permission for a peer
 *
 * @param al   Allocation
 * @param peer Peer; only the address is compared
 *
 * @return the permission, or NULL
 */
struct tperm *tperm_find(const struct talloc *al, const struct sa *peer)
{
	for (struct le *le = al ? al->perms.head : NULL; le; le = le->next) {
		struct tperm *perm = le->data;

		if (sa_cmp(&perm->peer, peer, SA_ADDR))
			return perm;
	}

	return NULL;
}


/**
 * Install or refresh a permission
 *
 * @param al   Allocation
 * @param peer Peer address
 *
 * @return 0 if success, ENOSPC if the allocation has too many
 */
int tperm_install(struct talloc *al, const struct sa *peer)
{
	struct tperm *perm;

	if (!al || !peer)
		return EINVAL;

	perm = tperm_find(al, peer);
	if (!perm) {
		if (list_count(&al->perms) >= TURND_PERM_MAX)
			return ENOSPC;

		perm = mem_zalloc(sizeof(*perm), tperm_destructor);
		if (!perm)
			return ENOMEM;

		perm->al = al;
		perm->peer = *peer;
		sa_set_port(&perm->peer, 0);
		list_append(&al->perms, &perm->le, perm);
		tkern_sync(al);
	}

	texp_start(&perm->exp, &al->turnd->perms,
		   TURND_PERM_TTL * al->turnd->tick, expire_handler, perm);

	return 0;
}


/**
 * May a packet to or from a peer pass: is there a permission for its
 * address, and does the peer filter now in force allow it
 *
 * @param al   Allocation
 * @param peer Peer address
 *
 * @return true if it may pass
 */
bool tperm_allows(struct talloc *al, const struct sa *peer)
{
	struct tperm *perm = tperm_find(al, peer);
	const struct turnd *turnd;

	if (!perm)
		return false;

	turnd = al->turnd;
	if (perm->pf_gen != turnd->pf_gen) {
		perm->pf_ok = PEERFILT_ALLOW == peerfilt_check(turnd->pf,
							       &perm->peer);
		perm->pf_gen = turnd->pf_gen;
	}

	return perm->pf_ok;
}
