/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file fzturn.c  Fuzz targets: a TURN server with a tap for its
 *                 replies, and a client holding a long-term credential
 *
 * Every reply the server sends must decode. Requests are signed as a
 * client would sign them (USERNAME, REALM, NONCE, MESSAGE-INTEGRITY),
 * so that the fuzzed attributes get past authentication. The server
 * listens on loopback, on any free port.
 */
#include <string.h>
#include <time.h>
#include <re.h>
#define DEBUG_MODULE "fzturn"
#define DEBUG_LEVEL 0
#include <re_dbg.h>
#include "tok.h"
#include "cfg.h"
#include "turnd.h"
#include "turnd_priv.h"
#include "fzturn.h"

struct fzturn fzt;


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


/**
 * Append attributes, encoded by libre (zero transaction ID)
 *
 * @param out   Buffer, written at its position
 * @param attrc Number of attributes, then type and value of each
 *
 * @return 0 if success, otherwise errorcode
 */
int fzturn_body(struct mbuf *out, uint32_t attrc, ...)
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


/* MESSAGE-INTEGRITY over the message from start, its length set */
static int integrity_add(struct mbuf *mb, size_t start)
{
	uint8_t mac[20];
	size_t len = mb->end - start - STUN_HEADER_SIZE + 24;

	mb->buf[start + 2] = (uint8_t)(len >> 8);
	mb->buf[start + 3] = (uint8_t)len;
	hmac_sha1(fzt.key, sizeof(fzt.key), mb->buf + start, mb->end - start,
		  mac, sizeof(mac));
	mb->pos = mb->end;

	return mbuf_write_u16(mb, htons(STUN_ATTR_MSG_INTEGRITY)) |
		mbuf_write_u16(mb, htons(20)) |
		mbuf_write_mem(mb, mac, sizeof(mac));
}


/**
 * Append an authenticated request: the method, raw attributes, then
 * the client's credentials and MESSAGE-INTEGRITY
 *
 * @param mb     Buffer, written at its end
 * @param method Message type (made a request)
 * @param attrs  Raw attributes
 * @param n      Their length (a multiple of 4, at most 1024)
 *
 * @return 0 if success, otherwise errorcode
 */
int fzturn_signed(struct mbuf *mb, uint16_t method, const uint8_t *attrs,
		  size_t n)
{
	char nonce[TURND_NONCE_LEN + 1];
	size_t start = mb->end;
	int err;

	if (n % 4 || n > 1024)
		return EINVAL;

	err = tauth_nonce(nonce, sizeof(nonce), fzt.turnd, &fzt.src,
			  (uint64_t)time(NULL));
	if (err)
		return err;

	mb->pos = start;
	err  = mbuf_write_u16(mb, htons(method & 0x3eef));
	err |= mbuf_write_u16(mb, 0);
	err |= mbuf_write_u32(mb, htonl(0x2112a442));
	err |= mbuf_fill(mb, 0, STUN_TID_SIZE);
	err |= mbuf_write_mem(mb, attrs, n);
	err |= fzturn_body(mb, 3, STUN_ATTR_USERNAME, fzt.user,
			   STUN_ATTR_REALM, "fuzz", STUN_ATTR_NONCE, nonce);

	return err ? err : integrity_add(mb, start);
}


/**
 * Append the requests for an allocation with channel 0x4000 bound to a
 * peer (so a permission too)
 *
 * @param mb Buffer, written at its end
 *
 * @return 0 if success, otherwise errorcode
 */
int fzturn_setup(struct mbuf *mb)
{
	const uint8_t udp = 17;
	const uint16_t chan = 0x4000;
	struct mbuf *tmp = mbuf_alloc(256);
	struct sa peer;
	int err;

	if (!tmp)
		return ENOMEM;

	(void)sa_set_str(&peer, "198.51.100.10", 5000);
	err = fzturn_body(tmp, 1, STUN_ATTR_REQ_TRANSPORT, &udp);
	err |= fzturn_signed(mb, STUN_METHOD_ALLOCATE, tmp->buf, tmp->end);

	tmp->pos = tmp->end = 0;
	err |= fzturn_body(tmp, 2, STUN_ATTR_CHANNEL_NUMBER, &chan,
			   STUN_ATTR_XOR_PEER_ADDR, &peer);
	err |= fzturn_signed(mb, STUN_METHOD_CHANBIND, tmp->buf, tmp->end);

	mem_deref(tmp);

	return err;
}


/**
 * Start libre and a server on loopback, with the tap, and issue the
 * client's credential
 *
 * @param tp    The listener's transport: "udp" or "tcp" (any free port)
 * @param ports First of 200 relayed ports
 *
 * @return 0 if success, otherwise errorcode
 */
int fzturn_init(const char *tp, uint16_t ports)
{
	struct tok_rest cred;
	char conf[512], msg[256];
	int err;

	err = libre_init();
	if (err)
		return err;
	dbg_init(DBG_EMERG, DBG_NONE);

	(void)re_snprintf(conf, sizeof(conf),
			  "interface lo 127.0.0.1 ports=%u-%u\n"
			  "sip_enable no\nrelay_enable no\nturn_enable yes\n"
			  "turn_listen lo %s 3478\nturn_relay_interface lo\n"
			  "turn_realm fuzz\nturn_total_quota 50\n"
			  "turn_user_quota 50\n"
			  "token_secret k1 fuzz-secret-0123456789\n",
			  ports, ports + 199, tp);
	err = cfg_parse(&fzt.cfg, "fuzz", conf, strlen(conf), msg,
			sizeof(msg));
	if (err)
		return err;

	/* any free port: libFuzzer's -merge runs a second process */
	for (struct le *le = fzt.cfg->turn.listeners.head; le; le = le->next)
		((struct cfg_listen *)le->data)->port = 0;

	err = turnd_alloc(&fzt.turnd, fzt.cfg, NULL);
	if (err)
		return err;

	turnd_tap_set(fzt.turnd, tap_handler, NULL);
	(void)sa_set_str(&fzt.src, "192.0.2.1", 1234);

	err = tok_rest_issue(&cred, fzt.cfg->keys, "fuzz", 86400 * 365,
			     (uint64_t)time(NULL));
	if (err)
		return err;
	str_ncpy(fzt.user, cred.username, sizeof(fzt.user));

	return tauth_key(fzt.key, cred.username, "fuzz", cred.password);
}
