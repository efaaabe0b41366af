/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file umbsrtp.c  umbench's SRTP for side B: libre's srtp_encrypt and
 *                  srtp_decrypt on an mbuf laid over umbench's packet
 *                  buffers. tests/tools/srtpbench.c checks libre's SRTP
 *                  against libsrtp2's, so the load generator does not
 *                  only agree with itself; it is also the cheaper of the
 *                  two here, which leaves more of the cores to the relays.
 */
#include <re.h>
#include "umbsrtp.h"


/**
 * Make a context for an SDES suite by its a=crypto name
 *
 * @param ctxp    The new context
 * @param suite   Suite name, e.g. AES_CM_128_HMAC_SHA1_80
 * @param key     Master key and salt
 * @param key_len Their length
 *
 * @return 0 if success, otherwise errorcode
 */
int umbsrtp_alloc(struct srtp **ctxp, const char *suite, const uint8_t *key,
		  size_t key_len)
{
	for (int s = SRTP_AES_CM_128_HMAC_SHA1_32; s <= SRTP_AES_256_GCM;
	     s++) {
		if (!str_cmp(srtp_suite_name((enum srtp_suite)s), suite))
			return srtp_alloc(ctxp, (enum srtp_suite)s, key,
					  key_len, 0);
	}

	return ENOTSUP;
}


void umbsrtp_free(struct srtp *ctx)
{
	mem_deref(ctx);
}


static void over(struct mbuf *mb, uint8_t *p, size_t len, size_t cap)
{
	mb->buf = p;
	mb->size = cap;
	mb->pos = 0;
	mb->end = len;
}


/**
 * Encrypt and authenticate an RTP packet in place
 *
 * @param ctx  Context
 * @param p    Packet, in a buffer of cap bytes
 * @param lenp Its length, then the SRTP packet's
 * @param cap  The buffer's size, at least UMBSRTP_TRAILER more
 *
 * @return 0 if success, otherwise errorcode
 */
int umbsrtp_protect(struct srtp *ctx, uint8_t *p, size_t *lenp, size_t cap)
{
	struct mbuf mb;
	int err;

	/* libre would grow a short buffer, and this one is not its own */
	if (cap < *lenp + UMBSRTP_TRAILER)
		return ENOSPC;

	over(&mb, p, *lenp, cap);
	err = srtp_encrypt(ctx, &mb);
	if (!err)
		*lenp = mb.end;

	return err;
}


/**
 * Authenticate and decrypt an SRTP packet in place
 *
 * @param ctx  Context
 * @param p    Packet
 * @param lenp Its length, then the RTP packet's
 *
 * @return 0 if success; an errorcode if it does not authenticate, is a
 *         replay or is malformed
 */
int umbsrtp_unprotect(struct srtp *ctx, uint8_t *p, size_t *lenp)
{
	struct mbuf mb;
	int err;

	over(&mb, p, *lenp, *lenp);
	err = srtp_decrypt(ctx, &mb);
	if (!err)
		*lenp = mb.end;

	return err;
}
