/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sip.c  Tests: the B2BUA's parsers and checks: sipguard against
 *              the RFC 4475 torture messages, 3xx targets, the gate
 *              (trust and rate limit), headers passed to UM
 */
#include <stdio.h>
#include <string.h>
#include <re.h>
#include "cfg.h"
#include "sipguard.h"
#include "redir.h"
#include "gate.h"
#include "srclim.h"
#include "inlim.h"
#include "passhdr.h"
#include "sipraw.h"
#include "sip2543.h"
#include "replaces.h"
#include "dtq.h"
#include "test.h"


/* Decode a SIP message from text (CRLF line ends are added) */
int msg_make(struct sip_msg **msgp, const char *text)
{
	struct mbuf *mb = mbuf_alloc(1024);
	int err = 0;

	if (!mb)
		return ENOMEM;

	for (const char *p = text; *p && !err; p++) {
		if (*p == '\n')
			err = mbuf_write_str(mb, "\r\n");
		else
			err = mbuf_write_u8(mb, (uint8_t)*p);
	}

	mb->pos = 0;
	if (!err)
		err = sip_msg_decode(msgp, mb);

	mem_deref(mb);

	return err;
}


static int msg_file(struct sip_msg **msgp, const char *name)
{
	char path[512];
	struct mbuf *mb;
	size_t n;
	FILE *f;
	int err;

	(void)re_snprintf(path, sizeof(path), "%s/tests/data/rfc4475/%s.dat",
			  UM_SRCDIR, name);
	f = fopen(path, "rb");
	if (!f)
		return errno;

	mb = mbuf_alloc(8192);
	n = mb ? fread(mb->buf, 1, mb->size, f) : 0;
	(void)fclose(f);
	if (!mb)
		return ENOMEM;

	mb->end = n;
	err = sip_msg_decode(msgp, mb);
	mem_deref(mb);

	return err;
}


/* What RFC 4475 wants for each request, and what the edge does:
 * 0 accepted; a status code; -1 libre 1.1.0 cannot decode it (then the
 * daemon answers it from the raw datagram, tests/integration) */
static const struct {
	const char *name;
	int want;
} rfc4475_req[] = {
	/* §3.1.1: valid, accepted */
	{"wsinv", 0}, {"intmeth", 0}, {"esc01", 0}, {"escnull", 0},
	{"esc02", 0}, {"lwsdisp", 0}, {"dblreq", 0}, {"semiuri", 0},
	{"transports", 0}, {"mpart01", 0},
	{"longreq", -1}, {"inv2543", -1},
	/* §3.1.2: invalid, rejected */
	{"badinv01", -1}, {"clerr", 400}, {"ncl", 400}, {"scalar02", 400},
	{"quotbal", 400}, {"ltgtruri", -1}, {"lwsruri", -1},
	{"lwsstart", -1}, {"trws", -1}, {"escruri", 400}, {"baddate", 400},
	{"badaspec", 400}, {"baddn", 400}, {"badvers", -1},
	{"mismatch01", 400}, {"mismatch02", 400},
	/* §3.3: application layer */
	{"insuf", 400}, {"unkscm", 416}, {"novelsc", 416},
	{"unksm2", -1}, {"bext01", 420}, {"invut", 415}, {"multi01", 400},
	{"mcl01", 400}, {"zeromf", 0}, {"sdp01", 406},
};


/* sipguard's verdict on an INVITE with these Require lines */
static int require_verdict(const char *require, struct sipguard_verdict *v)
{
	struct sip_msg *msg = NULL;
	char *text = NULL;
	int err;

	err = re_sdprintf(&text, "INVITE sip:u@h SIP/2.0\n"
			  "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\n"
			  "To: <sip:u@h>\nFrom: <sip:a@b>;tag=1\n"
			  "Call-ID: c1\nCSeq: 1 INVITE\nMax-Forwards: 70\n"
			  "Contact: <sip:a@192.0.2.1>\n%s\n", require);
	if (!err)
		err = msg_make(&msg, text);
	if (!err)
		sipguard_request(msg, v);

	mem_deref(msg);
	mem_deref(text);

	return err;
}


int test_sipguard_rfc4475(void)
{
	struct sipguard_verdict v;
	struct sip_msg *msg = NULL;
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(rfc4475_req); i++) {
		int e = msg_file(&msg, rfc4475_req[i].name);

		if (rfc4475_req[i].want < 0) {
			if (!e)
				TEST_FAIL("%s: libre decodes it now\n",
					  rfc4475_req[i].name);
			TEST_ASSERT(e != 0);
			continue;
		}

		TEST_ERR(e);
		TEST_ASSERT(msg->req);
		sipguard_request(msg, &v);
		if (v.scode != rfc4475_req[i].want)
			TEST_FAIL("%s: %u (%s)\n", rfc4475_req[i].name,
				  v.scode, v.why ? v.why : "");
		TEST_EQUALS(rfc4475_req[i].want, v.scode);
		TEST_EQUALS(v.scode == 0, v.rule == SIPGUARD_OK);
		msg = mem_deref(msg);
	}

	/* the rule each refusal is counted under */
	{
		static const struct {
			const char *name;
			enum sipguard_rule rule;
		} rules[] = {
			{"bext01", SIPGUARD_EXTENSION},
			{"unkscm", SIPGUARD_URI_SCHEME},
			{"invut",  SIPGUARD_CONTENT_TYPE},
			{"sdp01",  SIPGUARD_ACCEPT},
			{"mcl01",  SIPGUARD_SINGLES},
		};

		for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
			TEST_ERR(msg_file(&msg, rules[i].name));
			sipguard_request(msg, &v);
			if (v.rule != rules[i].rule)
				TEST_FAIL("%s: rule %s\n", rules[i].name,
					  sipguard_rule_name(v.rule));
			TEST_EQUALS(rules[i].rule, v.rule);
			msg = mem_deref(msg);
		}
	}
	TEST_STRCMP("max_forwards", sipguard_rule_name(SIPGUARD_MAX_FORWARDS));
	TEST_STRCMP("hops", sipguard_rule_name(SIPGUARD_HOPS));

	/* the 420 names what is not supported */
	TEST_ERR(msg_file(&msg, "bext01"));
	sipguard_request(msg, &v);
	TEST_CONTAINS(v.hdrs, "Unsupported: nothingSupportsThis, "
		      "nothingSupportsThisEither\r\n");
	msg = mem_deref(msg);

	/* 100rel and timer are umedge's; an unknown tag beside them is
	 * the only one named */
	TEST_ERR(require_verdict("Require: 100rel, TIMER\n", &v));
	TEST_EQUALS(0, v.scode);
	TEST_ERR(require_verdict("Require: foo, 100rel\nRequire: timer\n",
				 &v));
	TEST_EQUALS(420, v.scode);
	TEST_STRCMP("Unsupported: foo\r\n", v.hdrs);

 out:
	mem_deref(msg);
	return err;
}


/* Responses: a status code out of range, or a CSeq out of range, is
 * dropped; the well-formed ones fit */
int test_sipguard_response(void)
{
	static const struct {
		const char *name;
		bool fits;
	} t[] = {
		{"bigcode", false}, {"scalarlg", false}, {"unreason", true},
		{"noreason", true}, {"bcast", true},
	};
	struct sip_msg *msg = NULL;
	struct pl callid;
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		TEST_ERR(msg_file(&msg, t[i].name));
		TEST_EQUALS(t[i].fits, sipguard_response(msg, NULL, NULL,
							 NULL));
		msg = mem_deref(msg);
	}

	/* Call-ID, tag and method must be those of our request */
	TEST_ERR(msg_file(&msg, "unreason"));
	pl_set_str(&callid, "another-call-id");
	TEST_ASSERT(!sipguard_response(msg, &callid, NULL, NULL));
	TEST_ASSERT(!sipguard_response(msg, NULL, &callid, NULL));
	TEST_ASSERT(!sipguard_response(msg, NULL, NULL, &callid));

 out:
	mem_deref(msg);
	return err;
}


static const char m302[] =
	"SIP/2.0 302 Moved Temporarily\n"
	"Via: SIP/2.0/TCP 203.0.113.1:5060;branch=z9hG4bK1\n"
	"From: <sip:a@203.0.113.1>;tag=1\n"
	"To: <sip:8000@203.0.113.10>;tag=2\n"
	"Call-ID: c1\n"
	"CSeq: 1 INVITE\n"
	"Contact: <sip:w1@um1.example.test:5065;transport=Tcp;"
	"maddr=203.0.113.11>;q=0.5\n"
	"Contact: <sip:w2@203.0.113.12:5066;transport=tls>;q=0.9, "
	"<sip:w3@203.0.113.13>\n"
	"Contact: <sip:w4@worker.example.test:5067>;q=0.7, "
	"<sip:evil@198.51.100.11:5060;transport=tcp>;q=0.5, "
	"<sip:w5@203.0.113.14;transport=udp>;q=0.1\n"
	"Content-Length: 0\n\n";


/* The sip_ lines alone: a configuration with no part enabled */
#define CFG_BASE "interface x 192.0.2.1 ports=30000-30099\n" \
	"sip_enable no\n"


int test_redir_targets(void)
{
	static const char cfg_text[] = CFG_BASE
		"sip_internal_network 203.0.113.0/24\n";
	struct cfg *cfg = NULL;
	struct sip_msg *msg = NULL;
	struct list targets = LIST_INIT;
	const struct redir_target *t[6];
	struct sa maddr;
	struct le *le;
	char emsg[256];
	unsigned n = 0;
	int err;

	err = cfg_parse(&cfg, "t", cfg_text, strlen(cfg_text), emsg,
			sizeof(emsg));
	if (err)
		TEST_FAIL("%s\n", emsg);
	TEST_ERR(err);
	TEST_ERR(msg_make(&msg, m302));
	TEST_ERR(redir_targets(&targets, msg));

	for (le = targets.head; le && n < ARRAY_SIZE(t); le = le->next)
		t[n++] = le->data;
	TEST_EQUALS(6, n);

	/* q order, highest first; the same q in the order given */
	TEST_STRCMP("sip:w3@203.0.113.13;transport=tcp", t[0]->uri);
	TEST_EQUALS(1000, t[0]->q);
	TEST_EQUALS(5060, sa_port(&t[0]->addr));
	TEST_EQUALS(SIP_TRANSP_TCP, t[0]->tp);
	TEST_STRCMP("sip:w2@203.0.113.12:5066;transport=tls", t[1]->uri);
	TEST_EQUALS(SIP_TRANSP_TLS, t[1]->tp);
	TEST_EQUALS(700, t[2]->q);
	TEST_EQUALS(500, t[3]->q);
	TEST_CONTAINS(t[3]->uri, "sip:w1@um1.example.test:5065");
	TEST_CONTAINS(t[4]->uri, "sip:evil@");
	TEST_EQUALS(100, t[5]->q);

	/* maddr gives the address; a name without maddr is refused */
	TEST_ERR(sa_set_str(&maddr, "203.0.113.11", 5065));
	TEST_ASSERT(sa_cmp(&maddr, &t[3]->addr, SA_ALL));
	TEST_EQUALS(REDIR_OK, redir_check(t[3], &cfg->sip.internal_nets,
					  false));
	TEST_EQUALS(REDIR_NOT_ADDRESS, redir_check(t[2],
						   &cfg->sip.internal_nets,
						   false));
	TEST_EQUALS(REDIR_OUTSIDE, redir_check(t[4], &cfg->sip.internal_nets,
					       false));
	TEST_EQUALS(REDIR_TRANSPORT, redir_check(t[5],
						 &cfg->sip.internal_nets,
						 false));
	TEST_EQUALS(REDIR_TRANSPORT, redir_check(t[1],
						 &cfg->sip.internal_nets,
						 false));
	TEST_EQUALS(REDIR_OK, redir_check(t[1], &cfg->sip.internal_nets,
					  true));

	/* a 3xx without Contact gives nothing to follow */
	msg = mem_deref(msg);
	TEST_ERR(msg_make(&msg, "SIP/2.0 302 Moved\nVia: SIP/2.0/TCP "
			  "203.0.113.1;branch=z9hG4bK1\nFrom: <sip:a@b>;tag=1\n"
			  "To: <sip:c@d>;tag=2\nCall-ID: c\nCSeq: 1 INVITE\n"
			  "Content-Length: 0\n\n"));
	TEST_EQUALS(ENOENT, redir_targets(&targets, msg));

 out:
	list_flush(&targets);
	mem_deref(msg);
	mem_deref(cfg);
	return err;
}


int test_gate(void)
{
	static const char text[] = CFG_BASE
		"sip_gateway 198.51.100.10/32 192.0.2.0/24\n"
		"sip_internal_network 203.0.113.0/24\n"
		"sip_rate_limit 5\n";
	struct cfg *cfg = NULL;
	struct gate *gate = NULL;
	struct sa gw, gw2, other, in;
	unsigned logged = 0;
	char emsg[256];
	int err;

	err = cfg_parse(&cfg, "t", text, strlen(text), emsg, sizeof(emsg));
	if (err)
		TEST_FAIL("%s\n", emsg);
	TEST_ERR(err);
	TEST_ERR(gate_alloc(&gate, cfg));

	TEST_ERR(sa_set_str(&gw, "198.51.100.10", 5060));
	TEST_ERR(sa_set_str(&gw2, "192.0.2.77", 5062));
	TEST_ERR(sa_set_str(&other, "198.51.100.11", 5060));
	TEST_ERR(sa_set_str(&in, "203.0.113.10", 5060));

	TEST_ASSERT(gate_trusted(gate, false, &gw));
	TEST_ASSERT(gate_trusted(gate, false, &gw2));
	TEST_ASSERT(!gate_trusted(gate, false, &other));
	TEST_ASSERT(!gate_trusted(gate, false, &in));
	TEST_ASSERT(gate_trusted(gate, true, &in));
	TEST_ASSERT(!gate_trusted(gate, true, &gw));

	/* a burst of 5, then 5 per second; sources apart */
	for (int i = 0; i < 5; i++)
		TEST_ASSERT(gate_admit(gate, &gw, 1000));
	TEST_ASSERT(!gate_admit(gate, &gw, 1000));
	TEST_ASSERT(gate_admit(gate, &gw2, 1000));
	TEST_ASSERT(!gate_admit(gate, &gw, 1100));
	TEST_ASSERT(gate_admit(gate, &gw, 1200));
	TEST_ASSERT(!gate_admit(gate, &gw, 1200));
	for (int i = 0; i < 5; i++)
		TEST_ASSERT(gate_admit(gate, &gw, 5000));
	TEST_ASSERT(!gate_admit(gate, &gw, 5000));

	/* the port does not make another source */
	sa_set_port(&gw, 6000);
	TEST_ASSERT(!gate_admit(gate, &gw, 5000));
	TEST_EQUALS(2, gate_count(gate));

	/* refusals logged: a burst of GATE_LOG_PER_S, then held back */
	for (int i = 0; i < 100; i++)
		logged += gate_log(gate);
	TEST_ASSERT(logged >= GATE_LOG_PER_S && logged <= GATE_LOG_PER_S + 2);

 out:
	mem_deref(gate);
	mem_deref(cfg);
	return err;
}


int test_srclim(void)
{
	struct srclim *sl = NULL;
	void *a = NULL, *b = NULL, *c = NULL, *d = NULL;
	struct sa um, um2;
	int err = 0;

	TEST_ERR(srclim_alloc(&sl));
	TEST_ERR(sa_set_str(&um, "203.0.113.10", 5060));
	TEST_ERR(sa_set_str(&um2, "203.0.113.11", 5060));

	/* 2 calls at once, 2 new calls a second */
	TEST_ERR(srclim_take(sl, &um, 2, 2, 1000, &a));
	TEST_ERR(srclim_take(sl, &um, 2, 2, 1000, &b));
	TEST_EQUALS(2, srclim_calls(sl, &um));
	TEST_EQUALS(EBUSY, srclim_take(sl, &um, 2, 2, 1000, &c));
	TEST_ASSERT(c == NULL);

	/* the other source is apart; the port makes no other source */
	TEST_ERR(srclim_take(sl, &um2, 2, 2, 1000, &d));
	sa_set_port(&um, 6000);
	TEST_EQUALS(2, srclim_calls(sl, &um));

	/* a call ends: a slot is free, but the rate is spent */
	a = mem_deref(a);
	TEST_EQUALS(1, srclim_calls(sl, &um));
	TEST_EQUALS(EAGAIN, srclim_take(sl, &um, 2, 2, 1200, &c));
	TEST_ERR(srclim_take(sl, &um, 2, 2, 1500, &c));
	TEST_EQUALS(EBUSY, srclim_take(sl, &um, 2, 2, 5000, &a));

	/* no rate limit: only calls at once count */
	c = mem_deref(c);
	TEST_ERR(srclim_take(sl, &um, 2, 0, 5000, &c));
	TEST_EQUALS(0, srclim_calls(sl, &um) - 2);

	/* a call made again is counted beyond the limit, never refused */
	d = mem_deref(d);
	TEST_ERR(srclim_claim(sl, &um, &d));
	TEST_EQUALS(3, srclim_calls(sl, &um));
	TEST_EQUALS(EBUSY, srclim_take(sl, &um, 3, 0, 5000, &a));
	d = mem_deref(d);
	TEST_EQUALS(2, srclim_calls(sl, &um));

 out:
	mem_deref(a);
	mem_deref(b);
	mem_deref(c);
	mem_deref(d);
	mem_deref(sl);
	return err;
}


/* Calls in: a set's own limit, then the total; a slot given back */
int test_inlim(void)
{
	static const char text[] = CFG_BASE
		"sip_gateway 198.51.100.0/24\n"
		"sip_internal_network 203.0.113.0/24\n"
		"sip_in_max_calls 3\n"
		"sip_gw_set pstn max_calls=2\n"
		"sip_gw pstn udp 198.51.100.10\n"
		"sip_gw_set free\n"
		"sip_gw free udp 198.51.100.12\n";
	struct cfg *cfg = NULL;
	struct inlim *il = NULL;
	void *a = NULL, *b = NULL, *c = NULL, *d = NULL;
	const char *why = NULL;
	struct sa gw, gw2;
	char emsg[256];
	int err;

	err = cfg_parse(&cfg, "t", text, strlen(text), emsg, sizeof(emsg));
	if (err)
		TEST_FAIL("%s\n", emsg);
	TEST_ERR(err);
	TEST_ERR(inlim_alloc(&il));
	TEST_ERR(sa_set_str(&gw, "198.51.100.10", 5060));
	TEST_ERR(sa_set_str(&gw2, "198.51.100.11", 5060));

	TEST_ERR(inlim_take(il, cfg, &gw, &a, &why));
	sa_set_port(&gw, 6000);
	TEST_ERR(inlim_take(il, cfg, &gw, &b, &why));
	TEST_EQUALS(EBUSY, inlim_take(il, cfg, &gw, &c, &why));
	TEST_STRCMP("over its gateway set's max_calls", why);
	TEST_ASSERT(c == NULL);

	/* another source, in no limited set: the total only */
	TEST_ERR(inlim_take(il, cfg, &gw2, &c, &why));
	TEST_EQUALS(3, inlim_calls(il));
	TEST_EQUALS(EBUSY, inlim_take(il, cfg, &gw2, &d, &why));
	TEST_STRCMP("over sip_in_max_calls", why);

	/* a call of the set ends: the set and the total have room */
	a = mem_deref(a);
	TEST_EQUALS(2, inlim_calls(il));
	TEST_ERR(inlim_take(il, cfg, &gw, &a, &why));
	TEST_EQUALS(3, inlim_calls(il));

	/* a call made again is counted beyond both limits, never refused */
	TEST_ERR(inlim_claim(il, cfg, &gw, &d));
	TEST_EQUALS(4, inlim_calls(il));
	a = mem_deref(a);
	TEST_EQUALS(EBUSY, inlim_take(il, cfg, &gw, &a, &why));
	d = mem_deref(d);
	TEST_ERR(inlim_take(il, cfg, &gw, &a, &why));

 out:
	mem_deref(a);
	mem_deref(b);
	mem_deref(c);
	mem_deref(d);
	mem_deref(il);
	mem_deref(cfg);
	return err;
}


/* Call-IDs, tags and branches: whole up to SIPGUARD_ID_MAX, 400 with
 * the limit named beyond */
int test_sipguard_ids(void)
{
	static const char *const what[] = {"Call-ID", "From tag",
					   "To tag", "branch"};
	static const size_t lens[] = {SIPGUARD_ID_MAX, SIPGUARD_ID_MAX + 1};
	struct sipguard_verdict v;
	struct sip_msg *msg = NULL;
	char *id = NULL, *text = NULL;
	int err = 0;

	id = mem_zalloc(SIPGUARD_ID_MAX + 2, NULL);
	text = mem_zalloc(8192, NULL);
	TEST_ASSERT(id && text);

	for (size_t i = 0; i < ARRAY_SIZE(what) * ARRAY_SIZE(lens); i++) {
		size_t w = i / ARRAY_SIZE(lens), n = lens[i % ARRAY_SIZE(lens)];

		memset(id, 'a', n);
		id[n] = '\0';
		(void)re_snprintf(text, 8192,
			"BYE sip:8000@198.51.100.1 SIP/2.0\n"
			"Via: SIP/2.0/UDP 198.51.100.10;branch=z9hG4bK%s\n"
			"From: <sip:a@198.51.100.10>;tag=%s\n"
			"To: <sip:8000@198.51.100.1>;tag=%s\n"
			"Call-ID: %s\n"
			"CSeq: 2 BYE\nMax-Forwards: 70\nContent-Length: 0\n\n",
			w == 3 ? id + 7 : "x", w == 1 ? id : "f",
			w == 2 ? id : "t", w == 0 ? id : "c");
		TEST_ERR(msg_make(&msg, text));
		sipguard_request(msg, &v);
		if (n == SIPGUARD_ID_MAX) {
			TEST_EQUALS(0, v.scode);
		}
		else {
			TEST_EQUALS(400, v.scode);
			TEST_EQUALS(SIPGUARD_IDS, v.rule);
			TEST_CONTAINS(v.why, "longer than 1024 bytes");
		}
		msg = mem_deref(msg);
	}

 out:
	mem_deref(msg);
	mem_deref(id);
	mem_deref(text);
	return err;
}


int test_passhdr(void)
{
	static const char inv[] =
		"INVITE sip:8000@198.51.100.1 SIP/2.0\n"
		"Via: SIP/2.0/UDP 198.51.100.10;branch=z9hG4bK1\n"
		"From: \"A\" <sip:100@198.51.100.10>;tag=1\n"
		"To: <sip:8000@198.51.100.1>\n"
		"Call-ID: c1\n"
		"CSeq: 1 INVITE\n"
		"Diversion: <sip:200@gw>;reason=no-answer;counter=1\n"
		"X-Private: keep-me-out\n"
		"History-Info: <sip:200@gw>;index=1\n"
		"diversion: <sip:300@gw>;reason=unconditional\n"
		"History-Info: <sip:8000@gw>;index=1.1\n"
		"P-Asserted-Identity: <sip:100@gw>\n"
		"Content-Length: 0\n\n";
	static const char inv_um[] =
		"INVITE sip:+14255550123@203.0.113.1 SIP/2.0\n"
		"Via: SIP/2.0/TCP 203.0.113.10;branch=z9hG4bK1\n"
		"From: <sip:100@203.0.113.10>;tag=1\n"
		"To: <sip:+14255550123@203.0.113.1>\n"
		"Call-ID: c2\n"
		"CSeq: 1 INVITE\n"
		"P-Asserted-Identity: \"UM\" <sip:+14255550100@203.0.113.10;"
		"user=phone>\n"
		"History-Info: <sip:100@203.0.113.11:5065;transport=tcp>;"
		"index=1, <SIPS:200@um.example.test>;index=1.1, "
		"<sip:[2001:db8::1]>;index=1.2\n"
		"Diversion: <sip:300@192.0.2.7>;reason=x\n"
		"Content-Length: 0\n\n";
	struct cfg_net inside = {.bits = 24};
	struct list nets = LIST_INIT;
	const struct passhdr_policy pol = {.out = false};
	struct passhdr_hide hide;
	struct sip_msg *msg = NULL;
	char *hdrs = NULL;
	struct sa repl;
	int err = 0;

	TEST_ERR(msg_make(&msg, inv));
	TEST_ERR(passhdr_collect(&hdrs, msg, &pol, NULL));
	TEST_STRCMP("Diversion: <sip:200@gw>;reason=no-answer;counter=1\r\n"
		    "History-Info: <sip:200@gw>;index=1\r\n"
		    "diversion: <sip:300@gw>;reason=unconditional\r\n"
		    "History-Info: <sip:8000@gw>;index=1.1\r\n"
		    "P-Asserted-Identity: <sip:100@gw>\r\n", hdrs);

	/* toward the outside, inside hosts become the edge's outside
	 * address; names, other addresses and the rest stay */
	hdrs = mem_deref(hdrs);
	msg = mem_deref(msg);
	TEST_ERR(msg_make(&msg, inv_um));
	TEST_ERR(sa_set_str(&repl, "198.51.100.1", 0));
	TEST_ERR(sa_set_str(&inside.addr, "203.0.113.0", 0));
	list_append(&nets, &inside.le, &inside);
	hide.nets = &nets;
	hide.repl = &repl;
	TEST_ERR(passhdr_collect(&hdrs, msg, &pol, &hide));
	TEST_STRCMP("P-Asserted-Identity: \"UM\" <sip:+14255550100@198.51.100.1;"
		    "user=phone>\r\n"
		    "History-Info: <sip:100@198.51.100.1:5065;transport=tcp>;"
		    "index=1, <SIPS:200@um.example.test>;index=1.1, "
		    "<sip:[2001:db8::1]>;index=1.2\r\n"
		    "Diversion: <sip:300@192.0.2.7>;reason=x\r\n", hdrs);

	/* nothing to pass: NULL */
	hdrs = mem_deref(hdrs);
	msg = mem_deref(msg);
	TEST_ERR(msg_make(&msg, "OPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/UDP "
			  "c;branch=z9hG4bK1\nFrom: <sip:a@b>;tag=1\n"
			  "To: <sip:a@b>\nCall-ID: c\nCSeq: 1 OPTIONS\n"
			  "Content-Length: 0\n\n"));
	TEST_ERR(passhdr_collect(&hdrs, msg, &pol, NULL));
	TEST_ASSERT(hdrs == NULL);

 out:
	list_clear(&nets);
	mem_deref(hdrs);
	mem_deref(msg);
	return err;
}



static void conv_count(enum passhdr_conv conv, void *arg)
{
	unsigned *n = arg;

	++n[conv];
}


/* Diversion derived from History-Info toward UM, History-Info from
 * Diversion toward a gateway with inside hosts hidden; both present or
 * nothing derived: as they came */
int test_passhdr_divhi(void)
{
#define INV(hdrs) "INVITE sip:5000@192.0.2.1 SIP/2.0\n"                \
	"Via: SIP/2.0/UDP 198.51.100.10;branch=z9hG4bK1\n"             \
	"From: <sip:4001@p>;tag=1\nTo: <sip:5000@192.0.2.1>\n"         \
	"Call-ID: c1\nCSeq: 1 INVITE\n" hdrs "Content-Length: 0\n\n"
#define HI1 "History-Info: <sip:4002@p>;index=1, " \
	"<sip:5000@p;cause=408>;index=1.1;mp=1\n"
	struct passhdr_policy pol = {.divhi = CFG_DIVHI_DIV,
				     .target = "sip:5000@192.0.2.1",
				     .convh = conv_count};
	struct cfg_net inside = {.bits = 24};
	struct list nets = LIST_INIT;
	struct passhdr_hide hide;
	struct sip_msg *msg = NULL;
	unsigned n[3] = {0, 0, 0};
	char *hdrs = NULL;
	struct sa repl;
	int err = 0;

	pol.arg = n;
	TEST_ERR(msg_make(&msg, INV("Privacy: id\n" HI1)));
	TEST_ERR(passhdr_collect(&hdrs, msg, &pol, NULL));
	TEST_STRCMP("Privacy: id\r\n"
		    "History-Info: <sip:4002@p>;index=1, "
		    "<sip:5000@p;cause=408>;index=1.1;mp=1\r\n"
		    "Diversion: <sip:4002@p>;reason=no-answer;counter=1;"
		    "privacy=off\r\n", hdrs);
	hdrs = mem_deref(hdrs);

	pol.divhi = CFG_DIVHI_DIV_ONLY;
	TEST_ERR(passhdr_collect(&hdrs, msg, &pol, NULL));
	TEST_STRCMP("Privacy: id\r\nDiversion: <sip:4002@p>;"
		    "reason=no-answer;counter=1;privacy=off\r\n", hdrs);
	hdrs = mem_deref(hdrs);
	TEST_EQUALS(2, n[PASSHDR_CONV_MADE]);

	/* both: never synthesise; a rc-only HI: nothing derived */
	msg = mem_deref(msg);
	TEST_ERR(msg_make(&msg, INV("Diversion: <sip:9@p>\n" HI1)));
	TEST_ERR(passhdr_collect(&hdrs, msg, &pol, NULL));
	TEST_STRCMP("Diversion: <sip:9@p>\r\nHistory-Info: <sip:4002@p>;"
		    "index=1, <sip:5000@p;cause=408>;index=1.1;mp=1\r\n", hdrs);
	hdrs = mem_deref(hdrs);
	msg = mem_deref(msg);
	TEST_ERR(msg_make(&msg, INV("History-Info: <sip:a@p>;index=1,"
				    "<sip:a@q>;index=1.1;rc=1\n")));
	TEST_ERR(passhdr_collect(&hdrs, msg, &pol, NULL));
	TEST_STRCMP("History-Info: <sip:a@p>;index=1,"
		    "<sip:a@q>;index=1.1;rc=1\r\n", hdrs);
	hdrs = mem_deref(hdrs);
	TEST_EQUALS(1, n[PASSHDR_CONV_BOTH]);
	TEST_EQUALS(1, n[PASSHDR_CONV_NONE]);

	/* toward a gateway: the inside host of the Diversion is hidden */
	msg = mem_deref(msg);
	TEST_ERR(msg_make(&msg, INV("Diversion: <sip:4002@203.0.113.10>;"
				    "reason=unconditional\n")));
	TEST_ERR(sa_set_str(&repl, "198.51.100.1", 0));
	TEST_ERR(sa_set_str(&inside.addr, "203.0.113.0", 0));
	list_append(&nets, &inside.le, &inside);
	hide.nets = &nets;
	hide.repl = &repl;
	pol.out = true;
	pol.divhi = CFG_DIVHI_HI_ONLY;
	pol.target = "sip:+14255550123@198.51.100.1:5060";
	TEST_ERR(passhdr_collect(&hdrs, msg, &pol, &hide));
	TEST_STRCMP("History-Info: <sip:4002@198.51.100.1>;index=1,"
		    "<sip:+14255550123@198.51.100.1:5060;cause=302>;"
		    "index=1.1;mp=1\r\n", hdrs);
	TEST_EQUALS(3, n[PASSHDR_CONV_MADE]);

 out:
	list_clear(&nets);
	mem_deref(hdrs);
	mem_deref(msg);
	return err;
#undef INV
#undef HI1
}


/* The allow-list: compact forms read as full names, the blanks before a
 * colon do not matter, ms-diagnostics never passes; the operator's
 * lines by direction and set; the list inside a dialog */
int test_passhdr_policy(void)
{
	static const char inv[] =
		"INVITE sip:8000@198.51.100.1 SIP/2.0\n"
		"Via: SIP/2.0/UDP 198.51.100.10;branch=z9hG4bK1\n"
		"From: <sip:100@198.51.100.10>;tag=1\n"
		"To: <sip:8000@198.51.100.1>\n"
		"Call-ID: c1\n"
		"CSeq: 1 INVITE\n"
		"s: compact subject\n"
		"ms-diagnostics: 15000;reason=\"x\";source=\"um1.corp\"\n"
		"Ms-Diagnostics : 15001\n"
		"X-Genesys-Id : 42\n"
		"P-Charging-Vector: icid-value=1\n"
		"Event: refer\n"
		"Content-Length: 0\n\n";
	struct cfg_passhdr x = {.dirs = CFG_HDR_IN}, pcv = {.dirs = CFG_HDR_OUT};
	struct list extra = LIST_INIT;
	struct passhdr_policy pol = {.extra = &extra, .set = "pstn"};
	struct sip_msg *msg = NULL;
	char *hdrs = NULL;
	int err = 0;

	str_ncpy(x.name, "x-genesys-id", sizeof(x.name));
	str_ncpy(pcv.name, "P-Charging-Vector", sizeof(pcv.name));
	str_ncpy(pcv.set, "trunk", sizeof(pcv.set));
	list_append(&extra, &x.le, &x);
	list_append(&extra, &pcv.le, &pcv);

	TEST_ERR(msg_make(&msg, inv));

	/* toward UM: Subject (compact), the operator's X-Genesys-Id */
	TEST_ERR(passhdr_collect(&hdrs, msg, &pol, NULL));
	TEST_STRCMP("Subject: compact subject\r\nX-Genesys-Id: 42\r\n",
		    hdrs);
	hdrs = mem_deref(hdrs);

	/* toward a gateway of another set: no P-Charging-Vector */
	pol.out = true;
	TEST_ERR(passhdr_collect(&hdrs, msg, &pol, NULL));
	TEST_STRCMP("Subject: compact subject\r\n", hdrs);
	hdrs = mem_deref(hdrs);

	/* toward the trunk set: it passes */
	pol.set = "trunk";
	TEST_ERR(passhdr_collect(&hdrs, msg, &pol, NULL));
	TEST_STRCMP("Subject: compact subject\r\n"
		    "P-Charging-Vector: icid-value=1\r\n", hdrs);
	hdrs = mem_deref(hdrs);

	/* inside a dialog: Event, not Subject */
	pol.dialog = true;
	TEST_ERR(passhdr_collect(&hdrs, msg, &pol, NULL));
	TEST_STRCMP("P-Charging-Vector: icid-value=1\r\nEvent: refer\r\n",
		    hdrs);

 out:
	list_clear(&extra);
	mem_deref(hdrs);
	mem_deref(msg);
	return err;
}


/* RFC 2543 requests whose only fault is a branchless top Via decode
 * with a branch of ours, the same each time; malformed ones are left
 * alone */
int test_sipraw_2543(void)
{
	static const struct { const char *name; bool norm; } v[] = {
		{"longreq", true}, {"inv2543", true}, {"badinv01", false},
		{"ltgtruri", false}, {"wsinv", false}, {"lwsruri", false},
	};
	struct mbuf *mb = NULL, *again = NULL;
	struct sip_msg *msg = NULL;
	struct sa src;
	int err = 0;

	TEST_ERR(sa_set_str(&src, "198.51.100.10", 5060));

	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		bool done;

		TEST_ERR(test_file_load(&mb, "rfc4475", v[i].name, ".dat"));
		TEST_ERR(test_file_load(&again, "rfc4475", v[i].name, ".dat"));
		done = sip2543_norm(mb, &src);
		if (done != v[i].norm) {
			TEST_FAIL("%s: %d\n", v[i].name, done);
			err = EINVAL;
			goto out;
		}
		if (done) {
			TEST_ERR(sip_msg_decode(&msg, mb));
			TEST_ASSERT(pl_isset(&msg->via.branch));
			TEST_ASSERT(sip2543_norm(again, &src));
			TEST_EQUALS(mb->end, again->end);
			TEST_ASSERT(!memcmp(mb->buf, again->buf, mb->end));
			msg = mem_deref(msg);
		}
		mb = mem_deref(mb);
		again = mem_deref(again);
	}

 out:
	mem_deref(msg);
	mem_deref(mb);
	mem_deref(again);
	return err;
}


/** The timer queue test: three entries, what expired in which order */
struct dtq_rig {
	struct dtq q;          /**< Queue of 30 ms timers        */
	struct dte e[3];       /**< Its entries                  */
	int order[4];          /**< Entries as they expired      */
	unsigned n;            /**< How many expired             */
	bool restarted;        /**< e[0] was started again       */
};


static void dtq_handler(struct dte *e, void *arg)
{
	struct dtq_rig *r = arg;

	if (r->n < ARRAY_SIZE(r->order))
		r->order[r->n] = (int)(e - r->e);
	++r->n;

	/* a handler may start its entry again */
	if (e == &r->e[0] && !r->restarted) {
		r->restarted = true;
		dte_start(&r->q, e, dtq_handler, r);
	}

	if (r->n == 3)
		re_cancel();
}


static void dtq_guard(void *arg)
{
	(void)arg;
	re_cancel();
}


/* Entries expire in the order started, a cancelled one never, and one
 * started again from its handler once more at the end */
int test_dtq(void)
{
	struct dtq_rig r;
	struct tmr guard;
	int err = 0;

	memset(&r, 0, sizeof(r));
	r.q.fd = -1;
	tmr_init(&guard);
	TEST_ERR(dtq_init(&r.q, 30));

	for (int i = 0; i < 3; i++)
		dte_start(&r.q, &r.e[i], dtq_handler, &r);
	dte_cancel(&r.e[1]);
	TEST_ASSERT(!dte_isrunning(&r.e[1]));
	TEST_ASSERT(dte_isrunning(&r.e[2]));

	tmr_start(&guard, 2000, dtq_guard, NULL);
	(void)re_main(NULL);

	TEST_EQUALS(3, r.n);
	TEST_EQUALS(0, r.order[0]);
	TEST_EQUALS(2, r.order[1]);
	TEST_EQUALS(0, r.order[2]);
	TEST_ASSERT(!dte_isrunning(&r.e[0]));

 out:
	tmr_cancel(&guard);
	dtq_close(&r.q);
	return err;
}


/* Replaces (RFC 3891 §6.1's example), decoded and encoded escaped for
 * a Refer-To URI header; a value without both tags is refused */
int test_replaces(void)
{
	struct replaces r;
	struct pl pl;
	char buf[256];
	int err = 0;

	pl_set_str(&pl, "425928@bobster.example.org;to-tag=7743;"
		   "from-tag=6472");
	TEST_ERR(replaces_decode(&r, &pl));
	TEST_PLSTR(&r.callid, "425928@bobster.example.org");
	TEST_PLSTR(&r.to_tag, "7743");
	TEST_PLSTR(&r.from_tag, "6472");
	TEST_ASSERT(!r.early_only);

	(void)re_snprintf(buf, sizeof(buf), "%H", replaces_encode, &r);
	TEST_STRCMP("425928%40bobster.example.org%3Bto-tag%3D7743"
		    "%3Bfrom-tag%3D6472", buf);

	pl_set_str(&pl, "abc;from-tag=1;early-only;to-tag=2");
	TEST_ERR(replaces_decode(&r, &pl));
	TEST_PLSTR(&r.to_tag, "2");
	TEST_ASSERT(r.early_only);
	(void)re_snprintf(buf, sizeof(buf), "%H", replaces_encode, &r);
	TEST_STRCMP("abc%3Bto-tag%3D2%3Bfrom-tag%3D1%3Bearly-only", buf);

	pl_set_str(&pl, "abc;to-tag=2");
	TEST_EQUALS(EBADMSG, replaces_decode(&r, &pl));
	pl_set_str(&pl, ";to-tag=2;from-tag=1");
	TEST_EQUALS(EBADMSG, replaces_decode(&r, &pl));
	pl_set_str(&pl, "");
	TEST_EQUALS(EBADMSG, replaces_decode(&r, &pl));

 out:
	return err;
}
