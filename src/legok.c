/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file legok.c  A caller's leg whose 2xx is not ACKed yet, stored with
 *                the call and made again by the node that takes it over
 *                (docs/ha.md, "Answered, not yet confirmed")
 *
 * A call answered to a caller over UDP is written with the 2xx as it
 * was sent, the head of the INVITE it answers and the INVITE's source.
 * The node that reads it back sends the 2xx again from the same kind of
 * socket at once and goes on retransmitting it (RFC 3261 §13.3.1.4:
 * the dead node's UAS core would have) until the ACK comes, which
 * confirms the call; no ACK in 64*T1 ends it ("no ACK"). An INVITE that
 * comes again finds no server transaction there: leg_ok_again() gives
 * it the 2xx. A 2xx whose SDP holds an SDES key is stored only with
 * ha_store_keys.
 */
#include <string.h>
#include <re.h>
#include "cfg.h"
#include "bencode.h"
#include "siptp.h"
#include "b2b_priv.h"


/**
 * Whether a leg's 2xx may be stored: one to a caller over UDP, not yet
 * ACKed, without an SDES key unless keys are stored
 *
 * @param leg  Leg
 * @param keys ha_store_keys
 *
 * @return true if so
 */
bool leg_ok_storable(const struct leg *leg, bool keys)
{
	if (!leg || !leg->ok || !leg->ok_msg ||
	    leg->ok_msg->tp != SIP_TRANSP_UDP)
		return false;

	return keys || !memmem(leg->ok->buf, leg->ok->end, "a=crypto:", 9);
}


/**
 * Write a leg's 2xx not yet ACKed into its dictionary (open)
 *
 * @param mb  Buffer
 * @param leg Leg (leg_ok_storable())
 *
 * @return 0 if success, otherwise errorcode
 */
int leg_ok_export(struct mbuf *mb, const struct leg *leg)
{
	struct pl ok, inv;
	char src[64];
	int err;

	if (!mb || !leg || !leg->ok || !leg->ok_msg)
		return EINVAL;

	ok.p = (const char *)leg->ok->buf;
	ok.l = leg->ok->end;
	inv = leg_msg_head(leg->ok_msg->mb);
	(void)re_snprintf(src, sizeof(src), "%J", &leg->ok_msg->src);

	err  = benc_enc_cstr(mb, "ok");
	err |= benc_enc_str(mb, &ok);
	err |= benc_enc_cstr(mb, "okinv");
	err |= benc_enc_str(mb, &inv);
	err |= benc_enc_kv_str(mb, "oksrc", src);

	return err;
}


static struct mbuf *mbuf_of(const struct pl *pl)
{
	struct mbuf *mb = mbuf_alloc(pl->l + 1);

	if (mb && mbuf_write_pl(mb, pl))
		mb = mem_deref(mb);
	if (mb)
		mb->pos = 0;

	return mb;
}


/**
 * Make a stored 2xx not yet ACKed again: it is sent at once and
 * retransmitted until the ACK
 *
 * @param leg A restored leg (leg_restore())
 * @param d   Its dictionary
 *
 * @return 0 if success or if it has none, EPROTONOSUPPORT without an
 *         own UDP socket for it, otherwise errorcode
 */
int leg_ok_restore(struct leg *leg, const struct benc *d)
{
	struct mbuf *ok = NULL, inv;
	struct sip_msg *msg = NULL;
	struct pl okp, invp, srcp;
	struct sa src;
	int err;

	if (!leg || !d)
		return EINVAL;
	if (benc_dict_str(d, "ok", &okp))
		return 0;

	if (benc_dict_str(d, "okinv", &invp) ||
	    benc_dict_str(d, "oksrc", &srcp) ||
	    sa_decode(&src, srcp.p, srcp.l))
		return EBADMSG;

	/* the INVITE is read over its stored text (the decoder copies it);
	 * the 2xx is kept */
	mbuf_init(&inv);
	inv.buf = (uint8_t *)invp.p;
	inv.size = inv.end = invp.l;
	ok = mbuf_of(&okp);
	err = ok ? siptp_sent_decode(&msg, leg->b2b->tp[leg->side], &src,
				     &inv) : ENOMEM;
	if (!err) {
		leg->confirmed = false;
		leg_resend(leg, msg, ok);
		leg_ok_start(leg, ok, msg);
	}

	mem_deref(msg);
	mem_deref(ok);

	return err;
}
