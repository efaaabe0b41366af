/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file bcall.h  A call through the edge: what bcall.c, btry.c and
 *                brec.c share
 *
 * A call has a caller's leg (the UAS of the INVITE that made it, on
 * side aside) and a callee's leg (our UAC, on the other side). Calls
 * from a gateway have their caller outside and go to a UM host;
 * calls from UM have their caller inside and go to a gateway set.
 */

enum {
	BCALL_CHAIN_MAX = 1024,   /**< Hosts and 3xx targets, for CDR */
};

/** One call through the edge */
struct bcall {
	struct le le;                   /**< Member of b2b.calls          */
	struct le he;                   /**< Member of b2b.callids        */
	struct b2b *b2b;                /**< Owner                        */
	struct oa *oa;                  /**< Offer/answer, relay call     */
	enum b2b_side aside;            /**< The caller's side            */
	struct leg *leg[2];             /**< Dialog per side              */
	enum bcall_state state;         /**< See enum bcall_state         */
	char user[B2B_NAME_MAX];        /**< Callee's Request-URI user    */
	char from_name[B2B_NAME_MAX];   /**< Caller's display name        */
	char from_user[B2B_NAME_MAX];   /**< Caller's user part           */
	char to_user[B2B_NAME_MAX];     /**< Callee's user part           */
	char to_name[B2B_NAME_MAX];     /**< Callee's display name        */
	char *hdrs;                     /**< Headers passed on            */
	uint32_t maxfwd;                /**< Max-Forwards on the callee leg */
	struct mbuf *offer;             /**< The offer the callee gets    */
	struct mbuf *answer;            /**< The answer the caller got    */
	struct hset *hosts;             /**< Where the callee leg goes    */
	enum cfg_media media[2];        /**< Media security per side      */
	char gwset[CFG_NAME_MAX];       /**< The gateway's set, "" none   */
	bool info_dtmf;                 /**< The gateway's INFO digits are
					     played to UM (infodtmf.c)    */
	void *slot;                     /**< Limit slot held, or NULL     */
	const struct hhost *host;       /**< Host of the first hop        */
	struct lreq *ireq;              /**< Our INVITE in flight         */
	struct list targets;            /**< Contacts of the last 3xx     */
	uint32_t tried;                 /**< Hosts tried (bits)           */
	unsigned hops;                  /**< 3xx followed                 */
	bool provisional;               /**< A 1xx came on this attempt   */
	bool cancelled;                 /**< The caller cancelled         */
	bool late;                      /**< Delayed offer: the INVITE had
					     no SDP, the 2xx offers and the
					     caller's ACK answers         */
	uint64_t t_start;               /**< Unix ms of the INVITE        */
	uint64_t t_answer;              /**< Unix ms of the 2xx, or 0     */
	char chain[BCALL_CHAIN_MAX];    /**< Hosts and 3xx targets tried  */
	struct dte noresp;              /**< No response to the INVITE    */
	struct dte setup_t;             /**< To be stored in setup (bsetup.c) */
	struct list xreqs;              /**< Requests in flight (xreq.c)  */
	struct xfer *xfer;              /**< A transfer the edge makes
					     (xfer.c), or NULL           */
	bool xferred;                   /**< It made this call: leg[INT]
					     is the target's, outside    */
	struct brekey *rekey;           /**< Its SRTP legs re-keyed after
					     a restore (brekey.c)        */
};


/** @return the caller's leg (UAS of the first INVITE) */
static inline struct leg *bcall_caller(const struct bcall *call)
{
	return call->leg[call->aside];
}


/** @return the callee's leg (our UAC), NULL before the first attempt */
static inline struct leg *bcall_callee(const struct bcall *call)
{
	return call->leg[!call->aside];
}


/* bcall.c */
struct bcall *bcall_new(struct b2b *b2b, enum b2b_side aside);
void bcall_id_link(struct bcall *call);
struct bcall *bcall_find(const struct b2b *b2b, const char *id);
void bcall_end(struct bcall *call, const char *cause);
void bcall_hangup(struct bcall *call, const char *cause);
void bcall_fail(struct bcall *call, uint16_t scode, const char *reason,
		const char *cause);
void bcall_bye_send(struct bcall *call, enum b2b_side side);
void bcall_provisional(struct bcall *call, const struct sip_msg *msg);
void bcall_answered(struct bcall *call, const struct sip_msg *msg);
uint64_t bcall_unix_ms(void);
struct leg *bcall_leg_new(struct bcall *call, enum b2b_side side);
void bcall_leg_adopt(struct bcall *call, struct leg *leg);
struct stimer_neg;
int  bcall_stimer_resume(struct bcall *call, struct leg *leg,
			 const struct stimer_neg *neg, bool update,
			 uint32_t first_ms);
void bcall_hdr_policy(const struct bcall *call, bool out, bool dialog,
		      struct passhdr_policy *pol);

/* btry.c */
int  btry_first(struct bcall *call);
void btry_chain_add(struct bcall *call, const char *what, const char *uri);

/* xfer.c */
bool xfer_local(const struct bcall *call, const struct leg *leg,
		const struct sip_msg *msg);
void xfer_start(struct bcall *call, struct leg *leg,
		const struct sip_msg *msg);

/* infodtmf.c */
int  infodtmf_parse(const struct pl *subtype, const struct pl *body,
		    char *digit, uint32_t *dur_ms);
bool infodtmf_take(struct bcall *call, struct leg *leg,
		   const struct sip_msg *msg);

/* bstate.c */
struct benc;
int  bstate_export(struct mbuf *mb, const struct bcall *call, bool keys);
int  bstate_import(struct b2b *b2b, const struct benc *d, bool relay);

/* brekey.c */
int  brekey_start(struct bcall *call);

/* bsetup.c */
void bsetup_invite_sent(struct bcall *call);
bool bsetup_due(const struct bcall *call);
void bsetup_answer_sent(struct bcall *call);
int  bsetup_export(struct mbuf *mb, const struct bcall *call);
int  bsetup_end(struct bcall *call, const struct benc *setup);

/* brec.c */
void brec_write(const struct bcall *call, const char *cause);
