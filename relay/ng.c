/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file ng.c  ng protocol: the UDP socket, cookies, retransmissions and
 *             command dispatch
 *
 * A datagram is "COOKIE SP BENCODE". The reply carries the same cookie.
 * A controller retransmits with the same cookie when a reply is lost:
 * the cached reply is sent again, the command is not run twice.
 * Requests from addresses that are not controllers are dropped without
 * a reply, so the socket cannot be used as a reflector.
 */
#include <string.h>
#include <re.h>
#define DEBUG_MODULE "ng"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "elog.h"
#include "cfg.h"
#include "ipnet.h"
#include "bencode.h"
#include "relay.h"
#include "jsonw.h"
#include "ng.h"
#include "ng_priv.h"


enum {
	NG_RX_MAX     = 65536,  /**< Largest datagram accepted          */
	NG_COOKIE_MAX = 64,     /**< Longest cookie                     */
	CACHE_MAX     = 1024,   /**< Replies kept for retransmissions   */
	CACHE_TTL     = 30000,  /**< ms a reply is kept                 */
	CACHE_HASH    = 256,    /**< Buckets of the cookie hash         */
};

/** The ng server */
struct ng {
	struct udp_sock *us;        /**< The control socket          */
	struct relay *relay;        /**< Relay it drives             */
	const struct cfg *cfg;      /**< Configuration (referenced)  */
	struct list cache;          /**< struct ng_reply, oldest first */
	struct hash *cookies;       /**< The same, by cookie         */
	uint32_t ncache;            /**< How many                    */
	uint64_t requests;          /**< Commands run                */
	uint64_t retrans;           /**< Replies sent again          */
	uint64_t denied;            /**< From non-controllers        */
	uint64_t malformed;         /**< Bad datagrams               */
	bool draining;              /**< Offers of new calls refused */
};

/** A reply kept for retransmissions */
struct ng_reply {
	struct le le;                     /**< Member of ng.cache     */
	struct le he;                     /**< Member of ng.cookies   */
	char cookie[NG_COOKIE_MAX + 1];   /**< Its cookie             */
	struct sa src;                    /**< Controller it went to  */
	struct mbuf *mb;                  /**< The whole datagram     */
	uint64_t t;                       /**< When (tmr_jiffies)     */
};


static void reply_destructor(void *data)
{
	struct ng_reply *r = data;

	list_unlink(&r->le);
	hash_unlink(&r->he);
	mem_deref(r->mb);
}


static void ng_destructor(void *data)
{
	struct ng *ng = data;

	list_flush(&ng->cache);
	mem_deref(ng->cookies);
	mem_deref(ng->us);
	mem_deref((void *)ng->cfg);
}


static void cache_expire(struct ng *ng)
{
	uint64_t now = tmr_jiffies();

	while (ng->cache.head) {
		struct ng_reply *r = ng->cache.head->data;

		if (ng->ncache <= CACHE_MAX && now - r->t < CACHE_TTL)
			break;
		--ng->ncache;
		mem_deref(r);
	}
}


/** What a cached reply is looked up by */
struct cache_key {
	const struct pl *cookie;
	const struct sa *src;
};


static bool reply_cmp(struct le *le, void *arg)
{
	const struct ng_reply *r = le->data;
	const struct cache_key *k = arg;

	return !pl_strcmp(k->cookie, r->cookie) &&
		sa_cmp(k->src, &r->src, SA_ALL);
}


/* A cookie's reply to the same controller (a hash: a busy controller
 * keeps CACHE_MAX replies, looked up per command) */
static struct ng_reply *cache_find(const struct ng *ng,
				   const struct pl *cookie,
				   const struct sa *src)
{
	struct cache_key k = {cookie, src};

	return list_ledata(hash_lookup(ng->cookies, hash_joaat_pl(cookie),
				       reply_cmp, &k));
}


static void cache_add(struct ng *ng, const struct pl *cookie,
		      const struct sa *src, struct mbuf *mb)
{
	struct ng_reply *r = mem_zalloc(sizeof(*r), reply_destructor);

	if (!r)
		return;

	(void)pl_strcpy(cookie, r->cookie, sizeof(r->cookie));
	r->src = *src;
	r->mb = mem_ref(mb);
	r->t = tmr_jiffies();
	list_append(&ng->cache, &r->le, r);
	hash_append(ng->cookies, hash_joaat_pl(cookie), &r->he, r);
	++ng->ncache;
	cache_expire(ng);
}


static int error_reply(struct mbuf *mb, const char *reason)
{
	return benc_enc_dict_begin(mb) |
		benc_enc_kv_str(mb, "result", "error") |
		benc_enc_kv_str(mb, "error-reason", reason) |
		benc_enc_end(mb);
}


static int ping(struct ng_cmd *c)
{
	return benc_enc_kv_str(c->reply, "result", "pong");
}


static int dispatch(struct ng *ng, const struct benc *dict,
		    struct mbuf *mb)
{
	static const struct {
		const char *name;
		int (*h)(struct ng_cmd *c);
	} cmds[] = {
		{"ping", ping},
		{"offer", ng_cmd_offer},
		{"answer", ng_cmd_answer},
		{"delete", ng_cmd_delete},
		{"query", ng_cmd_query},
		{"list", ng_cmd_list},
	};
	const struct benc *cmd = benc_dict_get(dict, "command");
	struct ng_cmd c;
	size_t start = mb->pos;
	int err;

	if (!cmd || cmd->type != BENC_STR)
		return error_reply(mb, "no command");

	memset(&c, 0, sizeof(c));
	c.relay = ng->relay;
	c.draining = ng->draining;
	c.dict = dict;
	c.reply = mb;

	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		if (!benc_str_eq(cmd, cmds[i].name))
			continue;

		++ng->requests;
		err = benc_enc_dict_begin(mb);
		err |= cmds[i].h(&c);
		if (c.error) {
			mb->pos = mb->end = start;
			return error_reply(mb, c.error);
		}
		if (c.warning[0])
			err |= benc_enc_kv_str(mb, "warning", c.warning);
		return err | benc_enc_end(mb);
	}

	return error_reply(mb, "unknown command");
}


/* the reply to a decoded request: an error or the command's */
static struct mbuf *answer(struct ng *ng, const struct pl *cookie,
			   const struct pl *body)
{
	struct benc *dict = NULL;
	struct mbuf *out;

	out = mbuf_alloc(1024);
	if (!out)
		return NULL;
	(void)mbuf_printf(out, "%r ", cookie);

	if (benc_decode(&dict, body->p, body->l, NULL) ||
	    dict->type != BENC_DICT) {
		++ng->malformed;
		(void)error_reply(out, "malformed bencode dictionary");
	}
	else {
		(void)dispatch(ng, dict, out);
	}

	out->pos = 0;
	mem_deref(dict);

	return out;
}


/**
 * Take one datagram: run its command, or find its cached reply
 *
 * @param ng     ng server
 * @param src    Where it came from
 * @param mb     The datagram, from mb->pos
 * @param replyp The reply to send to src (referenced; pos 0), NULL if
 *               there is none (not a controller, no cookie)
 *
 * @return 0 if success, otherwise errorcode
 */
int ng_input(struct ng *ng, const struct sa *src, const struct mbuf *mb,
	     struct mbuf **replyp)
{
	struct pl msg, cookie, body;
	struct ng_reply *cached;
	const char *sp;

	if (!ng || !src || !mb || !replyp)
		return EINVAL;

	*replyp = NULL;
	if (!ipnet_match(&ng->cfg->relay.ng_controllers, src)) {
		++ng->denied;
		return 0;
	}

	msg.p = (const char *)mbuf_buf(mb);
	msg.l = mbuf_get_left(mb);
	sp = pl_strchr(&msg, ' ');
	if (!sp || sp == msg.p || sp - msg.p > NG_COOKIE_MAX) {
		++ng->malformed;   /* no cookie: nothing to reply to */
		return 0;
	}
	cookie.p = msg.p;
	cookie.l = (size_t)(sp - msg.p);
	body.p = sp + 1;
	body.l = msg.l - cookie.l - 1;

	cached = cache_find(ng, &cookie, src);
	if (cached) {
		++ng->retrans;
		cached->mb->pos = 0;
		*replyp = mem_ref(cached->mb);
		return 0;
	}

	*replyp = answer(ng, &cookie, &body);
	if (!*replyp)
		return ENOMEM;

	cache_add(ng, &cookie, src, *replyp);

	return 0;
}


static void recv_handler(const struct sa *src, struct mbuf *mb, void *arg)
{
	struct ng *ng = arg;
	struct mbuf *out = NULL;

	if (ng_input(ng, src, mb, &out) || !out)
		return;

	(void)udp_send(ng->us, src, out);
	out->pos = 0;
	mem_deref(out);
}


/**
 * Serve the ng protocol on relay_ng_listen
 *
 * @param ngp   Pointer to allocated ng server
 * @param relay Relay to drive
 * @param cfg   Configuration, referenced
 *
 * @return 0 if success, otherwise errorcode
 */
int ng_alloc(struct ng **ngp, struct relay *relay, const struct cfg *cfg)
{
	struct ng *ng;
	int err;

	if (!ngp || !relay || !cfg)
		return EINVAL;

	ng = mem_zalloc(sizeof(*ng), ng_destructor);
	if (!ng)
		return ENOMEM;

	ng->relay = relay;
	ng->cfg = mem_ref((void *)cfg);

	err = hash_alloc(&ng->cookies, CACHE_HASH);
	if (err)
		goto out;

	err = udp_listen(&ng->us, &cfg->relay.ng_listen, recv_handler, ng);
	if (err) {
		elog_err("ng: cannot listen on %J: %m\n",
			 &cfg->relay.ng_listen, err);
		goto out;
	}
	udp_rxsz_set(ng->us, NG_RX_MAX);

	DEBUG_NOTICE("ng control protocol on %J\n", &cfg->relay.ng_listen);

 out:
	if (err)
		mem_deref(ng);
	else
		*ngp = ng;

	return err;
}


/**
 * Apply a reloaded configuration: the controllers allowed. The socket
 * stays where it was started.
 *
 * @param ng  ng server
 * @param cfg New configuration, referenced
 */
/**
 * Start or stop refusing offers of new calls (a drain): they get
 * "error-reason": "draining"; re-offers of known calls, answers,
 * queries and deletes go on
 *
 * @param ng ng server, NULL if none
 * @param on Whether offers of new calls are refused
 */
void ng_set_draining(struct ng *ng, bool on)
{
	if (ng)
		ng->draining = on;
}


void ng_set_cfg(struct ng *ng, const struct cfg *cfg)
{
	if (!ng || !cfg)
		return;

	mem_deref((void *)ng->cfg);
	ng->cfg = mem_ref((void *)cfg);
}


/**
 * The address the ng socket is bound to
 *
 * @param ng    ng server
 * @param local Its address
 *
 * @return 0 if success, otherwise errorcode
 */
int ng_local(const struct ng *ng, struct sa *local)
{
	return ng ? udp_local_get(ng->us, local) : EINVAL;
}


/**
 * Print the ng server's counters
 *
 * @param pf Print handler
 * @param ng ng server, NULL if not configured
 *
 * @return 0 if success, otherwise errorcode
 */
int ng_status(struct re_printf *pf, const struct ng *ng)
{
	if (!ng)
		return re_hprintf(pf, "ng: not configured\n");

	return re_hprintf(pf, "ng: %llu commands, %llu retransmissions, "
			  "%llu denied, %llu malformed\n",
			  (unsigned long long)ng->requests,
			  (unsigned long long)ng->retrans,
			  (unsigned long long)ng->denied,
			  (unsigned long long)ng->malformed);
}


/**
 * Write the ng socket's counters as the member "ng" of a JSON object
 * (null when it is not configured)
 *
 * @param w  JSON writer, inside an object
 * @param ng ng control protocol, NULL if not configured
 */
void ng_json(struct jsonw *w, const struct ng *ng)
{
	if (!ng) {
		jsonw_null(w, "ng");
		return;
	}

	jsonw_obj(w, "ng");
	jsonw_u64(w, "commands", ng->requests);
	jsonw_u64(w, "retransmissions", ng->retrans);
	jsonw_u64(w, "denied", ng->denied);
	jsonw_u64(w, "malformed", ng->malformed);
	jsonw_close(w);
}
