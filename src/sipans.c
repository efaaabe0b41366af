/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipans.c  Answers to requests libre cannot decode
 *
 * RFC 4475 wants a request answered even when it cannot be decoded:
 * 405 for a method the edge never takes out of a dialog (REGISTER,
 * MESSAGE, SUBSCRIBE, PUBLISH: the method is looked at before anything
 * else, RFC 3261 §8.2.1), 505 for another SIP version, 416 for a
 * Request-URI scheme we do not know, 400 for the rest. The answer is
 * built from the lines of the request that can be found (Via, From,
 * To, Call-ID, CSeq); without a Via there is nowhere to send it. Both
 * the UDP helper (sipraw.c) and the stream framing use it.
 */
#include <string.h>
#include <re.h>
#include "sipline.h"
#include "sipans.h"


enum {
	FIRST_MAX = 1024,   /**< Where the request line must end */
};


/* The first line of a message */
static void first_line(const struct pl *msg, struct pl *first)
{
	struct pl rest = *msg;

	if (!sipline_next(&rest, first))
		*first = *msg;
}


/**
 * Whether a message is a request: a first line "METHOD ... SIP/x.y",
 * however malformed in between
 *
 * @param msg The message as it came
 *
 * @return true if it looks like a request
 */
bool sipans_is_request(const struct pl *msg)
{
	const char *eol;
	struct pl first;

	if (!msg || msg->l < 16 || !strncmp(msg->p, "SIP/", 4) ||
	    msg->p[0] <= ' ')
		return false;

	eol = memchr(msg->p, '\n', min(msg->l, (size_t)FIRST_MAX));
	if (!eol)
		return false;

	first.p = msg->p;
	first.l = (size_t)(eol - msg->p);

	for (size_t i = 0; i + 6 <= first.l; i++) {
		if (!memcmp(first.p + i, " SIP/", 5) &&
		    first.p[i + 5] >= '0' && first.p[i + 5] <= '9')
			return true;
	}

	return false;
}


static bool never_taken(const struct pl *met)
{
	static const char *v[] = {"REGISTER", "MESSAGE", "SUBSCRIBE",
				  "PUBLISH"};

	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		if (!pl_strcmp(met, v[i]))
			return true;
	}

	return false;
}


/**
 * The status an undecodable request earns, from its request line
 *
 * @param msg    The request as it came
 * @param reason Set to the reason phrase (a constant)
 *
 * @return 405, 505, 416 or 400
 */
uint16_t sipans_status(const struct pl *msg, const char **reason)
{
	struct pl first, met, uri, ver, scheme;

	first_line(msg, &first);

	if (!re_regex(first.p, first.l, "[^ ]+ ", &met) &&
	    met.p == first.p && never_taken(&met)) {
		*reason = "Method Not Allowed";
		return 405;
	}

	if (!re_regex(first.p, first.l, "[^ ]+ [^ ]+ SIP/[^ \r\n]+",
		      &met, &uri, &ver) &&
	    pl_strcmp(&ver, "2.0")) {
		*reason = "Version Not Supported";
		return 505;
	}

	if (!re_regex(first.p, first.l, "[^ ]+ [a-zA-Z0-9+.\\-]+:",
		      &met, &scheme) &&
	    pl_strcasecmp(&scheme, "sip") && pl_strcasecmp(&scheme, "sips") &&
	    pl_strcasecmp(&scheme, "tel")) {
		*reason = "Unsupported URI Scheme";
		return 416;
	}

	*reason = "Bad Request";

	return 400;
}


/* The request's Via, From, To, Call-ID and CSeq lines, as they came */
static int lines_copy(struct mbuf *out, const struct pl *msg, bool *via)
{
	struct pl rest = *msg, line;
	int err = 0;

	*via = false;
	(void)sipline_next(&rest, &line);
	while (!err && sipline_next(&rest, &line) && line.l) {
		if (sipline_is(&line, "Via", 'v'))
			*via = true;
		else if (!sipline_is(&line, "From", 'f') &&
			 !sipline_is(&line, "Call-ID", 'i') &&
			 !sipline_is(&line, "CSeq", '\0') &&
			 !sipline_is(&line, "To", 't'))
			continue;

		err = mbuf_printf(out, "%r\r\n", &line);
	}

	return err;
}


/**
 * Write the answer to an undecodable request
 *
 * @param mb     Buffer, written from its pos
 * @param msg    The request as it came
 * @param scode  Status code (sipans_status)
 * @param reason Reason phrase
 * @param allow  The Allow of a 405
 *
 * @return 0 if success, EBADMSG if the request has no Via, otherwise
 *         errorcode
 */
int sipans_encode(struct mbuf *mb, const struct pl *msg, uint16_t scode,
		  const char *reason, const char *allow)
{
	bool via;
	int err;

	if (!mb || !msg || !reason || !allow)
		return EINVAL;

	err = mbuf_printf(mb, "SIP/2.0 %u %s\r\n", scode, reason);
	if (!err)
		err = lines_copy(mb, msg, &via);
	if (!err && !via)
		err = EBADMSG;
	if (!err && scode == 405)
		err = mbuf_printf(mb, "Allow: %s\r\n", allow);
	if (!err)
		err = mbuf_write_str(mb, "Content-Length: 0\r\n\r\n");

	return err;
}
