/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file fzturn.h  Fuzz targets: a TURN server with a tap for its
 *                 replies, and a client holding a long-term credential
 *                 that signs its requests
 *
 * Relayed ports of the fuzz targets lie above 61000, outside the unit
 * tests' ranges (umtest takes 52000-59999) and the kernel's ephemeral
 * ports (to 60999), so replays and fuzzing run beside make check.
 */
#ifndef UMEDGE_FZTURN_H
#define UMEDGE_FZTURN_H

/** The server and the client it talks to */
struct fzturn {
	struct cfg *cfg;                 /**< Configuration   */
	struct turnd *turnd;             /**< Server          */
	struct sa src;                   /**< Client address  */
	char user[TOK_USER_MAX];         /**< USERNAME        */
	uint8_t key[TURND_KEY_LEN];      /**< Long-term key   */
};

extern struct fzturn fzt;

int fzturn_init(const char *tp, uint16_t ports);
int fzturn_body(struct mbuf *out, uint32_t attrc, ...);
int fzturn_signed(struct mbuf *mb, uint16_t method, const uint8_t *attrs,
		  size_t n);
int fzturn_setup(struct mbuf *mb);

#endif
