/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file relay_priv.h  Media relay internals: the object model
 *
 *   relay                       main thread
 *    ├─ relay_iface ...         port pools per interface
 *    ├─ worker ...              forwarding threads
 *    └─ relay_call (hash)       by Call-ID
 *        └─ relay_stream ...    one per m= line
 *            ├─ iface_pair[2]   sockets, one pair per side
 *            └─ fwd_stream      handed to one worker (see fwd.h)
 *
 * Everything here belongs to the main thread except fwd_stream, which
 * its worker owns between worker_add() and FWD_EV_RELEASED. A deleted
 * stream waits on relay.closing until then, keeping its ports.
 */

struct worker;
struct mkern;
struct fwd_stream;
struct relay_iface;
struct sdprw_stream;

enum {
	RELAY_TAG_MAX = 128,   /**< Longest tag kept, with NUL   */
	RELAY_ID_MAX  = 256,   /**< Longest Call-ID, with NUL    */
};

/** Media counters summed over stream sides */
struct relay_totals {
	uint64_t packets;       /**< Accepted and forwarded   */
	uint64_t bytes;         /**< Their bytes              */
	uint64_t rtcp;          /**< Of which RTCP            */
	uint64_t dropped;       /**< Dropped, all reasons     */
	uint64_t bleed;         /**< ...from foreign sources  */
	uint64_t auth;          /**< ...failing SRTP auth     */
	uint64_t stray;         /**< ...strays of kernel flows */
	uint64_t errors;        /**< Unroutable, send failed  */
};

/** The media relay */
struct relay {
	const struct cfg *cfg;        /**< Configuration (referenced)    */
	struct list ifaces;           /**< struct relay_iface            */
	struct worker **workers;      /**< Forwarding threads            */
	uint64_t *beats;              /**< Their heartbeats, last seen   */
	unsigned nworkers;            /**< How many                      */
	int kpath;                    /**< enum offload_path chosen      */
	int kpath_err;                /**< Why none, if none (errno)     */
	struct mkern *mk;             /**< eBPF path: program and maps   */
	struct kattach *ka;           /**< eBPF path: attaching late     */
	struct mqueue *mq;            /**< Events from the workers       */
	struct hash *calls;           /**< struct relay_call by Call-ID  */
	struct list closing;          /**< Streams waiting for release   */
	unsigned ncalls;              /**< Calls in the hash             */
	relay_timeout_h *timeouth;    /**< Media timeout handler         */
	void *arg;                    /**< Its argument                  */
	relay_change_h *changeh;      /**< Change handler (HA), or NULL  */
	void *change_arg;             /**< Its argument                  */
	uint64_t offers;              /**< Offers handled                */
	uint64_t answers;             /**< Answers handled               */
	uint64_t refused;             /**< Requests refused              */
	struct relay_totals gone;     /**< Counters of released streams  */
};

/** A call */
struct relay_call {
	struct le he;                      /**< Member of relay.calls    */
	struct relay *relay;               /**< Owner                    */
	char id[RELAY_ID_MAX];             /**< Call-ID                  */
	char tag[2][RELAY_TAG_MAX];        /**< Side 0's and 1's tags    */
	struct list streams;               /**< struct relay_stream      */
	uint64_t created;                  /**< Unix time                */
	bool answered;                     /**< An answer was seen       */
	bool sent[2];                      /**< An SDP went to the side  */
	uint64_t bump[2];                  /**< o= version increments    */
	enum relay_sec sec[2];             /**< Media security per side  */
	enum relay_fb fb[2];               /**< Profile toward each side */
	struct relay_sdes sdes[2];         /**< SDES toward each side    */
	bool ng;                           /**< An ng controller made it */
};

/** One m= line of a call */
struct relay_stream {
	struct le le;                      /**< In call.streams/closing  */
	struct relay_call *call;           /**< Owner, NULL if closing   */
	struct relay *relay;               /**< The relay                */
	unsigned index;                    /**< m= line, from 0          */
	char type[16];                     /**< "audio", ...             */
	struct relay_iface *ifc[2];        /**< Interface per side (ref) */
	struct iface_pair pair[2];         /**< Sockets per side         */
	struct sa sdp[2];                  /**< Peers' SDP addresses     */
	bool mux[2];                       /**< Peers multiplex RTCP     */
	uint8_t te_pt[2];                  /**< Peers' telephone-event
					        payload types...         */
	uint32_t te_rate[2];               /**< ...and clocks, 0: none   */
	struct sec_side sec[2];            /**< Security and keys        */
	struct fwd_stream *fs;             /**< Forwarding state         */
	struct worker *w;                  /**< Worker holding fs        */
	bool timed_out;                    /**< Worker reported timeout  */
};

void relay_change(const struct relay_call *call, enum relay_change what);
int  relay_call_alloc(struct relay_call **callp, struct relay *relay,
		      const struct pl *callid);
int  relay_call_side(const struct relay_call *call, const struct pl *tag);
/** Sets a new stream's forwarding state before its worker has it */
typedef void (relay_stream_prep_h)(struct relay_stream *s, void *arg);

int  relay_stream_alloc(struct relay_stream **sp, struct relay_call *call,
			unsigned index, struct relay_iface *ifc[2]);
int  relay_stream_open(struct relay_stream **sp, struct relay_call *call,
		       unsigned index, struct relay_iface *ifc[2],
		       const uint16_t *port, relay_stream_prep_h *prep,
		       void *arg);
void relay_stream_close(struct relay_stream *s);
void relay_stream_peer(struct relay_stream *s, int side,
		       const struct sdprw_stream *md);
struct relay_iface *relay_iface_find(const struct relay *relay,
				     const struct pl *name);

/** The kernel fast path's figures, summed over the workers */
struct relay_kern_sum {
	bool on;               /**< relay_kernel is not no            */
	int path;              /**< enum offload_path in use          */
	uint64_t prog[16];     /**< bpf: mk_prog's counters (enum
				    mk_punt, then enum mk_cnt)        */
	int unavailable;       /**< Why it could not start, 0 if up   */
	uint32_t flows;        /**< Flows the kernel forwards now     */
	uint64_t installs;     /**< Flows handed to the kernel        */
	uint64_t failures;     /**< Hand-overs refused                */
	uint64_t backoffs;     /**< Streams held back for SSRC changes */
	uint64_t unrouted;     /**< Flows handed back: no route left   */
	int last_err;          /**< Errno of the last refusal         */
};

void relay_kern_sum(const struct relay *relay, struct relay_kern_sum *ks);
void relay_totals_add(struct relay_totals *t, const struct relay_stream *s);
