/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tconn.c  TURN server: TCP and TLS connections from clients
 *
 * A stream carries STUN messages (20-byte header, its length) and
 * ChannelData frames (4-byte header, its length padded to a multiple of
 * 4), back to back. Each frame is handed to tmsg_input() as a datagram
 * would be. A frame that starts with neither, or is longer than
 * TURND_FRAME_MAX, closes the connection. The allocation made on a
 * connection ends with it.
 *
 * The idle timer (turn_conn_idle seconds) restarts when a frame starts
 * and when one is complete, never for the bytes in between: when it
 * fires, a connection without an allocation, or in the middle of a
 * frame, is closed, so a frame trickled byte by byte does not hold a
 * connection and its buffer. A client address may hold at most
 * turn_conn_per_source connections on a listener.
 */
#include <string.h>
#include <re.h>
#define DEBUG_MODULE "turnd"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "turnd_priv.h"


enum {
	TXQ_MAX = 1 << 18,   /**< Bytes queued to a slow client; more drop */
};


static void tconn_destructor(void *data)
{
	struct tconn *conn = data;
	struct talloc *al;

	al = talloc_find(conn->lsn->turnd, conn->lsn, &conn->peer);

	tmr_cancel(&conn->tmr);
	list_unlink(&conn->le);
	mem_deref(conn->sc);
	mem_deref(conn->tc);
	mem_deref(conn->mb);

	/* last: the allocation holds the listener, which a reload may
	 * have retired, and may be the last to */
	if (al && al->conn == conn)
		mem_deref(al);
}


static void idle_start(struct tconn *conn);


static bool partial(const struct tconn *conn)
{
	return conn->mb && mbuf_get_left(conn->mb) > 0;
}


static void idle_handler(void *arg)
{
	struct tconn *conn = arg;

	if (!partial(conn) &&
	    talloc_find(conn->lsn->turnd, conn->lsn, &conn->peer)) {
		idle_start(conn);
		return;
	}

	DEBUG_INFO("%J: connection idle%s, closed\n", &conn->peer,
		   partial(conn) ? " in a frame" : "");
	mem_deref(conn);
}


static void idle_start(struct tconn *conn)
{
	const struct turnd *turnd = conn->lsn->turnd;

	tmr_start(&conn->tmr,
		  (uint64_t)turnd->cfg->turn.conn_idle * turnd->tick,
		  idle_handler, conn);
}


/**
 * The length of the frame at the start of a stream buffer
 *
 * @param mb   Buffer, from mb->pos
 * @param lenp Frame length, with padding; 0 if more bytes are needed
 *
 * @return 0 if success, EBADMSG if no frame starts here
 */
int tconn_frame_len(const struct mbuf *mb, size_t *lenp)
{
	const uint8_t *p = mbuf_buf(mb);
	size_t len;

	*lenp = 0;
	if (mbuf_get_left(mb) < TURND_CDATA_HDR)
		return 0;

	len = (size_t)p[2] << 8 | p[3];

	if (p[0] < 0x40)
		len += STUN_HEADER_SIZE;
	else if (p[0] < 0x80)
		len = TURND_CDATA_HDR + (len + 3) / 4 * 4;
	else
		return EBADMSG;

	*lenp = len;

	return 0;
}


/* hand every whole frame on; the number of frames, or -1 if the
 * connection must close */
static int frames_input(struct tconn *conn)
{
	struct mbuf *mb = conn->mb;
	struct turnd *turnd = conn->lsn->turnd;
	int n = 0;

	for (;;) {
		size_t len, end = mb->end, next;

		if (tconn_frame_len(mb, &len) || len > TURND_FRAME_MAX)
			return -1;

		if (!len || mbuf_get_left(mb) < len)
			break;

		next = mb->pos + len;
		mb->end = next;
		tmsg_input(turnd, conn->lsn, conn, &conn->peer, mb);
		mb->end = end;
		mb->pos = next;
		++n;
	}

	/* keep what is left at the start of the buffer */
	if (mb->pos) {
		size_t left = mbuf_get_left(mb);

		memmove(mb->buf, mbuf_buf(mb), left);
		mb->pos = 0;
		mb->end = left;
	}

	return n;
}


/**
 * Take bytes received on a connection: every whole frame is handed on,
 * the rest kept for the next bytes
 *
 * @param conn    Connection
 * @param mb      The bytes, from mb->pos
 * @param framesp Set to the number of whole frames handed on, if not
 *                NULL
 *
 * @return 0 if success; an errorcode if the connection must close
 */
int tconn_recv(struct tconn *conn, const struct mbuf *mb, int *framesp)
{
	int err, n;

	if (!conn || !mb)
		return EINVAL;

	if (!conn->mb) {
		conn->mb = mbuf_alloc(mbuf_get_left(mb));
		if (!conn->mb)
			return ENOMEM;
	}

	conn->mb->pos = conn->mb->end;
	err = mbuf_write_mem(conn->mb, mbuf_buf(mb), mbuf_get_left(mb));
	conn->mb->pos = 0;
	if (err)
		return err;

	n = frames_input(conn);
	if (n < 0)
		return EBADMSG;

	if (framesp)
		*framesp = n;

	return 0;
}


static void recv_handler(struct mbuf *mb, void *arg)
{
	struct tconn *conn = arg;
	bool starts = !partial(conn);
	int n = 0;

	if (tconn_recv(conn, mb, &n)) {
		DEBUG_INFO("%J: bad stream, closed\n", &conn->peer);
		mem_deref(conn);
		return;
	}

	/* a frame started or ended: not every byte */
	if (n || (starts && partial(conn)))
		idle_start(conn);
}


static void close_handler(int err, void *arg)
{
	struct tconn *conn = arg;

	(void)err;
	mem_deref(conn);
}


/**
 * A connection of a listener, not yet bound to a socket
 *
 * @param connp Pointer to allocated connection
 * @param lsn   The listener
 * @param peer  Client address
 *
 * @return 0 if success, otherwise errorcode
 */
int tconn_alloc(struct tconn **connp, struct tlisten *lsn,
		const struct sa *peer)
{
	struct tconn *conn;

	if (!connp || !lsn || !peer)
		return EINVAL;

	conn = mem_zalloc(sizeof(*conn), tconn_destructor);
	if (!conn)
		return ENOMEM;

	conn->lsn = lsn;
	conn->peer = *peer;
	list_append(&lsn->conns, &conn->le, conn);
	*connp = conn;

	return 0;
}


/* Connections from one address on a listener */
static uint32_t source_count(const struct tlisten *lsn, const struct sa *peer)
{
	uint32_t n = 0;

	for (struct le *le = lsn->conns.head; le; le = le->next) {
		const struct tconn *conn = le->data;

		if (sa_cmp(&conn->peer, peer, SA_ADDR))
			++n;
	}

	return n;
}


/**
 * Accept a connection on a TCP or TLS listener
 *
 * @param peer Client address
 * @param arg  The listener
 */
void tconn_accept(const struct sa *peer, void *arg)
{
	struct tlisten *lsn = arg;
	struct tconn *conn;
	int err;

	if (list_count(&lsn->conns) >= TURND_CONN_MAX ||
	    source_count(lsn, peer) >=
	    lsn->turnd->cfg->turn.conn_per_source ||
	    tconn_alloc(&conn, lsn, peer)) {
		tcp_reject(lsn->ts);
		return;
	}

	err = tcp_accept(&conn->tc, lsn->ts, NULL, recv_handler,
			 close_handler, conn);
	if (!err)
		tcp_conn_txqsz_set(conn->tc, TXQ_MAX);
	if (!err && lsn->tp == CFG_TLS)
		err = tls_start_tcp(&conn->sc, lsn->turnd->tls, conn->tc, 0);
	if (err) {
		if (!conn->tc)
			tcp_reject(lsn->ts);
		mem_deref(conn);
		return;
	}

	idle_start(conn);
}
