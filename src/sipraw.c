/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipraw.c  Answers to SIP requests libre 1.1.0 cannot decode
 *
 * Only with sip_own_udp no: umedge's own UDP sockets (sipudp.c) read
 * every datagram themselves.
 *
 * libre drops a UDP datagram its decoder refuses, silently (its
 * src/sip/transp.c). RFC 4475 wants those requests answered: 505 for
 * another SIP version, 416 for a Request-URI scheme we do not know,
 * 400 for the rest. A udp helper on the outside UDP socket sees every
 * datagram first: what decodes goes on to libre untouched; a request
 * that does not is answered here from the lines of it that can be
 * found (Via, From, To, Call-ID, CSeq), if it comes from a gateway.
 * Responses and anything that is not SIP (STUN) pass on.
 *
 * Before libre decodes a message, header names it would take for
 * another header are renamed (sipalias.c). A request libre will decode
 * is shown to the B2BUA first (reqh): libre matches a request to its
 * server transactions before any listener runs (src/sip/strans.c), so
 * a CANCEL would cancel an INVITE by branch and sent-by alone, and a
 * retransmission would make the last response go out again; what the
 * B2BUA takes here (an untrusted source's request, a CANCEL from
 * another source than its INVITE's) never reaches libre. Valid requests in RFC 2543
 * syntax are made decodable (sip2543.c), and the answers lose what
 * that added on the way out. The answers themselves are sipans.c's.
 * Datagrams up to 64 KiB are read whole.
 *
 * libre gives no handle on a transport's socket but the msg->sock of a
 * message that came on it. So at start the edge sends itself one
 * OPTIONS from a throwaway socket; b2b.c hands each outside message to
 * sipraw_claim() first, which takes the socket from that one and
 * attaches the helper.
 */
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include <re.h>
#define DEBUG_MODULE "sipraw"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "gate.h"
#include "sipans.h"
#include "sipdec.h"
#include "sip2543.h"
#include "sipraw.h"


enum {
	LAYER   = -1000,   /**< Before everything else on the socket */
	RX_SIZE = 65536,   /**< Largest datagram read whole          */
};

/** The helper on one UDP transport */
struct sipraw {
	struct le le;                /**< Member of the B2BUA's list    */
	struct udp_sock *probe;      /**< Our throwaway socket          */
	struct udp_sock *us;         /**< libre's socket (referenced)   */
	struct udp_helper *uh;       /**< Our helper on it              */
	struct gate *gate;           /**< Who gets an answer; logs      */
	const char *allow;           /**< Allow of a 405                */
	struct sa laddr;             /**< The transport's address       */
	sipraw_req_h *reqh;          /**< The B2BUA's first look        */
	void *arg;                   /**< Its argument                  */
	sip_trace_h *traceh;         /**< Every SIP datagram in and our
					  answers out, or NULL          */
	void *trace_arg;             /**< Its argument                  */
	char callid[40];             /**< The probe's Call-ID           */
	uint64_t answered;           /**< Requests answered here        */
};


static void sipraw_destructor(void *data)
{
	struct sipraw *sr = data;

	list_unlink(&sr->le);
	mem_deref(sr->uh);
	mem_deref(sr->us);
	mem_deref(sr->probe);
}


static void answer(struct sipraw *sr, const struct sa *src,
		   const struct mbuf *mb)
{
	struct mbuf *out = NULL;

	if (sipdec_answer(&out, mb, 0, NULL, sr->allow))
		return;

	if (sr->traceh)
		sr->traceh(true, SIP_TRANSP_UDP, &sr->laddr, src,
			   mbuf_buf(out), mbuf_get_left(out), sr->trace_arg);
	if (!udp_send(sr->us, src, out))
		++sr->answered;

	mem_deref(out);
}


/* Our answers to an RFC 2543 request lose our branch again */
static bool send_handler(int *err, struct sa *dst, struct mbuf *mb,
			 void *arg)
{
	(void)err;
	(void)dst;
	(void)arg;

	(void)sip2543_strip(mb);

	return false;
}


/* A request libre will decode: the B2BUA's first look, before libre's
 * transactions see it */
static bool first_look(struct sipraw *sr, struct sip_msg *msg,
		       const struct sa *src)
{
	if (!msg->req || !sr->reqh)
		return false;

	msg->src = *src;
	msg->dst = sr->laddr;
	msg->tp = SIP_TRANSP_UDP;
	msg->sock = mem_ref(sr->us);

	return sr->reqh(msg, sr->arg);
}


static void undecodable(struct sipraw *sr, const struct sa *src,
			const struct mbuf *mb)
{
	bool trusted = gate_trusted(sr->gate, false, src);

	if (trusted)
		answer(sr, src, mb);

	if (gate_log(sr->gate))
		DEBUG_INFO("%J: undecodable request: %s\n", src,
			   trusted ? "answered" : "dropped (untrusted source)");
}


static bool recv_handler(struct sa *src, struct mbuf *mb, void *arg)
{
	struct sipraw *sr = arg;
	struct sip_msg *msg = NULL;
	const size_t pos = mb->pos;
	struct pl text;
	bool taken;

	if (!sipdec_is_sip(mb))
		return false;          /* STUN, say: libre's */

	if (sr->traceh)
		sr->traceh(false, SIP_TRANSP_UDP, src, &sr->laddr,
			   mbuf_buf(mb), mbuf_get_left(mb), sr->trace_arg);

	if (sipdec_decode(&msg, mb, src)) {
		text.p = (const char *)mbuf_buf(mb);
		text.l = mbuf_get_left(mb);
		if (!sipans_is_request(&text))
			return false;  /* a response: libre drops it */

		undecodable(sr, src, mb);
		return true;
	}

	mb->pos = pos;
	taken = first_look(sr, msg, src);
	mem_deref(msg);

	return taken;
}


/**
 * Watch an outside UDP transport: send it the probe that lets
 * sipraw_claim() find its socket
 *
 * @param list  List the watcher joins (list_flush frees it)
 * @param laddr The transport's address
 * @param gate  Sources that get an answer
 * @param allow The Allow of a 405 (a constant)
 * @param reqh  The first look at each request libre will decode, or
 *              NULL
 * @param arg   Its argument
 *
 * @return 0 if success, otherwise errorcode
 */
int sipraw_alloc(struct list *list, const struct sa *laddr,
		 struct gate *gate, const char *allow,
		 sipraw_req_h *reqh, void *arg)
{
	struct sipraw *sr;
	struct mbuf *mb = NULL;
	struct sa any;
	int err;

	if (!list || !laddr || !gate || !allow)
		return EINVAL;

	sr = mem_zalloc(sizeof(*sr), sipraw_destructor);
	if (!sr)
		return ENOMEM;

	sr->gate = gate;
	sr->allow = allow;
	sr->laddr = *laddr;
	sr->reqh = reqh;
	sr->arg = arg;
	(void)re_snprintf(sr->callid, sizeof(sr->callid),
			  "umedge-sipraw-%016llx",
			  (unsigned long long)rand_u64());

	sa_cpy(&any, laddr);
	sa_set_port(&any, 0);
	err = udp_listen(&sr->probe, &any, NULL, NULL);
	if (err)
		goto out;

	mb = mbuf_alloc(512);
	if (!mb) {
		err = ENOMEM;
		goto out;
	}

	err = mbuf_printf(mb, "OPTIONS sip:%J SIP/2.0\r\n"
			  "Via: SIP/2.0/UDP %J;branch=z9hG4bK%s\r\n"
			  "Max-Forwards: 1\r\n"
			  "From: <sip:probe@%J>;tag=probe\r\n"
			  "To: <sip:%J>\r\n"
			  "Call-ID: %s\r\n"
			  "CSeq: 1 OPTIONS\r\n"
			  "Content-Length: 0\r\n\r\n",
			  laddr, &any, sr->callid, &any, laddr, sr->callid);
	if (err)
		goto out;

	mb->pos = 0;
	err = udp_send(sr->probe, laddr, mb);

 out:
	mem_deref(mb);
	if (err)
		mem_deref(sr);
	else
		list_append(list, &sr->le, sr);

	return err;
}


/**
 * Offer an outside message: the probe attaches the helper
 *
 * @param sr  Watcher
 * @param msg A message that came outside
 *
 * @return true if it was the probe (consumed, not to be answered)
 */
bool sipraw_claim(struct sipraw *sr, const struct sip_msg *msg)
{
	if (!sr || !msg || sr->us || msg->tp != SIP_TRANSP_UDP ||
	    pl_strcmp(&msg->callid, sr->callid))
		return false;

	sr->us = mem_ref(msg->sock);
	sr->probe = mem_deref(sr->probe);
	udp_rxsz_set(sr->us, RX_SIZE);
	if (udp_register_helper(&sr->uh, sr->us, LAYER, send_handler,
				recv_handler, sr))
		DEBUG_WARNING("%J: cannot watch for undecodable requests\n",
			      &msg->dst);
	else
		DEBUG_INFO("%J: undecodable requests are answered\n",
			   &msg->dst);

	return true;
}


/**
 * Capture what the helper sees: every SIP datagram that comes (before
 * libre or the B2BUA takes it) and the answers it sends
 *
 * @param sr     Watcher
 * @param traceh Trace handler, NULL for none
 * @param arg    Its argument
 */
void sipraw_set_trace(struct sipraw *sr, sip_trace_h *traceh, void *arg)
{
	if (!sr)
		return;

	sr->traceh = traceh;
	sr->trace_arg = arg;
}


/** @return true once the helper is attached */
bool sipraw_ready(const struct sipraw *sr)
{
	return sr && sr->uh;
}


/** @return the requests answered here */
uint64_t sipraw_answered(const struct sipraw *sr)
{
	return sr ? sr->answered : 0;
}
