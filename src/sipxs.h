/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipxs.h  Server transactions on umedge's own stream connections
 */
#ifndef UMEDGE_SIPXS_H
#define UMEDGE_SIPXS_H

struct sipxs_table;
struct sipxs;

/** A CANCEL matched the INVITE while it was pending */
typedef void (sipxs_cancel_h)(void *arg);

int  sipxs_table_alloc(struct sipxs_table **tp, const char *server,
		       uint32_t linger_ms);
bool sipxs_absorb(struct sipxs_table *t, const struct sip_msg *msg);
int  sipxs_alloc(struct sipxs **stp, struct sipxs_table *t,
		 const struct sip_msg *msg, sipxs_cancel_h *cancelh,
		 void *arg);
int  sipxs_reply(struct sipxs **stp, struct mbuf **mbp, bool rec_route,
		 uint16_t scode, const char *reason, const char *fmt, ...);
int  sipxs_sreply(const struct sipxs_table *t, const struct sip_msg *msg,
		  uint16_t scode, const char *reason, const char *fmt, ...);
uint32_t sipxs_count(const struct sipxs_table *t);

#endif
