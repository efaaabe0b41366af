/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file divhi.c  Diversion and History-Info read into one chain of
 *                diversions, oldest first, and written back (RFC 7544)
 *
 * History-Info to Diversion: an entry is a diversion when it carries
 * an RFC 4458 cause or an mp tag (RFC 7044 style: some entry is tagged
 * rc, mp or np), or when it has a parent at all (RFC 4244 style: no
 * tags anywhere). The diverting party is the parent: the mp value, else
 * the index without its last ".n". The reason is the entry's cause, or
 * the Reason escaped in the parent's URI (SIP or Q.850). A cause of 380
 * (RFC 8119) is a number translation, not a diversion.
 *
 * Diversion to History-Info: index 1 is the oldest diverting party;
 * each next entry is the next one, with the cause of the previous
 * reason and mp= its parent; the last entry is the callee, with the
 * cause of the newest reason. A counter of n stands for n-1
 * placeholder entries before the real one.
 */
#include <string.h>
#include <ctype.h>
#include <re.h>
#include "divhi.h"


/* Diversion reasons, by enum divhi_reason */
static const char *reasons[] = {
	"unknown", "unconditional", "user-busy", "no-answer", "deflection",
	"unavailable", "time-of-day", "do-not-disturb", "follow-me",
	"out-of-service", "away",
};

static const char placeholder[] = "sip:unknown@unknown.invalid";

/* One History-Info entry as read */
struct hient {
	struct pl dname, uri;        /* its name-addr                   */
	uint16_t idx[DIVHI_DEPTH];   /* index, one number per level     */
	unsigned depth;
	uint16_t mp[DIVHI_DEPTH];    /* mp tag's index                  */
	unsigned mpdepth;            /* 0: no mp tag                    */
	bool tagged;                 /* rc, mp or np                    */
	uint16_t cause;              /* RFC 4458 cause on its URI, 0    */
	uint16_t rcause;             /* Reason escaped in its URI, 0    */
	bool q850;                   /* ...a Q.850 cause                */
	bool priv;                   /* Privacy=history escaped in it   */
};


static void trim(struct pl *pl)
{
	while (pl->l && isspace((unsigned char)pl->p[0])) {
		++pl->p;
		--pl->l;
	}
	while (pl->l && isspace((unsigned char)pl->p[pl->l - 1]))
		--pl->l;
}


static void unquote(struct pl *pl)
{
	if (pl->l >= 2 && pl->p[0] == '"' && pl->p[pl->l - 1] == '"') {
		++pl->p;
		pl->l -= 2;
	}
}


/* The next item of s up to one of seps outside quotes and <>; s->p is
 * NULL after the last one */
static bool item_next(struct pl *s, const char *seps, struct pl *item)
{
	bool quoted = false, angle = false;
	size_t i;

	if (!s->p)
		return false;

	for (i = 0; i < s->l; i++) {
		char ch = s->p[i];

		if (quoted) {
			if (ch == '\\')
				++i;
			else if (ch == '"')
				quoted = false;
		}
		else if (ch == '"')
			quoted = true;
		else if (ch == '<')
			angle = true;
		else if (ch == '>')
			angle = false;
		else if (!angle && strchr(seps, ch))
			break;
	}

	item->p = s->p;
	item->l = i < s->l ? i : s->l;
	if (i < s->l) {
		s->p += i + 1;
		s->l -= i + 1;
	}
	else {
		s->p = NULL;
		s->l = 0;
	}
	trim(item);

	return true;
}


/* The value of a "name[=value]" item of a list (unquoted); an item
 * without '=' has an empty value */
static bool param_find(const struct pl *list, const char *seps,
		       const char *name, struct pl *val)
{
	struct pl s = *list, item;

	while (item_next(&s, seps, &item)) {
		const char *eq = pl_strchr(&item, '=');
		struct pl n = item;

		if (eq)
			n.l = (size_t)(eq - item.p);
		trim(&n);
		if (pl_strcasecmp(&n, name))
			continue;

		val->p = eq ? eq + 1 : item.p + item.l;
		val->l = (size_t)(item.p + item.l - val->p);
		trim(val);
		unquote(val);
		return true;
	}

	return false;
}


/* The number its leading digits make, 0 if there are more than maxdig
 * of them */
static uint32_t num_lead(const struct pl *v, size_t maxdig)
{
	uint32_t n = 0;
	size_t i;

	for (i = 0; i < v->l && isdigit((unsigned char)v->p[i]); i++) {
		if (i == maxdig)
			return 0;
		n = n * 10 + (uint32_t)(v->p[i] - '0');
	}

	return n;
}


static bool all_digits(const struct pl *pl)
{
	for (size_t i = 0; i < pl->l; i++) {
		if (!isdigit((unsigned char)pl->p[i]))
			return false;
	}

	return pl->l > 0;
}


static bool text_ok(const struct pl *pl, const char *bad)
{
	for (size_t i = 0; i < pl->l; i++) {
		unsigned char ch = (unsigned char)pl->p[i];

		if (ch < 0x20 || ch == 0x7f || strchr(bad, ch))
			return false;
	}

	return true;
}


/* A name-addr: its display name, the URI inside <>, what follows */
static int addr_decode(const struct pl *v, struct pl *dname,
		       struct pl *uri, struct pl *params)
{
	const char *lt = NULL, *gt;
	bool quoted = false;

	for (size_t i = 0; i < v->l && !lt; i++) {
		char ch = v->p[i];

		if (quoted) {
			if (ch == '\\')
				++i;
			else if (ch == '"')
				quoted = false;
		}
		else if (ch == '"')
			quoted = true;
		else if (ch == '<')
			lt = v->p + i;
	}
	if (!lt)
		return EBADMSG;

	gt = memchr(lt, '>', (size_t)(v->p + v->l - lt));
	if (!gt)
		return EBADMSG;

	uri->p = lt + 1;
	uri->l = (size_t)(gt - uri->p);
	dname->p = v->p;
	dname->l = (size_t)(lt - v->p);
	trim(dname);
	params->p = gt + 1;
	params->l = (size_t)(v->p + v->l - params->p);

	if (!uri->l || uri->l > DIVHI_URI_MAX || !pl_strchr(uri, ':') ||
	    !text_ok(uri, " <\"\\") || !text_ok(dname, ""))
		return EBADMSG;

	return 0;
}


/* A URI's parts: what comes before its parameters; its parameters
 * (from the first ';' after the userinfo, with it); its headers */
static void uri_split(const struct pl *uri, struct pl *base,
		      struct pl *params, struct pl *hdrs)
{
	const char *q = pl_strchr(uri, '?');
	const char *end = q ? q : uri->p + uri->l;
	const char *at = memchr(uri->p, '@', (size_t)(end - uri->p));
	const char *from = at ? at : uri->p;
	const char *semi = memchr(from, ';', (size_t)(end - from));

	base->p = uri->p;
	base->l = (size_t)((semi ? semi : end) - uri->p);
	params->p = semi ? semi : end;
	params->l = (size_t)(end - params->p);
	hdrs->p = q ? q + 1 : end;
	hdrs->l = (size_t)(uri->p + uri->l - hdrs->p);
}


static int index_decode(const struct pl *v, uint16_t *idx, unsigned *depth)
{
	struct pl s = *v, item;

	*depth = 0;
	if (!v->l)
		return EBADMSG;

	while (item_next(&s, ".", &item)) {
		uint32_t n = num_lead(&item, 5);

		if (*depth == DIVHI_DEPTH || !n || n > 65535 ||
		    !all_digits(&item))
			return EBADMSG;
		idx[(*depth)++] = (uint16_t)n;
	}

	return 0;
}


/* %XX-decoded into buf; false if it does not fit */
static bool pct_decode(const struct pl *in, char *buf, size_t sz)
{
	size_t o = 0;

	for (size_t i = 0; i < in->l; i++) {
		char ch = in->p[i];

		if (ch == '%' && i + 2 < in->l &&
		    isxdigit((unsigned char)in->p[i + 1]) &&
		    isxdigit((unsigned char)in->p[i + 2])) {
			ch = (char)(ch_hex(in->p[i + 1]) << 4 |
				    ch_hex(in->p[i + 2]));
			i += 2;
		}
		if (o + 1 >= sz)
			return false;
		buf[o++] = ch;
	}
	buf[o] = '\0';

	return true;
}


/* The headers escaped in an entry's URI: Reason and Privacy */
static void uri_hdrs_take(struct hient *e, const struct pl *hdrs)
{
	struct pl val, r, proto, cause;
	char buf[256];

	if (param_find(hdrs, "&?", "Privacy", &val) &&
	    pct_decode(&val, buf, sizeof(buf))) {
		pl_set_str(&r, buf);
		e->priv = divhi_privacy_history(&r);
	}

	if (!param_find(hdrs, "&?", "Reason", &val) ||
	    !pct_decode(&val, buf, sizeof(buf)))
		return;

	pl_set_str(&r, buf);
	if (!item_next(&r, ";", &proto) || !r.p ||
	    !param_find(&r, ";", "cause", &cause))
		return;

	e->q850 = !pl_strcasecmp(&proto, "Q.850");
	if (e->q850 || !pl_strcasecmp(&proto, "SIP"))
		e->rcause = (uint16_t)num_lead(&cause, 3);
}


static int hient_decode(struct hient *e, const struct pl *v)
{
	struct pl params, base, uparams, hdrs, val;
	int err;

	memset(e, 0, sizeof(*e));
	err = addr_decode(v, &e->dname, &e->uri, &params);
	if (err)
		return err;

	if (!param_find(&params, ";", "index", &val) ||
	    index_decode(&val, e->idx, &e->depth))
		return EBADMSG;
	if (param_find(&params, ";", "mp", &val) &&
	    index_decode(&val, e->mp, &e->mpdepth))
		return EBADMSG;
	e->tagged = e->mpdepth || param_find(&params, ";", "rc", &val) ||
		param_find(&params, ";", "np", &val);

	uri_split(&e->uri, &base, &uparams, &hdrs);
	if (param_find(&uparams, ";", "cause", &val))
		e->cause = (uint16_t)num_lead(&val, 3);
	uri_hdrs_take(e, &hdrs);

	return 0;
}


static int idx_cmp(const uint16_t *a, unsigned an, const uint16_t *b,
		   unsigned bn)
{
	for (unsigned i = 0; i < an && i < bn; i++) {
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	}

	return (int)an - (int)bn;
}


/* Entries in index order (insertion sort: at most DIVHI_MAX) */
static void hient_sort(struct hient *e, unsigned m)
{
	for (unsigned i = 1; i < m; i++) {
		struct hient t = e[i];
		unsigned j = i;

		for (; j && idx_cmp(e[j - 1].idx, e[j - 1].depth, t.idx,
				    t.depth) > 0; j--)
			e[j] = e[j - 1];
		e[j] = t;
	}
}


static const struct hient *parent_of(const struct hient *e, unsigned m,
				     const struct hient *d)
{
	const uint16_t *pi = d->mpdepth ? d->mp : d->idx;
	unsigned pn = d->mpdepth ? d->mpdepth : d->depth - 1;

	for (unsigned i = 0; pn && i < m; i++) {
		if (&e[i] != d && !idx_cmp(e[i].idx, e[i].depth, pi, pn))
			return &e[i];
	}

	return NULL;
}


/* The diversion entry d stands for, if it is one */
static void div_take(struct divhi_chain *c, const struct hient *e,
		     unsigned m, const struct hient *d, bool tagged,
		     bool priv_all)
{
	const struct hient *p;
	struct divhi_div *dv;
	uint16_t cause;
	bool q850 = false;

	if (tagged && !d->cause && !d->mpdepth)
		return;
	p = parent_of(e, m, d);
	if (!p)
		return;

	/* RFC 4244 puts the Reason on the parent, RFC 7044 the cause on
	 * the new target */
	cause = tagged || !p->rcause ? d->cause : 0;
	if (!cause && p->rcause) {
		cause = p->rcause;
		q850 = p->q850;
	}
	if (cause == 380 && !q850)
		return;

	if (c->n == DIVHI_MAX) {
		c->truncated = true;
		return;
	}

	dv = &c->d[c->n++];
	dv->dname = p->dname;
	dv->uri = p->uri;
	dv->cause = q850 ? 0 : cause;
	dv->reason = divhi_cause_reason(cause, q850);
	dv->priv = priv_all || p->priv;
}


/**
 * Read History-Info entries into a chain of diversions
 *
 * @param c        Chain, set (its URIs point into entries)
 * @param entries  History-Info values, one or more entries each
 * @param n        How many
 * @param priv_all The request has Privacy: history
 *
 * @return 0 if a diversion was found, ENOENT if none, else errorcode
 */
int divhi_hi_decode(struct divhi_chain *c, const struct pl *entries,
		    size_t n, bool priv_all)
{
	struct hient e[DIVHI_MAX];
	bool tagged = false;
	unsigned m = 0;

	if (!c || (n && !entries))
		return EINVAL;

	memset(c, 0, sizeof(*c));

	for (size_t i = 0; i < n && !c->truncated; i++) {
		struct pl s = entries[i], item;

		while (item_next(&s, ",", &item)) {
			if (m == DIVHI_MAX) {
				c->truncated = true;
				break;
			}
			if (hient_decode(&e[m], &item))
				continue;
			tagged |= e[m].tagged;
			++m;
		}
	}

	hient_sort(e, m);
	for (unsigned i = 0; i < m; i++)
		div_take(c, e, m, &e[i], tagged, priv_all);

	return c->n ? 0 : ENOENT;
}


/* One Diversion value, and its counter */
static int dval_decode(struct divhi_div *d, uint32_t *counter,
		       const struct pl *v)
{
	struct pl params, val;
	int err;

	memset(d, 0, sizeof(*d));
	err = addr_decode(v, &d->dname, &d->uri, &params);
	if (err)
		return err;

	if (param_find(&params, ";", "reason", &val))
		(void)divhi_reason_decode(&val, &d->reason);

	*counter = 1;
	if (param_find(&params, ";", "counter", &val) &&
	    num_lead(&val, 5) > 1)
		*counter = min(num_lead(&val, 5), (uint32_t)DIVHI_MAX);

	if (param_find(&params, ";", "privacy", &val))
		d->priv = !pl_strcasecmp(&val, "full") ||
			!pl_strcasecmp(&val, "name") ||
			!pl_strcasecmp(&val, "uri");

	return 0;
}


/**
 * Read Diversion values into a chain of diversions
 *
 * @param c    Chain, set (oldest first; its URIs point into vals)
 * @param vals Diversion header values, newest first, one or more
 *             values each
 * @param n    How many
 *
 * @return 0 if a diversion was found, ENOENT if none, else errorcode
 */
int divhi_div_decode(struct divhi_chain *c, const struct pl *vals,
		     size_t n)
{
	struct divhi_chain rev;          /* newest first */
	const unsigned lim = DIVHI_MAX - 1;  /* the callee ends the HI */

	if (!c || (n && !vals))
		return EINVAL;

	memset(c, 0, sizeof(*c));
	memset(&rev, 0, sizeof(rev));

	for (size_t i = 0; i < n && !rev.truncated; i++) {
		struct pl s = vals[i], item;
		struct divhi_div d;
		uint32_t cnt;

		while (!rev.truncated && item_next(&s, ",", &item)) {
			if (dval_decode(&d, &cnt, &item))
				continue;

			/* the real one, then its placeholders before it */
			for (uint32_t k = 0; k < cnt; k++) {
				if (rev.n == lim) {
					rev.truncated = true;
					break;
				}
				rev.d[rev.n] = d;
				if (k)
					rev.d[rev.n].uri = pl_null;
				++rev.n;
			}
		}
	}

	for (unsigned i = 0; i < rev.n; i++)
		c->d[i] = rev.d[rev.n - 1 - i];
	c->n = rev.n;
	c->truncated = rev.truncated;

	return c->n ? 0 : ENOENT;
}


/* A URI without cause, target and headers, then the cause and the
 * privacy header when asked; a placeholder if it is unset */
static int uri_print(struct re_printf *pf, const struct pl *uri,
		     uint16_t cause, bool priv)
{
	struct pl base, params, hdrs, item, val, u = *uri;
	int err;

	if (!pl_isset(&u))
		pl_set_str(&u, placeholder);

	uri_split(&u, &base, &params, &hdrs);
	err = re_hprintf(pf, "%r", &base);

	while (!err && item_next(&params, ";", &item)) {
		if (!item.l || param_find(&item, ";", "cause", &val) ||
		    param_find(&item, ";", "target", &val))
			continue;
		err = re_hprintf(pf, ";%r", &item);
	}

	if (!err && cause)
		err = re_hprintf(pf, ";cause=%u", cause);
	if (!err && priv)
		err = re_hprintf(pf, "?Privacy=history");

	return err;
}


static int addr_print(struct re_printf *pf, const struct divhi_div *d,
		      const struct pl *uri, uint16_t cause, bool priv)
{
	int err = 0;

	if (d && pl_isset(&d->dname))
		err = re_hprintf(pf, "%r ", &d->dname);

	err |= re_hprintf(pf, "<");
	err |= uri_print(pf, uri, cause, priv);

	return err | re_hprintf(pf, ">");
}


static const char *reason_name(enum divhi_reason r)
{
	return (size_t)r < ARRAY_SIZE(reasons) ? reasons[r] : reasons[0];
}


/**
 * Print a chain as Diversion lines, newest first
 *
 * @param pf Print handler
 * @param c  Chain, not empty
 *
 * @return 0 if success, otherwise errorcode
 */
int divhi_div_print(struct re_printf *pf, const struct divhi_chain *c)
{
	int err = 0;

	if (!pf || !c || !c->n)
		return EINVAL;

	for (unsigned i = c->n; i-- && !err;) {
		const struct divhi_div *d = &c->d[i];

		err = re_hprintf(pf, "Diversion: ");
		err |= addr_print(pf, d, &d->uri, 0, false);
		err |= re_hprintf(pf, ";reason=%s;counter=1;privacy=%s\r\n",
				  reason_name(d->reason),
				  d->priv ? "full" : "off");
	}

	return err;
}


/**
 * Print a chain as one History-Info line whose last entry is the
 * callee
 *
 * @param pf     Print handler
 * @param c      Chain, not empty
 * @param target The callee's URI
 *
 * @return 0 if success, otherwise errorcode
 */
int divhi_hi_print(struct re_printf *pf, const struct divhi_chain *c,
		   const char *target)
{
	char idx[2 * DIVHI_DEPTH + 1] = "1";
	unsigned n, first;
	struct pl tgt;
	int err;

	if (!pf || !c || !c->n || !target || !*target)
		return EINVAL;

	n = min(c->n, (unsigned)DIVHI_DEPTH - 1);
	first = c->n - n;
	pl_set_str(&tgt, target);

	err = re_hprintf(pf, "History-Info: ");
	for (unsigned k = 0; k <= n && !err; k++) {
		const struct divhi_div *d = k < n ? &c->d[first + k] : NULL;
		uint16_t cause = k ? divhi_reason_cause(
			c->d[first + k - 1].reason) : 0;
		size_t len = strlen(idx);

		err = re_hprintf(pf, "%s", k ? "," : "");
		err |= addr_print(pf, d, d ? &d->uri : &tgt, cause,
				  d && d->priv);
		err |= re_hprintf(pf, ";index=%s", idx);
		if (k)
			err |= re_hprintf(pf, ";mp=%b", idx, len - 2);
		(void)re_snprintf(idx + len, sizeof(idx) - len, ".1");
	}

	return err | re_hprintf(pf, "\r\n");
}


/**
 * The History-Info cause a Diversion reason maps to (RFC 7544 §5, with
 * RFC 6044 erratum 3071: unavailable is 503)
 *
 * @param r Reason
 *
 * @return the SIP cause
 */
uint16_t divhi_reason_cause(enum divhi_reason r)
{
	switch (r) {

	case DIVHI_UNCONDITIONAL: return 302;
	case DIVHI_USER_BUSY:     return 486;
	case DIVHI_NO_ANSWER:     return 408;
	case DIVHI_DEFLECTION:    return 480;
	case DIVHI_UNAVAILABLE:   return 503;
	default:                  return 404;
	}
}


/**
 * The Diversion reason a History-Info cause maps to
 *
 * @param cause SIP cause (or Q.850 cause)
 * @param q850  The cause is Q.850's
 *
 * @return the reason, DIVHI_UNKNOWN for any other cause
 */
enum divhi_reason divhi_cause_reason(uint16_t cause, bool q850)
{
	if (q850)
		return cause == 17 ? DIVHI_USER_BUSY :
			cause == 18 || cause == 19 ? DIVHI_NO_ANSWER :
			DIVHI_UNKNOWN;

	switch (cause) {

	case 302: return DIVHI_UNCONDITIONAL;
	case 486: return DIVHI_USER_BUSY;
	case 408: return DIVHI_NO_ANSWER;
	case 480:
	case 487: return DIVHI_DEFLECTION;
	case 503: return DIVHI_UNAVAILABLE;
	default:  return DIVHI_UNKNOWN;
	}
}


/**
 * Read a Diversion reason token (any case, quoted or not)
 *
 * @param tok The token
 * @param r   Set to the reason, DIVHI_UNKNOWN if it is none of them
 *
 * @return 0 if success, ENOENT if the token is no known reason
 */
int divhi_reason_decode(const struct pl *tok, enum divhi_reason *r)
{
	struct pl t;

	if (!tok || !r)
		return EINVAL;

	t = *tok;
	trim(&t);
	unquote(&t);
	*r = DIVHI_UNKNOWN;

	for (size_t i = 0; i < ARRAY_SIZE(reasons); i++) {
		if (!pl_strcasecmp(&t, reasons[i])) {
			*r = (enum divhi_reason)i;
			return 0;
		}
	}

	return ENOENT;
}


/**
 * Tell whether a Privacy value (RFC 3323) asks for history privacy
 *
 * @param val The value, e.g. "id;history"
 *
 * @return true if one of its values is history
 */
bool divhi_privacy_history(const struct pl *val)
{
	struct pl s, item;

	if (!val || !val->p)
		return false;

	s = *val;
	while (item_next(&s, ";", &item)) {
		if (!pl_strcasecmp(&item, "history"))
			return true;
	}

	return false;
}
