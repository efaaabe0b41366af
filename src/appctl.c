/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file appctl.c  The daemon's control commands: status, reload, calls,
 *                 call and turn, as text or (after "json") as JSON
 *
 * The JSON field names are a promise to scripts: umedgectl(8) lists
 * them, and tests/integration/ctl-json.test checks them.
 */
#include <time.h>
#include <re.h>
#include "elog.h"
#include "tok.h"
#include "cfg.h"
#include "jsonw.h"
#include "words.h"
#include "relay.h"
#include "ng.h"
#include "turnd.h"
#include "b2b.h"
#include "credsrv.h"
#include "ha.h"
#include "ctl.h"
#include "app.h"
#include "app_priv.h"


static int no_args(struct re_printf *pf, const struct pl *args,
		   const char *cmd)
{
	if (!pl_isset(args))
		return 0;

	(void)re_hprintf(pf, "%s takes no arguments\n", cmd);
	return EINVAL;
}


static int keys_print(struct re_printf *pf, const struct tok_keyring *kr)
{
	const struct tok_key *signer = tok_keyring_signer(kr);
	int err = 0;

	if (!signer)
		return re_hprintf(pf, "none");

	for (struct le *le = kr->keys.head; le; le = le->next) {
		const struct tok_key *key = le->data;

		err |= re_hprintf(pf, "%s%s", le == kr->keys.head ? "" : ", ",
				  key->id);
	}

	return err | re_hprintf(pf, " (%s signs)", signer->id);
}


static void keys_json(struct jsonw *w, const struct tok_keyring *kr)
{
	const struct tok_key *signer = tok_keyring_signer(kr);

	jsonw_obj(w, "token_secrets");
	jsonw_arr(w, "ids");
	for (struct le *le = signer ? kr->keys.head : NULL; le;
	     le = le->next) {
		const struct tok_key *key = le->data;

		jsonw_str(w, NULL, key->id);
	}
	jsonw_close(w);
	jsonw_str(w, "signer", signer ? signer->id : NULL);
	jsonw_close(w);
}


static void parts_json(struct jsonw *w, const struct app *app)
{
	b2b_json(w, app->b2b);
	if (app->relay) {
		jsonw_obj(w, "relay");
		relay_json(w, app->relay);
		ng_json(w, app->ng);
		jsonw_close(w);
	}
	else
		jsonw_null(w, "relay");
	turnd_json(w, app->turnd);
	credsrv_json(w, app->cred);
	ha_json(w, app->ha);
}


static void drain_json(struct jsonw *w, const struct app *app)
{
	uint64_t now = (uint64_t)time(NULL);

	if (!app->drain.on) {
		jsonw_null(w, "drain");
		return;
	}

	jsonw_obj(w, "drain");
	jsonw_u64(w, "since_s", now - app->drain.since);
	jsonw_u64(w, "ends_in_s", app->drain.until > now ?
		  app->drain.until - now : 0);
	jsonw_obj(w, "left");
	jsonw_u64(w, "sip_calls", b2b_count(app->b2b));
	jsonw_u64(w, "relay_calls", relay_call_count(app->relay));
	jsonw_u64(w, "turn_allocations", turnd_count(app->turnd));
	jsonw_close(w);
	jsonw_close(w);
}


static int drain_print(struct re_printf *pf, const struct app *app)
{
	uint64_t now = (uint64_t)time(NULL);

	if (!app->drain.on)
		return 0;

	return re_hprintf(pf, "drain: since %llu s, left %u sip calls, %u "
			  "relay calls, %u turn allocations; ends in %llu s\n",
			  (unsigned long long)(now - app->drain.since),
			  b2b_count(app->b2b), relay_call_count(app->relay),
			  turnd_count(app->turnd),
			  (unsigned long long)(app->drain.until > now ?
					       app->drain.until - now : 0));
}


static int status_json(struct re_printf *pf, const struct app *app)
{
	const struct cfg *cfg = app->cfg;
	struct jsonw w;

	jsonw_init(&w, pf);
	jsonw_obj(&w, NULL);
	jsonw_str(&w, "version", VERSION);
	jsonw_u64(&w, "uptime_s", (uint64_t)time(NULL) - app->started);
	jsonw_u64(&w, "started_unix", app->started);
	drain_json(&w, app);
	jsonw_obj(&w, "config");
	jsonw_str(&w, "path", cfg->path);
	jsonw_u64(&w, "loads", app->loads);
	jsonw_u64(&w, "refused", app->refused);
	jsonw_close(&w);
	jsonw_str(&w, "log_level", elog_level_name(cfg->log_level));
	keys_json(&w, cfg->keys);
	jsonw_u64(&w, "interfaces", list_count(&cfg->ifaces));
	jsonw_u64(&w, "media_ports", cfg_media_ports(cfg));
	parts_json(&w, app);
	jsonw_close(&w);

	return jsonw_end(&w);
}


static int status_text(struct re_printf *pf, const struct app *app)
{
	const struct cfg *cfg = app->cfg;
	int err;

	err  = re_hprintf(pf, "version: %s\n", VERSION);
	err |= re_hprintf(pf, "uptime: %llu s\n",
			  (unsigned long long)(time(NULL) - app->started));
	err |= drain_print(pf, app);
	err |= re_hprintf(pf, "config: %s (loaded %u, refused %u)\n",
			  cfg->path, app->loads, app->refused);
	err |= re_hprintf(pf, "log_level: %s\n",
			  elog_level_name(cfg->log_level));
	err |= re_hprintf(pf, "token_secrets: %H\n", keys_print, cfg->keys);
	err |= re_hprintf(pf, "interfaces: %u, media ports: %u\n",
			  list_count(&cfg->ifaces), cfg_media_ports(cfg));
	err |= b2b_status(pf, app->b2b);
	err |= relay_status(pf, app->relay);
	if (app->relay)
		err |= ng_status(pf, app->ng);
	err |= turnd_status(pf, app->turnd);
	err |= credsrv_status(pf, app->cred);
	err |= ha_status(pf, app->ha);

	return err;
}


static int status_handler(struct re_printf *pf, const struct pl *args,
			  bool json, void *arg)
{
	const struct app *app = arg;
	int err;

	err = no_args(pf, args, "status");
	if (err)
		return err;

	return json ? status_json(pf, app) : status_text(pf, app);
}


static int reload_handler(struct re_printf *pf, const struct pl *args,
			  bool json, void *arg)
{
	struct app *app = arg;
	struct jsonw w;
	char msg[512];
	int err;

	err = no_args(pf, args, "reload");
	if (err)
		return err;

	err = app_reload(app, msg, sizeof(msg));
	if (err) {
		(void)re_hprintf(pf, "%s\nrefused; the running configuration "
				 "stays in force\n", msg);
		return err;
	}

	if (!json)
		return re_hprintf(pf, "reloaded %s\n", app->cfg->path);

	jsonw_init(&w, pf);
	jsonw_obj(&w, NULL);
	jsonw_str(&w, "reloaded", app->cfg->path);
	jsonw_u64(&w, "loads", app->loads);
	jsonw_close(&w);

	return jsonw_end(&w);
}


static int calls_handler(struct re_printf *pf, const struct pl *args,
			 bool json, void *arg)
{
	const struct app *app = arg;
	struct jsonw w;
	int err;

	err = no_args(pf, args, "calls");
	if (err)
		return err;

	if (!json)
		return b2b_calls_print(pf, app->b2b) |
			relay_calls_print(pf, app->relay);

	jsonw_init(&w, pf);
	jsonw_obj(&w, NULL);
	b2b_calls_json(&w, app->b2b);
	relay_calls_json(&w, app->relay);
	jsonw_close(&w);

	return jsonw_end(&w);
}


static int call_handler(struct re_printf *pf, const struct pl *args,
			bool json, void *arg)
{
	const struct app *app = arg;
	struct jsonw w;
	int err;

	if (!pl_isset(args)) {
		(void)re_hprintf(pf, "usage: call CALL-ID\n");
		return EINVAL;
	}

	if (!app->relay) {
		(void)re_hprintf(pf, "the relay is disabled\n");
		return ENOENT;
	}

	if (!json)
		return relay_call_print(pf, app->relay, args);

	jsonw_init(&w, pf);
	err = relay_call_json(&w, app->relay, args);
	if (err) {
		(void)re_hprintf(pf, "no call '%r'\n", args);
		return err;
	}

	return jsonw_end(&w);
}


static int turn_handler(struct re_printf *pf, const struct pl *args,
			bool json, void *arg)
{
	const struct app *app = arg;
	struct jsonw w;
	int err;

	err = no_args(pf, args, "turn");
	if (err)
		return err;

	if (!json)
		return turnd_allocs_print(pf, app->turnd);

	jsonw_init(&w, pf);
	turnd_allocs_json(&w, app->turnd);

	return jsonw_end(&w);
}


static int drain_handler(struct re_printf *pf, const struct pl *args,
			 bool json, void *arg)
{
	struct app *app = arg;
	uint32_t timeout = app->cfg->drain.timeout;
	struct jsonw w;

	if (pl_isset(args)) {
		if (!words_isnum(args, 7)) {
			(void)re_hprintf(pf, "usage: drain [SECONDS]\n");
			return EINVAL;
		}
		timeout = pl_u32(args);
	}

	(void)app_drain(app, timeout);
	if (!json)
		return drain_print(pf, app);

	jsonw_init(&w, pf);
	jsonw_obj(&w, NULL);
	drain_json(&w, app);
	jsonw_close(&w);

	return jsonw_end(&w);
}


static int ha_handler(struct re_printf *pf, const struct pl *args,
		      bool json, void *arg)
{
	struct app *app = arg;
	char msg[128] = "";
	int err;

	if (!app->ha) {
		(void)re_hprintf(pf, "high availability is off (ha_redis)\n");
		return ENOENT;
	}

	if (!pl_strcmp(args, "takeover"))
		err = ha_takeover(app->ha, msg, sizeof(msg));
	else if (!pl_strcmp(args, "release"))
		err = ha_release(app->ha, msg, sizeof(msg));
	else {
		(void)re_hprintf(pf, "usage: ha takeover|release\n");
		return EINVAL;
	}

	if (json) {
		struct jsonw w;

		jsonw_init(&w, pf);
		jsonw_obj(&w, NULL);
		jsonw_str(&w, "result", msg);
		jsonw_close(&w);
		(void)jsonw_end(&w);
	}
	else {
		(void)re_hprintf(pf, "%s\n", msg);
	}

	return err;
}


/**
 * Register the daemon's commands on its control socket
 *
 * @param app The daemon, with its control socket
 *
 * @return 0 if success, otherwise errorcode
 */
int appctl_register(struct app *app)
{
	struct ctl *ctl = app->ctl;
	int err;

	err  = ctl_register(ctl, "status", "version, uptime and what "
			    "is enabled", status_handler, app);
	err |= ctl_register(ctl, "reload", "re-read the configuration "
			    "file (as SIGHUP)", reload_handler, app);
	err |= ctl_register(ctl, "calls", "the relay's calls, one per "
			    "line", calls_handler, app);
	err |= ctl_register(ctl, "call", "CALL-ID: streams, addresses, "
			    "latching and counters", call_handler, app);
	err |= ctl_register(ctl, "turn", "TURN allocations: user, "
			    "5-tuple, relayed address, peers, counters",
			    turn_handler, app);
	err |= ctl_register(ctl, "drain", "[SECONDS]: take no new calls, "
			    "exit when none is left (or at the timeout)",
			    drain_handler, app);
	err |= ctl_register(ctl, "ha", "takeover|release: this node becomes "
			    "the active or the standby one of its pair",
			    ha_handler, app);

	return err;
}
