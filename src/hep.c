/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file hep.c  HEP v3 (Homer's encapsulation) of SIP, to a collector
 *              over UDP
 *
 * A HEP3 packet is "HEP3", its total length (16 bits), then chunks:
 * vendor 0 (16 bits), type (16 bits), length of the chunk with these
 * 6 bytes (16 bits), value; all big-endian. Written in this order: 1
 * IP family, 2 IP protocol, 3/4 IPv4 or 5/6 IPv6 source and
 * destination, 7/8 ports, 9/10 time (s, us), 11 protocol type (1 SIP),
 * 12 capture agent id, [14 authentication key], [17 correlation id],
 * 15 payload. A packet over 65535 bytes cannot be sent (counted).
 * Sending is best effort: one datagram per SIP message, on the main
 * thread; a dead collector costs a sendto and an ICMP error.
 */
#include <string.h>
#include <sys/time.h>
#include <re.h>
#define DEBUG_MODULE "hep"
#define DEBUG_LEVEL 5
#include <re_dbg.h>
#include "cfg.h"
#include "hep.h"


enum {
	HEP_HDR  = 6,       /**< "HEP3" and the total length          */
	HEP_MAX  = 65535,   /**< Largest packet the length field says */
};

/** The sender */
struct hep {
	struct udp_sock *us;     /**< Our socket                */
	struct sa dst;           /**< The collector             */
	uint32_t capid;          /**< Capture agent id          */
	char key[64];            /**< Authentication key or ""  */
	struct mbuf *mb;         /**< Scratch for one packet    */
	uint64_t sent;           /**< Packets sent              */
	uint64_t dropped;        /**< Too large or send failed  */
};


static int chunk(struct mbuf *mb, uint16_t type, const void *v, size_t n)
{
	if (n > HEP_MAX - HEP_HDR)
		return EOVERFLOW;

	return mbuf_write_u16(mb, htons(0)) |
		mbuf_write_u16(mb, htons(type)) |
		mbuf_write_u16(mb, htons((uint16_t)(6 + n))) |
		mbuf_write_mem(mb, v, n);
}


static int chunk_u8(struct mbuf *mb, uint16_t type, uint8_t v)
{
	return chunk(mb, type, &v, 1);
}


static int chunk_u16(struct mbuf *mb, uint16_t type, uint16_t v)
{
	v = htons(v);
	return chunk(mb, type, &v, 2);
}


static int chunk_u32(struct mbuf *mb, uint16_t type, uint32_t v)
{
	v = htonl(v);
	return chunk(mb, type, &v, 4);
}


static int addrs(struct mbuf *mb, const struct sa *src, const struct sa *dst)
{
	if (sa_af(src) == AF_INET6)
		return chunk(mb, 5, &src->u.in6.sin6_addr, 16) |
			chunk(mb, 6, &dst->u.in6.sin6_addr, 16);

	return chunk(mb, 3, &src->u.in.sin_addr, 4) |
		chunk(mb, 4, &dst->u.in.sin_addr, 4);
}


/**
 * Encode one HEP3 packet
 *
 * @param mb  Buffer, written from its position
 * @param pkt The packet
 *
 * @return 0 if success, EOVERFLOW if it would exceed 65535 bytes,
 *         EAFNOSUPPORT for addresses of two families
 */
int hep_encode(struct mbuf *mb, const struct hep_pkt *pkt)
{
	size_t start;
	int err;

	if (!mb || !pkt || !pkt->src || !pkt->dst)
		return EINVAL;
	if (sa_af(pkt->src) != sa_af(pkt->dst))
		return EAFNOSUPPORT;

	start = mb->pos;
	err  = mbuf_write_mem(mb, (const uint8_t *)"HEP3", 4);
	err |= mbuf_write_u16(mb, 0);
	err |= chunk_u8(mb, 1, sa_af(pkt->src) == AF_INET6 ? 10 : 2);
	err |= chunk_u8(mb, 2, pkt->ipproto);
	err |= addrs(mb, pkt->src, pkt->dst);
	err |= chunk_u16(mb, 7, sa_port(pkt->src));
	err |= chunk_u16(mb, 8, sa_port(pkt->dst));
	err |= chunk_u32(mb, 9, pkt->tv_sec);
	err |= chunk_u32(mb, 10, pkt->tv_usec);
	err |= chunk_u8(mb, 11, (uint8_t)pkt->ptype);
	err |= chunk_u32(mb, 12, pkt->capid);
	if (pkt->key && pkt->key[0])
		err |= chunk(mb, 14, pkt->key, strlen(pkt->key));
	if (pl_isset(&pkt->corr))
		err |= chunk(mb, 17, pkt->corr.p, pkt->corr.l);
	err |= chunk(mb, 15, pkt->payload, pkt->len);
	if (err)
		return err;

	if (mb->pos - start > HEP_MAX)
		return EOVERFLOW;

	mb->pos = start + 4;
	err = mbuf_write_u16(mb, htons((uint16_t)(mb->end - start)));
	mb->pos = mb->end;

	return err;
}


static void hep_destructor(void *data)
{
	struct hep *hep = data;

	mem_deref(hep->us);
	mem_deref(hep->mb);
}


/**
 * Open the sender to hep_collector
 *
 * @param hp  Pointer to allocated sender
 * @param cfg Configuration (hep_*)
 *
 * @return 0 if success, otherwise errorcode
 */
int hep_alloc(struct hep **hp, const struct cfg *cfg)
{
	struct hep *hep;
	struct sa any;
	int err;

	if (!hp || !cfg || !sa_isset(&cfg->hep.collector, SA_ALL))
		return EINVAL;

	hep = mem_zalloc(sizeof(*hep), hep_destructor);
	if (!hep)
		return ENOMEM;

	hep->dst = cfg->hep.collector;
	hep->capid = cfg->hep.capture_id;
	str_ncpy(hep->key, cfg->hep.auth_key, sizeof(hep->key));
	hep->mb = mbuf_alloc(2048);

	sa_init(&any, sa_af(&hep->dst));
	err = hep->mb ? udp_listen(&hep->us, &any, NULL, NULL) : ENOMEM;
	if (err) {
		mem_deref(hep);
		return err;
	}

	DEBUG_INFO("SIP is captured to %J (HEP3, capture id %u)\n",
		   &hep->dst, hep->capid);
	*hp = hep;

	return 0;
}


/**
 * Send one SIP message to the collector
 *
 * @param hep  Sender, NULL for none
 * @param tp   Its transport (TLS is sent as TCP, in clear)
 * @param src  Its source
 * @param dst  Its destination
 * @param p    The message
 * @param n    Its length
 * @param corr Correlation id (chunk 17), NULL for none
 */
void hep_sip(struct hep *hep, enum sip_transp tp, const struct sa *src,
	     const struct sa *dst, const uint8_t *p, size_t n,
	     const struct pl *corr)
{
	struct hep_pkt pkt;
	struct timeval tv;

	if (!hep)
		return;

	(void)gettimeofday(&tv, NULL);
	memset(&pkt, 0, sizeof(pkt));
	pkt.ipproto = tp == SIP_TRANSP_UDP ? 17 : 6;
	pkt.src = src;
	pkt.dst = dst;
	pkt.tv_sec = (uint32_t)tv.tv_sec;
	pkt.tv_usec = (uint32_t)tv.tv_usec;
	pkt.ptype = HEP_SIP;
	pkt.capid = hep->capid;
	pkt.key = hep->key;
	if (corr)
		pkt.corr = *corr;
	pkt.payload = p;
	pkt.len = n;

	mbuf_rewind(hep->mb);
	if (hep_encode(hep->mb, &pkt)) {
		++hep->dropped;
		return;
	}

	hep->mb->pos = 0;
	if (udp_send(hep->us, &hep->dst, hep->mb))
		++hep->dropped;
	else
		++hep->sent;
}


/** @return HEP packets sent */
uint64_t hep_sent(const struct hep *hep)
{
	return hep ? hep->sent : 0;
}


/** @return packets not sent: too large, or the send failed */
uint64_t hep_dropped(const struct hep *hep)
{
	return hep ? hep->dropped : 0;
}
