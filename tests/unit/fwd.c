/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file fwd.c  Tests: a worker thread forwarding real UDP on loopback
 */
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <re.h>
#include "cfg.h"
#include "iface.h"
#include "fwd.h"
#include "worker.h"
#include "srtpx.h"
#include "test.h"


/** What the main thread heard from the worker */
struct events {
	unsigned timeouts;     /**< FWD_EV_TIMEOUT received   */
	unsigned released;     /**< FWD_EV_RELEASED received  */
	int want;              /**< Event that ends the loop  */
};

/** The relay side of the test */
struct rig {
	struct mqueue *mq;
	struct worker *w;
	struct relay_iface *ifc;
	struct fwd_stream *fs;
	struct iface_pair pair[2];
	struct events ev;
	int peer[3];           /**< A (offerer), B (answerer), C (attacker) */
	struct sa peer_sa[3];
};


static void mq_handler(int id, void *data, void *arg)
{
	struct events *ev = arg;
	(void)data;

	if (id == FWD_EV_TIMEOUT)
		++ev->timeouts;
	if (id == FWD_EV_RELEASED)
		++ev->released;
	if (id == ev->want)
		re_cancel();
}


static void loop_timeout(void *arg)
{
	(void)arg;
	re_cancel();
}


/* Run the main loop until the wanted event, or ms pass */
static void loop_until(struct events *ev, int want, uint32_t ms)
{
	struct tmr tmr;

	tmr_init(&tmr);
	ev->want = want;
	tmr_start(&tmr, ms, loop_timeout, NULL);
	(void)re_main(NULL);
	tmr_cancel(&tmr);
}


static int udp_peer(int *fdp, struct sa *sa)
{
	struct sa any;
	socklen_t len = sizeof(sa->u);

	(void)sa_set_str(&any, "127.0.0.1", 0);
	*fdp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (*fdp < 0 || bind(*fdp, &any.u.sa, any.len) ||
	    getsockname(*fdp, &sa->u.sa, &len))
		return errno;

	sa_init(sa, AF_INET);
	(void)getsockname(*fdp, &sa->u.sa, &len);
	sa->len = len;

	return 0;
}


/* Receive one datagram within ms; its source goes to from */
static ssize_t recv_wait(int fd, uint8_t *buf, size_t size, struct sa *from,
			 int ms)
{
	struct pollfd pfd = {fd, POLLIN, 0};
	socklen_t len = sizeof(from->u);

	if (poll(&pfd, 1, ms) <= 0)
		return -1;

	sa_init(from, AF_INET);
	return recvfrom(fd, buf, size, 0, &from->u.sa, &len);
}


static void rtp(uint8_t *p, uint16_t seq, uint32_t ssrc)
{
	memset(p, 0, 172);
	p[0] = 0x80;
	p[1] = 8;
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	p[8] = (uint8_t)(ssrc >> 24);
	p[9] = (uint8_t)(ssrc >> 16);
	p[10] = (uint8_t)(ssrc >> 8);
	p[11] = (uint8_t)ssrc;
}


static void rig_close(struct rig *r)
{
	if (r->w && r->fs) {
		r->ev.released = 0;
		(void)worker_release(r->w, r->fs);
		loop_until(&r->ev, FWD_EV_RELEASED, 2000);
	}
	for (int s = 0; s < 2 && r->ifc; s++)
		iface_pair_close(r->ifc, &r->pair[s]);
	for (int i = 0; i < 3; i++) {
		if (r->peer[i] >= 0)
			(void)close(r->peer[i]);
		r->peer[i] = -1;
	}
	r->fs = mem_deref(r->fs);
	r->w = mem_deref(r->w);
	r->ifc = mem_deref(r->ifc);
	r->mq = mem_deref(r->mq);
}


/* the rigs' workers read and send with io_uring (test_fwd_uring) */
static bool rig_uring;


/* mux: both peers multiplex RTCP; rtcp: what the stream does with it */
static int rig_open_mode(struct rig *r, bool mux, enum fwd_rtcp rtcp)
{
	struct cfg_iface ci;
	struct worker_sdp sdp;
	int err;

	memset(r, 0, sizeof(*r));
	r->peer[0] = r->peer[1] = r->peer[2] = -1;
	r->pair[0].fd[0] = r->pair[1].fd[0] = -1;

	memset(&ci, 0, sizeof(ci));
	str_ncpy(ci.name, "lo", sizeof(ci.name));
	(void)sa_set_str(&ci.addr, "127.0.0.1", 0);
	ci.port_min = 31000;
	ci.port_max = 31199;

	err  = mqueue_alloc(&r->mq, mq_handler, &r->ev);
	err |= iface_alloc(&r->ifc, &ci);
	if (err)
		return err;
	err = worker_alloc(&r->w, 0, r->mq, NULL, rig_uring);
	if (err)
		return err;
	if (rig_uring && !worker_uring(r->w, &err))
		return err;

	err = fwd_stream_alloc(&r->fs, NULL);
	if (!err)
		r->fs->rtcp = rtcp;
	for (int s = 0; s < 2 && !err; s++) {
		err = iface_pair_open(r->ifc, &r->pair[s]);
		r->fs->side[s].fd[0] = r->pair[s].fd[0];
		r->fs->side[s].fd[1] = r->pair[s].fd[1];
		r->fs->side[s].local = r->pair[s].local;
	}
	for (int i = 0; i < 3 && !err; i++)
		err = udp_peer(&r->peer[i], &r->peer_sa[i]);
	if (err)
		return err;

	/* A and B announce their real addresses */
	for (int s = 0; s < 2 && !err; s++) {
		memset(&sdp, 0, sizeof(sdp));
		sdp.rtp = r->peer_sa[s];
		sdp.rtcp = r->peer_sa[s];
		sa_set_port(&sdp.rtcp, sa_port(&sdp.rtcp) + !mux);
		sdp.mux = mux;
		sdp.window_ms = 5000;
		err = worker_sdp(r->w, r->fs, s, &sdp);
	}

	return err ? err : worker_add(r->w, r->fs);
}


static int rig_open(struct rig *r)
{
	return rig_open_mode(r, false, FWD_RTCP_PASS);
}


static int send_to(struct rig *r, int from, const struct sa *to,
		   uint16_t seq, uint32_t ssrc)
{
	uint8_t p[172];

	rtp(p, seq, ssrc);

	return sendto(r->peer[from], p, sizeof(p), 0, &to->u.sa, to->len) ==
		sizeof(p) ? 0 : errno;
}


/* Media flows both ways, each side sees it come from the relay's
 * address on its own side; an attacker is dropped and counted */
int test_fwd_forward(void)
{
	struct rig r;
	struct sa from;
	struct fwd_view view;
	uint8_t buf[256];
	int err;

	err = rig_open(&r);
	TEST_ERR(err);

	for (uint16_t i = 0; i < 5; i++) {
		err = send_to(&r, 0, &r.pair[0].local, i, 0x1111);
		TEST_ERR(err);
		TEST_EQUALS(172, recv_wait(r.peer[1], buf, sizeof(buf), &from,
					   1000));
		TEST_ASSERT(sa_cmp(&from, &r.pair[1].local, SA_ALL));
		TEST_EQUALS(0x11, buf[11]);
	}

	err = send_to(&r, 1, &r.pair[1].local, 1, 0x2222);
	TEST_ERR(err);
	TEST_EQUALS(172, recv_wait(r.peer[0], buf, sizeof(buf), &from, 1000));
	TEST_ASSERT(sa_cmp(&from, &r.pair[0].local, SA_ALL));

	/* C injects into A's side: nothing reaches B */
	err = send_to(&r, 2, &r.pair[0].local, 9, 0x1111);
	TEST_ERR(err);
	TEST_EQUALS(-1, recv_wait(r.peer[1], buf, sizeof(buf), &from, 200));
	TEST_EQUALS(1, FWD_GET(r.fs->side[0].c.dropped));
	TEST_EQUALS(1, FWD_GET(r.fs->side[0].c.bleed));
	TEST_EQUALS(0, FWD_GET(r.fs->side[0].c.auth));
	TEST_EQUALS(5, FWD_GET(r.fs->side[0].c.packets));
	TEST_EQUALS(5 * 172, FWD_GET(r.fs->side[0].c.bytes));
	TEST_EQUALS(0x1111, FWD_GET(r.fs->side[0].c.ssrc));
	TEST_EQUALS(0, FWD_GET(r.fs->side[0].c.lost));
	TEST_EQUALS(1, FWD_GET(r.fs->side[1].c.packets));

	fwd_side_view(r.fs, 0, &view);
	TEST_EQUALS(LATCH_LOCKED, view.state);
	TEST_ASSERT(sa_cmp(&view.addr, &r.peer_sa[0], SA_ALL));

 out:
	rig_close(&r);
	return err;
}


/* No media: the worker reports a timeout, once */
int test_fwd_timeout(void)
{
	struct rig r;
	int err;

	err = rig_open(&r);
	TEST_ERR(err);

	err = worker_timeout(r.w, r.fs, 300);
	TEST_ERR(err);

	loop_until(&r.ev, FWD_EV_TIMEOUT, 3000);
	TEST_EQUALS(1, r.ev.timeouts);
	loop_until(&r.ev, -1, 600);
	TEST_EQUALS(1, r.ev.timeouts);

 out:
	rig_close(&r);
	return err;
}


/* RR + SDES (CNAME gw@198.51.100.10): 8 + 28 bytes */
static const uint8_t rr_sdes[] = {
	0x80, 0xc9, 0x00, 0x01, 0x00, 0x00, 0x11, 0x11,
	0x81, 0xca, 0x00, 0x06, 0x00, 0x00, 0x11, 0x11,
	0x01, 0x10, 'g', 'w', '@', '1', '9', '8', '.', '5', '1', '.',
	'1', '0', '0', '.', '1', '0', 0x00, 0x00,
};


static int send_raw(struct rig *r, const uint8_t *p, size_t len)
{
	return sendto(r->peer[0], p, len, 0, &r->pair[0].local.u.sa,
		      r->pair[0].local.len) == (ssize_t)len ? 0 : errno;
}


/* Muxed RTCP from A reaches B with A's side's own CNAME, not A's; a
 * malformed compound passes as it came, or is dropped and counted */
int test_fwd_rtcp_cname(void)
{
	struct rig r;
	struct sa from;
	uint8_t buf[256], bad[sizeof(rr_sdes)];
	const char *cn;
	int err;

	for (int drop = 0; drop < 2; drop++) {
		err = rig_open_mode(&r, true, drop ? FWD_RTCP_REWRITE_DROP :
				    FWD_RTCP_REWRITE);
		TEST_ERR(err);
		cn = r.fs->side[0].cname;
		TEST_EQUALS(FWD_CNAME_LEN, strlen(cn));
		TEST_ASSERT(strcmp(cn, r.fs->side[1].cname));

		TEST_ERR(send_to(&r, 0, &r.pair[0].local, 1, 0x1111));
		TEST_EQUALS(172, recv_wait(r.peer[1], buf, sizeof(buf), &from,
					   1000));

		TEST_ERR(send_raw(&r, rr_sdes, sizeof(rr_sdes)));
		TEST_EQUALS(8 + 28, recv_wait(r.peer[1], buf, sizeof(buf),
					      &from, 1000));
		TEST_EQUALS(0x06, buf[11]);
		TEST_EQUALS(FWD_CNAME_LEN, buf[17]);
		TEST_ASSERT(0 == memcmp(buf + 18, cn, FWD_CNAME_LEN));

		/* the CNAME's length runs past the packet */
		memcpy(bad, rr_sdes, sizeof(bad));
		bad[17] = 0x40;
		TEST_ERR(send_raw(&r, bad, sizeof(bad)));
		if (drop) {
			TEST_EQUALS(-1, recv_wait(r.peer[1], buf, sizeof(buf),
						  &from, 200));
			TEST_EQUALS(1, FWD_GET(r.fs->side[0].c.dropped));
			TEST_EQUALS(0, FWD_GET(r.fs->side[0].c.bleed) +
				    FWD_GET(r.fs->side[0].c.auth));
		}
		else {
			TEST_EQUALS(sizeof(bad), recv_wait(r.peer[1], buf,
							   sizeof(buf), &from,
							   1000));
			TEST_ASSERT(0 == memcmp(buf, bad, sizeof(bad)));
		}

		rig_close(&r);
	}

	/* pass: A's CNAME goes through */
	err = rig_open_mode(&r, true, FWD_RTCP_PASS);
	TEST_ERR(err);
	TEST_ERR(send_to(&r, 0, &r.pair[0].local, 1, 0x1111));
	TEST_EQUALS(172, recv_wait(r.peer[1], buf, sizeof(buf), &from, 1000));
	TEST_ERR(send_raw(&r, rr_sdes, sizeof(rr_sdes)));
	TEST_EQUALS(sizeof(rr_sdes), recv_wait(r.peer[1], buf, sizeof(buf),
					       &from, 1000));
	TEST_ASSERT(0 == memcmp(buf, rr_sdes, sizeof(rr_sdes)));

 out:
	rig_close(&r);
	return err;
}


/* RR + SDES CNAME "ab" from SSRC 0x1111 */
static const uint8_t rr_ab[24] = {
	0x80, 0xc9, 0x00, 0x01, 0x00, 0x00, 0x11, 0x11,
	0x81, 0xca, 0x00, 0x03, 0x00, 0x00, 0x11, 0x11,
	0x01, 0x02, 'a', 'b', 0x00, 0x00, 0x00, 0x00,
};


/* protect (key) or check and strip (unprotect) a packet with a fresh
 * context of suite s for key: what a peer with that key does */
static int peer_srtp_suite(const uint8_t *key, enum srtp_suite s, bool rtcp,
			   bool protect, uint8_t *p, size_t *lenp)
{
	struct srtp *ctx = NULL;
	int err;

	err = srtp_alloc(&ctx, s, key, 30, 0);
	if (!err)
		err = protect ? srtpx_protect(ctx, rtcp, p, lenp, 256) :
			srtpx_unprotect(ctx, rtcp, p, lenp);
	mem_deref(ctx);

	return err;
}


static int peer_srtp(const uint8_t *key, bool rtcp, bool protect,
		     uint8_t *p, size_t *lenp)
{
	return peer_srtp_suite(key, SRTP_AES_CM_128_HMAC_SHA1_80, rtcp,
			       protect, p, lenp);
}


/* A's key (peer) and ours toward A, of suite s */
static int sdp_keys_suite(struct rig *r, const uint8_t *peer,
			  const uint8_t *ours, enum srtp_suite s)
{
	struct worker_sdp sdp;

	memset(&sdp, 0, sizeof(sdp));
	sdp.rtp = sdp.rtcp = r->peer_sa[0];
	sdp.mux = true;
	sdp.window_ms = 5000;
	sdp.srtp = sdp.tx = true;
	sdp.key.suite = sdp.tx_key.suite = s;
	sdp.key.len = sdp.tx_key.len = 30;
	memcpy(sdp.key.key, peer, 30);
	memcpy(sdp.tx_key.key, ours, 30);

	return worker_sdp(r->w, r->fs, 0, &sdp);
}


static int sdp_keys(struct rig *r, const uint8_t *peer, const uint8_t *ours)
{
	return sdp_keys_suite(r, peer, ours, SRTP_AES_CM_128_HMAC_SHA1_80);
}


static void keys_fill(uint8_t *ka, uint8_t *ke)
{
	for (size_t i = 0; i < 30; i++) {
		ka[i] = (uint8_t)(i * 5 + 3);
		ke[i] = (uint8_t)(i * 11 + 7);
	}
}


/* The rig with SRTP ending on A's side, A's key ka and ours ke (filled
 * in) of suite s */
static int srtp_term_rig(struct rig *r, uint8_t *ka, uint8_t *ke,
			 enum srtp_suite s)
{
	int err;

	keys_fill(ka, ke);
	err = rig_open_mode(r, true, FWD_RTCP_REWRITE);

	return err ? err : sdp_keys_suite(r, ka, ke, s);
}


/* A sends RTP seq/ssrc as SRTP of suite s under ka (its length to
 * lenp if given): B gets it plain, as it was */
static int a_srtp_to_b(struct rig *r, const uint8_t *ka, enum srtp_suite s,
		       uint16_t seq, uint32_t ssrc, size_t *lenp)
{
	uint8_t p[256], q[256];
	struct sa from;
	size_t n = 172;
	int err;

	rtp(p, seq, ssrc);
	err = peer_srtp_suite(ka, s, false, true, p, &n);
	if (err)
		return err;
	if (lenp)
		*lenp = n;
	if (sendto(r->peer[0], p, n, 0, &r->pair[0].local.u.sa,
		   r->pair[0].local.len) != (ssize_t)n)
		return errno;
	if (recv_wait(r->peer[1], q, sizeof(q), &from, 1000) != 172)
		return ETIMEDOUT;
	rtp(p, seq, ssrc);

	return memcmp(p, q, 172) ? EBADMSG : 0;
}


/* SRTP ends at the relay on A's side: A's SRTP (its key) reaches B as
 * plain RTP, B's RTP reaches A encrypted with the relay's own key, and
 * SRTCP alike (its CNAME rewritten in between); a forged packet is
 * dropped; A's key never decrypts what A gets */
int test_fwd_srtp_term(void)
{
	uint8_t ka[30], ke[30], p[256], q[256];
	struct sa from;
	struct rig r;
	size_t n;
	int err;

	keys_fill(ka, ke);

	err = rig_open_mode(&r, true, FWD_RTCP_REWRITE);
	TEST_ERR(err);
	TEST_ERR(sdp_keys(&r, ka, ke));

	/* A -> B: SRTP in, RTP out */
	rtp(p, 7, 0x1111);
	n = 172;
	TEST_ERR(peer_srtp(ka, false, true, p, &n));
	TEST_EQUALS(182, n);
	TEST_ASSERT(sendto(r.peer[0], p, n, 0, &r.pair[0].local.u.sa,
			   r.pair[0].local.len) == (ssize_t)n);
	TEST_EQUALS(172, recv_wait(r.peer[1], q, sizeof(q), &from, 1000));
	rtp(p, 7, 0x1111);
	TEST_ASSERT(0 == memcmp(p, q, 172));

	/* B -> A: RTP in, SRTP out, with our key, not A's */
	TEST_ERR(send_to(&r, 1, &r.pair[1].local, 9, 0x2222));
	TEST_EQUALS(182, recv_wait(r.peer[0], q, sizeof(q), &from, 1000));
	n = 182;
	memcpy(p, q, n);
	TEST_ASSERT(0 != peer_srtp(ka, false, false, p, &n));
	n = 182;
	TEST_ERR(peer_srtp(ke, false, false, q, &n));
	TEST_EQUALS(172, n);
	rtp(p, 9, 0x2222);
	TEST_ASSERT(0 == memcmp(p, q, 172));

	/* SRTCP from A: B gets it plain, with A's side's CNAME */
	memcpy(p, rr_ab, sizeof(rr_ab));
	n = sizeof(rr_ab);
	TEST_ERR(peer_srtp(ka, true, true, p, &n));
	TEST_ASSERT(sendto(r.peer[0], p, n, 0, &r.pair[0].local.u.sa,
			   r.pair[0].local.len) == (ssize_t)n);
	TEST_EQUALS(8 + 28, recv_wait(r.peer[1], q, sizeof(q), &from, 1000));
	TEST_ASSERT(0 == memcmp(q + 18, r.fs->side[0].cname, FWD_CNAME_LEN));

	/* a re-offer keeping A's key keeps its context (ROC, replay
	 * window): A's first packet again is a replay, and dropped */
	TEST_ERR(sdp_keys(&r, ka, ke));
	rtp(p, 7, 0x1111);
	n = 172;
	TEST_ERR(peer_srtp(ka, false, true, p, &n));
	TEST_ASSERT(sendto(r.peer[0], p, n, 0, &r.pair[0].local.u.sa,
			   r.pair[0].local.len) == (ssize_t)n);
	TEST_EQUALS(-1, recv_wait(r.peer[1], q, sizeof(q), &from, 200));
	TEST_EQUALS(1, FWD_GET(r.fs->side[0].c.dropped));

	/* a forged SRTP packet from A's address: dropped */
	rtp(p, 8, 0x1111);
	memset(p + 172, 0x42, 10);
	TEST_ASSERT(sendto(r.peer[0], p, 182, 0, &r.pair[0].local.u.sa,
			   r.pair[0].local.len) == 182);
	TEST_EQUALS(-1, recv_wait(r.peer[1], q, sizeof(q), &from, 200));
	TEST_EQUALS(2, FWD_GET(r.fs->side[0].c.dropped));
	TEST_EQUALS(2, FWD_GET(r.fs->side[0].c.auth));
	TEST_EQUALS(0, FWD_GET(r.fs->side[0].c.bleed));

 out:
	rig_close(&r);
	return err;
}


/* AES_CM_128_HMAC_SHA1_32 ending on A's side: its SRTP carries a 32-bit
 * tag, its SRTCP an 80-bit one, both ways, as libsrtp and rtpengine do
 * (what an _80 context makes of the same key) */
int test_fwd_srtcp_tag(void)
{
	const enum srtp_suite s32 = SRTP_AES_CM_128_HMAC_SHA1_32;
	const enum srtp_suite s80 = SRTP_AES_CM_128_HMAC_SHA1_80;
	uint8_t ka[30], ke[30], p[256], q[256];
	struct sa from;
	struct rig r;
	size_t n;
	int err;

	err = srtp_term_rig(&r, ka, ke, s32);
	TEST_ERR(err);

	/* A -> B: SRTP with a 32-bit tag */
	TEST_ERR(a_srtp_to_b(&r, ka, s32, 7, 0x1111, &n));
	TEST_EQUALS(176, n);

	/* A -> B: SRTCP with an 80-bit tag, B gets it plain */
	memcpy(p, rr_ab, sizeof(rr_ab));
	n = sizeof(rr_ab);
	TEST_ERR(peer_srtp_suite(ka, s80, true, true, p, &n));
	TEST_EQUALS(sizeof(rr_ab) + 4 + 10, n);
	TEST_ASSERT(sendto(r.peer[0], p, n, 0, &r.pair[0].local.u.sa,
			   r.pair[0].local.len) == (ssize_t)n);
	TEST_EQUALS(8 + 28, recv_wait(r.peer[1], q, sizeof(q), &from, 1000));

	/* B -> A: RTCP in, SRTCP out with an 80-bit tag under our key */
	TEST_ASSERT(sendto(r.peer[1], rr_ab, sizeof(rr_ab), 0,
			   &r.pair[1].local.u.sa, r.pair[1].local.len) ==
		    (ssize_t)sizeof(rr_ab));
	TEST_EQUALS(8 + 28 + 4 + 10,
		    recv_wait(r.peer[0], q, sizeof(q), &from, 1000));
	n = 8 + 28 + 4 + 10;
	TEST_ERR(peer_srtp_suite(ke, s80, true, false, q, &n));
	TEST_EQUALS(8 + 28, n);
	TEST_EQUALS(0, FWD_GET(r.fs->side[0].c.dropped));

 out:
	rig_close(&r);
	return err;
}


/* Strangers where SRTP ends on A's side, in the learning window: a
 * datagram from C that is neither RTP nor RTCP cannot authenticate, so
 * it neither latches nor goes on to B; forged SRTP from A's address
 * under 12 random SSRCs does not take the places libre gives a context
 * (8 SSRCs): A's own SSRC, and a new one of A's after them, still get
 * through, and B's media goes to A, not C; the strangers are dropped */
int test_fwd_srtp_strangers(void)
{
	uint8_t ka[30], ke[30], p[256], q[256];
	struct sa from;
	struct rig r;
	int err;

	err = srtp_term_rig(&r, ka, ke, SRTP_AES_CM_128_HMAC_SHA1_80);
	TEST_ERR(err);

	memset(p, 0, 20);   /* RTP version 0 */
	TEST_ASSERT(sendto(r.peer[2], p, 20, 0, &r.pair[0].local.u.sa,
			   r.pair[0].local.len) == 20);
	TEST_EQUALS(-1, recv_wait(r.peer[1], q, sizeof(q), &from, 200));
	TEST_EQUALS(1, FWD_GET(r.fs->side[0].c.dropped));

	for (uint32_t i = 0; i < 12; i++) {
		rtp(p, 1, 0x5000 + i);
		memset(p + 172, 0x42, 10);
		TEST_ASSERT(sendto(r.peer[0], p, 182, 0, &r.pair[0].local.u.sa,
				   r.pair[0].local.len) == 182);
	}

	TEST_ERR(a_srtp_to_b(&r, ka, SRTP_AES_CM_128_HMAC_SHA1_80, 7, 0x1111,
			     NULL));
	TEST_ERR(a_srtp_to_b(&r, ka, SRTP_AES_CM_128_HMAC_SHA1_80, 7, 0x2222,
			     NULL));
	TEST_EQUALS(13, FWD_GET(r.fs->side[0].c.dropped));

	TEST_ERR(send_to(&r, 1, &r.pair[1].local, 9, 0x3333));
	TEST_EQUALS(182, recv_wait(r.peer[0], q, sizeof(q), &from, 1000));
	TEST_EQUALS(-1, recv_wait(r.peer[2], q, sizeof(q), &from, 100));

 out:
	rig_close(&r);
	return err;
}


/*
 * The same forwarding, latching, RTCP, SRTP and release through a
 * worker on io_uring (relay_io uring): each rig's stream is released
 * and RELEASED only once the ring's receives are cancelled (ASan sees
 * a completion that would name a freed stream)
 */
int test_fwd_uring(void)
{
	int (*const tests[])(void) = {
		test_fwd_forward, test_fwd_timeout, test_fwd_rtcp_cname,
		test_fwd_srtp_term, test_fwd_srtcp_tag,
		test_fwd_srtp_strangers,
	};
	struct worker *w = NULL;
	struct mqueue *mq = NULL;
	struct events ev;
	int err;

	memset(&ev, 0, sizeof(ev));
	/* a kernel without io_uring (or with it disabled) has nothing to
	 * test here: the relay uses epoll there, as the other tests do */
	err = mqueue_alloc(&mq, mq_handler, &ev);
	if (!err)
		err = worker_alloc(&w, 0, mq, NULL, true);
	if (!err && !worker_uring(w, &err) &&
	    (err == ENOSYS || err == EPERM)) {
		(void)re_fprintf(stderr, "test_fwd_uring: no io_uring here "
				 "(%m): not run\n", err);
		err = 0;
		goto out;
	}
	TEST_ERR(err);

	rig_uring = true;
	for (size_t i = 0; i < ARRAY_SIZE(tests) && !err; i++)
		err = tests[i]();
	rig_uring = false;

 out:
	mem_deref(w);
	mem_deref(mq);

	return err;
}


/*
 * The media timeout's test: a last packet later than the tick's "now"
 * (counted while the tick handed the stream to the kernel and drained
 * its sockets) is no silence; before, "now - last" wrapped and a
 * stream timed out 2 s into a call (sip-noack.test, 5 of 12 calls)
 */
int test_fwd_silent(void)
{
	int err = 0;

	TEST_ASSERT(!fwd_silent(1000, 1001, 60000));
	TEST_ASSERT(!fwd_silent(1000, 1000, 60000));
	TEST_ASSERT(!fwd_silent(60999, 1000, 60000));
	TEST_ASSERT(fwd_silent(61000, 1000, 60000));
	TEST_ASSERT(fwd_silent(UINT64_MAX, 0, 60000));

 out:
	return err;
}
