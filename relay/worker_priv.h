/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file worker_priv.h  Forwarding threads: what worker.c, worker_pkt.c
 *                      and worker_cmd.c share
 */
#ifndef UMEDGE_WORKER_PRIV_H
#define UMEDGE_WORKER_PRIV_H

/** worker.ring_err while the thread has not enabled its ring yet */
#define RING_PENDING (-1)

enum {
	BATCH   = 32,     /**< Datagrams per recvmmsg              */
	PKT_MAX = 2048,   /**< Largest datagram forwarded          */
	ROUNDS  = 4,      /**< Batches per socket per wakeup       */
	EVENTS  = 64,     /**< epoll events per wait               */
	TICK_MS = 250,    /**< Timeout check interval              */
	DTMF_TICK_MS = 5, /**< Wakeups while events play           */
};

/** Commands from the main thread */
enum cmd_op {
	CMD_ADD,
	CMD_SDP,
	CMD_WINDOW,
	CMD_TIMEOUT,
	CMD_RELEASE,
	CMD_DTMF,
	CMD_STOP,
};

/** One command, handed over to the worker, which frees it */
struct worker_cmd {
	struct le le;              /**< Member of worker.cmds     */
	enum cmd_op op;            /**< What to do                */
	struct fwd_stream *fs;     /**< Stream concerned          */
	int side;                  /**< Side, for CMD_SDP         */
	struct worker_sdp sdp;     /**< Peer, for CMD_SDP         */
	uint32_t timeout_ms;       /**< For CMD_TIMEOUT           */
	struct worker_dtmf dtmf;   /**< For CMD_DTMF              */
};

/** A forwarding thread */
struct worker {
	unsigned id;                   /**< Number, for logs          */
	pthread_t tid;                 /**< The thread                */
	bool started;                  /**< tid is valid              */
	int epfd;                      /**< Its epoll instance        */
	int evfd;                      /**< Wakes it for commands     */
	pthread_mutex_t lock;          /**< Guards cmds               */
	bool lock_ok;                  /**< lock was initialised      */
	struct list cmds;              /**< struct worker_cmd         */
	struct mqueue *mq;             /**< Events to the main thread */
	unsigned nstreams;             /**< Main thread's count       */
	uint64_t beat;                 /**< Loop ticks (worker writes) */
	bool changes;                  /**< Post FWD_EV_CHANGED (main
					    writes, atomic)            */
	struct offload off;            /**< Kernel fast path          */
	struct wring *ring;            /**< io_uring, NULL for epoll  */
	int ring_err;                  /**< Why not, if it was wanted;
					    RING_PENDING until the thread
					    enabled it (atomic)        */

	/* worker thread only, from here */
	bool stop;                                /**< Leave the loop  */
	struct list streams;                      /**< Owned streams   */
	struct list unposted;    /**< Released, RELEASED not yet queued */
	struct list dtmf;        /**< Sides whose generator is on       */
	uint64_t next_tick;                       /**< Next timeout check */
	struct mmsghdr rx[BATCH];                 /**< recvmmsg vector */
	struct iovec rxiov[BATCH];                /**< Their buffers   */
	struct sockaddr_storage from[BATCH];      /**< Their sources   */
	struct mmsghdr tx[2][BATCH];              /**< Per out socket  */
	struct iovec txiov[2][BATCH];             /**< Their buffers   */
	uint8_t buf[BATCH][PKT_MAX];              /**< Packet memory   */
	uint8_t scratch[PKT_MAX];                 /**< For RTCP rewrites */
};


/* worker_cmd.c: commands from the main thread */
int  worker_cmd_push(struct worker *w, const struct worker_cmd *tmpl);
int  worker_cmd_simple(struct worker *w, enum cmd_op op,
		       struct fwd_stream *fs);

/* worker_pkt.c: the hot path, and the epoll path's datagrams */
const struct sa *worker_pkt_judge(struct worker *w, const struct fwd_ev *ev,
				  struct wring_pkt *pkt, uint64_t now_us,
				  int *viap);
void worker_view_publish(struct worker *w, struct fwd_side *side);
void worker_stats_publish(struct fwd_side *in, uint64_t now_ms);
void worker_rx_init(struct worker *w);
void worker_sock_read(struct worker *w, const struct fwd_ev *ev);

#endif
