/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file cfg_value.c  Configuration values: words, numbers, strings,
 *                    addresses and simple keys
 */
#include <string.h>
#include <re.h>
#include "elog.h"
#include "cfg.h"
#include "cfg_priv.h"
#include "words.h"


/**
 * Write "file:line: key: message" into the context's error buffer
 *
 * @return EINVAL, for "return cfg_error(...)"
 */
int cfg_error(struct cfg_ctx *ctx, const struct cfg_key *key,
	      const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!ctx->err || !ctx->errsz)
		return EINVAL;

	if (ctx->line)
		n = re_snprintf(ctx->err, ctx->errsz, "%s:%u: ", ctx->name,
				ctx->line);
	else
		n = re_snprintf(ctx->err, ctx->errsz, "%s: ", ctx->name);
	if (n < 0)
		n = 0;

	if (key) {
		int m = re_snprintf(ctx->err + n, ctx->errsz - n, "%s: ",
				    key->name);
		n += m > 0 ? m : 0;
	}

	va_start(ap, fmt);
	(void)re_vsnprintf(ctx->err + n, ctx->errsz - n, fmt, ap);
	va_end(ap);

	return EINVAL;
}


/** Parse a decimal number in [min, max] */
int cfg_u32(struct cfg_ctx *ctx, const struct cfg_key *key,
	    const struct pl *pl, uint32_t min, uint32_t max, uint32_t *val)
{
	uint64_t v = 0;

	if (!pl->l || pl->l > 10)
		return cfg_error(ctx, key, "'%r' is not a number", pl);

	for (size_t i = 0; i < pl->l; i++) {
		if (pl->p[i] < '0' || pl->p[i] > '9')
			return cfg_error(ctx, key, "'%r' is not a number", pl);
		v = v * 10 + (uint64_t)(pl->p[i] - '0');
	}

	if (v < min || v > max)
		return cfg_error(ctx, key, "%llu is out of range %u..%u",
				 (unsigned long long)v, min, max);

	*val = (uint32_t)v;

	return 0;
}


/** Copy a string, refusing one that does not fit */
int cfg_str(struct cfg_ctx *ctx, const struct cfg_key *key,
	    const struct pl *pl, char *buf, size_t size)
{
	if (pl->l >= size)
		return cfg_error(ctx, key, "value is too long (%zu > %zu "
				 "characters)", pl->l, size - 1);

	(void)pl_strcpy(pl, buf, size);

	return 0;
}


/** Parse an IP address with no port, IPv6 with or without brackets */
int cfg_addr(struct cfg_ctx *ctx, const struct cfg_key *key,
	     const struct pl *pl, struct sa *sa)
{
	char buf[64];
	struct pl a = *pl;

	if (a.l >= 2 && a.p[0] == '[' && a.p[a.l - 1] == ']') {
		++a.p;
		a.l -= 2;
	}

	if (a.l >= sizeof(buf) || pl_strcpy(&a, buf, sizeof(buf)) ||
	    sa_set_str(sa, buf, 0))
		return cfg_error(ctx, key, "'%r' is not an IP address", pl);

	return 0;
}


/**
 * Split "host:port", "[v6]:port", "host" or "[v6]"; port is 0 if absent
 */
int cfg_hostport(struct cfg_ctx *ctx, const struct cfg_key *key,
		 const struct pl *pl, struct pl *host, uint16_t *port)
{
	struct pl p = PL_INIT;
	uint32_t v;

	*port = 0;

	if (pl->l && pl->p[0] == '[') {
		const char *end = pl_strchr(pl, ']');

		if (!end)
			return cfg_error(ctx, key, "'%r': missing ']'", pl);
		host->p = pl->p + 1;
		host->l = (size_t)(end - pl->p) - 1;
		if (end + 1 < pl->p + pl->l) {
			if (end[1] != ':')
				return cfg_error(ctx, key, "'%r': bad port",
						 pl);
			p.p = end + 2;
			p.l = (size_t)(pl->p + pl->l - p.p);
		}
	}
	else {
		const char *colon = pl_strchr(pl, ':');

		*host = *pl;
		if (colon && colon == pl_strrchr(pl, ':')) {
			host->l = (size_t)(colon - pl->p);
			p.p = colon + 1;
			p.l = (size_t)(pl->p + pl->l - p.p);
		}
	}

	if (!host->l)
		return cfg_error(ctx, key, "'%r': empty host", pl);

	if (p.p) {
		if (cfg_u32(ctx, key, &p, 1, 65535, &v))
			return EINVAL;
		*port = (uint16_t)v;
	}

	return 0;
}


/** Parse a transport name */
int cfg_tp(struct cfg_ctx *ctx, const struct cfg_key *key,
	   const struct pl *pl, enum cfg_tp *tp)
{
	for (int i = CFG_UDP; i <= CFG_TLS; i++) {
		if (0 == pl_strcasecmp(pl, cfg_tp_name(i))) {
			*tp = i;
			return 0;
		}
	}

	return cfg_error(ctx, key, "'%r' is not a transport (udp, tcp, tls)",
			 pl);
}


/** Split an option word "name=value" */
int cfg_option(struct cfg_ctx *ctx, const struct cfg_key *key,
	       const struct pl *word, struct pl *name, struct pl *val)
{
	const char *eq = pl_strchr(word, '=');

	if (!eq || eq == word->p)
		return cfg_error(ctx, key, "'%r' is not name=value", word);

	name->p = word->p;
	name->l = (size_t)(eq - word->p);
	val->p = eq + 1;
	val->l = (size_t)(word->p + word->l - val->p);

	return 0;
}


/** Split a value of exactly two words; otherwise "expected USAGE" */
int cfg_words2(struct cfg_ctx *ctx, const struct cfg_key *key,
	       const struct pl *val, const char *usage, struct pl *a,
	       struct pl *b)
{
	struct pl rest = *val, extra;

	if (!words_next(&rest, a) || !words_next(&rest, b) ||
	    words_next(&rest, &extra))
		return cfg_error(ctx, key, "expected %s", usage);

	return 0;
}


/** Name of a transport */
const char *cfg_tp_name(enum cfg_tp tp)
{
	switch (tp) {

	case CFG_UDP: return "udp";
	case CFG_TCP: return "tcp";
	case CFG_TLS: return "tls";
	default:      return "?";
	}
}


/** yes/no, true/false, on/off, 1/0 */
int cfg_bool_h(struct cfg_ctx *ctx, const struct cfg_key *key,
	       const struct pl *val, void *field)
{
	static const char *yes[] = {"yes", "true", "on", "1"};
	static const char *no[]  = {"no", "false", "off", "0"};

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (0 == pl_strcasecmp(val, yes[i])) {
			*(bool *)field = true;
			return 0;
		}
		if (0 == pl_strcasecmp(val, no[i])) {
			*(bool *)field = false;
			return 0;
		}
	}

	return cfg_error(ctx, key, "'%r' is not yes or no", val);
}


int cfg_u32_h(struct cfg_ctx *ctx, const struct cfg_key *key,
	      const struct pl *val, void *field)
{
	return cfg_u32(ctx, key, val, key->min, key->max, field);
}


int cfg_str_h(struct cfg_ctx *ctx, const struct cfg_key *key,
	      const struct pl *val, void *field)
{
	return cfg_str(ctx, key, val, field, key->size);
}


/** An address with a port: "ADDR:PORT" or "[V6]:PORT" */
int cfg_sa_h(struct cfg_ctx *ctx, const struct cfg_key *key,
	     const struct pl *val, void *field)
{
	struct pl host;
	uint16_t port;
	struct sa sa;

	if (cfg_hostport(ctx, key, val, &host, &port))
		return EINVAL;

	if (!port)
		return cfg_error(ctx, key, "'%r' needs a port", val);

	if (cfg_addr(ctx, key, &host, &sa))
		return EINVAL;

	sa_set_port(&sa, port);
	*(struct sa *)field = sa;

	return 0;
}


int cfg_level_h(struct cfg_ctx *ctx, const struct cfg_key *key,
		const struct pl *val, void *field)
{
	char buf[16];
	int level;

	if (val->l >= sizeof(buf) || pl_strcpy(val, buf, sizeof(buf)) ||
	    (level = elog_level_parse(buf)) < 0)
		return cfg_error(ctx, key, "'%r' is not a level (error, "
				 "warning, notice, info, debug)", val);

	*(int *)field = level;

	return 0;
}


/**
 * Read a media security: rtp, srtp or any
 *
 * @param ctx Parser context
 * @param key Key, for messages
 * @param val The word
 * @param m   Set to it
 *
 * @return 0 if success, otherwise errorcode (ctx->err set)
 */
int cfg_media(struct cfg_ctx *ctx, const struct cfg_key *key,
	      const struct pl *val, enum cfg_media *m)
{
	for (int i = CFG_MEDIA_ANY; i <= CFG_MEDIA_SRTP; i++) {
		if (0 == pl_strcasecmp(val, cfg_media_name(i))) {
			*m = (enum cfg_media)i;
			return 0;
		}
	}

	return cfg_error(ctx, key, "'%r' is not rtp, srtp or any", val);
}


/** @return the name of a media security, as configured */
const char *cfg_media_name(enum cfg_media m)
{
	switch (m) {

	case CFG_MEDIA_RTP:  return "rtp";
	case CFG_MEDIA_SRTP: return "srtp";
	default:             return "any";
	}
}


int cfg_media_h(struct cfg_ctx *ctx, const struct cfg_key *key,
		const struct pl *val, void *field)
{
	return cfg_media(ctx, key, val, field);
}


/** @return the name of a Diversion / History-Info mode, as configured */
const char *cfg_divhi_name(enum cfg_divhi d)
{
	switch (d) {

	case CFG_DIVHI_DIV:      return "div";
	case CFG_DIVHI_DIV_ONLY: return "div-only";
	case CFG_DIVHI_HI:       return "hi";
	case CFG_DIVHI_HI_ONLY:  return "hi-only";
	default:                 return "pass";
	}
}


/**
 * Read a Diversion / History-Info mode: pass, div, div-only, hi or
 * hi-only
 *
 * @param ctx Parser context
 * @param key Key, for messages
 * @param val The word
 * @param d   Set to it
 *
 * @return 0 if success, otherwise errorcode (ctx->err set)
 */
int cfg_divhi(struct cfg_ctx *ctx, const struct cfg_key *key,
	      const struct pl *val, enum cfg_divhi *d)
{
	for (int i = CFG_DIVHI_PASS; i <= CFG_DIVHI_HI_ONLY; i++) {
		if (0 == pl_strcasecmp(val, cfg_divhi_name(i))) {
			*d = (enum cfg_divhi)i;
			return 0;
		}
	}

	return cfg_error(ctx, key, "'%r' is not pass, div, div-only, hi or "
			 "hi-only", val);
}


int cfg_divhi_h(struct cfg_ctx *ctx, const struct cfg_key *key,
		const struct pl *val, void *field)
{
	return cfg_divhi(ctx, key, val, field);
}


/** @return the name of a relay_io setting, as configured */
const char *cfg_rio_name(enum cfg_rio r)
{
	switch (r) {

	case CFG_RIO_URING: return "uring";
	case CFG_RIO_EPOLL: return "epoll";
	default:            return "auto";
	}
}


int cfg_rio_h(struct cfg_ctx *ctx, const struct cfg_key *key,
	      const struct pl *val, void *field)
{
	for (int i = CFG_RIO_AUTO; i <= CFG_RIO_EPOLL; i++) {
		if (0 == pl_strcasecmp(val, cfg_rio_name(i))) {
			*(enum cfg_rio *)field = (enum cfg_rio)i;
			return 0;
		}
	}

	return cfg_error(ctx, key, "'%r' is not auto, uring or epoll", val);
}


/** @return the name of a kernel fast path setting, as configured */
const char *cfg_kpath_name(enum cfg_kpath k)
{
	switch (k) {

	case CFG_KPATH_AUTO:      return "auto";
	case CFG_KPATH_BPF:       return "bpf";
	case CFG_KPATH_CONNTRACK: return "conntrack";
	default:                  return "no";
	}
}


/**
 * Read a relay_kernel word: auto, bpf, conntrack or no; yes (the old
 * boolean) is read as auto
 *
 * @param word The word
 * @param k    Set to it
 *
 * @return 0 if success, EINVAL if it is none of them
 */
int cfg_kpath_decode(const struct pl *word, enum cfg_kpath *k)
{
	if (!word || !k)
		return EINVAL;

	if (0 == pl_strcasecmp(word, "yes")) {
		*k = CFG_KPATH_AUTO;
		return 0;
	}

	for (int i = CFG_KPATH_NO; i <= CFG_KPATH_CONNTRACK; i++) {
		if (0 == pl_strcasecmp(word, cfg_kpath_name(i))) {
			*k = (enum cfg_kpath)i;
			return 0;
		}
	}

	return EINVAL;
}


int cfg_kpath_h(struct cfg_ctx *ctx, const struct cfg_key *key,
		const struct pl *val, void *field)
{
	if (cfg_kpath_decode(val, field))
		return cfg_error(ctx, key, "'%r' is not auto, bpf, conntrack "
				 "or no (yes means auto)", val);

	return 0;
}


int cfg_target_h(struct cfg_ctx *ctx, const struct cfg_key *key,
		 const struct pl *val, void *field)
{
	if (0 == pl_strcmp(val, "stderr"))
		*(int *)field = ELOG_STDERR;
	else if (0 == pl_strcmp(val, "syslog"))
		*(int *)field = ELOG_SYSLOG;
	else
		return cfg_error(ctx, key, "'%r' is not stderr or syslog",
				 val);

	return 0;
}


int cfg_facility_h(struct cfg_ctx *ctx, const struct cfg_key *key,
		   const struct pl *val, void *field)
{
	char buf[16];
	int fac;

	if (val->l >= sizeof(buf) || pl_strcpy(val, buf, sizeof(buf)) ||
	    (fac = elog_facility_parse(buf)) < 0)
		return cfg_error(ctx, key, "'%r' is not a syslog facility "
				 "(daemon, user, local0..local7)", val);

	*(int *)field = fac;

	return 0;
}
