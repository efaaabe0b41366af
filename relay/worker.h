/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file worker.h  Forwarding threads
 *
 * Each worker is a thread with its own epoll loop. It owns the streams
 * handed to it and forwards their packets with recvmmsg/sendmmsg, with
 * no allocation and no logging per packet. The main thread talks to it
 * through commands; it answers through a libre mqueue owned by the
 * main thread.
 */
#ifndef UMEDGE_WORKER_H
#define UMEDGE_WORKER_H

struct worker;
struct fwd_stream;
struct mqueue;
struct offload;
struct offload_cfg;

#include "sdes.h"

/** A change to a side's peer, from an offer or answer */
struct worker_sdp {
	struct sa rtp;        /**< Peer's RTP address from SDP    */
	struct sa rtcp;       /**< Peer's RTCP address from SDP   */
	bool mux;             /**< Peer multiplexes RTCP          */
	uint32_t window_ms;   /**< Learning window                */
	uint32_t clock_rate;  /**< RTP clock of the payload, 0 keep */
	bool srtp;            /**< The peer sends SRTP under key,
				   decrypted here (SRTP ends here) */
	struct sdes_key key;  /**< Key the peer encrypts with     */
	uint64_t lifetime;    /**< Packets it may protect, 0: no
				   limit of its own (RFC 4568 6.1) */
	bool tx;              /**< tx_key encrypts what the peer gets */
	struct sdes_key tx_key; /**< Our own key toward the peer    */
};

/** A digit to play toward a side's peer (RFC 4733, dtmf.h) */
struct worker_dtmf {
	uint8_t pt;           /**< telephone-event payload type  */
	uint32_t rate;        /**< Its clock rate                */
	uint8_t event;        /**< Event code                    */
	uint32_t dur_ms;      /**< Duration                      */
};

int  worker_alloc(struct worker **wp, unsigned id, struct mqueue *mq,
		  const struct offload_cfg *oc, bool uring);
int  worker_add(struct worker *w, struct fwd_stream *fs);
int  worker_sdp(struct worker *w, struct fwd_stream *fs, int side,
		const struct worker_sdp *sdp);
int  worker_window(struct worker *w, struct fwd_stream *fs, int side,
		   uint32_t window_ms);
int  worker_timeout(struct worker *w, struct fwd_stream *fs,
		    uint32_t timeout_ms);
int  worker_dtmf(struct worker *w, struct fwd_stream *fs, int side,
		 const struct worker_dtmf *d);
int  worker_release(struct worker *w, struct fwd_stream *fs);
unsigned worker_streams(const struct worker *w);
const struct offload *worker_offload(const struct worker *w);
uint64_t worker_beat(const struct worker *w);
void worker_post_changes(struct worker *w, bool on);
bool worker_uring(const struct worker *w, int *errp);

#endif
