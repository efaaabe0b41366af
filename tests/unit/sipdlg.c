/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipdlg.c  Test of a dialog stored and made again: the UAS
 *                 dialog of an INVITE with two Record-Routes and the UAC
 *                 dialog of a 2xx with two, each encoded the same after
 *                 the round trip and matching the peer's requests
 */
#include <string.h>
#include <re.h>
#include "sipx.h"
#include "sipdlg.h"
#include "bencode.h"
#include "cfg.h"
#include "stimer.h"
#include "b2b_priv.h"
#include "test.h"


/* The lines a dialog encodes for a request (its CSeq left out) */
static int lines_of(struct mbuf **mbp, struct sip_dialog *dlg)
{
	struct mbuf *mb = mbuf_alloc(512);
	int err = 0;

	if (!mb)
		return ENOMEM;

	err = sip_dialog_encode(mb, dlg, 7, "ACK");
	if (err) {
		mem_deref(mb);
		return err;
	}

	*mbp = mb;

	return 0;
}


/* A round trip; the result encodes what the original did, has its
 * target and Call-ID, and takes the peer's request */
static int round_trip(struct sip_dialog *dlg, const char *peer_req)
{
	struct sip_dialog *again = NULL;
	struct mbuf *st = mbuf_alloc(512), *a = NULL, *b = NULL;
	struct sip_msg *req = NULL;
	struct pl lines;
	int err = 0;

	TEST_ASSERT(st != NULL);
	TEST_ERR(sipdlg_export(st, dlg));
	lines.p = (const char *)st->buf;
	lines.l = st->end;
	TEST_ERR(sipdlg_import(&again, &lines, sip_dialog_uri(dlg)));
	TEST_ERR(lines_of(&a, dlg));
	TEST_ERR(lines_of(&b, again));
	TEST_EQUALS(a->end, b->end);
	TEST_ASSERT(!memcmp(a->buf, b->buf, a->end));
	TEST_STRCMP(sip_dialog_uri(dlg), sip_dialog_uri(again));
	TEST_STRCMP(sip_dialog_callid(dlg), sip_dialog_callid(again));
	TEST_ASSERT(sip_dialog_established(again));
	TEST_ERR(msg_make(&req, peer_req));
	TEST_ASSERT(sip_dialog_cmp(again, req));

 out:
	mem_deref(again);
	mem_deref(req);
	mem_deref(st);
	mem_deref(a);
	mem_deref(b);
	return err;
}


static const char invite[] =
	"INVITE sip:8000@192.0.2.1 SIP/2.0\n"
	"Via: SIP/2.0/UDP 198.51.100.10:5060;branch=z9hG4bKa1\n"
	"Record-Route: <sip:198.51.100.20;lr>\n"
	"Record-Route: <sip:198.51.100.21;lr;ftag=x>\n"
	"From: \"Gw\" <sip:+15550100@198.51.100.10>;tag=gw-1\n"
	"To: <sip:8000@192.0.2.1>\n"
	"Call-ID: uas-1@198.51.100.10\n"
	"CSeq: 101 INVITE\n"
	"Contact: <sip:gw@198.51.100.10:5060;transport=udp>\n"
	"Content-Length: 0\n\n";

static const char bye_uas[] =
	"BYE sip:umedge@192.0.2.1 SIP/2.0\n"
	"Via: SIP/2.0/UDP 198.51.100.10:5060;branch=z9hG4bKa2\n"
	"From: \"Gw\" <sip:+15550100@198.51.100.10>;tag=gw-1\n"
	"To: <sip:8000@192.0.2.1>;tag=00000000000a11ce\n"
	"Call-ID: uas-1@198.51.100.10\n"
	"CSeq: 102 BYE\n"
	"Content-Length: 0\n\n";


static int test_uas(void)
{
	struct sip_dialog *dlg = NULL;
	struct sip_msg *msg = NULL;
	int err = 0;

	TEST_ERR(msg_make(&msg, invite));
	msg->tag = 0xa11ce;
	TEST_ERR(sip_dialog_accept(&dlg, msg));
	TEST_ERR(round_trip(dlg, bye_uas));

 out:
	mem_deref(dlg);
	mem_deref(msg);
	return err;
}


static int test_uac(void)
{
	static const char fmt[] =
		"SIP/2.0 200 OK\n"
		"Via: SIP/2.0/TCP 203.0.113.1;branch=z9hG4bKb1\n"
		"Record-Route: <sip:203.0.113.20;lr>\n"
		"Record-Route: <sip:203.0.113.21;lr>\n"
		"From: \"Gw\" <sip:+15550100@203.0.113.1>;tag=%s\n"
		"To: <sip:8000@203.0.113.10>;tag=um-9\n"
		"Call-ID: %s\n"
		"CSeq: 1 INVITE\n"
		"Contact: <sip:worker@203.0.113.11:5065;transport=tcp>\n"
		"Content-Length: 0\n\n";
	static const char bye_fmt[] =
		"BYE sip:umedge@203.0.113.1 SIP/2.0\n"
		"Via: SIP/2.0/TCP 203.0.113.11;branch=z9hG4bKb2\n"
		"From: <sip:8000@203.0.113.10>;tag=um-9\n"
		"To: \"Gw\" <sip:+15550100@203.0.113.1>;tag=%s\n"
		"Call-ID: %s\n"
		"CSeq: 5 BYE\n"
		"Content-Length: 0\n\n";
	struct sip_dialog *dlg = NULL;
	struct sip_msg *msg = NULL;
	struct mbuf *mb = mbuf_alloc(256);
	char text[1024], bye[512], ltag[24] = "";
	struct pl line, tag;
	int err = 0;

	TEST_ASSERT(mb != NULL);
	TEST_ERR(sip_dialog_alloc(&dlg, "sip:8000@203.0.113.10",
				  "sip:8000@203.0.113.10", "Gw",
				  "sip:+15550100@203.0.113.1", NULL, 0));
	TEST_ERR(sip_dialog_encode(mb, dlg, 1, "ACK"));
	TEST_ERR(re_regex((char *)mb->buf, mb->end, "From:[^\r\n]+", &line));
	TEST_ERR(msg_param_decode(&line, "tag", &tag));
	(void)pl_strcpy(&tag, ltag, sizeof(ltag));
	(void)re_snprintf(text, sizeof(text), fmt, ltag,
			  sip_dialog_callid(dlg));
	TEST_ERR(msg_make(&msg, text));
	TEST_ERR(sip_dialog_create(dlg, msg));
	(void)re_snprintf(bye, sizeof(bye), bye_fmt, ltag,
			  sip_dialog_callid(dlg));
	TEST_ERR(round_trip(dlg, bye));

 out:
	mem_deref(dlg);
	mem_deref(msg);
	mem_deref(mb);
	return err;
}


/* A stored leg's session timer: none, refused out of range or
 * incomplete, read back */
static int test_stimer_read(void)
{
	static const struct {
		const char *d;
		int err;
	} v[] = {
		{"d1:xi1ee", ENOENT},
		{"d2:sei89e8:se_locali1e9:se_updatei0ee", EBADMSG},
		{"d2:sei90ee", EBADMSG},
		{"d2:sei90e8:se_locali1e9:se_updatei1ee", 0},
	};
	struct stimer_neg neg;
	struct benc *d = NULL;
	bool update = false;
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		d = mem_deref(d);
		TEST_ERR(benc_decode(&d, v[i].d, strlen(v[i].d), NULL));
		TEST_EQUALS(v[i].err, leg_stimer_read(d, &neg, &update));
	}

	TEST_EQUALS(90, neg.interval);
	TEST_ASSERT(neg.local && update);

 out:
	mem_deref(d);
	return err;
}


/* Both roles; lines without our tag are refused; a stored session
 * timer read back */
int test_sipdlg(void)
{
	struct sip_dialog *dlg = NULL;
	struct pl bad;
	int err = 0;

	TEST_ERR(test_stimer_read());

	TEST_ERR(test_uas());
	TEST_ERR(test_uac());
	pl_set_str(&bad, "To: <sip:a@192.0.2.9>;tag=1\r\n"
		   "From: <sip:b@192.0.2.1>;tag=zz\r\nCall-ID: c\r\n");
	TEST_EQUALS(EBADMSG, sipdlg_import(&dlg, &bad, "sip:a@192.0.2.9"));
	TEST_ASSERT(dlg == NULL);

 out:
	return err;
}
