/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipudp.c  Test of transactions over umedge's own UDP: the edge's
 *                 socket and a scripted peer on loopback, with T1 = 10 ms
 *                 (T2 = 80 ms, T4 = 100 ms, 64·T1 = 640 ms)
 */
#include <string.h>
#include <re.h>
#include "sipudp.h"
#include "sippath.h"
#include "sipxc.h"
#include "sipxs.h"
#include "test.h"


enum {
	T64  = 640,        /**< 64·T1 */
	NREQ = 5,          /**< Requests of a rig */
};

/** The edge's socket and transactions, and a scripted peer */
struct udp_rig {
	struct sipudp *su;            /**< Edge's socket               */
	struct sipxc_table *xc;       /**< Edge's client transactions  */
	struct sipxs_table *xs;       /**< Edge's server transactions  */
	struct sipxc *ct[NREQ];       /**< Edge's requests             */
	char log[NREQ][TEST_RESP_LOG];/**< What each one heard         */
	struct udp_sock *peer;        /**< The peer                    */
	struct udp_sock *forger;      /**< Another source              */
	struct sa edge;               /**< Edge's address              */
	struct sa paddr;              /**< The peer's                  */
	struct tmr tmr;               /**< Steps                       */
	int step;                     /**< Which                       */
	uint32_t copies[NREQ];        /**< Copies of each request (or
					   response) the peer got       */
	uint64_t when[NREQ][4];       /**< ... the first four's times  */
	uint32_t acks[NREQ];          /**< ACKs per request            */
	uint32_t cancels;             /**< CANCELs the peer got        */
	uint32_t taken[2];            /**< Server: INVITE and OPTIONS
					   the edge's owner saw         */
	uint32_t forged_got;          /**< Responses the forger got    */
};

static const char *branches[NREQ] = {
	"z9hG4bKquiet", "z9hG4bKlate", "z9hG4bKbusy", "z9hG4bKcancel",
	"z9hG4bKprov"
};


static int branch_index(const struct sip_msg *msg)
{
	for (int i = 0; i < NREQ; i++) {
		if (!pl_strcmp(&msg->via.branch, branches[i]))
			return i;
	}

	return -1;
}


static void peer_send(struct udp_rig *r, const struct sip_msg *req,
		      uint16_t scode, const char *met)
{
	struct mbuf *mb = NULL;

	if (test_sip_answer(&mb, req, scode, met, NULL))
		return;

	(void)udp_send(r->peer, &r->edge, mb);
	mem_deref(mb);
}


static void copy_count(struct udp_rig *r, int i)
{
	const uint32_t n = ++r->copies[i];

	if (n <= 4)
		r->when[i][n - 1] = tmr_jiffies();
}


/* The peer of the client test: a silent OPTIONS; an INVITE answered
 * 180 at its third copy; a 486 sent twice; an INVITE ringing whose
 * first CANCEL goes unanswered; an OPTIONS answered 100 at once, 200 at
 * its fourth copy */
static void xc_peer_script(struct udp_rig *r, const struct sip_msg *msg,
			   int i)
{
	copy_count(r, i);
	switch (i) {

	case 1:
		if (r->copies[i] == 3)
			peer_send(r, msg, 180, "INVITE");
		break;

	case 2:
		peer_send(r, msg, 486, "INVITE");
		peer_send(r, msg, 486, "INVITE");    /* a retransmission */
		break;

	case 3:
		if (r->copies[i] == 1)
			peer_send(r, msg, 180, "INVITE");
		break;

	case 4:
		if (r->copies[i] == 1)
			peer_send(r, msg, 100, "OPTIONS");
		else if (r->copies[i] == 4)
			peer_send(r, msg, 200, "OPTIONS");
		break;

	default:
		break;
	}
}


static void xc_peer_recv(const struct sa *src, struct mbuf *mb, void *arg)
{
	struct udp_rig *r = arg;
	struct sip_msg *msg = NULL;
	int i;
	(void)src;

	if (sip_msg_decode(&msg, mb))
		return;

	i = branch_index(msg);
	if (i < 0 || !msg->req)
		goto out;

	if (!pl_strcmp(&msg->met, "ACK")) {
		++r->acks[i];
	}
	else if (!pl_strcmp(&msg->met, "CANCEL")) {
		if (++r->cancels == 2) {
			peer_send(r, msg, 200, "CANCEL");
			peer_send(r, msg, 487, "INVITE");
		}
	}
	else {
		xc_peer_script(r, msg, i);
	}

 out:
	mem_deref(msg);
}


static void xc_edge_msg(struct sipudp *su, const struct sip_msg *msg,
			void *arg)
{
	struct udp_rig *r = arg;
	(void)su;

	(void)sipxc_response(r->xc, msg);
}


static int edge_request(struct udp_rig *r, int i, const char *met)
{
	struct sippath path = SIPPATH_INIT;
	struct mbuf *mb = mbuf_alloc(512);
	int err;

	if (!mb)
		return ENOMEM;

	sippath_udp(&path, r->su, &r->paddr);
	err = mbuf_printf(mb, "%s sip:peer@%J SIP/2.0\r\n"
			  "Via: SIP/2.0/UDP %J;branch=%s;rport\r\n"
			  "From: <sip:edge@%J>;tag=e\r\n"
			  "To: <sip:peer@%J>\r\nCall-ID: %s\r\n"
			  "CSeq: 7 %s\r\nMax-Forwards: 70\r\n"
			  "Content-Length: 0\r\n\r\n", met, &r->paddr,
			  &r->edge, branches[i], &r->edge, &r->paddr,
			  branches[i], met);
	mb->pos = 0;
	if (!err)
		err = sipxc_send(&r->ct[i], r->xc, &path, mb, test_resp_log,
				 r->log[i]);
	mem_deref(mb);
	sippath_reset(&path);

	return err;
}


static void xc_step(void *arg)
{
	struct udp_rig *r = arg;

	if (r->step++) {
		re_cancel();
		return;
	}

	(void)edge_request(r, 0, "OPTIONS");
	(void)edge_request(r, 1, "INVITE");
	(void)edge_request(r, 2, "INVITE");
	(void)edge_request(r, 3, "INVITE");
	(void)edge_request(r, 4, "OPTIONS");
	(void)sipxc_cancel(r->ct[3]);          /* waits for the 180 */
	tmr_start(&r->tmr, 2 * T64, xc_step, r);
}


static int rig_up(struct udp_rig *r, sipudp_msg_h *edgeh,
		  udp_recv_h *peerh)
{
	const struct sipudp_prm prm = {NULL, NULL};
	struct sa any;
	int err;

	memset(r, 0, sizeof(*r));
	(void)sa_set_str(&any, "127.0.0.1", 0);
	err = sipudp_alloc(&r->su, &any, &prm, edgeh, r);
	if (!err)
		err = udp_listen(&r->peer, &any, peerh, r);
	if (!err)
		err = udp_local_get(r->peer, &r->paddr);
	if (!err)
		r->edge = *sipudp_laddr(r->su);
	if (!err)
		err = sipxc_table_alloc(&r->xc, T64);
	if (!err)
		err = sipxs_table_alloc(&r->xs, "umtest", T64);

	return err;
}


static void rig_down(struct udp_rig *r)
{
	tmr_cancel(&r->tmr);
	for (int i = 0; i < NREQ; i++)
		mem_deref(r->ct[i]);
	mem_deref(r->xc);
	mem_deref(r->xs);
	mem_deref(r->su);
	mem_deref(r->peer);
	mem_deref(r->forger);
}


/* Timer E ends in Timer F (ETIMEDOUT) after T1 doubling up to T2; Timer
 * A stops at a provisional; a 3xx-6xx again is ACKed again (Timer D);
 * an unanswered CANCEL goes again; a non-INVITE retransmits at T2 after
 * a provisional */
int test_sipxc_udp(void)
{
	struct udp_rig r;
	char want[16];
	int err;

	err = rig_up(&r, xc_edge_msg, xc_peer_recv);
	TEST_ERR(err);
	tmr_start(&r.tmr, 20, xc_step, &r);
	TEST_ERR(re_main(NULL));

	(void)re_snprintf(want, sizeof(want), "e%d ", ETIMEDOUT);
	TEST_STRCMP(want, r.log[0]);
	TEST_ASSERT(r.copies[0] >= 8 && r.copies[0] <= 11);
	TEST_STRCMP("180 ", r.log[1]);
	TEST_EQUALS(3, r.copies[1]);
	TEST_STRCMP("486 ", r.log[2]);
	TEST_EQUALS(1, r.copies[2]);
	TEST_EQUALS(2, r.acks[2]);
	TEST_STRCMP("180 487 ", r.log[3]);
	TEST_EQUALS(2, r.cancels);
	TEST_EQUALS(1, r.acks[3]);
	TEST_STRCMP("100 200 ", r.log[4]);
	TEST_EQUALS(4, r.copies[4]);
	TEST_ASSERT(r.when[4][3] - r.when[4][1] >= 120);  /* T2 = 80 */
	TEST_EQUALS(1, sipxc_count(r.xc));    /* the ringing INVITE */

 out:
	rig_down(&r);
	return err;
}


static void cancel_step(void *arg)
{
	struct udp_rig *r = arg;
	struct sippath path = SIPPATH_INIT;
	struct mbuf *mb;

	if (r->step++) {
		re_cancel();
		return;
	}

	/* the INVITE another node sent: only its CANCEL goes from here;
	 * one stored without its To line is refused (fuzz_bimport's
	 * regress-36c3d52b...) */
	mb = mbuf_alloc(512);
	sippath_udp(&path, r->su, &r->paddr);
	if (mb && !mbuf_printf(mb, "INVITE sip:peer@%J SIP/2.0\r\n"
			       "Via: SIP/2.0/UDP %J;branch=%s;rport\r\n"
			       "From: <sip:edge@%J>;tag=e\r\n"
			       "Call-ID: c\r\n"
			       "CSeq: 7 INVITE\r\nMax-Forwards: 70\r\n"
			       "Content-Length: 0\r\n\r\n", &r->paddr,
			       &r->edge, branches[3], &r->edge)) {
		mb->pos = 0;
		r->taken[1] = (uint32_t)sipxc_cancel_sent(r->xc, &path, mb);
	}
	mem_deref(mb);
	mb = mbuf_alloc(512);
	if (mb && !mbuf_printf(mb, "INVITE sip:peer@%J SIP/2.0\r\n"
			       "Via: SIP/2.0/UDP %J;branch=%s;rport\r\n"
			       "From: <sip:edge@%J>;tag=e\r\n"
			       "To: <sip:peer@%J>\r\nCall-ID: c\r\n"
			       "CSeq: 7 INVITE\r\nMax-Forwards: 70\r\n"
			       "Content-Length: 0\r\n\r\n", &r->paddr,
			       &r->edge, branches[3], &r->edge, &r->paddr)) {
		mb->pos = 0;
		r->taken[0] = (uint32_t)sipxc_cancel_sent(r->xc, &path, mb);
	}
	sippath_reset(&path);
	mem_deref(mb);
	tmr_start(&r->tmr, 2 * T64, cancel_step, r);
}


/* An INVITE another node sent is cancelled: the CANCEL goes again
 * until it is answered, the 487 is ACKed, nothing else is sent, and
 * the transaction ends by itself; one without a To is refused */
int test_sipxc_cancel_sent(void)
{
	struct udp_rig r;
	int err;

	err = rig_up(&r, xc_edge_msg, xc_peer_recv);
	TEST_ERR(err);
	tmr_start(&r.tmr, 20, cancel_step, &r);
	TEST_ERR(re_main(NULL));

	TEST_EQUALS(0, r.taken[0]);
	TEST_EQUALS(EINVAL, r.taken[1]);
	TEST_EQUALS(2, r.cancels);
	TEST_EQUALS(1, r.acks[3]);
	TEST_EQUALS(0, r.copies[3]);
	TEST_EQUALS(0, sipxc_count(r.xc));

 out:
	rig_down(&r);
	return err;
}


static void xs_edge_msg(struct sipudp *su, const struct sip_msg *msg,
			void *arg)
{
	struct udp_rig *r = arg;
	struct sipxs *st = NULL;
	bool inv;
	(void)su;

	if (!msg->req || sipxs_absorb(r->xs, msg))
		return;

	if (!pl_strcmp(&msg->met, "ACK")) {
		++r->acks[0];           /* one the transaction did not take */
		return;
	}

	inv = !pl_strcmp(&msg->met, "INVITE");
	if (sipxs_alloc(&st, r->xs, msg, NULL, NULL))
		return;

	++r->taken[!inv];
	(void)sipxs_reply(&st, NULL, false, inv ? 486 : 200,
			  inv ? "Busy Here" : "OK", NULL);
}


static void peer_request(struct udp_rig *r, struct udp_sock *us,
			 const char *met, const char *branch, bool totag)
{
	struct mbuf *mb = mbuf_alloc(512);

	if (!mb)
		return;

	(void)mbuf_printf(mb, "%s sip:edge@%J SIP/2.0\r\n"
			  "Via: SIP/2.0/UDP %J;branch=%s;rport\r\n"
			  "From: <sip:peer@%J>;tag=p\r\n"
			  "To: <sip:edge@%J>%s\r\nCall-ID: %s\r\n"
			  "CSeq: 1 %s\r\nMax-Forwards: 70\r\n"
			  "Content-Length: 0\r\n\r\n", met, &r->edge,
			  &r->paddr, branch, &r->paddr, &r->edge,
			  totag ? ";tag=peer" : "", branch, met);
	mb->pos = 0;
	(void)udp_send(us, &r->edge, mb);
	mem_deref(mb);
}


/* The peer of the server test: the 486 ACKed at its third copy (twice);
 * the OPTIONS sent again once it is answered, then by the forger */
static void xs_peer_recv(const struct sa *src, struct mbuf *mb, void *arg)
{
	struct udp_rig *r = arg;
	struct sip_msg *msg = NULL;
	(void)src;

	if (sip_msg_decode(&msg, mb) || msg->req)
		goto out;

	if (msg->scode == 486) {
		copy_count(r, 0);
		if (r->copies[0] == 3) {
			peer_request(r, r->peer, "ACK", "z9hG4bKg", true);
			peer_request(r, r->peer, "ACK", "z9hG4bKg", true);
		}
	}
	else if (msg->scode == 200) {
		copy_count(r, 1);
		if (r->copies[1] == 1)
			peer_request(r, r->peer, "OPTIONS", "z9hG4bKj", false);
		else if (r->copies[1] == 2)
			peer_request(r, r->forger, "OPTIONS", "z9hG4bKj",
				     false);
	}

 out:
	mem_deref(msg);
}


static void forger_recv(const struct sa *src, struct mbuf *mb, void *arg)
{
	struct udp_rig *r = arg;
	(void)src;
	(void)mb;

	++r->forged_got;
}


static void xs_step(void *arg)
{
	struct udp_rig *r = arg;

	if (r->step++) {
		re_cancel();
		return;
	}

	peer_request(r, r->peer, "INVITE", "z9hG4bKg", false);
	peer_request(r, r->peer, "OPTIONS", "z9hG4bKj", false);
	tmr_start(&r->tmr, T64 - 40, xs_step, r);
}


/* Timer G retransmits a 486 until its ACK, ACKs then absorbed (Timer
 * I); a retransmitted OPTIONS gets its 200 again (Timer J), also when
 * it comes from another source, to the first source only; the owner
 * sees each request once */
int test_sipxs_udp(void)
{
	struct udp_rig r;
	struct sa any;
	int err;

	err = rig_up(&r, xs_edge_msg, xs_peer_recv);
	TEST_ERR(err);
	(void)sa_set_str(&any, "127.0.0.1", 0);
	TEST_ERR(udp_listen(&r.forger, &any, forger_recv, &r));
	tmr_start(&r.tmr, 20, xs_step, &r);
	TEST_ERR(re_main(NULL));

	TEST_EQUALS(1, r.taken[0]);
	TEST_EQUALS(1, r.taken[1]);
	TEST_EQUALS(3, r.copies[0]);      /* no 486 after its ACK */
	TEST_EQUALS(0, r.acks[0]);        /* both ACKs absorbed */
	TEST_EQUALS(3, r.copies[1]);
	TEST_EQUALS(0, r.forged_got);
	TEST_EQUALS(1, sipxs_count(r.xs));    /* the OPTIONS: Timer J */

 out:
	rig_down(&r);
	return err;
}
