/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file fuzz_digest.c  libFuzzer target: a WWW-Authenticate or
 *                      Proxy-Authenticate value from the wire
 *
 * digest_chal_decode() refuses what it cannot answer with one of its
 * documented errors. What it accepts must be answerable: the
 * Authorization line prints, and it is one line whose only CRLF is its
 * last, however the challenge's values were quoted. The same value as
 * the WWW-Authenticate of a 401 goes through digest_chal_pick(), which
 * must agree with the decoder. Nothing may crash, leak or read out of
 * bounds. Seeds: tests/data/digest/ *.txt
 */
#include <string.h>
#include <re.h>
#include "digest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


/* A username and uri that need escaping, and a qop answer */
static const struct digest_cred cred = {
	"us\"er\\", "secret", "INVITE", "sip:+15551234@trunk.example", "c1",
	1
};


static void check(bool ok)
{
	if (!ok)
		__builtin_trap();
}


/* The line prints, and only its last two bytes are CR LF */
static void answer(const struct digest_chal *c)
{
	struct digest_auth a = {c, &cred};
	struct mbuf *mb = mbuf_alloc(512);

	if (!mb)
		return;

	check(0 == mbuf_printf(mb, "%H", digest_auth_print, &a));
	check(mb->end > 2 && !memcmp(mb->buf + mb->end - 2, "\r\n", 2));

	for (size_t i = 0; i < mb->end - 2; i++)
		check(mb->buf[i] != '\r' && mb->buf[i] != '\n' &&
		      mb->buf[i] != '\0');

	mem_deref(mb);
}


/* The value as the only challenge of a 401 */
static void pick(const uint8_t *data, size_t size)
{
	const struct sip_hdr *hdr;
	struct sip_msg *msg = NULL;
	struct digest_chal c, c2;
	struct mbuf *mb;
	int err;

	if (memchr(data, '\r', size) || memchr(data, '\n', size))
		return;

	mb = mbuf_alloc(size + 256);
	if (!mb)
		return;

	err  = mbuf_printf(mb, "SIP/2.0 401 Unauthorized\r\n"
			   "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
			   "From: <sip:a@192.0.2.1>;tag=1\r\n"
			   "To: <sip:b@192.0.2.2>;tag=2\r\n"
			   "Call-ID: c\r\nCSeq: 1 INVITE\r\n"
			   "WWW-Authenticate: ");
	err |= mbuf_write_mem(mb, data, size);
	err |= mbuf_printf(mb, "\r\nContent-Length: 0\r\n\r\n");
	mb->pos = 0;

	if (!err && !sip_msg_decode(&msg, mb)) {
		hdr = sip_msg_hdr(msg, SIP_HDR_WWW_AUTHENTICATE);
		err = digest_chal_pick(&c, msg, NULL);

		if (hdr && !digest_chal_decode(&c2, &hdr->val))
			check(!err && !c.proxy && c.nonce.p == c2.nonce.p);
		else
			check(err == ENOENT);
	}

	mem_deref(msg);
	mem_deref(mb);
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct pl val = {(const char *)data, size};
	struct digest_chal c;

	switch (digest_chal_decode(&c, &val)) {

	case 0:
		check(pl_isset(&c.nonce) && c.realm.p != NULL);
		answer(&c);
		break;

	case EBADMSG:
	case ENOTSUP:
		check(!c.nonce.p && !c.realm.p);
		break;

	default:
		__builtin_trap();
	}

	pick(data, size);

	return 0;
}
