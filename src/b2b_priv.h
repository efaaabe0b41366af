/**
 * @file b2b_priv.h  SIP B2BUA internals: the object model
 *
 *   b2b                          main thread
 *    ├─ sip[B2B_EXT], sip[B2B_INT]   one libre SIP stack per side: a
 *    │                               message of one side can only ever
 *    │                               carry that side's addresses
 *    ├─ umhosts                  UM hosts, OPTIONS probes
 *    ├─ gate                     trusted gateways, rate limit
 *    ├─ cdr                      call records
 *    └─ calls (list), legs (hash by Call-ID)
 *        bcall                   one call through the edge
 *         ├─ leg[B2B_EXT]        the gateway's dialog (UAS for the INVITE)
 *         └─ leg[B2B_INT]        the UM host's dialog (UAC), a new one
 *                                for every redirect hop
 *
 * Everything here lives in the main thread. The relay is driven through
 * its C API (relay.h); its call is named by bcall.id, which neither
 * side ever sees.
 */

struct relay;
struct umhosts;
struct gate;
struct bcall;

#include "dtq.h"

/** The two sides */
enum b2b_side {
	B2B_EXT = 0,   /**< Gateways, PBXs, trunks          */
	B2B_INT = 1,   /**< The UM hosts                    */
};

/** The methods umedge takes, for Allow */
#define B2B_ALLOW \
	"INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, REFER, NOTIFY"

enum {
	B2B_OK_STEPS = 4,     /**< 2xx retransmit: T1, 2T1, 4T1, T2 */
	B2B_NORESP_MS = 4000, /**< No response at all: next host   */
	B2B_URI_MAX  = 512,   /**< Longest URI kept              */
	B2B_NAME_MAX = 128,   /**< Longest display name kept     */
	B2B_TAG_MAX  = 64,    /**< Longest tag kept              */
};

/** Counters for umedgectl status */
struct b2b_stats {
	uint64_t calls;        /**< INVITEs that made a call           */
	uint64_t answered;     /**< Calls answered                     */
	uint64_t failed;       /**< Calls that ended before an answer  */
	uint64_t redirects;    /**< 3xx hops followed                  */
	uint64_t refused_3xx;  /**< 3xx targets refused                */
	uint64_t forbidden;    /**< 403: untrusted sources             */
	uint64_t limited;      /**< 503: rate limit                    */
	uint64_t malformed;    /**< 4xx/5xx from sipguard              */
};

/** The B2BUA */
struct b2b {
	const struct cfg *cfg;            /**< Configuration (referenced)  */
	struct relay *relay;              /**< Media relay                 */
	struct dnsc *dnsc;                /**< Resolver for UM host names  */
	struct sip *sip[2];               /**< Stack per side              */
	struct sip_lsnr *lsnr[2];         /**< Request listener per side   */
	struct tls *tls[2];               /**< TLS context per side        */
	char iface[2][CFG_NAME_MAX];      /**< Relay interface per side    */
	struct sa laddr[2];               /**< Our address per side        */
	struct umhosts *hosts;            /**< UM hosts                    */
	struct gate *gate;                /**< Who may send calls          */
	struct list raw;                  /**< struct sipraw per UDP outside */
	struct list calls;                /**< struct bcall                */
	struct hash *legs;                /**< struct leg by Call-ID       */
	struct dtq q_noresp;              /**< INVITEs without an answer   */
	struct dtq q_ok[B2B_OK_STEPS];    /**< 2xx retransmission steps    */
	struct b2b_stats st;              /**< Counters                    */
};

/** A message body and its type */
struct body {
	const char *ctype;          /**< Content-Type, NULL for SDP      */
	const struct mbuf *mb;      /**< Body, NULL or empty for none    */
};

/** One dialog of a call */
struct leg {
	struct le he;               /**< Member of b2b.legs by Call-ID   */
	struct b2b *b2b;            /**< The B2BUA                       */
	struct bcall *call;         /**< Owner                           */
	enum b2b_side side;         /**< Which stack                     */
	struct sip_dialog *dlg;     /**< Dialog state (libre)            */
	char callid[B2B_URI_MAX];   /**< Its Call-ID (hash key)          */
	char ltag[B2B_TAG_MAX];     /**< Our tag                         */
	char rtag[B2B_TAG_MAX];     /**< The peer's tag, "" until known  */
	const char *to_name;        /**< To display name of a new dialog
					 (libre writes none), or NULL    */
	struct sip_request *req;    /**< Our pending INVITE (UAC leg)    */
	uint32_t invite_cseq;       /**< Its CSeq, for ACK               */
	struct sip_strans *st;      /**< Its pending INVITE (UAS leg)    */
	const struct sip_msg *msg;  /**< That INVITE (referenced)        */
	struct mbuf *ok;            /**< Our 2xx, retransmitted on UDP   */
	const struct sip_msg *ok_msg; /**< The INVITE it answers         */
	struct dte ok_t;            /**< 2xx retransmission (RFC 3261
					 §13.3.1.4), in b2b.q_ok         */
	unsigned ok_step;           /**< Its step: b2b.q_ok[ok_step]     */
	uint32_t ok_total;          /**< Time spent retransmitting       */
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

/* b2b.c */
struct leg *b2b_leg_find(const struct b2b *b2b, const struct sip_msg *msg);
struct leg *b2b_leg_lookup(const struct b2b *b2b, const struct pl *callid);
void b2b_leg_link(struct b2b *b2b, struct leg *leg);

/* leg.c */
int  leg_alloc(struct leg **legp, struct b2b *b2b, struct bcall *call,
		enum b2b_side side);
int  leg_accept(struct leg *leg, struct sip *sip, const struct sip_msg *msg,
		sip_cancel_h *cancelh, void *arg);
int  leg_respond(struct leg *leg, struct sip_strans **stp,
		 const struct sip_msg *msg, uint16_t scode, const char *reason,
		 const char *hdrs, const struct body *body);
int  leg_reply(struct leg *leg, uint16_t scode, const char *reason,
	       const struct mbuf *sdp);
void leg_ack_received(struct leg *leg);
int  leg_request(struct leg *leg, const char *met, uint32_t maxfwd,
		 const char *hdrs, const struct body *body,
		 sip_resp_h *resph, void *arg, struct sip_request **reqp);
int  leg_ack(struct leg *leg, const struct body *body);

/* bcall.c */
int  bcall_invite(struct b2b *b2b, const struct sip_msg *msg);
void bcall_request(struct bcall *call, struct leg *leg,
		   const struct sip_msg *msg);
void bcall_media_timeout(struct b2b *b2b, const char *id);
void bcall_noack(struct bcall *call);
struct leg *bcall_leg(const struct bcall *call, enum b2b_side side);
bool bcall_has_sdp(const struct sip_msg *msg);
int  bcall_sdp(struct bcall *call, enum b2b_side from, bool offer,
	       const struct sip_msg *msg, struct mbuf **outp);
bool bcall_offer_begin(struct bcall *call);
void bcall_ack_defer(struct bcall *call, struct leg *leg);
void bcall_offer_done(struct bcall *call);

/* xreq.c */
void xreq_relay(struct bcall *call, struct leg *leg,
		const struct sip_msg *msg, struct list *xreqs);
void xreq_abort_all(struct list *xreqs);
int  bcall_print(struct re_printf *pf, const struct bcall *call);
