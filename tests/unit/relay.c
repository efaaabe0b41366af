/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file relay.c  Tests: the relay's C API, offer to delete, with media
 *                through the addresses the rewritten SDP announces
 */
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <re.h>
#include "tok.h"
#include "cfg.h"
#include "sdprw.h"
#include "relay.h"
#include "sdes.h"
#include "test.h"


#define CONF \
	"interface external 127.0.0.1 ports=32000-32099\n" \
	"interface internal 127.0.0.2 ports=33000-33099\n" \
	"sip_enable no\n" \
	"relay_threads 2\n" \
	"token_secret k1 0123456789abcdef-relay-test\n"

/** A test peer: a UDP socket standing for a gateway or a worker */
struct peer {
	int fd;
	struct sa sa;
};


static int peer_open(struct peer *p, const char *ip)
{
	socklen_t len;

	(void)sa_set_str(&p->sa, ip, 0);
	p->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (p->fd < 0 || bind(p->fd, &p->sa.u.sa, p->sa.len))
		return errno;

	len = sizeof(p->sa.u);
	(void)getsockname(p->fd, &p->sa.u.sa, &len);

	return 0;
}


/* Does the SDP written into mb contain str? */
static bool mb_has(const struct mbuf *mb, const char *str)
{
	return NULL != memmem(mb->buf, mb->end, str, strlen(str));
}


static void sdp_make(char *buf, size_t sz, const struct sa *sa,
		     const char *dir)
{
	(void)re_snprintf(buf, sz,
			  "v=0\r\n"
			  "o=- 1 1 IN IP4 %j\r\n"
			  "s=-\r\n"
			  "c=IN IP4 %j\r\n"
			  "t=0 0\r\n"
			  "m=audio %u RTP/AVP 8 0 101\r\n"
			  "a=rtpmap:101 telephone-event/8000\r\n"
			  "a=%s\r\n",
			  sa, sa, sa_port(sa), dir);
}


static void req_make(struct relay_req *req, const char *callid,
		     const char *from, const char *to, const char *sdp)
{
	memset(req, 0, sizeof(*req));
	pl_set_str(&req->callid, callid);
	pl_set_str(&req->from_tag, from);
	if (to)
		pl_set_str(&req->to_tag, to);
	pl_set_str(&req->sdp, sdp);
	pl_set_str(&req->dir[0], "external");
	pl_set_str(&req->dir[1], "internal");
}


/* The address and port the rewritten SDP announces */
static int sdp_addr(const struct mbuf *mb, struct sa *sa)
{
	struct sdprw_sdp *sdp = NULL;
	struct pl pl;
	int err;

	pl.p = (const char *)mb->buf;
	pl.l = mb->end;
	err = sdprw_parse(&sdp, &pl);
	if (!err)
		*sa = sdp->media[0].addr;
	mem_deref(sdp);

	return err;
}


static int relay_open(struct relay **relayp, struct cfg **cfgp,
		      const char *extra)
{
	char text[1024], msg[256];
	int err;

	(void)re_snprintf(text, sizeof(text), "%s%s", CONF, extra);
	err = cfg_parse(cfgp, "relay-test", text, strlen(text), msg,
			sizeof(msg));
	if (err) {
		TEST_FAIL("%s\n", msg);
		return err;
	}

	return relay_alloc(relayp, *cfgp);
}


static void wake(void *arg)
{
	(void)arg;
	re_cancel();
}


/* Run the loop until n port pairs are free (all of them if n is 0),
 * up to 2 s */
static int ports_settle_n(const struct relay *relay, uint32_t n)
{
	uint32_t free = 0, total = 1;

	for (int i = 0; i < 100; i++) {
		struct tmr tmr;

		relay_ports(relay, &free, &total);
		if (free >= (n ? n : total))
			return 0;

		tmr_init(&tmr);
		tmr_start(&tmr, 20, wake, NULL);
		(void)re_main(NULL);
		tmr_cancel(&tmr);
	}

	TEST_FAIL("%u of %u port pairs free\n", free, total);

	return EBUSY;
}


static int ports_settle(const struct relay *relay)
{
	return ports_settle_n(relay, 0);
}


/* Delete a call and wait until all its ports are back */
static int call_end(struct relay *relay, const struct pl *callid)
{
	int err = relay_delete(relay, callid);

	return err ? err : ports_settle(relay);
}


static int pkt_check(int from, const struct sa *to, int rcv,
		     const struct sa *want_src, uint8_t pt);


static int media_check(const struct peer *from, const struct sa *to,
		       const struct peer *rcv, const struct sa *want_src)
{
	return pkt_check(from->fd, to, rcv->fd, want_src, 8);
}


/* Close a test's sockets (-1: none) and free its relay */
static void teardown(struct relay *relay, struct cfg *cfg, struct mbuf *mb,
		     int fd0, int fd1, int fd2)
{
	const int fds[3] = {fd0, fd1, fd2};

	for (int i = 0; i < 3; i++) {
		if (fds[i] >= 0)
			(void)close(fds[i]);
	}

	mem_deref(relay);
	mem_deref(cfg);
	mem_deref(mb);
}


int test_relay_call(void)
{
	struct relay *relay = NULL;
	struct cfg *cfg = NULL;
	struct peer a, b;
	struct mbuf *mb = mbuf_alloc(1024);
	struct relay_stream_info info;
	struct relay_req req;
	struct sa to_b, to_a, hold;
	char sdp[512];
	const char *why = NULL;
	uint32_t free, total;
	struct pl cid = PL("call-1");
	int err;

	a.fd = b.fd = -1;
	err = relay_open(&relay, &cfg, "");
	TEST_ERR(err);
	err  = peer_open(&a, "127.0.0.1");
	err |= peer_open(&b, "127.0.0.2");
	TEST_ERR(err);

	/* offer from A (outside): B gets the relay's inside address */
	sdp_make(sdp, sizeof(sdp), &a.sa, "sendrecv");
	req_make(&req, "call-1", "tag-a", NULL, sdp);
	err = relay_offer(relay, &req, mb, &why);
	TEST_ERR(err);
	err = sdp_addr(mb, &to_b);
	TEST_ERR(err);
	TEST_ASSERT(sa_cmp(&to_b, &b.sa, SA_ADDR));   /* 127.0.0.2 */
	TEST_ASSERT(sa_port(&to_b) >= 33000 && sa_port(&to_b) <= 33099);
	TEST_EQUALS(0, sa_port(&to_b) % 2);
	TEST_ASSERT(mb_has(mb, "a=rtpmap:101 "
				   "telephone-event/8000\r\n"));

	/* answer from B: A gets the relay's outside address */
	mbuf_reset(mb);
	sdp_make(sdp, sizeof(sdp), &b.sa, "sendrecv");
	req_make(&req, "call-1", "tag-a", "tag-b", sdp);
	err = relay_answer(relay, &req, mb, &why);
	TEST_ERR(err);
	err = sdp_addr(mb, &to_a);
	TEST_ERR(err);
	TEST_ASSERT(sa_cmp(&to_a, &a.sa, SA_ADDR));
	TEST_ASSERT(sa_port(&to_a) >= 32000 && sa_port(&to_a) <= 32099);

	/* media both ways, each seeing the relay's address on its side */
	err = media_check(&a, &to_a, &b, &to_b);
	TEST_ERR(err);
	err = media_check(&b, &to_b, &a, &to_a);
	TEST_ERR(err);

	TEST_EQUALS(1, relay_call_count(relay));
	err = relay_call_stream(relay_call_find(relay, &cid), 0, &info);
	TEST_ERR(err);
	TEST_STRCMP("audio", info.type);
	TEST_EQUALS(1, info.side[0].packets);
	TEST_EQUALS(1, info.side[1].packets);
	TEST_STRCMP("locked", info.side[0].state);
	TEST_ASSERT(sa_cmp(&info.side[0].latched, &a.sa, SA_ALL));

	/* hold from B (a re-offer with its tag): same ports */
	mbuf_reset(mb);
	sdp_make(sdp, sizeof(sdp), &b.sa, "sendonly");
	req_make(&req, "call-1", "tag-b", "tag-a", sdp);
	pl_set_str(&req.dir[0], "internal");
	pl_set_str(&req.dir[1], "external");
	err = relay_offer(relay, &req, mb, &why);
	TEST_ERR(err);
	err = sdp_addr(mb, &hold);
	TEST_ERR(err);
	TEST_ASSERT(sa_cmp(&hold, &to_a, SA_ALL));
	TEST_ASSERT(mb_has(mb, "a=sendonly\r\n"));

	/* resume from A without a direction: the interfaces stay */
	mbuf_reset(mb);
	sdp_make(sdp, sizeof(sdp), &a.sa, "sendrecv");
	req_make(&req, "call-1", "tag-a", "tag-b", sdp);
	req.dir[0] = req.dir[1] = pl_null;
	err = relay_offer(relay, &req, mb, &why);
	TEST_ERR(err);
	err = sdp_addr(mb, &hold);
	TEST_ERR(err);
	TEST_ASSERT(sa_cmp(&hold, &to_b, SA_ALL));
	err = media_check(&a, &to_a, &b, &to_b);
	TEST_ERR(err);

	/* delete: every port returns */
	err = relay_delete(relay, &cid);
	TEST_ERR(err);
	TEST_EQUALS(ENOENT, relay_delete(relay, &cid));
	err = ports_settle(relay);
	TEST_ERR(err);
	relay_ports(relay, &free, &total);
	TEST_EQUALS(100, total);

 out:
	teardown(relay, cfg, mb, a.fd, b.fd, -1);
	return err;
}


/* Bad requests are refused with a reason and leave nothing behind */
int test_relay_refuse(void)
{
	static const char good[] =
		"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		"c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
	struct relay *relay = NULL;
	struct cfg *cfg = NULL;
	struct mbuf *mb = mbuf_alloc(512);
	struct relay_req req;
	const char *why = NULL;
	char tok[TOK_MAX];
	int err;

	err = relay_open(&relay, &cfg, "relay_require_token yes\n");
	TEST_ERR(err);

	req_make(&req, "c2", "t1", NULL, "v=0\r\nbogus\r\n");
	TEST_EQUALS(EBADMSG, relay_offer(relay, &req, mb, &why));
	TEST_STRCMP("malformed SDP", why);

	req_make(&req, "c2", "t1", NULL, good);
	TEST_EQUALS(EPERM, relay_offer(relay, &req, mb, &why));
	TEST_STRCMP("no relay-allocation token", why);

	err = tok_issue(tok, sizeof(tok), cfg->keys, "relay:other",
			(uint64_t)time(NULL) + 60);
	TEST_ERR(err);
	pl_set_str(&req.token, tok);
	TEST_EQUALS(EPERM, relay_offer(relay, &req, mb, &why));
	TEST_STRCMP("token for another scope", why);

	err = tok_issue(tok, sizeof(tok), cfg->keys, "relay:c2",
			(uint64_t)time(NULL) - 1);
	TEST_ERR(err);
	pl_set_str(&req.token, tok);
	TEST_EQUALS(EPERM, relay_offer(relay, &req, mb, &why));
	TEST_STRCMP("token expired", why);
	TEST_EQUALS(0, relay_call_count(relay));

	err = tok_issue(tok, sizeof(tok), cfg->keys, "relay:*",
			(uint64_t)time(NULL) + 60);
	TEST_ERR(err);
	pl_set_str(&req.token, tok);
	pl_set_str(&req.dir[1], "dmz");
	TEST_EQUALS(EINVAL, relay_offer(relay, &req, mb, &why));
	TEST_STRCMP("unknown interface in direction", why);
	TEST_EQUALS(0, relay_call_count(relay));

	req_make(&req, "nope", "t1", "t2", good);
	TEST_EQUALS(ENOENT, relay_answer(relay, &req, mb, &why));
	TEST_STRCMP("unknown call-id", why);

	/* a good offer, then an answer with strange tags */
	req_make(&req, "c2", "t1", NULL, good);
	pl_set_str(&req.token, tok);
	err = relay_offer(relay, &req, mb, &why);
	TEST_ERR(err);
	req_make(&req, "c2", "t9", "t2", good);
	TEST_EQUALS(EPROTO, relay_answer(relay, &req, mb, &why));
	TEST_STRCMP("tags do not match the call", why);

	err = relay_delete(relay, &req.callid);
	TEST_ERR(err);
	err = ports_settle(relay);

 out:
	teardown(relay, cfg, mb, -1, -1, -1);
	return err;
}


/* Send one RTP/RTCP packet of type pt from `from' to `to'; it must
 * arrive on `rcv' from `want_src' (any address family) */
static int pkt_check(int from, const struct sa *to, int rcv,
		     const struct sa *want_src, uint8_t pt)
{
	uint8_t pkt[64] = {0x80, pt, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4};
	struct pollfd pfd = {rcv, POLLIN, 0};
	struct sa src;
	socklen_t len = sizeof(src.u);
	ssize_t n;

	if (sendto(from, pkt, sizeof(pkt), 0, &to->u.sa, to->len) < 0)
		return errno;

	if (poll(&pfd, 1, 1000) != 1) {
		TEST_FAIL("packet type %u did not arrive\n", pt);
		return ETIMEDOUT;
	}

	sa_init(&src, sa_af(want_src));
	n = recvfrom(rcv, pkt, sizeof(pkt), 0, &src.u.sa, &len);
	src.len = len;
	if (n != sizeof(pkt) || pkt[1] != pt ||
	    !sa_cmp(&src, want_src, SA_ALL)) {
		TEST_FAIL("type %u: got %zd bytes type %u from %J, want %J\n",
			  pt, n, pkt[1], &src, want_src);
		return EPROTO;
	}

	return 0;
}


/* A multiplexes RTCP on its RTP port; B, offered no mux, uses RTP and
 * RTCP ports: the relay demuxes towards B and muxes towards A */
int test_relay_rtcp_mux(void)
{
	static const char sdp_fmt[] =
		"v=0\r\no=- 1 1 IN IP4 %j\r\ns=-\r\nc=IN IP4 %j\r\n"
		"t=0 0\r\nm=audio %u RTP/AVP 8\r\n%s";
	struct relay *relay = NULL;
	struct cfg *cfg = NULL;
	struct peer a, b, b_rtcp;
	struct mbuf *mb = mbuf_alloc(1024);
	struct relay_req req;
	struct sa to_b, to_a, to_b_rtcp, b_rtcp_src;
	char sdp[512];
	const char *why = NULL;
	struct pl cid = PL("mux-1");
	int err;

	a.fd = b.fd = b_rtcp.fd = -1;
	err = relay_open(&relay, &cfg, "");
	TEST_ERR(err);
	err  = peer_open(&a, "127.0.0.1");
	err |= peer_open(&b, "127.0.0.2");
	TEST_ERR(err);

	/* B's RTCP socket is the port above its RTP port */
	b_rtcp.sa = b.sa;
	sa_set_port(&b_rtcp.sa, sa_port(&b.sa) + 1);
	b_rtcp.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (b_rtcp.fd < 0 || bind(b_rtcp.fd, &b_rtcp.sa.u.sa, b_rtcp.sa.len)) {
		err = 0;   /* port taken: nothing to test this time */
		goto out;
	}

	(void)re_snprintf(sdp, sizeof(sdp), sdp_fmt, &a.sa, &a.sa,
			  sa_port(&a.sa), "a=rtcp-mux\r\n");
	req_make(&req, "mux-1", "ta", NULL, sdp);
	req.mux = RELAY_MUX_DEMUX;
	err = relay_offer(relay, &req, mb, &why);
	TEST_ERR(err);
	TEST_ASSERT(!mb_has(mb, "a=rtcp-mux"));
	err = sdp_addr(mb, &to_b);
	TEST_ERR(err);

	mbuf_reset(mb);
	(void)re_snprintf(sdp, sizeof(sdp), sdp_fmt, &b.sa, &b.sa,
			  sa_port(&b.sa), "");
	req_make(&req, "mux-1", "ta", "tb", sdp);
	err = relay_answer(relay, &req, mb, &why);
	TEST_ERR(err);
	TEST_ASSERT(mb_has(mb, "a=rtcp-mux\r\n"));
	err = sdp_addr(mb, &to_a);
	TEST_ERR(err);

	to_b_rtcp = to_b;
	sa_set_port(&to_b_rtcp, sa_port(&to_b) + 1);
	b_rtcp_src = to_b_rtcp;

	/* RTP A -> B on the RTP ports */
	err = pkt_check(a.fd, &to_a, b.fd, &to_b, 8);
	TEST_ERR(err);
	/* RTCP (SR, 200) from A on its RTP port: B gets it on RTCP */
	err = pkt_check(a.fd, &to_a, b_rtcp.fd, &b_rtcp_src, 200);
	TEST_ERR(err);
	/* RTCP from B's RTCP port: A gets it on its one port, from the
	 * relay's RTP port */
	err = pkt_check(b_rtcp.fd, &to_b_rtcp, a.fd, &to_a, 201);
	TEST_ERR(err);
	/* RTP B -> A */
	err = pkt_check(b.fd, &to_b, a.fd, &to_a, 8);
	TEST_ERR(err);

	err = call_end(relay, &cid);

 out:
	teardown(relay, cfg, mb, a.fd, b.fd, b_rtcp.fd);
	return err;
}


/* IPv6 end to end: c=IN IP6, IPv6 sockets, forwarding both ways */
int test_relay_ipv6(void)
{
	static const char conf[] =
		"interface external ::1 ports=36000-36099\n"
		"interface internal [::1] ports=37000-37099\n"
		"sip_enable no\nrelay_threads 1\n";
	static const char fmt[] =
		"v=0\r\no=- 1 1 IN IP6 ::1\r\ns=-\r\nc=IN IP6 ::1\r\n"
		"t=0 0\r\nm=audio %u RTP/AVP 0\r\n";
	struct relay *relay = NULL;
	struct cfg *cfg = NULL;
	struct mbuf *mb = mbuf_alloc(512);
	int fa = -1, fb = -1;
	struct sa a, b, to_a, to_b;
	struct relay_req req;
	const char *why;
	char sdp[256], msg[128];
	struct pl cid = PL("v6");
	socklen_t len;
	int err;

	err = cfg_parse(&cfg, "v6", conf, strlen(conf), msg, sizeof(msg));
	TEST_ERR(err);
	err = relay_alloc(&relay, cfg);
	TEST_ERR(err);

	(void)sa_set_str(&a, "::1", 0);
	b = a;
	fa = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	fb = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fa < 0 || fb < 0 || bind(fa, &a.u.sa, a.len) ||
	    bind(fb, &b.u.sa, b.len)) {
		err = 0;   /* no IPv6 loopback here: nothing to test */
		goto out;
	}
	len = sizeof(a.u);
	(void)getsockname(fa, &a.u.sa, &len);
	len = sizeof(b.u);
	(void)getsockname(fb, &b.u.sa, &len);

	(void)re_snprintf(sdp, sizeof(sdp), fmt, sa_port(&a));
	req_make(&req, "v6", "ta", NULL, sdp);
	err = relay_offer(relay, &req, mb, &why);
	TEST_ERR(err);
	TEST_ASSERT(mb_has(mb, "c=IN IP6 ::1\r\n"));
	err = sdp_addr(mb, &to_b);
	TEST_ERR(err);
	TEST_ASSERT(sa_port(&to_b) >= 37000 && sa_port(&to_b) <= 37099);

	mbuf_reset(mb);
	(void)re_snprintf(sdp, sizeof(sdp), fmt, sa_port(&b));
	req_make(&req, "v6", "ta", "tb", sdp);
	err = relay_answer(relay, &req, mb, &why);
	TEST_ERR(err);
	err = sdp_addr(mb, &to_a);
	TEST_ERR(err);
	TEST_ASSERT(sa_port(&to_a) >= 36000 && sa_port(&to_a) <= 36099);

	err = pkt_check(fa, &to_a, fb, &to_b, 0);
	TEST_ERR(err);
	err = pkt_check(fb, &to_b, fa, &to_a, 0);
	TEST_ERR(err);

	err = call_end(relay, &cid);

 out:
	teardown(relay, cfg, mb, fa, fb, -1);
	return err;
}


/* Two pairs per side: the third call is refused with a clear reason,
 * the first two keep working; the advertised address (1:1 NAT) is what
 * the SDP announces */
int test_relay_exhaust(void)
{
	static const char conf[] =
		"interface external 127.0.0.1 ports=38000-38003\n"
		"interface internal 127.0.0.2 advertise=192.0.2.99 "
		"ports=39000-39003\n"
		"sip_enable no\nrelay_threads 1\n";
	static const char sdp[] =
		"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		"c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
	struct relay *relay = NULL;
	struct cfg *cfg = NULL;
	struct mbuf *mb = mbuf_alloc(512);
	struct relay_req req;
	const char *why = NULL;
	char msg[128];
	struct pl c1 = PL("x1"), c2 = PL("x2");
	int err;

	err = cfg_parse(&cfg, "x", conf, strlen(conf), msg, sizeof(msg));
	TEST_ERR(err);
	err = relay_alloc(&relay, cfg);
	TEST_ERR(err);

	req_make(&req, "x1", "t", NULL, sdp);
	err = relay_offer(relay, &req, mb, &why);
	TEST_ERR(err);
	TEST_ASSERT(mb_has(mb, "c=IN IP4 192.0.2.99\r\n"));
	TEST_ASSERT(!mb_has(mb, "127.0.0.2"));

	req_make(&req, "x2", "t", NULL, sdp);
	err = relay_offer(relay, &req, mb, &why);
	TEST_ERR(err);

	req_make(&req, "x3", "t", NULL, sdp);
	TEST_EQUALS(ENOSPC, relay_offer(relay, &req, mb, &why));
	TEST_STRCMP("media ports exhausted", why);
	TEST_EQUALS(2, relay_call_count(relay));

	/* a freed pair is available again */
	err = relay_delete(relay, &c1);
	TEST_ERR(err);
	err = ports_settle_n(relay, 2);
	TEST_ERR(err);
	req_make(&req, "x3", "t", NULL, sdp);
	err = relay_offer(relay, &req, mb, &why);
	TEST_ERR(err);

	err  = relay_delete(relay, &c2);
	req.callid = (struct pl)PL("x3");
	err |= relay_delete(relay, &req.callid);
	TEST_ERR(err);
	err = ports_settle(relay);

 out:
	teardown(relay, cfg, mb, -1, -1, -1);
	return err;
}


/* An offer from the inside: the port the SDP toward the outside
 * announces */
static int offer_ext_port(struct relay *relay, const char *callid,
			  struct mbuf *mb, uint16_t *port)
{
	static const char sdp[] =
		"v=0\r\no=- 1 1 IN IP4 127.0.0.2\r\ns=-\r\n"
		"c=IN IP4 127.0.0.2\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
	struct relay_req req;
	const char *why = NULL;
	struct sa sa;
	int err;

	req_make(&req, callid, "t", NULL, sdp);
	req.dir[0] = (struct pl)PL("internal");
	req.dir[1] = (struct pl)PL("external");
	err = relay_offer(relay, &req, mb, &why);
	if (!err)
		err = sdp_addr(mb, &sa);
	if (!err)
		*port = sa_port(&sa);

	return err;
}


static int ifaces_reload(struct relay *relay, struct cfg **cfgp,
			 const char *conf)
{
	struct list add = LIST_INIT;
	char msg[128];
	int err;

	mem_deref(*cfgp);
	*cfgp = NULL;
	err = cfg_parse(cfgp, "r", conf, strlen(conf), msg, sizeof(msg));
	if (err)
		return err;

	err = relay_ifaces_prepare(relay, *cfgp, &add);
	if (err)
		return err;

	relay_set_cfg(relay, *cfgp);
	relay_ifaces_commit(relay, *cfgp, &add);
	TEST_ASSERT(list_isempty(&add));

 out:
	return err;
}


/* A reload changes an interface's ports and adds one: a call keeps its
 * pair in the old range until it ends, the next call gets the new
 * range, and the old pool goes with the last call on it; removing an
 * interface takes its pairs out of the count */
int test_relay_ifaces_reload(void)
{
	static const char c1[] =
		"interface external 127.0.0.1 ports=38100-38103\n"
		"interface internal 127.0.0.2 ports=39100-39103\n"
		"sip_enable no\nrelay_threads 1\n";
	static const char c2[] =
		"interface external 127.0.0.1 ports=38200-38205\n"
		"interface internal 127.0.0.2 ports=39100-39103\n"
		"interface spare 127.0.0.3 ports=37000-37001\n"
		"sip_enable no\nrelay_threads 1\n";
	struct relay *relay = NULL;
	struct cfg *cfg = NULL;
	struct mbuf *mb = mbuf_alloc(512);
	struct pl x1 = PL("r1"), x2 = PL("r2");
	uint32_t free, total;
	uint16_t port = 0;
	char msg[128];
	int err;


	err = cfg_parse(&cfg, "r", c1, strlen(c1), msg, sizeof(msg));
	TEST_ERR(err);
	err = relay_alloc(&relay, cfg);
	TEST_ERR(err);
	err = offer_ext_port(relay, "r1", mb, &port);
	TEST_ERR(err);
	TEST_ASSERT(port >= 38100 && port <= 38103);

	err = ifaces_reload(relay, &cfg, c2);
	TEST_ERR(err);
	relay_ports(relay, &free, &total);
	TEST_EQUALS(6, total);     /* 3 outside, 2 inside, 1 spare */
	TEST_EQUALS(5, free);      /* r1's inside pair; its outside one
				      is in the retired pool */

	mbuf_rewind(mb);
	err = offer_ext_port(relay, "r2", mb, &port);
	TEST_ERR(err);
	TEST_ASSERT(port >= 38200 && port <= 38205);

	err  = relay_delete(relay, &x1);
	err |= relay_delete(relay, &x2);
	TEST_ERR(err);
	err = ports_settle(relay);
	TEST_ERR(err);

	/* the unchanged configuration changes nothing */
	err = ifaces_reload(relay, &cfg, c2);
	TEST_ERR(err);
	relay_ports(relay, &free, &total);
	TEST_EQUALS(6, total);

	err = ifaces_reload(relay, &cfg, c1);
	TEST_ERR(err);
	relay_ports(relay, &free, &total);
	TEST_EQUALS(4, total);
	TEST_EQUALS(4, free);

 out:
	teardown(relay, cfg, mb, -1, -1, -1);
	return err;
}


/* SDP of an SRTP offer or answer from sa, with an SDES key */
static void sdp_srtp(char *buf, size_t sz, const struct sa *sa,
		     const uint8_t *key)
{
	char b64[64];
	size_t len = sizeof(b64) - 1;

	(void)base64_encode(key, 30, b64, &len);
	b64[len] = '\0';
	(void)re_snprintf(buf, sz,
			  "v=0\r\no=- 1 1 IN IP4 %j\r\ns=-\r\n"
			  "c=IN IP4 %j\r\nt=0 0\r\n"
			  "m=audio %u RTP/SAVP 8\r\n"
			  "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:%s\r\n",
			  sa, sa, sa_port(sa), b64);
}


/* Send an RTP packet, SRTP-protected with key if given, else with a
 * made-up tag */
static int srtp_send(int fd, const struct sa *to, const uint8_t *key,
		     uint16_t seq)
{
	struct mbuf *mb = mbuf_alloc(256);
	struct srtp *srtp = NULL;
	uint8_t hdr[12] = {0x80, 8, 0, 0, 0, 0, 0, 0, 0xaa, 0xbb, 0xcc, 0xdd};
	int err;

	if (!mb)
		return ENOMEM;

	hdr[2] = (uint8_t)(seq >> 8);
	hdr[3] = (uint8_t)seq;
	err = mbuf_write_mem(mb, hdr, sizeof(hdr));
	err |= mbuf_fill(mb, 0xd5, 160);
	mb->pos = 0;
	if (!err && key) {
		err = srtp_alloc(&srtp, SRTP_AES_CM_128_HMAC_SHA1_80, key, 30, 0);
		if (!err)
			err = srtp_encrypt(srtp, mb);
	}
	else if (!err) {
		mb->pos = mb->end;
		err = mbuf_fill(mb, 0x42, 10);     /* a forged tag */
	}
	mb->pos = 0;

	if (!err && sendto(fd, mb->buf, mb->end, 0, &to->u.sa, to->len) < 0)
		err = errno;

	mem_deref(srtp);
	mem_deref(mb);

	return err;
}


static bool arrives(int fd, int ms)
{
	uint8_t buf[512];
	struct pollfd pfd = {fd, POLLIN, 0};

	return poll(&pfd, 1, ms) == 1 && recv(fd, buf, sizeof(buf), 0) > 0;
}


/* A relay call between A (127.0.0.1) and B (127.0.0.2), both with SDES
 * keys (rtcp-mux if mux), and an attacker (127.0.0.3) */
struct srtp_rig {
	struct relay *relay;
	struct cfg *cfg;
	struct mbuf *mb;
	struct peer a, b, evil;
	uint8_t key_a[30], key_b[30];
	uint8_t rk_a[30], rk_b[30];  /* the relay's own keys toward A, B */
	struct sa to_a, to_b;      /* where A and B send to */
};


/* The key of the first a=crypto line of the SDP in mb */
static int sdp_key(const struct mbuf *mb, uint8_t *key)
{
	struct sdprw_sdp *sdp = NULL;
	struct sdes_line ln;
	struct pl pl;
	int err;

	pl.p = (const char *)mb->buf;
	pl.l = mb->end;
	err = sdprw_parse(&sdp, &pl);
	if (!err && !sdp->media[0].cryptoc)
		err = ENOENT;
	if (!err)
		err = sdes_parse(&ln, &sdp->media[0].crypto[0]);
	if (!err && ln.key.len != 30)
		err = EPROTO;
	if (!err)
		memcpy(key, ln.key.key, 30);
	mem_deref(sdp);

	return err;
}


/* An SRTP packet arrives at fd, decrypts with key (AES_CM_128_80) and
 * carries what srtp_send() sent */
static bool srtp_arrives(int fd, const uint8_t *key, int ms)
{
	struct pollfd pfd = {fd, POLLIN, 0};
	struct mbuf *mb = mbuf_alloc(512);
	struct srtp *srtp = NULL;
	bool ok = false;
	ssize_t n;

	if (!mb || poll(&pfd, 1, ms) != 1)
		goto out;

	n = recv(fd, mb->buf, mb->size, 0);
	if (n <= 0)
		goto out;
	mb->end = (size_t)n;

	if (srtp_alloc(&srtp, SRTP_AES_CM_128_HMAC_SHA1_80, key, 30, 0) ||
	    srtp_decrypt(srtp, mb))
		goto out;

	mb->pos = 12;
	ok = mbuf_get_left(mb) == 160 && mb->buf[12] == 0xd5 &&
		mb->buf[171] == 0xd5;

 out:
	mem_deref(srtp);
	mem_deref(mb);
	return ok;
}


static void srtp_sdp(char *buf, size_t sz, const struct sa *sa,
		     const uint8_t *key, bool mux)
{
	char sdp[512];

	sdp_srtp(sdp, sizeof(sdp), sa, key);
	(void)re_snprintf(buf, sz, "%s%s", sdp, mux ? "a=rtcp-mux\r\n" : "");
}


static int srtp_rig_open(struct srtp_rig *r, const char *cid, bool mux)
{
	struct relay_req req;
	const char *why;
	char sdp[600];
	int err;

	memset(r, 0, sizeof(*r));
	r->a.fd = r->b.fd = r->evil.fd = -1;
	r->mb = mbuf_alloc(1024);
	for (size_t i = 0; i < sizeof(r->key_a); i++) {
		r->key_a[i] = (uint8_t)(i * 7 + 1);
		r->key_b[i] = (uint8_t)(i * 13 + 5);
	}

	err = relay_open(&r->relay, &r->cfg, "");
	TEST_ERR(err);
	err  = peer_open(&r->a, "127.0.0.1");
	err |= peer_open(&r->b, "127.0.0.2");
	err |= peer_open(&r->evil, "127.0.0.3");
	TEST_ERR(err);

	srtp_sdp(sdp, sizeof(sdp), &r->a.sa, r->key_a, mux);
	req_make(&req, cid, "ta", NULL, sdp);
	err = relay_offer(r->relay, &req, r->mb, &why);
	TEST_ERR(err);
	TEST_ASSERT(mb_has(r->mb, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"));
	err = sdp_addr(r->mb, &r->to_b) | sdp_key(r->mb, r->rk_b);
	TEST_ERR(err);

	mbuf_reset(r->mb);
	srtp_sdp(sdp, sizeof(sdp), &r->b.sa, r->key_b, mux);
	req_make(&req, cid, "ta", "tb", sdp);
	err = relay_answer(r->relay, &req, r->mb, &why);
	TEST_ERR(err);
	err = sdp_addr(r->mb, &r->to_a) | sdp_key(r->mb, r->rk_a);
	TEST_ERR(err);

	/* SRTP ends on the edge: each side has a key of the relay's own */
	TEST_ASSERT(memcmp(r->rk_a, r->key_a, 30) &&
		    memcmp(r->rk_a, r->key_b, 30));
	TEST_ASSERT(memcmp(r->rk_b, r->key_a, 30) &&
		    memcmp(r->rk_b, r->key_b, 30));

 out:
	return err;
}


static void srtp_rig_close(struct srtp_rig *r)
{
	teardown(r->relay, r->cfg, r->mb, r->a.fd, r->b.fd, r->evil.fd);
}


/* An attacker speaking first, in the learning window, would latch on
 * plain RTP; on SRTP with SDES keys its packets fail authentication
 * and it is dropped, and the peer latches */
int test_relay_srtp_latch(void)
{
	struct relay_stream_info info;
	struct pl cid = PL("srtp-1");
	struct srtp_rig r;
	int err;

	err = srtp_rig_open(&r, "srtp-1", false);
	TEST_ERR(err);

	/* the attacker first: forged tag, then A's packet with a wrong key */
	err  = srtp_send(r.evil.fd, &r.to_a, NULL, 1);
	err |= srtp_send(r.evil.fd, &r.to_a, r.key_b, 2);
	TEST_ERR(err);
	TEST_ASSERT(!arrives(r.b.fd, 200));

	/* the real peer: authenticated, latched, and B gets it under the
	 * relay's key toward B; B's packets reach A under the relay's key
	 * toward A */
	err = srtp_send(r.a.fd, &r.to_a, r.key_a, 3);
	TEST_ERR(err);
	TEST_ASSERT(srtp_arrives(r.b.fd, r.rk_b, 1000));
	err = srtp_send(r.b.fd, &r.to_b, r.key_b, 7);
	TEST_ERR(err);
	TEST_ASSERT(srtp_arrives(r.a.fd, r.rk_a, 1000));
	err = srtp_send(r.evil.fd, &r.to_a, NULL, 4);
	TEST_ERR(err);
	TEST_ASSERT(!arrives(r.b.fd, 200));

	err = relay_call_stream(relay_call_find(r.relay, &cid), 0, &info);
	TEST_ERR(err);
	TEST_EQUALS(1, info.side[0].packets);
	TEST_EQUALS(3, info.side[0].dropped);
	TEST_ASSERT(sa_cmp(&info.side[0].latched, &r.a.sa, SA_ALL));

	err = call_end(r.relay, &cid);

 out:
	srtp_rig_close(&r);
	return err;
}


/* Send an RTCP RR, SRTCP-protected with key if given, else with a
 * made-up index and tag */
static int srtcp_send(int fd, const struct sa *to, const uint8_t *key)
{
	static const uint8_t rr[8] = {0x80, 201, 0, 1, 0xaa, 0xbb, 0xcc, 0xdd};
	struct mbuf *mb = mbuf_alloc(256);
	struct srtp *srtp = NULL;
	int err;

	if (!mb)
		return ENOMEM;

	err = mbuf_write_mem(mb, rr, sizeof(rr));
	mb->pos = 0;
	if (!err && key) {
		err = srtp_alloc(&srtp, SRTP_AES_CM_128_HMAC_SHA1_80, key, 30, 0);
		if (!err)
			err = srtcp_encrypt(srtp, mb);
	}
	else if (!err) {
		mb->pos = mb->end;
		err = mbuf_write_u32(mb, htonl(0x80000001));
		err |= mbuf_fill(mb, 0x42, 10);     /* a forged tag */
	}
	mb->pos = 0;

	if (!err && sendto(fd, mb->buf, mb->end, 0, &to->u.sa, to->len) < 0)
		err = errno;

	mem_deref(srtp);
	mem_deref(mb);

	return err;
}


/* With rtcp-mux, RTCP latches the stream as RTP does: an attacker's
 * forged SRTCP in the learning window is dropped and latches nothing;
 * the peer's SRTCP authenticates and latches */
int test_relay_srtcp_latch(void)
{
	struct relay_stream_info info;
	struct pl cid = PL("srtcp-1");
	struct srtp_rig r;
	int err;

	err = srtp_rig_open(&r, "srtcp-1", true);
	TEST_ERR(err);

	err  = srtcp_send(r.evil.fd, &r.to_a, NULL);
	err |= srtcp_send(r.evil.fd, &r.to_a, r.key_b);
	TEST_ERR(err);
	TEST_ASSERT(!arrives(r.b.fd, 200));

	err = srtcp_send(r.a.fd, &r.to_a, r.key_a);
	TEST_ERR(err);
	TEST_ASSERT(arrives(r.b.fd, 1000));
	err = srtcp_send(r.evil.fd, &r.to_a, NULL);
	TEST_ERR(err);
	TEST_ASSERT(!arrives(r.b.fd, 200));

	err = relay_call_stream(relay_call_find(r.relay, &cid), 0, &info);
	TEST_ERR(err);
	TEST_EQUALS(1, info.side[0].packets);
	TEST_EQUALS(1, info.side[0].rtcp);
	TEST_EQUALS(3, info.side[0].dropped);
	TEST_ASSERT(sa_cmp(&info.side[0].latched, &r.a.sa, SA_ALL));

	err = call_end(r.relay, &cid);

 out:
	srtp_rig_close(&r);
	return err;
}


static void sdp_t38(char *buf, size_t sz, const struct sa *sa)
{
	(void)re_snprintf(buf, sz,
			  "v=0\r\no=- 1 2 IN IP4 %j\r\ns=-\r\n"
			  "c=IN IP4 %j\r\nt=0 0\r\n"
			  "m=image %u udptl t38\r\n"
			  "a=T38FaxVersion:0\r\n"
			  "a=T38MaxBitRate:14400\r\n"
			  "a=T38FaxUdpEC:t38UDPRedundancy\r\n",
			  sa, sa, sa_port(sa));
}


/* A UDPTL datagram (T.38 IFP, seq n): not RTP, forwarded as it came */
static int udptl_send(int fd, const struct sa *to, uint16_t n)
{
	uint8_t p[12] = {(uint8_t)(n >> 8), (uint8_t)n, 0x06, 0xd0, 0x01,
		0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};

	return sendto(fd, p, sizeof(p), 0, &to->u.sa, to->len) == sizeof(p) ?
		0 : errno;
}


/* offer and answer of one exchange; the addresses each side gets */
static int exchange(struct relay *relay, struct mbuf *mb, const char *cid,
		    const char *sdp_a, const char *sdp_b, struct sa *to_a,
		    struct sa *to_b)
{
	struct relay_req req;
	const char *why;
	int err;

	mbuf_reset(mb);
	req_make(&req, cid, "ta", NULL, sdp_a);
	err = relay_offer(relay, &req, mb, &why);
	if (!err)
		err = sdp_addr(mb, to_b);
	if (err)
		return err;

	mbuf_reset(mb);
	req_make(&req, cid, "ta", "tb", sdp_b);
	err = relay_answer(relay, &req, mb, &why);

	return err ? err : sdp_addr(mb, to_a);
}


/* Fax: a re-INVITE to T.38 (m=image udptl) and back to audio keeps the
 * stream's ports; UDPTL passes both ways as it came, the latch holds
 * against a third party, and audio flows again afterwards */
int test_relay_t38(void)
{
	struct relay *relay = NULL;
	struct cfg *cfg = NULL;
	struct peer a, b, evil;
	struct mbuf *mb = mbuf_alloc(1024);
	struct relay_stream_info info;
	struct sa to_a, to_b, fax_a, fax_b;
	char sa_[512], sb[512];
	struct pl cid = PL("fax-1");
	int err;

	a.fd = b.fd = evil.fd = -1;
	err = relay_open(&relay, &cfg, "");
	TEST_ERR(err);
	err  = peer_open(&a, "127.0.0.1");
	err |= peer_open(&b, "127.0.0.2");
	err |= peer_open(&evil, "127.0.0.3");
	TEST_ERR(err);

	sdp_make(sa_, sizeof(sa_), &a.sa, "sendrecv");
	sdp_make(sb, sizeof(sb), &b.sa, "sendrecv");
	err = exchange(relay, mb, "fax-1", sa_, sb, &to_a, &to_b);
	TEST_ERR(err);
	TEST_ERR(media_check(&a, &to_a, &b, &to_b));

	sdp_t38(sa_, sizeof(sa_), &a.sa);
	sdp_t38(sb, sizeof(sb), &b.sa);
	err = exchange(relay, mb, "fax-1", sa_, sb, &fax_a, &fax_b);
	TEST_ERR(err);
	TEST_ASSERT(mb_has(mb, "m=image "));
	TEST_ASSERT(mb_has(mb, " udptl t38\r\n"));
	TEST_ASSERT(mb_has(mb, "a=T38FaxUdpEC:t38UDPRedundancy\r\n"));
	TEST_ASSERT(sa_cmp(&fax_a, &to_a, SA_ALL));

	TEST_ERR(udptl_send(a.fd, &fax_a, 1));
	TEST_ASSERT(arrives(b.fd, 1000));
	TEST_ERR(udptl_send(b.fd, &fax_b, 1));
	TEST_ASSERT(arrives(a.fd, 1000));
	TEST_ERR(udptl_send(evil.fd, &fax_a, 2));
	TEST_ASSERT(!arrives(b.fd, 200));

	err = relay_call_stream(relay_call_find(relay, &cid), 0, &info);
	TEST_ERR(err);
	TEST_STRCMP("image", info.type);
	TEST_ASSERT(info.side[0].dropped >= 1);

	sdp_make(sa_, sizeof(sa_), &a.sa, "sendrecv");
	sdp_make(sb, sizeof(sb), &b.sa, "sendrecv");
	err = exchange(relay, mb, "fax-1", sa_, sb, &to_a, &to_b);
	TEST_ERR(err);
	TEST_ERR(media_check(&a, &to_a, &b, &to_b));
	TEST_ERR(media_check(&b, &to_b, &a, &to_a));

	err = call_end(relay, &cid);

 out:
	teardown(relay, cfg, mb, a.fd, b.fd, evil.fd);
	return err;
}


/* Audio from A: PCMA, SSRC 0x01020304, 20 ms per packet */
static int audio_send(int fd, const struct sa *to, uint16_t seq)
{
	uint8_t p[172] = {0x80, 8, (uint8_t)(seq >> 8), (uint8_t)seq,
		0, 0, (uint8_t)(seq >> 8), 0, 1, 2, 3, 4};
	uint32_t ts = htonl((uint32_t)seq * 160);

	memcpy(p + 4, &ts, 4);

	return sendto(fd, p, sizeof(p), 0, &to->u.sa, to->len) ==
		sizeof(p) ? 0 : errno;
}


/** What B got: audio and events, in order */
struct heard {
	unsigned audio, events, ends, markers;
	uint16_t last_seq;
	bool gap, foreign_ssrc;
	uint8_t event;
};


static void heard_add(struct heard *hd, const uint8_t *p, size_t n)
{
	uint16_t seq = (uint16_t)(p[2] << 8 | p[3]);

	if (hd->audio + hd->events && seq != (uint16_t)(hd->last_seq + 1)) {
		hd->gap = true;
		TEST_FAIL("seq %u after %u (pt %u)\n", seq, hd->last_seq,
			  p[1] & 0x7f);
	}
	hd->last_seq = seq;
	hd->foreign_ssrc |= memcmp(p + 8, "\x01\x02\x03\x04", 4) != 0;

	if ((p[1] & 0x7f) != 101 || n != 16) {
		++hd->audio;
		return;
	}

	++hd->events;
	hd->event = p[12];
	hd->ends += (p[13] & 0x80) != 0;
	hd->markers += (p[1] & 0x80) != 0;
}


/* A digit the B2BUA asks for (SIP INFO from a gateway) reaches B as RFC
 * 4733 events on B's telephone-event payload type, inside A's stream:
 * A's SSRC, one gapless sequence with the audio around it */
int test_relay_dtmf(void)
{
	struct relay *relay = NULL;
	struct cfg *cfg = NULL;
	struct peer a, b;
	struct mbuf *mb = mbuf_alloc(1024);
	struct sa to_a, to_b;
	struct heard hd;
	char sa_[512], sb[512];
	struct pl cid = PL("dtmf-1"), tb = PL("tb"), tx = PL("tx");
	int err;

	memset(&hd, 0, sizeof(hd));
	a.fd = b.fd = -1;
	err = relay_open(&relay, &cfg, "");
	TEST_ERR(err);
	err  = peer_open(&a, "127.0.0.1");
	err |= peer_open(&b, "127.0.0.2");
	TEST_ERR(err);

	sdp_make(sa_, sizeof(sa_), &a.sa, "sendrecv");
	sdp_make(sb, sizeof(sb), &b.sa, "sendrecv");
	err = exchange(relay, mb, "dtmf-1", sa_, sb, &to_a, &to_b);
	TEST_ERR(err);

	TEST_EQUALS(EINVAL, relay_dtmf(relay, &cid, &tb, 'x', 100));
	TEST_EQUALS(ENOENT, relay_dtmf(relay, &cid, &tx, '1', 100));
	TEST_EQUALS(ENOENT, relay_dtmf(relay, &tx, &tb, '1', 100));

	for (uint16_t seq = 1; seq <= 20; seq++) {
		uint8_t buf[256];
		struct pollfd pfd = {b.fd, POLLIN, 0};
		ssize_t n;

		TEST_ERR(audio_send(a.fd, &to_a, seq));
		if (seq == 4)
			TEST_ERR(relay_dtmf(relay, &cid, &tb, '9', 100));
		while (poll(&pfd, 1, 20) == 1 &&
		       (n = recv(b.fd, buf, sizeof(buf), 0)) > 0)
			heard_add(&hd, buf, (size_t)n);
	}

	TEST_EQUALS(20, hd.audio);
	TEST_EQUALS(7, hd.events);
	TEST_EQUALS(9, hd.event);
	TEST_EQUALS(1, hd.markers);
	TEST_EQUALS(3, hd.ends);
	TEST_ASSERT(!hd.gap);
	TEST_ASSERT(!hd.foreign_ssrc);

	err = call_end(relay, &cid);

 out:
	teardown(relay, cfg, mb, a.fd, b.fd, -1);
	return err;
}


/* the watchdog's rule: every worker ran its loop since the last look */
int test_relay_alive(void)
{
	struct relay *relay = NULL;
	struct cfg *cfg = NULL;
	int err;

	err = relay_open(&relay, &cfg, "");
	TEST_ERR(err);

	TEST_ASSERT(relay_alive(relay));      /* first look */
	(void)usleep(700 * 1000);             /* over two ticks of 250 ms */
	TEST_ASSERT(relay_alive(relay));
	TEST_ASSERT(!relay_alive(relay));     /* no tick in between */
	TEST_ASSERT(relay_alive(NULL));       /* no relay, nothing stuck */

 out:
	mem_deref(relay);
	mem_deref(cfg);
	return err;
}


/* a stranger's RTP packet to `to': it must not reach rcv */
static bool stranger_dropped(const struct peer *evil, const struct sa *to,
			     int rcv)
{
	uint8_t pkt[64] = {0x80, 8, 0, 9, 0, 0, 0, 0, 1, 2, 3, 4};

	if (sendto(evil->fd, pkt, sizeof(pkt), 0, &to->u.sa, to->len) < 0)
		return false;

	return !arrives(rcv, 200);
}


/* the workers publish a latch after forwarding the packet: wait for it */
static bool both_locked(const struct relay *relay, const struct pl *cid)
{
	struct relay_stream_info info;

	for (int i = 0; i < 100; i++) {
		if (!relay_call_stream(relay_call_find(relay, cid), 0, &info) &&
		    !strcmp(info.side[0].state, "locked") &&
		    !strcmp(info.side[1].state, "locked"))
			return true;
		(void)usleep(10000);
	}

	return false;
}


/* the same state as the B2BUA's call: refused (its SIP state is not
 * stored, nobody would end it) */
static bool b2b_state_refused(const struct mbuf *st)
{
	struct relay *relay = NULL;
	struct cfg *cfg = NULL;
	char *copy = NULL, *ng;
	bool ok = false;

	copy = mem_zalloc(st->end + 1, NULL);
	if (!copy || relay_open(&relay, &cfg, ""))
		goto out;

	memcpy(copy, st->buf, st->end);
	ng = strstr(copy, "2:ngi1e");
	if (ng) {
		ng[5] = '0';
		ok = relay_call_import(relay, copy, st->end, false) == ENOTSUP;
	}

 out:
	mem_deref(copy);
	mem_deref(relay);
	mem_deref(cfg);
	return ok;
}


/* A call's state written out and read back, as a restart does: the
 * same ports, the latches locked on the same peers, a stranger dropped
 * from its first packet, media both ways at once; a state that is
 * malformed, of another version, of a call that exists or of the
 * B2BUA's call is refused */
int test_relay_restore(void)
{
	struct relay *relay = NULL;
	struct cfg *cfg = NULL;
	struct peer a, b, evil;
	struct mbuf *mb = mbuf_alloc(1024), *st = mbuf_alloc(1024);
	struct relay_stream_info info;
	struct relay_req req;
	struct sa to_a, to_b;
	char sdp[512];
	const char *why = NULL;
	struct pl cid = PL("call-r");
	int err;

	a.fd = b.fd = evil.fd = -1;
	TEST_ASSERT(mb && st);
	err  = relay_open(&relay, &cfg, "");
	err |= peer_open(&a, "127.0.0.1");
	err |= peer_open(&b, "127.0.0.2");
	err |= peer_open(&evil, "127.0.0.3");
	TEST_ERR(err);

	sdp_make(sdp, sizeof(sdp), &a.sa, "sendrecv");
	req_make(&req, "call-r", "tag-a", NULL, sdp);
	req.ng = true;                 /* an ng controller's call */
	TEST_ERR(relay_offer(relay, &req, mb, &why));
	TEST_ERR(sdp_addr(mb, &to_b));
	mbuf_reset(mb);
	sdp_make(sdp, sizeof(sdp), &b.sa, "sendrecv");
	req_make(&req, "call-r", "tag-a", "tag-b", sdp);
	TEST_ERR(relay_answer(relay, &req, mb, &why));
	TEST_ERR(sdp_addr(mb, &to_a));
	TEST_ERR(media_check(&a, &to_a, &b, &to_b));
	TEST_ERR(media_check(&b, &to_b, &a, &to_a));
	TEST_ASSERT(both_locked(relay, &cid));

	TEST_ERR(relay_call_export(st, relay, "call-r", false));
	TEST_EQUALS(ENOENT, relay_call_export(mb, relay, "no-such-call", false));
	TEST_EQUALS(EEXIST, relay_call_import(relay, (char *)st->buf,
					      st->end, false));
	TEST_ERR(call_end(relay, &cid));

	TEST_EQUALS(EPROTO, relay_call_import(relay, "d1:vi2ee", 8, false));
	TEST_ASSERT(b2b_state_refused(st));
	TEST_EQUALS(EPROTO, relay_call_import(relay, (char *)st->buf,
					      st->end - 1, false));
	TEST_ERR(relay_call_import(relay, (char *)st->buf, st->end, false));
	TEST_ERR(relay_call_stream(relay_call_find(relay, &cid), 0, &info));
	TEST_EQUALS(sa_port(&to_a), sa_port(&info.side[0].local));
	TEST_EQUALS(sa_port(&to_b), sa_port(&info.side[1].local));
	TEST_STRCMP("tag-b", relay_call_tag(relay_call_find(relay, &cid), 1));

	TEST_ASSERT(stranger_dropped(&evil, &to_a, b.fd));
	TEST_ERR(media_check(&a, &to_a, &b, &to_b));
	TEST_ERR(media_check(&b, &to_b, &a, &to_a));
	TEST_ERR(relay_call_stream(relay_call_find(relay, &cid), 0, &info));
	TEST_STRCMP("locked", info.side[0].state);
	TEST_ASSERT(sa_cmp(&info.side[0].latched, &a.sa, SA_ALL));
	TEST_EQUALS(1, info.side[0].dropped);
	TEST_EQUALS(1, info.side[0].packets);

	err = call_end(relay, &cid);

 out:
	if (evil.fd >= 0)
		(void)close(evil.fd);
	mem_deref(st);
	teardown(relay, cfg, mb, a.fd, b.fd, -1);
	return err;
}


/* A B2BUA's call stored without its SRTP keys: side "ext" speaks SRTP
 * (its suite kept), "int" plain RTP; both latched and locked */
#define REKEY_SIDE(IF, PORT, SDP, SRTP) \
	"d5:iface" IF "4:porti" PORT "e3:sdp14:" SDP "3:muxi1e" \
	"5:te_pti0e7:te_ratei0e5:proto8:RTP/SAVP4:srtpi" SRTP "e" \
	"6:opaquei0e5:latchd5:statei2e4:addr14:" SDP "4:rtcp0:" \
	"9:relatchesi0ee5:suite23:AES_CM_128_HMAC_SHA1_80e"
static const char rekey_state[] =
	"d1:vi1e2:id18:um0123456789abcdef2:ngi0e4:tagsl3:ext3:inte"
	"7:createdi1e8:answeredi1e4:sentli1ei1ee4:bumpli0ei0ee"
	"3:secli0ei0ee2:fbli0ei0ee7:streamsld5:indexi0e4:type5:audio"
	"5:sidesl" REKEY_SIDE("8:external", "32010", "127.0.0.1:6000", "1")
	REKEY_SIDE("8:internal", "33010", "127.0.0.2:7000", "0") "eeee";

#define REKEY_SDP(ADDR, PORT, VER, CRYPTO) \
	"v=0\r\no=- 1 " VER " IN IP4 " ADDR "\r\ns=-\r\n" \
	"c=IN IP4 " ADDR "\r\nt=0 0\r\nm=audio " PORT " RTP/SAVP 8\r\n" \
	"a=rtcp-mux\r\n" CRYPTO


/* The edge's re-key of a side restored without its keys: the offer is
 * the SDP last sent with a new o= version and one a=crypto line of a
 * new key (the side's suite, tag 1), only for that side; an answer
 * without a key for it is refused, one with it gives the side its keys
 * again (written out with the call from then on) */
int test_relay_rekey(void)
{
	static const char sent[] = REKEY_SDP("127.0.0.1", "32010", "5", "");
	static const char bad[] = REKEY_SDP("127.0.0.1", "6000", "2",
		"a=crypto:2 AES_CM_128_HMAC_SHA1_80 "
		"inline:QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\r\n");
	static const char good[] = REKEY_SDP("127.0.0.1", "6000", "2",
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
		"inline:QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\r\n");
	const char *id = "um0123456789abcdef", *why = NULL;
	struct relay *relay = NULL;
	struct cfg *cfg = NULL;
	struct mbuf *mb = mbuf_alloc(1024), *out = mbuf_alloc(1024);
	struct mbuf *st = mbuf_alloc(2048);
	struct pl ans, key;
	int err;

	TEST_ASSERT(mb && out && st);
	TEST_ERR(relay_open(&relay, &cfg, ""));
	TEST_EQUALS(ENOTSUP, relay_call_import(relay, rekey_state,
					       sizeof(rekey_state) - 1, false));
	TEST_ERR(relay_call_import(relay, rekey_state,
				   sizeof(rekey_state) - 1, true));

	TEST_ERR(mbuf_write_str(mb, sent));
	TEST_EQUALS(ENOENT, relay_rekey_offer(relay, id, "int", mb, out));
	TEST_ERR(relay_rekey_offer(relay, id, "ext", mb, out));
	TEST_ASSERT(0 == re_regex((char *)out->buf, out->end,
				  "o=- 1 6 IN IP4 127.0.0.1\r\n"));
	TEST_ASSERT(0 == re_regex((char *)out->buf, out->end,
				  "m=audio 32010 RTP/SAVP 8\r\n"));
	TEST_ASSERT(0 == re_regex((char *)out->buf, out->end,
				  "a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
				  "inline:[A-Za-z0-9+/]+\r\n", &key));
	TEST_EQUALS(40, key.l);

	pl_set_str(&ans, bad);
	TEST_EQUALS(EPROTO, relay_rekey_answer(relay, id, "ext", &ans, &why));
	TEST_ASSERT(why != NULL);
	TEST_ERR(relay_call_export(st, relay, id, true));
	TEST_ASSERT(0 != re_regex((char *)st->buf, st->end, "4:keys"));

	pl_set_str(&ans, good);
	TEST_ERR(relay_rekey_answer(relay, id, "ext", &ans, &why));
	mbuf_reset(st);
	TEST_ERR(relay_call_export(st, relay, id, true));
	TEST_ASSERT(0 == re_regex((char *)st->buf, st->end, "4:keys"));
	TEST_ASSERT(0 == re_regex((char *)st->buf, st->end,
				  "inline:QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB"));
	TEST_EQUALS(ENOENT, relay_rekey_offer(relay, id, "ext", mb, out));

	err = call_end(relay, &(struct pl)PL("um0123456789abcdef"));

 out:
	mem_deref(st);
	mem_deref(out);
	teardown(relay, cfg, mb, -1, -1, -1);
	return err;
}
