/**
 * @file sipnorm.c  Tests of what reads SIP before libre decodes it:
 *                  header aliases, answers to undecodable requests
 */
#include <string.h>
#include <re.h>
#include "sipline.h"
#include "sipalias.h"
#include "sipans.h"
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
