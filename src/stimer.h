/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file stimer.h  RFC 4028 session timers, per leg of a call
 *
 * The pure part decodes Session-Expires and Min-SE, negotiates the
 * interval and the refresher as UAS (the caller's leg) and as UAC (the
 * callee's leg), and says when to refresh and when to give up. The
 * rest runs one timer per leg: the leg owns it (leg.stimer) and frees
 * it when its owner lets it go.
 */
#ifndef UMEDGE_STIMER_H
#define UMEDGE_STIMER_H

struct cfg_sip;
struct leg;
struct oa;
struct siptp;
struct stimer;

/** Who refreshes, as the refresher parameter names it */
enum stimer_refresher {
	STIMER_UNSET = 0,   /**< Not given, or an unknown value */
	STIMER_UAC,         /**< refresher=uac                  */
	STIMER_UAS,         /**< refresher=uas                  */
};

enum {
	STIMER_MIN_SE = 90,   /**< RFC 4028's floor for Min-SE (s) */
};

/** A Session-Expires value */
struct stimer_se {
	uint32_t delta;                     /**< Interval (s)         */
	enum stimer_refresher refresher;    /**< refresher parameter  */
};

/** What a request or a 2xx asks for */
struct stimer_req {
	bool has_se;                /**< It carries a Session-Expires  */
	struct stimer_se se;        /**< Its value                     */
	uint32_t minse;             /**< Its Min-SE, 0 if none         */
	bool timer;                 /**< Supported or Require: timer   */
};

/** The outcome of a negotiation */
struct stimer_neg {
	uint32_t interval;          /**< Session interval (s), 0: none */
	bool local;                 /**< umedge refreshes              */
	uint32_t minse;             /**< For a 422: the Min-SE to send */
};

/**
 * The session on a leg is over: its refresh never came, or umedge's
 * refresh failed
 *
 * @param leg The leg
 * @param arg Handler argument
 */
typedef void (stimer_end_h)(struct leg *leg, void *arg);

/* pure */
int  stimer_se_decode(struct stimer_se *se, const struct pl *val);
int  stimer_minse_decode(uint32_t *minse, const struct pl *val);
int  stimer_req_decode(struct stimer_req *req, const struct sip_msg *msg);
int  stimer_uas_negotiate(struct stimer_neg *neg,
			  const struct stimer_req *req, uint32_t se_cfg,
			  uint32_t minse_cfg);
void stimer_uac_negotiate(struct stimer_neg *neg,
			  const struct stimer_req *resp);
uint64_t stimer_refresh_ms(uint32_t interval);
uint64_t stimer_expire_ms(uint32_t interval);
int  stimer_resp_print(struct re_printf *pf, const struct stimer_neg *neg);
int  stimer_req_print(struct re_printf *pf, const struct stimer_req *req);

/* per leg */
int  stimer_attach(struct leg *leg, const struct stimer_neg *neg,
		   bool update, struct oa *oa, stimer_end_h *endh,
		   void *arg);
void stimer_start(struct leg *leg);
bool stimer_get(const struct leg *leg, struct stimer_neg *neg,
		bool *update);
void stimer_resume(struct leg *leg, uint32_t first_ms);
int  stimer_hdrs(struct re_printf *pf, const struct leg *leg);
bool stimer_refresh_take(struct leg *leg, const struct sip_msg *msg);
void stimer_refreshed(struct leg *leg, const struct sip_msg *msg,
		      bool uas);

/* the caller's leg (UAS of the INVITE) */
bool stimer_invite_refuse(struct siptp *tp, const struct cfg_sip *cfg,
			  const struct sip_msg *msg);
int  stimer_uas_accept(struct leg *leg, const struct sip_msg *msg,
		       struct oa *oa, stimer_end_h *endh, void *arg);

/* the callee's leg (UAC of the INVITE) */
int  stimer_invite_hdrs(char **hdrsp, const char *hdrs,
			const struct cfg_sip *cfg);
bool stimer_retry(const struct sip_msg *msg, char **hdrsp, void *arg);
int  stimer_uac_accept(struct leg *leg, const struct sip_msg *msg,
		       struct oa *oa, stimer_end_h *endh, void *arg);

#endif
