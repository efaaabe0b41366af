/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file ha.h  High availability: the state a standby needs, in Redis
 */
#ifndef UMEDGE_HA_H
#define UMEDGE_HA_H

struct ha;
struct cfg;
struct jsonw;
struct relay;

int  ha_alloc(struct ha **hap, const struct cfg *cfg, struct relay *relay);
int  ha_set_cfg(struct ha *ha, const struct cfg *cfg);
int  ha_status(struct re_printf *pf, const struct ha *ha);
void ha_json(struct jsonw *w, const struct ha *ha);
int  ha_metrics(struct mbuf *mb, const struct ha *ha);
int  ha_takeover(struct ha *ha, char *msg, size_t sz);
int  ha_release(struct ha *ha, char *msg, size_t sz);

#endif
