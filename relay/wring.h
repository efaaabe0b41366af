/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file wring.h  A forwarding thread's io_uring (relay_io uring)
 */

struct wring;

/** A datagram received (by the ring, or by recvmmsg: worker.c's
 * epoll path uses the same form); rewritten in place before it is sent */
struct wring_pkt {
	uint8_t *p;          /**< Its bytes                              */
	size_t len;          /**< Their length                           */
	size_t cap;          /**< Room at p                              */
	struct sa src;       /**< Where it came from                     */
	bool bad;            /**< Truncated, or no source address        */
	unsigned bid;        /**< Its buffer (wring_send, wring_drop)    */
};

/**
 * A datagram arrived on a socket armed with wring_arm(); the handler
 * must pass it to wring_send() or wring_drop()
 *
 * @param src What wring_arm() was given for the socket
 * @param pkt The datagram
 * @param arg Handler argument
 */
typedef void (wring_rx_h)(void *src, struct wring_pkt *pkt, void *arg);

/**
 * A socket's receive ended: cancelled (wring_cancel()), or stopped by
 * the kernel (no buffer free, an error); re-arm it to go on
 *
 * @param src What wring_arm() was given
 * @param err Why (ECANCELED after wring_cancel())
 * @param arg Handler argument
 */
typedef void (wring_end_h)(void *src, int err, void *arg);

/**
 * A send completed and its buffer is free again
 *
 * @param owner What wring_send() was given
 * @param err   0 if it was sent, otherwise errorcode
 * @param arg   Handler argument
 */
typedef void (wring_tx_h)(void *owner, int err, void *arg);

/**
 * The wake-up fd became readable
 *
 * @param arg Handler argument
 */
typedef void (wring_wake_h)(void *arg);

/** The handlers a ring reports to, and their argument */
struct wring_handlers {
	wring_rx_h *rxh;
	wring_end_h *endh;
	wring_tx_h *txh;
	wring_wake_h *wakeh;
	void *arg;
};

int  wring_alloc(struct wring **wrp, int evfd,
		 const struct wring_handlers *h);
int  wring_start(struct wring *wr);
int  wring_arm(struct wring *wr, int fd, void *src);
int  wring_cancel(struct wring *wr, int fd);
int  wring_send(struct wring *wr, int fd, const struct sa *dst,
		const struct wring_pkt *pkt, void *owner);
void wring_drop(struct wring *wr, const struct wring_pkt *pkt);
void wring_flush(struct wring *wr);
int  wring_run(struct wring *wr, unsigned timeout_ms);
