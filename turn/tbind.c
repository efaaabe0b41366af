/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tbind.c  TURN server: Binding requests, answered as a STUN
 *                server (RFC 5389), without authentication, within the
 *                Binding limiter's budgets (trate.c)
 */
#include <re.h>
#include "turnd_priv.h"


/**
 * Answer a Binding request with the client's address, unless the
 * source or all sources together are over their budget
 *
 * @param req Request
 *
 * @return true if it was a Binding request
 */
bool tbind_request(struct treq *req)
{
	if (stun_msg_method(req->msg) != STUN_METHOD_BINDING)
		return false;

	if (!trate_take(req->turnd->brate, req->src, tmr_jiffies()))
		return true;

	(void)treq_reply(req, 1, STUN_ATTR_XOR_MAPPED_ADDR, req->src);

	return true;
}
