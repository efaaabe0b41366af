/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file fuzz_sdprw.c  libFuzzer target: the SDP parser and rewriter
 *
 * Input must be parsed or refused with EBADMSG, E2BIG or EMSGSIZE.
 * What is parsed is rewritten with options and addresses drawn from a
 * hash of the input; transports and a=crypto lines are what the media
 * security of a leg (sec.c, with a policy from the hash) makes of each
 * m= line as an offer. The output must parse again and announce exactly
 * what was asked for, keep what it was not asked to change, carry no
 * key of the input, and each a=crypto line it has must read back.
 * Seeds: tests/data/sdp/ *.in
 */
#include <string.h>
#include <re.h>
#include "sdprw.h"
#include "relay.h"
#include "sec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static void check(bool ok)
{
	if (!ok)
		__builtin_trap();
}


static void fuzz_addr(struct sa *sa, bool ipv6, uint16_t port)
{
	check(0 == sa_set_str(sa, ipv6 ? "2001:db8::1" : "192.0.2.1",
			      port));
}


/* The media security of an offer, as the relay's own path makes it */
static void fuzz_sec(struct sdprw_media *m, const struct sdprw_stream *st,
		     struct sec_side side[2], uint32_t b)
{
	const struct relay_sdes sdes = {
		(b >> 4) & 0x3f, (b >> 10) & 1 ? (b >> 11) & 0x3f : 0,
		(b >> 17) & 1, (b >> 18) & 1
	};
	const struct sec_policy pol = {
		(enum relay_sec)(b & 3), (enum relay_sec)((b >> 2) & 3),
		(enum relay_fb)((b >> 19) % 3), &sdes
	};
	const char *why = NULL;

	if (sec_offer(&side[0], &side[1], st, &pol, m, &why)) {
		check(why != NULL);
		m->crypto_set = false;
		m->proto = NULL;
		m->cryptoc = 0;
	}
}


/* Options and media from the bits of h */
static void fuzz_setup(struct sdprw_opts *opts, struct sdprw_media *m,
		       const struct sdprw_sdp *sdp, uint32_t h,
		       struct sec_side (*sec)[2])
{
	memset(opts, 0, sizeof(*opts));
	opts->replace_origin = h & 1;
	opts->replace_session_conn = h & 2;
	opts->ice_remove = h & 4;
	opts->o_version = h & 8 ? h : 0;
	fuzz_addr(&opts->origin, h & 16, 0);

	for (size_t i = 0; i < sdp->mediac; i++) {
		uint32_t b = h >> (i + 5);
		uint16_t port = (uint16_t)(30000 + 2 * i);

		memset(&m[i], 0, sizeof(m[i]));
		m[i].keep = sdp->media[i].disabled || (b & 1);
		fuzz_addr(&m[i].addr, (h >> i) & 1, port);
		m[i].rtcp_port = port + 1;
		m[i].mux = (enum sdprw_mux)((h >> (2 * i)) % 3);
		if (!m[i].keep && ((h >> (i + 9)) & 1))
			fuzz_sec(&m[i], &sdp->media[i], sec[i],
				 hash_joaat((uint8_t *)&b, sizeof(b)));
	}
}


static bool pl_same(const struct pl *a, const struct pl *b)
{
	return a->l == b->l && 0 == memcmp(a->p, b->p, a->l);
}


static bool mux_ok(const struct sdprw_stream *in,
		   const struct sdprw_stream *out, enum sdprw_mux mux)
{
	switch (mux) {

	case SDPRW_MUX_ADD:    return out->rtcp_mux;
	case SDPRW_MUX_REMOVE: return !out->rtcp_mux;
	default:               return out->rtcp_mux == in->rtcp_mux;
	}
}


/* One of our a=crypto lines: it reads back, and carries no input key */
static void crypto_check(const struct sdprw_stream *in, const struct pl *c)
{
	struct sdes_line ln;
	struct pl key;

	check(0 == sdes_parse(&ln, c));
	check(0 == re_regex(c->p, c->l, "inline:[^ |]+", &key));

	for (size_t i = 0; i < in->cryptoc; i++)
		check(!memmem(in->crypto[i].p, in->crypto[i].l, key.p,
			      key.l));
}


/* What every m= section must still say after rewriting */
static void check_media(const struct sdprw_stream *in,
			const struct sdprw_stream *out,
			const struct sdprw_media *m,
			const struct sdprw_opts *opts)
{
	bool set = !m->keep && m->crypto_set;

	check(pl_same(&in->type, &out->type));
	check(m->keep || !m->proto ? pl_same(&in->proto, &out->proto) :
	      0 == pl_strcmp(&out->proto, m->proto));
	check(pl_same(&in->fmts, &out->fmts));
	check(in->nports == out->nports);
	check(set ? out->has_crypto == (m->cryptoc > 0) :
	      in->has_crypto == out->has_crypto);
	for (size_t k = 0; set && k < out->cryptoc; k++)
		crypto_check(in, &out->crypto[k]);
	check(in->has_rtcp == out->has_rtcp);

	if (m->keep) {
		check(in->port == out->port);
		check(in->rtcp_mux == out->rtcp_mux);
		if (!in->disabled)
			check(sa_cmp(&in->addr, &out->addr, SA_ALL));
		return;
	}

	check(sa_cmp(&out->addr, &m->addr, SA_ALL));
	check(mux_ok(in, out, m->mux));
	check(in->dir == out->dir);
	check(!out->has_rtcp || out->rtcp_port == m->rtcp_port);
	check(!out->rtcp_addr || sa_cmp(&out->rtcp, &m->addr, SA_ADDR));
	check(!opts->ice_remove || !out->has_ice);
}


static void check_origin(const struct sdprw_sdp *in,
			 const struct sdprw_sdp *out,
			 const struct sdprw_opts *opts)
{
	char buf[64];

	check(pl_same(&in->origin.user, &out->origin.user));
	check(pl_same(&in->origin.sess_id, &out->origin.sess_id));

	if (opts->o_version) {
		(void)re_snprintf(buf, sizeof(buf), "%llu",
				  (unsigned long long)opts->o_version);
		check(0 == pl_strcmp(&out->origin.version, buf));
	}
	else {
		check(pl_same(&in->origin.version, &out->origin.version));
	}

	if (opts->replace_origin) {
		(void)re_snprintf(buf, sizeof(buf), "%j", &opts->origin);
		check(0 == pl_strcmp(&out->origin.addr, buf));
	}
	else {
		check(pl_same(&in->origin.addr, &out->origin.addr));
	}
}


static void check_output(const struct pl *text, const struct sdprw_sdp *in,
			 const struct sdprw_media *m,
			 const struct sdprw_opts *opts)
{
	struct sdprw_sdp *out = NULL;
	int err;

	err = sdprw_parse(&out, text);
	if (err == ENOMEM ||
	    (err == EMSGSIZE && text->l > SDPRW_TEXT_MAX))
		return;

	check(err == 0);
	check(out->mediac == in->mediac);
	check(pl_same(&in->name, &out->name));
	check_origin(in, out, opts);

	for (size_t i = 0; i < in->mediac; i++)
		check_media(&in->media[i], &out->media[i], &m[i], opts);

	mem_deref(out);
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sec_side sec[SDPRW_MEDIA_MAX][2];
	struct sdprw_media m[SDPRW_MEDIA_MAX];
	struct sdprw_sdp *sdp = NULL;
	struct sdprw_opts opts;
	struct mbuf *mb = NULL;
	struct pl text, out;
	int err;

	text.p = (const char *)data;
	text.l = size;

	err = sdprw_parse(&sdp, &text);
	switch (err) {

	case 0:
		break;

	case EBADMSG: case E2BIG: case EMSGSIZE: case ENOMEM:
		return 0;

	default:
		__builtin_trap();
	}

	memset(sec, 0, sizeof(sec));
	fuzz_setup(&opts, m, sdp, hash_joaat(data, size), sec);

	mb = mbuf_alloc(size + 512);
	if (!mb)
		goto out;

	err = sdprw_rewrite(mb, &text, m, sdp->mediac, &opts);
	if (err == ENOMEM)
		goto out;
	check(err == 0);

	out.p = (const char *)mb->buf;
	out.l = mb->end;
	check_output(&out, sdp, m, &opts);

 out:
	mem_deref(mb);
	mem_deref(sdp);
	return 0;
}
