/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipdec.h  A received SIP message decoded as umedge reads it
 */
#ifndef UMEDGE_SIPDEC_H
#define UMEDGE_SIPDEC_H

bool sipdec_is_sip(const struct mbuf *mb);
int sipdec_decode(struct sip_msg **msgp, struct mbuf *mb,
		  const struct sa *src);
int sipdec_answer(struct mbuf **outp, const struct mbuf *mb,
		  uint16_t scode, const char *reason, const char *allow);

#endif
