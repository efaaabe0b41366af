/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file divhi.c  Unit tests: Diversion and History-Info conversion
 *                (divhi.c; vectors of docs/design/diversion-hi.md §9)
 */
#include <string.h>
#include <re.h>
#include "divhi.h"
#include "test.h"


#define DIV(uri, reason, priv) \
	"Diversion: <" uri ">;reason=" reason ";counter=1;privacy=" priv \
	"\r\n"


/* History-Info value(s) to Diversion lines */
static int hi2div(const char *hi, bool priv_all, char *buf, size_t sz)
{
	struct divhi_chain c;
	struct pl pl;
	int err;

	pl_set_str(&pl, hi);
	err = divhi_hi_decode(&c, &pl, 1, priv_all);
	if (err)
		return err;

	return re_snprintf(buf, sz, "%H", divhi_div_print, &c) < 0 ?
		ENOMEM : 0;
}


static int buf_write(const char *p, size_t size, void *arg)
{
	return mbuf_write_mem(arg, (const uint8_t *)p, size);
}


/* Diversion value(s) to a History-Info line toward target */
static int div2hi(const char *div, const char *target, char *buf,
		  size_t sz)
{
	struct divhi_chain c;
	struct re_printf pf;
	struct mbuf mb;
	struct pl pl;
	int err;

	pl_set_str(&pl, div);
	err = divhi_div_decode(&c, &pl, 1);
	if (err)
		return err;

	mbuf_init(&mb);
	pf.vph = buf_write;
	pf.arg = &mb;
	err = divhi_hi_print(&pf, &c, target);
	if (!err)
		err = mbuf_write_u8(&mb, 0);
	if (!err)
		str_ncpy(buf, (const char *)mb.buf, sz);
	mbuf_reset(&mb);

	return err;
}


/* Vectors 1-7 and 15: History-Info to Diversion */
int test_divhi_hi2div(void)
{
	static const struct {
		const char *hi;
		bool priv_all;
		int err;
		const char *div;
	} v[] = {
		/* 1: RFC 7044 and RFC 4458 */
		{"<sip:4002@p>;index=1, <sip:5000@p;cause=408>;index=1.1;mp=1",
		 false, 0, DIV("sip:4002@p", "no-answer", "off")},
		/* 2: RFC 4244, the Reason on the diverted entry */
		{"<sip:4002@p?Reason=SIP%3Bcause%3D486>;index=1,"
		 "<sip:5000@p>;index=1.1", false, 0,
		 DIV("sip:4002@p", "user-busy", "off")},
		{"\"Bob\" <sip:4002@pbx.example.com?Reason=SIP%3Bcause%3D486"
		 "%3Btext%3D%22Busy%20Here%22>;index=1,\r\n "
		 "<sip:5000@pbx.example.com>;index=1.1", false, 0,
		 "Diversion: \"Bob\" <sip:4002@pbx.example.com>;"
		 "reason=user-busy;counter=1;privacy=off\r\n"},
		/* 3: example D, out of order */
		{"<sip:5000@x.example;cause=486>;index=1.1.1;mp=1.1,"
		 "<sip:A@x.example>;index=1,"
		 "<sip:B@x.example;cause=302?Privacy=history>;index=1.1;mp=1",
		 false, 0, DIV("sip:B@x.example", "user-busy", "full")
		 DIV("sip:A@x.example", "unconditional", "off")},
		/* 4: a registered contact, no diversion */
		{"<sip:4002@p>;index=1,<sip:4002@192.0.2.7>;index=1.1;rc=1",
		 false, ENOENT, NULL},
		/* 5: number translation (RFC 8119) */
		{"<sip:4002@p>;index=1,<sip:5000@p;cause=380>;index=1.1;mp=1",
		 false, ENOENT, NULL},
		{"<sip:800@p>;index=1,<sip:5000@p;cause=380>;index=1.1",
		 false, ENOENT, NULL},
		/* 6 */
		{"<sip:a@p>;index=1,<sip:v@p;cause=487>;index=1.1;mp=1",
		 false, 0, DIV("sip:a@p", "deflection", "off")},
		{"<sip:a@p>;index=1,<sip:v@p;cause=480>;index=1.1;mp=1",
		 false, 0, DIV("sip:a@p", "deflection", "off")},
		{"<sip:a@p>;index=1,<sip:v@p;cause=503>;index=1.1;mp=1",
		 false, 0, DIV("sip:a@p", "unavailable", "off")},
		{"<sip:a@p>;index=1,<sip:v@p;cause=999>;index=1.1;mp=1",
		 false, 0, DIV("sip:a@p", "unknown", "off")},
		{"<sip:a@p?Reason=Q.850%3Bcause%3D17>;index=1,"
		 "<sip:v@p>;index=1.1", false, 0,
		 DIV("sip:a@p", "user-busy", "off")},
		/* 7: request Privacy: history */
		{"<sip:4002@p>;index=1, <sip:5000@p;cause=408>;index=1.1;mp=1",
		 true, 0, DIV("sip:4002@p", "no-answer", "full")},
		/* 15: Lync style */
		{"<sip:bob@c.com>;index=1, "
		 "<sip:bob@c.com;opaque=app:voicemail>;index=1.1", false, 0,
		 DIV("sip:bob@c.com", "unknown", "off")},
		/* the diverting URI keeps its other parameters */
		{"<sip:+14255550102@p;user=phone;cause=302>;index=1,"
		 "<sip:5000@p;cause=302>;index=1.1;mp=1", false, 0,
		 DIV("sip:+14255550102@p;user=phone", "unconditional",
		     "off")},
	};
	char buf[1024];
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		int e = hi2div(v[i].hi, v[i].priv_all, buf, sizeof(buf));

		if (e != v[i].err || (!e && strcmp(buf, v[i].div))) {
			TEST_FAIL("#%zu: %d \"%s\"\n", i, e, e ? "" : buf);
			err = EINVAL;
			goto out;
		}
	}

 out:
	return err;
}


/* Vectors 8-12 and 14: Diversion to History-Info */
int test_divhi_div2hi(void)
{
	static const struct {
		const char *div, *hi;
	} v[] = {
		/* 8 */
		{"<sip:4002@p>;reason=no-answer",
		 "<sip:4002@p>;index=1,<sip:5000@e;cause=408>;index=1.1;mp=1"},
		/* 9 */
		{"<sip:4002@p>;reason=\"User-Busy\";privacy=uri",
		 "<sip:4002@p?Privacy=history>;index=1,"
		 "<sip:5000@e;cause=486>;index=1.1;mp=1"},
		/* 10: newest first on one line */
		{"<sip:B@x>;reason=user-busy;counter=1, "
		 "<sip:A@x>;reason=unconditional",
		 "<sip:A@x>;index=1,<sip:B@x;cause=302>;index=1.1;mp=1,"
		 "<sip:5000@e;cause=486>;index=1.1.1;mp=1.1"},
		/* 11: counter=3 */
		{"<sip:X@x>;reason=no-answer;counter=3",
		 "<sip:unknown@unknown.invalid>;index=1,"
		 "<sip:unknown@unknown.invalid;cause=408>;index=1.1;mp=1,"
		 "<sip:X@x;cause=408>;index=1.1.1;mp=1.1,"
		 "<sip:5000@e;cause=408>;index=1.1.1.1;mp=1.1.1"},
		/* 12 (first half): time-of-day is 404 */
		{"<sip:4002@p>;reason=time-of-day",
		 "<sip:4002@p>;index=1,<sip:5000@e;cause=404>;index=1.1;mp=1"},
		/* 14 */
		{"<tel:+14255550102>;reason=unconditional;counter=1;"
		 "privacy=off;screen=no",
		 "<tel:+14255550102>;index=1,"
		 "<sip:5000@e;cause=302>;index=1.1;mp=1"},
		/* unavailable is 503 (RFC 6044 erratum 3071) */
		{"\"Al\" <sip:a@p>;REASON=unavailable",
		 "\"Al\" <sip:a@p>;index=1,"
		 "<sip:5000@e;cause=503>;index=1.1;mp=1"},
	};
	char buf[1024], want[1024];
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		int e = div2hi(v[i].div, "sip:5000@e", buf, sizeof(buf));

		(void)re_snprintf(want, sizeof(want), "History-Info: %s\r\n",
				  v[i].hi);
		if (e || strcmp(buf, want)) {
			TEST_FAIL("#%zu: %d \"%s\"\n", i, e, e ? "" : buf);
			err = EINVAL;
			goto out;
		}
	}

 out:
	return err;
}


/* Vector 12 whole, and example D both ways */
int test_divhi_roundtrip(void)
{
	char hi[1024], div[1024];
	int err = 0;

	TEST_ERR(div2hi("<sip:4002@p>;reason=time-of-day", "sip:5000@e",
			hi, sizeof(hi)));
	TEST_ERR(hi2div(hi + strlen("History-Info: "), false, div,
			sizeof(div)));
	TEST_STRCMP(DIV("sip:4002@p", "unknown", "off"), div);

	TEST_ERR(div2hi("<sip:B@x>;reason=user-busy;privacy=full,"
			"<sip:A@x>;reason=unconditional;privacy=off",
			"sip:5000@x", hi, sizeof(hi)));
	TEST_STRCMP("History-Info: <sip:A@x>;index=1,"
		    "<sip:B@x;cause=302?Privacy=history>;index=1.1;mp=1,"
		    "<sip:5000@x;cause=486>;index=1.1.1;mp=1.1\r\n", hi);
	TEST_ERR(hi2div(hi + strlen("History-Info: "), false, div,
			sizeof(div)));
	TEST_STRCMP(DIV("sip:B@x", "user-busy", "full")
		    DIV("sip:A@x", "unconditional", "off"), div);

 out:
	return err;
}


/* Vector 13: too many entries, an overlong URI, broken values */
int test_divhi_limits(void)
{
	struct divhi_chain c;
	struct pl e[20];
	char idx[20][48], user[601], big[800], buf[1024];
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(e); i++) {
		(void)re_snprintf(idx[i], sizeof(idx[i]),
				  "<sip:u%zu@p;cause=302>;index=1.%zu;mp=1",
				  i, i + 1);
		pl_set_str(&e[i], idx[i]);
	}
	pl_set_str(&e[0], "<sip:first@p>;index=1");
	TEST_ERR(divhi_hi_decode(&c, e, 17, false));
	TEST_ASSERT(c.truncated);
	TEST_EQUALS(DIVHI_MAX - 1, c.n);
	TEST_ERR(divhi_hi_decode(&c, e, 16, false));
	TEST_ASSERT(!c.truncated);

	/* a 600-byte URI: that entry is skipped, its child has no parent */
	memset(user, 'a', sizeof(user) - 1);
	user[sizeof(user) - 1] = '\0';
	(void)re_snprintf(big, sizeof(big), "<sip:%s@p>;index=1,"
			  "<sip:v@p;cause=302>;index=1.1;mp=1,"
			  "<sip:w@p;cause=486>;index=1.1.1;mp=1.1", user);
	TEST_ERR(hi2div(big, false, buf, sizeof(buf)));
	TEST_STRCMP(DIV("sip:v@p", "user-busy", "off"), buf);

	TEST_EQUALS(ENOENT, hi2div("<sip:a@p;index=1,<sip:b@p>;index=1.1",
				   false, buf, sizeof(buf)));
	TEST_EQUALS(ENOENT, hi2div("sip:a@p;index=1, <sip:b@p>;index=1.1",
				   false, buf, sizeof(buf)));
	TEST_EQUALS(ENOENT, hi2div("<sip:a@p>;index=1.x,<b:c>;index=1.x.1",
				   false, buf, sizeof(buf)));
	TEST_EQUALS(ENOENT, hi2div("<sip:a\r\nX: y@p>;index=1,"
				   "<sip:b@p>;index=1.1", false, buf,
				   sizeof(buf)));
	TEST_EQUALS(ENOENT, hi2div("", false, buf, sizeof(buf)));
	TEST_EQUALS(ENOENT, div2hi("<sip:a@p;reason=x", "sip:t@e", buf,
				   sizeof(buf)));
	TEST_EQUALS(ENOENT, div2hi("\"<\" sip:a@p", "sip:t@e", buf,
				   sizeof(buf)));
	TEST_EQUALS(EINVAL, divhi_hi_decode(NULL, e, 1, false));

	/* the chain keeps the newest diversions, and HI stays 16 deep */
	pl_set_str(&e[0], "<sip:new@p>;reason=user-busy;counter=40,"
		   "<sip:old@p>");
	TEST_ERR(divhi_div_decode(&c, e, 1));
	TEST_ASSERT(c.truncated);
	TEST_EQUALS(DIVHI_MAX - 1, c.n);
	TEST_PLSTR(&c.d[c.n - 1].uri, "sip:new@p");

 out:
	return err;
}


/* The mapping tables (design §3) */
int test_divhi_maps(void)
{
	static const struct { const char *tok; uint16_t cause; } r[] = {
		{"unknown", 404}, {"unconditional", 302}, {"user-busy", 486},
		{"no-answer", 408}, {"deflection", 480}, {"unavailable", 503},
		{"time-of-day", 404}, {"do-not-disturb", 404},
		{"follow-me", 404}, {"out-of-service", 404}, {"away", 404},
	};
	enum divhi_reason rs;
	struct pl pl;
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(r); i++) {
		pl_set_str(&pl, r[i].tok);
		TEST_ERR(divhi_reason_decode(&pl, &rs));
		TEST_EQUALS(r[i].cause, divhi_reason_cause(rs));
	}

	pl_set_str(&pl, "\"Follow-Me\"");
	TEST_ERR(divhi_reason_decode(&pl, &rs));
	TEST_EQUALS(DIVHI_FOLLOW_ME, rs);
	pl_set_str(&pl, "vacation");
	TEST_EQUALS(ENOENT, divhi_reason_decode(&pl, &rs));
	TEST_EQUALS(DIVHI_UNKNOWN, rs);

	TEST_EQUALS(DIVHI_UNCONDITIONAL, divhi_cause_reason(302, false));
	TEST_EQUALS(DIVHI_NO_ANSWER, divhi_cause_reason(408, false));
	TEST_EQUALS(DIVHI_UNKNOWN, divhi_cause_reason(404, false));
	TEST_EQUALS(DIVHI_NO_ANSWER, divhi_cause_reason(19, true));
	TEST_EQUALS(DIVHI_UNKNOWN, divhi_cause_reason(486, true));

	pl_set_str(&pl, "id; History");
	TEST_ASSERT(divhi_privacy_history(&pl));
	pl_set_str(&pl, "id;header");
	TEST_ASSERT(!divhi_privacy_history(&pl));

 out:
	return err;
}
