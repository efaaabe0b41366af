/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sig.h  Signals delivered through the main loop (signalfd)
 */
#ifndef UMEDGE_SIG_H
#define UMEDGE_SIG_H

struct sig;

/**
 * Called from the main loop for each signal received
 *
 * @param signo Signal number (SIGTERM, SIGINT or SIGHUP)
 * @param arg   Handler argument
 */
typedef void (sig_h)(int signo, void *arg);

int sig_block(void);
int sig_alloc(struct sig **sigp, sig_h *h, void *arg);

#endif
