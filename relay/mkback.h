/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file mkback.h  Kernel offload backend: the relay's eBPF program
 *                 (relay_kernel bpf; the policy is offload.c's)
 */
#ifndef UMEDGE_MKBACK_H
#define UMEDGE_MKBACK_H

struct mkback;
struct mkern;

int mkback_alloc(struct mkback **bp, struct mkern *mk, uint32_t base,
		 uint32_t n);

#endif
