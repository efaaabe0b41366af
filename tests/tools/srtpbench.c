/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file srtpbench.c  SRTP micro-benchmark: libre's srtp_encrypt and
 *                    srtp_decrypt (what relay/srtpx.c calls) against
 *                    libsrtp2's srtp_protect and srtp_unprotect, on
 *                    172-byte RTP packets
 *
 * usage: srtpbench [-n PACKETS] [-r ROUNDS] [-c STREAMS] [-s SUITE]...
 *   -n PACKETS  packets per library, suite and round (default 200000)
 *   -r ROUNDS   rounds (default 5)
 *   -c STREAMS  streams, each with a sender's and a receiver's context
 *               and a key of its own, packets going to them in turn
 *               (default 1: the best case, every context in the cache;
 *               2000 is what a relay with 1000 calls both ways holds)
 *   -s SUITE    AES_CM_128_HMAC_SHA1_80, AES_CM_128_HMAC_SHA1_32,
 *               AES_256_CM_HMAC_SHA1_80 or AEAD_AES_128_GCM; repeatable
 *               (default all four)
 *
 * Each round measures every suite with both libraries, the library
 * that goes first alternating from round to round. A measurement makes
 * the streams' contexts, sends one packet through each (not timed:
 * both libraries set a stream up on its first packet), then, batch by
 * batch, fills BATCH packets (12-byte header, 160 bytes of payload;
 * an SSRC per stream, consecutive sequence numbers; not timed),
 * protects all of them (timed), unprotects all of them (timed) and
 * checks that each came back as it was sent (not timed). libre works
 * on an mbuf laid over the packet buffer, as the relay's forwarding
 * threads do.
 *
 * Times are the thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so that
 * time the thread spends waiting for a core is not counted; the wall
 * time is given as well. Before measuring, every suite is checked
 * across the libraries (libre protects, libsrtp2 unprotects, and the
 * other way round).
 *
 * Output: one "srtp" line per measurement and one "summary" line per
 * library and suite (with the number of streams): the min, median and
 * max over the rounds of protect+unprotect ns per packet.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include <re.h>
#include <srtp2/srtp.h>


enum {
	PKT_SIZE   = 172,            /**< RTP header and 160 bytes of PCMA */
	PKT_ROOM   = PKT_SIZE + 64,  /**< Room for a tag (and libre's ROC)  */
	BATCH      = 256,            /**< Packets protected, then unprotected */
	ROUNDS_MAX = 64,
	STREAMS_MAX = 100000,
	SUITES     = 4,
};

/** A suite in both libraries */
struct suite {
	const char *name;
	enum srtp_suite re;                       /**< libre's           */
	void (*set)(srtp_crypto_policy_t *p);     /**< libsrtp2's policy */
	size_t key_len;                           /**< Key and salt      */
};

/** One library behind the same four calls */
struct lib {
	const char *name;
	void *(*ctx_new)(const struct suite *s, uint8_t *key, int tx);
	void (*ctx_free)(void *ctx);
	int (*protect)(void *ctx, uint8_t *p, size_t *len);
	int (*unprotect)(void *ctx, uint8_t *p, size_t *len);
};

/** One stream: its sender's and its receiver's context */
struct stream {
	void *tx, *rx;
	uint32_t seq;               /**< Next sequence number          */
};

/** What one measurement found, ns per packet */
struct meas {
	double protect, unprotect, wall;
};

static const struct suite suites[SUITES] = {
	{"AES_CM_128_HMAC_SHA1_80", SRTP_AES_CM_128_HMAC_SHA1_80,
	 srtp_crypto_policy_set_rtp_default, 30},
	{"AES_CM_128_HMAC_SHA1_32", SRTP_AES_CM_128_HMAC_SHA1_32,
	 srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32, 30},
	{"AES_256_CM_HMAC_SHA1_80", SRTP_AES_256_CM_HMAC_SHA1_80,
	 srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80, 46},
	{"AEAD_AES_128_GCM", SRTP_AES_128_GCM,
	 srtp_crypto_policy_set_aes_gcm_128_16_auth, 28},
};


static void fail(const char *what)
{
	fprintf(stderr, "srtpbench: %s\n", what);
	exit(1);
}


static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}


/* ---- libre ------------------------------------------------------------ */

static void *lre_new(const struct suite *s, uint8_t *key, int tx)
{
	struct srtp *ctx = NULL;

	(void)tx;
	if (srtp_alloc(&ctx, s->re, key, s->key_len, 0))
		return NULL;

	return ctx;
}


static void lre_free(void *ctx)
{
	mem_deref(ctx);
}


/* An mbuf over the packet buffer, as relay/srtpx.c lays it */
static void lre_over(struct mbuf *mb, uint8_t *p, size_t len)
{
	mb->buf = p;
	mb->size = PKT_ROOM;
	mb->pos = 0;
	mb->end = len;
}


static int lre_protect(void *ctx, uint8_t *p, size_t *len)
{
	struct mbuf mb;
	int err;

	lre_over(&mb, p, *len);
	err = srtp_encrypt(ctx, &mb);
	*len = mb.end;

	return err;
}


static int lre_unprotect(void *ctx, uint8_t *p, size_t *len)
{
	struct mbuf mb;
	int err;

	lre_over(&mb, p, *len);
	err = srtp_decrypt(ctx, &mb);
	*len = mb.end;

	return err;
}


/* ---- libsrtp2 --------------------------------------------------------- */

static void *ls2_new(const struct suite *s, uint8_t *key, int tx)
{
	srtp_policy_t pol;
	srtp_t ctx = NULL;

	memset(&pol, 0, sizeof(pol));
	s->set(&pol.rtp);
	s->set(&pol.rtcp);
	pol.ssrc.type = tx ? ssrc_any_outbound : ssrc_any_inbound;
	pol.key = key;
	pol.window_size = 128;

	return srtp_create(&ctx, &pol) == srtp_err_status_ok ? ctx : NULL;
}


static void ls2_free(void *ctx)
{
	(void)srtp_dealloc(ctx);
}


static int ls2_protect(void *ctx, uint8_t *p, size_t *len)
{
	int n = (int)*len;

	if (srtp_protect(ctx, p, &n) != srtp_err_status_ok)
		return EPROTO;
	*len = (size_t)n;

	return 0;
}


static int ls2_unprotect(void *ctx, uint8_t *p, size_t *len)
{
	int n = (int)*len;

	if (srtp_unprotect(ctx, p, &n) != srtp_err_status_ok)
		return EBADMSG;
	*len = (size_t)n;

	return 0;
}


static const struct lib libs[2] = {
	{"libre", lre_new, lre_free, lre_protect, lre_unprotect},
	{"libsrtp2", ls2_new, ls2_free, ls2_protect, ls2_unprotect},
};


/* ---- measuring -------------------------------------------------------- */

/* Packet seq of stream i: header, then a payload that depends on seq
 * (checked after the round trip) */
static void pkt_fill(uint8_t *p, uint32_t seq, unsigned i)
{
	uint32_t ts = seq * 160, ssrc = 0x12340000u + i;

	p[0] = 0x80;
	p[1] = 8;
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	p[4] = (uint8_t)(ts >> 24);
	p[5] = (uint8_t)(ts >> 16);
	p[6] = (uint8_t)(ts >> 8);
	p[7] = (uint8_t)ts;
	p[8] = (uint8_t)(ssrc >> 24);
	p[9] = (uint8_t)(ssrc >> 16);
	p[10] = (uint8_t)(ssrc >> 8);
	p[11] = (uint8_t)ssrc;
	memset(p + 12, (int)(seq & 0xff), PKT_SIZE - 12);
}


static int pkt_check(const uint8_t *p, size_t len, uint32_t seq)
{
	if (len != PKT_SIZE || p[2] != (uint8_t)(seq >> 8) ||
	    p[3] != (uint8_t)seq)
		return -1;
	for (size_t i = 12; i < PKT_SIZE; i++)
		if (p[i] != (uint8_t)seq)
			return -1;

	return 0;
}


/* One batch of n packets, the k-th of stream (first + k) % nst: all
 * protected by their stream's tx, then all unprotected by its rx; the
 * two timed phases are added to m (ns in all) */
static void batch_run(const struct lib *tl, const struct lib *rl,
		      struct stream *st, unsigned nst, uint64_t first,
		      unsigned n, struct meas *m)
{
	static uint8_t pkt[BATCH][PKT_ROOM];
	static struct stream *of[BATCH];
	uint32_t seq[BATCH];
	size_t len[BATCH];
	uint64_t c0, c1, c2, w0;

	for (unsigned k = 0; k < n; k++) {
		unsigned i = (unsigned)((first + k) % nst);

		of[k] = &st[i];
		seq[k] = st[i].seq++;
		pkt_fill(pkt[k], seq[k], i);
		len[k] = PKT_SIZE;
	}

	w0 = clock_ns(CLOCK_MONOTONIC);
	c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	for (unsigned k = 0; k < n; k++)
		if (tl->protect(of[k]->tx, pkt[k], &len[k]))
			fail("protect failed");
	c1 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	for (unsigned k = 0; k < n; k++)
		if (rl->unprotect(of[k]->rx, pkt[k], &len[k]))
			fail("unprotect failed (authentication or replay)");
	c2 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	m->wall += (double)(clock_ns(CLOCK_MONOTONIC) - w0);
	m->protect += (double)(c1 - c0);
	m->unprotect += (double)(c2 - c1);

	for (unsigned k = 0; k < n; k++)
		if (pkt_check(pkt[k], len[k], seq[k]))
			fail("a packet did not come back as it was sent");
}


static void streams_free(const struct lib *tl, const struct lib *rl,
			 struct stream *st, unsigned nst)
{
	for (unsigned i = 0; i < nst; i++) {
		if (st[i].tx)
			tl->ctx_free(st[i].tx);
		if (st[i].rx)
			rl->ctx_free(st[i].rx);
	}
	free(st);
}


/* nst streams of suite s, each with a random key of its own, protected
 * by library tl and unprotected by rl; NULL if a library does not run
 * the suite */
static struct stream *streams_new(const struct lib *tl, const struct lib *rl,
				  const struct suite *s, unsigned nst)
{
	struct stream *st = calloc(nst, sizeof(*st));
	uint8_t key[46];

	if (!st)
		fail("calloc");
	for (unsigned i = 0; i < nst; i++) {
		if (getrandom(key, s->key_len, 0) != (ssize_t)s->key_len)
			fail("getrandom");
		st[i].tx = tl->ctx_new(s, key, 1);
		st[i].rx = rl->ctx_new(s, key, 0);
		if (!st[i].tx || !st[i].rx) {
			streams_free(tl, rl, st, nst);
			return NULL;
		}
	}

	return st;
}


/* npkts packets of suite s over nst streams, round robin; ns per packet
 * in m. One packet per stream goes first, not timed (the libraries set
 * a stream up on its first packet). Returns -1 if a library does not
 * run the suite */
static int measure(const struct lib *tl, const struct lib *rl,
		   const struct suite *s, unsigned nst, unsigned npkts,
		   struct meas *m)
{
	struct stream *st = streams_new(tl, rl, s, nst);
	uint64_t done = 0;

	if (!st)
		return -1;
	memset(m, 0, sizeof(*m));
	for (unsigned i = 0; i < nst; i += BATCH)
		batch_run(tl, rl, st, nst, i, nst - i < BATCH ? nst - i : BATCH,
			  m);

	memset(m, 0, sizeof(*m));
	while (done < npkts) {
		unsigned n = npkts - done < BATCH ? (unsigned)(npkts - done) :
			     BATCH;

		batch_run(tl, rl, st, nst, done, n, m);
		done += n;
	}
	streams_free(tl, rl, st, nst);

	m->protect /= npkts;
	m->unprotect /= npkts;
	m->wall /= npkts;

	return 0;
}


static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}


/* ---- main ------------------------------------------------------------- */

/** What to measure */
struct cfg {
	unsigned want[SUITES];       /**< Suites, indexes into suites[] */
	unsigned nwant;
	unsigned rounds;
	unsigned npkts;              /**< Packets per measurement       */
	unsigned nst;                /**< Streams (contexts) per side   */
	unsigned skip;               /**< A bit per suite not run       */
};


/* Each suite across the libraries both ways, one stream over a
 * sequence number wrap; sets a bit in skip per suite that either
 * library cannot run */
static void interop(struct cfg *cfg)
{
	for (unsigned i = 0; i < cfg->nwant; i++) {
		const struct suite *s = &suites[cfg->want[i]];
		struct meas m;

		if (measure(&libs[0], &libs[1], s, 1, 70000, &m) ||
		    measure(&libs[1], &libs[0], s, 1, 70000, &m)) {
			printf("interop suite=%s ok=skipped (not run by both "
			       "libraries)\n", s->name);
			cfg->skip |= 1u << cfg->want[i];
			continue;
		}
		printf("interop suite=%s ok=1\n", s->name);
	}
}


static void summary(const struct cfg *cfg, const char *lib,
		    const char *suite, double *v)
{
	unsigned n = cfg->rounds;

	qsort(v, n, sizeof(*v), dbl_cmp);
	printf("summary lib=%s suite=%s streams=%u rounds=%u "
	       "total_ns_min=%.1f total_ns_median=%.1f total_ns_max=%.1f\n",
	       lib, suite, cfg->nst, n, v[0],
	       n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, v[n - 1]);
}


/* One measurement of suite s with library l in round r, printed; its
 * protect + unprotect ns per packet */
static double one_run(const struct cfg *cfg, unsigned l,
		      const struct suite *s, unsigned r)
{
	struct meas m;

	(void)measure(&libs[l], &libs[l], s, cfg->nst, cfg->npkts, &m);
	printf("srtp round=%u lib=%s suite=%s streams=%u packets=%u "
	       "protect_ns=%.1f unprotect_ns=%.1f total_ns=%.1f "
	       "wall_ns=%.1f\n", r + 1, libs[l].name, s->name, cfg->nst,
	       cfg->npkts, m.protect, m.unprotect, m.protect + m.unprotect,
	       m.wall);
	fflush(stdout);

	return m.protect + m.unprotect;
}


/* Every round: each suite, both libraries in alternating order */
static void rounds_run(const struct cfg *cfg)
{
	static double tot[SUITES][2][ROUNDS_MAX];

	for (unsigned r = 0; r < cfg->rounds; r++) {
		for (unsigned i = 0; i < cfg->nwant; i++) {
			unsigned w = cfg->want[i];

			if (cfg->skip & 1u << w)
				continue;
			for (unsigned j = 0; j < 2; j++) {
				unsigned l = (j + r) % 2;

				tot[w][l][r] = one_run(cfg, l, &suites[w], r);
			}
		}
	}

	for (unsigned i = 0; i < cfg->nwant; i++) {
		unsigned w = cfg->want[i];

		for (unsigned l = 0; l < 2 && !(cfg->skip & 1u << w); l++)
			summary(cfg, libs[l].name, suites[w].name, tot[w][l]);
	}
}


static unsigned suite_arg(const char *name)
{
	for (unsigned i = 0; i < SUITES; i++)
		if (!strcmp(suites[i].name, name))
			return i;
	fail("unknown suite");
	return 0;
}


static void usage(void)
{
	fail("usage: srtpbench [-n PACKETS] [-r ROUNDS] [-c STREAMS] "
	     "[-s SUITE]...");
}


int main(int argc, char *argv[])
{
	struct cfg cfg = {.rounds = 5, .npkts = 200000, .nst = 1};
	int c;

	while ((c = getopt(argc, argv, "n:r:c:s:")) != -1) {
		switch (c) {
		case 'n': cfg.npkts = (unsigned)atoi(optarg); break;
		case 'r': cfg.rounds = (unsigned)atoi(optarg); break;
		case 'c': cfg.nst = (unsigned)atoi(optarg); break;
		case 's':
			if (cfg.nwant == SUITES)
				fail("too many -s");
			cfg.want[cfg.nwant++] = suite_arg(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || !cfg.rounds || cfg.rounds > ROUNDS_MAX ||
	    !cfg.npkts || !cfg.nst || cfg.nst > STREAMS_MAX)
		usage();
	for (unsigned i = 0; !cfg.nwant && i < SUITES; i++)
		cfg.want[i] = i;
	if (!cfg.nwant)
		cfg.nwant = SUITES;
	if (srtp_init() != srtp_err_status_ok)
		fail("srtp_init");

	printf("versions libre=%s libsrtp2=%s\n", sys_libre_version_get(),
	       srtp_get_version_string());
	interop(&cfg);
	rounds_run(&cfg);

	return 0;
}
