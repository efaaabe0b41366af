/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file mkern_prog.c  Tests: the media relay's TC program, run by the
 *                     kernel on crafted packets (BPF_PROG_TEST_RUN)
 *
 * The program is loaded from the bytes linked into the relay library,
 * its maps are filled as a worker would fill them, and each packet's
 * verdict, rewritten bytes (checksums computed here from scratch, IPv4
 * and IPv6) and counters are checked; every packet the worker must
 * judge goes on unchanged with its punt reason counted. For sequences
 * of RTP headers at irregular arrival times (the program's test clock,
 * mk_test_now_ns) the slot must equal what rtpstat_update() computes
 * from the same headers and times, field by field (docs/design/
 * mediabpf.md 10.1). Needs CAP_BPF (root): exits 77 without it.
 *
 * With MKERN_BENCH=N (scripts/bench-mkern) it tests nothing: it times
 * the forward path instead, N runs of one IPv4 RTP packet that two
 * flows send back and forth (each run rewrites, counts and redirects
 * it), and prints "ns_per_packet D"; an object file as argument is
 * loaded instead of the linked program (another version of it).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tcpkt.h"
#include "rtpstat.h"
#include "mkern_map.h"
#include <re.h>
#include "mkern.h"

extern const unsigned char mkern_obj[];
extern const size_t mkern_obj_len;

enum {
	IFINDEX = 1,
	MTU     = 1500,
	SSRC    = 0x11223344,
	SLOT_FREE = 10,        /* first slot of the sequence tests */
};

struct prog {
	struct bpf_object *obj;
	int fd, flows_fd, stats_fd, cnt_fd, bss_fd;
	int ncpu;
};

/** An address and port */
struct ep {
	const char *addr;
	uint16_t port;
};

/** One direction of a flow: what arrives, how it leaves, its slot */
struct dir {
	struct ep from, to, out_src, out_dst;
	uint32_t slot;
};

/* peer A <-> our A (RTP, RTCP), our B <-> peer B; IPv4 and IPv6 */
static const struct dir D4[2] = {
	{{"203.0.113.10", 40000}, {"203.0.113.1", 30000},
	 {"198.51.100.1", 30002}, {"198.51.100.10", 40002}, 0},
	{{"198.51.100.10", 40002}, {"198.51.100.1", 30002},
	 {"203.0.113.1", 30000}, {"203.0.113.10", 40000}, 1},
};
static const struct dir D6[2] = {
	{{"2001:db8:a::10", 40000}, {"2001:db8:a::1", 30000},
	 {"2001:db8:b::1", 30002}, {"2001:db8:b::10", 40002}, 2},
	{{"2001:db8:b::10", 40002}, {"2001:db8:b::1", 30002},
	 {"2001:db8:a::1", 30000}, {"2001:db8:a::10", 40000}, 3},
};
static const struct dir DRTCP = {
	{"203.0.113.10", 40001}, {"203.0.113.1", 30001},
	{"198.51.100.1", 30003}, {"198.51.100.10", 40003}, 4,
};

static uint64_t now_ns = 123456789012345ull;  /* the test clock */
static uint16_t next_seq = 100;


static bool is6(const struct ep *e)
{
	return strchr(e->addr, ':') != NULL;
}


/* the address in network order, in 16 bytes (IPv4: the first 4) */
static void addr_get(const struct ep *e, uint32_t a[4])
{
	memset(a, 0, 16);
	(void)inet_pton(is6(e) ? AF_INET6 : AF_INET, e->addr, a);
}


static void ip_headers(struct tcpkt *p, const struct ep *src,
		       const struct ep *dst, uint16_t ulen)
{
	struct iphdr *iph = (void *)(p->b + ETH_HLEN);
	struct ipv6hdr *ip6 = (void *)(p->b + ETH_HLEN);
	uint32_t s[4], d[4];

	addr_get(src, s);
	addr_get(dst, d);
	if (is6(src)) {
		ip6->version = 6;
		ip6->priority = 0xb;            /* kept by the program */
		ip6->flow_lbl[0] = 0x0e;
		ip6->flow_lbl[2] = 0x42;
		ip6->payload_len = htons(ulen);
		ip6->nexthdr = IPPROTO_UDP;
		ip6->hop_limit = 63;
		memcpy(&ip6->saddr, s, 16);
		memcpy(&ip6->daddr, d, 16);
		return;
	}

	iph->version = 4;
	iph->ihl = 5;
	iph->tos = 0xb8;                        /* kept by the program */
	iph->id = htons(0x1234);
	iph->ttl = 63;
	iph->protocol = IPPROTO_UDP;
	iph->tot_len = htons((uint16_t)(sizeof(*iph) + ulen));
	iph->saddr = s[0];
	iph->daddr = d[0];
	iph->check = htons(tcpkt_fold(tcpkt_sum16(iph, sizeof(*iph), 0)));
}


/* a datagram src -> dst with payload pl; the UDP checksum set if csum */
static void pkt_make(struct tcpkt *p, const struct ep *src,
		     const struct ep *dst, const uint8_t *pl, uint16_t len,
		     int csum)
{
	struct ethhdr *eth = (void *)p->b;
	struct udphdr *uh;
	uint16_t ulen = (uint16_t)(sizeof(*uh) + len);

	memset(p, 0, sizeof(*p));
	memset(eth->h_dest, 0x02, ETH_ALEN);
	memset(eth->h_source, 0x04, ETH_ALEN);
	eth->h_proto = htons(is6(src) ? ETH_P_IPV6 : ETH_P_IP);
	ip_headers(p, src, dst, ulen);
	uh = (void *)(p->b + tcpkt_l4_off(p));
	uh->source = htons(src->port);
	uh->dest = htons(dst->port);
	uh->len = htons(ulen);
	memcpy(uh + 1, pl, len);
	p->len = (uint32_t)tcpkt_l4_off(p) + ulen;
	if (csum) {
		uint16_t c = tcpkt_udp_verify(p);

		uh->check = htons(c ? c : 0xffff);
	}
}


/* an RTP header (version 2, PT 0) and a payload pattern */
static void rtp_make(uint8_t *pl, uint16_t len, uint16_t seq, uint32_t ts,
		     uint32_t ssrc)
{
	for (unsigned i = 0; i < len; i++)
		pl[i] = (uint8_t)(i * 13 + 5);
	if (len < 12)
		return;

	pl[0] = 0x80;
	pl[1] = 0;
	pl[2] = (uint8_t)(seq >> 8);
	pl[3] = (uint8_t)seq;
	for (int i = 0; i < 4; i++) {
		pl[4 + i] = (uint8_t)(ts >> (24 - 8 * i));
		pl[8 + i] = (uint8_t)(ssrc >> (24 - 8 * i));
	}
}


static void rtp_pkt(struct tcpkt *p, const struct dir *d, uint16_t len,
		    uint16_t seq, uint32_t ts, uint32_t ssrc)
{
	uint8_t pl[TCPKT_MAX];

	rtp_make(pl, len, seq, ts, ssrc);
	pkt_make(p, &d->from, &d->to, pl, len, 1);
}


/* n bytes of zeros inserted at off (an IP option, an IPv6 header) */
static void pkt_insert(struct tcpkt *p, size_t off, size_t n)
{
	memmove(p->b + off + n, p->b + off, p->len - off);
	memset(p->b + off, 0, n);
	p->len += (uint32_t)n;
}


static int run(const struct prog *pr, struct tcpkt *in, struct tcpkt *out,
	       uint32_t *ret, uint32_t gso_size)
{
	return tcpkt_run(pr->fd, in, out, ret, gso_size);
}


static void clock_set(const struct prog *pr, uint64_t ns)
{
	uint32_t k = 0;

	now_ns = ns;
	(void)bpf_map_update_elem(pr->bss_fd, &k, &now_ns, BPF_ANY);
}


static void flow_put(const struct prog *pr, const struct dir *d,
		     uint16_t flags, uint32_t clock_rate, uint32_t gen,
		     uint16_t mtu)
{
	struct mk_key k;
	struct mk_flow f;

	memset(&k, 0, sizeof(k));
	memset(&f, 0, sizeof(f));
	addr_get(&d->from, k.saddr);
	addr_get(&d->to, k.daddr);
	k.sport = htons(d->from.port);
	k.dport = htons(d->to.port);
	k.family = is6(&d->from) ? MK_FAM6 : MK_FAM4;
	addr_get(&d->out_src, f.saddr);
	addr_get(&d->out_dst, f.daddr);
	f.sport = htons(d->out_src.port);
	f.dport = htons(d->out_dst.port);
	f.ifindex = IFINDEX;
	f.mtu = mtu;
	f.flags = flags;
	f.clock_rate = clock_rate;
	f.slot = d->slot;
	f.gen = gen;
	addr_get(&d->out_dst, f.nh);
	(void)bpf_map_update_elem(pr->flows_fd, &k, &f, BPF_ANY);
}


static void slot_put(const struct prog *pr, uint32_t slot,
		     const struct mk_stat *st)
{
	(void)bpf_map_update_elem(pr->stats_fd, &slot, st, BPF_F_LOCK);
}


static void slot_reset(const struct prog *pr, uint32_t slot, uint32_t gen)
{
	struct mk_stat st;

	memset(&st, 0, sizeof(st));
	st.gen = gen;
	slot_put(pr, slot, &st);
}


static void slot_get(const struct prog *pr, uint32_t slot,
		     struct mk_stat *st)
{
	memset(st, 0, sizeof(*st));
	(void)bpf_map_lookup_elem_flags(pr->stats_fd, &slot, st, BPF_F_LOCK);
}


/* mk_prog's counters, summed over the CPUs */
static void cnt_get(const struct prog *pr, uint64_t c[MK_CNT_N])
{
	uint64_t v[pr->ncpu];

	for (uint32_t i = 0; i < MK_CNT_N; i++) {
		c[i] = 0;
		memset(v, 0, sizeof(v));
		(void)bpf_map_lookup_elem(pr->cnt_fd, &i, v);
		for (int j = 0; j < pr->ncpu; j++)
			c[i] += v[j];
	}
}


static bool rtpstat_same(const struct rtpstat *a, const struct rtpstat *b)
{
	return a->ssrc == b->ssrc && a->init == b->init &&
		a->max_seq == b->max_seq && a->cycles == b->cycles &&
		a->base_seq == b->base_seq && a->received == b->received &&
		a->transit == b->transit && a->jitter == b->jitter;
}


/* the IP header of a rewritten packet: addresses, TTL, the rest kept */
static bool ip_ok(const struct tcpkt *in, const struct tcpkt *out,
		  const struct dir *d)
{
	const struct iphdr *a = (const void *)(in->b + ETH_HLEN);
	const struct iphdr *b = (const void *)(out->b + ETH_HLEN);
	const struct ipv6hdr *a6 = (const void *)a, *b6 = (const void *)b;
	uint32_t s[4], t[4];

	addr_get(&d->out_src, s);
	addr_get(&d->out_dst, t);
	if (tcpkt_v6(in))
		return !memcmp(&b6->saddr, s, 16) &&
			!memcmp(&b6->daddr, t, 16) && b6->hop_limit == 64 &&
			!memcmp(a6, b6, 7);  /* class, label, length, next */

	return b->saddr == s[0] && b->daddr == t[0] && b->ttl == 64 &&
		b->frag_off == htons(0x4000) && b->tos == a->tos &&
		b->id == a->id && b->tot_len == a->tot_len &&
		b->protocol == IPPROTO_UDP && b->ihl == 5 &&
		tcpkt_fold(tcpkt_sum16(b, sizeof(*b), 0)) == 0;
}


/* the whole rewritten packet, but the UDP checksum */
static bool rewrite_ok(const struct tcpkt *in, const struct tcpkt *out,
		       const struct dir *d)
{
	size_t l4 = tcpkt_l4_off(in);
	const struct udphdr *a = (const void *)(in->b + l4);
	const struct udphdr *b = (const void *)(out->b + l4);

	return out->len == in->len && !memcmp(out->b, in->b, ETH_HLEN) &&
		ip_ok(in, out, d) &&
		b->source == htons(d->out_src.port) &&
		b->dest == htons(d->out_dst.port) && b->len == a->len &&
		!memcmp(b + 1, a + 1, in->len - l4 - sizeof(*a));
}


/* a packet of d forwarded: bytes, checksums, the slot's counters */
static void test_fwd_pkt(const struct prog *pr, const struct dir *d,
			 struct tcpkt *in, int rtcp, const char *what)
{
	uint16_t ulen = (uint16_t)(in->len - tcpkt_l4_off(in) - 8);
	const struct udphdr *uh;
	struct mk_stat a, b;
	struct tcpkt out;
	uint32_t ret;

	slot_get(pr, d->slot, &a);
	clock_set(pr, now_ns + 20000000);
	TCPKT_CHECK(!run(pr, in, &out, &ret, 0), "test run");
	TCPKT_CHECK(ret == TC_ACT_REDIRECT, what);
	TCPKT_CHECK(rewrite_ok(in, &out, d), what);
	uh = (const void *)(out.b + tcpkt_l4_off(&out));
	if (((const struct udphdr *)(in->b + tcpkt_l4_off(in)))->check)
		TCPKT_CHECK(tcpkt_udp_verify(&out) == 0, what);
	else
		TCPKT_CHECK(uh->check == 0, what);
	slot_get(pr, d->slot, &b);
	TCPKT_CHECK(b.pkts == a.pkts + 1 && b.bytes == a.bytes + ulen &&
	      b.last_ns == now_ns, what);
	TCPKT_CHECK(b.rtcp == a.rtcp + (rtcp ? 1 : 0), what);
	printf("ok - forwarded: %s\n", what);
}


static void test_fwd(const struct prog *pr, const struct dir *d,
		     uint16_t len, int csum)
{
	char what[128];
	uint8_t pl[TCPKT_MAX];
	struct tcpkt in;

	rtp_make(pl, len, next_seq++, 8000, SSRC);
	pkt_make(&in, &d->from, &d->to, pl, len, csum);
	(void)snprintf(what, sizeof(what), "%s RTP, %u bytes, %s -> %s%s",
		       is6(&d->from) ? "IPv6" : "IPv4", len, d->from.addr,
		       d->out_dst.addr, csum ? "" : ", no UDP checksum");
	test_fwd_pkt(pr, d, &in, 0, what);
}


/*
 * A packet left to userspace: unchanged, counted in mk_prog as why
 * (-1: nothing counted anywhere), and in the slot too if in_slot
 */
static void test_punt(const struct prog *pr, struct tcpkt *in, int why,
		      uint32_t slot, int in_slot, uint32_t gso,
		      const char *what)
{
	uint64_t ca[MK_CNT_N], cb[MK_CNT_N];
	struct mk_stat a, b;
	struct tcpkt out;
	uint32_t ret;

	cnt_get(pr, ca);
	slot_get(pr, slot, &a);
	TCPKT_CHECK(!run(pr, in, &out, &ret, gso), "test run");
	TCPKT_CHECK(ret == (uint32_t)TC_ACT_UNSPEC, what);
	TCPKT_CHECK(out.len == in->len && !memcmp(out.b, in->b, in->len), what);
	cnt_get(pr, cb);
	for (int i = 0; i < MK_CNT_N; i++)
		TCPKT_CHECK(cb[i] == ca[i] + (i == why), what);
	slot_get(pr, slot, &b);
	if (in_slot && why >= 0 && why < MK_PUNT_N)
		++a.punt[why];
	TCPKT_CHECK(!memcmp(&a, &b, sizeof(a)), what);
	printf("ok - left to userspace: %s\n", what);
}


static void tests_fwd(const struct prog *pr)
{
	test_fwd(pr, &D4[0], 172, 1);
	test_fwd(pr, &D4[1], 172, 1);
	test_fwd(pr, &D6[0], 172, 1);
	test_fwd(pr, &D6[1], 172, 1);
	test_fwd(pr, &D4[0], 101, 1);
	test_fwd(pr, &D4[1], 101, 1);
	test_fwd(pr, &D6[0], 101, 1);
	test_fwd(pr, &D6[1], 1101, 1);
	test_fwd(pr, &D4[0], 172, 0);
	test_fwd(pr, &D4[1], 1, 0);
}


static void rtcp_make(struct tcpkt *p, const struct dir *d)
{
	uint8_t pl[28] = {0x80, 200, 0, 6, 0x11, 0x22, 0x33, 0x44};

	pkt_make(p, &d->from, &d->to, pl, sizeof(pl), 1);
}


static void tests_rtcp(const struct prog *pr)
{
	struct tcpkt p;

	rtcp_make(&p, &DRTCP);
	test_fwd_pkt(pr, &DRTCP, &p, 1, "RTCP on flow 1, counted rtcp");

	flow_put(pr, &D4[0], MK_RTP | MK_MUX | MK_SSRC_LEARN, 8000, 1, MTU);
	rtcp_make(&p, &D4[0]);
	test_fwd_pkt(pr, &D4[0], &p, 1, "RTCP on a mux flow, counted rtcp");

	flow_put(pr, &D4[0], MK_RTP | MK_MUX | MK_RTCP_PUNT | MK_SSRC_LEARN,
		 8000, 1, MTU);
	test_punt(pr, &p, MK_PUNT_RTCP, D4[0].slot, 1, 0,
		  "RTCP on a mux flow with MK_RTCP_PUNT");
	rtp_pkt(&p, &D4[0], 172, next_seq++, 8000, SSRC);
	test_fwd_pkt(pr, &D4[0], &p, 0, "RTP on the same mux flow");
	flow_put(pr, &D4[0], MK_RTP | MK_SSRC_LEARN, 8000, 1, MTU);
}


/* packets of no flow: unchanged, nothing counted */
static void tests_foreign(const struct prog *pr)
{
	struct tcpkt p;
	struct dir d = D4[0];

	d.from.port = 40010;
	rtp_pkt(&p, &d, 172, 1, 1, SSRC);
	test_punt(pr, &p, -1, D4[0].slot, 0, 0, "another source port");
	d = D4[0];
	d.from.addr = "203.0.113.11";
	rtp_pkt(&p, &d, 172, 1, 1, SSRC);
	test_punt(pr, &p, -1, D4[0].slot, 0, 0, "another source address");
	d = D6[0];
	d.from.addr = "2001:db8:a::11";
	rtp_pkt(&p, &d, 172, 1, 1, SSRC);
	test_punt(pr, &p, -1, D6[0].slot, 0, 0,
		  "another IPv6 source address");
	d = D4[0];
	d.to.port = 30010;
	rtp_pkt(&p, &d, 172, 1, 1, SSRC);
	test_punt(pr, &p, -1, D4[0].slot, 0, 0, "another of our ports");
	rtp_pkt(&p, &D4[0], 172, 1, 1, SSRC);
	p.b[ETH_HLEN + 9] = IPPROTO_TCP;
	test_punt(pr, &p, -1, D4[0].slot, 0, 0, "not UDP");
	rtp_pkt(&p, &D4[0], 172, 1, 1, SSRC);
	p.len = ETH_HLEN + 24;
	test_punt(pr, &p, -1, D4[0].slot, 0, 0,
		  "a frame cut in the UDP header");
}


static void ip4_sum(struct tcpkt *p)
{
	struct iphdr *iph = (void *)(p->b + ETH_HLEN);

	iph->check = 0;
	iph->check = htons(tcpkt_fold(tcpkt_sum16(iph, (size_t)iph->ihl * 4, 0)));
}


static void tests_frag(const struct prog *pr)
{
	struct tcpkt p;
	struct iphdr *iph = (void *)(p.b + ETH_HLEN);
	struct ipv6hdr *ip6 = (void *)(p.b + ETH_HLEN);

	rtp_pkt(&p, &D4[0], 172, 1, 1, SSRC);
	iph->frag_off = htons(0x2000);
	ip4_sum(&p);
	test_punt(pr, &p, MK_PUNT_FRAG, D4[0].slot, 1, 0,
		  "a first fragment (MF), punt frag");
	iph->frag_off = htons(0x0010);
	ip4_sum(&p);
	test_punt(pr, &p, MK_PUNT_FRAG, D4[0].slot, 0, 0,
		  "a later fragment, punt frag (no slot: no ports)");
	rtp_pkt(&p, &D4[0], 172, 1, 1, SSRC);
	pkt_insert(&p, ETH_HLEN + 20, 4);
	memset(p.b + ETH_HLEN + 20, 1, 4);  /* NOP options */
	iph->ihl = 6;
	iph->tot_len = htons(ntohs(iph->tot_len) + 4);
	ip4_sum(&p);
	test_punt(pr, &p, MK_PUNT_OPTIONS, D4[0].slot, 1, 0,
		  "IPv4 options, punt options");

	rtp_pkt(&p, &D6[0], 172, 1, 1, SSRC);
	pkt_insert(&p, ETH_HLEN + 40, 8);
	p.b[ETH_HLEN + 40] = IPPROTO_UDP;
	ip6->nexthdr = 44;
	ip6->payload_len = htons(ntohs(ip6->payload_len) + 8);
	test_punt(pr, &p, MK_PUNT_EXTHDR, D6[0].slot, 0, 0,
		  "an IPv6 fragment header, punt exthdr");
	ip6->nexthdr = 0;
	p.b[ETH_HLEN + 42] = 1;  /* PadN, 4 bytes */
	p.b[ETH_HLEN + 43] = 4;
	test_punt(pr, &p, MK_PUNT_EXTHDR, D6[0].slot, 0, 0,
		  "an IPv6 hop-by-hop header, punt exthdr");
}


static void tests_ssrc(const struct prog *pr)
{
	struct dir d = D4[0];
	struct mk_stat st;
	struct tcpkt p;

	d.slot = SLOT_FREE - 1;
	slot_reset(pr, d.slot, 3);
	flow_put(pr, &d, MK_RTP, 8000, 3, MTU);
	rtp_pkt(&p, &d, 172, 500, 8000, SSRC);
	test_punt(pr, &p, MK_PUNT_SSRC, d.slot, 1, 0,
		  "RTP, no SSRC in the slot and no MK_SSRC_LEARN");

	flow_put(pr, &d, MK_RTP | MK_SSRC_LEARN, 8000, 3, MTU);
	test_fwd_pkt(pr, &d, &p, 0, "MK_SSRC_LEARN: the first SSRC");
	slot_get(pr, d.slot, &st);
	TCPKT_CHECK(st.init == 1 && st.ssrc == SSRC && st.received == 1 &&
	      st.max_seq == 500, "the SSRC learnt");
	printf("ok - the SSRC learnt\n");
	rtp_pkt(&p, &d, 172, 501, 8160, SSRC + 1);
	test_punt(pr, &p, MK_PUNT_SSRC, d.slot, 1, 0,
		  "MK_SSRC_LEARN, then a second SSRC");

	flow_put(pr, &d, MK_RTP, 8000, 3, MTU);
	rtp_pkt(&p, &d, 172, 501, 8160, SSRC);
	test_fwd_pkt(pr, &d, &p, 0, "the slot's SSRC without MK_SSRC_LEARN");
	rtp_pkt(&p, &d, 172, 502, 8320, 0x55667788);
	test_punt(pr, &p, MK_PUNT_SSRC, d.slot, 1, 0,
		  "another SSRC than the slot's");
	flow_put(pr, &D4[0], MK_RTP | MK_SSRC_LEARN, 8000, 1, MTU);
}


static void tests_size(const struct prog *pr)
{
	struct tcpkt p, out;
	uint32_t ret;

	flow_put(pr, &D4[0], MK_RTP | MK_SSRC_LEARN, 8000, 1, 199);
	rtp_pkt(&p, &D4[0], 172, next_seq++, 8000, SSRC);
	test_punt(pr, &p, MK_PUNT_MTU, D4[0].slot, 1, 0,
		  "200 bytes over an MTU of 199, punt mtu");
	flow_put(pr, &D4[0], MK_RTP | MK_SSRC_LEARN, 8000, 1, 200);
	test_fwd_pkt(pr, &D4[0], &p, 0, "200 bytes, an MTU of 200");
	flow_put(pr, &D4[0], MK_RTP | MK_SSRC_LEARN, 8000, 1, MTU);

	rtp_pkt(&p, &D6[0], 172, next_seq++, 8000, SSRC);
	((struct udphdr *)(p.b + tcpkt_l4_off(&p)))->check = 0;
	test_punt(pr, &p, MK_PUNT_CSUM0, D6[0].slot, 1, 0,
		  "IPv6 with a zero UDP checksum, punt csum0");

	rtp_pkt(&p, &D4[0], 172, next_seq++, 8000, SSRC);
	p.len += 6;  /* bytes after the datagram (Ethernet padding) */
	test_punt(pr, &p, MK_PUNT_LEN, D4[0].slot, 1, 0,
		  "bytes after the IP datagram, punt len");
	rtp_pkt(&p, &D4[0], 172, next_seq++, 8000, SSRC);
	p.b[tcpkt_l4_off(&p) + 5] ^= 4;  /* UDP length */
	test_punt(pr, &p, MK_PUNT_LEN, D4[0].slot, 1, 0,
		  "a UDP length that is not the IP one's, punt len");

	rtp_pkt(&p, &D4[0], 172, next_seq++, 8000, SSRC);
	if (run(pr, &p, &out, &ret, 100)) {
		printf("ok - # SKIP GSO: the kernel's test run takes no "
		       "gso_size\n");
		return;
	}
	test_punt(pr, &p, MK_PUNT_GSO, D4[0].slot, 1, 100,
		  "GSO (gso_size 100), punt gso");
}


/* forwarded, but no RTP state changes: not RTP as rtphdr_decode() says */
static void test_notrtp(const struct prog *pr, const uint8_t *pl,
			uint16_t len, const char *what)
{
	struct mk_stat a, b;
	struct tcpkt p;

	slot_get(pr, D4[0].slot, &a);
	pkt_make(&p, &D4[0].from, &D4[0].to, pl, len, 1);
	test_fwd_pkt(pr, &D4[0], &p, 0, what);
	slot_get(pr, D4[0].slot, &b);
	a.pkts = b.pkts;
	a.bytes = b.bytes;
	a.last_ns = b.last_ns;
	TCPKT_CHECK(!memcmp(&a, &b, sizeof(a)), what);
	printf("ok - RTP state untouched: %s\n", what);
}


static void tests_notrtp(const struct prog *pr)
{
	uint8_t pl[80] = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42};
	struct tcpkt p;

	test_notrtp(pr, pl, 20, "a STUN binding request");
	rtp_make(pl, 64, 7, 7, SSRC);
	test_notrtp(pr, pl, 11, "11 bytes of RTP");
	pl[0] = 0x40;
	test_notrtp(pr, pl, 64, "RTP version 1");
	pl[0] = 0x8f;
	test_notrtp(pr, pl, 71, "CC 15 in 71 bytes (72 needed)");
	rtp_make(pl, 28, next_seq++, 8000, SSRC);
	pl[1] = 200;
	pkt_make(&p, &D4[0].from, &D4[0].to, pl, 28, 1);
	test_fwd_pkt(pr, &D4[0], &p, 0,
		     "RTCP's type 200 without MK_MUX: RTP, not counted rtcp");
}


static void test_gen(const struct prog *pr)
{
	uint64_t ca[MK_CNT_N], cb[MK_CNT_N];
	struct dir d = D4[0];
	struct mk_stat a, b;
	struct tcpkt p, out;
	uint32_t ret;

	d.slot = SLOT_FREE - 2;
	slot_reset(pr, d.slot, 8);
	flow_put(pr, &d, MK_RTP | MK_SSRC_LEARN, 8000, 7, MTU);
	rtp_pkt(&p, &d, 172, 1, 1, SSRC);
	slot_get(pr, d.slot, &a);
	cnt_get(pr, ca);
	TCPKT_CHECK(!run(pr, &p, &out, &ret, 0), "test run");
	TCPKT_CHECK(ret == TC_ACT_REDIRECT, "forwarded with another gen");
	TCPKT_CHECK(rewrite_ok(&p, &out, &d) && tcpkt_udp_verify(&out) == 0,
	      "rewritten with another gen");
	slot_get(pr, d.slot, &b);
	TCPKT_CHECK(!memcmp(&a, &b, sizeof(a)), "the slot untouched");
	cnt_get(pr, cb);
	TCPKT_CHECK(cb[MK_CNT_NOSLOT] == ca[MK_CNT_NOSLOT] + 1 &&
	      cb[MK_CNT_REDIRECT] == ca[MK_CNT_REDIRECT] + 1, "noslot");
	flow_put(pr, &D4[0], MK_RTP | MK_SSRC_LEARN, 8000, 1, MTU);
	printf("ok - slot gen 8, flow gen 7: forwarded, not counted\n");
}


/** A sequence of RTP packets and the loss it must show */
struct seqcase {
	const char *what;
	uint16_t seq[16];
	unsigned n;
	int64_t lost;
};

static const struct seqcase SEQS[] = {
	{"a wrap, 65530 -> 5", {65530, 65531, 65532, 65533, 65534, 65535,
				0, 1, 2, 3, 4, 5}, 12, 0},
	{"a gap of 3", {10, 11, 15, 16}, 4, 3},
	{"a duplicate", {20, 21, 21, 22}, 4, -1},
	{"a late packet", {30, 31, 33, 32, 34}, 5, 0},
	{"a jump over 3000: restart", {40, 41, 4000, 4001}, 4, 0},
	{"back by 201: restart", {5000, 5001, 4800, 4801}, 4, 0},
	{"back by 51: late", {6000, 6001, 5950}, 3, -1},
	{"ahead by 2999: in sequence", {100, 3099}, 2, 2998},
	{"ahead by 3000: restart", {100, 3100}, 2, 0},
	{"back by 100: late", {7000, 6900}, 2, -1},
	{"back by 101: restart", {7000, 6899}, 2, 0},
};


/* the i-th arrival: 20 ms apart, +-6 ms of irregularity */
static uint64_t arrival_next(unsigned i)
{
	int64_t noise = ((int64_t)((i * 7919u) % 23) - 11) * 537123;

	return (uint64_t)((int64_t)now_ns + 20000000 + noise);
}


/*
 * One RTP packet through the program and through rtpstat_update():
 * the slot's state must equal the model's. @return false on a mismatch
 */
static bool seq_step(const struct prog *pr, const struct dir *d,
		     struct rtpstat *m, uint16_t seq, uint32_t ts,
		     uint32_t clock_rate)
{
	struct rtphdr h = {0, seq, ts, SSRC};
	struct rtpstat s;
	struct mk_stat st;
	struct tcpkt p, out;
	uint32_t ret;

	rtp_pkt(&p, d, 172, seq, ts, SSRC);
	if (run(pr, &p, &out, &ret, 0) || ret != TC_ACT_REDIRECT)
		return false;

	rtpstat_update(m, &h, now_ns / 1000, clock_rate);
	slot_get(pr, d->slot, &st);
	mkern_stat_rtp(&st, &s);
	if (rtpstat_same(&s, m))
		return true;

	printf("# seq %u: kernel ssrc %x init %d max %u cycles %u base %u "
	       "recv %u transit %lld jitter %u\n", seq, s.ssrc, s.init,
	       s.max_seq, s.cycles, s.base_seq, s.received,
	       (long long)s.transit, s.jitter);
	printf("#        model  ssrc %x init %d max %u cycles %u base %u "
	       "recv %u transit %lld jitter %u\n", m->ssrc, m->init,
	       m->max_seq, m->cycles, m->base_seq, m->received,
	       (long long)m->transit, m->jitter);

	return false;
}


static void test_seq(const struct prog *pr, const struct seqcase *c,
		     uint32_t slot, uint32_t clock_rate)
{
	uint32_t spp = clock_rate / 50;   /* 20 ms of samples */
	struct dir d = D4[0];
	struct rtpstat m, s;
	struct mk_stat st;

	d.slot = slot;
	memset(&m, 0, sizeof(m));
	slot_reset(pr, slot, 1);
	flow_put(pr, &d, MK_RTP | MK_SSRC_LEARN, clock_rate, 1, MTU);
	for (unsigned i = 0; i < c->n; i++) {
		clock_set(pr, arrival_next(i));
		TCPKT_CHECK(seq_step(pr, &d, &m, c->seq[i],
			       77777 + (uint32_t)c->seq[i] * spp, clock_rate),
		      c->what);
	}

	slot_get(pr, slot, &st);
	mkern_stat_rtp(&st, &s);
	TCPKT_CHECK(rtpstat_lost(&s) == c->lost, c->what);
	printf("ok - %s at %u Hz: equal to rtpstat_update(), lost %lld\n",
	       c->what, clock_rate, (long long)c->lost);
}


/*
 * Jitter: 10 packets counted by userspace, the state handed to the
 * slot, 60 more with irregular arrival and timestamps through the
 * program; then another SSRC is punted and leaves the slot alone
 */
static void test_jitter(const struct prog *pr, uint32_t slot,
			uint32_t clock_rate)
{
	uint32_t spp = clock_rate / 50, ts = 3000000000u;
	struct dir d = D4[0];
	struct mk_stat st;
	struct rtpstat m;
	struct rtphdr h = {0, 65500, 0, SSRC};
	struct tcpkt p;

	d.slot = slot;
	memset(&m, 0, sizeof(m));
	for (unsigned i = 0; i < 70; i++, h.seq++) {
		clock_set(pr, arrival_next(i));
		ts += spp + (i % 3 == 0 ? spp / 7 : 0);
		h.ts = ts;
		if (i < 10) {
			rtpstat_update(&m, &h, now_ns / 1000, clock_rate);
			continue;
		}
		if (i == 10) {
			memset(&st, 0, sizeof(st));
			st.gen = 1;
			mkern_rtp_stat(&m, &st);
			slot_put(pr, slot, &st);
			flow_put(pr, &d, MK_RTP, clock_rate, 1, MTU);
		}
		TCPKT_CHECK(seq_step(pr, &d, &m, h.seq, h.ts, clock_rate),
		      "jitter equal to rtpstat_update()'s");
	}
	TCPKT_CHECK(m.jitter != 0 && m.cycles == 1u << 16, "jitter counted");
	printf("ok - jitter at %u Hz, state handed over: equal to "
	       "rtpstat_update(), %u ms\n", clock_rate,
	       rtpstat_jitter_ms(&m, clock_rate));
	rtp_pkt(&p, &d, 172, h.seq, ts + spp, SSRC ^ 1);
	test_punt(pr, &p, MK_PUNT_SSRC, slot, 1, 0,
		  "a new SSRC after the sequence");
}


static void tests_seq(const struct prog *pr)
{
	uint32_t slot = SLOT_FREE;

	for (size_t i = 0; i < sizeof(SEQS) / sizeof(SEQS[0]); i++) {
		test_seq(pr, &SEQS[i], slot++, 8000);
		test_seq(pr, &SEQS[i], slot++, 48000);
	}
	test_jitter(pr, slot++, 8000);
	test_jitter(pr, slot++, 48000);
	flow_put(pr, &D4[0], MK_RTP | MK_SSRC_LEARN, 8000, 1, MTU);
}


static int prog_load(struct prog *pr, const char *path)
{
	struct bpf_program *p;
	struct bpf_map *bss;
	int err;

	pr->obj = path ? bpf_object__open_file(path, NULL) :
		bpf_object__open_mem(mkern_obj, mkern_obj_len, NULL);
	if (!pr->obj)
		return errno;

	err = bpf_object__load(pr->obj);
	if (err)
		return -err;

	p = bpf_object__find_program_by_name(pr->obj, "mkern_ingress");
	bss = bpf_object__find_map_by_name(pr->obj, ".bss");
	pr->fd = p ? bpf_program__fd(p) : -1;
	pr->flows_fd = bpf_object__find_map_fd_by_name(pr->obj, "mk_flows");
	pr->stats_fd = bpf_object__find_map_fd_by_name(pr->obj, "mk_stats");
	pr->cnt_fd = bpf_object__find_map_fd_by_name(pr->obj, "mk_prog");
	pr->bss_fd = bss && bpf_map__value_size(bss) == sizeof(uint64_t) ?
		bpf_map__fd(bss) : -1;
	pr->ncpu = libbpf_num_possible_cpus();

	return pr->fd < 0 || pr->flows_fd < 0 || pr->stats_fd < 0 ||
		pr->cnt_fd < 0 || pr->bss_fd < 0 || pr->ncpu < 1 ?
		ENOENT : 0;
}


/* both directions of the RTP flow in both families, the RTCP flow */
static void flows_init(const struct prog *pr)
{
	for (int i = 0; i < 2; i++) {
		slot_reset(pr, D4[i].slot, 1);
		slot_reset(pr, D6[i].slot, 1);
		flow_put(pr, &D4[i], MK_RTP | MK_SSRC_LEARN, 8000, 1, MTU);
		flow_put(pr, &D6[i], MK_RTP | MK_SSRC_LEARN, 8000, 1, MTU);
	}
	slot_reset(pr, DRTCP.slot, 1);
	flow_put(pr, &DRTCP, MK_RTCP_FLOW, 0, 1, MTU);
}


/* D4[0]'s packet comes back as D4[0]'s: each run forwards it */
static const struct dir DBACK = {
	{"198.51.100.1", 30002}, {"198.51.100.10", 40002},
	{"203.0.113.10", 40000}, {"203.0.113.1", 30000}, 5,
};


/* MKERN_BENCH: the forward path's time per packet, no test */
static int bench(const struct prog *pr, unsigned runs)
{
	struct tcpkt in, out;
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in.b,
		    .data_out = out.b, .data_size_out = sizeof(out.b),
		    .repeat = runs);
	uint64_t c0[MK_CNT_N], c1[MK_CNT_N];
	int err;

	slot_reset(pr, DBACK.slot, 1);
	flow_put(pr, &DBACK, MK_RTP | MK_SSRC_LEARN, 8000, 1, MTU);
	clock_set(pr, 0);
	rtp_pkt(&in, &D4[0], 172, 1000, 160000, SSRC);
	o.data_size_in = in.len;
	cnt_get(pr, c0);

	err = bpf_prog_test_run_opts(pr->fd, &o);
	if (err)
		return -err;

	cnt_get(pr, c1);
	if (o.retval != TC_ACT_REDIRECT ||
	    c1[MK_CNT_REDIRECT] - c0[MK_CNT_REDIRECT] != runs) {
		printf("FAIL: bench: verdict %u, %llu of %u redirected\n",
		       o.retval, (unsigned long long)(c1[MK_CNT_REDIRECT] -
						      c0[MK_CNT_REDIRECT]),
		       runs);
		return EPROTO;
	}

	printf("ns_per_packet %u\n", o.duration);

	return 0;
}


int main(int argc, char **argv)
{
	const char *runs = getenv("MKERN_BENCH");
	struct prog pr;
	int err;

	err = tcpkt_start();
	if (err)
		return err;

	if (!getenv("MKERN_VERBOSE"))
		err = prog_load(&pr, argc > 1 ? argv[1] : NULL);
	if (err) {
		printf("FAIL: cannot load the TC program: %s\n",
		       strerror(err));
		return 1;
	}

	flows_init(&pr);
	if (runs) {
		err = bench(&pr, (unsigned)strtoul(runs, NULL, 10));
		bpf_object__close(pr.obj);
		return err ? 1 : 0;
	}

	clock_set(&pr, now_ns);
	tests_fwd(&pr);
	tests_rtcp(&pr);
	tests_foreign(&pr);
	tests_frag(&pr);
	tests_ssrc(&pr);
	tests_size(&pr);
	tests_notrtp(&pr);
	test_gen(&pr);
	tests_seq(&pr);

	return tcpkt_end(pr.obj);
}
