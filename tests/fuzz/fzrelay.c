/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file fzrelay.c  Fuzz targets' helpers around a relay: a failed check
 *                  is a crash libFuzzer reports; every call an input
 *                  made is deleted before the next
 */
#include <re.h>
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


static bool first_call(const struct relay_call *call, void *arg)
{
	str_ncpy(arg, relay_call_id(call), 512);
	return true;
}


/**
 * Delete every call of a relay
 *
 * @param relay Relay
 */
void fzrelay_flush(struct relay *relay)
{
	char id[512];
	struct pl pl;

	while (relay_call_count(relay)) {
		id[0] = '\0';
		relay_call_apply(relay, first_call, id);
		pl_set_str(&pl, id);
		fzrelay_check(!relay_delete(relay, &pl));
	}
}
