/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file fuzz_srtp.c  libFuzzer target: SRTP and SRTCP through a
 *                    forwarding side's decrypt and re-encrypt path
 *                    (fsrtp.c, srtpx.c and rtcpsdes.c, as worker.c runs
 *                    them)
 *
 * The first byte picks the mode. Bits 0-1: the suite. Bit 6 clear: raw
 * ciphertext, the rest is one packet from a peer (bit 7: SRTCP) under
 * libsrtp's published test key (the seeds tests/data/srtp/ *.bin
 * authenticate with it). Bit 6 set: plaintext; bits 3-5 a key lifetime
 * in packets (0: none), then packets, each "CTL LEN BYTES" (LEN 255:
 * the rest). The harness encrypts each one as the peer would, with a
 * fixed key, then feeds it to the relay's side. CTL bit 0: RTCP; bit 1:
 * flip one byte (bits 3-7 pick it) after encryption; bit 2: send the
 * previous packet again instead.
 *
 * Checked: a tampered or replayed packet never gets through; one that
 * gets through is the plaintext sent; what the relay re-encrypts
 * toward the other side decrypts there to what it forwarded.
 */
#include <string.h>
#include <re.h>
#include "srtpx.h"
#include "fsrtp.h"
#include "rtcpsdes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { CAP = 2048, PLAIN_MAX = CAP - SRTPX_OVERHEAD };

/** The parties: the peer, the relay's two sides, the far end */
struct parties {
	struct fsrtp peer;   /**< Encrypts as the peer does          */
	struct fsrtp in;     /**< The relay's side facing the peer   */
	struct fsrtp out;    /**< The relay's side facing the far end */
	struct fsrtp far;    /**< The far end, decrypting            */
	uint8_t plain[CAP];  /**< Previous plaintext                 */
	size_t plainn;       /**< Its length                         */
	uint8_t last[CAP];   /**< Previous ciphertext                */
	size_t lastn;        /**< Its length, 0: none                */
	bool lastrtcp;       /**< It was SRTCP                       */
	bool lastok;         /**< The relay took it                  */
};

static const enum srtp_suite suites[] = {
	SRTP_AES_CM_128_HMAC_SHA1_80, SRTP_AES_CM_128_HMAC_SHA1_32,
	SRTP_AES_256_CM_HMAC_SHA1_80, SRTP_AES_128_GCM,
};
static const size_t keylen[] = {30, 30, 46, 28};

/* libsrtp's published test key */
static const uint8_t key1[SDES_KEY_MAX] = {
	0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0,
	0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde, 0x41, 0x39,
	0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb,
	0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6,
};


static void check(bool ok)
{
	if (!ok)
		__builtin_trap();
}


static void key_make(struct sdes_key *k, int s, uint8_t x)
{
	k->suite = suites[s];
	k->len = keylen[s];
	for (size_t i = 0; i < sizeof(k->key); i++)
		k->key[i] = key1[i] ^ x;
}


static void parties_set(struct parties *pt, int s, uint64_t life)
{
	struct sdes_key k1, k2;

	memset(pt, 0, sizeof(*pt));
	key_make(&k1, s, 0);
	key_make(&k2, s, 0x5a);
	fsrtp_set(&pt->peer, NULL, 0, &k1);
	fsrtp_set(&pt->in, &k1, life, NULL);
	fsrtp_set(&pt->out, NULL, 0, &k2);
	fsrtp_set(&pt->far, &k2, 0, NULL);
}


static void parties_clear(struct parties *pt)
{
	fsrtp_clear(&pt->peer);
	fsrtp_clear(&pt->in);
	fsrtp_clear(&pt->out);
	fsrtp_clear(&pt->far);
}


/* what the relay does with a packet from the peer; false: dropped */
static bool relay_side(struct parties *pt, bool rtcp, uint8_t *p,
		       size_t *lenp)
{
	static uint8_t scratch[CAP], fwd[CAP];
	struct pl cname = PL("umedge-0123456789");
	size_t n = 0, m;

	if (!fsrtp_in(&pt->in, rtcp, p, lenp, scratch, sizeof(scratch)))
		return false;

	if (rtcp) {
		if (rtcpsdes_rewrite(scratch, sizeof(scratch), &n, p, *lenp,
				     &cname))
			return true;
		memcpy(p, scratch, n);
		*lenp = n;
	}

	/* toward the far end: it must take back what was forwarded */
	memcpy(fwd, p, *lenp);
	m = *lenp;
	if (!fsrtp_out(&pt->out, rtcp, fwd, &m, sizeof(fwd)))
		return true;
	if (fsrtp_in(&pt->far, rtcp, fwd, &m, scratch, sizeof(scratch)))
		check(m == *lenp && !memcmp(fwd, p, m));

	return true;
}


/* one plaintext packet: encrypted by the peer, maybe tampered with */
static void plain_one(struct parties *pt, uint8_t ctl, const uint8_t *b,
		      size_t n)
{
	static uint8_t buf[CAP];
	bool rtcp = ctl & 1, bad = false;
	size_t len = n;

	if (ctl & 4) {
		if (!pt->lastn)
			return;
		rtcp = pt->lastrtcp;
		len = pt->lastn;
		memcpy(buf, pt->last, len);
		bad = pt->lastok;
	}
	else {
		memcpy(buf, b, n);
		if (!fsrtp_out(&pt->peer, rtcp, buf, &len, sizeof(buf)))
			return;
		memcpy(pt->plain, b, n);
		pt->plainn = n;
		memcpy(pt->last, buf, len);
		pt->lastn = len;
		pt->lastrtcp = rtcp;
		pt->lastok = false;
	}

	if (ctl & 2 && len) {
		buf[(ctl >> 3) * len / 32] ^= 0x01;
		bad = true;
	}

	if (!relay_side(pt, rtcp, buf, &len))
		return;

	check(!bad);
	pt->lastok = true;
	check(rtcp || (len == pt->plainn && !memcmp(buf, pt->plain, len)));
}


static void plain_mode(const uint8_t *data, size_t size)
{
	struct parties pt;
	size_t i = 1;

	parties_set(&pt, data[0] & 3, (data[0] >> 3) & 7);

	while (i + 2 <= size) {
		uint8_t ctl = data[i];
		size_t n = data[i + 1];

		i += 2;
		if (n == 255 || n > size - i)
			n = size - i;
		if (n <= PLAIN_MAX)
			plain_one(&pt, ctl, data + i, n);
		i += n;
	}

	parties_clear(&pt);
}


static void raw_mode(const uint8_t *data, size_t size)
{
	static uint8_t buf[CAP];
	struct parties pt;
	size_t n = size - 1;
	bool rtcp = data[0] & 0x80;

	if (n > CAP - SRTPX_OVERHEAD)
		return;

	parties_set(&pt, data[0] & 3, 0);
	memcpy(buf, data + 1, n);
	if (relay_side(&pt, rtcp, buf, &n))
		check(n < size);

	parties_clear(&pt);
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;

	if (data[0] & 0x40)
		plain_mode(data, size);
	else
		raw_mode(data, size);

	return 0;
}
