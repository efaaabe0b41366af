/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file rimport.c  A call made again from its relay state (rstate.c's
 *                  format): a restart or a standby takes it over
 *
 * Every stream opens the same ports on the same interfaces (portpool
 * claims them), and its latches are set as they were before the stream
 * goes to a worker: a locked latch drops every other source from the
 * first packet on, so RTP Bleed protection holds through the restart.
 * The media timeouts start again.
 *
 * An SRTP side stored with its keys (ha_store_keys) gets them again,
 * and its SRTP contexts are brought to where they stood (srtpix.c):
 * its peer's packets keep authenticating after a rollover, and what the
 * peer gets goes on under the same rollover counter and above the SRTCP
 * indexes it has seen.
 *
 * An SRTP side of the B2BUA's call stored without keys is made again
 * shut (it drops both ways), marked for re-keying: the B2BUA offers
 * that leg new keys in a re-INVITE (relay_rekey_offer()).
 *
 * Not restored: SRTP sides of an ng call stored without keys (the
 * controller would have to re-offer), refused as a whole call; and a
 * B2BUA's call whose SIP state the caller does not restore with it (its
 * media would come back without its legs, and nobody would end it).
 */
#include <ctype.h>
#include <string.h>
#include <re.h>
#define DEBUG_MODULE "relay"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "cfg.h"
#include "iface.h"
#include "latch.h"
#include "fwd.h"
#include "worker.h"
#include "bencode.h"
#include "relay.h"
#include "sec.h"
#include "relay_priv.h"


enum {
	RSTATE_VERSION = 1,
};

/** A stream's side, as stored */
struct rside {
	struct relay_iface *ifc;  /**< Its interface                  */
	uint16_t port;            /**< Its RTP port                   */
	struct sa sdp;            /**< The peer's SDP address         */
	struct sa addr;           /**< Latched RTP source             */
	struct sa rtcp;           /**< Latched RTCP source            */
	enum latch_state state;   /**< Latch state                    */
	uint32_t relatches;       /**< Re-latches so far              */
	bool mux;                 /**< The peer muxes RTCP            */
	int64_t te_pt, te_rate;   /**< telephone-event                */
	struct sec_side sec;      /**< Security, keys if SRTP         */
	char cname[FWD_CNAME_LEN + 1]; /**< RTCP CNAME shown for it   */
	struct fsrtp_ixs ix;      /**< Where its SRTP contexts stood  */
};

/** What an import needs beside the tree */
struct rimp {
	struct relay *relay;      /**< The relay                      */
	uint32_t window_ms;       /**< Learning window                */
	bool rekey_ok;            /**< SRTP without keys is re-keyed:
				       the B2BUA's call                */
	struct rside side[2];     /**< The stream being made          */
};


static int64_t dint(const struct benc *d, const char *key)
{
	int64_t v = 0;

	(void)benc_dict_int(d, key, &v);

	return v;
}


/* an "ip:port" or "" */
static int dsa(const struct benc *d, const char *key, struct sa *sa)
{
	struct pl v;

	sa_init(sa, AF_UNSPEC);
	if (benc_dict_str(d, key, &v))
		return EPROTO;

	return v.l ? sa_decode(sa, v.p, v.l) : 0;
}


/* two integers, side 0 and side 1 */
static int dpair(const struct benc *d, const char *key, int64_t v[2])
{
	const struct benc *l = benc_dict_get(d, key);
	const struct benc *a = l ? list_ledata(l->items.head) : NULL;
	const struct benc *b = a ? list_ledata(a->le.next) : NULL;

	if (!b || a->type != BENC_INT || b->type != BENC_INT)
		return EPROTO;

	v[0] = a->i;
	v[1] = b->i;

	return 0;
}


static int latch_read(const struct benc *sd, struct rside *rs)
{
	const struct benc *l = benc_dict_get(sd, "latch");
	int64_t st;

	if (!l || l->type != BENC_DICT)
		return EPROTO;

	st = dint(l, "state");
	if (st < LATCH_NONE || st > LATCH_LOCKED)
		return EPROTO;

	rs->state = (enum latch_state)st;
	rs->relatches = (uint32_t)dint(l, "relatches");

	return dsa(l, "addr", &rs->addr) | dsa(l, "rtcp", &rs->rtcp);
}


static int ix_read(const struct benc *d, struct srtpix *ix)
{
	int64_t ssrc = dint(d, "ssrc"), roc = dint(d, "roc");
	int64_t s_l = dint(d, "s_l"), rtcp = dint(d, "rtcp");

	if (d->type != BENC_DICT || ssrc < 0 || ssrc > UINT32_MAX ||
	    roc < 0 || roc > SRTPIX_ROC_MAX || s_l < 0 || s_l > UINT16_MAX ||
	    rtcp < 0 || rtcp > INT32_MAX)
		return EPROTO;

	ix->ssrc = (uint32_t)ssrc;
	ix->roc = (uint32_t)roc;
	ix->s_l = (uint16_t)s_l;
	ix->rtp = dint(d, "rtp") != 0;
	ix->rtcp = (uint32_t)rtcp;

	return 0;
}


static int ixset_read(const struct benc *k, const char *key,
		      struct srtpix_set *set)
{
	const struct benc *l = benc_dict_get(k, key);
	int err = 0;

	if (!l || l->type != BENC_LIST)
		return EPROTO;

	for (struct le *le = l->items.head; le && !err; le = le->next) {
		if (set->n >= SRTPIX_MAX)
			return EPROTO;
		err = ix_read(le->data, &set->v[set->n++]);
	}

	return err;
}


/* an SRTP side stored without keys: shut until re-keyed, its suite
 * kept for the new keys */
static int rekey_read(const struct rimp *ri, const struct benc *sd,
		      struct rside *rs)
{
	struct pl name;
	uint32_t bit;

	if (!ri->rekey_ok)
		return ENOTSUP;

	if (benc_dict_str(sd, "suite", &name))
		return EPROTO;
	bit = sdes_bit_find(&name);
	if (!bit || !sdes_suite_at((unsigned)__builtin_ctz(bit),
				   &rs->sec.tx.suite))
		return EPROTO;

	rs->sec.srtp = true;
	rs->sec.rekey = true;

	return 0;
}


/* an SRTP side's keys; ENOTSUP: stored without them, not re-keyed */
static int keys_read(const struct rimp *ri, const struct benc *sd,
		     struct rside *rs)
{
	const struct benc *k = benc_dict_get(sd, "keys");
	struct sec_side *sec = &rs->sec;
	struct sdes_line tx;
	struct pl v;

	if (!k)
		return rekey_read(ri, sd, rs);
	if (k->type != BENC_DICT || benc_dict_str(k, "rx", &v) ||
	    sdes_parse(&sec->rx, &v) || dint(k, "life") < 0)
		return EPROTO;

	sec->srtp = true;
	sec->rx.lifetime = (uint64_t)dint(k, "life");
	sec->pad = dint(k, "pad") != 0;
	if (!benc_dict_str(k, "tx", &v)) {
		if (sdes_parse(&tx, &v))
			return EPROTO;
		sec->has_tx = true;
		sec->tx_tag = tx.tag;
		sec->tx = tx.key;
		sec->offered[0].tag = tx.tag;
		sec->offered[0].key = tx.key;
		sec->offeredc = 1;
	}
	rs->ix.used = (uint64_t)dint(k, "used");

	return ixset_read(k, "ixrx", &rs->ix.rx) |
		ixset_read(k, "ixtx", &rs->ix.tx);
}


/* a CNAME as the relay makes them: FWD_CNAME_LEN hex digits (any other
 * is not ours: the side gets a new one) */
static bool cname_ok(const struct pl *v)
{
	if (v->l != FWD_CNAME_LEN)
		return false;

	for (size_t i = 0; i < v->l; i++) {
		if (!isxdigit((unsigned char)v->p[i]))
			return false;
	}

	return true;
}


static int side_read(struct rimp *ri, const struct benc *sd,
		     struct rside *rs)
{
	struct pl name, proto = PL("");
	int64_t port = dint(sd, "port");
	int err;

	memset(rs, 0, sizeof(*rs));
	if (sd->type != BENC_DICT || benc_dict_str(sd, "iface", &name) ||
	    port < 1024 || port > 65534 || port % 2)
		return EPROTO;

	if (dint(sd, "srtp")) {
		err = keys_read(ri, sd, rs);
		if (err)
			return err;
	}

	rs->ifc = relay_iface_find(ri->relay, &name);
	if (!rs->ifc)
		return ENOENT;

	rs->port = (uint16_t)port;
	rs->mux = dint(sd, "mux") != 0;
	rs->te_pt = dint(sd, "te_pt");
	rs->te_rate = dint(sd, "te_rate");
	rs->sec.opaque = dint(sd, "opaque") != 0;
	if (!benc_dict_str(sd, "cname", &name) && cname_ok(&name))
		(void)pl_strcpy(&name, rs->cname, sizeof(rs->cname));
	(void)benc_dict_str(sd, "proto", &proto);
	(void)pl_strcpy(&proto, rs->sec.proto, sizeof(rs->sec.proto));

	return dsa(sd, "sdp", &rs->sdp) | latch_read(sd, rs);
}


/* a side's keys, its contexts where they stood; failing, it drops
 * (fsrtp_restore() keeps the keys without contexts) */
static void srtp_restore(struct fsrtp *f, const struct sec_side *sec,
			 const struct fsrtp_ixs *ix)
{
	int err;

	err = fsrtp_restore(f, &sec->rx.key, sec->rx.lifetime,
			    sec->has_tx ? &sec->tx : NULL, ix);
	if (err)
		DEBUG_WARNING("rimport: SRTP contexts not restored (%m): "
			      "the side drops its media\n", err);
}


/* before the worker has it: the latches as they were */
static void stream_prep(struct relay_stream *s, void *arg)
{
	const struct rimp *ri = arg;
	uint64_t now = fwd_now_ms();

	for (int i = 0; i < 2; i++) {
		const struct rside *rs = &ri->side[i];
		struct fwd_side *side = &s->fs->side[i];
		struct sa rtcp = rs->sdp;

		if (!rs->mux && sa_isset(&rtcp, SA_ALL))
			sa_set_port(&rtcp, sa_port(&rtcp) + 1);

		latch_restore(&side->latch[0], &rs->sdp, &rs->addr,
			      rs->state, rs->relatches, now, ri->window_ms);
		latch_restore(&side->latch[1], &rtcp, &rs->rtcp, rs->state,
			      0, now, ri->window_ms);
		side->mux = rs->mux;
		if (rs->cname[0])
			str_ncpy(side->cname, rs->cname, sizeof(side->cname));
		if (rs->sec.rekey)
			fsrtp_shut(&side->srtp);
		else if (rs->sec.srtp)
			srtp_restore(&side->srtp, &rs->sec, &rs->ix);

		/* shown at once, before its first packet */
		side->view.state = side->latch[0].state;
		side->view.addr = side->latch[0].addr;
		side->view.rtcp = side->latch[1].addr;
		side->view.relatches = rs->relatches;
		fsrtp_ixs(&side->srtp, &side->view.srtp);
	}
}


static void stream_fill(struct relay_stream *s, const struct rimp *ri,
			const struct pl *type)
{
	for (int i = 0; i < 2; i++) {
		const struct rside *rs = &ri->side[i];

		s->sdp[i] = rs->sdp;
		s->mux[i] = rs->mux;
		s->te_pt[i] = (uint8_t)rs->te_pt;
		s->te_rate[i] = (uint32_t)rs->te_rate;
		s->sec[i] = rs->sec;
	}

	(void)pl_strcpy(type, s->type, sizeof(s->type));
}


static int stream_read(struct rimp *ri, struct relay_call *call,
		       const struct benc *sd, uint32_t timeout_ms)
{
	const struct benc *sides = benc_dict_get(sd, "sides");
	const struct benc *a, *b;
	struct relay_iface *ifc[2];
	struct relay_stream *s;
	uint16_t port[2];
	struct pl type = PL("audio");
	int err;

	a = sides ? list_ledata(sides->items.head) : NULL;
	b = a ? list_ledata(a->le.next) : NULL;
	if (sd->type != BENC_DICT || !b)
		return EPROTO;

	err  = side_read(ri, a, &ri->side[0]);
	if (!err)
		err = side_read(ri, b, &ri->side[1]);
	if (err)
		return err;

	(void)benc_dict_str(sd, "type", &type);
	for (int i = 0; i < 2; i++) {
		ifc[i] = ri->side[i].ifc;
		port[i] = ri->side[i].port;
	}

	err = relay_stream_open(&s, call, (unsigned)dint(sd, "index"), ifc,
				port, stream_prep, ri);
	if (err)
		return err;

	stream_fill(s, ri, &type);

	return worker_timeout(s->w, s->fs, timeout_ms);
}


static int tags_read(struct relay_call *call, const struct benc *d)
{
	const struct benc *l = benc_dict_get(d, "tags");
	int i = 0;

	if (!l || l->type != BENC_LIST)
		return EPROTO;

	for (struct le *le = l->items.head; le && i < 2; le = le->next) {
		const struct benc *t = le->data;

		if (t->type != BENC_STR || t->s.l >= RELAY_TAG_MAX)
			return EPROTO;
		(void)pl_strcpy(&t->s, call->tag[i++], RELAY_TAG_MAX);
	}

	return 0;
}


static int call_read(struct rimp *ri, struct relay_call *call,
		     const struct benc *d)
{
	const struct cfg_relay *rc = &ri->relay->cfg->relay;
	const struct benc *streams = benc_dict_get(d, "streams");
	int64_t sent[2], bump[2], sec[2], fb[2];
	uint32_t t;
	int err;

	err  = tags_read(call, d);
	err |= dpair(d, "sent", sent) | dpair(d, "bump", bump);
	err |= dpair(d, "sec", sec) | dpair(d, "fb", fb);
	if (err || !streams || streams->type != BENC_LIST)
		return EPROTO;

	call->ng = dint(d, "ng") != 0;
	call->created = (uint64_t)dint(d, "created");
	call->answered = dint(d, "answered") != 0;
	for (int i = 0; i < 2; i++) {
		call->sent[i] = sent[i] != 0;
		call->bump[i] = (uint64_t)bump[i];
		call->sec[i] = (enum relay_sec)(sec[i] & 3);
		call->fb[i] = (enum relay_fb)(fb[i] % 3);
	}

	t = (call->answered ? rc->timeout : rc->timeout_setup) * 1000;
	for (struct le *le = streams->items.head; le && !err; le = le->next)
		err = stream_read(ri, call, le->data, t);

	return err;
}


/**
 * Make a call again from its relay state (relay_call_export()'s)
 *
 * @param relay Relay
 * @param buf   The state
 * @param len   Its length
 * @param b2b   The B2BUA restores the call's SIP state with it: a call
 *              it made is taken (else refused)
 *
 * @return 0 if success, EEXIST if the call exists, EPROTO if the state
 *         is malformed or of another version, ENOENT if an interface
 *         is missing, ENOTSUP for an SRTP side stored without keys
 *         or a B2BUA's call without b2b, EALREADY or EADDRINUSE if a port is taken,
 *         otherwise errorcode
 */
int relay_call_import(struct relay *relay, const char *buf, size_t len,
		      bool b2b)
{
	struct rimp ri;
	struct benc *b = NULL;
	struct relay_call *call = NULL;
	struct pl id;
	int err;

	if (!relay || !buf)
		return EINVAL;

	err = benc_decode(&b, buf, len, NULL);
	if (err || b->type != BENC_DICT || dint(b, "v") != RSTATE_VERSION ||
	    benc_dict_str(b, "id", &id)) {
		err = EPROTO;
		goto out;
	}

	if (!dint(b, "ng") && !b2b) {
		err = ENOTSUP;
		goto out;
	}

	if (relay_call_find(relay, &id)) {
		err = EEXIST;
		goto out;
	}

	memset(&ri, 0, sizeof(ri));
	ri.relay = relay;
	ri.window_ms = relay->cfg->relay.learn_window * 1000;
	ri.rekey_ok = b2b && !dint(b, "ng");
	err = relay_call_alloc(&call, relay, &id);
	if (!err)
		err = call_read(&ri, call, b);
	if (err)
		mem_deref(call);

 out:
	mem_deref(b);

	return err;
}
