/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tlsmat.h  TLS material renewed in place: a certificate chain, its
 *                 key and the CAs of peers, read once, checked, then put
 *                 in force for new handshakes of a running context
 */
#ifndef UMEDGE_TLSMAT_H
#define UMEDGE_TLSMAT_H

struct tls;
struct tlsmat;

int  tlsmat_load(struct tlsmat **mp, const char *cert, const char *key,
		 const char *ca, char *why, size_t sz);
int  tlsmat_apply(struct tls *tls, struct tlsmat *m);
bool tlsmat_same(const struct tlsmat *m, struct tls *tls);

#endif
