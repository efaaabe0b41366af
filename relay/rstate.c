/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file rstate.c  A call's relay state, written for a standby
 *                 (docs/design/ha.md §2.3)
 *
 * One bencode dictionary per call: what a standby needs to open the
 * same ports on the same interfaces and to latch the same sources,
 * locked as they were. Version 1:
 *
 *   d  v        i1e
 *      id       the Call-ID
 *      ng       1: an ng controller made it, 0: the B2BUA
 *      tags     l <tag 0> <tag 1> e
 *      created  Unix time
 *      answered 0 or 1
 *      sent     l i i e     an SDP went to side 0, 1
 *      bump     l i i e     o= version increments per side
 *      sec      l i i e     enum relay_sec per side
 *      fb       l i i e     enum relay_fb per side
 *      streams  l  d index, type,
 *                    sides l d iface, port, sdp ("ip:port" or ""),
 *                              mux, te_pt, te_rate, proto, srtp,
 *                              opaque, cname (the RTCP CNAME the
 *                              other peer sees), suite (SRTP sides: the
 *                              name of the keys' suite),
 *                              latch d state (enum latch_state),
 *                                      addr, rtcp, relatches e
 *                              keys  d (SRTP sides, only if asked:
 *                                      ha_store_keys)
 *                                      rx    a=crypto value, the peer's
 *                                      life  its lifetime, 0: none
 *                                      tx    ours toward it, if any
 *                                      pad   0 or 1
 *                                      used  packets rx protected
 *                                      ixrx  l d ssrc, roc, s_l, rtp,
 *                                                rtcp e e  (srtpix.h)
 *                                      ixtx  the same, for tx e e e e e
 *
 * Without keys an SRTP side of an ng call cannot be made again
 * (rimport.c refuses it); one of the B2BUA's is made again shut, and
 * the B2BUA gives it new keys by a re-INVITE (rekey.c). Keys are
 * secrets, stored only where the operator said so.
 */
#include <string.h>
#include <pthread.h>
#include <re.h>
#include "cfg.h"
#include "iface.h"
#include "fwd.h"
#include "bencode.h"
#include "relay.h"
#include "sec.h"
#include "relay_priv.h"


enum {
	RSTATE_VERSION = 1,
};


static int enc_sa(struct mbuf *mb, const char *key, const struct sa *sa)
{
	char buf[64] = "";

	if (sa_isset(sa, SA_ALL))
		(void)re_snprintf(buf, sizeof(buf), "%J", sa);

	return benc_enc_kv_str(mb, key, buf);
}


static int enc_pair_int(struct mbuf *mb, const char *key, int64_t a,
			int64_t b)
{
	int err;

	err  = benc_enc_cstr(mb, key);
	err |= benc_enc_list_begin(mb);
	err |= benc_enc_int(mb, a);
	err |= benc_enc_int(mb, b);

	return err | benc_enc_end(mb);
}


static int enc_latch(struct mbuf *mb, const struct fwd_view *v)
{
	int err;

	err  = benc_enc_cstr(mb, "latch");
	err |= benc_enc_dict_begin(mb);
	err |= benc_enc_kv_int(mb, "state", v->state);
	err |= enc_sa(mb, "addr", &v->addr);
	err |= enc_sa(mb, "rtcp", &v->rtcp);
	err |= benc_enc_kv_int(mb, "relatches", v->relatches);

	return err | benc_enc_end(mb);
}


/* an a=crypto value, as in SDP */
static int enc_crypto(struct mbuf *mb, const char *key, uint32_t tag,
		      const struct sdes_key *k, bool pad)
{
	char line[SDES_LINE_MAX];
	int err;

	err = sdes_print(line, sizeof(line), tag, k, pad);
	if (err)
		return err;

	return benc_enc_kv_str(mb, key, line);
}


static int enc_ixset(struct mbuf *mb, const char *key,
		     const struct srtpix_set *set)
{
	int err;

	err  = benc_enc_cstr(mb, key);
	err |= benc_enc_list_begin(mb);
	for (unsigned i = 0; i < set->n && i < SRTPIX_MAX; i++) {
		const struct srtpix *ix = &set->v[i];

		err |= benc_enc_dict_begin(mb);
		err |= benc_enc_kv_int(mb, "ssrc", ix->ssrc);
		err |= benc_enc_kv_int(mb, "roc", ix->roc);
		err |= benc_enc_kv_int(mb, "s_l", ix->s_l);
		err |= benc_enc_kv_int(mb, "rtp", ix->rtp);
		err |= benc_enc_kv_int(mb, "rtcp", ix->rtcp);
		err |= benc_enc_end(mb);
	}

	return err | benc_enc_end(mb);
}


/* an SRTP side's keys and where its contexts stand */
static int enc_keys(struct mbuf *mb, const struct sec_side *sec,
		    const struct fwd_view *v)
{
	int err;

	err  = benc_enc_cstr(mb, "keys");
	err |= benc_enc_dict_begin(mb);
	err |= enc_crypto(mb, "rx", sec->rx.tag, &sec->rx.key, sec->pad);
	err |= benc_enc_kv_int(mb, "life", (int64_t)sec->rx.lifetime);
	if (sec->has_tx)
		err |= enc_crypto(mb, "tx", sec->tx_tag, &sec->tx, sec->pad);
	err |= benc_enc_kv_int(mb, "pad", sec->pad);
	err |= benc_enc_kv_int(mb, "used", (int64_t)v->srtp.used);
	err |= enc_ixset(mb, "ixrx", &v->srtp.rx);
	err |= enc_ixset(mb, "ixtx", &v->srtp.tx);

	return err | benc_enc_end(mb);
}


static int enc_side(struct mbuf *mb, const struct relay_stream *s, int i,
		    bool keys)
{
	struct fwd_view v;
	int err;

	memset(&v, 0, sizeof(v));
	fwd_side_view(s->fs, i, &v);

	err  = benc_enc_dict_begin(mb);
	err |= benc_enc_kv_str(mb, "iface", s->ifc[i]->name);
	err |= benc_enc_kv_int(mb, "port", s->pair[i].port);
	err |= enc_sa(mb, "sdp", &s->sdp[i]);
	err |= benc_enc_kv_int(mb, "mux", s->mux[i]);
	err |= benc_enc_kv_int(mb, "te_pt", s->te_pt[i]);
	err |= benc_enc_kv_int(mb, "te_rate", s->te_rate[i]);
	err |= benc_enc_kv_str(mb, "proto", s->sec[i].proto);
	err |= benc_enc_kv_int(mb, "srtp", s->sec[i].srtp);
	err |= benc_enc_kv_int(mb, "opaque", s->sec[i].opaque);
	err |= benc_enc_kv_str(mb, "cname", s->fs->side[i].cname);
	err |= enc_latch(mb, &v);
	if (s->sec[i].srtp)
		err |= benc_enc_kv_str(mb, "suite", sdes_suite_name(
					       s->sec[i].rekey ?
					       s->sec[i].tx.suite :
					       s->sec[i].rx.key.suite));
	if (keys && s->sec[i].srtp && !s->sec[i].rekey)
		err |= enc_keys(mb, &s->sec[i], &v);

	return err | benc_enc_end(mb);
}


static int enc_stream(struct mbuf *mb, const struct relay_stream *s,
		      bool keys)
{
	int err;

	err  = benc_enc_dict_begin(mb);
	err |= benc_enc_kv_int(mb, "index", s->index);
	err |= benc_enc_kv_str(mb, "type", s->type);
	err |= benc_enc_cstr(mb, "sides");
	err |= benc_enc_list_begin(mb);
	err |= enc_side(mb, s, 0, keys);
	err |= enc_side(mb, s, 1, keys);
	err |= benc_enc_end(mb);

	return err | benc_enc_end(mb);
}


static int enc_call(struct mbuf *mb, const struct relay_call *call,
		    bool keys)
{
	int err;

	err  = benc_enc_dict_begin(mb);
	err |= benc_enc_kv_int(mb, "v", RSTATE_VERSION);
	err |= benc_enc_kv_str(mb, "id", call->id);
	err |= benc_enc_kv_int(mb, "ng", call->ng);
	err |= benc_enc_cstr(mb, "tags");
	err |= benc_enc_list_begin(mb);
	err |= benc_enc_cstr(mb, call->tag[0]);
	err |= benc_enc_cstr(mb, call->tag[1]);
	err |= benc_enc_end(mb);
	err |= benc_enc_kv_int(mb, "created", (int64_t)call->created);
	err |= benc_enc_kv_int(mb, "answered", call->answered);
	err |= enc_pair_int(mb, "sent", call->sent[0], call->sent[1]);
	err |= enc_pair_int(mb, "bump", (int64_t)call->bump[0],
			    (int64_t)call->bump[1]);
	err |= enc_pair_int(mb, "sec", call->sec[0], call->sec[1]);
	err |= enc_pair_int(mb, "fb", call->fb[0], call->fb[1]);
	err |= benc_enc_cstr(mb, "streams");
	err |= benc_enc_list_begin(mb);
	for (struct le *le = call->streams.head; le; le = le->next)
		err |= enc_stream(mb, le->data, keys);
	err |= benc_enc_end(mb);

	return err | benc_enc_end(mb);
}


/**
 * Write a call's relay state as one bencode dictionary (version 1)
 *
 * @param mb     Buffer, written at its position
 * @param relay  Relay
 * @param callid Call-ID
 * @param keys   SRTP keys are written (ha_store_keys): without them an
 *               SRTP call cannot be made again
 *
 * @return 0 if success, ENOENT if there is no such call, otherwise
 *         errorcode
 */
int relay_call_export(struct mbuf *mb, const struct relay *relay,
		      const char *callid, bool keys)
{
	const struct relay_call *call;
	struct pl id;

	if (!mb || !relay || !callid)
		return EINVAL;

	pl_set_str(&id, callid);
	call = relay_call_find(relay, &id);
	if (!call)
		return ENOENT;

	return enc_call(mb, call, keys) ? ENOMEM : 0;
}
