/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file dplan.c  The dial plan of UM's outbound calls: number, toll-fraud
 *                guard, route
 */
#include <string.h>
#include <re.h>
#include "cfg.h"
#include "dplan.h"


/* RFC 3966 visual separators, dropped from a dialled number */
static bool visual_sep(char c)
{
	return c == '-' || c == '.' || c == '(' || c == ')';
}


/* The digits of a number as dplan_number() gives it, 0 if it is not one */
static size_t num_digits(const char *num)
{
	size_t i = num[0] == '+' ? 1 : 0, digits = 0;

	for (; num[i]; i++) {
		if (num[i] < '0' || num[i] > '9')
			return 0;
		++digits;
	}

	return digits <= CFG_DIGITS_MAX ? digits : 0;
}


static bool prefix_of(const char *prefix, const char *num)
{
	return 0 == strncmp(num, prefix, strlen(prefix));
}


/**
 * The number an inside INVITE dials: the user part of a sip: or sips:
 * Request-URI, or the number of a tel: URI, without RFC 3966 visual
 * separators ('-', '.', '(', ')'). URI parameters such as user=phone
 * are ignored; user-part parameters (";isub=", ";phone-context=") and
 * %-escapes are not accepted.
 *
 * @param num  Buffer for the number: '+'? and 1 to 15 digits
 * @param sz   Its size; DPLAN_NUM_MAX always suffices
 * @param uri  The Request-URI
 *
 * @return 0 if success, EINVAL if the URI dials no well-formed number
 *         (answer 484), EOVERFLOW if num is too small
 */
int dplan_number(char *num, size_t sz, const struct uri *uri)
{
	char buf[DPLAN_NUM_MAX];
	const struct pl *src;
	size_t n = 0;

	if (!num || !sz || !uri)
		return EINVAL;

	num[0] = '\0';

	if (!pl_strcasecmp(&uri->scheme, "sip") ||
	    !pl_strcasecmp(&uri->scheme, "sips"))
		src = &uri->user;
	else if (!pl_strcasecmp(&uri->scheme, "tel"))
		src = &uri->host;
	else
		return EINVAL;

	for (size_t i = 0; i < src->l; i++) {
		char c = src->p[i];

		if (visual_sep(c))
			continue;

		if (n + 1 >= sizeof(buf) ||
		    !((c >= '0' && c <= '9') || (c == '+' && i == 0)))
			return EINVAL;

		buf[n++] = c;
	}

	buf[n] = '\0';

	if (!num_digits(buf))
		return EINVAL;

	if (n >= sz)
		return EOVERFLOW;

	memcpy(num, buf, n + 1);

	return 0;
}


/**
 * May UM dial this number? Deny by default: only a sip_out_allow line
 * whose prefix the number starts with (the '+' included), and whose
 * MIN-MAX holds its digit count (the '+' not counted), allows it.
 *
 * @param cfg  Configuration
 * @param num  A number as dplan_number() gives it
 *
 * @return true if it may be dialled; false for anything malformed
 */
bool dplan_allowed(const struct cfg *cfg, const char *num)
{
	size_t digits;

	if (!cfg || !num)
		return false;

	digits = num_digits(num);
	if (!digits)
		return false;

	for (struct le *le = cfg->sip.out_allow.head; le; le = le->next) {
		const struct cfg_allow *a = le->data;

		if (prefix_of(a->prefix, num) && digits >= a->min &&
		    digits <= a->max)
			return true;
	}

	return false;
}


/**
 * The route of a number: the sip_route with the longest prefix the
 * number starts with, else the default route
 *
 * @param cfg  Configuration
 * @param num  A number as dplan_number() gives it
 *
 * @return the route, NULL if none matches (or num is malformed)
 */
const struct cfg_route *dplan_route(const struct cfg *cfg, const char *num)
{
	const struct cfg_route *best = NULL;
	size_t best_len = 0;

	if (!cfg || !num || !num_digits(num))
		return NULL;

	for (struct le *le = cfg->sip.routes.head; le; le = le->next) {
		const struct cfg_route *r = le->data;
		size_t len = strlen(r->prefix);

		if (!prefix_of(r->prefix, num))
			continue;

		if (!best || len > best_len) {
			best = r;
			best_len = len;
		}
	}

	return best;
}
