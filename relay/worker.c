/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file worker.c  Forwarding threads: io_uring or epoll
 *
 * The hot path judges each datagram against the receiving side's
 * latch, counts it and sends it on (pkt_judge), with no allocation, no
 * lock and no logging per packet. It is fed one of two ways:
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
#include "rtcpsdes.h"
#include "wring.h"


/** worker.ring_err while the thread has not enabled its ring yet */
#define RING_PENDING (-1)

enum {
	BATCH   = 32,     /**< Datagrams per recvmmsg              */
	PKT_MAX = 2048,   /**< Largest datagram forwarded          */
	ROUNDS  = 4,      /**< Batches per socket per wakeup       */
	EVENTS  = 64,     /**< epoll events per wait               */
	TICK_MS = 250,    /**< Timeout check interval              */
	DTMF_TICK_MS = 5, /**< Wakeups while events play           */
};

/** Commands from the main thread */
enum cmd_op {
	CMD_ADD,
	CMD_SDP,
	CMD_WINDOW,
	CMD_TIMEOUT,
	CMD_RELEASE,
	CMD_DTMF,
	CMD_STOP,
};

/** One command, handed over to the worker, which frees it */
struct worker_cmd {
	struct le le;              /**< Member of worker.cmds     */
	enum cmd_op op;            /**< What to do                */
	struct fwd_stream *fs;     /**< Stream concerned          */
	int side;                  /**< Side, for CMD_SDP         */
	struct worker_sdp sdp;     /**< Peer, for CMD_SDP         */
	uint32_t timeout_ms;       /**< For CMD_TIMEOUT           */
	struct worker_dtmf dtmf;   /**< For CMD_DTMF              */
};

/** A forwarding thread */
struct worker {
	unsigned id;                   /**< Number, for logs          */
	pthread_t tid;                 /**< The thread                */
	bool started;                  /**< tid is valid              */
	int epfd;                      /**< Its epoll instance        */
	int evfd;                      /**< Wakes it for commands     */
	pthread_mutex_t lock;          /**< Guards cmds               */
	bool lock_ok;                  /**< lock was initialised      */
	struct list cmds;              /**< struct worker_cmd         */
	struct mqueue *mq;             /**< Events to the main thread */
	unsigned nstreams;             /**< Main thread's count       */
	uint64_t beat;                 /**< Loop ticks (worker writes) */
	bool changes;                  /**< Post FWD_EV_CHANGED (main
					    writes, atomic)            */
	struct offload off;            /**< Kernel fast path          */
	struct wring *ring;            /**< io_uring, NULL for epoll  */
	int ring_err;                  /**< Why not, if it was wanted;
					    RING_PENDING until the thread
					    enabled it (atomic)        */

	/* worker thread only, from here */
	bool stop;                                /**< Leave the loop  */
	struct list streams;                      /**< Owned streams   */
	struct list unposted;    /**< Released, RELEASED not yet queued */
	struct list dtmf;        /**< Sides whose generator is on       */
	uint64_t next_tick;                       /**< Next timeout check */
	struct mmsghdr rx[BATCH];                 /**< recvmmsg vector */
	struct iovec rxiov[BATCH];                /**< Their buffers   */
	struct sockaddr_storage from[BATCH];      /**< Their sources   */
	struct mmsghdr tx[2][BATCH];              /**< Per out socket  */
	struct iovec txiov[2][BATCH];             /**< Their buffers   */
	uint8_t buf[BATCH][PKT_MAX];              /**< Packet memory   */
	uint8_t scratch[PKT_MAX];                 /**< For RTCP rewrites */
};


/* Queue a command; it is filled in before the worker can see it */
static int cmd_push(struct worker *w, const struct worker_cmd *tmpl)
{
	struct worker_cmd *cmd;
	uint64_t one = 1;

	cmd = mem_zalloc(sizeof(*cmd), NULL);
	if (!cmd)
		return ENOMEM;

	cmd->op = tmpl->op;
	cmd->fs = tmpl->fs;
	cmd->side = tmpl->side;
	cmd->sdp = tmpl->sdp;
	cmd->timeout_ms = tmpl->timeout_ms;
	cmd->dtmf = tmpl->dtmf;

	pthread_mutex_lock(&w->lock);
	list_append(&w->cmds, &cmd->le, cmd);
	pthread_mutex_unlock(&w->lock);

	/* queued: the worker will run it. A failed write can only mean
	 * the eventfd is already signalled, so it is not an error */
	(void)!write(w->evfd, &one, sizeof(one));

	return 0;
}


static int cmd_simple(struct worker *w, enum cmd_op op,
		      struct fwd_stream *fs)
{
	struct worker_cmd tmpl;

	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.op = op;
	tmpl.fs = fs;

	return cmd_push(w, &tmpl);
}


/* libre's sa_cmp() finds two unset addresses different */
static bool addr_same(const struct sa *a, const struct sa *b)
{
	if (!sa_isset(a, SA_ADDR) && !sa_isset(b, SA_ADDR))
		return true;

	return sa_cmp(a, b, SA_ALL);
}


/* a changed view is told to the main thread (a standby's copy of the
 * call follows it); a full queue: again at the next tick */
static void view_publish(struct worker *w, struct fwd_side *side)
{
	const struct latch *l = &side->latch[0];
	struct fwd_view *v = &side->view;
	struct fwd_stream *fs = side->fs;

	if (v->state == l->state && v->relatches == l->relatches &&
	    addr_same(&v->addr, &l->addr) &&
	    addr_same(&v->rtcp, &side->latch[1].addr) &&
	    v->srtp.mark == side->srtp.ix.mark)
		return;

	pthread_mutex_lock(&fs->lock);
	v->state = l->state;
	v->addr = l->addr;
	v->rtcp = side->latch[1].addr;
	v->relatches = l->relatches;
	fsrtp_ixs(&side->srtp, &v->srtp);
	pthread_mutex_unlock(&fs->lock);

	if (__atomic_load_n(&w->changes, __ATOMIC_RELAXED))
		fs->unposted = mqueue_push(w->mq, FWD_EV_CHANGED, fs) != 0;
}


/* RTCP on its own port: once RTP latched, only from the same IP */
static bool rtcp_src_ok(const struct fwd_side *in, const struct sa *src)
{
	if (in->latch[0].state == LATCH_NONE)
		return true;

	return sa_cmp(src, &in->latch[0].addr, SA_ADDR);
}


static void tx_add(struct worker *w, unsigned *ntx, int via,
		   const struct sa *dst, uint8_t *p, size_t len)
{
	unsigned k = ntx[via]++;
	struct mmsghdr *m = &w->tx[via][k];

	w->txiov[via][k].iov_base = p;
	w->txiov[via][k].iov_len = len;
	memset(m, 0, sizeof(*m));
	m->msg_hdr.msg_name = (void *)&dst->u.sa;
	m->msg_hdr.msg_namelen = dst->len;
	m->msg_hdr.msg_iov = &w->txiov[via][k];
	m->msg_hdr.msg_iovlen = 1;
}


/* RTCP from in (decrypted if it came as SRTCP): its SDES CNAME becomes
 * in's own (topology hiding), in place (p has cap bytes); false if it
 * is dropped */
static bool rtcp_rewrite(struct worker *w, const struct fwd_side *in,
			 uint8_t *p, size_t *lenp, size_t cap)
{
	const struct fwd_stream *fs = in->fs;
	struct pl cname;
	size_t n = 0;

	if (fs->rtcp == FWD_RTCP_PASS)
		return true;

	pl_set_str(&cname, in->cname);
	if (rtcpsdes_rewrite(w->scratch, MIN(sizeof(w->scratch), cap), &n, p,
			     *lenp, &cname))
		return fs->rtcp != FWD_RTCP_REWRITE_DROP;

	memcpy(p, w->scratch, n);
	*lenp = n;

	return true;
}


/** Why media_in() let a datagram go or not */
enum media_verdict {
	MEDIA_OK = 0,   /**< It goes on                            */
	MEDIA_BLEED,    /**< A source that may not send (RTP Bleed) */
	MEDIA_AUTH,     /**< SRTP or SRTCP that did not authenticate */
};


/* Whether a datagram may go on: its source may send (RTP Bleed:
 * SRTP/SRTCP authenticated while it may still latch), and it latches;
 * where SRTP ends here, it is decrypted in place */
static enum media_verdict media_in(struct worker *w, struct fwd_side *in,
				   const struct fwd_ev *ev, bool rtcp,
				   const struct rtphdr *h,
				   const struct sa *src, uint8_t *p,
				   size_t *lenp, uint64_t now_ms)
{
	struct latch *l = &in->latch[ev->rtcp];
	bool media = h || rtcp;

	if (ev->rtcp && !rtcp_src_ok(in, src))
		return MEDIA_BLEED;

	/* where the peer speaks SRTP, a datagram that is neither RTP nor
	 * RTCP cannot authenticate: it would latch unchecked */
	if (fsrtp_rx_on(&in->srtp) &&
	    (!media || !fsrtp_in(&in->srtp, rtcp, p, lenp, w->scratch,
				 sizeof(w->scratch))))
		return MEDIA_AUTH;

	/* a re-latch judges the latched source's silence: while the
	 * kernel forwards it, from the kernel's count of now */
	if (in->fs->kern.on[ev->rtcp] &&
	    latch_moving(l, src, h ? &h->ssrc : NULL))
		offload_fresh(&w->off, in->fs, in, ev->rtcp, now_ms);

	return latch_rx(l, src, h ? &h->ssrc : NULL, now_ms) ==
		LATCH_FORWARD ? MEDIA_OK : MEDIA_BLEED;
}


/* count a datagram media_in() refused */
static void media_drop(struct fwd_side *in, enum media_verdict v)
{
	FWD_ADD(in->c.dropped, 1);
	if (v == MEDIA_AUTH)
		FWD_ADD(in->c.auth, 1);
	else
		FWD_ADD(in->c.bleed, 1);
}


/* Judge, count and route one datagram, rewritten in place (pkt->len
 * follows): where it goes and from which socket (*viap), NULL if it is
 * dropped */
static const struct sa *pkt_judge(struct worker *w, const struct fwd_ev *ev,
				  struct wring_pkt *pkt, uint64_t now_us,
				  int *viap)
{
	struct fwd_side *in = ev->side;
	struct fwd_stream *fs = in->fs;
	struct fwd_side *out = &fs->side[in == &fs->side[0]];
	uint64_t now_ms = now_us / 1000;
	uint8_t *p = pkt->p;
	size_t len = pkt->len;
	const struct sa *dst;
	enum media_verdict v;
	struct rtphdr h;
	bool rtcp, rtp;

	rtcp = ev->rtcp || (in->mux && rtp_is_rtcp(p, len));
	rtp = !rtcp && 0 == rtphdr_decode(&h, p, len);

	v = media_in(w, in, ev, rtcp, rtp ? &h : NULL, &pkt->src, p, &len,
		     now_ms);
	if (v != MEDIA_OK) {
		media_drop(in, v);
		return false;
	}

	if (fs->kern.on[ev->rtcp] &&
	    offload_stray(&w->off, fs, in, ev->rtcp, rtp ? &h : NULL,
			  now_ms)) {
		FWD_ADD(in->c.dropped, 1);
		FWD_ADD(in->c.stray, 1);
		return false;
	}

	if (rtcp && !rtcp_rewrite(w, in, p, &len, pkt->cap)) {
		FWD_ADD(in->c.dropped, 1);
		return false;
	}

	if (rtp && out->dtmf.on)
		dtmf_fwd(&out->dtmf, &h, p, now_ms);

	if ((rtp || rtcp) && !fsrtp_out(&out->srtp, rtcp, p, &len, pkt->cap)) {
		FWD_ADD(in->c.errors, 1);
		return false;
	}

	FWD_ADD(in->c.packets, 1);
	FWD_ADD(in->c.bytes, len);
	if (rtcp)
		FWD_ADD(in->c.rtcp, 1);
	/* while the flow is in the kernel, its slot holds the state */
	if (rtp && !fs->kern.on[0])
		rtpstat_update(&in->stat, &h, now_us, fs->clock_rate);

	pkt->len = len;
	*viap = (rtcp && !out->mux) ? 1 : 0;
	dst = latch_dst(&out->latch[*viap]);
	if (!dst || out->fd[*viap] < 0) {
		FWD_ADD(in->c.errors, 1);
		return NULL;
	}

	return dst;
}


/* Datagram i of a recvmmsg: judged, and queued for sendmmsg */
static bool pkt_rx(struct worker *w, const struct fwd_ev *ev, unsigned i,
		   uint64_t now_us, unsigned *ntx)
{
	struct wring_pkt pkt;
	const struct sa *dst;
	int via;

	pkt.p = w->buf[i];
	pkt.len = w->rx[i].msg_len;
	pkt.cap = PKT_MAX;
	pkt.bad = false;
	pkt.bid = 0;

	if (w->rx[i].msg_hdr.msg_flags & MSG_TRUNC ||
	    sa_set_sa(&pkt.src, (struct sockaddr *)&w->from[i])) {
		FWD_ADD(ev->side->c.errors, 1);
		return false;
	}

	dst = pkt_judge(w, ev, &pkt, now_us, &via);
	if (!dst)
		return false;

	tx_add(w, ntx, via, dst, pkt.p, pkt.len);

	return true;
}


static void stats_publish(struct fwd_side *in, uint64_t now_ms)
{
	FWD_SET(in->c.last_rx, now_ms);
	if (in->fs->kern.on[0])   /* the kernel's slot counts (offload.h) */
		return;
	FWD_SET(in->c.ssrc, in->stat.ssrc);
	FWD_SET(in->c.lost, rtpstat_lost(&in->stat));
	FWD_SET(in->c.jitter_ms, rtpstat_jitter_ms(&in->stat,
						   in->fs->clock_rate));
}


static void tx_flush(struct worker *w, struct fwd_side *in,
		     struct fwd_side *out, const unsigned *ntx)
{
	for (int via = 0; via < 2; via++) {
		int n;

		if (!ntx[via])
			continue;

		n = sendmmsg(out->fd[via], w->tx[via], ntx[via],
			     MSG_DONTWAIT);
		if (n < (int)ntx[via])
			FWD_ADD(in->c.errors, ntx[via] - (n > 0 ? n : 0));
	}
}


static void sock_rx(struct worker *w, const struct fwd_ev *ev)
{
	struct fwd_side *in = ev->side;
	struct fwd_stream *fs = in->fs;
	struct fwd_side *out = &fs->side[in == &fs->side[0]];

	for (int round = 0; round < ROUNDS; round++) {
		unsigned ntx[2] = {0, 0};
		uint64_t now_us;
		bool any = false;
		int n;

		n = recvmmsg(in->fd[ev->rtcp], w->rx, BATCH, MSG_DONTWAIT,
			     NULL);
		if (n <= 0)
			break;

		now_us = fwd_now_us();
		for (int i = 0; i < n; i++)
			any |= pkt_rx(w, ev, (unsigned)i, now_us, ntx);

		tx_flush(w, in, out, ntx);
		if (any)
			stats_publish(in, now_us / 1000);
		view_publish(w, in);
		view_publish(w, out);   /* where its SRTP context stands */

		if (n < BATCH)
			break;
	}
}


static void rx_init(struct worker *w)
{
	for (int i = 0; i < BATCH; i++) {
		struct msghdr *h = &w->rx[i].msg_hdr;

		w->rxiov[i].iov_base = w->buf[i];
		w->rxiov[i].iov_len = PKT_MAX;
		h->msg_name = &w->from[i];
		h->msg_namelen = sizeof(w->from[i]);
		h->msg_iov = &w->rxiov[i];
		h->msg_iovlen = 1;
	}
}


static void rx_reset(struct worker *w)
{
	/* recvmmsg overwrites the lengths and flags */
	for (int i = 0; i < BATCH; i++) {
		w->rx[i].msg_hdr.msg_namelen = sizeof(w->from[i]);
		w->rx[i].msg_hdr.msg_flags = 0;
	}
}


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
		view_publish(w, side);
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
			rx_reset(w);
			sock_rx(w, &fs->side[s].ev[k]);
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
		dst = pkt_judge(w, ev, pkt, now_us, &via);

	if (!dst) {
		wring_drop(w->ring, pkt);
	}
	else {
		if (wring_send(w->ring, out->fd[via], dst, pkt, in))
			FWD_ADD(in->c.errors, 1);
		else
			++fs->ring_refs;
		stats_publish(in, now_us / 1000);
	}

	if (!fs->dead) {
		view_publish(w, in);
		view_publish(w, out);   /* where its SRTP context stands */
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
		rx_reset(w);
		sock_rx(w, ev);
	}
}


static void *worker_main(void *arg)
{
	struct worker *w = arg;

	rx_init(w);

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
		(void)cmd_simple(w, CMD_STOP, NULL);
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


/**
 * Hand a stream with open sockets to the worker
 *
 * @param w  Worker
 * @param fs Stream; the worker owns it until FWD_EV_RELEASED
 *
 * @return 0 if success, otherwise errorcode
 */
int worker_add(struct worker *w, struct fwd_stream *fs)
{
	int err;

	if (!w || !fs)
		return EINVAL;

	err = cmd_simple(w, CMD_ADD, fs);
	if (!err)
		++w->nstreams;

	return err;
}


/**
 * Give a side its peer's addresses from an offer or answer
 *
 * @param w    Worker
 * @param fs   Stream
 * @param side 0 or 1
 * @param sdp  The peer's addresses and learning window
 *
 * @return 0 if success, otherwise errorcode
 */
int worker_sdp(struct worker *w, struct fwd_stream *fs, int side,
	       const struct worker_sdp *sdp)
{
	struct worker_cmd tmpl;

	if (!w || !fs || side < 0 || side > 1 || !sdp)
		return EINVAL;

	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.op = CMD_SDP;
	tmpl.fs = fs;
	tmpl.side = side;
	tmpl.sdp = *sdp;

	return cmd_push(w, &tmpl);
}


/**
 * Reopen the learning window of a side that has not locked yet
 *
 * @param w         Worker
 * @param fs        Stream
 * @param side      0 or 1
 * @param window_ms Length of the window
 *
 * @return 0 if success, otherwise errorcode
 */
int worker_window(struct worker *w, struct fwd_stream *fs, int side,
		  uint32_t window_ms)
{
	struct worker_cmd tmpl;

	if (!w || !fs || side < 0 || side > 1)
		return EINVAL;

	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.op = CMD_WINDOW;
	tmpl.fs = fs;
	tmpl.side = side;
	tmpl.sdp.window_ms = window_ms;

	return cmd_push(w, &tmpl);
}


/**
 * Set the stream's media timeout, starting a new phase (setup,
 * answered, on hold)
 *
 * @param w          Worker
 * @param fs         Stream
 * @param timeout_ms Milliseconds without media, 0 for none
 *
 * @return 0 if success, otherwise errorcode
 */
int worker_timeout(struct worker *w, struct fwd_stream *fs,
		   uint32_t timeout_ms)
{
	struct worker_cmd tmpl;

	if (!w || !fs)
		return EINVAL;

	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.op = CMD_TIMEOUT;
	tmpl.fs = fs;
	tmpl.timeout_ms = timeout_ms;

	return cmd_push(w, &tmpl);
}


/**
 * Play a digit toward a side's peer, as RFC 4733 events in the stream
 * it receives
 *
 * @param w    Worker
 * @param fs   Stream
 * @param side Side whose peer gets the events
 * @param d    The digit, payload type and clock
 *
 * @return 0 if success, otherwise errorcode
 */
int worker_dtmf(struct worker *w, struct fwd_stream *fs, int side,
		const struct worker_dtmf *d)
{
	struct worker_cmd tmpl;

	if (!w || !fs || side < 0 || side > 1 || !d)
		return EINVAL;

	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.op = CMD_DTMF;
	tmpl.fs = fs;
	tmpl.side = side;
	tmpl.dtmf = *d;

	return cmd_push(w, &tmpl);
}


/**
 * Take a stream back. The worker stops reading its sockets and posts
 * FWD_EV_RELEASED; only then may the owner close and free it.
 *
 * @param w  Worker
 * @param fs Stream
 *
 * @return 0 if success, otherwise errorcode
 */
int worker_release(struct worker *w, struct fwd_stream *fs)
{
	int err;

	if (!w || !fs)
		return EINVAL;

	err = cmd_simple(w, CMD_RELEASE, fs);
	if (!err && w->nstreams)
		--w->nstreams;

	return err;
}


/** @return streams handed to the worker and not taken back */
unsigned worker_streams(const struct worker *w)
{
	return w ? w->nstreams : 0;
}


/**
 * The worker's heartbeat: it grows every TICK_MS while the thread runs
 * its loop
 *
 * @param w Worker
 *
 * @return the count of loop ticks
 */
uint64_t worker_beat(const struct worker *w)
{
	return w ? FWD_GET(w->beat) : 0;
}


/**
 * Whether the worker reads and sends with io_uring: its thread enables
 * the ring when it starts, and falls back to epoll if it cannot; this
 * waits up to 1 s for that
 *
 * @param w   Worker
 * @param errp Why not, if worker_alloc() asked for it (EINVAL if not)
 *
 * @return true if it does
 */
bool worker_uring(const struct worker *w, int *errp)
{
	int err = w ? FWD_GET(w->ring_err) : EINVAL;

	/* the thread enables its ring when it starts: wait for it */
	for (int i = 0; err == RING_PENDING && i < 1000; i++) {
		(void)usleep(1000);
		err = FWD_GET(w->ring_err);
	}

	if (err == RING_PENDING)
		err = ETIMEDOUT;
	if (errp)
		*errp = err;

	return !err;
}


/** @return the worker's kernel offload, whose counters are atomics */
const struct offload *worker_offload(const struct worker *w)
{
	return w ? &w->off : NULL;
}


/**
 * Whether the worker tells the main thread of every change of a
 * stream's published view (FWD_EV_CHANGED); off unless someone keeps a
 * copy of the calls (high availability)
 *
 * @param w  Worker
 * @param on Post them
 */
void worker_post_changes(struct worker *w, bool on)
{
	if (w)
		__atomic_store_n(&w->changes, on, __ATOMIC_RELAXED);
}
