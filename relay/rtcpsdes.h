/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file rtcpsdes.h  RTCP compound packets: checked, and their SDES CNAME
 *                   rewritten (topology hiding in RTCP)
 */
#ifndef UMEDGE_RTCPSDES_H
#define UMEDGE_RTCPSDES_H

int rtcpsdes_rewrite(uint8_t *out, size_t outsz, size_t *outlen,
		     const uint8_t *in, size_t len, const struct pl *cname);

#endif
