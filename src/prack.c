/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file prack.c  Reliable provisional responses (RFC 3262), per leg
 *
 * A B2BUA runs 100rel on each leg on its own (libre 1.1.0 has none of
 * it):
 *
 *   caller           edge (UAS)              edge (UAC)        callee
 *   INVITE  ----->                            INVITE --------->
 *                                              <------ 183 RSeq 7
 *                                              PRACK RAck 7 -->
 *           <----- 183 RSeq n (Require: 100rel)
 *   PRACK RAck n -> 200
 *                                              <------ 200 INVITE
 *           <----- 200 INVITE
 *
 * As UAS a reliable 1xx goes again from T1, doubling, until its PRACK;
 * none within 64*T1 fails the call (500, RFC 3262 §3). A second 1xx
 * waits for the first's PRACK, and a 2xx waits for the PRACK of a 1xx
 * that carried SDP (§3). As UAC every reliable 1xx is PRACKed once, in
 * RSeq order (§4): a repeat is a retransmission, a gap waits.
 */
#include <string.h>
#include <re.h>
#include "cfg.h"
#include "umrand.h"
#include "b2b_priv.h"
#include "prack.h"


enum {
	T1 = 500,                  /**< RFC 3261 T1, ms             */
	REASON_MAX = 64,           /**< Longest reason phrase kept  */
};

/** A provisional response waiting for the PRACK of the one before */
struct rel1xx {
	struct le le;
	uint16_t scode;
	char reason[REASON_MAX];
	char *hdrs;                /**< More header lines, or NULL  */
	struct mbuf *sdp;          /**< SDP, or NULL                */
};

/** Reliable 1xx state of a leg (owned by the leg) */
struct prack {
	struct leg *leg;           /**< The leg (its owner)         */
	prack_fail_h *failh;       /**< No PRACK came               */
	void *arg;                 /**< Its argument                */
	uint32_t rseq;             /**< Last RSeq sent              */
	struct mbuf *mb;           /**< Unacknowledged 1xx, or NULL */
	bool mb_sdp;               /**< It carried SDP              */
	struct tmr tmr;            /**< Its retransmission          */
	uint32_t ival;             /**< Next interval, ms           */
	uint32_t waited;           /**< Time waited for its PRACK   */
	struct list queue;         /**< struct rel1xx, in order     */
	struct rel1xx *final;      /**< A 2xx held for the PRACK    */
	bool in_seen;              /**< UAC: a reliable 1xx came    */
	uint32_t in_last;          /**< UAC: its highest RSeq       */
};


static void rel1xx_destructor(void *data)
{
	struct rel1xx *r = data;

	list_unlink(&r->le);
	mem_deref(r->hdrs);
	mem_deref(r->sdp);
}


static void prack_destructor(void *data)
{
	struct prack *rel = data;

	tmr_cancel(&rel->tmr);
	mem_deref(rel->mb);
	list_flush(&rel->queue);
	mem_deref(rel->final);
}


/* A number of 1 to 10 digits, up to max; nothing else but blanks */
static int num_take(const struct pl *pl, uint32_t max, uint32_t *vp)
{
	uint64_t v = 0;

	if (!pl->l || pl->l > 10)
		return EBADMSG;

	for (size_t i = 0; i < pl->l; i++) {
		if (pl->p[i] < '0' || pl->p[i] > '9')
			return EBADMSG;
		v = v * 10 + (uint64_t)(pl->p[i] - '0');
	}

	if (v > max)
		return ERANGE;

	*vp = (uint32_t)v;

	return 0;
}


/* The next word of *pl (blanks around it skipped), which moves past */
static bool word_take(struct pl *pl, struct pl *w)
{
	while (pl->l && (*pl->p == ' ' || *pl->p == '\t'))
		pl_advance(pl, 1);

	w->p = pl->p;
	w->l = 0;
	while (w->l < pl->l && w->p[w->l] != ' ' && w->p[w->l] != '\t')
		++w->l;
	pl_advance(pl, (ssize_t)w->l);

	return w->l > 0;
}


/**
 * Decode an RSeq value (RFC 3262 §7.1: 1*DIGIT, 1 to 2^31 - 1)
 *
 * @param val  Header value
 * @param rseq Set to the number
 *
 * @return 0 if success, otherwise errorcode
 */
int prack_rseq_decode(const struct pl *val, uint32_t *rseq)
{
	struct pl rest, n, more;
	int err;

	if (!val || !rseq)
		return EINVAL;

	rest = *val;
	if (!word_take(&rest, &n) || word_take(&rest, &more))
		return EBADMSG;

	err = num_take(&n, PRACK_RSEQ_MAX, rseq);
	if (!err && !*rseq)
		err = ERANGE;

	return err;
}


/**
 * Decode a RAck value (RFC 3262 §7.2: response-num LWS CSeq-num LWS
 * Method)
 *
 * @param val  Header value
 * @param rseq Set to the RSeq it acknowledges
 * @param cseq Set to the CSeq number of the request
 * @param met  Set to its method
 *
 * @return 0 if success, otherwise errorcode
 */
int prack_rack_decode(const struct pl *val, uint32_t *rseq, uint32_t *cseq,
		      struct pl *met)
{
	struct pl rest, r, c, more;
	int err;

	if (!val || !rseq || !cseq || !met)
		return EINVAL;

	rest = *val;
	if (!word_take(&rest, &r) || !word_take(&rest, &c) ||
	    !word_take(&rest, met) || word_take(&rest, &more))
		return EBADMSG;

	err = num_take(&r, PRACK_RSEQ_MAX, rseq);
	if (!err)
		err = num_take(&c, 0x7fffffff, cseq);
	if (!err && !*rseq)
		err = ERANGE;

	return err;
}


/**
 * Where a received RSeq falls in a dialog's order (RFC 3262 §4)
 *
 * @param seen Whether one came before; set
 * @param last The highest one so far; updated
 * @param rseq This one
 *
 * @return PRACK_RELAY for the next (or the first), PRACK_REPEAT for a
 *         retransmission, PRACK_GAP for one that skips ahead
 */
enum prack_verdict prack_rseq_order(bool *seen, uint32_t *last,
				    uint32_t rseq)
{
	if (!*seen || rseq == *last + 1) {
		*seen = true;
		*last = rseq;
		return PRACK_RELAY;
	}

	return rseq <= *last ? PRACK_REPEAT : PRACK_GAP;
}


static struct prack *prack_new(struct leg *leg)
{
	struct prack *rel = mem_zalloc(sizeof(*rel), prack_destructor);

	if (!rel)
		return NULL;

	rel->leg = leg;
	tmr_init(&rel->tmr);

	return rel;
}


/**
 * The caller's INVITE came: its 1xx go reliably if it requires or
 * supports 100rel and umedge does (sip_100rel)
 *
 * @param relp    Set to the state, or left NULL for unreliable 1xx
 * @param leg     The caller's leg
 * @param invite  Its INVITE
 * @param enabled umedge takes 100rel
 * @param failh   No PRACK came for a reliable 1xx
 * @param arg     Its argument
 *
 * @return 0 if success, ENOTSUP if the INVITE requires 100rel and it is
 *         off (420), otherwise errorcode
 */
int prack_accept(struct prack **relp, struct leg *leg,
		 const struct sip_msg *invite, bool enabled,
		 prack_fail_h *failh, void *arg)
{
	bool req, sup;
	struct prack *rel;
	uint32_t r;
	int err;

	if (!relp || !leg || !invite)
		return EINVAL;

	req = sip_msg_hdr_has_value(invite, SIP_HDR_REQUIRE, "100rel");
	sup = sip_msg_hdr_has_value(invite, SIP_HDR_SUPPORTED, "100rel");
	if (req && !enabled)
		return ENOTSUP;
	if (!enabled || !(req || sup))
		return 0;

	err = um_rand_u32(&r);          /* a start far from 2^31 - 1 */
	if (err)
		return err;

	rel = prack_new(leg);
	if (!rel)
		return ENOMEM;

	rel->failh = failh;
	rel->arg = arg;
	rel->rseq = r & 0xffff;          /* the first sent is rseq + 1 */
	mem_deref(*relp);
	*relp = rel;

	return 0;
}


/**
 * @param rel The leg's state, or NULL
 *
 * @return true if the leg's 1xx go reliably
 */
bool prack_reliable(const struct prack *rel)
{
	return rel && rel->failh;
}


static void retransmit(void *arg);


/* The next wait: T1 doubling, cut to what is left of 64*T1 */
static void wait_next(struct prack *rel)
{
	uint32_t d = min(rel->ival, 64 * T1 - rel->waited);

	rel->waited += d;
	rel->ival *= 2;
	tmr_start(&rel->tmr, d, retransmit, rel);
}


static void retransmit(void *arg)
{
	struct prack *rel = arg;
	struct leg *leg = rel->leg;

	if (rel->waited >= 64 * T1) {
		rel->mb = mem_deref(rel->mb);
		list_flush(&rel->queue);
		if (rel->failh)
			rel->failh(leg, rel->arg);
		return;
	}

	leg_resend(leg, leg->msg, rel->mb);
	wait_next(rel);
}


/* Send a 1xx reliably: the next RSeq, kept until its PRACK */
static int send_rel(struct prack *rel, struct leg *leg, uint16_t scode,
		    const char *reason, const char *more,
		    const struct mbuf *sdp)
{
	char hdrs[256];
	int err;

	(void)re_snprintf(hdrs, sizeof(hdrs),
			  "Require: 100rel\r\nRSeq: %u\r\n%s", rel->rseq + 1,
			  more ? more : "");
	err = leg_provisional(leg, scode, reason, hdrs, sdp, &rel->mb);
	if (err)
		return err;

	++rel->rseq;
	rel->mb_sdp = sdp && sdp->end;
	rel->ival = T1;
	rel->waited = 0;
	wait_next(rel);

	return 0;
}


static int rel1xx_new(struct rel1xx **rp, uint16_t scode,
		      const char *reason, const char *hdrs,
		      const struct mbuf *sdp)
{
	struct rel1xx *r = mem_zalloc(sizeof(*r), rel1xx_destructor);

	if (!r)
		return ENOMEM;

	r->scode = scode;
	str_ncpy(r->reason, reason, sizeof(r->reason));
	if (hdrs && hdrs[0] && str_dup(&r->hdrs, hdrs)) {
		mem_deref(r);
		return ENOMEM;
	}
	if (sdp && sdp->end) {
		r->sdp = mbuf_alloc(sdp->end);
		if (!r->sdp || mbuf_write_mem(r->sdp, sdp->buf, sdp->end)) {
			mem_deref(r);
			return ENOMEM;
		}
	}

	*rp = r;

	return 0;
}


/* A 1xx while one is unacknowledged waits; the oldest without SDP
 * gives way when too many wait */
static int enqueue(struct prack *rel, uint16_t scode, const char *reason,
		   const char *hdrs, const struct mbuf *sdp)
{
	struct rel1xx *r;
	int err;

	if (list_count(&rel->queue) >= PRACK_QUEUE_MAX) {
		for (struct le *le = rel->queue.head; le; le = le->next) {
			struct rel1xx *q = le->data;

			if (!q->sdp) {
				mem_deref(q);
				break;
			}
		}
		if (list_count(&rel->queue) >= PRACK_QUEUE_MAX)
			return EOVERFLOW;
	}

	err = rel1xx_new(&r, scode, reason, hdrs, sdp);
	if (err)
		return err;

	list_append(&rel->queue, &r->le, r);

	return 0;
}


static void stop(struct prack *rel)
{
	tmr_cancel(&rel->tmr);
	rel->mb = mem_deref(rel->mb);
	rel->mb_sdp = false;
}


/* The final response: a 2xx waits while a 1xx with SDP is not PRACKed
 * (RFC 3262 §3); anything else goes now, and ends the 1xx */
static int final_reply(struct prack *rel, struct leg *leg, uint16_t scode,
		       const char *reason, const char *hdrs,
		       const struct mbuf *sdp)
{
	list_flush(&rel->queue);

	if (scode < 300 && rel->mb && rel->mb_sdp) {
		rel->final = mem_deref(rel->final);
		return rel1xx_new(&rel->final, scode, reason, hdrs, sdp);
	}

	stop(rel);
	rel->final = mem_deref(rel->final);

	return leg_reply_hdrs(leg, scode, reason, hdrs, sdp);
}


/**
 * Answer the leg's INVITE: reliably where the leg's 1xx are (one at a
 * time, a 2xx after the PRACK of a 1xx with SDP), else as leg_reply()
 *
 * @param rel    The leg's state, or NULL
 * @param leg    The leg (UAS of the INVITE)
 * @param scode  Status code
 * @param reason Reason phrase
 * @param hdrs   More header lines, or NULL
 * @param sdp    SDP body, or NULL
 *
 * @return 0 if success (sent or waiting), otherwise errorcode
 */
int prack_reply(struct prack *rel, struct leg *leg, uint16_t scode,
		const char *reason, const char *hdrs, const struct mbuf *sdp)
{
	if (!leg || !reason)
		return EINVAL;

	if (!prack_reliable(rel) || scode == 100)
		return leg_reply_hdrs(leg, scode, reason, hdrs, sdp);

	if (scode >= 200)
		return final_reply(rel, leg, scode, reason, hdrs, sdp);

	if (!leg->st)
		return EALREADY;

	if (rel->mb || rel->final)
		return enqueue(rel, scode, reason, hdrs, sdp);

	return send_rel(rel, leg, scode, reason, hdrs, sdp);
}


/* The PRACK came: what waited goes, the next 1xx or the held 2xx */
static void acknowledged(struct prack *rel, struct leg *leg)
{
	struct rel1xx *r;

	stop(rel);

	if (rel->final) {
		r = rel->final;
		rel->final = NULL;
		(void)leg_reply_hdrs(leg, r->scode, r->reason, r->hdrs,
				     r->sdp);
		mem_deref(r);
		return;
	}

	r = list_ledata(rel->queue.head);
	if (!r)
		return;

	if (send_rel(rel, leg, r->scode, r->reason, r->hdrs, r->sdp))
		list_flush(&rel->queue);
	else
		mem_deref(r);
}


/* The PRACK's RAck names the 1xx that waits for it */
static bool rack_matches(const struct prack *rel, const struct leg *leg,
			 const struct sip_msg *msg)
{
	const struct sip_hdr *h = sip_msg_hdr(msg, SIP_HDR_RACK);
	uint32_t rseq, cseq;
	struct pl met;

	if (!h || prack_rack_decode(&h->val, &rseq, &cseq, &met))
		return false;

	return rel && rel->mb && leg->msg && rseq == rel->rseq &&
		cseq == leg->msg->cseq.num && !pl_strcmp(&met, "INVITE");
}


/**
 * A PRACK on the leg: 200 if it acknowledges the 1xx that waits (then
 * the next goes), else 481 (RFC 3262 §3). An offer in a PRACK is not
 * taken (488): umedge puts none in its reliable 1xx.
 *
 * @param rel The leg's state, or NULL
 * @param leg The leg
 * @param msg The PRACK
 */
void prack_recv(struct prack *rel, struct leg *leg, const struct sip_msg *msg)
{
	if (!leg || !msg)
		return;

	if (!rack_matches(rel, leg, msg)) {
		leg_answer(leg, msg, 481, "Call/Transaction Does Not Exist",
			   "RAck matches no reliable 1xx");
		return;
	}

	if (mbuf_get_left(msg->mb)) {
		leg_answer(leg, msg, 488, "Not Acceptable Here",
			   "no offer in a PRACK");
		return;
	}

	leg_answer(leg, msg, 200, "OK", NULL);
	acknowledged(rel, leg);
}


/**
 * A 1xx on the leg whose INVITE umedge sent: a reliable one (Require:
 * 100rel, RSeq) is PRACKed in the early dialog once, in RSeq order
 *
 * @param relp The leg's state, made at the first reliable 1xx
 * @param leg  The leg (UAC of the INVITE), its dialog made by the 1xx
 * @param msg  The 1xx
 *
 * @return what to do with it: relay, or drop a repeat or a gap
 */
enum prack_verdict prack_1xx(struct prack **relp, struct leg *leg,
			     const struct sip_msg *msg)
{
	const struct sip_hdr *h = sip_msg_hdr(msg, SIP_HDR_RSEQ);
	enum prack_verdict v;
	uint32_t rseq;
	char rack[64];

	if (!relp || !leg || !msg || msg->scode == 100 ||
	    !sip_msg_hdr_has_value(msg, SIP_HDR_REQUIRE, "100rel"))
		return PRACK_RELAY;

	/* one early dialog per leg: another fork's 1xx is not PRACKed,
	 * its UAS ends that branch */
	if (!h || prack_rseq_decode(&h->val, &rseq) || !leg->dlg ||
	    !sip_dialog_established(leg->dlg) ||
	    !sip_dialog_cmp(leg->dlg, msg))
		return PRACK_GAP;

	if (!*relp) {
		*relp = prack_new(leg);
		if (!*relp)
			return PRACK_GAP;
	}

	v = prack_rseq_order(&(*relp)->in_seen, &(*relp)->in_last, rseq);
	if (v != PRACK_RELAY)
		return v;

	(void)re_snprintf(rack, sizeof(rack), "RAck: %u %u INVITE\r\n",
			  rseq, msg->cseq.num);
	(void)lreq_send(leg, "PRACK", 70, rack, NULL, NULL, NULL, NULL);

	return PRACK_RELAY;
}
