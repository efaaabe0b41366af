/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file talloc.c  TURN server: allocations
 *
 * An allocation is found by its 5-tuple: the listener (transport and
 * server address) and the client address. It owns its relayed socket,
 * its port pair, its permissions and channels; its lifetime timer frees
 * it, and freeing it closes the socket and returns the port at once.
 */
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <re.h>
#define DEBUG_MODULE "turnd"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "cfg.h"
#include "turnd_priv.h"


enum {
	BW_BURST_MIN = 1500,    /**< Smallest bandwidth burst (bytes) */
};

/** What talloc_find() looks for */
struct tuple {
	const struct tlisten *lsn;   /**< Server side */
	const struct sa *cli;        /**< Client side */
};


static void talloc_destructor(void *data)
{
	struct talloc *al = data;

	texp_cancel(&al->exp);
	hash_unlink(&al->he);
	list_flush(&al->perms);
	list_flush(&al->chans);
	tpeer_remove(al);
	mem_deref(al->tp);

	if (al->turnd) {
		--al->turnd->nallocs;
		--al->tu->n;
		DEBUG_INFO("allocation %J for %s on %J ended: %llu/%llu "
			   "packets out/in\n", &al->cli, al->user, &al->relay,
			   (unsigned long long)al->st.pkts_out,
			   (unsigned long long)al->st.pkts_in);
	}

	mem_deref(al->tu);
	mem_deref(al->lsn);
	OPENSSL_cleanse(al->key, sizeof(al->key));
}


static void expire_handler(void *arg)
{
	mem_deref(arg);
}


static bool user_cmp(struct le *le, void *arg)
{
	const struct tuser *tu = le->data;

	return 0 == strcmp(tu->name, arg);
}


static struct tuser *tuser_find(const struct turnd *turnd, const char *name)
{
	struct le *le;

	le = hash_lookup(turnd->users, hash_joaat_str(name), user_cmp,
			 (void *)name);

	return le ? le->data : NULL;
}


static void tuser_destructor(void *data)
{
	struct tuser *tu = data;

	hash_unlink(&tu->he);
}


/**
 * A reference to the counts of a USERNAME's user part, made if needed
 *
 * @param turnd    TURN server
 * @param username USERNAME
 *
 * @return the user's counts, NULL if out of memory
 */
struct tuser *talloc_user_get(struct turnd *turnd, const char *username)
{
	const char *name = talloc_user_part(username);
	struct tuser *tu = tuser_find(turnd, name);

	if (tu)
		return mem_ref(tu);

	tu = mem_zalloc(sizeof(*tu), tuser_destructor);
	if (!tu)
		return NULL;

	str_ncpy(tu->name, name, sizeof(tu->name));
	hash_append(turnd->users, hash_joaat_str(tu->name), &tu->he, tu);

	return tu;
}


static void dont_fragment(int fd, int af)
{
	int v;

	if (af == AF_INET) {
		v = IP_PMTUDISC_DO;
		(void)setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &v,
				 sizeof(v));
	}
	else {
		v = 1;
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_DONTFRAG, &v,
				 sizeof(v));
	}
}


static int socket_open(struct talloc *al, uint16_t port, bool df)
{
	struct sa local = al->turnd->relay_addr;
	int err;

	sa_set_port(&local, port);

	err = tsock_open(&al->fd, &local, 0);
	if (err)
		return err;

	if (df)
		dont_fragment(al->fd, sa_af(&local));

	err = tpeer_add(al);
	if (err)
		return err;

	al->relay = al->turnd->relay_adv;
	sa_set_port(&al->relay, port);

	return 0;
}


/**
 * Create an allocation for an authenticated Allocate request
 *
 * @param alp      Pointer to the allocation, owned by turnd.allocs
 * @param turnd    TURN server
 * @param req      The Allocate request (5-tuple, USERNAME, DF)
 * @param tp       Port pair (referenced)
 * @param port     Port of the pair to relay on
 * @param lifetime Seconds
 *
 * @return 0 if success, EADDRINUSE if another process holds the port
 */
int talloc_alloc(struct talloc **alp, struct turnd *turnd,
		 const struct treq *req, struct tport *tp, uint16_t port,
		 uint32_t lifetime)
{
	const struct cfg *cfg;
	struct talloc *al;
	uint64_t bps;
	int err;

	if (!alp || !turnd || !req || !req->user || !tp)
		return EINVAL;

	al = mem_zalloc(sizeof(*al), talloc_destructor);
	if (!al)
		return ENOMEM;

	al->turnd = turnd;
	al->fd = -1;
	al->lsn = mem_ref(req->lsn);
	al->conn = req->conn;
	al->cli = *req->src;
	al->tp = mem_ref(tp);
	al->created = (uint64_t)time(NULL);
	str_ncpy(al->user, req->user, sizeof(al->user));
	memcpy(al->tid, stun_msg_tid(req->msg), sizeof(al->tid));
	tauth_remember(al, req);

	err = socket_open(al, port,
			  stun_msg_attr(req->msg, STUN_ATTR_DONT_FRAGMENT));
	if (!err) {
		al->tu = talloc_user_get(turnd, al->user);
		err = al->tu ? 0 : ENOMEM;
	}
	if (err) {
		tpeer_remove(al);
		al->turnd = NULL;
		mem_deref(al);
		return err;
	}

	cfg = turnd->cfg;
	bps = cfg->turn.max_bps / 8;
	tbucket_init(&al->bw, bps, bps > BW_BURST_MIN ? bps : BW_BURST_MIN,
		     tmr_jiffies());

	hash_append(turnd->allocs, sa_hash(&al->cli, SA_ALL), &al->he, al);
	texp_start(&al->exp, &al->turnd->allocs_exp,
		   (uint64_t)lifetime * al->turnd->tick, expire_handler, al);
	++turnd->nallocs;
	++turnd->allocs_total;
	++al->tu->n;

	DEBUG_INFO("allocation %J for %s: relayed %J, %u s\n", &al->cli,
		   al->user, &al->relay, lifetime);

	*alp = al;

	return 0;
}


/**
 * Set an allocation's remaining lifetime
 *
 * @param al       Allocation
 * @param lifetime Seconds from now (> 0)
 */
void talloc_refresh(struct talloc *al, uint32_t lifetime)
{
	if (!al)
		return;

	texp_start(&al->exp, &al->turnd->allocs_exp,
		   (uint64_t)lifetime * al->turnd->tick, expire_handler, al);
}


static bool tuple_cmp(struct le *le, void *arg)
{
	const struct talloc *al = le->data;
	const struct tuple *t = arg;

	return al->lsn == t->lsn && sa_cmp(&al->cli, t->cli, SA_ALL);
}


/**
 * Find the allocation of a 5-tuple
 *
 * @param turnd TURN server
 * @param lsn   Listener
 * @param cli   Client address
 *
 * @return the allocation, or NULL
 */
struct talloc *talloc_find(const struct turnd *turnd,
			   const struct tlisten *lsn, const struct sa *cli)
{
	struct tuple t = {lsn, cli};
	struct le *le;

	le = hash_lookup(turnd->allocs, sa_hash(cli, SA_ALL), tuple_cmp, &t);

	return le ? le->data : NULL;
}


/**
 * The user part of a TURN REST username, "<expiry>:<user>"
 *
 * @param username USERNAME
 *
 * @return what follows the first ':', or the whole name without one
 */
const char *talloc_user_part(const char *username)
{
	const char *colon = username ? strchr(username, ':') : NULL;

	return colon ? colon + 1 : username;
}


/**
 * Count a user's allocations and EVEN-PORT reservations (for
 * turn_user_quota)
 *
 * @param turnd TURN server
 * @param user  USERNAME; its user part is compared
 *
 * @return the number of allocations and reservations
 */
uint32_t talloc_user_count(const struct turnd *turnd, const char *user)
{
	const struct tuser *tu;

	if (!turnd || !user)
		return 0;

	tu = tuser_find(turnd, talloc_user_part(user));

	return tu ? tu->n + tu->nresv : 0;
}
