/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file digest.c  Tests: SIP digest authentication as a UAC
 *                 (src/digest.c): the worked examples of RFC 2617 §3.5
 *                 and RFC 7616 §3.9.1, the form without qop, picking a
 *                 challenge from a 401 or 407, and bad input
 */
#include <string.h>
#include <re.h>
#include "digest.h"
#include "test.h"


/* RFC 2617 §3.5: the challenge as the RFC prints it, folded */
static const char rfc2617_chal[] =
	"Digest\r\n"
	"                 realm=\"testrealm@host.com\",\r\n"
	"                 qop=\"auth,auth-int\",\r\n"
	"                 nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\",\r\n"
	"                 opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";

/* RFC 7616 §3.9.1: the two challenges, SHA-256 first, as printed */
#define RFC7616_CHAL(alg) "Digest\n" \
	"    realm=\"http-auth@example.org\",\n" \
	"    qop=\"auth, auth-int\",\n" \
	"    algorithm=" alg ",\n" \
	"    nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\",\n" \
	"    opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\""

/* RFC 7616 §3.9.1's credentials: "of", not "Of" (erratum 4495) */
static const struct digest_cred rfc7616_cred = {
	"Mufasa", "Circle of Life", "GET", "/dir/index.html",
	"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", 1
};

#define RFC7616_SHA256 \
	"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
#define RFC7616_MD5 "8ca523f5e9506fed4657c9700eebdbec"


static int chal_str(struct digest_chal *c, const char *s)
{
	struct pl pl;

	pl_set_str(&pl, s);

	return digest_chal_decode(c, &pl);
}


/* The header line for c and cr, allocated; exactly one CRLF, at the
 * end, or EBADMSG */
static int auth_line(char **linep, const struct digest_chal *c,
		     const struct digest_cred *cr)
{
	struct digest_auth a = {c, cr};
	const char *crlf;
	int err;

	err = re_sdprintf(linep, "%H", digest_auth_print, &a);
	if (err)
		return err;

	crlf = strpbrk(*linep, "\r\n");
	if (!crlf || strcmp(crlf, "\r\n")) {
		*linep = mem_deref(*linep);
		return EBADMSG;
	}

	return 0;
}


int test_digest_rfc2617(void)
{
	const struct digest_cred cr = {
		"Mufasa", "Circle Of Life", "GET", "/dir/index.html",
		"0a4f113b", 1
	};
	struct digest_chal c;
	char resp[DIGEST_RESP_SZ], *line = NULL;
	int err = 0;

	TEST_ERR(chal_str(&c, rfc2617_chal));
	TEST_PLSTR(&c.realm, "testrealm@host.com");
	TEST_PLSTR(&c.nonce, "dcd98b7102dd2f0e8b11d0f600bfb0c093");
	TEST_PLSTR(&c.opaque, "5ccc069c403ebaf9f0171e9517f40e41");
	TEST_EQUALS(DIGEST_MD5, c.alg);
	TEST_ASSERT(c.qop_auth && !c.stale && !c.proxy);

	TEST_ERR(digest_response(resp, sizeof(resp), &c, &cr));
	TEST_STRCMP("6629fae49393a05397450978507c4ef1", resp);

	/* the fields of the RFC's Authorization header */
	TEST_ERR(auth_line(&line, &c, &cr));
	TEST_ASSERT(!strncmp(line, "Authorization: Digest username=", 31));
	TEST_CONTAINS(line, "username=\"Mufasa\"");
	TEST_CONTAINS(line, "realm=\"testrealm@host.com\"");
	TEST_CONTAINS(line, "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\"");
	TEST_CONTAINS(line, "uri=\"/dir/index.html\"");
	TEST_CONTAINS(line, "qop=auth,");
	TEST_CONTAINS(line, "nc=00000001");
	TEST_CONTAINS(line, "cnonce=\"0a4f113b\"");
	TEST_CONTAINS(line,
		      "response=\"6629fae49393a05397450978507c4ef1\"");
	TEST_CONTAINS(line, "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
	TEST_CONTAINS(line, "algorithm=MD5");

 out:
	mem_deref(line);
	return err;
}


/* RFC 7616 §3.9.1: each challenge, its response and its algorithm */
static const struct {
	const char *chal;
	enum digest_alg alg;
	const char *resp;
	const char *algp;
} rfc7616[] = {
	{RFC7616_CHAL("SHA-256"), DIGEST_SHA256, RFC7616_SHA256,
	 "algorithm=SHA-256,"},
	{RFC7616_CHAL("MD5"), DIGEST_MD5, RFC7616_MD5, "algorithm=MD5,"},
};


int test_digest_rfc7616(void)
{
	struct digest_chal c;
	char resp[DIGEST_RESP_SZ], *line = NULL;
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(rfc7616); i++) {
		TEST_ERR(chal_str(&c, rfc7616[i].chal));
		TEST_EQUALS(rfc7616[i].alg, c.alg);
		TEST_ASSERT(c.qop_auth);
		TEST_PLSTR(&c.realm, "http-auth@example.org");

		TEST_ERR(digest_response(resp, sizeof(resp), &c,
					 &rfc7616_cred));
		TEST_STRCMP(rfc7616[i].resp, resp);

		TEST_ERR(auth_line(&line, &c, &rfc7616_cred));
		TEST_CONTAINS(line, rfc7616[i].resp);
		TEST_CONTAINS(line, rfc7616[i].algp);
		TEST_CONTAINS(line, "cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/"
			      "H5QzzpXusqGemxURZJ\"");
		TEST_CONTAINS(line, "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPq"
			      "MAFRtzCUYo5tdS\"");
		line = mem_deref(line);
	}

 out:
	mem_deref(line);
	return err;
}


/*
 * Without qop (RFC 2069): response = H(H(A1):nonce:H(A2)). The literals
 * were computed in the shell, not by the code under test:
 *
 *   h() { printf '%s' "$2" | ${1}sum | cut -d' ' -f1; }
 *   a1=$(h md5 'Mufasa:testrealm@host.com:Circle Of Life')
 *   a2=$(h md5 'GET:/dir/index.html')
 *   h md5 "$a1:dcd98b7102dd2f0e8b11d0f600bfb0c093:$a2"
 *
 *   a1=$(h sha256 'a"b\c:sip"x.example:pw')
 *   a2=$(h sha256 'REGISTER:sip:example.com')
 *   h sha256 "$a1:n\1:$a2"
 *
 * The second has escapes in the challenge (hashed unescaped, sent back
 * as they came) and a username that must be escaped.
 */
int test_digest_noqop(void)
{
	static const char chal1[] = "Digest realm=\"testrealm@host.com\", "
		"nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
		"opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";
	static const char chal2[] = "Digest realm=\"sip\\\"x.example\","
		"nonce=\"n\\\\1\",algorithm=sha-256";
	const struct digest_cred cr1 = {
		"Mufasa", "Circle Of Life", "GET", "/dir/index.html", NULL, 0
	};
	const struct digest_cred cr2 = {
		"a\"b\\c", "pw", "REGISTER", "sip:example.com", NULL, 0
	};
	struct digest_chal c;
	char resp[DIGEST_RESP_SZ], *line = NULL;
	int err = 0;

	TEST_ERR(chal_str(&c, chal1));
	TEST_ASSERT(!c.qop_auth);
	TEST_ERR(digest_response(resp, sizeof(resp), &c, &cr1));
	TEST_STRCMP("670fd8c2df070c60b045671b8b24ff02", resp);
	TEST_ERR(auth_line(&line, &c, &cr1));
	TEST_CONTAINS(line, "response=\"670fd8c2df070c60b045671b8b24ff02\"");
	TEST_CONTAINS(line, "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
	TEST_ASSERT(!strstr(line, "qop") && !strstr(line, "nc=") &&
		    !strstr(line, "cnonce"));
	line = mem_deref(line);

	TEST_ERR(chal_str(&c, chal2));
	TEST_EQUALS(DIGEST_SHA256, c.alg);
	TEST_ERR(digest_response(resp, sizeof(resp), &c, &cr2));
	TEST_STRCMP("909044c474fb3b0068c56ac33cd1e1bc"
		    "eb051f93d4c48eeb32fb151f611c1a3a", resp);
	TEST_ERR(auth_line(&line, &c, &cr2));
	TEST_CONTAINS(line, "username=\"a\\\"b\\\\c\", ");
	TEST_CONTAINS(line, "realm=\"sip\\\"x.example\", ");
	TEST_CONTAINS(line, "nonce=\"n\\\\1\", ");
	TEST_CONTAINS(line, "algorithm=SHA-256");
	TEST_ASSERT(!strstr(line, "opaque"));

 out:
	mem_deref(line);
	return err;
}


/* A response with these headers (LF line ends) */
static int resp_make(struct sip_msg **msgp, const char *status,
		     const char *hdrs)
{
	char *text = NULL;
	int err;

	err = re_sdprintf(&text, "SIP/2.0 %s\n"
			  "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\n"
			  "From: <sip:a@192.0.2.1>;tag=1\n"
			  "To: <sip:b@trunk.example>;tag=2\n"
			  "Call-ID: c1\n"
			  "CSeq: 1 INVITE\n"
			  "%s"
			  "Content-Length: 0\n\n", status, hdrs);
	if (!err)
		err = msg_make(msgp, text);

	mem_deref(text);

	return err;
}


#define WWW "WWW-Authenticate: "
#define PXA "Proxy-Authenticate: "

/* Header order decides, undecodable ones are passed over */
int test_digest_pick_order(void)
{
	struct sip_msg *msg = NULL;
	struct digest_chal c;
	char resp[DIGEST_RESP_SZ];
	int err = 0;

	/* RFC 7616's pair, folded as printed: SHA-256 is on top */
	TEST_ERR(resp_make(&msg, "401 Unauthorized",
			   WWW RFC7616_CHAL("SHA-256") "\n"
			   WWW RFC7616_CHAL("MD5") "\n"));
	TEST_ERR(digest_chal_pick(&c, msg, NULL));
	TEST_EQUALS(DIGEST_SHA256, c.alg);
	TEST_ASSERT(!c.proxy);
	TEST_ERR(digest_response(resp, sizeof(resp), &c, &rfc7616_cred));
	TEST_STRCMP(RFC7616_SHA256, resp);
	msg = mem_deref(msg);

	/* the server's order, even when it puts MD5 on top */
	TEST_ERR(resp_make(&msg, "401 Unauthorized",
			   WWW RFC7616_CHAL("MD5") "\n"
			   WWW RFC7616_CHAL("SHA-256") "\n"));
	TEST_ERR(digest_chal_pick(&c, msg, ""));
	TEST_EQUALS(DIGEST_MD5, c.alg);
	msg = mem_deref(msg);

	TEST_ERR(resp_make(&msg, "401 Unauthorized",
			   WWW "Basic realm=\"r\"\n"
			   WWW "Digest realm=\"r\", nonce=\"1\", "
			   "algorithm=MD5-sess, qop=\"auth\"\n"
			   WWW "Digest realm=\"r\", nonce=\"2\", "
			   "algorithm=SHA-512-256\n"
			   WWW "Digest realm=\"r\", nonce=\"3\", qop=auth-int\n"
			   WWW "Digest realm=\"r\"\n"
			   WWW "Digest realm=\"r\", nonce=\"5\", qop=auth\n"
			   WWW "Digest realm=\"r\", nonce=\"6\"\n"));
	TEST_ERR(digest_chal_pick(&c, msg, NULL));
	TEST_PLSTR(&c.nonce, "5");
	TEST_EQUALS(DIGEST_MD5, c.alg);

 out:
	mem_deref(msg);
	return err;
}


/* Three realms, and which nonce each realm_want finds, if any */
static const char realm3[] =
	WWW "Digest realm=\"a.example\", nonce=\"na\", algorithm=SHA-256\n"
	WWW "Digest realm=\"b.example\", nonce=\"nb\"\n"
	WWW "Digest realm=\"q\\\"r\", nonce=\"nq\"\n";

static const struct {
	const char *want;
	const char *nonce;    /* NULL: ENOENT */
} realm_want[] = {
	{"b.example", "nb"}, {NULL, "na"}, {"", "na"}, {"a.example", "na"},
	{"q\"r", "nq"},     /* compared unescaped */
	{"c.example", NULL}, {"A.EXAMPLE", NULL}, {"b.exampl", NULL},
	{"b.example ", NULL}, {"q\\\"r", NULL},
};


int test_digest_pick_realm(void)
{
	struct sip_msg *msg = NULL;
	struct digest_chal c;
	int err = 0;

	TEST_ERR(resp_make(&msg, "401 Unauthorized", realm3));

	for (size_t i = 0; i < ARRAY_SIZE(realm_want); i++) {
		int e = digest_chal_pick(&c, msg, realm_want[i].want);

		if (!realm_want[i].nonce) {
			TEST_EQUALS(ENOENT, e);
			continue;
		}

		TEST_ERR(e);
		TEST_PLSTR(&c.nonce, realm_want[i].nonce);
	}

 out:
	mem_deref(msg);
	return err;
}


/* A challenge of each kind, a UAS's and a proxy's */
#define WWW_W WWW "Digest realm=\"w\", nonce=\"nw\"\n"
#define PXA_P PXA "Digest realm=\"p\", nonce=\"np\", qop=\"auth\"\n"

static const char both_kinds[] = WWW_W PXA_P;


/* A 407 is answered in Proxy-Authorization; the wrong kind of field,
 * or none, is ENOENT; a response that is no challenge is EINVAL */
int test_digest_pick_kind(void)
{
	struct sip_msg *msg = NULL;
	struct digest_chal c;
	char *line = NULL;
	int err = 0;

	TEST_ERR(resp_make(&msg, "407 Proxy Authentication Required",
			   both_kinds));
	TEST_ERR(digest_chal_pick(&c, msg, NULL));
	TEST_ASSERT(c.proxy);
	TEST_PLSTR(&c.realm, "p");
	TEST_ERR(auth_line(&line, &c, &rfc7616_cred));
	TEST_ASSERT(!strncmp(line, "Proxy-Authorization: Digest ", 28));
	TEST_EQUALS(ENOENT, digest_chal_pick(&c, msg, "w"));
	msg = mem_deref(msg);

	/* coalesced by a forking proxy: the status code's kind */
	TEST_ERR(resp_make(&msg, "401 Unauthorized", both_kinds));
	TEST_ERR(digest_chal_pick(&c, msg, NULL));
	TEST_ASSERT(!c.proxy);
	TEST_PLSTR(&c.realm, "w");
	msg = mem_deref(msg);

	TEST_ERR(resp_make(&msg, "401 Unauthorized", PXA_P));
	TEST_EQUALS(ENOENT, digest_chal_pick(&c, msg, NULL));
	msg = mem_deref(msg);

	TEST_ERR(resp_make(&msg, "407 Proxy Authentication Required", ""));
	TEST_EQUALS(ENOENT, digest_chal_pick(&c, msg, NULL));
	msg = mem_deref(msg);

	TEST_ERR(resp_make(&msg, "500 Server Internal Error", both_kinds));
	TEST_EQUALS(EINVAL, digest_chal_pick(&c, msg, NULL));
	msg = mem_deref(msg);

	TEST_ERR(resp_make(&msg, "200 OK", WWW_W));
	TEST_EQUALS(EINVAL, digest_chal_pick(&c, msg, NULL));
	TEST_EQUALS(EINVAL, digest_chal_pick(NULL, msg, NULL));
	TEST_EQUALS(EINVAL, digest_chal_pick(&c, NULL, NULL));

 out:
	mem_deref(line);
	mem_deref(msg);
	return err;
}


/* A value refused, and the error */
#define BAD(val, err) {val, err, NULL, NULL, DIGEST_MD5, false, false}

/* The two parameters a challenge needs */
#define RN "Digest realm=\"a\", nonce=\"n\""

/* Each value and what it decodes to: an error, or these fields */
static const struct {
	const char *val;
	int err;
	const char *realm;
	const char *nonce;
	enum digest_alg alg;
	bool qop_auth;
	bool stale;
} dec[] = {
	/* malformed, or realm or nonce missing */
	BAD("", EBADMSG),
	BAD("  \r\n ", EBADMSG),
	BAD("Digest", EBADMSG),
	BAD("Digest   ", EBADMSG),
	BAD("Digest,realm=\"a\",nonce=\"n\"", EBADMSG),
	BAD("Digest realm=\"a\"", EBADMSG),
	BAD("Digest nonce=\"n\"", EBADMSG),
	BAD("Digest realm=\"a\", nonce=\"\"", EBADMSG),
	BAD("Digest realm=\"a, nonce=\"n\"", EBADMSG),
	BAD("Digest realm=\"a\", nonce=\"n", EBADMSG),
	BAD("Digest realm=\"a\", nonce=\"n\\", EBADMSG),
	BAD("Digest realm=\"a\", nonce=\"n\\\"", EBADMSG),
	BAD("Digest realm=\"a\" nonce=\"n\"", EBADMSG),
	BAD("Digest realm=, nonce=\"n\"", EBADMSG),
	BAD("Digest realm \"a\", nonce=\"n\"", EBADMSG),
	BAD("Digest =\"a\", nonce=\"n\"", EBADMSG),
	BAD("Digest realm=\"a\", nonce=n=, qop=auth", EBADMSG),
	BAD(RN ", nonce=\"m\"", EBADMSG),
	BAD("Digest realm=\"a\", REALM=\"b\", nonce=\"n\"", EBADMSG),
	BAD("Digest realm=\"a\r\nX: y\", nonce=\"n\"", EBADMSG),
	BAD("Digest realm=\"a\", nonce=\"n\x7f\"", EBADMSG),
	BAD(RN ", algorithm=MD5-sess, x", EBADMSG),
	BAD(RN ", Digest realm=\"b\"", EBADMSG),

	/* nothing this UAC can answer */
	BAD("Basic realm=\"a\"", ENOTSUP),
	BAD("Bearer abc", ENOTSUP),
	BAD("Digestive realm=\"a\", nonce=\"n\"", ENOTSUP),
	BAD(RN ", algorithm=MD5-sess", ENOTSUP),
	BAD(RN ", algorithm=SHA-256-sess", ENOTSUP),
	BAD(RN ", algorithm=SHA-512-256", ENOTSUP),
	BAD(RN ", algorithm=\"SHA1\"", ENOTSUP),
	BAD(RN ", qop=\"auth-int\"", ENOTSUP),
	BAD(RN ", qop=\"auth-conf, x\"", ENOTSUP),
	BAD(RN ", qop=\"\"", ENOTSUP),

	/* unusual but good: case, LWS, tokens, empty list elements,
	 * unknown parameters, stale, qop lists, escapes, 8-bit text */
	{"dIgEsT  REALM = \"a\" ,NONCE=n , ALGORITHM = \"sha-256\", "
	 "qop=auth, stale=TRUE", 0, "a", "n", DIGEST_SHA256, true, true},
	{"Digest ,realm=a,,\t nonce=\"n\" ,, ", 0, "a", "n", DIGEST_MD5,
	 false, false},
	{"Digest realm=\"\", nonce=\"n\", stale=false", 0, "", "n",
	 DIGEST_MD5, false, false},
	{"Digest realm=\"a\", nonce=\"n\", qop=\"auth-int,AUTH\"", 0, "a",
	 "n", DIGEST_MD5, true, false},
	{"Digest realm=\"a\", nonce=\"n\", qop=\" auth-int , auth \"", 0,
	 "a", "n", DIGEST_MD5, true, false},
	{"Digest domain=\"sip:a.example, sip:b.example\", realm=\"a\", "
	 "x-unknown=\"\\\"quoted, with commas\\\"\", nonce=\"n\", "
	 "charset=UTF-8, userhash=true", 0, "a", "n", DIGEST_MD5, false,
	 false},
	{"Digest realm=\"a\\\\b\", nonce=\"\\n\", algorithm=md5", 0,
	 "a\\\\b", "\\n", DIGEST_MD5, false, false},
	{"\t Digest\r\n realm=\"a\"\r\n\t,\r\n nonce=\"n\"\r\n", 0, "a", "n",
	 DIGEST_MD5, false, false},
	{"Digest realm=\"tab\there\", nonce=\"\xc3\xa9\"", 0, "tab\there",
	 "\xc3\xa9", DIGEST_MD5, false, false},
};


int test_digest_decode(void)
{
	struct digest_chal c;
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(dec); i++) {
		int e = chal_str(&c, dec[i].val);

		if (e != dec[i].err)
			TEST_FAIL("\"%s\": %m\n", dec[i].val, e);
		TEST_EQUALS(dec[i].err, e);

		if (e) {
			/* nothing half-decoded is left behind */
			TEST_ASSERT(!c.realm.p && !c.nonce.p);
			continue;
		}

		TEST_PLSTR(&c.realm, dec[i].realm);
		TEST_PLSTR(&c.nonce, dec[i].nonce);
		TEST_EQUALS(dec[i].alg, c.alg);
		TEST_EQUALS(dec[i].qop_auth, c.qop_auth);
		TEST_EQUALS(dec[i].stale, c.stale);
		TEST_ASSERT(!c.opaque.p && !c.proxy);
	}

 out:
	return err;
}


#define NUL_CASE(s) {s, sizeof(s) - 1}

/* NULs where text should be, a 64 KB unterminated quote, no value */
int test_digest_bytes(void)
{
	static const struct pl nuls[] = {
		NUL_CASE("Digest realm=\"a\0b\", nonce=\"n\""),
		NUL_CASE("Digest realm=\"a\",\0nonce=\"n\""),
		NUL_CASE("Digest\0realm=\"a\", nonce=\"n\""),
		NUL_CASE("Digest realm=\"a\", nonce=\"n\"\0"),
	};
	struct digest_chal c;
	struct mbuf *mb = mbuf_alloc(70000);
	struct pl pl;
	int err = 0;

	TEST_ASSERT(mb != NULL);
	for (size_t i = 0; i < ARRAY_SIZE(nuls); i++)
		TEST_EQUALS(EBADMSG, digest_chal_decode(&c, &nuls[i]));

	TEST_ERR(mbuf_printf(mb, "Digest nonce=\"n\", realm=\""));
	for (size_t i = 0; i < 65536; i++)
		TEST_ERR(mbuf_write_u8(mb, 'r'));
	pl.p = (const char *)mb->buf;
	pl.l = mb->end;
	TEST_EQUALS(EBADMSG, digest_chal_decode(&c, &pl));

	TEST_EQUALS(EINVAL, digest_chal_decode(NULL, &pl));
	TEST_EQUALS(EINVAL, digest_chal_decode(&c, NULL));
	TEST_EQUALS(EBADMSG, digest_chal_decode(&c, &pl_null));

 out:
	mem_deref(mb);
	return err;
}


/* A 16 KB nonce and a long unknown parameter decode, answer and print */
int test_digest_long(void)
{
	const struct digest_cred cr = {"u", "p", "INVITE", "sip:a@b", "c", 7};
	struct digest_chal c;
	struct mbuf *mb = mbuf_alloc(40000);
	char *line = NULL;
	struct pl pl;
	int err = 0;

	TEST_ASSERT(mb != NULL);
	TEST_ERR(mbuf_printf(mb, "Digest realm=\"a\", x-"));
	for (size_t i = 0; i < 8192; i++)
		TEST_ERR(mbuf_write_u8(mb, 'x'));
	TEST_ERR(mbuf_printf(mb, "=y, qop=auth, nonce=\""));
	for (size_t i = 0; i < 16384; i++)
		TEST_ERR(mbuf_write_u8(mb, 'n'));
	TEST_ERR(mbuf_printf(mb, "\""));

	pl.p = (const char *)mb->buf;
	pl.l = mb->end;
	TEST_ERR(digest_chal_decode(&c, &pl));
	TEST_EQUALS(16384, c.nonce.l);

	TEST_ERR(auth_line(&line, &c, &cr));
	TEST_ASSERT(strlen(line) > 16384);
	TEST_CONTAINS(line, "nnnnn\", uri=\"sip:a@b\"");
	TEST_CONTAINS(line, "nc=00000007");

 out:
	mem_deref(line);
	mem_deref(mb);
	return err;
}


/* What digest_response() and digest_auth_print() refuse */
int test_digest_refuse(void)
{
	struct digest_cred cr = rfc7616_cred;
	struct digest_chal c;
	char resp[DIGEST_RESP_SZ], *line = NULL;
	int err = 0;

	TEST_ERR(chal_str(&c, RFC7616_CHAL("SHA-256")));

	TEST_EQUALS(EOVERFLOW, digest_response(resp, 64, &c, &cr));
	TEST_EQUALS(EINVAL, digest_response(NULL, 65, &c, &cr));
	TEST_EQUALS(EINVAL, digest_response(resp, 65, NULL, &cr));
	TEST_EQUALS(EINVAL, digest_response(resp, 65, &c, NULL));

	cr.nc = 0;
	TEST_EQUALS(EINVAL, digest_response(resp, sizeof(resp), &c, &cr));
	cr.nc = 1;
	cr.cnonce = "";
	TEST_EQUALS(EINVAL, digest_response(resp, sizeof(resp), &c, &cr));
	cr.cnonce = "x\r\ny";
	TEST_EQUALS(EINVAL, auth_line(&line, &c, &cr));
	cr.cnonce = rfc7616_cred.cnonce;
	cr.pass = NULL;
	TEST_EQUALS(EINVAL, digest_response(resp, sizeof(resp), &c, &cr));
	cr.pass = rfc7616_cred.pass;

	/* no CR, LF or NUL into the header through the username or uri */
	cr.user = "Mufasa\r\nVia: x";
	TEST_EQUALS(EINVAL, auth_line(&line, &c, &cr));
	cr.user = rfc7616_cred.user;
	cr.uri = "sip:a@b\n";
	TEST_EQUALS(EINVAL, auth_line(&line, &c, &cr));
	cr.uri = NULL;
	TEST_EQUALS(EINVAL, auth_line(&line, &c, &cr));
	cr.uri = rfc7616_cred.uri;

	/* nor through a challenge made by hand */
	pl_set_str(&c.realm, "a\"b");
	TEST_EQUALS(EINVAL, auth_line(&line, &c, &cr));
	pl_set_str(&c.realm, "a\\");
	TEST_EQUALS(EINVAL, auth_line(&line, &c, &cr));
	pl_set_str(&c.realm, "r");
	pl_set_str(&c.opaque, "o\r\n");
	TEST_EQUALS(EINVAL, auth_line(&line, &c, &cr));

 out:
	mem_deref(line);
	return err;
}


int test_digest_print(void)
{
	struct digest_cred cr = rfc7616_cred;
	struct digest_chal c;
	char cn1[DIGEST_CNONCE_SZ], cn2[DIGEST_CNONCE_SZ], *line = NULL;
	int err = 0;

	/* opaque="" is present, so it goes back */
	TEST_ERR(chal_str(&c, "Digest realm=\"r\", nonce=\"n\", opaque=\"\", "
			  "qop=auth"));
	cr.nc = 0xabcdef12;
	TEST_ERR(auth_line(&line, &c, &cr));
	TEST_CONTAINS(line, ", opaque=\"\"");
	TEST_CONTAINS(line, "nc=abcdef12, ");
	line = mem_deref(line);

	/* the user's escapes, the uri's too */
	cr.user = "\\\"";
	cr.uri = "sip:\"@x";
	TEST_ERR(auth_line(&line, &c, &cr));
	TEST_CONTAINS(line, "username=\"\\\\\\\"\", ");
	TEST_CONTAINS(line, "uri=\"sip:\\\"@x\", ");

	digest_cnonce(cn1, sizeof(cn1));
	digest_cnonce(cn2, sizeof(cn2));
	TEST_EQUALS(16, strlen(cn1));
	TEST_EQUALS(16, strspn(cn1, "0123456789abcdef"));
	TEST_ASSERT(strcmp(cn1, cn2));

 out:
	mem_deref(line);
	return err;
}
