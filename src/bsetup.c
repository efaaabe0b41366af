/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file bsetup.c  A call in setup stored for high availability, and
 *                 ended by the node that takes over
 *
 * A call is stored in setup only once it has lasted B2B_SETUP_STORE_MS
 * with our INVITE out (a call that rings): most calls are answered
 * sooner and are written once, confirmed. Each INVITE we send starts
 * the wait again, so the record holds the INVITE in flight (a 3xx
 * followed sends another). What is stored is the caller's and the
 * callee's INVITE (legsetup.c); the node that takes over cannot go on
 * with the call (the caller's transaction and ours died with the old
 * node), so it ends it cleanly: CANCEL to the callee, 503 to a caller
 * over UDP, one record (cause "ha: setup interrupted").
 *
 * The same wait holds for a call answered whose caller has not ACKed:
 * it is stored answered (legok.c) only if the ACK is B2B_SETUP_STORE_MS
 * late, so that a call ACKed at once, as nearly all are, costs no more
 * writes than its confirmation.
 */
#include <re.h>
#define DEBUG_MODULE "bsetup"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "cfg.h"
#include "bencode.h"
#include "b2b_priv.h"
#include "bcall.h"


static void due_handler(struct dte *e, void *arg)
{
	struct bcall *call = arg;
	(void)e;

	if (call->state <= BCALL_ANSWERED)
		b2b_call_changed(call->b2b, oa_id(call->oa));
}


/**
 * Our INVITE of a call in setup went out: the call is to be stored if
 * it is still in setup B2B_SETUP_STORE_MS later (only when the daemon
 * stores calls)
 *
 * @param call Call
 */
void bsetup_invite_sent(struct bcall *call)
{
	if (call->b2b->changeh)
		dte_start(&call->b2b->q_setup, &call->setup_t, due_handler,
			  call);
}


/**
 * Our 2xx to the caller went out: the call is to be stored answered if
 * its ACK has not come B2B_SETUP_STORE_MS later (only when the daemon
 * stores calls)
 *
 * @param call Call
 */
void bsetup_answer_sent(struct bcall *call)
{
	if (call->b2b->changeh)
		dte_start(&call->b2b->q_setup, &call->setup_t, due_handler,
			  call);
}


/** @return true if a call in setup, or answered and not ACKed, is to
 *  be stored now */
bool bsetup_due(const struct bcall *call)
{
	const uint64_t now = bcall_unix_ms();

	if (call->state == BCALL_ANSWERED)
		return now >= call->t_answer + B2B_SETUP_STORE_MS;

	return call->state <= BCALL_EARLY && call->ireq &&
		now >= call->t_start + B2B_SETUP_STORE_MS;
}


/**
 * Write the "setup" member of a call's record: both legs' INVITEs
 *
 * @param mb   Buffer
 * @param call Call in setup (bsetup_due())
 *
 * @return 0 if success, ENOTSUP if an INVITE is not at hand, otherwise
 *         errorcode
 */
int bsetup_export(struct mbuf *mb, const struct bcall *call)
{
	int err;

	if (!bcall_caller(call) || !bcall_callee(call))
		return ENOTSUP;

	err = benc_enc_cstr(mb, "setup");
	err |= benc_enc_dict_begin(mb);
	if (err)
		return ENOMEM;

	err = benc_enc_cstr(mb, "caller");
	err = err ? err : leg_setup_export(mb, bcall_caller(call), NULL);
	err = err ? err : benc_enc_cstr(mb, "callee");
	err = err ? err : leg_setup_export(mb, bcall_callee(call),
					   call->ireq);

	return err ? err : benc_enc_end(mb);
}


/* A stored leg, made to be ended */
static int leg_end(struct bcall *call, int s, const struct benc *d,
		   bool uas)
{
	struct leg *leg = bcall_leg_new(call, (enum b2b_side)s);

	if (!leg)
		return ENOMEM;

	call->leg[s] = leg;

	return d ? leg_setup_end(leg, d, uas) : EBADMSG;
}


/**
 * End a call stored in setup: CANCEL to the callee, 503 to a caller
 * over UDP, the call's record written; the call is gone after
 *
 * @param call  A call made from its record (its offer/answer state
 *              made again), without legs
 * @param setup The record's "setup" member
 *
 * @return ECANCELED (ended), or EBADMSG if the record was malformed
 *         (the call is gone all the same, without a record)
 */
int bsetup_end(struct bcall *call, const struct benc *setup)
{
	const enum b2b_side a = call->aside;
	int err, err2;

	if (!setup || setup->type != BENC_DICT) {
		mem_deref(call);
		return EBADMSG;
	}

	err = leg_end(call, !a, benc_dict_get(setup, "callee"), false);
	err2 = leg_end(call, a, benc_dict_get(setup, "caller"), true);
	if (err || err2)
		DEBUG_WARNING("%s: ending the call in setup: callee %m, "
			      "caller %m\n", oa_id(call->oa), err, err2);

	if (err == EBADMSG || err2 == EBADMSG || !bcall_caller(call)) {
		mem_deref(call);
		return EBADMSG;
	}

	bcall_end(call, "ha: setup interrupted");

	return ECANCELED;
}
