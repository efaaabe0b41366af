/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file oa.c  SDP offer/answer of one call, through the relay
 *
 * Both call directions and every request inside a call (bcall.c,
 * xreq.c) put their SDP through here, so the state of the call's
 * offer/answer lives in one place:
 *
 * - the relay call, named by an id neither side ever sees, which lives
 *   as long as this object (its destructor deletes it);
 * - which side made the first offer: the relay's side 0;
 * - whether a re-offer is in flight (one at a time: glare is 491);
 * - which side's 2xx offered (a delayed offer): our ACK to it waits for
 *   the answer in the other side's ACK;
 * - per side, the SDP umedge last sent it and the o= line it last sent
 *   umedge: a session refresh repeats the one (stimer.c) and is known
 *   by the other (RFC 3264 §8: an unchanged version is no new offer).
 *
 * The relay's tags for the two sides are "ext" and "int", whatever the
 * direction of the call.
 */
#include <string.h>
#include <time.h>
#include <re.h>
#define DEBUG_MODULE "oa"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "cfg.h"
#include "tok.h"
#include "umrand.h"
#include "relay.h"
#include "bencode.h"
#include "b2b_priv.h"


enum {
	TOKEN_TTL = 60,     /**< Relay token lifetime (s)      */
	ORIGIN_MAX = 256,   /**< Longest o= line kept          */
	SIDE_NONE = -1,     /**< No side                       */
};

/** The offer/answer state of a call */
struct oa {
	struct relay *relay;             /**< The relay (not referenced) */
	struct tok_keyring *keys;        /**< Signs relay tokens (ref)   */
	char id[OA_ID_MAX];              /**< The relay's name for it    */
	char iface[2][CFG_NAME_MAX];     /**< Relay interface per side   */
	enum relay_sec sec[2];           /**< Media security per side    */
	int first;                       /**< Side of the first offer    */
	int ack_side;                    /**< Side whose 2xx offered     */
	bool offering;                   /**< A re-offer is in flight    */
	struct mbuf *sent[2];            /**< Last SDP sent, per side    */
	char origin[2][ORIGIN_MAX];      /**< Last o= line received      */
	const char *why;                 /**< Why the relay refused the
					      last SDP (static text)     */
};


static void oa_destructor(void *data)
{
	struct oa *oa = data;
	struct pl id;

	pl_set_str(&id, oa->id);
	(void)relay_delete(oa->relay, &id);
	mem_deref(oa->keys);
	mem_deref(oa->sent[0]);
	mem_deref(oa->sent[1]);
}


/* A state without a relay call yet: no side has offered */
static struct oa *oa_new(struct relay *relay, struct tok_keyring *keys)
{
	struct oa *oa = mem_zalloc(sizeof(*oa), oa_destructor);

	if (!oa)
		return NULL;

	oa->relay = relay;
	oa->keys = mem_ref(keys);
	oa->first = SIDE_NONE;
	oa->ack_side = SIDE_NONE;

	return oa;
}


/**
 * Start the offer/answer state of a new call
 *
 * @param oap   Pointer to allocated state
 * @param relay The relay the media is anchored on
 * @param keys  Token keyring, signs the relay allocation (referenced),
 *              or NULL
 * @param iface Relay interface of each side
 * @param media Media security of each side (RTP, SRTP, either)
 *
 * @return 0 if success, otherwise errorcode
 */
int oa_alloc(struct oa **oap, struct relay *relay, struct tok_keyring *keys,
	     const char iface[2][CFG_NAME_MAX],
	     const enum cfg_media media[2])
{
	static const enum relay_sec sec[] = {
		[CFG_MEDIA_UNSET] = RELAY_SEC_ANY,
		[CFG_MEDIA_ANY]   = RELAY_SEC_ANY,
		[CFG_MEDIA_RTP]   = RELAY_SEC_RTP,
		[CFG_MEDIA_SRTP]  = RELAY_SEC_SRTP,
	};
	struct oa *oa;
	uint64_t id;
	int err;

	if (!oap || !relay || !iface || !media)
		return EINVAL;

	oa = oa_new(relay, keys);
	if (!oa)
		return ENOMEM;

	err = um_rand_u64(&id);
	if (err) {
		mem_deref(oa);
		return err;
	}
	(void)re_snprintf(oa->id, sizeof(oa->id), "um%016llx",
			  (unsigned long long)id);
	for (int s = 0; s < 2; s++) {
		str_ncpy(oa->iface[s], iface[s], sizeof(oa->iface[s]));
		oa->sec[s] = sec[media[s] <= CFG_MEDIA_SRTP ? media[s] : 0];
	}

	*oap = oa;

	return 0;
}


/* An SDP's lines but its a=crypto lines (SDES keys are not stored) */
static struct mbuf *sdp_keyless(const struct mbuf *sdp)
{
	struct mbuf *out = mbuf_alloc(sdp->end + 1);
	struct pl rest = {(const char *)sdp->buf, sdp->end};

	while (out && rest.l) {
		const char *nl = pl_strchr(&rest, '\n');
		const size_t n = nl ? (size_t)(nl - rest.p) + 1 : rest.l;

		if (n < 9 || strncmp(rest.p, "a=crypto:", 9))
			(void)mbuf_write_mem(out, (const uint8_t *)rest.p, n);
		pl_advance(&rest, n);
	}

	return out;
}


/* One side's stored SDP (without keys unless asked) and o= line */
static int side_export(struct mbuf *mb, const struct oa *oa, int s,
		       bool keys)
{
	static const char *sent[] = {"sent0", "sent1"};
	static const char *orig[] = {"o0", "o1"};
	struct mbuf *sdp;
	int err;

	err = benc_enc_kv_str(mb, orig[s], oa->origin[s]);
	if (!oa->sent[s])
		return err;

	sdp = keys ? mem_ref((void *)oa->sent[s]) : sdp_keyless(oa->sent[s]);
	if (!sdp)
		return ENOMEM;

	err |= benc_enc_cstr(mb, sent[s]);
	err |= benc_enc_str(mb, &(struct pl){(const char *)sdp->buf,
					     sdp->end});
	mem_deref(sdp);

	return err;
}


/**
 * Write a call's offer/answer state as a bencode dictionary (no re-offer
 * in flight: a confirmed call's)
 *
 * @param mb   Buffer
 * @param oa   State
 * @param keys The SDP sent keeps its a=crypto lines (ha_store_keys)
 *
 * @return 0 if success, otherwise errorcode
 */
int oa_export(struct mbuf *mb, const struct oa *oa, bool keys)
{
	int err;

	if (!mb || !oa)
		return EINVAL;

	err  = benc_enc_dict_begin(mb);
	err |= benc_enc_kv_str(mb, "id", oa->id);
	err |= benc_enc_kv_str(mb, "if0", oa->iface[0]);
	err |= benc_enc_kv_str(mb, "if1", oa->iface[1]);
	err |= benc_enc_kv_int(mb, "sec0", oa->sec[0]);
	err |= benc_enc_kv_int(mb, "sec1", oa->sec[1]);
	err |= benc_enc_kv_int(mb, "first", oa->first);
	err |= side_export(mb, oa, 0, keys);
	err |= side_export(mb, oa, 1, keys);
	err |= benc_enc_end(mb);

	return err;
}


static int side_restore(struct oa *oa, const struct benc *d, int s)
{
	static const char *sent[] = {"sent0", "sent1"};
	static const char *orig[] = {"o0", "o1"};
	struct pl pl;
	int err;

	err = benc_dict_str(d, orig[s], &pl);
	if (err || pl.l >= sizeof(oa->origin[s]))
		return err ? err : EBADMSG;

	(void)pl_strcpy(&pl, oa->origin[s], sizeof(oa->origin[s]));
	if (benc_dict_str(d, sent[s], &pl))
		return 0;

	oa->sent[s] = mbuf_alloc(pl.l);
	if (!oa->sent[s])
		return ENOMEM;

	return mbuf_write_pl(oa->sent[s], &pl);
}


static int name_take(char *buf, size_t sz, const struct benc *d,
		     const char *key)
{
	struct pl pl;
	int err = benc_dict_str(d, key, &pl);

	if (!err && pl.l >= sz)
		err = EBADMSG;
	if (!err)
		(void)pl_strcpy(&pl, buf, sz);

	return err;
}


/**
 * Make a call's offer/answer state again from what oa_export() wrote;
 * its relay call (by the stored id) must exist: it is deleted with the
 * state
 *
 * @param oap   Pointer to the state
 * @param relay The relay
 * @param keys  Token keyring (referenced), or NULL
 * @param d     The dictionary
 *
 * @return 0 if success, otherwise errorcode
 */
int oa_restore(struct oa **oap, struct relay *relay, struct tok_keyring *keys,
	       const struct benc *d)
{
	struct oa *oa;
	int64_t sec0 = 0, sec1 = 0, first = SIDE_NONE;
	int err;

	if (!oap || !relay || !d)
		return EINVAL;

	oa = oa_new(relay, keys);
	if (!oa)
		return ENOMEM;

	err  = name_take(oa->id, sizeof(oa->id), d, "id");
	err |= name_take(oa->iface[0], sizeof(oa->iface[0]), d, "if0");
	err |= name_take(oa->iface[1], sizeof(oa->iface[1]), d, "if1");
	err |= benc_dict_int(d, "sec0", &sec0);
	err |= benc_dict_int(d, "sec1", &sec1);
	err |= benc_dict_int(d, "first", &first);
	err |= side_restore(oa, d, 0);
	err |= side_restore(oa, d, 1);
	if (!err && (sec0 < 0 || sec0 > RELAY_SEC_SRTP || sec1 < 0 ||
		     sec1 > RELAY_SEC_SRTP || first < SIDE_NONE || first > 1))
		err = EBADMSG;
	if (err) {
		oa->id[0] = '\0';          /* not ours to delete */
		mem_deref(oa);
		return err;
	}

	oa->sec[0] = (enum relay_sec)sec0;
	oa->sec[1] = (enum relay_sec)sec1;
	oa->first = (int)first;
	*oap = oa;

	return 0;
}


/** @return the relay's name for the call */
const char *oa_id(const struct oa *oa)
{
	return oa ? oa->id : "";
}


/** @return true if the message carries an SDP body */
bool oa_has_sdp(const struct sip_msg *msg)
{
	return msg && mbuf_get_left(msg->mb) > 0 &&
		msg_ctype_cmp(&msg->ctyp, "application", "sdp");
}


static const char *side_tag(int side)
{
	return side == B2B_EXT ? "ext" : "int";
}


static void token_add(const struct oa *oa, struct relay_req *req,
		      char *token, size_t sz)
{
	char scope[OA_ID_MAX + 8];

	if (!tok_keyring_signer(oa->keys))
		return;

	(void)re_snprintf(scope, sizeof(scope), "relay:%s", oa->id);
	if (!tok_issue(token, sz, oa->keys, scope,
		       (uint64_t)time(NULL) + TOKEN_TTL))
		pl_set_str(&req->token, token);
}


/* The o= line of an SDP, "" if none or too long */
static void origin_get(char *buf, size_t sz, const struct mbuf *mb)
{
	struct pl o;

	buf[0] = '\0';
	if (re_regex((const char *)mbuf_buf(mb), mbuf_get_left(mb),
		     "\no=[^\r\n]+", &o) ||
	    o.l >= sz)
		return;

	(void)pl_strcpy(&o, buf, sz);
}


/* What went through: the o= line received from one side, a copy of
 * what the other side gets */
static void note(struct oa *oa, enum b2b_side from,
		 const struct sip_msg *msg, const struct mbuf *out)
{
	struct mbuf *copy = mbuf_alloc(out->end);

	origin_get(oa->origin[from], sizeof(oa->origin[from]), msg->mb);
	if (copy && mbuf_write_mem(copy, out->buf, out->end))
		copy = mem_deref(copy);

	mem_deref(oa->sent[!from]);
	oa->sent[!from] = copy;
}


/**
 * The SDP umedge last sent a side
 *
 * @param oa Offer/answer state
 * @param to The side
 *
 * @return the SDP, NULL if none
 */
const struct mbuf *oa_sent(const struct oa *oa, enum b2b_side to)
{
	return oa ? oa->sent[to] : NULL;
}


/**
 * Whether a message repeats the SDP a side last sent: the same o= line,
 * version and all (a session refresh, not a new offer)
 *
 * @param oa   Offer/answer state
 * @param from The side it came from
 * @param msg  The message
 *
 * @return true if it carries SDP with the same o= line
 */
bool oa_same_origin(const struct oa *oa, enum b2b_side from,
		    const struct sip_msg *msg)
{
	char o[ORIGIN_MAX];

	if (!oa || !oa_has_sdp(msg) || !oa->origin[from][0])
		return false;

	origin_get(o, sizeof(o), msg->mb);

	return !strcmp(o, oa->origin[from]);
}


/**
 * Put an SDP through the relay
 *
 * @param oa    Offer/answer state
 * @param from  Side the SDP came from
 * @param offer Offer (true) or answer
 * @param msg   Message carrying it
 * @param outp  The SDP for the other side (replaced)
 *
 * @return 0 if success, otherwise errorcode
 */
int oa_sdp(struct oa *oa, enum b2b_side from, bool offer,
	   const struct sip_msg *msg, struct mbuf **outp)
{
	char token[256] = "";
	struct relay_req req;
	struct mbuf *out;
	const char *why = NULL;
	int err;

	if (!oa || !msg || !outp)
		return EINVAL;

	memset(&req, 0, sizeof(req));
	pl_set_str(&req.callid, oa->id);
	pl_set_str(&req.from_tag, side_tag(offer ? from : !from));
	if (!offer)
		pl_set_str(&req.to_tag, side_tag(from));
	pl_set_mbuf(&req.sdp, msg->mb);
	pl_set_str(&req.dir[0], oa->iface[from]);
	pl_set_str(&req.dir[1], oa->iface[!from]);
	req.sec[0] = oa->sec[from];
	req.sec[1] = oa->sec[!from];
	req.replace_origin = true;
	req.replace_session_conn = true;
	req.ssrc_remove = true;   /* topology: cname:user@host */

	if (offer)
		token_add(oa, &req, token, sizeof(token));

	out = mbuf_alloc(msg->mb->end + 256);
	if (!out)
		return ENOMEM;

	err = offer ? relay_offer(oa->relay, &req, out, &why) :
		relay_answer(oa->relay, &req, out, &why);
	oa->why = err ? why : NULL;
	if (err) {
		DEBUG_WARNING("%s: relay refused the %s: %s\n", oa->id,
			      offer ? "offer" : "answer", why ? why : "?");
		mem_deref(out);
		return err;
	}

	if (offer && oa->first == SIDE_NONE)
		oa->first = from;

	note(oa, from, msg, out);
	mem_deref(*outp);
	*outp = out;

	return 0;
}


/**
 * Play a DTMF digit to one side as RFC 4733 events
 *
 * @param oa     Offer/answer state
 * @param to     The side that hears it
 * @param digit  '0'-'9', '*', '#', 'A'-'D'
 * @param dur_ms Its duration
 *
 * @return 0 if success, ENOTSUP if that side has no telephone-event,
 *         otherwise errorcode
 */
int oa_dtmf(const struct oa *oa, enum b2b_side to, char digit,
	    uint32_t dur_ms)
{
	struct pl id, tag;

	if (!oa)
		return EINVAL;

	pl_set_str(&id, oa->id);
	pl_set_str(&tag, side_tag(to));

	return relay_dtmf(oa->relay, &id, &tag, digit, dur_ms);
}


/**
 * Why the relay refused the last SDP
 *
 * @param oa Offer/answer state
 *
 * @return the reason, "" if it was not refused
 */
const char *oa_why(const struct oa *oa)
{
	return oa && oa->why ? oa->why : "";
}


/**
 * The status for an SDP the relay refused: 488 for what the SDP asks
 * (media security the leg may not use, a malformed SDP), 503 for the
 * relay's own trouble (ports, memory, tokens)
 *
 * @param err What oa_sdp() returned
 *
 * @return 488 or 503
 */
uint16_t oa_scode(int err)
{
	switch (err) {

	case EPROTO:
	case EBADMSG:
	case E2BIG:
	case EMSGSIZE:
	case EAFNOSUPPORT:
	case EINVAL:
		return 488;

	default:
		return 503;
	}
}


/**
 * The side whose offer made the relay call: the relay's side 0
 *
 * @param oa Offer/answer state
 *
 * @return the side, or -1 before the first offer
 */
int oa_first(const struct oa *oa)
{
	return oa ? oa->first : SIDE_NONE;
}


/**
 * The re-key offer to a side whose SRTP keys were not stored (a call
 * made again without ha_store_keys): the SDP last sent it, with new
 * keys of ours; kept as the SDP sent that side
 *
 * @param oa   Offer/answer state
 * @param to   The side
 * @param outp The offer (a new buffer)
 *
 * @return 0 if success, ENOENT if that side has nothing to re-key,
 *         otherwise errorcode
 */
int oa_rekey_offer(struct oa *oa, enum b2b_side to, struct mbuf **outp)
{
	struct mbuf *out;
	int err;

	if (!oa || !outp)
		return EINVAL;
	if (!oa->sent[to])
		return ENOENT;

	out = mbuf_alloc(oa->sent[to]->end + 256);
	if (!out)
		return ENOMEM;

	err = relay_rekey_offer(oa->relay, oa->id, side_tag(to),
				oa->sent[to], out);
	if (err) {
		mem_deref(out);
		return err;
	}

	mem_deref(oa->sent[to]);
	oa->sent[to] = mem_ref(out);
	*outp = out;

	return 0;
}


/**
 * The answer to a re-key offer: the side forwards again
 *
 * @param oa   Offer/answer state
 * @param from The side that answered
 * @param msg  Its 2xx
 *
 * @return 0 if success, otherwise errorcode (oa_why() says why)
 */
int oa_rekey_answer(struct oa *oa, enum b2b_side from,
		    const struct sip_msg *msg)
{
	struct pl sdp;
	int err;

	if (!oa || !msg)
		return EINVAL;

	oa->why = "the re-key answer has no SDP";
	if (!oa_has_sdp(msg))
		return EPROTO;

	pl_set_mbuf(&sdp, msg->mb);
	err = relay_rekey_answer(oa->relay, oa->id, side_tag(from), &sdp,
				 &oa->why);
	if (!err)
		origin_get(oa->origin[from], sizeof(oa->origin[from]),
			   msg->mb);

	return err;
}


/**
 * Start a re-offer; one at a time per call
 *
 * @param oa Offer/answer state
 *
 * @return false if one is in flight already (glare: 491)
 */
bool oa_offer_begin(struct oa *oa)
{
	if (!oa || oa->offering)
		return false;

	oa->offering = true;

	return true;
}


/** The re-offer in flight is answered or failed */
void oa_offer_done(struct oa *oa)
{
	if (oa)
		oa->offering = false;
}


/**
 * A 2xx from a side offered (the request had no SDP): our ACK to that
 * side waits for the answer in the other side's ACK
 *
 * @param oa   Offer/answer state
 * @param side The side whose 2xx offered
 */
void oa_ack_defer(struct oa *oa, enum b2b_side side)
{
	if (oa)
		oa->ack_side = side;
}


/**
 * Take the side whose ACK waits for an answer, if an ACK from the
 * other side brings it
 *
 * @param oa   Offer/answer state
 * @param from Side the ACK came from
 * @param sidep The side waiting (set when true is returned)
 *
 * @return true if an ACK was waiting for this one; it no longer is
 */
bool oa_ack_take(struct oa *oa, enum b2b_side from, enum b2b_side *sidep)
{
	if (!oa || oa->ack_side == SIDE_NONE || oa->ack_side == (int)from)
		return false;

	*sidep = (enum b2b_side)oa->ack_side;
	oa->ack_side = SIDE_NONE;

	return true;
}


/**
 * Take the side whose ACK waits, whatever comes: the call ends
 *
 * @param oa    Offer/answer state
 * @param side  The side the caller is about to end
 *
 * @return true if that side's ACK was waiting; it no longer is
 */
bool oa_ack_cancel(struct oa *oa, enum b2b_side side)
{
	if (!oa || oa->ack_side != (int)side)
		return false;

	oa->ack_side = SIDE_NONE;

	return true;
}
