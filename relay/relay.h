/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file relay.h  Media relay core: the public API
 *
 * The relay anchors every media stream of a call on the edge: a port
 * pair on the interface facing each peer, latching, forwarding and
 * timeouts. The rtpengine-compatible ng adapter and the B2BUA both
 * drive it through these calls, in the main thread.
 *
 * A call has two sides: side 0 faces the party that made the first
 * offer (its from-tag), side 1 the party that answered (its to-tag).
 * Each m= line of the SDP is one stream with a socket pair per side.
 */
#ifndef UMEDGE_RELAY_H
#define UMEDGE_RELAY_H

struct cfg;
struct relay;
struct relay_call;
struct portpool;
struct tok_keyring;

/** What to do with RTCP multiplexing (the ng rtcp-mux flags) */
enum relay_mux {
	RELAY_MUX_DEFAULT = 0,  /**< Pass a=rtcp-mux through as offered */
	RELAY_MUX_OFFER,        /**< Offer it to the receiver           */
	RELAY_MUX_DEMUX,        /**< Never offer it to the receiver     */
};

/** Media security of one side (per leg: sip_um_media, media= of a
 *  gateway set, ng transport-protocol) */
enum relay_sec {
	RELAY_SEC_KEEP = 0,  /**< As the side had it (at first: ANY)    */
	RELAY_SEC_ANY,       /**< What the other side speaks, answered
				  in kind                               */
	RELAY_SEC_RTP,       /**< Plain RTP only                        */
	RELAY_SEC_SRTP,      /**< SDES-SRTP required                    */
};

/** RTCP feedback profile toward the receiver (RFC 4585) */
enum relay_fb {
	RELAY_FB_KEEP = 0,   /**< As the sender offered it             */
	RELAY_FB_AVP,        /**< RTP/AVP, RTP/SAVP                    */
	RELAY_FB_AVPF,       /**< RTP/AVPF, RTP/SAVPF                  */
};

/** SDES toward the receiver (the ng SDES-* flags) */
struct relay_sdes {
	uint32_t no;         /**< Suites never offered (sdes_bit())     */
	uint32_t only;       /**< Only these suites, 0: no such limit   */
	bool off;            /**< No SDES at all                        */
	bool pad;            /**< Keys keep base64's '=' padding        */
};

/** An offer or an answer */
struct relay_req {
	struct pl callid;         /**< Call-ID                               */
	struct pl from_tag;       /**< Tag of the party sending the SDP...   */
	struct pl to_tag;         /**< ...and of the other party (answer)    */
	struct pl sdp;            /**< The SDP                               */
	struct pl dir[2];         /**< Interfaces facing the sender and the
				       receiver; unset: the first one      */
	struct pl token;          /**< Relay-allocation token                */
	bool replace_origin;      /**< Our address in o=                     */
	bool replace_session_conn;/**< Rewrite the session-level c=          */
	bool ice_remove;          /**< Drop ICE attributes                   */
	bool ssrc_remove;         /**< Drop a=ssrc (its cname names a host)  */
	enum relay_mux mux;       /**< RTCP multiplexing toward the receiver */
	enum relay_sec sec[2];    /**< Media security of the sender and of
				       the receiver                        */
	enum relay_fb fb;         /**< Feedback profile toward the receiver */
	struct relay_sdes sdes;   /**< SDES toward the receiver (offers)    */
	bool ng;                  /**< From an ng controller (not the
				       B2BUA): a new call is its own     */
};

/** One side of a stream, as umedgectl and ng query show it */
struct relay_side_info {
	struct sa local;          /**< Our RTP address on this side     */
	struct sa sdp;            /**< Peer's address from its SDP      */
	struct sa latched;        /**< Peer's real (latched) source     */
	const char *state;        /**< "none", "learning", "locked"     */
	const char *iface;        /**< Interface name                   */
	bool mux;                 /**< Peer multiplexes RTCP            */
	char proto[32];           /**< Transport the peer uses          */
	char sec[40];             /**< "rtp", "srtp <suite>", "opaque"  */
	uint64_t packets;         /**< Received from the peer           */
	uint64_t bytes;           /**< Their bytes                      */
	uint64_t rtcp;            /**< Of which RTCP                    */
	uint64_t dropped;         /**< From foreign sources             */
	uint64_t errors;          /**< Unroutable or failed sends       */
	uint64_t idle_ms;         /**< Since the last packet            */
	uint32_t ssrc;            /**< Last SSRC                        */
	int64_t lost;             /**< Sequence gaps                    */
	uint32_t jitter_ms;       /**< Interarrival jitter              */
	uint32_t relatches;       /**< NAT re-bindings followed         */
};

/** One stream */
struct relay_stream_info {
	unsigned index;                  /**< m= line, from 0          */
	char type[16];                   /**< "audio", "video"          */
	bool timed_out;                  /**< No media for too long    */
	unsigned kernel;                 /**< Flows the kernel forwards */
	struct relay_side_info side[2];  /**< Offerer's, answerer's    */
};

/**
 * A call's media timed out; the owner ends the call (the B2BUA sends
 * BYE) and deletes it
 *
 * @param callid Call-ID
 * @param arg    Handler argument
 */
typedef void (relay_timeout_h)(const char *callid, void *arg);

/** What changed in a call, for a standby's copy of it */
enum relay_change {
	RELAY_CHG_SDP,    /**< An offer or answer was applied         */
	RELAY_CHG_MEDIA,  /**< A latch learnt, locked or moved        */
	RELAY_CHG_END,    /**< The call is gone                       */
};

/**
 * A call changed (never per packet). Called on the main thread; the
 * handler must not call back into the relay for RELAY_CHG_END (the
 * call is being freed)
 *
 * @param callid Call-ID
 * @param what   What changed
 * @param arg    Handler argument
 */
typedef void (relay_change_h)(const char *callid, enum relay_change what,
			      void *arg);

/** Walks the calls: return true to stop */
typedef bool (relay_call_h)(const struct relay_call *call, void *arg);

int  relay_alloc(struct relay **relayp, const struct cfg *cfg);
void relay_set_cfg(struct relay *relay, const struct cfg *cfg);
int  relay_ifaces_prepare(const struct relay *relay, const struct cfg *cfg,
			  struct list *add);
void relay_ifaces_commit(struct relay *relay, const struct cfg *cfg,
			 struct list *add);
void relay_set_timeout_handler(struct relay *relay, relay_timeout_h *h,
			       void *arg);
void relay_set_change_handler(struct relay *relay, relay_change_h *h,
			      void *arg);
int  relay_call_export(struct mbuf *mb, const struct relay *relay,
		       const char *callid, bool keys);
int  relay_call_import(struct relay *relay, const char *buf, size_t len,
		       bool b2b);
int  relay_rekey_offer(struct relay *relay, const char *callid,
		       const char *tag, const struct mbuf *sent,
		       struct mbuf *out);
int  relay_rekey_answer(struct relay *relay, const char *callid,
			const char *tag, const struct pl *answer,
			const char **why);
int  relay_offer(struct relay *relay, const struct relay_req *req,
		 struct mbuf *sdp, const char **why);
int  relay_answer(struct relay *relay, const struct relay_req *req,
		  struct mbuf *sdp, const char **why);
int  relay_delete(struct relay *relay, const struct pl *callid);
void relay_calls_flush(struct relay *relay);
int  relay_dtmf(struct relay *relay, const struct pl *callid,
		const struct pl *tag, char digit, uint32_t dur_ms);
const struct relay_call *relay_call_find(const struct relay *relay,
					 const struct pl *callid);
void relay_call_apply(const struct relay *relay, relay_call_h *h,
		      void *arg);
const char *relay_call_id(const struct relay_call *call);
const char *relay_call_tag(const struct relay_call *call, int side);
uint64_t relay_call_created(const struct relay_call *call);
unsigned relay_call_streams(const struct relay_call *call);
int  relay_call_stream(const struct relay_call *call, unsigned i,
		       struct relay_stream_info *info);
unsigned relay_call_count(const struct relay *relay);
void relay_ports(const struct relay *relay, uint32_t *freep, uint32_t *totalp);
struct portpool *relay_portpool(const struct relay *relay, const char *name);
int  relay_status(struct re_printf *pf, const struct relay *relay);
int  relay_calls_print(struct re_printf *pf, const struct relay *relay);
int  relay_call_print(struct re_printf *pf, const struct relay *relay,
		      const struct pl *callid);
struct jsonw;
int  relay_metrics(struct mbuf *mb, const struct relay *relay);
bool relay_alive(struct relay *relay);
void relay_json(struct jsonw *w, const struct relay *relay);
void relay_calls_json(struct jsonw *w, const struct relay *relay);
int  relay_call_json(struct jsonw *w, const struct relay *relay,
		     const struct pl *callid);

#endif
