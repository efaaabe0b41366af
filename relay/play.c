/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file play.c  What the relay plays into a call itself: DTMF digits as
 *               RFC 4733 telephone-events (a gateway's SIP INFO, which
 *               the B2BUA turns into events toward UM)
 */
#include <string.h>
#include <re.h>
#include "iface.h"
#include "fwd.h"
#include "worker.h"
#include "relay.h"
#include "sec.h"
#include "relay_priv.h"


/* The call's first audio stream whose side has telephone-event */
static struct relay_stream *audio_of(const struct relay_call *call,
				     int side)
{
	for (struct le *le = call->streams.head; le; le = le->next) {
		struct relay_stream *s = le->data;

		if (!strcmp(s->type, "audio") && s->te_rate[side] && s->fs)
			return s;
	}

	return NULL;
}


/**
 * Play a DTMF digit to one party of a call, as RFC 4733 events on the
 * payload type that party's SDP gave telephone-event, joined to the
 * audio it receives
 *
 * @param relay  Relay
 * @param callid Call-ID
 * @param tag    Tag of the party that hears it
 * @param digit  '0'-'9', '*', '#', 'A'-'D'
 * @param dur_ms Its duration (clamped to 40..5000 ms)
 *
 * @return 0 if success, ENOENT for no such call or party, ENOTSUP if
 *         the party has no audio with telephone-event, EINVAL for a
 *         digit that is none
 */
int relay_dtmf(struct relay *relay, const struct pl *callid,
	       const struct pl *tag, char digit, uint32_t dur_ms)
{
	const struct relay_call *call;
	struct worker_dtmf d;
	struct relay_stream *s;
	int side, ev = dtmf_event(digit);

	if (!relay || !callid || !tag || ev < 0)
		return EINVAL;

	call = relay_call_find(relay, callid);
	side = call ? relay_call_side(call, tag) : -1;
	if (side < 0)
		return ENOENT;

	s = audio_of(call, side);
	if (!s)
		return ENOTSUP;

	d.pt = s->te_pt[side];
	d.rate = s->te_rate[side];
	d.event = (uint8_t)ev;
	d.dur_ms = dur_ms;

	return worker_dtmf(s->w, s->fs, side, &d);
}
