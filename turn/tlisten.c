/**
 * @file tlisten.c  TURN server: listeners (UDP, TCP, TLS)
 */
#include <re.h>
#include "turnd_priv.h"


enum {
	SOCK_BUF = 1 << 20,   /**< Socket buffers (bytes) */
};


static void tlisten_destructor(void *data)
{
	struct tlisten *lsn = data;

	list_unlink(&lsn->le);
	list_flush(&lsn->conns);
	mem_deref(lsn->ts);
	mem_deref(lsn->us);
}


static void recv_handler(const struct sa *src, struct mbuf *mb, void *arg)
{
	struct tlisten *lsn = arg;

	tmsg_input(lsn->turnd, lsn, NULL, src, mb);
}


static int udp_open(struct tlisten *lsn, const struct sa *local)
{
	int err;

	err = udp_listen(&lsn->us, local, recv_handler, lsn);
	if (err)
		return err;

	(void)udp_sockbuf_set(lsn->us, SOCK_BUF);

	return udp_local_get(lsn->us, &lsn->local);
}


static int tcp_open(struct tlisten *lsn, const struct sa *local)
{
	int err;

	if (lsn->tp == CFG_TLS && !lsn->turnd->tls)
		return EINVAL;

	err = tcp_listen(&lsn->ts, local, tconn_accept, lsn);
	if (err)
		return err;

	return tcp_local_get(lsn->ts, &lsn->local);
}


/**
 * Open a listener
 *
 * @param lsnp  Pointer to allocated listener
 * @param turnd Owner (its TLS context serves a TLS listener)
 * @param local Address and port to bind
 * @param tp    Transport
 *
 * @return 0 if success, otherwise errorcode
 */
int tlisten_alloc(struct tlisten **lsnp, struct turnd *turnd,
		  const struct sa *local, enum cfg_tp tp)
{
	struct tlisten *lsn;
	int err;

	if (!lsnp || !turnd || !local)
		return EINVAL;

	lsn = mem_zalloc(sizeof(*lsn), tlisten_destructor);
	if (!lsn)
		return ENOMEM;

	lsn->turnd = turnd;
	lsn->tp = tp;

	err = tp == CFG_UDP ? udp_open(lsn, local) : tcp_open(lsn, local);
	if (err)
		mem_deref(lsn);
	else
		*lsnp = lsn;

	return err;
}


/**
 * Send a message to a client: on its connection, or from the UDP
 * listener it talks to
 *
 * @param lsn  Listener
 * @param conn Connection, NULL for UDP
 * @param dst  Client address
 * @param mb   Message, from mb->pos
 *
 * @return 0 if success, otherwise errorcode
 */
int tlisten_send(struct tlisten *lsn, struct tconn *conn,
		 const struct sa *dst, struct mbuf *mb)
{
	struct turnd *turnd;

	if (!lsn || !dst || !mb)
		return EINVAL;

	turnd = lsn->turnd;
	if (turnd->tap) {
		turnd->tap(dst, mb, turnd->tap_arg);
		return 0;
	}

	if (conn)
		return tcp_send(conn->tc, mb);

	return udp_send(lsn->us, dst, mb);
}
