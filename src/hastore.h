/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file hastore.h  The calls' state in Redis, written on every change
 */
#ifndef UMEDGE_HASTORE_H
#define UMEDGE_HASTORE_H

struct hastore;
struct relay;
struct redis;

/** Where the writer writes */
/**
 * Write a call's SIP state (the B2BUA's)
 *
 * @param mb  Buffer
 * @param id   The call's relay id
 * @param keys SRTP keys are written (ha_store_keys)
 * @param arg  Handler argument
 *
 * @return 0 if written, ENOENT if the call is not the B2BUA's, ENOTSUP
 *         if it is not to be written now
 */
typedef int (hastore_sip_h)(struct mbuf *mb, const char *id, bool keys,
			    void *arg);

struct hastore_prm {
	const char *group;     /**< ha_group: the keys' hash tag     */
	const char *node;      /**< ha_node: written in each call    */
	uint32_t ttl;          /**< ha_ttl: seconds a key outlives its
				    last write                       */
	bool keys;             /**< ha_store_keys: SRTP keys and their
				    contexts' places written         */
	bool pair;             /**< Writes wait for an epoch and stop
				    when a later one is the group's  */
	hastore_sip_h *siph;   /**< A call's SIP state, or NULL      */
	void *sip_arg;         /**< Its argument                     */
};

/** What the writer has done */
struct hastore_stats {
	uint64_t calls;        /**< Calls written and not deleted    */
	uint64_t unwritten;    /**< Of which changes not yet written */
	uint64_t writes;       /**< Calls written                    */
	uint64_t deletes;      /**< Calls deleted                    */
	uint64_t failed;       /**< Commands refused or lost         */
	uint64_t epoch;        /**< Ours (a pair), 0 if none         */
	bool fenced;           /**< Another node took over           */
};

int  hastore_alloc(struct hastore **hsp, const struct relay *relay,
		   const struct hastore_prm *prm);
void hastore_set_redis(struct hastore *hs, struct redis *redis);
void hastore_resync(struct hastore *hs);
void hastore_set_sip(struct hastore *hs, hastore_sip_h *siph, void *arg);
void hastore_set_epoch(struct hastore *hs, uint64_t epoch);
void hastore_change(struct hastore *hs, const char *callid, bool end);
void hastore_forget(struct hastore *hs, const char *callid);
void hastore_prm_get(const struct hastore *hs, struct hastore_prm *prm);
void hastore_stats(const struct hastore *hs, struct hastore_stats *st);

#endif
