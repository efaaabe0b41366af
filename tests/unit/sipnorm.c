/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipnorm.c  Tests of what reads SIP before libre decodes it:
 *                  header aliases, answers to undecodable requests
 */
#include <string.h>
#include <re.h>
#include "cfg.h"
#include "sipline.h"
#include "sipalias.h"
#include "sipans.h"
#include "sipframe.h"
#include "sipresp.h"
#include "passhdr.h"
#include "test.h"


static int alias_msg(struct mbuf **mbp, const char *hdrs)
{
	struct mbuf *mb = mbuf_alloc(512);
	int err;

	if (!mb)
		return ENOMEM;

	err = mbuf_printf(mb, "BYE sip:um@203.0.113.10 SIP/2.0\r\n"
			  "Via: SIP/2.0/UDP 198.51.100.10;branch=z9hG4bKa1\r\n"
			  "From: <sip:gw@198.51.100.10>;tag=f1\r\n"
			  "To: <sip:um@203.0.113.10>;tag=t1\r\n"
			  "Call-ID: real-call\r\n"
			  "CSeq: 2 BYE\r\n"
			  "%s"
			  "Content-Length: 0\r\n\r\n", hdrs);
	mb->pos = 0;
	if (err)
		mem_deref(mb);
	else
		*mbp = mb;

	return err;
}


/* Which names are aliases: a known id's hash, not its name */
int test_sipalias_names(void)
{
	static const struct { const char *name; bool alias; } v[] = {
		{"ms-client-diagnostics", true}, {"qfdb", true},
		{"qapd", true}, {"qnrl", true}, {"qajeq", true},
		{"qavq", true}, {"qayk", true}, {"qpk", true},
		{"To", false}, {"to", false}, {"TO", false}, {"t", false},
		{"Call-ID", false}, {"call-id", false}, {"CSeq", false},
		{"Via", false}, {"Content-Length", false},
		{"Session-Expires", false}, {"x", false},
		{"X-qfdb", false}, {"x-ms-client-diagnostics", false},
		{"ms-diagnostics", false}, {"X-Pbx-Id", false},
		{"P-Asserted-Identity", false}, {"WWW-Authenticate", false},
	};
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct pl n;

		pl_set_str(&n, v[i].name);
		if (sipalias_is(&n) != v[i].alias) {
			TEST_FAIL("%s: %d\n", v[i].name, !v[i].alias);
			err = EINVAL;
			goto out;
		}
	}

 out:
	return err;
}


/* libre cannot decode a BYE with ms-client-diagnostics; renamed, it
 * can, the real To and Call-ID stay, and the header keeps its name
 * for the header policy */
int test_sipalias_rename(void)
{
	struct mbuf *mb = NULL;
	struct sip_msg *msg = NULL;
	const struct sip_hdr *h;
	struct pl full;
	int err = 0;

	TEST_ERR(alias_msg(&mb, "ms-client-diagnostics: 51004;reason=\"x\"\r\n"
			  "qnrl : other-call\r\n"
			  "QFDB: <sip:evil@192.0.2.1>;tag=x\r\n"));
	TEST_ASSERT(sip_msg_decode(&msg, mb) != 0);
	msg = mem_deref(msg);
	mb->pos = 0;

	TEST_ERR(sipalias_rename(mb));
	TEST_EQUALS(0, mb->pos);
	TEST_ERR(sip_msg_decode(&msg, mb));
	TEST_PLSTR(&msg->callid, "real-call");
	TEST_PLSTR(&msg->to.tag, "t1");

	h = sip_msg_xhdr(msg, "X-Umedge-Alias-ms-client-diagnostics");
	TEST_ASSERT(h != NULL);
	TEST_EQUALS(SIP_HDR_NONE, h->id);
	passhdr_full(&h->name, &full);
	TEST_PLSTR(&full, "ms-client-diagnostics");
	TEST_EQUALS(1, sip_msg_hdr_count(msg, SIP_HDR_TO));
	TEST_EQUALS(1, sip_msg_hdr_count(msg, SIP_HDR_CALL_ID));

	/* a peer's own prefixed name is not unprefixed */
	pl_set_str(&full, "X-Umedge-Alias-To");
	passhdr_full(&full, &full);
	TEST_PLSTR(&full, "X-Umedge-Alias-To");

 out:
	mem_deref(msg);
	mem_deref(mb);
	return err;
}


/* Nothing to rename: the buffer is left as it was */
int test_sipalias_none(void)
{
	struct mbuf *mb = NULL;
	uint8_t *before;
	size_t end;
	int err = 0;

	TEST_ERR(alias_msg(&mb, "X-Hdr : a\r\nSubject: b\r\n"));
	before = mb->buf;
	end = mb->end;
	TEST_ERR(sipalias_rename(mb));
	TEST_ASSERT(before == mb->buf);
	TEST_EQUALS(end, mb->end);

 out:
	mem_deref(mb);
	return err;
}


/* The answer to an undecodable request: status, copied lines, Allow */
int test_sipans(void)
{
	static const struct {
		const char *req;
		uint16_t scode;
	} v[] = {
		{"REGISTER sip:x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
		 "t: <sip:x>\r\nf: <sip:y>;tag=1\r\ni: c\r\nCSeq: 1 REGISTER\r\n"
		 "Contact: <sip:bad\r\n\r\n", 405},
		{"INVITE sip:x SIP/7.0\r\nv: SIP/2.0/TCP h;branch=z9hG4bK2\r\n"
		 "\r\n", 505},
		{"INVITE nope:x SIP/2.0\r\nVia : SIP/2.0/TCP h;branch=z9hG4bK3\r\n"
		 "\r\n", 416},
		{"INVITE sip:x SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK4\r\n"
		 "To: <<<\r\n\r\n", 400},
	};
	struct mbuf *mb = NULL;
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		const char *reason;
		struct pl req, ans;

		pl_set_str(&req, v[i].req);
		TEST_ASSERT(sipans_is_request(&req));
		TEST_EQUALS(v[i].scode, sipans_status(&req, &reason));
		mb = mbuf_alloc(256);
		TEST_ASSERT(mb != NULL);
		TEST_ERR(sipans_encode(mb, &req, v[i].scode, reason,
				       "INVITE, ACK"));
		ans.p = (const char *)mb->buf;
		ans.l = mb->end;
		TEST_ASSERT(!re_regex(ans.p, ans.l, "branch=z9hG4bK[0-9]+",
				      NULL));
		TEST_ASSERT((v[i].scode == 405) ==
			    (0 == re_regex(ans.p, ans.l, "Allow: INVITE, ACK",
					   NULL)));
		TEST_ASSERT(!re_regex(ans.p, ans.l, "Content-Length: 0\r\n\r\n",
				      NULL));
		mb = mem_deref(mb);
	}

	/* no Via: nowhere to answer */
	{
		struct pl req;
		pl_set_str(&req, "INVITE sip:x SIP/2.0\r\nTo: <<<\r\n\r\n");
		mb = mbuf_alloc(256);
		TEST_ASSERT(mb != NULL);
		TEST_EQUALS(EBADMSG, sipans_encode(mb, &req, 400,
						   "Bad Request", "INVITE"));
	}

 out:
	mem_deref(mb);
	return err;
}


/** What a framer handed out */
struct frame_rig {
	struct sipframe *sf;   /**< The framer                     */
	struct mbuf *out;      /**< Messages, each followed by '|' */
	unsigned msgs;         /**< Messages                       */
	unsigned pongs;        /**< Pings answered                 */
	uint16_t fail;         /**< Status of a failure, or 0      */
};


static void frame_h(enum sipframe_ev ev, struct mbuf *mb, uint16_t scode,
		    void *arg)
{
	struct frame_rig *r = arg;

	switch (ev) {

	case SIPFRAME_MSG:
		++r->msgs;
		(void)mbuf_write_mem(r->out, mb->buf, mb->end);
		(void)mbuf_write_u8(r->out, '|');
		break;

	case SIPFRAME_PONG:
		++r->pongs;
		break;

	case SIPFRAME_FAIL:
		r->fail = scode;
		break;
	}
}


static int rig_init(struct frame_rig *r, size_t max)
{
	memset(r, 0, sizeof(*r));
	r->out = mbuf_alloc(1024);
	if (!r->out)
		return ENOMEM;

	return sipframe_alloc(&r->sf, max, frame_h, r);
}


static void rig_reset(struct frame_rig *r)
{
	mem_deref(r->sf);
	mem_deref(r->out);
	memset(r, 0, sizeof(*r));
}


/* Feed a text in pieces of `step` bytes */
static int rig_feed(struct frame_rig *r, const char *text, size_t step)
{
	size_t n = strlen(text);
	int err = 0;

	for (size_t i = 0; i < n && !err; i += step)
		err = sipframe_input(r->sf, (const uint8_t *)text + i,
				     min(step, n - i));

	return err;
}


#define M1 "OPTIONS sip:a SIP/2.0\r\nVia: SIP/2.0/TCP h\r\n" \
	"Content-Length : 4\r\n\r\nabcd"
#define M2 "SIP/2.0 200 OK\nl: 0\n\n"
#define M3 "BYE sip:b SIP/2.0\r\ncontent-length:2\r\nCONTENT-LENGTH: 2" \
	"\r\n\r\nxy"


/* Messages come out whole and in order, whatever the pieces; CRLFs
 * between them are skipped and a CRLFCRLF is a ping */
int test_sipframe_split(void)
{
	static const char stream[] = "\r\n" M1 "\r\n\r\n" M2 "\r\n" M3;
	static const char want[] = M1 "|" M2 "|" M3 "|";
	struct frame_rig r;
	int err = 0;

	for (size_t step = 1; step <= sizeof(stream); step++) {
		TEST_ERR(rig_init(&r, 4096));
		TEST_ERR(rig_feed(&r, stream, step));
		TEST_EQUALS(3, r.msgs);
		TEST_EQUALS(1, r.pongs);
		TEST_EQUALS(0, r.fail);
		TEST_EQUALS(strlen(want), r.out->end);
		TEST_ASSERT(!memcmp(r.out->buf, want, r.out->end));
		TEST_ASSERT(!sipframe_started(r.sf));
		rig_reset(&r);
	}

	/* a message begun is seen as begun */
	TEST_ERR(rig_init(&r, 4096));
	TEST_ERR(rig_feed(&r, "INVITE sip:x SIP/2.0\r\nl: 10\r\n\r\n12", 64));
	TEST_ASSERT(sipframe_started(r.sf));
	TEST_EQUALS(0, r.msgs);

 out:
	rig_reset(&r);
	return err;
}


/* What cannot be framed fails, once, and nothing more is taken */
int test_sipframe_fail(void)
{
	static const struct {
		const char *text;
		uint16_t scode;
	} v[] = {
		{"INVITE sip:x SIP/2.0\r\nVia: a\r\n\r\n", 400},
		{"INVITE sip:x SIP/2.0\r\nl: 1\r\nl: 2\r\n\r\nab", 400},
		{"INVITE sip:x SIP/2.0\r\nl: -1\r\n\r\n", 400},
		{"INVITE sip:x SIP/2.0\r\nl: 1 2\r\n\r\n", 400},
		{"INVITE sip:x SIP/2.0\r\nl: 0x10\r\n\r\n", 400},
		{"INVITE sip:x SIP/2.0\r\nl: 12345678901\r\n\r\n", 513},
		{"INVITE sip:x SIP/2.0\r\nl: 100\r\n\r\n", 513},
	};
	struct frame_rig r;
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		TEST_ERR(rig_init(&r, 120));
		TEST_EQUALS(EPIPE, rig_feed(&r, v[i].text, 7));
		TEST_EQUALS(v[i].scode, r.fail);
		TEST_ASSERT(sipframe_failed(r.sf));
		TEST_EQUALS(EPIPE, rig_feed(&r, M2, 64));
		TEST_EQUALS(0, r.msgs);
		rig_reset(&r);
	}

 out:
	rig_reset(&r);
	return err;
}


/* The limit: a message of exactly max bytes is taken, one more is 513,
 * and so are headers that never end */
int test_sipframe_limit(void)
{
	const char *hdr = "MESSAGE sip:x SIP/2.0\r\nl: %zu\r\n\r\n";
	const size_t max = 65536;
	struct frame_rig r;
	struct mbuf *mb = NULL;
	int err = 0;

	for (size_t extra = 0; extra < 2; extra++) {
		size_t body, hlen;
		char tmp[64];

		mb = mbuf_alloc(max + 64);
		TEST_ASSERT(mb != NULL);
		/* the body's length has 5 digits, as 60000 has */
		hlen = (size_t)re_snprintf(tmp, sizeof(tmp), hdr,
					   (size_t)60000);
		body = max - hlen + extra;
		TEST_ERR(mbuf_printf(mb, hdr, body));
		TEST_ERR(mbuf_fill(mb, 'z', body));
		TEST_ERR(rig_init(&r, max));
		(void)sipframe_input(r.sf, mb->buf, mb->end);
		TEST_EQUALS(extra ? 0 : 1, r.msgs);
		TEST_EQUALS(extra ? 513 : 0, r.fail);
		rig_reset(&r);
		mb = mem_deref(mb);
	}

	mb = mbuf_alloc(2048);
	TEST_ASSERT(mb != NULL);
	TEST_ERR(mbuf_write_str(mb, "INVITE sip:x SIP/2.0\r\n"));
	TEST_ERR(mbuf_fill(mb, 'h', 1500));
	TEST_ERR(rig_init(&r, 1024));
	TEST_EQUALS(EPIPE, sipframe_input(r.sf, mb->buf, mb->end));
	TEST_EQUALS(513, r.fail);

 out:
	rig_reset(&r);
	mem_deref(mb);
	return err;
}


/* Each RFC 4475 message over a stream, whole and byte by byte: one
 * message, except where the length cannot be known (400) or more is
 * announced than came (waits for it); dblreq is two, and its second
 * body is 5 bytes longer than its Content-Length: those 5 cannot be
 * framed */
int test_sipframe_rfc4475(void)
{
	static const struct {
		const char *name;
		unsigned msgs;
		uint16_t fail;
	} special[] = {
		{"dblreq", 2, 400}, {"clerr", 0, 0}, {"mcl01", 0, 400},
		{"ncl", 0, 400}, {"inv2543", 0, 400},
	};
	static const char *files[] = {
		"badaspec", "badbranch", "baddate", "baddn", "badinv01",
		"badvers", "bcast", "bext01", "bigcode", "clerr", "cparam01",
		"cparam02", "dblreq", "esc01", "esc02", "escnull", "escruri",
		"insuf", "intmeth", "inv2543", "invut", "longreq", "ltgtruri",
		"lwsdisp", "lwsruri", "lwsstart", "mcl01", "mismatch01",
		"mismatch02", "mpart01", "multi01", "ncl", "noreason",
		"novelsc", "quotbal", "regaut01", "regbadct", "regescrt",
		"scalar02", "scalarlg", "sdp01", "semiuri", "transports",
		"trws", "unkscm", "unksm2", "unreason", "wsinv", "zeromf",
	};
	struct frame_rig r;
	struct mbuf *mb = NULL;
	int err = 0;

	memset(&r, 0, sizeof(r));
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		unsigned msgs = 1;
		uint16_t fail = 0;

		for (size_t k = 0; k < ARRAY_SIZE(special); k++) {
			if (!strcmp(files[i], special[k].name)) {
				msgs = special[k].msgs;
				fail = special[k].fail;
			}
		}

		TEST_ERR(test_file_load(&mb, "rfc4475", files[i], ".dat"));
		for (size_t step = 1; step <= mb->end; step += mb->end - 1) {
			TEST_ERR(rig_init(&r, 65536));
			for (size_t o = 0; o < mb->end; o += step)
				(void)sipframe_input(r.sf, mb->buf + o,
						     min(step, mb->end - o));
			if (r.msgs != msgs || r.fail != fail) {
				TEST_FAIL("%s (step %zu): %u messages, "
					  "failed %u\n", files[i], step,
					  r.msgs, r.fail);
				err = EINVAL;
				goto out;
			}
			rig_reset(&r);
		}
		mb = mem_deref(mb);
	}

 out:
	rig_reset(&r);
	mem_deref(mb);
	return err;
}


/* A response on our own stream: Vias, received and rport, our To tag,
 * Record-Route only when asked for, the caller's headers */
int test_sipresp(void)
{
	static const char req[] =
		"INVITE sip:um@203.0.113.1 SIP/2.0\r\n"
		"Via: SIP/2.0/TCP gw.example.com:5060;rport;branch=z9hG4bKa\r\n"
		"Via: SIP/2.0/TCP 192.0.2.7;branch=z9hG4bKb\r\n"
		"Record-Route: <sip:192.0.2.7;lr>\r\n"
		"From: <sip:a@gw>;tag=f\r\nTo: <sip:um@x>\r\n"
		"Call-ID: c1\r\nCSeq: 5 INVITE\r\nMax-Forwards: 70\r\n"
		"Content-Length: 0\r\n\r\n";
	struct mbuf *mb = NULL, *out = NULL;
	struct sip_msg *msg = NULL;
	struct pl ans;
	int err = 0;

	mb = mbuf_alloc(512);
	out = mbuf_alloc(512);
	TEST_ASSERT(mb && out);
	TEST_ERR(mbuf_write_str(mb, req));
	mb->pos = 0;
	TEST_ERR(sip_msg_decode(&msg, mb));
	TEST_ERR(sa_set_str(&msg->src, "198.51.100.10", 40123));

	TEST_ERR(sipresp_encode(out, msg, true, 180, "Ringing", "umedge",
				"Contact: <sip:edge>\r\n"
				"Content-Length: 0\r\n\r\n"));
	ans.p = (const char *)out->buf;
	ans.l = out->end;
	TEST_ASSERT(!re_regex(ans.p, ans.l, "SIP/2.0 180 Ringing\r\n"
			      "Via: SIP/2.0/TCP gw.example.com:5060;"
			      "branch=z9hG4bKa;rport=40123;"
			      "received=198.51.100.10\r\n"
			      "Via: SIP/2.0/TCP 192.0.2.7;branch=z9hG4bKb\r\n"
			      "Record-Route: <sip:192.0.2.7;lr>\r\n", NULL));
	TEST_ASSERT(!re_regex(ans.p, ans.l, "To: <sip:um@x>;tag=[0-9a-f]+\r\n",
			      NULL));
	TEST_ASSERT(!re_regex(ans.p, ans.l, "Server: umedge\r\n"
			      "Contact: <sip:edge>\r\n"
			      "Content-Length: 0\r\n\r\n", NULL));
	TEST_ASSERT(re_regex(ans.p, ans.l, "Max-Forwards", NULL) != 0);

	/* 100 keeps To as it came; no Record-Route unless asked */
	out->pos = out->end = 0;
	TEST_ERR(sipresp_encode(out, msg, false, 100, "Trying", NULL, NULL));
	ans.l = out->end;
	TEST_ASSERT(!re_regex(ans.p, ans.l, "To: <sip:um@x>\r\n", NULL));
	TEST_ASSERT(re_regex(ans.p, ans.l, "Record-Route", NULL) != 0);
	TEST_ASSERT(!re_regex(ans.p, ans.l, "Content-Length: 0\r\n\r\n",
			      NULL));

 out:
	mem_deref(msg);
	mem_deref(mb);
	mem_deref(out);
	return err;
}
