/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file passhdr.c  Headers a B2BUA passes from one leg to the other: an
 *                  allow-list, umedge's own and the operator's
 *
 * Nothing else crosses: ms-diagnostics, which names Exchange's inside
 * servers, and any header no list names stay on their side. Names are
 * matched case-insensitively in their full form: a compact form ("s"
 * for Subject) is read as its full name, and written as it too. libre
 * has already dropped the blanks before the colon ("X-Hdr :" is
 * "X-Hdr", Kamailio CVE-2020-28361's trick). A name libre would have
 * taken for another header was renamed before decoding (sipalias.c);
 * it is matched and written under the name it came with.
 *
 * On a call's first INVITE, the policy may ask for Diversion derived
 * from History-Info or the reverse (divhi.c): the derived lines come
 * after the passed ones, through the same host hiding; a "-only" mode
 * drops the header they came from. When both headers came, or nothing
 * could be derived, the headers pass as they came.
 */
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include <re.h>
#include "cfg.h"
#include "ipnet.h"
#include "sipalias.h"
#include "divhi.h"
#include "passhdr.h"


/* A call's first INVITE */
static const char *names[] = {
	"Diversion",
	"History-Info",
	"P-Asserted-Identity",
	"P-Preferred-Identity",
	"Privacy",
	"Subject",
};

/* Requests inside a dialog */
static const char *dialog_names[] = {
	"Event", "Subscription-State", "Reason",
	"Content-Disposition", "Info-Package", "Allow-Events",
};

/* RFC 3261 §7.3.3 and later RFCs' compact forms of what may pass */
static const struct { char c; const char *name; } compact[] = {
	{'s', "Subject"}, {'o', "Event"}, {'u', "Allow-Events"},
	{'a', "Accept-Contact"}, {'j', "Reject-Contact"},
	{'d', "Request-Disposition"}, {'y', "Identity"},
	{'n', "Identity-Info"},
};


/**
 * The full name of a header, its compact form expanded
 *
 * @param name Header name as it came
 * @param full Set to the full name (points into name or a constant)
 */
void passhdr_full(const struct pl *name, struct pl *full)
{
	if (name->l != 1) {
		sipalias_real(name, full);
		return;
	}

	*full = *name;

	for (size_t i = 0; i < ARRAY_SIZE(compact); i++) {
		if (tolower((unsigned char)name->p[0]) == compact[i].c) {
			pl_set_str(full, compact[i].name);
			return;
		}
	}
}


static bool listed(const struct pl *name, const char **v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!pl_strcasecmp(name, v[i]))
			return true;
	}

	return false;
}


/* An operator's sip_pass_header line for this request */
static bool extra(const struct pl *name, const struct passhdr_policy *pol)
{
	uint32_t dir = pol->out ? CFG_HDR_OUT : CFG_HDR_IN;

	for (struct le *le = list_head(pol->extra); le; le = le->next) {
		const struct cfg_passhdr *h = le->data;

		if (!(h->dirs & dir) || pl_strcasecmp(name, h->name))
			continue;
		if (!h->set[0] || (pol->set && !strcmp(h->set, pol->set)))
			return true;
	}

	return false;
}


/**
 * Tell whether a header passes to the other leg
 *
 * @param name Header name as it came (any case, compact or full)
 * @param pol  The request's policy: its kind, direction, gateway set
 *             and the operator's list
 *
 * @return true if it does
 */
bool passhdr_passes(const struct pl *name, const struct passhdr_policy *pol)
{
	struct pl full;

	if (!name || !pol)
		return false;

	passhdr_full(name, &full);

	if (pol->dialog ? listed(&full, dialog_names, ARRAY_SIZE(dialog_names))
	    : listed(&full, names, ARRAY_SIZE(names)))
		return true;

	return extra(&full, pol);
}


/* The host of the URI at p (after "sip:"): after the userinfo's '@'
 * if there is one before the URI ends */
static struct pl uri_host(const char *p, const char *end)
{
	const char *q, *uend = p, *h;
	struct pl host;

	while (uend < end && !strchr(">, \t\"", *uend))
		++uend;
	q = memchr(p, '@', (size_t)(uend - p));
	h = q ? q + 1 : p;

	host.p = h;
	if (h < uend && *h == '[') {
		q = memchr(h, ']', (size_t)(uend - h));
		host.l = q ? (size_t)(q - h) + 1 : 0;
		return host;
	}

	for (q = h; q < uend && !strchr(":;?", *q); q++)
		;
	host.l = (size_t)(q - h);

	return host;
}


static bool hidden(const struct pl *host, const struct passhdr_hide *hide)
{
	struct pl h = *host;
	struct sa sa;

	if (h.l > 2 && h.p[0] == '[') {
		++h.p;
		h.l -= 2;
	}

	return !sa_set(&sa, &h, 0) && ipnet_match(hide->nets, &sa);
}


/**
 * Write a header value with every hidden URI host replaced
 *
 * @param mb   Buffer
 * @param val  Header value
 * @param hide Hosts to hide, or NULL to write the value as it is
 *
 * @return 0 if success, otherwise errorcode
 */
int passhdr_hosts_write(struct mbuf *mb, const struct pl *val,
			const struct passhdr_hide *hide)
{
	const char *p = val->p, *end = val->p + val->l, *done = val->p;
	int err = 0;

	while (hide && p + 4 <= end) {
		struct pl host;

		if (strncasecmp(p, "sip:", 4) && (p + 5 > end ||
						  strncasecmp(p, "sips:", 5))) {
			++p;
			continue;
		}

		p += p[3] == ':' ? 4 : 5;
		host = uri_host(p, end);
		if (host.l && hidden(&host, hide)) {
			err |= mbuf_printf(mb, "%b%j", done,
					   (size_t)(host.p - done), hide->repl);
			done = host.p + host.l;
		}
		p = host.p + host.l;
	}

	return err | mbuf_write_mem(mb, (const uint8_t *)done,
				    (size_t)(end - done));
}


/**
 * Write a header as it passes: "Full-Name: value" and its line end
 *
 * @param mb   Buffer
 * @param hdr  The header
 * @param hide URI hosts to hide, or NULL to write the value as it is
 *
 * @return 0 if success, otherwise errorcode
 */
int passhdr_write(struct mbuf *mb, const struct sip_hdr *hdr,
		  const struct passhdr_hide *hide)
{
	struct pl full;
	int err;

	passhdr_full(&hdr->name, &full);
	err = mbuf_printf(mb, "%r: ", &full);
	if (!err)
		err = passhdr_hosts_write(mb, &hdr->val, hide);
	if (!err)
		err = mbuf_write_str(mb, "\r\n");

	return err;
}


/* A request's Diversion values, History-Info entries, and whether it
 * asks for history privacy */
struct conv_src {
	struct pl div[DIVHI_MAX + 1];   /* Diversion values             */
	size_t ndiv;
	struct pl hi[DIVHI_MAX + 1];    /* History-Info entries         */
	size_t nhi;
	bool priv_all;                  /* Privacy: history             */
};


static void conv_gather(struct conv_src *src, const struct sip_msg *msg)
{
	memset(src, 0, sizeof(*src));

	for (struct le *le = msg->hdrl.head; le; le = le->next) {
		const struct sip_hdr *hdr = le->data;
		struct pl full;

		passhdr_full(&hdr->name, &full);
		if (!pl_strcasecmp(&full, "Diversion")) {
			if (src->ndiv < ARRAY_SIZE(src->div))
				src->div[src->ndiv++] = hdr->val;
		}
		else if (!pl_strcasecmp(&full, "History-Info")) {
			if (src->nhi < ARRAY_SIZE(src->hi))
				src->hi[src->nhi++] = hdr->val;
		}
		else if (!pl_strcasecmp(&full, "Privacy")) {
			src->priv_all |= divhi_privacy_history(&hdr->val);
		}
	}
}


static int mbuf_print_h(const char *p, size_t size, void *arg)
{
	return mbuf_write_mem(arg, (const uint8_t *)p, size);
}


/* The derived lines into gen; *dropp: the header they replace, if the
 * mode drops it */
static int conv_make(struct mbuf *gen, const struct sip_msg *msg,
		     const struct passhdr_policy *pol, const char **dropp)
{
	bool to_div = pol->divhi == CFG_DIVHI_DIV ||
		pol->divhi == CFG_DIVHI_DIV_ONLY;
	struct re_printf pf = {mbuf_print_h, gen};
	struct divhi_chain chain;
	struct conv_src src;
	enum passhdr_conv conv = PASSHDR_CONV_MADE;
	int err = 0;

	*dropp = NULL;
	if (pol->dialog || pol->divhi == CFG_DIVHI_PASS)
		return 0;

	conv_gather(&src, msg);
	if (!(to_div ? src.nhi : src.ndiv))
		return 0;

	if (to_div ? src.ndiv : src.nhi)
		conv = PASSHDR_CONV_BOTH;
	else if (to_div ? divhi_hi_decode(&chain, src.hi, src.nhi,
					  src.priv_all) :
		 divhi_div_decode(&chain, src.div, src.ndiv))
		conv = PASSHDR_CONV_NONE;
	else if (to_div)
		err = divhi_div_print(&pf, &chain);
	else
		err = divhi_hi_print(&pf, &chain, pol->target);

	if (err) {
		mbuf_reset(gen);
		conv = PASSHDR_CONV_NONE;
	}
	else if (conv == PASSHDR_CONV_MADE && (pol->divhi ==
		 CFG_DIVHI_DIV_ONLY || pol->divhi == CFG_DIVHI_HI_ONLY)) {
		*dropp = to_div ? "History-Info" : "Diversion";
	}

	if (pol->convh)
		pol->convh(conv, pol->arg);

	return err == ENOMEM ? err : 0;
}


/**
 * Collect the passed headers of a request, in their order, and the
 * Diversion or History-Info lines the policy asks to derive
 *
 * @param hdrsp "Name: value\r\n" lines (mem), NULL if there are none
 * @param msg   Request
 * @param pol   Which headers pass, and the conversion
 * @param hide  URI hosts to hide, or NULL to copy the values as they
 *              came
 *
 * @return 0 if success, otherwise errorcode
 */
int passhdr_collect(char **hdrsp, const struct sip_msg *msg,
		    const struct passhdr_policy *pol,
		    const struct passhdr_hide *hide)
{
	struct mbuf *mb, gen;
	const char *drop;
	int err;

	if (!hdrsp || !msg || !pol)
		return EINVAL;

	*hdrsp = NULL;
	mbuf_init(&gen);
	mb = mbuf_alloc(256);
	if (!mb)
		return ENOMEM;

	err = conv_make(&gen, msg, pol, &drop);

	for (struct le *le = msg->hdrl.head; le && !err; le = le->next) {
		const struct sip_hdr *hdr = le->data;
		struct pl full;

		passhdr_full(&hdr->name, &full);
		if (drop && !pl_strcasecmp(&full, drop))
			continue;
		if (passhdr_passes(&hdr->name, pol))
			err = passhdr_write(mb, hdr, hide);
	}

	if (!err && gen.end) {
		struct pl lines = {(const char *)gen.buf, gen.end};

		err = passhdr_hosts_write(mb, &lines, hide);
	}

	if (!err && mb->end) {
		mb->pos = 0;
		err = mbuf_strdup(mb, hdrsp, mb->end);
	}

	mbuf_reset(&gen);
	mem_deref(mb);

	return err;
}
