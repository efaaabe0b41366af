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


/* The shipped sample configuration parses and says what it shows */
int test_cfg_sample(void)
{
	struct cfg *cfg = NULL;
	const struct cfg_iface *ifc;
	const struct cfg_umhost *h;
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
	TEST_EQUALS(8080, cfg->cred.port);

 out:
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
	TEST_ASSERT(cfg->sip.enable);
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
	const struct cfg_umhost *h;
	const struct cfg_listen *l;
	char msg[256] = "";
	int err;

	err = parse(&cfg, text, msg, sizeof(msg));
	if (err)
		TEST_FAIL("%s\n", msg);
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
	static const struct { const char *line, *want; } bad[] = {
		{"log_level loud",                   "not a level"},
		{"log_target file",                  "not stderr or syslog"},
		{"log_facility kern",                "not a syslog facility"},
		{"sip_enable maybe",                 "not yes or no"},
		{"sip_max_redirects 0",              "out of range 1..10"},
		{"sip_max_redirects 11",             "out of range 1..10"},
		{"sip_max_redirects -1",             "not a number"},
		{"sip_max_redirects 99999999999",    "not a number"},
		{"sip_rate_limit 5x",                "not a number"},
		{"sip_gateway 198.51.100.0/33",      "out of range 0..32"},
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
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char text[1024];

		(void)re_snprintf(text, sizeof(text), "%s%s\n", MINIMAL,
				  bad[i].line);
		err = parse_fails(text, bad[i].want);
		if (err)
			break;
	}

	return err;
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
	char msg[256] = "";
	int err;

	err = parse(&cfg, text, msg, sizeof(msg));
	if (err)
		TEST_FAIL("%s\n", msg);
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
