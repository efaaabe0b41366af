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
#define DEBUG_MODULE "ha"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "cfg.h"
#include "relay.h"
#include "redis.h"
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


static void restored_handler(const char *callid, int err, void *arg)
{
	struct ha *ha = arg;

	if (err)
		hastore_forget(ha->store, callid);
	else
		hastore_change(ha->store, callid, false);
}


/* the first time the connection comes up, the calls of the process
 * before this one are made again (warm restart) */
static void redis_handler(bool up, void *arg)
{
	struct ha *ha = arg;
	int err;

	if (!up)
		return;

	hastore_resync(ha->store);
	if (ha->restore || !ha->store)
		return;

	err = harestore_start(&ha->restore, ha->redis, ha->relay, ha->group,
			      ha->node, restored_handler, ha);
	if (err)
		DEBUG_WARNING("restore: not started: %m\n", err);
}


static bool seed_one(const struct relay_call *call, void *arg)
{
	struct ha *ha = arg;

	hastore_change(ha->store, relay_call_id(call), false);

	return false;
}


/* the writer, with every call the relay has now */
static int store_start(struct ha *ha, const struct cfg *cfg)
{
	struct hastore_prm prm = {cfg->ha.group, ha->node, cfg->ha.ttl};
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
		!str_cmp(prm.node, ha->node) && prm.ttl == cfg->ha.ttl;
}


/**
 * Apply a configuration: a changed server, password, database or node
 * name connects anew; a changed group or TTL rewrites every call
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
	if (!sa_isset(&cfg->ha.redis, SA_ALL)) {
		if (ha->redis)
			DEBUG_NOTICE("ha_redis removed: the connection to "
				     "Redis is closed\n");
		store_stop(ha);
		ha->redis = mem_deref(ha->redis);
		return 0;
	}

	prm_set(&prm, ha, cfg);
	if (redis_same(ha->redis, &prm))
		return store_same(ha, cfg) ? 0 : store_start(ha, cfg);

	hastore_set_redis(ha->store, NULL);
	ha->redis = mem_deref(ha->redis);
	DEBUG_NOTICE("node %s, state in Redis at %J\n", ha->node,
		     &prm.addr);

	err = redis_alloc(&ha->redis, &prm, redis_handler, ha);
	if (!err)
		err = store_start(ha, cfg);

	return err;
}
