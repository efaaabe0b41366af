/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tring.c  TURN server: datagrams to peers through io_uring
 *                (turn_io)
 *
 * A batch a UDP listener reads holds ChannelData of many clients, and
 * each datagram leaves from its own allocation's socket: sendmmsg
 * cannot gather them, so each was one sendto. The ring can: every
 * datagram is a sendmsg request, and one io_uring_enter sends the
 * whole batch (tring_flush, called by the listener before it reads
 * into the batch again).
 *
 * The requests carry MSG_DONTWAIT, so a full socket buffer fails one
 * at once with EAGAIN, as sendto would, instead of leaving it to wait
 * (io_uring completes a request that must not block with its error).
 * Every request is thus done when io_uring_enter returns, and the data
 * and addresses only have to stay until then. A sent datagram posts no
 * completion (IOSQE_CQE_SKIP_SUCCESS); a failed one does, and is
 * counted. The ring is the main thread's alone
 * (IORING_SETUP_SINGLE_ISSUER); a kernel without what it needs (6.0)
 * fails tring_alloc(), and the server uses sendto.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <liburing.h>
#include <re.h>
#include "turnd_priv.h"

#define DEBUG_MODULE "tring"
#define DEBUG_LEVEL 7
#include <re_dbg.h>


enum {
	TRING_SQ = 256,        /**< Requests queued before a flush     */
};

/** One queued datagram: the request points into it */
struct tring_tx {
	struct msghdr mh;
	struct iovec iov;
	struct sockaddr_storage to;
};

/** The ring */
struct tring {
	struct io_uring ring;
	bool up;               /**< ring is initialised                */
	bool broken;           /**< A submit failed: requests may be
				    left in the queue, never use it  */
	unsigned n;            /**< Requests queued, not submitted     */
	uint64_t failed;       /**< Sends that failed                  */
	struct tring_tx tx[TRING_SQ];
};


static void tring_destructor(void *data)
{
	struct tring *tr = data;

	if (tr->up)
		io_uring_queue_exit(&tr->ring);
}


/**
 * Make the ring
 *
 * @param trp Pointer to allocated ring
 *
 * @return 0 if success, ENOSYS, EPERM or EINVAL if the kernel does not
 *         allow it, otherwise errorcode
 */
int tring_alloc(struct tring **trp)
{
	struct io_uring_params p;
	struct tring *tr;
	int err;

	if (!trp)
		return EINVAL;

	tr = mem_zalloc(sizeof(*tr), tring_destructor);
	if (!tr)
		return ENOMEM;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_SUBMIT_ALL;

	err = -io_uring_queue_init_params(TRING_SQ, &tr->ring, &p);
	if (err)
		goto out;

	tr->up = true;

	/* 5.17: a sent datagram must not need a completion */
	if (!(p.features & IORING_FEAT_CQE_SKIP))
		err = ENOSYS;

 out:
	if (err)
		mem_deref(tr);
	else
		*trp = tr;

	return err;
}


/* count the failures the kernel posted */
static void reap(struct tring *tr)
{
	struct io_uring_cqe *cqe;
	unsigned head, n = 0;

	io_uring_for_each_cqe(&tr->ring, head, cqe) {
		if (cqe->res < 0)
			++tr->failed;
		++n;
	}

	io_uring_cq_advance(&tr->ring, n);
}


/**
 * Send what is queued; after it, the queued data may change
 *
 * @param tr The ring (NULL: nothing to do)
 */
void tring_flush(struct tring *tr)
{
	int r = 0;

	if (!tr || !tr->n)
		return;

	/* SUBMIT_ALL: a call takes every request it sees; a request
	 * left in the queue would later send a reused slot */
	for (int i = 0; i < 4 && io_uring_sq_ready(&tr->ring); i++) {
		r = io_uring_submit(&tr->ring);
		if (r < 0 && r != -EINTR && r != -EAGAIN)
			break;
	}

	if (io_uring_sq_ready(&tr->ring)) {
		DEBUG_WARNING("turn_io: io_uring_submit failed (%m): "
			      "sendto from now on\n", r < 0 ? -r : EBUSY);
		tr->failed += io_uring_sq_ready(&tr->ring);
		tr->broken = true;
	}

	tr->n = 0;
	reap(tr);
}


/**
 * Queue a datagram; its bytes must stay until tring_flush()
 *
 * @param tr  The ring
 * @param fd  Socket to send from
 * @param dst Destination
 * @param p   The datagram
 * @param len Its length
 *
 * @return 0 if queued, otherwise errorcode
 */
int tring_send(struct tring *tr, int fd, const struct sa *dst,
	       const uint8_t *p, size_t len)
{
	struct io_uring_sqe *sqe;
	struct tring_tx *tx;

	if (!tr || fd < 0 || !dst || !p)
		return EINVAL;

	if (tr->broken)
		return ENOTCONN;

	if (tr->n >= TRING_SQ)
		tring_flush(tr);

	sqe = io_uring_get_sqe(&tr->ring);
	if (!sqe)
		return ENOBUFS;

	tx = &tr->tx[tr->n++];
	memcpy(&tx->to, &dst->u, dst->len);
	tx->iov.iov_base = (void *)p;
	tx->iov.iov_len = len;
	memset(&tx->mh, 0, sizeof(tx->mh));
	tx->mh.msg_name = &tx->to;
	tx->mh.msg_namelen = dst->len;
	tx->mh.msg_iov = &tx->iov;
	tx->mh.msg_iovlen = 1;

	io_uring_prep_sendmsg(sqe, fd, &tx->mh, MSG_DONTWAIT);
	io_uring_sqe_set_flags(sqe, IOSQE_CQE_SKIP_SUCCESS);
	io_uring_sqe_set_data64(sqe, 0);

	return 0;
}


/**
 * @param tr The ring
 *
 * @return sends that failed since the ring was made
 */
uint64_t tring_failed(const struct tring *tr)
{
	return tr ? tr->failed : 0;
}
