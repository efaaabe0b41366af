/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file legstate.c  A confirmed leg stored (a bencode dictionary, part
 *                   of a call's record in Redis) and made again
 *
 * Stored: its side and slot, Call-ID, link id, the peer's address and
 * tag, our tag, the dialog (sipdlg.c: its lines and remote target), the
 * next CSeq we would send and our INVITE's. Made again, the dialog's
 * CSeq numbers go on from the stored one plus CSEQ_GAP (requests sent
 * after the last write: a UAS takes gaps, RFC 3261 §12.2.2).
 */
#include <string.h>
#include <re.h>
#include "cfg.h"
#include "bencode.h"
#include "sipx.h"
#include "sipdlg.h"
#include "b2b_priv.h"
#include "stimer.h"


enum {
	CSEQ_GAP = 100,     /**< CSeq numbers left for unwritten requests */
};


/* The session timer, if the leg has one: interval, whether umedge
 * refreshes, whether the peer allows UPDATE */
static int se_export(struct mbuf *mb, const struct leg *leg)
{
	struct stimer_neg neg;
	bool update;
	int err;

	if (!stimer_get(leg, &neg, &update))
		return 0;

	err  = benc_enc_kv_int(mb, "se", neg.interval);
	err |= benc_enc_kv_int(mb, "se_local", neg.local);
	err |= benc_enc_kv_int(mb, "se_update", update);

	return err;
}


/**
 * Write a confirmed leg as a bencode dictionary
 *
 * @param mb  Buffer
 * @param leg Leg with an established dialog
 * @param ok  With its 2xx not ACKed yet (legok.c)
 *
 * @return 0 if success, otherwise errorcode
 */
int leg_export(struct mbuf *mb, struct leg *leg, bool ok)
{
	struct mbuf *lines;
	char raddr[64];
	int err;

	if (!mb || !leg || !leg->dlg || !leg->rtag)
		return EINVAL;

	lines = mbuf_alloc(512);
	if (!lines)
		return ENOMEM;

	err = sipdlg_export(lines, leg->dlg);
	if (err)
		goto out;

	(void)re_snprintf(raddr, sizeof(raddr), "%J", &leg->raddr);
	err  = benc_enc_dict_begin(mb);
	err |= benc_enc_kv_int(mb, "side", leg->side);
	err |= benc_enc_kv_int(mb, "slot", leg->slot);
	err |= benc_enc_kv_str(mb, "callid", leg->callid);
	err |= benc_enc_kv_str(mb, "linkid", leg_link_id(leg));
	err |= benc_enc_kv_str(mb, "raddr", raddr);
	err |= benc_enc_kv_str(mb, "ltag", leg->ltag);
	err |= benc_enc_kv_str(mb, "rtag", leg->rtag);
	err |= benc_enc_kv_str(mb, "target", sip_dialog_uri(leg->dlg));
	err |= benc_enc_kv_int(mb, "lseq",
			       sip_dialog_lseq(leg->dlg) + leg->cseq_add);
	err |= benc_enc_kv_int(mb, "icseq", leg->invite_cseq);
	err |= se_export(mb, leg);
	if (ok)
		err |= leg_ok_export(mb, leg);
	err |= benc_enc_cstr(mb, "dlg");
	err |= benc_enc_str(mb, &(struct pl){(char *)lines->buf, lines->end});
	err |= benc_enc_end(mb);

 out:
	mem_deref(lines);

	return err;
}


/**
 * Read a stored leg's session timer
 *
 * @param d      The leg's dictionary
 * @param neg    Its interval and who refreshes
 * @param update Whether the peer allows UPDATE
 *
 * @return 0 if it has one, ENOENT if not, EBADMSG if malformed
 */
int leg_stimer_read(const struct benc *d, struct stimer_neg *neg,
		    bool *update)
{
	int64_t se, local = 0, upd = 0;

	if (!d || !neg || !update)
		return EINVAL;

	if (benc_dict_int(d, "se", &se))
		return ENOENT;

	if (se < STIMER_MIN_SE || se > 86400 ||
	    benc_dict_int(d, "se_local", &local) ||
	    benc_dict_int(d, "se_update", &upd))
		return EBADMSG;

	memset(neg, 0, sizeof(*neg));
	neg->interval = (uint32_t)se;
	neg->local = local != 0;
	*update = upd != 0;

	return 0;
}


/* A string member, copied */
static int dstr(char **sp, const struct benc *d, const char *key)
{
	struct pl pl;
	int err = benc_dict_str(d, key, &pl);

	return err ? err : pl_strdup(sp, &pl);
}


static int dint(const struct benc *d, const char *key, uint32_t *v)
{
	int64_t i;
	int err = benc_dict_int(d, key, &i);

	if (!err)
		*v = (uint32_t)i;

	return err;
}


/* The dialog, its CSeq going on from the stored one */
static int dialog_restore(struct leg *leg, const struct benc *d)
{
	struct pl lines;
	char *target = NULL;
	uint32_t lseq = 0;
	int err;

	err = benc_dict_str(d, "dlg", &lines);
	if (!err)
		err = dstr(&target, d, "target");
	if (!err)
		err = dint(d, "lseq", &lseq);
	if (!err)
		err = sipdlg_import(&leg->dlg, &lines, target);
	if (!err)
		leg->cseq_add = lseq + CSEQ_GAP - sip_dialog_lseq(leg->dlg);

	mem_deref(target);

	return err;
}


/* The peer's address and our tag */
static int addr_restore(struct leg *leg, const struct benc *d)
{
	struct pl pl;
	int err;

	err = benc_dict_str(d, "raddr", &pl);
	if (!err)
		err = sa_decode(&leg->raddr, pl.p, pl.l);
	if (!err)
		err = benc_dict_str(d, "ltag", &pl);
	if (!err && pl.l >= sizeof(leg->ltag))
		err = EBADMSG;
	if (!err)
		(void)pl_strcpy(&pl, leg->ltag, sizeof(leg->ltag));

	return err;
}


/**
 * Make a leg again from what leg_export() wrote, confirmed, entered in
 * the table
 *
 * @param leg A new leg (leg_alloc())
 * @param d   Its dictionary
 *
 * @return 0 if success, otherwise errorcode
 */
int leg_restore(struct leg *leg, const struct benc *d)
{
	uint32_t slot = 0;
	int err;

	if (!leg || !d || leg->dlg)
		return EINVAL;

	err = dialog_restore(leg, d);
	if (!err)
		err = addr_restore(leg, d);
	if (!err)
		err = dint(d, "slot", &slot);
	if (!err)
		err = dint(d, "icseq", &leg->invite_cseq);
	if (!err)
		err = dstr(&leg->callid, d, "callid");
	if (!err)
		err = dstr(&leg->linkid, d, "linkid");
	if (!err)
		err = dstr(&leg->rtag, d, "rtag");
	if (err)
		return err;

	if (strcmp(leg->callid, sip_dialog_callid(leg->dlg)) || slot > 1)
		return EBADMSG;

	leg->slot = (int)slot;
	leg->confirmed = true;
	leg_link(leg);

	return 0;
}
