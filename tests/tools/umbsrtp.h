/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file umbsrtp.h  umbench's SRTP for side B (libre's, in umbsrtp.c, so
 *                  that umbench.c does not include re.h)
 */
#ifndef UMBSRTP_H
#define UMBSRTP_H

struct srtp;

enum {
	UMBSRTP_TRAILER = 32,   /**< Room a protected packet may need */
};

int  umbsrtp_alloc(struct srtp **ctxp, const char *suite,
		   const uint8_t *key, size_t key_len);
void umbsrtp_free(struct srtp *ctx);
int  umbsrtp_protect(struct srtp *ctx, uint8_t *p, size_t *lenp,
		     size_t cap);
int  umbsrtp_unprotect(struct srtp *ctx, uint8_t *p, size_t *lenp);

#endif
