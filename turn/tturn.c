/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tturn.c  TURN server: the TURN methods (RFC 5766, RFC 6156)
 *
 * Only authenticated requests get here (tauth.c runs first). Allocate
 * on a 5-tuple that has an allocation gets 437 (unless it retransmits
 * the Allocate that made it); every other request needs the allocation
 * (437) and the USERNAME that made it (441).
 */
#include <string.h>
#include <re.h>
#define DEBUG_MODULE "turnd"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "cfg.h"
#include "peerfilt.h"
#include "turnd_priv.h"


enum {
	TRANSPORT_UDP = 17,   /**< REQUESTED-TRANSPORT for UDP      */
	BIND_TRIES    = 16,   /**< Pairs tried when ports are busy  */
};


static uint32_t lifetime_of(const struct treq *req)
{
	const struct stun_attr *a = stun_msg_attr(req->msg,
						  STUN_ATTR_LIFETIME);
	uint32_t max = req->turnd->cfg->turn.max_lifetime;
	uint32_t t = a ? a->v.lifetime : TURND_LIFETIME;

	if (t < TURND_LIFETIME)
		t = TURND_LIFETIME;

	return t < max ? t : max;
}


static int family_of(uint8_t v)
{
	switch (v) {

	case STUN_AF_IPv4: return AF_INET;
	case STUN_AF_IPv6: return AF_INET6;
	default:           return AF_UNSPEC;
	}
}


/* the quotas, counting reservations; the one a RESERVATION-TOKEN
 * names becomes the allocation, so it is not counted twice */
static uint16_t quota_check(const struct treq *req,
			    const struct stun_attr *token)
{
	const struct cfg_turn *ct = &req->turnd->cfg->turn;
	const struct tresv *rv;
	uint32_t user, total;

	user = talloc_user_count(req->turnd, req->user);
	total = req->turnd->nallocs + req->turnd->nresvs;

	rv = token ? tresv_find(req->turnd, token->v.rsv_token) : NULL;
	if (rv) {
		--total;
		if (!strcmp(rv->tu->name, talloc_user_part(req->user)))
			--user;
	}

	if (req->turnd->draining)
		return 508;
	if (user >= ct->user_quota)
		return 486;
	if (total >= ct->total_quota)
		return 508;

	return 0;
}


/* the checks before anything is taken: 0, or the error code */
static uint16_t allocate_check(const struct treq *req)
{
	const struct stun_msg *msg = req->msg;
	const struct stun_attr *tr, *fam, *token;

	tr = stun_msg_attr(msg, STUN_ATTR_REQ_TRANSPORT);
	fam = stun_msg_attr(msg, STUN_ATTR_REQ_ADDR_FAMILY);
	token = stun_msg_attr(msg, STUN_ATTR_RSV_TOKEN);

	if (!tr)
		return 400;
	if (token && (fam || stun_msg_attr(msg, STUN_ATTR_EVEN_PORT)))
		return 400;
	if (tr->v.req_transport != TRANSPORT_UDP)
		return 442;
	if (fam && family_of(fam->v.req_addr_family) !=
	    sa_af(&req->turnd->relay_addr))
		return 440;

	return quota_check(req, token);
}


/* a pair from the pool, skipping ports another process holds */
static int allocate_new(struct talloc **alp, const struct treq *req,
			uint32_t lifetime)
{
	struct tport *busy[BIND_TRIES];
	unsigned nbusy = 0;
	int err = ENOSPC;

	while (nbusy < BIND_TRIES) {
		struct tport *tp;

		err = tport_take(&tp, req->turnd->pool);
		if (err)
			break;

		err = talloc_alloc(alp, req->turnd, req, tp, tp->port,
				   lifetime);
		busy[nbusy++] = tp;
		if (err != EADDRINUSE)
			break;
	}

	while (nbusy)
		mem_deref(busy[--nbusy]);

	return err;
}


static int allocate_resv(struct talloc **alp, const struct treq *req,
			 uint32_t lifetime)
{
	const struct stun_attr *a;
	struct tresv *rv;
	int err;

	a = stun_msg_attr(req->msg, STUN_ATTR_RSV_TOKEN);
	rv = tresv_find(req->turnd, a->v.rsv_token);
	if (!rv)
		return ENOENT;

	err = talloc_alloc(alp, req->turnd, req, rv->tp, rv->tp->port + 1,
			   lifetime);
	if (!err)
		mem_deref(rv);

	return err;
}


static void allocate_reply(const struct treq *req, const struct talloc *al,
			   uint32_t lifetime, const uint64_t *token)
{
	(void)treq_reply(req, 4,
			 STUN_ATTR_XOR_RELAY_ADDR, &al->relay,
			 STUN_ATTR_LIFETIME, &lifetime,
			 STUN_ATTR_RSV_TOKEN, token,
			 STUN_ATTR_XOR_MAPPED_ADDR, req->src);
}


static void allocate_request(struct treq *req, const struct talloc *old)
{
	const struct stun_attr *ep;
	struct talloc *al = NULL;
	struct tresv *rv = NULL;
	uint32_t lifetime = lifetime_of(req);
	uint16_t code;
	int err;

	if (old) {
		if (memcmp(old->tid, stun_msg_tid(req->msg), sizeof(old->tid))
		    || strcmp(old->user, req->user))
			(void)treq_ereply(req, 437, 0);
		else
			allocate_reply(req, old, lifetime, NULL);
		return;
	}

	code = req->lsn->retired ? 508 : allocate_check(req);
	if (code) {
		(void)treq_ereply(req, code, 0);
		return;
	}

	if (stun_msg_attr(req->msg, STUN_ATTR_RSV_TOKEN))
		err = allocate_resv(&al, req, lifetime);
	else
		err = allocate_new(&al, req, lifetime);
	if (err == ENOENT) {
		DEBUG_INFO("%J: unknown RESERVATION-TOKEN\n", req->src);
		(void)treq_ereply(req, 508, 0);
		return;
	}
	else if (err) {
		DEBUG_WARNING("%J: allocate: %m\n", req->src, err);
		(void)treq_ereply(req, 508, 0);
		return;
	}

	ep = stun_msg_attr(req->msg, STUN_ATTR_EVEN_PORT);
	if (ep && ep->v.even_port.r && al->tp->port == sa_port(&al->relay)
	    && tresv_alloc(&rv, req->turnd, al->tp, req->user))
		DEBUG_WARNING("%J: no reservation\n", req->src);

	allocate_reply(req, al, lifetime, rv ? &rv->token : NULL);
}


static void refresh_request(struct treq *req, struct talloc *al)
{
	const struct stun_attr *a = stun_msg_attr(req->msg,
						  STUN_ATTR_LIFETIME);
	uint32_t lifetime = 0;

	if (a && a->v.lifetime == 0) {
		mem_deref(al);
	}
	else {
		lifetime = lifetime_of(req);
		talloc_refresh(al, lifetime);
	}

	(void)treq_reply(req, 1, STUN_ATTR_LIFETIME, &lifetime);
}


/* 0, or the error code for a peer address */
static uint16_t peer_check(const struct treq *req, const struct sa *peer)
{
	enum peerfilt_verdict v = peerfilt_check(req->turnd->pf, peer);

	if (v != PEERFILT_ALLOW) {
		DEBUG_INFO("%J: peer %j refused: %s\n", req->src, peer,
			   peerfilt_reason(v));
		++req->turnd->pf_refused[v];
		return 403;
	}

	if (sa_af(peer) != sa_af(&req->turnd->relay_addr))
		return 443;

	return 0;
}


/** What a walk over XOR-PEER-ADDRESS attributes finds */
struct perm_walk {
	const struct treq *req;    /**< The request              */
	struct talloc *al;         /**< Allocation (install)     */
	uint16_t code;             /**< First error code         */
	unsigned n;                /**< Peers seen               */
	unsigned fresh;            /**< ... without a permission */
};


static bool perm_check(const struct stun_attr *a, void *arg)
{
	struct perm_walk *w = arg;

	if (a->type != STUN_ATTR_XOR_PEER_ADDR)
		return false;

	++w->n;
	if (!tperm_find(w->al, &a->v.xor_peer_addr))
		++w->fresh;
	w->code = peer_check(w->req, &a->v.xor_peer_addr);

	return w->code != 0;
}


static bool perm_install(const struct stun_attr *a, void *arg)
{
	struct perm_walk *w = arg;

	if (a->type != STUN_ATTR_XOR_PEER_ADDR)
		return false;

	if (tperm_install(w->al, &a->v.xor_peer_addr))
		w->code = 508;

	return w->code != 0;
}


static void createperm_request(struct treq *req, struct talloc *al)
{
	struct perm_walk w = {req, al, 0, 0, 0};

	/* all or nothing: every peer allowed, and room for the new ones
	   (a peer twice in the request is counted twice) */
	(void)stun_msg_attr_apply(req->msg, perm_check, &w);
	if (!w.code && !w.n)
		w.code = 400;
	if (!w.code && list_count(&al->perms) + w.fresh > TURND_PERM_MAX)
		w.code = 508;
	if (!w.code)
		(void)stun_msg_attr_apply(req->msg, perm_install, &w);

	if (w.code)
		(void)treq_ereply(req, w.code, 0);
	else
		(void)treq_reply(req, 0);
}


static void chanbind_request(struct treq *req, struct talloc *al)
{
	const struct stun_attr *num, *peer;
	uint16_t code;
	int err;

	num = stun_msg_attr(req->msg, STUN_ATTR_CHANNEL_NUMBER);
	peer = stun_msg_attr(req->msg, STUN_ATTR_XOR_PEER_ADDR);
	if (!num || !peer) {
		(void)treq_ereply(req, 400, 0);
		return;
	}

	code = peer_check(req, &peer->v.xor_peer_addr);
	if (code) {
		(void)treq_ereply(req, code, 0);
		return;
	}

	err = tchan_bind(al, num->v.channel_number, &peer->v.xor_peer_addr);
	if (err == ENOSPC || err == ENOMEM)
		(void)treq_ereply(req, 508, 0);
	else if (err)
		(void)treq_ereply(req, 400, 0);
	else
		(void)treq_reply(req, 0);
}


/**
 * Handle a TURN request
 *
 * @param req Authenticated request
 *
 * @return true if it was a TURN method (and answered)
 */
bool tturn_request(struct treq *req)
{
	uint16_t method = stun_msg_method(req->msg);
	struct talloc *al;

	if (method != STUN_METHOD_ALLOCATE && method != STUN_METHOD_REFRESH &&
	    method != STUN_METHOD_CREATEPERM && method != STUN_METHOD_CHANBIND)
		return false;

	al = talloc_find(req->turnd, req->lsn, req->src);

	if (method == STUN_METHOD_ALLOCATE) {
		allocate_request(req, al);
		return true;
	}

	if (!al)
		(void)treq_ereply(req, 437, 0);
	else if (strcmp(al->user, req->user))
		(void)treq_ereply(req, 441, 0);
	else if (method == STUN_METHOD_REFRESH)
		refresh_request(req, al);
	else if (method == STUN_METHOD_CREATEPERM)
		createperm_request(req, al);
	else
		chanbind_request(req, al);

	return true;
}


/**
 * Handle an indication: a Send indication relays its DATA to its
 * XOR-PEER-ADDRESS; anything else is dropped
 *
 * @param req Indication (not authenticated: indications never are)
 */
void tturn_indication(struct treq *req)
{
	struct stun_attr *peer, *data;
	struct talloc *al;

	if (stun_msg_method(req->msg) != STUN_METHOD_SEND)
		return;

	al = talloc_find(req->turnd, req->lsn, req->src);
	peer = stun_msg_attr(req->msg, STUN_ATTR_XOR_PEER_ADDR);
	data = stun_msg_attr(req->msg, STUN_ATTR_DATA);
	if (!al || !peer || !data)
		return;

	(void)tdata_to_peer(al, &peer->v.xor_peer_addr, &data->v.data);
}
