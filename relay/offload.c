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
 * With the eBPF backend, RTCP sharing the RTP port whose CNAME is
 * rewritten is left to userspace per packet (MK_RTCP_PUNT): such a
 * stream goes in all the same.
 *
 * The backend (offload_ops) installs, removes and counts: ctback.c
 * keeps the conntrack rules (strays dropped around an install, the
 * last-packet time held ahead), mkback.c the eBPF program's (no packet
 * is dropped at a switch, the slot's real last-packet time).
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
		       bool rtcp_punt, struct kern_flow *flow)
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

	/* RTCP whose CNAME the relay rewrites stays in userspace: the
	 * RTCP flow, or the whole stream unless the backend can leave
	 * RTCP sharing the RTP port to userspace per packet */
	if (fs->rtcp != FWD_RTCP_PASS && (f == 1 || (a->mux && !rtcp_punt)))
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
	if (!fs->kern.on[f])
		return;

	o->ops->del(o, fs, f, now);
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

	err = o->ops->add(o, fs, f, flow, now);
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
	FWD_SET(fs->kflows, FWD_GET(fs->kflows) + 1);
	FWD_SET(o->flows, FWD_GET(o->flows) + 1);
	FWD_ADD(o->installs, 1);
}


/* Read the counters; a flow the kernel dropped is back in userspace */
static void read_flows(struct offload *o, struct fwd_stream *fs,
		       uint64_t now)
{
	bool gone[2] = {false, false};

	o->ops->read(o, fs, now, gone);
	for (int f = 0; f < 2; f++) {
		if (gone[f] && fs->kern.on[f])
			flow_gone(o, fs, f);
	}
}


/**
 * The worker's tick, before its streams' (the eBPF backend reads all
 * its slots at once here)
 *
 * @param o   The worker's offload
 * @param now Monotonic ms
 */
void offload_refresh(struct offload *o, uint64_t now)
{
	if (o && o->ops && o->ops->refresh)
		o->ops->refresh(o, now);
}


/**
 * A flow in the kernel whose peers moved goes back to userspace: at each
 * tick, and at once when a latch moves (worker thread), so that the
 * kernel sends nothing more to the old address (design note 6.4)
 *
 * @param o   The worker's offload
 * @param fs  Stream
 * @param f   Flow
 * @param now Monotonic ms
 */
void offload_moved(struct offload *o, struct fwd_stream *fs, int f,
		   uint64_t now)
{
	struct kern_flow flow;

	if (!o || !o->ops || !fs || !fs->kern.on[f])
		return;

	if (!flow_build(fs, f, now, o->ops->rtcp_punt, &flow) ||
	    !flow_same(&flow, &fs->kern.flow[f]))
		flow_off(o, fs, f, now);
}


/* Routes changed: a flow in the kernel goes by the new route, or back
 * to userspace when it has none the kernel path can take */
static void rerouted(struct offload *o, struct fwd_stream *fs, int f,
		     uint64_t now)
{
	int err;

	if (!fs->kern.on[f] || !o->ops->reroute)
		return;

	err = o->ops->reroute(o, fs, f, now);
	if (!err || err == EAGAIN)
		return;

	FWD_ADD(o->unrouted, 1);
	FWD_SET(o->last_err, err);
	flow_off(o, fs, f, now);
}


/**
 * One tick of a stream: hand back flows whose peers moved, take new
 * routes, read the counters, install what qualifies
 *
 * @param o   The worker's offload (no backend: nothing to do)
 * @param fs  Stream owned by the worker
 * @param now Monotonic ms
 */
void offload_tick(struct offload *o, struct fwd_stream *fs, uint64_t now)
{
	if (!o || !o->ops || !fs)
		return;

	for (int f = 0; f < 2; f++) {
		offload_moved(o, fs, f, now);
		rerouted(o, fs, f, now);
	}

	read_flows(o, fs, now);

	if (now < fs->kern.retry || !active(fs, now))
		return;

	for (int f = 0; f < 2; f++) {
		struct kern_flow flow;

		if (!fs->kern.on[f] &&
		    flow_build(fs, f, now, o->ops->rtcp_punt, &flow))
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
	if (!o || !o->ops || !fs)
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


/* A flow handed back for another SSRC: a stream whose source keeps
 * changing its SSRC (a gateway sending events or comfort noise under
 * an SSRC of their own, say) stays in userspace for a while rather
 * than go in and out of the kernel at every change (mediabpf.md 5.5) */
static void ssrc_back(struct offload *o, struct fwd_stream *fs, int f,
		      uint64_t now)
{
	struct fwd_kern *k = &fs->kern;

	flow_off(o, fs, f, now);
	if (now >= k->backs_since + OFFLOAD_SSRC_WIN_MS) {
		k->backs_since = now;
		k->backs = 0;
	}

	if (++k->backs > OFFLOAD_SSRC_BACKS) {
		offload_stop(o, fs, now);
		k->retry = now + OFFLOAD_BACKOFF_MS;
		k->backs = 0;
		FWD_ADD(o->backoffs, 1);
	}
}


/**
 * Before a packet that could move a latch is judged (worker thread):
 * the latched source's last packet as the kernel counted it, not as
 * the last tick read it, so that the re-latch rule's silence is the
 * real one (design note 6.4); at most once per OFFLOAD_FRESH_MS per
 * stream, so a sender of such packets costs one map lookup that often
 *
 * @param o   The worker's offload
 * @param fs  Stream
 * @param in  The side the packet came to
 * @param f   Flow
 * @param now Monotonic ms
 */
void offload_fresh(struct offload *o, struct fwd_stream *fs,
		   struct fwd_side *in, int f, uint64_t now)
{
	if (!o || !o->ops || !o->ops->fresh || !fs->kern.on[f] ||
	    now < fs->kern.fresh + OFFLOAD_FRESH_MS)
		return;

	fs->kern.fresh = now;
	o->ops->fresh(o, fs, in, f);
}


/**
 * A packet of a flow in the kernel reached userspace (worker thread):
 * the backend tells what to do with it (offload_ops.stray)
 *
 * @param o   The worker's offload
 * @param fs  Stream
 * @param in  The side it came from
 * @param f   Flow
 * @param h   Its RTP header, NULL if it is not RTP
 * @param now Monotonic ms
 *
 * @return true to drop it, false to forward it
 */
bool offload_stray(struct offload *o, struct fwd_stream *fs,
		   struct fwd_side *in, int f, const struct rtphdr *h,
		   uint64_t now)
{
	if (!o || !o->ops || !fs->kern.on[f])
		return false;

	switch (o->ops->stray(o, fs, in, f, h, now)) {

	case OFFLOAD_STRAY_DROP:
		return true;

	case OFFLOAD_STRAY_GONE:
		flow_gone(o, fs, f);
		return false;

	case OFFLOAD_STRAY_BACK:
		ssrc_back(o, fs, f, now);
		return false;

	case OFFLOAD_STRAY_TAKEBACK:
		take_back(o, fs, now);
		return false;

	default:
		return false;
	}
}
