/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file kattach.h  The eBPF path following the host's network: devices
 *                  whose address comes late, and routes that change
 */

struct kattach;
struct mkern;

int kattach_alloc(struct kattach **kap, struct mkern *mk,
		  const struct list *ifaces);
