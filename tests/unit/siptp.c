/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file siptp.c  Test of requests over own streams to a named next hop:
 *                a DNS responder over loopback UDP, a peer transport
 *                that answers, the edge's transport resolving
 */
#include <string.h>
#include <re.h>
#include "sipconn.h"
#include "sipstream.h"
#include "siptp.h"
#include "test.h"


enum { TP_REQS = 4 };

/** The edge's transport, a peer's, and a DNS responder for both */
struct tp_rig {
	struct sipstream_prm lim;    /**< Stream limits               */
	struct udp_sock *dns;        /**< The responder               */
	struct dnsc *dnsc;           /**< Edge's client               */
	struct sip *sip[2];          /**< libre's stacks (UDP unused) */
	struct siptp *tp[2];         /**< Edge, peer                  */
	struct siptp_req *req[TP_REQS]; /**< The edge's requests      */
	char log[TP_REQS][TEST_RESP_LOG]; /**< What each one heard    */
	char peer[64];               /**< Methods the peer got        */
	uint16_t port;               /**< The peer's port             */
	uint32_t slow;               /**< Questions left unanswered   */
	struct tmr tmr;              /**< The end                     */
};


static void rr_set(struct dnsrr *rr, const char *name, uint16_t type)
{
	memset(rr, 0, sizeof(*rr));
	rr->name = (char *)name;
	rr->type = type;
	rr->dnsclass = DNS_CLASS_IN;
	rr->ttl = 60;
}


/* peer.test is 127.0.0.1; _sip._tcp.srv.test points at it, its address
 * in the additional records; slow.test is never answered; any other
 * name does not exist */
static void dns_answer(struct tp_rig *r, const struct sa *src,
		       struct dnshdr *hdr, const char *name, uint16_t type)
{
	struct dnsrr an, ad;
	struct mbuf *mb;
	int err;

	rr_set(&an, name, type);
	rr_set(&ad, "peer.test", DNS_TYPE_A);
	an.rdata.a.addr = ad.rdata.a.addr = 0x7f000001;
	an.rdata.srv.port = r->port;
	an.rdata.srv.target = (char *)"peer.test";

	hdr->qr = hdr->ra = true;
	hdr->nq = 1;
	hdr->nans = hdr->nauth = hdr->nadd = 0;
	hdr->rcode = DNS_RCODE_OK;
	if (!str_casecmp(name, "peer.test") && type == DNS_TYPE_A)
		hdr->nans = 1;
	else if (!str_casecmp(name, "_sip._tcp.srv.test") &&
		 type == DNS_TYPE_SRV)
		hdr->nans = hdr->nadd = 1;
	else
		hdr->rcode = DNS_RCODE_NAME_ERR;

	mb = mbuf_alloc(512);
	if (!mb)
		return;

	err  = dns_hdr_encode(mb, hdr);
	err |= dns_dname_encode(mb, name, NULL, 0, false);
	err |= mbuf_write_u16(mb, htons(type));
	err |= mbuf_write_u16(mb, htons(DNS_CLASS_IN));
	err |= hdr->nans ? dns_rr_encode(mb, &an, 0, NULL, 0) : 0;
	err |= hdr->nadd ? dns_rr_encode(mb, &ad, 0, NULL, 0) : 0;
	mb->pos = 0;
	if (!err)
		(void)udp_send(r->dns, src, mb);

	mem_deref(mb);
}


static void dns_recv(const struct sa *src, struct mbuf *mb, void *arg)
{
	struct tp_rig *r = arg;
	struct dnshdr hdr;
	const size_t start = mb->pos;
	char *name = NULL;
	uint16_t type;

	if (dns_hdr_decode(mb, &hdr) || hdr.qr ||
	    dns_dname_decode(mb, &name, start) || mbuf_get_left(mb) < 4)
		goto out;

	type = ntohs(mbuf_read_u16(mb));
	if (!str_casecmp(name, "slow.test"))
		++r->slow;
	else
		dns_answer(r, src, &hdr, name, type);

 out:
	mem_deref(name);
}


static void peer_req_h(const struct sip_msg *msg, void *arg)
{
	struct tp_rig *r = arg;
	size_t n = strlen(r->peer);

	(void)re_snprintf(r->peer + n, sizeof(r->peer) - n, "%r ",
			  &msg->met);
	if (pl_strcmp(&msg->met, "ACK"))
		(void)siptp_reply(r->tp[1], msg, 200, "OK");
}


static void end_h(void *arg)
{
	(void)arg;
	re_cancel();
}


static int request(struct tp_rig *r, int i, bool stateful,
		   const char *met, const char *host, bool port)
{
	char uri[96];
	struct mbuf *mb = mbuf_alloc(256);
	int err;

	if (!mb)
		return ENOMEM;

	if (port)
		(void)re_snprintf(uri, sizeof(uri), "sip:p@%s:%u;"
				  "transport=tcp", host, r->port);
	else
		(void)re_snprintf(uri, sizeof(uri), "sip:p@%s;"
				  "transport=tcp", host);

	err = mbuf_printf(mb, "From: <sip:e@127.0.0.1>;tag=e%d\r\n"
			  "To: <%s>\r\nCall-ID: tp%d\r\nCSeq: 1 %s\r\n"
			  "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
			  i, uri, i, met);
	mb->pos = 0;
	if (!err)
		err = siptp_request(stateful ? &r->req[i] : NULL, r->tp[0],
				    stateful, met, uri, NULL, mb, 0, NULL,
				    stateful ? test_resp_log : NULL, r->log[i]);
	mem_deref(mb);

	return err;
}


static int rig_tp(struct tp_rig *r, int i, siptp_msg_h *reqh)
{
	struct siptp_prm prm;
	struct sa laddr;
	int err;

	err = sip_alloc(&r->sip[i], r->dnsc, 4, 4, 4, "umtest", NULL, NULL);
	if (err)
		return err;

	memset(&prm, 0, sizeof(prm));
	prm.sip = r->sip[i];
	prm.dnsc = r->dnsc;
	prm.own = true;
	prm.server = "umtest";
	prm.lim = &r->lim;
	prm.reqh = reqh;
	prm.arg = r;
	(void)sa_set_str(&laddr, "127.0.0.1", 0);
	err = siptp_alloc(&r->tp[i], &prm);
	if (!err)
		err = siptp_listen(r->tp[i], &laddr, NULL);

	return err;
}


static int rig_up(struct tp_rig *r)
{
	struct sa laddr;
	int err;

	r->lim.conn.max_msg = 4096;
	r->lim.conn.first_ms = r->lim.conn.msg_ms = 5000;
	r->lim.conn.idle_ms = 5000;
	r->lim.conn.linger_ms = 100;
	r->lim.conn.allow = "INVITE";
	r->lim.max_conns = r->lim.max_per_source = 8;

	(void)sa_set_str(&laddr, "127.0.0.1", 0);
	err = udp_listen(&r->dns, &laddr, dns_recv, r);
	if (!err)
		err = udp_local_get(r->dns, &laddr);
	if (!err)
		err = dnsc_alloc(&r->dnsc, NULL, &laddr, 1);
	if (!err)
		err = rig_tp(r, 0, NULL);
	if (!err)
		err = rig_tp(r, 1, peer_req_h);
	if (!err)
		err = siptp_laddr(r->tp[1], &laddr, SIP_TRANSP_TCP, NULL);
	if (!err)
		r->port = sa_port(&laddr);

	return err;
}


static void rig_down(struct tp_rig *r)
{
	tmr_cancel(&r->tmr);
	for (int i = 0; i < TP_REQS; i++)
		mem_deref(r->req[i]);
	for (int i = 0; i < 2; i++) {
		mem_deref(r->tp[i]);
		if (r->sip[i])
			sip_close(r->sip[i], true);
		mem_deref(r->sip[i]);
	}
	mem_deref(r->dnsc);
	mem_deref(r->dns);
}


/* A next hop by A, by SRV (address from the additional records), one
 * that does not exist (the handler hears it later, never within the
 * call), one dropped while its lookup is pending (nothing heard, nothing
 * left behind), an ACK without a transaction by name, and one still
 * resolving when the transport goes */
int test_siptp_names(void)
{
	struct tp_rig r;
	char want[16];
	int err = 0;

	memset(&r, 0, sizeof(r));
	TEST_ERR(rig_up(&r));

	TEST_ERR(request(&r, 0, true, "OPTIONS", "peer.test", true));
	TEST_ERR(request(&r, 1, true, "OPTIONS", "srv.test", false));
	TEST_ERR(request(&r, 2, true, "OPTIONS", "nx.test", true));
	TEST_STRCMP("", r.log[2]);
	TEST_ASSERT(r.req[2] != NULL);
	TEST_ERR(request(&r, 3, true, "OPTIONS", "slow.test", true));
	TEST_ASSERT(r.req[3] != NULL);
	r.req[3] = mem_deref(r.req[3]);
	TEST_ERR(request(&r, 0, false, "ACK", "peer.test", true));
	TEST_ERR(request(&r, 0, false, "ACK", "slow.test", true));

	tmr_start(&r.tmr, 400, end_h, &r);
	TEST_ERR(re_main(NULL));

	TEST_STRCMP("200 ", r.log[0]);
	TEST_STRCMP("200 ", r.log[1]);
	(void)re_snprintf(want, sizeof(want), "e%d ", EDESTADDRREQ);
	TEST_STRCMP(want, r.log[2]);
	TEST_STRCMP("", r.log[3]);
	TEST_CONTAINS(r.peer, "ACK ");
	TEST_EQUALS(2, r.slow);
	TEST_ASSERT(r.req[0] == NULL && r.req[1] == NULL &&
		    r.req[2] == NULL);

 out:
	rig_down(&r);
	return err;
}
