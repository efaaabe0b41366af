/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file ng.h  rtpengine's "ng" control protocol, served by the relay
 *
 * Kamailio's and OpenSIPS's rtpengine modules drive the umedge relay
 * unchanged: one bencode dictionary per UDP datagram after a cookie,
 * commands ping, offer, answer, delete, query and list
 * (docs/relay.md). Only configured controllers are answered.
 */
#ifndef UMEDGE_NG_H
#define UMEDGE_NG_H

struct ng;
struct relay;
struct cfg;

int ng_alloc(struct ng **ngp, struct relay *relay, const struct cfg *cfg);
void ng_set_cfg(struct ng *ng, const struct cfg *cfg);
int ng_status(struct re_printf *pf, const struct ng *ng);
struct jsonw;
void ng_json(struct jsonw *w, const struct ng *ng);
void ng_set_draining(struct ng *ng, bool on);
int ng_local(const struct ng *ng, struct sa *local);
int ng_input(struct ng *ng, const struct sa *src, const struct mbuf *mb,
	     struct mbuf **replyp);

#endif
