/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file legsetup.c  A leg of a call in setup stored (part of the call's
 *                   record in Redis), and ended by the node that takes
 *                   over (docs/ha.md, "Calls in setup")
 *
 * Stored: the leg's Call-ID, its peer's address, the INVITE's
 * transport and, where the node that takes over can use it, the
 * INVITE's start line and headers (not its body: an SDP may hold an
 * SDES key, and a CANCEL or a 503 needs none of it): the caller's as it came over UDP (answered 503 from the
 * same address: the caller's stream died with the node, and its stack
 * takes that as a 503, RFC 3261 §8.1.3.1), the callee's as we sent it
 * (cancelled: same branch, over a new connection on a stream; the 487
 * that follows is ACKed).
 */
#include <string.h>
#include <re.h>
#include "cfg.h"
#include "bencode.h"
#include "siptp.h"
#include "b2b_priv.h"


/**
 * A message's start line and headers, through the empty line: its body
 * (an SDP, perhaps with an SDES key) is not stored
 *
 * @param mb The message, from its start
 *
 * @return its head (all of it if it has no empty line)
 */
struct pl leg_msg_head(const struct mbuf *mb)
{
	struct pl pl = {(const char *)mb->buf, mb->end};
	const char *p = NULL;

	if (pl.l >= 4)
		p = memmem(pl.p, pl.l, "\r\n\r\n", 4);
	if (p)
		pl.l = (size_t)(p - pl.p) + 4;

	return pl;
}


/* The INVITE a leg answers or sends: the caller's (UAS) as it came,
 * the callee's (UAC, ireq) as sent; NULL where the other node cannot
 * use it */
static const struct mbuf *invite_of(const struct leg *leg,
				    const struct lreq *ireq,
				    enum sip_transp *t, struct sa *addr)
{
	if (ireq)
		return lreq_sent(ireq, t, addr);

	if (!leg->msg)
		return NULL;

	*t = leg->msg->tp;
	*addr = leg->msg->src;

	return leg->msg->tp == SIP_TRANSP_UDP ? leg->msg->mb : NULL;
}


/**
 * Write a leg in setup as a bencode dictionary
 *
 * @param mb   Buffer
 * @param leg  Leg: the caller's, or the callee's
 * @param ireq The callee's INVITE in flight; NULL for the caller's leg
 *
 * @return 0 if success, ENOTSUP if the INVITE is not at hand (the
 *         callee's not on an own transport, libre's UDP, or not sent
 *         yet; the caller's answered), otherwise errorcode
 */
int leg_setup_export(struct mbuf *mb, const struct leg *leg,
		     const struct lreq *ireq)
{
	const struct mbuf *inv;
	enum sip_transp t = SIP_TRANSP_NONE;
	struct sa addr;
	char a[64];
	int err;

	if (!mb || !leg || !leg->callid)
		return EINVAL;

	sa_init(&addr, AF_UNSPEC);
	inv = invite_of(leg, ireq, &t, &addr);
	if ((ireq && !inv) || (!ireq && !leg->msg))
		return ENOTSUP;

	(void)re_snprintf(a, sizeof(a), "%J", &addr);
	err  = benc_enc_dict_begin(mb);
	err |= benc_enc_kv_str(mb, "callid", leg->callid);
	err |= benc_enc_kv_str(mb, "tp", sip_transp_name(t));
	err |= benc_enc_kv_str(mb, "addr", a);
	if (inv) {
		struct pl head = leg_msg_head(inv);

		err |= benc_enc_cstr(mb, "invite");
		err |= benc_enc_str(mb, &head);
	}
	err |= benc_enc_end(mb);

	return err;
}


static int tp_read(enum sip_transp *t, const struct benc *d)
{
	static const enum sip_transp tps[] = {
		SIP_TRANSP_UDP, SIP_TRANSP_TCP, SIP_TRANSP_TLS
	};
	struct pl pl;

	if (benc_dict_str(d, "tp", &pl))
		return EBADMSG;

	for (size_t i = 0; i < ARRAY_SIZE(tps); i++) {
		if (!pl_strcasecmp(&pl, sip_transp_name(tps[i]))) {
			*t = tps[i];
			return 0;
		}
	}

	return EBADMSG;
}


/* The stored leg's Call-ID and peer, for the call's record */
static int ids_read(struct leg *leg, const struct benc *d)
{
	struct pl pl;
	int err;

	err = benc_dict_str(d, "addr", &pl);
	if (!err)
		err = sa_decode(&leg->raddr, pl.p, pl.l);
	if (!err)
		err = benc_dict_str(d, "callid", &pl);
	if (!err && !pl.l)
		err = EBADMSG;
	if (!err)
		err = pl_strdup(&leg->callid, &pl);

	return err ? EBADMSG : 0;
}


/**
 * End a stored leg of a call in setup: the caller's INVITE over UDP
 * gets 503, the callee's INVITE a CANCEL
 *
 * @param leg A new leg (leg_alloc()): its Call-ID and peer's address
 *            are set from the record
 * @param d   What leg_setup_export() wrote
 * @param uas The caller's leg
 *
 * @return 0 if success (the caller's over a stream: nothing to send),
 *         EBADMSG if the record is malformed, otherwise errorcode
 */
int leg_setup_end(struct leg *leg, const struct benc *d, bool uas)
{
	struct siptp *tp;
	enum sip_transp t;
	struct mbuf mb;
	struct pl inv;
	int err;

	if (!leg || !d || d->type != BENC_DICT || leg->callid)
		return EINVAL;

	err = ids_read(leg, d);
	if (!err)
		err = tp_read(&t, d);
	if (err)
		return err;

	if (benc_dict_str(d, "invite", &inv))
		return uas && t != SIP_TRANSP_UDP ? 0 : EBADMSG;

	mbuf_init(&mb);
	mb.buf = (uint8_t *)inv.p;
	mb.size = mb.end = inv.l;
	tp = leg->b2b->tp[leg->side];

	if (uas)
		return siptp_reply_sent(tp, &leg->raddr, &mb, 503,
					"Service Unavailable");

	return siptp_cancel_sent(tp, t, &leg->raddr, &mb);
}
