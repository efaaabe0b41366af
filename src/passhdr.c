/**
 * @file passhdr.c  Headers a B2BUA passes from the caller to the callee
 */
#include <string.h>
#include <strings.h>
#include <re.h>
#include "ipnet.h"
#include "passhdr.h"


static const char *names[] = {
	"Diversion",
	"History-Info",
	"P-Asserted-Identity",
	"P-Preferred-Identity",
	"Privacy",
	"Subject",
};


/**
 * Tell whether a header is passed through
 *
 * @param name Header name as it came (any case)
 *
 * @return true if it is
 */
bool passhdr_passes(const struct pl *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (!pl_strcasecmp(name, names[i]))
			return true;
	}

	return false;
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


static int header_write(struct mbuf *mb, const struct sip_hdr *hdr,
			const struct passhdr_hide *hide)
{
	int err;

	err = mbuf_printf(mb, "%r: ", &hdr->name);
	if (!err)
		err = passhdr_hosts_write(mb, &hdr->val, hide);
	if (!err)
		err = mbuf_write_str(mb, "\r\n");

	return err;
}


/**
 * Collect the passed headers of a request, in their order
 *
 * @param hdrsp "Name: value\r\n" lines (mem), NULL if there are none
 * @param msg   Request
 * @param hide  URI hosts to hide, or NULL to copy the values as they
 *              came
 *
 * @return 0 if success, otherwise errorcode
 */
int passhdr_collect(char **hdrsp, const struct sip_msg *msg,
		    const struct passhdr_hide *hide)
{
	struct mbuf *mb;
	int err = 0;

	if (!hdrsp || !msg)
		return EINVAL;

	*hdrsp = NULL;
	mb = mbuf_alloc(256);
	if (!mb)
		return ENOMEM;

	for (struct le *le = msg->hdrl.head; le && !err; le = le->next) {
		const struct sip_hdr *hdr = le->data;

		if (passhdr_passes(&hdr->name))
			err = header_write(mb, hdr, hide);
	}

	if (!err && mb->end) {
		mb->pos = 0;
		err = mbuf_strdup(mb, hdrsp, mb->end);
	}

	mem_deref(mb);

	return err;
}
