/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file hastore.c  The calls' state in Redis: written on every change,
 *                  deleted at the end (docs/ha.md, "Key schema")
 *
 * A change (an offer or answer applied, a latch learnt or locked, a
 * B2BUA's call confirmed, the end) marks the call dirty; a timer
 * writes the dirty calls FLUSH_MS (10 ms) after the first change, so a
 * call that changes five times meanwhile is written once, and the
 * commands of many calls leave in one write to the socket (and Redis
 * reads them in one): the system calls per call are what a write costs
 * most (scripts/bench-sip --ha). A B2BUA's call is written with its SIP state
 * (the sip handler's: field "sip", kind "b2b") once it is confirmed,
 * not before: in setup it would not be made again anyway; a call never
 * written is not deleted either. A write is one EVAL of a Lua script: the epoch
 * check, then HSET of the call's hash, EXPIRE (ha_ttl, the safety net)
 * and SADD to the group's set of calls; the end is DEL and SREM. Never
 * per packet.
 *
 * In a pair the script is the fence: a node writes only with the
 * group's epoch, which it took when it became active (INCR); a reply
 * FENCED means another node took over since, and this one writes no
 * more. A single node writes without an epoch.
 *
 * At most INFLIGHT_MAX commands wait for their answers; beyond, calls
 * stay dirty until answers come. While Redis is down nothing is sent:
 * the calls stay dirty (unprotected, and counted so), and when the
 * connection comes back every call known is written again. A failed
 * write makes its call dirty again. An ended call stays here until its
 * delete is answered, so that it cannot outlive the call in Redis.
 */
#include <string.h>
#include <time.h>
#include <hiredis/hiredis.h>
#include <re.h>
#define DEBUG_MODULE "ha"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "relay.h"
#include "redis.h"
#include "hakey.h"
#include "hastore.h"


enum {
	HASH_BITS    = 10,
	INFLIGHT_MAX = 1024,
	FLUSH_MS     = 10,    /**< Changes gathered into one write */
};

/** The writer */
struct hastore {
	struct hash *calls;       /**< struct hsentry by Call-ID       */
	struct list dirty;        /**< struct hsentry to be written    */
	struct tmr tmr;           /**< The flush                       */
	struct redis *redis;      /**< Connection (not a reference)    */
	const struct relay *relay;/**< What is exported                */
	hastore_sip_h *siph;      /**< A B2BUA call's SIP state, or NULL */
	void *sip_arg;            /**< Its argument                    */
	char *group;              /**< ha_group                        */
	char *node;               /**< ha_node                         */
	uint32_t ttl;             /**< ha_ttl, seconds                 */
	bool keys;                /**< ha_store_keys                   */
	bool pair;                /**< Writes are fenced by an epoch   */
	uint64_t epoch;           /**< Ours (pair), 0 until we have one */
	bool fenced;              /**< Another node took over: stop    */
	unsigned inflight;        /**< Commands unanswered             */
	struct hastore_stats st;  /**< What it has done                */
};

/** A call the writer knows */
struct hsentry {
	struct le he;             /**< Member of hastore.calls         */
	struct le dl;             /**< Member of hastore.dirty         */
	struct hastore *hs;       /**< Owner                           */
	char *id;                 /**< Call-ID                         */
	bool ended;               /**< Delete it                       */
	bool stored;              /**< It may be in Redis              */
	unsigned pending;         /**< Its commands unanswered         */
	uint64_t seq;             /**< Writes made                     */
};


static void entry_destructor(void *data)
{
	struct hsentry *e = data;

	hash_unlink(&e->he);
	list_unlink(&e->dl);
	mem_deref(e->id);
	if (e->stored)
		--e->hs->st.calls;
}


/* The call is (or may be) in Redis: counted until its entry goes */
static void stored_set(struct hsentry *e)
{
	if (e->stored)
		return;

	e->stored = true;
	++e->hs->st.calls;
}


static void hastore_destructor(void *data)
{
	struct hastore *hs = data;

	tmr_cancel(&hs->tmr);
	hash_flush(hs->calls);
	mem_deref(hs->calls);
	mem_deref(hs->group);
	mem_deref(hs->node);
}


static bool id_cmp(struct le *le, void *arg)
{
	const struct hsentry *e = le->data;

	return !strcmp(e->id, arg);
}


static struct hsentry *entry_find(const struct hastore *hs, const char *id)
{
	return list_ledata(hash_lookup(hs->calls, hash_joaat_str(id),
				       id_cmp, (void *)id));
}


static void flush(void *arg);


static struct hsentry *entry_new(struct hastore *hs, const char *id)
{
	struct hsentry *e = mem_zalloc(sizeof(*e), entry_destructor);

	if (!e)
		return NULL;

	e->hs = hs;
	if (str_dup(&e->id, id))
		return mem_deref(e);

	hash_append(hs->calls, hash_joaat_str(id), &e->he, e);

	return e;
}


static void dirty_set(struct hsentry *e)
{
	struct hastore *hs = e->hs;

	if (!e->dl.list)
		list_append(&hs->dirty, &e->dl, e);
	if (!tmr_isrunning(&hs->tmr))
		tmr_start(&hs->tmr, FLUSH_MS, flush, hs);
}


/* an ended call whose delete was answered is forgotten */
static void entry_settle(struct hsentry *e)
{
	if (e->ended && !e->pending && !e->dl.list)
		mem_deref(e);
}


/* a later epoch than ours: another node took over; our writes stop */
static void fenced_set(struct hastore *hs)
{
	if (hs->fenced)
		return;

	hs->fenced = true;
	DEBUG_WARNING("another node took over (epoch above %llu): this "
		      "node writes no more\n", (unsigned long long)hs->epoch);
}


static void reply_handler(int err, const struct redisReply *rep, void *arg)
{
	struct hsentry *e = arg;
	struct hastore *hs = e->hs;

	--e->pending;
	--hs->inflight;
	if (!err && rep->type == REDIS_REPLY_ERROR &&
	    !strncmp(rep->str, "FENCED", 6)) {
		++hs->st.failed;
		fenced_set(hs);
	}
	else if (err || rep->type == REDIS_REPLY_ERROR) {
		++hs->st.failed;
		dirty_set(e);
	}
	else if (!tmr_isrunning(&hs->tmr) && hs->dirty.head) {
		tmr_start(&hs->tmr, FLUSH_MS, flush, hs);
	}

	entry_settle(e);
}


static int cmd_send(struct hsentry *e, int argc, const char **argv,
		    const size_t *len)
{
	int err = redis_cmd(e->hs->redis, reply_handler, e, argc, argv, len);

	if (!err) {
		++e->pending;
		++e->hs->inflight;
	}

	return err;
}


static void keys_make(const struct hastore *hs, const char *id,
		      char *call, char *set, char *epoch)
{
	hakey_call(call, HAKEY_MAX, hs->group, id);
	hakey_calls(set, HAKEY_MAX, hs->group);
	hakey_epoch(epoch, HAKEY_MAX, hs->group);
}


/* KEYS: epoch, call, calls; ARGV: epoch ("" for none), ttl, id, then
 * the fields: the writer's epoch must still be the group's */
static const char write_lua[] =
	"if ARGV[1] ~= '' and redis.call('GET', KEYS[1]) ~= ARGV[1] then "
	"return redis.error_reply('FENCED another node took over') end "
	"if #ARGV > 3 then "
	"redis.call('HSET', KEYS[2], unpack(ARGV, 4)) "
	"redis.call('EXPIRE', KEYS[2], ARGV[2]) "
	"redis.call('SADD', KEYS[3], ARGV[3]) "
	"else redis.call('DEL', KEYS[2]) "
	"redis.call('SREM', KEYS[3], ARGV[3]) end "
	"return 1";

enum {
	ARGS_HEAD = 9,      /**< EVAL, script, 3, 3 keys, epoch, ttl, id */
	ARGS_MAX  = ARGS_HEAD + 14,
};


/* EVAL of the script with the call's fields (none: a delete) */
static int eval_send(struct hsentry *e, const char **fv, const size_t *fl,
		     int nf)
{
	struct hastore *hs = e->hs;
	char key[HAKEY_MAX], set[HAKEY_MAX], ep[HAKEY_MAX], epoch[24], ttl[16];
	const char *argv[ARGS_MAX] = {"EVAL", write_lua, "3", ep, key, set,
				      epoch, ttl, e->id};
	size_t len[ARGS_MAX];

	keys_make(hs, e->id, key, set, ep);
	(void)re_snprintf(epoch, sizeof(epoch), "%s", "");
	if (hs->pair)
		(void)re_snprintf(epoch, sizeof(epoch), "%llu",
				  (unsigned long long)hs->epoch);
	(void)re_snprintf(ttl, sizeof(ttl), "%u", hs->ttl);
	for (int i = 0; i < ARGS_HEAD; i++)
		len[i] = strlen(argv[i]);
	for (int i = 0; i < nf; i++) {
		argv[ARGS_HEAD + i] = fv[i];
		len[ARGS_HEAD + i] = fl[i];
	}

	return cmd_send(e, ARGS_HEAD + nf, argv, len);
}


static int write_delete(struct hsentry *e)
{
	int err = eval_send(e, NULL, NULL, 0);

	if (!err)
		++e->hs->st.deletes;

	return err;
}


/* the fields of a live call: its relay state, and the B2BUA's */
static int write_call(struct hsentry *e, const struct mbuf *mb,
		      const struct mbuf *sip)
{
	struct hastore *hs = e->hs;
	char seq[24], at[24];
	const char *fv[] = {"v", "1", "kind", sip ? "b2b" : "relay",
			    "node", hs->node, "seq", seq, "at", at, "relay",
			    (const char *)mb->buf, "sip",
			    sip ? (const char *)sip->buf : ""};
	const int nf = sip ? 14 : 12;
	size_t fl[14];
	int err;

	(void)re_snprintf(seq, sizeof(seq), "%llu",
			  (unsigned long long)++e->seq);
	(void)re_snprintf(at, sizeof(at), "%llu",
			  (unsigned long long)time(NULL) * 1000);
	for (int i = 0; i < nf; i++)      /* 11 and 13: not strings */
		fl[i] = i == 11 || i == 13 ? 0 : strlen(fv[i]);
	fl[11] = mb->end;
	if (sip)
		fl[13] = sip->end;

	err = eval_send(e, fv, fl, nf);
	if (!err) {
		stored_set(e);
		++hs->st.writes;
	}

	return err;
}


/* The call's SIP state: 0 (sipp set), ENOENT (not the B2BUA's: none),
 * ENOTSUP (the B2BUA's, not to be written now) */
static int sip_export(struct hsentry *e, struct mbuf **sipp)
{
	struct hastore *hs = e->hs;
	struct mbuf *mb;
	int err;

	*sipp = NULL;
	if (!hs->siph)
		return ENOENT;

	mb = mbuf_alloc(2048);
	if (!mb)
		return ENOMEM;

	err = hs->siph(mb, e->id, hs->keys, hs->sip_arg);
	if (err)
		mem_deref(mb);
	else
		*sipp = mb;

	return err;
}


static int write_entry(struct hsentry *e)
{
	struct mbuf *mb = NULL, *sip = NULL;
	int err;

	if (e->ended)
		return e->stored ? write_delete(e) : 0;

	/* the B2BUA's call in setup: later (first, as it costs least) */
	err = sip_export(e, &sip);
	if (err == ENOTSUP)
		return 0;
	if (err && err != ENOENT)
		return err;

	mb = mbuf_alloc(1024);
	if (!mb) {
		err = ENOMEM;
		goto out;
	}

	err = relay_call_export(mb, e->hs->relay, e->id, e->hs->keys);
	if (err == ENOENT) {
		e->ended = true;
		err = e->stored ? write_delete(e) : 0;
	}
	else if (!err) {
		err = write_call(e, mb, sip);
	}

 out:
	mem_deref(sip);
	mem_deref(mb);

	return err;
}


static void flush(void *arg)
{
	struct hastore *hs = arg;

	if (hs->fenced || (hs->pair && !hs->epoch))
		return;

	while (hs->dirty.head && hs->inflight < INFLIGHT_MAX &&
	       redis_up(hs->redis)) {
		struct hsentry *e = hs->dirty.head->data;

		list_unlink(&e->dl);
		if (write_entry(e)) {
			/* not sent: again when the connection is back */
			list_append(&hs->dirty, &e->dl, e);
			break;
		}
		entry_settle(e);
	}
}


/**
 * Make the writer
 *
 * @param hsp   Pointer to the allocated writer
 * @param relay The relay whose calls it writes
 * @param prm   Group, node and TTL
 *
 * @return 0 if success, otherwise errorcode
 */
int hastore_alloc(struct hastore **hsp, const struct relay *relay,
		  const struct hastore_prm *prm)
{
	struct hastore *hs;
	int err;

	if (!hsp || !relay || !prm || !prm->group || !prm->node)
		return EINVAL;

	hs = mem_zalloc(sizeof(*hs), hastore_destructor);
	if (!hs)
		return ENOMEM;

	hs->relay = relay;
	hs->siph = prm->siph;
	hs->sip_arg = prm->sip_arg;
	hs->ttl = prm->ttl;
	hs->keys = prm->keys;
	hs->pair = prm->pair;
	tmr_init(&hs->tmr);
	err  = hash_alloc(&hs->calls, 1u << HASH_BITS);
	err |= str_dup(&hs->group, prm->group);
	err |= str_dup(&hs->node, prm->node);
	if (err) {
		mem_deref(hs);
		return ENOMEM;
	}

	*hsp = hs;

	return 0;
}


/**
 * Write through this connection from now on; every call known is
 * written again (the answers of the old one will not come)
 *
 * @param hs    Writer
 * @param redis Connection, NULL for none (it must outlive its use)
 */
void hastore_set_redis(struct hastore *hs, struct redis *redis)
{
	if (!hs)
		return;

	hs->redis = redis;
	hs->inflight = 0;
	hastore_resync(hs);
}


static bool resync_one(struct le *le, void *arg)
{
	struct hsentry *e = le->data;

	(void)arg;
	e->pending = 0;
	dirty_set(e);

	return false;
}


/**
 * Our epoch (a pair's node became active and took it): writes start,
 * every call known is written
 *
 * @param hs    Writer
 * @param epoch The group's epoch, ours now
 */
void hastore_set_epoch(struct hastore *hs, uint64_t epoch)
{
	if (!hs)
		return;

	hs->epoch = epoch;
	hs->fenced = false;
	hastore_resync(hs);
}


/**
 * Write the B2BUA's calls with their SIP state from now on
 *
 * @param hs   Writer, or NULL
 * @param siph Writes a call's SIP state, NULL for none
 * @param arg  Its argument
 */
void hastore_set_sip(struct hastore *hs, hastore_sip_h *siph, void *arg)
{
	if (!hs)
		return;

	hs->siph = siph;
	hs->sip_arg = arg;
	hastore_resync(hs);
}


/**
 * Write every call known again (the connection came back)
 *
 * @param hs Writer
 */
void hastore_resync(struct hastore *hs)
{
	if (hs)
		(void)hash_apply(hs->calls, resync_one, NULL);
}


/**
 * A call changed: write it (or delete it) soon
 *
 * @param hs     Writer
 * @param callid Call-ID
 * @param end    The call is gone
 */
void hastore_change(struct hastore *hs, const char *callid, bool end)
{
	struct hsentry *e;

	if (!hs || !callid)
		return;

	e = entry_find(hs, callid);
	if (!e && end)
		return;
	if (!e) {
		e = entry_new(hs, callid);
		if (!e) {
			++hs->st.failed;
			return;
		}
	}

	e->ended |= end;
	dirty_set(e);
}


/**
 * A call that is not to be kept (it could not be made again): delete
 * it from Redis
 *
 * @param hs     Writer
 * @param callid Call-ID
 */
void hastore_forget(struct hastore *hs, const char *callid)
{
	struct hsentry *e;

	if (!hs || !callid)
		return;

	e = entry_find(hs, callid);
	if (!e)
		e = entry_new(hs, callid);
	if (!e) {
		++hs->st.failed;
		return;
	}

	e->ended = true;
	stored_set(e);
	dirty_set(e);
}


/**
 * Read the writer's parameters
 *
 * @param hs  Writer, or NULL
 * @param prm Filled in (zeroed if hs is NULL)
 */
void hastore_prm_get(const struct hastore *hs, struct hastore_prm *prm)
{
	if (!prm)
		return;

	memset(prm, 0, sizeof(*prm));
	if (!hs)
		return;

	prm->group = hs->group;
	prm->node = hs->node;
	prm->ttl = hs->ttl;
	prm->keys = hs->keys;
	prm->pair = hs->pair;
	prm->siph = hs->siph;
	prm->sip_arg = hs->sip_arg;
}


/**
 * Read what the writer has done
 *
 * @param hs Writer
 * @param st Filled in
 */
void hastore_stats(const struct hastore *hs, struct hastore_stats *st)
{
	if (!st)
		return;

	memset(st, 0, sizeof(*st));
	if (!hs)
		return;

	*st = hs->st;
	st->epoch = hs->epoch;
	st->fenced = hs->fenced;
	st->unwritten = list_count(&hs->dirty);
}
