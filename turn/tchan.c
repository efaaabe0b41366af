/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tchan.c  TURN server: channels (RFC 5766 11) and ChannelData
 *
 * A channel number 0x4000-0x7fff is bound to one peer (address and port)
 * for TURND_CHAN_TTL seconds. Neither the number nor the peer may be
 * bound to anything else meanwhile; binding the same pair again
 * refreshes it, and the peer's permission with it.
 *
 * ChannelData: channel number (2 bytes), length (2 bytes), data. Over
 * UDP the datagram may hold padding after the data; over a stream the
 * frame is padded to a multiple of 4 bytes.
 */
#include <re.h>
#include "turnd_priv.h"


static void tchan_destructor(void *data)
{
	struct tchan *chan = data;

	tmr_cancel(&chan->tmr);
	tkern_chan_del(chan->al, chan);
	list_unlink(&chan->le);
}


static void expire_handler(void *arg)
{
	mem_deref(arg);
}


/**
 * Find an allocation's channel by number
 *
 * @param al  Allocation
 * @param num Channel number
 *
 * @return the channel, or NULL
 */
struct tchan *tchan_find_num(const struct talloc *al, uint16_t num)
{
	for (struct le *le = al ? al->chans.head : NULL; le; le = le->next) {
		struct tchan *chan = le->data;

		if (chan->num == num)
			return chan;
	}

	return NULL;
}


/**
 * Find an allocation's channel by peer
 *
 * @param al   Allocation
 * @param peer Peer address and port
 *
 * @return the channel, or NULL
 */
struct tchan *tchan_find_peer(const struct talloc *al,
			      const struct sa *peer)
{
	for (struct le *le = al ? al->chans.head : NULL; le; le = le->next) {
		struct tchan *chan = le->data;

		if (sa_cmp(&chan->peer, peer, SA_ALL))
			return chan;
	}

	return NULL;
}


/**
 * Bind or refresh a channel, and the peer's permission
 *
 * @param al   Allocation
 * @param num  Channel number, 0x4000-0x7fff
 * @param peer Peer address and port
 *
 * @return 0 if success; ERANGE for a bad number, EADDRINUSE if the
 *         number or the peer is bound otherwise, ENOSPC if full
 */
int tchan_bind(struct talloc *al, uint16_t num, const struct sa *peer)
{
	struct tchan *chan, *other;
	int err;

	if (!al || !peer)
		return EINVAL;

	if (num < TURND_CHAN_MIN_NUM || num > TURND_CHAN_MAX_NUM)
		return ERANGE;

	chan = tchan_find_num(al, num);
	other = tchan_find_peer(al, peer);
	if (other != chan || (chan && !sa_cmp(&chan->peer, peer, SA_ALL)))
		return EADDRINUSE;

	if (!chan && list_count(&al->chans) >= TURND_CHAN_MAX)
		return ENOSPC;

	err = tperm_install(al, peer);
	if (err)
		return err;

	if (!chan) {
		chan = mem_zalloc(sizeof(*chan), tchan_destructor);
		if (!chan)
			return ENOMEM;

		chan->al = al;
		chan->num = num;
		chan->peer = *peer;
		list_append(&al->chans, &chan->le, chan);
		tkern_sync(al);
	}

	tmr_start(&chan->tmr, TURND_CHAN_TTL * al->turnd->tick, expire_handler,
		  chan);

	return 0;
}


/**
 * Decode a ChannelData header; on success mb holds just the data
 *
 * @param mb     The frame, from mb->pos
 * @param nump   Channel number
 * @param stream From a stream transport: the frame is padded to 4
 *
 * @return 0 if success, EBADMSG if the number is outside 0x4000-0x7fff,
 *         ENODATA if the frame is shorter than its length says
 */
int tchan_decode(struct mbuf *mb, uint16_t *nump, bool stream)
{
	uint16_t num, len;
	size_t need;

	if (!mb || !nump)
		return EINVAL;

	if (mbuf_get_left(mb) < TURND_CDATA_HDR)
		return ENODATA;

	num = ntohs(mbuf_read_u16(mb));
	len = ntohs(mbuf_read_u16(mb));
	if (num < TURND_CHAN_MIN_NUM || num > TURND_CHAN_MAX_NUM) {
		mb->pos -= TURND_CDATA_HDR;
		return EBADMSG;
	}

	need = stream ? ((size_t)len + 3) / 4 * 4 : len;
	if (mbuf_get_left(mb) < need) {
		mb->pos -= TURND_CDATA_HDR;
		return ENODATA;
	}

	mb->end = mb->pos + len;
	*nump = num;

	return 0;
}


/**
 * Relay a ChannelData message from a client to its peer; dropped if
 * there is no allocation, the frame is bad or the channel unbound
 *
 * @param turnd TURN server
 * @param lsn   Listener
 * @param conn  Connection (a stream: padded frames), NULL for UDP
 * @param src   Client address
 * @param mb    The datagram or frame, from mb->pos
 */
void tchan_input(struct turnd *turnd, struct tlisten *lsn,
		 struct tconn *conn, const struct sa *src, struct mbuf *mb)
{
	struct talloc *al;
	struct tchan *chan;
	uint16_t num;

	al = talloc_find(turnd, lsn, src);
	if (!al)
		return;

	chan = tchan_decode(mb, &num, conn != NULL) ? NULL :
		tchan_find_num(al, num);
	if (!chan) {
		++al->st.dropped;
		++turnd->st.dropped;
		return;
	}

	(void)tdata_to_peer(al, &chan->peer, mb);
}
