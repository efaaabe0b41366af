/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file outcall.c  UM's own calls out: who may call, which numbers,
 *                  how fast, and where to
 *
 * Exchange UM places calls itself (Play on Phone, PIN reset, transfers
 * to outside numbers, outdialing). An INVITE from inside (its source
 * already trusted: an internal network or a verified TLS peer, b2b.c)
 * becomes a call out only when every check passes, in this order, and
 * nothing leaves the edge otherwise:
 *
 * 1. The Request-URI names the edge: its inside address or a
 *    sip_domain. Our outside address (or another of ours) is a loop,
 *    482; any other host is 403: UM cannot steer the edge to a host.
 * 2-4. The number (outnum.c, as for a transfer the edge makes): it
 *    holds one, '+'? and 1-15 digits, else 484; the toll-fraud guard
 *    allows it (sip_out_allow, deny by default), else 403, a log line
 *    and a call record; a route takes it to a gateway set, else 404.
 * 5. The source is under sip_out_max_calls calls at once and
 *    sip_out_cps new calls per second: else 503 with Retry-After.
 */
#include <string.h>
#include <re.h>
#define DEBUG_MODULE "outcall"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "cfg.h"
#include "hset.h"
#include "srclim.h"
#include "outnum.h"
#include "outcall.h"
#include "b2b_priv.h"


enum {
	RETRY_AFTER = 5,    /**< Seconds, with a limit's 503     */
};

static bool is_own(const struct b2b *b2b, const struct sa *host)
{
	const struct cfg *cfg = b2b->cfg;

	for (struct le *le = cfg->ifaces.head; le; le = le->next) {
		const struct cfg_iface *ifc = le->data;

		if (sa_cmp(&ifc->addr, host, SA_ADDR) ||
		    (sa_isset(&ifc->advertise, SA_ADDR) &&
		     sa_cmp(&ifc->advertise, host, SA_ADDR)))
			return true;
	}

	return false;
}


static bool is_domain(const struct cfg *cfg, const struct pl *host)
{
	for (struct le *le = cfg->sip.domains.head; le; le = le->next) {
		const struct cfg_name *d = le->data;

		if (!pl_strcasecmp(host, d->name))
			return true;
	}

	return false;
}


/* 1: the Request-URI must name the edge's inside */
static bool ruri_check(const struct b2b *b2b, const struct sip_msg *msg,
		       struct outnum_refusal *r)
{
	const struct pl *host = &msg->uri.host;
	struct sa sa;

	if (is_domain(b2b->cfg, host))
		return true;

	if (!sa_set(&sa, host, 0)) {
		if (sa_cmp(&sa, &b2b->laddr[B2B_INT], SA_ADDR))
			return true;

		if (is_own(b2b, &sa)) {
			*r = (struct outnum_refusal){482, "Loop Detected",
				"the Request-URI names the edge's outside"};
			return false;
		}
	}

	*r = (struct outnum_refusal){403, "Forbidden",
		"the Request-URI names another host, not the edge"};

	return false;
}


static void refuse(struct b2b *b2b, const struct sip_msg *msg,
		   const char *num, const struct outnum_refusal *r)
{
	struct siptp *sip = b2b->tp[B2B_INT];

	DEBUG_NOTICE("%J: call to '%s' refused with %u: %s\n", &msg->src,
		     num, r->scode, r->why);

	if (r->scode == 503)
		(void)siptp_replyf(sip, msg, 503, r->reason,
				 "Retry-After: %u\r\n"
				 "Content-Length: 0\r\n\r\n", RETRY_AFTER);
	else
		(void)siptp_replyf(sip, msg, r->scode, r->reason,
				 "Warning: 399 umedge \"%s\"\r\n"
				 "Content-Length: 0\r\n\r\n", r->why);
}


/* 5: the source's limits */
static int limits_take(struct b2b *b2b, const struct sip_msg *msg,
		       void **slotp, struct outnum_refusal *r)
{
	const struct cfg_sip *sc = &b2b->cfg->sip;
	int err;

	err = srclim_take(b2b->srclim, &msg->src, sc->out_max_calls,
			  sc->out_cps, tmr_jiffies(), slotp);
	if (!err)
		return 0;

	++b2b->st.out_limited;
	*r = (struct outnum_refusal){503, "Service Unavailable",
		err == EBUSY ? "over sip_out_max_calls" :
		"over sip_out_cps"};

	return err;
}


/**
 * An INVITE from inside, outside any dialog: UM calls out
 *
 * @param b2b B2BUA
 * @param msg The INVITE (trusted source, checked, admitted by rate)
 *
 * @return 0 if it was answered or became a call, otherwise errorcode
 */
int outcall_invite(struct b2b *b2b, const struct sip_msg *msg)
{
	struct bcall_prm prm = {B2B_INT, NULL, NULL, NULL};
	char num[CFG_NUM_MAX] = "";
	struct outnum_refusal r;
	int err;

	if (!ruri_check(b2b, msg, &r)) {
		++b2b->st.out_bad;
		refuse(b2b, msg, "", &r);
		return 0;
	}

	prm.hosts = outnum_route(b2b, msg, &msg->uri, num, sizeof(num), &r);
	if (!prm.hosts || limits_take(b2b, msg, &prm.slot, &r)) {
		refuse(b2b, msg, num, &r);
		return 0;
	}

	prm.user = num;
	++b2b->st.out_calls;
	err = bcall_invite(b2b, &prm, msg);
	mem_deref(prm.slot);

	return err;
}
