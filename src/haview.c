/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file haview.c  High availability as umedgectl and /metrics show it
 */
#include <re.h>
#include "jsonw.h"
#include "promfmt.h"
#include "redis.h"
#include "hastore.h"
#include "harestore.h"
#include "ha.h"
#include "ha_priv.h"


static int epoch_print(struct re_printf *pf, const struct hastore_stats *st)
{
	if (st->fenced)
		return re_hprintf(pf, "; fenced: another node took over "
				  "after epoch %llu, nothing is written",
				  (unsigned long long)st->epoch);

	return st->epoch ? re_hprintf(pf, "; epoch %llu",
				      (unsigned long long)st->epoch) : 0;
}


static int restore_status(struct re_printf *pf, const struct harestore *hr)
{
	struct harestore_stats rs;

	harestore_stats(hr, &rs);

	return re_hprintf(pf, "ha restore: %s, %u calls made again, %u "
			  "refused, %u of other nodes, %u in setup ended\n",
			  rs.done ? "done" : "under way", rs.restored,
			  rs.refused, rs.others, rs.ended);
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
	err  = re_hprintf(pf, "ha: node %s, role %s, redis: %H\n",
			  ha->node, ha_role_name(ha->role), redis_status,
			  ha->redis);
	if (ha->store)
		err |= re_hprintf(pf, "ha calls: %llu kept, %llu unwritten, "
				  "%llu writes, %llu deletes, %llu failed%H\n",
				  (unsigned long long)st.calls,
				  (unsigned long long)st.unwritten,
				  (unsigned long long)st.writes,
				  (unsigned long long)st.deletes,
				  (unsigned long long)st.failed, epoch_print,
				  &st);
	if (ha->restore)
		err |= restore_status(pf, ha->restore);

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
	jsonw_u64(w, "epoch", st.epoch);
	jsonw_bool(w, "fenced", st.fenced);
	jsonw_close(w);
}


static void restore_json(struct jsonw *w, const struct harestore *hr)
{
	struct harestore_stats rs;

	if (!hr) {
		jsonw_null(w, "restore");
		return;
	}

	harestore_stats(hr, &rs);
	jsonw_obj(w, "restore");
	jsonw_bool(w, "done", rs.done);
	jsonw_u64(w, "restored", rs.restored);
	jsonw_u64(w, "refused", rs.refused);
	jsonw_u64(w, "setup_ended", rs.ended);
	jsonw_u64(w, "others", rs.others);
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
	jsonw_str(w, "role", ha_role_name(ha->role));
	redis_json(w, ha->redis);
	store_json(w, ha->store);
	restore_json(w, ha->restore);
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


static int restore_metrics(struct mbuf *mb, const struct harestore *hr)
{
	const char *name = "umedge_ha_restored_calls_total";
	struct harestore_stats rs;
	int err;

	if (!hr)
		return 0;

	harestore_stats(hr, &rs);
	err  = promfmt_family(mb, name, PROMFMT_COUNTER, "Calls of the "
			      "process before this one, read back at start");
	err |= promfmt_sample(mb, name, "result=\"restored\"", rs.restored);
	err |= promfmt_sample(mb, name, "result=\"refused\"", rs.refused);
	err |= promfmt_sample(mb, name, "result=\"other_node\"", rs.others);
	err |= promfmt_sample(mb, name, "result=\"setup_ended\"", rs.ended);

	return err;
}


static int role_metrics(struct mbuf *mb, const struct ha *ha)
{
	const char *name = "umedge_ha_role";
	static const enum ha_role roles[] = {HA_SINGLE, HA_STANDBY,
					     HA_ACTIVE};
	int err;

	err = promfmt_family(mb, name, PROMFMT_GAUGE, "1 for this node's "
			     "role: single, or standby or active of a pair");
	for (size_t i = 0; i < ARRAY_SIZE(roles); i++) {
		char label[32];

		(void)re_snprintf(label, sizeof(label), "role=\"%s\"",
				  ha_role_name(roles[i]));
		err |= promfmt_sample(mb, name, label, ha->role == roles[i]);
	}

	return err | promfmt_one(mb, "umedge_ha_takeovers_total",
				 PROMFMT_COUNTER, "Times this node became the "
				 "active one of its pair", ha->takeovers);
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

	return err | role_metrics(mb, ha) | store_metrics(mb, ha->store) |
		restore_metrics(mb, ha->restore);
}
