/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipdlg.c  A libre dialog stored as text and made again
 *
 * Through libre's public API, and the dialog functions libre 1.1.0
 * exports but declares only privately (sipx.h, checked by configure).
 * libre 1.1.0 keeps a dialog opaque. What it sends is public, though:
 * sip_dialog_encode() of an ACK writes the dialog's Route lines (in the
 * order of use), To (the peer, with its tag), From (ours, with our tag)
 * and Call-ID, and changes nothing (an ACK takes the CSeq it is given).
 * Those lines, the remote target (sip_dialog_uri()) and the next local
 * CSeq (sip_dialog_lseq()) are the stored dialog.
 *
 * To make it again, a request is built as if the peer had sent it (its
 * Record-Route the stored routes in order, From the stored To, To the
 * stored From without our tag, Contact the target) and given to
 * sip_dialog_accept() with our tag as the message's tag. The dialog
 * that comes out encodes the same lines. Its next CSeq is libre's
 * random one: the caller adds the difference to what it sends
 * (sipdlg_import()'s lseq).
 */
#include <string.h>
#include <stdlib.h>
#include <re.h>
#include "sipx.h"
#include "sipdlg.h"


enum {
	TAG_LEN = 16,          /**< Our tags: 64 bits in hex */
};


/**
 * Write a dialog's stored lines
 *
 * @param mb  Buffer
 * @param dlg An established dialog (not changed)
 *
 * @return 0 if success, otherwise errorcode
 */
int sipdlg_export(struct mbuf *mb, struct sip_dialog *dlg)
{
	if (!mb || !dlg || !sip_dialog_established(dlg))
		return EINVAL;

	return sip_dialog_encode(mb, dlg, 0, "ACK");
}


/** The stored lines' values */
struct dlines {
	struct pl to;           /**< The peer, with its tag         */
	struct pl from;         /**< Ours, with our tag             */
	struct pl callid;       /**< The Call-ID                    */
};


/* The stored lines: Route values in order (as Record-Route lines), the
 * To, From and Call-ID values */
static int lines_take(struct mbuf *rr, struct dlines *dl,
		      const struct pl *lines)
{
	struct pl rest = *lines, line;
	int err = 0;

	memset(dl, 0, sizeof(*dl));
	while (rest.l && !err) {
		const char *crlf = pl_strchr(&rest, '\r');

		line.p = rest.p;
		line.l = crlf ? (size_t)(crlf - rest.p) : rest.l;
		pl_advance(&rest, min(rest.l, line.l + 2));

		if (line.l > 7 && !memcmp(line.p, "Route: ", 7))
			err = mbuf_printf(rr, "Record-Route: %b\r\n",
					  line.p + 7, line.l - 7);
		else if (line.l > 4 && !memcmp(line.p, "To: ", 4))
			dl->to = (struct pl){line.p + 4, line.l - 4};
		else if (line.l > 6 && !memcmp(line.p, "From: ", 6))
			dl->from = (struct pl){line.p + 6, line.l - 6};
		else if (line.l > 9 && !memcmp(line.p, "Call-ID: ", 9))
			dl->callid = (struct pl){line.p + 9, line.l - 9};
	}

	if (!err && (!pl_isset(&dl->to) || !pl_isset(&dl->from) ||
		     !pl_isset(&dl->callid)))
		err = EBADMSG;

	return err;
}


/* Our From value without its trailing ";tag=LTAG"; LTAG in hex */
static int from_untag(struct pl *from, uint64_t *tag)
{
	const size_t n = strlen(";tag=") + TAG_LEN;
	char hex[TAG_LEN + 1];
	char *end;

	if (from->l <= n || memcmp(from->p + from->l - n, ";tag=", 5))
		return EBADMSG;

	memcpy(hex, from->p + from->l - TAG_LEN, TAG_LEN);
	hex[TAG_LEN] = '\0';
	*tag = strtoull(hex, &end, 16);
	if (*end)
		return EBADMSG;

	from->l -= n;

	return 0;
}


/* The request the peer might have sent, decoded */
static int request_make(struct sip_msg **msgp, struct mbuf *mb,
			const struct pl *lines, const char *target)
{
	struct mbuf *rr = mbuf_alloc(256);
	struct dlines dl;
	uint64_t tag;
	int err;

	if (!rr)
		return ENOMEM;

	err = lines_take(rr, &dl, lines);
	if (!err)
		err = from_untag(&dl.from, &tag);
	if (err)
		goto out;

	err = mbuf_printf(mb, "INVITE %s SIP/2.0\r\n"
			  "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKrestore\r\n"
			  "%b"
			  "From: %r\r\nTo: %r\r\nCall-ID: %r\r\n"
			  "CSeq: 1 INVITE\r\nContact: <%s>\r\n"
			  "Content-Length: 0\r\n\r\n", target,
			  (const char *)rr->buf, rr->end, &dl.to, &dl.from,
			  &dl.callid, target);
	if (err)
		goto out;

	mb->pos = 0;
	err = sip_msg_decode(msgp, mb);
	if (!err)
		(*msgp)->tag = tag;

 out:
	mem_deref(rr);

	return err;
}


/**
 * Make a dialog again from its stored lines
 *
 * @param dlgp   Pointer to the dialog
 * @param lines  What sipdlg_export() wrote
 * @param target The remote target (sip_dialog_uri())
 *
 * @return 0 if success, otherwise errorcode (EBADMSG: lines that are
 *         not a stored dialog of ours)
 */
int sipdlg_import(struct sip_dialog **dlgp, const struct pl *lines,
		  const char *target)
{
	struct sip_msg *msg = NULL;
	struct mbuf *mb;
	int err;

	if (!dlgp || !lines || !str_isset(target))
		return EINVAL;

	mb = mbuf_alloc(512 + lines->l);
	if (!mb)
		return ENOMEM;

	err = request_make(&msg, mb, lines, target);
	if (!err)
		err = sip_dialog_accept(dlgp, msg);

	mem_deref(msg);
	mem_deref(mb);

	return err;
}
