/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file ctback.c  Kernel offload backend: conntrack NAT entries
 *                 (relay_kernel conntrack; the policy is offload.c's)
 *
 * One NAT entry per flow (kern.c). While a flow is in the kernel,
 * userspace sees no packet of it, so the entry's counters stand in:
 * each read (every OFFLOAD_POLL_MS, one netlink round trip per flow)
 * adds what is new to the side's counters and moves its last-packet
 * time, which the media timeout and the re-latch silence rule read. A
 * source the kernel forwards for counts as sending until two reads
 * after the last one that saw it send (OFFLOAD_HOLD_MS): a re-latch
 * away from it needs that long plus LATCH_RELATCH_SILENCE of
 * standstill.
 *
 * Packets of an installed flow that still reach userspace (strays)
 * were queued before the entry came, or the entry is gone, or the
 * kernel does not apply it (no ruleset loaded, say). The sockets are
 * drained just before the install (offload.drain), so only what
 * arrives in between reaches userspace with the entry there. No packet
 * of a flow is sent from userspace while its entry is there: it would
 * leave with a source port the kernel remaps around the entry. A stray
 * in the first OFFLOAD_GRACE_MS is dropped (and counted); later it
 * reads the entry: gone, the flow is handed back and the packet
 * forwarded; there, it is dropped. When strays keep coming while the
 * entry is there, the stream is taken back and stays in userspace for
 * a while.
 */
#include <string.h>
#include <re.h>
#include "fwd.h"
#include "offload.h"


/* Add what the kernel forwarded since the last read */
static void fold(struct fwd_stream *fs, int f, const struct kern_count *cnt,
		 uint64_t now)
{
	struct kern_count *seen = &fs->kern.seen[f];

	for (int d = 0; d < 2; d++) {
		struct fwd_side *in = &fs->side[d];
		uint64_t dp, db;

		if (cnt->packets[d] <= seen->packets[d])
			continue;

		dp = cnt->packets[d] - seen->packets[d];
		db = cnt->bytes[d] - seen->bytes[d];

		FWD_ADD(in->c.packets, dp);
		FWD_ADD(in->c.bytes, db);
		if (f == 1)
			FWD_ADD(in->c.rtcp, dp);
		FWD_SET(in->c.last_rx, now);
		in->latch[f].last_rx = now + OFFLOAD_HOLD_MS;
	}

	*seen = *cnt;
}


static int ct_add(struct offload *o, struct fwd_stream *fs, int f,
		  const struct kern_flow *flow, uint64_t now)
{
	int err = kern_add(o->kern, flow, OFFLOAD_TIMEOUT_S);

	if (err)
		return err;

	for (int d = 0; d < 2; d++)
		fs->side[d].latch[f].last_rx = now + OFFLOAD_HOLD_MS;
	memset(&fs->kern.seen[f], 0, sizeof(fs->kern.seen[f]));

	return 0;
}


static void ct_del(struct offload *o, struct fwd_stream *fs, int f,
		   uint64_t now)
{
	struct kern_count cnt;

	if (!kern_del(o->kern, &fs->kern.flow[f], &cnt))
		fold(fs, f, &cnt, now);
}


/* Read the counters; an entry the kernel dropped is handed back */
static void ct_read(struct offload *o, struct fwd_stream *fs, uint64_t now,
		    bool gone[2])
{
	if (now < fs->kern.next_poll)
		return;

	for (int f = 0; f < 2; f++) {
		struct kern_count cnt;
		int err;

		if (!fs->kern.on[f])
			continue;

		err = kern_get(o->kern, &fs->kern.flow[f], &cnt);
		if (!err)
			fold(fs, f, &cnt, now);
		else if (err == ENOENT)
			gone[f] = true;
	}

	fs->kern.next_poll = now + OFFLOAD_POLL_MS;
}


static enum offload_stray ct_stray(struct offload *o, struct fwd_stream *fs,
				   struct fwd_side *in, int f,
				   const struct rtphdr *h, uint64_t now)
{
	struct kern_count cnt;
	int err;

	(void)in;
	(void)h;

	if (now < fs->kern.since + OFFLOAD_GRACE_MS)
		return OFFLOAD_STRAY_DROP;

	if (++fs->kern.strays > OFFLOAD_STRAYS)
		return OFFLOAD_STRAY_TAKEBACK;

	err = kern_get(o->kern, &fs->kern.flow[f], &cnt);
	if (err == ENOENT)
		return OFFLOAD_STRAY_GONE;

	if (!err)
		fold(fs, f, &cnt, now);

	return OFFLOAD_STRAY_DROP;
}


/** The conntrack backend */
const struct offload_ops ctback_ops = {
	.rtcp_punt = false,
	.add = ct_add,
	.del = ct_del,
	.refresh = NULL,
	.read = ct_read,
	.stray = ct_stray,
	.fresh = NULL,
	.reroute = NULL,
};
