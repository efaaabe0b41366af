/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file b2bstate.c  The B2BUA's calls for high availability: each
 *                   confirmed call's SIP state written out on request,
 *                   made again from it, and its changes reported
 *
 * The B2BUA knows nothing of Redis: the daemon gives it a change
 * handler (b2b_set_change_handler()), which hears the relay id of a
 * call that became confirmed; the writer then asks for the call's
 * state (b2b_call_export()). The offer/answer and latch changes of a
 * call reach the writer through the relay's own change handler. The
 * state is bstate.c's.
 */
#include <string.h>
#include <re.h>
#include "cfg.h"
#include "bencode.h"
#include "b2b.h"
#include "b2b_priv.h"
#include "bcall.h"


/**
 * Set the handler that hears of calls whose stored state changed
 *
 * @param b2b B2BUA
 * @param h   Handler, NULL for none
 * @param arg Its argument
 */
void b2b_set_change_handler(struct b2b *b2b, b2b_change_h *h, void *arg)
{
	if (!b2b)
		return;

	b2b->changeh = h;
	b2b->change_arg = arg;
}


/**
 * A call's stored state changed (it became confirmed)
 *
 * @param b2b B2BUA
 * @param id  Its relay id
 */
void b2b_call_changed(const struct b2b *b2b, const char *id)
{
	if (b2b && b2b->changeh)
		b2b->changeh(id, b2b->change_arg);
}


/**
 * Write the SIP state of the call of a relay id
 *
 * @param mb   Buffer
 * @param b2b  B2BUA, or NULL
 * @param id   The relay id
 * @param keys The SDP sent keeps its SDES keys (ha_store_keys)
 *
 * @return 0 if success, ENOENT if the B2BUA has no such call (an ng
 *         controller's), ENOTSUP if it is not stored now (in setup,
 *         ending), otherwise errorcode
 */
int b2b_call_export(struct mbuf *mb, const struct b2b *b2b, const char *id,
		    bool keys)
{
	const struct bcall *call;

	if (!mb || !id)
		return EINVAL;

	call = b2b ? bcall_find(b2b, id) : NULL;
	if (!call)
		return ENOENT;

	return bstate_export(mb, call, keys);
}


/**
 * Make a call again from its SIP state (its relay call made first)
 *
 * @param b2b   B2BUA
 * @param buf   What b2b_call_export() wrote
 * @param len   Its length
 * @param relay Its relay call was made; if not, only a call in setup
 *              is taken (and ended: it needs no media)
 *
 * @return 0 if success, ECANCELED for a call in setup ended, ENOENT
 *         for another without its relay call, otherwise errorcode
 */
int b2b_call_import(struct b2b *b2b, const char *buf, size_t len,
		    bool relay)
{
	struct benc *d = NULL;
	int err;

	if (!b2b || !buf)
		return EINVAL;

	err = benc_decode(&d, buf, len, NULL);
	if (!err)
		err = bstate_import(b2b, d, relay);

	mem_deref(d);

	return err;
}
