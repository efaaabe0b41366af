/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file cfg.c  Configuration: the key table, the line reader, defaults
 */
#include <stddef.h>
#include <string.h>
#include <syslog.h>
#include <re.h>
#define DEBUG_MODULE "cfg"
#define DEBUG_LEVEL 5
#include <re_dbg.h>
#include "elog.h"
#include "tok.h"
#include "cfg.h"
#include "cfg_priv.h"
#include "words.h"


static const uint16_t sip_ports[]  = {5060, 5060, 5061};
static const uint16_t turn_ports[] = {3478, 3478, 5349};

#define F(f) offsetof(struct cfg, f), sizeof(((struct cfg *)0)->f)
#define KBOOL(n, f)       {n, cfg_bool_h, F(f), 0, 0, false, NULL}
#define KU32(n, f, lo, hi) {n, cfg_u32_h, F(f), lo, hi, false, NULL}
#define KSTR(n, f)        {n, cfg_str_h, F(f), 0, 0, false, NULL}
#define KNETS(n, f)       {n, cfg_nets_h, F(f), 0, 0, true, NULL}
#define KONE(n, h, f)     {n, h, F(f), 0, 0, false, NULL}
#define KLIST(n, h, f, p) {n, h, F(f), 0, 0, true, p}

/** Every key umedge knows; docs/configuration.md follows this order */
static const struct cfg_key keys[] = {
	KONE("log_level",             cfg_level_h,    log_level),
	KONE("log_target",            cfg_target_h,   log_target),
	KONE("log_facility",          cfg_facility_h, log_facility),
	KSTR("pidfile",               pidfile),
	KSTR("control_socket",        control_socket),

	KLIST("interface",            cfg_iface_h, ifaces, NULL),

	KBOOL("sip_enable",           sip.enable),
	KBOOL("sip_own_streams",      sip.own_streams),
	KBOOL("sip_own_udp",          sip.own_udp),
	KBOOL("sip_100rel",           sip.rel100),
	KLIST("sip_listen",           cfg_listen_h, sip.listeners, sip_ports),
	KSTR("sip_tls_cert",          sip.tls_cert),
	KSTR("sip_tls_key",           sip.tls_key),
	KSTR("sip_tls_ca",            sip.tls_ca),
	KNETS("sip_gateway",          sip.gateways),
	KLIST("sip_um_host",          cfg_umhost_h, sip.umhosts, sip_ports),
	KNETS("sip_internal_network", sip.internal_nets),
	KU32("sip_max_redirects",     sip.max_redirects, 1, 10),
	KU32("sip_rate_limit",        sip.rate_limit, 0, 100000),
	KU32("sip_stream_conns",      sip.stream_conns, 1, 1000000),
	KU32("sip_stream_conns_source", sip.stream_conns_source, 1, 100000),
	KU32("sip_stream_msg_timeout", sip.stream_msg_timeout, 1, 600),
	KU32("sip_stream_idle",       sip.stream_idle, 10, 86400),
	KU32("sip_options_interval",  sip.options_interval, 0, 3600),
	KU32("sip_session_expires",   sip.session_expires, 0, 86400),
	KU32("sip_min_se",            sip.min_se, 90, 86400),
	KSTR("sip_user_agent",        sip.user_agent),
	KSTR("sip_cdr_file",          sip.cdr_file),
	KONE("sip_um_media",          cfg_media_h, sip.um_media),
	KONE("sip_gw_media",          cfg_media_h, sip.gw_media),
	KONE("sip_um_divhi",          cfg_divhi_h, sip.um_divhi),
	KLIST("sip_gw_set",           cfg_gwset_h, sip.gwsets, NULL),
	KLIST("sip_gw",               cfg_gw_h, sip.gwsets, sip_ports),
	KLIST("sip_route",            cfg_route_h, sip.routes, NULL),
	KLIST("sip_out_allow",        cfg_allow_h, sip.out_allow, NULL),
	KU32("sip_in_max_calls",      sip.in_max_calls, 0, 1000000),
	KU32("sip_out_max_calls",     sip.out_max_calls, 0, 100000),
	KU32("sip_out_cps",           sip.out_cps, 0, 10000),
	KLIST("sip_domain",           cfg_domain_h, sip.domains, NULL),
	KLIST("sip_pass_header",      cfg_passhdr_h, sip.pass_hdrs, NULL),

	KBOOL("relay_enable",         relay.enable),
	KU32("relay_threads",         relay.threads, 0, 64),
	KONE("relay_ng_listen",       cfg_sa_h, relay.ng_listen),
	KNETS("relay_ng_controller",  relay.ng_controllers),
	KBOOL("relay_require_token",  relay.require_token),
	KU32("relay_learn_window",    relay.learn_window, 1, 300),
	KU32("relay_timeout",         relay.timeout, 1, 86400),
	KU32("relay_timeout_setup",   relay.timeout_setup, 1, 86400),
	KU32("relay_timeout_hold",    relay.timeout_hold, 1, 86400),
	KONE("relay_kernel",          cfg_kpath_h,    relay.kernel),
	KONE("relay_io",              cfg_rio_h,      relay.io),
	KBOOL("relay_rtcp_rewrite",   relay.rtcp_rewrite),
	KBOOL("relay_rtcp_drop_malformed", relay.rtcp_drop_malformed),

	KBOOL("turn_enable",          turn.enable),
	KLIST("turn_listen",          cfg_listen_h, turn.listeners,
				      turn_ports),
	KSTR("turn_realm",            turn.realm),
	KSTR("turn_relay_interface",  turn.relay_iface),
	KNETS("turn_allowed_peer",    turn.allowed_peers),
	KNETS("turn_denied_peer",     turn.denied_peers),
	KLIST("turn_nat64_prefix",    cfg_nat64_h, turn.nat64_prefixes, NULL),
	KSTR("turn_tls_cert",         turn.tls_cert),
	KSTR("turn_tls_key",          turn.tls_key),
	KU32("turn_max_lifetime",     turn.max_lifetime, 60, 86400),
	KU32("turn_user_quota",       turn.user_quota, 1, 100000),
	KU32("turn_total_quota",      turn.total_quota, 1, 1000000),
	KU32("turn_max_bps",          turn.max_bps, 0, 1000000000),
	KBOOL("turn_kernel",          turn.kernel),
	KU32("turn_conn_per_source",  turn.conn_per_source, 1, 4096),
	KU32("turn_conn_idle",        turn.conn_idle, 1, 3600),

	KLIST("token_secret",         cfg_secret_h, keys, NULL),
	KU32("token_ttl",             token_ttl, 60, 31536000),
	KU32("drain_timeout",         drain.timeout, 0, 604800),
	KU32("drain_retry_after",     drain.retry_after, 0, 86400),
	KBOOL("drain_options_503",    drain.options_503),

	KONE("cred_listen",           cfg_http_h, cred.lsn),
	KSTR("cred_bearer_key",       cred.bearer),
	KNETS("cred_client",          cred.clients),
	KSTR("cred_tls_cert",         cred.tls_cert),
	KSTR("cred_tls_key",          cred.tls_key),
	KSTR("cred_tls_ca",           cred.tls_ca),
	KONE("metrics_listen",        cfg_http_h, metrics.lsn),
	KNETS("metrics_client",       metrics.clients),
	KBOOL("metrics_per_host",     metrics.per_host),
	KONE("hep_collector",         cfg_sa_h, hep.collector),
	KU32("hep_capture_id",        hep.capture_id, 0, 4294967295U),
	KSTR("hep_auth_key",          hep.auth_key),
	KONE("ha_redis",              cfg_sa_h, ha.redis),
	KSTR("ha_redis_password",     ha.redis_password),
	KU32("ha_redis_db",           ha.redis_db, 0, 65535),
	KSTR("ha_node",               ha.node),
	KSTR("ha_group",              ha.group),
	KU32("ha_ttl",                ha.ttl, 60, 604800),
	KBOOL("ha_pair",              ha.pair),
	KBOOL("ha_store_keys",        ha.store_keys),
};


static void cfg_destructor(void *data)
{
	struct cfg *cfg = data;

	list_flush(&cfg->ifaces);
	list_flush(&cfg->sip.listeners);
	list_flush(&cfg->sip.umhosts);
	list_flush(&cfg->sip.gateways);
	list_flush(&cfg->sip.internal_nets);
	list_flush(&cfg->sip.routes);
	list_flush(&cfg->sip.gwsets);
	list_flush(&cfg->sip.out_allow);
	list_flush(&cfg->sip.domains);
	list_flush(&cfg->sip.pass_hdrs);
	list_flush(&cfg->relay.ng_controllers);
	list_flush(&cfg->turn.listeners);
	list_flush(&cfg->turn.allowed_peers);
	list_flush(&cfg->turn.denied_peers);
	list_flush(&cfg->turn.nat64_prefixes);
	list_flush(&cfg->cred.clients);
	list_flush(&cfg->metrics.clients);
	mem_deref(cfg->keys);
}


static int cfg_alloc(struct cfg **cfgp, const char *name)
{
	struct cfg *cfg;
	int err;

	cfg = mem_zalloc(sizeof(*cfg), cfg_destructor);
	if (!cfg)
		return ENOMEM;

	err = tok_keyring_alloc(&cfg->keys);
	if (err) {
		mem_deref(cfg);
		return err;
	}

	str_ncpy(cfg->path, name, sizeof(cfg->path));
	cfg->log_level    = DBG_INFO;
	cfg->log_target   = ELOG_STDERR;
	cfg->log_facility = LOG_DAEMON;
	str_ncpy(cfg->pidfile, "/run/umedge/umedge.pid",
		 sizeof(cfg->pidfile));
	str_ncpy(cfg->control_socket, "/run/umedge/control.sock",
		 sizeof(cfg->control_socket));

	cfg->sip.enable           = true;
	cfg->sip.max_redirects    = 3;
	cfg->sip.rel100           = true;
	cfg->sip.own_streams      = true;
	cfg->sip.own_udp          = true;
	cfg->sip.rate_limit       = 50;
	cfg->sip.stream_conns     = 4096;
	cfg->sip.stream_conns_source = 64;
	cfg->sip.stream_msg_timeout  = 10;
	cfg->sip.stream_idle      = 900;
	cfg->sip.options_interval = 20;
	cfg->sip.session_expires  = 1800;
	cfg->sip.min_se           = 90;
	cfg->sip.out_max_calls    = 20;
	cfg->sip.out_cps          = 5;
	str_ncpy(cfg->sip.user_agent, "umedge/" VERSION,
		 sizeof(cfg->sip.user_agent));

	cfg->relay.enable        = true;
	cfg->relay.learn_window  = 10;
	cfg->relay.timeout       = 60;
	cfg->relay.timeout_setup = 120;
	cfg->relay.timeout_hold  = 3600;
	cfg->relay.rtcp_rewrite  = true;
	cfg->relay.kernel        = CFG_KPATH_AUTO;
	cfg->relay.io            = CFG_RIO_AUTO;

	str_ncpy(cfg->turn.realm, "umedge", sizeof(cfg->turn.realm));
	cfg->turn.max_lifetime = 3600;
	cfg->turn.user_quota   = 10;
	cfg->turn.total_quota  = 10000;
	cfg->turn.conn_per_source = 64;
	cfg->turn.conn_idle    = 60;

	cfg->token_ttl = 86400;
	cfg->metrics.per_host = true;
	cfg->hep.capture_id = 1;
	str_ncpy(cfg->ha.group, "umedge", sizeof(cfg->ha.group));
	cfg->ha.ttl = 86400;
	cfg->drain.timeout = 3600;
	cfg->drain.retry_after = 300;
	cfg->drain.options_503 = true;

	*cfgp = cfg;

	return 0;
}


static const struct cfg_key *key_find(const struct pl *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		if (0 == pl_strcmp(name, keys[i].name))
			return &keys[i];
	}

	return NULL;
}


/* Split a line into key and value; comments and blanks give no key */
static int line_split(struct cfg_ctx *ctx, const struct pl *line,
		      struct pl *key, struct pl *val)
{
	struct pl rest = *line;

	for (size_t i = 0; i < line->l; i++) {
		unsigned char c = (unsigned char)line->p[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return cfg_error(ctx, NULL, "control character 0x%02x "
					 "in line", c);
	}

	if (!words_next(&rest, key) || key->p[0] == '#') {
		key->l = 0;
		return 0;
	}

	/* '#' starts a comment where it follows white space */
	for (size_t i = 1; i < rest.l; i++) {
		if (rest.p[i] == '#' &&
		    (rest.p[i-1] == ' ' || rest.p[i-1] == '\t')) {
			rest.l = i;
			break;
		}
	}

	words_trim(&rest);
	*val = rest;

	return 0;
}


static int line_apply(struct cfg_ctx *ctx, const struct pl *line,
		      unsigned *seen)
{
	const struct cfg_key *key;
	struct pl name, val;
	size_t idx;

	if (line_split(ctx, line, &name, &val))
		return EINVAL;

	if (!name.l)
		return 0;

	key = key_find(&name);
	if (!key)
		return cfg_error(ctx, NULL, "unknown key '%r'", &name);

	if (!val.l)
		return cfg_error(ctx, key, "missing value");

	idx = (size_t)(key - keys);
	if (!key->multi && seen[idx])
		return cfg_error(ctx, key, "already set on line %u",
				 seen[idx]);
	seen[idx] = ctx->line;

	return key->h(ctx, key, &val, (uint8_t *)ctx->cfg + key->off);
}


static int parse_lines(struct cfg_ctx *ctx, const char *buf, size_t len)
{
	unsigned seen[ARRAY_SIZE(keys)] = {0};
	struct pl rest, line;

	rest.p = buf;
	rest.l = len;

	while (rest.l) {
		const char *nl = pl_strchr(&rest, '\n');

		line.p = rest.p;
		line.l = nl ? (size_t)(nl - rest.p) : rest.l;
		pl_advance(&rest, line.l + (nl ? 1 : 0));
		++ctx->line;

		if (line.l && line.p[line.l - 1] == '\r')
			--line.l;

		if (line.l >= CFG_LINE_MAX)
			return cfg_error(ctx, NULL, "line is too long (%zu > "
					 "%u characters)", line.l,
					 CFG_LINE_MAX - 1);

		if (line_apply(ctx, &line, seen))
			return EINVAL;
	}

	ctx->line = 0;

	return 0;
}


/**
 * Parse and check a configuration held in memory
 *
 * @param cfgp  Pointer to allocated configuration
 * @param name  Name for error messages (and cfg->path)
 * @param buf   The text
 * @param len   Its length
 * @param err   Buffer for "name:line: key: reason" on error
 * @param errsz Size of err
 *
 * @return 0 if success, otherwise errorcode
 */
int cfg_parse(struct cfg **cfgp, const char *name, const char *buf,
	      size_t len, char *err, size_t errsz)
{
	struct cfg_ctx ctx;
	struct cfg *cfg;
	int e;

	if (!cfgp || !name || (!buf && len))
		return EINVAL;

	if (err && errsz)
		err[0] = '\0';

	e = cfg_alloc(&cfg, name);
	if (e)
		return e;

	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg   = cfg;
	ctx.name  = name;
	ctx.err   = err;
	ctx.errsz = errsz;

	if (len > CFG_FILE_MAX) {
		e = cfg_error(&ctx, NULL, "file is too large (> %u bytes)",
			      CFG_FILE_MAX);
		goto out;
	}

	e = parse_lines(&ctx, buf, len);
	if (e)
		goto out;

	e = cfg_check(&ctx);

 out:
	if (e)
		mem_deref(cfg);
	else
		*cfgp = cfg;

	return e;
}


/**
 * Read, parse and check a configuration file
 *
 * @param cfgp  Pointer to allocated configuration
 * @param path  File to read
 * @param err   Buffer for "path:line: key: reason" on error
 * @param errsz Size of err
 *
 * @return 0 if success, otherwise errorcode
 */
int cfg_load(struct cfg **cfgp, const char *path, char *err, size_t errsz)
{
	struct mbuf *mb;
	FILE *f;
	int e = 0;

	if (!cfgp || !path)
		return EINVAL;

	mb = mbuf_alloc(4096);
	if (!mb)
		return ENOMEM;

	f = fopen(path, "r");
	if (!f) {
		e = errno;
		(void)re_snprintf(err, errsz, "%s: %m", path, e);
		goto out;
	}

	while (!e && mb->end <= CFG_FILE_MAX) {
		uint8_t chunk[4096];
		size_t n = fread(chunk, 1, sizeof(chunk), f);

		if (n == 0)
			break;
		e = mbuf_write_mem(mb, chunk, n);
	}

	if (!e && ferror(f)) {
		e = EIO;
		(void)re_snprintf(err, errsz, "%s: read error", path);
	}
	(void)fclose(f);

	if (!e)
		e = cfg_parse(cfgp, path, (const char *)mb->buf, mb->end,
			      err, errsz);

 out:
	mem_deref(mb);

	return e;
}


/**
 * Find an interface by name
 *
 * @return the interface, NULL if there is none of that name
 */
const struct cfg_iface *cfg_iface_find(const struct cfg *cfg,
				       const char *name)
{
	struct le *le;

	if (!cfg || !name)
		return NULL;

	for (le = cfg->ifaces.head; le; le = le->next) {
		const struct cfg_iface *ifc = le->data;

		if (0 == strcmp(ifc->name, name))
			return ifc;
	}

	return NULL;
}


/**
 * Count the media ports of every interface: what the relay may open
 *
 * @return number of ports
 */
uint32_t cfg_media_ports(const struct cfg *cfg)
{
	uint32_t n = 0;
	struct le *le;

	for (le = cfg ? cfg->ifaces.head : NULL; le; le = le->next) {
		const struct cfg_iface *ifc = le->data;

		if (ifc->port_min)
			n += (uint32_t)(ifc->port_max - ifc->port_min + 1);
	}

	return n;
}
