/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file offload.h  Handing latched streams to the kernel and back
 *
 * A worker with a kern handle moves each of its streams into the
 * kernel once both peers' addresses are final (latched and locked, or
 * silent through the learning window: then only the SDP address may
 * send) and media flows, reads the kernel's
 * counters back into the stream's, and takes the stream back when a
 * peer moves (re-latch), on a new offer or answer, on release, and
 * when the kernel dropped the entry. The sockets stay open and watched
 * all along: foreign packets still reach the latch and are counted.
 */
#ifndef UMEDGE_OFFLOAD_H
#define UMEDGE_OFFLOAD_H

struct kern;
struct fwd_stream;

enum {
	OFFLOAD_POLL_MS    = 1000,    /**< Counter read interval       */
	OFFLOAD_HOLD_MS    = 2000,    /**< A source seen sending is
					   taken as sending this long */
	OFFLOAD_ACTIVE_MS  = 2000,    /**< A peer sent this recently    */
	OFFLOAD_RETRY_MS   = 5000,    /**< After a refused install     */
	OFFLOAD_TIMEOUT_S  = 30,      /**< Entry lifetime until packets */
	OFFLOAD_GRACE_MS   = 200,     /**< Packets queued before install */
	OFFLOAD_STRAYS     = 25,      /**< Packets of a flow in the kernel
					   that still reach userspace:
					   the kernel is not forwarding */
	OFFLOAD_BACKOFF_MS = 60000,   /**< Then no install for this long */
};

/** A worker's kernel offload; counters are atomics (fwd.h) */
struct offload {
	struct kern *kern;     /**< NULL: everything stays in userspace */
	void (*drain)(void *arg, struct fwd_stream *fs);  /**< Forwards
				    what the stream's sockets hold, before
				    an install                          */
	void *drain_arg;       /**< Its argument (the worker)           */
	uint64_t installs;     /**< Flows installed                     */
	uint64_t failures;     /**< Installs the kernel refused         */
	int last_err;          /**< Errno of the last refusal           */
	uint32_t flows;        /**< Flows in the kernel now             */
};

void offload_tick(struct offload *o, struct fwd_stream *fs, uint64_t now);
void offload_stop(struct offload *o, struct fwd_stream *fs, uint64_t now);
bool offload_stray(struct offload *o, struct fwd_stream *fs, int f,
		   uint64_t now);

#endif
