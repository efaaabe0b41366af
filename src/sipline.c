/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipline.c  Lines of a SIP message as it came, before decoding
 *
 * What reads a message libre has not decoded (or must not decode yet)
 * walks it line by line: the answers to undecodable requests, the
 * normalisers that make a message decodable, the stream framer. A
 * header line is "Name:" with blanks allowed before the colon (RFC
 * 3261 §7.3.1: HCOLON); folded continuation lines start with a blank
 * and name nothing.
 */
#include <string.h>
#include <strings.h>
#include <re.h>
#include "sipline.h"


/**
 * Take the next line off a text
 *
 * @param rest The text left; advanced past the line and its end
 * @param line Set to the line without CR or LF
 *
 * @return false when nothing is left
 */
bool sipline_next(struct pl *rest, struct pl *line)
{
	const char *eol;
	size_t len;

	if (!rest || !line || !rest->l)
		return false;

	eol = memchr(rest->p, '\n', rest->l);
	len = eol ? (size_t)(eol - rest->p) + 1 : rest->l;

	line->p = rest->p;
	line->l = len;
	pl_advance(rest, len);

	while (line->l && (line->p[line->l - 1] == '\n' ||
			   line->p[line->l - 1] == '\r'))
		--line->l;

	return true;
}


/**
 * The name of a header line: the token before the colon, without the
 * blanks that may precede it
 *
 * @param line A line (sipline_next)
 * @param name Set to the name
 *
 * @return true if the line is "token [blanks] : ..."
 */
bool sipline_name(const struct pl *line, struct pl *name)
{
	size_t i = 0, end;

	if (!line || !name)
		return false;

	while (i < line->l && line->p[i] > ' ' && line->p[i] != ':' &&
	       line->p[i] < 0x7f)
		++i;

	end = i;
	while (i < line->l && (line->p[i] == ' ' || line->p[i] == '\t'))
		++i;

	if (!end || i >= line->l || line->p[i] != ':')
		return false;

	name->p = line->p;
	name->l = end;

	return true;
}


/**
 * Whether a line is a given header, in its full or compact name
 *
 * @param line    A line
 * @param name    Full name, any case
 * @param compact Compact form (lower case), or '\0' if it has none
 *
 * @return true if it is
 */
bool sipline_is(const struct pl *line, const char *name, char compact)
{
	struct pl n;

	if (!sipline_name(line, &n))
		return false;

	if (n.l == 1)
		return compact && (n.p[0] | 0x20) == compact;

	return !pl_strcasecmp(&n, name);
}
