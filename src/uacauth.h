/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file uacauth.h  Our credentials toward one gateway: the answer to
 *                  its 401/407 challenges
 *
 * A gateway with sip_gw user=/password= has one copy of them (hset.c),
 * which every leg toward it shares. A challenge (WWW-Authenticate or
 * Proxy-Authenticate, SHA-256 preferred over MD5 as RFC 8760 has it) is
 * kept, and every later request toward the gateway, on any leg, new
 * calls' INVITEs included, carries its answer with the next nonce count
 * (RFC 2617 §3.3, RFC 3261 §22.1: credentials reused for the realm): a
 * gateway that takes its nonces again challenges no more; one that does
 * not challenges again, and that challenge is answered. A challenge that comes back for a request
 * that already carried an answer to the same nonce (and is not stale)
 * means the credentials were refused: it is not answered again.
 * Nothing here is ever logged.
 */
#ifndef UMEDGE_UACAUTH_H
#define UMEDGE_UACAUTH_H

struct uacauth;
struct cfg_host;

int  uacauth_alloc(struct uacauth **uap, const struct cfg_host *gw);
int  uacauth_challenge(struct uacauth *ua, const struct sip_msg *msg);
int  uacauth_write(struct mbuf *mb, struct uacauth *ua, const char *met,
		   const char *uri);

#endif
