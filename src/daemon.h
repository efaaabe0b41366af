/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file daemon.h  Running in the background: fork, pidfile, readiness
 */
#ifndef UMEDGE_DAEMON_H
#define UMEDGE_DAEMON_H

int  daemon_fork(void);
void daemon_ready(int err);
int  daemon_pidfile_write(const char *path);
void daemon_pidfile_remove(const char *path);
int  daemon_stdio_null(void);

#endif
