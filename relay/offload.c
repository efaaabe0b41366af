/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file offload.c  Handing latched streams to the kernel and back
 *
 * Runs in the worker that owns the stream, on its tick (worker.c).
 * Flow 0 carries RTP, and RTCP too when both peers multiplex; flow 1
 * carries RTCP on the odd ports. A stream whose peers differ in
 * rtcp-mux, or in address family, stays in userspace, and so does RTCP
 * whose SDES CNAME is rewritten (relay_rtcp_rewrite): flow 1, or the
 * whole stream when its peers multiplex.
 *
 * While a flow is in the kernel, userspace sees no packet of it, so
 * the kernel's counters stand in: each read adds what is new to the
 * side's counters and moves its last-packet time, which the media
 * timeout and the re-latch silence rule read. A source the kernel
 * forwards for counts as sending until two reads after the last one
 * that saw it send (OFFLOAD_HOLD_MS): a re-latch away from it needs
 * that long plus LATCH_RELATCH_SILENCE of standstill.
 *
 * Packets of an installed flow that still reach userspace
 * (offload_stray) were queued before the entry came, or the entry is
 * gone, or the kernel does not apply it (no ruleset loaded, say).
 * The sockets are drained just before the install (offload.drain), so
 * only what arrives in between reaches userspace with the entry there.
 * No packet of a flow is sent from userspace while its entry is there:
 * it would leave with a source port the kernel remaps around the entry.
 * A stray after the first OFFLOAD_GRACE_MS reads the entry: gone, the
 * flow is handed back and the packet forwarded; there, it is dropped.
 * When strays keep coming while the entry is there, the stream is
 * taken back and stays in userspace for a while.
 */
#include <string.h>
#include <re.h>
#include "fwd.h"
#include "offload.h"


/** @return the name of a kernel fast path, as status and JSON give it */
const char *offload_path_name(enum offload_path p)
{
	switch (p) {

	case OFFLOAD_CONNTRACK: return "conntrack";
	case OFFLOAD_BPF:       return "bpf";
	default:                return "userspace";
	}
}


/* Where a side's peer is final: its locked source, or when nothing
 * came from it within the window, its SDP address, the only source it
 * may still latch to (latch.h). NULL while it may still change. */
static const struct sa *peer_final(const struct latch *l, uint64_t now)
{
	if (l->state == LATCH_LOCKED)
		return &l->addr;

	if (l->state == LATCH_NONE && now >= l->window_end &&
	    sa_isset(&l->sdp, SA_ALL))
		return &l->sdp;

	return NULL;
}


/* The flow as the latches have it now; false if it cannot be one */
static bool flow_build(const struct fwd_stream *fs, int f, uint64_t now,
		       struct kern_flow *flow)
{
	const struct fwd_side *a = &fs->side[0];
	const struct fwd_side *b = &fs->side[1];
	const struct sa *pa, *pb;

	if (a->mux != b->mux || (f == 1 && a->mux))
		return false;

	/* SRTP ending or starting here, and events the relay plays (the
	 * audio after them is renumbered), stay in userspace */
	if (fsrtp_rx_on(&a->srtp) || fsrtp_tx_on(&a->srtp) ||
	    fsrtp_rx_on(&b->srtp) || fsrtp_tx_on(&b->srtp) ||
	    a->dtmf.on || b->dtmf.on)
		return false;

	/* RTCP whose CNAME the relay rewrites stays in userspace */
	if (fs->rtcp != FWD_RTCP_PASS && (f == 1 || a->mux))
		return false;

	pa = peer_final(&a->latch[f], now);
	pb = peer_final(&b->latch[f], now);
	if (!pa || !pb || a->fd[f] < 0 || b->fd[f] < 0)
		return false;

	flow->peer_a = *pa;
	flow->local_a = a->local;
	flow->local_b = b->local;
	flow->peer_b = *pb;
	sa_set_port(&flow->local_a, sa_port(&a->local) + f);
	sa_set_port(&flow->local_b, sa_port(&b->local) + f);

	return kern_flow_valid(flow);
}


static bool flow_same(const struct kern_flow *x, const struct kern_flow *y)
{
	return sa_cmp(&x->peer_a, &y->peer_a, SA_ALL) &&
		sa_cmp(&x->local_a, &y->local_a, SA_ALL) &&
		sa_cmp(&x->local_b, &y->local_b, SA_ALL) &&
		sa_cmp(&x->peer_b, &y->peer_b, SA_ALL);
}


/* Add what the kernel forwarded since the last read */
static void fold(struct fwd_stream *fs, int f, const struct kern_count *cnt,
		 uint64_t now)
{
	struct kern_count *seen = &fs->kern.seen[f];

	for (int d = 0; d < 2; d++) {
		struct fwd_side *in = &fs->side[d];
		uint64_t dp, db;

		if (cnt->packets[d] <= seen->packets[d])
			continue;

		dp = cnt->packets[d] - seen->packets[d];
		db = cnt->bytes[d] - seen->bytes[d];

		FWD_ADD(in->c.packets, dp);
		FWD_ADD(in->c.bytes, db);
		if (f == 1)
			FWD_ADD(in->c.rtcp, dp);
		FWD_SET(in->c.last_rx, now);
		in->latch[f].last_rx = now + OFFLOAD_HOLD_MS;
	}

	*seen = *cnt;
}


/* The flow is back in userspace */
static void flow_gone(struct offload *o, struct fwd_stream *fs, int f)
{
	fs->kern.on[f] = false;
	FWD_SET(fs->kflows, FWD_GET(fs->kflows) - 1);
	FWD_SET(o->flows, FWD_GET(o->flows) - 1);
}


static void flow_off(struct offload *o, struct fwd_stream *fs, int f,
		     uint64_t now)
{
	struct kern_count cnt;

	if (!fs->kern.on[f])
		return;

	if (!kern_del(o->kern, &fs->kern.flow[f], &cnt))
		fold(fs, f, &cnt, now);

	flow_gone(o, fs, f);
}


/* Media flows: a peer sent lately */
static bool active(const struct fwd_stream *fs, uint64_t now)
{
	for (int s = 0; s < 2; s++) {
		if (now <= fs->side[s].c.last_rx + OFFLOAD_ACTIVE_MS)
			return true;
	}

	return false;
}


static void flow_on(struct offload *o, struct fwd_stream *fs, int f,
		    const struct kern_flow *flow, uint64_t now)
{
	int err;

	/* what is queued now goes out by userspace, before the entry */
	if (o->drain)
		o->drain(o->drain_arg, fs);

	err = kern_add(o->kern, flow, OFFLOAD_TIMEOUT_S);
	if (err) {
		FWD_ADD(o->failures, 1);
		FWD_SET(o->last_err, err);
		fs->kern.retry = now + OFFLOAD_RETRY_MS;
		return;
	}

	fs->kern.on[f] = true;
	fs->kern.flow[f] = *flow;
	fs->kern.since = now;
	fs->kern.strays = 0;
	for (int d = 0; d < 2; d++)
		fs->side[d].latch[f].last_rx = now + OFFLOAD_HOLD_MS;
	memset(&fs->kern.seen[f], 0, sizeof(fs->kern.seen[f]));
	FWD_SET(fs->kflows, FWD_GET(fs->kflows) + 1);
	FWD_SET(o->flows, FWD_GET(o->flows) + 1);
	FWD_ADD(o->installs, 1);
}


/* Read the counters; an entry the kernel dropped is handed back */
static void poll_flows(struct offload *o, struct fwd_stream *fs,
		       uint64_t now)
{
	for (int f = 0; f < 2; f++) {
		struct kern_count cnt;
		int err;

		if (!fs->kern.on[f])
			continue;

		err = kern_get(o->kern, &fs->kern.flow[f], &cnt);
		if (!err) {
			fold(fs, f, &cnt, now);
		}
		else if (err == ENOENT) {
			flow_gone(o, fs, f);
		}
	}

	fs->kern.next_poll = now + OFFLOAD_POLL_MS;
}


/**
 * One tick of a stream: hand back flows whose peers moved, read the
 * counters, install what qualifies
 *
 * @param o   The worker's offload (o->kern NULL: nothing to do)
 * @param fs  Stream owned by the worker
 * @param now Monotonic ms
 */
void offload_tick(struct offload *o, struct fwd_stream *fs, uint64_t now)
{
	if (!o || !o->kern || !fs)
		return;

	for (int f = 0; f < 2; f++) {
		struct kern_flow flow;
		bool ok = flow_build(fs, f, now, &flow);

		if (fs->kern.on[f] && (!ok || !flow_same(&flow,
							 &fs->kern.flow[f])))
			flow_off(o, fs, f, now);
	}

	if (now >= fs->kern.next_poll)
		poll_flows(o, fs, now);

	if (now < fs->kern.retry || !active(fs, now))
		return;

	for (int f = 0; f < 2; f++) {
		struct kern_flow flow;

		if (!fs->kern.on[f] && flow_build(fs, f, now, &flow))
			flow_on(o, fs, f, &flow, now);
	}
}


/**
 * Take a stream back from the kernel, with its last counters
 *
 * @param o   The worker's offload
 * @param fs  Stream
 * @param now Monotonic ms
 */
void offload_stop(struct offload *o, struct fwd_stream *fs, uint64_t now)
{
	if (!o || !o->kern || !fs)
		return;

	for (int f = 0; f < 2; f++)
		flow_off(o, fs, f, now);
}


/* Strays keep coming while the entry is there: the kernel does not
 * apply it (no conntrack-using rule, say); userspace for a while */
static void take_back(struct offload *o, struct fwd_stream *fs,
		      uint64_t now)
{
	offload_stop(o, fs, now);
	fs->kern.strays = 0;
	fs->kern.retry = now + OFFLOAD_BACKOFF_MS;
	FWD_ADD(o->failures, 1);
	FWD_SET(o->last_err, EHOSTUNREACH);
}


/**
 * A packet of a flow in the kernel reached userspace (worker thread)
 *
 * While the flow's entry is there, a packet userspace sent would leave
 * with a source port the kernel remaps around it, so it is dropped;
 * when the entry is gone, the flow is handed back and it is forwarded.
 *
 * @param o   The worker's offload
 * @param fs  Stream
 * @param f   Flow
 * @param now Monotonic ms
 *
 * @return true to drop it, false to forward it
 */
bool offload_stray(struct offload *o, struct fwd_stream *fs, int f,
		   uint64_t now)
{
	struct kern_count cnt;
	int err;

	if (now < fs->kern.since + OFFLOAD_GRACE_MS)
		return true;

	if (++fs->kern.strays > OFFLOAD_STRAYS) {
		take_back(o, fs, now);
		return false;
	}

	err = kern_get(o->kern, &fs->kern.flow[f], &cnt);
	if (err == ENOENT) {
		flow_gone(o, fs, f);
		return false;
	}

	if (!err)
		fold(fs, f, &cnt, now);

	return true;
}
