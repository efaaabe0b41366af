/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tprint.c  TURN server: the operator's view (umedgectl status,
 *                 umedgectl turn), as text and as JSON
 */
#include <string.h>
#include <time.h>
#include <re.h>
#include "cfg.h"
#include "portpool.h"
#include "jsonw.h"
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


/**
 * Add what the kernel relays for the live allocations to st
 *
 * @param turnd TURN server
 * @param st    Counters added to
 */
void turnd_kern_live(const struct turnd *turnd, struct tstats *st)
{
	(void)hash_apply(turnd->allocs, kstats_handler, st);
}


static int kern_print(struct re_printf *pf, const struct turnd *turnd)
{
	struct tstats st;

	if (!turnd->kern)
		return re_hprintf(pf, "off");

	memset(&st, 0, sizeof(st));
	tkern_gone_add(&st, turnd->kern);
	turnd_kern_live(turnd, &st);

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
	turnd_kern_live(turnd, &st);
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


static void stats_json(struct jsonw *w, const char *key,
		       const struct tstats *st)
{
	jsonw_obj(w, key);
	jsonw_u64(w, "pkts_out", st->pkts_out);
	jsonw_u64(w, "bytes_out", st->bytes_out);
	jsonw_u64(w, "pkts_in", st->pkts_in);
	jsonw_u64(w, "bytes_in", st->bytes_in);
	jsonw_u64(w, "dropped", st->dropped);
	jsonw_close(w);
}


static void rate_json(struct jsonw *w, const char *key,
		      const struct trate *rate)
{
	const struct trate_st st = trate_stats(rate);

	jsonw_obj(w, key);
	jsonw_u64(w, "answered", st.passed);
	jsonw_u64(w, "limited", st.limited);
	jsonw_u64(w, "capped", st.capped);
	jsonw_close(w);
}


static void kern_json(struct jsonw *w, const struct turnd *turnd)
{
	struct tstats st;

	if (!turnd->kern) {
		jsonw_null(w, "kernel");
		return;
	}

	memset(&st, 0, sizeof(st));
	tkern_gone_add(&st, turnd->kern);
	turnd_kern_live(turnd, &st);

	jsonw_obj(w, "kernel");
	jsonw_u64(w, "channels", tkern_count(turnd->kern));
	jsonw_u64(w, "devices", tkern_devices(turnd->kern));
	stats_json(w, "relayed", &st);
	jsonw_close(w);
}


/**
 * Write the TURN server's state as the member "turn" of a JSON object
 * (null when it is disabled), for umedgectl --json status
 *
 * @param w     JSON writer, inside an object
 * @param turnd TURN server, NULL if disabled
 */
void turnd_json(struct jsonw *w, const struct turnd *turnd)
{
	struct tstats st;

	if (!turnd) {
		jsonw_null(w, "turn");
		return;
	}

	jsonw_obj(w, "turn");
	jsonw_str(w, "realm", turnd->cfg->turn.realm);
	jsonw_u64(w, "allocations", turnd->nallocs);
	jsonw_u64(w, "allocations_total", turnd->allocs_total);
	jsonw_u64(w, "listeners", list_count(&turnd->listeners));
	jsonw_u64(w, "port_pairs", portpool_pairs(turnd->pool));
	jsonw_u64(w, "port_pairs_free", portpool_free(turnd->pool));
	st = turnd->st;
	turnd_kern_live(turnd, &st);
	stats_json(w, "relayed", &st);
	kern_json(w, turnd);
	rate_json(w, "unauth", turnd->rate);
	rate_json(w, "bindings", turnd->brate);
	jsonw_close(w);
}


static void peers_json(struct jsonw *w, const struct talloc *al)
{
	jsonw_arr(w, "permissions");
	for (struct le *le = al->perms.head; le; le = le->next) {
		const struct tperm *perm = le->data;
		char ip[64];

		(void)re_snprintf(ip, sizeof(ip), "%j", &perm->peer);
		jsonw_str(w, NULL, ip);
	}
	jsonw_close(w);

	jsonw_arr(w, "channels");
	for (struct le *le = al->chans.head; le; le = le->next) {
		const struct tchan *chan = le->data;

		jsonw_obj(w, NULL);
		jsonw_u64(w, "number", chan->num);
		jsonw_sa(w, "peer", &chan->peer);
		jsonw_close(w);
	}
	jsonw_close(w);
}


static bool alloc_json(struct le *le, void *arg)
{
	const struct talloc *al = le->data;
	struct jsonw *w = arg;
	struct tstats st = al->st;

	jsonw_obj(w, NULL);
	jsonw_str(w, "user", al->user);
	jsonw_str(w, "transport", cfg_tp_name(al->lsn->tp));
	jsonw_sa(w, "client", &al->cli);
	jsonw_sa(w, "listener", &al->lsn->local);
	jsonw_sa(w, "relayed", &al->relay);
	jsonw_u64(w, "age_s", (uint64_t)time(NULL) - al->created);
	jsonw_u64(w, "expires_s", texp_get_expire(&al->exp) / 1000);
	peers_json(w, al);
	tkern_stats_add(&st, al);
	stats_json(w, "counters", &st);
	jsonw_close(w);

	return w->err != 0;
}


/**
 * Write every allocation as a JSON document, for umedgectl --json turn
 * ({"allocations": null} when the TURN server is disabled)
 *
 * @param w     JSON writer, at the top
 * @param turnd TURN server, NULL if disabled
 */
void turnd_allocs_json(struct jsonw *w, const struct turnd *turnd)
{
	jsonw_obj(w, NULL);
	if (turnd) {
		jsonw_arr(w, "allocations");
		(void)hash_apply(turnd->allocs, alloc_json, w);
		jsonw_close(w);
	}
	else
		jsonw_null(w, "allocations");
	jsonw_close(w);
}
