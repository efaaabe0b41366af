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
	unsigned ended;        /**< Calls in setup, ended            */
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

/**
 * Make a call's SIP state again (the B2BUA's)
 *
 * @param buf   The state
 * @param len   Its length
 * @param relay Its relay call was made; if not (a port taken, SRTP),
 *              only a call in setup is taken, to be ended
 * @param arg   Handler argument
 *
 * @return 0 if success, ECANCELED for a call in setup that was ended,
 *         otherwise errorcode
 */
typedef int (harestore_sip_h)(const char *buf, size_t len, bool relay,
			       void *arg);

struct harestore_prm {
	struct redis *redis;      /**< Connection, up (it must outlive
				       the restore's use)           */
	struct relay *relay;      /**< Where calls are made again    */
	const char *group;        /**< ha_group                      */
	const char *node;         /**< This node's name              */
	bool all;                 /**< Every node's calls (takeover) */
	harestore_sip_h *siph;    /**< SIP state, or NULL: a call with
				       one is refused               */
	void *sip_arg;            /**< Its argument                  */
	harestore_call_h *ch;     /**< Each call's outcome, or NULL  */
	void *arg;                /**< Its argument                  */
};

int  harestore_start(struct harestore **hrp,
		     const struct harestore_prm *prm);
void harestore_stats(const struct harestore *hr,
		     struct harestore_stats *st);

#endif
