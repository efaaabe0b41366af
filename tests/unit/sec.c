/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sec.c  Tests: media security per leg through the relay's offer
 *              and answer (RTP, SDES-SRTP with the relay's own keys)
 *
 * Golden files in tests/data/sec: NAME.flags is the policy, NAME.offer
 * the offer from side A, NAME.answer the answer from side B (optional).
 * NAME.offer.out and NAME.answer.out are the SDPs B and A get, with
 * ports written PORT and the relay's keys KEY (they are random); a
 * refusal has NAME.why instead, the reason the relay gives. Flags:
 *   snd=any|rtp|srtp, rcv=any|rtp|srtp, fb=avp|avpf,
 *   sdes-no=SUITE, sdes-only=SUITE, off, pad.
 * Whatever the case, no key that came in goes out.
 * UMTEST_WRITE_GOLDEN=1 writes the .out files instead of comparing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>
#include "cfg.h"
#include "sdprw.h"
#include "relay.h"
#include "sdes.h"
#include "test.h"


#define CONF \
	"interface external 127.0.0.1 ports=34000-34099\n" \
	"interface internal 127.0.0.2 ports=35000-35099\n" \
	"sip_enable no\n" \
	"relay_threads 1\n"

/** A relay and a buffer for one test */
struct rig {
	struct cfg *cfg;
	struct relay *relay;
	struct mbuf *out;
};


static int rig_open(struct rig *r)
{
	char msg[256];
	int err;

	memset(r, 0, sizeof(*r));
	err = cfg_parse(&r->cfg, "sec-test", CONF, strlen(CONF), msg,
			sizeof(msg));
	if (err) {
		TEST_FAIL("%s\n", msg);
		return err;
	}

	r->out = mbuf_alloc(2048);

	return r->out ? relay_alloc(&r->relay, r->cfg) : ENOMEM;
}


static void rig_close(struct rig *r)
{
	mem_deref(r->relay);
	mem_deref(r->cfg);
	mem_deref(r->out);
}


static enum relay_sec sec_word(const struct pl *v)
{
	if (!pl_strcmp(v, "rtp"))
		return RELAY_SEC_RTP;
	if (!pl_strcmp(v, "srtp"))
		return RELAY_SEC_SRTP;

	return RELAY_SEC_ANY;
}


static void flag_apply(struct relay_req *req, const struct pl *w)
{
	struct pl k, v;

	if (re_regex(w->p, w->l, "[^=]+=[^]+", &k, &v)) {
		req->sdes.off |= !pl_strcmp(w, "off");
		req->sdes.pad |= !pl_strcmp(w, "pad");
		return;
	}

	if (!pl_strcmp(&k, "snd"))
		req->sec[0] = sec_word(&v);
	else if (!pl_strcmp(&k, "rcv"))
		req->sec[1] = sec_word(&v);
	else if (!pl_strcmp(&k, "fb"))
		req->fb = pl_strcmp(&v, "avp") ? RELAY_FB_AVPF : RELAY_FB_AVP;
	else if (!pl_strcmp(&k, "sdes-no"))
		req->sdes.no |= sdes_bit_find(&v);
	else if (!pl_strcmp(&k, "sdes-only"))
		req->sdes.only |= sdes_bit_find(&v);
}


static void req_make(struct relay_req *req, const char *cid,
		     const char *from, const char *to, const struct mbuf *sdp)
{
	memset(req, 0, sizeof(*req));
	pl_set_str(&req->callid, cid);
	pl_set_str(&req->from_tag, from);
	if (to)
		pl_set_str(&req->to_tag, to);
	req->sdp.p = (const char *)sdp->buf;
	req->sdp.l = sdp->end;
	pl_set_str(&req->dir[0], "external");
	pl_set_str(&req->dir[1], "internal");
}


/* One line of an SDP with the random parts written PORT and KEY */
static int mask_line(struct mbuf *mb, const struct pl *ln)
{
	struct pl pre, rest, pad;

	if (!re_regex(ln->p, ln->l, "m=[^ ]+ [0-9]+[^]*", &pre, NULL, &rest))
		return mbuf_printf(mb, "m=%r PORT%r", &pre, &rest);
	if (!re_regex(ln->p, ln->l, "a=rtcp:[0-9]+[^]*", NULL, &rest))
		return mbuf_printf(mb, "a=rtcp:PORT%r", &rest);
	if (!re_regex(ln->p, ln->l, "a=crypto:[0-9]+ [^ ]+ inline:[^=|]+[=]*",
		      &pre, &rest, NULL, &pad))
		return mbuf_printf(mb, "a=crypto:%r %r inline:KEY%r", &pre,
				   &rest, &pad);

	return mbuf_printf(mb, "%r", ln);
}


static int mask(struct mbuf *mb, const struct mbuf *sdp)
{
	struct pl text, ln;
	int err = 0;

	text.p = (const char *)sdp->buf;
	text.l = sdp->end;

	while (!err && !re_regex(text.p, text.l, "[^\r\n]+", &ln)) {
		err = mask_line(mb, &ln) | mbuf_write_str(mb, "\r\n");
		pl_advance(&text, (size_t)(ln.p + ln.l - text.p));
		while (text.l && (text.p[0] == '\r' || text.p[0] == '\n'))
			pl_advance(&text, 1);
	}

	return err;
}


/* No key of the input SDP in the output */
static bool keys_kept_in(const struct mbuf *in, const struct mbuf *out)
{
	struct pl text, key;

	text.p = (const char *)in->buf;
	text.l = in->end;

	while (!re_regex(text.p, text.l, "inline:[^|\r\n]+", &key)) {
		if (memmem(out->buf, out->end, key.p, key.l))
			return false;
		pl_advance(&text, (size_t)(key.p + key.l - text.p));
	}

	return true;
}


static int golden_write(const char *name, const char *ext,
			const struct mbuf *mb)
{
	char path[512];
	FILE *f;

	(void)re_snprintf(path, sizeof(path), "%s/tests/data/sec/%s%s",
			  UM_SRCDIR, name, ext);
	f = fopen(path, "wb");
	if (!f)
		return errno;
	(void)fwrite(mb->buf, 1, mb->end, f);
	(void)fclose(f);

	return 0;
}


/* The output, masked, is the .out file; no input key went out */
static int golden_cmp(const char *name, const char *ext,
		      const struct mbuf *in, const struct mbuf *out)
{
	struct mbuf *masked = mbuf_alloc(2048), *want = NULL;
	int err = 0;

	TEST_ASSERT(masked != NULL);
	TEST_ERR(mask(masked, out));
	if (!keys_kept_in(in, out)) {
		TEST_FAIL("%s%s: a key that came in went out\n", name, ext);
		err = EPROTO;
		goto out;
	}

	if (getenv("UMTEST_WRITE_GOLDEN")) {
		err = golden_write(name, ext, masked);
		goto out;
	}

	TEST_ERR(test_file_load(&want, "sec", name, ext));
	if (want->end != masked->end ||
	    memcmp(want->buf, masked->buf, want->end)) {
		TEST_FAIL("%s%s differs; got:\n%b\n", name, ext, masked->buf,
			  masked->end);
		err = EINVAL;
	}

 out:
	mem_deref(masked);
	mem_deref(want);
	return err;
}


static bool file_exists(const char *name, const char *ext)
{
	char path[512];
	FILE *f;

	(void)re_snprintf(path, sizeof(path), "%s/tests/data/sec/%s%s",
			  UM_SRCDIR, name, ext);
	f = fopen(path, "rb");
	if (f)
		(void)fclose(f);

	return f != NULL;
}


/* Offer A's SDP with the flags, then B's answer; why: the refusal */
static int exchange(struct rig *r, const char *name, const char **why)
{
	struct mbuf *flags = NULL, *offer = NULL, *answer = NULL;
	struct relay_req req;
	struct pl text, w;
	int err;

	TEST_ERR(test_file_load(&flags, "sec", name, ".flags"));
	TEST_ERR(test_file_load(&offer, "sec", name, ".offer"));

	req_make(&req, name, "ta", NULL, offer);
	text.p = (const char *)flags->buf;
	text.l = flags->end;
	while (!re_regex(text.p, text.l, "[^ \r\n]+", &w)) {
		flag_apply(&req, &w);
		pl_advance(&text, (size_t)(w.p + w.l - text.p));
	}

	mbuf_reset(r->out);
	err = relay_offer(r->relay, &req, r->out, why);
	if (err)
		goto out;
	TEST_ERR(golden_cmp(name, ".offer.out", offer, r->out));

	if (!file_exists(name, ".answer"))
		goto out;

	TEST_ERR(test_file_load(&answer, "sec", name, ".answer"));
	req_make(&req, name, "ta", "tb", answer);
	mbuf_reset(r->out);
	err = relay_answer(r->relay, &req, r->out, why);
	if (!err)
		err = golden_cmp(name, ".answer.out", answer, r->out);

 out:
	mem_deref(flags);
	mem_deref(offer);
	mem_deref(answer);
	return err;
}


/* Each policy combination: the SDP each side gets */
int test_sec_golden(void)
{
	static const char *cases[] = {
		"rtp-to-srtp", "srtp-to-rtp", "srtp-both", "srtp-only-pad",
		"savpf-to-avp", "rtp-both", "t38-opaque", "rtp-to-srtp-no",
	};
	struct rig r;
	int err;

	err = rig_open(&r);
	TEST_ERR(err);

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *why = NULL;

		err = exchange(&r, cases[i], &why);
		if (err) {
			TEST_FAIL("%s: %m (%s)\n", cases[i], err,
				  why ? why : "");
			goto out;
		}
	}

 out:
	rig_close(&r);
	return err;
}


/* What the relay cannot or may not do is refused, with its reason */
int test_sec_refuse(void)
{
	static const char *cases[] = {
		"refuse-plain-on-srtp", "refuse-srtp-on-rtp", "refuse-f8",
		"refuse-mki", "refuse-answer-plain", "refuse-answer-tag",
		"refuse-dtls", "refuse-sdes-off", "refuse-no-suite",
	};
	struct mbuf *want = NULL;
	struct rig r;
	int err;

	err = rig_open(&r);
	TEST_ERR(err);

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *why = NULL;
		struct pl w;

		TEST_EQUALS(EPROTO, exchange(&r, cases[i], &why));
		TEST_ERR(test_file_load(&want, "sec", cases[i], ".why"));
		TEST_ERR(re_regex((char *)want->buf, want->end, "[^\n]+",
				  &w));
		TEST_ASSERT(why != NULL);
		TEST_PLSTR(&w, why);
		want = mem_deref(want);
	}

 out:
	mem_deref(want);
	rig_close(&r);
	return err;
}


/* The keys of the first a=crypto lines of an SDP, by tag order */
static size_t keys_of(const struct mbuf *sdp, struct sdes_line *v, size_t n)
{
	struct sdprw_sdp *p = NULL;
	struct pl text;
	size_t k = 0;

	text.p = (const char *)sdp->buf;
	text.l = sdp->end;
	if (sdprw_parse(&p, &text))
		return 0;

	for (size_t i = 0; i < p->media[0].cryptoc && k < n; i++) {
		if (!sdes_parse(&v[k], &p->media[0].crypto[i]))
			++k;
	}

	mem_deref(p);

	return k;
}


static bool key_eq(const struct sdes_line *a, const struct sdes_line *b)
{
	return a->tag == b->tag && a->key.suite == b->key.suite &&
		a->key.len == b->key.len &&
		!memcmp(a->key.key, b->key.key, a->key.len);
}


/* An SDES SDP from a side, with key number n */
static int sdp_side(struct mbuf *mb, const char *ip, uint16_t port, int n)
{
	struct sdes_key k;
	char line[SDES_LINE_MAX];

	memset(&k, 0, sizeof(k));
	k.suite = SRTP_AES_CM_128_HMAC_SHA1_80;
	k.len = 30;
	memset(k.key, n, k.len);
	mbuf_reset(mb);

	return sdes_print(line, sizeof(line), 1, &k, false) |
		mbuf_printf(mb, "v=0\r\no=- 1 %d IN IP4 %s\r\ns=-\r\n"
			    "c=IN IP4 %s\r\nt=0 0\r\n"
			    "m=audio %u RTP/SAVP 0\r\na=crypto:%s\r\n",
			    n, ip, ip, port, line);
}


/* One offer/answer: from's SDP with key kf, the other's with ko;
 * the keys each side got from the relay go to got_rcv and got_off */
static int round_trip(struct rig *r, const char *cid, bool from_a, int kf,
		      int ko, struct sdes_line *got_rcv,
		      struct sdes_line *got_off)
{
	const char *ta = from_a ? "ta" : "tb", *tb = from_a ? "tb" : "ta";
	struct mbuf *sdp = mbuf_alloc(512);
	struct relay_req req;
	const char *why;
	int err = 0;

	TEST_ASSERT(sdp != NULL);
	TEST_ERR(sdp_side(sdp, from_a ? "198.51.100.10" : "203.0.113.5",
			  4000, kf));
	req_make(&req, cid, ta, NULL, sdp);
	req.sec[1] = RELAY_SEC_SRTP;
	if (!from_a) {
		pl_set_str(&req.dir[0], "internal");
		pl_set_str(&req.dir[1], "external");
	}
	mbuf_reset(r->out);
	TEST_ERR(relay_offer(r->relay, &req, r->out, &why));
	TEST_ASSERT(keys_of(r->out, got_rcv, 1) == 1);

	TEST_ERR(sdp_side(sdp, from_a ? "203.0.113.5" : "198.51.100.10",
			  5000, ko));
	req_make(&req, cid, ta, tb, sdp);
	mbuf_reset(r->out);
	TEST_ERR(relay_answer(r->relay, &req, r->out, &why));
	TEST_EQUALS(1, keys_of(r->out, got_off, 2));

 out:
	mem_deref(sdp);
	return err;
}


/* Re-offers keep our keys; a side that changes its own key changes
 * nothing on the other leg; another call has other keys */
int test_sec_rekey(void)
{
	struct sdes_line b1, a1, b2, a2, x, y;
	struct rig r;
	int err;

	err = rig_open(&r);
	TEST_ERR(err);

	/* first exchange: B gets our key b1, A gets a1 */
	TEST_ERR(round_trip(&r, "rk", true, 1, 2, &b1, &a1));
	TEST_ASSERT(memcmp(b1.key.key, a1.key.key, 30));

	/* A re-offers as it was (hold, re-INVITE): nothing changes */
	TEST_ERR(round_trip(&r, "rk", true, 1, 2, &b2, &a2));
	TEST_ASSERT(key_eq(&b1, &b2) && key_eq(&a1, &a2));

	/* B re-offers with a new key of its own: A is offered a1 again,
	 * and B gets b1 back */
	TEST_ERR(round_trip(&r, "rk", false, 3, 1, &x, &y));
	TEST_ASSERT(key_eq(&a1, &x));
	TEST_ASSERT(key_eq(&b1, &y));

	/* A changes its key: B's leg keeps b1 */
	TEST_ERR(round_trip(&r, "rk", true, 4, 3, &x, &y));
	TEST_ASSERT(key_eq(&b1, &x) && key_eq(&a1, &y));

	/* another call: other keys */
	TEST_ERR(round_trip(&r, "rk2", true, 1, 2, &x, &y));
	TEST_ASSERT(memcmp(x.key.key, b1.key.key, 30) &&
		    memcmp(y.key.key, a1.key.key, 30));

 out:
	rig_close(&r);
	return err;
}
