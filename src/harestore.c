/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file harestore.c  The calls a node wrote to Redis, made again after
 *                    a restart (warm restart, docs/ha.md)
 *
 * Once, when the connection first comes up (a single node), or when
 * keepalived makes this node the active one of a pair (a takeover,
 * every node's calls): SMEMBERS of the group's
 * calls, then HMGET node, relay, sip of each, sent back to back. The
 * answers come in the order of the requests, so the n-th answer is the
 * n-th call. A call this node wrote is made again by the relay
 * (relay_call_import()), and a B2BUA's with its SIP state (the sip
 * handler's; a call that was in setup is ended there, ECANCELED, and
 * deleted like a refused one); one of another node is left alone; one that cannot be
 * made again (a port taken, an interface gone, SRTP, its SIP state
 * refused: its relay call is deleted again) or whose key has expired
 * is reported so that it is deleted.
 */
#include <string.h>
#include <hiredis/hiredis.h>
#include <re.h>
#define DEBUG_MODULE "ha"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "relay.h"
#include "redis.h"
#include "hakey.h"
#include "harestore.h"


/** One restore */
struct harestore {
	struct redis *redis;      /**< Connection (not a reference)  */
	struct relay *relay;      /**< Where calls are made again    */
	char *group;              /**< ha_group                      */
	char *node;               /**< This node                     */
	char **ids;               /**< The group's call ids          */
	size_t n;                 /**< How many                      */
	size_t next;              /**< Whose answer comes next       */
	bool all;                 /**< Every node's calls (takeover) */
	struct harestore_stats st;/**< What it did                   */
	harestore_sip_h *siph;    /**< SIP state, or NULL            */
	void *sip_arg;            /**< Its argument                  */
	harestore_call_h *ch;     /**< Each call's outcome           */
	void *arg;                /**< Its argument                  */
};


static void ids_free(struct harestore *hr)
{
	for (size_t i = 0; i < hr->n; i++)
		mem_deref(hr->ids[i]);
	hr->ids = mem_deref(hr->ids);
	hr->n = hr->next = 0;
}


static void harestore_destructor(void *data)
{
	struct harestore *hr = data;

	ids_free(hr);
	mem_deref(hr->group);
	mem_deref(hr->node);
}


static bool is_str(const struct redisReply *r)
{
	return r && (r->type == REDIS_REPLY_STRING ||
		     r->type == REDIS_REPLY_STATUS);
}


static void finish(struct harestore *hr)
{
	hr->st.done = true;
	DEBUG_NOTICE("restore: %u calls made again, %u refused, %u of "
		     "other nodes, %u in setup ended\n", hr->st.restored,
		     hr->st.refused, hr->st.others, hr->st.ended);
	ids_free(hr);
}


/* a B2BUA's call: its relay call, then its SIP state */
static int b2b_take(struct harestore *hr, const char *id,
		    const struct redisReply *state,
		    const struct redisReply *sip)
{
	struct pl pl;
	int err;

	if (!hr->siph)
		return ENOTSUP;

	err = relay_call_import(hr->relay, state->str, state->len, true);
	if (err == EEXIST)
		return err;                 /* not ours to end */
	if (err) {
		/* a call in setup is ended without its media */
		return hr->siph(sip->str, sip->len, false, hr->sip_arg) ==
			ECANCELED ? ECANCELED : err;
	}

	err = hr->siph(sip->str, sip->len, true, hr->sip_arg);
	if (err) {
		pl_set_str(&pl, id);
		(void)relay_delete(hr->relay, &pl);
	}

	return err;
}


/* one call's answer: [node, relay, sip] */
static int call_take(struct harestore *hr, const char *id,
		     const struct redisReply *rep, bool *other)
{
	const struct redisReply *node, *state, *sip;

	if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 3)
		return EPROTO;

	node = rep->element[0];
	state = rep->element[1];
	sip = rep->element[2];
	if (!is_str(node) || !is_str(state))
		return ENOENT;              /* the key expired */

	if (!hr->all && strcmp(node->str, hr->node)) {
		*other = true;
		return 0;
	}

	if (is_str(sip) && sip->len)
		return b2b_take(hr, id, state, sip);

	return relay_call_import(hr->relay, state->str, state->len, false);
}


static void call_reply(int err, const struct redisReply *rep, void *arg)
{
	struct harestore *hr = arg;
	const char *id = hr->next < hr->n ? hr->ids[hr->next++] : NULL;
	bool other = false;

	if (!id)
		return;

	if (!err)
		err = call_take(hr, id, rep, &other);
	if (other)
		++hr->st.others;
	else if (err == ECANCELED)
		++hr->st.ended;
	else if (err)
		++hr->st.refused;
	else
		++hr->st.restored;

	if (err && err != ECANCELED)
		DEBUG_WARNING("restore: call %s: %m\n", id, err);
	if (!other && hr->ch)
		hr->ch(id, err, hr->arg);

	if (hr->next == hr->n)
		finish(hr);
}


static int call_ask(struct harestore *hr, const char *id)
{
	char key[HAKEY_MAX];
	const char *argv[] = {"HMGET", key, "node", "relay", "sip"};
	size_t len[5];

	hakey_call(key, sizeof(key), hr->group, id);
	for (int i = 0; i < 5; i++)
		len[i] = strlen(argv[i]);

	return redis_cmd(hr->redis, call_reply, hr, 5, argv, len);
}


static int ids_take(struct harestore *hr, const struct redisReply *rep)
{
	hr->ids = mem_zalloc(rep->elements * sizeof(*hr->ids), NULL);
	if (!hr->ids && rep->elements)
		return ENOMEM;

	for (size_t i = 0; i < rep->elements; i++) {
		const struct redisReply *e = rep->element[i];

		if (!is_str(e) || memchr(e->str, '\0', e->len))
			continue;
		if (str_dup(&hr->ids[hr->n], e->str))
			return ENOMEM;
		++hr->n;
	}

	return 0;
}


static void members_reply(int err, const struct redisReply *rep, void *arg)
{
	struct harestore *hr = arg;

	if (!err && rep->type != REDIS_REPLY_ARRAY)
		err = EPROTO;
	if (!err)
		err = ids_take(hr, rep);

	for (size_t i = 0; i < hr->n && !err; i++)
		err = call_ask(hr, hr->ids[i]);

	if (err) {
		DEBUG_WARNING("restore: the calls could not be read: %m\n",
			      err);
		hr->st.refused += (unsigned)(hr->n - hr->next);
		ids_free(hr);
	}
	if (err || !hr->n)
		finish(hr);
}


/**
 * Read back the calls this node wrote and make them again
 *
 * @param hrp Pointer to the restore
 * @param prm What and where (copied)
 *
 * @return 0 if asked, otherwise errorcode
 */
int harestore_start(struct harestore **hrp, const struct harestore_prm *prm)
{
	struct harestore *hr;
	char set[HAKEY_MAX];
	const char *argv[] = {"SMEMBERS", set};
	size_t len[2];
	int err;

	if (!hrp || !prm || !prm->redis || !prm->relay || !prm->group ||
	    !prm->node)
		return EINVAL;

	hr = mem_zalloc(sizeof(*hr), harestore_destructor);
	if (!hr)
		return ENOMEM;

	hr->redis = prm->redis;
	hr->relay = prm->relay;
	hr->all = prm->all;
	hr->siph = prm->siph;
	hr->sip_arg = prm->sip_arg;
	hr->ch = prm->ch;
	hr->arg = prm->arg;
	hakey_calls(set, sizeof(set), prm->group);
	len[0] = 8;
	len[1] = strlen(set);

	err  = str_dup(&hr->group, prm->group);
	err |= str_dup(&hr->node, prm->node);
	if (!err)
		err = redis_cmd(hr->redis, members_reply, hr, 2, argv, len);
	if (err)
		mem_deref(hr);
	else
		*hrp = hr;

	return err;
}


/**
 * Read what a restore did
 *
 * @param hr Restore, or NULL
 * @param st Filled in (zeroed if hr is NULL)
 */
void harestore_stats(const struct harestore *hr, struct harestore_stats *st)
{
	if (!st)
		return;

	memset(st, 0, sizeof(*st));
	if (hr)
		*st = hr->st;
}
