/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file redir.c  Following a UM host's 3xx: targets, order and checks
 *
 * Every Contact of the 3xx becomes a target: its URI is the new
 * Request-URI, its address the maddr parameter if there is one, else
 * the host, which must then be an IP address (a redirect never makes
 * the edge resolve a name it was handed). Without a transport
 * parameter the target is reached over TCP, as UM hosts never speak
 * UDP; sips: means TLS.
 */
#include <string.h>
#include <re.h>
#include "ipnet.h"
#include "redir.h"


/* "0.5", "1", "1.000" as thousandths; false if it is none of these */
static bool q_decode(const struct pl *pl, uint32_t *q)
{
	uint32_t v = 0, scale = 1000;
	size_t i = 0;

	if (!pl->l || (pl->p[0] != '0' && pl->p[0] != '1'))
		return false;

	v = (uint32_t)(pl->p[i++] - '0') * 1000;
	if (i < pl->l && pl->p[i++] != '.')
		return false;

	for (; i < pl->l; i++) {
		if (pl->p[i] < '0' || pl->p[i] > '9' || scale == 1)
			return false;
		scale /= 10;
		v += (uint32_t)(pl->p[i] - '0') * scale;
	}

	if (v > 1000)
		return false;

	*q = v;

	return true;
}


static enum sip_transp tp_decode(const struct sip_addr *addr, bool *given)
{
	struct pl tp;

	*given = !msg_param_decode(&addr->uri.params, "transport", &tp);
	if (!*given)
		return pl_strcasecmp(&addr->uri.scheme, "sips") ?
			SIP_TRANSP_TCP : SIP_TRANSP_TLS;

	if (!pl_strcasecmp(&tp, "udp"))
		return SIP_TRANSP_UDP;
	if (!pl_strcasecmp(&tp, "tls"))
		return SIP_TRANSP_TLS;
	if (!pl_strcasecmp(&tp, "tcp"))
		return SIP_TRANSP_TCP;

	return SIP_TRANSP_NONE;
}


static void target_addr(struct redir_target *t, const struct sip_addr *addr)
{
	uint16_t port = addr->uri.port;
	struct pl host;

	if (msg_param_decode(&addr->uri.params, "maddr", &host))
		host = addr->uri.host;

	if (!port)
		port = t->tp == SIP_TRANSP_TLS ? 5061 : 5060;

	if (sa_set(&t->addr, &host, port))
		sa_init(&t->addr, AF_UNSPEC);
}


/* Insert by q, highest first; among equal q, in the order given */
static void target_insert(struct list *targets, struct redir_target *t)
{
	struct le *le;

	for (le = targets->head; le; le = le->next) {
		const struct redir_target *o = le->data;

		if (t->q > o->q)
			break;
	}

	if (le)
		list_insert_before(targets, le, &t->le, t);
	else
		list_append(targets, &t->le, t);
}


static bool contact_handler(const struct sip_hdr *hdr,
			    const struct sip_msg *msg, void *arg)
{
	struct list *targets = arg;
	struct redir_target *t;
	struct sip_addr addr;
	struct pl q;
	bool given;
	(void)msg;

	if (list_count(targets) >= REDIR_TARGETS_MAX)
		return true;

	if (sip_addr_decode(&addr, &hdr->val) ||
	    addr.auri.l + 16 >= REDIR_URI_MAX)
		return false;

	t = mem_zalloc(sizeof(*t), NULL);
	if (!t)
		return true;

	t->q = 1000;
	if (!msg_param_decode(&addr.params, "q", &q) && !q_decode(&q, &t->q))
		t->q = 0;

	t->tp = tp_decode(&addr, &given);
	target_addr(t, &addr);
	(void)re_snprintf(t->uri, sizeof(t->uri), "%r%s", &addr.auri,
			  given ? "" : (t->tp == SIP_TRANSP_TLS ?
					"" : ";transport=tcp"));

	target_insert(targets, t);

	return false;
}


/**
 * Take the targets of a 3xx, best first
 *
 * @param targets List to fill (struct redir_target; flushed first)
 * @param msg     The 3xx
 *
 * @return 0 if success, ENOENT if it named no usable Contact
 */
int redir_targets(struct list *targets, const struct sip_msg *msg)
{
	if (!targets || !msg)
		return EINVAL;

	list_flush(targets);
	(void)sip_msg_hdr_apply(msg, true, SIP_HDR_CONTACT, contact_handler,
				targets);

	return targets->head ? 0 : ENOENT;
}


/**
 * Decide whether a target may be followed
 *
 * @param t    Target
 * @param nets The internal networks (sip_internal_network)
 * @param tls  The inside speaks TLS
 *
 * @return REDIR_OK, or why not
 */
enum redir_verdict redir_check(const struct redir_target *t,
			       const struct list *nets, bool tls)
{
	if (!t || !sa_isset(&t->addr, SA_ADDR))
		return REDIR_NOT_ADDRESS;

	if (!ipnet_match(nets, &t->addr))
		return REDIR_OUTSIDE;

	if (t->tp == SIP_TRANSP_TCP || (t->tp == SIP_TRANSP_TLS && tls))
		return REDIR_OK;

	return REDIR_TRANSPORT;
}


/** @return the verdict as log text */
const char *redir_verdict_str(enum redir_verdict v)
{
	switch (v) {

	case REDIR_OK:          return "ok";
	case REDIR_NOT_ADDRESS: return "host is a name and there is no maddr";
	case REDIR_OUTSIDE:     return "outside sip_internal_network";
	case REDIR_TRANSPORT:   return "transport not served inside";
	default:                return "?";
	}
}
