/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file outcall.h  UM's own calls out: who may call, which numbers,
 *                  how fast, and where to
 */
#ifndef UMEDGE_OUTCALL_H
#define UMEDGE_OUTCALL_H

struct b2b;

int outcall_invite(struct b2b *b2b, const struct sip_msg *msg);

#endif
