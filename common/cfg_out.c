/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file cfg_out.c  Configuration of UM's outbound calls: gateway sets,
 *                  gateways, routes, the numbers UM may dial, and the
 *                  names the edge answers to inside
 */
#include <string.h>
#include <re.h>
#include "cfg.h"
#include "cfg_priv.h"
#include "words.h"


static void gwset_destructor(void *data)
{
	struct cfg_gwset *set = data;

	list_flush(&set->gws);
	list_unlink(&set->le);
}


static struct cfg_gwset *gwset_lookup(const struct list *sets,
				      const struct pl *name)
{
	for (struct le *le = list_head(sets); le; le = le->next) {
		struct cfg_gwset *set = le->data;

		if (0 == pl_strcmp(name, set->name))
			return set;
	}

	return NULL;
}


/**
 * Find a gateway set by name
 *
 * @param cfg  Configuration
 * @param name Name of a sip_gw_set line
 *
 * @return the set, NULL if there is none of that name
 */
const struct cfg_gwset *cfg_gwset_find(const struct cfg *cfg,
				       const char *name)
{
	struct pl pl;

	if (!cfg || !name)
		return NULL;

	pl_set_str(&pl, name);

	return gwset_lookup(&cfg->sip.gwsets, &pl);
}


/* A set that a sip_gw or sip_route line names: defined above it */
static int gwset_ref(struct cfg_ctx *ctx, const struct cfg_key *key,
		     const struct pl *name, struct cfg_gwset **setp)
{
	*setp = gwset_lookup(&ctx->cfg->sip.gwsets, name);
	if (!*setp)
		return cfg_error(ctx, key, "no sip_gw_set '%r' on an earlier "
				 "line", name);

	return 0;
}


/* failover=LIST: comma-separated from timeout, 408, 5xx, 6xx */
static int failover_parse(struct cfg_ctx *ctx, const struct cfg_key *key,
			  const struct pl *val, uint32_t *bits)
{
	static const struct { const char *name; uint32_t bit; } fo[] = {
		{"timeout", CFG_FO_TIMEOUT}, {"408", CFG_FO_408},
		{"5xx", CFG_FO_5XX}, {"6xx", CFG_FO_6XX},
	};
	struct pl rest = *val, item;

	*bits = 0;

	for (;;) {
		const char *comma = pl_strchr(&rest, ',');
		uint32_t bit = 0;

		item.p = rest.p;
		item.l = comma ? (size_t)(comma - rest.p) : rest.l;

		for (size_t i = 0; i < ARRAY_SIZE(fo); i++) {
			if (0 == pl_strcasecmp(&item, fo[i].name))
				bit = fo[i].bit;
		}

		if (!bit)
			return cfg_error(ctx, key, "failover: '%r' is not one "
					 "of timeout, 408, 5xx, 6xx", &item);
		if (*bits & bit)
			return cfg_error(ctx, key, "failover: '%r' is listed "
					 "twice", &item);
		*bits |= bit;

		if (!comma)
			return 0;

		pl_advance(&rest, item.l + 1);
	}
}


/* info_dtmf=convert|pass */
static int info_dtmf_parse(struct cfg_ctx *ctx, const struct cfg_key *key,
			   const struct pl *val, bool *convert)
{
	if (0 == pl_strcmp(val, "convert"))
		*convert = true;
	else if (0 == pl_strcmp(val, "pass"))
		*convert = false;
	else
		return cfg_error(ctx, key, "info_dtmf: '%r' is not convert "
				 "or pass", val);

	return 0;
}


static int gwset_option(struct cfg_ctx *ctx, const struct cfg_key *key,
			struct cfg_gwset *set, const struct pl *word)
{
	struct pl name, val;

	if (cfg_option(ctx, key, word, &name, &val))
		return EINVAL;

	if (0 == pl_strcmp(&name, "failover"))
		return failover_parse(ctx, key, &val, &set->failover);
	if (0 == pl_strcmp(&name, "media"))
		return cfg_media(ctx, key, &val, &set->media);
	if (0 == pl_strcmp(&name, "info_dtmf"))
		return info_dtmf_parse(ctx, key, &val, &set->info_dtmf);
	if (0 == pl_strcmp(&name, "max_calls"))
		return cfg_u32(ctx, key, &val, 0, 1000000, &set->max_calls);
	if (0 == pl_strcmp(&name, "divhi"))
		return cfg_divhi(ctx, key, &val, &set->divhi);

	if (pl_strcmp(&name, "refer"))
		return cfg_error(ctx, key, "unknown option '%r' (refer, "
				 "failover, media, info_dtmf, max_calls, "
				 "divhi)", &name);

	if (0 == pl_strcmp(&val, "pass"))
		set->refer = CFG_REFER_PASS;
	else if (0 == pl_strcmp(&val, "local"))
		set->refer = CFG_REFER_LOCAL;
	else
		return cfg_error(ctx, key, "refer: '%r' is not pass or local",
				 &val);

	return 0;
}


/** sip_gw_set NAME [refer=pass|local] [failover=LIST]
 *  [media=rtp|srtp|any] [info_dtmf=convert|pass] [max_calls=N]
 *  [divhi=pass|div|div-only|hi|hi-only] */
int cfg_gwset_h(struct cfg_ctx *ctx, const struct cfg_key *key,
		const struct pl *val, void *field)
{
	const struct cfg_gwset *old;
	struct cfg_gwset *set;
	struct pl rest = *val, name, word;
	int err = EINVAL;

	(void)words_next(&rest, &name);   /* the value is not empty */

	if (!cfg_name_valid(&name))
		return cfg_error(ctx, key, "bad set name '%r' (letters, "
				 "digits, '_' and '-')", &name);

	old = gwset_lookup(field, &name);
	if (old)
		return cfg_error(ctx, key, "set '%r' is already defined on "
				 "line %u", &name, old->line);

	set = mem_zalloc(sizeof(*set), gwset_destructor);
	if (!set)
		return cfg_error(ctx, key, "out of memory");

	set->line = ctx->line;
	set->refer = CFG_REFER_PASS;
	set->failover = CFG_FO_TIMEOUT | CFG_FO_408 | CFG_FO_5XX;

	if (cfg_str(ctx, key, &name, set->name, sizeof(set->name)))
		goto out;

	while (words_next(&rest, &word)) {
		if (gwset_option(ctx, key, set, &word))
			goto out;
	}

	list_append(field, &set->le, set);
	err = 0;

 out:
	if (err)
		mem_deref(set);

	return err;
}


/** sip_gw SET TRANSPORT HOST[:PORT] [options] */
int cfg_gw_h(struct cfg_ctx *ctx, const struct cfg_key *key,
	     const struct pl *val, void *field)
{
	struct cfg_gwset *set;
	struct cfg_host *h;
	struct pl rest = *val, name;
	int err;
	(void)field;

	(void)words_next(&rest, &name);   /* the value is not empty */

	err = gwset_ref(ctx, key, &name, &set);
	if (err)
		return err;

	err = cfg_host_parse(ctx, key, &rest, set, &h);
	if (err)
		return err;

	list_append(&set->gws, &h->le, h);

	return 0;
}


/* Digits with an optional leading '+'; "+" alone only if plus_only */
static bool prefix_valid(const struct pl *pl, bool plus_only)
{
	size_t i = pl->l && pl->p[0] == '+' ? 1 : 0;

	if (i == pl->l && !(plus_only && i))
		return false;

	for (; i < pl->l; i++) {
		if (pl->p[i] < '0' || pl->p[i] > '9')
			return false;
	}

	return true;
}


static int route_dup(struct cfg_ctx *ctx, const struct cfg_key *key,
		     const struct list *routes, const struct cfg_route *r)
{
	for (struct le *le = list_head(routes); le; le = le->next) {
		const struct cfg_route *o = le->data;

		if (strcmp(o->prefix, r->prefix))
			continue;

		if (!r->prefix[0])
			return cfg_error(ctx, key, "the default route is "
					 "already set on line %u", o->line);

		return cfg_error(ctx, key, "prefix '%s' is already routed on "
				 "line %u", r->prefix, o->line);
	}

	return 0;
}


/** sip_route PREFIX SET */
int cfg_route_h(struct cfg_ctx *ctx, const struct cfg_key *key,
		const struct pl *val, void *field)
{
	struct cfg_gwset *set;
	struct cfg_route *r;
	struct pl prefix, name;
	bool def;
	int err = EINVAL;

	if (cfg_words2(ctx, key, val, "PREFIX SET", &prefix, &name))
		return EINVAL;

	def = 0 == pl_strcmp(&prefix, "default");
	if (!def && !prefix_valid(&prefix, false))
		return cfg_error(ctx, key, "prefix '%r' is not 'default' or "
				 "digits after an optional '+'", &prefix);

	if (gwset_ref(ctx, key, &name, &set))
		return EINVAL;

	r = cfg_entry_alloc(ctx, sizeof(*r));
	if (!r)
		return ENOMEM;

	r->line = ctx->line;
	r->set = set;

	if (!def && cfg_str(ctx, key, &prefix, r->prefix, sizeof(r->prefix)))
		goto out;

	if (route_dup(ctx, key, field, r))
		goto out;

	list_append(field, &r->le, r);
	err = 0;

 out:
	if (err)
		mem_deref(r);

	return err;
}


/* MIN[-MAX]: digits in the whole number, without its '+' */
static int allow_lengths(struct cfg_ctx *ctx, const struct cfg_key *key,
			 const struct pl *pl, struct cfg_allow *a)
{
	const char *dash = pl_strchr(pl, '-');
	struct pl lo = *pl, hi = *pl;
	size_t digits;

	if (dash) {
		lo.l = (size_t)(dash - pl->p);
		hi.p = dash + 1;
		hi.l = (size_t)(pl->p + pl->l - hi.p);
		if (!lo.l || !hi.l)
			return cfg_error(ctx, key, "'%r' is not MIN[-MAX]",
					 pl);
	}

	if (cfg_u32(ctx, key, &lo, 1, CFG_DIGITS_MAX, &a->min) ||
	    cfg_u32(ctx, key, &hi, 1, CFG_DIGITS_MAX, &a->max))
		return EINVAL;

	if (a->min > a->max)
		return cfg_error(ctx, key, "MIN %u is more than MAX %u",
				 a->min, a->max);

	digits = strlen(a->prefix) - (a->prefix[0] == '+');
	if (digits > a->max)
		return cfg_error(ctx, key, "prefix '%s' has more digits than "
				 "MAX %u", a->prefix, a->max);

	return 0;
}


/** sip_out_allow PREFIX MIN[-MAX] */
int cfg_allow_h(struct cfg_ctx *ctx, const struct cfg_key *key,
		const struct pl *val, void *field)
{
	struct cfg_allow *a;
	struct pl prefix, len;
	int err = EINVAL;

	if (cfg_words2(ctx, key, val, "PREFIX MIN[-MAX]", &prefix, &len))
		return EINVAL;

	if (!prefix_valid(&prefix, true))
		return cfg_error(ctx, key, "prefix '%r' is not '+' or digits "
				 "after an optional '+'", &prefix);

	a = cfg_entry_alloc(ctx, sizeof(*a));
	if (!a)
		return ENOMEM;

	a->line = ctx->line;

	if (cfg_str(ctx, key, &prefix, a->prefix, sizeof(a->prefix)) ||
	    allow_lengths(ctx, key, &len, a))
		goto out;

	list_append(field, &a->le, a);
	err = 0;

 out:
	if (err)
		mem_deref(a);

	return err;
}


/* A host name, an IPv4 address, or an IPv6 one (brackets dropped) */
static bool domain_norm(struct pl *name)
{
	bool host = true;
	char buf[64];
	struct sa sa;

	for (size_t i = 0; i < name->l; i++) {
		char c = name->p[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		      c == '_'))
			host = false;
	}

	if (host)
		return true;

	if (name->l >= 2 && name->p[0] == '[' &&
	    name->p[name->l - 1] == ']') {
		++name->p;
		name->l -= 2;
	}

	if (name->l >= sizeof(buf) || pl_strcpy(name, buf, sizeof(buf)))
		return false;

	return 0 == sa_set_str(&sa, buf, 0);
}


/** sip_domain NAME */
int cfg_domain_h(struct cfg_ctx *ctx, const struct cfg_key *key,
		 const struct pl *val, void *field)
{
	struct pl rest = *val, name, extra;
	struct cfg_name *n;

	(void)words_next(&rest, &name);   /* the value is not empty */

	if (words_next(&rest, &extra))
		return cfg_error(ctx, key, "one NAME a line, unexpected '%r'",
				 &extra);

	if (!domain_norm(&name))
		return cfg_error(ctx, key, "'%r' is not a host name or an IP "
				 "address", &name);

	for (struct le *le = list_head(field); le; le = le->next) {
		const struct cfg_name *o = le->data;

		if (0 == pl_strcasecmp(&name, o->name))
			return cfg_error(ctx, key, "'%r' is already given on "
					 "line %u", &name, o->line);
	}

	n = cfg_entry_alloc(ctx, sizeof(*n));
	if (!n)
		return ENOMEM;

	n->line = ctx->line;

	if (cfg_str(ctx, key, &name, n->name, sizeof(n->name))) {
		mem_deref(n);
		return EINVAL;
	}

	list_append(field, &n->le, n);

	return 0;
}
