/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sdprw.c  Tests: SDP parser and rewriter
 *
 * Golden files in tests/data/sdp: NAME.in is the SDP received,
 * NAME.flags the rewriting options, NAME.out the SDP expected, byte
 * for byte. Flags, space-separated on one line:
 *   replace-origin, replace-session-connection, ICE=remove,
 *   rtcp-mux-offer, rtcp-mux-demux, addr=ADDRESS (192.0.2.1),
 *   o-version=N.
 * Every m= line that is not disabled gets ADDRESS and RTP ports 30000,
 * 30002, ... in order, RTCP on the next port, or on the same port if
 * the media ends up muxed; disabled ones are kept as they are.
 */
#include <stdio.h>
#include <string.h>
#include <re.h>
#include "sdprw.h"
#include "test.h"



#define HEAD "v=0\r\no=- 1 1 IN IP4 192.0.2.9\r\ns=-\r\n"
#define CONN "c=IN IP4 192.0.2.9\r\n"
#define TIME "t=0 0\r\n"
#define AUDIO "m=audio 4000 RTP/AVP 0\r\n"

/* The rewriting a .flags file asks for */
struct gflags {
	struct sdprw_opts opts;
	struct sa addr;
	enum sdprw_mux mux;
	char proto[32];            /* proto=X: every m= line's transport */
	bool crypto_set;           /* crypto-drop, crypto-own           */
	size_t cryptoc;            /* crypto-own: the relay's keys below */
};

/* the keys a golden file's crypto-own flag writes */
static const char *golden_keys[] = {
	"1 AES_CM_128_HMAC_SHA1_80 "
	"inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz",
	"2 AES_256_CM_HMAC_SHA1_32 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYX"
	"GBkaGxwdHh8gISIjJCUmJygpKissLQ",
};


static int parse_str(struct sdprw_sdp **sdpp, const char *str)
{
	struct pl pl;

	pl_set_str(&pl, str);

	return sdprw_parse(sdpp, &pl);
}


static bool sa_equals(const struct sa *sa, const char *addr, uint16_t port)
{
	struct sa want;

	if (sa_set_str(&want, addr, port))
		return false;

	return sa_cmp(sa, &want, SA_ALL);
}


static bool pl_equals(const struct pl *pl, const char *str)
{
	return 0 == pl_strcmp(pl, str);
}


/* A text with session c=, three m= lines, the session's direction */
static int parse_full(void)
{
	static const char sdp_text[] =
		"v=0\r\n"
		"o=alice 2890844526 2890844527 IN IP4 host.example.com\r\n"
		"s=-\r\n"
		"c=IN IP4 198.51.100.1\r\n"
		"t=0 0\r\n"
		"a=sendonly\r\n"
		"m=audio 49170 RTP/AVP 0 8 101\r\n"
		"a=rtpmap:101 telephone-event/8000\r\n"
		"a=rtcp:49171\r\n"
		"m=video 0 RTP/AVP 31\r\n"
		"m=video 51372/2 RTP/SAVP 99\r\n"
		"c=IN IP6 2001:db8::2\r\n"
		"a=rtcp:53020 IN IP4 198.51.100.7\r\n"
		"a=rtcp-mux\r\n"
		"a=recvonly\r\n"
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
		"inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^20|1:32\r\n"
		"a=ice-ufrag:abcd\r\n";
	struct sdprw_sdp *sdp = NULL;
	const struct sdprw_stream *st;
	int err;

	err = parse_str(&sdp, sdp_text);
	TEST_ERR(err);

	TEST_ASSERT(pl_equals(&sdp->origin.user, "alice"));
	TEST_ASSERT(pl_equals(&sdp->origin.sess_id, "2890844526"));
	TEST_ASSERT(pl_equals(&sdp->origin.version, "2890844527"));
	TEST_ASSERT(pl_equals(&sdp->origin.nettype, "IN"));
	TEST_ASSERT(pl_equals(&sdp->origin.addrtype, "IP4"));
	TEST_ASSERT(pl_equals(&sdp->origin.addr, "host.example.com"));
	TEST_ASSERT(pl_equals(&sdp->name, "-"));
	TEST_ASSERT(sdp->has_conn);
	TEST_ASSERT(sa_equals(&sdp->conn, "198.51.100.1", 0));
	TEST_EQUALS(SDPRW_SENDONLY, sdp->dir);
	TEST_ASSERT(!sdp->has_ice);
	TEST_EQUALS(3, sdp->mediac);

	st = &sdp->media[0];
	TEST_ASSERT(pl_equals(&st->type, "audio"));
	TEST_EQUALS(49170, st->port);
	TEST_EQUALS(0, st->nports);
	TEST_ASSERT(pl_equals(&st->proto, "RTP/AVP"));
	TEST_ASSERT(pl_equals(&st->fmts, "0 8 101"));
	TEST_ASSERT(sa_equals(&st->addr, "198.51.100.1", 49170));
	TEST_ASSERT(!st->has_conn);
	TEST_ASSERT(st->has_rtcp);
	TEST_ASSERT(!st->rtcp_addr);
	TEST_EQUALS(49171, st->rtcp_port);
	TEST_ASSERT(sa_equals(&st->rtcp, "198.51.100.1", 49171));
	TEST_ASSERT(!st->rtcp_mux);
	TEST_EQUALS(SDPRW_SENDONLY, st->dir);
	TEST_ASSERT(!st->has_crypto);
	TEST_ASSERT(!st->has_ice);
	TEST_ASSERT(!st->disabled);
	TEST_EQUALS(8000, st->clock_rate);   /* PCMU, static */
	TEST_EQUALS(90000, sdp->media[1].clock_rate);
	TEST_EQUALS(0, sdp->media[2].clock_rate);

	st = &sdp->media[1];
	TEST_ASSERT(pl_equals(&st->type, "video"));
	TEST_ASSERT(st->disabled);
	TEST_EQUALS(0, st->port);
	TEST_ASSERT(!st->has_rtcp);
	TEST_ASSERT(sa_equals(&st->addr, "198.51.100.1", 0));

	st = &sdp->media[2];
	TEST_EQUALS(51372, st->port);
	TEST_EQUALS(2, st->nports);
	TEST_ASSERT(pl_equals(&st->proto, "RTP/SAVP"));
	TEST_ASSERT(st->has_conn);
	TEST_ASSERT(sa_equals(&st->addr, "2001:db8::2", 51372));
	TEST_ASSERT(st->rtcp_addr);
	TEST_ASSERT(sa_equals(&st->rtcp, "198.51.100.7", 53020));
	TEST_ASSERT(st->rtcp_mux);
	TEST_EQUALS(SDPRW_RECVONLY, st->dir);
	TEST_ASSERT(st->has_crypto);
	TEST_EQUALS(1, st->cryptoc);
	TEST_ASSERT(st->has_ice);
	TEST_ASSERT(!st->disabled);

 out:
	mem_deref(sdp);
	return err;
}


/*
 * LF only, no session c=, session ICE, a disabled media with no
 * address at all, and a last line without its line end
 */
static int parse_lf(void)
{
	static const char sdp_text[] =
		"v=0\n"
		"o=- 1 1 IN IP6 ::1\n"
		"s=x\n"
		"t=0 0\n"
		"a=ice-lite\n"
		"m=audio 5004 RTP/AVP 0\n"
		"c=IN IP4 203.0.113.9\n"
		"a=inactive\n"
		"m=audio 0 RTP/AVP 0";
	struct sdprw_sdp *sdp = NULL;
	const struct sdprw_stream *st;
	int err;

	err = parse_str(&sdp, sdp_text);
	TEST_ERR(err);

	TEST_ASSERT(!sdp->has_conn);
	TEST_ASSERT(sdp->has_ice);
	TEST_EQUALS(SDPRW_SENDRECV, sdp->dir);
	TEST_ASSERT(pl_equals(&sdp->origin.addr, "::1"));
	TEST_EQUALS(2, sdp->mediac);

	st = &sdp->media[0];
	TEST_ASSERT(sa_equals(&st->addr, "203.0.113.9", 5004));
	TEST_EQUALS(SDPRW_INACTIVE, st->dir);
	TEST_ASSERT(st->has_ice);

	st = &sdp->media[1];
	TEST_ASSERT(st->disabled);
	TEST_EQUALS(0, sa_af(&st->addr));
	TEST_EQUALS(SDPRW_SENDRECV, st->dir);
	TEST_ASSERT(pl_equals(&st->fmts, "0"));

 out:
	mem_deref(sdp);
	return err;
}


/* The parsed SDP owns its copy of the text */
static int parse_copy(void)
{
	struct sdprw_sdp *sdp = NULL;
	char text[] = HEAD CONN TIME "m=audio 4000 RTP/AVP 0\r\na=ptime:2";
	int err;

	err = parse_str(&sdp, text);
	TEST_ERR(err);

	memset(text, 'x', sizeof(text) - 1);
	TEST_ASSERT(pl_equals(&sdp->media[0].type, "audio"));
	TEST_ASSERT(pl_equals(&sdp->origin.addr, "192.0.2.9"));

	TEST_STRCMP("sendrecv", sdprw_dir_name(SDPRW_SENDRECV));
	TEST_STRCMP("inactive", sdprw_dir_name(SDPRW_INACTIVE));

 out:
	mem_deref(sdp);
	return err;
}


/* The clock of the first format: its rtpmap, not another format's */
static int parse_clock(void)
{
	static const char sdp_text[] =
		"v=0\r\n"
		"o=- 1 1 IN IP4 198.51.100.1\r\n"
		"s=-\r\n"
		"c=IN IP4 198.51.100.1\r\n"
		"t=0 0\r\n"
		"m=audio 49170 RTP/AVP 96 101\r\n"
		"a=rtpmap:101 telephone-event/8000\r\n"
		"a=rtpmap:96 opus/48000/2\r\n"
		"m=audio 49172 RTP/AVP 9\r\n"
		"m=audio 49174 RTP/AVP 97\r\n"
		"a=rtpmap:97 AMR-WB/16000\r\n"
		"m=image 49176 udptl t38\r\n";
	struct sdprw_sdp *sdp = NULL;
	int err;

	err = parse_str(&sdp, sdp_text);
	TEST_ERR(err);
	TEST_EQUALS(48000, sdp->media[0].clock_rate);
	TEST_EQUALS(8000, sdp->media[1].clock_rate);   /* G.722: RFC 3551 */
	TEST_EQUALS(16000, sdp->media[2].clock_rate);
	TEST_EQUALS(0, sdp->media[3].clock_rate);     /* not RTP */

 out:
	mem_deref(sdp);
	return err;
}


int test_sdprw_parse(void)
{
	int err;

	err = parse_clock();
	if (!err)
		err = parse_full();
	if (!err)
		err = parse_lf();
	if (!err)
		err = parse_copy();

	return err;
}


/* "name=value": the value, if w starts with name= */
static bool flag_value(const struct pl *w, const char *name, struct pl *v)
{
	size_t n = strlen(name);

	if (w->l <= n || memcmp(w->p, name, n))
		return false;

	v->p = w->p + n;
	v->l = w->l - n;

	return true;
}


static int flag_decode(struct gflags *gf, const struct pl *w)
{
	struct sdprw_opts *opts = &gf->opts;
	struct pl v;

	if (!pl_strcmp(w, "replace-origin"))
		opts->replace_origin = true;
	else if (!pl_strcmp(w, "replace-session-connection"))
		opts->replace_session_conn = true;
	else if (!pl_strcmp(w, "ICE=remove"))
		opts->ice_remove = true;
	else if (!pl_strcmp(w, "SSRC=remove"))
		opts->ssrc_remove = true;
	else if (!pl_strcmp(w, "rtcp-mux-offer"))
		gf->mux = SDPRW_MUX_ADD;
	else if (!pl_strcmp(w, "rtcp-mux-demux"))
		gf->mux = SDPRW_MUX_REMOVE;
	else if (flag_value(w, "addr=", &v))
		return sa_set(&gf->addr, &v, 0);
	else if (flag_value(w, "o-version=", &v))
		opts->o_version = pl_u64(&v);
	else if (flag_value(w, "proto=", &v))
		return pl_strcpy(&v, gf->proto, sizeof(gf->proto));
	else if (!pl_strcmp(w, "crypto-drop"))
		gf->crypto_set = true;
	else if (!pl_strcmp(w, "crypto-own")) {
		gf->crypto_set = true;
		gf->cryptoc = ARRAY_SIZE(golden_keys);
	}
	else
		return EINVAL;

	return 0;
}


static int flags_decode(struct gflags *gf, const struct mbuf *mb)
{
	struct pl rest, w;
	int err;

	memset(gf, 0, sizeof(*gf));
	err = sa_set_str(&gf->addr, "192.0.2.1", 0);
	pl_set_mbuf(&rest, mb);

	while (!err && !re_regex(rest.p, rest.l, "[^ \t\r\n]+", &w)) {
		err = flag_decode(gf, &w);
		if (err)
			TEST_FAIL("bad flag \"%r\"\n", &w);
		pl_advance(&rest, w.p + w.l - rest.p);
	}

	gf->opts.origin = gf->addr;

	return err;
}


/* The golden rule: ports 30000, 30002, ... to media not disabled */
static void golden_media(struct sdprw_media *m, const struct sdprw_sdp *sdp,
			 const struct gflags *gf)
{
	uint16_t port = 30000;

	for (size_t i = 0; i < sdp->mediac; i++) {
		const struct sdprw_stream *st = &sdp->media[i];
		bool muxed;

		memset(&m[i], 0, sizeof(m[i]));
		m[i].keep = st->disabled;
		if (m[i].keep)
			continue;

		muxed = gf->mux == SDPRW_MUX_ADD ||
			(gf->mux == SDPRW_MUX_KEEP && st->rtcp_mux);
		m[i].addr = gf->addr;
		sa_set_port(&m[i].addr, port);
		m[i].rtcp_port = muxed ? port : port + 1;
		m[i].mux = gf->mux;
		m[i].proto = gf->proto[0] ? gf->proto : NULL;
		m[i].crypto_set = gf->crypto_set;
		m[i].cryptoc = gf->cryptoc;
		for (size_t k = 0; k < gf->cryptoc; k++)
			m[i].crypto[k] = golden_keys[k];
		port += 2;
	}
}


/* Print a line with its line end made visible */
static int line_print(struct re_printf *pf, void *arg)
{
	const struct pl *pl = arg;
	int err = 0;

	for (size_t i = 0; i < pl->l && !err; i++) {
		char c = pl->p[i];

		if (c == '\r')
			err = re_hprintf(pf, "\\r");
		else if (c == '\n')
			err = re_hprintf(pf, "\\n");
		else
			err = re_hprintf(pf, "%c", c);
	}

	return err;
}


/* The next line of text, line end included */
static struct pl line_take(struct pl *rest)
{
	const char *nl = memchr(rest->p, '\n', rest->l);
	struct pl ln = *rest;

	if (nl)
		ln.l = (size_t)(nl - rest->p) + 1;
	pl_advance(rest, (ssize_t)ln.l);

	return ln;
}


/* Name the first line that differs */
static void golden_diff(const char *name, const struct pl *exp,
			const struct pl *act)
{
	struct pl e = *exp, a = *act;
	unsigned line = 1;

	while (e.l || a.l) {
		struct pl el = line_take(&e), al = line_take(&a);

		if (el.l != al.l || memcmp(el.p, al.p, el.l)) {
			TEST_FAIL("%s.out: line %u differs\n"
				  "    expected: \"%H\"\n"
				  "    actual:   \"%H\"\n", name, line,
				  line_print, &el, line_print, &al);
			return;
		}
		++line;
	}
}


/* The output says what was asked for */
static int golden_check(const struct pl *out, const struct sdprw_sdp *in,
			const struct sdprw_media *m)
{
	struct sdprw_sdp *sdp = NULL;
	int err;

	err = sdprw_parse(&sdp, out);
	TEST_ERR(err);
	TEST_EQUALS(in->mediac, sdp->mediac);

	for (size_t i = 0; i < sdp->mediac; i++) {
		const struct sdprw_stream *st = &sdp->media[i];

		if (m[i].keep) {
			TEST_EQUALS(in->media[i].port, st->port);
			continue;
		}

		TEST_ASSERT(sa_cmp(&st->addr, &m[i].addr, SA_ALL));
		TEST_EQUALS(in->media[i].dir, st->dir);
		TEST_EQUALS(m[i].crypto_set ? m[i].cryptoc > 0 :
			    in->media[i].has_crypto, st->has_crypto);
		for (size_t k = 0; m[i].crypto_set && k < m[i].cryptoc; k++)
			TEST_ASSERT(pl_equals(&st->crypto[k], m[i].crypto[k]));
		if (m[i].proto)
			TEST_ASSERT(pl_equals(&st->proto, m[i].proto));
		if (st->has_rtcp)
			TEST_EQUALS(m[i].rtcp_port, st->rtcp_port);
	}

 out:
	mem_deref(sdp);
	return err;
}


static int golden_one(const char *name)
{
	struct mbuf *in = NULL, *flags = NULL, *exp = NULL, *mb = NULL;
	struct sdprw_media m[SDPRW_MEDIA_MAX];
	struct sdprw_sdp *sdp = NULL;
	struct pl intext, exptext, out;
	struct gflags gf;
	int err;

	err  = test_file_load(&in, "sdp", name, ".in");
	err |= test_file_load(&flags, "sdp", name, ".flags");
	err |= test_file_load(&exp, "sdp", name, ".out");
	TEST_ERR(err);

	err = flags_decode(&gf, flags);
	TEST_ERR(err);

	pl_set_mbuf(&intext, in);
	pl_set_mbuf(&exptext, exp);

	err = sdprw_parse(&sdp, &intext);
	TEST_ERR(err);

	golden_media(m, sdp, &gf);

	mb = mbuf_alloc(512);
	TEST_ASSERT(mb != NULL);
	err = sdprw_rewrite(mb, &intext, m, sdp->mediac, &gf.opts);
	TEST_ERR(err);

	out.p = (const char *)mb->buf;
	out.l = mb->end;
	if (out.l != exptext.l || memcmp(out.p, exptext.p, out.l)) {
		golden_diff(name, &exptext, &out);
		err = EBADMSG;
		goto out;
	}

	err = golden_check(&out, sdp, m);

 out:
	if (err)
		TEST_FAIL("golden case \"%s\" failed\n", name);
	mem_deref(sdp);
	mem_deref(mb);
	mem_deref(exp);
	mem_deref(flags);
	mem_deref(in);
	return err;
}


/*
 * A kept media that used the session c= keeps its address when the
 * session c= is replaced; an enabled media that is not kept and has
 * no c= gets one when its address is not the session's.
 */
static int golden_kept(void)
{
	static const char in[] =
		HEAD CONN TIME
		"m=audio 4000 RTP/AVP 0\r\n"
		"a=rtcp-mux\r\n"
		"m=application 5000 TCP/BFCP *\r\n"
		"a=setup:passive\r\n"
		"m=video 6000 RTP/AVP 96\r\n";
	static const char want[] =
		HEAD "c=IN IP4 192.0.2.1\r\n" TIME
		"m=audio 30000 RTP/AVP 0\r\n"
		"a=rtcp-mux\r\n"
		"m=application 5000 TCP/BFCP *\r\n"
		"c=IN IP4 192.0.2.9\r\n"
		"a=setup:passive\r\n"
		"m=video 30002 RTP/AVP 96\r\n"
		"c=IN IP6 2001:db8::1\r\n";
	struct sdprw_media m[3];
	struct mbuf *mb = NULL;
	struct pl text;
	int err;

	memset(m, 0, sizeof(m));
	err  = sa_set_str(&m[0].addr, "192.0.2.1", 30000);
	err |= sa_set_str(&m[2].addr, "2001:db8::1", 30002);
	TEST_ERR(err);
	m[1].keep = true;

	mb = mbuf_alloc(512);
	TEST_ASSERT(mb != NULL);

	pl_set_str(&text, in);
	err = sdprw_rewrite(mb, &text, m, ARRAY_SIZE(m), NULL);
	TEST_ERR(err);

	TEST_EQUALS(strlen(want), mb->end);
	TEST_ASSERT(0 == memcmp(want, mb->buf, mb->end));

	/* the wrong number of media, or no address: refused, nothing out */
	mbuf_rewind(mb);
	TEST_EQUALS(EINVAL, sdprw_rewrite(mb, &text, m, 2, NULL));
	sa_init(&m[2].addr, AF_UNSPEC);
	TEST_EQUALS(EINVAL, sdprw_rewrite(mb, &text, m, 3, NULL));
	TEST_EQUALS(0, mb->end);

 out:
	mem_deref(mb);
	return err;
}


int test_sdprw_golden(void)
{
	static const char *names[] = {
		"audio-session-c",
		"media-c",
		"disabled-video",
		"srtp-crypto",
		"ice-remove",
		"ice-keep",
		"rtcp-mux-offer",
		"rtcp-mux-demux",
		"ipv6",
		"exchange-um",
		"lf-only",
		"insert-c",
		"origin-version",
		"no-final-eol",
		"ssrc-remove",
		"t38-reinvite",
		"srtp-to-rtp",
		"rtp-to-srtp",
		"srtp-own-key",
	};
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		err |= golden_one(names[i]);

	if (!err)
		err = golden_kept();

	return err;
}


/* A text of exactly len bytes: 'media' m= lines, then padding */
static int big_sdp(struct mbuf **mbp, unsigned media, size_t len)
{
	static const char pad[] = "a=x-pad:";
	struct mbuf *mb = mbuf_alloc(len);
	int err;

	if (!mb)
		return ENOMEM;

	err = mbuf_write_str(mb, HEAD CONN TIME);
	for (unsigned i = 0; i < media && !err; i++)
		err = mbuf_write_str(mb, AUDIO);

	if (!err && mb->end + sizeof(pad) + 1 > len)
		err = EINVAL;

	if (!err) {
		size_t fill = len - mb->end - (sizeof(pad) - 1) - 2;

		err  = mbuf_write_str(mb, pad);
		err |= mbuf_fill(mb, 'z', fill);
		err |= mbuf_write_str(mb, "\r\n");
	}

	mb->pos = 0;

	if (err)
		mem_deref(mb);
	else
		*mbp = mb;

	return err;
}


static int big_parse(unsigned media, size_t len)
{
	struct sdprw_sdp *sdp = NULL;
	struct mbuf *mb = NULL;
	struct pl pl;
	int err;

	err = big_sdp(&mb, media, len);
	if (err)
		return -err;

	pl_set_mbuf(&pl, mb);
	err = sdprw_parse(&sdp, &pl);

	mem_deref(sdp);
	mem_deref(mb);

	return err;
}


int test_sdprw_bad(void)
{
	static const struct {
		const char *what;
		const char *text;
		int err;
	} bad[] = {
		{"empty", "", EBADMSG},
		{"missing v=", "o=- 1 1 IN IP4 192.0.2.9\r\ns=-\r\n" CONN TIME
		 AUDIO, EBADMSG},
		{"v=1", "v=1\r\no=- 1 1 IN IP4 192.0.2.9\r\ns=-\r\n" CONN
		 TIME AUDIO, EBADMSG},
		{"second v=", HEAD "v=0\r\n" CONN TIME AUDIO, EBADMSG},
		{"missing o=", "v=0\r\ns=-\r\n" CONN TIME AUDIO, EBADMSG},
		{"missing s=", "v=0\r\no=- 1 1 IN IP4 192.0.2.9\r\n" CONN
		 TIME AUDIO, EBADMSG},
		{"o= short", "v=0\r\no=- 1 1 IN IP4\r\ns=-\r\n" CONN TIME
		 AUDIO, EBADMSG},
		{"s= in media", HEAD CONN TIME AUDIO "s=x\r\n", EBADMSG},
		{"garbage line", HEAD CONN TIME "this is not sdp\r\n" AUDIO,
		 EBADMSG},
		{"upper-case type", HEAD CONN TIME AUDIO "A=rtcp-mux\r\n",
		 EBADMSG},
		{"empty line", HEAD CONN TIME "\r\n" AUDIO, EBADMSG},
		{"bare CR", HEAD CONN TIME AUDIO "a=x\ry\r\n", EBADMSG},
		{"m= bad port", HEAD CONN TIME "m=audio 4x00 RTP/AVP 0\r\n",
		 EBADMSG},
		{"m= port too big", HEAD CONN TIME
		 "m=audio 65536 RTP/AVP 0\r\n", EBADMSG},
		{"m= port/0", HEAD CONN TIME "m=audio 4000/0 RTP/AVP 0\r\n",
		 EBADMSG},
		{"m= no format", HEAD CONN TIME "m=audio 4000 RTP/AVP\r\n",
		 EBADMSG},
		{"m= double space", HEAD CONN TIME
		 "m=audio  4000 RTP/AVP 0\r\n", EBADMSG},
		{"c= bad address", HEAD "c=IN IP4 192.0.2.300\r\n" TIME AUDIO,
		 EBADMSG},
		{"c= IP4 with IPv6", HEAD "c=IN IP4 2001:db8::1\r\n" TIME
		 AUDIO, EBADMSG},
		{"c= IP6 with IPv4", HEAD "c=IN IP6 192.0.2.1\r\n" TIME AUDIO,
		 EBADMSG},
		{"c= host name", HEAD "c=IN IP4 gw.example.com\r\n" TIME AUDIO,
		 EBADMSG},
		{"c= multicast ttl", HEAD "c=IN IP4 233.252.0.1/127\r\n" TIME
		 AUDIO, EBADMSG},
		{"c= nettype", HEAD "c=ATM NSAP 47.0005\r\n" TIME AUDIO,
		 EBADMSG},
		{"c= trailing space", HEAD "c=IN IP4 192.0.2.9 \r\n" TIME
		 AUDIO, EBADMSG},
		{"two session c=", HEAD CONN CONN TIME AUDIO, EBADMSG},
		{"two media c=", HEAD TIME AUDIO CONN CONN, EBADMSG},
		{"no connection address", HEAD TIME AUDIO "a=rtcp-mux\r\n",
		 EBADMSG},
		{"a=rtcp no port", HEAD CONN TIME AUDIO "a=rtcp\r\n", EBADMSG},
		{"a=rtcp bad port", HEAD CONN TIME AUDIO "a=rtcp:x\r\n",
		 EBADMSG},
		{"a=rtcp bad address", HEAD CONN TIME AUDIO
		 "a=rtcp:4001 IN IP4 ::1\r\n", EBADMSG},
		{"two a=rtcp", HEAD CONN TIME AUDIO
		 "a=rtcp:4001\r\na=rtcp:4001\r\n", EBADMSG},
		{"cut in the m= line", HEAD CONN TIME "m=audio 40", EBADMSG},
		{"cut in the c= line", HEAD "c=IN IP4 192.0", EBADMSG},
		{"cut in a line end", HEAD CONN TIME AUDIO "a=ptime:20\r",
		 EBADMSG},
	};
	static const char nul[] = HEAD CONN TIME "a=x\0y\r\n" AUDIO;
	struct sdprw_media m = {.keep = true};
	struct sdprw_sdp *sdp = NULL;
	struct mbuf *mb = NULL;
	struct pl pl;
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int e;

		pl_set_str(&pl, bad[i].text);
		e = sdprw_parse(&sdp, &pl);
		if (e != bad[i].err) {
			TEST_FAIL("\"%s\": expected %d, got %d\n",
				  bad[i].what, bad[i].err, e);
			err = EINVAL;
			goto out;
		}
	}

	pl.p = nul;
	pl.l = sizeof(nul) - 1;
	TEST_EQUALS(EBADMSG, sdprw_parse(&sdp, &pl));

	/* the rewriter refuses what the parser refuses, writing nothing */
	mb = mbuf_alloc(64);
	TEST_ASSERT(mb != NULL);
	TEST_EQUALS(EBADMSG, sdprw_rewrite(mb, &pl, NULL, 0, NULL));
	pl_set_str(&pl, HEAD TIME AUDIO);
	TEST_EQUALS(EBADMSG, sdprw_rewrite(mb, &pl, &m, 1, NULL));
	TEST_EQUALS(0, mb->end);

	/* limits */
	TEST_EQUALS(0, big_parse(SDPRW_MEDIA_MAX, 2000));
	TEST_EQUALS(E2BIG, big_parse(SDPRW_MEDIA_MAX + 1, 2000));
	TEST_EQUALS(0, big_parse(1, SDPRW_TEXT_MAX));
	TEST_EQUALS(EMSGSIZE, big_parse(1, SDPRW_TEXT_MAX + 1));

	TEST_EQUALS(EINVAL, sdprw_parse(NULL, &pl));
	TEST_EQUALS(EINVAL, sdprw_parse(&sdp, NULL));

 out:
	mem_deref(mb);
	mem_deref(sdp);
	return err;
}
