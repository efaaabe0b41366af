/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file relay_metrics.c  The relay's Prometheus metrics
 *
 * Packet counters are each stream side's own (written by the one
 * worker that owns the stream, read here with relaxed loads): a scrape
 * sums the live streams and adds what released streams left in
 * relay.gone, folded in when the worker let go. Nothing is added to
 * the per-packet path. Kernel-forwarded packets are in the same
 * counters (the offload folds the kernel's counts in).
 */
#include <string.h>
#include <re.h>
#include "cfg.h"
#include "promfmt.h"
#include "iface.h"
#include "fwd.h"
#include "offload.h"
#include "mkern.h"
#include "portpool.h"
#include "relay.h"
#include "sec.h"
#include "relay_priv.h"


/**
 * Add a stream's counters (both sides) to totals
 *
 * @param t Totals
 * @param s Stream
 */
void relay_totals_add(struct relay_totals *t, const struct relay_stream *s)
{
	for (int i = 0; i < 2; i++) {
		const struct fwd_counters *c = &s->fs->side[i].c;

		t->packets += FWD_GET(c->packets);
		t->bytes += FWD_GET(c->bytes);
		t->rtcp += FWD_GET(c->rtcp);
		t->dropped += FWD_GET(c->dropped);
		t->bleed += FWD_GET(c->bleed);
		t->auth += FWD_GET(c->auth);
		t->stray += FWD_GET(c->stray);
		t->errors += FWD_GET(c->errors);
	}
}


/** A scrape's sums */
struct scrape {
	struct relay_totals t;   /**< Live streams plus gone ones */
	uint32_t streams;        /**< Streams of live calls       */
};


static bool call_sum(struct le *le, void *arg)
{
	const struct relay_call *call = le->data;
	struct scrape *sc = arg;

	for (struct le *l = call->streams.head; l; l = l->next) {
		relay_totals_add(&sc->t, l->data);
		++sc->streams;
	}

	return false;
}


static void sum(const struct relay *relay, struct scrape *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->t = relay->gone;
	(void)hash_apply(relay->calls, call_sum, sc);

	/* closed, not yet released by their worker */
	for (struct le *le = relay->closing.head; le; le = le->next)
		relay_totals_add(&sc->t, le->data);
}


static int pool_family(struct mbuf *mb, const struct relay *relay,
		       const char *name, const char *help,
		       uint32_t (*get)(const struct portpool *pp))
{
	int err = promfmt_family(mb, name, PROMFMT_GAUGE, help);

	for (struct le *le = relay->ifaces.head; le; le = le->next) {
		const struct relay_iface *ifc = le->data;
		char l[96] = "";

		err |= promfmt_label(l, sizeof(l), "interface", ifc->name);
		err |= promfmt_sample(mb, name, l, get(ifc->pool));
	}

	return err;
}


static int ports_metrics(struct mbuf *mb, const struct relay *relay)
{
	return pool_family(mb, relay, "umedge_relay_port_pairs",
			   "RTP/RTCP port pairs of each interface",
			   portpool_pairs) |
		pool_family(mb, relay, "umedge_relay_port_pairs_free",
			    "Port pairs free on each interface",
			    portpool_free);
}


/* the path in use, and the eBPF program's punts by reason */
static int path_metrics(struct mbuf *mb, const struct relay_kern_sum *ks)
{
	const char *name = "umedge_relay_kernel_path";
	const char *paths[] = {"userspace", "conntrack", "bpf"};
	char lbl[64];
	int err;

	err = promfmt_family(mb, name, PROMFMT_GAUGE, "The kernel fast path "
			     "in use (relay_kernel): 1 for the one chosen");
	for (int p = OFFLOAD_USER; p <= OFFLOAD_BPF; p++) {
		lbl[0] = '\0';
		err |= promfmt_label(lbl, sizeof(lbl), "path", paths[p]);
		err |= promfmt_sample(mb, name, lbl, ks->path == p);
	}
	if (ks->path != OFFLOAD_BPF)
		return err;

	name = "umedge_relay_kernel_punts_total";
	err |= promfmt_family(mb, name, PROMFMT_COUNTER, "Packets of flows "
			      "in the kernel left to userspace, by reason");
	for (unsigned i = 0; i < MK_PUNT_N; i++) {
		lbl[0] = '\0';
		err |= promfmt_label(lbl, sizeof(lbl), "reason",
				     mkern_punt_name(i));
		err |= promfmt_sample(mb, name, lbl, ks->prog[i]);
	}

	return err;
}


static int kernel_metrics(struct mbuf *mb, const struct relay *relay)
{
	struct relay_kern_sum ks;

	relay_kern_sum(relay, &ks);
	if (!ks.on)
		return 0;

	return path_metrics(mb, &ks) |
		promfmt_one(mb, "umedge_relay_kernel_flows", PROMFMT_GAUGE,
			    "Flows the kernel forwards now", ks.flows) |
		promfmt_one(mb, "umedge_relay_kernel_installs_total",
			    PROMFMT_COUNTER, "Flows handed to the kernel",
			    ks.installs) |
		promfmt_one(mb, "umedge_relay_kernel_failures_total",
			    PROMFMT_COUNTER, "Hand-overs to the kernel "
			    "refused", ks.failures) |
		promfmt_one(mb, "umedge_relay_kernel_backoffs_total",
			    PROMFMT_COUNTER, "Streams held in userspace "
			    "for changing their SSRC too often",
			    ks.backoffs) |
		promfmt_one(mb, "umedge_relay_kernel_unrouted_total",
			    PROMFMT_COUNTER, "Flows handed back to userspace: "
			    "routes changed and none is left for them",
			    ks.unrouted);
}


static int media_metrics(struct mbuf *mb, const struct scrape *sc)
{
	const struct relay_totals *t = &sc->t;
	const char *name = "umedge_relay_packets_total";
	int err;

	err  = promfmt_family(mb, name, PROMFMT_COUNTER, "Packets received "
			      "and forwarded (kernel path included)");
	err |= promfmt_sample(mb, name, "kind=\"rtp\"", t->packets - t->rtcp);
	err |= promfmt_sample(mb, name, "kind=\"rtcp\"", t->rtcp);
	err |= promfmt_one(mb, "umedge_relay_bytes_total", PROMFMT_COUNTER,
			   "Bytes of the packets forwarded", t->bytes);

	name = "umedge_relay_dropped_total";
	err |= promfmt_family(mb, name, PROMFMT_COUNTER, "Packets dropped: "
			      "foreign sources (RTP Bleed), failed SRTP "
			      "authentication, strays of flows in the "
			      "kernel, bad RTCP, send errors");
	err |= promfmt_sample(mb, name, "reason=\"bleed\"", t->bleed);
	err |= promfmt_sample(mb, name, "reason=\"auth\"", t->auth);
	err |= promfmt_sample(mb, name, "reason=\"stray\"", t->stray);
	err |= promfmt_sample(mb, name, "reason=\"rtcp\"",
			      t->dropped - t->bleed - t->auth - t->stray);
	err |= promfmt_sample(mb, name, "reason=\"error\"", t->errors);

	return err;
}


/**
 * Write the relay's metrics
 *
 * @param mb    Buffer
 * @param relay Relay
 *
 * @return 0 if success, otherwise errorcode
 */
int relay_metrics(struct mbuf *mb, const struct relay *relay)
{
	struct scrape sc;
	int err;

	if (!relay)
		return 0;

	sum(relay, &sc);
	err  = promfmt_one(mb, "umedge_relay_calls_active", PROMFMT_GAUGE,
			   "Calls the relay holds (B2BUA and ng)",
			   relay->ncalls);
	err |= promfmt_one(mb, "umedge_relay_streams_active", PROMFMT_GAUGE,
			   "Media streams of those calls", sc.streams);
	err |= promfmt_one(mb, "umedge_relay_offers_total", PROMFMT_COUNTER,
			   "SDP offers handled", relay->offers);
	err |= promfmt_one(mb, "umedge_relay_answers_total", PROMFMT_COUNTER,
			   "SDP answers handled", relay->answers);
	err |= promfmt_one(mb, "umedge_relay_refused_total", PROMFMT_COUNTER,
			   "Offers and answers refused", relay->refused);
	err |= media_metrics(mb, &sc);
	err |= kernel_metrics(mb, relay);
	err |= ports_metrics(mb, relay);

	return err;
}
