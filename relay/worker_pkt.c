/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file worker_pkt.c  Forwarding threads: the hot path
 *
 * Each datagram is judged against the receiving side's latch, counted
 * and routed (worker_pkt_judge), with no allocation, no lock and no
 * logging per packet, whichever way it came: from the ring (worker.c)
 * or, on epoll, up to BATCH datagrams of a readable socket with one
 * recvmmsg, sent on with one sendmmsg per outgoing socket from buffers
 * that belong to the worker (worker_sock_read). Latch changes are
 * published to readers under the stream's lock.
 */
#include <string.h>
#include <sys/socket.h>
#include <re.h>
#include "fwd.h"
#include "offload.h"
#include "worker.h"
#include "rtcpsdes.h"
#include "wring.h"
#include "worker_priv.h"


/* libre's sa_cmp() finds two unset addresses different */
static bool addr_same(const struct sa *a, const struct sa *b)
{
	if (!sa_isset(a, SA_ADDR) && !sa_isset(b, SA_ADDR))
		return true;

	return sa_cmp(a, b, SA_ALL);
}


/**
 * Publish a side's latch and SRTP state to its readers, if it changed;
 * a changed view is told to the main thread (a standby's copy of the
 * call follows it); a full queue: again at the next tick
 *
 * @param w    Worker
 * @param side The side
 */
void worker_view_publish(struct worker *w, struct fwd_side *side)
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
	uint32_t relatches = l->relatches;
	bool media = h || rtcp;
	enum latch_verdict lv;

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

	lv = latch_rx(l, src, h ? &h->ssrc : NULL, now_ms);

	/* re-latched: the kernel must not send on to the old source */
	if (l->relatches != relatches)
		offload_moved(&w->off, in->fs, ev->rtcp, now_ms);

	return lv == LATCH_FORWARD ? MEDIA_OK : MEDIA_BLEED;
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


/**
 * Judge, count and route one datagram, rewritten in place (pkt->len
 * follows)
 *
 * @param w      Worker
 * @param ev     The socket it came from
 * @param pkt    The datagram
 * @param now_us Monotonic time, µs
 * @param viap   Which of the other side's sockets it leaves from
 *
 * @return where it goes, NULL if it is dropped
 */
const struct sa *worker_pkt_judge(struct worker *w, const struct fwd_ev *ev,
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

	dst = worker_pkt_judge(w, ev, &pkt, now_us, &via);
	if (!dst)
		return false;

	tx_add(w, ntx, via, dst, pkt.p, pkt.len);

	return true;
}


/**
 * Publish a side's last packet time and, in userspace, its RTP state
 *
 * @param in     The side
 * @param now_ms When its last datagram came
 */
void worker_stats_publish(struct fwd_side *in, uint64_t now_ms)
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
			worker_stats_publish(in, now_us / 1000);
		worker_view_publish(w, in);
		worker_view_publish(w, out);   /* where its SRTP context stands */

		if (n < BATCH)
			break;
	}
}


/**
 * Point the epoll path's receive vector at the worker's buffers
 *
 * @param w Worker
 */
void worker_rx_init(struct worker *w)
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


/**
 * Read a readable socket and forward what it holds (the epoll path,
 * and the drain before a hand-over)
 *
 * @param w  Worker
 * @param ev The socket
 */
void worker_sock_read(struct worker *w, const struct fwd_ev *ev)
{
	rx_reset(w);
	sock_rx(w, ev);
}

