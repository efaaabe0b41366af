/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file ng.c  Tests: the ng control protocol over UDP on loopback
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <re.h>
#include "cfg.h"
#include "relay.h"
#include "ng.h"
#include "test.h"


#define CONF \
	"interface external 127.0.0.1 ports=34000-34099\n" \
	"interface internal 127.0.0.2 ports=35000-35099\n" \
	"sip_enable no\n" \
	"relay_threads 1\n" \
	"relay_ng_listen 127.0.0.1:29223\n" \
	"relay_ng_controller 127.0.0.1/32\n"

#define OFFER_SDP \
	"v=0\r\no=- 5 5 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n" \
	"t=0 0\r\nm=audio 6000 RTP/AVP 8\r\na=ice-ufrag:abcd\r\n"

/** An ng client: a UDP socket in the main loop */
struct client {
	int fd;                 /**< Socket                */
	char reply[8192];       /**< Last reply            */
	ssize_t len;            /**< Its length, -1: none  */
};

/** The server side */
struct srv {
	struct cfg *cfg;
	struct relay *relay;
	struct ng *ng;
	struct sa addr;
};


static void client_handler(int flags, void *arg)
{
	struct client *c = arg;
	(void)flags;

	c->len = recv(c->fd, c->reply, sizeof(c->reply) - 1, 0);
	if (c->len >= 0)
		c->reply[c->len] = '\0';
	re_cancel();
}


static void wake(void *arg)
{
	(void)arg;
	re_cancel();
}


static int client_open(struct client *c, const char *ip)
{
	struct sa sa;

	memset(c, 0, sizeof(*c));
	(void)sa_set_str(&sa, ip, 0);
	c->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || bind(c->fd, &sa.u.sa, sa.len))
		return errno;

	return fd_listen(c->fd, FD_READ, client_handler, c);
}


static void client_close(struct client *c)
{
	if (c->fd > 0) {
		fd_close(c->fd);
		(void)close(c->fd);
	}
}


/* Send a datagram, run the loop until a reply or 500 ms */
static void request(struct client *c, const struct srv *s, const char *msg,
		    size_t len)
{
	struct tmr tmr;

	c->len = -1;
	if (sendto(c->fd, msg, len, 0, &s->addr.u.sa, s->addr.len) < 0)
		return;

	tmr_init(&tmr);
	tmr_start(&tmr, 500, wake, NULL);
	(void)re_main(NULL);
	tmr_cancel(&tmr);
}


static void req_str(struct client *c, const struct srv *s, const char *msg)
{
	request(c, s, msg, strlen(msg));
}


static int srv_open(struct srv *s)
{
	char msg[256];
	int err;

	memset(s, 0, sizeof(*s));
	err = cfg_parse(&s->cfg, "ng-test", CONF, strlen(CONF), msg,
			sizeof(msg));
	if (err) {
		TEST_FAIL("%s\n", msg);
		return err;
	}

	err = relay_alloc(&s->relay, s->cfg);
	if (!err)
		err = ng_alloc(&s->ng, s->relay, s->cfg);
	if (!err)
		err = ng_local(s->ng, &s->addr);

	return err;
}


static void srv_close(struct srv *s)
{
	s->ng = mem_deref(s->ng);
	s->relay = mem_deref(s->relay);
	s->cfg = mem_deref(s->cfg);
}


/* ping, errors, and who may talk at all */
int test_ng_basic(void)
{
	static const char nul[] = "c8 d7:command5:offer7:call-id3:a\0b"
		"8:from-tag1:t3:sdp1:xe";
	struct client c, stranger;
	struct srv s;
	int err;

	stranger.fd = c.fd = -1;
	err = srv_open(&s);
	TEST_ERR(err);
	err  = client_open(&c, "127.0.0.1");
	err |= client_open(&stranger, "127.0.0.3");
	TEST_ERR(err);

	req_str(&c, &s, "abc123 d7:command4:pinge");
	TEST_STRCMP("abc123 d6:result4:ponge", c.reply);

	req_str(&stranger, &s, "x1 d7:command4:pinge");
	TEST_EQUALS(-1, stranger.len);

	req_str(&c, &s, "c2 d7:command4:ping");
	TEST_STRCMP("c2 d6:result5:error12:error-reason28:"
		    "malformed bencode dictionarye", c.reply);

	req_str(&c, &s, "c3 li1ee");
	TEST_CONTAINS(c.reply, "malformed bencode dictionary");

	req_str(&c, &s, "c4 d7:command5:fetche");
	TEST_STRCMP("c4 d6:result5:error12:error-reason15:unknown commande",
		    c.reply);

	req_str(&c, &s, "c5 d3:fooi1ee");
	TEST_CONTAINS(c.reply, "no command");

	req_str(&c, &s, "nocookie");
	TEST_EQUALS(-1, c.len);

	req_str(&c, &s, "c6 d7:command5:offer7:call-id1:xe");
	TEST_CONTAINS(c.reply, "call-id, from-tag and sdp are required");

	req_str(&c, &s, "c7 d7:command6:delete7:call-id4:nonee");
	TEST_CONTAINS(c.reply, "Call-ID not found");

	/* a call-id with a NUL: no call that delete could not find */
	request(&c, &s, nul, sizeof(nul) - 1);
	TEST_CONTAINS(c.reply, "call-id or tag holds a NUL");

 out:
	client_close(&stranger);
	client_close(&c);
	srv_close(&s);
	return err;
}


static void offer_msg(char *buf, size_t sz, const char *cookie)
{
	(void)re_snprintf(buf, sz,
		"%s d7:command5:offer7:call-id5:ngc-18:"
		"from-tag2:t13:sdp%zu:%s"
		"5:flagsl14:replace-origin10:frobnicatee"
		"9:directionl8:external8:internale"
		"3:ICE6:remove"
		"e", cookie, strlen(OFFER_SDP), OFFER_SDP);
}


/* offer, retransmission, answer, query, list, delete */
int test_ng_call(void)
{
	static const char answer_sdp[] =
		"v=0\r\no=- 9 9 IN IP4 127.0.0.2\r\ns=-\r\n"
		"c=IN IP4 127.0.0.2\r\nt=0 0\r\nm=audio 7000 RTP/AVP 8\r\n";
	static const char nomedia_sdp[] =
		"v=0\r\no=- 9 9 IN IP4 127.0.0.2\r\ns=-\r\n"
		"c=IN IP4 127.0.0.2\r\nt=0 0\r\n";
	char msg[2048], first[8192];
	struct client c;
	struct srv s;
	int err;

	c.fd = -1;
	err = srv_open(&s);
	TEST_ERR(err);
	err = client_open(&c, "127.0.0.1");
	TEST_ERR(err);

	offer_msg(msg, sizeof(msg), "o1");
	req_str(&c, &s, msg);
	TEST_CONTAINS(c.reply, "o1 d6:result2:ok3:sdp");
	TEST_CONTAINS(c.reply, "o=- 5 5 IN IP4 127.0.0.2\r\n");
	TEST_CONTAINS(c.reply, "c=IN IP4 127.0.0.2\r\n");
	TEST_ASSERT(NULL == strstr(c.reply, "ice-ufrag"));
	TEST_CONTAINS(c.reply, "7:warning33:unknown flags ignored: "
		      "frobnicate");
	str_ncpy(first, c.reply, sizeof(first));

	/* the same cookie again: the same reply, no second offer */
	req_str(&c, &s, msg);
	TEST_STRCMP(first, c.reply);
	TEST_EQUALS(1, relay_call_count(s.relay));

	/* an answer without m= lines: refused or answered, not a crash
	 * (fuzz_ng: its SDP was written from no interface) */
	(void)re_snprintf(msg, sizeof(msg),
		"a0 d7:command6:answer7:call-id5:ngc-18:from-tag2:t1"
		"6:to-tag2:t23:sdp%zu:%se", strlen(nomedia_sdp), nomedia_sdp);
	req_str(&c, &s, msg);
	TEST_CONTAINS(c.reply, "a0 d6:result");

	(void)re_snprintf(msg, sizeof(msg),
		"a1 d7:command6:answer7:call-id5:ngc-18:from-tag2:t1"
		"6:to-tag2:t23:sdp%zu:%s9:directionl8:internal8:externale"
		"e", strlen(answer_sdp), answer_sdp);
	req_str(&c, &s, msg);
	TEST_CONTAINS(c.reply, "a1 d6:result2:ok3:sdp");
	TEST_CONTAINS(c.reply, "c=IN IP4 127.0.0.1\r\n");

	req_str(&c, &s, "q1 d7:command5:query7:call-id5:ngc-1e");
	TEST_CONTAINS(c.reply, "6:result2:ok");
	TEST_CONTAINS(c.reply, "6:totalsd3:RTPd7:packetsi0e");
	TEST_CONTAINS(c.reply, "2:t1d3:tag2:t1");
	TEST_CONTAINS(c.reply, "2:t2d3:tag2:t2");
	TEST_CONTAINS(c.reply, "5:latch4:none");

	req_str(&c, &s, "l1 d7:command4:liste");
	TEST_STRCMP("l1 d6:result2:ok5:callsl5:ngc-1ee", c.reply);

	req_str(&c, &s, "d1 d7:command6:delete7:call-id5:ngc-1e");
	TEST_STRCMP("d1 d6:result2:oke", c.reply);
	TEST_EQUALS(0, relay_call_count(s.relay));

	req_str(&c, &s, "l2 d7:command4:liste");
	TEST_STRCMP("l2 d6:result2:ok5:callslee", c.reply);

	/* let the worker hand the streams back before the relay goes */
	req_str(&c, &s, "p1 d7:command4:pinge");

 out:
	client_close(&c);
	srv_close(&s);
	return err;
}


/* rtpengine's SRTP flags: transport-protocol converts the receiver's
 * leg, SDES-* choose the suites; the answer goes back as it was */
int test_ng_srtp(void)
{
	static const char answer_sdp[] =
		"v=0\r\no=- 9 9 IN IP4 127.0.0.2\r\ns=-\r\n"
		"c=IN IP4 127.0.0.2\r\nt=0 0\r\nm=audio 7000 RTP/SAVP 8\r\n"
		"a=crypto:2 AES_256_CM_HMAC_SHA1_80 inline:AAECAwQFBgcICQoL"
		"DA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLQ\r\n";
	char msg[2048];
	struct client c;
	struct srv s;
	int err;

	c.fd = -1;
	err = srv_open(&s);
	TEST_ERR(err);
	err = client_open(&c, "127.0.0.1");
	TEST_ERR(err);

	(void)re_snprintf(msg, sizeof(msg),
		"s1 d7:command5:offer7:call-id5:ngs-18:from-tag2:t13:sdp%zu:%s"
		"5:flagsl31:SDES-no-AES_256_CM_HMAC_SHA1_32e"
		"4:SDESl26:no-AES_CM_128_HMAC_SHA1_323:pade"
		"18:transport-protocol8:RTP/SAVP"
		"9:directionl8:external8:internale"
		"e", strlen(OFFER_SDP), OFFER_SDP);
	req_str(&c, &s, msg);
	TEST_CONTAINS(c.reply, "s1 d6:result2:ok3:sdp");
	TEST_CONTAINS(c.reply, "m=audio ");
	TEST_CONTAINS(c.reply, " RTP/SAVP 8\r\n");
	TEST_CONTAINS(c.reply, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:");
	TEST_CONTAINS(c.reply, "a=crypto:2 AES_256_CM_HMAC_SHA1_80 inline:");
	TEST_CONTAINS(c.reply, "==\r\n");
	TEST_ASSERT(NULL == strstr(c.reply, "_32"));
	TEST_ASSERT(NULL == strstr(c.reply, "warning"));

	(void)re_snprintf(msg, sizeof(msg),
		"a1 d7:command6:answer7:call-id5:ngs-18:from-tag2:t1"
		"6:to-tag2:t23:sdp%zu:%s9:directionl8:internal8:externale"
		"e", strlen(answer_sdp), answer_sdp);
	req_str(&c, &s, msg);
	TEST_CONTAINS(c.reply, "a1 d6:result2:ok3:sdp");
	TEST_CONTAINS(c.reply, " RTP/AVP 8\r\n");
	TEST_ASSERT(NULL == strstr(c.reply, "a=crypto"));

	req_str(&c, &s, "q1 d7:command5:query7:call-id5:ngs-1e");
	TEST_CONTAINS(c.reply, "8:protocol7:RTP/AVP");
	TEST_CONTAINS(c.reply, "8:protocol8:RTP/SAVP");
	TEST_CONTAINS(c.reply, "14:media security28:srtp AES_256_CM_HMAC_SHA1_80");

	(void)re_snprintf(msg, sizeof(msg),
		"s2 d7:command5:offer7:call-id5:ngs-28:from-tag2:t13:sdp%zu:%s"
		"18:transport-protocol8:RTP/SAVP4:SDESl3:offe"
		"9:directionl8:external8:internale"
		"e", strlen(OFFER_SDP), OFFER_SDP);
	req_str(&c, &s, msg);
	TEST_CONTAINS(c.reply, "SDES-off leaves this SRTP leg without keys");

	req_str(&c, &s, "d1 d7:command6:delete7:call-id5:ngs-1e");
	req_str(&c, &s, "p1 d7:command4:pinge");

 out:
	client_close(&c);
	srv_close(&s);
	return err;
}


/* Send the datagram stored in tests/data/ng/NAME */
static int req_file(struct client *c, const struct srv *s, const char *name)
{
	char path[512], buf[4096];
	size_t n;
	FILE *f;

	(void)re_snprintf(path, sizeof(path), "%s/tests/data/ng/%s", UM_SRCDIR,
			  name);
	f = fopen(path, "rb");
	if (!f)
		return errno;
	n = fread(buf, 1, sizeof(buf), f);
	(void)fclose(f);

	request(c, s, buf, n);

	return 0;
}


/* What Kamailio 5.6's rtpengine module really sends (captured, see
 * tests/data/ng/README.md) is understood: keys in its order, lists
 * for replace, rtcp-mux and direction, a token as its own key */
int test_ng_kamailio(void)
{
	struct client c;
	struct srv s;
	int err;

	c.fd = -1;
	err = srv_open(&s);
	TEST_ERR(err);
	err = client_open(&c, "127.0.0.1");
	TEST_ERR(err);

	TEST_ERR(req_file(&c, &s, "kamailio-ping.bin"));
	TEST_STRCMP("0_18352_0 d6:result4:ponge", c.reply);

	TEST_ERR(req_file(&c, &s, "kamailio-offer.bin"));
	TEST_CONTAINS(c.reply, "0_18352_1 d6:result2:ok3:sdp");
	TEST_CONTAINS(c.reply, "o=uac 53655765 2353687637 IN IP4 127.0.0.2");
	TEST_CONTAINS(c.reply, "c=IN IP4 127.0.0.2\r\n");
	TEST_ASSERT(NULL == strstr(c.reply, "warning"));

	TEST_ERR(req_file(&c, &s, "kamailio-answer.bin"));
	TEST_CONTAINS(c.reply, "0_18352_2 d6:result2:ok3:sdp");
	TEST_CONTAINS(c.reply, "c=IN IP4 127.0.0.1\r\n");

	TEST_ERR(req_file(&c, &s, "kamailio-query.bin"));
	TEST_CONTAINS(c.reply, "0_18352_3 d6:result2:ok");
	TEST_CONTAINS(c.reply, "15:18360SIPpTag001d3:tag15:18360SIPpTag001");

	TEST_ERR(req_file(&c, &s, "kamailio-delete.bin"));
	TEST_STRCMP("0_18352_4 d6:result2:oke", c.reply);

	TEST_ERR(req_file(&c, &s, "kamailio-offer-token.bin"));
	TEST_CONTAINS(c.reply, "d6:result2:ok3:sdp");
	TEST_EQUALS(1, relay_call_count(s.relay));

	req_str(&c, &s, "d9 d7:command6:delete7:call-id17:1-18942@127.0.0.1e");
	TEST_STRCMP("d9 d6:result2:oke", c.reply);
	req_str(&c, &s, "p9 d7:command4:pinge");

 out:
	client_close(&c);
	srv_close(&s);
	return err;
}


/* a drain: an offer of a new call gets "draining"; a re-offer of a
 * known call and a delete go on */
int test_ng_draining(void)
{
	char msg[2048];
	struct client c;
	struct srv s;
	int err;

	c.fd = -1;
	err = srv_open(&s);
	TEST_ERR(err);
	err = client_open(&c, "127.0.0.1");
	TEST_ERR(err);

	offer_msg(msg, sizeof(msg), "o1");
	req_str(&c, &s, msg);
	TEST_CONTAINS(c.reply, "o1 d6:result2:ok3:sdp");

	ng_set_draining(s.ng, true);
	offer_msg(msg, sizeof(msg), "o2");            /* ngc-1 again */
	req_str(&c, &s, msg);
	TEST_CONTAINS(c.reply, "o2 d6:result2:ok3:sdp");

	(void)re_snprintf(msg, sizeof(msg), "o3 d7:command5:offer"
			  "7:call-id5:ngc-28:from-tag2:t13:sdp%zu:%se",
			  strlen(OFFER_SDP), OFFER_SDP);
	req_str(&c, &s, msg);
	TEST_STRCMP("o3 d6:result5:error12:error-reason8:draininge",
		    c.reply);
	TEST_EQUALS(1, relay_call_count(s.relay));

	req_str(&c, &s, "d1 d7:command6:delete7:call-id5:ngc-1e");
	TEST_STRCMP("d1 d6:result2:oke", c.reply);

	ng_set_draining(s.ng, false);
	req_str(&c, &s, msg + 0);   /* same cookie: the cached refusal */
	TEST_CONTAINS(c.reply, "draining");

	req_str(&c, &s, "p1 d7:command4:pinge");

 out:
	client_close(&c);
	srv_close(&s);
	return err;
}
