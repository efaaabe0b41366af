/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sip2543.c  Requests in RFC 2543 syntax, made decodable
 *
 * libre 1.1.0 refuses a request whose top Via has no branch, as RFC
 * 2543 elements send them (longreq and inv2543 of RFC 4475 are such).
 * A plain top Via without a branch gets one of ours, stable across
 * the request's retransmissions and the same for its ACK and CANCEL (a
 * hash of Call-ID, CSeq number, From tag and source, RFC 3261
 * §17.2.3's matching for 2543 requests); the answers lose it again on
 * the way out (sip2543_strip), so their Via is the request's.
 */
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include <re.h>
#include "sipline.h"
#include "sip2543.h"


/* Our branch for an RFC 2543 Via: the prefix and 16 hex digits */
#define BRANCH_2543 ";branch=z9hG4bKu2543"
#define BRANCH_HEX  16


/* A Via line of one well-formed element without a branch: "Via:
 * SIP/2.0/TP host[:port]" and ";name[=value]" parameters, nothing
 * empty, no comma */
static bool via_plain(const struct pl *line)
{
	struct pl val, params;

	if (re_regex(line->p, line->l, "[^:]+:[ \t]*SIP/2.0/[A-Za-z]+[ ]+"
		     "[^ ;,]+[^]*", NULL, NULL, NULL, NULL, NULL, &params) ||
	    pl_strchr(line, ','))
		return false;

	val = params;
	while (val.l) {
		const char *semi;

		if (val.p[0] != ';' || val.l < 2 || val.p[1] == ';' ||
		    val.p[1] == '=')
			return false;
		pl_advance(&val, 1);
		if (val.l >= 7 && !strncasecmp(val.p, "branch=", 7))
			return false;
		semi = pl_strchr(&val, ';');
		pl_advance(&val, semi ? (size_t)(semi - val.p) : val.l);
	}

	return true;
}


/* A request line "METHOD scheme:... SIP/2.0" with nothing odd */
static bool reqline_plain(const struct pl *text)
{
	const char *eol = memchr(text->p, '\r', min(text->l, (size_t)2048));
	struct pl first, met, uri;

	if (!eol)
		return false;

	first.p = text->p;
	first.l = (size_t)(eol - text->p);
	if (re_regex(first.p, first.l, "[A-Z]+ [^ ]+ SIP/2.0", &met, &uri) ||
	    met.p != first.p || met.l + uri.l + 9 != first.l)
		return false;

	return isalpha((unsigned char)uri.p[0]) && pl_strchr(&uri, ':') &&
		!pl_strchr(&uri, '<') && !pl_strchr(&uri, '>');
}


/* The top Via line, if it is one plain element with no branch: its
 * end, where a branch goes (an offset into text) */
static bool via_gap(const struct pl *text, size_t *offp)
{
	struct pl rest = *text, line, el;
	bool start = true;

	while (sipline_next(&rest, &line)) {
		if (start || !sipline_is(&line, "Via", 'v')) {
			if (!start && !line.l)
				return false;     /* end of the headers */
			start = false;
			continue;
		}

		el = line;
		while (el.l && (el.p[el.l - 1] == ' ' || el.p[el.l - 1] == '\t'))
			--el.l;
		if (!via_plain(&el))
			return false;

		*offp = (size_t)(el.p + el.l - text->p);
		return true;
	}

	return false;
}


/* Our branch for a request: the same for its retransmissions, and for
 * its ACK and CANCEL */
static void branch_hex(char *hex, const struct sip_msg *msg,
		       const struct sa *src)
{
	char key[512];
	int n;

	n = re_snprintf(key, sizeof(key), "%r|%u|%r|%J", &msg->callid,
			msg->cseq.num, &msg->from.tag, src);
	if (n < 2)
		n = 2;

	(void)re_snprintf(hex, BRANCH_HEX + 1, "%08x%08x",
			  hash_joaat((uint8_t *)key, (size_t)n),
			  hash_joaat((uint8_t *)key + 1, (size_t)n - 1));
}


/**
 * Make an RFC 2543 request decodable: a plain top Via without a branch
 * gets one of ours, stable for the request's retransmissions, ACK and
 * CANCEL; only if the request line is plain and the result decodes
 *
 * @param mb  The datagram from its pos; rewritten if true is returned
 * @param src Its source
 *
 * @return true if it was rewritten
 */
bool sip2543_norm(struct mbuf *mb, const struct sa *src)
{
	struct pl text = {(const char *)mbuf_buf(mb), mbuf_get_left(mb)};
	const size_t blen = strlen(BRANCH_2543);
	struct sip_msg *msg = NULL;
	struct mbuf *n = NULL;
	size_t off, start = mb->pos;
	char hex[BRANCH_HEX + 1];
	bool ok = false;

	if (!reqline_plain(&text) || !via_gap(&text, &off))
		return false;

	n = mbuf_alloc(text.l + blen + BRANCH_HEX);
	if (!n || mbuf_write_mem(n, (const uint8_t *)text.p, off) ||
	    mbuf_printf(n, "%s%016u", BRANCH_2543, 0) ||
	    mbuf_write_mem(n, (const uint8_t *)text.p + off, text.l - off))
		goto out;

	n->pos = 0;
	if (sip_msg_decode(&msg, n))
		goto out;

	branch_hex(hex, msg, src);
	memcpy(n->buf + off + blen, hex, BRANCH_HEX);

	mb->end = start;
	if (mbuf_write_mem(mb, n->buf, n->end))
		goto out;
	mb->pos = start;
	ok = true;

 out:
	mem_deref(msg);
	mem_deref(n);

	return ok;
}


/**
 * Take our branch out of an answer to such a request, so that its Via
 * is the request's again
 *
 * @param mb A response from its pos; shortened in place
 *
 * @return true if the branch was there
 */
bool sip2543_strip(struct mbuf *mb)
{
	const size_t len = strlen(BRANCH_2543) + BRANCH_HEX;
	uint8_t *p = mbuf_buf(mb), *b;
	size_t n = mbuf_get_left(mb);

	if (n < 8 || memcmp(p, "SIP/2.0 ", 8))
		return false;

	b = memmem(p, min(n, (size_t)4096), BRANCH_2543, len - BRANCH_HEX);
	if (!b || (size_t)(b - p) + len > n)
		return false;

	memmove(b, b + len, n - (size_t)(b - p) - len);
	mb->end -= len;

	return true;
}
