/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file redir.h  Following a UM host's 3xx: targets, order and checks
 *
 * The call router answers an INVITE with a 302 whose Contact names a
 * worker; the edge follows it itself (design-notes §1). The Contacts
 * are tried in q order, highest first, in the order given among equal
 * q; maddr and transport are honoured; a target outside the internal
 * networks, or on a transport the inside does not speak, is refused
 * and nothing is sent to it.
 */
#ifndef UMEDGE_REDIR_H
#define UMEDGE_REDIR_H

enum {
	REDIR_TARGETS_MAX = 16,    /**< Contacts taken from one 3xx   */
	REDIR_URI_MAX     = 512,   /**< Longest target URI            */
};

/** One redirect target */
struct redir_target {
	struct le le;                /**< Member of the target list     */
	char uri[REDIR_URI_MAX];     /**< Request-URI of the new INVITE */
	struct sa addr;              /**< Where it goes (maddr or host) */
	enum sip_transp tp;          /**< Transport                     */
	uint32_t q;                  /**< q times 1000                  */
};

/** Why a target is refused */
enum redir_verdict {
	REDIR_OK = 0,          /**< Follow it                        */
	REDIR_NOT_ADDRESS,     /**< Host is a name and no maddr      */
	REDIR_OUTSIDE,         /**< Not in sip_internal_network      */
	REDIR_TRANSPORT,       /**< Transport not served inside      */
};

int  redir_targets(struct list *targets, const struct sip_msg *msg);
enum redir_verdict redir_check(const struct redir_target *t,
			       const struct list *nets, bool tls);
const char *redir_verdict_str(enum redir_verdict v);

#endif
