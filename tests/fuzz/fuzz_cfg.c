/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file fuzz_cfg.c  libFuzzer target: the configuration parser
 *
 * Any input must give a configuration or an error message, never a
 * crash, a leak or undefined behaviour.
 */
#include <string.h>
#include <re.h>
#include "cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg *cfg = NULL;
	char err[512];

	if (0 == cfg_parse(&cfg, "fuzz", (const char *)data, size, err,
			   sizeof(err)))
		mem_deref(cfg);
	else if (!memchr(err, '\0', sizeof(err)) || !err[0])
		__builtin_trap();   /* every refusal must say why */

	return 0;
}
