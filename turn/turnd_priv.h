/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file turnd_priv.h  TURN server: objects shared by the turn/ files
 *
 * Object model (all in the main thread; docs/architecture.md):
 *
 *   turnd
 *    ├─ listeners (list)      tlisten: a UDP, TCP or TLS socket
 *    │   └─ conns (list)      tconn: a TCP/TLS connection from a client
 *    ├─ allocs (hash)         talloc by client address (5-tuple)
 *    │   ├─ tuser (ref)       its user's allocation count
 *    │   ├─ tport (ref)       the relayed port pair, from the pool
 *    │   ├─ fd                its relayed socket, in turnd.epfd
 *    │   ├─ perms (list)      tperm: a peer IP, 300 s
 *    │   └─ chans (list)      tchan: channel number <-> peer, 600 s
 *    ├─ users (hash)          tuser by user part of USERNAME
 *    ├─ resvs (hash)          tresv: an EVEN-PORT reservation, 30 s
 *    ├─ epfd, rx              relayed sockets' epoll set, its batch
 *    ├─ peerfilt              which peers may be reached (pf_gen)
 *    ├─ kern                  the TC program and its maps (tkern.c)
 *    ├─ rate                  401/438 limiter, per source and global
 *    └─ brate                 Binding limiter, per source and global
 */
#ifndef UMEDGE_TURND_PRIV_H
#define UMEDGE_TURND_PRIV_H

#include <sys/socket.h>
#include "tok.h"
#include "cfg.h"
#include "tbucket.h"
#include "peerfilt.h"

struct peerfilt;
struct portpool;
struct tkern;
struct trate;
struct evp_mac_ctx_st;

enum {
	TURND_LIFETIME   = 600,    /**< Default allocation lifetime (s)  */
	TURND_PERM_TTL   = 300,    /**< Permission lifetime (s)          */
	TURND_CHAN_TTL   = 600,    /**< Channel lifetime (s)             */
	TURND_RESV_TTL   = 30,     /**< EVEN-PORT reservation (s)        */
	TURND_NONCE_TTL  = 600,    /**< Nonce validity (s)               */
	TURND_NONCE_LEN  = 48,     /**< 16 hex time + 32 hex MAC         */
	TURND_PERM_MAX   = 128,    /**< Permissions per allocation       */
	TURND_CHAN_MAX   = 128,    /**< Channels per allocation          */
	TURND_CHAN_MIN_NUM = 0x4000, /**< First channel number           */
	TURND_CHAN_MAX_NUM = 0x7fff, /**< Last channel number            */
	TURND_KEY_LEN    = 16,     /**< MD5 long-term key                */
	TURND_RATE_SLOTS = 4096,   /**< 401 limiter buckets              */
	TURND_RATE_PER_S = 100,    /**< 401/438 per second per source IP */
	TURND_RATE_BURST = 200,    /**< ... and in a burst               */
	TURND_RATE_ALL   = 1000,   /**< 401/438 per second, all sources  */
	TURND_RATE_ALL_BURST = 2000, /**< ... and in a burst             */
	TURND_BIND_SLOTS = 4096,   /**< Binding limiter buckets          */
	TURND_BIND_PER_S = 200,    /**< Bindings per second per source IP*/
	TURND_BIND_BURST = 400,    /**< ... and in a burst               */
	TURND_BIND_ALL   = 5000,   /**< Bindings per second, all sources */
	TURND_BIND_ALL_BURST = 10000, /**< ... and in a burst            */
	TURND_CDATA_HDR  = 4,      /**< ChannelData header               */
	TURND_CONN_MAX   = 4096,   /**< Connections per stream listener  */
	TURND_FRAME_MAX  = 65536 + 24, /**< Largest frame on a stream    */
	TSOCK_BATCH      = 32,     /**< Datagrams per recvmmsg/sendmmsg  */
	TSOCK_PKT_MAX    = 8192,   /**< Largest datagram read (as libre) */
	TSOCK_ROUNDS     = 4,      /**< Batches per socket per wakeup    */
	TSOCK_BUF        = 1 << 20,/**< Listener socket buffers (bytes)  */
};

/** A receive batch: preallocated slots for recvmmsg (tsock.c) */
struct tsock_rx {
	struct mmsghdr msg[TSOCK_BATCH];          /**< recvmmsg vector  */
	struct iovec iov[TSOCK_BATCH];            /**< Their buffers    */
	struct sockaddr_storage from[TSOCK_BATCH];/**< Their sources    */
	uint8_t buf[TSOCK_BATCH][TURND_CDATA_HDR + TSOCK_PKT_MAX + 4];
	                                          /**< Headroom, data, padding */
};

/** A send queue for one socket: one sendmmsg (tsock.c) */
struct tsock_txq {
	struct mmsghdr msg[TSOCK_BATCH];          /**< sendmmsg vector  */
	struct iovec iov[TSOCK_BATCH];            /**< The datagrams    */
	struct sockaddr_storage to[TSOCK_BATCH];  /**< Destinations     */
	unsigned n;                               /**< Queued           */
};

/** A limiter's budgets (trate.c) */
struct trate_prm {
	uint32_t slots;       /**< Buckets in the per-source table */
	uint32_t rate;        /**< Answers per second per source   */
	uint32_t burst;       /**< ... in a burst                  */
	uint32_t all_rate;    /**< Per second, all sources; 0 off  */
	uint32_t all_burst;   /**< ... in a burst                  */
};

/** A limiter's counters (trate.c) */
struct trate_st {
	uint64_t passed;      /**< Answers let through             */
	uint64_t limited;     /**< Held back, for any reason       */
	uint64_t capped;      /**< ... of them by the global cap   */
};

/** Packet and byte counters, one direction each */
struct tstats {
	uint64_t pkts_out;    /**< Relayed client -> peer          */
	uint64_t bytes_out;   /**< Their payload bytes             */
	uint64_t pkts_in;     /**< Relayed peer -> client          */
	uint64_t bytes_in;    /**< Their payload bytes             */
	uint64_t dropped;     /**< No permission, filtered, capped */
};

/** An expiry handler (texp.c) */
typedef void (texp_h)(void *arg);

/** An expiry queue: entries of one lifetime, one libre timer (texp.c) */
struct texpq {
	struct list list;     /**< struct texp, soonest first      */
	struct tmr tmr;       /**< Waits for the head              */
	uint64_t at;          /**< When tmr fires (jiffies)        */
};

/** An entry of an expiry queue */
struct texp {
	struct le le;         /**< Member of texpq.list            */
	uint64_t at;          /**< Expiry (jiffies)                */
	texp_h *h;            /**< Handler, NULL when not running  */
	void *arg;            /**< Its argument                    */
};


/**
 * Where replies to clients go instead of the socket (tests, fuzzing)
 */
typedef void (turnd_tap_h)(const struct sa *dst, const struct mbuf *mb,
			   void *arg);

/** The TURN server */
struct turnd {
	const struct cfg *cfg;       /**< Configuration (referenced)      */
	struct list listeners;       /**< struct tlisten                  */
	struct hash *allocs;         /**< struct talloc by client address */
	struct hash *users;          /**< struct tuser by user part       */
	struct hash *resvs;          /**< struct tresv by token           */
	struct texpq allocs_exp;     /**< Allocations' lifetimes          */
	struct texpq perms;          /**< Permissions' expiry (300 s)     */
	struct portpool *pool;       /**< Relayed port pairs (ref)        */
	struct peerfilt *pf;         /**< Peer filter                     */
	uint32_t pf_gen;             /**< Changes with pf and cfg: cached
					  verdicts and keys of another
					  generation are stale            */
	int epfd;                    /**< epoll set of relayed sockets    */
	struct tsock_rx *rx;         /**< Batch for relayed sockets       */
	struct tsock_rx *lrx;        /**< Batch for UDP listeners         */
	bool queueing;               /**< Replies to UDP clients wait in
					  their listener's txq (tpeer.c)  */
	struct trate *rate;          /**< 401/438 limiter                 */
	struct trate *brate;         /**< Binding limiter                 */
	struct tkern *kern;          /**< Kernel path, or NULL            */
	struct tls *tls;             /**< TLS context, if a TLS listener  */
	struct sa relay_addr;        /**< Relayed sockets bind here       */
	struct sa relay_adv;         /**< ... and announce this           */
	uint8_t nonce_key[20];       /**< Random, for the nonce MAC       */
	struct evp_mac_ctx_st *hmac; /**< HMAC-SHA1, fetched once (tauth) */
	uint32_t tick;               /**< ms per second of lifetime: 1000;
					  unit tests make time run faster */
	uint32_t nallocs;            /**< Allocations now                 */
	uint32_t nresvs;             /**< EVEN-PORT reservations now: they
					  count against the quotas too    */
	uint64_t allocs_total;       /**< Allocations made                */
	struct tstats st;            /**< Totals, live and gone           */
	uint64_t pf_refused[PEERFILT_N]; /**< Requests refused, by rule   */
	bool draining;               /**< New allocations get 508         */
	turnd_tap_h *tap;            /**< Replies go here if set          */
	void *tap_arg;               /**< Its argument                    */
};

/** A listening socket */
struct tlisten {
	struct le le;                /**< Member of turnd.listeners      */
	struct turnd *turnd;         /**< Owner                          */
	enum cfg_tp tp;              /**< UDP, TCP or TLS                */
	int fd;                      /**< UDP socket (ours), or -1       */
	struct tsock_txq *txq;       /**< Replies queued (UDP)           */
	struct tcp_sock *ts;         /**< TCP socket, or NULL            */
	struct list conns;           /**< struct tconn (TCP, TLS)        */
	struct sa local;             /**< Bound address                  */
	bool retired;                /**< Removed by a reload: serves its
					  allocations (which hold it), no
					  new ones, accepts nothing      */
};

/** A TCP or TLS connection from a client */
struct tconn {
	struct le le;                /**< Member of tlisten.conns        */
	struct tlisten *lsn;         /**< Listener that accepted it      */
	struct tcp_conn *tc;         /**< TCP connection                 */
	struct tls_conn *sc;         /**< TLS on it, or NULL             */
	struct sa peer;              /**< Client address                 */
	struct mbuf *mb;             /**< Bytes not yet framed           */
	struct tmr tmr;              /**< Idle without an allocation     */
};

/** A relayed port pair taken from the pool; returned when freed */
struct tport {
	struct portpool *pool;       /**< Pool (referenced)              */
	uint16_t port;               /**< Even port of the pair          */
};

/** An EVEN-PORT reservation: the odd port of a pair, for a while */
struct tresv {
	struct le he;                /**< Member of turnd.resvs          */
	uint64_t token;              /**< RESERVATION-TOKEN              */
	struct tport *tp;            /**< The pair (referenced)          */
	struct tuser *tu;            /**< Who reserved it (referenced)   */
	struct turnd *turnd;         /**< Owner, for its count           */
	struct tmr tmr;              /**< Expiry                         */
};

/** A user's allocations (turn_user_quota); freed with the last one */
struct tuser {
	struct le he;                /**< Member of turnd.users          */
	uint32_t n;                  /**< Allocations now                */
	uint32_t nresv;              /**< Reservations now               */
	char name[TOK_USER_MAX];     /**< User part of USERNAME          */
};

/** An allocation */
struct talloc {
	struct le he;                /**< Member of turnd.allocs         */
	struct turnd *turnd;         /**< Owner                          */
	struct tlisten *lsn;         /**< Server side of the 5-tuple
					  (referenced)                    */
	struct tconn *conn;          /**< Its connection (TCP, TLS)      */
	struct sa cli;               /**< Client side of the 5-tuple     */
	char user[TOK_USER_MAX];     /**< USERNAME that made it          */
	struct tuser *tu;            /**< Its user's count (referenced)  */
	uint8_t tid[STUN_TID_SIZE];  /**< Allocate's transaction ID      */
	struct tport *tp;            /**< Port pair (referenced)         */
	int fd;                      /**< Relayed socket (ours), or -1   */
	struct sa relay;             /**< Relayed address announced      */
	struct list perms;           /**< struct tperm                   */
	struct list chans;           /**< struct tchan                   */
	struct texp exp;             /**< Lifetime, in turnd.allocs_exp  */
	uint64_t created;            /**< Unix time                      */
	struct tbucket bw;           /**< turn_max_bps, in bytes         */
	struct tstats st;            /**< Counters                       */
	uint8_t key[TURND_KEY_LEN];  /**< user's long-term key (tauth)   */
	uint32_t key_gen;            /**< turnd.pf_gen of key, 0: none   */
	char nonce[TURND_NONCE_LEN + 1]; /**< Last NONCE found valid     */
};

/** A permission */
struct tperm {
	struct le le;                /**< Member of talloc.perms         */
	struct talloc *al;           /**< Owner                          */
	struct sa peer;              /**< Peer IP, port 0                */
	struct texp exp;             /**< Expiry, in turnd.perms         */
	uint32_t pf_gen;             /**< turnd.pf_gen of pf_ok, 0: none */
	bool pf_ok;                  /**< The peer filter's verdict      */
};

/** A channel binding */
struct tchan {
	struct le le;                /**< Member of talloc.chans         */
	struct talloc *al;           /**< Owner                          */
	uint16_t num;                /**< Channel number                 */
	struct sa peer;              /**< Peer IP and port               */
	struct tmr tmr;              /**< Expiry                         */
	bool kern;                   /**< Relayed by the kernel now      */
};

/** A STUN request or indication being handled */
struct treq {
	struct turnd *turnd;         /**< Server                          */
	struct tlisten *lsn;         /**< Where it came in                */
	struct tconn *conn;          /**< Its connection, NULL for UDP    */
	const struct sa *src;        /**< From                            */
	struct mbuf *mb;             /**< The raw message, from pos       */
	struct stun_msg *msg;        /**< Decoded message                 */
	struct stun_unknown_attr ua; /**< Unknown comprehension-required  */
	bool fp;                     /**< It had a FINGERPRINT            */
	const char *user;            /**< USERNAME, once authenticated    */
	uint8_t key[TURND_KEY_LEN];  /**< Long-term key, once auth'd      */
	size_t keylen;               /**< 0 until authenticated           */
};

/* tlisten.c */
void tlisten_retire(struct tlisten *lsn);
int  tlisten_alloc(struct tlisten **lsnp, struct turnd *turnd,
		   const struct sa *local, enum cfg_tp tp);
int  tlisten_send(struct tlisten *lsn, struct tconn *conn,
		  const struct sa *dst, struct mbuf *mb);

/* tlisten_queue: replies whose bytes stay put until tpeer flushes */
int  tlisten_queue(struct tlisten *lsn, struct tconn *conn,
		   const struct sa *dst, struct mbuf *mb);
void tlisten_flush(struct tlisten *lsn);

/* tsock.c */
int  tsock_open(int *fdp, const struct sa *local, int buf);
void tsock_close(int *fdp);
int  tsock_rx_alloc(struct tsock_rx **rxp);
unsigned tsock_recv(struct tsock_rx *rx, int fd, unsigned first,
		    unsigned n);
int  tsock_rx_get(struct tsock_rx *rx, unsigned i, struct sa *src,
		  struct mbuf *mb);
int  tsock_txq_add(struct tsock_txq *q, const struct sa *dst,
		   const uint8_t *p, size_t len);
unsigned tsock_txq_flush(struct tsock_txq *q, int fd);

/* tpeer.c: relayed sockets */
int  tpeer_init(struct turnd *turnd);
void tpeer_close(struct turnd *turnd);
int  tpeer_add(struct talloc *al);
void tpeer_remove(struct talloc *al);

/* tconn.c */
void tconn_accept(const struct sa *peer, void *arg);
int  tconn_alloc(struct tconn **connp, struct tlisten *lsn,
		 const struct sa *peer);
int  tconn_recv(struct tconn *conn, const struct mbuf *mb, int *framesp);
int  tconn_frame_len(const struct mbuf *mb, size_t *lenp);

/* ttls.c */
int  ttls_alloc(struct tls **tlsp, const struct cfg_turn *ct);
struct tlsmat;
int  ttls_prepare(const struct tls *tls, const struct cfg_turn *ct,
		  struct tlsmat **mp, char *why, size_t sz);

/* tmsg.c: the entry point */
void tmsg_input(struct turnd *turnd, struct tlisten *lsn,
		struct tconn *conn, const struct sa *src, struct mbuf *mb);
int  tmsg_check(const struct mbuf *mb);
unsigned tmsg_after_mi_drop(struct stun_msg *msg,
			    struct stun_unknown_attr *ua);
struct mbuf *tmsg_dup(const struct mbuf *mb);

/* treq.c: answers */
int  treq_reply(const struct treq *req, uint32_t attrc, ...);
int  treq_ereply(const struct treq *req, uint16_t code,
		 uint32_t attrc, ...);
bool treq_unauth_ok(const struct treq *req);

/* tauth.c */
int  tauth_init(struct turnd *turnd);
void tauth_close(struct turnd *turnd);
void tauth_remember(struct talloc *al, const struct treq *req);
int  tauth_hmac(const struct turnd *turnd, const uint8_t *key, size_t klen,
		const uint8_t *data, size_t len, uint8_t *mac);
bool tauth_request(struct treq *req);
int  tauth_nonce(char *buf, size_t size, const struct turnd *turnd,
		 const struct sa *src, uint64_t now);
int  tauth_nonce_check(const struct turnd *turnd, const char *nonce,
		       const struct sa *src, uint64_t now);
int  tauth_key(uint8_t *key, const char *user, const char *realm,
	       const char *pass);
int  tauth_mi_check(const struct mbuf *mb, const uint8_t *key, size_t len);
int  tauth_check(const struct turnd *turnd, const struct mbuf *mb,
		 const char *user, uint64_t now, uint8_t *key);

/* trate.c */
int  trate_alloc(struct trate **ratep, const struct trate_prm *prm);
bool trate_take(struct trate *rate, const struct sa *src, uint64_t now);
struct trate_st trate_stats(const struct trate *rate);
int  trate_print(struct re_printf *pf, const struct trate *rate);
void turnd_kern_live(const struct turnd *turnd, struct tstats *st);

/* texp.c */
void texpq_init(struct texpq *q);
void texpq_close(struct texpq *q);
void texp_start(struct texp *e, struct texpq *q, uint64_t delay,
		texp_h *h, void *arg);
void texp_cancel(struct texp *e);
uint64_t texp_get_expire(const struct texp *e);


/* tbind.c */
bool tbind_request(struct treq *req);

/* tturn.c */
bool tturn_request(struct treq *req);
void tturn_indication(struct treq *req);

/* talloc.c */
int  talloc_alloc(struct talloc **alp, struct turnd *turnd,
		  const struct treq *req, struct tport *tp, uint16_t port,
		  uint32_t lifetime);
struct talloc *talloc_find(const struct turnd *turnd,
			   const struct tlisten *lsn, const struct sa *cli);
void talloc_refresh(struct talloc *al, uint32_t lifetime);
uint32_t talloc_user_count(const struct turnd *turnd, const char *user);
const char *talloc_user_part(const char *username);
struct tuser *talloc_user_get(struct turnd *turnd, const char *username);

/* tport.c */
int  tport_take(struct tport **tpp, struct portpool *pool);
int  tresv_alloc(struct tresv **rvp, struct turnd *turnd, struct tport *tp,
		 const char *user);
struct tresv *tresv_find(const struct turnd *turnd, uint64_t token);

/* tperm.c */
int  tperm_install(struct talloc *al, const struct sa *peer);
struct tperm *tperm_find(const struct talloc *al, const struct sa *peer);
bool tperm_allows(struct talloc *al, const struct sa *peer);

/* tchan.c */
int  tchan_bind(struct talloc *al, uint16_t num, const struct sa *peer);
struct tchan *tchan_find_num(const struct talloc *al, uint16_t num);
struct tchan *tchan_find_peer(const struct talloc *al,
			      const struct sa *peer);
int  tchan_decode(struct mbuf *mb, uint16_t *nump, bool stream);
void tchan_input(struct turnd *turnd, struct tlisten *lsn,
		 struct tconn *conn, const struct sa *src, struct mbuf *mb);

/* tkern.c: the kernel path */
int  tkern_alloc(struct tkern **tkp, const struct turnd *turnd);
void tkern_sync(struct talloc *al);
void tkern_chan_del(struct talloc *al, struct tchan *chan);
void tkern_stats_add(struct tstats *st, const struct talloc *al);
void tkern_gone_add(struct tstats *st, const struct tkern *tk);
uint32_t tkern_count(const struct tkern *tk);
unsigned tkern_devices(const struct tkern *tk);

/* tdata.c */
int  tdata_to_peer(struct talloc *al, const struct sa *peer,
		   struct mbuf *mb);
void tdata_peer_recv(const struct sa *src, struct mbuf *mb, void *arg);

/* turnd.c */
void turnd_tap_set(struct turnd *turnd, turnd_tap_h *tap, void *arg);

#endif
