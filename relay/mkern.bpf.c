/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-only */
/**
 * @file mkern.bpf.c  Media relay kernel path: the TC ingress program
 *                    (docs/design/mediabpf.md 3)
 *
 * For a UDP datagram, IPv4 or IPv6, whose (source, destination) a relay
 * worker put in mk_flows, the program does what the worker would do:
 * rewrites it to leave from our other socket to the other peer (TTL or
 * hop limit 64; the IPv4 header's checksum computed here, the UDP
 * checksum updated by the helper that honours skb->ip_summed), counts
 * it in the flow's slot with rtpstat_update()'s
 * A.1/A.8 arithmetic, bit for bit, and redirects it to the out device.
 *
 * A packet of no flow goes on unchanged (TC_ACT_UNSPEC: the next filter,
 * then the stack) and is not counted. A flow's packet the worker must
 * judge itself (another SSRC, RTCP it rewrites, fragments, options,
 * extension headers, GSO, over the MTU, no IPv6 checksum, odd lengths)
 * goes on unchanged too, counted as a punt. Nothing is written before
 * the last check. No loops, no helper calls under the slot's lock.
 * The next hop comes with the flow, from the route userspace looked up
 * when the flow went in, so that a packet costs no route lookup.
 *
 * Headers are read, and an IPv4 packet's rewritten, in place (direct
 * packet access) where they lie in the skb's linear part, as they do
 * for a datagram of RTP size; a header outside it is read with
 * bpf_skb_load_bytes(), and such a packet is left to userspace rather
 * than written (it counts as a "len" punt).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "mkern_map.h"


enum {
	IP4_HLEN     = sizeof(struct iphdr),
	IP6_HLEN     = sizeof(struct ipv6hdr),
	UDP_HLEN     = sizeof(struct udphdr),
	RTP_HLEN     = 12,
	RTCP_MIN     = 8,
	IP_MF        = 0x2000,
	IP_OFFSET    = 0x1fff,
	IP_DF        = 0x4000,
	TTL          = 64,
	MAX_DROPOUT  = 3000,      /* as relay/rtpstat.c           */
	MAX_MISORDER = 100,
	PASS         = TC_ACT_UNSPEC,
	NONE         = 0xff,      /* pkt.punt: no reason found    */
	IP4_CHECK    = ETH_HLEN + 10,
	UDP_CHECK    = 6,         /* offset in the UDP header     */
	NH_INET      = 2,         /* AF_INET, AF_INET6 for the    */
	NH_INET6     = 10,        /* next hop of a redirect       */
	HDR_OFF_MAX  = 128,       /* headers read lie before this */
};

/** What the payload is, as pkt_rx() judges it */
enum kind {
	K_OTHER = 0,  /* STUN, DTLS, ...: forwarded, no RTP state   */
	K_RTP,
	K_RTCP,
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, MK_FLOW_MAX);
	__type(key, struct mk_key);
	__type(value, struct mk_flow);
} mk_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MK_STAT_MAX);
	__type(key, __u32);
	__type(value, struct mk_stat);
} mk_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MK_CNT_N);
	__type(key, __u32);
	__type(value, __u64);
} mk_prog SEC(".maps");

/* the tests' clock (ns); 0 in production: bpf_ktime_get_ns() */
volatile __u64 mk_test_now_ns;

/** A packet's headers, copied out of it */
struct pkt {
	struct mk_key key;
	union {
		struct iphdr ip4;
		struct ipv6hdr ip6;
	};
	struct udphdr udp;
	__u32 l4off;              /* UDP header's offset          */
	__u32 iplen;              /* IP datagram's length         */
	__u16 ulen;               /* UDP payload's length         */
	__u8 punt;                /* enum mk_punt, or NONE        */
	__u8 kind;                /* enum kind                    */
	__u8 b[RTP_HLEN];         /* first payload bytes          */
};

/** An RTP packet's header and arrival, for the slot */
struct rtp {
	__u32 seq, ts, ssrc;
	__s64 arrival;            /* in timestamp units           */
};


static __always_inline void prog_count(__u32 i)
{
	__u64 *v = bpf_map_lookup_elem(&mk_prog, &i);

	if (v)
		*v += 1;
}


/* n bytes at off: read in place if they are in the linear part */
static __always_inline int pkt_load(struct __sk_buff *skb, __u32 off,
				    void *to, const __u32 n)
{
	__u8 *data = (__u8 *)(long)skb->data;
	__u8 *end = (__u8 *)(long)skb->data_end;
	__u8 *at;

	if (off > HDR_OFF_MAX)
		return -1;

	at = data + off;
	if (at + n > end)
		return bpf_skb_load_bytes(skb, off, to, n);

	__builtin_memcpy(to, at, n);

	return 0;
}


/* a flow's packet goes to userspace, unchanged */
static __always_inline int punt(struct mk_stat *st, const struct mk_flow *f,
				__u32 why)
{
	prog_count(why);
	if (st && why < MK_PUNT_N && st->gen == f->gen)
		__sync_fetch_and_add(&st->punt[why], 1);

	return PASS;
}


/* lengths as the headers say, nothing after the datagram */
static __always_inline void len_check(struct __sk_buff *skb, struct pkt *p,
				      __u32 hlen, __u32 iplen)
{
	__u32 ulen = bpf_ntohs(p->udp.len);

	p->iplen = iplen;
	if (p->punt != NONE)
		return;

	if (skb->len != ETH_HLEN + iplen || ulen != iplen - hlen ||
	    ulen < UDP_HLEN)
		p->punt = MK_PUNT_LEN;
	else
		p->ulen = ulen - UDP_HLEN;
}


static __always_inline int parse4(struct __sk_buff *skb, struct pkt *p)
{
	struct iphdr *ip = &p->ip4;
	__u16 frag;

	if (pkt_load(skb, ETH_HLEN, ip, IP4_HLEN))
		return -1;

	if (ip->version != 4 || ip->ihl < 5 || ip->protocol != IPPROTO_UDP)
		return -1;

	frag = bpf_ntohs(ip->frag_off);
	if (frag & IP_OFFSET) {
		/* no ports: whose it is cannot be told */
		prog_count(MK_PUNT_FRAG);
		return -1;
	}

	if (ip->ihl != 5)
		p->punt = MK_PUNT_OPTIONS;
	else if (frag & IP_MF)
		p->punt = MK_PUNT_FRAG;

	p->l4off = ETH_HLEN + ip->ihl * 4;
	if (pkt_load(skb, p->l4off, &p->udp, UDP_HLEN))
		return -1;

	p->key.family = MK_FAM4;
	p->key.saddr[0] = ip->saddr;
	p->key.daddr[0] = ip->daddr;
	len_check(skb, p, ip->ihl * 4, bpf_ntohs(ip->tot_len));

	return 0;
}


static __always_inline int parse6(struct __sk_buff *skb, struct pkt *p)
{
	struct ipv6hdr *ip = &p->ip6;

	if (pkt_load(skb, ETH_HLEN, ip, IP6_HLEN))
		return -1;

	if (ip->version != 6)
		return -1;

	switch (ip->nexthdr) {

	case IPPROTO_UDP:
		break;

	case IPPROTO_HOPOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_FRAGMENT:
	case IPPROTO_DSTOPTS:
		/* the ports are behind a chain of headers: not walked */
		prog_count(MK_PUNT_EXTHDR);
		return -1;

	default:
		return -1;
	}

	p->l4off = ETH_HLEN + IP6_HLEN;
	if (pkt_load(skb, p->l4off, &p->udp, UDP_HLEN))
		return -1;

	p->key.family = MK_FAM6;
	__builtin_memcpy(p->key.saddr, &ip->saddr, 16);
	__builtin_memcpy(p->key.daddr, &ip->daddr, 16);
	len_check(skb, p, IP6_HLEN, IP6_HLEN + bpf_ntohs(ip->payload_len));

	return 0;
}


static __always_inline int parse(struct __sk_buff *skb, struct pkt *p)
{
	int err = -1;

	p->punt = NONE;
	if (skb->protocol == bpf_htons(ETH_P_IP))
		err = parse4(skb, p);
	else if (skb->protocol == bpf_htons(ETH_P_IPV6))
		err = parse6(skb, p);

	if (err)
		return err;

	p->key.sport = p->udp.source;
	p->key.dport = p->udp.dest;

	return 0;
}


/* RTCP as rtp_is_rtcp() says, RTP as rtphdr_decode() accepts */
static __always_inline void classify(struct __sk_buff *skb, struct pkt *p,
				     const struct mk_flow *f)
{
	__u32 off = p->l4off + UDP_HLEN;
	__u8 n = 0;

	p->kind = K_OTHER;
	if (f->flags & MK_RTCP_FLOW) {
		p->kind = K_RTCP;
		return;
	}

	if (p->ulen >= RTP_HLEN && !pkt_load(skb, off, p->b, RTP_HLEN))
		n = RTP_HLEN;
	else if (p->ulen >= RTCP_MIN && !pkt_load(skb, off, p->b, RTCP_MIN))
		n = RTCP_MIN;

	if (n < RTCP_MIN || (p->b[0] >> 6) != 2)
		return;

	if ((f->flags & MK_MUX) && p->b[1] >= 192 && p->b[1] <= 223)
		p->kind = K_RTCP;
	else if ((f->flags & MK_RTP) && n == RTP_HLEN &&
		 p->ulen >= RTP_HLEN + 4 * (p->b[0] & 0x0f))
		p->kind = K_RTP;
}


static __always_inline __u32 be32_at(const __u8 *b)
{
	return (__u32)b[0] << 24 | (__u32)b[1] << 16 | (__u32)b[2] << 8 |
		b[3];
}


/* a set SSRC that differs, or none where none may be learnt */
static __always_inline int ssrc_bad(const struct mk_stat *st,
				    const struct mk_flow *f,
				    const struct pkt *p)
{
	if (!st || st->gen != f->gen)
		return 0;

	if (st->init)
		return st->ssrc != be32_at(p->b + 8);

	return !(f->flags & MK_SSRC_LEARN);
}


/* @return the punt reason, or -1 to forward */
static __always_inline int checks(struct __sk_buff *skb, struct pkt *p,
				  const struct mk_flow *f,
				  const struct mk_stat *st)
{
	if (skb->gso_size)
		return MK_PUNT_GSO;

	if (p->punt != NONE)
		return p->punt;

	if (p->key.family == MK_FAM6 && !p->udp.check)
		return MK_PUNT_CSUM0;

	/* rewrite4() writes in place: its headers in the linear part */
	if (p->key.family == MK_FAM4 &&
	    (__u8 *)(long)skb->data + ETH_HLEN + IP4_HLEN + UDP_HLEN >
	    (__u8 *)(long)skb->data_end)
		return MK_PUNT_LEN;

	if (p->iplen > f->mtu)
		return MK_PUNT_MTU;

	classify(skb, p, f);
	if (p->kind == K_RTCP && (f->flags & MK_RTCP_PUNT))
		return MK_PUNT_RTCP;

	if (p->kind == K_RTP && ssrc_bad(st, f, p))
		return MK_PUNT_SSRC;

	return -1;
}


/* one's complement sum, end-around carry */
static __always_inline __u32 csum_add32(__u32 a, __u32 b)
{
	a += b;
	return a + (a < b);
}


/* what bpf_csum_diff() gives for n 32-bit words, without the call */
static __always_inline __u32 words_diff(const __u32 *o, const __u32 *n,
					const int nw)
{
	__u32 d = 0;

#pragma unroll
	for (int i = 0; i < nw; i++) {
		d = csum_add32(d, ~o[i]);
		d = csum_add32(d, n[i]);
	}

	return d;
}


/* a 16-bit checksum field moved by diff d, as csum_replace_by_diff() */
static __always_inline __u16 csum_moved(__u16 check, __u32 d)
{
	__u32 s = csum_add32(d, (__u16)~check);

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);

	return (__u16)~s;
}


/*
 * The UDP checksum, the ports written: the addresses moved it as part of
 * the pseudo header, the ports as data (under CHECKSUM_PARTIAL the field
 * holds the pseudo header's seed, which the ports must not enter). A
 * zero IPv4 checksum stays zero.
 */
static __always_inline int udp_csum(struct __sk_buff *skb,
				    const struct pkt *p, __u32 d_addr,
				    __u32 d_port)
{
	__u32 check = p->l4off + UDP_CHECK;

	if (bpf_l4_csum_replace(skb, check, 0, d_addr,
				BPF_F_PSEUDO_HDR | BPF_F_MARK_MANGLED_0))
		return TC_ACT_SHOT;

	if (bpf_l4_csum_replace(skb, check, 0, d_port, BPF_F_MARK_MANGLED_0))
		return TC_ACT_SHOT;

	return 0;
}


/*
 * The IPv4 header and the ports, in place: the header's checksum moves
 * by what its words moved (a wrong one stays wrong by as much), so the
 * header still sums to what it summed to and skb->csum (COMPLETE) stays
 * right. Then the UDP checksum by the helper, which honours ip_summed.
 * @return 0, PASS (nothing written) or TC_ACT_SHOT (half written)
 */
static __always_inline int rewrite4(struct __sk_buff *skb,
				    const struct pkt *p,
				    const struct mk_flow *f)
{
	__u8 *data = (__u8 *)(long)skb->data;
	__u8 *end = (__u8 *)(long)skb->data_end;
	struct iphdr *pip = (struct iphdr *)(data + ETH_HLEN);
	struct udphdr *pu = (struct udphdr *)(pip + 1);
	struct iphdr ip = p->ip4;
	__u32 op, np, d_ip;

	/* options are punted before: the ports follow the bare header */
	if ((__u8 *)(pu + 1) > end)
		return PASS;

	ip.saddr = f->saddr[0];
	ip.daddr = f->daddr[0];
	ip.ttl = TTL;
	ip.frag_off = bpf_htons(IP_DF);
	d_ip = words_diff((const __u32 *)&p->ip4, (const __u32 *)&ip,
			  IP4_HLEN / 4);
	ip.check = csum_moved(p->ip4.check, d_ip);
	__builtin_memcpy(pip, &ip, IP4_HLEN);

	__builtin_memcpy(&op, &p->udp, 4);
	pu->source = f->sport;
	pu->dest = f->dport;
	__builtin_memcpy(&np, pu, 4);

	/* saddr and daddr are adjacent: two words */
	return udp_csum(skb, p, words_diff(&p->ip4.saddr, &ip.saddr, 2),
			words_diff(&op, &np, 1));
}


static __always_inline int rewrite6(struct __sk_buff *skb,
				    const struct pkt *p,
				    const struct mk_flow *f)
{
	struct ipv6hdr ip = p->ip6;
	__u16 op[2] = {p->udp.source, p->udp.dest};
	__u16 np[2] = {f->sport, f->dport};
	__u32 d_addr, d_port;

	__builtin_memcpy(&ip.saddr, f->saddr, 16);
	__builtin_memcpy(&ip.daddr, f->daddr, 16);
	ip.hop_limit = TTL;
	d_addr = words_diff((const __u32 *)&p->ip6.saddr,
			    (const __u32 *)&ip.saddr, 8);
	d_port = words_diff((const __u32 *)op, (const __u32 *)np, 1);

	/* no header checksum: skb->csum (COMPLETE) follows the bytes,
	   which the helper keeps right */
	if (bpf_skb_store_bytes(skb, ETH_HLEN, &ip, IP6_HLEN,
				BPF_F_RECOMPUTE_CSUM))
		return PASS;

	if (bpf_skb_store_bytes(skb, p->l4off, np, 4, 0))
		return TC_ACT_SHOT;

	return udp_csum(skb, p, d_addr, d_port);
}


static __always_inline void rtp_init(struct mk_stat *st, const struct rtp *r)
{
	st->ssrc = r->ssrc;
	st->init = 1;
	st->base_seq = r->seq;
	st->max_seq = r->seq;
	st->cycles = 0;
	st->received = 0;
	st->jitter = 0;
	st->transit = 0;
}


/* rtpstat_update() and its jitter_update(), under the slot's lock */
static __always_inline void rtp_update(struct mk_stat *st,
				       const struct rtp *r, __u32 clock_rate)
{
	__u16 udelta;
	__s64 transit, d;

	if (!st->init || st->ssrc != r->ssrc)
		rtp_init(st, r);

	udelta = (__u16)(r->seq - st->max_seq);
	if (udelta < MAX_DROPOUT) {
		if (r->seq < st->max_seq)
			st->cycles += 1u << 16;
		st->max_seq = r->seq;
	}
	else if (udelta <= 65535 - MAX_MISORDER) {
		rtp_init(st, r);
	}

	++st->received;
	if (!clock_rate)
		return;

	transit = r->arrival - (__s64)r->ts;
	if (st->received > 1) {
		d = transit - st->transit;
		if (d < 0)
			d = -d;
		st->jitter += (__u32)(d - (((__s64)st->jitter + 8) >> 4));
	}
	st->transit = transit;
}


/* @return whether the slot counted the packet (its gen matched) */
static __always_inline int count(struct mk_stat *st, const struct mk_flow *f,
				 const struct pkt *p, const struct rtp *r,
				 __u64 now)
{
	__u32 clock_rate = f->clock_rate;
	__u32 gen = f->gen;
	int ok;

	bpf_spin_lock(&st->lock);
	ok = st->gen == gen;
	if (ok) {
		st->pkts += 1;
		st->bytes += p->ulen;
		st->last_ns = now;
		if (p->kind == K_RTCP)
			st->rtcp += 1;
		else if (p->kind == K_RTP)
			rtp_update(st, r, clock_rate);
	}
	bpf_spin_unlock(&st->lock);

	return ok;
}


/* out of the flow's device to its next hop */
static __always_inline int redirect(const struct pkt *p,
				    const struct mk_flow *f)
{
	struct bpf_redir_neigh nh = {0};

	if (p->key.family == MK_FAM6) {
		nh.nh_family = NH_INET6;
		__builtin_memcpy(nh.ipv6_nh, f->nh, 16);
	}
	else {
		nh.nh_family = NH_INET;
		nh.ipv4_nh = f->nh[0];
	}

	return bpf_redirect_neigh(f->ifindex, &nh, sizeof(nh), 0);
}


static __always_inline int forward(struct __sk_buff *skb,
				   const struct pkt *p,
				   const struct mk_flow *f, struct mk_stat *st)
{
	struct rtp r = {0};
	__u64 now;
	int err;

	err = p->key.family == MK_FAM6 ? rewrite6(skb, p, f) :
		rewrite4(skb, p, f);
	if (err) {
		if (err == TC_ACT_SHOT)
			prog_count(MK_CNT_SHOT);
		return err;
	}

	now = mk_test_now_ns;
	if (!now)
		now = bpf_ktime_get_ns();

	if (p->kind == K_RTP) {
		r.seq = (__u32)p->b[2] << 8 | p->b[3];
		r.ts = be32_at(p->b + 4);
		r.ssrc = be32_at(p->b + 8);
		r.arrival = (__s64)(now / 1000 * f->clock_rate / 1000000);
	}

	if (!st || !count(st, f, p, &r, now))
		prog_count(MK_CNT_NOSLOT);

	prog_count(MK_CNT_REDIRECT);

	return redirect(p, f);
}


SEC("tc")
int mkern_ingress(struct __sk_buff *skb)
{
	struct pkt p = {0};
	struct mk_flow *f;
	struct mk_stat *st;
	int why;

	if (parse(skb, &p))
		return PASS;

	f = bpf_map_lookup_elem(&mk_flows, &p.key);
	if (!f)
		return PASS;

	st = bpf_map_lookup_elem(&mk_stats, &f->slot);
	why = checks(skb, &p, f, st);
	if (why >= 0)
		return punt(st, f, why);

	return forward(skb, &p, f, st);
}

/* the file is BSD-3-Clause or GPL-2.0: the kernel takes "Dual BSD/GPL"
 * as GPL-compatible, which its GPL-only helpers require */
char _license[] SEC("license") = "Dual BSD/GPL";
