/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file redis.h  A connection to Redis on libre's main loop (hiredis),
 *                made again whenever it is lost
 */
#ifndef UMEDGE_REDIS_H
#define UMEDGE_REDIS_H

struct redis;
struct redisReply;
struct jsonw;

/** Where and how to connect */
struct redis_prm {
	struct sa addr;          /**< Redis server                   */
	const char *password;    /**< AUTH, NULL or "" for none      */
	uint32_t db;             /**< SELECT, 0 for the default      */
	const char *name;        /**< CLIENT SETNAME, NULL for none  */
};

/**
 * The connection came up (AUTH and SELECT done, PING answered) or was
 * lost
 *
 * @param up  Whether it is up now
 * @param arg Handler argument
 */
typedef void (redis_state_h)(bool up, void *arg);

/**
 * A command's answer
 *
 * @param err   0, or ECONNRESET if the connection was lost first
 * @param reply hiredis's reply (NULL if err); an error reply is
 *              REDIS_REPLY_ERROR
 * @param arg   Handler argument
 */
typedef void (redis_reply_h)(int err, const struct redisReply *reply,
			     void *arg);

int  redis_alloc(struct redis **rp, const struct redis_prm *prm,
		 redis_state_h *sh, void *arg);
int  redis_cmd(struct redis *r, redis_reply_h *rh, void *arg, int argc,
	       const char **argv, const size_t *argvlen);
bool redis_up(const struct redis *r);
bool redis_same(const struct redis *r, const struct redis_prm *prm);
int  redis_status(struct re_printf *pf, const struct redis *r);
void redis_json(struct jsonw *w, const struct redis *r);

/** What a connection has done */
struct redis_stats {
	bool up;                 /**< Commands are taken now         */
	uint64_t connects;       /**< Times it came up               */
	uint64_t lost;           /**< Times an up connection was lost */
	uint64_t sent;           /**< Commands sent                  */
	uint64_t failed;         /**< Error replies and lost answers */
};

void redis_stats(const struct redis *r, struct redis_stats *st);

#endif
