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
#include "jsonw.h"
#include "promfmt.h"
#include "relay.h"
#include "redis.h"
#include "hastore.h"
#include "ha.h"


/** High availability */
struct ha {
	char node[64];          /**< This node's name                */
	char cname[80];         /**< Its Redis client name           */
	struct redis *redis;    /**< Connection, NULL without ha_redis */
	struct hastore *store;  /**< The calls' writer, or NULL      */
	struct relay *relay;    /**< The relay, or NULL              */
};


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
}


static void change_handler(const char *callid, enum relay_change what,
			   void *arg)
{
	struct ha *ha = arg;

	hastore_change(ha->store, callid, what == RELAY_CHG_END);
}


static void redis_handler(bool up, void *arg)
{
	struct ha *ha = arg;

	if (up)
		hastore_resync(ha->store);
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


/**
 * Print the HA state, one line
 *
 * @param pf Print handler
 * @param ha High availability, NULL if off
 *
 * @return 0 if success, otherwise errorcode
 */
int ha_status(struct re_printf *pf, const struct ha *ha)
{
	struct hastore_stats st;
	int err;

	if (!ha)
		return re_hprintf(pf, "ha: off\n");

	hastore_stats(ha->store, &st);
	err  = re_hprintf(pf, "ha: node %s, role single, redis: %H\n",
			  ha->node, redis_status, ha->redis);
	if (ha->store)
		err |= re_hprintf(pf, "ha calls: %llu kept, %llu unwritten, "
				  "%llu writes, %llu deletes, %llu failed\n",
				  (unsigned long long)st.calls,
				  (unsigned long long)st.unwritten,
				  (unsigned long long)st.writes,
				  (unsigned long long)st.deletes,
				  (unsigned long long)st.failed);

	return err;
}


static void store_json(struct jsonw *w, const struct hastore *hs)
{
	struct hastore_stats st;

	if (!hs) {
		jsonw_null(w, "calls");
		return;
	}

	hastore_stats(hs, &st);
	jsonw_obj(w, "calls");
	jsonw_u64(w, "kept", st.calls);
	jsonw_u64(w, "unwritten", st.unwritten);
	jsonw_u64(w, "writes", st.writes);
	jsonw_u64(w, "deletes", st.deletes);
	jsonw_u64(w, "failed", st.failed);
	jsonw_close(w);
}


/**
 * Write the HA state as the member "ha" of a JSON object
 *
 * @param w  JSON writer, inside an object
 * @param ha High availability, NULL if off
 */
void ha_json(struct jsonw *w, const struct ha *ha)
{
	if (!ha) {
		jsonw_null(w, "ha");
		return;
	}

	jsonw_obj(w, "ha");
	jsonw_str(w, "node", ha->node);
	jsonw_str(w, "role", "single");
	redis_json(w, ha->redis);
	store_json(w, ha->store);
	jsonw_close(w);
}


static int store_metrics(struct mbuf *mb, const struct hastore *hs)
{
	struct hastore_stats st;
	int err;

	if (!hs)
		return 0;

	hastore_stats(hs, &st);
	err  = promfmt_one(mb, "umedge_ha_calls", PROMFMT_GAUGE, "Calls "
			   "whose state is kept in Redis", st.calls);
	err |= promfmt_one(mb, "umedge_ha_calls_unwritten", PROMFMT_GAUGE,
			   "Of which a change is not in Redis yet (not "
			   "protected)", st.unwritten);
	err |= promfmt_one(mb, "umedge_ha_writes_total", PROMFMT_COUNTER,
			   "Calls written to Redis", st.writes);
	err |= promfmt_one(mb, "umedge_ha_deletes_total", PROMFMT_COUNTER,
			   "Ended calls deleted from Redis", st.deletes);
	err |= promfmt_one(mb, "umedge_ha_write_failures_total",
			   PROMFMT_COUNTER, "Writes and deletes Redis "
			   "refused or left unanswered", st.failed);

	return err;
}


/**
 * Write the HA metrics (nothing without ha_redis)
 *
 * @param mb Buffer
 * @param ha High availability, NULL if off
 *
 * @return 0 if success, otherwise errorcode
 */
int ha_metrics(struct mbuf *mb, const struct ha *ha)
{
	struct redis_stats st;
	int err;

	if (!ha || !ha->redis)
		return 0;

	redis_stats(ha->redis, &st);
	err  = promfmt_one(mb, "umedge_ha_redis_up", PROMFMT_GAUGE,
			   "1 while the connection to Redis is up", st.up);
	err |= promfmt_one(mb, "umedge_ha_redis_connects_total",
			   PROMFMT_COUNTER, "Times the connection to Redis "
			   "came up", st.connects);
	err |= promfmt_one(mb, "umedge_ha_redis_lost_total",
			   PROMFMT_COUNTER, "Times an up connection to Redis "
			   "was lost", st.lost);
	err |= promfmt_one(mb, "umedge_ha_redis_commands_total",
			   PROMFMT_COUNTER, "Commands sent to Redis", st.sent);
	err |= promfmt_one(mb, "umedge_ha_redis_commands_failed_total",
			   PROMFMT_COUNTER, "Commands Redis refused or left "
			   "unanswered", st.failed);

	return err | store_metrics(mb, ha->store);
}
