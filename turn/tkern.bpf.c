/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-only */
/**
 * @file tkern.bpf.c  TURN kernel path: the TC ingress program
 *
 * Attached at the ingress of the listener's and the relayed address's
 * devices (tkern.c). For an IPv4 datagram that matches an offloaded
 * channel it does what the userspace path would do, and sends the
 * result out of the other device:
 *
 *   ChannelData client -> listener, channel N bound to peer P:
 *       the 4-byte header is taken off; relayed address -> P
 *   datagram P -> relayed address:
 *       a 4-byte header (N, length) is put on; listener -> client
 *
 * Anything else, or anything unusual (IP options, fragments, a frame
 * longer or shorter than its headers say, ChannelData with padding, a
 * result over the device's MTU, a checksum left to offload by a local
 * sender), goes on to the sockets unchanged, so
 * the userspace path still sees every packet it must judge. Only UDP
 * clients over IPv4 are offloaded, and only channels whose permission
 * and peer filter verdict userspace has checked (tkern.c).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "tkern_map.h"


enum {
	IP_HLEN   = sizeof(struct iphdr),
	UDP_HLEN  = sizeof(struct udphdr),
	HDRS      = ETH_HLEN + IP_HLEN + UDP_HLEN,
	CDATA     = 4,            /* ChannelData header     */
	CHAN_MIN  = 0x4000,
	CHAN_MAX  = 0x7fff,
	FRAG_MASK = 0x3fff,       /* MF and the offset      */
	IP_DF     = 0x4000,
	TTL       = 64,
	PASS      = TC_ACT_UNSPEC, /* not ours, or not as it is: the
				      next filter, then the stack   */
	MISS      = -2,           /* from_peer(): no peer entry     */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TKERN_MAP_MAX);
	__type(key, struct tkern_ckey);
	__type(value, struct tkern_cval);
} tkern_chan SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TKERN_MAP_MAX);
	__type(key, struct tkern_pkey);
	__type(value, struct tkern_pval);
} tkern_peer SEC(".maps");

/** A packet's headers, copied out of it */
struct pkt {
	struct iphdr ip;
	struct udphdr udp;
	__be16 cnum;              /* First 4 payload bytes, */
	__be16 clen;              /* as a ChannelData header */
	__u16 ulen;               /* UDP payload length      */
};

/** Where a rewritten packet goes */
struct dst {
	__be32 saddr, daddr;
	__be16 sport, dport;
	__u16 chan;               /* Channel to put on, or 0 */
	__u32 ifindex, mtu;
};

/**
 * What a rewrite changes of what the UDP checksum covers: the pseudo
 * header, the UDP header (checksum field zero) and a ChannelData header
 */
struct csum_part {
	__be32 saddr, daddr;
	__be16 proto;             /* zero byte, IPPROTO_UDP  */
	__be16 plen;              /* UDP length              */
	__be16 sport, dport;
	__be16 len;
	__be16 zero;
	__be16 cnum, clen;        /* Only where there is one */
};


static __always_inline __u16 fold(__s64 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)s;
}


static __always_inline int parse(struct __sk_buff *skb, struct pkt *p)
{
	void *data, *end;
	struct iphdr *ip;
	struct udphdr *udp;
	__be16 *c;

	if (skb->protocol != bpf_htons(ETH_P_IP) || skb->len < HDRS)
		return -1;

	if (bpf_skb_pull_data(skb, skb->len < HDRS + CDATA ?
			      HDRS : HDRS + CDATA))
		return -1;

	data = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	ip = data + ETH_HLEN;
	udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > end)
		return -1;

	if (ip->version != 4 || ip->ihl != 5 ||
	    ip->protocol != IPPROTO_UDP ||
	    (ip->frag_off & bpf_htons(FRAG_MASK)))
		return -1;

	/* exactly the datagram its headers describe, nothing after */
	if (skb->len != ETH_HLEN + (__u32)bpf_ntohs(ip->tot_len) ||
	    bpf_ntohs(udp->len) != bpf_ntohs(ip->tot_len) - IP_HLEN)
		return -1;

	p->ip = *ip;
	p->udp = *udp;
	p->ulen = bpf_ntohs(udp->len) - UDP_HLEN;
	p->cnum = 0;
	p->clen = 0;

	c = (void *)(udp + 1);
	if ((void *)(c + 2) <= end) {
		p->cnum = c[0];
		p->clen = c[1];
	}

	return 0;
}


static __always_inline void csum_part_set(struct csum_part *cp,
					  __be32 saddr, __be32 daddr,
					  __be16 sport, __be16 dport,
					  __u16 ulen)
{
	cp->saddr = saddr;
	cp->daddr = daddr;
	cp->proto = bpf_htons(IPPROTO_UDP);
	cp->plen = bpf_htons(UDP_HLEN + ulen);
	cp->sport = sport;
	cp->dport = dport;
	cp->len = cp->plen;
	cp->zero = 0;
}


/*
 * Rewrite the packet for d, with the UDP payload grown by grow bytes
 * (a ChannelData header put on, +4, or taken off, -4), and send it.
 * The UDP checksum is updated from the old one (RFC 1624), so the data
 * is never read; a datagram sent without one goes on without one.
 */
static __always_inline int forward(struct __sk_buff *skb,
				   const struct pkt *p, const struct dst *d,
				   int grow, __u64 *pkts, __u64 *bytes)
{
	struct csum_part from = {0}, to = {0};
	__u16 ulen = p->ulen + grow;
	struct iphdr ip = p->ip;
	struct udphdr udp;
	void *data, *end;
	__u8 *l4;
	__s64 s;

	if (IP_HLEN + UDP_HLEN + ulen > d->mtu)
		return PASS;

	csum_part_set(&from, p->ip.saddr, p->ip.daddr, p->udp.source,
		      p->udp.dest, p->ulen);
	csum_part_set(&to, d->saddr, d->daddr, d->sport, d->dport, ulen);
	if (grow > 0) {
		to.cnum = bpf_htons(d->chan);
		to.clen = bpf_htons(p->ulen);
	}
	else {
		from.cnum = p->cnum;
		from.clen = p->clen;
	}

	udp.source = d->sport;
	udp.dest = d->dport;
	udp.len = bpf_htons(UDP_HLEN + ulen);
	udp.check = 0;
	if (p->udp.check) {
		s = bpf_csum_diff((__be32 *)&from,
				  grow > 0 ? 20 : 24,
				  (__be32 *)&to,
				  grow > 0 ? 24 : 20,
				  (__u16)~p->udp.check);
		udp.check = ~fold(s);
		if (!udp.check)
			udp.check = 0xffff;
	}

	ip.saddr = d->saddr;
	ip.daddr = d->daddr;
	ip.tot_len = bpf_htons(IP_HLEN + UDP_HLEN + ulen);
	ip.frag_off = bpf_htons(IP_DF);
	ip.ttl = TTL;
	ip.check = 0;
	ip.check = ~fold(bpf_csum_diff(0, 0, (__be32 *)&ip, IP_HLEN, 0));

	/* fails before it changes anything */
	if (bpf_skb_adjust_room(skb, grow, BPF_ADJ_ROOM_NET, 0))
		return PASS;

	data = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	l4 = data + ETH_HLEN + IP_HLEN;
	if ((void *)(l4 + UDP_HLEN + (grow > 0 ? CDATA : 0)) > end)
		return TC_ACT_SHOT;

	__builtin_memcpy(data + ETH_HLEN, &ip, IP_HLEN);
	__builtin_memcpy(l4, &udp, UDP_HLEN);
	if (grow > 0)
		__builtin_memcpy(l4 + UDP_HLEN, &to.cnum, CDATA);

	__sync_fetch_and_add(pkts, 1);
	__sync_fetch_and_add(bytes, grow > 0 ? p->ulen : ulen);

	return bpf_redirect_neigh(d->ifindex, NULL, 0, 0);
}


/* ChannelData from a client: to the channel's peer */
static __always_inline int from_client(struct __sk_buff *skb,
				       const struct pkt *p)
{
	struct tkern_ckey k = {0};
	struct tkern_cval *v;
	struct dst d;
	__u16 num = bpf_ntohs(p->cnum);

	if (num < CHAN_MIN || num > CHAN_MAX || p->ulen < CDATA ||
	    bpf_ntohs(p->clen) != p->ulen - CDATA)
		return PASS;

	k.cli_ip = p->ip.saddr;
	k.srv_ip = p->ip.daddr;
	k.cli_port = p->udp.source;
	k.srv_port = p->udp.dest;
	k.chan = num;
	v = bpf_map_lookup_elem(&tkern_chan, &k);
	if (!v)
		return PASS;

	d.saddr = v->relay_ip;
	d.daddr = v->peer_ip;
	d.sport = v->relay_port;
	d.dport = v->peer_port;
	d.chan = 0;
	d.ifindex = v->ifindex;
	d.mtu = v->mtu;

	return forward(skb, p, &d, -CDATA, &v->pkts, &v->bytes);
}


/*
 * A datagram from a peer to a relayed address: to the client.
 * @return MISS if it is no offloaded channel's, else the verdict
 */
static __always_inline int from_peer(struct __sk_buff *skb,
				     const struct pkt *p)
{
	struct tkern_pkey k = {0};
	struct tkern_pval *v;
	struct dst d;

	k.peer_ip = p->ip.saddr;
	k.relay_ip = p->ip.daddr;
	k.peer_port = p->udp.source;
	k.relay_port = p->udp.dest;
	v = bpf_map_lookup_elem(&tkern_peer, &k);
	if (!v)
		return MISS;

	d.saddr = v->srv_ip;
	d.daddr = v->cli_ip;
	d.sport = v->srv_port;
	d.dport = v->cli_port;
	d.chan = v->chan;
	d.ifindex = v->ifindex;
	d.mtu = v->mtu;

	return forward(skb, p, &d, CDATA, &v->pkts, &v->bytes);
}


/*
 * Whether the UDP checksum field holds only the pseudo header's sum: a
 * datagram whose checksum a local sender left to offload (skb
 * CHECKSUM_PARTIAL, as across a veth). Growing or shrinking it would
 * leave the kernel's csum_start behind (bpf_skb_adjust_room() does not
 * move it), so it goes to the socket; a full checksum that happens to
 * equal the sum (1 in 65536) is merely relayed in userspace.
 */
static __always_inline int csum_partial(const struct pkt *p)
{
	__u32 s = (p->ip.saddr & 0xffff) + (p->ip.saddr >> 16) +
		(p->ip.daddr & 0xffff) + (p->ip.daddr >> 16) +
		bpf_htons(IPPROTO_UDP) + p->udp.len;

	return p->udp.check == fold(s);
}


SEC("tc")
int tkern_ingress(struct __sk_buff *skb)
{
	struct pkt p;
	int ret;

	if (parse(skb, &p) || csum_partial(&p))
		return PASS;

	ret = from_peer(skb, &p);
	if (ret != MISS)
		return ret;

	return from_client(skb, &p);
}

/* the file is BSD-3-Clause or GPL-2.0: the kernel takes "Dual BSD/GPL"
 * as GPL-compatible, which its GPL-only helpers require */
char _license[] SEC("license") = "Dual BSD/GPL";
