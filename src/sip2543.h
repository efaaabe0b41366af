/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sip2543.h  Requests in RFC 2543 syntax, made decodable
 */
#ifndef UMEDGE_SIP2543_H
#define UMEDGE_SIP2543_H

bool sip2543_norm(struct mbuf *mb, const struct sa *src);
bool sip2543_strip(struct mbuf *mb);

#endif
