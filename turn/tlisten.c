/**
 * @file tlisten.c  TURN server: UDP listeners
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
	mem_deref(lsn->us);
}


static void recv_handler(const struct sa *src, struct mbuf *mb, void *arg)
{
	struct tlisten *lsn = arg;

	tmsg_input(lsn->turnd, lsn, src, mb);
}


/**
 * Open a UDP listener
 *
 * @param lsnp  Pointer to allocated listener
 * @param turnd Owner
 * @param local Address and port to bind
 *
 * @return 0 if success, otherwise errorcode
 */
int tlisten_alloc(struct tlisten **lsnp, struct turnd *turnd,
		  const struct sa *local)
{
	struct tlisten *lsn;
	int err;

	if (!lsnp || !turnd || !local)
		return EINVAL;

	lsn = mem_zalloc(sizeof(*lsn), tlisten_destructor);
	if (!lsn)
		return ENOMEM;

	lsn->turnd = turnd;

	err = udp_listen(&lsn->us, local, recv_handler, lsn);
	if (err)
		goto out;

	(void)udp_sockbuf_set(lsn->us, SOCK_BUF);
	err = udp_local_get(lsn->us, &lsn->local);

 out:
	if (err)
		mem_deref(lsn);
	else
		*lsnp = lsn;

	return err;
}


/**
 * Send a message to a client through the listener it talks to
 *
 * @param lsn Listener
 * @param dst Client address
 * @param mb  Message, from mb->pos
 *
 * @return 0 if success, otherwise errorcode
 */
int tlisten_send(struct tlisten *lsn, const struct sa *dst, struct mbuf *mb)
{
	struct turnd *turnd;

	if (!lsn || !dst || !mb)
		return EINVAL;

	turnd = lsn->turnd;
	if (turnd->tap) {
		turnd->tap(dst, mb, turnd->tap_arg);
		return 0;
	}

	return udp_send(lsn->us, dst, mb);
}
