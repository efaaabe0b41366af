/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tsock.c  TURN server: UDP sockets it owns, read with recvmmsg
 *                and written with sendmmsg
 *
 * libre's udp_listen reads one datagram per poll event into an 8 KB
 * mbuf it allocates (docs/shared design notes, section 2). The relaying
 * path owns its sockets instead: a receive batch (struct tsock_rx) has
 * TSOCK_BATCH slots of preallocated memory, each with TURND_CDATA_HDR
 * bytes of headroom (for a ChannelData header) and 4 bytes of tailroom
 * (for stream padding); a send queue (struct tsock_txq) gathers
 * datagrams for one socket and sends them with one sendmmsg.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <re.h>
#include "turnd_priv.h"


/**
 * Open a non-blocking UDP socket bound to an address
 *
 * @param fdp   The socket
 * @param local Address and port (port 0: any)
 * @param buf   Receive and send buffer size, 0 for the default
 *
 * @return 0 if success, otherwise errorcode (EADDRINUSE: port taken)
 */
int tsock_open(int *fdp, const struct sa *local, int buf)
{
	int fd, err = 0;

	if (!fdp || !local)
		return EINVAL;

	fd = socket(sa_af(local), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    IPPROTO_UDP);
	if (fd < 0)
		return errno;

	if (sa_af(local) == AF_INET6) {
		int on = 1;

		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
				 sizeof(on));
	}

	if (buf > 0) {
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	}

	if (bind(fd, &local->u.sa, local->len) < 0) {
		err = errno;
		goto out;
	}

 out:
	if (err)
		(void)close(fd);
	else
		*fdp = fd;

	return err;
}


/**
 * Close a socket if it is open, and mark it closed
 *
 * @param fdp The socket, -1 if closed
 */
void tsock_close(int *fdp)
{
	if (!fdp || *fdp < 0)
		return;

	(void)close(*fdp);
	*fdp = -1;
}


/**
 * Allocate a receive batch
 *
 * @param rxp Pointer to the batch
 *
 * @return 0 if success, otherwise errorcode
 */
int tsock_rx_alloc(struct tsock_rx **rxp)
{
	struct tsock_rx *rx;

	if (!rxp)
		return EINVAL;

	rx = mem_zalloc(sizeof(*rx), NULL);
	if (!rx)
		return ENOMEM;

	for (unsigned i = 0; i < TSOCK_BATCH; i++) {
		struct msghdr *h = &rx->msg[i].msg_hdr;

		rx->iov[i].iov_base = rx->buf[i] + TURND_CDATA_HDR;
		rx->iov[i].iov_len = TSOCK_PKT_MAX;
		h->msg_name = &rx->from[i];
		h->msg_iov = &rx->iov[i];
		h->msg_iovlen = 1;
	}

	*rxp = rx;

	return 0;
}


/**
 * Read up to n datagrams into the slots from first on
 *
 * @param rx    Receive batch
 * @param fd    Socket
 * @param first First slot to fill
 * @param n     Most datagrams (first + n <= TSOCK_BATCH)
 *
 * @return datagrams read (0 if none waits)
 */
unsigned tsock_recv(struct tsock_rx *rx, int fd, unsigned first,
		    unsigned n)
{
	int r;

	if (!rx || first >= TSOCK_BATCH || !n)
		return 0;

	if (n > TSOCK_BATCH - first)
		n = TSOCK_BATCH - first;

	/* recvmmsg overwrites the name lengths and flags */
	for (unsigned i = first; i < first + n; i++) {
		rx->msg[i].msg_hdr.msg_namelen = sizeof(rx->from[i]);
		rx->msg[i].msg_hdr.msg_flags = 0;
	}

	r = recvmmsg(fd, &rx->msg[first], n, MSG_DONTWAIT, NULL);

	return r > 0 ? (unsigned)r : 0;
}


/**
 * Look at a received datagram: its source, and an mbuf over its slot
 * that owns nothing (never mem_ref or resize it). The datagram starts
 * at mb->pos, with TURND_CDATA_HDR bytes of headroom and 4 of tailroom.
 *
 * @param rx  Receive batch
 * @param i   Slot
 * @param src Its source
 * @param mb  The mbuf to point at the slot
 *
 * @return 0 if success, EMSGSIZE if it was truncated, EAFNOSUPPORT for
 *         an unknown source
 */
int tsock_rx_get(struct tsock_rx *rx, unsigned i, struct sa *src,
		 struct mbuf *mb)
{
	const struct mmsghdr *m;

	if (!rx || i >= TSOCK_BATCH || !src || !mb)
		return EINVAL;

	m = &rx->msg[i];
	if (m->msg_hdr.msg_flags & MSG_TRUNC)
		return EMSGSIZE;

	if (sa_set_sa(src, (struct sockaddr *)&rx->from[i]))
		return EAFNOSUPPORT;

	memset(mb, 0, sizeof(*mb));
	mb->buf = rx->buf[i];
	mb->size = sizeof(rx->buf[i]);
	mb->pos = TURND_CDATA_HDR;
	mb->end = TURND_CDATA_HDR + m->msg_len;

	return 0;
}


/**
 * Queue a datagram; its bytes must stay where they are until the
 * queue is flushed
 *
 * @param q   Send queue
 * @param dst Destination (copied)
 * @param p   Datagram
 * @param len Its length
 *
 * @return 0 if queued, ENOSPC if the queue is full
 */
int tsock_txq_add(struct tsock_txq *q, const struct sa *dst,
		  const uint8_t *p, size_t len)
{
	struct msghdr *h;
	unsigned k;

	if (!q || !dst || !p)
		return EINVAL;

	if (q->n >= TSOCK_BATCH)
		return ENOSPC;

	if (dst->len > sizeof(q->to[0]))
		return EINVAL;

	k = q->n++;
	memcpy(&q->to[k], &dst->u, dst->len);
	q->iov[k].iov_base = (void *)p;
	q->iov[k].iov_len = len;

	h = &q->msg[k].msg_hdr;
	memset(h, 0, sizeof(*h));
	h->msg_name = &q->to[k];
	h->msg_namelen = dst->len;
	h->msg_iov = &q->iov[k];
	h->msg_iovlen = 1;

	return 0;
}


/**
 * Send what a queue holds and empty it. A datagram the kernel refuses
 * (an unreachable client) is skipped; a full socket buffer drops the
 * rest.
 *
 * @param q  Send queue
 * @param fd Socket
 *
 * @return datagrams not sent
 */
unsigned tsock_txq_flush(struct tsock_txq *q, int fd)
{
	unsigned sent = 0, failed = 0;

	if (!q)
		return 0;

	while (sent + failed < q->n) {
		unsigned off = sent + failed;
		int r;

		r = sendmmsg(fd, &q->msg[off], q->n - off, MSG_DONTWAIT);
		if (r > 0) {
			sent += (unsigned)r;
			continue;
		}

		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
			      errno == EINTR)) {
			failed = q->n - sent;
			break;
		}

		++failed;
	}

	q->n = 0;

	return failed;
}
