/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipframe.c  Framing SIP messages on a stream (TCP, TLS)
 *
 * On a stream, a message ends where its Content-Length says (RFC 3261
 * §18.3), so the framer finds every message before anything decodes
 * it, and a message libre cannot decode costs only that message: the
 * connection goes on with the next one. Bytes in, events out; no
 * sockets and no timers, so that it is tested and fuzzed alone.
 *
 * - CRLFs before a message are skipped; a CRLFCRLF there is a
 *   keep-alive ping, answered with one CRLF (RFC 5626 §4.4.1).
 * - The headers end at the first empty line (CRLFCRLF; LFLF is taken
 *   too). Content-Length is then read in full or compact form, any
 *   case, blanks before the colon allowed; it must be there, once (or
 *   repeated with the same value), and be a number.
 * - A message larger than the limit fails with 513, one whose length
 *   cannot be known with 400. Either way the rest of the stream cannot
 *   be framed: the framer takes nothing more, and its owner answers
 *   and closes.
 */
#include <string.h>
#include <re.h>
#include "sipline.h"
#include "sipframe.h"


enum {
	CLEN_DIGITS = 10,   /**< More digits than any limit allows */
};

/** A stream's framing state */
struct sipframe {
	struct mbuf *mb;     /**< Bytes not yet framed, from pos 0     */
	size_t max;          /**< Largest message taken                */
	size_t scan;         /**< Where the search for the end resumes */
	bool failed;         /**< Nothing more is taken                */
	sipframe_h *h;       /**< Event handler                        */
	void *arg;           /**< Its argument                         */
};


static void sipframe_destructor(void *data)
{
	struct sipframe *sf = data;

	mem_deref(sf->mb);
}


/**
 * Create a framer
 *
 * @param sfp Pointer to allocated framer
 * @param max Largest message taken, in bytes (headers and body)
 * @param h   Event handler
 * @param arg Handler argument
 *
 * @return 0 if success, otherwise errorcode
 */
int sipframe_alloc(struct sipframe **sfp, size_t max, sipframe_h *h,
		   void *arg)
{
	struct sipframe *sf;

	if (!sfp || max < 64 || !h)
		return EINVAL;

	sf = mem_zalloc(sizeof(*sf), sipframe_destructor);
	if (!sf)
		return ENOMEM;

	sf->mb = mbuf_alloc(1024);
	if (!sf->mb) {
		mem_deref(sf);
		return ENOMEM;
	}

	sf->max = max;
	sf->h = h;
	sf->arg = arg;
	*sfp = sf;

	return 0;
}


/* One Content-Length value: digits between optional blanks */
static int clen_value(const struct pl *line, size_t *v)
{
	const char *p = memchr(line->p, ':', line->l);
	const char *end = line->p + line->l;
	size_t n = 0, digits = 0;

	if (!p)
		return EBADMSG;

	for (++p; p < end && (*p == ' ' || *p == '\t'); ++p)
		;
	for (; p < end && *p >= '0' && *p <= '9'; ++p) {
		if (++digits > CLEN_DIGITS)
			return EOVERFLOW;
		n = n * 10 + (size_t)(*p - '0');
	}
	for (; p < end && (*p == ' ' || *p == '\t'); ++p)
		;

	if (!digits || p != end)
		return EBADMSG;

	*v = n;

	return 0;
}


/**
 * The Content-Length of a message's headers
 *
 * @param hdrs The start line and headers, as they came
 * @param clen Set to the length of the body
 *
 * @return 0 if success, ENOENT if there is none, EBADMSG if it is not
 *         a number or repeated with another value, EOVERFLOW if it has
 *         too many digits
 */
int sipframe_clen(const struct pl *hdrs, size_t *clen)
{
	struct pl rest, line;
	bool found = false;
	size_t v = 0, w;
	int err;

	if (!hdrs || !clen)
		return EINVAL;

	rest = *hdrs;
	(void)sipline_next(&rest, &line);
	while (sipline_next(&rest, &line) && line.l) {
		if (!sipline_is(&line, "Content-Length", 'l'))
			continue;

		err = clen_value(&line, &w);
		if (err)
			return err;
		if (found && w != v)
			return EBADMSG;

		v = w;
		found = true;
	}

	if (!found)
		return ENOENT;

	*clen = v;

	return 0;
}


/* Skip CRLFs before a message; a CRLFCRLF is a ping. false: wait */
static bool leading(struct sipframe *sf)
{
	struct mbuf *mb = sf->mb;

	while (mbuf_get_left(mb)) {
		const uint8_t *p = mbuf_buf(mb);
		size_t n = mbuf_get_left(mb);

		if (n >= 4 && !memcmp(p, "\r\n\r\n", 4)) {
			mb->pos += 4;
			sf->h(SIPFRAME_PONG, NULL, 0, sf->arg);
		}
		else if (n >= 2 && !memcmp(p, "\r\n", 2)) {
			if (n < 4 && !memcmp(p + 2, "\r\n", n - 2))
				return false;     /* maybe half a ping */
			mb->pos += 2;
		}
		else if (p[0] == '\n' || (n >= 2 && p[0] == '\r')) {
			mb->pos += 1;
		}
		else {
			return p[0] != '\r';
		}
	}

	return false;
}


/* Where the headers end, from sf->scan; 0 if not yet */
static size_t head_end(struct sipframe *sf)
{
	const uint8_t *p = mbuf_buf(sf->mb);
	size_t n = mbuf_get_left(sf->mb);

	for (size_t i = sf->scan; i < n; i++) {
		if (p[i] != '\n')
			continue;
		if (i + 1 < n && p[i + 1] == '\n')
			return i + 2;
		if (i + 2 < n && p[i + 1] == '\r' && p[i + 2] == '\n')
			return i + 3;
	}

	sf->scan = n > 2 ? n - 2 : 0;

	return 0;
}


/* Report a failure with the headers as far as they came */
static void fail(struct sipframe *sf, size_t hlen, uint16_t scode)
{
	struct mbuf hdrs;

	sf->failed = true;
	mbuf_init(&hdrs);
	hdrs.buf = mbuf_buf(sf->mb);
	hdrs.size = hdrs.end = min(hlen, mbuf_get_left(sf->mb));
	sf->h(SIPFRAME_FAIL, &hdrs, scode, sf->arg);
}


/* Hand the next whole message out; false if there is none yet */
static bool next(struct sipframe *sf)
{
	size_t hlen, clen, have;
	struct mbuf *msg;
	struct pl hdrs;
	int err;

	if (!leading(sf))
		return false;

	hlen = head_end(sf);
	if (!hlen) {
		if (mbuf_get_left(sf->mb) > sf->max)
			fail(sf, sf->max, 513);
		return false;
	}

	hdrs.p = (const char *)mbuf_buf(sf->mb);
	hdrs.l = hlen;
	err = sipframe_clen(&hdrs, &clen);
	if (err) {
		fail(sf, hlen, err == EOVERFLOW ? 513 : 400);
		return false;
	}

	if (hlen + clen > sf->max) {
		fail(sf, hlen, 513);
		return false;
	}

	have = mbuf_get_left(sf->mb);
	if (have < hlen + clen)
		return false;

	msg = mbuf_alloc(hlen + clen);
	if (!msg)
		return false;

	(void)mbuf_write_mem(msg, mbuf_buf(sf->mb), hlen + clen);
	msg->pos = 0;
	sf->mb->pos += hlen + clen;
	sf->scan = 0;
	sf->h(SIPFRAME_MSG, msg, 0, sf->arg);
	mem_deref(msg);

	return true;
}


/* Move what is left to the front of the buffer */
static void compact(struct sipframe *sf)
{
	struct mbuf *mb = sf->mb;
	size_t left = mbuf_get_left(mb);

	if (!mb->pos)
		return;

	memmove(mb->buf, mbuf_buf(mb), left);
	mb->pos = 0;
	mb->end = left;
}


/**
 * Take bytes from the stream
 *
 * @param sf Framer
 * @param p  Bytes
 * @param n  How many
 *
 * @return 0 if success, EPIPE once the framer has failed, otherwise
 *         errorcode
 */
int sipframe_input(struct sipframe *sf, const uint8_t *p, size_t n)
{
	size_t pos;
	int err;

	if (!sf || (!p && n))
		return EINVAL;

	if (sf->failed)
		return EPIPE;

	pos = sf->mb->pos;
	sf->mb->pos = sf->mb->end;
	err = mbuf_write_mem(sf->mb, p, n);
	sf->mb->pos = pos;
	if (err)
		return err;

	while (!sf->failed && next(sf))
		;

	compact(sf);

	return sf->failed ? EPIPE : 0;
}


/** @return true while part of a message is buffered */
bool sipframe_started(const struct sipframe *sf)
{
	return sf && mbuf_get_left(sf->mb) > 0;
}


/** @return true once the stream cannot be framed any more */
bool sipframe_failed(const struct sipframe *sf)
{
	return sf && sf->failed;
}
