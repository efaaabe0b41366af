/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipdec.c  A received SIP message decoded as umedge reads it,
 *                 and the answer to a request that does not decode
 *
 * Every transport of umedge's own (stream connections, UDP sockets)
 * and the helper on libre's UDP sockets read a message the same way:
 * header names libre would take for another header are renamed
 * (sipalias.c); a message that still does not decode and is a request
 * in RFC 2543 syntax gets a branch (sip2543.c) and is decoded again.
 * What is left undecodable is answered from the lines of it that can
 * be found (sipans.c: 505, 416 or 400).
 */
#include <string.h>
#include <re.h>
#include "sipalias.h"
#include "sipans.h"
#include "sip2543.h"
#include "sipdec.h"


/**
 * Whether a datagram is SIP: a response or what looks like a request
 * (not STUN, not a keep-alive)
 *
 * @param mb The datagram, from its position
 *
 * @return true if it is
 */
bool sipdec_is_sip(const struct mbuf *mb)
{
	struct pl text;

	if (!mb)
		return false;

	text.p = (const char *)mbuf_buf(mb);
	text.l = mbuf_get_left(mb);

	return (text.l >= 8 && !memcmp(text.p, "SIP/2.0 ", 8)) ||
		sipans_is_request(&text);
}


/**
 * Decode a received message
 *
 * @param msgp Pointer to the decoded message
 * @param mb   The message from its current position (renamed headers
 *             and an RFC 2543 branch are written into it); on failure
 *             its position is where it was
 * @param src  Its source (for an RFC 2543 branch)
 *
 * @return 0 if success, otherwise errorcode
 */
int sipdec_decode(struct sip_msg **msgp, struct mbuf *mb,
		  const struct sa *src)
{
	const size_t pos = mb ? mb->pos : 0;
	int err;

	if (!msgp || !mb || !src)
		return EINVAL;

	err = sipalias_rename(mb);
	if (err)
		return err;

	err = sip_msg_decode(msgp, mb);
	if (!err)
		return 0;        /* mb->pos is at the body now */

	mb->pos = pos;
	if (sip2543_norm(mb, src)) {
		err = sip_msg_decode(msgp, mb);
		if (!err)
			return 0;
	}

	mb->pos = pos;

	return err;
}


/**
 * Encode the answer to a request that does not decode
 *
 * @param outp   Pointer to the answer (position 0)
 * @param mb     The request, from its current position
 * @param scode  Status code, or 0 for what its lines call for
 * @param reason Reason phrase (with scode)
 * @param allow  The Allow of a 405, or NULL
 *
 * @return 0 if success, ENOENT if it is no request, otherwise
 *         errorcode
 */
int sipdec_answer(struct mbuf **outp, const struct mbuf *mb,
		  uint16_t scode, const char *reason, const char *allow)
{
	struct pl text;
	struct mbuf *out;
	int err;

	if (!outp || !mb)
		return EINVAL;

	text.p = (const char *)mbuf_buf(mb);
	text.l = mbuf_get_left(mb);
	if (!sipans_is_request(&text))
		return ENOENT;

	if (!scode || !reason)
		scode = sipans_status(&text, &reason);

	out = mbuf_alloc(512);
	if (!out)
		return ENOMEM;

	err = sipans_encode(out, &text, scode, reason, allow);
	if (err) {
		mem_deref(out);
		return err;
	}

	out->pos = 0;
	*outp = out;

	return 0;
}
