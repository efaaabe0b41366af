/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sdprw.c  SDP parser and line-by-line rewriter for the relay
 *
 * Both walk the text with the same line scanner and word splitters, so
 * the rewriter only ever sees input that sdprw_parse() accepts.
 */
#include <string.h>
#include <re.h>
#include "sdprw.h"


enum {
	ADDR_TEXT_MAX = 45,  /* longest IPv6 text form (INET6_ADDRSTRLEN-1) */
};

/* One line: "<type>=<val><eol>" */
struct line {
	struct pl l;    /* the line without its line end   */
	struct pl val;  /* what follows "x="               */
	struct pl eol;  /* "\r\n", "\n", or empty (last)   */
	char type;
};

/* Attributes the relay looks at */
enum attr {
	A_OTHER = 0,
	A_RTCP,
	A_RTCP_MUX,
	A_CRYPTO,
	A_RTPMAP,
	A_ICE,
	A_SSRC,
	A_SENDRECV,
	A_SENDONLY,
	A_RECVONLY,
	A_INACTIVE,
};

/* Parser state */
struct dec {
	struct sdprw_sdp *sdp;
	struct sdprw_stream *st;  /* current m= section, NULL at session */
	bool has_o;
	bool has_s;
	bool st_dir;              /* current section has its own dir     */
};

/* Rewriter state */
struct rw {
	struct mbuf *mb;
	const struct sdprw_opts *opts;
	const struct sdprw_sdp *sdp;
	const struct sdprw_media *m;
	struct pl style;          /* line end when the last line had none */
	struct pl pend;           /* line end of the last line written    */
	bool started;
	bool sess_replace;        /* session c= gets sess_addr            */
	const struct sa *sess_addr;  /* session c= address in the output  */
	struct pl sess_cline;     /* the input's session c= line          */
	int idx;                  /* current m= section, -1 at session    */
	bool ins_c;               /* a c= line is owed to this section    */
	bool ins_mux;             /* an a=rtcp-mux line is owed           */
	bool ins_crypto;          /* a=crypto lines are owed             */
};


static bool addr_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		(c >= 'A' && c <= 'F') || c == ':' || c == '.';
}


/* Take the next line off rest and check that it is "<a-z>=..." */
static int line_next(struct pl *rest, struct line *ln)
{
	const char *nl = memchr(rest->p, '\n', rest->l);
	size_t len = nl ? (size_t)(nl - rest->p) : rest->l;

	ln->l.p = rest->p;
	ln->l.l = len;
	ln->eol.p = rest->p + len;
	ln->eol.l = nl ? 1 : 0;
	if (nl && len && rest->p[len - 1] == '\r') {
		--ln->l.l;
		--ln->eol.p;
		++ln->eol.l;
	}

	pl_advance(rest, (ssize_t)(len + (nl ? 1 : 0)));

	if (ln->l.l < 2 || ln->l.p[0] < 'a' || ln->l.p[0] > 'z' ||
	    ln->l.p[1] != '=')
		return EBADMSG;

	if (memchr(ln->l.p, '\0', ln->l.l) || memchr(ln->l.p, '\r', ln->l.l))
		return EBADMSG;

	ln->type = ln->l.p[0];
	ln->val.p = ln->l.p + 2;
	ln->val.l = ln->l.l - 2;

	return 0;
}


/* Split off the next word: it is not empty, a single space follows it */
static int word_next(struct pl *rest, struct pl *w)
{
	const char *sp = pl_strchr(rest, ' ');

	if (!sp || sp == rest->p)
		return EBADMSG;

	w->p = rest->p;
	w->l = (size_t)(sp - rest->p);
	pl_advance(rest, (ssize_t)w->l + 1);

	return 0;
}


/* The last word: all that is left, not empty, no space in it */
static int word_last(const struct pl *rest, struct pl *w)
{
	if (!rest->l || pl_strchr(rest, ' '))
		return EBADMSG;

	*w = *rest;

	return 0;
}


/* 1 to 5 digits, at most 65535 */
static int dec_u16(const struct pl *pl, uint16_t *v)
{
	uint32_t n = 0;

	if (!pl->l || pl->l > 5)
		return EBADMSG;

	for (size_t i = 0; i < pl->l; i++) {
		if (pl->p[i] < '0' || pl->p[i] > '9')
			return EBADMSG;
		n = n * 10 + (uint32_t)(pl->p[i] - '0');
	}

	if (n > 65535)
		return EBADMSG;

	*v = (uint16_t)n;

	return 0;
}


/* "IN IP4 <addr>" or "IN IP6 <addr>", the address of that family */
static int dec_conn(const struct pl *val, struct sa *sa)
{
	struct pl rest = *val, nettype, addrtype, addr;
	int af;

	if (word_next(&rest, &nettype) || word_next(&rest, &addrtype) ||
	    word_last(&rest, &addr))
		return EBADMSG;

	if (pl_strcmp(&nettype, "IN"))
		return EBADMSG;

	if (!pl_strcmp(&addrtype, "IP4"))
		af = AF_INET;
	else if (!pl_strcmp(&addrtype, "IP6"))
		af = AF_INET6;
	else
		return EBADMSG;

	if (addr.l > ADDR_TEXT_MAX)
		return EBADMSG;

	for (size_t i = 0; i < addr.l; i++) {
		if (!addr_char(addr.p[i]))
			return EBADMSG;
	}

	if (sa_set(sa, &addr, 0) || sa_af(sa) != af)
		return EBADMSG;

	return 0;
}


static int dec_origin(const struct pl *val, struct sdprw_origin *o)
{
	struct pl rest = *val;

	if (word_next(&rest, &o->user) || word_next(&rest, &o->sess_id) ||
	    word_next(&rest, &o->version) ||
	    word_next(&rest, &o->nettype) ||
	    word_next(&rest, &o->addrtype) || word_last(&rest, &o->addr))
		return EBADMSG;

	return 0;
}


/* "<media> <port>[/<n>] <proto> <fmt...>"; portp: the port digits */
static int dec_mline(const struct pl *val, struct sdprw_stream *st,
		     struct pl *portp)
{
	struct pl rest = *val, port, n;
	const char *slash;

	if (word_next(&rest, &st->type) || word_next(&rest, &port) ||
	    word_next(&rest, &st->proto) || !rest.l)
		return EBADMSG;

	st->fmts = rest;

	slash = pl_strchr(&port, '/');
	if (slash) {
		n.p = slash + 1;
		n.l = (size_t)(port.p + port.l - n.p);
		port.l = (size_t)(slash - port.p);
		if (dec_u16(&n, &st->nports) || !st->nports)
			return EBADMSG;
	}

	if (dec_u16(&port, &st->port))
		return EBADMSG;

	st->disabled = st->port == 0;
	if (portp)
		*portp = port;

	return 0;
}


/* a=rtcp value: "<port>" or "<port> IN IP4|IP6 <addr>" (RFC 3605) */
static int dec_rtcp(const struct pl *val, uint16_t *port, struct pl *portp,
		    struct sa *sa, bool *has_addr)
{
	const char *sp = pl_strchr(val, ' ');
	struct pl p = *val, rest;

	if (sp)
		p.l = (size_t)(sp - val->p);

	if (dec_u16(&p, port))
		return EBADMSG;

	if (portp)
		*portp = p;

	*has_addr = sp != NULL;
	if (!sp)
		return 0;

	rest.p = sp + 1;
	rest.l = val->l - p.l - 1;

	return dec_conn(&rest, sa);
}


/* Name of an a= line, and its value after ':' */
static enum attr dec_attr(const struct pl *aval, struct pl *val)
{
	static const struct {
		const char *name;
		enum attr a;
	} attrs[] = {
		{"rtcp",              A_RTCP},
		{"rtcp-mux",          A_RTCP_MUX},
		{"crypto",            A_CRYPTO},
		{"rtpmap",            A_RTPMAP},
		{"ice-ufrag",         A_ICE},
		{"ice-pwd",           A_ICE},
		{"ice-options",       A_ICE},
		{"ice-lite",          A_ICE},
		{"candidate",         A_ICE},
		{"remote-candidates", A_ICE},
		{"end-of-candidates", A_ICE},
		{"ssrc",              A_SSRC},
		{"ssrc-group",        A_SSRC},
		{"sendrecv",          A_SENDRECV},
		{"sendonly",          A_SENDONLY},
		{"recvonly",          A_RECVONLY},
		{"inactive",          A_INACTIVE},
	};
	const char *colon = pl_strchr(aval, ':');
	struct pl name = *aval;

	if (colon)
		name.l = (size_t)(colon - aval->p);

	if (val) {
		val->p = colon ? colon + 1 : aval->p + aval->l;
		val->l = (size_t)(aval->p + aval->l - val->p);
	}

	for (size_t i = 0; i < ARRAY_SIZE(attrs); i++) {
		if (!pl_strcasecmp(&name, attrs[i].name))
			return attrs[i].a;
	}

	return A_OTHER;
}


static enum sdprw_dir attr_dir(enum attr a)
{
	return (enum sdprw_dir)(SDPRW_SENDRECV + (a - A_SENDRECV));
}


static int dec_sess_attr(struct dec *d, const struct line *ln)
{
	enum attr a = dec_attr(&ln->val, NULL);

	if (a == A_ICE)
		d->sdp->has_ice = true;
	else if (a >= A_SENDRECV)
		d->sdp->dir = attr_dir(a);

	return 0;
}


/* The clock of a static payload type (RFC 3551 tables 4 and 5), 0 if
 * it has none */
static uint32_t static_clock(uint32_t pt)
{
	if (pt == 10 || pt == 11)
		return 44100;
	if (pt == 14 || (pt >= 25 && pt <= 34))
		return 90000;

	return pt < 24 ? 8000 : 0;
}


/* The first format of an m= line: the one the answer chose */
static void first_fmt(const struct pl *fmts, struct pl *fmt)
{
	const char *sp = pl_strchr(fmts, ' ');

	fmt->p = fmts->p;
	fmt->l = sp ? (size_t)(sp - fmts->p) : fmts->l;
}


/* "a=rtpmap:<pt> <encoding>/<clock>[/<params>]" of the first format */
static void dec_rtpmap(const struct pl *val, struct sdprw_stream *st)
{
	struct pl pt, name, clock, first;

	if (re_regex(val->p, val->l, "[0-9]+[ ]+[^/]+/[0-9]+", &pt, NULL,
		     &name, &clock))
		return;

	first_fmt(&st->fmts, &first);
	if (!pl_cmp(&pt, &first))
		st->clock_rate = pl_u32(&clock);

	/* RFC 4733: the first telephone-event the section maps */
	if (!st->te_rate && pt.l <= 3 && pl_u32(&pt) <= 127 &&
	    !pl_strcasecmp(&name, "telephone-event")) {
		st->te_pt = (uint8_t)pl_u32(&pt);
		st->te_rate = pl_u32(&clock);
	}
}


/* The section's clock: its first format's rtpmap, else the static
 * payload type's */
static void clock_default(struct sdprw_stream *st)
{
	struct pl first;

	if (st->clock_rate)
		return;

	first_fmt(&st->fmts, &first);
	if (!first.l || first.l > 3)
		return;

	for (size_t i = 0; i < first.l; i++) {
		if (first.p[i] < '0' || first.p[i] > '9')
			return;              /* "t38", not a payload type */
	}

	if (pl_u32(&first) < 128)
		st->clock_rate = static_clock(pl_u32(&first));
}


static int dec_media_attr(struct dec *d, const struct line *ln)
{
	struct sdprw_stream *st = d->st;
	struct pl val;
	enum attr a = dec_attr(&ln->val, &val);

	switch (a) {

	case A_RTCP:
		if (st->has_rtcp)
			return EBADMSG;
		st->has_rtcp = true;
		return dec_rtcp(&val, &st->rtcp_port, NULL, &st->rtcp,
				&st->rtcp_addr);

	case A_RTCP_MUX: st->rtcp_mux = true;   break;
	case A_CRYPTO:
		if (st->cryptoc < SDPRW_CRYPTO_MAX)
			st->crypto[st->cryptoc++] = val;
		st->has_crypto = true;
		break;
	case A_RTPMAP:   dec_rtpmap(&val, st);  break;
	case A_ICE:      st->has_ice = true;    break;
	case A_SSRC:
	case A_OTHER:                           break;

	default:
		st->dir = attr_dir(a);
		d->st_dir = true;
		break;
	}

	return 0;
}


static int dec_sess_line(struct dec *d, const struct line *ln)
{
	struct sdprw_sdp *sdp = d->sdp;

	switch (ln->type) {

	case 'o':
		if (d->has_o)
			return EBADMSG;
		d->has_o = true;
		return dec_origin(&ln->val, &sdp->origin);

	case 's':
		if (d->has_s)
			return EBADMSG;
		d->has_s = true;
		sdp->name = ln->val;
		return 0;

	case 'c':
		if (sdp->has_conn)
			return EBADMSG;
		sdp->has_conn = true;
		return dec_conn(&ln->val, &sdp->conn);

	case 'a':
		return dec_sess_attr(d, ln);

	default:
		return 0;
	}
}


static int dec_media_line(struct dec *d, const struct line *ln)
{
	switch (ln->type) {

	case 'o':
	case 's':
		return EBADMSG;

	case 'c':
		if (d->st->has_conn)
			return EBADMSG;
		d->st->has_conn = true;
		return dec_conn(&ln->val, &d->st->addr);

	case 'a':
		return dec_media_attr(d, ln);

	default:
		return 0;
	}
}


/* Close the current m= section: apply the session's defaults */
static int dec_media_end(struct dec *d)
{
	const struct sdprw_sdp *sdp = d->sdp;
	struct sdprw_stream *st = d->st;

	if (!st)
		return 0;

	if (!d->st_dir)
		st->dir = sdp->dir;

	if (sdp->has_ice)
		st->has_ice = true;

	clock_default(st);

	if (!st->has_conn) {
		if (sdp->has_conn)
			st->addr = sdp->conn;
		else if (!st->disabled)
			return EBADMSG;
	}

	if (sa_af(&st->addr))
		sa_set_port(&st->addr, st->port);

	if (st->has_rtcp && !st->rtcp_addr)
		st->rtcp = st->addr;

	if (st->has_rtcp && sa_af(&st->rtcp))
		sa_set_port(&st->rtcp, st->rtcp_port);

	return 0;
}


static int dec_media_begin(struct dec *d, const struct line *ln)
{
	struct sdprw_sdp *sdp = d->sdp;
	int err;

	err = dec_media_end(d);
	if (err)
		return err;

	if (sdp->mediac >= SDPRW_MEDIA_MAX)
		return E2BIG;

	d->st = &sdp->media[sdp->mediac++];
	d->st_dir = false;

	return dec_mline(&ln->val, d->st, NULL);
}


static int dec_line(struct dec *d, const struct line *ln, bool first)
{
	if (first)
		return pl_strcmp(&ln->l, "v=0") ? EBADMSG : 0;

	switch (ln->type) {

	case 'v': return EBADMSG;
	case 'm': return dec_media_begin(d, ln);
	default:  return d->st ? dec_media_line(d, ln) : dec_sess_line(d, ln);
	}
}


/* Parse text into sdp; the pl fields point into text */
static int dec_text(struct sdprw_sdp *sdp, const struct pl *text)
{
	struct pl rest = *text;
	struct line ln;
	struct dec d;
	bool first = true;
	int err;

	if (text->l > SDPRW_TEXT_MAX)
		return EMSGSIZE;

	if (!text->l)
		return EBADMSG;

	memset(&d, 0, sizeof(d));
	d.sdp = sdp;

	while (rest.l) {
		err = line_next(&rest, &ln);
		if (!err)
			err = dec_line(&d, &ln, first);
		if (err)
			return err;
		first = false;
	}

	err = dec_media_end(&d);
	if (err)
		return err;

	return d.has_o && d.has_s ? 0 : EBADMSG;
}


static void sdp_destructor(void *data)
{
	struct sdprw_sdp *sdp = data;

	mem_deref(sdp->buf);
}


/**
 * Parse an SDP as the relay needs it (see sdprw.h for what is accepted)
 *
 * @param sdpp Pointer to the parsed SDP; it holds its own copy of text
 * @param text The SDP text
 *
 * @return 0 if success, EBADMSG if malformed, E2BIG for too many m=
 *         lines, EMSGSIZE if too long, otherwise errorcode
 */
int sdprw_parse(struct sdprw_sdp **sdpp, const struct pl *text)
{
	struct sdprw_sdp *sdp;
	struct pl copy;
	int err;

	if (!sdpp || !text || (text->l && !text->p))
		return EINVAL;

	if (text->l > SDPRW_TEXT_MAX)
		return EMSGSIZE;

	sdp = mem_zalloc(sizeof(*sdp), sdp_destructor);
	if (!sdp)
		return ENOMEM;

	sdp->buf = mem_alloc(text->l + 1, NULL);
	if (!sdp->buf) {
		err = ENOMEM;
		goto out;
	}

	if (text->l)
		memcpy(sdp->buf, text->p, text->l);
	sdp->buf[text->l] = '\0';
	copy.p = sdp->buf;
	copy.l = text->l;

	err = dec_text(sdp, &copy);

 out:
	if (err)
		mem_deref(sdp);
	else
		*sdpp = sdp;

	return err;
}


/**
 * Name of a direction, as in the SDP attribute
 *
 * @param dir Direction
 *
 * @return "sendrecv", "sendonly", "recvonly", "inactive" or "?"
 */
const char *sdprw_dir_name(enum sdprw_dir dir)
{
	switch (dir) {

	case SDPRW_SENDRECV: return "sendrecv";
	case SDPRW_SENDONLY: return "sendonly";
	case SDPRW_RECVONLY: return "recvonly";
	case SDPRW_INACTIVE: return "inactive";
	default:             return "?";
	}
}


static const char *af_name(const struct sa *sa)
{
	return sa_af(sa) == AF_INET6 ? "IP6" : "IP4";
}


static bool af_valid(const struct sa *sa)
{
	return sa_af(sa) == AF_INET || sa_af(sa) == AF_INET6;
}


/* Begin an output line: end the one before it */
static int rw_start(struct rw *rw)
{
	const struct pl *eol = rw->pend.l ? &rw->pend : &rw->style;

	if (!rw->started) {
		rw->started = true;
		return 0;
	}

	return mbuf_write_pl(rw->mb, eol);
}


/* Write a line of the input as it is */
static int rw_copy(struct rw *rw, const struct line *ln)
{
	int err;

	err  = rw_start(rw);
	err |= mbuf_write_pl(rw->mb, &ln->l);
	rw->pend = ln->eol;

	return err;
}


/* Write a line in place of ln; it keeps ln's line end */
static int rw_linef(struct rw *rw, const struct line *ln,
		    const char *fmt, ...)
{
	va_list ap;
	int err;

	err = rw_start(rw);

	va_start(ap, fmt);
	err |= mbuf_vprintf(rw->mb, fmt, ap);
	va_end(ap);

	rw->pend = ln->eol;

	return err;
}


/* Write a new line; it takes the line end of the line before it */
static int rw_insertf(struct rw *rw, const char *fmt, ...)
{
	va_list ap;
	int err;

	err = rw_start(rw);

	va_start(ap, fmt);
	err |= mbuf_vprintf(rw->mb, fmt, ap);
	va_end(ap);

	return err;
}


/* Replace a c= line's address */
static int rw_conn(struct rw *rw, const struct line *ln, const struct sa *sa)
{
	return rw_linef(rw, ln, "c=IN %s %j", af_name(sa), sa);
}


/* The c= line owed to the current section */
static int rw_conn_insert(struct rw *rw)
{
	const struct sdprw_media *md = &rw->m[rw->idx];

	rw->ins_c = false;

	if (md->keep)
		return rw_insertf(rw, "%r", &rw->sess_cline);

	return rw_insertf(rw, "c=IN %s %j", af_name(&md->addr), &md->addr);
}


static int rw_section_end(struct rw *rw)
{
	int err = 0;

	if (rw->ins_c)
		err = rw_conn_insert(rw);

	if (!err && rw->ins_mux)
		err = rw_insertf(rw, "a=rtcp-mux");

	for (size_t i = 0; !err && rw->ins_crypto &&
		     i < rw->m[rw->idx].cryptoc && i < SDPRW_CRYPTO_MAX; i++)
		err = rw_insertf(rw, "a=crypto:%s", rw->m[rw->idx].crypto[i]);

	rw->ins_mux = false;
	rw->ins_crypto = false;

	return err;
}


static int rw_origin(struct rw *rw, const struct line *ln)
{
	const struct sdprw_opts *opts = rw->opts;
	struct sdprw_origin o;
	struct mbuf *mb = rw->mb;
	int err;

	if (!opts->replace_origin && !opts->o_version)
		return rw_copy(rw, ln);

	(void)dec_origin(&ln->val, &o);

	err  = rw_start(rw);
	err |= mbuf_printf(mb, "o=%r %r ", &o.user, &o.sess_id);

	if (opts->o_version)
		err |= mbuf_printf(mb, "%llu",
				   (unsigned long long)opts->o_version);
	else
		err |= mbuf_write_pl(mb, &o.version);

	if (opts->replace_origin)
		err |= mbuf_printf(mb, " IN %s %j", af_name(&opts->origin),
				   &opts->origin);
	else
		err |= mbuf_printf(mb, " %r %r %r", &o.nettype, &o.addrtype,
				   &o.addr);

	rw->pend = ln->eol;

	return err;
}


static int rw_sess(struct rw *rw, const struct line *ln)
{
	switch (ln->type) {

	case 'o':
		return rw_origin(rw, ln);

	case 'c':
		rw->sess_cline = ln->l;
		if (rw->sess_replace)
			return rw_conn(rw, ln, rw->sess_addr);
		break;

	case 'a':
		if (rw->opts->ice_remove &&
		    dec_attr(&ln->val, NULL) == A_ICE)
			return 0;
		break;

	default:
		break;
	}

	return rw_copy(rw, ln);
}


/* a=rtcp: the new port, and the new address if it named one */
static int rw_rtcp(struct rw *rw, const struct line *ln,
		   const struct pl *val)
{
	const struct sdprw_media *md = &rw->m[rw->idx];
	struct pl portp;
	uint16_t port;
	struct sa sa;
	bool has_addr;
	size_t pre;

	(void)dec_rtcp(val, &port, &portp, &sa, &has_addr);
	pre = (size_t)(portp.p - ln->l.p);

	if (!has_addr)
		return rw_linef(rw, ln, "%b%u", ln->l.p, pre, md->rtcp_port);

	return rw_linef(rw, ln, "%b%u IN %s %j", ln->l.p, pre,
			md->rtcp_port, af_name(&md->addr), &md->addr);
}


static int rw_media_attr(struct rw *rw, const struct line *ln)
{
	const struct sdprw_media *md = &rw->m[rw->idx];
	struct pl val;

	switch (dec_attr(&ln->val, &val)) {

	case A_RTCP:
		return rw_rtcp(rw, ln, &val);

	case A_RTCP_MUX:
		if (md->mux == SDPRW_MUX_REMOVE)
			return 0;
		break;

	/* keys are never passed on when the relay sets its own */
	case A_CRYPTO:
		if (md->crypto_set)
			return 0;
		break;

	case A_ICE:
		if (rw->opts->ice_remove)
			return 0;
		break;

	/* a=ssrc:N cname:user@host names the sender's host */
	case A_SSRC:
		if (rw->opts->ssrc_remove)
			return 0;
		break;

	default:
		break;
	}

	return rw_copy(rw, ln);
}


static int rw_media(struct rw *rw, const struct line *ln)
{
	const struct sdprw_media *md = &rw->m[rw->idx];
	int err;

	/* c= goes after m= and i=, before b=, k= and a= (RFC 4566) */
	if (rw->ins_c && ln->type != 'i') {
		err = rw_conn_insert(rw);
		if (err)
			return err;
	}

	if (md->keep)
		return rw_copy(rw, ln);

	switch (ln->type) {

	case 'c': return rw_conn(rw, ln, &md->addr);
	case 'a': return rw_media_attr(rw, ln);
	default:  return rw_copy(rw, ln);
	}
}


/* A kept section that used the session c= keeps its address */
static bool kept_needs_conn(const struct rw *rw,
			    const struct sdprw_stream *st)
{
	return rw->sess_replace && !st->has_conn && !st->disabled &&
		!sa_cmp(&rw->sdp->conn, rw->sess_addr, SA_ADDR);
}


static bool needs_conn(const struct rw *rw, const struct sdprw_stream *st,
		       const struct sdprw_media *md)
{
	if (st->has_conn)
		return false;

	return !rw->sdp->has_conn ||
		!sa_cmp(&md->addr, rw->sess_addr, SA_ADDR);
}


static int rw_mline(struct rw *rw, const struct line *ln)
{
	const struct sdprw_stream *st;
	const struct sdprw_media *md;
	struct sdprw_stream tmp;
	struct pl port;
	size_t pre;
	int err;

	err = rw_section_end(rw);
	if (err)
		return err;

	++rw->idx;
	st = &rw->sdp->media[rw->idx];
	md = &rw->m[rw->idx];

	if (md->keep) {
		rw->ins_c = kept_needs_conn(rw, st);
		return rw_copy(rw, ln);
	}

	rw->ins_c = needs_conn(rw, st, md);
	rw->ins_mux = md->mux == SDPRW_MUX_ADD && !st->rtcp_mux;
	rw->ins_crypto = md->crypto_set && md->cryptoc;

	(void)dec_mline(&ln->val, &tmp, &port);
	pre = (size_t)(port.p - ln->l.p);

	if (md->proto)
		return rw_linef(rw, ln, "%b%u%b %s %r", ln->l.p, pre,
				sa_port(&md->addr), port.p + port.l,
				(size_t)(tmp.proto.p - (port.p + port.l)) - 1,
				md->proto, &tmp.fmts);

	return rw_linef(rw, ln, "%b%u%b", ln->l.p, pre, sa_port(&md->addr),
			port.p + port.l, ln->l.l - pre - port.l);
}


/* The line end of the first line, CRLF if it has none */
static void rw_style(struct rw *rw, const struct pl *text)
{
	struct pl rest = *text;
	struct line ln;

	(void)line_next(&rest, &ln);
	if (ln.eol.l)
		rw->style = ln.eol;
	else
		pl_set_str(&rw->style, "\r\n");
}


/* Check the caller's instructions and decide on the session c= */
static int rw_init(struct rw *rw, const struct pl *text,
		   const struct sdprw_media *m, size_t n)
{
	const struct sdprw_sdp *sdp = rw->sdp;
	const struct sdprw_media *first = NULL;
	bool all_session = true;

	if (n != sdp->mediac)
		return EINVAL;

	if (rw->opts->replace_origin && !af_valid(&rw->opts->origin))
		return EINVAL;

	for (size_t i = 0; i < n; i++) {
		if (m[i].keep)
			continue;
		if (!af_valid(&m[i].addr) || m[i].mux > SDPRW_MUX_REMOVE)
			return EINVAL;
		if (!first)
			first = &m[i];
		if (sdp->media[i].has_conn)
			all_session = false;
	}

	rw->m = m;
	rw->idx = -1;
	rw->sess_replace = sdp->has_conn && first &&
		(rw->opts->replace_session_conn || all_session);
	rw->sess_addr = rw->sess_replace ? &first->addr : &sdp->conn;
	rw_style(rw, text);

	return 0;
}


static int rw_walk(struct rw *rw, const struct pl *text)
{
	struct pl rest = *text;
	struct line ln;
	int err = 0;

	while (rest.l && !err) {
		(void)line_next(&rest, &ln);

		if (ln.type == 'm')
			err = rw_mline(rw, &ln);
		else if (rw->idx < 0)
			err = rw_sess(rw, &ln);
		else
			err = rw_media(rw, &ln);
	}

	if (!err)
		err = rw_section_end(rw);

	if (!err && rw->pend.l)
		err = mbuf_write_pl(rw->mb, &rw->pend);

	return err;
}


/**
 * Rewrite an SDP line by line for the relay
 *
 * The input is parsed first (as sdprw_parse()); nothing is written
 * unless it is valid. Only these lines change, every other line is
 * copied byte for byte, in order, with its own line end:
 *  - m=: the port becomes addr's port ("/n" is kept);
 *  - c= of a media: addr, "IN IP4" or "IN IP6" as its family;
 *  - c= of the session: the address of the first media not kept, if
 *    opts->replace_session_conn, or if no media that is not kept has
 *    its own c=. A media that is not kept and has no c= of its own
 *    gets one, after m= and i=, if its addr differs from the session
 *    c= in the output. A kept, enabled media that used the replaced
 *    session c= gets a copy of the original line, keeping its address;
 *  - a=rtcp: rtcp_port, and addr if it named an address;
 *  - a=rtcp-mux: per mux; SDPRW_MUX_ADD appends it to the section;
 *  - o=: opts->origin if replace_origin; opts->o_version if not 0;
 *  - ICE attributes (ice-ufrag, ice-pwd, ice-options, ice-lite,
 *    candidate, remote-candidates, end-of-candidates) are dropped at
 *    session level and in media not kept, if opts->ice_remove.
 * A kept media section is copied as it is. A new line takes the line
 * end of the line before it.
 *
 * @param mb   Buffer to write the SDP to, at its position
 * @param text The SDP received
 * @param m    What to announce, one per m= line, in order
 * @param n    Number of elements in m: the number of m= lines
 * @param opts Options, NULL for none
 *
 * @return 0 if success, EBADMSG, E2BIG or EMSGSIZE if the input is not
 *         accepted, EINVAL for bad arguments, otherwise errorcode
 */
int sdprw_rewrite(struct mbuf *mb, const struct pl *text,
		  const struct sdprw_media *m, size_t n,
		  const struct sdprw_opts *opts)
{
	static const struct sdprw_opts noopts;
	struct sdprw_sdp *sdp;
	struct rw rw;
	size_t pos, end;
	int err;

	if (!mb || !text || (text->l && !text->p) || (n && !m))
		return EINVAL;

	sdp = mem_zalloc(sizeof(*sdp), NULL);
	if (!sdp)
		return ENOMEM;

	err = dec_text(sdp, text);
	if (err)
		goto out;

	memset(&rw, 0, sizeof(rw));
	rw.mb = mb;
	rw.sdp = sdp;
	rw.opts = opts ? opts : &noopts;

	err = rw_init(&rw, text, m, n);
	if (err)
		goto out;

	pos = mb->pos;
	end = mb->end;

	err = rw_walk(&rw, text);
	if (err) {
		mb->pos = pos;
		mb->end = end;
	}

 out:
	mem_deref(sdp);

	return err;
}
