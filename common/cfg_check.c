/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file cfg_check.c  Configuration: checks across keys, after parsing
 */
#include <string.h>
#include <unistd.h>
#include <re.h>
#include "tok.h"
#include "ipnet.h"
#include "cfg.h"
#include "cfg_priv.h"


static int ifaces_check(struct cfg_ctx *ctx)
{
	struct le *le, *le2;

	if (!ctx->cfg->ifaces.head)
		return cfg_error(ctx, NULL, "no 'interface' is configured");

	for (le = ctx->cfg->ifaces.head; le; le = le->next) {
		const struct cfg_iface *a = le->data;

		for (le2 = le->next; le2; le2 = le2->next) {
			const struct cfg_iface *b = le2->data;

			ctx->line = b->line;
			if (0 == strcmp(a->name, b->name))
				return cfg_error(ctx, NULL, "interface '%s' "
						 "is already defined on line "
						 "%u", b->name, a->line);

			if (!a->port_min || !b->port_min ||
			    !sa_cmp(&a->addr, &b->addr, SA_ADDR))
				continue;

			if (a->port_min <= b->port_max &&
			    b->port_min <= a->port_max)
				return cfg_error(ctx, NULL, "ports of '%s' "
						 "overlap those of '%s' (line "
						 "%u)", b->name, a->name,
						 a->line);
		}
	}

	ctx->line = 0;

	return 0;
}


static int listeners_check(struct cfg_ctx *ctx, const char *key,
			   const struct list *list)
{
	struct le *le, *le2;

	for (le = list->head; le; le = le->next) {
		const struct cfg_listen *l = le->data;

		ctx->line = l->line;
		if (!cfg_iface_find(ctx->cfg, l->iface))
			return cfg_error(ctx, NULL, "%s: no interface '%s'",
					 key, l->iface);

		for (le2 = list->head; le2 != le; le2 = le2->next) {
			const struct cfg_listen *o = le2->data;

			if (0 == strcmp(o->iface, l->iface) &&
			    o->port == l->port &&
			    (o->tp == CFG_UDP) == (l->tp == CFG_UDP))
				return cfg_error(ctx, NULL, "%s: %s port %u "
						 "is already used on line %u",
						 key, l->iface, l->port,
						 o->line);
		}
	}

	ctx->line = 0;

	return 0;
}


static bool has_tls(const struct list *list)
{
	struct le *le;

	for (le = list->head; le; le = le->next) {
		const struct cfg_listen *l = le->data;

		if (l->tp == CFG_TLS)
			return true;
	}

	return false;
}


static int file_check(struct cfg_ctx *ctx, const char *key,
		      const char *path, bool needed)
{
	if (!path[0]) {
		if (needed)
			return cfg_error(ctx, NULL, "%s is required", key);
		return 0;
	}

	if (access(path, R_OK))
		return cfg_error(ctx, NULL, "%s: cannot read '%s': %m", key,
				 path, errno);

	return 0;
}


/* A gateway is outside: an address of its own is in no internal net */
static int gw_check(struct cfg_ctx *ctx, const struct cfg_host *h)
{
	struct sa sa;

	if (sa_set_str(&sa, h->host, 0) ||
	    !ipnet_match(&ctx->cfg->sip.internal_nets, &sa))
		return 0;

	ctx->line = h->line;

	return cfg_error(ctx, NULL, "sip_gw: %s lies in a "
			 "sip_internal_network: a gateway is outside",
			 h->host);
}


/* Every set has a gateway, and every gateway is outside; tls is set if
 * one speaks TLS (it needs the TLS files) */
static int gwsets_check(struct cfg_ctx *ctx, bool *tls)
{
	struct le *le, *le2;

	for (le = ctx->cfg->sip.gwsets.head; le; le = le->next) {
		const struct cfg_gwset *set = le->data;

		ctx->line = set->line;
		if (!set->gws.head)
			return cfg_error(ctx, NULL, "sip_gw_set: set '%s' has "
					 "no sip_gw line", set->name);

		for (le2 = set->gws.head; le2; le2 = le2->next) {
			const struct cfg_host *h = le2->data;

			*tls |= h->tp == CFG_TLS;
			if (gw_check(ctx, h))
				return EINVAL;
		}
	}

	ctx->line = 0;

	return 0;
}


static int sip_check(struct cfg_ctx *ctx)
{
	const struct cfg_sip *sip = &ctx->cfg->sip;
	bool tls = has_tls(&sip->listeners);
	struct le *le;
	int err;

	err = listeners_check(ctx, "sip_listen", &sip->listeners);
	if (err || !sip->enable)
		return err;

	if (!sip->listeners.head)
		return cfg_error(ctx, NULL, "sip_enable is yes but no "
				 "sip_listen is configured");
	if (!sip->umhosts.head)
		return cfg_error(ctx, NULL, "sip_enable is yes but no "
				 "sip_um_host is configured");

	for (le = sip->umhosts.head; le; le = le->next) {
		const struct cfg_host *h = le->data;
		tls |= h->tp == CFG_TLS;
	}

	if (gwsets_check(ctx, &tls))
		return EINVAL;

	if (sip->session_expires && sip->session_expires < sip->min_se)
		return cfg_error(ctx, NULL, "sip_session_expires %u is below "
				 "sip_min_se %u (0 turns timers off)",
				 sip->session_expires, sip->min_se);

	if (file_check(ctx, "sip_tls_cert", sip->tls_cert, tls) ||
	    file_check(ctx, "sip_tls_key", sip->tls_key, tls) ||
	    file_check(ctx, "sip_tls_ca", sip->tls_ca, tls))
		return EINVAL;

	return 0;
}


static int iface_ports_check(struct cfg_ctx *ctx, const char *key,
			     const char *name)
{
	const struct cfg_iface *ifc = cfg_iface_find(ctx->cfg, name);

	if (!ifc)
		return cfg_error(ctx, NULL, "%s: no interface '%s'", key,
				 name);
	if (!ifc->port_min)
		return cfg_error(ctx, NULL, "%s: interface '%s' has no "
				 "ports=MIN-MAX", key, name);

	return 0;
}


static int turn_check(struct cfg_ctx *ctx)
{
	const struct cfg_turn *turn = &ctx->cfg->turn;
	bool tls;
	int err;

	err = listeners_check(ctx, "turn_listen", &turn->listeners);
	if (err || !turn->enable)
		return err;

	if (!turn->listeners.head)
		return cfg_error(ctx, NULL, "turn_enable is yes but no "
				 "turn_listen is configured");
	if (!turn->relay_iface[0])
		return cfg_error(ctx, NULL, "turn_enable is yes but "
				 "turn_relay_interface is not set");
	err = iface_ports_check(ctx, "turn_relay_interface",
				turn->relay_iface);
	if (err)
		return err;
	if (!ctx->cfg->keys->keys.head)
		return cfg_error(ctx, NULL, "turn_enable is yes but no "
				 "token_secret is configured");

	tls = has_tls(&turn->listeners);
	if (file_check(ctx, "turn_tls_cert", turn->tls_cert, tls) ||
	    file_check(ctx, "turn_tls_key", turn->tls_key, tls))
		return EINVAL;

	return 0;
}


static int relay_check(struct cfg_ctx *ctx)
{
	const struct cfg_relay *relay = &ctx->cfg->relay;

	if (!relay->enable)
		return 0;

	if (!cfg_media_ports(ctx->cfg))
		return cfg_error(ctx, NULL, "relay_enable is yes but no "
				 "interface has ports=MIN-MAX");

	if (relay->require_token && !ctx->cfg->keys->keys.head)
		return cfg_error(ctx, NULL, "relay_require_token is yes but "
				 "no token_secret is configured");

	if (sa_isset(&relay->ng_listen, SA_ADDR) &&
	    !relay->ng_controllers.head)
		return cfg_error(ctx, NULL, "relay_ng_listen is set but no "
				 "relay_ng_controller may use it");

	return 0;
}


/* the interface a listener names, or NULL with ctx->err set */
static const struct cfg_iface *listen_iface(struct cfg_ctx *ctx,
					    const char *key,
					    const struct cfg_http *lsn)
{
	const struct cfg_iface *ifc = cfg_iface_find(ctx->cfg, lsn->iface);

	ctx->line = lsn->line;
	if (!ifc)
		(void)cfg_error(ctx, NULL, "%s: no interface '%s'", key,
				lsn->iface);
	else
		ctx->line = 0;

	return ifc;
}


/* inside only by default: the listener's address is in
 * sip_internal_network, or metrics_client says who may scrape */
static int metrics_check(struct cfg_ctx *ctx)
{
	const struct cfg_metrics *m = &ctx->cfg->metrics;
	const struct cfg_iface *ifc;

	if (!m->lsn.iface[0])
		return 0;

	ifc = listen_iface(ctx, "metrics_listen", &m->lsn);
	if (!ifc)
		return EINVAL;

	if (m->clients.head ||
	    ipnet_match(&ctx->cfg->sip.internal_nets, &ifc->addr))
		return 0;

	ctx->line = m->lsn.line;
	return cfg_error(ctx, NULL, "metrics_listen: interface '%s' (%j) is "
			 "not in sip_internal_network; name who may scrape "
			 "with metrics_client", ifc->name, &ifc->addr);
}


static int cred_check(struct cfg_ctx *ctx)
{
	const struct cfg_cred *cred = &ctx->cfg->cred;

	if (!cred->lsn.iface[0])
		return 0;

	if (listen_iface(ctx, "cred_listen", &cred->lsn) == NULL)
		return EINVAL;

	if (!cred->bearer[0] && !cred->tls_ca[0])
		return cfg_error(ctx, NULL, "cred_listen needs "
				 "cred_bearer_key or cred_tls_ca (clients "
				 "authenticate with a key or a certificate)");
	if (!cred->tls_cert[0] != !cred->tls_key[0])
		return cfg_error(ctx, NULL, "cred_tls_cert and cred_tls_key "
				 "go together");
	if (cred->tls_ca[0] && !cred->tls_cert[0])
		return cfg_error(ctx, NULL, "cred_tls_ca needs cred_tls_cert "
				 "and cred_tls_key (HTTPS)");
	if (cred->bearer[0] && strlen(cred->bearer) < TOK_SECRET_MIN)
		return cfg_error(ctx, NULL, "cred_bearer_key must be at "
				 "least %u characters", TOK_SECRET_MIN);
	if (!ctx->cfg->keys->keys.head)
		return cfg_error(ctx, NULL, "cred_listen is set but no "
				 "token_secret is configured");

	return 0;
}


/* the group names Redis keys and their Cluster hash tag, the node a
 * client name: no braces, no white space, not empty */
static int ha_check(struct cfg_ctx *ctx)
{
	const struct cfg_ha *ha = &ctx->cfg->ha;

	if (!ha->group[0] || strpbrk(ha->group, "{} \t"))
		return cfg_error(ctx, NULL, "ha_group '%s' must be a word "
				 "without braces", ha->group);
	if (strpbrk(ha->node, " \t"))
		return cfg_error(ctx, NULL, "ha_node '%s' must be a word",
				 ha->node);
	if (ha->pair && !sa_isset(&ha->redis, SA_ALL))
		return cfg_error(ctx, NULL, "ha_pair needs ha_redis (the "
				 "pair's calls are in Redis)");

	return 0;
}


/**
 * Check what single lines cannot: references between keys, overlaps,
 * required companions and readable files
 *
 * @return 0 if consistent, otherwise EINVAL with ctx->err set
 */
int cfg_check(struct cfg_ctx *ctx)
{
	int err;

	err = ifaces_check(ctx);
	if (!err)
		err = sip_check(ctx);
	if (!err)
		err = relay_check(ctx);
	if (!err)
		err = turn_check(ctx);
	if (!err)
		err = cred_check(ctx);
	if (!err)
		err = metrics_check(ctx);
	if (!err)
		err = ha_check(ctx);

	return err;
}
