/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file kpath.c  Choosing the relay's kernel fast path (relay_kernel)
 *
 * The choice is made once, on the main thread, before the workers
 * start: auto tries eBPF, then conntrack, then stays in userspace; bpf
 * tries eBPF only, conntrack conntrack only. kpath_next() is the order
 * as a pure function of what the tries returned; relay.c runs the
 * tries and logs each fallback with kpath_*_why().
 */
#include <errno.h>
#include <re.h>
#include "cfg.h"
#include "offload.h"
#include "kpath.h"


/* a path: tried and working, tried and failed, or not tried yet */
static bool ok(int err)     { return err == 0; }
static bool untried(int err) { return err == KPATH_UNTRIED; }


/**
 * The path to try next, or the one chosen
 *
 * @param want    The setting
 * @param bpf_err What loading and attaching the TC program returned,
 *                KPATH_UNTRIED if not tried yet
 * @param ct_err  What preparing conntrack returned, or KPATH_UNTRIED
 *
 * @return the path to try (its error is KPATH_UNTRIED), the path
 *         chosen (its error is 0), or OFFLOAD_USER when none is left
 */
enum offload_path kpath_next(enum cfg_kpath want, int bpf_err, int ct_err)
{
	bool bpf = want == CFG_KPATH_AUTO || want == CFG_KPATH_BPF;
	bool ct = want == CFG_KPATH_AUTO || want == CFG_KPATH_CONNTRACK;

	if (bpf && (untried(bpf_err) || ok(bpf_err)))
		return OFFLOAD_BPF;

	if (ct && (untried(ct_err) || ok(ct_err)))
		return OFFLOAD_CONNTRACK;

	return OFFLOAD_USER;
}


/**
 * @return why the TC program could not be loaded or attached
 */
const char *kpath_bpf_why(int err)
{
	switch (err) {

	case EPERM:
	case EACCES:     return "needs CAP_BPF and CAP_NET_ADMIN";
	case ENOSYS:
	case EOPNOTSUPP: return "kernel too old: needs 5.10 "
				"(bpf_redirect_neigh)";
	case ENODEV:     return "no device holds a relay interface's address";
	case EINVAL:
	case ENOENT:     return "the kernel refused the program (verifier "
				"or a missing helper: kernel too old)";
	default:         return "cannot load or attach the TC program";
	}
}


/**
 * @return why conntrack cannot forward for the relay
 */
const char *kpath_ct_why(int err)
{
	switch (err) {

	case ENETDOWN: return "IP forwarding is off";
	case ENOENT:   return "conntrack is not loaded (nft -f umedge.nft)";
	case EROFS:
	case EACCES:
	case EPERM:    return "net.netfilter.nf_conntrack_acct is 0 and "
			      "cannot be set";
	default:       return "conntrack refused";
	}
}
