/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file wring.c  A forwarding thread's io_uring (relay_io uring)
 *
 * Every socket of the thread's streams has one multishot recvmsg armed
 * (kernel 6.0); its datagrams land in a ring of provided buffers
 * (5.19). A datagram that goes on leaves with a sendmsg from the same
 * buffer, which returns to the ring when the send completes. One
 * io_uring_enter submits the sends queued while completions were
 * handled and waits for the next ones, so a busy thread makes far
 * fewer system calls than a datagram's recvmmsg and sendmmsg
 * (docs/relay.md, "Where the userspace path's time goes"). The thread's
 * eventfd is watched by a multishot poll; its completion is handled
 * before the datagrams of the same batch, so that a command (an SDP)
 * comes before the packets that need it.
 *
 * The ring is the thread's alone (IORING_SETUP_SINGLE_ISSUER), and the
 * kernel's work for it runs when the thread enters the ring
 * (IORING_SETUP_DEFER_TASKRUN, 6.1). It is made disabled by the main
 * thread, which can then tell whether the kernel has what it needs, and
 * enabled by the forwarding thread (wring_start()), which so becomes
 * its only submitter. A kernel without these features fails
 * wring_alloc(), and the thread uses epoll.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <liburing.h>
#include <re.h>
#include "wring.h"


enum {
	WRING_NBUF  = 4096,    /**< Provided buffers (a power of 2)     */
	WRING_BUF   = 2112,    /**< Buffer: header, address, datagram   */
	WRING_SQ    = 2048,    /**< Submission queue entries            */
	WRING_CQ    = 16384,   /**< Completion queue entries            */
	WRING_BATCH = 256,     /**< Completions handled per pass        */
	WRING_BGID  = 0,       /**< The buffer group                    */
};

/** What a completion belongs to: the low 2 bits of its user_data */
enum wring_tag {
	TAG_RX     = 0,        /**< A receive: user_data is its source  */
	TAG_TX     = 1,        /**< A send: its buffer id << 2          */
	TAG_WAKE   = 2,        /**< The eventfd poll                    */
	TAG_CANCEL = 3,        /**< A cancel request                    */
};

/** A send in flight, one per buffer */
struct wring_tx {
	struct msghdr mh;
	struct iovec iov;
	struct sa dst;         /**< A copy: the latch may change       */
	void *owner;           /**< For the tx handler                 */
};

/** The ring */
struct wring {
	struct io_uring ring;
	bool ring_ok;                  /**< ring was set up            */
	struct io_uring_buf_ring *br;  /**< The provided buffers' ring */
	uint8_t *bufs;                 /**< WRING_NBUF x WRING_BUF     */
	struct wring_tx *tx;           /**< WRING_NBUF                 */
	struct msghdr rmh;             /**< Layout of the receives     */
	int evfd;                      /**< The wake-up fd             */
	struct wring_handlers h;       /**< Who is told                */
};


static void wring_destructor(void *data)
{
	struct wring *wr = data;

	if (wr->ring_ok)
		io_uring_queue_exit(&wr->ring);
	free(wr->br);
	mem_deref(wr->bufs);
	mem_deref(wr->tx);
}


/* a free SQE, submitting what is queued when the queue is full */
static struct io_uring_sqe *sqe_get(struct wring *wr)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&wr->ring);

	if (!sqe) {
		(void)io_uring_submit(&wr->ring);
		sqe = io_uring_get_sqe(&wr->ring);
	}

	return sqe;
}


static void buf_back(struct wring *wr, unsigned bid)
{
	io_uring_buf_ring_add(wr->br, wr->bufs + (size_t)bid * WRING_BUF,
			      WRING_BUF, (unsigned short)bid,
			      io_uring_buf_ring_mask(WRING_NBUF), 0);
	io_uring_buf_ring_advance(wr->br, 1);
}


static int bufs_setup(struct wring *wr)
{
	struct io_uring_buf_reg reg;
	int err;

	wr->bufs = mem_alloc((size_t)WRING_NBUF * WRING_BUF, NULL);
	wr->tx = mem_zalloc(WRING_NBUF * sizeof(*wr->tx), NULL);
	if (!wr->bufs || !wr->tx)
		return ENOMEM;

	err = posix_memalign((void **)&wr->br, 4096,
			     WRING_NBUF * sizeof(struct io_uring_buf));
	if (err)
		return err;

	io_uring_buf_ring_init(wr->br);
	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (uintptr_t)wr->br;
	reg.ring_entries = WRING_NBUF;
	reg.bgid = WRING_BGID;
	err = -io_uring_register_buf_ring(&wr->ring, &reg, 0);
	if (err)
		return err;

	for (unsigned b = 0; b < WRING_NBUF; b++)
		buf_back(wr, b);

	return 0;
}


static int wake_arm(struct wring *wr)
{
	struct io_uring_sqe *sqe = sqe_get(wr);

	if (!sqe)
		return ENOSPC;

	io_uring_prep_poll_multishot(sqe, wr->evfd, POLLIN);
	io_uring_sqe_set_data64(sqe, TAG_WAKE);

	return 0;
}


/**
 * Set up a thread's ring, disabled until wring_start()
 *
 * @param wrp  Pointer to allocated ring
 * @param evfd The thread's wake-up eventfd
 * @param h    Handlers; all must be set
 *
 * @return 0 if success; otherwise errorcode (ENOSYS, EPERM, EINVAL: the
 *         kernel lacks io_uring or a feature it needs)
 */
int wring_alloc(struct wring **wrp, int evfd, const struct wring_handlers *h)
{
	struct io_uring_params p;
	struct wring *wr;
	int err;

	if (!wrp || evfd < 0 || !h || !h->rxh || !h->endh || !h->txh ||
	    !h->wakeh)
		return EINVAL;

	wr = mem_zalloc(sizeof(*wr), wring_destructor);
	if (!wr)
		return ENOMEM;

	wr->evfd = evfd;
	wr->h = *h;
	wr->rmh.msg_namelen = sizeof(struct sockaddr_in6);

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SINGLE_ISSUER |
		IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_R_DISABLED;
	p.cq_entries = WRING_CQ;
	err = -io_uring_queue_init_params(WRING_SQ, &wr->ring, &p);
	if (err)
		goto out;
	wr->ring_ok = true;

	if (!(p.features & IORING_FEAT_EXT_ARG)) {
		err = ENOTSUP;
		goto out;
	}

	err = bufs_setup(wr);
	if (!err)
		err = wake_arm(wr);

 out:
	if (err)
		mem_deref(wr);
	else
		*wrp = wr;

	return err;
}


/**
 * Enable the ring: the calling thread becomes its only submitter
 *
 * @param wr Ring
 *
 * @return 0 if success, otherwise errorcode
 */
int wring_start(struct wring *wr)
{
	if (!wr)
		return EINVAL;

	/* liburing 2.3's io_uring_enable_rings() is in its header but not
	 * exported by Debian's shared library: the register call itself */
	return -io_uring_register(wr->ring.ring_fd,
				 IORING_REGISTER_ENABLE_RINGS, NULL, 0);
}


/**
 * Receive a socket's datagrams until wring_cancel() (or the end
 * handler says the receive stopped)
 *
 * @param wr  Ring
 * @param fd  The socket
 * @param src What the handlers are given for it (pointer, 4-aligned)
 *
 * @return 0 if success, otherwise errorcode
 */
int wring_arm(struct wring *wr, int fd, void *src)
{
	struct io_uring_sqe *sqe;

	if (!wr || fd < 0 || !src || ((uintptr_t)src & 3))
		return EINVAL;

	sqe = sqe_get(wr);
	if (!sqe)
		return ENOSPC;

	io_uring_prep_recvmsg_multishot(sqe, fd, &wr->rmh, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = WRING_BGID;
	io_uring_sqe_set_data(sqe, src);

	return 0;
}


/**
 * Cancel every request on a socket: its receive ends with ECANCELED
 * (the end handler), sends still queued complete with ECANCELED
 *
 * @param wr Ring
 * @param fd The socket
 *
 * @return 0 if success, otherwise errorcode
 */
int wring_cancel(struct wring *wr, int fd)
{
	struct io_uring_sqe *sqe;

	if (!wr || fd < 0)
		return EINVAL;

	sqe = sqe_get(wr);
	if (!sqe)
		return ENOSPC;

	io_uring_prep_cancel_fd(sqe, fd, IORING_ASYNC_CANCEL_ALL);
	io_uring_sqe_set_data64(sqe, TAG_CANCEL);

	return 0;
}


/**
 * Send a received datagram on, from its buffer
 *
 * @param wr    Ring
 * @param fd    The socket it leaves from
 * @param dst   Where to (copied)
 * @param pkt   The datagram, as the rx handler got it (p and len may
 *              have changed)
 * @param owner For the tx handler
 *
 * @return 0 if queued; otherwise errorcode, and the buffer is free again
 */
int wring_send(struct wring *wr, int fd, const struct sa *dst,
	       const struct wring_pkt *pkt, void *owner)
{
	struct io_uring_sqe *sqe;
	struct wring_tx *tx;

	if (!wr || !dst || !pkt)
		return EINVAL;

	sqe = sqe_get(wr);
	if (!sqe) {
		wring_drop(wr, pkt);
		return ENOSPC;
	}

	tx = &wr->tx[pkt->bid];
	tx->dst = *dst;
	tx->owner = owner;
	tx->iov.iov_base = pkt->p;
	tx->iov.iov_len = pkt->len;
	memset(&tx->mh, 0, sizeof(tx->mh));
	tx->mh.msg_name = &tx->dst.u.sa;
	tx->mh.msg_namelen = tx->dst.len;
	tx->mh.msg_iov = &tx->iov;
	tx->mh.msg_iovlen = 1;
	io_uring_prep_sendmsg(sqe, fd, &tx->mh, 0);
	io_uring_sqe_set_data64(sqe, ((uint64_t)pkt->bid << 2) | TAG_TX);

	return 0;
}


/**
 * Give a received datagram's buffer back without sending it
 *
 * @param wr  Ring
 * @param pkt The datagram
 */
void wring_drop(struct wring *wr, const struct wring_pkt *pkt)
{
	if (wr && pkt)
		buf_back(wr, pkt->bid);
}


/**
 * Submit the sends queued so far, before a datagram leaves another way
 * (sendto, sendmmsg) that must not overtake them
 *
 * @param wr Ring
 */
void wring_flush(struct wring *wr)
{
	if (wr && io_uring_sq_ready(&wr->ring))
		(void)io_uring_submit(&wr->ring);
}


/* a datagram in buffer bid, as the multishot receive laid it out */
static void rx_pkt(struct wring *wr, const struct io_uring_cqe *cqe,
		   void *src)
{
	unsigned bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
	uint8_t *buf = wr->bufs + (size_t)bid * WRING_BUF;
	struct io_uring_recvmsg_out *o;
	struct wring_pkt pkt;

	memset(&pkt, 0, sizeof(pkt));
	pkt.bid = bid;
	o = io_uring_recvmsg_validate(buf, cqe->res, &wr->rmh);
	if (!o) {
		pkt.bad = true;
		pkt.p = buf;
	}
	else {
		pkt.p = io_uring_recvmsg_payload(o, &wr->rmh);
		pkt.len = io_uring_recvmsg_payload_length(o, cqe->res,
							  &wr->rmh);
		pkt.cap = (size_t)(buf + WRING_BUF - pkt.p);
		pkt.bad = (o->flags & MSG_TRUNC) ||
			sa_set_sa(&pkt.src, io_uring_recvmsg_name(o)) != 0;
	}

	wr->h.rxh(src, &pkt, wr->h.arg);
}


static void rx_cqe(struct wring *wr, const struct io_uring_cqe *cqe)
{
	void *src = io_uring_cqe_get_data(cqe);

	if (cqe->res >= 0 && (cqe->flags & IORING_CQE_F_BUFFER))
		rx_pkt(wr, cqe, src);
	else if (cqe->flags & IORING_CQE_F_BUFFER)
		buf_back(wr, cqe->flags >> IORING_CQE_BUFFER_SHIFT);

	if (!(cqe->flags & IORING_CQE_F_MORE))
		wr->h.endh(src, cqe->res < 0 ? -cqe->res : 0, wr->h.arg);
}


static void cqe_handle(struct wring *wr, const struct io_uring_cqe *cqe)
{
	unsigned bid;

	switch (cqe->user_data & 3) {

	case TAG_RX:
		rx_cqe(wr, cqe);
		break;

	case TAG_TX:
		bid = (unsigned)(cqe->user_data >> 2);
		buf_back(wr, bid);
		wr->h.txh(wr->tx[bid].owner, cqe->res < 0 ? -cqe->res : 0,
			  wr->h.arg);
		break;

	case TAG_WAKE:
		if (!(cqe->flags & IORING_CQE_F_MORE))
			(void)wake_arm(wr);
		break;

	default:   /* a cancel request's own completion */
		break;
	}
}


/* one batch of completions: the wake-up first, then the rest in order */
static unsigned batch_handle(struct wring *wr)
{
	struct io_uring_cqe *cqes[WRING_BATCH];
	unsigned n = io_uring_peek_batch_cqe(&wr->ring, cqes, WRING_BATCH);
	bool wake = false;

	for (unsigned i = 0; i < n; i++)
		wake |= (cqes[i]->user_data & 3) == TAG_WAKE;
	if (wake)
		wr->h.wakeh(wr->h.arg);

	for (unsigned i = 0; i < n; i++)
		cqe_handle(wr, cqes[i]);

	io_uring_cq_advance(&wr->ring, n);

	return n;
}


/**
 * Submit what is queued, wait for completions or the timeout, and
 * handle every completion there is
 *
 * @param wr         Ring
 * @param timeout_ms Longest wait
 *
 * @return 0 if success, otherwise errorcode
 */
int wring_run(struct wring *wr, unsigned timeout_ms)
{
	struct __kernel_timespec ts;
	struct io_uring_cqe *cqe;
	int err;

	if (!wr)
		return EINVAL;

	ts.tv_sec = timeout_ms / 1000;
	ts.tv_nsec = (long long)(timeout_ms % 1000) * 1000000;
	err = io_uring_submit_and_wait_timeout(&wr->ring, &cqe, 1, &ts, NULL);
	if (err < 0 && err != -ETIME && err != -EINTR)
		return -err;

	while (batch_handle(wr) == WRING_BATCH)
		;

	return 0;
}
