/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipxc.h  Client transactions on umedge's own stream connections
 */
#ifndef UMEDGE_SIPXC_H
#define UMEDGE_SIPXC_H

struct sipxc_table;
struct sipxc;
struct sipconn;
struct sippath;

/**
 * A response to the request (msg), or its end without one (err:
 * ETIMEDOUT after 64*T1, ECONNRESET when the connection closed)
 */
typedef void (sipxc_resp_h)(int err, const struct sip_msg *msg,
			    void *arg);

int  sipxc_table_alloc(struct sipxc_table **tp, uint32_t timeout_ms);
int  sipxc_send(struct sipxc **ctp, struct sipxc_table *t,
		const struct sippath *path, struct mbuf *req,
		sipxc_resp_h *resph, void *arg);
bool sipxc_response(struct sipxc_table *t, const struct sip_msg *msg);
int  sipxc_cancel(struct sipxc *ct);
int  sipxc_cancel_sent(struct sipxc_table *t, const struct sippath *path,
		       const struct mbuf *req);
const struct mbuf *sipxc_sent(const struct sipxc *ct, enum sip_transp *tp,
			      struct sa *dst);
void sipxc_abandon(struct sipxc *ct);
void sipxc_conn_closed(struct sipxc_table *t, const struct sipconn *sc);
uint32_t sipxc_count(const struct sipxc_table *t);

#endif
