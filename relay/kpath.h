/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file kpath.h  Choosing the relay's kernel fast path (relay_kernel):
 *                eBPF, conntrack or none, with the reason of each
 *                fallback (docs/design/mediabpf.md 7)
 */
#ifndef UMEDGE_KPATH_H
#define UMEDGE_KPATH_H

enum {
	KPATH_UNTRIED = -1,   /**< An error of a path not tried yet */
};

enum offload_path kpath_next(enum cfg_kpath want, int bpf_err,
			     int ct_err);
const char *kpath_bpf_why(int err);
const char *kpath_ct_why(int err);

#endif
