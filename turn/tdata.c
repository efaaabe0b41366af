/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tdata.c  TURN server: relaying between a client and its peers
 *
 * Every packet, either way, needs a permission for the peer's address,
 * passes the peer filter again (the configuration may have changed
 * since the permission was made: the permission caches the verdict of
 * the filter now in force, see tperm_allows) and the allocation's
 * bandwidth cap. Anything else is dropped and counted. From a peer, a
 * packet goes to the client as ChannelData if a channel is bound to the
 * peer (queued for the listener's sendmmsg, tlisten_queue), else in a
 * Data indication. To a peer, it leaves the relayed socket at once.
 */
#include <errno.h>
#include <sys/socket.h>
#include <re.h>
#include "turnd_priv.h"


static bool pass(struct talloc *al, const struct sa *peer, size_t n)
{
	struct turnd *turnd = al->turnd;

	if (tperm_allows(al, peer) &&
	    tbucket_take(&al->bw, n, tmr_jiffies()))
		return true;

	++al->st.dropped;
	++turnd->st.dropped;

	return false;
}


/**
 * Send data from the client to a peer through the relayed socket
 *
 * @param al   Allocation
 * @param peer Peer address and port
 * @param mb   The data, from mb->pos
 *
 * @return 0 if sent, EPERM if dropped, otherwise errorcode
 */
int tdata_to_peer(struct talloc *al, const struct sa *peer, struct mbuf *mb)
{
	size_t n;

	if (!al || !peer || !mb)
		return EINVAL;

	n = mbuf_get_left(mb);
	if (!pass(al, peer, n))
		return EPERM;

	++al->st.pkts_out;
	al->st.bytes_out += n;
	++al->turnd->st.pkts_out;
	al->turnd->st.bytes_out += n;

	if (sendto(al->fd, mbuf_buf(mb), n, MSG_DONTWAIT, &peer->u.sa,
		   peer->len) < 0)
		return errno;

	return 0;
}


static int channel_data(struct talloc *al, const struct tchan *chan,
			struct mbuf *mb)
{
	size_t n = mbuf_get_left(mb);

	if (mb->pos < TURND_CDATA_HDR)
		return EINVAL;

	mb->pos -= TURND_CDATA_HDR;
	(void)mbuf_write_u16(mb, htons(chan->num));
	(void)mbuf_write_u16(mb, htons((uint16_t)n));
	mb->pos -= TURND_CDATA_HDR;

	/* on a stream, the frame is padded to 4 bytes */
	if (al->conn && n % 4) {
		size_t start = mb->pos;

		mb->pos = mb->end;
		(void)mbuf_fill(mb, 0x00, 4 - n % 4);
		mb->pos = start;
	}

	return tlisten_queue(al->lsn, al->conn, &al->cli, mb);
}


static int data_indication(struct talloc *al, const struct sa *peer,
			   struct mbuf *mb)
{
	uint8_t tid[STUN_TID_SIZE];
	struct mbuf *ind;
	int err;

	ind = mbuf_alloc(mbuf_get_left(mb) + 64);
	if (!ind)
		return ENOMEM;

	rand_bytes(tid, sizeof(tid));
	err = stun_msg_encode(ind, STUN_METHOD_DATA, STUN_CLASS_INDICATION,
			      tid, NULL, NULL, 0, false, 0x00, 2,
			      STUN_ATTR_XOR_PEER_ADDR, peer,
			      STUN_ATTR_DATA, mb);
	if (!err) {
		ind->pos = 0;
		err = tlisten_send(al->lsn, al->conn, &al->cli, ind);
	}

	mem_deref(ind);

	return err;
}


/**
 * Receive handler of a relayed socket: a packet from a peer
 *
 * @param src Peer address
 * @param mb  The packet, with TURND_CDATA_HDR bytes of headroom and 3
 *            of tailroom; while turnd.queueing its bytes must stay
 *            until the listeners are flushed
 * @param arg The allocation
 */
void tdata_peer_recv(const struct sa *src, struct mbuf *mb, void *arg)
{
	struct talloc *al = arg;
	const struct tchan *chan;
	size_t n = mbuf_get_left(mb);

	if (!pass(al, src, n))
		return;

	++al->st.pkts_in;
	al->st.bytes_in += n;
	++al->turnd->st.pkts_in;
	al->turnd->st.bytes_in += n;

	chan = tchan_find_peer(al, src);
	if (chan)
		(void)channel_data(al, chan, mb);
	else
		(void)data_indication(al, src, mb);
}
