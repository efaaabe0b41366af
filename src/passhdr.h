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

/** Which headers of a request pass to the other leg */
struct passhdr_policy {
	const struct list *extra;  /**< struct cfg_passhdr (the operator's
				        sip_pass_header), or NULL     */
	bool out;                  /**< Toward a gateway (else toward UM) */
	const char *set;           /**< The call's gateway set, or NULL */
	bool dialog;               /**< Inside a dialog (else a call's
				        first INVITE)                 */
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
