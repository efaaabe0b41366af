/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file passhdr.h  Headers a B2BUA passes from the caller to the callee
 *
 * UM finds the mailbox from Diversion (or History-Info) and the caller
 * from P-Asserted-Identity (design-notes §1); a gateway or trunk takes
 * the calling identity of UM's own calls from P-Asserted-Identity and
 * Privacy. These are copied into the callee's INVITE in the order they
 * came. Toward the outside, a URI host that is an inside address
 * (sip_internal_network) becomes the edge's outside address: nothing
 * the gateway gets names the inside.
 */
#ifndef UMEDGE_PASSHDR_H
#define UMEDGE_PASSHDR_H

/** Hosts hidden in the passed headers */
struct passhdr_hide {
	const struct list *nets;   /**< struct cfg_net: hosts to hide  */
	const struct sa *repl;     /**< Address written instead        */
};

/** What the Diversion / History-Info conversion did with a request */
enum passhdr_conv {
	PASSHDR_CONV_MADE = 0,   /**< Lines derived and added            */
	PASSHDR_CONV_BOTH,       /**< Skipped: both headers came         */
	PASSHDR_CONV_NONE,       /**< Skipped: nothing could be derived  */
};

/**
 * Told what the conversion did with a request that had the header to
 * convert from
 *
 * @param conv What it did
 * @param arg  Handler argument
 */
typedef void (passhdr_conv_h)(enum passhdr_conv conv, void *arg);

/** Which headers of a request pass to the other leg */
struct passhdr_policy {
	const struct list *extra;  /**< struct cfg_passhdr (the operator's
				        sip_pass_header), or NULL     */
	bool out;                  /**< Toward a gateway (else toward UM) */
	const char *set;           /**< The call's gateway set, or NULL */
	bool dialog;               /**< Inside a dialog (else a call's
				        first INVITE)                 */
	enum cfg_divhi divhi;      /**< Diversion / History-Info
				        conversion (first INVITE)     */
	const char *target;        /**< The callee's URI: the last
				        History-Info entry made       */
	passhdr_conv_h *convh;     /**< Told what the conversion did,
				        or NULL                       */
	void *arg;                 /**< Its argument                  */
};

int  passhdr_collect(char **hdrsp, const struct sip_msg *msg,
		     const struct passhdr_policy *pol,
		     const struct passhdr_hide *hide);
bool passhdr_passes(const struct pl *name, const struct passhdr_policy *pol);
void passhdr_full(const struct pl *name, struct pl *full);
int  passhdr_write(struct mbuf *mb, const struct sip_hdr *hdr,
		   const struct passhdr_hide *hide);
int  passhdr_hosts_write(struct mbuf *mb, const struct pl *val,
			 const struct passhdr_hide *hide);

#endif
