/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file cfg_entry.c  Configuration lines that add list entries:
 *                    interfaces, listeners, UM hosts (and the host part
 *                    of gateways), networks, secrets
 */
#include <string.h>
#include <re.h>
#include "tok.h"
#include "cfg.h"
#include "cfg_priv.h"
#include "ipnet.h"
#include "words.h"


static void entry_destructor(void *data)
{
	struct le *le = data;   /* every entry starts with its le */

	list_unlink(le);
}


/**
 * Allocate a list entry whose first member is its le; the destructor
 * unlinks it
 *
 * @return the zeroed entry, NULL (ctx->err set) if out of memory
 */
void *cfg_entry_alloc(struct cfg_ctx *ctx, size_t size)
{
	void *e = mem_zalloc(size, entry_destructor);

	if (!e)
		(void)re_snprintf(ctx->err, ctx->errsz, "out of memory");

	return e;
}


static int iface_ports(struct cfg_ctx *ctx, const struct cfg_key *key,
		       struct cfg_iface *ifc, const struct pl *val)
{
	struct pl lo, hi;
	uint32_t min, max;

	if (re_regex(val->p, val->l, "[0-9]+-[0-9]+", &lo, &hi) ||
	    lo.p != val->p || hi.p + hi.l != val->p + val->l)
		return cfg_error(ctx, key, "ports '%r' is not MIN-MAX", val);

	if (cfg_u32(ctx, key, &lo, 1024, 65535, &min) ||
	    cfg_u32(ctx, key, &hi, 1024, 65535, &max))
		return EINVAL;

	if (min % 2)
		return cfg_error(ctx, key, "ports must start on an even port "
				 "(RTP), not %u", min);
	if (max < min + 1)
		return cfg_error(ctx, key, "ports %u-%u hold no RTP/RTCP pair",
				 min, max);

	ifc->port_min = (uint16_t)min;
	ifc->port_max = (uint16_t)max;

	return 0;
}


static int iface_option(struct cfg_ctx *ctx, const struct cfg_key *key,
			struct cfg_iface *ifc, const struct pl *word)
{
	struct pl name, val;

	if (cfg_option(ctx, key, word, &name, &val))
		return EINVAL;

	if (0 == pl_strcmp(&name, "advertise"))
		return cfg_addr(ctx, key, &val, &ifc->advertise);
	if (0 == pl_strcmp(&name, "ports"))
		return iface_ports(ctx, key, ifc, &val);

	return cfg_error(ctx, key, "unknown option '%r' (advertise, ports)",
			 &name);
}


/**
 * Is this a name for an interface or a gateway set: letters, digits,
 * '_' and '-'?
 *
 * @return true if it is
 */
bool cfg_name_valid(const struct pl *name)
{
	for (size_t i = 0; i < name->l; i++) {
		char c = name->p[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}

	return name->l > 0;
}


/** interface NAME ADDRESS [advertise=ADDRESS] [ports=MIN-MAX] */
int cfg_iface_h(struct cfg_ctx *ctx, const struct cfg_key *key,
		const struct pl *val, void *field)
{
	struct cfg_iface *ifc;
	struct pl rest = *val, name, addr, word;
	int err = EINVAL;

	if (!words_next(&rest, &name) || !words_next(&rest, &addr))
		return cfg_error(ctx, key, "expected NAME ADDRESS [options]");

	ifc = cfg_entry_alloc(ctx, sizeof(*ifc));
	if (!ifc)
		return ENOMEM;

	ifc->line = ctx->line;

	if (!cfg_name_valid(&name)) {
		cfg_error(ctx, key, "bad interface name '%r'", &name);
		goto out;
	}

	if (cfg_str(ctx, key, &name, ifc->name, sizeof(ifc->name)) ||
	    cfg_addr(ctx, key, &addr, &ifc->addr))
		goto out;

	if (sa_is_any(&ifc->addr)) {
		cfg_error(ctx, key, "give the interface's own address, not "
			  "'%r'", &addr);
		goto out;
	}

	while (words_next(&rest, &word)) {
		if (iface_option(ctx, key, ifc, &word))
			goto out;
	}

	list_append(field, &ifc->le, ifc);
	err = 0;

 out:
	if (err)
		mem_deref(ifc);

	return err;
}


/** IFACE TRANSPORT [PORT] (sip_listen, turn_listen) */
int cfg_listen_h(struct cfg_ctx *ctx, const struct cfg_key *key,
		 const struct pl *val, void *field)
{
	struct cfg_listen *l;
	struct pl rest = *val, iface, tp, port, extra;
	uint32_t v;
	int err = EINVAL;

	if (!words_next(&rest, &iface) || !words_next(&rest, &tp))
		return cfg_error(ctx, key, "expected INTERFACE TRANSPORT "
				 "[PORT]");

	l = cfg_entry_alloc(ctx, sizeof(*l));
	if (!l)
		return ENOMEM;

	l->line = ctx->line;

	if (cfg_str(ctx, key, &iface, l->iface, sizeof(l->iface)) ||
	    cfg_tp(ctx, key, &tp, &l->tp))
		goto out;

	l->port = key->ports[l->tp];
	if (words_next(&rest, &port)) {
		if (cfg_u32(ctx, key, &port, 1, 65535, &v))
			goto out;
		l->port = (uint16_t)v;
	}

	if (words_next(&rest, &extra)) {
		cfg_error(ctx, key, "unexpected '%r'", &extra);
		goto out;
	}

	list_append(field, &l->le, l);
	err = 0;

 out:
	if (err)
		mem_deref(l);

	return err;
}


/* A credential: not empty, and user and realm go into a quoted string */
static int cred_str(struct cfg_ctx *ctx, const struct cfg_key *key,
		    const struct pl *name, const struct pl *val, char *buf,
		    bool quoted)
{
	if (!val->l)
		return cfg_error(ctx, key, "%r= is empty", name);

	if (quoted && (pl_strchr(val, '"') || pl_strchr(val, '\\')))
		return cfg_error(ctx, key, "%r= may not contain '\"' or "
				 "'\\'", name);

	return cfg_str(ctx, key, val, buf, CFG_CRED_MAX);
}


/* Options of sip_um_host and sip_gw; credentials only on a gateway */
static int host_option(struct cfg_ctx *ctx, const struct cfg_key *key,
		       struct cfg_host *h, const struct pl *word)
{
	struct pl name, val;

	if (cfg_option(ctx, key, word, &name, &val))
		return EINVAL;

	if (0 == pl_strcmp(&name, "priority"))
		return cfg_u32(ctx, key, &val, 0, 65535, &h->priority);
	if (0 == pl_strcmp(&name, "weight"))
		return cfg_u32(ctx, key, &val, 0, 65535, &h->weight);
	if (0 == pl_strcmp(&name, "tls_name"))
		return cfg_str(ctx, key, &val, h->tls_name,
			       sizeof(h->tls_name));

	if (h->set && 0 == pl_strcmp(&name, "user"))
		return cred_str(ctx, key, &name, &val, h->user, true);
	if (h->set && 0 == pl_strcmp(&name, "password"))
		return cred_str(ctx, key, &name, &val, h->password, false);
	if (h->set && 0 == pl_strcmp(&name, "realm"))
		return cred_str(ctx, key, &name, &val, h->realm, true);

	return cfg_error(ctx, key, "unknown option '%r' (priority, weight, "
			 "tls_name%s)", &name,
			 h->set ? ", user, password, realm" : "");
}


/* After the options: a gateway's credentials are complete */
static int creds_check(struct cfg_ctx *ctx, const struct cfg_key *key,
		       const struct cfg_host *h)
{
	if (!h->user[0] != !h->password[0])
		return cfg_error(ctx, key, "user= and password= go together");
	if (h->realm[0] && !h->user[0])
		return cfg_error(ctx, key, "realm= needs user= and password=");

	return 0;
}


/**
 * Parse "TRANSPORT HOST[:PORT] [options]", what sip_um_host and sip_gw
 * share
 *
 * @param ctx  Parser context
 * @param key  sip_um_host or sip_gw, for messages and default ports
 * @param val  The words after the key (after SET for sip_gw)
 * @param set  The gateway's set, NULL for a UM host: UM hosts refuse
 *             UDP and credentials
 * @param hp   Set to the host, not in any list yet
 *
 * @return 0 if success, otherwise errorcode (ctx->err set)
 */
int cfg_host_parse(struct cfg_ctx *ctx, const struct cfg_key *key,
		   const struct pl *val, const struct cfg_gwset *set,
		   struct cfg_host **hp)
{
	struct cfg_host *h;
	struct pl rest = *val, tp, hport, host, word;
	bool pw = false;
	int err = EINVAL;

	if (!words_next(&rest, &tp) || !words_next(&rest, &hport))
		return cfg_error(ctx, key, "expected %sTRANSPORT HOST[:PORT] "
				 "[options]", set ? "SET " : "");

	h = cfg_entry_alloc(ctx, sizeof(*h));
	if (!h)
		return ENOMEM;

	h->line = ctx->line;
	h->weight = 1;
	h->set = set;

	if (cfg_tp(ctx, key, &tp, &h->tp) ||
	    cfg_hostport(ctx, key, &hport, &host, &h->port) ||
	    cfg_str(ctx, key, &host, h->host, sizeof(h->host)))
		goto out;

	if (!set && h->tp == CFG_UDP) {
		cfg_error(ctx, key, "UM hosts speak TCP or TLS, never UDP");
		goto out;
	}

	if (!h->port)
		h->port = key->ports[h->tp];

	while (words_next(&rest, &word)) {
		/* never echo what may be the rest of a password */
		if (pw && !pl_strchr(&word, '=')) {
			cfg_error(ctx, key, "password= may not contain blanks");
			goto out;
		}
		pw = word.l >= 9 && 0 == memcmp(word.p, "password=", 9);

		if (host_option(ctx, key, h, &word))
			goto out;
	}

	if (creds_check(ctx, key, h))
		goto out;

	*hp = h;
	err = 0;

 out:
	if (err)
		mem_deref(h);

	return err;
}


/** sip_um_host TRANSPORT HOST[:PORT] [priority=N] [weight=N] [tls_name=] */
int cfg_umhost_h(struct cfg_ctx *ctx, const struct cfg_key *key,
		 const struct pl *val, void *field)
{
	struct cfg_host *h;
	int err;

	err = cfg_host_parse(ctx, key, val, NULL, &h);
	if (err)
		return err;

	list_append(field, &h->le, h);

	return 0;
}


/* a network's address may not have bits set past its prefix: they
 * would be ignored, and the operator probably meant another network */
static int host_bits_check(struct cfg_ctx *ctx, const struct cfg_key *key,
			   const struct cfg_net *n)
{
	const uint8_t *p;
	struct sa net;
	size_t len = ipnet_addr(&n->addr, &p);
	uint8_t b[16];

	if (len > sizeof(b))
		return 0;

	memcpy(b, p, len);
	for (size_t i = 0; i < len; i++) {
		unsigned lo = (unsigned)i * 8;

		if (lo + 8 <= n->bits)
			continue;

		b[i] &= lo >= n->bits ? 0 :
			(uint8_t)(0xff00 >> (n->bits - lo));
	}

	if (!memcmp(b, p, len))
		return 0;

	net = n->addr;
	if (sa_af(&net) == AF_INET)
		sa_set_in(&net, (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
			  (uint32_t)b[2] << 8 | b[3], 0);
	else
		sa_set_in6(&net, b, 0);

	return cfg_error(ctx, key, "%j/%u has host bits set: the network "
			 "is %j/%u", &n->addr, n->bits, &net, n->bits);
}


static int net_parse(struct cfg_ctx *ctx, const struct cfg_key *key,
		     const struct pl *word, struct list *list)
{
	struct cfg_net *n;
	struct pl addr = *word, bits = PL_INIT;
	const char *slash = pl_strchr(word, '/');
	uint32_t maxbits, v;
	int err = EINVAL;

	n = cfg_entry_alloc(ctx, sizeof(*n));
	if (!n)
		return ENOMEM;

	n->line = ctx->line;

	if (slash) {
		addr.l = (size_t)(slash - word->p);
		bits.p = slash + 1;
		bits.l = (size_t)(word->p + word->l - bits.p);
	}

	if (cfg_addr(ctx, key, &addr, &n->addr))
		goto out;

	maxbits = sa_af(&n->addr) == AF_INET ? 32 : 128;
	n->bits = maxbits;
	if (slash) {
		if (cfg_u32(ctx, key, &bits, 0, maxbits, &v))
			goto out;
		n->bits = v;
	}

	if (host_bits_check(ctx, key, n))
		goto out;

	list_append(list, &n->le, n);
	err = 0;

 out:
	if (err)
		mem_deref(n);

	return err;
}


/** One or more networks, ADDRESS[/BITS], on one line */
int cfg_nets_h(struct cfg_ctx *ctx, const struct cfg_key *key,
	       const struct pl *val, void *field)
{
	struct pl rest = *val, word;

	while (words_next(&rest, &word)) {
		int err = net_parse(ctx, key, &word, field);
		if (err)
			return err;
	}

	return 0;
}


/** turn_nat64_prefix NETWORK...: IPv6, with an RFC 6052 length */
int cfg_nat64_h(struct cfg_ctx *ctx, const struct cfg_key *key,
		const struct pl *val, void *field)
{
	struct list *list = field;
	int err;

	err = cfg_nets_h(ctx, key, val, field);
	if (err)
		return err;

	for (struct le *le = list->head; le; le = le->next) {
		const struct cfg_net *n = le->data;

		if (sa_af(&n->addr) != AF_INET6)
			return cfg_error(ctx, key, "%j is not IPv6",
					 &n->addr);

		switch (n->bits) {

		case 32: case 40: case 48: case 56: case 64: case 96:
			break;

		default:
			return cfg_error(ctx, key, "/%u is not a NAT64 "
					 "prefix length (32, 40, 48, 56, 64 "
					 "or 96)", n->bits);
		}
	}

	return 0;
}


/** token_secret ID SECRET */
int cfg_secret_h(struct cfg_ctx *ctx, const struct cfg_key *key,
		 const struct pl *val, void *field)
{
	struct tok_keyring *kr = *(struct tok_keyring **)field;
	struct pl rest = *val, id, secret, extra;
	char idbuf[TOK_ID_MAX];
	int err;

	if (!words_next(&rest, &id) || !words_next(&rest, &secret))
		return cfg_error(ctx, key, "expected ID SECRET");

	if (words_next(&rest, &extra))
		return cfg_error(ctx, key, "the secret may not contain "
				 "spaces");

	if (cfg_str(ctx, key, &id, idbuf, sizeof(idbuf)))
		return EINVAL;

	err = tok_keyring_add(kr, idbuf, (const uint8_t *)secret.p,
			      secret.l);
	switch (err) {

	case 0:
		return 0;

	case EEXIST:
		return cfg_error(ctx, key, "secret id '%s' is used twice",
				 idbuf);

	case ERANGE:
		return cfg_error(ctx, key, "secret '%s' must be %u to %u "
				 "characters, not %zu", idbuf,
				 TOK_SECRET_MIN, TOK_SECRET_MAX, secret.l);
	default:
		return cfg_error(ctx, key, "%m", err);
	}
}


/** cred_listen, metrics_listen: IFACE PORT */
int cfg_http_h(struct cfg_ctx *ctx, const struct cfg_key *key,
	       const struct pl *val, void *field)
{
	struct cfg_http *lsn = field;
	struct pl iface, port;
	uint32_t v;

	if (cfg_words2(ctx, key, val, "INTERFACE PORT", &iface, &port) ||
	    cfg_str(ctx, key, &iface, lsn->iface, sizeof(lsn->iface)) ||
	    cfg_u32(ctx, key, &port, 1, 65535, &v))
		return EINVAL;

	lsn->port = (uint16_t)v;
	lsn->line = ctx->line;

	return 0;
}
