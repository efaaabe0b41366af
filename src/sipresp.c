/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipresp.c  Responses to requests that came on umedge's own
 *                  stream connections
 *
 * libre's sip_reply() sends through libre's transports, which do not
 * carry umedge's own connections, so responses on those are encoded
 * here, the way RFC 3261 §8.2.6.2 says and libre does it: the Vias in
 * order, the top one with "received" when the source differs from its
 * sent-by and "rport" filled in when asked for (RFC 3581); From,
 * Call-ID, CSeq; To with a tag of ours on a response above 100 when
 * the request had none (msg->tag, which libre's decoder draws);
 * Record-Route when asked for; Server; then the caller's headers and
 * body, or "Content-Length: 0" and the end.
 */
#include <stdarg.h>
#include <re.h>
#include "sipresp.h"


static int top_via(struct mbuf *mb, const struct sip_hdr *hdr,
		   const struct sip_msg *req)
{
	struct pl rp;
	bool rport = false;
	int err;

	err = mbuf_printf(mb, "%r: ", &hdr->name);
	if (!msg_param_exists(&req->via.params, "rport", &rp)) {
		err |= mbuf_write_pl_skip(mb, &hdr->val, &rp);
		err |= mbuf_printf(mb, ";rport=%u", sa_port(&req->src));
		rport = true;
	}
	else {
		err |= mbuf_write_pl(mb, &hdr->val);
	}

	if (rport || !sa_cmp(&req->src, &req->via.addr, SA_ADDR))
		err |= mbuf_printf(mb, ";received=%j", &req->src);

	return err | mbuf_write_str(mb, "\r\n");
}


static int hdr_copy(struct mbuf *mb, const struct sip_hdr *hdr,
		    const struct sip_msg *req, bool rec_route,
		    uint16_t scode, bool *via)
{
	switch (hdr->id) {

	case SIP_HDR_VIA:
		if (!*via) {
			*via = true;
			return top_via(mb, hdr, req);
		}
		return mbuf_printf(mb, "%r: %r\r\n", &hdr->name, &hdr->val);

	case SIP_HDR_TO:
		if (pl_isset(&req->to.tag) || scode <= 100)
			return mbuf_printf(mb, "%r: %r\r\n", &hdr->name,
					   &hdr->val);
		return mbuf_printf(mb, "%r: %r;tag=%016llx\r\n", &hdr->name,
				   &hdr->val, req->tag);

	case SIP_HDR_RECORD_ROUTE:
		if (!rec_route)
			return 0;
		/*@fallthrough@*/

	case SIP_HDR_FROM:
	case SIP_HDR_CALL_ID:
	case SIP_HDR_CSEQ:
		return mbuf_printf(mb, "%r: %r\r\n", &hdr->name, &hdr->val);

	default:
		return 0;
	}
}


/**
 * Encode a response to a request
 *
 * @param mb        Buffer, written from its pos
 * @param req       The request
 * @param rec_route Copy its Record-Route (a dialog-creating 1xx/2xx)
 * @param scode     Status code
 * @param reason    Reason phrase
 * @param server    Server header value, or NULL
 * @param fmt       More headers, an empty line and the body, or NULL
 *                  for none
 * @param ap        Arguments of fmt
 *
 * @return 0 if success, otherwise errorcode (EINVAL for an ACK: it has
 *         no response)
 */
int sipresp_vencode(struct mbuf *mb, const struct sip_msg *req,
		    bool rec_route, uint16_t scode, const char *reason,
		    const char *server, const char *fmt, va_list ap)
{
	bool via = false;
	int err;

	if (!mb || !req || !req->req || !reason || scode < 100 ||
	    scode > 699 || !pl_strcmp(&req->met, "ACK"))
		return EINVAL;

	err = mbuf_printf(mb, "SIP/2.0 %u %s\r\n", scode, reason);
	for (struct le *le = req->hdrl.head; le && !err; le = le->next)
		err = hdr_copy(mb, le->data, req, rec_route, scode, &via);

	if (!err && server)
		err = mbuf_printf(mb, "Server: %s\r\n", server);

	if (err)
		return err;

	if (fmt)
		return mbuf_vprintf(mb, fmt, ap);

	return mbuf_write_str(mb, "Content-Length: 0\r\n\r\n");
}


/**
 * Encode a response to a request (sipresp_vencode with arguments)
 *
 * @return 0 if success, otherwise errorcode
 */
int sipresp_encode(struct mbuf *mb, const struct sip_msg *req,
		   bool rec_route, uint16_t scode, const char *reason,
		   const char *server, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = sipresp_vencode(mb, req, rec_route, scode, reason, server,
			      fmt, ap);
	va_end(ap);

	return err;
}
