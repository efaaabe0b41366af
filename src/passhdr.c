/**
 * @file passhdr.c  Headers a B2BUA passes from the gateway to UM as
 *                  they came
 */
#include <re.h>
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


/**
 * Collect the passed headers of a request, in their order
 *
 * @param hdrsp "Name: value\r\n" lines (mem), NULL if there are none
 * @param msg   Request
 *
 * @return 0 if success, otherwise errorcode
 */
int passhdr_collect(char **hdrsp, const struct sip_msg *msg)
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
			err = mbuf_printf(mb, "%r: %r\r\n", &hdr->name,
					  &hdr->val);
	}

	if (!err && mb->end) {
		mb->pos = 0;
		err = mbuf_strdup(mb, hdrsp, mb->end);
	}

	mem_deref(mb);

	return err;
}
