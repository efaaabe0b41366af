/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file metrics.c  Tests: the Prometheus exposition writer, and the
 *                  grammar of what the relay and the TURN server write
 *
 * The grammar check follows the text format 0.0.4: valid metric and
 * label names; "# HELP" then "# TYPE" (counter or gauge) once per
 * family, before its samples; a family's samples together; no series
 * twice; counters named *_total and gauges not; label values escaped;
 * integer values; every line ended by LF, no empty line.
 */
#include <string.h>
#include <unistd.h>
#include <re.h>
#include "cfg.h"
#include "promfmt.h"
#include "relay.h"
#include "turnd.h"
#include "b2b_priv.h"
#include "test.h"


enum { SEEN_MAX = 512 };

/** What the grammar check remembers */
struct expo {
	char fam[128];               /**< Current family            */
	bool counter;                /**< Its type                  */
	bool typed;                  /**< TYPE seen for it          */
	char *seen[SEEN_MAX];        /**< Families and series seen  */
	unsigned nseen;
};


static bool seen_add(struct expo *e, const char *s, size_t n)
{
	for (unsigned i = 0; i < e->nseen; i++) {
		if (strlen(e->seen[i]) == n && !memcmp(e->seen[i], s, n))
			return false;
	}

	if (e->nseen >= SEEN_MAX)
		return false;

	return 0 == re_sdprintf(&e->seen[e->nseen++], "%b", s, n);
}


/* k="v",k2="v2": names valid, values escaped; false if not */
static bool labels_ok(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		char name[64];
		size_t k = 0;

		while (i < n && p[i] != '=' && k < sizeof(name) - 1)
			name[k++] = p[i++];
		name[k] = '\0';
		if (!promfmt_name_valid(name, true) || i + 1 >= n ||
		    p[i + 1] != '"')
			return false;
		for (i += 2; i < n && p[i] != '"'; i++) {
			if (p[i] == '\n')
				return false;
			if (p[i] == '\\' && (i + 1 >= n ||
					     !strchr("\\\"n", p[++i])))
				return false;
		}
		if (i >= n)
			return false;
		if (++i < n && p[i++] != ',')
			return false;
	}

	return true;
}


static bool sample_ok(struct expo *e, const char *l, size_t n)
{
	const char *sp = memchr(l, ' ', n);
	const char *br = memchr(l, '{', n);
	size_t nl = (size_t)((br && br < sp ? br : sp) - l);
	char name[128];

	if (!sp || !e->typed || nl >= sizeof(name))
		return false;
	memcpy(name, l, nl);
	name[nl] = '\0';
	if (strcmp(name, e->fam))
		return false;
	if (br && br < sp) {
		const char *end = sp - 1;

		if (*end != '}' || !labels_ok(br + 1, (size_t)(end - br - 1)))
			return false;
	}
	for (const char *v = sp + 1; v < l + n; v++) {
		if (*v < '0' || *v > '9')
			return false;
	}

	return sp + 1 < l + n && seen_add(e, l, (size_t)(sp - l));
}


static bool comment_ok(struct expo *e, const char *l, size_t n)
{
	struct pl kind, name, rest;

	if (re_regex(l, n, "# [A-Z]+ [^ ]+ [^]+", &kind, &name, &rest))
		return false;

	if (!pl_strcmp(&kind, "HELP")) {
		if (pl_strcpy(&name, e->fam, sizeof(e->fam)) ||
		    !promfmt_name_valid(e->fam, false))
			return false;
		e->typed = false;
		return seen_add(e, l, 7 + name.l);   /* a family once */
	}

	if (pl_strcmp(&kind, "TYPE") || pl_strcmp(&name, e->fam) || e->typed)
		return false;

	e->counter = !pl_strcmp(&rest, "counter");
	if (!e->counter && pl_strcmp(&rest, "gauge"))
		return false;
	e->typed = true;

	return e->counter == (strlen(e->fam) > 6 &&
			      !strcmp(e->fam + strlen(e->fam) - 6, "_total"));
}


static int expo_check(const char *text, unsigned *nsamples, bool loud)
{
	struct expo e;
	const char *p = text;
	int err = 0;

	memset(&e, 0, sizeof(e));
	*nsamples = 0;
	while (*p && !err) {
		const char *lf = strchr(p, '\n');
		size_t n = lf ? (size_t)(lf - p) : 0;

		if (!lf || !n || memchr(p, '\r', n))
			err = EBADMSG;
		else if (p[0] == '#' ? !comment_ok(&e, p, n) :
			 !sample_ok(&e, p, n))
			err = EPROTO;
		else if (p[0] != '#')
			++*nsamples;
		if (err && loud)
			TEST_FAIL("bad line: %b\n", p, n ? n : strlen(p));
		p = lf ? lf + 1 : p;
	}

	for (unsigned i = 0; i < e.nseen; i++)
		mem_deref(e.seen[i]);

	return err;
}


int test_promfmt_label(void)
{
	char l[64] = "";
	char small[12] = "";
	int err = 0;

	TEST_ERR(promfmt_label(l, sizeof(l), "set", "a\"b\\c\nd"));
	TEST_ERR(promfmt_label(l, sizeof(l), "host", "h\xc3\xa9"));
	TEST_STRCMP("set=\"a\\\"b\\\\c\\nd\",host=\"h\xc3\xa9\"", l);
	TEST_EQUALS(EOVERFLOW, promfmt_label(small, sizeof(small), "k",
					     "0123456789"));

	TEST_ASSERT(promfmt_name_valid("umedge_x:y_total", false));
	TEST_ASSERT(!promfmt_name_valid("umedge_x:y", true));
	TEST_ASSERT(!promfmt_name_valid("__name", true));
	TEST_ASSERT(!promfmt_name_valid("1abc", false));
	TEST_ASSERT(!promfmt_name_valid("a-b", false));
	TEST_ASSERT(!promfmt_name_valid("", false));

 out:
	return err;
}


/* the grammar check itself catches what it must */
int test_promfmt_check(void)
{
	static const char *bad[] = {
		"umedge_x 1\n",                          /* no TYPE    */
		"# HELP a_total h\n# TYPE a_total gauge\na_total 1\n",
		"# HELP a h\n# TYPE a gauge\na{k=\"v\"} 1\na{k=\"v\"} 2\n",
		"# HELP a h\n# TYPE a gauge\na{k=\"v\n\"} 1\n",
		"# HELP a h\n# TYPE a gauge\na 1\r\n",
		"# HELP a h\n# TYPE a gauge\nb 1\n",
		"# HELP a h\n# TYPE a gauge\na 1.5\n",
		"# HELP a h\n# TYPE a gauge\na 1\n# HELP a h\n# TYPE a gauge\n",
	};
	unsigned n;
	int err = 0;

	TEST_ERR(expo_check("# HELP a_total h\n# TYPE a_total counter\n"
			    "a_total{k=\"\\\"\"} 3\n", &n, true));
	TEST_EQUALS(1, n);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		TEST_ASSERT(expo_check(bad[i], &n, false) != 0);
	}

 out:
	return err;
}


int test_metrics_grammar(void)
{
	unsigned base = 57000 + (unsigned)(getpid() % 100) * 20;
	struct cfg *cfg = NULL;
	struct relay *relay = NULL;
	struct turnd *turnd = NULL;
	struct mbuf *mb = mbuf_alloc(8192);
	char conf[640], msg[256];
	unsigned n;
	int err;

	(void)re_snprintf(conf, sizeof(conf),
			  "interface lo 127.0.0.1 ports=%u-%u\n"
			  "interface q-x 127.0.0.2 ports=%u-%u\n"
			  "sip_enable no\nturn_enable yes\n"
			  "turn_listen lo udp %u\nturn_relay_interface lo\n"
			  "token_secret k1 metrics-unit-secret-0001\n",
			  base, base + 7, base + 8, base + 15, base + 19);
	err = cfg_parse(&cfg, "metrics-test", conf, strlen(conf), msg,
			sizeof(msg));
	if (err)
		TEST_FAIL("%s\n", msg);
	TEST_ERR(err);
	TEST_ASSERT(mb != NULL);
	TEST_ERR(relay_alloc(&relay, cfg));
	TEST_ERR(turnd_alloc(&turnd, cfg, relay_portpool(relay, "lo")));

	TEST_ERR(relay_metrics(mb, relay));
	TEST_ERR(turnd_metrics(mb, turnd));
	TEST_ERR(mbuf_write_u8(mb, 0));
	TEST_ERR(expo_check((const char *)mb->buf, &n, true));
	TEST_ASSERT(n >= 30);
	TEST_CONTAINS((const char *)mb->buf,
		      "umedge_relay_port_pairs{interface=\"q-x\"} 4\n");

 out:
	mem_deref(turnd);
	mem_deref(relay);
	mem_deref(cfg);
	mem_deref(mb);
	return err;
}


int test_metrics_b2b_classes(void)
{
	int err = 0;

	TEST_ASSERT(b2b_code_index(487) < B2B_NCODES - 1);
	TEST_ASSERT(b2b_code_index(503) != b2b_code_index(487));
	TEST_EQUALS(B2B_NCODES - 1, b2b_code_index(499));
	TEST_EQUALS(B2B_NCODES - 1, b2b_code_index(0));

	TEST_EQUALS(B2B_CAUSE_BYE_INSIDE,
		    b2b_cause_index("bye from inside", true));
	TEST_EQUALS(B2B_CAUSE_NO_ACK, b2b_cause_index("no answer in ACK",
						      true));
	TEST_EQUALS(B2B_CAUSE_FAILED, b2b_cause_index("redirect refused",
						      false));
	TEST_EQUALS(B2B_CAUSE_OTHER, b2b_cause_index("transfer failed, UM "
						     "gone", true));
	TEST_EQUALS(B2B_CAUSE_FAILED, b2b_cause_index(NULL, false));

 out:
	return err;
}
