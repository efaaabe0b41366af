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
#include "redis.h"
#include "ha.h"


/** High availability */
struct ha {
	char node[64];          /**< This node's name                */
	char cname[80];         /**< Its Redis client name           */
	struct redis *redis;    /**< Connection, NULL without ha_redis */
};


static void ha_destructor(void *data)
{
	struct ha *ha = data;

	mem_deref(ha->redis);
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
 * Start high availability: connect to Redis if ha_redis is set
 *
 * @param hap Pointer to allocated object
 * @param cfg Configuration
 *
 * @return 0 if success, otherwise errorcode
 */
int ha_alloc(struct ha **hap, const struct cfg *cfg)
{
	struct ha *ha;
	int err;

	if (!hap || !cfg)
		return EINVAL;

	ha = mem_zalloc(sizeof(*ha), ha_destructor);
	if (!ha)
		return ENOMEM;

	err = ha_set_cfg(ha, cfg);
	if (err)
		mem_deref(ha);
	else
		*hap = ha;

	return err;
}


/**
 * Apply a configuration: a changed server, password, database or node
 * name connects anew
 *
 * @param ha  High availability
 * @param cfg Configuration
 *
 * @return 0 if success, otherwise errorcode
 */
int ha_set_cfg(struct ha *ha, const struct cfg *cfg)
{
	struct redis_prm prm;

	if (!ha || !cfg)
		return EINVAL;

	node_set(ha, cfg);
	if (!sa_isset(&cfg->ha.redis, SA_ALL)) {
		if (ha->redis)
			DEBUG_NOTICE("ha_redis removed: the connection to "
				     "Redis is closed\n");
		ha->redis = mem_deref(ha->redis);
		return 0;
	}

	prm_set(&prm, ha, cfg);
	if (redis_same(ha->redis, &prm))
		return 0;

	ha->redis = mem_deref(ha->redis);
	DEBUG_NOTICE("node %s, state in Redis at %J\n", ha->node,
		     &prm.addr);

	return redis_alloc(&ha->redis, &prm, NULL, NULL);
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
	if (!ha)
		return re_hprintf(pf, "ha: off\n");

	return re_hprintf(pf, "ha: node %s, role single, redis: %H\n",
			  ha->node, redis_status, ha->redis);
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
	jsonw_close(w);
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

	return err;
}
