/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file replaces.c  The Replaces header (RFC 3891): decoding an
 *                   unescaped value, encoding one for a URI header
 *
 *   Replaces: 425928@bobster.example.org;to-tag=7743;from-tag=6472
 *
 * A supervised transfer from UM names one of its dialogs with the edge
 * this way; xreq.c maps it to the same call's dialog outside.
 */
#include <string.h>
#include <re.h>
#include "replaces.h"


static int param_handler(const struct pl *name, const struct pl *val,
			 void *arg)
{
	struct replaces *r = arg;

	if (!pl_strcasecmp(name, "to-tag"))
		r->to_tag = *val;
	else if (!pl_strcasecmp(name, "from-tag"))
		r->from_tag = *val;
	else if (!pl_strcasecmp(name, "early-only"))
		r->early_only = true;

	return 0;
}


/**
 * Decode a Replaces value
 *
 * @param r   Decoded value; its pointers point into val
 * @param val "callid;to-tag=..;from-tag=..[;early-only]", unescaped
 *
 * @return 0 if success, EBADMSG if a part is missing or empty
 */
int replaces_decode(struct replaces *r, const struct pl *val)
{
	struct pl params;

	if (!r || !val)
		return EINVAL;

	memset(r, 0, sizeof(*r));

	if (re_regex(val->p, val->l, "[^; \t]+[^]*", &r->callid, &params))
		return EBADMSG;

	(void)uri_params_apply(&params, param_handler, r);

	if (!pl_isset(&r->callid) || !pl_isset(&r->to_tag) ||
	    !pl_isset(&r->from_tag))
		return EBADMSG;

	return 0;
}


/**
 * Print a Replaces value escaped for a URI header (RFC 3261 §19.1.1)
 *
 * @param pf Print handler
 * @param r  Value
 *
 * @return 0 if success, otherwise errorcode
 */
int replaces_encode(struct re_printf *pf, const struct replaces *r)
{
	char buf[512];
	struct pl pl;
	int n;

	if (!r)
		return EINVAL;

	n = re_snprintf(buf, sizeof(buf), "%r;to-tag=%r;from-tag=%r%s",
			&r->callid, &r->to_tag, &r->from_tag,
			r->early_only ? ";early-only" : "");
	if (n < 0 || (size_t)n >= sizeof(buf))
		return EOVERFLOW;

	pl_set_str(&pl, buf);

	return uri_header_escape(pf, &pl);
}
