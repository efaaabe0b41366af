/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file ctl.h  Control socket: umedgectl's commands, served by the daemon
 *
 * A unix stream socket. The client sends one line, "COMMAND [ARGS]";
 * the daemon answers "ok" or "error: REASON" on the first line, then
 * the body, and closes the connection. A line "json COMMAND [ARGS]"
 * asks for the JSON view: the body is one JSON document, and an error
 * answers "error: " followed by {"error": REASON}.
 */
#ifndef UMEDGE_CTL_H
#define UMEDGE_CTL_H

struct ctl;

/**
 * Runs one command
 *
 * @param pf   Where the body of the answer goes
 * @param args Everything after the command word, trimmed
 * @param json Whether the body is to be JSON (on success)
 * @param arg  Handler argument
 *
 * @return 0 for "ok", otherwise errorcode (the body explains it)
 */
typedef int (ctl_cmd_h)(struct re_printf *pf, const struct pl *args,
			bool json, void *arg);

int ctl_alloc(struct ctl **ctlp, const char *path);
int ctl_register(struct ctl *ctl, const char *name, const char *help,
		 ctl_cmd_h *h, void *arg);

#endif
