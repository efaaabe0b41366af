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

/**
 * Write a call's SIP state (the B2BUA's); keys: with its SDES keys
 *
 * @return 0 if written, ENOENT if not the B2BUA's call, ENOTSUP if it
 *         is not to be written now
 */
typedef int (ha_sip_export_h)(struct mbuf *mb, const char *id, bool keys,
			      void *arg);
/**
 * Make a call's SIP state again: its relay call was made (relay), or
 * could not be; then only a call in setup is taken, to be ended
 */
typedef int (ha_sip_import_h)(const char *buf, size_t len, bool relay,
			      void *arg);

int  ha_alloc(struct ha **hap, const struct cfg *cfg, struct relay *relay);
void ha_set_sip(struct ha *ha, ha_sip_export_h *exph, ha_sip_import_h *imph,
		void *arg);
void ha_call_changed(const char *id, void *arg);
int  ha_set_cfg(struct ha *ha, const struct cfg *cfg);
int  ha_status(struct re_printf *pf, const struct ha *ha);
void ha_json(struct jsonw *w, const struct ha *ha);
int  ha_metrics(struct mbuf *mb, const struct ha *ha);
int  ha_takeover(struct ha *ha, char *msg, size_t sz);
int  ha_release(struct ha *ha, char *msg, size_t sz);

/* haports.c */
uint32_t haports_exposed(uint16_t lo, uint16_t hi, uint16_t elo,
			 uint16_t ehi, const struct pl *reserved);
void haports_check(const struct cfg *cfg);

#endif
