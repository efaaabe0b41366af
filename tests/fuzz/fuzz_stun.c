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
 * Seeds: tests/data/stun/ *.bin
 */
#include <string.h>
#include <time.h>
#include <re.h>
#define DEBUG_MODULE "fuzz_stun"
#define DEBUG_LEVEL 0
#include <re_dbg.h>
#include "tok.h"
#include "cfg.h"
#include "turnd.h"
#include "turnd_priv.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CONF \
	"interface lo 127.0.0.1 ports=59000-59199\n" \
	"sip_enable no\n" \
	"relay_enable no\n" \
	"turn_enable yes\n" \
	"turn_listen lo udp 59300\n" \
	"turn_relay_interface lo\n" \
	"turn_realm fuzz\n" \
	"turn_total_quota 50\n" \
	"turn_user_quota 50\n" \
	"token_secret k1 fuzz-secret-0123456789\n"

/** The server and the client it talks to */
static struct {
	struct cfg *cfg;                 /**< Configuration   */
	struct turnd *turnd;             /**< Server          */
	struct sa src;                   /**< Client address  */
	char user[TOK_USER_MAX];         /**< USERNAME        */
	uint8_t key[TURND_KEY_LEN];      /**< Long-term key   */
} fz;


static void tap_handler(const struct sa *dst, const struct mbuf *mb,
			void *arg)
{
	struct stun_msg *msg = NULL;
	struct mbuf *copy;

	(void)dst;
	(void)arg;

	if (mbuf_get_left(mb) < 1 || mbuf_buf(mb)[0] >= 0x40)
		return;

	/* what we send must decode */
	copy = tmsg_dup(mb);
	if (!copy)
		return;
	if (stun_msg_decode(&msg, copy, NULL))
		__builtin_trap();
	mem_deref(msg);
	mem_deref(copy);
}


/* attributes, encoded by libre with a zero transaction ID, appended */
static int body_encode(struct mbuf *out, uint32_t attrc, ...)
{
	static const uint8_t tid[STUN_TID_SIZE];
	struct mbuf *tmp = mbuf_alloc(512);
	va_list ap;
	int err;

	if (!tmp)
		return ENOMEM;

	va_start(ap, attrc);
	err = stun_msg_vencode(tmp, 0x001, STUN_CLASS_REQUEST, tid, NULL,
			       NULL, 0, false, 0x00, attrc, ap);
	va_end(ap);
	if (!err)
		err = mbuf_write_mem(out, tmp->buf + STUN_HEADER_SIZE,
				     tmp->end - STUN_HEADER_SIZE);

	mem_deref(tmp);

	return err;
}


/* an authenticated request: method, raw attributes, then credentials */
static void signed_input(uint16_t method, const uint8_t *attrs, size_t n)
{
	char nonce[TURND_NONCE_LEN + 1];
	uint8_t mac[20];
	struct mbuf *mb;
	size_t len;
	int err;

	if (n % 4 || n > 1024)
		return;

	if (tauth_nonce(nonce, sizeof(nonce), fz.turnd, &fz.src,
			(uint64_t)time(NULL)))
		return;

	mb = mbuf_alloc(n + 256);
	if (!mb)
		return;

	err  = mbuf_write_u16(mb, htons(method & 0x3eef));
	err |= mbuf_write_u16(mb, 0);
	err |= mbuf_write_u32(mb, htonl(0x2112a442));
	err |= mbuf_fill(mb, 0, STUN_TID_SIZE);
	err |= mbuf_write_mem(mb, attrs, n);
	err |= body_encode(mb, 3, STUN_ATTR_USERNAME, fz.user,
			   STUN_ATTR_REALM, "fuzz", STUN_ATTR_NONCE, nonce);
	if (err)
		goto out;

	/* MESSAGE-INTEGRITY over everything so far, length included */
	len = mb->end - STUN_HEADER_SIZE + 24;
	mb->buf[2] = (uint8_t)(len >> 8);
	mb->buf[3] = (uint8_t)len;
	hmac_sha1(fz.key, sizeof(fz.key), mb->buf, mb->end, mac, sizeof(mac));
	mb->pos = mb->end;
	err  = mbuf_write_u16(mb, htons(STUN_ATTR_MSG_INTEGRITY));
	err |= mbuf_write_u16(mb, htons(20));
	err |= mbuf_write_mem(mb, mac, sizeof(mac));
	if (err)
		goto out;

	mb->pos = 0;
	(void)turnd_input(fz.turnd, &fz.src, mb);

 out:
	mem_deref(mb);
}


/* the client's allocation, a permission and channel 0x4000 */
static void setup(void)
{
	const uint8_t udp = 17;
	const uint16_t chan = 0x4000;
	struct mbuf *mb = mbuf_alloc(256);
	struct sa peer;

	if (!mb)
		return;

	(void)sa_set_str(&peer, "198.51.100.10", 5000);
	(void)body_encode(mb, 1, STUN_ATTR_REQ_TRANSPORT, &udp);
	signed_input(STUN_METHOD_ALLOCATE, mb->buf, mb->end);

	mb->pos = mb->end = 0;
	(void)body_encode(mb, 2, STUN_ATTR_CHANNEL_NUMBER, &chan,
			  STUN_ATTR_XOR_PEER_ADDR, &peer);
	signed_input(STUN_METHOD_CHANBIND, mb->buf, mb->end);

	mem_deref(mb);
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mbuf *mb;

	if (size >= 3 && data[0] == 0xff) {
		signed_input((uint16_t)(data[1] << 8 | data[2]), data + 3,
			     size - 3);
	}
	else {
		mb = mbuf_alloc(size + 1);
		if (!mb)
			return 0;

		(void)mbuf_write_mem(mb, data, size);
		mb->pos = 0;
		(void)turnd_input(fz.turnd, &fz.src, mb);
		mem_deref(mb);
	}

	/* the next input finds the allocation again (Refresh 0 ends it) */
	if (!turnd_count(fz.turnd))
		setup();

	return 0;
}


int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct tok_rest cred;
	char msg[256];

	(void)argc;
	(void)argv;

	if (libre_init())
		return 1;
	dbg_init(DBG_EMERG, DBG_NONE);

	if (cfg_parse(&fz.cfg, "fuzz", CONF, strlen(CONF), msg, sizeof(msg)) ||
	    turnd_alloc(&fz.turnd, fz.cfg, NULL))
		return 1;

	turnd_tap_set(fz.turnd, tap_handler, NULL);
	(void)sa_set_str(&fz.src, "192.0.2.1", 1234);

	if (tok_rest_issue(&cred, fz.cfg->keys, "fuzz", 86400 * 365,
			   (uint64_t)time(NULL)))
		return 1;
	str_ncpy(fz.user, cred.username, sizeof(fz.user));

	if (tauth_key(fz.key, cred.username, "fuzz", cred.password))
		return 1;

	setup();

	return turnd_count(fz.turnd) == 1 ? 0 : 1;
}
