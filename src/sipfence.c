/**
 * @file sipfence.c  A first look at outside UDP requests, before
 *                   libre's server transactions see them
 *
 * libre 1.1.0 matches a request to its server transactions before any
 * listener runs (src/sip/strans.c): a CANCEL is answered 200 and its
 * INVITE cancelled by branch and sent-by alone, and a retransmitted
 * request makes the last response go out again, to the first source.
 * So whoever can guess a pending INVITE's branch could cancel the
 * call. A udp helper on the outside UDP socket hands every decodable
 * request to the B2BUA's handler first; what the handler takes never
 * reaches libre. The socket is the one of a message that came on it
 * (sipraw's probe, see sipraw.c).
 */
#include <re.h>
#include "sipfence.h"


enum {
	LAYER = -999,   /**< Next to sipraw's -1000                    */
};

/** The helper on one UDP transport */
struct sipfence {
	struct le le;               /**< Member of the B2BUA's list      */
	struct udp_sock *us;        /**< libre's socket (referenced)     */
	struct udp_helper *uh;      /**< Our helper on it                */
	struct sa laddr;            /**< The transport's address         */
	sipfence_h *reqh;           /**< The B2BUA's first look          */
	void *arg;                  /**< Its argument                    */
};


static void sipfence_destructor(void *data)
{
	struct sipfence *f = data;

	list_unlink(&f->le);
	mem_deref(f->uh);
	mem_deref(f->us);
}


static bool recv_handler(struct sa *src, struct mbuf *mb, void *arg)
{
	struct sipfence *f = arg;
	struct sip_msg *msg = NULL;
	size_t pos = mb->pos;
	bool taken = false;

	if (sip_msg_decode(&msg, mb)) {
		mb->pos = pos;
		return false;
	}

	mb->pos = pos;
	if (msg->req) {
		msg->src = *src;
		msg->dst = f->laddr;
		msg->tp = SIP_TRANSP_UDP;
		msg->sock = mem_ref(f->us);
		taken = f->reqh(msg, f->arg);
	}

	mem_deref(msg);

	return taken;
}


static bool watched(const struct list *list, const void *sock)
{
	for (struct le *le = list_head(list); le; le = le->next) {
		const struct sipfence *f = le->data;

		if (f->us == sock)
			return true;
	}

	return false;
}


/**
 * Watch the UDP transport a message came on (once per transport)
 *
 * @param list The B2BUA's list of watchers (list_flush frees them)
 * @param msg  A message that came on the transport
 * @param reqh The first look at each request
 * @param arg  Handler argument
 *
 * @return 0 if success, otherwise errorcode
 */
int sipfence_watch(struct list *list, const struct sip_msg *msg,
		   sipfence_h *reqh, void *arg)
{
	struct sipfence *f;
	int err;

	if (!list || !msg || !reqh || msg->tp != SIP_TRANSP_UDP)
		return EINVAL;

	if (watched(list, msg->sock))
		return 0;

	f = mem_zalloc(sizeof(*f), sipfence_destructor);
	if (!f)
		return ENOMEM;

	f->us = mem_ref(msg->sock);
	f->laddr = msg->dst;
	f->reqh = reqh;
	f->arg = arg;

	err = udp_register_helper(&f->uh, f->us, LAYER, NULL, recv_handler,
				  f);
	if (err)
		mem_deref(f);
	else
		list_append(list, &f->le, f);

	return err;
}
