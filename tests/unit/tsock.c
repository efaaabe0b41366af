/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tsock.c  Tests: the TURN server's own UDP sockets: a send queue
 *                leaves in one sendmmsg, a receive batch reads it into
 *                slots with headroom, truncated datagrams are refused,
 *                and replies wait in a listener's queue until flushed
 */
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <re.h>
#include "cfg.h"
#include "turnd.h"
#include "turnd_priv.h"
#include "test.h"


static int loopback(int *fdp, struct sa *addr)
{
	int err;

	(void)sa_set_str(addr, "127.0.0.1", 0);
	err = tsock_open(fdp, addr, 0);
	if (err)
		return err;

	if (getsockname(*fdp, &addr->u.sa, &addr->len) < 0)
		return errno;

	return 0;
}


int test_turn_tsock(void)
{
	static uint8_t big[TSOCK_PKT_MAX + 100];
	struct tsock_txq *q = mem_zalloc(sizeof(*q), NULL);
	struct tsock_rx *rx = NULL;
	int a = -1, b = -1;
	struct sa sa_a, sa_b, src;
	struct mbuf mb;
	unsigned n;
	int err = 0;

	TEST_ASSERT(q != NULL);
	TEST_ERR(tsock_rx_alloc(&rx));
	TEST_ERR(loopback(&a, &sa_a));
	TEST_ERR(loopback(&b, &sa_b));

	/* nothing waits */
	TEST_EQUALS(0, tsock_recv(rx, b, 0, TSOCK_BATCH));

	/* three datagrams, one sendmmsg */
	TEST_ERR(tsock_txq_add(q, &sa_b, (const uint8_t *)"one", 3));
	TEST_ERR(tsock_txq_add(q, &sa_b, (const uint8_t *)"two!", 4));
	TEST_ERR(tsock_txq_add(q, &sa_b, (const uint8_t *)"", 0));
	TEST_EQUALS(3, q->n);
	TEST_EQUALS(0, tsock_txq_flush(q, a));
	TEST_EQUALS(0, q->n);

	/* read from slot 1 on: two fit, the third waits */
	TEST_EQUALS(2, tsock_recv(rx, b, 1, 2));
	TEST_ERR(tsock_rx_get(rx, 1, &src, &mb));
	TEST_ASSERT(sa_cmp(&src, &sa_a, SA_ALL));
	TEST_EQUALS(TURND_CDATA_HDR, mb.pos);
	TEST_EQUALS(3, mbuf_get_left(&mb));
	TEST_ASSERT(0 == memcmp(mbuf_buf(&mb), "one", 3));
	TEST_ASSERT(mb.size >= mb.end + 3);          /* room to pad */
	TEST_ERR(tsock_rx_get(rx, 2, &src, &mb));
	TEST_ASSERT(0 == memcmp(mbuf_buf(&mb), "two!", 4));
	TEST_EQUALS(1, tsock_recv(rx, b, TSOCK_BATCH - 1, 5));
	TEST_ERR(tsock_rx_get(rx, TSOCK_BATCH - 1, &src, &mb));
	TEST_EQUALS(0, mbuf_get_left(&mb));
	TEST_EQUALS(0, tsock_recv(rx, b, TSOCK_BATCH, 1));

	/* too long for a slot: refused */
	TEST_ERR(tsock_txq_add(q, &sa_b, big, sizeof(big)));
	TEST_EQUALS(0, tsock_txq_flush(q, a));
	TEST_EQUALS(1, tsock_recv(rx, b, 0, 1));
	TEST_EQUALS(EMSGSIZE, tsock_rx_get(rx, 0, &src, &mb));

	/* a full queue */
	for (n = 0; n < TSOCK_BATCH; n++)
		TEST_ERR(tsock_txq_add(q, &sa_b, big, 1));
	TEST_EQUALS(ENOSPC, tsock_txq_add(q, &sa_b, big, 1));
	TEST_EQUALS(0, tsock_txq_flush(q, a));
	TEST_EQUALS(TSOCK_BATCH, tsock_recv(rx, b, 0, TSOCK_BATCH));

 out:
	tsock_close(&a);
	tsock_close(&b);
	mem_deref(rx);
	mem_deref(q);
	return err;
}


/* Replies queued on a UDP listener leave only when it is flushed */
int test_turn_txq(void)
{
	unsigned base = 56000 + (unsigned)(getpid() % 200) * 20;
	struct cfg *cfg = NULL;
	struct turnd *turnd = NULL;
	struct tsock_rx *rx = NULL;
	struct tlisten *lsn;
	struct sa sa_b, src;
	struct mbuf *m1 = NULL;
	char conf[512], msg[256];
	struct mbuf mb;
	int b = -1;
	int err;

	(void)re_snprintf(conf, sizeof(conf),
			  "interface lo 127.0.0.1 ports=%u-%u\n"
			  "sip_enable no\nrelay_enable no\nturn_enable yes\n"
			  "turn_listen lo udp %u\nturn_relay_interface lo\n"
			  "turn_realm unit.test\n"
			  "token_secret k1 turn-unit-secret-0001\n",
			  base, base + 15, base + 19);
	err = cfg_parse(&cfg, "txq-test", conf, strlen(conf), msg,
			sizeof(msg));
	if (err)
		TEST_FAIL("%s\n", msg);
	TEST_ERR(err);
	TEST_ERR(turnd_alloc(&turnd, cfg, NULL));
	TEST_ERR(tsock_rx_alloc(&rx));
	TEST_ERR(loopback(&b, &sa_b));
	lsn = turnd->listeners.head->data;
	m1 = mbuf_alloc(8);
	TEST_ASSERT(m1 != NULL);
	(void)mbuf_write_str(m1, "abcd");
	m1->pos = 0;

	/* outside a relayed-socket wakeup: at once */
	TEST_ERR(tlisten_queue(lsn, NULL, &sa_b, m1));
	TEST_EQUALS(1, tsock_recv(rx, b, 0, TSOCK_BATCH));

	/* inside one: queued until the flush */
	turnd->queueing = true;
	TEST_ERR(tlisten_queue(lsn, NULL, &sa_b, m1));
	TEST_ERR(tlisten_queue(lsn, NULL, &sa_b, m1));
	TEST_EQUALS(2, lsn->txq->n);
	TEST_EQUALS(0, tsock_recv(rx, b, 0, TSOCK_BATCH));
	tlisten_flush(lsn);
	TEST_EQUALS(0, lsn->txq->n);
	TEST_EQUALS(2, tsock_recv(rx, b, 0, TSOCK_BATCH));
	TEST_ERR(tsock_rx_get(rx, 1, &src, &mb));
	TEST_ASSERT(sa_cmp(&src, &lsn->local, SA_ALL));
	TEST_ASSERT(0 == memcmp(mbuf_buf(&mb), "abcd", 4));

	/* a message sent at once goes after what is queued */
	TEST_ERR(tlisten_queue(lsn, NULL, &sa_b, m1));
	m1->pos = 1;
	TEST_ERR(tlisten_send(lsn, NULL, &sa_b, m1));
	TEST_EQUALS(2, tsock_recv(rx, b, 0, TSOCK_BATCH));
	TEST_ERR(tsock_rx_get(rx, 1, &src, &mb));
	TEST_EQUALS(3, mbuf_get_left(&mb));
	turnd->queueing = false;

 out:
	tsock_close(&b);
	mem_deref(m1);
	mem_deref(rx);
	mem_deref(turnd);
	mem_deref(cfg);
	return err;
}
