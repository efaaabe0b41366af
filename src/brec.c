/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file brec.c  A call's record (one JSON line per call) and its line in
 *               umedgectl calls (text and JSON)
 */
#include <string.h>
#include <re.h>
#define DEBUG_MODULE "call"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "cfg.h"
#include "relay.h"
#include "cdr.h"
#include "jsonw.h"
#include "b2b_priv.h"
#include "bcall.h"


/* "transfer": the edge made the call to a REFER's target (xfer.c),
 * whose leg is in the inside's place */
static const char *direction(const struct bcall *call)
{
	if (call->xferred)
		return "transfer";

	return call->aside == B2B_EXT ? "in" : "out";
}


/* "ext_packets": N, ... for the relay's first stream: its side 0 is
 * the side of the first offer; each side's media security ("rtp",
 * "srtp <suite>") and what it dropped (foreign or forged packets) */
static int media_print(struct re_printf *pf, const struct bcall *call)
{
	const struct relay_side_info *e, *i;
	const struct relay_call *rc;
	struct relay_stream_info si;
	struct pl id;
	int ext;

	pl_set_str(&id, oa_id(call->oa));
	rc = relay_call_find(call->b2b->relay, &id);
	if (!rc || relay_call_stream(rc, 0, &si))
		return re_hprintf(pf, "null");

	ext = oa_first(call->oa) == B2B_EXT ? 0 : 1;
	e = &si.side[ext];
	i = &si.side[!ext];

	return re_hprintf(pf, "{\"ext_packets\":%llu,\"ext_bytes\":%llu,"
			  "\"ext_lost\":%lld,\"ext_jitter_ms\":%u,"
			  "\"ext_dropped\":%llu,\"ext_security\":\"%s\","
			  "\"int_packets\":%llu,\"int_bytes\":%llu,"
			  "\"int_lost\":%lld,\"int_jitter_ms\":%u,"
			  "\"int_dropped\":%llu,\"int_security\":\"%s\"}",
			  (unsigned long long)e->packets,
			  (unsigned long long)e->bytes,
			  (long long)e->lost, e->jitter_ms,
			  (unsigned long long)e->dropped, e->sec,
			  (unsigned long long)i->packets,
			  (unsigned long long)i->bytes,
			  (long long)i->lost, i->jitter_ms,
			  (unsigned long long)i->dropped, i->sec);
}


static const char *callid_of(const struct leg *leg)
{
	return leg ? leg->callid : NULL;
}


/**
 * Log the end of a call and write its record
 *
 * @param call  Call
 * @param cause Why it ended
 */
void brec_write(const struct bcall *call, const char *cause)
{
	const struct cfg *cfg = call->b2b->cfg;
	struct cdr_rec r = {
		oa_id(call->oa), direction(call), call->t_start,
		call->t_answer, bcall_unix_ms(), cause, call->from_user,
		call->aside == B2B_EXT ? call->to_user : call->user,
		&bcall_caller(call)->raddr,
		callid_of(call->leg[B2B_EXT]), callid_of(call->leg[B2B_INT]),
		call->chain, (re_printf_h *)media_print, call
	};

	DEBUG_NOTICE("%s: %s call ended (%s): outside %s, inside %s, %s\n",
		     r.id, r.direction, cause, r.ext_callid, r.int_callid,
		     call->chain);

	if (cdr_record(cfg->sip.cdr_file, &r))
		DEBUG_WARNING("cdr: cannot write %s\n", cfg->sip.cdr_file);
}


static const char *leg_name(const struct leg *leg)
{
	return leg ? leg->callid : "-";
}


/**
 * Print one call for umedgectl
 *
 * @param pf   Print handler
 * @param call Call
 *
 * @return 0 if success, otherwise errorcode
 */
int bcall_print(struct re_printf *pf, const struct bcall *call)
{
	static const char *names[] = {"trying", "early", "answered",
				      "confirmed", "closing"};

	return re_hprintf(pf, "%s %-3s %-9s %llus outside %s %s %s "
			  "[%s]\n", oa_id(call->oa), direction(call),
			  names[call->state],
			  (unsigned long long)(bcall_unix_ms() -
					       call->t_start) / 1000,
			  leg_name(call->leg[B2B_EXT]),
			  call->xferred ? "target" : "inside",
			  leg_name(call->leg[B2B_INT]), call->chain);
}


/**
 * Write one call as a JSON object, for umedgectl --json calls
 *
 * @param w    JSON writer, inside an array
 * @param call Call
 */
void bcall_json(struct jsonw *w, const struct bcall *call)
{
	static const char *names[] = {"trying", "early", "answered",
				      "confirmed", "closing"};
	const struct leg *in = call->leg[B2B_INT];

	jsonw_obj(w, NULL);
	jsonw_str(w, "id", oa_id(call->oa));
	jsonw_str(w, "direction", direction(call));
	jsonw_str(w, "state", names[call->state]);
	jsonw_u64(w, "age_s", (bcall_unix_ms() - call->t_start) / 1000);
	jsonw_str(w, "outside_call_id", call->leg[B2B_EXT] ?
		  call->leg[B2B_EXT]->callid : NULL);
	jsonw_str(w, "inside_call_id", in ? in->callid : NULL);
	jsonw_str(w, "inside_role", call->xferred ? "target" : "inside");
	jsonw_str(w, "chain", call->chain);
	jsonw_close(w);
}
