/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file srtpx.h  SRTP and SRTCP over a forwarding thread's raw packet
 *                buffers (libre's SRTP, which works on an mbuf)
 */
#ifndef UMEDGE_SRTPX_H
#define UMEDGE_SRTPX_H

/* needs re.h (re_srtp.h has no include guard) */

enum {
	SRTPX_OVERHEAD = 32,  /**< Room a protected packet may need: an
				   SRTCP index (4) and the longest tag
				   (GCM 16), with a margin            */
};

int srtpx_unprotect(struct srtp *ctx, bool rtcp, uint8_t *p, size_t *lenp);
int srtpx_protect(struct srtp *ctx, bool rtcp, uint8_t *p, size_t *lenp,
		  size_t cap);

#endif
