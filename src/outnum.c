/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file outnum.c  The number of a call out: the toll-fraud guard and the
 *                 route
 *
 * UM's INVITEs out (outcall.c) and the transfers the edge makes for UM
 * (xfer.c) dial a number that passes the same checks, in this order,
 * and nothing leaves the edge otherwise:
 *
 * 1. The URI holds a number, '+'? and 1-15 digits (dplan.c): else 484.
 * 2. The number matches a sip_out_allow line, deny by default: else
 *    403, a log line (the caller's) and a call record.
 * 3. A route takes it to a gateway set: else 404.
 */
#include <time.h>
#include <re.h>
#define DEBUG_MODULE "outnum"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "cfg.h"
#include "hset.h"
#include "dplan.h"
#include "cdr.h"
#include "outnum.h"
#include "b2b_priv.h"


/* The record of a refused call: nothing left the edge */
static void record(const struct cfg *cfg, const struct sip_msg *msg,
		   const char *num, const char *cause)
{
	char from[64] = "", callid[128] = "";
	uint64_t now = (uint64_t)time(NULL) * 1000;
	struct cdr_rec r = {
		NULL, "out", now, 0, now, cause, from, num, &msg->src,
		NULL, callid, "", NULL, NULL
	};

	(void)pl_strcpy(&msg->from.uri.user, from, sizeof(from));
	(void)pl_strcpy(&msg->callid, callid, sizeof(callid));
	if (cdr_record(cfg->sip.cdr_file, &r))
		DEBUG_WARNING("cdr: cannot write %s\n", cfg->sip.cdr_file);
}


/**
 * Check a number UM dials and find its gateway set
 *
 * @param b2b B2BUA
 * @param msg UM's request (INVITE or REFER), for the record
 * @param uri The URI the number is in (Request-URI or Refer-To)
 * @param num Buffer for the number, "" if there is none
 * @param sz  Its size
 * @param r   Why it is refused, set when NULL is returned
 *
 * @return the set, NULL if the number is refused
 */
struct hset *outnum_route(struct b2b *b2b, const struct sip_msg *msg,
			  const struct uri *uri, char *num, size_t sz,
			  struct outnum_refusal *r)
{
	const struct cfg *cfg = b2b->cfg;
	const struct cfg_route *route;
	struct hset *hs;

	if (dplan_number(num, sz, uri)) {
		++b2b->st.out_bad;
		*r = (struct outnum_refusal){484, "Address Incomplete",
			"no number in the URI"};
		str_ncpy(num, "", sz);
		return NULL;
	}

	if (!dplan_allowed(cfg, num)) {
		++b2b->st.out_refused;
		*r = (struct outnum_refusal){403, "Forbidden",
			"number not allowed (sip_out_allow)"};
		record(cfg, msg, num, "403 number not allowed");
		return NULL;
	}

	route = dplan_route(cfg, num);
	hs = route ? hset_find(&b2b->gwsets, route->set->name) : NULL;
	if (!hs) {
		++b2b->st.out_noroute;
		*r = (struct outnum_refusal){404, "Not Found",
			"no route for the number"};
	}

	return hs;
}
