/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file siptp.h  One side's SIP transport: libre's stack for UDP (and
 *                for TCP/TLS unless the streams are umedge's own)
 */
#ifndef UMEDGE_SIPTP_H
#define UMEDGE_SIPTP_H

struct siptp;
struct siptp_st;
struct siptp_req;
struct sipstream;
struct sipudp;
struct gate;
struct tls;

/** A request or response came on one of the own connections */
typedef void (siptp_msg_h)(const struct sip_msg *msg, void *arg);
/** A first look at a request: true if it was taken (answered) */
typedef bool (siptp_fence_h)(const struct sip_msg *msg, void *arg);

/** A side's transport */
struct siptp_prm {
	struct sip *sip;              /**< libre's stack of the side      */
	struct dnsc *dnsc;            /**< Resolves next hops' names on
					   own streams, or NULL (it must
					   outlive the transport)      */
	bool own;                     /**< TCP/TLS are umedge's own       */
	bool own_udp;                 /**< UDP is umedge's own            */
	struct gate *gate;            /**< Whose undecodable requests over
					   own UDP are answered, or NULL:
					   everyone's                   */
	const char *server;           /**< Server / User-Agent value      */
	const struct sipstream_prm *lim; /**< Listener and connection
					    limits (kept)                */
	siptp_fence_h *fenceh;        /**< First look at requests on own
					   transports, or NULL          */
	siptp_msg_h *reqh;            /**< Requests on own transports     */
	siptp_msg_h *resph;           /**< Responses nothing waited for   */
	void *arg;                    /**< Their argument                 */
};

int  siptp_alloc(struct siptp **tpp, const struct siptp_prm *prm);
int  siptp_listen(struct siptp *tp, const struct sa *laddr,
		  struct tls *tls);
int  siptp_stream_make(struct siptp *tp, struct sipstream **ssp,
		       const struct sa *laddr, struct tls *tls);
void siptp_stream_set(struct siptp *tp, bool t, struct sipstream *ss,
		      struct tls *tls);
int  siptp_udp_make(struct siptp *tp, struct sipudp **sup,
		    const struct sa *laddr);
int  siptp_udp_add(struct siptp *tp, struct sipudp *su);
int  siptp_udp_listen(struct siptp *tp, const struct sa *laddr);
int  siptp_udp_remove(struct siptp *tp, const struct sa *laddr);
bool siptp_own(const struct siptp *tp, enum sip_transp t);
int  siptp_laddr(struct siptp *tp, struct sa *laddr, enum sip_transp t,
		 const struct sa *dst);
struct sip *siptp_sip(const struct siptp *tp);
int  siptp_status(struct re_printf *pf, const struct siptp *tp);
struct jsonw;
void siptp_json(struct jsonw *w, const char *key, const struct siptp *tp);

int  siptp_replyf(struct siptp *tp, const struct sip_msg *msg,
		  uint16_t scode, const char *reason, const char *fmt, ...);
int  siptp_reply(struct siptp *tp, const struct sip_msg *msg,
		 uint16_t scode, const char *reason);

void siptp_resend(struct siptp *tp, const struct sip_msg *msg,
		  struct mbuf *mb);
int  siptp_st_alloc(struct siptp_st **stp, struct siptp *tp,
		    const struct sip_msg *msg, sip_cancel_h *cancelh,
		    void *arg);
int  siptp_treplyf(struct siptp_st **stp, struct mbuf **mbp,
		   struct siptp *tp, const struct sip_msg *msg,
		   uint16_t scode, const char *reason, const char *fmt, ...);
int  siptp_treply(struct siptp_st **stp, struct siptp *tp,
		  const struct sip_msg *msg, uint16_t scode,
		  const char *reason);

int  siptp_request(struct siptp_req **reqp, struct siptp *tp,
		   bool stateful, const char *met, const char *uri,
		   const struct uri *route, struct mbuf *mb, size_t sortkey,
		   sip_send_h *sendh, sip_resp_h *resph, void *arg);
void siptp_request_cancel(struct siptp_req *req);
const struct mbuf *siptp_request_sent(const struct siptp_req *req,
				      enum sip_transp *t, struct sa *dst);
int  siptp_cancel_sent(struct siptp *tp, enum sip_transp t,
		       const struct sa *dst, const struct mbuf *req);
int  siptp_sent_decode(struct sip_msg **msgp, struct siptp *tp,
		       const struct sa *src, const struct mbuf *req);
int  siptp_reply_sent(struct siptp *tp, const struct sa *src,
		      const struct mbuf *req, uint16_t scode,
		      const char *reason);

#endif
