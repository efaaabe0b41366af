/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file cfg.c  Tests: configuration parsing and checking
 */
#include <string.h>
#include <re.h>
#include "tok.h"
#include "cfg.h"
#include "test.h"


#define IFACES \
	"interface external 198.51.100.1 ports=30000-30099\n" \
	"interface internal 203.0.113.1 ports=40000-40099\n"
#define MINIMAL IFACES \
	"sip_listen external udp\n" \
	"sip_um_host tcp 203.0.113.10\n"


static int parse(struct cfg **cfgp, const char *text, char *err,
		 size_t errsz)
{
	return cfg_parse(cfgp, "test.conf", text, strlen(text), err, errsz);
}


/**
 * Parse a configuration that must be good; its error is printed if not
 *
 * @param cfgp Pointer to allocated configuration
 * @param text The file, "test.conf"
 *
 * @return 0 if success, otherwise errorcode
 */
int test_cfg_parse(struct cfg **cfgp, const char *text)
{
	char msg[512] = "";
	int err;

	err = parse(cfgp, text, msg, sizeof(msg));
	if (err)
		(void)re_fprintf(stderr, "\n  %s", msg);

	return err;
}


/* Parse text that must fail; the message must contain want */
static int parse_fails(const char *text, const char *want)
{
	struct cfg *cfg = NULL;
	char msg[512];
	int err;

	if (0 == parse(&cfg, text, msg, sizeof(msg))) {
		mem_deref(cfg);
		(void)re_fprintf(stderr, "\n  accepted: %s", text);
		return EINVAL;
	}

	if (!strstr(msg, want)) {
		(void)re_fprintf(stderr, "\n  message \"%s\" lacks \"%s\"",
				 msg, want);
		return EINVAL;
	}

	err = 0;

	return err;
}


/* A line added to MINIMAL, and what its error message must contain */
struct bad {
	const char *line;   /**< One or more lines, without the last LF */
	const char *want;   /**< Part of the message                    */
};


/* Each of n lines, added to MINIMAL, must be refused with its message */
static int lines_fail(const struct bad *bad, size_t n)
{
	int err = 0;

	for (size_t i = 0; i < n && !err; i++) {
		char text[1024];

		(void)re_snprintf(text, sizeof(text), "%s%s\n", MINIMAL,
				  bad[i].line);
		err = parse_fails(text, bad[i].want);
	}

	return err;
}


/* The shipped sample configuration parses and says what it shows */
int test_cfg_sample(void)
{
	struct cfg *cfg = NULL;
	const struct cfg_iface *ifc;
	const struct cfg_host *h;
	char msg[512] = "";
	int err;

	err = cfg_load(&cfg, UM_SRCDIR "/etc/umedge.conf", msg, sizeof(msg));
	if (err)
		TEST_FAIL("%s\n", msg);
	TEST_ERR(err);

	TEST_EQUALS(2, list_count(&cfg->ifaces));
	ifc = cfg_iface_find(cfg, "internal");
	TEST_ASSERT(ifc != NULL);
	TEST_EQUALS(40000, ifc->port_min);
	TEST_EQUALS(49999, ifc->port_max);
	TEST_EQUALS(20000, cfg_media_ports(cfg));

	h = list_ledata(cfg->sip.umhosts.head);
	TEST_ASSERT(h != NULL);
	TEST_EQUALS(CFG_TCP, h->tp);
	TEST_STRCMP("203.0.113.10", h->host);
	TEST_EQUALS(5060, h->port);

	TEST_EQUALS(3, list_count(&cfg->sip.listeners));
	TEST_ASSERT(cfg->turn.enable);
	TEST_STRCMP("k1", tok_keyring_signer(cfg->keys)->id);
	TEST_EQUALS(2223, sa_port(&cfg->relay.ng_listen));
	TEST_EQUALS(8080, cfg->cred.lsn.port);
	TEST_EQUALS(0, list_count(&cfg->sip.gwsets));

 out:
	mem_deref(cfg);
	return err;
}


/* An example line of the sample: "# key" and two blanks or more; the
 * syntax lines have one */
static bool example_line(const char *line)
{
	const char *sp;

	if (strncmp(line, "# sip_", 6))
		return false;

	sp = strchr(line + 2, ' ');

	return sp && sp[1] == ' ';
}


/* The sample's outbound block, uncommented, is valid and says what it
 * shows */
int test_cfg_sample_outbound(void)
{
	const struct cfg_gwset *set;
	const struct cfg_host *h;
	struct cfg *cfg = NULL;
	struct mbuf *mb = NULL;
	char line[CFG_LINE_MAX + 2], msg[512] = "";
	bool block = false;
	FILE *f;
	int err = 0;

	f = fopen(UM_SRCDIR "/etc/umedge.conf", "r");
	mb = mbuf_alloc(16384);
	TEST_ASSERT(f && mb);

	while (fgets(line, sizeof(line), f)) {
		if (0 == strncmp(line, "## ", 3))
			block = NULL != strstr(line, "Outbound calls");

		err |= mbuf_write_str(mb, block && example_line(line) ?
				      line + 2 : line);
	}
	TEST_ERR(err);

	err = cfg_parse(&cfg, "umedge.conf", (char *)mb->buf, mb->end, msg,
			sizeof(msg));
	if (err)
		TEST_FAIL("%s\n", msg);
	TEST_ERR(err);

	set = cfg_gwset_find(cfg, "pstn");
	TEST_ASSERT(set != NULL);
	TEST_EQUALS(CFG_REFER_PASS, set->refer);
	TEST_EQUALS(2, list_count(&set->gws));
	h = list_ledata(set->gws.head);
	TEST_STRCMP("edge", h->user);
	TEST_EQUALS(2, list_count(&cfg->sip.routes));
	TEST_EQUALS(2, list_count(&cfg->sip.out_allow));
	TEST_EQUALS(20, cfg->sip.out_max_calls);
	TEST_EQUALS(5, cfg->sip.out_cps);
	TEST_EQUALS(1, list_count(&cfg->sip.domains));

 out:
	if (f)
		(void)fclose(f);
	mem_deref(mb);
	mem_deref(cfg);
	return err;
}


int test_cfg_minimal_defaults(void)
{
	struct cfg *cfg = NULL;
	const struct cfg_listen *l;
	char msg[256];
	int err;

	err = parse(&cfg, MINIMAL, msg, sizeof(msg));
	TEST_ERR(err);

	l = list_ledata(cfg->sip.listeners.head);
	TEST_EQUALS(5060, l->port);
	TEST_EQUALS(CFG_UDP, l->tp);
	TEST_EQUALS(3, cfg->sip.max_redirects);
	TEST_EQUALS(20, cfg->sip.options_interval);
	TEST_EQUALS(1800, cfg->sip.session_expires);
	TEST_EQUALS(90, cfg->sip.min_se);
	TEST_ASSERT(cfg->sip.enable);
	TEST_ASSERT(cfg->sip.own_streams);
	TEST_ASSERT(cfg->relay.enable);
	TEST_ASSERT(!cfg->turn.enable);
	TEST_ASSERT(!cfg->relay.require_token);
	TEST_EQUALS(60, cfg->relay.timeout);
	TEST_EQUALS(86400, cfg->token_ttl);
	TEST_STRCMP("/run/umedge/control.sock", cfg->control_socket);

 out:
	mem_deref(cfg);
	return err;
}


int test_cfg_full(void)
{
	static const char text[] = IFACES
		"log_level debug\n"
		"sip_listen external tls\n"
		"sip_listen external tcp 5070\n"
		"sip_um_host tls [2001:db8::10]:5066 priority=2 weight=7 "
		"tls_name=um.example.net\n"
		"sip_um_host tcp um1.example.net\n"
		"sip_tls_cert /dev/null\n"
		"sip_tls_key /dev/null\n"
		"sip_tls_ca /dev/null\n"
		"sip_gateway 198.51.100.0/24 2001:db8:1::/48\n"
		"sip_gateway 192.0.2.7\n"
		"relay_threads 4\n"
		"relay_ng_listen [::1]:2223\n"
		"relay_ng_controller ::1\n"
		"relay_require_token on\n"
		"turn_enable yes\n"
		"turn_listen internal udp\n"
		"turn_listen internal tls\n"
		"turn_tls_cert /dev/null\n"
		"turn_tls_key /dev/null\n"
		"turn_relay_interface external\n"
		"token_secret new 0123456789abcdef-new\n"
		"token_secret old 0123456789abcdef-old\n";
	struct cfg *cfg = NULL;
	const struct cfg_host *h;
	const struct cfg_listen *l;
	int err;

	err = test_cfg_parse(&cfg, text);
	TEST_ERR(err);

	TEST_EQUALS(7, cfg->log_level);
	l = list_ledata(cfg->sip.listeners.head);
	TEST_EQUALS(CFG_TLS, l->tp);
	TEST_EQUALS(5061, l->port);
	l = list_ledata(cfg->sip.listeners.tail);
	TEST_EQUALS(5070, l->port);

	h = list_ledata(cfg->sip.umhosts.head);
	TEST_STRCMP("2001:db8::10", h->host);
	TEST_EQUALS(5066, h->port);
	TEST_EQUALS(2, h->priority);
	TEST_EQUALS(7, h->weight);
	TEST_STRCMP("um.example.net", h->tls_name);
	h = list_ledata(cfg->sip.umhosts.tail);
	TEST_EQUALS(5060, h->port);
	TEST_EQUALS(1, h->weight);

	TEST_EQUALS(3, list_count(&cfg->sip.gateways));
	TEST_EQUALS(AF_INET6, sa_af(&cfg->relay.ng_listen));
	TEST_ASSERT(cfg->relay.require_token);
	TEST_EQUALS(4, cfg->relay.threads);

	l = list_ledata(cfg->turn.listeners.tail);
	TEST_EQUALS(5349, l->port);
	TEST_STRCMP("new", tok_keyring_signer(cfg->keys)->id);
	TEST_EQUALS(2, list_count(&cfg->keys->keys));

 out:
	mem_deref(cfg);
	return err;
}


/* Each bad line is refused with a message naming the problem */
int test_cfg_bad(void)
{
	static const struct bad bad[] = {
		{"log_level loud",                   "not a level"},
		{"log_target file",                  "not stderr or syslog"},
		{"log_facility kern",                "not a syslog facility"},
		{"sip_enable maybe",                 "not yes or no"},
		{"sip_max_redirects 0",              "out of range 1..10"},
		{"sip_max_redirects 11",             "out of range 1..10"},
		{"sip_max_redirects -1",             "not a number"},
		{"sip_max_redirects 99999999999",    "not a number"},
		{"sip_rate_limit 5x",                "not a number"},
		{"sip_min_se 89",                    "out of range 90..86400"},
		{"sip_session_expires 86401",        "out of range 0..86400"},
		{"sip_session_expires 60",
		 "sip_session_expires 60 is below sip_min_se 90"},
		{"sip_gateway 198.51.100.0/33",      "out of range 0..32"},
		{"turn_denied_peer 198.51.100.77/27",
		 "198.51.100.77/27 has host bits set: the network is "
		 "198.51.100.64/27"},
		{"sip_gateway 2001:db8::ff/121",
		 "the network is 2001:db8::80/121"},
		{"turn_nat64_prefix 198.51.100.0/24", "is not IPv6"},
		{"turn_nat64_prefix 2001:db8::/80",   "not a NAT64 prefix"},
		{"turn_conn_per_source 0",           "out of range 1..4096"},
		{"turn_conn_idle 0",                 "out of range 1..3600"},
		{"sip_gateway 300.1.1.1",            "not an IP address"},
		{"sip_gateway",                      "missing value"},
		{"sip_um_host udp 203.0.113.10",     "never UDP"},
		{"sip_um_host sctp 203.0.113.10",    "not a transport"},
		{"sip_um_host tcp 203.0.113.10:0",   "out of range 1..65535"},
		{"sip_um_host tcp 203.0.113.10 prio=1", "unknown option"},
		{"sip_um_host tcp [2001:db8::1",     "missing ']'"},
		{"sip_listen external",              "INTERFACE TRANSPORT"},
		{"sip_listen external udp 70000",    "out of range"},
		{"sip_listen external udp 5060 x",   "unexpected 'x'"},
		{"relay_ng_listen 127.0.0.1",        "needs a port"},
		{"relay_threads 65",                 "out of range 0..64"},
		{"interface bad/name 192.0.2.1",     "bad interface name"},
		{"interface x 0.0.0.0",              "own address"},
		{"interface x 192.0.2.1 ports=3001-3010", "even port"},
		{"interface x 192.0.2.1 ports=3000-3000", "no RTP/RTCP pair"},
		{"interface x 192.0.2.1 ports=100-200", "out of range"},
		{"interface x 192.0.2.1 ports=3000",  "not MIN-MAX"},
		{"interface x 192.0.2.1 nat=1",       "unknown option"},
		{"token_secret k1 short",             "16 to 128"},
		{"token_secret k1",                   "expected ID SECRET"},
		{"token_secret k1 two words-0123456789", "spaces"},
		{"cred_listen internal",              "INTERFACE PORT"},
		{"sip_enable yes\x01",                "control character"},
	};

	return lines_fail(bad, ARRAY_SIZE(bad));
}


/* An unknown key names the file, the line and the key */
int test_cfg_unknown_key_line(void)
{
	struct cfg *cfg = NULL;
	char msg[256];
	int err = 0;

	TEST_EQUALS(EINVAL, parse(&cfg, MINIMAL "\n# comment\nfrobnicate 1\n",
				  msg, sizeof(msg)));
	TEST_STRCMP("test.conf:7: unknown key 'frobnicate'", msg);

	TEST_EQUALS(EINVAL, parse(&cfg, "log_level info\nlog_levl debug\n",
				  msg, sizeof(msg)));
	TEST_STRCMP("test.conf:2: unknown key 'log_levl'", msg);

	TEST_EQUALS(EINVAL, parse(&cfg, MINIMAL "sip_max_redirects 0\n",
				  msg, sizeof(msg)));
	TEST_STRCMP("test.conf:5: sip_max_redirects: 0 is out of range "
		    "1..10", msg);

 out:
	mem_deref(cfg);
	return err;
}


/* Over-long values and lines are errors, never truncated */
int test_cfg_overlong(void)
{
	char text[2048], longv[300];
	int err;

	memset(longv, 'a', sizeof(longv) - 1);
	longv[sizeof(longv) - 1] = '\0';

	(void)re_snprintf(text, sizeof(text), MINIMAL "pidfile /%s\n",
			  longv);
	err = parse_fails(text, "test.conf:5: pidfile: value is too long "
			  "(300 > 255 characters)");
	TEST_ERR(err);

	(void)re_snprintf(text, sizeof(text), MINIMAL "control_socket /%b\n",
			  longv, (size_t)120);
	err = parse_fails(text, "too long (121 > 107");
	TEST_ERR(err);

	(void)re_snprintf(text, sizeof(text), MINIMAL "sip_user_agent %s\n",
			  longv);
	err = parse_fails(text, "sip_user_agent: value is too long");
	TEST_ERR(err);

	(void)re_snprintf(text, sizeof(text), MINIMAL "token_secret k1 %s\n",
			  longv);
	err = parse_fails(text, "16 to 128 characters, not 299");
	TEST_ERR(err);

	(void)re_snprintf(text, sizeof(text), MINIMAL "interface %b "
			  "192.0.2.9\n", longv, (size_t)40);
	err = parse_fails(text, "value is too long (40 > 31");
	TEST_ERR(err);

	memset(text, 'x', 1100);
	memcpy(text, "# ", 2);
	text[1100] = '\0';
	err = parse_fails(text, "test.conf:1: line is too long");
	TEST_ERR(err);

 out:
	return err;
}


int test_cfg_duplicate(void)
{
	int err;

	err = parse_fails(MINIMAL "log_level info\nlog_level debug\n",
			  "test.conf:6: log_level: already set on line 5");
	TEST_ERR(err);

	err = parse_fails(MINIMAL "token_secret a 0123456789abcdef\n"
			  "token_secret a 0123456789abcdef\n",
			  "secret id 'a' is used twice");
	TEST_ERR(err);

	err = parse_fails(MINIMAL "interface external 192.0.2.5\n",
			  "test.conf:5: interface 'external' is already "
			  "defined on line 1");
	TEST_ERR(err);

 out:
	return err;
}


int test_cfg_comments(void)
{
	static const char text[] =
		"  # indented comment\r\n"
		"\n"
		"\t\n"
		IFACES
		"sip_listen external udp  # trailing comment\n"
		"sip_um_host tcp 203.0.113.10\r\n"
		"sip_user_agent edge#1 # the '#' above is kept\n"
		"token_secret k1 abc#def0123456789\n";
	struct cfg *cfg = NULL;
	int err;

	err = test_cfg_parse(&cfg, text);
	TEST_ERR(err);

	TEST_STRCMP("edge#1", cfg->sip.user_agent);
	TEST_EQUALS(17, tok_keyring_signer(cfg->keys)->len);

 out:
	mem_deref(cfg);
	return err;
}


/* Checks across keys, after every line parsed */
int test_cfg_check(void)
{
	static const struct { const char *text, *want; } bad[] = {
		{"sip_enable no\nrelay_enable no\n",
		 "no 'interface' is configured"},
		{IFACES "sip_um_host tcp 203.0.113.10\n",
		 "no sip_listen is configured"},
		{IFACES "sip_listen external udp\n",
		 "no sip_um_host is configured"},
		{MINIMAL "sip_listen dmz udp\n",
		 "test.conf:5: sip_listen: no interface 'dmz'"},
		{MINIMAL "sip_listen external udp 5060\n",
		 "port 5060 is already used on line 3"},
		{MINIMAL "sip_listen external tls\n",
		 "sip_tls_cert is required"},
		{MINIMAL "sip_listen external tls\nsip_tls_cert /nonexistent\n"
		 "sip_tls_key /dev/null\nsip_tls_ca /dev/null\n",
		 "cannot read '/nonexistent'"},
		{MINIMAL "interface dmz 198.51.100.1 ports=30050-30199\n",
		 "ports of 'dmz' overlap those of 'external'"},
		{"interface a 192.0.2.1\nsip_enable no\n",
		 "no interface has ports=MIN-MAX"},
		{MINIMAL "relay_require_token yes\n",
		 "relay_require_token is yes but no token_secret"},
		{MINIMAL "relay_ng_listen 127.0.0.1:2223\n",
		 "no relay_ng_controller"},
		{MINIMAL "turn_enable yes\n", "no turn_listen"},
		{MINIMAL "turn_enable yes\nturn_listen internal udp\n",
		 "turn_relay_interface is not set"},
		{MINIMAL "turn_enable yes\nturn_listen internal udp\n"
		 "turn_relay_interface nowhere\n",
		 "turn_relay_interface: no interface 'nowhere'"},
		{MINIMAL "turn_enable yes\nturn_listen internal udp\n"
		 "turn_relay_interface external\n",
		 "no token_secret"},
		{MINIMAL "cred_listen dmz 8080\n", "no interface 'dmz'"},
		{MINIMAL "cred_listen internal 8080\n",
		 "needs cred_bearer_key or cred_tls_ca"},
		{MINIMAL "cred_listen internal 8080\ncred_client 10.0.0.0/8\n",
		 "needs cred_bearer_key or cred_tls_ca"},
		{MINIMAL "cred_listen internal 8080\ncred_tls_ca /ca.pem\n",
		 "cred_tls_ca needs cred_tls_cert"},
		{MINIMAL "cred_listen internal 8080\ncred_tls_ca /ca.pem\n"
		 "cred_tls_cert /c.pem\n", "go together"},
		{MINIMAL "cred_listen internal 8080\ncred_bearer_key short\n",
		 "at least 16"},
		{MINIMAL "ha_group a{b}\n", "ha_group 'a{b}' must be a word"},
		{MINIMAL "ha_node edge a\n", "ha_node 'edge a' must be a word"},
		{MINIMAL "ha_pair yes\n", "ha_pair needs ha_redis"},
	};
	struct cfg *cfg = NULL;
	char msg[256];
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		err = parse_fails(bad[i].text, bad[i].want);
		TEST_ERR(err);
	}

	/* different addresses may reuse a port range */
	err = parse(&cfg, MINIMAL "interface dmz 192.0.2.1 "
		    "ports=30000-30099\n", msg, sizeof(msg));
	TEST_ERR(err);

 out:
	mem_deref(cfg);
	return err;
}


/* Outbound calls: two sets, gateways of every transport, routes, allowed
 * numbers, limits and names (lines 1-4 are MINIMAL) */
#define OUTBOUND MINIMAL \
	"sip_internal_network 203.0.113.0/24\n" \
	"sip_tls_cert /dev/null\n" \
	"sip_tls_key /dev/null\n" \
	"sip_tls_ca /dev/null\n" \
	"sip_gw_set pstn refer=local failover=timeout,6xx media=srtp " \
	"info_dtmf=convert divhi=hi-only\n" \
	"sip_gw_set back-up_2\n" \
	"sip_gw pstn udp 192.0.2.10 priority=1 weight=3 user=edge " \
	"password=s3cr=t#x realm=pstn.example\n" \
	"sip_gw pstn TLS gw2.example.net:5071 tls_name=gw.example\n" \
	"sip_gw back-up_2 tcp [2001:db8:5::1]\n" \
	"sip_gw back-up_2 tls 192.0.2.20\n" \
	"sip_route +1 pstn\n" \
	"sip_route +1425 back-up_2\n" \
	"sip_route default back-up_2\n" \
	"sip_route 00 pstn\n" \
	"sip_out_allow +1 11\n" \
	"sip_out_allow + 8-15\n" \
	"sip_out_allow 00 10-15\n" \
	"sip_out_max_calls 0\n" \
	"sip_out_cps 10000\n" \
	"sip_domain edge.example.net\n" \
	"sip_domain [2001:db8::1]\n" \
	"sip_domain 203.0.113.1\n" \
	"sip_um_media srtp\n" \
	"sip_pass_header P-Charging-Vector out set=pstn\n" \
	"sip_pass_header X-Genesys-Id\n" \
	"sip_um_divhi Div\n"


/* sip_gw_set and sip_gw: the sets, their options and their gateways */
int test_cfg_outbound(void)
{
	const struct cfg_gwset *set, *bak;
	const struct cfg_host *h;
	struct cfg *cfg = NULL;
	int err;

	err = test_cfg_parse(&cfg, OUTBOUND);
	TEST_ERR(err);

	TEST_EQUALS(2, list_count(&cfg->sip.gwsets));
	set = cfg_gwset_find(cfg, "pstn");
	bak = cfg_gwset_find(cfg, "back-up_2");
	TEST_ASSERT(set && bak && set != bak);
	TEST_ASSERT(!cfg_gwset_find(cfg, "PSTN"));
	TEST_ASSERT(!cfg_gwset_find(NULL, "pstn"));
	TEST_EQUALS(CFG_REFER_LOCAL, set->refer);
	TEST_EQUALS(CFG_FO_TIMEOUT | CFG_FO_6XX, set->failover);
	TEST_EQUALS(9, set->line);
	TEST_EQUALS(CFG_MEDIA_SRTP, set->media);
	TEST_ASSERT(set->info_dtmf);
	TEST_EQUALS(CFG_MEDIA_UNSET, bak->media);
	TEST_ASSERT(!bak->info_dtmf);
	TEST_EQUALS(CFG_MEDIA_SRTP, cfg->sip.um_media);
	TEST_EQUALS(CFG_DIVHI_HI_ONLY, set->divhi);
	TEST_EQUALS(CFG_DIVHI_PASS, bak->divhi);
	TEST_EQUALS(CFG_DIVHI_DIV, cfg->sip.um_divhi);
	TEST_EQUALS(2, list_count(&cfg->sip.pass_hdrs));
	{
		const struct cfg_passhdr *ph = list_ledata(
			cfg->sip.pass_hdrs.head);
		const struct cfg_passhdr *ph2 = list_ledata(
			cfg->sip.pass_hdrs.tail);

		TEST_STRCMP("P-Charging-Vector", ph->name);
		TEST_EQUALS(CFG_HDR_OUT, ph->dirs);
		TEST_STRCMP("pstn", ph->set);
		TEST_EQUALS(CFG_HDR_IN | CFG_HDR_OUT, ph2->dirs);
		TEST_STRCMP("", ph2->set);
	}
	TEST_EQUALS(CFG_MEDIA_UNSET, cfg->sip.gw_media);
	TEST_EQUALS(CFG_REFER_PASS, bak->refer);
	TEST_EQUALS(CFG_FO_TIMEOUT | CFG_FO_408 | CFG_FO_5XX, bak->failover);

	TEST_EQUALS(2, list_count(&set->gws));
	h = list_ledata(set->gws.head);
	TEST_EQUALS(CFG_UDP, h->tp);
	TEST_STRCMP("192.0.2.10", h->host);
	TEST_EQUALS(5060, h->port);
	TEST_EQUALS(1, h->priority);
	TEST_EQUALS(3, h->weight);
	TEST_STRCMP("edge", h->user);
	TEST_STRCMP("s3cr=t#x", h->password);
	TEST_STRCMP("pstn.example", h->realm);
	TEST_ASSERT(h->set == set);
	TEST_EQUALS(11, h->line);

	h = list_ledata(set->gws.tail);
	TEST_EQUALS(CFG_TLS, h->tp);
	TEST_EQUALS(5071, h->port);
	TEST_STRCMP("gw.example", h->tls_name);
	TEST_STRCMP("", h->user);
	TEST_STRCMP("", h->realm);
	TEST_EQUALS(0, h->priority);
	TEST_EQUALS(1, h->weight);

	h = list_ledata(bak->gws.head);
	TEST_STRCMP("2001:db8:5::1", h->host);
	TEST_EQUALS(5060, h->port);
	TEST_ASSERT(h->set == bak);
	h = list_ledata(bak->gws.tail);
	TEST_EQUALS(5061, h->port);

	h = list_ledata(cfg->sip.umhosts.head);
	TEST_ASSERT(h->set == NULL);

 out:
	mem_deref(cfg);
	return err;
}


/* sip_route, sip_out_allow, the limits and sip_domain; the defaults */
int test_cfg_outbound_routes(void)
{
	const struct cfg_route *r;
	const struct cfg_allow *a;
	const struct cfg_name *n;
	struct cfg *cfg = NULL;
	int err;

	err = test_cfg_parse(&cfg, OUTBOUND);
	TEST_ERR(err);

	TEST_EQUALS(4, list_count(&cfg->sip.routes));
	r = list_ledata(cfg->sip.routes.head);
	TEST_STRCMP("+1", r->prefix);
	TEST_ASSERT(r->set == cfg_gwset_find(cfg, "pstn"));
	r = list_ledata(cfg->sip.routes.head->next->next);
	TEST_STRCMP("", r->prefix);
	TEST_ASSERT(r->set == cfg_gwset_find(cfg, "back-up_2"));
	TEST_EQUALS(17, r->line);

	TEST_EQUALS(3, list_count(&cfg->sip.out_allow));
	a = list_ledata(cfg->sip.out_allow.head);
	TEST_STRCMP("+1", a->prefix);
	TEST_EQUALS(11, a->min);
	TEST_EQUALS(11, a->max);
	a = list_ledata(cfg->sip.out_allow.head->next);
	TEST_STRCMP("+", a->prefix);
	TEST_EQUALS(8, a->min);
	TEST_EQUALS(15, a->max);

	TEST_EQUALS(0, cfg->sip.out_max_calls);
	TEST_EQUALS(10000, cfg->sip.out_cps);

	TEST_EQUALS(3, list_count(&cfg->sip.domains));
	n = list_ledata(cfg->sip.domains.head->next);
	TEST_STRCMP("2001:db8::1", n->name);
	n = list_ledata(cfg->sip.domains.tail);
	TEST_STRCMP("203.0.113.1", n->name);
	TEST_EQUALS(26, n->line);
	cfg = mem_deref(cfg);

	/* the defaults: nothing may be dialled */
	err = test_cfg_parse(&cfg, MINIMAL);
	TEST_ERR(err);
	TEST_EQUALS(20, cfg->sip.out_max_calls);
	TEST_EQUALS(5, cfg->sip.out_cps);
	TEST_EQUALS(0, list_count(&cfg->sip.gwsets));
	TEST_EQUALS(0, list_count(&cfg->sip.routes));
	TEST_EQUALS(0, list_count(&cfg->sip.out_allow));
	TEST_EQUALS(0, list_count(&cfg->sip.domains));

 out:
	mem_deref(cfg);
	return err;
}


#define GW "sip_gw_set p\nsip_gw p udp 192.0.2.1"

/* Bad sip_gw_set and sip_gw lines; sip_um_host takes no credentials */
int test_cfg_gw_bad(void)
{
	static const struct bad bad[] = {
		{"sip_um_host tcp 203.0.113.11 user=a password=b",
		 "unknown option 'user' (priority, weight, tls_name)"},
		{"sip_um_host tcp 203.0.113.11 realm=r",
		 "unknown option 'realm' (priority, weight, tls_name)"},
		{"sip_gw_set bad.name",           "bad set name 'bad.name'"},
		{"sip_gw_set p refer=drop",       "'drop' is not pass or "
						  "local"},
		{"sip_gw_set p failover=timeout,404",
		 "failover: '404' is not one of timeout, 408, 5xx, 6xx"},
		{"sip_gw_set p failover=",        "'' is not one of"},
		{"sip_gw_set p failover=5xx,,6xx", "'' is not one of"},
		{"sip_gw_set p failover=5xx,5XX", "'5XX' is listed twice"},
		{"sip_gw_set p mode=x",
		 "unknown option 'mode' (refer, failover, media, info_dtmf, "
		 "max_calls, divhi)"},
		{"sip_gw_set p divhi=both",       "'both' is not pass, div, "
						  "div-only, hi or hi-only"},
		{"sip_um_divhi hi-first",         "'hi-first' is not pass, div, "
						  "div-only, hi or hi-only"},
		{"sip_gw_set p local",            "'local' is not name=value"},
		{"sip_gw_set p media=zrtp",       "'zrtp' is not rtp, srtp or "
						  "any"},
		{"sip_gw_set p info_dtmf=yes",    "info_dtmf: 'yes' is not "
						  "convert or pass"},
		{"sip_um_media sdes",             "'sdes' is not rtp, srtp or "
						  "any"},
		{"sip_pass_header Via",           "Via is the edge's own"},
		{"sip_pass_header s",             "give the header's full name"},
		{"sip_pass_header X:A",           "'X:A' is not a header name"},
		{"sip_pass_header X-A set=nope",  "no sip_gw_set 'nope'"},
		{"sip_pass_header X-A sideways",  "not name=value"},
		{"sip_gw_set p\nsip_gw_set p",
		 "test.conf:6: sip_gw_set: set 'p' is already defined on "
		 "line 5"},
		{"sip_gw p udp 192.0.2.1",
		 "test.conf:5: sip_gw: no sip_gw_set 'p' on an earlier line"},
		{"sip_gw p udp 192.0.2.1\nsip_gw_set p",
		 "no sip_gw_set 'p' on an earlier line"},
		{"sip_gw_set p\nsip_gw p",
		 "expected SET TRANSPORT HOST[:PORT] [options]"},
		{"sip_gw_set p\nsip_gw p udp",    "expected SET TRANSPORT"},
		{"sip_gw_set p\nsip_gw p sctp 192.0.2.1", "not a transport"},
		{GW ":0",                         "out of range 1..65535"},
		{GW " weight=65536",              "out of range 0..65535"},
		{GW " prio=1",
		 "unknown option 'prio' (priority, weight, tls_name, user, "
		 "password, realm)"},
		{GW " user=a",                    "user= and password= go"},
		{GW " password=a",                "user= and password= go"},
		{GW " user=a realm=r",            "user= and password= go"},
		{GW " realm=r",                   "realm= needs user= and "
						  "password="},
		{GW " user= password=x",          "user= is empty"},
		{GW " user=a password=",          "password= is empty"},
		{GW " user=a\"b password=x",
		 "user= may not contain '\"' or '\\'"},
		{GW " user=a password=x realm=a\\b", "realm= may not contain"},
	};

	return lines_fail(bad, ARRAY_SIZE(bad));
}


/* Bad sip_route, sip_out_allow, limit and sip_domain lines */
int test_cfg_route_bad(void)
{
	static const struct bad bad[] = {
		{"sip_route +1",                  "expected PREFIX SET"},
		{"sip_route +1 p extra",          "expected PREFIX SET"},
		{"sip_route 1a p",
		 "prefix '1a' is not 'default' or digits after an optional "
		 "'+'"},
		{"sip_route + p",                 "prefix '+' is not"},
		{"sip_route ++1 p",               "prefix '++1' is not"},
		{"sip_route 1+ p",                "prefix '1+' is not"},
		{"sip_route Default p",           "prefix 'Default' is not"},
		{"sip_route +1 nowhere",
		 "no sip_gw_set 'nowhere' on an earlier line"},
		{GW "\nsip_route +1 p\nsip_route +1 p",
		 "test.conf:8: sip_route: prefix '+1' is already routed on "
		 "line 7"},
		{GW "\nsip_route default p\nsip_route default p",
		 "the default route is already set on line 7"},
		{"sip_out_allow +1",              "expected PREFIX MIN[-MAX]"},
		{"sip_out_allow +1 11 12",        "expected PREFIX MIN[-MAX]"},
		{"sip_out_allow 1x 10",
		 "prefix '1x' is not '+' or digits after an optional '+'"},
		{"sip_out_allow ++ 10",           "prefix '++' is not"},
		{"sip_out_allow -1 10",           "prefix '-1' is not"},
		{"sip_out_allow +1 0",            "0 is out of range 1..15"},
		{"sip_out_allow +1 16",           "16 is out of range 1..15"},
		{"sip_out_allow +1 11-16",        "16 is out of range 1..15"},
		{"sip_out_allow +1 12-10",        "MIN 12 is more than MAX 10"},
		{"sip_out_allow +1 -10",          "'-10' is not MIN[-MAX]"},
		{"sip_out_allow +1 10-",          "'10-' is not MIN[-MAX]"},
		{"sip_out_allow +1 1-2-3",        "'2-3' is not a number"},
		{"sip_out_allow +1 x",            "'x' is not a number"},
		{"sip_out_allow +1425 3",
		 "prefix '+1425' has more digits than MAX 3"},
		{"sip_out_allow 0044 2-3",        "'0044' has more digits"},
		{"sip_out_max_calls 100001",      "out of range 0..100000"},
		{"sip_out_max_calls -1",          "not a number"},
		{"sip_out_cps 10001",             "out of range 0..10000"},
		{"sip_out_cps 5\nsip_out_cps 6",  "already set on line 5"},
		{"sip_domain a.example b.example",
		 "one NAME a line, unexpected 'b.example'"},
		{"sip_domain bad/name",
		 "'bad/name' is not a host name or an IP address"},
		{"sip_domain [2001:db8::1",       "is not a host name"},
		{"sip_domain edge.example\nsip_domain EDGE.example",
		 "test.conf:6: sip_domain: 'EDGE.example' is already given on "
		 "line 5"},
	};

	return lines_fail(bad, ARRAY_SIZE(bad));
}


/* Over-long names, credentials, prefixes; a password is never echoed */
int test_cfg_outbound_overlong(void)
{
	struct cfg *cfg = NULL;
	char text[2048], longv[300], msg[256];
	int err;

	memset(longv, 'a', sizeof(longv) - 1);
	longv[sizeof(longv) - 1] = '\0';

	(void)re_snprintf(text, sizeof(text), MINIMAL "sip_gw_set %b\n",
			  longv, (size_t)32);
	err = parse_fails(text, "sip_gw_set: value is too long (32 > 31");
	TEST_ERR(err);

	(void)re_snprintf(text, sizeof(text), MINIMAL GW " user=%b "
			  "password=x\n", longv, (size_t)128);
	err = parse_fails(text, "sip_gw: value is too long (128 > 127");
	TEST_ERR(err);

	(void)re_snprintf(text, sizeof(text), MINIMAL GW " user=u "
			  "password=%b\n", longv, (size_t)128);
	err = parse_fails(text, "sip_gw: value is too long (128 > 127");
	TEST_ERR(err);

	(void)re_snprintf(text, sizeof(text), MINIMAL GW " user=u "
			  "password=x realm=%b\n", longv, (size_t)127);
	err = parse(&cfg, text, msg, sizeof(msg));
	TEST_ERR(err);
	cfg = mem_deref(cfg);

	err = parse_fails(MINIMAL GW "\nsip_route "
			  "+1234567890123456789012345678901 p\n",
			  "sip_route: value is too long (32 > 31");
	TEST_ERR(err);

	(void)re_snprintf(text, sizeof(text), MINIMAL "sip_domain %b\n",
			  longv, (size_t)256);
	err = parse_fails(text, "sip_domain: value is too long (256 > 255");
	TEST_ERR(err);

	/* a password is never echoed, not even a piece of it */
	TEST_EQUALS(EINVAL, parse(&cfg, MINIMAL GW " user=u password=open "
				  "sesame\n", msg, sizeof(msg)));
	TEST_STRCMP("test.conf:6: sip_gw: password= may not contain blanks",
		    msg);

 out:
	mem_deref(cfg);
	return err;
}


/* Checks across lines: sets with gateways, gateways outside, TLS files */
int test_cfg_outbound_check(void)
{
	static const struct bad bad[] = {
		{"sip_gw_set pstn\nsip_gw_set empty\nsip_gw pstn udp 192.0.2.1",
		 "test.conf:6: sip_gw_set: set 'empty' has no sip_gw line"},
		{"sip_internal_network 203.0.113.0/24\n"
		 GW "\nsip_gw p tcp 203.0.113.50",
		 "test.conf:8: sip_gw: 203.0.113.50 lies in a "
		 "sip_internal_network: a gateway is outside"},
		{"sip_internal_network 2001:db8:1::/48 10.0.0.0/8\n"
		 "sip_gw_set p\nsip_gw p udp [::ffff:10.1.2.3]:5070",
		 "test.conf:7: sip_gw: ::ffff:10.1.2.3 lies in a "
		 "sip_internal_network"},
		{"sip_internal_network 2001:db8:1::/48\n"
		 "sip_gw_set p\nsip_gw p udp [2001:db8:1::9]",
		 "2001:db8:1::9 lies in a sip_internal_network"},
		{"sip_gw_set p\nsip_gw p tls 192.0.2.1",
		 "test.conf: sip_tls_cert is required"},
		{"sip_gw_set p\nsip_gw p tls 192.0.2.1\n"
		 "sip_tls_cert /dev/null\nsip_tls_key /dev/null",
		 "sip_tls_ca is required"},
	};
	struct cfg *cfg = NULL;
	char msg[256];
	int err;

	err = lines_fail(bad, ARRAY_SIZE(bad));
	TEST_ERR(err);

	/* a gateway by name is not resolved */
	err = parse(&cfg, MINIMAL "sip_internal_network 203.0.113.0/24\n"
		    "sip_gw_set p\nsip_gw p tcp gw.example.net\n",
		    msg, sizeof(msg));
	TEST_ERR(err);
	cfg = mem_deref(cfg);

	/* a part that is off is not checked across lines */
	err = parse(&cfg, MINIMAL "sip_enable no\nsip_gw_set p\n",
		    msg, sizeof(msg));
	TEST_ERR(err);

 out:
	mem_deref(cfg);
	return err;
}
