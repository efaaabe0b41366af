/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file fuzz_rstate.c  libFuzzer target: a call's relay state as Redis
 *                      gives it back (relay_call_import(), docs/ha.md)
 *
 * An input is the stored state of one call. Whatever it holds, the
 * import makes the call or refuses it with an error, and leaves nothing
 * behind when it refuses. A call it makes is written out again; that
 * state, imported after the call is deleted, makes the same call: its
 * export is the same, byte for byte (the ports are claimed again, the
 * latches set as they were). Seeds: tests/data/rstate (*.bin)
 */
#include <string.h>
#include <re.h>
#define DEBUG_MODULE "fuzz_rstate"
#define DEBUG_LEVEL 0
#include <re_dbg.h>
#include "cfg.h"
#include "relay.h"
#include "fzrelay.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CONF \
	"interface external 127.0.0.1 ports=61600-61799\n" \
	"interface internal 127.0.0.2 ports=61800-61999\n" \
	"sip_enable no\n" \
	"relay_threads 1\n"

static struct {
	struct cfg *cfg;
	struct relay *relay;
} fz;


static bool first_id(const struct relay_call *call, void *arg)
{
	str_ncpy(arg, relay_call_id(call), 512);
	return true;
}


/* the call made is written out (with its SRTP keys), deleted, made
 * again from what was written (as the B2BUA's call or not, as the input
 * was: an odd length is the B2BUA's), and written out the same. The
 * comparison leaves the keys out: a sending SRTCP context made again
 * is primed past its stored index (srtpix.c), so that part moves on by
 * design at each import. */
static void round_trip(bool b2b)
{
	struct mbuf *k = mbuf_alloc(1024);
	struct mbuf *a = mbuf_alloc(1024), *b = mbuf_alloc(1024);
	char id[512] = "";
	struct pl pl;

	fzrelay_check(k && a && b);
	relay_call_apply(fz.relay, first_id, id);
	fzrelay_check(!relay_call_export(k, fz.relay, id, true));
	fzrelay_check(!relay_call_export(a, fz.relay, id, false));
	pl_set_str(&pl, id);
	fzrelay_check(!relay_delete(fz.relay, &pl));

	fzrelay_settle(fz.relay);
	fzrelay_check(!relay_call_import(fz.relay, (char *)k->buf, k->end,
					 b2b));
	fzrelay_check(!relay_call_export(b, fz.relay, id, false));
	fzrelay_check(a->end == b->end && !memcmp(a->buf, b->buf, a->end));

	mem_deref(k);
	mem_deref(a);
	mem_deref(b);
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned before = relay_call_count(fz.relay);

	bool b2b = size & 1;
	int err;

	err = relay_call_import(fz.relay, (const char *)data, size, b2b);
	fzrelay_check(relay_call_count(fz.relay) == before + !err);
	if (!err)
		round_trip(b2b);

	fzrelay_flush(fz.relay);
	fzrelay_settle(fz.relay);

	return 0;
}


int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;

	if (fzrelay_cfg(&fz.cfg, CONF))
		return 1;

	return relay_alloc(&fz.relay, fz.cfg) ? 1 : 0;
}
