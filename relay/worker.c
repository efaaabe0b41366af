/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file worker.c  Forwarding threads: io_uring or epoll
 *
 * A worker owns its streams, runs the main thread's commands
 * (worker_cmd.c), checks media timeouts and the kernel fast path every
 * tick, and feeds the hot path (worker_pkt.c) one of two ways:
 * - io_uring (relay_io uring, wring.c): every socket has a multishot
 *   receive into the ring's buffers, and a datagram leaves from its
 *   buffer; one system call submits the sends and waits for more;
 * - epoll: on a readable socket, up to BATCH datagrams with one
 *   recvmmsg, sent on with one sendmmsg per outgoing socket from
 *   buffers that belong to the worker.
 * Latch changes are published to readers under the stream's lock.
 */
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <re.h>
#include "fwd.h"
#include "offload.h"
#include "mkback.h"
#include "worker.h"
#include "wring.h"
#include "worker_priv.h"


/* read a side's socket k: a receive on the ring, or epoll */
static void sock_watch(struct worker *w, struct fwd_side *side, int k)
{
	struct epoll_event ev = {EPOLLIN, {0}};

	if (!w->ring) {
		ev.data.ptr = &side->ev[k];
		(void)epoll_ctl(w->epfd, EPOLL_CTL_ADD, side->fd[k], &ev);
	}
	else if (wring_arm(w->ring, side->fd[k], &side->ev[k]))
		FWD_ADD(side->c.errors, 1);
	else
		++side->fs->ring_refs;
}


static void stream_add(struct worker *w, struct fwd_stream *fs)
{
	for (int s = 0; s < 2; s++) {
		for (int k = 0; k < 2; k++) {
			if (fs->side[s].fd[k] >= 0)
				sock_watch(w, &fs->side[s], k);
		}
	}

	fs->phase_start = fwd_now_ms();
	list_append(&w->streams, &fs->le, fs);
}


/* The main thread's queue is a pipe: when it is full, keep the
 * released streams and try again on the next loop. A stream the ring
 * still names (a receive not yet cancelled, a send in flight) waits
 * too. Once RELEASED is queued the main thread may free the stream at
 * any moment: it is unlinked before, and not touched after. */
static void unposted_post(struct worker *w)
{
	struct le *le = w->unposted.head;

	while (le) {
		struct fwd_stream *fs = le->data;

		le = le->next;
		if (fs->ring_refs)
			continue;

		list_unlink(&fs->le);
		if (mqueue_push(w->mq, FWD_EV_RELEASED, fs)) {
			list_prepend(&w->unposted, &fs->le, fs);
			return;
		}
	}
}


/* Stop watching the stream's sockets. Events already returned by
 * epoll_wait, or completions of the ring, may still name it: it is only
 * marked dead here, and handed back after this round's events, once
 * the ring's receives are cancelled (unposted_post) */
static void stream_release(struct worker *w, struct fwd_stream *fs)
{
	for (int s = 0; s < 2; s++) {
		for (int k = 0; k < 2; k++) {
			int fd = fs->side[s].fd[k];

			if (fd < 0)
				continue;
			if (w->ring)
				(void)wring_cancel(w->ring, fd);
			else
				(void)epoll_ctl(w->epfd, EPOLL_CTL_DEL, fd,
						NULL);
		}
	}

	list_unlink(&fs->side[0].dtmf_le);
	list_unlink(&fs->side[1].dtmf_le);
	fs->dead = true;
	list_unlink(&fs->le);
	list_append(&w->unposted, &fs->le, fs);
}


/* A digit for a side's peer: the stream stays in userspace from now on
 * (the audio after the events is renumbered) */
static void dtmf_start(struct worker *w, struct fwd_side *side,
		       const struct worker_dtmf *d, uint64_t now)
{
	offload_stop(&w->off, side->fs, now);

	if (dtmf_queue(&side->dtmf, d->pt, d->rate, d->event, d->dur_ms,
		       now))
		FWD_ADD(side->c.errors, 1);
	else if (!side->dtmf_le.list)
		list_append(&w->dtmf, &side->dtmf_le, side);
}


/* Events due go to their peers, encrypted if the peer has our key; a
 * side with nothing left to play leaves the list (its audio is still
 * renumbered) */
static void dtmf_tick(struct worker *w, uint64_t now)
{
	struct le *le = w->dtmf.head;

	wring_flush(w->ring);   /* the audio queued before goes first */

	while (le) {
		struct fwd_side *side = le->data;
		const struct sa *dst = latch_dst(&side->latch[0]);
		size_t n = dtmf_next(&side->dtmf, now, w->scratch,
				     sizeof(w->scratch));

		le = le->next;
		if (!dtmf_due(&side->dtmf))
			list_unlink(&side->dtmf_le);

		if (!n || !dst || side->fd[0] < 0)
			continue;
		if (!fsrtp_out(&side->srtp, false, w->scratch, &n,
			       sizeof(w->scratch)))
			continue;

		(void)sendto(side->fd[0], w->scratch, n, 0, &dst->u.sa,
			     dst->len);
	}
}


static void cmd_exec(struct worker *w, struct worker_cmd *cmd)
{
	struct fwd_stream *fs = cmd->fs;
	uint64_t now = fwd_now_ms();

	switch (cmd->op) {

	case CMD_ADD:
		stream_add(w, fs);
		break;

	case CMD_SDP: {
		struct fwd_side *side = &fs->side[cmd->side];

		offload_stop(&w->off, fs, now);
		latch_sdp(&side->latch[0], &cmd->sdp.rtp, now,
			  cmd->sdp.window_ms);
		latch_sdp(&side->latch[1], &cmd->sdp.rtcp, now,
			  cmd->sdp.window_ms);
		side->mux = cmd->sdp.mux;
		if (cmd->sdp.clock_rate)
			fs->clock_rate = cmd->sdp.clock_rate;
		fsrtp_set(&side->srtp, cmd->sdp.srtp ? &cmd->sdp.key : NULL,
			  cmd->sdp.lifetime,
			  cmd->sdp.tx ? &cmd->sdp.tx_key : NULL);
		worker_view_publish(w, side);
		break;
	}

	case CMD_WINDOW:
		for (int k = 0; k < 2; k++)
			latch_window(&fs->side[cmd->side].latch[k], now,
				     cmd->sdp.window_ms);
		break;

	case CMD_TIMEOUT:
		fs->timeout_ms = cmd->timeout_ms;
		fs->phase_start = now;
		fs->timed_out = false;
		break;

	case CMD_RELEASE:
		offload_stop(&w->off, fs, now);
		stream_release(w, fs);
		break;

	case CMD_DTMF:
		dtmf_start(w, &fs->side[cmd->side], &cmd->dtmf, now);
		break;

	case CMD_STOP:
		w->stop = true;
		break;
	}
}


static void cmds_run(struct worker *w)
{
	struct list cmds = LIST_INIT;
	uint64_t n;

	(void)!read(w->evfd, &n, sizeof(n));

	pthread_mutex_lock(&w->lock);
	cmds = w->cmds;
	list_init(&w->cmds);
	pthread_mutex_unlock(&w->lock);

	/* the elements still point at the old head: relink them */
	for (struct le *le = cmds.head; le; le = le->next)
		le->list = &cmds;

	while (cmds.head) {
		struct worker_cmd *cmd = cmds.head->data;

		list_unlink(&cmd->le);
		cmd_exec(w, cmd);
		mem_deref(cmd);
	}
}


static void timeout_check(struct worker *w, struct fwd_stream *fs,
			  uint64_t now)
{
	uint64_t last = fs->phase_start;

	if (!fs->timeout_ms || fs->timed_out)
		return;

	for (int s = 0; s < 2; s++) {
		uint64_t rx = fs->side[s].c.last_rx;
		if (rx > last)
			last = rx;
	}

	/* a full queue: try again on the next tick */
	if (fwd_silent(now, last, fs->timeout_ms) &&
	    !mqueue_push(w->mq, FWD_EV_TIMEOUT, fs))
		fs->timed_out = true;
}


/* Forward what a stream's sockets hold (offload.drain), after what
 * the ring has queued */
static void stream_drain(void *arg, struct fwd_stream *fs)
{
	struct worker *w = arg;

	wring_flush(w->ring);

	for (int s = 0; s < 2; s++) {
		for (int k = 0; k < 2; k++) {
			if (fs->side[s].fd[k] < 0)
				continue;
			worker_sock_read(w, &fs->side[s].ev[k]);
		}
	}
}


/* Kernel offload first: it brings the counters the timeout reads */
static void streams_tick(struct worker *w, uint64_t now)
{
	offload_refresh(&w->off, now);
	for (struct le *le = w->streams.head; le; le = le->next) {
		struct fwd_stream *fs = le->data;

		offload_tick(&w->off, fs, now);
		timeout_check(w, fs, now);
		if (fs->unposted)
			fs->unposted = mqueue_push(w->mq, FWD_EV_CHANGED,
						   fs) != 0;
	}
}


/* ---- io_uring (wring.c) ------------------------------------------------ */

/* A datagram from the ring: judged, and sent on from its buffer */
static void ring_rx(void *src, struct wring_pkt *pkt, void *arg)
{
	struct worker *w = arg;
	const struct fwd_ev *ev = src;
	struct fwd_side *in = ev->side;
	struct fwd_stream *fs = in->fs;
	struct fwd_side *out = &fs->side[in == &fs->side[0]];
	uint64_t now_us = fwd_now_us();
	const struct sa *dst = NULL;
	int via = 0;

	if (pkt->bad && !fs->dead)
		FWD_ADD(in->c.errors, 1);

	if (!pkt->bad && !fs->dead)
		dst = worker_pkt_judge(w, ev, pkt, now_us, &via);

	if (!dst) {
		wring_drop(w->ring, pkt);
	}
	else {
		if (wring_send(w->ring, out->fd[via], dst, pkt, in))
			FWD_ADD(in->c.errors, 1);
		else
			++fs->ring_refs;
		worker_stats_publish(in, now_us / 1000);
	}

	if (!fs->dead) {
		worker_view_publish(w, in);
		worker_view_publish(w, out);   /* where its SRTP context stands */
	}
}


/* A socket's receive ended: again while its stream lives */
static void ring_end(void *src, int err, void *arg)
{
	struct worker *w = arg;
	const struct fwd_ev *ev = src;
	struct fwd_side *side = ev->side;

	(void)err;
	if (!side->fs->dead) {
		if (!wring_arm(w->ring, side->fd[ev->rtcp], (void *)ev))
			return;
		FWD_ADD(side->c.errors, 1);
	}

	--side->fs->ring_refs;
}


static void ring_tx(void *owner, int err, void *arg)
{
	struct fwd_side *in = owner;
	(void)arg;

	if (err)
		FWD_ADD(in->c.errors, 1);
	--in->fs->ring_refs;
}


static void ring_wake(void *arg)
{
	cmds_run(arg);
}


/* ---- the loop ------------------------------------------------------------ */

/* One round of epoll: commands first (a packet may need the SDP just
 * given), then the sockets */
static void epoll_round(struct worker *w, int wait_ms)
{
	struct epoll_event evs[EVENTS];
	bool wake = false;
	int n;

	n = epoll_wait(w->epfd, evs, EVENTS, wait_ms);

	for (int i = 0; i < n && !wake; i++)
		wake = !evs[i].data.ptr;
	if (wake)
		cmds_run(w);

	for (int i = 0; i < n; i++) {
		const struct fwd_ev *ev = evs[i].data.ptr;

		if (!ev || ev->side->fs->dead)
			continue;
		worker_sock_read(w, ev);
	}
}


static void *worker_main(void *arg)
{
	struct worker *w = arg;

	worker_rx_init(w);

	/* the thread that enables the ring is its only submitter */
	if (w->ring) {
		int err = wring_start(w->ring);

		if (err)
			w->ring = mem_deref(w->ring);
		FWD_SET(w->ring_err, err);
	}

	while (!w->stop) {
		int wait_ms = w->dtmf.head ? DTMF_TICK_MS : TICK_MS;
		uint64_t now;

		if (w->ring)
			(void)wring_run(w->ring, (unsigned)wait_ms);
		else
			epoll_round(w, wait_ms);

		/* after the events: none may name a released stream now */
		if (w->unposted.head)
			unposted_post(w);

		now = fwd_now_ms();
		if (w->dtmf.head)
			dtmf_tick(w, now);
		if (now >= w->next_tick) {
			streams_tick(w, now);
			w->next_tick = now + TICK_MS;
			FWD_SET(w->beat, w->beat + 1);
		}
	}

	return NULL;
}


static void worker_destructor(void *data)
{
	struct worker *w = data;

	if (w->started) {
		(void)worker_cmd_simple(w, CMD_STOP, NULL);
		pthread_join(w->tid, NULL);
	}

	/* the thread is gone: streams still listed belong to their owner
	 * again, who frees them without waiting for events */
	while (w->streams.head) {
		offload_stop(&w->off, w->streams.head->data, fwd_now_ms());
		list_unlink(w->streams.head);
	}
	mem_deref(w->off.kern);
	mem_deref(w->off.mkb);
	mem_deref(w->ring);
	while (w->unposted.head)
		list_unlink(w->unposted.head);
	while (w->dtmf.head)
		list_unlink(w->dtmf.head);

	list_flush(&w->cmds);
	if (w->epfd >= 0)
		(void)close(w->epfd);
	if (w->evfd >= 0)
		(void)close(w->evfd);
	if (w->lock_ok)
		pthread_mutex_destroy(&w->lock);
}


/* the ring, or why not (the thread then uses epoll) */
static int ring_alloc(struct worker *w)
{
	const struct wring_handlers h = {
		ring_rx, ring_end, ring_tx, ring_wake, w
	};

	return wring_alloc(&w->ring, w->evfd, &h);
}


/**
 * Start a forwarding thread
 *
 * @param wp Pointer to allocated worker
 * @param id     Its number, for logs
 * @param mq     The main thread's queue for events (enum fwd_event)
 * @param oc     The kernel fast path its streams go to (offload.h),
 *               NULL for none
 * @param uring  Read and send with io_uring if the kernel allows it
 *               (worker_uring() tells), else epoll
 *
 * @return 0 if success, otherwise errorcode
 */
int worker_alloc(struct worker **wp, unsigned id, struct mqueue *mq,
		 const struct offload_cfg *oc, bool uring)
{
	struct epoll_event ev = {EPOLLIN, {0}};
	struct worker *w;
	int err;

	if (!wp || !mq)
		return EINVAL;

	w = mem_zalloc(sizeof(*w), worker_destructor);
	if (!w)
		return ENOMEM;

	w->id = id;
	w->mq = mq;
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	w->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->epfd < 0 || w->evfd < 0) {
		err = errno;
		goto out;
	}

	err = pthread_mutex_init(&w->lock, NULL);
	if (err)
		goto out;
	w->lock_ok = true;

	/* without the kernel's prerequisites, forward in userspace */
	w->off.drain = stream_drain;
	w->off.drain_arg = w;
	w->off.path = oc ? oc->path : OFFLOAD_USER;
	if (w->off.path == OFFLOAD_CONNTRACK) {
		w->off.last_err = kern_alloc(&w->off.kern);
		if (w->off.kern)
			w->off.ops = &ctback_ops;
	}
	else if (w->off.path == OFFLOAD_BPF) {
		err = mkback_alloc(&w->off.mkb, oc->mk, oc->slot_base,
				   oc->slots);
		if (err)
			goto out;
		w->off.ops = &mkback_ops;
	}

	ev.data.ptr = NULL;   /* the wake-up fd */
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->evfd, &ev)) {
		err = errno;
		goto out;
	}

	w->ring_err = uring ? ring_alloc(w) : EINVAL;
	if (!w->ring_err)
		w->ring_err = RING_PENDING;

	err = pthread_create(&w->tid, NULL, worker_main, w);
	if (err)
		goto out;
	w->started = true;

 out:
	if (err)
		mem_deref(w);
	else
		*wp = w;

	return err;
}
