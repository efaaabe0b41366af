/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tonecheck.c  Tone detector for captured audio: decodes A-law
 *                    (G.711, 8 kHz) and checks with Goertzel filters
 *                    that a sine tone dominates the signal
 *
 * usage: tonecheck FREQ [SECONDS [RATIO]]
 *
 * Reads the audio on stdin as hex digits, two per A-law byte; any other
 * character separates (so `tshark -T fields -e rtp.payload` output,
 * one packet per line, with or without colons, fits). The audio is cut
 * into 100 ms blocks. A block has the tone when the energy at FREQ is
 * more than RATIO (default 10) times the energy at each of a few
 * reference frequencies away from FREQ, and the tone's amplitude is at
 * least -30 dBFS. Prints one summary line, with the strongest frequency
 * in the whole audio, and exits 0 when at least SECONDS (default 1)
 * seconds of blocks have the tone, 1 when not, 2 on a usage error.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


enum {
	SRATE = 8000,        /**< G.711 sample rate             */
	BLOCK = 800,         /**< Samples per block (100 ms)    */
	MAX_SAMPLES = 8000 * 600, /**< At most ten minutes      */
	AMP_MIN = 1036,      /**< -30 dBFS, as a peak amplitude */
	SCAN_STEP = 10,      /**< Hz between scanned frequencies */
};

static const double PI = 3.14159265358979323846;
static const double refv[] = {150, 1000, 1800, 2600, 3400};


/* G.711 A-law to 16-bit linear (the classic Sun reference code) */
static int alaw_decode(unsigned a)
{
	int t, seg;

	a ^= 0x55;
	t = (int)(a & 0x0f) << 4;
	seg = (int)(a & 0x70) >> 4;

	switch (seg) {

	case 0:
		t += 8;
		break;

	case 1:
		t += 0x108;
		break;

	default:
		t += 0x108;
		t <<= seg - 1;
		break;
	}

	return (a & 0x80) ? t : -t;
}


static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;

	return -1;
}


/* Read hex A-law bytes from f, decoded into sampv; returns the count */
static size_t read_audio(FILE *f, double *sampv, size_t max)
{
	size_t n = 0;
	int c, hi = -1;

	while (n < max && (c = getc(f)) != EOF) {

		int v = hexval(c);

		if (v < 0) {
			hi = -1;
			continue;
		}
		if (hi < 0) {
			hi = v;
			continue;
		}
		sampv[n++] = alaw_decode((unsigned)(hi << 4 | v));
		hi = -1;
	}

	return n;
}


/* Goertzel: the energy (|X(f)|^2) of n samples at frequency f */
static double goertzel(const double *x, size_t n, double f)
{
	double coef = 2.0 * cos(2.0 * PI * f / SRATE);
	double s1 = 0, s2 = 0;

	for (size_t i = 0; i < n; i++) {
		double s0 = x[i] + coef * s1 - s2;
		s2 = s1;
		s1 = s0;
	}

	return s1 * s1 + s2 * s2 - coef * s1 * s2;
}


/* Does the block x[0..BLOCK) have the tone? */
static int block_has_tone(const double *x, double freq, double ratio)
{
	double p = goertzel(x, BLOCK, freq);
	double amp = 2.0 * sqrt(p) / BLOCK;

	if (amp < AMP_MIN)
		return 0;

	for (size_t i = 0; i < sizeof(refv) / sizeof(refv[0]); i++) {

		if (fabs(refv[i] - freq) < 100)
			continue;
		if (p <= ratio * goertzel(x, BLOCK, refv[i]))
			return 0;
	}

	return 1;
}


/* The strongest frequency over all blocks, in SCAN_STEP Hz steps */
static double peak_freq(const double *x, size_t nblocks)
{
	double best = 0, best_p = -1;

	for (int f = 50; f < SRATE / 2; f += SCAN_STEP) {

		double p = 0;

		for (size_t b = 0; b < nblocks; b++)
			p += goertzel(x + b * BLOCK, BLOCK, f);

		if (p > best_p) {
			best_p = p;
			best = f;
		}
	}

	return best;
}


int main(int argc, char *argv[])
{
	double freq, secs = 1, ratio = 10;
	size_t n, nblocks, tone = 0;
	double *sampv;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: tonecheck FREQ [SECONDS [RATIO]]\n");
		return 2;
	}

	freq = atof(argv[1]);
	if (argc > 2)
		secs = atof(argv[2]);
	if (argc > 3)
		ratio = atof(argv[3]);
	if (freq <= 0 || freq >= SRATE / 2 || secs < 0 || ratio <= 0) {
		fprintf(stderr, "tonecheck: bad FREQ, SECONDS or RATIO\n");
		return 2;
	}

	sampv = malloc(MAX_SAMPLES * sizeof(*sampv));
	if (!sampv) {
		perror("tonecheck");
		return 2;
	}

	n = read_audio(stdin, sampv, MAX_SAMPLES);
	nblocks = n / BLOCK;

	for (size_t b = 0; b < nblocks; b++)
		tone += block_has_tone(sampv + b * BLOCK, freq, ratio);

	printf("%.2f s of audio, %.1f s with %g Hz dominating %gx, "
	       "strongest frequency %g Hz\n",
	       (double)n / SRATE, tone * (double)BLOCK / SRATE, freq, ratio,
	       nblocks ? peak_freq(sampv, nblocks) : 0.0);

	free(sampv);

	return tone * (double)BLOCK / SRATE >= secs ? 0 : 1;
}
