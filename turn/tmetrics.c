/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tmetrics.c  TURN server: its Prometheus metrics
 *
 * Relayed traffic is split by path: turnd.st holds everything relayed
 * (userspace, and kernel entries once removed); the kernel path is
 * what removed entries left (tkern_gone_add()) plus what live entries
 * count now (turnd_kern_live()); userspace is the rest.
 */
#include <string.h>
#include <re.h>
#include "cfg.h"
#include "portpool.h"
#include "promfmt.h"
#include "turnd.h"
#include "turnd_priv.h"


/** Sums over the live allocations */
struct tsum {
	uint32_t perms;      /**< Permissions  */
	uint32_t chans;      /**< Channels     */
};


static bool alloc_sum(struct le *le, void *arg)
{
	const struct talloc *al = le->data;
	struct tsum *s = arg;

	s->perms += list_count(&al->perms);
	s->chans += list_count(&al->chans);

	return false;
}


static int dir_samples(struct mbuf *mb, const char *name, const char *path,
		       uint64_t to_peer, uint64_t to_client)
{
	char l[64];

	(void)re_snprintf(l, sizeof(l), "direction=\"to_peer\",path=\"%s\"",
			  path);
	if (promfmt_sample(mb, name, l, to_peer))
		return ENOMEM;
	(void)re_snprintf(l, sizeof(l), "direction=\"to_client\","
			  "path=\"%s\"", path);

	return promfmt_sample(mb, name, l, to_client);
}


static int relayed_metrics(struct mbuf *mb, const struct turnd *turnd)
{
	struct tstats all = turnd->st, k;
	const char *pk = "umedge_turn_relayed_packets_total";
	const char *by = "umedge_turn_relayed_bytes_total";
	int err;

	memset(&k, 0, sizeof(k));
	tkern_gone_add(&k, turnd->kern);
	turnd_kern_live(turnd, &k);
	turnd_kern_live(turnd, &all);

	err  = promfmt_family(mb, pk, PROMFMT_COUNTER, "Packets relayed "
			      "(to_peer: from clients to peers)");
	err |= dir_samples(mb, pk, "user", all.pkts_out - k.pkts_out,
			   all.pkts_in - k.pkts_in);
	err |= dir_samples(mb, pk, "kernel", k.pkts_out, k.pkts_in);
	err |= promfmt_family(mb, by, PROMFMT_COUNTER, "Bytes relayed "
			      "(application data)");
	err |= dir_samples(mb, by, "user", all.bytes_out - k.bytes_out,
			   all.bytes_in - k.bytes_in);
	err |= dir_samples(mb, by, "kernel", k.bytes_out, k.bytes_in);
	err |= promfmt_one(mb, "umedge_turn_dropped_total", PROMFMT_COUNTER,
			   "Relayed packets dropped (no permission, bad "
			   "ChannelData)", turnd->st.dropped);

	return err;
}


static int peer_metrics(struct mbuf *mb, const struct turnd *turnd)
{
	const char *name = "umedge_turn_peer_refused_total";
	int err;

	err = promfmt_family(mb, name, PROMFMT_COUNTER, "Requests refused "
			     "by the peer filter (403), by rule");
	for (int v = PEERFILT_ALLOW + 1; v < PEERFILT_N; v++) {
		char l[48] = "";

		err |= promfmt_label(l, sizeof(l), "rule", peerfilt_rule(v));
		err |= promfmt_sample(mb, name, l, turnd->pf_refused[v]);
	}

	return err;
}


static int rate_metrics(struct mbuf *mb, const struct turnd *turnd)
{
	const struct trate_st u = trate_stats(turnd->rate);
	const struct trate_st b = trate_stats(turnd->brate);
	const char *name = "umedge_turn_answers_limited_total";
	int err;

	err  = promfmt_one(mb, "umedge_turn_unauthorized_total",
			   PROMFMT_COUNTER, "401 and 438 answers sent",
			   u.passed);
	err |= promfmt_family(mb, name, PROMFMT_COUNTER, "401/438 and "
			      "Binding answers held back: by the per-source "
			      "rate or the global cap");
	err |= promfmt_sample(mb, name, "answer=\"unauthorized\",why=\"rate\"",
			      u.limited - u.capped);
	err |= promfmt_sample(mb, name, "answer=\"unauthorized\",why=\"cap\"",
			      u.capped);
	err |= promfmt_sample(mb, name, "answer=\"binding\",why=\"rate\"",
			      b.limited - b.capped);
	err |= promfmt_sample(mb, name, "answer=\"binding\",why=\"cap\"",
			      b.capped);

	return err;
}


/**
 * Write the TURN server's metrics
 *
 * @param mb    Buffer
 * @param turnd TURN server, NULL if disabled
 *
 * @return 0 if success, otherwise errorcode
 */
int turnd_metrics(struct mbuf *mb, const struct turnd *turnd)
{
	struct tsum s;
	int err;

	if (!turnd)
		return 0;

	memset(&s, 0, sizeof(s));
	(void)hash_apply(turnd->allocs, alloc_sum, &s);

	err  = promfmt_one(mb, "umedge_turn_allocations", PROMFMT_GAUGE,
			   "Allocations now", turnd->nallocs);
	err |= promfmt_one(mb, "umedge_turn_allocations_total",
			   PROMFMT_COUNTER, "Allocations made",
			   turnd->allocs_total);
	err |= promfmt_one(mb, "umedge_turn_reservations", PROMFMT_GAUGE,
			   "EVEN-PORT reservations now", turnd->nresvs);
	err |= promfmt_one(mb, "umedge_turn_permissions", PROMFMT_GAUGE,
			   "Permissions now", s.perms);
	err |= promfmt_one(mb, "umedge_turn_channels", PROMFMT_GAUGE,
			   "Channels now", s.chans);
	err |= promfmt_one(mb, "umedge_turn_port_pairs_free", PROMFMT_GAUGE,
			   "Relayed port pairs free (turn_relay_interface)",
			   portpool_free(turnd->pool));
	err |= relayed_metrics(mb, turnd);
	err |= peer_metrics(mb, turnd);
	err |= rate_metrics(mb, turnd);

	return err;
}
