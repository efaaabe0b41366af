/**
 * @file treq.c  TURN server: answering a request
 *
 * Success and error responses carry MESSAGE-INTEGRITY once the request
 * was authenticated, and FINGERPRINT when the request had one. Error
 * responses carry an ERROR-CODE with an empty reason phrase.
 */
#include <re.h>
#include "turnd_priv.h"


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
			       stun_msg_tid(req->msg), ec,
			       req->keylen ? req->key : NULL, req->keylen,
			       req->fp, 0x00, attrc, ap);
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
