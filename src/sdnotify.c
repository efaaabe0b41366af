/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sdnotify.c  systemd's notify protocol (sd_notify(3))
 *
 * READY=1 once the daemon's parts are up (every listener bound);
 * RELOADING=1 with MONOTONIC_USEC= before a reload (systemd 253's
 * Type=notify-reload wants it; 252 ignores it), READY=1 after it, with
 * the refusal in STATUS= when it was refused; STATUS= every 5 s;
 * WATCHDOG=1 at half of WatchdogSec, but only while the owner says
 * every part makes progress (a stuck relay worker lets systemd restart
 * the daemon); STOPPING=1 when it stops.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <re.h>
#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif
#define DEBUG_MODULE "sdnotify"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "sdnotify.h"


enum {
	STATUS_MS = 5000,   /**< STATUS= interval */
};

/** The notifier */
struct sdnotify {
	struct tmr wd;               /**< Watchdog feed           */
	struct tmr st;               /**< STATUS= refresh         */
	uint64_t wd_ms;              /**< Feed interval, 0: off   */
	sdnotify_alive_h *aliveh;    /**< Progress check          */
	sdnotify_status_h *statush;  /**< STATUS= text            */
	void *arg;                   /**< Their argument          */
	char status[128];            /**< Last STATUS= sent       */
};


static void send_msg(const char *msg)
{
#ifdef HAVE_SYSTEMD
	int r = sd_notify(0, msg);

	if (r < 0)
		DEBUG_WARNING("sd_notify: %m\n", -r);
#else
	(void)msg;
#endif
}


/** @return whether NOTIFY_SOCKET is set and libsystemd was built in */
bool sdnotify_enabled(void)
{
#ifdef HAVE_SYSTEMD
	return getenv("NOTIFY_SOCKET") != NULL;
#else
	return false;
#endif
}


static void sdnotify_destructor(void *data)
{
	struct sdnotify *s = data;

	tmr_cancel(&s->wd);
	tmr_cancel(&s->st);
}


static void status_send(struct sdnotify *s, bool force)
{
	char buf[128], msg[160];

	if (!s->statush)
		return;

	s->statush(buf, sizeof(buf), s->arg);
	if (!force && !strcmp(buf, s->status))
		return;

	str_ncpy(s->status, buf, sizeof(s->status));
	(void)re_snprintf(msg, sizeof(msg), "STATUS=%s", buf);
	send_msg(msg);
}


static void status_handler(void *arg)
{
	struct sdnotify *s = arg;

	status_send(s, false);
	tmr_start(&s->st, STATUS_MS, status_handler, s);
}


static void wd_handler(void *arg)
{
	struct sdnotify *s = arg;

	if (!s->aliveh || s->aliveh(s->arg))
		send_msg("WATCHDOG=1");
	else
		DEBUG_WARNING("a part makes no progress: the watchdog is "
			      "not fed\n");

	tmr_start(&s->wd, s->wd_ms, wd_handler, s);
}


static uint64_t watchdog_ms(void)
{
#ifdef HAVE_SYSTEMD
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) > 0 && usec >= 2000)
		return usec / 2000;
#endif
	return 0;
}


/**
 * Start the notifier (nothing is sent before sdnotify_ready())
 *
 * @param sp      Pointer to allocated notifier
 * @param aliveh  Progress check for the watchdog, or NULL
 * @param statush STATUS= text, or NULL
 * @param arg     Their argument
 *
 * @return 0 if success, otherwise errorcode
 */
int sdnotify_alloc(struct sdnotify **sp, sdnotify_alive_h *aliveh,
		   sdnotify_status_h *statush, void *arg)
{
	struct sdnotify *s;

	if (!sp)
		return EINVAL;

	s = mem_zalloc(sizeof(*s), sdnotify_destructor);
	if (!s)
		return ENOMEM;

	tmr_init(&s->wd);
	tmr_init(&s->st);
	s->aliveh = aliveh;
	s->statush = statush;
	s->arg = arg;
	s->wd_ms = sdnotify_enabled() ? watchdog_ms() : 0;

	*sp = s;

	return 0;
}


/**
 * Tell systemd the daemon is up: READY=1 with the STATUS=, and start
 * the watchdog feed and the status refresh
 *
 * @param s Notifier
 */
void sdnotify_ready(struct sdnotify *s)
{
	char msg[160];

	if (!s || !sdnotify_enabled())
		return;

	if (s->statush)
		s->statush(s->status, sizeof(s->status), s->arg);
	(void)re_snprintf(msg, sizeof(msg), "READY=1\nSTATUS=%s\nMAINPID=%d",
			  s->status, (int)getpid());
	send_msg(msg);

	tmr_start(&s->st, STATUS_MS, status_handler, s);
	if (s->wd_ms)
		tmr_start(&s->wd, s->wd_ms, wd_handler, s);
}


/**
 * A reload starts: RELOADING=1
 *
 * @param s Notifier
 */
void sdnotify_reloading(struct sdnotify *s)
{
	struct timespec ts;
	char msg[80];

	if (!s || !sdnotify_enabled())
		return;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	(void)re_snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
			  (unsigned long long)ts.tv_sec * 1000000ULL +
			  (unsigned long long)ts.tv_nsec / 1000);
	send_msg(msg);
}


/**
 * A reload ended: READY=1, and the refusal in STATUS= if it was
 *
 * @param s       Notifier
 * @param refused Why the reload was refused, NULL if it was applied
 */
void sdnotify_reloaded(struct sdnotify *s, const char *refused)
{
	char msg[600];

	if (!s || !sdnotify_enabled())
		return;

	if (refused) {
		(void)re_snprintf(msg, sizeof(msg), "READY=1\nSTATUS=reload "
				  "refused: %s", refused);
		/* one line: a newline would start another field */
		for (char *p = msg + 8; *p; p++) {
			if (*p == '\n' || *p == '\r')
				*p = ' ';
		}
		send_msg(msg);
		return;
	}

	send_msg("READY=1");
	status_send(s, true);
}


/**
 * The daemon stops, now or after a drain: STOPPING=1 (the watchdog is
 * still fed while it drains)
 *
 * @param s Notifier
 */
void sdnotify_stopping(struct sdnotify *s)
{
	if (!s || !sdnotify_enabled())
		return;

	send_msg("STOPPING=1");
}
