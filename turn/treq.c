/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file treq.c  TURN server: answering a request
 *
 * Success and error responses carry MESSAGE-INTEGRITY once the request
 * was authenticated, and FINGERPRINT when the request had one. Error
 * responses carry an ERROR-CODE with an empty reason phrase. libre
 * encodes the attributes; MESSAGE-INTEGRITY (with the server's HMAC
 * context, tauth.c) and FINGERPRINT are appended here, as libre's
 * stun_msg_vencode() would append them.
 */
#include <re.h>
#include "turnd_priv.h"


enum {
	MI_SIZE  = 24,            /**< MESSAGE-INTEGRITY attribute */
	FP_SIZE  = 8,             /**< FINGERPRINT attribute       */
	FP_XOR   = 0x5354554e,    /**< RFC 5389 15.5               */
};


/* CRC-32 (ISO 3309, as zlib's crc32), four bits at a time */
static uint32_t crc32_of(const uint8_t *p, size_t n)
{
	static const uint32_t tab[16] = {
		0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac,
		0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
		0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
		0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
	};
	uint32_t c = 0xffffffff;

	while (n--) {
		c ^= *p++;
		c = (c >> 4) ^ tab[c & 0xf];
		c = (c >> 4) ^ tab[c & 0xf];
	}

	return ~c;
}


/* the message from start grows by n bytes: set its length field */
static void len_add(struct mbuf *mb, size_t start, size_t n)
{
	size_t len = mb->end - start - STUN_HEADER_SIZE + n;

	mb->buf[start + 2] = (uint8_t)(len >> 8);
	mb->buf[start + 3] = (uint8_t)len;
}


static int integrity_add(const struct treq *req, struct mbuf *mb,
			 size_t start)
{
	uint8_t mi[20];
	int err;

	len_add(mb, start, MI_SIZE);
	err = tauth_hmac(req->turnd, req->key, req->keylen, mb->buf + start,
			 mb->end - start, mi);
	if (err)
		return err;

	mb->pos = mb->end;
	err  = mbuf_write_u16(mb, htons(STUN_ATTR_MSG_INTEGRITY));
	err |= mbuf_write_u16(mb, htons(sizeof(mi)));
	err |= mbuf_write_mem(mb, mi, sizeof(mi));

	return err;
}


static int fingerprint_add(struct mbuf *mb, size_t start)
{
	uint32_t fp;
	int err;

	len_add(mb, start, FP_SIZE);
	fp = crc32_of(mb->buf + start, mb->end - start) ^ FP_XOR;

	mb->pos = mb->end;
	err  = mbuf_write_u16(mb, htons(STUN_ATTR_FINGERPRINT));
	err |= mbuf_write_u16(mb, htons(4));
	err |= mbuf_write_u32(mb, htonl(fp));

	return err;
}


static int send_vreply(const struct treq *req, uint8_t cls,
		       const struct stun_errcode *ec, uint32_t attrc,
		       va_list ap)
{
	struct mbuf *mb;
	int err;

	mb = mbuf_alloc(256);
	if (!mb)
		return ENOMEM;

	err = stun_msg_vencode(mb, stun_msg_method(req->msg), cls,
			       stun_msg_tid(req->msg), ec, NULL, 0, false,
			       0x00, attrc, ap);
	if (!err && req->keylen)
		err = integrity_add(req, mb, 0);
	if (!err && req->fp)
		err = fingerprint_add(mb, 0);
	if (err)
		goto out;

	mb->pos = 0;
	err = tlisten_send(req->lsn, req->conn, req->src, mb);

 out:
	mem_deref(mb);

	return err;
}


/**
 * Send a success response
 *
 * @param req   Request
 * @param attrc Number of attributes: (type, value) pairs follow
 *
 * @return 0 if success, otherwise errorcode
 */
int treq_reply(const struct treq *req, uint32_t attrc, ...)
{
	va_list ap;
	int err;

	if (!req)
		return EINVAL;

	va_start(ap, attrc);
	err = send_vreply(req, STUN_CLASS_SUCCESS_RESP, NULL, attrc, ap);
	va_end(ap);

	return err;
}


/**
 * Send an error response, without a reason phrase
 *
 * @param req   Request
 * @param code  Error code
 * @param attrc Number of attributes: (type, value) pairs follow
 *
 * @return 0 if success, otherwise errorcode
 */
int treq_ereply(const struct treq *req, uint16_t code, uint32_t attrc, ...)
{
	struct stun_errcode ec;
	va_list ap;
	int err;

	if (!req)
		return EINVAL;

	ec.code = code;
	ec.reason = "";

	va_start(ap, attrc);
	err = send_vreply(req, STUN_CLASS_ERROR_RESP, &ec, attrc, ap);
	va_end(ap);

	return err;
}


/**
 * Tell whether an answer to a request that is not authenticated (yet)
 * may be sent: 401, 438, 400 and 420 all take from the limiter's budget
 * for the source and for all sources (trate.c), since a forged source
 * gets them as well
 *
 * @param req Request
 *
 * @return true if it may be answered
 */
bool treq_unauth_ok(const struct treq *req)
{
	return req && trate_take(req->turnd->rate, req->src, tmr_jiffies());
}
