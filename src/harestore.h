/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file harestore.h  The calls a node wrote to Redis, made again after
 *                    a restart
 */
#ifndef UMEDGE_HARESTORE_H
#define UMEDGE_HARESTORE_H

struct harestore;
struct redis;
struct relay;

/** What a restore did */
struct harestore_stats {
	unsigned restored;     /**< Calls made again                 */
	unsigned refused;      /**< Calls that could not be          */
	unsigned others;       /**< Calls of other nodes, left alone */
	bool done;             /**< Every answer came                */
};

/**
 * A call was made again (err 0) or could not be (it is to be deleted)
 *
 * @param callid Call-ID
 * @param err    0, or why not
 * @param arg    Handler argument
 */
typedef void (harestore_call_h)(const char *callid, int err, void *arg);

int  harestore_start(struct harestore **hrp, struct redis *redis,
		     struct relay *relay, const char *group,
		     const char *node, bool all, harestore_call_h *ch,
		     void *arg);
void harestore_stats(const struct harestore *hr,
		     struct harestore_stats *st);

#endif
