/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file redis.c  A connection to Redis on libre's main loop
 *
 * hiredis's asynchronous context does the protocol; its event hooks
 * (ev.addRead ... ev.cleanup) put its socket on libre's fd_listen(), so
 * nothing here blocks and nothing runs outside the main thread.
 *
 * The connection is made again whenever it is lost, after 0.5 s, then
 * doubling up to 5 s. A connection is up once AUTH (if a password is
 * set), SELECT (if a database is) and CLIENT SETNAME are done and a
 * PING is answered; a connect that takes more than 3 s is given up. A
 * PING every 5 s finds a server that stopped answering (one that is
 * still unanswered at the next is taken as lost). While it is down a
 * command is refused at once with ENOTCONN: the caller decides what
 * that means (the HA state is then not written, and says so).
 *
 * hiredis frees its context itself after a failed connect and after a
 * disconnect; its ev.cleanup hook is where this file learns that the
 * context is gone.
 */
#include <string.h>
#include <time.h>
#include <hiredis/hiredis.h>
#include <hiredis/async.h>
#include <re.h>
#define DEBUG_MODULE "redis"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "jsonw.h"
#include "redis.h"


enum {
	RETRY_MIN_MS   = 500,
	RETRY_MAX_MS   = 5000,
	CONNECT_MS     = 3000,
	KEEPALIVE_MS   = 5000,
};

enum rstate {
	RS_DOWN = 0,     /**< No connection, a retry is scheduled  */
	RS_CONNECTING,   /**< TCP connect and handshake under way  */
	RS_UP,           /**< Commands are taken                   */
};

/** A connection to Redis */
struct redis {
	struct sa addr;          /**< Server                         */
	char *password;          /**< AUTH, or NULL                  */
	uint32_t db;             /**< SELECT, or 0                   */
	char *name;              /**< CLIENT SETNAME, or NULL        */
	redisAsyncContext *ac;   /**< hiredis's context, or NULL     */
	int fd;                  /**< Its socket while listened, -1  */
	int fdflags;             /**< FD_READ, FD_WRITE wanted       */
	enum rstate state;       /**< Where it is                    */
	uint64_t since;          /**< Unix time of the last change   */
	struct tmr tmr;          /**< Retry, connect timeout, PING   */
	uint32_t retry_ms;       /**< Next retry's delay             */
	bool ping_out;           /**< The last PING is unanswered    */
	bool logged;             /**< This outage was logged         */
	struct list cmds;        /**< struct rcmd, pending           */
	char err[128];           /**< Why it last went down          */
	uint64_t connects;       /**< Times it came up               */
	uint64_t lost;           /**< Times an up connection was lost */
	uint64_t sent;           /**< Commands sent                  */
	uint64_t failed;         /**< Error replies and lost answers */
	redis_state_h *sh;       /**< State handler                  */
	void *arg;               /**< Its argument                   */
};

/** A command waiting for its answer */
struct rcmd {
	struct le le;            /**< Member of redis.cmds           */
	struct redis *r;         /**< Connection, NULL once it is gone */
	redis_reply_h *rh;       /**< Answer handler, or NULL        */
	void *arg;               /**< Its argument                   */
};


static void connect_start(struct redis *r);
static void keepalive(void *arg);


static void fd_stop(struct redis *r)
{
	if (r->fd >= 0)
		fd_close(r->fd);
	r->fd = -1;
	r->fdflags = 0;
}


/* hiredis's context is gone (ev.cleanup hook, or the destructor) */
static void detach(struct redis *r)
{
	redisAsyncContext *ac = r->ac;

	if (!ac)
		return;

	ac->ev.data = NULL;
	ac->data = NULL;
	ac->onConnect = NULL;
	ac->onDisconnect = NULL;
	fd_stop(r);
	r->ac = NULL;
}


static void redis_destructor(void *data)
{
	struct redis *r = data;
	redisAsyncContext *ac = r->ac;

	tmr_cancel(&r->tmr);
	while (r->cmds.head) {
		struct rcmd *c = r->cmds.head->data;

		c->r = NULL;
		c->rh = NULL;
		list_unlink(&c->le);
	}
	detach(r);
	if (ac)
		redisAsyncFree(ac);
	mem_deref(r->password);
	mem_deref(r->name);
}


static void state_set(struct redis *r, enum rstate st)
{
	r->state = st;
	r->since = (uint64_t)time(NULL);
}


/* libre says the socket is ready */
static void fd_handler(int flags, void *arg)
{
	struct redis *r = arg;
	redisAsyncContext *ac = r->ac;

	if (!ac)
		return;

	if (flags & (FD_READ | FD_EXCEPT))
		redisAsyncHandleRead(ac);
	if (r->ac == ac && (flags & FD_WRITE))
		redisAsyncHandleWrite(ac);
}


static void fd_want(struct redis *r, int flag, bool on)
{
	int flags = on ? (r->fdflags | flag) : (r->fdflags & ~flag);

	if (!r->ac || flags == r->fdflags)
		return;

	if (!flags) {
		fd_stop(r);
		return;
	}

	r->fd = r->ac->c.fd;
	r->fdflags = flags;
	if (fd_listen(r->fd, flags, fd_handler, r)) {
		DEBUG_WARNING("cannot watch its socket\n");
		fd_stop(r);
	}
}


static void ev_add_read(void *arg)
{
	if (arg)
		fd_want(arg, FD_READ, true);
}


static void ev_del_read(void *arg)
{
	if (arg)
		fd_want(arg, FD_READ, false);
}


static void ev_add_write(void *arg)
{
	if (arg)
		fd_want(arg, FD_WRITE, true);
}


static void ev_del_write(void *arg)
{
	if (arg)
		fd_want(arg, FD_WRITE, false);
}


static void retry(void *arg)
{
	connect_start(arg);
}


static void err_set(struct redis *r, const char *what, const char *why)
{
	(void)re_snprintf(r->err, sizeof(r->err), "%s%s%s", what,
			  *what ? ": " : "", why ? why : "unknown error");
}


/* hiredis freed its context: down, and a retry later */
static void ev_cleanup(void *arg)
{
	struct redis *r = arg;
	bool was_up;

	if (!r)
		return;

	if (!r->err[0])
		err_set(r, "", (r->ac && r->ac->err) ? r->ac->errstr :
			"closed by the server");
	detach(r);
	was_up = r->state == RS_UP;
	state_set(r, RS_DOWN);
	tmr_start(&r->tmr, r->retry_ms, retry, r);
	r->retry_ms = min(r->retry_ms * 2, RETRY_MAX_MS);

	if (was_up) {
		++r->lost;
		DEBUG_WARNING("%J: connection lost (%s); HA state is not "
			      "written until it is back\n", &r->addr, r->err);
		r->logged = true;
		if (r->sh)
			r->sh(false, r->arg);
	}
	else if (!r->logged) {
		DEBUG_WARNING("%J: cannot connect (%s); retrying every "
			      "%u s at most\n", &r->addr, r->err,
			      RETRY_MAX_MS / 1000);
		r->logged = true;
	}
}


/* give the connection up; hiredis then calls ev_cleanup (at once, or
 * once the callback under way returns) */
static void drop(struct redis *r, const char *what, const char *why)
{
	err_set(r, what, why);
	if (r->ac)
		redisAsyncFree(r->ac);
}


static void on_connect(const redisAsyncContext *ac, int status)
{
	struct redis *r = ac->data;

	if (r && status != REDIS_OK)
		err_set(r, "connect", ac->errstr);
}


static void reply_cb(redisAsyncContext *ac, void *reply, void *privdata)
{
	struct rcmd *c = privdata;
	const redisReply *rep = reply;
	redis_reply_h *rh = c->rh;
	void *arg = c->arg;

	(void)ac;
	list_unlink(&c->le);
	if (c->r && (!rep || rep->type == REDIS_REPLY_ERROR))
		++c->r->failed;
	mem_deref(c);

	if (rh)
		rh(rep ? 0 : ECONNRESET, rep, arg);
}


static int send_argv(struct redis *r, redis_reply_h *rh, void *arg,
		     int argc, const char **argv, const size_t *argvlen)
{
	struct rcmd *c = mem_zalloc(sizeof(*c), NULL);

	if (!c)
		return ENOMEM;

	c->r = r;
	c->rh = rh;
	c->arg = arg;
	if (redisAsyncCommandArgv(r->ac, reply_cb, c, argc, argv,
				  argvlen) != REDIS_OK) {
		mem_deref(c);
		return EIO;
	}

	list_append(&r->cmds, &c->le, c);
	++r->sent;

	return 0;
}


static int send_words(struct redis *r, redis_reply_h *rh, int argc,
		      const char **argv)
{
	size_t len[4];

	for (int i = 0; i < argc; i++)
		len[i] = strlen(argv[i]);

	return send_argv(r, rh, r, argc, argv, len);
}


/* AUTH, SELECT, CLIENT SETNAME: an error reply ends the attempt */
static void setup_reply(int err, const struct redisReply *rep, void *arg)
{
	struct redis *r = arg;

	if (!err && rep->type == REDIS_REPLY_ERROR)
		drop(r, "handshake", rep->str);
}


static void up_reply(int err, const struct redisReply *rep, void *arg)
{
	struct redis *r = arg;

	if (err || r->state != RS_CONNECTING)
		return;

	if (rep->type == REDIS_REPLY_ERROR) {
		drop(r, "PING", rep->str);
		return;
	}

	state_set(r, RS_UP);
	++r->connects;
	r->retry_ms = RETRY_MIN_MS;
	r->logged = false;
	r->err[0] = '\0';
	r->ping_out = false;
	tmr_start(&r->tmr, KEEPALIVE_MS, keepalive, r);
	DEBUG_NOTICE("%J: connected\n", &r->addr);
	if (r->sh)
		r->sh(true, r->arg);
}


static void ping_reply(int err, const struct redisReply *rep, void *arg)
{
	struct redis *r = arg;

	(void)rep;
	if (!err)
		r->ping_out = false;
}


static void keepalive(void *arg)
{
	struct redis *r = arg;
	const char *ping[] = {"PING"};

	if (r->ping_out) {
		drop(r, "", "no answer to PING");
		return;
	}

	tmr_start(&r->tmr, KEEPALIVE_MS, keepalive, r);
	r->ping_out = !send_words(r, ping_reply, 1, ping);
}


static void connect_timeout(void *arg)
{
	drop(arg, "connect", "timed out");
}


static int handshake(struct redis *r)
{
	char db[16];
	const char *auth[] = {"AUTH", r->password};
	const char *sel[] = {"SELECT", db};
	const char *name[] = {"CLIENT", "SETNAME", r->name};
	const char *ping[] = {"PING"};
	int err = 0;

	(void)re_snprintf(db, sizeof(db), "%u", r->db);
	if (r->password)
		err |= send_words(r, setup_reply, 2, auth);
	if (r->db)
		err |= send_words(r, setup_reply, 2, sel);
	if (r->name)
		err |= send_words(r, setup_reply, 3, name);

	return err | send_words(r, up_reply, 1, ping);
}


static void hooks_set(struct redis *r, redisAsyncContext *ac)
{
	ac->data = r;
	ac->ev.data = r;
	ac->ev.addRead = ev_add_read;
	ac->ev.delRead = ev_del_read;
	ac->ev.addWrite = ev_add_write;
	ac->ev.delWrite = ev_del_write;
	ac->ev.cleanup = ev_cleanup;
	(void)redisAsyncSetConnectCallback(ac, on_connect);
}


static void connect_start(struct redis *r)
{
	redisAsyncContext *ac;
	char ip[64];

	(void)re_snprintf(ip, sizeof(ip), "%j", &r->addr);
	state_set(r, RS_CONNECTING);
	ac = redisAsyncConnect(ip, sa_port(&r->addr));
	if (!ac || ac->err) {
		err_set(r, "connect", ac ? ac->errstr : "out of memory");
		if (ac)
			redisAsyncFree(ac);
		ac = NULL;
	}

	if (ac) {
		r->ac = ac;
		hooks_set(r, ac);
		tmr_start(&r->tmr, CONNECT_MS, connect_timeout, r);
		if (handshake(r))
			drop(r, "handshake", "could not queue");
		return;
	}

	/* no context was made: no cleanup comes from hiredis */
	ev_cleanup(r);
}


static int dup_opt(char **dst, const char *src)
{
	return (src && *src) ? str_dup(dst, src) : 0;
}


/**
 * Connect to Redis; the connection is made again whenever it is lost
 *
 * @param rp  Pointer to the allocated connection
 * @param prm Where and how
 * @param sh  Called when it comes up or is lost (optional)
 * @param arg Its argument
 *
 * @return 0 if success, otherwise errorcode
 */
int redis_alloc(struct redis **rp, const struct redis_prm *prm,
		redis_state_h *sh, void *arg)
{
	struct redis *r;
	int err;

	if (!rp || !prm || !sa_isset(&prm->addr, SA_ALL))
		return EINVAL;

	r = mem_zalloc(sizeof(*r), redis_destructor);
	if (!r)
		return ENOMEM;

	r->addr = prm->addr;
	r->db = prm->db;
	r->fd = -1;
	r->retry_ms = RETRY_MIN_MS;
	r->sh = sh;
	r->arg = arg;
	tmr_init(&r->tmr);
	err  = dup_opt(&r->password, prm->password);
	err |= dup_opt(&r->name, prm->name);
	if (err) {
		mem_deref(r);
		return ENOMEM;
	}

	connect_start(r);
	*rp = r;

	return 0;
}


/**
 * Send a command
 *
 * @param r       Connection
 * @param rh      Answer handler (optional); it is called once, unless
 *                the connection is freed first
 * @param arg     Its argument
 * @param argc    Number of words
 * @param argv    The words
 * @param argvlen Their lengths
 *
 * @return 0 if sent, ENOTCONN while the connection is not up,
 *         otherwise errorcode
 */
int redis_cmd(struct redis *r, redis_reply_h *rh, void *arg, int argc,
	      const char **argv, const size_t *argvlen)
{
	if (!r || argc < 1 || !argv || !argvlen)
		return EINVAL;

	if (r->state != RS_UP || !r->ac)
		return ENOTCONN;

	return send_argv(r, rh, arg, argc, argv, argvlen);
}


/**
 * Whether the connection is up
 *
 * @param r Connection
 *
 * @return true if commands are taken
 */
bool redis_up(const struct redis *r)
{
	return r && r->state == RS_UP;
}


static bool str_same(const char *a, const char *b)
{
	return !str_cmp(a ? a : "", b ? b : "");
}


/**
 * Whether a connection is made with these parameters
 *
 * @param r   Connection
 * @param prm Parameters
 *
 * @return true if the same server, password, database and name
 */
bool redis_same(const struct redis *r, const struct redis_prm *prm)
{
	if (!r || !prm)
		return false;

	return sa_cmp(&r->addr, &prm->addr, SA_ALL) && r->db == prm->db &&
		str_same(r->password, prm->password) &&
		str_same(r->name, prm->name);
}


static const char *state_name(enum rstate st)
{
	switch (st) {

	case RS_UP:         return "up";
	case RS_CONNECTING: return "connecting";
	default:            return "down";
	}
}


/**
 * Print the connection's state, one line
 *
 * @param pf Print handler
 * @param r  Connection
 *
 * @return 0 if success, otherwise errorcode
 */
int redis_status(struct re_printf *pf, const struct redis *r)
{
	uint64_t now = (uint64_t)time(NULL);

	if (!r)
		return re_hprintf(pf, "off");

	return re_hprintf(pf, "%s %J for %llu s%s%s%s, %llu connects, %llu "
			  "lost, %llu commands, %llu failed",
			  state_name(r->state), &r->addr,
			  (unsigned long long)(now - r->since),
			  r->err[0] ? " (" : "", r->err, r->err[0] ? ")" : "",
			  (unsigned long long)r->connects,
			  (unsigned long long)r->lost,
			  (unsigned long long)r->sent,
			  (unsigned long long)r->failed);
}


/**
 * Write the connection's state as the member "redis" of a JSON object
 *
 * @param w JSON writer, inside an object
 * @param r Connection, NULL if none
 */
void redis_json(struct jsonw *w, const struct redis *r)
{
	char addr[64];

	if (!r) {
		jsonw_null(w, "redis");
		return;
	}

	(void)re_snprintf(addr, sizeof(addr), "%J", &r->addr);
	jsonw_obj(w, "redis");
	jsonw_str(w, "address", addr);
	jsonw_str(w, "state", state_name(r->state));
	jsonw_u64(w, "since_unix", r->since);
	jsonw_str(w, "last_error", r->err);
	jsonw_u64(w, "connects", r->connects);
	jsonw_u64(w, "lost", r->lost);
	jsonw_u64(w, "commands", r->sent);
	jsonw_u64(w, "failed", r->failed);
	jsonw_close(w);
}


/**
 * Read what a connection has done
 *
 * @param r  Connection
 * @param st Filled in (zeroed if r is NULL)
 */
void redis_stats(const struct redis *r, struct redis_stats *st)
{
	if (!st)
		return;

	memset(st, 0, sizeof(*st));
	if (!r)
		return;

	st->up = r->state == RS_UP;
	st->connects = r->connects;
	st->lost = r->lost;
	st->sent = r->sent;
	st->failed = r->failed;
}
