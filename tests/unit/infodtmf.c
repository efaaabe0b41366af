/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file infodtmf.c  Unit tests: DTMF bodies of SIP INFO (infodtmf.c)
 */
#include <string.h>
#include <re.h>
#include "cfg.h"
#include "b2b_priv.h"
#include "bcall.h"
#include "test.h"


int test_infodtmf_parse(void)
{
	static const struct {
		const char *sub, *body;
		int err;
		char digit;
		uint32_t dur;
	} v[] = {
		{"dtmf-relay", "Signal=5\r\nDuration=160\r\n", 0, '5', 160},
		{"DTMF-Relay", "duration = 2000\r\nsignal= #\r\n", 0, '#',
		 2000},
		{"dtmf-relay", "Signal=*\n", 0, '*', 250},
		{"dtmf-relay", "Signal=d\r\nDuration=0\r\n", 0, 'd', 0},
		{"dtmf-relay", "X-Other=1\r\nSignal=0\r\n", 0, '0', 250},
		{"dtmf", "7", 0, '7', 250},
		{"dtmf", " 9\r\n", 0, '9', 250},
		{"dtmf-relay", "Signal=10\r\n", EBADMSG, 0, 0},
		{"dtmf-relay", "Signal=E\r\n", EBADMSG, 0, 0},
		{"dtmf-relay", "Duration=100\r\n", EBADMSG, 0, 0},
		{"dtmf-relay", "Signal=1\r\nDuration=1000000\r\n", EBADMSG, 0,
		 0},
		{"dtmf-relay", "Signal=1\r\nDuration=-5\r\n", EBADMSG, 0, 0},
		{"dtmf-relay", "", EBADMSG, 0, 0},
		{"dtmf", "12", EBADMSG, 0, 0},
		{"dtmf", "1 2", EBADMSG, 0, 0},
		{"dtmf", "", EBADMSG, 0, 0},
		{"dtmf", "x", EBADMSG, 0, 0},
		{"sdp", "v=0", ENOTSUP, 0, 0},
	};
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct pl sub, body;
		uint32_t dur;
		char digit = 0;
		int e;

		pl_set_str(&sub, v[i].sub);
		pl_set_str(&body, v[i].body);
		e = infodtmf_parse(&sub, &body, &digit, &dur);
		if (e != v[i].err ||
		    (!e && (digit != v[i].digit || dur != v[i].dur))) {
			TEST_FAIL("%s '%s': %d '%c' %u\n", v[i].sub, v[i].body,
				  e, digit, e ? 0 : dur);
			err = EINVAL;
			goto out;
		}
	}

 out:
	return err;
}
