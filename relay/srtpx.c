/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file srtpx.c  SRTP and SRTCP over raw packet buffers
 *
 * The forwarding threads keep packets in fixed buffers, not mbufs: an
 * mbuf is laid over the buffer for libre's SRTP, which authenticates
 * (HMAC-SHA1 or GCM), checks replays (RFC 3711 §3.3.2) and keeps the
 * rollover counter per SSRC. Unprotecting shortens the packet (the tag,
 * and for SRTCP its index, go), protecting lengthens it: cap is the
 * buffer's size.
 */
#include <re.h>
#include "srtpx.h"


static void over(struct mbuf *mb, uint8_t *p, size_t len, size_t cap)
{
	mb->buf = p;
	mb->size = cap;
	mb->pos = 0;
	mb->end = len;
}


/**
 * Authenticate and decrypt a packet in place
 *
 * @param ctx  The sender's key (its SDES a=crypto)
 * @param rtcp SRTCP (true) or SRTP
 * @param p    The packet
 * @param lenp Its length, then the plain packet's
 *
 * @return 0 if success; an errorcode if it does not authenticate, is a
 *         replay or is malformed: the packet must be dropped
 */
int srtpx_unprotect(struct srtp *ctx, bool rtcp, uint8_t *p, size_t *lenp)
{
	struct mbuf mb;
	int err;

	if (!ctx || !p || !lenp)
		return EINVAL;

	over(&mb, p, *lenp, *lenp);
	err = rtcp ? srtcp_decrypt(ctx, &mb) : srtp_decrypt(ctx, &mb);
	if (err)
		return err;

	*lenp = mb.end;

	return 0;
}


/**
 * Encrypt and authenticate a packet in place
 *
 * @param ctx  Our key toward the receiver
 * @param rtcp SRTCP (true) or SRTP
 * @param p    The packet, in a buffer of cap bytes
 * @param lenp Its length, then the protected packet's
 * @param cap  The buffer's size
 *
 * @return 0 if success, otherwise errorcode
 */
int srtpx_protect(struct srtp *ctx, bool rtcp, uint8_t *p, size_t *lenp,
		  size_t cap)
{
	struct mbuf mb;
	int err;

	if (!ctx || !p || !lenp || *lenp > cap)
		return EINVAL;

	/* libre would grow a buffer that is too small, and this one is not
	 * libre's to grow */
	if (cap - *lenp < SRTPX_OVERHEAD)
		return ENOSPC;

	over(&mb, p, *lenp, cap);
	err = rtcp ? srtcp_encrypt(ctx, &mb) : srtp_encrypt(ctx, &mb);
	if (err)
		return err;

	*lenp = mb.end;

	return 0;
}
