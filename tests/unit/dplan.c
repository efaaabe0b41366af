/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file dplan.c  Tests: the dial plan of UM's outbound calls
 */
#include <string.h>
#include <re.h>
#include "cfg.h"
#include "dplan.h"
#include "test.h"


#define BASE "interface x 192.0.2.1 ports=30000-30099\n" \
	"sip_enable no\n"

/* Four sets, one per route, so that a route is known by its set */
#define SETS BASE \
	"sip_gw_set one\nsip_gw one udp 198.51.100.1\n" \
	"sip_gw_set wa\nsip_gw wa udp 198.51.100.2\n" \
	"sip_gw_set rdm\nsip_gw rdm udp 198.51.100.3\n" \
	"sip_gw_set dflt\nsip_gw dflt udp 198.51.100.4\n" \
	"sip_gw_set nat\nsip_gw nat udp 198.51.100.5\n"


/* The name of the set a number is routed to, "" for no route */
static const char *route_set(const struct cfg *cfg, const char *num)
{
	const struct cfg_route *r = dplan_route(cfg, num);

	return r ? r->set->name : "";
}


/* Decode text as a URI and take its number into num */
static int number(char *num, size_t sz, const char *text)
{
	struct uri uri;
	struct pl pl;

	pl_set_str(&pl, text);
	if (uri_decode(&uri, &pl))
		return EBADMSG;

	return dplan_number(num, sz, &uri);
}


int test_dplan_number(void)
{
	static const struct { const char *uri, *num; } good[] = {
		{"sip:+14255550100@edge.example.net;user=phone",
		 "+14255550100"},
		{"SIP:+14255550100@203.0.113.1:5060;transport=tcp;user=phone",
		 "+14255550100"},
		{"sips:+1-425-555-0100@edge.example.net", "+14255550100"},
		{"sip:(425)555.0100@edge", "4255550100"},
		{"sip:+44(0)20-7946.0018@edge", "+440207946 0018"},
		{"sip:00442079460018@[2001:db8::1]:5060", "00442079460018"},
		{"sip:5@edge", "5"},
		{"sip:123456789012345@edge", "123456789012345"},
		{"sip:+123456789012345@edge", "+123456789012345"},
		{"tel:+1-425-555-0100", "+14255550100"},
		{"tel:5550100;phone-context=+1425", "5550100"},
	};
	static const char *bad[] = {
		"sip:alice@edge",             /* letters         */
		"sip:+1425555O100@edge",      /* letter O        */
		"sip:edge.example.net",       /* no user part    */
		"sip:+@edge",                 /* '+' alone       */
		"sip:++14255550100@edge",     /* two '+'         */
		"sip:1+425@edge",             /* '+' not first   */
		"sip:(+1)425@edge",           /* '+' not first   */
		"sip:-.()@edge",              /* no digits       */
		"sip:1234567890123456@edge",  /* 16 digits       */
		"sip:+1234567890123456@edge", /* 16 digits       */
		"sip:+1 425@edge",            /* a blank         */
		"sip:%2B14255550100@edge",    /* an escape       */
		"sip:+1425;isub=1@edge",      /* user parameter  */
		"tel:+1-425-555-01x0",
		"mailto:+14255550100@edge",
		"http:+14255550100@edge",
	};
	char num[DPLAN_NUM_MAX];
	struct uri uri;
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		char want[DPLAN_NUM_MAX];
		size_t n = 0;

		/* the table may space a number out for reading */
		for (const char *c = good[i].num; *c; c++) {
			if (*c != ' ')
				want[n++] = *c;
		}
		want[n] = '\0';

		err = number(num, sizeof(num), good[i].uri);
		if (err)
			TEST_FAIL("%s\n", good[i].uri);
		TEST_ERR(err);
		TEST_STRCMP(want, num);
	}

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		num[0] = 'x';
		err = number(num, sizeof(num), bad[i]);
		if (err != EINVAL)
			TEST_FAIL("%s: %d\n", bad[i], err);
		TEST_EQUALS(EINVAL, err);
		TEST_STRCMP("", num);
	}

	/* the buffer: exactly enough, one too few, none */
	TEST_ERR(number(num, 13, "sip:+14255550100@edge"));
	TEST_EQUALS(EOVERFLOW, number(num, 12, "sip:+14255550100@edge"));
	memset(&uri, 0, sizeof(uri));
	TEST_EQUALS(EINVAL, dplan_number(num, sizeof(num), &uri));
	TEST_EQUALS(EINVAL, dplan_number(NULL, sizeof(num), &uri));
	TEST_EQUALS(EINVAL, dplan_number(num, 0, &uri));
	TEST_EQUALS(EINVAL, dplan_number(num, sizeof(num), NULL));
	err = 0;

 out:
	return err;
}


/* The longest prefix wins, then the default route; '+' is part of it */
int test_dplan_route(void)
{
	static const struct { const char *num, *set; } routes[] = {
		{"+14255550100",  "rdm"},    /* +14255 over +1425, +1 */
		{"+14256660100",  "wa"},
		{"+1425",         "wa"},     /* the prefix itself     */
		{"+12065550100",  "one"},
		{"+1",            "one"},
		{"+442079460018", "dflt"},
		{"14255550100",   "nat"},    /* 1425, not +1425       */
		{"1426",          "dflt"},
		{"001425",        "dflt"},
		{"+1425x",        ""},       /* malformed: no route   */
		{"",              ""},
		{"+",             ""},
	};
	struct cfg *cfg = NULL;
	int err;

	err = test_cfg_parse(&cfg, SETS
			     "sip_route +1425 wa\n"
			     "sip_route default dflt\n"
			     "sip_route +14255 rdm\n"
			     "sip_route +1 one\n"
			     "sip_route 1425 nat\n");
	TEST_ERR(err);

	for (size_t i = 0; i < ARRAY_SIZE(routes); i++)
		TEST_STRCMP(routes[i].set, route_set(cfg, routes[i].num));

	TEST_ASSERT(!dplan_route(cfg, NULL));
	TEST_ASSERT(!dplan_route(NULL, "+14255550100"));
	cfg = mem_deref(cfg);

	/* no default: what no prefix matches has no route */
	err = test_cfg_parse(&cfg, SETS "sip_route +1 one\n");
	TEST_ERR(err);
	TEST_STRCMP("one", route_set(cfg, "+14255550100"));
	TEST_STRCMP("",    route_set(cfg, "+442079460018"));
	TEST_STRCMP("",    route_set(cfg, "14255550100"));
	cfg = mem_deref(cfg);

	/* no routes at all */
	err = test_cfg_parse(&cfg, BASE);
	TEST_ERR(err);
	TEST_STRCMP("", route_set(cfg, "+14255550100"));

 out:
	mem_deref(cfg);
	return err;
}


/* Deny by default; a prefix and a digit count allow */
int test_dplan_allowed(void)
{
	static const struct { const char *num; bool ok; } nums[] = {
		{"+14255550100",   true},    /* +1, 11 digits         */
		{"+1425555010",    false},   /* too short             */
		{"+142555501000",  false},   /* too long              */
		{"14255550100",    false},   /* no '+': no prefix     */
		{"+442079460018",  true},    /* +44, 12               */
		{"+44207946001",   true},    /* +44, 11               */
		{"+4420794600",    false},   /* +44, 10: too short    */
		{"+4420794600181", false},   /* +44, 13: too long     */
		{"00442079460018", true},    /* 00, 14                */
		{"0044207946",     true},    /* 00, 10: exact MIN     */
		{"004420794",      false},   /* 00, 9                 */
		{"+33123456789",   false},   /* no line for +33       */
		{"+3531234",       false},   /* +353: 7 < 8           */
		{"+35312345",      true},    /* +353: exact           */
		{"+353123456",     false},   /* +353: 9 > 8           */
		{"",               false},
		{"+",              false},
		{"+1425555O100",   false},
		{"+1234567890123456", false},
	};
	struct cfg *cfg = NULL;
	int err;

	/* no sip_out_allow line: nothing may be dialled */
	err = test_cfg_parse(&cfg, BASE);
	TEST_ERR(err);
	TEST_ASSERT(!dplan_allowed(cfg, "+14255550100"));
	TEST_ASSERT(!dplan_allowed(cfg, "911"));
	cfg = mem_deref(cfg);

	err = test_cfg_parse(&cfg, BASE
			     "sip_out_allow +1 11\n"
			     "sip_out_allow +44 11-12\n"
			     "sip_out_allow 00 10-15\n"
			     "sip_out_allow +353 8\n");
	TEST_ERR(err);

	for (size_t i = 0; i < ARRAY_SIZE(nums); i++) {
		if (dplan_allowed(cfg, nums[i].num) != nums[i].ok)
			TEST_FAIL("%s\n", nums[i].num);
		TEST_EQUALS(nums[i].ok, dplan_allowed(cfg, nums[i].num));
	}

	TEST_ASSERT(!dplan_allowed(cfg, NULL));
	TEST_ASSERT(!dplan_allowed(NULL, "+14255550100"));
	cfg = mem_deref(cfg);

	/* "+" allows any E.164 number in the range, and only those */
	err = test_cfg_parse(&cfg, BASE "sip_out_allow + 8-15\n");
	TEST_ERR(err);
	TEST_ASSERT(dplan_allowed(cfg, "+12345678"));
	TEST_ASSERT(dplan_allowed(cfg, "+123456789012345"));
	TEST_ASSERT(!dplan_allowed(cfg, "+1234567"));
	TEST_ASSERT(!dplan_allowed(cfg, "0012345678"));
	TEST_ASSERT(!dplan_allowed(cfg, "12345678"));

 out:
	mem_deref(cfg);
	return err;
}
