/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file appmetrics.c  One scrape of /metrics: the process, then each
 *                     part that runs (names in docs/operations.md)
 */
#include <re.h>
#include "cfg.h"
#include "promfmt.h"
#include "relay.h"
#include "turnd.h"
#include "b2b.h"
#include "credsrv.h"
#include "ha.h"
#include "app.h"
#include "app_priv.h"


static int process_metrics(struct mbuf *mb, const struct app *app)
{
	const char *name = "umedge_config_reloads_total";
	int err;

	err  = promfmt_family(mb, "umedge_build_info", PROMFMT_GAUGE,
			      "umedge's version (always 1)");
	err |= promfmt_sample(mb, "umedge_build_info",
			      "version=\"" VERSION "\"", 1);
	err |= promfmt_one(mb, "umedge_start_time_seconds", PROMFMT_GAUGE,
			   "Unix time the daemon started", app->started);
	err |= promfmt_family(mb, name, PROMFMT_COUNTER, "Configuration "
			      "reloads, applied and refused");
	err |= promfmt_sample(mb, name, "result=\"applied\"", app->loads - 1);
	err |= promfmt_sample(mb, name, "result=\"refused\"", app->refused);
	err |= promfmt_one(mb, "umedge_config_last_reload_timestamp_seconds",
			   PROMFMT_GAUGE, "Unix time of the last applied "
			   "reload, 0 if none", app->reloaded);
	err |= promfmt_one(mb, "umedge_draining", PROMFMT_GAUGE, "1 while "
			   "draining (no new calls)", app->drain.on);

	return err;
}


/**
 * Write one scrape: the process's metrics and every part's
 *
 * @param mb  Buffer
 * @param arg The daemon
 *
 * @return 0 if success, otherwise errorcode
 */
int app_metrics(struct mbuf *mb, void *arg)
{
	const struct app *app = arg;

	return process_metrics(mb, app) |
		b2b_metrics(mb, app->b2b, app->cfg->metrics.per_host) |
		relay_metrics(mb, app->relay) |
		turnd_metrics(mb, app->turnd) |
		credsrv_metrics(mb, app->cred) |
		ha_metrics(mb, app->ha);
}
