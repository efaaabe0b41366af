/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file b2b_priv.h  SIP B2BUA internals: the object model
 *
 *   b2b                          main thread
 *    ├─ sip[B2B_EXT], sip[B2B_INT]   one libre SIP stack per side: a
 *    │                               message of one side can only ever
 *    │                               carry that side's addresses
 *    ├─ umhosts, gwsets          host sets (hset.h): UM hosts, gateways
 *    ├─ gate                     trusted gateways, rate limit
 *    ├─ cdr                      call records
 *    └─ calls (list), legs (hash by Call-ID)
 *        bcall                   one call through the edge, either way
 *         ├─ oa                  its SDP offer/answer and relay call
 *         ├─ leg[caller's side]  the caller's dialog (UAS of the INVITE)
 *         ├─ leg[other side]     the callee's dialog (UAC), a new one
 *         │                      for every redirect hop or failover
 *         └─ xfer                a transfer the edge makes for UM's
 *                                REFER (refer=local): the target's
 *                                leg and relay call until they take
 *                                UM's place (xfer.c)
 *
 * Everything here lives in the main thread. The relay is driven through
 * its C API (relay.h); its call is named by bcall.id, which neither
 * side ever sees.
 */

struct relay;
struct hset;
struct gate;
struct bcall;
struct oa;
struct passhdr_policy;
struct leg;
struct lreq;
struct uacauth;
struct tok_keyring;
struct cfg_host;
struct stimer;

#include "b2b.h"
#include "sipguard.h"
#include "dtq.h"
#include "sipconn.h"
#include "sipstream.h"
#include "siptp.h"

/** The two sides */
enum b2b_side {
	B2B_EXT = 0,   /**< Gateways, PBXs, trunks          */
	B2B_INT = 1,   /**< The UM hosts                    */
};

/** The methods umedge takes, for Allow */
#define B2B_ALLOW \
	"INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, REFER, NOTIFY, " \
	"PRACK"

enum {
	B2B_OK_STEPS = 4,     /**< 2xx retransmit: T1, 2T1, 4T1, T2 */
	B2B_NORESP_MS = 4000, /**< No response at all: next host   */
	B2B_SETUP_STORE_MS = 500, /**< A call in setup this long is
				       stored (bsetup.c)          */
	B2B_URI_MAX  = 512,   /**< Longest URI kept              */
	B2B_NAME_MAX = 128,   /**< Longest display name kept     */
	B2B_TAG_MAX  = 64,    /**< Longest tag of ours           */
	OA_ID_MAX    = 24,    /**< "um" + 16 hex digits + NUL    */
};

/** Per-code counts of failed calls: the codes kept, the rest "other" */
enum { B2B_NCODES = 16 };

/** Why calls end, for per-cause counts (b2b_cause_index()) */
enum b2b_cause {
	B2B_CAUSE_BYE_OUTSIDE = 0,  /**< BYE from the outside leg       */
	B2B_CAUSE_BYE_INSIDE,       /**< BYE from the inside leg        */
	B2B_CAUSE_CANCELLED,        /**< CANCEL before an answer        */
	B2B_CAUSE_FAILED,           /**< No answer: a final error       */
	B2B_CAUSE_SESSION_EXPIRED,  /**< No session refresh             */
	B2B_CAUSE_MEDIA_TIMEOUT,    /**< No media                       */
	B2B_CAUSE_NO_ACK,           /**< The 2xx was never ACKed        */
	B2B_CAUSE_OTHER,            /**< Anything else after an answer  */
	B2B_NCAUSES
};

/** Counters for umedgectl status and /metrics */
struct b2b_stats {
	uint64_t dir_calls[2];    /**< Calls by the caller's side      */
	uint64_t dir_answered[2]; /**< Answered, by the caller's side  */
	uint64_t failed_code[2][B2B_NCODES]; /**< Failed: side, code   */
	uint64_t guard[2][SIPGUARD_RULE_N];  /**< Refused: side, rule  */
	uint64_t ended[2][B2B_NCAUSES];      /**< Ended: side, cause   */
	uint64_t drained;      /**< 503: new calls while draining      */
	uint64_t calls;        /**< INVITEs that made a call           */
	uint64_t answered;     /**< Calls answered                     */
	uint64_t failed;       /**< Calls that ended before an answer  */
	uint64_t redirects;    /**< 3xx hops followed                  */
	uint64_t refused_3xx;  /**< 3xx targets refused                */
	uint64_t forbidden;    /**< 403: untrusted sources             */
	uint64_t limited;      /**< 503: rate limit                    */
	uint64_t in_limited;   /**< 503: over a limit on calls in      */
	uint64_t malformed;    /**< 4xx/5xx from sipguard              */
	uint64_t out_calls;    /**< UM's calls out admitted            */
	uint64_t out_refused;  /**< 403: number not allowed            */
	uint64_t out_limited;  /**< 503: over a source's limit         */
	uint64_t out_noroute;  /**< 404: no route for the number       */
	uint64_t out_bad;      /**< 4xx: no number, host, loop         */
	uint64_t xfers;        /**< Transfers the edge made (xfer.c)   */
	uint64_t xfers_failed; /**< Of those, failed                   */
	uint64_t info_dtmf;    /**< INFO digits played as RFC 4733     */
	uint64_t divhi_made;   /**< Diversion / History-Info derived   */
	uint64_t divhi_both;   /**< ...skipped: both headers came      */
	uint64_t divhi_none;   /**< ...skipped: nothing to derive      */
	uint64_t st_refresh;   /**< Session refreshes the edge sent    */
	uint64_t st_expired;   /**< Calls ended: session expired       */
	uint64_t restored;     /**< Calls made again (restart, takeover) */
	uint64_t rekeyed;      /**< SRTP legs re-keyed after a restore */
	uint64_t rekey_failed; /**< ...and calls ended: it failed      */
};

/** The B2BUA */
struct b2b {
	const struct cfg *cfg;            /**< Configuration (referenced)  */
	struct relay *relay;              /**< Media relay                 */
	struct dnsc *dnsc;                /**< Resolver for UM host names  */
	struct hep *hep;                  /**< HEP capture, or NULL        */
	struct sip *sip[2];               /**< Stack per side              */
	struct siptp *tp[2];              /**< Transport per side: libre's
					       stack, own streams          */
	struct sipstream_prm slim;        /**< Own streams' limits         */
	struct sip_lsnr *lsnr[2];         /**< Request listener per side   */
	struct sip_lsnr *rlsnr[2];        /**< Stray responses per side    */
	struct tls *tls[2];               /**< TLS context per side        */
	char iface[2][CFG_NAME_MAX];      /**< Relay interface per side    */
	struct sa laddr[2];               /**< Our address per side        */
	struct hset *umhosts;             /**< UM hosts                    */
	struct list gwsets;               /**< struct hset: gateway sets   */
	struct gate *gate;                /**< Who may send calls          */
	struct srclim *srclim;            /**< UM's calls out, per source  */
	struct inlim *inlim;              /**< Gateways' calls in at once  */
	struct list raw;                  /**< struct sipraw per UDP outside */
	struct list calls;                /**< struct bcall                */
	struct hash *callids;             /**< struct bcall by relay id    */
	struct list lreqs;                /**< struct lreq: requests in
					       flight on the legs          */
	struct hash *legs;                /**< struct leg by Call-ID       */
	struct dtq q_noresp;              /**< INVITEs without an answer   */
	struct dtq q_ok[B2B_OK_STEPS];    /**< 2xx retransmission steps    */
	struct dtq q_setup;               /**< Calls in setup to be stored */
	struct b2b_stats st;              /**< Counters                    */
	b2b_change_h *changeh;            /**< Stored state changed, or NULL */
	void *change_arg;                 /**< Its argument                */
	bool draining;                    /**< New calls get 503           */
};

/* b2bstate.c */
void b2b_call_changed(const struct b2b *b2b, const char *id);

/** A message body and its type */
struct body {
	const char *ctype;          /**< Content-Type, NULL for SDP      */
	const struct mbuf *mb;      /**< Body, NULL or empty for none    */
};

/**
 * A request came in a leg's dialog
 *
 * @param leg The leg
 * @param msg The request
 * @param arg Handler argument
 */
typedef void (leg_req_h)(struct leg *leg, const struct sip_msg *msg,
			 void *arg);

/**
 * The leg's 2xx was never ACKed
 *
 * @param leg The leg
 * @param arg Handler argument
 */
typedef void (leg_noack_h)(struct leg *leg, void *arg);

/** One dialog of a call */
struct leg {
	struct le he;               /**< Member of b2b.legs by Call-ID   */
	struct b2b *b2b;            /**< The B2BUA                       */
	enum b2b_side side;         /**< Which stack                     */
	int slot;                   /**< Its place in its call: the side
					 of the relay call (oa.c) and of
					 bcall.leg[]; its stack's side
					 but for a transfer's target,
					 outside in the inside's place   */
	leg_req_h *reqh;            /**< Requests in the dialog          */
	leg_noack_h *noackh;        /**< Our 2xx was never ACKed         */
	void *arg;                  /**< Handlers' argument (the owner)  */
	struct leg *peer;           /**< The call's other leg, or NULL   */
	struct sa raddr;            /**< The peer's address: source of
					 its INVITE or of its response   */
	struct sip_dialog *dlg;     /**< Dialog state (libre)            */
	char *callid;               /**< Its Call-ID (hash key), whole   */
	char *linkid;               /**< The call's link id: the Call-ID
					 of the leg it was paired with
					 first (the caller's), or NULL   */
	char ltag[B2B_TAG_MAX];     /**< Our tag                         */
	char *rtag;                 /**< The peer's tag, whole; NULL
					 until known                     */
	const char *to_name;        /**< To display name of a new dialog
					 (libre writes none), or NULL    */
	struct uacauth *auth;       /**< Credentials for the peer's
					 challenges, or NULL             */
	uint32_t invite_cseq;       /**< Its CSeq, for ACK               */
	uint32_t cseq_add;          /**< Added to libre's CSeq numbers: a
					 restored dialog goes on from the
					 stored ones (legstate.c), else 0 */
	struct siptp_st *st;        /**< Its pending INVITE (UAS leg)    */
	const struct sip_msg *msg;  /**< That INVITE (referenced)        */
	struct mbuf *ok;            /**< Our 2xx, retransmitted on UDP   */
	struct mbuf *ack_sdp;       /**< The answer our ACK carried, for
					 the ACK of a retransmitted 2xx  */
	const struct sip_msg *ok_msg; /**< The INVITE it answers         */
	struct dte ok_t;            /**< 2xx retransmission (RFC 3261
					 §13.3.1.4), in b2b.q_ok         */
	unsigned ok_step;           /**< Its step: b2b.q_ok[ok_step]     */
	uint32_t ok_total;          /**< Time spent retransmitting       */
	struct prack *rel;          /**< Reliable 1xx state (prack.c), or
					 NULL                            */
	struct stimer *stimer;      /**< Its session timer, or NULL
					 (stimer.h)                      */
	bool early;                 /**< Dialog made by a 1xx            */
	bool confirmed;             /**< 2xx sent/received and ACKed     */
};

/** Call states */
enum bcall_state {
	BCALL_TRYING = 0,   /**< INVITE sent inside, nothing back    */
	BCALL_EARLY,        /**< A 1xx came back                     */
	BCALL_ANSWERED,     /**< 2xx relayed, the gateway's ACK due  */
	BCALL_CONFIRMED,    /**< Both legs up                        */
	BCALL_CLOSING,      /**< Ending; waits for transactions     */
};

/* leg.c */
int  leg_alloc(struct leg **legp, struct b2b *b2b, enum b2b_side side,
	       leg_req_h *reqh, leg_noack_h *noackh, void *arg);
struct leg *leg_find(const struct b2b *b2b, const struct sip_msg *msg);
struct leg *leg_lookup(const struct b2b *b2b, const struct pl *callid);
const char *leg_link_id(const struct leg *leg);
bool leg_cancel_foreign(const struct b2b *b2b, const struct sip_msg *msg);
bool leg_ok_again(const struct b2b *b2b, const struct sip_msg *msg);
void leg_link(struct leg *leg);
void leg_pair(struct leg *a, struct leg *b);
void leg_owner_set(struct leg *leg, leg_req_h *reqh, leg_noack_h *noackh,
		   void *arg);
int  leg_dial(struct leg *leg, const char *uri, const char *to,
	      const char *from_user, const char *from_name);
void leg_detach(struct leg *leg);
void leg_recv(struct leg *leg, const struct sip_msg *msg);
void leg_cred_set(struct leg *leg, struct uacauth *auth);
int  leg_rtag_learn(struct leg *leg, const struct pl *tag);
int  leg_accept(struct leg *leg, struct siptp *tp,
		const struct sip_msg *msg, sip_cancel_h *cancelh, void *arg);
void leg_answer(struct leg *leg, const struct sip_msg *msg, uint16_t scode,
		const char *reason, const char *why);
int  leg_answer_hdrs(struct leg *leg, const struct sip_msg *msg,
		     uint16_t scode, const char *reason, const char *hdrs,
		     const struct body *body);
int  leg_respond(struct leg *leg, struct siptp_st **stp,
		 const struct sip_msg *msg, uint16_t scode, const char *reason,
		 const char *hdrs, const struct body *body);
int  leg_reply(struct leg *leg, uint16_t scode, const char *reason,
	       const struct mbuf *sdp);
int  leg_provisional(struct leg *leg, uint16_t scode, const char *reason,
		     const char *hdrs, const struct mbuf *sdp,
		     struct mbuf **mbp);
void leg_resend(struct leg *leg, const struct sip_msg *msg,
		struct mbuf *mb);
const char *leg_supported(const struct cfg *cfg, bool rel);
int  leg_reply_hdrs(struct leg *leg, uint16_t scode, const char *reason,
		    const char *hdrs, const struct mbuf *sdp);
void leg_ack_received(struct leg *leg);
void leg_ok_start(struct leg *leg, struct mbuf *mb,
		  const struct sip_msg *msg);
int  leg_send(struct leg *leg, const char *met, uint32_t maxfwd,
	      const char *hdrs, const struct body *body,
	      sip_resp_h *resph, void *arg, struct siptp_req **reqp);
int  leg_auth_write(struct mbuf *mb, struct leg *leg, const char *met);

/* legstate.c */
struct benc;
int  leg_export(struct mbuf *mb, struct leg *leg, bool ok);
int  leg_restore(struct leg *leg, const struct benc *d);
struct stimer_neg;
int  leg_stimer_read(const struct benc *d, struct stimer_neg *neg,
		     bool *update);

/* legok.c */
bool leg_ok_storable(const struct leg *leg, bool keys);
int  leg_ok_export(struct mbuf *mb, const struct leg *leg);
int  leg_ok_restore(struct leg *leg, const struct benc *d);

/* legsetup.c */
struct pl leg_msg_head(const struct mbuf *mb);
int  leg_setup_export(struct mbuf *mb, const struct leg *leg,
		      const struct lreq *ireq);
int  leg_setup_end(struct leg *leg, const struct benc *d, bool uas);

/**
 * A final response to a request of ours that may be answered by
 * sending it again (lreq.c)
 *
 * @param msg   The response
 * @param hdrsp The request's header lines: the handler may replace them
 * @param arg   Handler argument
 *
 * @return true to send the request again
 */
typedef bool (lreq_retry_h)(const struct sip_msg *msg, char **hdrsp,
			    void *arg);

/* lreq.c */
int  lreq_send(struct leg *leg, const char *met, uint32_t maxfwd,
	       const char *hdrs, const struct body *body, sip_resp_h *resph,
	       void *arg, struct lreq **lreqp);
void lreq_retry_set(struct lreq *lr, lreq_retry_h *retryh, void *arg);
void lreq_cancel(struct lreq *lr);
const struct mbuf *lreq_sent(const struct lreq *lr, enum sip_transp *t,
			     struct sa *dst);
const struct leg *lreq_leg(const struct b2b *b2b, const struct pl *callid);
void lreq_drop(struct lreq **lreqp);
int  leg_ack(struct leg *leg, const struct body *body);
bool leg_ack_again(const struct b2b *b2b, const struct sip_msg *msg);

/* oa.c */
int  oa_alloc(struct oa **oap, struct relay *relay, struct tok_keyring *keys,
	      const char iface[2][CFG_NAME_MAX],
	      const enum cfg_media media[2]);
const char *oa_id(const struct oa *oa);
int  oa_export(struct mbuf *mb, const struct oa *oa, bool keys);
int  oa_rekey_offer(struct oa *oa, enum b2b_side to, struct mbuf **outp);
int  oa_rekey_answer(struct oa *oa, enum b2b_side from,
		     const struct sip_msg *msg);
int  oa_restore(struct oa **oap, struct relay *relay,
		struct tok_keyring *keys, const struct benc *d);
const char *oa_why(const struct oa *oa);
int  oa_dtmf(const struct oa *oa, enum b2b_side to, char digit,
	     uint32_t dur_ms);
uint16_t oa_scode(int err);
bool oa_has_sdp(const struct sip_msg *msg);
int  oa_sdp(struct oa *oa, enum b2b_side from, bool offer,
	    const struct sip_msg *msg, struct mbuf **outp);
int  oa_first(const struct oa *oa);
bool oa_offer_begin(struct oa *oa);
void oa_offer_done(struct oa *oa);
void oa_ack_defer(struct oa *oa, enum b2b_side side);
bool oa_ack_take(struct oa *oa, enum b2b_side from, enum b2b_side *sidep);
bool oa_ack_cancel(struct oa *oa, enum b2b_side side);
const struct mbuf *oa_sent(const struct oa *oa, enum b2b_side to);
bool oa_same_origin(const struct oa *oa, enum b2b_side from,
		    const struct sip_msg *msg);

/* xreq.c */
void xreq_relay(struct oa *oa, struct leg *leg, const struct sip_msg *msg,
		const struct passhdr_policy *pol, struct list *xreqs);
void xreq_abort_all(struct list *xreqs);

/** What a new call is made of */
struct bcall_prm {
	enum b2b_side side;        /**< The caller's side                */
	struct hset *hosts;        /**< Where the callee leg goes        */
	const char *user;          /**< Callee's number, NULL: the
				        Request-URI's user               */
	void *slot;                /**< A limit's slot the call holds
				        (srclim.h), or NULL             */
};

/* bcall.c */
int  bcall_invite(struct b2b *b2b, const struct bcall_prm *prm,
		  const struct sip_msg *msg);
void bcall_media_timeout(struct b2b *b2b, const char *id);
int  bcall_print(struct re_printf *pf, const struct bcall *call);
unsigned b2b_code_index(uint16_t scode);
enum b2b_cause b2b_cause_index(const char *cause, bool answered);
struct jsonw;
void bcall_json(struct jsonw *w, const struct bcall *call);


/* b2b.c */
bool b2b_fence_request(const struct sip_msg *msg, void *arg);

/* b2blisten.c */
int  b2b_sides_find(struct b2b *b2b, const struct cfg *cfg);
int  b2b_hosts_check(const struct cfg *cfg, char *msg, size_t sz);
int  b2b_listen_start(struct b2b *b2b, const struct cfg *cfg);

/* b2bhep.c */
int  b2b_hep_start(struct b2b *b2b, const struct cfg *cfg);
void b2b_hep_trace(bool tx, enum sip_transp tp, const struct sa *src,
		   const struct sa *dst, const uint8_t *pkt, size_t len,
		   void *arg);
