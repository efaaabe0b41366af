/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file divhi.h  Diversion (RFC 5806) and History-Info (RFC 7044)
 *                read into one chain of diversions and written back,
 *                as RFC 7544 maps them (docs/design/diversion-hi.md)
 *
 * Pure: header values in, header lines out. Nothing here fails a
 * call: what does not parse is skipped, and ENOENT says no diversion
 * was found.
 */
#ifndef UMEDGE_DIVHI_H
#define UMEDGE_DIVHI_H

enum {
	DIVHI_MAX     = 16,    /**< History-Info entries read, and
				    diversions in a chain             */
	DIVHI_URI_MAX = 512,   /**< Longest URI taken (B2B_URI_MAX)   */
	DIVHI_DEPTH   = 16,    /**< Deepest History-Info index        */
};

/** Diversion reason (RFC 5806) */
enum divhi_reason {
	DIVHI_UNKNOWN = 0,
	DIVHI_UNCONDITIONAL,
	DIVHI_USER_BUSY,
	DIVHI_NO_ANSWER,
	DIVHI_DEFLECTION,
	DIVHI_UNAVAILABLE,
	DIVHI_TIME_OF_DAY,
	DIVHI_DND,
	DIVHI_FOLLOW_ME,
	DIVHI_OUT_OF_SERVICE,
	DIVHI_AWAY,
};

/** One diversion: who diverted the call, and why */
struct divhi_div {
	struct pl dname;            /**< Diverting party's display name  */
	struct pl uri;              /**< ...its URI (into the input);
					 unset: a placeholder         */
	enum divhi_reason reason;   /**< Why                             */
	uint16_t cause;             /**< SIP cause it came with, 0 none  */
	bool priv;                  /**< privacy full/name/uri, history  */
};

/** Diversions, oldest first */
struct divhi_chain {
	struct divhi_div d[DIVHI_MAX];  /**< The diversions              */
	unsigned n;                     /**< How many                    */
	bool truncated;                 /**< More came than were kept    */
};

int  divhi_div_decode(struct divhi_chain *c, const struct pl *vals,
		      size_t n);
int  divhi_hi_decode(struct divhi_chain *c, const struct pl *entries,
		     size_t n, bool priv_all);
int  divhi_div_print(struct re_printf *pf, const struct divhi_chain *c);
int  divhi_hi_print(struct re_printf *pf, const struct divhi_chain *c,
		    const char *target);
uint16_t divhi_reason_cause(enum divhi_reason r);
enum divhi_reason divhi_cause_reason(uint16_t cause, bool q850);
int  divhi_reason_decode(const struct pl *tok, enum divhi_reason *r);
bool divhi_privacy_history(const struct pl *val);

#endif
