/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file ha_priv.h  High availability's object, shared by ha.c and its
 *                  views (haview.c)
 */
#ifndef UMEDGE_HA_PRIV_H
#define UMEDGE_HA_PRIV_H

/** This node's part */
enum ha_role {
	HA_SINGLE = 0,          /**< No pair: restores its own calls */
	HA_STANDBY,             /**< Of a pair, waits for keepalived */
	HA_ACTIVE,              /**< Of a pair, serves the calls     */
};

/** High availability */
struct ha {
	char node[64];          /**< This node's name                */
	char cname[80];         /**< Its Redis client name           */
	struct redis *redis;    /**< Connection, NULL without ha_redis */
	struct hastore *store;  /**< The calls' writer, or NULL      */
	struct relay *relay;    /**< The relay, or NULL              */
	struct harestore *restore; /**< The restore at start, or NULL */
	char group[64];         /**< ha_group                        */
	uint32_t ttl;           /**< ha_ttl                          */
	bool store_keys;        /**< ha_store_keys                   */
	enum ha_role role;      /**< This node's part                */
	uint64_t takeovers;     /**< Times it became active          */
	hastore_sip_h *sip_exph;   /**< A call's SIP state out, or NULL */
	harestore_sip_h *sip_imph; /**< ... and in                     */
	void *sip_arg;          /**< Their argument                  */
};

const char *ha_role_name(enum ha_role role);

#endif
