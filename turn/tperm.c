/**
 * @file tperm.c  TURN server: permissions (RFC 5766 8)
 *
 * A permission lets packets from and to one peer IP address (any port)
 * through an allocation for TURND_PERM_TTL seconds; CreatePermission and
 * ChannelBind refresh it.
 */
#include <re.h>
#include "turnd_priv.h"


static void tperm_destructor(void *data)
{
	struct tperm *perm = data;

	tmr_cancel(&perm->tmr);
	list_unlink(&perm->le);
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

		perm->peer = *peer;
		sa_set_port(&perm->peer, 0);
		list_append(&al->perms, &perm->le, perm);
	}

	tmr_start(&perm->tmr, TURND_PERM_TTL * al->turnd->tick, expire_handler,
		  perm);

	return 0;
}
