/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file fuzz_divhi.c  libFuzzer target: Diversion and History-Info
 *                     values read and written back (divhi.c)
 *
 * The first byte chooses the direction ('D': the rest is Diversion
 * values, to History-Info; anything else: History-Info entries, to
 * Diversion, the byte's low bit saying Privacy: history); the rest is
 * split into values at each '\n'. Decoding either finds diversions (0)
 * or none (ENOENT); what it finds prints. Nothing may crash or read out
 * of bounds, and no printed line may hold a control character but its
 * CRLF.
 */
#include <string.h>
#include <re.h>
#include "divhi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static int print_h(const char *p, size_t size, void *arg)
{
	return mbuf_write_mem(arg, (const uint8_t *)p, size);
}


static void check(const struct mbuf *mb)
{
	for (size_t i = 0; i < mb->end; i++) {
		uint8_t ch = mb->buf[i];

		if ((ch < 0x20 || ch == 0x7f) && ch != '\r' && ch != '\n')
			__builtin_trap();
	}
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pl vals[8];
	struct divhi_chain c;
	struct mbuf mb;
	struct re_printf pf = {print_h, &mb};
	const char *p, *end;
	size_t n = 0;
	int err;

	if (!size)
		return 0;

	p = (const char *)data + 1;
	end = (const char *)data + size;
	while (p <= end && n < ARRAY_SIZE(vals)) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		vals[n].p = p;
		vals[n++].l = (size_t)((nl ? nl : end) - p);
		if (!nl)
			break;
		p = nl + 1;
	}

	err = data[0] == 'D' ? divhi_div_decode(&c, vals, n) :
		divhi_hi_decode(&c, vals, n, data[0] & 1);
	if (err && err != ENOENT)
		__builtin_trap();
	if (err)
		return 0;
	if (!c.n || c.n > DIVHI_MAX)
		__builtin_trap();

	mbuf_init(&mb);
	err = data[0] == 'D' ? divhi_hi_print(&pf, &c, "sip:t@e") :
		divhi_div_print(&pf, &c);
	if (err)
		__builtin_trap();
	check(&mb);
	mbuf_reset(&mb);

	return 0;
}
