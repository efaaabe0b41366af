/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipconn.c  Tests of umedge's own SIP stream connections, over
 *                  loopback TCP: framing, answers, pings, limits, timers,
 *                  and a listener's limits
 */
#include <string.h>
#include <re.h>
#include "sipconn.h"
#include "sipstream.h"
#include "sipxs.h"
#include "test.h"


/** A listener with one accepted connection, and a client */
struct conn_rig {
	struct sipconn_prm prm;     /**< Server side's limits         */
	struct tcp_sock *ts;        /**< Listener                     */
	struct sipconn *sc;         /**< The accepted connection      */
	struct tcp_conn *cli;       /**< The client                   */
	struct mbuf *got;           /**< What the client received     */
	struct tmr tmr;             /**< Ends the run                 */
	const char *send;           /**< What the client sends        */
	unsigned msgs;              /**< Messages the server took     */
	char last[64];              /**< The last one's Call-ID       */
	char body[16];              /**< The last one's body          */
	int srv_err;                /**< Server side's close, or -1   */
	sipconn_msg_h *msgh;        /**< Server's handler, if not ours */
	struct sipxs_table *xs;     /**< Server transactions           */
	struct sipxs *st;           /**< The INVITE's                  */
	unsigned cancels;           /**< Cancel handler calls          */
	bool (*done)(const struct conn_rig *r);  /**< Ends the run early */
	bool cli_closed;            /**< The client saw the close     */
};


/* The run ends as soon as what the test waits for has happened */
static void rig_check(const struct conn_rig *r)
{
	if (r->done && r->done(r))
		re_cancel();
}


static void rig_msg_h(struct sipconn *sc, const struct sip_msg *msg,
		      void *arg)
{
	struct conn_rig *r = arg;

	if (msg->sock != sc || msg->tp != SIP_TRANSP_TCP ||
	    !sa_cmp(&msg->src, sipconn_peer(sc), SA_ALL))
		return;

	++r->msgs;
	(void)pl_strcpy(&msg->callid, r->last, sizeof(r->last));
	(void)re_snprintf(r->body, sizeof(r->body), "%b", mbuf_buf(msg->mb),
			  mbuf_get_left(msg->mb));
	rig_check(r);
}


static void rig_close_h(struct sipconn *sc, int err, void *arg)
{
	struct conn_rig *r = arg;

	(void)sc;
	r->srv_err = err;
	r->sc = mem_deref(r->sc);
	rig_check(r);
}


static void rig_conn_h(const struct sa *peer, void *arg)
{
	struct conn_rig *r = arg;

	if (r->sc || sipconn_accept(&r->sc, r->ts, peer, NULL, &r->prm,
				    r->msgh ? r->msgh : rig_msg_h,
				    rig_close_h, r))
		tcp_reject(r->ts);
}


static void cli_estab_h(void *arg)
{
	struct conn_rig *r = arg;
	struct mbuf mb;

	if (!*r->send)
		return;

	mbuf_init(&mb);
	mb.buf = (uint8_t *)r->send;
	mb.size = mb.end = strlen(r->send);
	(void)tcp_send(r->cli, &mb);
}


static void cli_recv_h(struct mbuf *mb, void *arg)
{
	struct conn_rig *r = arg;

	(void)mbuf_write_mem(r->got, mbuf_buf(mb), mbuf_get_left(mb));
	rig_check(r);
}


static void cli_close_h(int err, void *arg)
{
	struct conn_rig *r = arg;

	(void)err;
	r->cli_closed = true;
	rig_check(r);
}


static void rig_stop(void *arg)
{
	(void)arg;
	re_cancel();
}


/* Run: the client connects, sends r->send, and the loop runs until
 * r->done says so (or for ms without it) */
static int rig_run(struct conn_rig *r, uint32_t ms)
{
	struct sa laddr;
	int err;

	r->srv_err = -1;
	r->got = mbuf_alloc(1024);
	if (!r->got)
		return ENOMEM;

	(void)sa_set_str(&laddr, "127.0.0.1", 0);
	err = tcp_listen(&r->ts, &laddr, rig_conn_h, r);
	if (!err)
		err = tcp_local_get(r->ts, &laddr);
	if (!err)
		err = tcp_connect(&r->cli, &laddr, cli_estab_h, cli_recv_h,
				  cli_close_h, r);
	if (err)
		return err;

	tmr_start(&r->tmr, ms, rig_stop, r);
	err = re_main(NULL);
	tmr_cancel(&r->tmr);

	return err;
}


static void rig_free(struct conn_rig *r)
{
	tmr_cancel(&r->tmr);
	mem_deref(r->sc);
	mem_deref(r->cli);
	mem_deref(r->ts);
	mem_deref(r->got);
	mem_deref(r->xs);
}


static bool got_has(const struct conn_rig *r, const char *s)
{
	return r->got && r->got->end &&
		0 == re_regex((const char *)r->got->buf, r->got->end, s, NULL);
}


#define OPT(id) "OPTIONS sip:a@127.0.0.1 SIP/2.0\r\n" \
	"Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK" id "\r\n" \
	"From: <sip:b@127.0.0.1>;tag=1\r\nTo: <sip:a@127.0.0.1>\r\n" \
	"Call-ID: " id "\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n" \
	"Content-Length: 0\r\n\r\n"


static void rig_prm(struct conn_rig *r)
{
	memset(r, 0, sizeof(*r));
	r->prm.max_msg = 4096;
	r->prm.first_ms = 2000;
	r->prm.msg_ms = 2000;
	r->prm.idle_ms = 2000;
	r->prm.linger_ms = 200;
	r->prm.allow = "INVITE, ACK";
}


static bool got_has(const struct conn_rig *r, const char *s);

static bool survives_done(const struct conn_rig *r)
{
	return r->msgs == 2 && got_has(r, "Via: SIP/2.0/TCP h;branch=z9hG4bKt");
}


static bool closed_done(const struct conn_rig *r)
{
	return r->cli_closed && r->srv_err != -1;
}


static bool ended_done(const struct conn_rig *r)
{
	return r->srv_err != -1;
}


/* Messages and what does not decode share a connection: RFC 4475's
 * unksm2 (a REGISTER) gets 405, a request line with a trailing blank
 * 400, a ping its CRLF, an alias is renamed, and the messages after
 * them are taken */
int test_sipconn_survives(void)
{
	struct mbuf *unksm2 = NULL, *all = NULL;
	struct conn_rig r;
	int err = 0;

	rig_prm(&r);
	TEST_ERR(test_file_load(&unksm2, "rfc4475", "unksm2", ".dat"));
	all = mbuf_alloc(2048);
	TEST_ASSERT(all != NULL);
	TEST_ERR(mbuf_write_str(all, OPT("one")));
	TEST_ERR(mbuf_write_mem(all, unksm2->buf, unksm2->end));
	TEST_ERR(mbuf_write_str(all, "\r\n\r\n"
		"OPTIONS sip:a@127.0.0.1 SIP/2.0 \r\nVia: SIP/2.0/TCP h;"
		"branch=z9hG4bKt\r\nl: 0\r\n\r\n"
		"OPTIONS sip:a@127.0.0.1 SIP/2.0\r\n"
		"Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKtwo\r\n"
		"From: <sip:b@127.0.0.1>;tag=1\r\nTo: <sip:a@127.0.0.1>\r\n"
		"ms-client-diagnostics: 1;reason=\"x\"\r\n"
		"Call-ID: two\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
		"Content-Type: text/plain\r\n"
		"Content-Length: 4\r\n\r\nbody"));
	TEST_ERR(mbuf_write_u8(all, 0));
	r.send = (const char *)all->buf;
	r.done = survives_done;
	TEST_ERR(rig_run(&r, 5000));

	TEST_EQUALS(2, r.msgs);
	TEST_STRCMP("two", r.last);
	TEST_STRCMP("body", r.body);
	TEST_ASSERT(got_has(&r, "SIP/2.0 405 Method Not Allowed\r\n"));
	TEST_ASSERT(got_has(&r, "Allow: INVITE, ACK\r\n"));
	TEST_ASSERT(got_has(&r, "SIP/2.0 400 Bad Request\r\n"
			    "Via: SIP/2.0/TCP h;branch=z9hG4bKt\r\n"));
	TEST_ASSERT(got_has(&r, "\r\n\r\n\r\nSIP/2.0 400"));
	TEST_EQUALS(2, sipconn_answered(r.sc));
	TEST_ASSERT(r.sc != NULL);
	TEST_ASSERT(!r.cli_closed);
	TEST_EQUALS(-1, r.srv_err);

 out:
	rig_free(&r);
	mem_deref(unksm2);
	mem_deref(all);
	return err;
}


/* Larger than the limit: 513 on the connection, then it closes */
int test_sipconn_toolarge(void)
{
	struct conn_rig r;
	int err = 0;

	rig_prm(&r);
	r.prm.max_msg = 1024;
	r.send = "INVITE sip:a@127.0.0.1 SIP/2.0\r\n"
		"Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKbig\r\n"
		"Content-Length: 5000\r\n\r\n" "v=0\r\n";
	r.done = closed_done;
	TEST_ERR(rig_run(&r, 5000));

	TEST_ASSERT(got_has(&r, "SIP/2.0 513 Message Too Large\r\n"
			    "Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKbig"));
	TEST_EQUALS(0, r.msgs);
	TEST_EQUALS(0, r.srv_err);
	TEST_ASSERT(r.cli_closed);

 out:
	rig_free(&r);
	return err;
}


/* A message begun and never finished: closed when msg_ms is over;
 * nothing at all: closed when first_ms is over */
int test_sipconn_slow(void)
{
	struct conn_rig r;
	int err = 0;

	rig_prm(&r);
	r.prm.msg_ms = 150;
	r.send = "INVITE sip:a@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP h\r\n";
	r.done = closed_done;
	TEST_ERR(rig_run(&r, 5000));
	TEST_EQUALS(ETIMEDOUT, r.srv_err);
	TEST_ASSERT(r.cli_closed);
	rig_free(&r);

	rig_prm(&r);
	r.prm.first_ms = 150;
	r.send = "";
	r.done = closed_done;
	TEST_ERR(rig_run(&r, 5000));
	TEST_EQUALS(ETIMEDOUT, r.srv_err);
	TEST_ASSERT(r.cli_closed);
	rig_free(&r);

	/* idle after a message */
	rig_prm(&r);
	r.prm.idle_ms = 150;
	r.send = OPT("idle");
	r.done = ended_done;
	TEST_ERR(rig_run(&r, 5000));
	TEST_EQUALS(1, r.msgs);
	TEST_EQUALS(ETIMEDOUT, r.srv_err);

 out:
	rig_free(&r);
	return err;
}


/** Clients of a listener with limits */
struct stream_rig {
	struct sipstream_prm prm;      /**< Limits                      */
	struct sipstream *ss;          /**< The listener                */
	struct tcp_conn *cli[5];       /**< Clients                     */
	bool closed[5];                /**< Which the listener closed   */
	struct tmr tmr;                /**< Ends the run                */
};


static void scli_estab_h(void *arg)
{
	(void)arg;
}


static void scli_recv_h(struct mbuf *mb, void *arg)
{
	(void)mb;
	(void)arg;
}


static void scli_close_h(int err, void *arg)
{
	bool *closed = arg;

	(void)err;
	*closed = true;
}


/* Per source and in total: what is over is refused at once; a closed
 * connection leaves room for the next */
int test_sipstream_limits(void)
{
	static const char *src[] = {"127.0.0.1", "127.0.0.1", "127.0.0.1",
				    "127.0.0.2", "127.0.0.3"};
	struct stream_rig r;
	struct sa laddr, local;
	int err = 0;

	memset(&r, 0, sizeof(r));
	r.prm.conn.max_msg = 4096;
	r.prm.conn.first_ms = r.prm.conn.msg_ms = 5000;
	r.prm.conn.idle_ms = 5000;
	r.prm.conn.linger_ms = 100;
	r.prm.conn.allow = "INVITE";
	r.prm.max_conns = 3;
	r.prm.max_per_source = 2;

	(void)sa_set_str(&laddr, "127.0.0.1", 0);
	TEST_ERR(sipstream_listen(&r.ss, &laddr, NULL, &r.prm, NULL, NULL));

	for (size_t i = 0; i < ARRAY_SIZE(src); i++) {
		TEST_ERR(sa_set_str(&local, src[i], 0));
		TEST_ERR(tcp_connect_bind(&r.cli[i], sipstream_laddr(r.ss),
					  scli_estab_h, scli_recv_h,
					  scli_close_h, &local, &r.closed[i]));
		tmr_start(&r.tmr, 100, rig_stop, NULL);
		TEST_ERR(re_main(NULL));
	}

	TEST_EQUALS(3, sipstream_count(r.ss));
	TEST_EQUALS(2, sipstream_refused(r.ss));
	TEST_ASSERT(!r.closed[0] && !r.closed[1] && !r.closed[3]);
	TEST_ASSERT(r.closed[2] && r.closed[4]);

	/* one closes: there is room again */
	r.cli[0] = mem_deref(r.cli[0]);
	r.cli[4] = mem_deref(r.cli[4]);
	tmr_start(&r.tmr, 100, rig_stop, NULL);
	TEST_ERR(re_main(NULL));
	TEST_EQUALS(2, sipstream_count(r.ss));
	r.closed[4] = false;
	TEST_ERR(sa_set_str(&local, "127.0.0.3", 0));
	TEST_ERR(tcp_connect_bind(&r.cli[4], sipstream_laddr(r.ss),
				  scli_estab_h, scli_recv_h, scli_close_h,
				  &local, &r.closed[4]));
	tmr_start(&r.tmr, 100, rig_stop, NULL);
	TEST_ERR(re_main(NULL));
	TEST_EQUALS(3, sipstream_count(r.ss));
	TEST_ASSERT(!r.closed[4]);

 out:
	tmr_cancel(&r.tmr);
	for (size_t i = 0; i < ARRAY_SIZE(r.cli); i++)
		mem_deref(r.cli[i]);
	mem_deref(r.ss);
	return err;
}


static void xs_cancel_h(void *arg)
{
	struct conn_rig *r = arg;

	++r->cancels;
	(void)sipxs_reply(&r->st, NULL, false, 487, "Request Terminated",
			  NULL);
}


/* The server side of test_sipxs: a transaction per request that is
 * not absorbed; INVITE "x-cancel" waits, the others get 200 */
static void xs_msg_h(struct sipconn *sc, const struct sip_msg *msg,
		     void *arg)
{
	struct conn_rig *r = arg;
	struct sipxs *st = NULL;
	(void)sc;

	if (sipxs_absorb(r->xs, msg))
		return;

	++r->msgs;
	if (sipxs_alloc(&st, r->xs, msg, xs_cancel_h, r))
		return;

	if (!pl_strcmp(&msg->callid, "x-cancel")) {
		r->st = st;
		(void)sipxs_reply(&r->st, NULL, false, 100, "Trying", NULL);
		return;
	}

	(void)sipxs_reply(&st, NULL, false, 200, "OK", NULL);
}


#define XREQ(met, br, cid, cseq) met " sip:a@127.0.0.1 SIP/2.0\r\n" \
	"Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK" br "\r\n" \
	"From: <sip:b@127.0.0.1>;tag=1\r\nTo: <sip:a@127.0.0.1>\r\n" \
	"Call-ID: " cid "\r\nCSeq: " cseq "\r\nMax-Forwards: 70\r\n" \
	"Content-Length: 0\r\n\r\n"


static unsigned count_of(const struct mbuf *mb, const char *s)
{
	unsigned n = 0;
	size_t l = strlen(s);

	for (size_t i = 0; i + l <= mb->end; i++) {
		if (!memcmp(mb->buf + i, s, l))
			++n;
	}

	return n;
}


static bool xs_done(const struct conn_rig *r)
{
	return count_of(r->got, "branch=z9hG4bKD\r\n") == 2;
}


/* CANCEL, ACK of a 487, an unknown CANCEL, a retransmitted INVITE */
int test_sipxs(void)
{
	struct conn_rig r;
	int err = 0;

	rig_prm(&r);
	r.msgh = xs_msg_h;
	TEST_ERR(sipxs_table_alloc(&r.xs, "umedge", 0));
	r.send = XREQ("INVITE", "A", "x-cancel", "1 INVITE")
		XREQ("CANCEL", "A", "x-cancel", "1 CANCEL")
		XREQ("ACK", "A", "x-cancel", "1 ACK")
		XREQ("OPTIONS", "B", "opt", "2 OPTIONS")
		XREQ("CANCEL", "C", "nope", "1 CANCEL")
		XREQ("INVITE", "D", "again", "1 INVITE")
		XREQ("INVITE", "D", "again", "1 INVITE");
	r.done = xs_done;
	TEST_ERR(rig_run(&r, 5000));

	TEST_EQUALS(3, r.msgs);          /* INVITE A, OPTIONS, INVITE D */
	TEST_EQUALS(1, r.cancels);
	TEST_ASSERT(r.st == NULL);
	TEST_EQUALS(1, count_of(r.got, "SIP/2.0 100 Trying"));
	TEST_EQUALS(1, count_of(r.got, "SIP/2.0 487 Request Terminated"));
	TEST_EQUALS(1, count_of(r.got, "SIP/2.0 481 Call/Transaction"));
	TEST_EQUALS(1, count_of(r.got, "SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP "
				"127.0.0.1:5999;branch=z9hG4bKA"));
	TEST_EQUALS(1, count_of(r.got, "CSeq: 2 OPTIONS"));
	TEST_EQUALS(2, count_of(r.got, "branch=z9hG4bKD\r\n"));
	TEST_EQUALS(1, sipxs_count(r.xs));   /* INVITE D, Accepted */

 out:
	rig_free(&r);
	return err;
}


/** A request sent on a connection we open, answered by a listener */
struct out_rig {
	struct sipstream_prm prm;     /**< Both ends' limits           */
	struct sipstream *ss;         /**< The listener                */
	struct sipxs_table *xs;       /**< Its answers                 */
	struct sipconn *sc;           /**< The connection we open      */
	struct tmr tmr;               /**< Bounds the run              */
	unsigned reqs;                /**< Requests the listener got   */
	uint16_t scode;               /**< What came back              */
};


static void out_srv_h(struct sipconn *sc, const struct sip_msg *msg,
		      void *arg)
{
	struct out_rig *r = arg;
	(void)sc;

	++r->reqs;
	(void)sipxs_sreply(r->xs, msg, 200, "OK", NULL);
}


static void out_cli_h(struct sipconn *sc, const struct sip_msg *msg,
		      void *arg)
{
	struct out_rig *r = arg;
	(void)sc;

	if (!msg->req)
		r->scode = msg->scode;
	re_cancel();
}


/* Sent before the connection is up, the request waits, goes, and is
 * answered on the same connection; the connection leaves from the
 * address it was bound to */
int test_sipconn_connect(void)
{
	struct out_rig r;
	struct mbuf *mb = NULL;
	struct sa laddr, local;
	int err = 0;

	memset(&r, 0, sizeof(r));
	r.prm.conn.max_msg = 4096;
	r.prm.conn.first_ms = r.prm.conn.msg_ms = 2000;
	r.prm.conn.idle_ms = 2000;
	r.prm.conn.linger_ms = 100;
	r.prm.conn.allow = "INVITE";
	r.prm.max_conns = r.prm.max_per_source = 4;

	(void)sa_set_str(&laddr, "127.0.0.1", 0);
	TEST_ERR(sipxs_table_alloc(&r.xs, "umedge", 0));
	TEST_ERR(sipstream_listen(&r.ss, &laddr, NULL, &r.prm, out_srv_h,
				  &r));
	(void)sa_set_str(&local, "127.0.0.2", 0);
	TEST_ERR(sipconn_connect(&r.sc, sipstream_laddr(r.ss), &local, NULL,
				 NULL, &r.prm.conn, out_cli_h, NULL, &r));
	TEST_ASSERT(sipconn_active(r.sc) && sipconn_open(r.sc));
	TEST_ASSERT(sa_cmp(sipconn_laddr(r.sc), &local, SA_ADDR));

	mb = mbuf_alloc(512);
	TEST_ASSERT(mb != NULL);
	TEST_ERR(mbuf_write_str(mb, OPT("out")));
	mb->pos = 0;
	TEST_ERR(sipconn_send(r.sc, mb));

	tmr_start(&r.tmr, 2000, rig_stop, NULL);
	TEST_ERR(re_main(NULL));
	TEST_EQUALS(1, r.reqs);
	TEST_EQUALS(200, r.scode);
	TEST_EQUALS(1, sipstream_count(r.ss));
	TEST_ASSERT(sa_port(sipconn_laddr(r.sc)) != 0);

 out:
	tmr_cancel(&r.tmr);
	mem_deref(r.sc);
	mem_deref(r.ss);
	mem_deref(r.xs);
	mem_deref(mb);
	return err;
}
