/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file fuzz_tstream.c  libFuzzer target: a TURN client's TCP stream
 *                       (tconn.c's framing, then each frame as a
 *                       datagram would be taken)
 *
 * Each input is one connection from the client. The first byte: bits
 * 0-6 the size of the chunks the stream arrives in (0: all at once);
 * bit 7: the stream starts with a signed Allocate and a ChannelBind
 * (channel 0x4000), so ChannelData and Send reach an allocation made
 * on the connection. The rest is the stream: STUN messages and
 * ChannelData frames back to back, or anything else. A stream that
 * tconn refuses ends the connection there; the connection, and the
 * allocation with it, is freed at the end of each input. Replies go to
 * fzturn.c's tap, which decodes them.
 * Seeds: tests/data/stun/ *.bin, and tests/data/tstream/ *.bin
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

static struct tlisten *lsn;   /**< The TCP listener */


/* the stream in chunks of csz bytes (0: whole); stops where refused */
static void stream_input(struct tconn *conn, const uint8_t *p, size_t n,
			 size_t csz)
{
	struct mbuf mb;

	if (!csz)
		csz = n;

	while (n) {
		size_t k = min(n, csz);

		mbuf_init(&mb);
		mb.buf = (uint8_t *)p;
		mb.size = mb.end = k;
		if (tconn_recv(conn, &mb, NULL))
			return;
		p += k;
		n -= k;
	}
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tconn *conn = NULL;
	struct mbuf *mb;

	if (size < 1)
		return 0;

	mb = mbuf_alloc(size + 1024);
	if (!mb || tconn_alloc(&conn, lsn, &fzt.src))
		goto out;

	if (data[0] & 0x80 && fzturn_setup(mb))
		goto out;
	(void)mbuf_write_mem(mb, data + 1, size - 1);

	stream_input(conn, mb->buf, mb->end, data[0] & 0x7f);

 out:
	mem_deref(conn);
	mem_deref(mb);

	if (turnd_count(fzt.turnd))
		__builtin_trap();   /* it ended with its connection */

	return 0;
}


int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;

	if (fzturn_init("tcp", 61800))
		return 1;

	for (struct le *le = fzt.turnd->listeners.head; le; le = le->next) {
		struct tlisten *l = le->data;

		if (l->tp == CFG_TCP)
			lsn = l;
	}

	return lsn ? 0 : 1;
}
