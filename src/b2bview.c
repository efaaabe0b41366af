/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file b2bview.c  The B2BUA's operator views: umedgectl status and
 *                  calls, as text and as JSON
 *
 * The JSON field names are a promise to scripts: umedgectl(8) lists
 * them, and tests/integration/ctl-json.test checks them.
 */
#include <re.h>
#include "cfg.h"
#include "jsonw.h"
#include "relay.h"
#include "gate.h"
#include "hset.h"
#include "inlim.h"
#include "siptp.h"
#include "b2b.h"
#include "b2b_priv.h"


static int gwsets_print(struct re_printf *pf, const struct b2b *b2b)
{
	int err = 0;

	for (struct le *le = b2b->gwsets.head; le; le = le->next)
		err |= hset_print(pf, le->data);

	return err;
}


/* The own transports of each side, when they are on */
static int streams_print(struct re_printf *pf, const struct b2b *b2b)
{
	if (!b2b->cfg->sip.own_streams && !b2b->cfg->sip.own_udp)
		return 0;

	return re_hprintf(pf, "sip streams: outside %H; inside %H\n",
			  siptp_status, b2b->tp[B2B_EXT], siptp_status,
			  b2b->tp[B2B_INT]);
}


/**
 * Print the B2BUA's state for umedgectl status
 *
 * @param pf  Print handler
 * @param b2b B2BUA, NULL if disabled
 *
 * @return 0 if success, otherwise errorcode
 */
int b2b_status(struct re_printf *pf, const struct b2b *b2b)
{
	const struct b2b_stats *st;

	if (!b2b)
		return re_hprintf(pf, "sip: disabled\n");

	st = &b2b->st;

	return re_hprintf(pf, "sip: %u calls now, %llu calls, %llu answered, "
			  "%llu failed, %llu redirects followed, "
			  "%llu redirects refused, %llu forbidden, "
			  "%llu rate-limited, %llu over a limit on calls in "
			  "(%u held), %llu malformed; "
			  "%u of %u UM hosts alive\n"
			  "sip out: %llu calls, %llu numbers refused, "
			  "%llu over a source's limit, %llu unroutable, "
			  "%llu bad requests; %llu transfers made, "
			  "%llu transfers failed; %llu INFO digits played\n"
			  "sip divhi: %llu converted, %llu skipped (both "
			  "present), %llu skipped (nothing derived)\n"
			  "sip timers: %llu refreshes sent, %llu sessions "
			  "expired\n"
			  "sip gate: %u sources tracked (at most %u)\n%H%H%H",
			  list_count(&b2b->calls),
			  (unsigned long long)st->calls,
			  (unsigned long long)st->answered,
			  (unsigned long long)st->failed,
			  (unsigned long long)st->redirects,
			  (unsigned long long)st->refused_3xx,
			  (unsigned long long)st->forbidden,
			  (unsigned long long)st->limited,
			  (unsigned long long)st->in_limited,
			  inlim_calls(b2b->inlim),
			  (unsigned long long)st->malformed,
			  hset_alive(b2b->umhosts), hset_count(b2b->umhosts),
			  (unsigned long long)st->out_calls,
			  (unsigned long long)st->out_refused,
			  (unsigned long long)st->out_limited,
			  (unsigned long long)st->out_noroute,
			  (unsigned long long)st->out_bad,
			  (unsigned long long)st->xfers,
			  (unsigned long long)st->xfers_failed,
			  (unsigned long long)st->info_dtmf,
			  (unsigned long long)st->divhi_made,
			  (unsigned long long)st->divhi_both,
			  (unsigned long long)st->divhi_none,
			  (unsigned long long)st->st_refresh,
			  (unsigned long long)st->st_expired,
			  gate_count(b2b->gate), GATE_SOURCES_MAX,
			  hset_print, b2b->umhosts, gwsets_print, b2b,
			  streams_print, b2b);
}


/** @return the B2BUA's calls now, 0 if it is disabled */
unsigned b2b_count(const struct b2b *b2b)
{
	return b2b ? list_count(&b2b->calls) : 0;
}


/**
 * Print the B2BUA's calls, one per line
 *
 * @param pf  Print handler
 * @param b2b B2BUA, NULL if disabled
 *
 * @return 0 if success, otherwise errorcode
 */
int b2b_calls_print(struct re_printf *pf, const struct b2b *b2b)
{
	int err = 0;

	if (!b2b)
		return 0;

	err = re_hprintf(pf, "%u sip calls\n", list_count(&b2b->calls));
	for (struct le *le = b2b->calls.head; le; le = le->next)
		err |= bcall_print(pf, le->data);

	return err;
}


static void out_json(struct jsonw *w, const struct b2b_stats *st)
{
	jsonw_obj(w, "out");
	jsonw_u64(w, "calls", st->out_calls);
	jsonw_u64(w, "refused", st->out_refused);
	jsonw_u64(w, "limited", st->out_limited);
	jsonw_u64(w, "no_route", st->out_noroute);
	jsonw_u64(w, "bad", st->out_bad);
	jsonw_close(w);
}


static void extras_json(struct jsonw *w, const struct b2b_stats *st)
{
	jsonw_u64(w, "transfers", st->xfers);
	jsonw_u64(w, "transfers_failed", st->xfers_failed);
	jsonw_u64(w, "info_digits", st->info_dtmf);
	jsonw_obj(w, "divhi");
	jsonw_u64(w, "made", st->divhi_made);
	jsonw_u64(w, "both", st->divhi_both);
	jsonw_u64(w, "none", st->divhi_none);
	jsonw_close(w);
	jsonw_obj(w, "timers");
	jsonw_u64(w, "refreshes", st->st_refresh);
	jsonw_u64(w, "expired", st->st_expired);
	jsonw_close(w);
	jsonw_obj(w, "rekeys");
	jsonw_u64(w, "done", st->rekeyed);
	jsonw_u64(w, "failed", st->rekey_failed);
	jsonw_close(w);
}


static void hosts_json(struct jsonw *w, const struct b2b *b2b)
{
	jsonw_arr(w, "hosts");
	hset_json(w, b2b->umhosts);
	for (struct le *le = b2b->gwsets.head; le; le = le->next)
		hset_json(w, le->data);
	jsonw_close(w);
}


/**
 * Write the B2BUA's state as the member "sip" of a JSON object (null
 * when it is disabled), for umedgectl --json status
 *
 * @param w   JSON writer, inside an object
 * @param b2b B2BUA, NULL if disabled
 */
void b2b_json(struct jsonw *w, const struct b2b *b2b)
{
	const struct b2b_stats *st;

	if (!b2b) {
		jsonw_null(w, "sip");
		return;
	}

	st = &b2b->st;
	jsonw_obj(w, "sip");
	jsonw_u64(w, "calls_active", list_count(&b2b->calls));
	jsonw_u64(w, "calls", st->calls);
	jsonw_u64(w, "answered", st->answered);
	jsonw_u64(w, "failed", st->failed);
	jsonw_u64(w, "redirects", st->redirects);
	jsonw_u64(w, "redirects_refused", st->refused_3xx);
	jsonw_u64(w, "forbidden", st->forbidden);
	jsonw_u64(w, "rate_limited", st->limited);
	jsonw_u64(w, "in_limited", st->in_limited);
	jsonw_u64(w, "in_slots", inlim_calls(b2b->inlim));
	jsonw_u64(w, "malformed", st->malformed);
	out_json(w, st);
	extras_json(w, st);
	jsonw_u64(w, "gate_sources", gate_count(b2b->gate));
	hosts_json(w, b2b);
	jsonw_obj(w, "streams");
	siptp_json(w, "outside", b2b->tp[B2B_EXT]);
	siptp_json(w, "inside", b2b->tp[B2B_INT]);
	jsonw_close(w);
	jsonw_close(w);
}


/**
 * Write the B2BUA's calls as the member "sip", an array (null when
 * the B2BUA is disabled), for umedgectl --json calls
 *
 * @param w   JSON writer, inside an object
 * @param b2b B2BUA, NULL if disabled
 */
void b2b_calls_json(struct jsonw *w, const struct b2b *b2b)
{
	if (!b2b) {
		jsonw_null(w, "sip");
		return;
	}

	jsonw_arr(w, "sip");
	for (struct le *le = b2b->calls.head; le; le = le->next)
		bcall_json(w, le->data);
	jsonw_close(w);
}
