/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file hep.c  Tests: the HEP3 encoder against a hand-checked vector,
 *              IPv6, and its limits
 */
#include <string.h>
#include <re.h>
#include "hep.h"
#include "test.h"


/* chunk TYPE of a HEP3 packet: its value and length, or NULL */
static const uint8_t *chunk_find(const uint8_t *p, size_t n, uint16_t type,
				 size_t *len)
{
	for (size_t i = 6; i + 6 <= n; ) {
		uint16_t t = (uint16_t)(p[i + 2] << 8 | p[i + 3]);
		uint16_t l = (uint16_t)(p[i + 4] << 8 | p[i + 5]);

		if (l < 6 || i + l > n)
			return NULL;
		if (t == type) {
			*len = l - 6u;
			return p + i + 6;
		}
		i += l;
	}

	return NULL;
}


int test_hep_vector(void)
{
	static const char sip[] = "OPTIONS sip:a@b SIP/2.0\r\n\r\n";
	static const uint8_t head[] = {
		'H', 'E', 'P', '3', 0x00, 0x8d,          /* 141 bytes     */
		0, 0, 0, 1, 0, 7, 2,                     /* family AF_INET */
		0, 0, 0, 2, 0, 7, 17,                    /* UDP           */
		0, 0, 0, 3, 0, 10, 192, 0, 2, 1,         /* src address   */
		0, 0, 0, 4, 0, 10, 198, 51, 100, 2,      /* dst address   */
		0, 0, 0, 7, 0, 8, 0x13, 0xc4,            /* src port 5060 */
		0, 0, 0, 8, 0, 8, 0x23, 0x64,            /* dst port 9060 */
		0, 0, 0, 9, 0, 10, 0, 0, 0x03, 0xe8,     /* 1000 s        */
		0, 0, 0, 10, 0, 10, 0, 0, 0x07, 0xd0,    /* 2000 us       */
		0, 0, 0, 11, 0, 7, 1,                    /* SIP           */
		0, 0, 0, 12, 0, 10, 0, 0, 0, 7,          /* capture id 7  */
		0, 0, 0, 14, 0, 7, 'k',                  /* auth key      */
		0, 0, 0, 17, 0, 8, 'c', '1',             /* correlation   */
		0, 0, 0, 15, 0, 33,                      /* payload (27)  */
	};
	struct hep_pkt pkt;
	struct sa src, dst;
	struct mbuf *mb = mbuf_alloc(256);
	int err = 0;

	TEST_ASSERT(mb != NULL);
	TEST_ERR(sa_set_str(&src, "192.0.2.1", 5060));
	TEST_ERR(sa_set_str(&dst, "198.51.100.2", 9060));

	memset(&pkt, 0, sizeof(pkt));
	pkt.ipproto = 17;
	pkt.src = &src;
	pkt.dst = &dst;
	pkt.tv_sec = 1000;
	pkt.tv_usec = 2000;
	pkt.ptype = HEP_SIP;
	pkt.capid = 7;
	pkt.key = "k";
	pl_set_str(&pkt.corr, "c1");
	pkt.payload = (const uint8_t *)sip;
	pkt.len = strlen(sip);

	TEST_ERR(hep_encode(mb, &pkt));
	TEST_EQUALS(sizeof(head) + strlen(sip), mb->end);
	TEST_EQUALS(141, mb->end);
	TEST_ASSERT(0 == memcmp(mb->buf, head, sizeof(head)));
	TEST_ASSERT(0 == memcmp(mb->buf + sizeof(head), sip, strlen(sip)));

 out:
	mem_deref(mb);
	return err;
}


int test_hep_ipv6_limits(void)
{
	static uint8_t big[65536];
	struct hep_pkt pkt;
	struct sa src, dst, v4;
	struct mbuf *mb = mbuf_alloc(256);
	const uint8_t *v;
	size_t len;
	int err = 0;

	TEST_ASSERT(mb != NULL);
	TEST_ERR(sa_set_str(&src, "2001:db8::1", 5061));
	TEST_ERR(sa_set_str(&dst, "2001:db8::2", 9060));
	TEST_ERR(sa_set_str(&v4, "192.0.2.1", 5060));

	memset(&pkt, 0, sizeof(pkt));
	pkt.ipproto = 6;
	pkt.src = &src;
	pkt.dst = &dst;
	pkt.ptype = HEP_SIP;
	pkt.payload = (const uint8_t *)"SIP/2.0 200 OK\r\n\r\n";
	pkt.len = 18;

	TEST_ERR(hep_encode(mb, &pkt));
	v = chunk_find(mb->buf, mb->end, 1, &len);
	TEST_ASSERT(v && len == 1 && v[0] == 10);
	v = chunk_find(mb->buf, mb->end, 5, &len);
	TEST_ASSERT(v && len == 16 && v[15] == 1);
	v = chunk_find(mb->buf, mb->end, 6, &len);
	TEST_ASSERT(v && len == 16 && v[15] == 2);
	TEST_ASSERT(!chunk_find(mb->buf, mb->end, 3, &len));
	TEST_ASSERT(!chunk_find(mb->buf, mb->end, 17, &len));   /* none */
	TEST_ASSERT(!chunk_find(mb->buf, mb->end, 14, &len));
	TEST_EQUALS(mb->end, (size_t)(mb->buf[4] << 8 | mb->buf[5]));

	/* two families, and a packet over 65535 bytes: refused */
	mbuf_rewind(mb);
	pkt.dst = &v4;
	TEST_EQUALS(EAFNOSUPPORT, hep_encode(mb, &pkt));
	pkt.dst = &dst;
	pkt.payload = big;
	pkt.len = 65500;
	TEST_EQUALS(EOVERFLOW, hep_encode(mb, &pkt));
	pkt.len = sizeof(big);
	TEST_EQUALS(EOVERFLOW, hep_encode(mb, &pkt));

 out:
	mem_deref(mb);
	return err;
}
