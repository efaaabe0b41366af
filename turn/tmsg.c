/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tmsg.c  TURN server: the entry point for every datagram (or
 *               stream frame) from a client
 *
 * The first byte tells STUN (0x00-0x3f) from ChannelData (0x40-0x7f);
 * anything else is dropped. A STUN message is checked (length, magic
 * cookie, the attribute layout), decoded once, stripped of what follows
 * MESSAGE-INTEGRITY (but FINGERPRINT), its FINGERPRINT checked,
 * and handed to a chain of handlers in the way restund does it: Binding
 * first, then authentication, so TURN only ever sees authenticated
 * requests. Responses are never answered; a request that nobody
 * handles gets 400.
 */
#include <string.h>
#include <re.h>
#include "turnd_priv.h"


enum {
	MAGIC_COOKIE = 0x2112a442,   /**< RFC 5389 magic cookie          */
	USERNAME_MAX = 513,          /**< RFC 5389 15.3                  */
	TEXT_MAX     = 763,          /**< REALM, NONCE, SOFTWARE         */
};

/** A handler in the request chain */
struct tmsg_handler {
	bool (*reqh)(struct treq *req);   /**< true: it answered */
};

static const struct tmsg_handler chain[] = {
	{tbind_request},
	{tauth_request},
	{tturn_request},
};


static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}


static bool is_addr(uint16_t type)
{
	return type == STUN_ATTR_MAPPED_ADDR ||
		type == STUN_ATTR_XOR_PEER_ADDR ||
		type == STUN_ATTR_XOR_RELAY_ADDR ||
		type == STUN_ATTR_XOR_MAPPED_ADDR;
}


/* an address attribute's length must be its family's: libre reads
 * the address by the family byte, whatever the length says */
static int addr_check(const uint8_t *v, size_t len)
{
	if (len != 8 && len != 20)
		return EBADMSG;

	if (v[1] != (len == 8 ? STUN_AF_IPv4 : STUN_AF_IPv6))
		return EPROTO;

	return 0;
}


static bool attr_len_ok(uint16_t type, size_t len)
{
	switch (type) {

	case STUN_ATTR_CHANNEL_NUMBER:
	case STUN_ATTR_LIFETIME:
	case STUN_ATTR_REQ_TRANSPORT:
	case STUN_ATTR_REQ_ADDR_FAMILY:
	case STUN_ATTR_FINGERPRINT:
		return len == 4;

	case STUN_ATTR_EVEN_PORT:      return len == 1;
	case STUN_ATTR_DONT_FRAGMENT:  return len == 0;
	case STUN_ATTR_RSV_TOKEN:      return len == 8;
	case STUN_ATTR_MSG_INTEGRITY:  return len == 20;
	case STUN_ATTR_ERR_CODE:       return len >= 4;
	case STUN_ATTR_USERNAME:       return len <= USERNAME_MAX;
	case STUN_ATTR_REALM:
	case STUN_ATTR_NONCE:
	case STUN_ATTR_SOFTWARE:       return len <= TEXT_MAX;
	default:                       return true;
	}
}


/**
 * Check a STUN message's framing before libre decodes it: exactly one
 * message (a datagram holds nothing else), the magic cookie, and every
 * attribute inside the message with a length its type allows (an
 * address: 8 for IPv4, 20 for IPv6). libre's decoder reads fixed-size
 * values without checking the attribute length; this keeps it inside
 * each attribute.
 *
 * @param mb The message, from mb->pos
 *
 * @return 0 if well-formed; EPROTO if well framed but an address
 *         attribute's length is not its family's (a request gets 400);
 *         otherwise EBADMSG (dropped)
 */
int tmsg_check(const struct mbuf *mb)
{
	const uint8_t *p;
	size_t n, len, off;
	int proto = 0;

	if (!mb || mbuf_get_left(mb) < STUN_HEADER_SIZE)
		return EBADMSG;

	p = mbuf_buf(mb);
	n = mbuf_get_left(mb);
	len = rd16(p + 2);

	if (p[0] & 0xc0 || len % 4 || STUN_HEADER_SIZE + len != n)
		return EBADMSG;

	if (((uint32_t)rd16(p + 4) << 16 | rd16(p + 6)) != MAGIC_COOKIE)
		return EBADMSG;

	for (off = STUN_HEADER_SIZE; off < n;) {
		uint16_t type, alen;

		if (n - off < 4)
			return EBADMSG;

		type = rd16(p + off);
		alen = rd16(p + off + 2);
		if (((size_t)alen + 3) / 4 * 4 > n - off - 4)
			return EBADMSG;

		if (is_addr(type)) {
			int err = addr_check(p + off + 4, alen);

			if (err == EBADMSG)
				return err;
			proto |= err;
		}
		else if (!attr_len_ok(type, alen)) {
			return EBADMSG;
		}

		off += 4 + ((size_t)alen + 3) / 4 * 4;
	}

	return proto ? EPROTO : 0;
}


/** The walk that drops what follows MESSAGE-INTEGRITY */
struct after_mi {
	struct stun_unknown_attr *ua;   /**< Unknown attributes seen   */
	bool mi;                        /**< MI seen                   */
	unsigned dropped;               /**< Attributes dropped        */
};


/* an unknown attribute that is dropped is not unknown any more */
static void ua_forget(struct stun_unknown_attr *ua, uint16_t type)
{
	for (uint32_t i = 0; i < ua->typec; i++) {
		if (ua->typev[i] != type)
			continue;

		ua->typev[i] = ua->typev[--ua->typec];
		return;
	}
}


static bool after_mi_drop(const struct stun_attr *a, void *arg)
{
	struct after_mi *w = arg;

	if (!w->mi) {
		w->mi = a->type == STUN_ATTR_MSG_INTEGRITY;
		return false;
	}

	if (a->type == STUN_ATTR_FINGERPRINT)
		return false;

	if (a->type < 0x8000)
		ua_forget(w->ua, a->type);

	++w->dropped;
	mem_deref((void *)a);

	return false;
}


/**
 * Drop every attribute after the first MESSAGE-INTEGRITY except
 * FINGERPRINT (RFC 5389 15.4, RFC 8489 9): MI does not cover them, so
 * nothing may read them
 *
 * @param msg Decoded message
 * @param ua  Its unknown comprehension-required attributes
 *
 * @return the number of attributes dropped
 */
unsigned tmsg_after_mi_drop(struct stun_msg *msg,
			    struct stun_unknown_attr *ua)
{
	struct after_mi w = {ua, false, 0};

	(void)stun_msg_attr_apply(msg, after_mi_drop, &w);

	return w.dropped;
}


static void request_input(struct treq *req)
{
	if (req->ua.typec) {
		if (treq_unauth_ok(req))
			(void)treq_ereply(req, 420, 1,
					  STUN_ATTR_UNKNOWN_ATTR, &req->ua);
		return;
	}

	for (size_t i = 0; i < ARRAY_SIZE(chain); i++) {
		if (chain[i].reqh(req))
			return;
	}

	(void)treq_ereply(req, 400, 0);
}


/* a request libre cannot decode safely: 400, from its header alone */
static void header_reply(struct treq *req)
{
	struct mbuf *hdr = mbuf_alloc(STUN_HEADER_SIZE);

	if (!hdr)
		return;

	(void)mbuf_write_mem(hdr, mbuf_buf(req->mb), STUN_HEADER_SIZE);
	hdr->buf[2] = hdr->buf[3] = 0;
	hdr->pos = 0;

	if (!stun_msg_decode(&req->msg, hdr, NULL) &&
	    stun_msg_class(req->msg) == STUN_CLASS_REQUEST &&
	    treq_unauth_ok(req))
		(void)treq_ereply(req, 400, 0);

	req->msg = mem_deref(req->msg);
	mem_deref(hdr);
}


static void stun_input(struct turnd *turnd, struct tlisten *lsn,
		       struct tconn *conn, const struct sa *src,
		       struct mbuf *mb)
{
	struct treq req;
	int err;

	memset(&req, 0, sizeof(req));
	req.turnd = turnd;
	req.lsn = lsn;
	req.conn = conn;
	req.src = src;
	req.mb = mb;

	err = tmsg_check(mb);
	if (err == EPROTO)
		header_reply(&req);
	if (err)
		return;

	if (stun_msg_decode(&req.msg, mb, &req.ua))
		return;

	(void)tmsg_after_mi_drop(req.msg, &req.ua);

	req.fp = NULL != stun_msg_attr(req.msg, STUN_ATTR_FINGERPRINT);
	if (req.fp && stun_msg_chk_fingerprint(req.msg))
		goto out;

	switch (stun_msg_class(req.msg)) {

	case STUN_CLASS_REQUEST:
		request_input(&req);
		break;

	case STUN_CLASS_INDICATION:
		if (!req.ua.typec)
			tturn_indication(&req);
		break;

	default:
		break;
	}

 out:
	mem_deref(req.msg);
}


/**
 * Handle one datagram, or one frame from a stream, from a client
 *
 * @param turnd TURN server
 * @param lsn   Listener it came in on
 * @param conn  Its connection, NULL for UDP
 * @param src   Client address
 * @param mb    The datagram or frame, from mb->pos to mb->end
 */
void tmsg_input(struct turnd *turnd, struct tlisten *lsn,
		struct tconn *conn, const struct sa *src, struct mbuf *mb)
{
	uint8_t b;

	if (!turnd || !lsn || !src || !mb || mbuf_get_left(mb) < 4)
		return;

	b = mbuf_buf(mb)[0];

	if (b < 0x40)
		stun_input(turnd, lsn, conn, src, mb);
	else if (b < 0x80)
		tchan_input(turnd, lsn, conn, src, mb);
}


/**
 * Copy what is left of a buffer into one of its own: libre's
 * stun_msg_decode() keeps a reference to the buffer it decodes, so a
 * STUN message must not sit in a receive slot that is reused
 *
 * @param mb Buffer, from mb->pos
 *
 * @return the copy, positioned at 0; NULL if out of memory
 */
struct mbuf *tmsg_dup(const struct mbuf *mb)
{
	size_t n = mbuf_get_left(mb);
	struct mbuf *copy = mbuf_alloc(n ? n : 1);

	if (!copy)
		return NULL;

	(void)mbuf_write_mem(copy, mbuf_buf(mb), n);
	copy->pos = 0;

	return copy;
}
