/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file rekey.c  New keys for an SRTP leg whose keys were not stored
 *                (a B2BUA's call made again without ha_store_keys:
 *                docs/design/ha.md §6.3)
 *
 * Such a side is shut (it drops both ways: fsrtp_shut()). The B2BUA
 * offers its leg the SDP it last sent it again, with a new o= version
 * and, in each m= line to re-key, one a=crypto line of a new key of
 * ours (tag 1, the suite the leg had): relay_rekey_offer(). The leg's
 * answer brings its own key (relay_rekey_answer()); the side then
 * forwards again, each way under the new keys. Nothing changes on the
 * other side of the call, and nothing reaches it.
 */
#include <string.h>
#include <re.h>
#include "cfg.h"
#include "iface.h"
#include "fwd.h"
#include "sdprw.h"
#include "relay.h"
#include "sec.h"
#include "relay_priv.h"


/* the call and the side of a tag */
static struct relay_call *call_side(struct relay *relay, const char *callid,
				    const char *tag, int *sidep)
{
	struct relay_call *call;
	struct pl id, t;

	pl_set_str(&id, callid);
	pl_set_str(&t, tag);
	call = (struct relay_call *)relay_call_find(relay, &id);
	*sidep = call ? relay_call_side(call, &t) : -1;

	return *sidep < 0 ? NULL : call;
}


/* our new key into each m= line of a side to re-key; how many */
static int offer_keys(struct relay_call *call, int side,
		      const struct sdprw_sdp *sdp, struct sdprw_media *m,
		      unsigned *np)
{
	*np = 0;
	for (struct le *le = call->streams.head; le; le = le->next) {
		struct relay_stream *s = le->data;
		const struct sdprw_stream *md;
		struct sdprw_media *mi;

		if (!s->sec[side].rekey)
			continue;
		if (s->index >= sdp->mediac)
			return EPROTO;

		md = &sdp->media[s->index];
		mi = &m[s->index];
		mi->keep = false;
		mi->addr = md->addr;
		mi->rtcp_port = md->rtcp_port;
		mi->crypto_set = true;
		mi->crypto[0] = sec_rekey_offer(&s->sec[side]);
		mi->cryptoc = 1;
		if (!mi->crypto[0])
			return ENOMEM;
		++*np;
	}

	return 0;
}


/**
 * The re-key offer to one side of a call made again without its keys
 *
 * @param relay  Relay
 * @param callid Call-ID
 * @param tag    The side's tag
 * @param sent   The SDP last sent to that side (buf to end)
 * @param out    The offer: sent, with our new keys and o= version
 *
 * @return 0 if success, ENOENT if nothing of that side is to be
 *         re-keyed (or no such call), EPROTO if sent does not match the
 *         call's streams, otherwise errorcode
 */
int relay_rekey_offer(struct relay *relay, const char *callid,
		      const char *tag, const struct mbuf *sent,
		      struct mbuf *out)
{
	struct sdprw_media m[SDPRW_MEDIA_MAX];
	struct sdprw_sdp *sdp = NULL;
	struct sdprw_opts opts;
	struct relay_call *call;
	struct pl text;
	unsigned n = 0;
	int side, err;

	if (!relay || !callid || !tag || !sent || !out)
		return EINVAL;

	call = call_side(relay, callid, tag, &side);
	if (!call)
		return ENOENT;

	text.p = (const char *)sent->buf;
	text.l = sent->end;
	err = sdprw_parse(&sdp, &text);
	if (err)
		return err;

	memset(m, 0, sizeof(m));
	for (size_t i = 0; i < sdp->mediac; i++)
		m[i].keep = true;

	err = offer_keys(call, side, sdp, m, &n);
	if (!err && !n)
		err = ENOENT;
	if (err)
		goto out;

	memset(&opts, 0, sizeof(opts));
	opts.o_version = pl_u64(&sdp->origin.version) + 1;
	++call->bump[side];
	err = sdprw_rewrite(out, &text, m, sdp->mediac, &opts);

 out:
	mem_deref(sdp);

	return err;
}


static int answer_keys(struct relay_call *call, int side,
		       const struct sdprw_sdp *sdp, const char **why)
{
	for (struct le *le = call->streams.head; le; le = le->next) {
		struct relay_stream *s = le->data;
		const struct sdprw_stream *md;

		if (!s->sec[side].rekey)
			continue;

		md = s->index < sdp->mediac ? &sdp->media[s->index] : NULL;
		if (!md || md->disabled ||
		    sec_rekey_answer(&s->sec[side], md)) {
			*why = "the re-key answer has no SDES key for our offer";
			return EPROTO;
		}

		relay_stream_peer(s, side, md);
	}

	return 0;
}


/**
 * The answer to a re-key offer: the side forwards again under the new
 * keys
 *
 * @param relay  Relay
 * @param callid Call-ID
 * @param tag    The side's tag
 * @param answer Its SDP
 * @param why    Reason of a refusal
 *
 * @return 0 if success, ENOENT if no such call, EPROTO if the answer
 *         takes none of our keys (*why set), otherwise errorcode
 */
int relay_rekey_answer(struct relay *relay, const char *callid,
		       const char *tag, const struct pl *answer,
		       const char **why)
{
	struct sdprw_sdp *sdp = NULL;
	struct relay_call *call;
	const char *w = "malformed SDP";
	int side, err;

	if (!relay || !callid || !tag || !answer)
		return EINVAL;

	call = call_side(relay, callid, tag, &side);
	if (!call)
		return ENOENT;

	err = sdprw_parse(&sdp, answer);
	if (!err)
		err = answer_keys(call, side, sdp, &w);
	if (!err)
		relay_change(call, RELAY_CHG_SDP);
	else if (why)
		*why = w;

	mem_deref(sdp);

	return err;
}
