/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file fuzz_sip.c  libFuzzer target: what the B2BUA does with a SIP
 *                   message from the wire
 *
 * The input goes through libre's decoder, then every check the edge
 * makes before acting: sipguard on a request (a verdict that is 0 or a
 * status code of 400-699 with a reason), the response check, the 3xx
 * Contact parser and target checks, the collection of the headers
 * passed to UM, and a Refer-To's Replaces decoded and encoded again;
 * and the RFC 2543 normaliser, whose rewrites must decode. Header
 * aliases are renamed first, and what does not decode gets its answer.
 * The same bytes go through the stream framer too, in pieces, and each
 * message it frames the same way; RSeq and RAck (100rel) are decoded
 * within their ranges, and Session-Expires and Min-SE negotiate an
 * interval of at least 90 s whose refresh comes before its expiry.
 * The bytes are also a stored dialog (sipdlg.c, a B2BUA call's record
 * in Redis): one that is made again is stored and made again once more
 * (the same Call-ID, if it takes).
 * Nothing may crash, leak or read out of bounds.
 * Seeds: tests/data/rfc4475/ *.dat
 */
#include <string.h>
#include <re.h>
#define DEBUG_MODULE "fuzz_sip"
#define DEBUG_LEVEL 0
#include <re_dbg.h>
#include "cfg.h"
#include "sipguard.h"
#include "redir.h"
#include "passhdr.h"
#include "replaces.h"
#include "sipraw.h"
#include "sip2543.h"
#include "sipalias.h"
#include "sipans.h"
#include "sipframe.h"
#include "prack.h"
#include "stimer.h"
#include "sipx.h"
#include "sipdlg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static void check(bool ok)
{
	if (!ok)
		__builtin_trap();
}


/* A Refer-To's Replaces, unescaped, decoded, encoded again */
static void replaces(const struct sip_msg *msg)
{
	const struct sip_hdr *hdr = sip_msg_hdr(msg, SIP_HDR_REFER_TO);
	struct sip_addr addr;
	struct replaces r;
	struct pl val;
	char buf[512], out[1600];
	int n;

	if (!hdr || sip_addr_decode(&addr, &hdr->val) ||
	    uri_header_get(&addr.uri.headers, &(struct pl)PL("Replaces"),
			   &val))
		return;

	n = re_snprintf(buf, sizeof(buf), "%H", uri_header_unescape, &val);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return;

	pl_set_str(&val, buf);
	if (replaces_decode(&r, &val))
		return;

	check(pl_isset(&r.callid) && pl_isset(&r.to_tag) &&
	      pl_isset(&r.from_tag));
	(void)re_snprintf(out, sizeof(out), "%H", replaces_encode, &r);
}


/* Passed headers as they came, and with inside hosts hidden */
static void passed(const struct sip_msg *msg, const struct list *nets)
{
	const struct passhdr_policy pol = {.out = false};
	struct passhdr_hide hide;
	struct sa repl;
	char *hdrs = NULL;

	if (!passhdr_collect(&hdrs, msg, &pol, NULL) && hdrs)
		check(strlen(hdrs) >= 4);
	hdrs = mem_deref(hdrs);

	(void)sa_set_str(&repl, "198.51.100.1", 0);
	hide.nets = nets;
	hide.repl = &repl;
	if (!passhdr_collect(&hdrs, msg, &pol, &hide) && hdrs)
		check(strlen(hdrs) >= 4);
	mem_deref(hdrs);
}


/* Session-Expires and Min-SE, as the caller's leg and as the callee's
 * leg negotiate them */
static void timers(const struct sip_msg *msg)
{
	struct stimer_req req;
	struct stimer_neg neg;

	if (stimer_req_decode(&req, msg))
		return;

	if (stimer_uas_negotiate(&neg, &req, 1800, 90))
		check(neg.minse >= STIMER_MIN_SE);
	else
		check(!neg.interval || neg.interval >= STIMER_MIN_SE);

	stimer_uac_negotiate(&neg, &req);
	if (neg.interval >= STIMER_MIN_SE)
		check(stimer_refresh_ms(neg.interval) <
		      stimer_expire_ms(neg.interval));
}


/* RAck of a PRACK, RSeq of a reliable 1xx: in range when decoded */
static void rel100(const struct sip_msg *msg)
{
	const struct sip_hdr *rack = sip_msg_hdr(msg, SIP_HDR_RACK);
	const struct sip_hdr *rseq = sip_msg_hdr(msg, SIP_HDR_RSEQ);
	uint32_t r, c;
	struct pl met;

	if (rack && !prack_rack_decode(&rack->val, &r, &c, &met))
		check(r >= 1 && r <= PRACK_RSEQ_MAX && pl_isset(&met));
	if (rseq && !prack_rseq_decode(&rseq->val, &r))
		check(r >= 1 && r <= PRACK_RSEQ_MAX);
}


static void request(const struct sip_msg *msg, const struct list *nets)
{
	struct sipguard_verdict v;

	sipguard_request(msg, &v);
	check(v.scode == 0 || (v.scode >= 400 && v.scode < 700 && v.reason));
	rel100(msg);
	timers(msg);
	replaces(msg);
	passed(msg, nets);
}


static void response(const struct sip_msg *msg, const struct list *nets)
{
	struct list targets = LIST_INIT;

	(void)sipguard_response(msg, &msg->callid, &msg->from.tag,
				&msg->cseq.met);
	rel100(msg);
	timers(msg);

	if (!redir_targets(&targets, msg)) {
		for (struct le *le = targets.head; le; le = le->next) {
			const struct redir_target *t = le->data;

			check(strlen(t->uri) < sizeof(t->uri));
			(void)redir_check(t, nets, true);
		}
	}

	list_flush(&targets);
}


/* What the RFC 2543 normaliser rewrites decodes, with our branch */
static void norm2543(const uint8_t *data, size_t size)
{
	struct mbuf *mb = mbuf_alloc(size + 1);
	struct sip_msg *msg = NULL;
	struct sa src;

	if (!mb || !size)
		goto out;

	(void)mbuf_write_mem(mb, data, size);
	mb->pos = 0;
	(void)sa_set_str(&src, "198.51.100.10", 5060);
	if (sip2543_norm(mb, &src)) {
		check(0 == sip_msg_decode(&msg, mb));
		check(pl_isset(&msg->via.branch));
	}

 out:
	mem_deref(msg);
	mem_deref(mb);
}


/* The answer to an undecodable request is one of the four */
static void answer(const struct mbuf *mb)
{
	struct pl text = {(const char *)mb->buf + mb->pos, mb->end - mb->pos};
	struct mbuf *out;
	const char *reason;
	uint16_t scode;

	if (!sipans_is_request(&text))
		return;

	scode = sipans_status(&text, &reason);
	check(scode == 400 || scode == 405 || scode == 416 || scode == 505);
	out = mbuf_alloc(256);
	if (out)
		(void)sipans_encode(out, &text, scode, reason, "INVITE");
	mem_deref(out);
}


/* One message as the edge takes it: header aliases renamed, then
 * decoded and checked, or answered */
static void message(struct mbuf *mb, const struct list *nets)
{
	struct sip_msg *msg = NULL;

	if (sipalias_rename(mb))
		return;

	if (sip_msg_decode(&msg, mb)) {
		answer(mb);
		return;
	}

	check(!sip_msg_xhdr(msg, "ms-client-diagnostics"));
	if (msg->req)
		request(msg, nets);
	else
		response(msg, nets);

	mem_deref(msg);
}


static void frame_h(enum sipframe_ev ev, struct mbuf *mb, uint16_t scode,
		    void *arg)
{
	switch (ev) {

	case SIPFRAME_MSG:
		message(mb, arg);
		break;

	case SIPFRAME_FAIL:
		check(scode == 400 || scode == 513);
		answer(mb);
		break;

	default:
		break;
	}
}


/* The same bytes as a stream, in pieces of 1 to 61 bytes */
static void stream(const uint8_t *data, size_t size,
		   const struct list *nets)
{
	struct sipframe *sf = NULL;
	size_t step;

	if (!size || sipframe_alloc(&sf, 16384, frame_h, (void *)nets))
		return;

	step = data[0] % 61 + 1;
	for (size_t o = 0; o < size; o += step) {
		if (sipframe_input(sf, data + o, min(step, size - o)))
			break;
	}

	mem_deref(sf);
}


/* The bytes as a stored dialog: made again, stored, made again */
static void dialog(const uint8_t *data, size_t size)
{
	struct sip_dialog *a = NULL, *b = NULL;
	struct mbuf *mb = mbuf_alloc(512);
	struct pl lines = {(const char *)data, size};

	if (!mb || sipdlg_import(&a, &lines, "sip:peer@192.0.2.9"))
		goto out;

	check(0 == sipdlg_export(mb, a));
	lines.p = (const char *)mb->buf;
	lines.l = mb->end;
	if (!sipdlg_import(&b, &lines, sip_dialog_uri(a)))
		check(!strcmp(sip_dialog_callid(a), sip_dialog_callid(b)));

 out:
	mem_deref(b);
	mem_deref(a);
	mem_deref(mb);
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char text[] = "interface x 192.0.2.1 ports=30000-30099\n"
		"sip_enable no\nsip_internal_network 203.0.113.0/24\n";
	static struct cfg *cfg;
	struct mbuf *mb;
	char emsg[128];

	if (!cfg) {
		/* libre's warnings (uric, sip) would flood the log */
		dbg_init(DBG_EMERG, DBG_NONE);
		check(0 == cfg_parse(&cfg, "fuzz", text, strlen(text), emsg,
				     sizeof(emsg)));
	}

	mb = mbuf_alloc(size + 1);
	if (!mb)
		return 0;
	(void)mbuf_write_mem(mb, data, size);
	mb->pos = 0;
	if (size)
		message(mb, &cfg->sip.internal_nets);
	mem_deref(mb);

	norm2543(data, size);
	stream(data, size, &cfg->sip.internal_nets);
	dialog(data, size);

	return 0;
}
