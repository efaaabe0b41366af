/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file fuzz_infodtmf.c  libFuzzer target: the body of a gateway's SIP
 *                        INFO with a DTMF digit
 *
 * The first byte chooses the type ('R' application/dtmf-relay, anything
 * else application/dtmf), the rest is the body. infodtmf_parse() either
 * refuses it (EBADMSG) or gives one digit the relay can play and a
 * duration that fits in 6 digits. Nothing may crash or read out of
 * bounds. Seeds: tests/data/infodtmf/ *.txt
 */
#include <string.h>
#include <re.h>
#include "cfg.h"
#include "b2b_priv.h"
#include "bcall.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pl sub, body;
	uint32_t dur = 0;
	char digit = 0;
	int err;

	if (!size)
		return 0;

	pl_set_str(&sub, data[0] == 'R' ? "dtmf-relay" : "dtmf");
	body.p = (const char *)data + 1;
	body.l = size - 1;

	err = infodtmf_parse(&sub, &body, &digit, &dur);
	if (err && err != EBADMSG)
		__builtin_trap();
	if (!err && (!strchr("0123456789*#ABCDabcd", digit) || !digit ||
		     dur > 999999))
		__builtin_trap();

	return 0;
}
