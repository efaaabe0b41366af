/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sdnotify.h  systemd's notify protocol: readiness, reloads,
 *                   status, watchdog, stopping
 *
 * Without libsystemd at build time (or without NOTIFY_SOCKET at run
 * time) every call does nothing.
 */
#ifndef UMEDGE_SDNOTIFY_H
#define UMEDGE_SDNOTIFY_H

struct sdnotify;

/**
 * Whether the daemon is healthy enough to feed the watchdog
 *
 * @param arg Handler argument
 *
 * @return true if every part still makes progress
 */
typedef bool (sdnotify_alive_h)(void *arg);

/**
 * Write the STATUS= line: calls, streams, allocations
 *
 * @param buf Buffer
 * @param sz  Its size
 * @param arg Handler argument
 */
typedef void (sdnotify_status_h)(char *buf, size_t sz, void *arg);

int  sdnotify_alloc(struct sdnotify **sp, sdnotify_alive_h *aliveh,
		    sdnotify_status_h *statush, void *arg);
void sdnotify_ready(struct sdnotify *s);
void sdnotify_reloading(struct sdnotify *s);
void sdnotify_reloaded(struct sdnotify *s, const char *refused);
void sdnotify_stopping(struct sdnotify *s);
bool sdnotify_enabled(void);

#endif
