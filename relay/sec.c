/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sec.c  Media security per leg: RTP or SDES-SRTP on each side of
 *              a stream, with the relay's own keys
 *
 * An offer from one side:
 *  - its transport and a=crypto lines say what its peer speaks; the
 *    first line the relay can run gives the peer's key, and our own
 *    key for that suite answers it (same tag);
 *  - the receiver's policy says what it is offered: RTP/AVP, or
 *    RTP/SAVP with a fresh key of ours per suite (the sender's suites,
 *    in its order, or the relay's defaults when the sender is plain).
 * The answer picks one of our keys by its tag and brings the answerer's
 * own. A side that already has our key is offered that key again
 * (re-INVITE, hold), so only a side that changes its own key re-keys.
 *
 * Anything that is not RTP the relay can key (UDPTL, DTLS-SRTP, TCP) is
 * left as it is; DTLS-SRTP cannot be converted.
 */
#include <string.h>
#include <re.h>
#include "relay.h"
#include "sdprw.h"
#include "worker.h"
#include "sec.h"


static bool proto_is(const struct pl *proto, const char *name)
{
	return 0 == pl_strcasecmp(proto, name);
}


/* RTP/AVP, RTP/AVPF, RTP/SAVP, RTP/SAVPF: what SDES keys */
static bool proto_rtp(const struct pl *proto)
{
	return proto_is(proto, "RTP/AVP") || proto_is(proto, "RTP/AVPF") ||
		proto_is(proto, "RTP/SAVP") || proto_is(proto, "RTP/SAVPF");
}


static bool proto_dtls(const struct pl *proto)
{
	return proto->l > 8 && 0 == strncasecmp(proto->p, "UDP/TLS/", 8);
}


static const char *proto_name(bool srtp, bool fb)
{
	static const char *names[2][2] = {
		{"RTP/AVP", "RTP/AVPF"}, {"RTP/SAVP", "RTP/SAVPF"}
	};

	return names[srtp][fb];
}


/* A line the relay can run: a known suite, no MKI */
static int line_read(struct sdes_line *ln, const struct pl *crypto)
{
	int err = sdes_parse(ln, crypto);

	return err ? err : ln->mki ? EPROTONOSUPPORT : 0;
}


/* The peer's key: its first line the relay can run */
static int peer_key(struct sdes_line *ln, const struct sdprw_stream *md,
		    const char **why)
{
	int worst = 0;

	for (size_t i = 0; i < md->cryptoc; i++) {
		int err = line_read(ln, &md->crypto[i]);

		if (!err)
			return 0;
		if (err != ENOTSUP || !worst)
			worst = err;
	}

	*why = worst == EPROTONOSUPPORT ? "a=crypto with an MKI is not "
		"supported" : worst == EBADMSG ? "malformed a=crypto" :
		"no a=crypto suite the relay supports";

	return EPROTO;
}


static bool suite_allowed(enum srtp_suite s, const struct relay_sdes *sd)
{
	uint32_t bit = sdes_bit(s);

	return bit && !(bit & sd->no) && (!sd->only || (bit & sd->only));
}


static size_t suite_add(enum srtp_suite *v, size_t n, enum srtp_suite s,
			const struct relay_sdes *sd)
{
	if (n >= SEC_OFFER_MAX || !suite_allowed(s, sd))
		return n;

	for (size_t i = 0; i < n; i++) {
		if (v[i] == s)
			return n;
	}

	v[n] = s;

	return n + 1;
}


/* Suites for the receiver: the sender's (AEAD only if it offered
 * them), else the relay's, AEAD only when asked for by name */
static size_t rcv_suites(enum srtp_suite *v, const struct sec_side *snd,
			 const struct sdprw_stream *md,
			 const struct relay_sdes *sd)
{
	enum srtp_suite s;
	struct sdes_line ln;
	size_t n = 0;

	for (size_t i = 0; snd->srtp && i < md->cryptoc; i++) {
		if (!line_read(&ln, &md->crypto[i]))
			n = suite_add(v, n, ln.key.suite, sd);
	}

	for (unsigned i = 0; !snd->srtp && sdes_suite_at(i, &s); i++) {
		if (!sdes_aead(s) || sd->only)
			n = suite_add(v, n, s, sd);
	}

	return n;
}


/* A key of ours for a suite: the one offered before, else a new one */
static int key_for(struct sdes_key *k, const struct sec_side *rcv,
		   enum srtp_suite s)
{
	for (size_t i = 0; i < rcv->offeredc; i++) {
		if (rcv->offered[i].key.suite == s) {
			*k = rcv->offered[i].key;
			return 0;
		}
	}

	return sdes_keygen(k, s);
}


/* Our keys for the receiver: the one it has, or one per suite */
static int offered_set(struct sec_side *rcv, const struct sec_side *snd,
		       const struct sdprw_stream *md,
		       const struct relay_sdes *sd)
{
	struct sec_offered next[SEC_OFFER_MAX];
	enum srtp_suite v[SEC_OFFER_MAX];
	size_t n;
	int err = 0;

	if (rcv->has_tx && suite_allowed(rcv->tx.suite, sd)) {
		rcv->offered[0].tag = rcv->tx_tag;
		rcv->offered[0].key = rcv->tx;
		rcv->offeredc = 1;
		return 0;
	}

	n = rcv_suites(v, snd, md, sd);
	if (!n)
		return ENOENT;

	for (size_t i = 0; i < n && !err; i++) {
		next[i].tag = (uint32_t)i + 1;
		err = key_for(&next[i].key, rcv, v[i]);
	}
	if (err)
		return err;

	memcpy(rcv->offered, next, n * sizeof(next[0]));
	rcv->offeredc = n;
	rcv->has_tx = false;

	return 0;
}


/* The sender's part of an offer: its transport and key, our key back */
static int sender_read(struct sec_side *snd, const struct sdprw_stream *md,
		       enum relay_sec pol, const char **why)
{
	bool savp = proto_is(&md->proto, "RTP/SAVP") ||
		proto_is(&md->proto, "RTP/SAVPF");
	enum srtp_suite had = snd->tx.suite;
	bool kept = snd->has_tx;
	int err;

	if (pol == RELAY_SEC_SRTP && !savp) {
		*why = "this leg requires SRTP (SDES)";
		return EPROTO;
	}
	if (pol == RELAY_SEC_RTP && savp) {
		*why = "this leg allows only plain RTP";
		return EPROTO;
	}

	snd->srtp = savp;
	snd->has_tx = false;
	snd->rekey = false;
	(void)pl_strcpy(&md->proto, snd->proto, sizeof(snd->proto));
	if (!savp)
		return 0;

	err = peer_key(&snd->rx, md, why);
	if (err)
		return err;

	snd->tx_tag = snd->rx.tag;
	snd->has_tx = true;
	if (kept && had == snd->rx.key.suite)
		return 0;

	return sdes_keygen(&snd->tx, snd->rx.key.suite);
}


static void side_clear(struct sec_side *side, bool opaque)
{
	side->opaque = opaque;
	side->srtp = false;
	side->has_tx = false;
	side->offeredc = 0;
}


/* Transport and a=crypto lines toward the receiver */
static int receiver_write(struct sec_side *rcv, const struct sec_side *snd,
			  const struct sdprw_stream *md,
			  const struct sec_policy *p, struct sdprw_media *m,
			  const char **why)
{
	bool srtp = p->rcv == RELAY_SEC_SRTP ||
		(p->rcv != RELAY_SEC_RTP && snd->srtp);
	bool fb = p->fb == RELAY_FB_KEEP ? md->proto.p[md->proto.l - 1] ==
		'F' : p->fb == RELAY_FB_AVPF;
	int err;

	rcv->opaque = false;
	if (srtp && p->sdes->off) {
		*why = "SDES-off leaves this SRTP leg without keys";
		return EPROTO;
	}

	m->proto = proto_name(srtp, fb);
	m->crypto_set = true;
	m->cryptoc = 0;
	if (!srtp) {
		side_clear(rcv, false);
		return 0;
	}

	err = offered_set(rcv, snd, md, p->sdes);
	if (err) {
		*why = err == ENOENT ? "no SDES suite left to offer" :
			"cannot make SRTP keys";
		return EPROTO;
	}

	rcv->pad = p->sdes->pad;
	for (size_t i = 0; i < rcv->offeredc && !err; i++) {
		err = sdes_print(rcv->line[i], sizeof(rcv->line[i]),
				 rcv->offered[i].tag, &rcv->offered[i].key,
				 rcv->pad);
		m->crypto[m->cryptoc++] = rcv->line[i];
	}

	return err;
}


/**
 * An offer's m= line: read the sender's security, choose the
 * receiver's, write the receiver's transport and keys into m
 *
 * @param snd The sender's side
 * @param rcv The receiver's side
 * @param md  The sender's m= line
 * @param p   Policy
 * @param m   What the receiver gets (proto and crypto set)
 * @param why Reason of a refusal
 *
 * @return 0 if success, otherwise errorcode (*why set)
 */
int sec_offer(struct sec_side *snd, struct sec_side *rcv,
	      const struct sdprw_stream *md, const struct sec_policy *p,
	      struct sdprw_media *m, const char **why)
{
	int err;

	if (!snd || !rcv || !md || !p || !m || !why)
		return EINVAL;

	if (!proto_rtp(&md->proto)) {
		if (proto_dtls(&md->proto) && (p->rcv == RELAY_SEC_RTP ||
					       p->rcv == RELAY_SEC_SRTP)) {
			*why = "DTLS-SRTP is not converted here";
			return EPROTO;
		}
		side_clear(snd, true);
		side_clear(rcv, true);
		return 0;
	}

	snd->opaque = false;
	err = sender_read(snd, md, p->snd, why);
	if (err)
		return err;

	return receiver_write(rcv, snd, md, p, m, why);
}


/* The answerer's key and which of ours it took, by tag */
static bool answer_pick(struct sec_side *ans, const struct sdprw_stream *md)
{
	struct sdes_line ln;

	for (size_t i = 0; i < md->cryptoc; i++) {
		if (line_read(&ln, &md->crypto[i]))
			continue;

		for (size_t k = 0; k < ans->offeredc; k++) {
			const struct sec_offered *o = &ans->offered[k];

			if (o->tag != ln.tag || o->key.suite != ln.key.suite)
				continue;

			ans->rx = ln;
			ans->tx = o->key;
			ans->tx_tag = o->tag;
			return true;
		}
	}

	return false;
}


/**
 * An answer's m= line: the answerer's key, and the offerer's transport
 * and our key toward it written into m
 *
 * @param ans The answerer's side
 * @param off The offerer's side
 * @param md  The answerer's m= line
 * @param pol The answerer's policy
 * @param m   What the offerer gets (proto and crypto set)
 * @param why Reason of a refusal
 *
 * @return 0 if success, otherwise errorcode (*why set)
 */
int sec_answer(struct sec_side *ans, struct sec_side *off,
	       const struct sdprw_stream *md, enum relay_sec pol,
	       struct sdprw_media *m, const char **why)
{
	int err;

	if (!ans || !off || !md || !m || !why)
		return EINVAL;

	if (off->opaque || !proto_rtp(&md->proto)) {
		side_clear(ans, true);
		return 0;
	}

	ans->srtp = ans->offeredc && answer_pick(ans, md);
	ans->has_tx = ans->srtp;
	ans->rekey = false;
	if (!ans->srtp && pol == RELAY_SEC_SRTP) {
		*why = "the answer has no SDES key for a suite offered";
		return EPROTO;
	}
	(void)pl_strcpy(&md->proto, ans->proto, sizeof(ans->proto));

	m->proto = off->proto;
	m->crypto_set = true;
	m->cryptoc = 0;
	if (!off->srtp)
		return 0;

	err = sdes_print(off->line[0], sizeof(off->line[0]), off->tx_tag,
			 &off->tx, off->pad);
	m->crypto[m->cryptoc++] = off->line[0];

	return err;
}


/**
 * A side made again without its keys (sec_side.rekey): a new key of
 * ours, of the suite it had, offered with tag 1
 *
 * @param side The side
 *
 * @return the a=crypto value to offer (in side->line[0]), NULL if the
 *         key could not be made
 */
const char *sec_rekey_offer(struct sec_side *side)
{
	struct sec_offered *o;

	if (!side || !side->rekey)
		return NULL;

	o = &side->offered[0];
	o->tag = 1;
	if (sdes_keygen(&o->key, side->tx.suite) ||
	    sdes_print(side->line[0], sizeof(side->line[0]), o->tag,
		       &o->key, side->pad))
		return NULL;

	side->offeredc = 1;
	side->has_tx = false;

	return side->line[0];
}


/**
 * The answer to a re-key offer: the peer's key, and ours it took
 *
 * @param side The side re-keyed
 * @param md   Its m= line in the answer
 *
 * @return 0 if success, EPROTO if it took none of our keys
 */
int sec_rekey_answer(struct sec_side *side, const struct sdprw_stream *md)
{
	if (!side || !md)
		return EINVAL;

	if (!side->offeredc || !answer_pick(side, md))
		return EPROTO;

	side->srtp = true;
	side->has_tx = true;
	side->rekey = false;

	return 0;
}


/**
 * What a side's worker needs: the peer's key, ours toward it
 *
 * @param side The side
 * @param ws   Its worker_sdp (srtp, key, lifetime, tx, tx_key set)
 */
void sec_worker(const struct sec_side *side, struct worker_sdp *ws)
{
	if (!side || !ws)
		return;

	ws->srtp = side->srtp;
	ws->key = side->rx.key;
	ws->lifetime = side->rx.lifetime;
	ws->tx = side->srtp && side->has_tx;
	ws->tx_key = side->tx;
}


/**
 * Print what a side speaks: "rtp", "srtp <suite>", "opaque"
 *
 * @param pf   Print handler
 * @param side The side
 *
 * @return 0 if success, otherwise errorcode
 */
int sec_print(struct re_printf *pf, const struct sec_side *side)
{
	if (!side)
		return 0;
	if (side->opaque)
		return re_hprintf(pf, "opaque");
	if (!side->srtp)
		return re_hprintf(pf, "rtp");

	return re_hprintf(pf, "srtp %s", sdes_suite_name(side->rx.key.suite));
}
