/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file b2bmetrics.c  The B2BUA's Prometheus metrics
 *
 * Labels: direction "in" (a gateway called) or "out" (UM called out),
 * and for failed calls the final code the caller got, from a fixed
 * list (the codes umedge sends or passes on most) or "other": the
 * number of series stays bounded whatever peers answer.
 */
#include <string.h>
#include <re.h>
#include "cfg.h"
#include "promfmt.h"
#include "relay.h"
#include "gate.h"
#include "hset.h"
#include "inlim.h"
#include "hep.h"
#include "b2b.h"
#include "b2b_priv.h"
#include "bcall.h"


static const uint16_t codes[B2B_NCODES - 1] = {
	400, 403, 404, 408, 420, 480, 481, 486, 487, 488, 500, 502, 503,
	504, 603
};

static const char *dirs[2] = {"in", "out"};

static const char *causes[B2B_NCAUSES] = {
	"bye_outside", "bye_inside", "cancelled", "failed",
	"session_expired", "media_timeout", "no_ack", "other"
};


/**
 * The class of a call's end cause (bcall_end()'s text)
 *
 * @param cause    The cause as logged and recorded
 * @param answered Whether the call was answered
 *
 * @return its class; an unknown cause is "failed" before an answer,
 *         "other" after
 */
enum b2b_cause b2b_cause_index(const char *cause, bool answered)
{
	static const struct {
		const char *text;
		enum b2b_cause c;
	} known[] = {
		{"bye from outside", B2B_CAUSE_BYE_OUTSIDE},
		{"bye from inside",  B2B_CAUSE_BYE_INSIDE},
		{"cancelled",        B2B_CAUSE_CANCELLED},
		{"session expired",  B2B_CAUSE_SESSION_EXPIRED},
		{"media timeout",    B2B_CAUSE_MEDIA_TIMEOUT},
		{"no ACK",           B2B_CAUSE_NO_ACK},
		{"no answer in ACK", B2B_CAUSE_NO_ACK},
	};

	for (size_t i = 0; cause && i < ARRAY_SIZE(known); i++) {
		if (!strcmp(cause, known[i].text))
			return known[i].c;
	}

	return answered ? B2B_CAUSE_OTHER : B2B_CAUSE_FAILED;
}


/**
 * The index of a final code in the per-code counters
 *
 * @param scode Status code
 *
 * @return its index, B2B_NCODES - 1 for any other code
 */
unsigned b2b_code_index(uint16_t scode)
{
	for (unsigned i = 0; i < ARRAY_SIZE(codes); i++) {
		if (codes[i] == scode)
			return i;
	}

	return B2B_NCODES - 1;
}


/* one sample per direction */
static int dir_samples(struct mbuf *mb, const char *name, const uint64_t v[2])
{
	int err = 0;

	for (int d = 0; d < 2; d++) {
		char l[32];

		(void)re_snprintf(l, sizeof(l), "direction=\"%s\"", dirs[d]);
		err |= promfmt_sample(mb, name, l, v[d]);
	}

	return err;
}


static int dir_family(struct mbuf *mb, const char *name, const char *help,
		      const uint64_t v[2])
{
	return promfmt_family(mb, name, PROMFMT_COUNTER, help) |
		dir_samples(mb, name, v);
}


static int failed_metrics(struct mbuf *mb, const struct b2b_stats *st)
{
	const char *name = "umedge_sip_calls_failed_total";
	int err;

	err = promfmt_family(mb, name, PROMFMT_COUNTER, "Calls that ended "
			     "before an answer, by the final code the caller "
			     "got");
	for (int d = 0; d < 2; d++) {
		for (unsigned i = 0; i < B2B_NCODES; i++) {
			char l[48], code[8];

			if (!st->failed_code[d][i])
				continue;
			if (i < ARRAY_SIZE(codes))
				(void)re_snprintf(code, sizeof(code), "%u",
						  codes[i]);
			else
				str_ncpy(code, "other", sizeof(code));
			(void)re_snprintf(l, sizeof(l), "direction=\"%s\","
					  "code=\"%s\"", dirs[d], code);
			err |= promfmt_sample(mb, name, l,
					      st->failed_code[d][i]);
		}
	}

	return err;
}


static int active_metrics(struct mbuf *mb, const struct b2b *b2b)
{
	const char *name = "umedge_sip_calls_active";
	uint64_t n[2] = {0, 0};

	for (struct le *le = b2b->calls.head; le; le = le->next) {
		const struct bcall *call = le->data;

		++n[call->aside];
	}

	return promfmt_family(mb, name, PROMFMT_GAUGE, "Calls now") |
		dir_samples(mb, name, n);
}


static int pair(struct mbuf *mb, const char *name, const char *help,
		const char *label, const char *a, uint64_t va,
		const char *b, uint64_t vb)
{
	char l[64];
	int err = promfmt_family(mb, name, PROMFMT_COUNTER, help);

	(void)re_snprintf(l, sizeof(l), "%s=\"%s\"", label, a);
	err |= promfmt_sample(mb, name, l, va);
	(void)re_snprintf(l, sizeof(l), "%s=\"%s\"", label, b);

	return err | promfmt_sample(mb, name, l, vb);
}


static int refused_metrics(struct mbuf *mb, const struct b2b_stats *st)
{
	static const char *reasons[] = {
		"untrusted", "rate", "calls_in_limit", "number",
		"source_limit", "no_route", "bad_request", "malformed",
		"draining"
	};
	const uint64_t v[] = {
		st->forbidden, st->limited, st->in_limited, st->out_refused,
		st->out_limited, st->out_noroute, st->out_bad, st->malformed,
		st->drained
	};
	const char *name = "umedge_sip_requests_refused_total";
	int err;

	err = promfmt_family(mb, name, PROMFMT_COUNTER, "Requests refused, "
			     "by reason");
	for (size_t i = 0; i < ARRAY_SIZE(reasons); i++) {
		char l[48];

		(void)re_snprintf(l, sizeof(l), "reason=\"%s\"", reasons[i]);
		err |= promfmt_sample(mb, name, l, v[i]);
	}

	return err;
}


static int ended_metrics(struct mbuf *mb, const struct b2b_stats *st)
{
	const char *name = "umedge_sip_calls_ended_total";
	int err;

	err = promfmt_family(mb, name, PROMFMT_COUNTER, "Calls ended, by "
			     "direction and cause");
	for (int d = 0; d < 2; d++) {
		for (int c = 0; c < B2B_NCAUSES; c++) {
			char l[64];

			(void)re_snprintf(l, sizeof(l), "direction=\"%s\","
					  "cause=\"%s\"", dirs[d], causes[c]);
			err |= promfmt_sample(mb, name, l, st->ended[d][c]);
		}
	}

	return err;
}


static int guard_metrics(struct mbuf *mb, const struct b2b_stats *st)
{
	static const char *sides[2] = {"outside", "inside"};
	const char *name = "umedge_sip_requests_rejected_total";
	int err;

	err = promfmt_family(mb, name, PROMFMT_COUNTER, "Requests answered "
			     "with an error by sipguard, by side and rule");
	for (int d = 0; d < 2; d++) {
		for (int r = SIPGUARD_OK + 1; r < SIPGUARD_RULE_N; r++) {
			char l[64];

			(void)re_snprintf(l, sizeof(l), "side=\"%s\","
					  "rule=\"%s\"", sides[d],
					  sipguard_rule_name(r));
			err |= promfmt_sample(mb, name, l, st->guard[d][r]);
		}
	}

	return err;
}


static int hosts_metrics(struct mbuf *mb, const struct b2b *b2b)
{
	const char *name = "umedge_sip_host_up";
	int err;

	err  = promfmt_family(mb, name, PROMFMT_GAUGE, "1 if the UM host or "
			      "gateway answers its OPTIONS probes");
	err |= hset_up_samples(mb, name, b2b->umhosts);
	for (struct le *le = b2b->gwsets.head; le; le = le->next)
		err |= hset_up_samples(mb, name, le->data);

	return err;
}


static int hep_metrics(struct mbuf *mb, const struct hep *hep)
{
	return promfmt_one(mb, "umedge_hep_sent_total", PROMFMT_COUNTER,
			   "SIP messages sent to the HEP collector",
			   hep_sent(hep)) |
		promfmt_one(mb, "umedge_hep_dropped_total", PROMFMT_COUNTER,
			    "SIP messages not sent to it (over 64 KB, or "
			    "the send failed)", hep_dropped(hep));
}


static int feature_metrics(struct mbuf *mb, const struct b2b_stats *st)
{
	int err;

	err  = pair(mb, "umedge_sip_redirects_total", "3xx targets followed "
		    "and refused", "result", "followed", st->redirects,
		    "refused", st->refused_3xx);
	err |= pair(mb, "umedge_sip_transfers_total", "Transfers the edge "
		    "made (REFER), and failed", "result", "made", st->xfers,
		    "failed", st->xfers_failed);
	err |= pair(mb, "umedge_sip_rekeys_total", "SRTP legs re-keyed by "
		    "the edge after a restore without keys, and failed "
		    "(the call ended)", "result", "done", st->rekeyed,
		    "failed", st->rekey_failed);
	err |= promfmt_one(mb, "umedge_sip_session_refreshes_total",
			   PROMFMT_COUNTER, "Session refreshes the edge sent",
			   st->st_refresh);
	err |= promfmt_one(mb, "umedge_sip_sessions_expired_total",
			   PROMFMT_COUNTER, "Calls ended: session expired",
			   st->st_expired);
	err |= promfmt_one(mb, "umedge_sip_info_digits_total",
			   PROMFMT_COUNTER, "SIP INFO digits played as "
			   "RFC 4733 events", st->info_dtmf);

	return err;
}


/**
 * Write the B2BUA's metrics
 *
 * @param mb       Buffer
 * @param b2b      B2BUA, NULL if disabled
 * @param per_host Whether to write a series per UM host and gateway
 *
 * @return 0 if success, otherwise errorcode
 */
int b2b_metrics(struct mbuf *mb, const struct b2b *b2b, bool per_host)
{
	const struct b2b_stats *st;
	int err;

	if (!b2b)
		return 0;

	st = &b2b->st;
	err  = active_metrics(mb, b2b);
	err |= dir_family(mb, "umedge_sip_calls_total", "Calls, by the "
			  "caller's side", st->dir_calls);
	err |= dir_family(mb, "umedge_sip_calls_answered_total", "Calls "
			  "answered", st->dir_answered);
	err |= failed_metrics(mb, st);
	err |= ended_metrics(mb, st);
	err |= refused_metrics(mb, st);
	err |= guard_metrics(mb, st);
	err |= feature_metrics(mb, st);
	err |= promfmt_one(mb, "umedge_sip_rate_sources", PROMFMT_GAUGE,
			   "Sources the rate limiter tracks",
			   gate_count(b2b->gate));
	err |= promfmt_one(mb, "umedge_sip_calls_in_slots", PROMFMT_GAUGE,
			   "Calls held against the limits on calls in",
			   inlim_calls(b2b->inlim));
	err |= promfmt_one(mb, "umedge_sip_um_hosts_alive", PROMFMT_GAUGE,
			   "UM hosts answering their probes",
			   hset_alive(b2b->umhosts));
	if (per_host)
		err |= hosts_metrics(mb, b2b);
	if (b2b->hep)
		err |= hep_metrics(mb, b2b->hep);

	return err;
}
