/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file appdrain.c  Graceful drain: stop taking new calls, let the
 *                   running ones end, then exit
 *
 * While draining, the B2BUA answers a new INVITE (and OPTIONS, unless
 * drain_options_503 no) with 503 and Retry-After, the TURN server a new
 * Allocate with 508, the ng socket an offer of a new call with
 * "draining", the credential service 503; everything that belongs to a
 * running call, allocation or stream goes on. Once a second the daemon
 * counts what is left (SIP calls, relay calls, TURN allocations and
 * reservations): at none it stops. At the timeout it ends the SIP calls
 * (BYE on both legs), gives the BYEs 2 s, and stops whatever is left.
 */
#include <time.h>
#include <re.h>
#define DEBUG_MODULE "drain"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "cfg.h"
#include "relay.h"
#include "ng.h"
#include "turnd.h"
#include "b2b.h"
#include "credsrv.h"
#include "sdnotify.h"
#include "app.h"
#include "app_priv.h"


enum {
	CHECK_MS = 1000,   /**< How often what is left is counted    */
	BYE_S    = 2,      /**< Time the BYEs get after the timeout  */
};


/**
 * @param app Daemon
 *
 * @return what is left to end: SIP calls, relay calls, TURN
 *         allocations (reservations included)
 */
unsigned app_drain_left(const struct app *app)
{
	return b2b_count(app->b2b) + relay_call_count(app->relay) +
		turnd_count(app->turnd) + turnd_resv_count(app->turnd);
}


static void stop(struct app *app, const char *why)
{
	DEBUG_NOTICE("drain: %s, stopping\n", why);
	tmr_cancel(&app->drain.tmr);
	re_cancel();
}


static void check_handler(void *arg)
{
	struct app *app = arg;
	uint64_t now = (uint64_t)time(NULL);
	unsigned left = app_drain_left(app);

	if (!left) {
		stop(app, "nothing left");
		return;
	}

	if (now >= app->drain.until && app->drain.hungup) {
		stop(app, "timed out");
		return;
	}

	if (now >= app->drain.until) {
		DEBUG_NOTICE("drain: timed out with %u calls, %u relay calls "
			     "and %u allocations left: ending the calls\n",
			     b2b_count(app->b2b), relay_call_count(app->relay),
			     turnd_count(app->turnd));
		b2b_hangup_all(app->b2b, "drain timeout");
		app->drain.hungup = true;
		app->drain.until = now + BYE_S;
	}

	tmr_start(&app->drain.tmr, CHECK_MS, check_handler, app);
}


static void parts_drain(struct app *app)
{
	b2b_set_draining(app->b2b, true);
	turnd_set_draining(app->turnd, true);
	ng_set_draining(app->ng, true);
	credsrv_set_draining(app->cred, true);
}


/**
 * Start draining, or shorten a drain in progress
 *
 * @param app     Daemon
 * @param timeout Seconds from now it may last at most (a drain under
 *                way keeps the earlier end)
 *
 * @return 0 if success, otherwise errorcode
 */
int app_drain(struct app *app, uint32_t timeout)
{
	uint64_t now = (uint64_t)time(NULL);

	if (!app)
		return EINVAL;

	if (app->drain.on) {
		app->drain.until = min(app->drain.until, now + timeout);
		return 0;
	}

	app->drain.on = true;
	app->drain.since = now;
	app->drain.until = now + timeout;
	parts_drain(app);
	app_stopping(app);
	DEBUG_NOTICE("draining: no new calls, allocations or offers; %u "
		     "left; %u s at most\n", app_drain_left(app), timeout);

	tmr_start(&app->drain.tmr, 0, check_handler, app);

	return 0;
}
