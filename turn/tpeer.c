/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tpeer.c  TURN server: the relayed sockets, where peers' packets
 *                come in
 *
 * Every allocation's relayed socket sits in one epoll set of the
 * server's (turnd.epfd), and only that set is in libre's main loop
 * (fd_listen): one wakeup serves every ready socket, and relayed
 * sockets do not count against fd_setsize. Each ready socket is read
 * with recvmmsg into the server's receive batch; each packet goes
 * through tdata_peer_recv(). Replies to UDP clients wait in their
 * listener's send queue (tlisten_queue) until the batch is full or the
 * wakeup is done, and leave with one sendmmsg per listener.
 */
#include <sys/epoll.h>
#include <errno.h>
#include <re.h>
#include "turnd_priv.h"


enum {
	EVENTS = 64,   /**< Ready sockets per epoll_wait */
};


static void flush_all(struct turnd *turnd)
{
	for (struct le *le = turnd->listeners.head; le; le = le->next)
		tlisten_flush(le->data);
}


static void deliver(struct talloc *al, struct tsock_rx *rx, unsigned first,
		    unsigned n)
{
	for (unsigned i = first; i < first + n; i++) {
		struct mbuf mb;
		struct sa src;

		if (tsock_rx_get(rx, i, &src, &mb))
			continue;

		tdata_peer_recv(&src, &mb, al);
	}
}


/* Read one ready socket: TSOCK_ROUNDS batches at most, so that one
 * busy peer cannot starve the others. Slots from *used on are free;
 * queued replies point into the used ones, so a full batch is flushed
 * before its slots are read into again. */
static void sock_read(struct turnd *turnd, struct talloc *al,
		      unsigned *used)
{
	for (int round = 0; round < TSOCK_ROUNDS; round++) {
		unsigned want, n;

		if (*used >= TSOCK_BATCH) {
			flush_all(turnd);
			*used = 0;
		}

		want = TSOCK_BATCH - *used;
		n = tsock_recv(turnd->rx, al->fd, *used, want);
		deliver(al, turnd->rx, *used, n);
		*used += n;

		if (n < want)
			break;
	}
}


static void epoll_handler(int flags, void *arg)
{
	struct turnd *turnd = arg;
	struct epoll_event ev[EVENTS];
	unsigned used = 0;
	int n;

	(void)flags;

	n = epoll_wait(turnd->epfd, ev, EVENTS, 0);
	if (n <= 0)
		return;

	/* nothing here frees an allocation, so ev stays valid */
	turnd->queueing = true;
	for (int i = 0; i < n; i++)
		sock_read(turnd, ev[i].data.ptr, &used);

	flush_all(turnd);
	turnd->queueing = false;
}


/**
 * Open the relayed sockets' epoll set and put it in the main loop
 *
 * @param turnd TURN server
 *
 * @return 0 if success, otherwise errorcode
 */
int tpeer_init(struct turnd *turnd)
{
	int err;

	if (!turnd)
		return EINVAL;

	err = tsock_rx_alloc(&turnd->rx);
	if (err)
		return err;

	turnd->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (turnd->epfd < 0)
		return errno;

	err = fd_listen(turnd->epfd, FD_READ, epoll_handler, turnd);
	if (err)
		tsock_close(&turnd->epfd);

	return err;
}


/**
 * Take the epoll set out of the main loop and close it
 *
 * @param turnd TURN server
 */
void tpeer_close(struct turnd *turnd)
{
	if (!turnd || turnd->epfd < 0)
		return;

	fd_close(turnd->epfd);
	tsock_close(&turnd->epfd);
}


/**
 * Watch an allocation's relayed socket
 *
 * @param al Allocation, with its socket open
 *
 * @return 0 if success, otherwise errorcode
 */
int tpeer_add(struct talloc *al)
{
	struct epoll_event ev = {.events = EPOLLIN};

	if (!al || al->fd < 0 || al->turnd->epfd < 0)
		return EINVAL;

	ev.data.ptr = al;
	if (epoll_ctl(al->turnd->epfd, EPOLL_CTL_ADD, al->fd, &ev) < 0)
		return errno;

	return 0;
}


/**
 * Stop watching an allocation's relayed socket, and close it
 *
 * @param al Allocation
 */
void tpeer_remove(struct talloc *al)
{
	if (!al || al->fd < 0)
		return;

	if (al->turnd && al->turnd->epfd >= 0)
		(void)epoll_ctl(al->turnd->epfd, EPOLL_CTL_DEL, al->fd, NULL);

	tsock_close(&al->fd);
}
