/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file b2bhep.c  The B2BUA's SIP to HEP: every message of both sides,
 *                 with the call's link id as correlation id
 *
 * Where messages are seen: libre's stack of each side (its trace
 * handler: UDP and TCP/TLS where they are libre's), umedge's own
 * TCP/TLS connections and UDP sockets (sipconn's and sipudp's trace
 * handler, every message in and out), and the outside UDP helper on
 * libre's sockets (sipraw: every datagram that is SIP, before libre, so
 * libre's received outside UDP is not traced again).
 *
 * Correlation (HEP chunk 17): each leg is its own Call-ID in the
 * payload (Homer's SID); chunk 17 carries the call's link id on every
 * message of both legs: the Call-ID of the caller's leg (leg_link_id()),
 * the convention Kamailio's sip_trace() uses for B2BUAs. A message of
 * no call (OPTIONS, a refused request) carries its own Call-ID.
 */
#include <ctype.h>
#include <string.h>
#include <re.h>
#include "cfg.h"
#include "relay.h"
#include "hep.h"
#include "b2b.h"
#include "b2b_priv.h"


static void pl_trim(struct pl *pl)
{
	while (pl->l && (pl->p[0] == ' ' || pl->p[0] == '\t'))
		pl_advance(pl, 1);
	while (pl->l && strchr(" \t\r", pl->p[pl->l - 1]))
		--pl->l;
}


/* the value of the first Call-ID (or i) header of a raw message, up to
 * the empty line: one pass, no decoding */
static bool callid_scan(const uint8_t *p, size_t n, struct pl *cid)
{
	struct pl rest = {(const char *)p, n};

	while (rest.l) {
		const char *lf = memchr(rest.p, '\n', rest.l);
		struct pl line = {rest.p, lf ? (size_t)(lf - rest.p) : rest.l};
		const char *colon = memchr(line.p, ':', line.l);
		struct pl name, val;

		pl_advance(&rest, lf ? line.l + 1 : line.l);
		if (line.l <= 1)
			return false;      /* the empty line */
		if (!colon)
			continue;

		name.p = line.p;
		name.l = (size_t)(colon - line.p);
		pl_trim(&name);
		if (pl_strcasecmp(&name, "Call-ID") && pl_strcasecmp(&name, "i"))
			continue;

		val.p = colon + 1;
		val.l = (size_t)(line.p + line.l - val.p);
		pl_trim(&val);
		*cid = val;
		return val.l > 0;
	}

	return false;
}


/**
 * Capture one SIP message (a libre sip_trace_h, also given to sipconn
 * and sipraw)
 *
 * @param tx   Whether it is sent
 * @param tp   Transport
 * @param src  Source
 * @param dst  Destination
 * @param pkt  The message
 * @param len  Its length
 * @param arg  The B2BUA
 */
void b2b_hep_trace(bool tx, enum sip_transp tp, const struct sa *src,
		   const struct sa *dst, const uint8_t *pkt, size_t len,
		   void *arg)
{
	const struct b2b *b2b = arg;
	const struct leg *leg;
	struct pl cid = PL_INIT, link;
	(void)tx;

	if (!b2b || !b2b->hep || len < 8 ||
	    (memcmp(pkt, "SIP/2.0 ", 8) && !isalpha(pkt[0])))
		return;     /* keep-alives, STUN */

	if (!callid_scan(pkt, len, &cid)) {
		hep_sip(b2b->hep, tp, src, dst, pkt, len, NULL);
		return;
	}

	leg = leg_lookup(b2b, &cid);
	if (!leg)
		leg = lreq_leg(b2b, &cid);   /* a BYE's answer */
	if (leg)
		pl_set_str(&link, leg_link_id(leg));
	else
		link = cid;

	hep_sip(b2b->hep, tp, src, dst, pkt, len, &link);
}


/* libre's outside stack: what it receives over UDP was traced by the
 * UDP helper (sipraw) */
static void trace_ext(bool tx, enum sip_transp tp, const struct sa *src,
		      const struct sa *dst, const uint8_t *pkt, size_t len,
		      void *arg)
{
	if (!tx && tp == SIP_TRANSP_UDP)
		return;

	b2b_hep_trace(tx, tp, src, dst, pkt, len, arg);
}


/**
 * Start capturing when hep_collector is set: the trace handlers of
 * libre's stacks (umedge's own streams and the UDP helper take
 * b2b_hep_trace when they are made)
 *
 * @param b2b B2BUA
 * @param cfg Configuration
 *
 * @return 0 if success, otherwise errorcode
 */
int b2b_hep_start(struct b2b *b2b, const struct cfg *cfg)
{
	int err;

	if (!sa_isset(&cfg->hep.collector, SA_ALL))
		return 0;

	err = hep_alloc(&b2b->hep, cfg);
	if (err)
		return err;

	sip_set_trace_handler(b2b->sip[B2B_EXT], trace_ext);
	sip_set_trace_handler(b2b->sip[B2B_INT], b2b_hep_trace);
	b2b->slim.conn.traceh = b2b_hep_trace;
	b2b->slim.conn.trace_arg = b2b;

	return 0;
}
