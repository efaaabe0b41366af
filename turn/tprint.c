/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tprint.c  TURN server: the operator's view (umedgectl status,
 *                 umedgectl turn)
 */
#include <string.h>
#include <time.h>
#include <re.h>
#include "cfg.h"
#include "portpool.h"
#include "turnd.h"
#include "turnd_priv.h"


static int stats_print(struct re_printf *pf, const struct tstats *st)
{
	return re_hprintf(pf, "out %llu pkts %llu B, in %llu pkts %llu B, "
			  "dropped %llu",
			  (unsigned long long)st->pkts_out,
			  (unsigned long long)st->bytes_out,
			  (unsigned long long)st->pkts_in,
			  (unsigned long long)st->bytes_in,
			  (unsigned long long)st->dropped);
}


static bool kstats_handler(struct le *le, void *arg)
{
	tkern_stats_add(arg, le->data);
	return false;
}


static int kern_print(struct re_printf *pf, const struct turnd *turnd)
{
	struct tstats st;

	if (!turnd->kern)
		return re_hprintf(pf, "off");

	memset(&st, 0, sizeof(st));
	tkern_gone_add(&st, turnd->kern);
	(void)hash_apply(turnd->allocs, kstats_handler, &st);

	return re_hprintf(pf, "%u channels on %u devices; relayed out "
			  "%llu pkts %llu B, in %llu pkts %llu B",
			  tkern_count(turnd->kern),
			  tkern_devices(turnd->kern),
			  (unsigned long long)st.pkts_out,
			  (unsigned long long)st.bytes_out,
			  (unsigned long long)st.pkts_in,
			  (unsigned long long)st.bytes_in);
}


/**
 * Print the TURN server's state for umedgectl status
 *
 * @param pf    Print handler
 * @param turnd TURN server
 *
 * @return 0 if success, otherwise errorcode
 */
int turnd_status(struct re_printf *pf, const struct turnd *turnd)
{
	struct tstats st;
	int err;

	if (!turnd)
		return re_hprintf(pf, "turn: disabled\n");

	err  = re_hprintf(pf, "turn: enabled, realm %s, %u allocations "
			  "(%llu made), %u listeners, %u of %u port pairs "
			  "free\n", turnd->cfg->turn.realm, turnd->nallocs,
			  (unsigned long long)turnd->allocs_total,
			  list_count(&turnd->listeners),
			  portpool_free(turnd->pool),
			  portpool_pairs(turnd->pool));
	st = turnd->st;
	(void)hash_apply(turnd->allocs, kstats_handler, &st);
	err |= re_hprintf(pf, "turn relayed: %H\n", stats_print, &st);
	err |= re_hprintf(pf, "turn kernel: %H\n", kern_print, turnd);
	err |= re_hprintf(pf, "turn unauthenticated: %H\n", trate_print,
			  turnd->rate);
	err |= re_hprintf(pf, "turn bindings: %H\n", trate_print,
			  turnd->brate);

	return err;
}


static int peers_print(struct re_printf *pf, const struct talloc *al)
{
	int err = 0;

	for (struct le *le = al->perms.head; le; le = le->next) {
		const struct tperm *perm = le->data;

		err |= re_hprintf(pf, " %j", &perm->peer);
	}

	for (struct le *le = al->chans.head; le; le = le->next) {
		const struct tchan *chan = le->data;

		err |= re_hprintf(pf, " 0x%04x=%J", chan->num, &chan->peer);
	}

	return err;
}


static bool alloc_print(struct le *le, void *arg)
{
	const struct talloc *al = le->data;
	struct re_printf *pf = arg;
	uint64_t now = (uint64_t)time(NULL);
	struct tstats st = al->st;
	int err;

	err  = re_hprintf(pf, "%s %s %J -> %J relay %J age %llu s "
			  "expires %llu s\n", al->user,
			  cfg_tp_name(al->lsn->tp), &al->cli,
			  &al->lsn->local, &al->relay,
			  (unsigned long long)(now - al->created),
			  (unsigned long long)texp_get_expire(&al->exp) / 1000);
	err |= re_hprintf(pf, "  permissions %u, channels %u:%H\n",
			  list_count(&al->perms), list_count(&al->chans),
			  peers_print, al);
	tkern_stats_add(&st, al);
	err |= re_hprintf(pf, "  %H\n", stats_print, &st);

	return err != 0;
}


/**
 * Print every allocation, for umedgectl turn: user, 5-tuple, relayed
 * address, age, peers, channels and counters
 *
 * @param pf    Print handler
 * @param turnd TURN server
 *
 * @return 0 if success, otherwise errorcode
 */
int turnd_allocs_print(struct re_printf *pf, const struct turnd *turnd)
{
	if (!turnd)
		return re_hprintf(pf, "turn: disabled\n");

	(void)re_hprintf(pf, "%u allocations\n", turnd->nallocs);

	return hash_apply(turnd->allocs, alloc_print, pf) ? ENOMEM : 0;
}
