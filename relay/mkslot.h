/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file mkslot.h  Media relay eBPF fast path: one worker's stat slots
 *
 * Each worker owns the slot range [base, base + n) of mk_stats, with
 * its own free list and a generation per slot: a slot taken again gets
 * gen + 1, and the program counts only when the flow's gen equals the
 * slot's. A slot handed back is retired first and free at the next
 * tick (a program that looked the flow up before the delete may still
 * count on it). Worker thread only.
 */
#ifndef UMEDGE_MKSLOT_H
#define UMEDGE_MKSLOT_H

struct mkslot;

int  mkslot_alloc(struct mkslot **sp, uint32_t base, uint32_t n);
int  mkslot_take(struct mkslot *s, uint32_t *slot, uint32_t *gen);
void mkslot_retire(struct mkslot *s, uint32_t slot);
void mkslot_tick(struct mkslot *s);
uint32_t mkslot_base(const struct mkslot *s);
uint32_t mkslot_span(const struct mkslot *s);
uint32_t mkslot_used(const struct mkslot *s);

#endif
