/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file bstate.c  A call's SIP state stored (a bencode
 *                 dictionary, the "sip" field of its record in Redis)
 *                 and made again after a restart or a takeover
 *
 * Stored: the caller's side, the names and numbers the records and
 * the header policy use, the media policy, the gateway set, the times
 * and chain of the record, the offer/answer state (oa.c) and both legs
 * (legstate.c). Made again: the call with its legs paired and in the
 * table, its host set found again by name, the credentials of the
 * gateway a leg goes to found again by its address. Its relay call
 * must have been made again first (same id).
 *
 * A confirmed call, not made by a transfer, is stored; what else a
 * call has (its INVITE's transaction, requests in flight) is not; its
 * session timers are, and start again. A call in setup is stored with
 * its INVITEs instead of its legs once it has rung a while, and is
 * ended when it is read back (bsetup.c).
 */
#include <stddef.h>
#include <string.h>
#include <re.h>
#define DEBUG_MODULE "bstate"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "cfg.h"
#include "hset.h"
#include "inlim.h"
#include "srclim.h"
#include "bencode.h"
#include "b2b_priv.h"
#include "bcall.h"
#include "stimer.h"


enum {
	BSTATE_VERSION = 1,
};

/** A name of the call: its member name and where it lives */
struct sfield {
	const char *key;
	size_t off;
	size_t sz;
};

#define SF(k, m) {k, offsetof(struct bcall, m), \
		  sizeof(((struct bcall *)0)->m)}

static const struct sfield sfields[] = {
	SF("user",      user),
	SF("from_name", from_name),
	SF("from_user", from_user),
	SF("to_user",   to_user),
	SF("to_name",   to_name),
	SF("gwset",     gwset),
	SF("chain",     chain),
};


/* The call's numbers */
static int ints_export(struct mbuf *mb, const struct bcall *call)
{
	int err;

	err  = benc_enc_kv_int(mb, "v", BSTATE_VERSION);
	err |= benc_enc_kv_int(mb, "aside", call->aside);
	err |= benc_enc_kv_int(mb, "maxfwd", call->maxfwd);
	err |= benc_enc_kv_int(mb, "media0", call->media[0]);
	err |= benc_enc_kv_int(mb, "media1", call->media[1]);
	err |= benc_enc_kv_int(mb, "info_dtmf", call->info_dtmf);
	err |= benc_enc_kv_int(mb, "t_start", (int64_t)call->t_start);
	err |= benc_enc_kv_int(mb, "t_answer", (int64_t)call->t_answer);

	return err;
}


/* Both legs of a confirmed call, or of one answered whose caller's ACK
 * is due (its 2xx with it) */
static int legs_export(struct mbuf *mb, const struct bcall *call)
{
	const bool await = call->state == BCALL_ANSWERED;
	int err;

	err  = benc_enc_cstr(mb, "legs");
	err |= benc_enc_list_begin(mb);
	err |= leg_export(mb, call->leg[0], await && call->aside == B2B_EXT);
	err |= leg_export(mb, call->leg[1], await && call->aside == B2B_INT);
	err |= benc_enc_end(mb);

	return err;
}


/* Whether a call's SIP state is stored now: confirmed; answered, its 2xx
 * to a caller over UDP not ACKed yet (legok.c); in setup once due */
static bool storable(const struct bcall *call, bool keys)
{
	if (call->xferred || call->xfer)
		return false;

	if (call->state <= BCALL_EARLY)
		return bsetup_due(call);

	if (!call->leg[0] || !call->leg[1])
		return false;

	return call->state == BCALL_CONFIRMED ||
		(call->state == BCALL_ANSWERED && !call->late &&
		 bsetup_due(call) &&
		 leg_ok_storable(bcall_caller(call), keys));
}


/**
 * Write a call's SIP state: a confirmed call's, or one in setup's
 * (bsetup.c) once it is due
 *
 * @param mb   Buffer
 * @param call Call
 * @param keys The SDP sent keeps its SDES keys (ha_store_keys)
 *
 * @return 0 if success, ENOTSUP for a call that is not stored (in
 *         setup not long yet; answered, its ACK due, but its 2xx not
 *         storable; ending; made by a transfer), otherwise errorcode
 */
int bstate_export(struct mbuf *mb, const struct bcall *call, bool keys)
{
	const bool setup = call && call->state <= BCALL_EARLY;
	int err;

	if (!mb || !call)
		return EINVAL;

	if (!storable(call, keys))
		return ENOTSUP;

	err  = benc_enc_dict_begin(mb);
	err |= ints_export(mb, call);
	err |= benc_enc_kv_int(mb, "await", call->state == BCALL_ANSWERED);
	for (size_t i = 0; i < ARRAY_SIZE(sfields); i++)
		err |= benc_enc_kv_str(mb, sfields[i].key,
				       (const char *)call + sfields[i].off);
	err |= benc_enc_cstr(mb, "oa");
	err |= oa_export(mb, call->oa, keys);
	if (err)
		return err;

	err = setup ? bsetup_export(mb, call) : legs_export(mb, call);

	return err ? err : benc_enc_end(mb);
}


static int strs_import(struct bcall *call, const struct benc *d)
{
	for (size_t i = 0; i < ARRAY_SIZE(sfields); i++) {
		struct pl pl;
		int err = benc_dict_str(d, sfields[i].key, &pl);

		if (err)
			return err;
		if (pl.l >= sfields[i].sz)
			return EBADMSG;

		(void)pl_strcpy(&pl, (char *)call + sfields[i].off,
				sfields[i].sz);
	}

	return 0;
}


static int ints_import(struct bcall *call, const struct benc *d)
{
	int64_t maxfwd = 0, m0 = 0, m1 = 0, dtmf = 0, ts = 0, ta = 0;
	int err;

	err  = benc_dict_int(d, "maxfwd", &maxfwd);
	err |= benc_dict_int(d, "media0", &m0);
	err |= benc_dict_int(d, "media1", &m1);
	err |= benc_dict_int(d, "info_dtmf", &dtmf);
	err |= benc_dict_int(d, "t_start", &ts);
	err |= benc_dict_int(d, "t_answer", &ta);
	if (err)
		return EBADMSG;

	if (m0 < 0 || m0 > CFG_MEDIA_SRTP || m1 < 0 || m1 > CFG_MEDIA_SRTP ||
	    maxfwd < 0 || maxfwd > 255 || ts < 0 || ta < 0)
		return EBADMSG;

	call->maxfwd = (uint32_t)maxfwd;
	call->media[0] = (enum cfg_media)m0;
	call->media[1] = (enum cfg_media)m1;
	call->info_dtmf = dtmf != 0;
	call->t_start = (uint64_t)ts;
	call->t_answer = (uint64_t)ta;

	return 0;
}


/* Where the callee leg goes: the UM hosts, or the gateway set */
static int hosts_find(struct bcall *call)
{
	struct b2b *b2b = call->b2b;
	struct hset *hs = call->aside == B2B_EXT ? b2b->umhosts :
		hset_find(&b2b->gwsets, call->gwset);

	if (!hs)
		return ENOENT;

	call->hosts = mem_ref(hs);

	return 0;
}


/* A leg's session timer again: where umedge refreshes, its first
 * refresh 1 to 10 s after the restore, spread over the calls by their
 * ids (the peer's expiry counts from before the failure) */
static int stimer_restore(struct bcall *call, struct leg *leg,
			  const struct benc *d)
{
	struct stimer_neg neg;
	bool update;
	int err = leg_stimer_read(d, &neg, &update);

	if (err == ENOENT)
		return 0;
	if (err)
		return err;

	return bcall_stimer_resume(call, leg, &neg, update,
				   1000 + hash_joaat_str(oa_id(call->oa)) %
				   9000);
}


/* Both legs, paired; the one toward a gateway with its credentials */
static int legs_import(struct bcall *call, const struct benc *legs)
{
	const struct benc *d[2];
	int err = 0;

	if (!legs || legs->type != BENC_LIST || list_count(&legs->items) != 2)
		return EBADMSG;

	d[0] = list_ledata(legs->items.head);
	d[1] = list_ledata(legs->items.tail);
	for (int s = 0; s < 2 && !err; s++) {
		struct leg *leg = bcall_leg_new(call, (enum b2b_side)s);
		const struct hhost *h;

		if (!leg)
			return ENOMEM;

		call->leg[s] = leg;
		err = d[s]->type == BENC_DICT ? leg_restore(leg, d[s]) :
			EBADMSG;
		if (!err)
			err = leg_ok_restore(leg, d[s]);
		if (!err && leg->slot != s)
			err = EBADMSG;
		h = err ? NULL : hset_host_find(&call->b2b->gwsets,
						&leg->raddr);
		if (h && s == B2B_EXT)
			leg_cred_set(leg, hhost_auth(h));
	}

	if (!err)
		leg_pair(bcall_caller(call), bcall_callee(call));
	for (int s = 0; s < 2 && !err; s++)
		err = stimer_restore(call, call->leg[s], d[s]);

	return err;
}


/* The call's names, numbers and offer/answer state; its host set and
 * legs unless it was in setup */
static int call_import(struct bcall *call, const struct benc *d,
		       bool setup)
{
	const struct benc *oa = benc_dict_get(d, "oa");
	int err;

	err = strs_import(call, d);
	if (!err)
		err = ints_import(call, d);
	if (!err && !setup)
		err = hosts_find(call);
	if (!err)
		err = oa && oa->type == BENC_DICT ?
			oa_restore(&call->oa, call->b2b->relay,
				   call->b2b->cfg->keys, oa) : EBADMSG;
	if (!err)
		bcall_id_link(call);
	if (!err && !setup)
		err = legs_import(call, benc_dict_get(d, "legs"));

	return err;
}


/* The limit's slot the call held: a gateway's calls in, or UM's calls
 * out of its source; counted, never refused */
static void slot_claim(struct bcall *call)
{
	struct b2b *b2b = call->b2b;
	const struct sa *src = &bcall_caller(call)->raddr;
	int err;

	err = call->aside == B2B_EXT ?
		inlim_claim(b2b->inlim, b2b->cfg, src, &call->slot) :
		srclim_claim(b2b->srclim, src, &call->slot);
	if (err)
		DEBUG_WARNING("%s: its limit's slot: %m\n", oa_id(call->oa),
			      err);
}


/**
 * Make a call again from what bstate_export() wrote: a confirmed one,
 * its legs taking in-dialog requests again; one in setup is ended
 * (bsetup_end())
 *
 * @param b2b   B2BUA
 * @param d     The dictionary
 * @param relay Its relay already has the call; if not, only a call in
 *              setup is taken
 *
 * @return 0 if success, ECANCELED for a call in setup ended, ENOENT for
 *         another without its relay call, otherwise errorcode (the
 *         relay call may be deleted or not: the caller deletes it)
 */
int bstate_import(struct b2b *b2b, const struct benc *d, bool relay)
{
	const struct benc *setup;
	struct bcall *call;
	int64_t v = 0, aside = 0;
	int err;

	if (!b2b || !d || d->type != BENC_DICT)
		return EINVAL;

	if (benc_dict_int(d, "v", &v) || v != BSTATE_VERSION ||
	    benc_dict_int(d, "aside", &aside) || aside < 0 || aside > 1)
		return EBADMSG;

	setup = benc_dict_get(d, "setup");
	if (!relay && !setup)
		return ENOENT;

	call = bcall_new(b2b, (enum b2b_side)aside);
	if (!call)
		return ENOMEM;

	err = call_import(call, d, setup != NULL);
	if (!err && setup)
		return bsetup_end(call, setup);
	if (err) {
		mem_deref(call);
		DEBUG_WARNING("a call could not be made again: %m\n", err);
		return err;
	}

	/* answered, the caller's ACK due: its 2xx goes again (legok.c) */
	call->state = benc_dict_int(d, "await", &v) || !v ? BCALL_CONFIRMED :
		BCALL_ANSWERED;
	slot_claim(call);
	++b2b->st.restored;

	/* last: a re-INVITE that cannot go ends the call */
	err = brekey_start(call);
	if (err)
		DEBUG_WARNING("%s: re-keying not started: %m\n",
			      oa_id(call->oa), err);

	return 0;
}
