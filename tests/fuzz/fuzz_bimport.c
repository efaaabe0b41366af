/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file fuzz_bimport.c  libFuzzer target: a B2BUA call as Redis gives it
 *                       back, made again whole (b2b_call_import() after
 *                       relay_call_import(), as harestore.c does)
 *
 * An input is a stored call's two fields back to back: its relay state
 * (the first bencode value; "0:" for none) and then its SIP state. As
 * the restore does, the relay call is made first; if that fails, the
 * SIP state is taken only as a call in setup (which is ended); if the
 * SIP state is refused, the relay call is deleted again. A call that
 * was made is written out again and then hung up, as a drain that timed
 * out does; the main loop then runs for 1 ms for what that sent.
 *
 * A call in setup sends CANCEL and 503, one made again re-INVITEs and
 * 2xx, to addresses of the input. So the process first takes a network
 * namespace of its own, with only its loopback up: a send anywhere but
 * to 127/8 fails (ENETUNREACH), and what goes to 127/8 stays inside.
 * Without the right to do so (not root) it exits 77, a skip.
 *
 * The relay and the configuration live for the whole run; the B2BUA is
 * made for each input and freed after it (app shutdown's way of ending
 * it): only that closes the transactions a CANCEL, a 503, a BYE or a
 * re-INVITE left open, so no input leaves state to the next.
 * Seeds: tests/data/bimport (*.bin, tests/data/fuzzseeds.py)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <net/if.h>
#include <re.h>
#define DEBUG_MODULE "fuzz_bimport"
#define DEBUG_LEVEL 0
#include <re_dbg.h>
#include "cfg.h"
#include "relay.h"
#include "bencode.h"
#include "b2b.h"
#include "fzrelay.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum {
	SKIP = 77,          /**< Exit status of a skipped test    */
};

/* Outside on 127.0.0.1, inside on 127.0.0.2; a gateway set with
 * credentials (a restored leg toward it gets them), one without */
#define CONF \
	"interface external 127.0.0.1 ports=61600-61799\n" \
	"interface internal 127.0.0.2 ports=61800-61999\n" \
	"sip_listen external udp 5060\n" \
	"sip_listen external tcp 5060\n" \
	"sip_listen internal tcp 5060\n" \
	"sip_um_host tcp 127.0.0.2:5070\n" \
	"sip_internal_network 127.0.0.2/32\n" \
	"sip_gateway 127.0.0.10/32\n" \
	"sip_gw_set pstn\n" \
	"sip_gw pstn udp 127.0.0.10:5060 user=edge password=0123456789\n" \
	"sip_gw_set local\n" \
	"sip_gw local tcp 127.0.0.11\n" \
	"sip_route default pstn\n" \
	"sip_options_interval 0\n" \
	"relay_threads 1\n"

static struct {
	struct cfg *cfg;
	struct relay *relay;
	struct b2b *b2b;
} fz;


/* A network namespace of the process's own, its loopback up */
static int netns_enter(void)
{
	struct ifreq ifr;
	int fd, err = 0;

	if (unshare(CLONE_NEWNET))
		return errno;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return errno;

	memset(&ifr, 0, sizeof(ifr));
	str_ncpy(ifr.ifr_name, "lo", sizeof(ifr.ifr_name));
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		err = errno;
	}
	else {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			err = errno;
	}

	(void)close(fd);

	return err;
}


static void wake(void *arg)
{
	(void)arg;
	re_cancel();
}


/* The main loop for 1 ms: what the calls sent and is ready by then (a
 * connection made or refused, a message the B2BUA sent itself) is
 * handled; no timer of the B2BUA's is waited for */
static void loop_run(void)
{
	struct tmr tmr;

	tmr_init(&tmr);
	tmr_start(&tmr, 1, wake, NULL);
	(void)re_main(NULL);
	tmr_cancel(&tmr);
}


static bool first_id(const struct relay_call *call, void *arg)
{
	str_ncpy(arg, relay_call_id(call), 512);
	return true;
}


/* The relay state: the first bencode value of the input; none (the
 * whole input is the SIP state) if it does not decode */
static void split(const uint8_t *data, size_t size, struct pl *rs,
		  struct pl *ss)
{
	struct benc *d = NULL;
	size_t used = 0;

	if (benc_decode(&d, (const char *)data, size, &used))
		used = 0;
	mem_deref(d);

	rs->p = (const char *)data;
	rs->l = used;
	ss->p = (const char *)data + used;
	ss->l = size - used;
}


/* A call made again is written out again (its state may not be stored
 * now: ENOTSUP) */
static void made(const char *id)
{
	struct mbuf *mb = mbuf_alloc(2048);
	int err;

	fzrelay_check(mb != NULL);
	fzrelay_check(b2b_count(fz.b2b) <= 1);

	err = b2b_call_export(mb, fz.b2b, id, true);
	fzrelay_check(!err || err == ENOTSUP || err == ENOENT);

	mem_deref(mb);
}


/* The relay call first, then the SIP state (harestore.c's b2b_take());
 * true if a call was made or one in setup ended (it may have sent) */
static bool take(const struct pl *rs, const struct pl *ss)
{
	char id[512] = "";
	struct pl pl;
	int err;

	err = relay_call_import(fz.relay, rs->p, rs->l, true);
	if (err) {
		err = b2b_call_import(fz.b2b, ss->p, ss->l, false);
		fzrelay_check(err && !b2b_count(fz.b2b));
		return err == ECANCELED;
	}

	relay_call_apply(fz.relay, first_id, id);
	err = b2b_call_import(fz.b2b, ss->p, ss->l, true);
	if (!err) {
		made(id);
		return true;
	}

	fzrelay_check(!b2b_count(fz.b2b));
	pl_set_str(&pl, id);
	(void)relay_delete(fz.relay, &pl);

	return err == ECANCELED;
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pl rs, ss;
	bool sent;

	fzrelay_check(!b2b_alloc(&fz.b2b, fz.cfg, fz.relay));

	split(data, size, &rs, &ss);
	sent = take(&rs, &ss);

	b2b_hangup_all(fz.b2b, "fuzz");
	fzrelay_check(!b2b_count(fz.b2b));
	if (sent)
		loop_run();

	fz.b2b = mem_deref(fz.b2b);
	fzrelay_flush(fz.relay);
	fzrelay_settle(fz.relay);

	return 0;
}


int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int err;

	(void)argc;
	(void)argv;

	err = netns_enter();
	if (err) {
		(void)re_fprintf(stderr, "fuzz_bimport: skipped: a network "
				 "namespace of its own is needed, so that "
				 "what the restored calls send stays on its "
				 "loopback (%m); run as root\n", err);
		exit(SKIP);
	}

	if (fzrelay_cfg(&fz.cfg, CONF))
		return 1;

	return relay_alloc(&fz.relay, fz.cfg) ? 1 : 0;
}
