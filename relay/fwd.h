/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file fwd.h  Forwarding state of one media stream
 *
 * Ownership: the main thread allocates a struct fwd_stream and opens its
 * sockets, then hands it to one worker (worker_add). From then on only
 * that worker touches the latches, the statistics and the sockets. The
 * main thread may read:
 *  - the counters, with FWD_GET() (relaxed atomics, single writer);
 *  - the view of each side's latch, under fwd_stream.lock.
 * It changes the stream only through worker commands, and frees it only
 * after the worker has released it (FWD_EV_RELEASED). No reference
 * counts are taken across threads.
 */
#ifndef UMEDGE_FWD_H
#define UMEDGE_FWD_H

#include <pthread.h>
#include "latch.h"
#include "rtpstat.h"
#include "kern.h"
#include "sdes.h"
#include "fsrtp.h"
#include "dtmf.h"

#define FWD_ADD(x, n) \
	__atomic_store_n(&(x), (x) + (n), __ATOMIC_RELAXED)
#define FWD_SET(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define FWD_GET(x)    __atomic_load_n(&(x), __ATOMIC_RELAXED)

struct fwd_stream;
struct fwd_side;

enum {
	FWD_CNAME_LEN = 16,   /**< Our CNAMEs: 64 random bits in hex  */
};

/** What happens to plain RTCP (fwd_stream.rtcp) */
enum fwd_rtcp {
	FWD_RTCP_PASS = 0,       /**< Forwarded as it came             */
	FWD_RTCP_REWRITE,        /**< SDES CNAME rewritten; malformed
				      compounds forwarded as they came  */
	FWD_RTCP_REWRITE_DROP,   /**< ...and malformed ones dropped    */
};

/** Which socket of a side an epoll event is for */
struct fwd_ev {
	struct fwd_side *side;   /**< Side the socket belongs to     */
	int rtcp;                /**< 0: RTP socket, 1: RTCP socket  */
};

/** Counters of one side: what its peer sent us */
struct fwd_counters {
	uint64_t packets;      /**< Packets accepted and forwarded      */
	uint64_t bytes;        /**< Their bytes                         */
	uint64_t rtcp;         /**< Of which RTCP                       */
	uint64_t dropped;      /**< Dropped: bleed + auth + stray +
				    bad RTCP                            */
	uint64_t bleed;        /**< ...from foreign sources (RTP Bleed) */
	uint64_t auth;         /**< ...failing SRTP/SRTCP authentication */
	uint64_t stray;        /**< ...of a flow in the kernel, reaching
				    userspace (relay_kernel conntrack)  */
	uint64_t errors;       /**< Unroutable, oversized, send failed  */
	uint64_t last_rx;      /**< Monotonic ms of the last packet     */
	uint32_t ssrc;         /**< Last SSRC seen                      */
	uint32_t jitter_ms;    /**< Interarrival jitter                 */
	int64_t lost;          /**< Packets lost (sequence gaps)        */
};

/** A side's latch as readers see it (under fwd_stream.lock) */
struct fwd_view {
	enum latch_state state;   /**< RTP latch state             */
	struct sa addr;           /**< Latched RTP source          */
	struct sa rtcp;           /**< Latched RTCP source         */
	uint32_t relatches;       /**< NAT re-bindings followed    */
	struct fsrtp_ixs srtp;    /**< Where its SRTP contexts stand
				       (at each quarter, not each
				       packet: srtpix.c)           */
};

/** One side of a stream: faces one peer */
struct fwd_side {
	struct fwd_stream *fs;     /**< Owner                            */
	int fd[2];                 /**< Our RTP and RTCP sockets         */
	struct sa local;           /**< Our RTP address                  */
	struct fwd_ev ev[2];       /**< epoll data for fd[0] and fd[1]   */
	struct latch latch[2];     /**< The peer's RTP and RTCP sources  */
	bool mux;                  /**< Peer muxes RTCP on the RTP port  */
	struct fsrtp srtp;         /**< Keys: the peer's, ours (fsrtp.h) */
	struct rtpstat stat;       /**< Sequence and jitter state        */
	struct dtmf_gen dtmf;      /**< Events played to the peer        */
	struct le dtmf_le;         /**< In the worker's list while on    */
	char cname[FWD_CNAME_LEN + 1]; /**< SDES CNAME the other peer sees
					for this one (random)            */
	struct fwd_counters c;     /**< Counters (atomics)               */
	struct fwd_view view;      /**< Published latch (under lock)     */
	uint32_t kunseen;          /**< RTP userspace forwarded while its
					flow was in the eBPF path: the
					slot did not count it            */
};

/** One direction of a flow in the eBPF path: its slot, what was folded */
struct fwd_kslot {
	uint32_t slot;             /**< Index in mk_stats               */
	uint32_t gen;              /**< Its generation                  */
	uint64_t pkts;             /**< Packets folded in so far        */
	uint64_t bytes;            /**< ...bytes                        */
	uint64_t rtcp;             /**< ...RTCP packets                 */
	uint32_t tick;             /**< Handed back during this tick    */
};

/** A stream's kernel offload, worker only (offload.c): flow 0 is RTP
 *  (with RTCP when both peers multiplex), flow 1 RTCP on its own port */
struct fwd_kern {
	bool on[2];                  /**< Flow installed in the kernel  */
	struct kern_flow flow[2];    /**< Its tuples                    */
	struct kern_count seen[2];   /**< Counters folded in so far     */
	struct fwd_kslot ks[2][2];   /**< bpf: [flow][side it came from] */
	struct fwd_kslot kr[2][2];   /**< bpf: slots handed back, read once
					  more at the next tick (gen 0:
					  none)                          */
	uint32_t rgen[2];            /**< bpf: route generation its out
					  device and next hop are of     */
	uint64_t next_poll;          /**< Next counter read (ms)        */
	uint64_t retry;              /**< No install before (ms)        */
	uint64_t since;              /**< Installed at (ms)             */
	uint32_t strays;             /**< Packets userspace still got   */
	uint64_t fresh;              /**< Last offload_fresh() (ms)     */
	uint64_t backs_since;        /**< SSRC hand-backs counted from  */
	uint32_t backs;              /**< ...so many since              */
};

/** A stream: two sides, forwarding to each other */
struct fwd_stream {
	struct le le;               /**< Member of the worker's streams  */
	struct fwd_side side[2];    /**< 0: offerer's side, 1: answerer  */
	pthread_mutex_t lock;       /**< Guards the sides' views         */
	bool lock_ok;               /**< lock was initialised            */
	uint32_t clock_rate;        /**< RTP clock of the payload        */
	enum fwd_rtcp rtcp;         /**< Plain RTCP: set before the
					 stream goes to its worker       */
	uint32_t timeout_ms;        /**< Media timeout now, 0 for none   */
	uint64_t phase_start;       /**< Monotonic ms the phase began    */
	bool timed_out;             /**< Timeout reported                */
	bool unposted;              /**< A change the full queue refused:
					 posted again at the next tick   */
	bool dead;                  /**< Released: ignore its events     */
	unsigned ring_refs;         /**< Requests of the worker's io_uring
					 naming it: receives armed, sends
					 in flight (worker only)         */
	struct fwd_kern kern;       /**< Kernel offload (worker only)    */
	uint32_t kflows;            /**< Flows in the kernel (atomic)    */
	void *arg;                  /**< Owner's handle, for events      */
};

/** Events from a worker to the main thread (mqueue ids) */
enum fwd_event {
	FWD_EV_TIMEOUT = 1,   /**< No media for timeout_ms             */
	FWD_EV_RELEASED,      /**< Worker let go of the stream         */
	FWD_EV_CHANGED,       /**< A side's published view changed     */
};

int      fwd_stream_alloc(struct fwd_stream **fsp, void *arg);
void     fwd_side_view(struct fwd_stream *fs, int side,
		       struct fwd_view *view);
uint64_t fwd_now_ms(void);
uint64_t fwd_now_us(void);
bool     fwd_silent(uint64_t now, uint64_t last, uint32_t timeout_ms);

#endif
