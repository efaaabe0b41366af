/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file stimer.c  Unit tests: RFC 4028 session timers, the pure part
 *                 (stimer.c)
 */
#include <string.h>
#include <re.h>
#include "stimer.h"
#include "test.h"


/* An INVITE with more headers (LF line ends, msg_make in sip.c) */
static int invite_make(struct sip_msg **msgp, const char *hdrs)
{
	char text[1024];

	(void)re_snprintf(text, sizeof(text),
			  "INVITE sip:1@192.0.2.1 SIP/2.0\n"
			  "Via: SIP/2.0/UDP 192.0.2.2;branch=z9hG4bK1\n"
			  "From: <sip:a@192.0.2.2>;tag=1\n"
			  "To: <sip:1@192.0.2.1>\n"
			  "Call-ID: st1\nCSeq: 1 INVITE\n"
			  "%sContent-Length: 0\n\n", hdrs);

	return msg_make(msgp, text);
}


int test_stimer_se_decode(void)
{
	static const struct {
		const char *val;
		int err;
		uint32_t delta;
		enum stimer_refresher r;
	} v[] = {
		{"1800", 0, 1800, STIMER_UNSET},
		{"90;refresher=uac", 0, 90, STIMER_UAC},
		{"90 ; Refresher = UAS", 0, 90, STIMER_UAS},
		{"90;REFRESHER=Uac;x=1", 0, 90, STIMER_UAC},
		{"90;foo;refresher=uas", 0, 90, STIMER_UAS},
		{"90;refresher=both", 0, 90, STIMER_UNSET},
		{"90;refreshers=uac", 0, 90, STIMER_UNSET},
		{"0090", 0, 90, STIMER_UNSET},
		{"4294967295", 0, 4294967295u, STIMER_UNSET},
		{"4294967296", 0, 4294967295u, STIMER_UNSET},
		{"99999999999999999999999", 0, 4294967295u, STIMER_UNSET},
		{"", EBADMSG, 0, 0},
		{"abc", EBADMSG, 0, 0},
		{"-90", EBADMSG, 0, 0},
		{"90x", EBADMSG, 0, 0},
		{"90 100", EBADMSG, 0, 0},
		{";refresher=uac", EBADMSG, 0, 0},
	};
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct stimer_se se = {0, STIMER_UNSET};
		struct pl pl;
		int e;

		pl_set_str(&pl, v[i].val);
		e = stimer_se_decode(&se, &pl);
		if (e != v[i].err || (!e && (se.delta != v[i].delta ||
					     se.refresher != v[i].r))) {
			TEST_FAIL("'%s': %d %u %d\n", v[i].val, e, se.delta,
				  se.refresher);
			err = EINVAL;
			goto out;
		}
	}

 out:
	return err;
}


int test_stimer_minse_decode(void)
{
	uint32_t minse = 0;
	struct pl pl;
	int err = 0;

	pl_set_str(&pl, "120");
	TEST_ERR(stimer_minse_decode(&minse, &pl));
	TEST_EQUALS(120, minse);

	pl_set_str(&pl, " 90;x=y");
	TEST_ERR(stimer_minse_decode(&minse, &pl));
	TEST_EQUALS(90, minse);

	pl_set_str(&pl, "ninety");
	TEST_EQUALS(EBADMSG, stimer_minse_decode(&minse, &pl));

 out:
	return err;
}


/* The compact form, Min-SE and Supported as libre decodes them */
int test_stimer_req_decode(void)
{
	struct sip_msg *msg = NULL;
	struct stimer_req req;
	int err = 0;

	TEST_ERR(invite_make(&msg, "x: 300;refresher=UAC\n"
			     "Min-SE: 120\nSupported: 100rel, Timer\n"));
	TEST_ERR(stimer_req_decode(&req, msg));
	TEST_ASSERT(req.has_se);
	TEST_EQUALS(300, req.se.delta);
	TEST_EQUALS(STIMER_UAC, req.se.refresher);
	TEST_EQUALS(120, req.minse);
	TEST_ASSERT(req.timer);
	msg = mem_deref(msg);

	TEST_ERR(invite_make(&msg, "Require: timer\n"));
	TEST_ERR(stimer_req_decode(&req, msg));
	TEST_ASSERT(!req.has_se);
	TEST_ASSERT(req.timer);
	msg = mem_deref(msg);

	TEST_ERR(invite_make(&msg, "Session-Expires: soon\n"));
	TEST_EQUALS(EBADMSG, stimer_req_decode(&req, msg));

 out:
	mem_deref(msg);
	return err;
}


/* The negotiation matrix as UAS: sip_session_expires 1800, sip_min_se
 * 90, unless said */
int test_stimer_uas(void)
{
	static const struct {
		bool has_se;
		uint32_t se;
		enum stimer_refresher r;
		uint32_t minse;
		bool timer;
		uint32_t se_cfg;
		int err;
		uint32_t interval;
		bool local;
		uint32_t minse_422;
	} v[] = {
		/* nothing to negotiate */
		{false, 0, 0, 0, false, 1800, 0, 0, false, 0},
		/* timer supported, no SE: umedge proposes and refreshes */
		{false, 0, 0, 0, true, 1800, 0, 1800, true, 0},
		{false, 0, 0, 2000, true, 1800, 0, 2000, true, 0},
		/* refresher left open: umedge */
		{true, 90, STIMER_UNSET, 0, true, 1800, 0, 90, true, 0},
		{true, 90, STIMER_UAS, 0, true, 1800, 0, 90, true, 0},
		{true, 90, STIMER_UAC, 0, true, 1800, 0, 90, false, 0},
		/* refresher=uac without timer support: a proxy's; uas */
		{true, 90, STIMER_UAC, 0, false, 1800, 0, 90, true, 0},
		{true, 4000, STIMER_UNSET, 0, false, 1800, 0, 1800, true, 0},
		/* lowered, but not below the request's Min-SE */
		{true, 4000, STIMER_UAC, 3000, true, 1800, 0, 3000, false, 0},
		/* too small */
		{true, 60, STIMER_UAC, 0, true, 1800, EPROTO, 0, false, 90},
		{true, 89, STIMER_UNSET, 0, false, 1800, EPROTO, 0, false, 90},
		/* timers off */
		{true, 60, STIMER_UAC, 0, true, 0, 0, 0, false, 0},
		{false, 0, 0, 0, true, 0, 0, 0, false, 0},
	};
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct stimer_req req = {v[i].has_se, {v[i].se, v[i].r},
					 v[i].minse, v[i].timer};
		struct stimer_neg neg;
		int e;

		e = stimer_uas_negotiate(&neg, &req, v[i].se_cfg, 90);
		if (e != v[i].err || neg.interval != v[i].interval ||
		    neg.local != v[i].local || neg.minse != v[i].minse_422) {
			TEST_FAIL("row %zu: %d %u %d %u\n", i, e, neg.interval,
				  neg.local, neg.minse);
			err = EINVAL;
			goto out;
		}
	}

	/* a larger sip_min_se is what the 422 names */
	{
		struct stimer_req req = {true, {100, 0}, 0, true};
		struct stimer_neg neg;

		TEST_EQUALS(EPROTO, stimer_uas_negotiate(&neg, &req, 1800,
							 120));
		TEST_EQUALS(120, neg.minse);
	}

 out:
	return err;
}


/* As UAC: the 2xx governs */
int test_stimer_uac(void)
{
	struct stimer_req resp = {true, {120, STIMER_UAC}, 0, true};
	struct stimer_neg neg;
	int err = 0;

	stimer_uac_negotiate(&neg, &resp);
	TEST_EQUALS(120, neg.interval);
	TEST_ASSERT(neg.local);

	resp.se.refresher = STIMER_UAS;
	stimer_uac_negotiate(&neg, &resp);
	TEST_EQUALS(120, neg.interval);
	TEST_ASSERT(!neg.local);

	/* no refresher (the UAS must name one): umedge refreshes */
	resp.se.refresher = STIMER_UNSET;
	stimer_uac_negotiate(&neg, &resp);
	TEST_ASSERT(neg.local);

	/* below RFC 4028's floor: the floor, not a refresh every 0.5 s */
	resp.se.delta = 1;
	stimer_uac_negotiate(&neg, &resp);
	TEST_EQUALS(STIMER_MIN_SE, neg.interval);

	/* no Session-Expires: no timer */
	resp.has_se = false;
	stimer_uac_negotiate(&neg, &resp);
	TEST_EQUALS(0, neg.interval);

 out:
	return err;
}


int test_stimer_times(void)
{
	int err = 0;

	TEST_EQUALS(45000, stimer_refresh_ms(90));
	TEST_EQUALS(60000, stimer_expire_ms(90));
	TEST_EQUALS(88000, stimer_expire_ms(120));
	TEST_EQUALS(900000, stimer_refresh_ms(1800));
	TEST_EQUALS(1768000, stimer_expire_ms(1800));
	/* an interval of 2^32 - 1 s (the largest decoded) does not wrap:
	 * the refresh still comes before the expiry (fuzz_sip found it,
	 * regress-2b2f1426...) */
	TEST_EQUALS(4294967263000LL, stimer_expire_ms(UINT32_MAX));
	TEST_EQUALS(2147483647500LL, stimer_refresh_ms(UINT32_MAX));

 out:
	return err;
}


int test_stimer_print(void)
{
	struct stimer_neg neg = {90, true, 0};
	struct stimer_req req = {true, {120, STIMER_UAC}, 120, true};
	char buf[128];
	int err = 0;

	(void)re_snprintf(buf, sizeof(buf), "%H", stimer_resp_print, &neg);
	TEST_STRCMP("Session-Expires: 90;refresher=uas\r\n", buf);

	neg.local = false;
	(void)re_snprintf(buf, sizeof(buf), "%H", stimer_resp_print, &neg);
	TEST_STRCMP("Session-Expires: 90;refresher=uac\r\n"
		    "Require: timer\r\n", buf);

	neg.interval = 0;
	(void)re_snprintf(buf, sizeof(buf), "%H", stimer_resp_print, &neg);
	TEST_STRCMP("", buf);

	(void)re_snprintf(buf, sizeof(buf), "%H", stimer_req_print, &req);
	TEST_STRCMP("Session-Expires: 120;refresher=uac\r\nMin-SE: 120\r\n",
		    buf);

	req.se.refresher = STIMER_UNSET;
	req.minse = 0;
	(void)re_snprintf(buf, sizeof(buf), "%H", stimer_req_print, &req);
	TEST_STRCMP("Session-Expires: 120\r\n", buf);

 out:
	return err;
}


/* A 422 to our request: asked again with its Min-SE, once larger */
int test_stimer_retry(void)
{
	struct sip_msg *msg = NULL;
	char *hdrs = NULL;
	int err = 0;

	TEST_ERR(msg_make(&msg, "SIP/2.0 422 Session Interval Too Small\n"
			  "Via: SIP/2.0/UDP 192.0.2.2;branch=z9hG4bK1\n"
			  "From: <sip:a@192.0.2.2>;tag=1\n"
			  "To: <sip:1@192.0.2.1>;tag=2\n"
			  "Call-ID: st1\nCSeq: 1 INVITE\nMin-SE: 120\n"
			  "Content-Length: 0\n\n"));

	TEST_ERR(str_dup(&hdrs, "Subject: Session-Expires: 5\r\n"
			 "Session-Expires: 90;refresher=uac\r\n"
			 "Min-SE: 90\r\n"));
	TEST_ASSERT(stimer_retry(msg, &hdrs, NULL));
	TEST_STRCMP("Subject: Session-Expires: 5\r\n"
		    "Session-Expires: 120;refresher=uac\r\n"
		    "Min-SE: 120\r\n", hdrs);

	/* asked for that much already: no retry */
	TEST_ASSERT(!stimer_retry(msg, &hdrs, NULL));

	/* none of ours to raise */
	hdrs = mem_deref(hdrs);
	TEST_ERR(str_dup(&hdrs, "Subject: x\r\n"));
	TEST_ASSERT(!stimer_retry(msg, &hdrs, NULL));

	msg = mem_deref(msg);
	TEST_ERR(msg_make(&msg, "SIP/2.0 422 Session Interval Too Small\n"
			  "Via: SIP/2.0/UDP 192.0.2.2;branch=z9hG4bK1\n"
			  "From: <sip:a@192.0.2.2>;tag=1\n"
			  "To: <sip:1@192.0.2.1>;tag=2\n"
			  "Call-ID: st1\nCSeq: 1 INVITE\n"
			  "Content-Length: 0\n\n"));
	hdrs = mem_deref(hdrs);
	TEST_ERR(str_dup(&hdrs, "Session-Expires: 90\r\n"));
	TEST_ASSERT(!stimer_retry(msg, &hdrs, NULL));

 out:
	mem_deref(hdrs);
	mem_deref(msg);
	return err;
}
