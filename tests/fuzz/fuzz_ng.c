/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file fuzz_ng.c  libFuzzer target: the ng control protocol's
 *                  dispatcher (cookie, reply cache, bencode, commands
 *                  offer, answer, delete, query and list with their SDP)
 *
 * An input is one or more datagrams from a controller, separated by
 * "\0NG\0" (so an offer can be followed by its answer), each taken by
 * ng_input() as the UDP socket would. Each input comes from a port of
 * its own, so cached replies of earlier inputs are not found again.
 * Every datagram with a cookie gets a reply, "COOKIE SP" and exactly
 * one bencode dictionary. The relay's calls are deleted after each
 * input. Seeds: tests/data/ng/kamailio-*.bin, tests/data/ng/seq-*.bin
 */
#include <string.h>
#include <re.h>
#define DEBUG_MODULE "fuzz_ng"
#define DEBUG_LEVEL 0
#include <re_dbg.h>
#include "cfg.h"
#include "bencode.h"
#include "relay.h"
#include "ng.h"
#include "fzrelay.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CONF \
	"interface external 127.0.0.1 ports=61200-61399\n" \
	"interface internal 127.0.0.2 ports=61400-61599\n" \
	"sip_enable no\n" \
	"relay_threads 1\n" \
	"relay_ng_listen 127.0.0.1:59224\n" \
	"relay_ng_controller 127.0.0.1/32\n"

static struct {
	struct cfg *cfg;
	struct relay *relay;
	struct ng *ng;
	uint16_t port;        /**< Source port of the next input */
} fz;


/* a reply is a cookie, a space and one whole dictionary */
static void reply_check(const struct mbuf *mb)
{
	const char *p = (const char *)mbuf_buf(mb);
	size_t n = mbuf_get_left(mb);
	const char *sp = memchr(p, ' ', n);
	struct benc *b = NULL;

	fzrelay_check(sp != NULL && sp > p);
	sp++;
	fzrelay_check(!benc_decode(&b, sp, n - (size_t)(sp - p), NULL));
	fzrelay_check(b->type == BENC_DICT && benc_dict_get(b, "result"));
	mem_deref(b);
}


static void datagram(const struct sa *src, const uint8_t *p, size_t n)
{
	struct mbuf mb, *reply = NULL;

	mbuf_init(&mb);
	mb.buf = (uint8_t *)p;
	mb.size = mb.end = n;

	fzrelay_check(!ng_input(fz.ng, src, &mb, &reply));
	if (reply)
		reply_check(reply);
	mem_deref(reply);
}


/* where the separator "\0NG\0" is in p, or NULL */
static const uint8_t *sep_find(const uint8_t *p, size_t n)
{
	static const uint8_t sep[4] = {0, 'N', 'G', 0};

	for (size_t i = 0; i + sizeof(sep) <= n; i++) {
		if (!memcmp(p + i, sep, sizeof(sep)))
			return p + i;
	}

	return NULL;
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sa src;

	(void)sa_set_str(&src, "127.0.0.1", 1024 + fz.port);
	fz.port = (fz.port + 1) % 60000;

	while (size) {
		const uint8_t *end = sep_find(data, size);
		size_t n = end ? (size_t)(end - data) : size;

		datagram(&src, data, n);
		if (!end)
			break;
		data += n + 4;
		size -= n + 4;
	}

	fzrelay_flush(fz.relay);

	return 0;
}


int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;

	if (fzrelay_cfg(&fz.cfg, CONF))
		return 1;

	/* any free port: libFuzzer's -merge runs a second process */
	sa_set_port(&fz.cfg->relay.ng_listen, 0);

	if (relay_alloc(&fz.relay, fz.cfg) ||
	    ng_alloc(&fz.ng, fz.relay, fz.cfg))
		return 1;

	return 0;
}
