/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file cfg_hdr.c  Configuration of the headers passed between the legs
 *                  beyond umedge's own list (sip_pass_header)
 */
#include <string.h>
#include <re.h>
#include "cfg.h"
#include "cfg_priv.h"
#include "words.h"


/* Headers the edge writes or takes itself: they never pass as they came */
static const char *owned[] = {
	"Via", "From", "To", "Call-ID", "CSeq", "Contact", "Route",
	"Record-Route", "Max-Forwards", "Content-Length", "Content-Type",
	"Authorization", "Proxy-Authorization", "WWW-Authenticate",
	"Proxy-Authenticate", "Require", "Supported", "Proxy-Require",
	"Unsupported", "Allow", "User-Agent", "Server", "Expires",
	"Session-Expires", "Min-SE", "RSeq", "RAck", "Refer-To",
	"Referred-By", "Replaces",
};


/* RFC 3261 token characters */
static bool token(const struct pl *name)
{
	static const char extra[] = "-.!%*_+`'~";

	if (!name->l)
		return false;

	for (size_t i = 0; i < name->l; i++) {
		char c = name->p[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr(extra, c)))
			return false;
	}

	return true;
}


static int name_check(struct cfg_ctx *ctx, const struct cfg_key *key,
		      const struct pl *name)
{
	if (!token(name) || name->l >= CFG_HDR_MAX)
		return cfg_error(ctx, key, "'%r' is not a header name", name);
	if (name->l == 1)
		return cfg_error(ctx, key, "'%r': give the header's full "
				 "name, not its compact form", name);

	for (size_t i = 0; i < ARRAY_SIZE(owned); i++) {
		if (!pl_strcasecmp(name, owned[i]))
			return cfg_error(ctx, key, "%s is the edge's own: it "
					 "never passes as it came", owned[i]);
	}

	return 0;
}


/* in, out, both, or set=SET (a set defined above) */
static int option(struct cfg_ctx *ctx, const struct cfg_key *key,
		  struct cfg_passhdr *h, const struct pl *word)
{
	struct pl name, val;

	if (!pl_strcmp(word, "in"))
		h->dirs = CFG_HDR_IN;
	else if (!pl_strcmp(word, "out"))
		h->dirs = CFG_HDR_OUT;
	else if (!pl_strcmp(word, "both"))
		h->dirs = CFG_HDR_IN | CFG_HDR_OUT;
	else if (cfg_option(ctx, key, word, &name, &val))
		return EINVAL;
	else if (pl_strcmp(&name, "set"))
		return cfg_error(ctx, key, "unknown option '%r' (in, out, "
				 "both, set=)", &name);
	else if (pl_strcpy(&val, h->set, sizeof(h->set)) ||
		 !cfg_gwset_find(ctx->cfg, h->set))
		return cfg_error(ctx, key, "no sip_gw_set '%r' on an earlier "
				 "line", &val);

	return 0;
}


/** sip_pass_header NAME [in|out|both] [set=SET] */
int cfg_passhdr_h(struct cfg_ctx *ctx, const struct cfg_key *key,
		  const struct pl *val, void *field)
{
	struct pl rest = *val, name, word;
	struct cfg_passhdr *h;
	int err = EINVAL;

	(void)words_next(&rest, &name);   /* the value is not empty */
	if (name_check(ctx, key, &name))
		return EINVAL;

	h = cfg_entry_alloc(ctx, sizeof(*h));
	if (!h)
		return ENOMEM;

	h->line = ctx->line;
	h->dirs = CFG_HDR_IN | CFG_HDR_OUT;
	if (cfg_str(ctx, key, &name, h->name, sizeof(h->name)))
		goto out;

	while (words_next(&rest, &word)) {
		if (option(ctx, key, h, &word))
			goto out;
	}

	list_append(field, &h->le, h);
	err = 0;

 out:
	if (err)
		mem_deref(h);

	return err;
}
