/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file fzrelay.c  Fuzz targets' helpers around a relay: a failed check
 *                  is a crash libFuzzer reports; every call an input
 *                  made is deleted before the next, its ports free
 */
#include <string.h>
#include <re.h>
#define DEBUG_MODULE "fzrelay"
#define DEBUG_LEVEL 0
#include <re_dbg.h>
#include "cfg.h"
#include "relay.h"
#include "fzrelay.h"


/**
 * A check: false stops the fuzzer with a crash
 *
 * @param ok What must hold
 */
void fzrelay_check(bool ok)
{
	if (!ok)
		__builtin_trap();
}


/**
 * Delete every call of a relay
 *
 * @param relay Relay
 */
void fzrelay_flush(struct relay *relay)
{
	relay_calls_flush(relay);
	fzrelay_check(!relay_call_count(relay));
}


static void wake(void *arg)
{
	(void)arg;
	re_cancel();
}


/**
 * Wait until every port of a relay is free again: deleted streams give
 * their ports back once the worker lets go of them (an event the main
 * loop reads); up to 1 s, a crash after that
 *
 * @param relay Relay
 */
void fzrelay_settle(struct relay *relay)
{
	uint32_t free = 0, total = 1;

	for (int i = 0; i < 1000; i++) {
		struct tmr tmr;

		relay_ports(relay, &free, &total);
		if (free == total)
			return;
		tmr_init(&tmr);
		tmr_start(&tmr, 1, wake, NULL);
		(void)re_main(NULL);
		tmr_cancel(&tmr);
	}

	fzrelay_check(false);
}


/**
 * libre, silent logging and a target's configuration
 *
 * @param cfgp Pointer to the configuration made
 * @param conf Its text
 *
 * @return 0 if success, otherwise errorcode
 */
int fzrelay_cfg(struct cfg **cfgp, const char *conf)
{
	char msg[256];
	int err;

	err = libre_init();
	if (err)
		return err;

	dbg_init(DBG_EMERG, DBG_NONE);

	return cfg_parse(cfgp, "fuzz", conf, strlen(conf), msg, sizeof(msg));
}
