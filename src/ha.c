/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file ha.c  High availability: this node's name and its connection to
 *             the Redis server that keeps the state a standby needs
 *             (docs/ha.md)
 *
 * Made when ha_redis is set. A reload that changes the server, its
 * password, database or the node's name connects anew; one that
 * removes ha_redis closes the connection. While Redis is unreachable
 * the daemon goes on serving: what it would have written is not, and
 * the status and metrics say so.
 *
 * The relay tells of every change of a call through the handler given
 * here; hastore.c writes the call. Stopping the daemon deletes
 * nothing: the handler is taken away first, so that a restart finds
 * the calls.
 */
#include <string.h>
#include <unistd.h>
#include <re.h>
#include <hiredis/hiredis.h>
#define DEBUG_MODULE "ha"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "cfg.h"
#include "relay.h"
#include "redis.h"
#include "hakey.h"
#include "hastore.h"
#include "harestore.h"
#include "ha.h"
#include "ha_priv.h"




static void store_stop(struct ha *ha)
{
	relay_set_change_handler(ha->relay, NULL, NULL);
	ha->store = mem_deref(ha->store);
}


static void ha_destructor(void *data)
{
	struct ha *ha = data;

	relay_set_change_handler(ha->relay, NULL, NULL);
	mem_deref(ha->redis);
	mem_deref(ha->store);
	mem_deref(ha->restore);
}


static void change_handler(const char *callid, enum relay_change what,
			   void *arg)
{
	struct ha *ha = arg;

	hastore_change(ha->store, callid, what == RELAY_CHG_END);
}


/**
 * Store the B2BUA's calls with their SIP state, and make them again
 * with it
 *
 * @param ha   High availability
 * @param exph Writes a call's SIP state
 * @param imph Makes it again
 * @param arg  Their argument (the B2BUA)
 */
void ha_set_sip(struct ha *ha, ha_sip_export_h *exph, ha_sip_import_h *imph,
		void *arg)
{
	if (!ha)
		return;

	ha->sip_exph = exph;
	ha->sip_imph = imph;
	ha->sip_arg = arg;
	hastore_set_sip(ha->store, exph, arg);
}


/**
 * A call's SIP state changed (a b2b_change_h)
 *
 * @param id  Its relay id
 * @param arg High availability
 */
void ha_call_changed(const char *id, void *arg)
{
	struct ha *ha = arg;

	hastore_change(ha->store, id, false);
}


static void restored_handler(const char *callid, int err, void *arg)
{
	struct ha *ha = arg;

	if (err)
		hastore_forget(ha->store, callid);
	else
		hastore_change(ha->store, callid, false);
}


static int restore_start(struct ha *ha, bool all)
{
	const struct harestore_prm prm = {
		ha->redis, ha->relay, ha->group, ha->node, all,
		ha->sip_imph, ha->sip_arg, restored_handler, ha
	};
	int err;

	ha->restore = mem_deref(ha->restore);
	err = harestore_start(&ha->restore, &prm);
	if (err)
		DEBUG_WARNING("restore: not started: %m\n", err);

	return err;
}


/* a single node: the first time the connection comes up, the calls of
 * the process before this one are made again (warm restart); a pair's
 * node does so only when it takes over */
static void redis_handler(bool up, void *arg)
{
	struct ha *ha = arg;

	if (!up)
		return;

	hastore_resync(ha->store);
	if (ha->restore || !ha->store || ha->role != HA_SINGLE)
		return;

	(void)restore_start(ha, false);
}


static bool seed_one(const struct relay_call *call, void *arg)
{
	struct ha *ha = arg;

	hastore_change(ha->store, relay_call_id(call), false);

	return false;
}


/* the writer, with every call the relay has now */
static int store_start(struct ha *ha)
{
	struct hastore_prm prm = {ha->group, ha->node, ha->ttl,
				  ha->store_keys, ha->role != HA_SINGLE,
				  ha->sip_exph, ha->sip_arg};
	int err;

	store_stop(ha);
	if (!ha->relay)
		return 0;

	err = hastore_alloc(&ha->store, ha->relay, &prm);
	if (err)
		return err;

	hastore_set_redis(ha->store, ha->redis);
	relay_set_change_handler(ha->relay, change_handler, ha);
	relay_call_apply(ha->relay, seed_one, ha);

	return 0;
}


static void node_set(struct ha *ha, const struct cfg *cfg)
{
	if (cfg->ha.node[0])
		str_ncpy(ha->node, cfg->ha.node, sizeof(ha->node));
	else if (gethostname(ha->node, sizeof(ha->node) - 1))
		str_ncpy(ha->node, "umedge", sizeof(ha->node));

	/* CLIENT SETNAME takes no spaces */
	(void)re_snprintf(ha->cname, sizeof(ha->cname), "umedge-%s",
			  ha->node);
	for (char *p = ha->cname; *p; p++) {
		if (*p == ' ' || *p == '\t')
			*p = '_';
	}
}


static void prm_set(struct redis_prm *prm, const struct ha *ha,
		    const struct cfg *cfg)
{
	memset(prm, 0, sizeof(*prm));
	prm->addr = cfg->ha.redis;
	prm->password = cfg->ha.redis_password;
	prm->db = cfg->ha.redis_db;
	prm->name = ha->cname;
}


/**
 * Start high availability: connect to Redis if ha_redis is set, and
 * write the relay's calls there
 *
 * @param hap   Pointer to allocated object
 * @param cfg   Configuration
 * @param relay The relay, NULL if it does not run
 *
 * @return 0 if success, otherwise errorcode
 */
int ha_alloc(struct ha **hap, const struct cfg *cfg, struct relay *relay)
{
	struct ha *ha;
	int err;

	if (!hap || !cfg)
		return EINVAL;

	ha = mem_zalloc(sizeof(*ha), ha_destructor);
	if (!ha)
		return ENOMEM;

	ha->relay = relay;
	ha->role = cfg->ha.pair ? HA_STANDBY : HA_SINGLE;
	err = ha_set_cfg(ha, cfg);
	if (err)
		mem_deref(ha);
	else
		*hap = ha;

	return err;
}


static bool store_same(const struct ha *ha, const struct cfg *cfg)
{
	struct hastore_prm prm;

	hastore_prm_get(ha->store, &prm);

	return ha->store && !str_cmp(prm.group, cfg->ha.group) &&
		!str_cmp(prm.node, ha->node) && prm.ttl == cfg->ha.ttl &&
		prm.keys == cfg->ha.store_keys;
}


/**
 * Apply a configuration: a changed server, password, database or node
 * name connects anew; a changed group, TTL or
 * ha_store_keys rewrites every call
 *
 * @param ha  High availability
 * @param cfg Configuration
 *
 * @return 0 if success, otherwise errorcode
 */
int ha_set_cfg(struct ha *ha, const struct cfg *cfg)
{
	struct redis_prm prm;
	int err;

	if (!ha || !cfg)
		return EINVAL;

	node_set(ha, cfg);
	str_ncpy(ha->group, cfg->ha.group, sizeof(ha->group));
	ha->ttl = cfg->ha.ttl;
	ha->store_keys = cfg->ha.store_keys;
	if (!sa_isset(&cfg->ha.redis, SA_ALL)) {
		if (ha->redis)
			DEBUG_NOTICE("ha_redis removed: the connection to "
				     "Redis is closed\n");
		store_stop(ha);
		ha->redis = mem_deref(ha->redis);
		return 0;
	}

	haports_check(cfg);
	prm_set(&prm, ha, cfg);
	if (redis_same(ha->redis, &prm))
		return store_same(ha, cfg) ? 0 : store_start(ha);

	hastore_set_redis(ha->store, NULL);
	ha->redis = mem_deref(ha->redis);
	DEBUG_NOTICE("node %s, state in Redis at %J\n", ha->node,
		     &prm.addr);

	err = redis_alloc(&ha->redis, &prm, redis_handler, ha);
	if (!err)
		err = store_start(ha);

	return err;
}


static void epoch_reply(int err, const struct redisReply *rep, void *arg)
{
	struct ha *ha = arg;

	if (ha->role != HA_ACTIVE)
		return;

	if (err || rep->type != REDIS_REPLY_INTEGER || rep->integer < 1) {
		DEBUG_WARNING("takeover: no epoch (%m): nothing is written\n",
			      err ? err : EPROTO);
		return;
	}

	DEBUG_NOTICE("node %s: epoch %lld\n", ha->node, rep->integer);
	hastore_set_epoch(ha->store, (uint64_t)rep->integer);
}


/* the group's next epoch is ours: the writes of the node before us are
 * refused from now on (the fence) */
static int epoch_take(struct ha *ha)
{
	char key[HAKEY_MAX];
	const char *argv[] = {"INCR", key};
	size_t len[2];

	hakey_epoch(key, sizeof(key), ha->group);
	len[0] = 4;
	len[1] = strlen(key);

	return redis_cmd(ha->redis, epoch_reply, ha, 2, argv, len);
}


/**
 * This node becomes the active one of its pair (keepalived made it
 * master, `umedgectl ha takeover`): it makes every call of its group
 * again from Redis, its peer's included, and serves them
 *
 * @param ha  High availability
 * @param msg Buffer for what happened, or why not
 * @param sz  Its size
 *
 * @return 0 if taken over or already active, otherwise errorcode
 */
int ha_takeover(struct ha *ha, char *msg, size_t sz)
{
	int err;

	if (!ha || !msg)
		return EINVAL;

	if (ha->role == HA_SINGLE) {
		(void)re_snprintf(msg, sz, "not one of a pair (ha_pair)");
		return EPERM;
	}

	if (ha->role == HA_ACTIVE) {
		(void)re_snprintf(msg, sz, "already active");
		return 0;
	}

	if (!ha->store || !redis_up(ha->redis)) {
		(void)re_snprintf(msg, sz, "Redis is not up");
		return ENOTCONN;
	}

	err = epoch_take(ha);
	if (!err)
		err = restore_start(ha, true);
	if (err) {
		(void)re_snprintf(msg, sz, "restore: %m", err);
		return err;
	}

	ha->role = HA_ACTIVE;
	++ha->takeovers;
	DEBUG_NOTICE("node %s: active, the group's calls are read back\n",
		     ha->node);
	(void)re_snprintf(msg, sz, "active: the calls are read back");

	return 0;
}


/* every call is forgotten here and kept in Redis: the peer has them */
static void calls_drop(struct ha *ha)
{
	relay_set_change_handler(ha->relay, NULL, NULL);
	relay_calls_flush(ha->relay);
}


/**
 * This node becomes the standby of its pair (keepalived made it backup
 * or found it faulty, `umedgectl ha release`): its calls are dropped
 * here and left in Redis, where the active node has them
 *
 * @param ha  High availability
 * @param msg Buffer for what happened, or why not
 * @param sz  Its size
 *
 * @return 0 if released or already standby, otherwise errorcode
 */
int ha_release(struct ha *ha, char *msg, size_t sz)
{
	unsigned n;

	if (!ha || !msg)
		return EINVAL;

	if (ha->role == HA_SINGLE) {
		(void)re_snprintf(msg, sz, "not one of a pair (ha_pair)");
		return EPERM;
	}

	n = relay_call_count(ha->relay);
	ha->role = HA_STANDBY;
	ha->restore = mem_deref(ha->restore);
	calls_drop(ha);
	if (ha->store)
		(void)store_start(ha);

	DEBUG_NOTICE("node %s: standby, %u calls left to the peer\n",
		     ha->node, n);
	(void)re_snprintf(msg, sz, "standby: %u calls left to the peer", n);

	return 0;
}


/** @return the name of a role */
const char *ha_role_name(enum ha_role role)
{
	switch (role) {

	case HA_STANDBY: return "standby";
	case HA_ACTIVE:  return "active";
	default:         return "single";
	}
}
