/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file stream.c  Relay streams: socket pairs on both sides, handed to a
 *                 forwarding worker, and taken back before they close
 */
#include <string.h>
#include <re.h>
#include "cfg.h"
#include "iface.h"
#include "fwd.h"
#include "worker.h"
#include "relay.h"
#include "sec.h"
#include "sdprw.h"
#include "relay_priv.h"


static void stream_destructor(void *data)
{
	struct relay_stream *s = data;

	list_unlink(&s->le);
	for (int i = 0; i < 2; i++) {
		if (s->ifc[i])
			iface_pair_close(s->ifc[i], &s->pair[i]);
		mem_deref(s->ifc[i]);
	}
	mem_deref(s->fs);
}


static struct worker *worker_pick(const struct relay *relay)
{
	struct worker *best = NULL;

	for (unsigned i = 0; i < relay->nworkers; i++) {
		struct worker *w = relay->workers[i];

		if (!best || worker_streams(w) < worker_streams(best))
			best = w;
	}

	return best;
}


/* What the stream does with plain RTCP (relay_rtcp_rewrite,
 * relay_rtcp_drop_malformed) */
static enum fwd_rtcp rtcp_mode(const struct cfg *cfg)
{
	if (!cfg->relay.rtcp_rewrite)
		return FWD_RTCP_PASS;

	return cfg->relay.rtcp_drop_malformed ? FWD_RTCP_REWRITE_DROP :
		FWD_RTCP_REWRITE;
}


static int sides_open(struct relay_stream *s, struct relay_iface *ifc[2],
		      const uint16_t *port)
{
	for (int i = 0; i < 2; i++) {
		struct fwd_side *side = &s->fs->side[i];
		int err;

		/* a reload may retire the interface: its pool lives on
		 * for the streams it has */
		s->ifc[i] = mem_ref(ifc[i]);
		err = port ? iface_pair_open_at(ifc[i], &s->pair[i], port[i]) :
			iface_pair_open(ifc[i], &s->pair[i]);
		if (err)
			return err;

		side->fd[0] = s->pair[i].fd[0];
		side->fd[1] = s->pair[i].fd[1];
		side->local = s->pair[i].local;
	}

	return 0;
}


/**
 * Open a stream's sockets on both sides, on given ports or on random
 * ones, and start forwarding it
 *
 * @param sp    Pointer to allocated stream, appended to call.streams
 * @param call  Call
 * @param index m= line
 * @param ifc   Interface facing side 0 and side 1
 * @param port  RTP ports of side 0 and 1, NULL for random ones
 * @param prep  Called before the stream goes to its worker, to set its
 *              forwarding state (NULL: none)
 * @param arg   Its argument
 *
 * @return 0 if success, ENOSPC if a port range is exhausted, EALREADY
 *         if a given pair is in use
 */
int relay_stream_open(struct relay_stream **sp, struct relay_call *call,
		      unsigned index, struct relay_iface *ifc[2],
		      const uint16_t *port, relay_stream_prep_h *prep,
		      void *arg)
{
	struct relay_stream *s;
	int err;

	if (!sp || !call || !ifc[0] || !ifc[1])
		return EINVAL;

	s = mem_zalloc(sizeof(*s), stream_destructor);
	if (!s)
		return ENOMEM;

	s->call = call;
	s->relay = call->relay;
	s->index = index;
	s->pair[0].fd[0] = s->pair[1].fd[0] = -1;

	err = fwd_stream_alloc(&s->fs, s);
	if (err)
		goto out;

	s->fs->rtcp = rtcp_mode(s->relay->cfg);
	err = sides_open(s, ifc, port);
	if (err)
		goto out;

	if (prep)
		prep(s, arg);

	s->w = worker_pick(s->relay);
	err = worker_add(s->w, s->fs);
	if (err)
		s->w = NULL;

 out:
	if (err) {
		mem_deref(s);
		return err;
	}

	list_append(&call->streams, &s->le, s);
	*sp = s;

	return 0;
}


/**
 * Open a stream's sockets on both sides and start forwarding it
 *
 * @param sp    Pointer to allocated stream, appended to call.streams
 * @param call  Call
 * @param index m= line
 * @param ifc   Interface facing side 0 and side 1
 *
 * @return 0 if success, ENOSPC if a port range is exhausted
 */
int relay_stream_alloc(struct relay_stream **sp, struct relay_call *call,
		       unsigned index, struct relay_iface *ifc[2])
{
	return relay_stream_open(sp, call, index, ifc, NULL, NULL, NULL);
}


/**
 * A side's peer as its SDP says (offer, answer, re-key): kept with the
 * stream and told to its worker, with the side's keys
 *
 * @param s    Stream
 * @param side The peer's side
 * @param md   Its m= line
 */
void relay_stream_peer(struct relay_stream *s, int side,
		       const struct sdprw_stream *md)
{
	struct worker_sdp ws;

	memset(&ws, 0, sizeof(ws));
	ws.rtp = md->addr;
	ws.rtcp = md->has_rtcp ? md->rtcp : md->addr;
	if (!md->has_rtcp)
		sa_set_port(&ws.rtcp, sa_port(&md->addr) + 1);
	ws.mux = md->rtcp_mux;
	ws.window_ms = s->relay->cfg->relay.learn_window * 1000;
	ws.clock_rate = md->clock_rate;
	sec_worker(&s->sec[side], &ws);

	s->sdp[side] = md->addr;
	s->mux[side] = md->rtcp_mux;
	s->te_pt[side] = md->te_pt;
	s->te_rate[side] = md->te_rate;
	str_ncpy(s->type, "", sizeof(s->type));
	(void)pl_strcpy(&md->type, s->type, sizeof(s->type));
	(void)worker_sdp(s->w, s->fs, side, &ws);
}


/**
 * Stop a stream. Its worker lets go of it first; the ports return to
 * the pool when it has (relay's FWD_EV_RELEASED handler).
 *
 * @param s Stream
 */
void relay_stream_close(struct relay_stream *s)
{
	if (!s)
		return;

	list_unlink(&s->le);
	s->call = NULL;

	/* at shutdown the threads are gone: close at once */
	if (!s->w || !s->relay->nworkers || worker_release(s->w, s->fs)) {
		mem_deref(s);
		return;
	}

	list_append(&s->relay->closing, &s->le, s);
}
