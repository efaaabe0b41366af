/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file app.c  The umedge daemon: owns the configuration, the control
 *              socket, the B2BUA, the relay and the TURN server
 *
 * SIGHUP re-reads the configuration file. A new configuration that
 * fails to parse or check, whose TLS files do not load, or that changes
 * what only a restart can (appcheck.c: interfaces, listeners, threads,
 * parts, the log target) is refused with a log line and the running one
 * stays in force. Everything else takes effect at once: the log level,
 * token secrets, the relay's settings, UM hosts, gateways, routes and
 * limits for new calls, TLS certificates for new handshakes.
 */
#include <string.h>
#include <time.h>
#include <re.h>
#define DEBUG_MODULE "app"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "elog.h"
#include "tok.h"
#include "cfg.h"
#include "relay.h"
#include "ng.h"
#include "turnd.h"
#include "b2b.h"
#include "credsrv.h"
#include "metrics.h"
#include "sdnotify.h"
#include "ha.h"
#include "ctl.h"
#include "app.h"
#include "app_priv.h"


static void app_destructor(void *data)
{
	struct app *app = data;

	tmr_cancel(&app->drain.tmr);
	mem_deref(app->sdn);
	mem_deref(app->ctl);
	b2b_set_change_handler(app->b2b, NULL, NULL);
	mem_deref(app->ha);
	mem_deref(app->metrics);
	mem_deref(app->cred);
	mem_deref(app->b2b);
	mem_deref(app->turnd);
	mem_deref(app->ng);
	mem_deref(app->relay);
	mem_deref(app->cfg);
}


/* the watchdog is fed while every relay worker runs its loop */
static bool alive_handler(void *arg)
{
	struct app *app = arg;

	return relay_alive(app->relay);
}


static void status_handler(char *buf, size_t sz, void *arg)
{
	const struct app *app = arg;

	(void)re_snprintf(buf, sz, "%s%u calls, %u relay calls, %u turn "
			  "allocations", app->drain.on ? "draining: " : "",
			  b2b_count(app->b2b), relay_call_count(app->relay),
			  turnd_count(app->turnd));
}


static int relay_start(struct app *app, const struct cfg *cfg)
{
	int err;

	err = relay_alloc(&app->relay, cfg);
	if (err)
		return err;

	if (sa_isset(&cfg->relay.ng_listen, SA_ADDR))
		err = ng_alloc(&app->ng, app->relay, cfg);

	return err;
}


static int sip_export(struct mbuf *mb, const char *id, bool keys, void *arg)
{
	return b2b_call_export(mb, arg, id, keys);
}


static int sip_import(const char *buf, size_t len, bool relay, void *arg)
{
	return b2b_call_import(arg, buf, len, relay);
}


/* high availability exists once ha_redis has been set; the B2BUA's
 * calls are stored with their SIP state */
static int ha_start(struct app *app, const struct cfg *cfg)
{
	int err;

	if (app->ha)
		return ha_set_cfg(app->ha, cfg);

	if (!sa_isset(&cfg->ha.redis, SA_ALL))
		return 0;

	err = ha_alloc(&app->ha, cfg, app->relay);
	if (err || !app->b2b)
		return err;

	ha_set_sip(app->ha, sip_export, sip_import, app->b2b);
	b2b_set_change_handler(app->b2b, ha_call_changed, app->ha);

	return 0;
}


static void log_apply(const struct cfg *cfg)
{
	elog_set_level(cfg->log_level);
}


/**
 * Start the daemon's parts from a checked configuration
 *
 * @param appp Pointer to allocated daemon
 * @param cfg  Configuration; the daemon takes a reference
 *
 * @return 0 if success, otherwise errorcode
 */
int app_alloc(struct app **appp, struct cfg *cfg)
{
	struct app *app;
	int err;

	if (!appp || !cfg)
		return EINVAL;

	app = mem_zalloc(sizeof(*app), app_destructor);
	if (!app)
		return ENOMEM;

	app->cfg = mem_ref(cfg);
	app->started = (uint64_t)time(NULL);
	app->loads = 1;
	log_apply(cfg);

	err = sdnotify_alloc(&app->sdn, alive_handler, status_handler, app);
	if (err)
		goto out;

	err = ctl_alloc(&app->ctl, cfg->control_socket);
	if (err)
		goto out;

	err = appctl_register(app);
	if (err)
		goto out;

	if (cfg->relay.enable) {
		err = relay_start(app, cfg);
		if (err)
			goto out;
	}

	if (cfg->sip.enable) {
		err = b2b_alloc(&app->b2b, cfg, app->relay);
		if (err)
			goto out;
	}

	if (cfg->turn.enable) {
		/* one port pool per interface: TURN shares the relay's */
		err = turnd_alloc(&app->turnd, cfg,
				  relay_portpool(app->relay,
						 cfg->turn.relay_iface));
		if (err)
			goto out;
	}

	if (cfg->cred.lsn.iface[0]) {
		err = credsrv_alloc(&app->cred, cfg);
		if (err)
			goto out;
	}

	if (cfg->metrics.lsn.iface[0]) {
		err = metrics_alloc(&app->metrics, cfg, app_metrics, app);
		if (err)
			goto out;
	}

	err = ha_start(app, cfg);
	if (err)
		goto out;

	DEBUG_NOTICE("umedge %s running with %s\n", VERSION, cfg->path);

 out:
	if (err)
		mem_deref(app);
	else
		*appp = app;

	return err;
}


/* What a reload makes before anything changes: the renewed TLS files
 * of each part, read and checked, the new TURN and SIP listeners,
 * bound, and the new relay interfaces */
struct reload_prep {
	struct tlsmat *sip;    /**< sip_tls_*          */
	struct tlsmat *turn;   /**< turn_tls_*         */
	struct tlsmat *cred;   /**< cred_tls_*         */
	struct list turn_add;  /**< New TURN listeners */
	struct list ifc_add;   /**< New relay interfaces */
	struct b2b_lprep *sipl; /**< New SIP listeners */
};


static void prep_free(struct reload_prep *p)
{
	mem_deref(p->sip);
	mem_deref(p->turn);
	mem_deref(p->cred);
	list_flush(&p->turn_add);
	list_flush(&p->ifc_add);
	mem_deref(p->sipl);
}


static int prepare(struct app *app, const struct cfg *cfg,
		   struct reload_prep *p, char *msg, size_t msgsz)
{
	int err;

	memset(p, 0, sizeof(*p));
	err = b2b_tls_prepare(app->b2b, cfg, &p->sip, msg, msgsz);
	if (!err)
		err = turnd_tls_prepare(app->turnd, cfg, &p->turn, msg, msgsz);
	if (!err)
		err = credsrv_tls_prepare(app->cred, cfg, &p->cred, msg,
					  msgsz);
	if (!err)
		err = turnd_listen_prepare(app->turnd, cfg, &p->turn_add, msg,
					   msgsz);
	if (!err)
		err = b2b_listen_prepare(app->b2b, cfg, &p->sipl, msg, msgsz);
	if (!err && app->relay) {
		err = relay_ifaces_prepare(app->relay, cfg, &p->ifc_add);
		if (err)
			(void)re_snprintf(msg, msgsz, "relay interfaces: %m",
					  err);
	}
	if (err)
		prep_free(p);

	return err;
}


static int reload(struct app *app, char *msg, size_t msgsz)
{
	struct cfg *cfg = NULL;
	struct reload_prep prep;
	int err;

	err = cfg_load(&cfg, app->cfg->path, msg, msgsz);
	if (!err)
		err = app_restart_check(app->cfg, cfg, msg, msgsz);
	if (!err)
		err = prepare(app, cfg, &prep, msg, msgsz);
	if (err)
		cfg = mem_deref(cfg);
	if (err) {
		++app->refused;
		elog_err("reload refused, the running configuration stays "
			 "in force: %s\n", msg);
		return err;
	}

	mem_deref(app->cfg);
	app->cfg = cfg;
	++app->loads;
	app->reloaded = (uint64_t)time(NULL);
	log_apply(cfg);
	relay_set_cfg(app->relay, cfg);
	ng_set_cfg(app->ng, cfg);
	b2b_set_cfg(app->b2b, cfg);
	turnd_set_cfg(app->turnd, cfg);
	b2b_tls_commit(app->b2b, cfg, prep.sip);
	b2b_listen_commit(app->b2b, prep.sipl);
	turnd_tls_commit(app->turnd, prep.turn);
	credsrv_tls_commit(app->cred, prep.cred);
	turnd_listen_commit(app->turnd, cfg, &prep.turn_add);
	relay_ifaces_commit(app->relay, cfg, &prep.ifc_add);
	prep_free(&prep);
	if (ha_start(app, cfg))
		elog_err("reload: high availability could not start\n");

	DEBUG_NOTICE("reloaded %s: log level %s, %u token secrets\n",
		     cfg->path, elog_level_name(cfg->log_level),
		     list_count(&cfg->keys->keys));

	return 0;
}


/**
 * Re-read the configuration file. A configuration that fails is
 * refused with a log line; the running one stays in force.
 *
 * @param app   Daemon
 * @param msg   Buffer for the reason it was refused
 * @param msgsz Size of msg
 *
 * @return 0 if applied, otherwise errorcode
 */
int app_reload(struct app *app, char *msg, size_t msgsz)
{
	int err;

	if (!app || !msg || !msgsz)
		return EINVAL;

	sdnotify_reloading(app->sdn);
	err = reload(app, msg, msgsz);
	sdnotify_reloaded(app->sdn, err ? msg : NULL);

	return err;
}


/**
 * The daemon is up, every listener bound: tell systemd (Type=notify)
 *
 * @param app Daemon
 */
void app_ready(struct app *app)
{
	if (app)
		sdnotify_ready(app->sdn);
}


/**
 * The daemon stops: tell systemd
 *
 * @param app Daemon
 */
void app_stopping(struct app *app)
{
	if (app)
		sdnotify_stopping(app->sdn);
}


/**
 * The configuration in force
 *
 * @param app Daemon
 *
 * @return the configuration
 */
const struct cfg *app_cfg(const struct app *app)
{
	return app ? app->cfg : NULL;
}
