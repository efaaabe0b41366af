/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file fsrtp.c  Unit tests: a forwarding side's SRTP (fsrtp.c)
 */
#include <string.h>
#include <re.h>
#include "srtpx.h"
#include "fsrtp.h"
#include "test.h"


static void key_make(struct sdes_key *k, uint8_t fill, size_t len)
{
	memset(k, 0, sizeof(*k));
	k->suite = SRTP_AES_CM_128_HMAC_SHA1_80;
	k->len = len;
	memset(k->key, fill, len);
}


static size_t rtp_make(uint8_t *p)
{
	static const uint8_t hdr[12] = {0x80, 0, 0, 1, 0, 0, 0, 160,
		0xca, 0xfe, 0xba, 0xbe};

	memcpy(p, hdr, sizeof(hdr));
	memset(p + 12, 0xd5, 160);

	return 172;
}


/* A key whose context cannot be made fails closed: nothing in passes,
 * nothing goes out in the clear */
int test_fsrtp_closed(void)
{
	struct fsrtp s;
	struct sdes_key bad;
	uint8_t p[256], scratch[256];
	size_t n;
	int err = 0;

	memset(&s, 0, sizeof(s));
	key_make(&bad, 7, 5);
	fsrtp_set(&s, &bad, 0, &bad);
	TEST_ASSERT(fsrtp_rx_on(&s) && fsrtp_tx_on(&s));
	TEST_ASSERT(!s.rx[0] && !s.tx[0]);

	n = rtp_make(p);
	TEST_ASSERT(!fsrtp_in(&s, false, p, &n, scratch, sizeof(scratch)));
	TEST_ASSERT(!fsrtp_out(&s, false, p, &n, sizeof(p)));
	TEST_EQUALS(172, n);

 out:
	fsrtp_clear(&s);
	return err;
}


/* Our key out, the peer's in; the lifetime stops the peer's key */
int test_fsrtp_life(void)
{
	struct fsrtp tx, rx;
	struct sdes_key k;
	uint8_t p[256], scratch[256];
	size_t n;
	int err = 0;

	memset(&tx, 0, sizeof(tx));
	memset(&rx, 0, sizeof(rx));
	key_make(&k, 3, 30);
	fsrtp_set(&tx, NULL, 0, &k);
	fsrtp_set(&rx, &k, 2, NULL);
	TEST_ASSERT(!fsrtp_rx_on(&tx) && fsrtp_tx_on(&tx));

	for (int i = 0; i < 3; i++) {
		n = rtp_make(p);
		p[3] = (uint8_t)(i + 1);
		TEST_ASSERT(fsrtp_out(&tx, false, p, &n, sizeof(p)));
		TEST_EQUALS(182, n);
		TEST_EQUALS(i < 2, fsrtp_in(&rx, false, p, &n, scratch,
					    sizeof(scratch)));
	}
	TEST_EQUALS(2, rx.used);

	/* a new key: a new lifetime */
	key_make(&k, 4, 30);
	fsrtp_set(&rx, &k, 2, NULL);
	TEST_EQUALS(0, rx.used);

 out:
	fsrtp_clear(&tx);
	fsrtp_clear(&rx);
	return err;
}


/* SRTCP under AES-GCM: a replayed packet is dropped (libre keeps no
 * SRTCP replay list for AEAD suites; fuzz_srtp found it going through),
 * a later one still passes */
int test_fsrtp_gcm_rtcp_replay(void)
{
	static const uint8_t sr[28] = {0x80, 200, 0, 6, 0xca, 0xfe, 0xba,
		0xbe};
	struct fsrtp tx, rx;
	struct sdes_key k;
	uint8_t p[256], copy[256], scratch[256];
	size_t n, m;
	int err = 0;

	memset(&tx, 0, sizeof(tx));
	memset(&rx, 0, sizeof(rx));
	key_make(&k, 9, 28);
	k.suite = SRTP_AES_128_GCM;
	fsrtp_set(&tx, NULL, 0, &k);
	fsrtp_set(&rx, &k, 0, NULL);

	memcpy(p, sr, sizeof(sr));
	n = sizeof(sr);
	TEST_ASSERT(fsrtp_out(&tx, true, p, &n, sizeof(p)));
	memcpy(copy, p, n);
	m = n;
	TEST_ASSERT(fsrtp_in(&rx, true, p, &n, scratch, sizeof(scratch)));
	TEST_EQUALS(sizeof(sr), n);
	TEST_ASSERT(!fsrtp_in(&rx, true, copy, &m, scratch, sizeof(scratch)));

	memcpy(p, sr, sizeof(sr));
	n = sizeof(sr);
	TEST_ASSERT(fsrtp_out(&tx, true, p, &n, sizeof(p)));
	TEST_ASSERT(fsrtp_in(&rx, true, p, &n, scratch, sizeof(scratch)));

 out:
	fsrtp_clear(&tx);
	fsrtp_clear(&rx);
	return err;
}


/* The relay's side and its peer, for a restore */
struct rpair {
	struct fsrtp peer_tx;   /**< The peer encrypting toward us   */
	struct fsrtp peer_rx;   /**< The peer decrypting what we send */
	uint8_t scratch[256];
};


/* one packet each way through side s at sequence number seq (RTCP as
 * well when rtcp): true if both arrive */
static bool both_ways(struct rpair *rp, struct fsrtp *s, uint16_t seq,
		      bool rtcp)
{
	static const uint8_t sr[28] = {0x80, 200, 0, 6, 0x12, 0x34, 0x56,
		0x78};
	uint8_t p[256];
	size_t n = rtp_make(p);
	bool ok;

	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	ok = fsrtp_out(&rp->peer_tx, false, p, &n, sizeof(p)) &&
		fsrtp_in(s, false, p, &n, rp->scratch, sizeof(rp->scratch));

	n = rtp_make(p);
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	p[8] = 0x5e;                     /* the far end's SSRC */
	ok = ok && fsrtp_out(s, false, p, &n, sizeof(p)) &&
		fsrtp_in(&rp->peer_rx, false, p, &n, rp->scratch,
			 sizeof(rp->scratch));
	if (!rtcp)
		return ok;

	memcpy(p, sr, sizeof(sr));
	n = sizeof(sr);

	return ok && fsrtp_out(s, true, p, &n, sizeof(p)) &&
		fsrtp_in(&rp->peer_rx, true, p, &n, rp->scratch,
			 sizeof(rp->scratch));
}


/* packets from seq on in steps of 997, RTCP every tenth; returns the
 * next sequence number, or -1 if one did not arrive */
static int run(struct rpair *rp, struct fsrtp *s, uint32_t seq, int count)
{
	for (int i = 0; i < count; i++, seq += 997) {
		if (!both_ways(rp, s, (uint16_t)seq, i % 10 == 0))
			return -1;
	}

	return (int)(seq & 0xffff);
}


/* A side made again from where its contexts stood (a standby): after
 * three rollovers both ways, the peer's packets still authenticate, and
 * what the peer gets still decrypts (same ROC) with SRTCP indexes above
 * the ones it saw; a side given the keys alone does neither */
int test_fsrtp_restore(void)
{
	struct rpair rp;
	struct fsrtp a, b, c;
	struct fsrtp_ixs ix;
	struct sdes_key k1, k2;
	int seq, err = 0;

	memset(&rp, 0, sizeof(rp));
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	key_make(&k1, 1, 30);
	key_make(&k2, 2, 30);
	fsrtp_set(&rp.peer_tx, NULL, 0, &k1);
	fsrtp_set(&rp.peer_rx, &k2, 0, NULL);
	fsrtp_set(&a, &k1, 0, &k2);

	seq = run(&rp, &a, 60000, 200);     /* ROC 3 */
	TEST_ASSERT(seq >= 0);
	fsrtp_ixs(&a, &ix);
	TEST_EQUALS(1, ix.rx.n);
	TEST_EQUALS(3, ix.rx.v[0].roc);
	TEST_EQUALS(3, ix.tx.v[0].roc);
	TEST_EQUALS(20, ix.tx.v[1].rtcp);
	TEST_EQUALS(200, ix.used);

	fsrtp_set(&c, &k1, 0, &k2);
	TEST_ASSERT(!both_ways(&rp, &c, (uint16_t)seq, false));

	TEST_ERR(fsrtp_restore(&b, &k1, 0, &k2, &ix));
	TEST_ASSERT(run(&rp, &b, (uint32_t)seq + 997, 100) >= 0);
	fsrtp_ixs(&b, &ix);
	TEST_EQUALS(5, ix.rx.v[0].roc);
	TEST_EQUALS(300, ix.used);

	ix.rx.v[0].roc = SRTPIX_ROC_MAX + 1;
	TEST_EQUALS(ERANGE, fsrtp_restore(&c, &k1, 0, &k2, &ix));
	TEST_ASSERT(!both_ways(&rp, &c, (uint16_t)seq, false));

 out:
	fsrtp_clear(&rp.peer_tx);
	fsrtp_clear(&rp.peer_rx);
	fsrtp_clear(&a);
	fsrtp_clear(&b);
	fsrtp_clear(&c);
	return err;
}
