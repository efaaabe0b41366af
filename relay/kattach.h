/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file kattach.h  The eBPF program on devices whose address comes late
 */

struct kattach;
struct mkern;

int kattach_alloc(struct kattach **kap, struct mkern *mk,
		  const struct list *ifaces);
