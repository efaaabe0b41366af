/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file fuzz_stun.c  libFuzzer target: a datagram from a TURN client
 *
 * The input goes through turnd_input(), the function the UDP receive
 * handler calls, from a fixed client address that holds an allocation
 * with a permission and a channel (0x4000), so ChannelData and Send
 * indications reach the relaying code. Replies go to a tap that
 * decodes them.
 *
 * An input whose first byte is 0xff is an authenticated request
 * instead: bytes 1-2 are the message type (made a request), the rest
 * raw attributes; the target
 * appends USERNAME, REALM, NONCE and a valid MESSAGE-INTEGRITY, so
 * Allocate, Refresh, CreatePermission and ChannelBind see fuzzed
 * attributes. Nothing may crash, leak or read out of bounds.
 * Seeds: tests/data/stun/ *.bin. The server and the signing are
 * fzturn.c's; fuzz_tstream.c feeds the same server over TCP.
 */
#include <string.h>
#include <re.h>
#include "tok.h"
#include "cfg.h"
#include "turnd.h"
#include "turnd_priv.h"
#include "fzturn.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


/* datagrams from the client, back to back in mb, one by one */
static void datagrams_input(struct mbuf *mb)
{
	size_t end = mb->end;

	mb->pos = 0;
	while (mb->pos < end) {
		size_t len;

		if (tconn_frame_len(mb, &len) || !len || len > end - mb->pos)
			break;
		mb->end = mb->pos + len;
		(void)turnd_input(fzt.turnd, &fzt.src, mb);
		mb->pos = mb->end;
		mb->end = end;
	}
}


/* the client's allocation, a permission and channel 0x4000 */
static void setup(void)
{
	struct mbuf *mb = mbuf_alloc(1024);

	if (mb && !fzturn_setup(mb))
		datagrams_input(mb);

	mem_deref(mb);
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mbuf *mb = mbuf_alloc(size + 256);

	if (!mb)
		return 0;

	if (size >= 3 && data[0] == 0xff) {
		if (!fzturn_signed(mb, (uint16_t)(data[1] << 8 | data[2]),
				   data + 3, size - 3))
			datagrams_input(mb);
	}
	else {
		(void)mbuf_write_mem(mb, data, size);
		mb->pos = 0;
		(void)turnd_input(fzt.turnd, &fzt.src, mb);
	}
	mem_deref(mb);

	/* the next input finds the allocation again (Refresh 0 ends it) */
	if (!turnd_count(fzt.turnd))
		setup();

	return 0;
}


int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;

	if (fzturn_init("udp", 61600))
		return 1;

	setup();

	return turnd_count(fzt.turnd) == 1 ? 0 : 1;
}
