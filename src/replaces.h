/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file replaces.h  The Replaces header (RFC 3891), as it travels
 *                   escaped inside a Refer-To URI
 */
#ifndef UMEDGE_REPLACES_H
#define UMEDGE_REPLACES_H

/** A dialog named by Replaces */
struct replaces {
	struct pl callid;    /**< Call-ID                            */
	struct pl to_tag;    /**< Tag of the UA that gets the INVITE */
	struct pl from_tag;  /**< Tag of the other party             */
	bool early_only;     /**< "early-only" flag                  */
};

int replaces_decode(struct replaces *r, const struct pl *val);
int replaces_encode(struct re_printf *pf, const struct replaces *r);

#endif
