/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file mkback.c  Kernel offload backend: the relay's eBPF program
 *                 (docs/design/mediabpf.md 5.3-5.5, 6.1)
 *
 * Hand-over: the sockets are drained (offload.c), a slot per direction
 * is taken and seeded with the side's rtpstat, then both directions'
 * keys are inserted. The program rewrites to exactly the tuple a send
 * from our socket has, so userspace may forward a packet of the flow
 * at any time: nothing is dropped at a switch, and the last-packet
 * time is never held ahead. An RTP packet userspace forwards while its
 * flow is in the kernel (queued before the insert, or punted) is
 * counted in the side's kunseen, which the slot's loss leaves out.
 *
 * Counters: on each worker tick, one batch read of the worker's used
 * slots (refresh), folded into each stream's counters (read): packets,
 * bytes, RTCP, the last packet's real time, SSRC, loss and jitter.
 *
 * Hand-back: the keys are deleted, the slots read, the RTP state copied
 * back into the side's rtpstat (received += kunseen), and the slots
 * retired: at the next tick's batch read the packets a program that
 * looked the flow up before the delete still counted are added, then
 * the slots are free (a slot reused later has a new gen, which a stale
 * flow value never matches). A stream released meanwhile misses those
 * (microseconds of packets).
 *
 * An RTP packet of an installed flow reaching userspace with another
 * SSRC than the slot's hands the flow back at once (5.5).
 */
#include <string.h>
#include <re.h>
#include "fwd.h"
#include "offload.h"
#include "mkern.h"
#include "mkslot.h"
#include "mkback.h"
#include "rtlookup.h"


enum {
	MKBACK_STEP = 256,   /**< Read buffers grow by this many slots */
	MKBACK_REROUTES = 128, /**< Flows whose route is looked up again
				    per tick at most, after a change    */
};

/** A worker's eBPF backend state */
struct mkback {
	struct mkern *mk;        /**< The program and its maps (shared) */
	struct mkslot *slots;    /**< The worker's slot range           */
	struct rtlookup *rl;     /**< The worker's route lookups        */
	uint32_t *keys;          /**< Batch read: keys...               */
	struct mk_stat *st;      /**< ...and slots, from the base       */
	uint32_t cap;            /**< Room in both                      */
	uint32_t nread;          /**< Slots read at the last refresh    */
	uint32_t tick;           /**< Refreshes so far                  */
	uint32_t rgen;           /**< Route generation at this tick     */
	uint32_t reroutes;       /**< Route lookups left in this tick   */
};


static void destructor(void *data)
{
	struct mkback *b = data;

	mem_deref(b->slots);
	mem_deref(b->rl);
	mem_deref(b->keys);
	mem_deref(b->st);
}


/**
 * Make a worker's eBPF backend state
 *
 * @param bp   Pointer to the allocated state
 * @param mk   The program and its maps (not owned: outlives the worker)
 * @param base The worker's first slot
 * @param n    Its slots
 *
 * @return 0 if success, otherwise errorcode
 */
int mkback_alloc(struct mkback **bp, struct mkern *mk, uint32_t base,
		 uint32_t n)
{
	struct mkback *b;
	int err;

	if (!bp || !mk)
		return EINVAL;

	b = mem_zalloc(sizeof(*b), destructor);
	if (!b)
		return ENOMEM;

	b->mk = mk;
	b->rgen = mkern_route_gen(mk);
	err = mkslot_alloc(&b->slots, base, n);
	if (!err)
		err = rtlookup_alloc(&b->rl);
	if (err)
		mem_deref(b);
	else
		*bp = b;

	return err;
}


/* what a direction's peer sends: how the program treats it */
static uint16_t flow_flags(const struct fwd_stream *fs, int f,
			   const struct fwd_side *in)
{
	uint16_t fl;

	if (f == 1)
		return MK_RTCP_FLOW;

	fl = MK_RTP;
	if (in->mux)
		fl |= MK_MUX;
	if (in->mux && fs->rtcp != FWD_RTCP_PASS)
		fl |= MK_RTCP_PUNT;
	if (!in->stat.init)
		fl |= MK_SSRC_LEARN;

	return fl;
}


/* both directions' keys: d 0 is what side 0's peer sends */
static void keys_make(const struct kern_flow *flow, struct mk_key key[2])
{
	mkern_key(&key[0], &flow->peer_a, &flow->local_a);
	mkern_key(&key[1], &flow->peer_b, &flow->local_b);
}


/* a direction's rewrite, less its slot */
static int val_make(const struct mkback *b, const struct fwd_stream *fs,
		    int f, int d, const struct kern_flow *flow,
		    struct mk_flow *v)
{
	const struct sa *src = d ? &flow->local_a : &flow->local_b;
	const struct sa *dst = d ? &flow->peer_a : &flow->peer_b;

	memset(v, 0, sizeof(*v));
	mkern_out(v, src, dst);
	v->flags = flow_flags(fs, f, &fs->side[d]);
	v->clock_rate = fs->clock_rate;

	return mkern_egress(b->mk, b->rl, src, dst, v);
}


/* a slot for a direction, seeded with the side's RTP state */
static int slot_seed(struct mkback *b, struct fwd_stream *fs, int f, int d,
		     struct mk_flow *v)
{
	struct fwd_kslot *k = &fs->kern.ks[f][d];
	struct mk_stat st;
	int err;

	err = mkslot_take(b->slots, &v->slot, &v->gen);
	if (err)
		return err;

	memset(&st, 0, sizeof(st));
	st.gen = v->gen;
	if (f == 0)
		mkern_rtp_stat(&fs->side[d].stat, &st);

	err = mkern_slot_put(b->mk, v->slot, &st);
	if (err) {
		mkslot_retire(b->slots, v->slot);
		return err;
	}

	memset(k, 0, sizeof(*k));
	k->slot = v->slot;
	k->gen = v->gen;

	return 0;
}


static int mb_add(struct offload *o, struct fwd_stream *fs, int f,
		  const struct kern_flow *flow, uint64_t now)
{
	struct mkback *b = o->mkb;
	struct mk_key key[2];
	struct mk_flow v[2];
	int d = 0, err = 0;

	(void)now;
	keys_make(flow, key);
	for (d = 0; d < 2 && !err; d++)
		err = val_make(b, fs, f, d, flow, &v[d]);
	if (err)
		return err;

	for (d = 0; d < 2; d++) {
		err = slot_seed(b, fs, f, d, &v[d]);
		if (err)
			break;
		err = mkern_flow_add(b->mk, &key[d], &v[d]);
		if (err) {
			mkslot_retire(b->slots, v[d].slot);
			break;
		}
	}

	if (err) {
		/* undo the direction that went in */
		for (int i = 0; i < d; i++) {
			(void)mkern_flow_del(b->mk, &key[i]);
			mkslot_retire(b->slots, v[i].slot);
		}
		return err;
	}

	if (f == 0) {
		fs->side[0].kunseen = 0;
		fs->side[1].kunseen = 0;
	}
	fs->kern.rgen[f] = b->rgen;

	return 0;
}


/* Routes changed since flow f went in: its directions' out devices and
 * next hops again, in place (slots and counts stay); EAGAIN: not in
 * this tick */
static int mb_reroute(struct offload *o, struct fwd_stream *fs, int f,
		      uint64_t now)
{
	struct mkback *b = o->mkb;
	const struct kern_flow *flow = &fs->kern.flow[f];
	struct mk_key key[2];
	int err = 0;

	(void)now;
	if (fs->kern.rgen[f] == b->rgen)
		return 0;
	if (!b->reroutes)
		return EAGAIN;

	--b->reroutes;
	keys_make(flow, key);
	for (int d = 0; d < 2 && !err; d++) {
		struct mk_flow v;

		err = val_make(b, fs, f, d, flow, &v);
		if (err)
			break;

		v.slot = fs->kern.ks[f][d].slot;
		v.gen = fs->kern.ks[f][d].gen;
		err = mkern_flow_update(b->mk, &key[d], &v);
	}

	if (!err)
		fs->kern.rgen[f] = b->rgen;

	return err;
}


/* the slot's RTP state as the side's: loss leaves kunseen out */
static void rtp_publish(struct fwd_side *in, const struct rtpstat *rs)
{
	FWD_SET(in->c.ssrc, rs->ssrc);
	FWD_SET(in->c.lost, rtpstat_lost(rs) - (int64_t)in->kunseen);
	FWD_SET(in->c.jitter_ms, rtpstat_jitter_ms(rs, in->fs->clock_rate));
}


/* Add what a slot counted since the last fold; back: the hand-back,
 * the slot's RTP state becomes the side's */
static void fold(struct fwd_stream *fs, int f, int d,
		 const struct mk_stat *st, bool back)
{
	struct fwd_kslot *k = &fs->kern.ks[f][d];
	struct fwd_side *in = &fs->side[d];
	uint64_t ms = st->last_ns / 1000000;
	struct rtpstat rs;

	if (st->gen != k->gen)
		return;

	if (st->pkts > k->pkts) {
		FWD_ADD(in->c.packets, st->pkts - k->pkts);
		FWD_ADD(in->c.bytes, st->bytes - k->bytes);
		FWD_ADD(in->c.rtcp, st->rtcp - k->rtcp);
		k->pkts = st->pkts;
		k->bytes = st->bytes;
		k->rtcp = st->rtcp;
	}

	if (st->last_ns && ms > FWD_GET(in->c.last_rx))
		FWD_SET(in->c.last_rx, ms);
	if (st->last_ns && ms > in->latch[f].last_rx)
		in->latch[f].last_rx = ms;

	if (f != 0 || !st->init)
		return;

	mkern_stat_rtp(st, &rs);
	rtp_publish(in, &rs);
	if (back) {
		rs.received += in->kunseen;
		in->stat = rs;
		in->kunseen = 0;
	}
}


static void mb_del(struct offload *o, struct fwd_stream *fs, int f,
		   uint64_t now)
{
	struct mkback *b = o->mkb;
	struct mk_key key[2];

	(void)now;
	keys_make(&fs->kern.flow[f], key);

	/* from here on every packet of the flow reaches the socket */
	for (int d = 0; d < 2; d++)
		(void)mkern_flow_del(b->mk, &key[d]);

	for (int d = 0; d < 2; d++) {
		struct fwd_kslot *k = &fs->kern.ks[f][d];
		struct mk_stat st;

		if (!mkern_slot_get(b->mk, k->slot, &st))
			fold(fs, f, d, &st, true);
		mkslot_retire(b->slots, k->slot);
		fs->kern.kr[f][d] = *k;
		fs->kern.kr[f][d].tick = b->tick;
	}
}


/* room for n slots in the read buffers, in steps of MKBACK_STEP */
static int buf_grow(struct mkback *b, uint32_t n)
{
	uint32_t cap = (n + MKBACK_STEP - 1) / MKBACK_STEP * MKBACK_STEP;

	mem_deref(b->keys);
	mem_deref(b->st);
	b->cap = 0;
	b->keys = mem_zalloc(cap * sizeof(*b->keys), NULL);
	b->st = mem_zalloc(cap * sizeof(*b->st), NULL);
	if (!b->keys || !b->st)
		return ENOMEM;

	b->cap = cap;

	return 0;
}


/* One batch read of the worker's used slots; retired ones are free */
static void mb_refresh(struct offload *o, uint64_t now)
{
	struct mkback *b = o->mkb;
	uint32_t span;

	(void)now;
	++b->tick;
	b->rgen = mkern_route_gen(b->mk);
	b->reroutes = MKBACK_REROUTES;
	mkslot_tick(b->slots);
	span = mkslot_span(b->slots);
	b->nread = 0;
	if (!span)
		return;

	if (span > b->cap && buf_grow(b, span))
		return;

	if (!mkern_slots_read(b->mk, mkslot_base(b->slots), span, b->keys,
			      b->st))
		b->nread = span;
}


/* the last packets of a slot handed back at the previous tick */
static void fold_retired(struct fwd_side *in, struct fwd_kslot *k,
			 const struct mk_stat *st)
{
	if (st->gen == k->gen && st->pkts > k->pkts) {
		FWD_ADD(in->c.packets, st->pkts - k->pkts);
		FWD_ADD(in->c.bytes, st->bytes - k->bytes);
		FWD_ADD(in->c.rtcp, st->rtcp - k->rtcp);
	}

	k->gen = 0;
}


static void mb_read(struct offload *o, struct fwd_stream *fs, uint64_t now,
		    bool gone[2])
{
	struct mkback *b = o->mkb;
	uint32_t base = mkslot_base(b->slots);

	(void)now;
	(void)gone;

	for (int f = 0; f < 2; f++) {
		for (int d = 0; d < 2; d++) {
			struct fwd_kslot *kr = &fs->kern.kr[f][d];
			uint32_t i = kr->slot - base;

			/* handed back before this tick's read */
			if (kr->gen && kr->tick != b->tick) {
				if (i < b->nread)
					fold_retired(&fs->side[d], kr,
						     &b->st[i]);
				kr->gen = 0;
			}

			i = fs->kern.ks[f][d].slot - base;
			if (fs->kern.on[f] && i < b->nread)
				fold(fs, f, d, &b->st[i], false);
		}
	}
}


static enum offload_stray mb_stray(struct offload *o, struct fwd_stream *fs,
				   struct fwd_side *in, int f,
				   const struct rtphdr *h, uint64_t now)
{
	int d = in == &fs->side[1];
	struct fwd_kslot *k = &fs->kern.ks[f][d];
	struct mk_stat st;

	(void)now;
	if (!h)
		return OFFLOAD_STRAY_FWD;

	/* another SSRC than the kernel's: the flow comes back (5.5) */
	if (!mkern_slot_get(o->mkb->mk, k->slot, &st) && st.gen == k->gen &&
	    st.init && st.ssrc != h->ssrc)
		return OFFLOAD_STRAY_BACK;

	++in->kunseen;

	return OFFLOAD_STRAY_FWD;
}


/* the slot's last packet, now: fold() moves the latch's last_rx */
static void mb_fresh(struct offload *o, struct fwd_stream *fs,
		     struct fwd_side *in, int f)
{
	int d = in == &fs->side[1];
	struct mk_stat st;

	if (!mkern_slot_get(o->mkb->mk, fs->kern.ks[f][d].slot, &st))
		fold(fs, f, d, &st, false);
}


/** The eBPF backend */
const struct offload_ops mkback_ops = {
	.rtcp_punt = true,
	.add = mb_add,
	.del = mb_del,
	.refresh = mb_refresh,
	.read = mb_read,
	.stray = mb_stray,
	.fresh = mb_fresh,
	.reroute = mb_reroute,
};
