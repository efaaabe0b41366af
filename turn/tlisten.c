/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tlisten.c  TURN server: listeners (UDP, TCP, TLS)
 *
 * A UDP listener owns its socket (tsock.c): every wakeup reads up to
 * TSOCK_ROUNDS batches of TSOCK_BATCH datagrams with recvmmsg into the
 * server's listener batch. ChannelData is handed to tmsg_input() in
 * place, in an mbuf over the batch's memory; STUN is copied into an
 * mbuf of its own first (libre's decoder keeps a reference to it).
 * Replies to UDP clients leave at once (tlisten_send), or, for packets
 * relayed from peers, wait in the listener's send queue and leave with
 * one sendmmsg (tlisten_queue, tlisten_flush).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <re.h>
#include "turnd_priv.h"


static void tlisten_destructor(void *data)
{
	struct tlisten *lsn = data;

	list_unlink(&lsn->le);
	list_flush(&lsn->conns);
	mem_deref(lsn->ts);
	if (lsn->fd >= 0)
		fd_close(lsn->fd);
	tsock_close(&lsn->fd);
	mem_deref(lsn->txq);
}


/* Hand one datagram to tmsg_input(); STUN in an mbuf of its own */
static void dgram_input(struct tlisten *lsn, const struct sa *src,
			struct mbuf *mb)
{
	struct mbuf *copy;
	uint8_t b;

	if (!mbuf_get_left(mb))
		return;

	b = mbuf_buf(mb)[0];
	if (b >= 0x40 && b < 0x80) {
		tmsg_input(lsn->turnd, lsn, NULL, src, mb);
		return;
	}

	if (b >= 0x40)
		return;

	copy = tmsg_dup(mb);
	if (!copy)
		return;

	tmsg_input(lsn->turnd, lsn, NULL, src, copy);
	mem_deref(copy);
}


static void recv_handler(int flags, void *arg)
{
	struct tlisten *lsn = arg;
	struct tsock_rx *rx = lsn->turnd->lrx;

	(void)flags;

	for (int round = 0; round < TSOCK_ROUNDS; round++) {
		unsigned n = tsock_recv(rx, lsn->fd, 0, TSOCK_BATCH);

		for (unsigned i = 0; i < n; i++) {
			struct mbuf mb;
			struct sa src;

			if (!tsock_rx_get(rx, i, &src, &mb))
				dgram_input(lsn, &src, &mb);
		}

		if (n < TSOCK_BATCH)
			break;
	}
}


static int udp_open(struct tlisten *lsn, const struct sa *local)
{
	int err;

	lsn->txq = mem_zalloc(sizeof(*lsn->txq), NULL);
	if (!lsn->txq)
		return ENOMEM;

	err = tsock_open(&lsn->fd, local, TSOCK_BUF);
	if (err)
		return err;

	lsn->local = *local;
	if (getsockname(lsn->fd, &lsn->local.u.sa, &lsn->local.len) < 0)
		return errno;

	err = fd_listen(lsn->fd, FD_READ, recv_handler, lsn);
	if (err)
		tsock_close(&lsn->fd);

	return err;
}


static int tcp_open(struct tlisten *lsn, const struct sa *local)
{
	int err;

	if (lsn->tp == CFG_TLS && !lsn->turnd->tls)
		return EINVAL;

	err = tcp_listen(&lsn->ts, local, tconn_accept, lsn);
	if (err)
		return err;

	return tcp_local_get(lsn->ts, &lsn->local);
}


/**
 * Open a listener
 *
 * @param lsnp  Pointer to allocated listener
 * @param turnd Owner (its TLS context serves a TLS listener)
 * @param local Address and port to bind
 * @param tp    Transport
 *
 * @return 0 if success, otherwise errorcode
 */
int tlisten_alloc(struct tlisten **lsnp, struct turnd *turnd,
		  const struct sa *local, enum cfg_tp tp)
{
	struct tlisten *lsn;
	int err;

	if (!lsnp || !turnd || !local)
		return EINVAL;

	lsn = mem_zalloc(sizeof(*lsn), tlisten_destructor);
	if (!lsn)
		return ENOMEM;

	lsn->turnd = turnd;
	lsn->tp = tp;
	lsn->fd = -1;

	err = tp == CFG_UDP ? udp_open(lsn, local) : tcp_open(lsn, local);
	if (err)
		mem_deref(lsn);
	else
		*lsnp = lsn;

	return err;
}


/**
 * Take a listener out of service (a reload removed it): it stops
 * accepting connections and making allocations, and serves those it
 * has, which hold it, until the last one ends; the caller drops its
 * own reference
 *
 * @param lsn Listener
 */
void tlisten_retire(struct tlisten *lsn)
{
	if (!lsn)
		return;

	lsn->retired = true;
	list_unlink(&lsn->le);
	lsn->ts = mem_deref(lsn->ts);
}


/**
 * Send a message to a client at once: on its connection, or from the
 * UDP listener it talks to (after what the listener has queued)
 *
 * @param lsn  Listener
 * @param conn Connection, NULL for UDP
 * @param dst  Client address
 * @param mb   Message, from mb->pos
 *
 * @return 0 if success, otherwise errorcode
 */
int tlisten_send(struct tlisten *lsn, struct tconn *conn,
		 const struct sa *dst, struct mbuf *mb)
{
	struct turnd *turnd;

	if (!lsn || !dst || !mb)
		return EINVAL;

	turnd = lsn->turnd;
	if (turnd->tap) {
		turnd->tap(dst, mb, turnd->tap_arg);
		return 0;
	}

	if (conn)
		return tcp_send(conn->tc, mb);

	if (lsn->fd < 0)
		return ENOTCONN;

	tlisten_flush(lsn);
	if (sendto(lsn->fd, mbuf_buf(mb), mbuf_get_left(mb), MSG_DONTWAIT,
		   &dst->u.sa, dst->len) < 0)
		return errno;

	return 0;
}


/**
 * Send a message to a client, or queue it while the server reads its
 * relayed sockets (turnd.queueing): then mb's bytes must stay where
 * they are until tlisten_flush()
 *
 * @param lsn  Listener
 * @param conn Connection, NULL for UDP
 * @param dst  Client address
 * @param mb   Message, from mb->pos
 *
 * @return 0 if success, otherwise errorcode
 */
int tlisten_queue(struct tlisten *lsn, struct tconn *conn,
		  const struct sa *dst, struct mbuf *mb)
{
	if (!lsn || !dst || !mb)
		return EINVAL;

	if (conn || !lsn->turnd->queueing || lsn->turnd->tap || !lsn->txq)
		return tlisten_send(lsn, conn, dst, mb);

	if (lsn->txq->n >= TSOCK_BATCH)
		tlisten_flush(lsn);

	return tsock_txq_add(lsn->txq, dst, mbuf_buf(mb), mbuf_get_left(mb));
}


/**
 * Send what a UDP listener has queued
 *
 * @param lsn Listener
 */
void tlisten_flush(struct tlisten *lsn)
{
	if (!lsn || !lsn->txq || !lsn->txq->n)
		return;

	(void)tsock_txq_flush(lsn->txq, lsn->fd);
}
