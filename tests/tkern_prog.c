/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tkern_prog.c  Tests: the TURN kernel path's TC program, run by
 *                     the kernel on crafted packets (BPF_PROG_TEST_RUN)
 *
 * The program is loaded from the bytes linked into the daemon, its maps
 * are filled as tkern.c fills them, and each packet's verdict and
 * rewritten bytes are checked: ChannelData to a plain datagram and
 * back, with checksums that a receiver accepts (computed here from
 * scratch), and every unusual packet left alone for userspace. Needs
 * CAP_BPF (root): exits 77 without it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tcpkt.h"
#include "tkern_map.h"

extern const unsigned char tkern_obj[];
extern const size_t tkern_obj_len;

enum {
	HDRS = ETH_HLEN + sizeof(struct iphdr) + sizeof(struct udphdr),
	CHAN = 0x4000,
	IFINDEX = 1,
};

struct prog {
	struct bpf_object *obj;
	int fd, chan_fd, peer_fd;
};

static const char *CLI = "203.0.113.10", *SRV = "203.0.113.1";
static const char *RELAY = "198.51.100.1", *PEER = "198.51.100.10";
static const uint16_t CLI_PORT = 50000, SRV_PORT = 3478;
static const uint16_t RELAY_PORT = 30000, PEER_PORT = 3480;


static uint32_t ip(const char *s)
{
	struct in_addr a;

	(void)inet_pton(AF_INET, s, &a);
	return a.s_addr;
}


/* the UDP checksum field as a local sender leaves it to offload
 * (CHECKSUM_PARTIAL): the pseudo header's sum, not complemented */
static void csum_partial_set(struct tcpkt *p)
{
	const struct iphdr *iph = (const void *)(p->b + ETH_HLEN);
	struct udphdr *uh = (void *)(p->b + ETH_HLEN + sizeof(*iph));
	uint32_t s = tcpkt_sum16(&iph->saddr, 8, 0);

	s += IPPROTO_UDP + ntohs(uh->len);
	uh->check = htons((uint16_t)~tcpkt_fold(s));
}


/* a datagram src -> dst with payload pl; the UDP checksum set if csum */
static void pkt_make(struct tcpkt *p, const char *src, uint16_t sport,
		     const char *dst, uint16_t dport, const uint8_t *pl,
		     uint16_t len, int csum)
{
	struct ethhdr *eth = (void *)p->b;
	struct iphdr *iph = (void *)(p->b + ETH_HLEN);
	struct udphdr *uh = (void *)(iph + 1);

	memset(p, 0, sizeof(*p));
	memset(eth->h_dest, 0x02, ETH_ALEN);
	memset(eth->h_source, 0x04, ETH_ALEN);
	eth->h_proto = htons(ETH_P_IP);
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 63;
	iph->protocol = IPPROTO_UDP;
	iph->tot_len = htons((uint16_t)(sizeof(*iph) + sizeof(*uh) + len));
	iph->saddr = ip(src);
	iph->daddr = ip(dst);
	iph->check = htons(tcpkt_fold(tcpkt_sum16(iph, sizeof(*iph), 0)));
	uh->source = htons(sport);
	uh->dest = htons(dport);
	uh->len = htons((uint16_t)(sizeof(*uh) + len));
	memcpy(uh + 1, pl, len);
	p->len = HDRS + len;
	if (csum) {
		uint16_t c = tcpkt_udp_verify(p);

		uh->check = htons(c ? c : 0xffff);
	}
}


/* ChannelData from the client: number, length, data (padded by pad) */
static void cdata_make(struct tcpkt *p, uint16_t num, uint16_t dlen,
		       uint16_t pad, int csum)
{
	uint8_t pl[TCPKT_MAX];

	pl[0] = (uint8_t)(num >> 8);
	pl[1] = (uint8_t)num;
	pl[2] = (uint8_t)(dlen >> 8);
	pl[3] = (uint8_t)dlen;
	for (unsigned i = 0; i < (unsigned)dlen + pad; i++)
		pl[4 + i] = (uint8_t)(i * 7 + 1);

	pkt_make(p, CLI, CLI_PORT, SRV, SRV_PORT, pl,
		 (uint16_t)(4 + dlen + pad), csum);
}


static int run(const struct prog *pr, struct tcpkt *in, struct tcpkt *out,
	       uint32_t *ret)
{
	return tcpkt_run(pr->fd, in, out, ret, 0);
}


static void entries_add(const struct prog *pr, uint32_t mtu)
{
	struct tkern_ckey ck = {0};
	struct tkern_cval cv = {0};
	struct tkern_pkey pk = {0};
	struct tkern_pval pv = {0};

	ck.cli_ip = ip(CLI);
	ck.cli_port = htons(CLI_PORT);
	ck.srv_ip = ip(SRV);
	ck.srv_port = htons(SRV_PORT);
	ck.chan = CHAN;
	cv.relay_ip = ip(RELAY);
	cv.relay_port = htons(RELAY_PORT);
	cv.peer_ip = ip(PEER);
	cv.peer_port = htons(PEER_PORT);
	cv.ifindex = IFINDEX;
	cv.mtu = mtu;

	pk.peer_ip = cv.peer_ip;
	pk.peer_port = cv.peer_port;
	pk.relay_ip = cv.relay_ip;
	pk.relay_port = cv.relay_port;
	pv.srv_ip = ck.srv_ip;
	pv.srv_port = ck.srv_port;
	pv.cli_ip = ck.cli_ip;
	pv.cli_port = ck.cli_port;
	pv.chan = CHAN;
	pv.ifindex = IFINDEX;
	pv.mtu = mtu;

	(void)bpf_map_update_elem(pr->chan_fd, &ck, &cv, BPF_ANY);
	(void)bpf_map_update_elem(pr->peer_fd, &pk, &pv, BPF_ANY);
}


static uint64_t counted(const struct prog *pr, int to_peer)
{
	struct tkern_ckey ck = {0};
	struct tkern_cval cv = {0};
	struct tkern_pkey pk = {0};
	struct tkern_pval pv = {0};

	if (to_peer) {
		ck.cli_ip = ip(CLI);
		ck.cli_port = htons(CLI_PORT);
		ck.srv_ip = ip(SRV);
		ck.srv_port = htons(SRV_PORT);
		ck.chan = CHAN;
		(void)bpf_map_lookup_elem(pr->chan_fd, &ck, &cv);
		return cv.pkts;
	}

	pk.peer_ip = ip(PEER);
	pk.peer_port = htons(PEER_PORT);
	pk.relay_ip = ip(RELAY);
	pk.relay_port = htons(RELAY_PORT);
	(void)bpf_map_lookup_elem(pr->peer_fd, &pk, &pv);

	return pv.pkts;
}


/* the headers of a rewritten packet, and its checksums */
static int headers_ok(const struct tcpkt *p, const char *src, uint16_t sport,
		      const char *dst, uint16_t dport, uint16_t ulen)
{
	const struct iphdr *iph = (const void *)(p->b + ETH_HLEN);
	const struct udphdr *uh = (const void *)(iph + 1);

	return p->len == (uint32_t)HDRS + ulen &&
		iph->saddr == ip(src) && iph->daddr == ip(dst) &&
		ntohs(iph->tot_len) == sizeof(*iph) + sizeof(*uh) + ulen &&
		tcpkt_fold(tcpkt_sum16(iph, sizeof(*iph), 0)) == 0 &&
		uh->source == htons(sport) && uh->dest == htons(dport) &&
		ntohs(uh->len) == sizeof(*uh) + ulen;
}


static void test_to_peer(const struct prog *pr, uint16_t dlen)
{
	struct tcpkt in, out;
	uint64_t n = counted(pr, 1);
	uint32_t ret;

	cdata_make(&in, CHAN, dlen, 0, 1);
	TCPKT_CHECK(!run(pr, &in, &out, &ret), "test run");
	TCPKT_CHECK(ret == TC_ACT_REDIRECT, "ChannelData is redirected");
	TCPKT_CHECK(headers_ok(&out, RELAY, RELAY_PORT, PEER, PEER_PORT, dlen),
	      "to the peer: addresses, lengths, IP checksum");
	TCPKT_CHECK(tcpkt_udp_verify(&out) == 0, "to the peer: UDP checksum");
	TCPKT_CHECK(!memcmp(out.b + HDRS, in.b + HDRS + 4, dlen),
	      "to the peer: the data, without the header");
	TCPKT_CHECK(counted(pr, 1) == n + 1, "counted to the peer");
	printf("ok - ChannelData of %u bytes to the peer\n", dlen);
}


static void test_to_client(const struct prog *pr, uint16_t dlen, int csum)
{
	struct udphdr *uh;
	struct tcpkt in, out;
	uint8_t pl[TCPKT_MAX];
	uint64_t n = counted(pr, 0);
	uint32_t ret;

	for (unsigned i = 0; i < dlen; i++)
		pl[i] = (uint8_t)(i * 13 + 5);
	pkt_make(&in, PEER, PEER_PORT, RELAY, RELAY_PORT, pl, dlen, csum);
	TCPKT_CHECK(!run(pr, &in, &out, &ret), "test run");
	TCPKT_CHECK(ret == TC_ACT_REDIRECT, "a datagram from the peer is redirected");
	TCPKT_CHECK(headers_ok(&out, SRV, SRV_PORT, CLI, CLI_PORT,
			 (uint16_t)(dlen + 4)),
	      "to the client: addresses, lengths, IP checksum");
	uh = (void *)(out.b + ETH_HLEN + sizeof(struct iphdr));
	if (csum)
		TCPKT_CHECK(tcpkt_udp_verify(&out) == 0, "to the client: UDP checksum");
	else
		TCPKT_CHECK(uh->check == 0, "no checksum stays none");
	TCPKT_CHECK(out.b[HDRS] == CHAN >> 8 && out.b[HDRS + 1] == (CHAN & 0xff) &&
	      out.b[HDRS + 2] == dlen >> 8 && out.b[HDRS + 3] == (dlen & 0xff),
	      "to the client: the ChannelData header");
	TCPKT_CHECK(!memcmp(out.b + HDRS + 4, pl, dlen), "to the client: the data");
	TCPKT_CHECK(counted(pr, 0) == n + 1, "counted to the client");
	printf("ok - %u bytes from the peer to the client%s\n", dlen,
	       csum ? "" : " (no UDP checksum)");
}


/* a packet the program must leave to userspace, unchanged */
static void test_pass(const struct prog *pr, struct tcpkt *in,
		      const char *what)
{
	struct tcpkt out;
	uint64_t a = counted(pr, 1), b = counted(pr, 0);
	uint32_t ret;

	TCPKT_CHECK(!run(pr, in, &out, &ret), "test run");
	TCPKT_CHECK(ret == (uint32_t)TC_ACT_UNSPEC, what);
	TCPKT_CHECK(out.len == in->len && !memcmp(out.b, in->b, in->len), what);
	TCPKT_CHECK(counted(pr, 1) == a && counted(pr, 0) == b, what);
	printf("ok - left to userspace: %s\n", what);
}


static void tests_pass(const struct prog *pr)
{
	struct tcpkt p;
	struct iphdr *iph = (void *)(p.b + ETH_HLEN);
	uint8_t pl[TCPKT_MAX] = {0};

	cdata_make(&p, CHAN, 100, 3, 1);
	test_pass(pr, &p, "ChannelData with padding");
	cdata_make(&p, CHAN + 1, 100, 0, 1);
	test_pass(pr, &p, "an unbound channel");
	cdata_make(&p, 0x3fff, 100, 0, 1);
	test_pass(pr, &p, "a number below 0x4000 (STUN, say)");
	cdata_make(&p, CHAN, 100, 0, 1);
	p.b[HDRS + 3] = 101;
	test_pass(pr, &p, "a length beyond the datagram");
	cdata_make(&p, CHAN, 100, 0, 1);
	p.b[HDRS + 3] = 99;
	test_pass(pr, &p, "a length short of the datagram");
	cdata_make(&p, CHAN, 100, 0, 1);
	p.b[ETH_HLEN + 21] ^= 1;  /* another client port */
	test_pass(pr, &p, "another client port");
	cdata_make(&p, CHAN, 100, 0, 1);
	iph->frag_off = htons(0x2000);
	test_pass(pr, &p, "a first fragment (MF)");
	cdata_make(&p, CHAN, 100, 0, 1);
	iph->frag_off = htons(0x0010);
	test_pass(pr, &p, "a later fragment");
	cdata_make(&p, CHAN, 100, 0, 1);
	iph->ihl = 6;
	test_pass(pr, &p, "IP options");
	cdata_make(&p, CHAN, 100, 0, 1);
	iph->protocol = IPPROTO_TCP;
	test_pass(pr, &p, "not UDP");
	cdata_make(&p, CHAN, 100, 0, 1);
	iph->tot_len = htons(ntohs(iph->tot_len) + 8);
	test_pass(pr, &p, "an IP length beyond the frame (truncated)");
	cdata_make(&p, CHAN, 100, 0, 1);
	csum_partial_set(&p);
	test_pass(pr, &p, "ChannelData with its checksum left to offload");
	pkt_make(&p, PEER, PEER_PORT, RELAY, RELAY_PORT, pl, 100, 1);
	csum_partial_set(&p);
	test_pass(pr, &p, "a peer's datagram with its checksum left to offload");
	cdata_make(&p, CHAN, 100, 0, 1);
	p.len += 6;  /* bytes after the datagram */
	test_pass(pr, &p, "bytes after the IP datagram");
	pkt_make(&p, CLI, CLI_PORT, SRV, SRV_PORT, pl, 2, 1);
	test_pass(pr, &p, "2 bytes of payload");
	pkt_make(&p, CLI, CLI_PORT, SRV, SRV_PORT, pl, 0, 1);
	test_pass(pr, &p, "an empty datagram");
	pkt_make(&p, PEER, PEER_PORT + 1, RELAY, RELAY_PORT, pl, 100, 1);
	test_pass(pr, &p, "a peer port without a channel");
	p.len = HDRS - 2;
	test_pass(pr, &p, "a frame shorter than the headers");
}


static void test_mtu(const struct prog *pr)
{
	struct tcpkt p;
	uint8_t pl[TCPKT_MAX] = {0};

	pkt_make(&p, PEER, PEER_PORT, RELAY, RELAY_PORT, pl, 1472, 1);
	test_pass(pr, &p, "1472 bytes from the peer: over the MTU with the "
		  "header");
	test_to_client(pr, 1468, 1);
}


static int prog_load(struct prog *pr)
{
	struct bpf_program *p;
	int err;

	pr->obj = bpf_object__open_mem(tkern_obj, tkern_obj_len, NULL);
	if (!pr->obj)
		return errno;

	err = bpf_object__load(pr->obj);
	if (err)
		return -err;

	p = bpf_object__find_program_by_name(pr->obj, "tkern_ingress");
	pr->fd = p ? bpf_program__fd(p) : -1;
	pr->chan_fd = bpf_object__find_map_fd_by_name(pr->obj, "tkern_chan");
	pr->peer_fd = bpf_object__find_map_fd_by_name(pr->obj, "tkern_peer");

	return pr->fd < 0 || pr->chan_fd < 0 || pr->peer_fd < 0 ? ENOENT : 0;
}


int main(void)
{
	struct prog pr;
	int err;

	err = tcpkt_start();
	if (err)
		return err;

	err = prog_load(&pr);
	if (err) {
		printf("FAIL: cannot load the TC program: %s\n",
		       strerror(err));
		return 1;
	}

	entries_add(&pr, 1500);
	test_to_peer(&pr, 172);
	test_to_peer(&pr, 101);
	test_to_peer(&pr, 0);
	test_to_client(&pr, 172, 1);
	test_to_client(&pr, 101, 1);
	test_to_client(&pr, 160, 0);
	tests_pass(&pr);
	test_mtu(&pr);

	return tcpkt_end(pr.obj);
}
