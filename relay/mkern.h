/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file mkern.h  Media relay eBPF fast path: the loaded TC program, its
 *                maps and the devices it is attached to
 *                (docs/design/mediabpf.md 3, 4)
 *
 * One mkern per relay, made on the main thread before the workers
 * start. Its file descriptors are shared: each worker inserts and
 * deletes only its own streams' keys and reads only its own slot range
 * (mkslot.h), so the map calls need no lock of ours.
 */
#ifndef UMEDGE_MKERN_H
#define UMEDGE_MKERN_H

#include "mkern_map.h"

struct mkern;
struct rtlookup;
struct rtpstat;

enum {
	MKERN_PRIO = 0xe0dd,  /**< Filter priority: before TURN's 0xe0de */
};

int  mkern_alloc(struct mkern **mkp);
bool mkern_addr_ok(const struct sa *addr);
int  mkern_attach(struct mkern *mk, const struct sa *addr);
unsigned mkern_devices(struct mkern *mk);
bool mkern_serves(struct mkern *mk, const struct sa *addr);
int  mkern_egress(struct mkern *mk, struct rtlookup *rl,
		  const struct sa *local, const struct sa *peer,
		  struct mk_flow *f);
void mkern_key(struct mk_key *k, const struct sa *src,
	       const struct sa *dst);
void mkern_out(struct mk_flow *f, const struct sa *src,
	       const struct sa *dst);
int  mkern_flow_add(const struct mkern *mk, const struct mk_key *k,
		    const struct mk_flow *f);
int  mkern_flow_update(const struct mkern *mk, const struct mk_key *k,
		       const struct mk_flow *f);
int  mkern_flow_del(const struct mkern *mk, const struct mk_key *k);
void mkern_route_bump(struct mkern *mk);
uint32_t mkern_route_gen(const struct mkern *mk);
int  mkern_slot_put(const struct mkern *mk, uint32_t slot,
		    const struct mk_stat *st);
int  mkern_slot_get(const struct mkern *mk, uint32_t slot,
		    struct mk_stat *st);
int  mkern_slots_read(const struct mkern *mk, uint32_t first, uint32_t n,
		      uint32_t *keys, struct mk_stat *st);
void mkern_counts(const struct mkern *mk, uint64_t c[MK_CNT_N]);
const char *mkern_punt_name(unsigned i);
void mkern_stat_rtp(const struct mk_stat *st, struct rtpstat *s);
void mkern_rtp_stat(const struct rtpstat *s, struct mk_stat *st);

#endif
