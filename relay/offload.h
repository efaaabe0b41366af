/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file offload.h  Handing latched streams to the kernel and back
 *
 * The policy (offload.c) is the same for every kernel path; a backend
 * (struct offload_ops: ctback.c for conntrack, mkback.c for the eBPF
 * program) installs, removes and counts. A worker with a backend moves
 * each of its streams into the kernel once both peers' addresses are
 * final (latched and locked, or silent through the learning window:
 * then only the SDP address may send) and media flows, reads the
 * kernel's counters back into the stream's, and takes the stream back
 * when a peer moves (re-latch), on a new offer or answer, on release,
 * and when the kernel dropped the entry. The sockets stay open and watched
 * all along: foreign packets still reach the latch and are counted.
 */
#ifndef UMEDGE_OFFLOAD_H
#define UMEDGE_OFFLOAD_H

struct kern;
struct mkern;
struct mkback;
struct kern_flow;
struct rtphdr;
struct fwd_stream;
struct fwd_side;
struct offload;

/** Which kernel fast path a worker's streams go to */
enum offload_path {
	OFFLOAD_USER = 0,     /**< None: userspace forwards everything */
	OFFLOAD_CONNTRACK,    /**< conntrack NAT entries (kern.h)      */
	OFFLOAD_BPF,          /**< The relay's TC program (mkern.h)    */
};

/** What a worker's offload is made from (the relay's choice) */
struct offload_cfg {
	enum offload_path path;  /**< The path chosen                 */
	struct mkern *mk;        /**< bpf: the program and its maps   */
	uint32_t slot_base;      /**< bpf: the worker's slot range... */
	uint32_t slots;          /**< ...and its length               */
};

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
	OFFLOAD_SSRC_BACKS = 3,       /**< SSRC hand-backs allowed in... */
	OFFLOAD_SSRC_WIN_MS = 60000,  /**< ...this long; one more: the
					   stream stays in userspace for
					   OFFLOAD_BACKOFF_MS           */
	OFFLOAD_FRESH_MS   = 10,      /**< Latch refreshes from the
					   kernel, at most one per stream
					   this often                   */
};

/** What to do with a packet of a flow in the kernel that reached
 *  userspace (offload_ops.stray) */
enum offload_stray {
	OFFLOAD_STRAY_FWD = 0,  /**< Forward it                        */
	OFFLOAD_STRAY_DROP,     /**< Drop it (conntrack: remapped)     */
	OFFLOAD_STRAY_GONE,     /**< The entry is gone: flow back, fwd */
	OFFLOAD_STRAY_BACK,     /**< Hand the flow back now, then fwd  */
	OFFLOAD_STRAY_TAKEBACK, /**< Take the stream back for a while  */
};

/** A kernel backend: installs, removes and counts a stream's flows */
struct offload_ops {
	bool rtcp_punt;   /**< RTCP sharing the RTP port can be left to
			       userspace per packet (the stream goes in) */
	/** Install flow f; 0 or an errno (refused, retried later) */
	int  (*add)(struct offload *o, struct fwd_stream *fs, int f,
		    const struct kern_flow *flow, uint64_t now);
	/** Remove flow f with its last counters */
	void (*del)(struct offload *o, struct fwd_stream *fs, int f,
		    uint64_t now);
	/** Once per worker tick, before the streams (may be NULL) */
	void (*refresh)(struct offload *o, uint64_t now);
	/** Fold the stream's counters; gone[f]: the kernel dropped it */
	void (*read)(struct offload *o, struct fwd_stream *fs, uint64_t now,
		     bool gone[2]);
	/** A packet of flow f that reached userspace (h: its RTP header) */
	enum offload_stray (*stray)(struct offload *o, struct fwd_stream *fs,
				    struct fwd_side *in, int f,
				    const struct rtphdr *h, uint64_t now);
	/** Bring in's latch of flow f up to the kernel's last packet
	    from it, now (may be NULL: the tick's read is all) */
	void (*fresh)(struct offload *o, struct fwd_stream *fs,
		      struct fwd_side *in, int f);
	/** Routes changed: flow f in the kernel takes the new ones; 0
	    (also when nothing changed), EAGAIN (not now: the next
	    tick) or an errno (no route: back to userspace). May be
	    NULL: the kernel routes each packet itself (conntrack) */
	int  (*reroute)(struct offload *o, struct fwd_stream *fs, int f,
			uint64_t now);
};

/** A worker's kernel offload; counters are atomics (fwd.h) */
struct offload {
	enum offload_path path; /**< The path chosen for the relay      */
	const struct offload_ops *ops; /**< Backend; NULL: userspace    */
	struct kern *kern;     /**< conntrack: the worker's handle      */
	struct mkback *mkb;    /**< bpf: the worker's slots and reads   */
	void (*drain)(void *arg, struct fwd_stream *fs);  /**< Forwards
				    what the stream's sockets hold, before
				    an install                          */
	void *drain_arg;       /**< Its argument (the worker)           */
	uint64_t installs;     /**< Flows installed                     */
	uint64_t failures;     /**< Installs the kernel refused         */
	uint64_t backoffs;     /**< Streams held in userspace for their
				    SSRC changes (offload.c)            */
	uint64_t unrouted;     /**< Flows handed back: routes changed
				    and none is left for them           */
	int last_err;          /**< Errno of the last refusal           */
	uint32_t flows;        /**< Flows in the kernel now             */
};

const char *offload_path_name(enum offload_path p);
void offload_refresh(struct offload *o, uint64_t now);
void offload_moved(struct offload *o, struct fwd_stream *fs, int f,
		   uint64_t now);
void offload_tick(struct offload *o, struct fwd_stream *fs, uint64_t now);
void offload_stop(struct offload *o, struct fwd_stream *fs, uint64_t now);
void offload_fresh(struct offload *o, struct fwd_stream *fs,
		   struct fwd_side *in, int f, uint64_t now);
bool offload_stray(struct offload *o, struct fwd_stream *fs,
		   struct fwd_side *in, int f, const struct rtphdr *h,
		   uint64_t now);

extern const struct offload_ops ctback_ops;
extern const struct offload_ops mkback_ops;

#endif
