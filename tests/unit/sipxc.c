/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipxc.c  Test of client transactions on an own stream
 *                connection: a scripted peer over loopback TCP answers
 *                the edge's requests
 */
#include <string.h>
#include <re.h>
#include "sipconn.h"
#include "sipframe.h"
#include "sippath.h"
#include "sipxc.h"
#include "test.h"


/** The edge (accepted connection, transactions) and a scripted peer */
struct xc_rig {
	struct sipconn_prm prm;      /**< Edge side's limits          */
	struct tcp_sock *ts;         /**< Edge's listener             */
	struct sipconn *sc;          /**< Edge's connection           */
	struct sipxc_table *t;       /**< Edge's client transactions  */
	struct sipxc *ct[5];         /**< Its requests                */
	char log[5][TEST_RESP_LOG];  /**< What each one heard         */
	struct tcp_conn *peer;       /**< The peer's connection       */
	struct sipframe *pf;         /**< The peer's framing          */
	struct mbuf *acks;           /**< ACKs and CANCELs it got     */
	struct tmr tmr;              /**< Steps                       */
	int step;                    /**< Which                       */
	uint32_t stray;              /**< Responses not taken         */
};


/**
 * A response handler for tests: "CODE " (or "eERR ") appended to arg
 *
 * @param err Error, if no msg
 * @param msg The response, or NULL
 * @param arg The log, a char[TEST_RESP_LOG]
 */
void test_resp_log(int err, const struct sip_msg *msg, void *arg)
{
	char *log = arg;
	size_t n = strlen(log);

	if (msg)
		(void)re_snprintf(log + n, TEST_RESP_LOG - n, "%u ",
				  msg->scode);
	else
		(void)re_snprintf(log + n, TEST_RESP_LOG - n, "e%d ", err);
}


static void edge_msg_h(struct sipconn *sc, const struct sip_msg *msg,
		       void *arg)
{
	struct xc_rig *r = arg;
	(void)sc;

	if (!sipxc_response(r->t, msg))
		++r->stray;
}


static void edge_close_h(struct sipconn *sc, int err, void *arg)
{
	struct xc_rig *r = arg;
	(void)err;

	sipxc_conn_closed(r->t, sc);
}


/**
 * A peer's response to a request, encoded (for tests)
 *
 * @param mbp   Pointer to the response (position 0)
 * @param req   The request
 * @param scode Status code
 * @param met   The CSeq method
 * @param tag   The To tag, NULL for "peer"
 *
 * @return 0 if success, otherwise errorcode
 */
int test_sip_answer(struct mbuf **mbp, const struct sip_msg *req,
		    uint16_t scode, const char *met, const char *tag)
{
	struct mbuf *mb = mbuf_alloc(512);
	int err;

	if (!mb)
		return ENOMEM;

	err = mbuf_printf(mb, "SIP/2.0 %u X\r\nVia: %r\r\nFrom: %r\r\n"
			  "To: %r;tag=%s\r\nCall-ID: %r\r\nCSeq: %u %s\r\n"
			  "Content-Length: 0\r\n\r\n", scode,
			  &sip_msg_hdr(req, SIP_HDR_VIA)->val,
			  &sip_msg_hdr(req, SIP_HDR_FROM)->val,
			  &sip_msg_hdr(req, SIP_HDR_TO)->val, tag ? tag : "peer",
			  &req->callid, req->cseq.num, met);
	mb->pos = 0;
	if (err)
		mem_deref(mb);
	else
		*mbp = mb;

	return err;
}


/* The peer answers: "SIP/2.0 <codes>" for the request's branch */
static void peer_answer(struct xc_rig *r, const struct sip_msg *req,
			uint16_t scode, const char *met, const char *tag)
{
	struct mbuf *mb = NULL;

	if (test_sip_answer(&mb, req, scode, met, tag))
		return;

	(void)tcp_send(r->peer, mb);
	mem_deref(mb);
}


static void peer_script(struct xc_rig *r, const struct sip_msg *req)
{
	const struct pl *b = &req->via.branch;

	if (!pl_strcmp(&req->met, "ACK") || !pl_strcmp(&req->met, "CANCEL")) {
		(void)mbuf_printf(r->acks, "%r %r %s %r|", &req->met, b,
				  sip_msg_hdr(req, SIP_HDR_ROUTE) ? "route" :
				  "-", &req->to.tag);
		if (!pl_strcmp(&req->met, "CANCEL")) {
			peer_answer(r, req, 200, "CANCEL", NULL);
			peer_answer(r, req, 487, "INVITE", NULL);
		}
		return;
	}

	if (!pl_strcmp(b, "z9hG4bKbusy")) {
		peer_answer(r, req, 180, "INVITE", NULL);
		peer_answer(r, req, 486, "INVITE", NULL);
	}
	else if (!pl_strcmp(b, "z9hG4bKcancel") ||
		 !pl_strcmp(b, "z9hG4bKring")) {
		peer_answer(r, req, 180, "INVITE", NULL);
	}
	else if (!pl_strcmp(b, "z9hG4bKfork")) {
		peer_answer(r, req, 200, "INVITE", NULL);
		peer_answer(r, req, 200, "INVITE", "fork2");
		peer_answer(r, req, 200, "INVITE", NULL);   /* again */
	}
}


static void peer_frame_h(enum sipframe_ev ev, struct mbuf *mb,
			 uint16_t scode, void *arg)
{
	struct sip_msg *msg = NULL;
	(void)scode;

	if (ev != SIPFRAME_MSG || sip_msg_decode(&msg, mb))
		return;

	if (msg->req)
		peer_script(arg, msg);
	mem_deref(msg);
}


static void peer_recv_h(struct mbuf *mb, void *arg)
{
	struct xc_rig *r = arg;

	(void)sipframe_input(r->pf, mbuf_buf(mb), mbuf_get_left(mb));
}


static void peer_estab_h(void *arg)
{
	(void)arg;
}


static void peer_close_h(int err, void *arg)
{
	(void)err;
	(void)arg;
}


static int edge_request(struct xc_rig *r, int i, const char *met,
			const char *branch)
{
	struct mbuf *mb = mbuf_alloc(512);
	struct sippath path = SIPPATH_INIT;
	int err;

	if (!mb)
		return ENOMEM;

	sippath_conn(&path, r->sc);
	err = mbuf_printf(mb, "%s sip:peer@127.0.0.1 SIP/2.0\r\n"
			  "Via: SIP/2.0/TCP 127.0.0.1:5060;branch=%s\r\n"
			  "Route: <sip:127.0.0.9;lr>\r\n"
			  "From: <sip:edge@127.0.0.1>;tag=e\r\n"
			  "To: <sip:peer@127.0.0.1>\r\nCall-ID: %s\r\n"
			  "CSeq: 7 %s\r\nMax-Forwards: 70\r\n"
			  "Content-Length: 0\r\n\r\n", met, branch, branch,
			  met);
	mb->pos = 0;
	if (!err)
		err = sipxc_send(&r->ct[i], r->t, &path, mb, test_resp_log,
				 r->log[i]);
	mem_deref(mb);
	sippath_reset(&path);

	return err;
}


static void step_h(void *arg)
{
	struct xc_rig *r = arg;

	switch (r->step++) {

	case 0:
		(void)edge_request(r, 0, "INVITE", "z9hG4bKbusy");
		(void)edge_request(r, 1, "INVITE", "z9hG4bKcancel");
		(void)edge_request(r, 2, "OPTIONS", "z9hG4bKquiet");
		(void)edge_request(r, 3, "INVITE", "z9hG4bKfork");
		(void)edge_request(r, 4, "INVITE", "z9hG4bKring");
		(void)sipxc_cancel(r->ct[1]);      /* waits for the 180 */
		tmr_start(&r->tmr, 1500, step_h, r);
		break;

	default:
		re_cancel();
		break;
	}
}


static void xc_conn_h(const struct sa *peer, void *arg)
{
	struct xc_rig *r = arg;

	if (r->sc || sipconn_accept(&r->sc, r->ts, peer, NULL, &r->prm,
				    edge_msg_h, edge_close_h, r)) {
		tcp_reject(r->ts);
		return;
	}

	tmr_start(&r->tmr, 20, step_h, r);
}


/* A 486 is ACKed by the transaction; a CANCEL asked for before any
 * response goes after the 180, and its 487 is ACKed; an OPTIONS without
 * an answer ends in ETIMEDOUT, an INVITE that rings does not (no Timer
 * B in Proceeding); two 2xx of an INVITE both reach the owner, and the
 * Route of the request is on ACK and CANCEL */
int test_sipxc(void)
{
	struct xc_rig r;
	struct sa laddr;
	char want[16];
	int err = 0;

	memset(&r, 0, sizeof(r));
	r.prm.max_msg = 4096;
	r.prm.first_ms = r.prm.msg_ms = r.prm.idle_ms = 5000;
	r.prm.linger_ms = 100;
	r.prm.allow = "INVITE";
	r.acks = mbuf_alloc(256);
	TEST_ASSERT(r.acks != NULL);
	TEST_ERR(sipxc_table_alloc(&r.t, 300));
	TEST_ERR(sipframe_alloc(&r.pf, 4096, peer_frame_h, &r));

	(void)sa_set_str(&laddr, "127.0.0.1", 0);
	TEST_ERR(tcp_listen(&r.ts, &laddr, xc_conn_h, &r));
	TEST_ERR(tcp_local_get(r.ts, &laddr));
	TEST_ERR(tcp_connect(&r.peer, &laddr, peer_estab_h, peer_recv_h,
			     peer_close_h, &r));
	TEST_ERR(re_main(NULL));

	TEST_STRCMP("180 486 ", r.log[0]);
	TEST_STRCMP("180 487 ", r.log[1]);
	(void)re_snprintf(want, sizeof(want), "e%d ", ETIMEDOUT);
	TEST_STRCMP(want, r.log[2]);
	TEST_STRCMP("200 200 ", r.log[3]);   /* two forks */
	TEST_EQUALS(1, r.stray);             /* a 2xx again: the dialog's */
	TEST_STRCMP("180 ", r.log[4]);
	TEST_EQUALS(0, mbuf_write_u8(r.acks, 0));
	TEST_STRCMP("ACK z9hG4bKbusy route peer|"
		    "CANCEL z9hG4bKcancel route |"
		    "ACK z9hG4bKcancel route peer|", (char *)r.acks->buf);
	TEST_EQUALS(1, sipxc_count(r.t));    /* Timer M ended the fork's too;
						the ringing one goes on */

 out:
	tmr_cancel(&r.tmr);
	for (size_t i = 0; i < ARRAY_SIZE(r.ct); i++)
		mem_deref(r.ct[i]);
	mem_deref(r.t);
	mem_deref(r.sc);
	mem_deref(r.peer);
	mem_deref(r.pf);
	mem_deref(r.ts);
	mem_deref(r.acks);
	return err;
}
