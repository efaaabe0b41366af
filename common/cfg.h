/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file cfg.h  umedge configuration: parsing and checking
 *
 * The file is "key value" lines, as libre's conf(3) reads them, but
 * parsed strictly: an unknown key, a bad value, an over-long value or a
 * key given twice is an error naming the file, the line and the key.
 * Nothing is truncated and nothing falls back to a default silently.
 * docs/configuration.md is the reference.
 */
#ifndef UMEDGE_CFG_H
#define UMEDGE_CFG_H

struct tok_keyring;

enum {
	CFG_NAME_MAX = 32,    /**< Interface names, with NUL       */
	CFG_HOST_MAX = 256,   /**< Host names, with NUL            */
	CFG_HDR_MAX  = 64,    /**< Header names, with NUL          */
	CFG_PATH_MAX = 256,   /**< File paths, with NUL            */
	CFG_SUN_MAX  = 108,   /**< Unix socket paths, with NUL     */
	CFG_CRED_MAX = 128,   /**< Digest user, password, realm    */
	CFG_NUM_MAX  = 32,    /**< Number prefixes, with NUL       */
	CFG_DIGITS_MAX = 15,  /**< Digits in a number (E.164)      */
	CFG_LINE_MAX = 1024,  /**< Longest line                    */
	CFG_FILE_MAX = 1 << 20,  /**< Largest file                 */
};

/** Transport of a listener or an internal host */
enum cfg_tp {
	CFG_UDP = 0,
	CFG_TCP,
	CFG_TLS,
};

/** A logical network interface */
struct cfg_iface {
	struct le le;                 /**< Member of cfg.ifaces         */
	char name[CFG_NAME_MAX];      /**< "external", "internal", ...  */
	struct sa addr;               /**< Address to bind, port 0      */
	struct sa advertise;          /**< Address to announce (1:1 NAT)*/
	uint16_t port_min;            /**< First media port, 0 if none  */
	uint16_t port_max;            /**< Last media port              */
	unsigned line;                /**< Line it was defined on       */
};

/** A network in CIDR notation */
struct cfg_net {
	struct le le;     /**< Member of a list of networks  */
	struct sa addr;   /**< Network address               */
	unsigned bits;    /**< Prefix length                 */
	unsigned line;    /**< Line it was defined on        */
};

/** A listening socket on an interface */
struct cfg_listen {
	struct le le;               /**< Member of a list of listeners */
	char iface[CFG_NAME_MAX];   /**< Interface name                */
	enum cfg_tp tp;             /**< Transport                     */
	uint16_t port;              /**< Port                          */
	unsigned line;              /**< Line it was defined on        */
};

/** An internal UM host or an outside gateway (sip_um_host, sip_gw) */
struct cfg_host {
	struct le le;                 /**< In cfg.sip.umhosts or set's gws */
	enum cfg_tp tp;               /**< UM hosts TCP, TLS; gws also UDP */
	char host[CFG_HOST_MAX];      /**< Address or host name            */
	uint16_t port;                /**< Port                            */
	uint32_t priority;            /**< Lower is tried first            */
	uint32_t weight;              /**< Share within a priority         */
	char tls_name[CFG_HOST_MAX];  /**< Name its certificate has        */
	char user[CFG_CRED_MAX];      /**< Digest user, "" for none        */
	char password[CFG_CRED_MAX];  /**< Digest password                 */
	char realm[CFG_CRED_MAX];     /**< Answer only this realm, "" any  */
	const struct cfg_gwset *set;  /**< Gateway's set, NULL: a UM host  */
	unsigned line;                /**< Line it was defined on          */
};

/** Media security of a leg (sip_um_media, sip_gw_media, media=) */
enum cfg_media {
	CFG_MEDIA_UNSET = 0,  /**< Not said: the default (a set's:
				   sip_gw_media; else any)          */
	CFG_MEDIA_ANY,        /**< What the other leg speaks        */
	CFG_MEDIA_RTP,        /**< Plain RTP only                   */
	CFG_MEDIA_SRTP,       /**< SDES-SRTP required               */
};

/** Diversion / History-Info conversion toward a leg (sip_um_divhi,
 *  divhi=): what the callee receives */
enum cfg_divhi {
	CFG_DIVHI_PASS = 0,   /**< Both headers as they came           */
	CFG_DIVHI_DIV,        /**< Diversion derived from History-Info  */
	CFG_DIVHI_DIV_ONLY,   /**< ...and History-Info dropped          */
	CFG_DIVHI_HI,         /**< History-Info derived from Diversion  */
	CFG_DIVHI_HI_ONLY,    /**< ...and Diversion dropped             */
};

/** The relay's kernel fast path (relay_kernel): which to try */
enum cfg_kpath {
	CFG_KPATH_NO = 0,     /**< Userspace only                      */
	CFG_KPATH_AUTO,       /**< eBPF, then conntrack, then userspace */
	CFG_KPATH_BPF,        /**< eBPF, then userspace                 */
	CFG_KPATH_CONNTRACK,  /**< conntrack, then userspace            */
};

/** How the relay's threads read and send (relay_io) */
enum cfg_rio {
	CFG_RIO_AUTO = 0,     /**< io_uring where the kernel allows it  */
	CFG_RIO_URING,        /**< io_uring, else epoll (logged)        */
	CFG_RIO_EPOLL,        /**< epoll, recvmmsg and sendmmsg         */
};

/** How a gateway set treats a REFER from UM */
enum cfg_refer {
	CFG_REFER_PASS = 0,   /**< Relay it to the gateway         */
	CFG_REFER_LOCAL,      /**< The edge makes the transfer call */
};

/** Failures that give way to the set's next gateway */
enum cfg_failover {
	CFG_FO_TIMEOUT = 1 << 0,   /**< No response, connection failed */
	CFG_FO_408     = 1 << 1,   /**< 408 Request Timeout            */
	CFG_FO_5XX     = 1 << 2,   /**< 500-599                        */
	CFG_FO_6XX     = 1 << 3,   /**< 600-699                        */
};

/** A named set of outside gateways or trunks (sip_gw_set) */
struct cfg_gwset {
	struct le le;              /**< Member of cfg.sip.gwsets        */
	char name[CFG_NAME_MAX];   /**< Its name                        */
	enum cfg_refer refer;      /**< REFER handling                  */
	enum cfg_media media;      /**< Media security of its legs      */
	bool info_dtmf;            /**< Its INFO DTMF becomes RFC 4733
					toward UM                       */
	uint32_t failover;         /**< enum cfg_failover bits          */
	uint32_t max_calls;        /**< Calls in from its gateways at
					once, 0: no limit of its own    */
	enum cfg_divhi divhi;      /**< Conversion toward its gateways */
	struct list gws;           /**< struct cfg_host                 */
	unsigned line;             /**< Line it was defined on          */
};

/** A route: numbers with this prefix go to a set (sip_route) */
struct cfg_route {
	struct le le;                  /**< Member of cfg.sip.routes   */
	char prefix[CFG_NUM_MAX];      /**< "+1425", "" for default    */
	const struct cfg_gwset *set;   /**< The set                    */
	unsigned line;                 /**< Line it was defined on     */
};

/** Numbers UM may dial (sip_out_allow): deny by default */
struct cfg_allow {
	struct le le;                  /**< Member of cfg.sip.out_allow */
	char prefix[CFG_NUM_MAX];      /**< "+44", "+", "00"...         */
	uint32_t min;                  /**< Fewest digits in the number */
	uint32_t max;                  /**< Most digits                 */
	unsigned line;                 /**< Line it was defined on      */
};

/** Directions a passed header goes (bits) */
enum cfg_hdr_dir {
	CFG_HDR_IN  = 1 << 0,   /**< Gateway to UM                */
	CFG_HDR_OUT = 1 << 1,   /**< UM to gateway                */
};

/** A header passed between the legs beyond umedge's own list
 *  (sip_pass_header) */
struct cfg_passhdr {
	struct le le;                  /**< Member of cfg.sip.pass_hdrs */
	char name[CFG_HDR_MAX];        /**< Header name, full form      */
	uint32_t dirs;                 /**< enum cfg_hdr_dir bits       */
	char set[CFG_NAME_MAX];        /**< Only calls whose gateway is
					    in this set, "" for all     */
	unsigned line;                 /**< Line it was defined on      */
};

/** A name the edge answers to (sip_domain) */
struct cfg_name {
	struct le le;                  /**< Member of cfg.sip.domains   */
	char name[CFG_HOST_MAX];       /**< Host or domain name         */
	unsigned line;                 /**< Line it was defined on      */
};

/** SIP B2BUA settings */
struct cfg_sip {
	bool enable;                     /**< Run the B2BUA                */
	bool own_streams;                /**< TCP/TLS are umedge's own     */
	bool own_udp;                    /**< UDP is umedge's own          */
	bool rel100;                     /**< Reliable 1xx (RFC 3262)      */
	struct list listeners;           /**< struct cfg_listen            */
	struct list umhosts;             /**< struct cfg_host              */
	struct list gateways;            /**< struct cfg_net: trusted      */
	struct list internal_nets;       /**< struct cfg_net: 3xx targets  */
	char tls_cert[CFG_PATH_MAX];     /**< Our certificate chain (PEM)  */
	char tls_key[CFG_PATH_MAX];      /**< Its private key (PEM)        */
	char tls_ca[CFG_PATH_MAX];       /**< CAs that sign peers (PEM)    */
	uint32_t max_redirects;          /**< 3xx hops followed            */
	uint32_t rate_limit;             /**< Requests/s per source, 0 off */
	uint32_t stream_conns;           /**< Own streams: per listener    */
	uint32_t stream_conns_source;    /**< ... per source address       */
	uint32_t stream_msg_timeout;     /**< s: first / begun message     */
	uint32_t stream_idle;            /**< s without a message          */
	uint32_t options_interval;       /**< UM host probe interval (s)   */
	uint32_t session_expires;        /**< RFC 4028 interval (s), 0 off */
	uint32_t min_se;                 /**< RFC 4028 Min-SE (s)          */
	char user_agent[128];            /**< User-Agent and Server        */
	char cdr_file[CFG_PATH_MAX];     /**< Call records, "" for none    */
	struct list gwsets;              /**< struct cfg_gwset             */
	struct list routes;              /**< struct cfg_route             */
	struct list out_allow;           /**< struct cfg_allow             */
	struct list domains;             /**< struct cfg_name: our names   */
	uint32_t in_max_calls;           /**< Gateways' calls at once, 0:
					      no limit                     */
	uint32_t out_max_calls;          /**< Calls out per source at once */
	uint32_t out_cps;                /**< New calls out/s per source   */
	struct list pass_hdrs;           /**< struct cfg_passhdr           */
	enum cfg_media um_media;         /**< Media security toward UM     */
	enum cfg_media gw_media;         /**< ...toward gateways (default) */
	enum cfg_divhi um_divhi;         /**< Conversion toward UM         */
};

/** Media relay settings */
struct cfg_relay {
	bool enable;                 /**< Run the relay                    */
	uint32_t threads;            /**< Forwarding threads, 0 = cores    */
	struct sa ng_listen;         /**< ng control socket, unset if none */
	struct list ng_controllers;  /**< struct cfg_net                   */
	bool require_token;          /**< Refuse offers without a token    */
	uint32_t learn_window;       /**< Latching window (s)              */
	uint32_t timeout;            /**< No media while answered (s)      */
	uint32_t timeout_setup;      /**< No media before answer (s)       */
	uint32_t timeout_hold;       /**< No media while on hold (s)       */
	enum cfg_kpath kernel;       /**< Kernel fast path to try          */
	enum cfg_rio io;             /**< epoll or io_uring                */
	bool rtcp_rewrite;           /**< Own SDES CNAME in plain RTCP     */
	bool rtcp_drop_malformed;    /**< Drop RTCP that does not parse    */
};

/** TURN server settings */
struct cfg_turn {
	bool enable;                     /**< Run the TURN server          */
	struct list listeners;           /**< struct cfg_listen            */
	char realm[128];                 /**< REALM                        */
	char relay_iface[CFG_NAME_MAX];  /**< Interface for relayed ports  */
	struct list allowed_peers;       /**< struct cfg_net               */
	struct list denied_peers;        /**< struct cfg_net               */
	struct list nat64_prefixes;      /**< struct cfg_net: the operator's
					      NAT64 prefixes (RFC 6052)    */
	char tls_cert[CFG_PATH_MAX];     /**< Certificate chain (PEM)      */
	char tls_key[CFG_PATH_MAX];      /**< Private key (PEM)            */
	uint32_t max_lifetime;           /**< Longest allocation (s)       */
	uint32_t user_quota;             /**< Allocations per user         */
	uint32_t total_quota;            /**< Allocations in all           */
	uint32_t max_bps;                /**< Per allocation, 0 unlimited  */
	bool kernel;                     /**< TC/BPF fast path             */
	uint32_t conn_per_source;        /**< TCP/TLS connections per client
					      address and listener         */
	uint32_t conn_idle;              /**< Seconds without a whole frame
					      before a connection closes   */
};

/** Credential issuing endpoint (MRAS-like) */
/** An HTTP listener: INTERFACE PORT (cred_listen, metrics_listen) */
struct cfg_http {
	char iface[CFG_NAME_MAX];   /**< Interface, "" if off           */
	uint16_t port;              /**< Port                           */
	unsigned line;              /**< Line it was set on             */
};

/** The Prometheus endpoint */
struct cfg_metrics {
	struct cfg_http lsn;        /**< metrics_listen                 */
	struct list clients;        /**< struct cfg_net allowed to scrape;
				         empty: sip_internal_network   */
	bool per_host;              /**< Series per UM host and gateway */
};

struct cfg_cred {
	struct cfg_http lsn;        /**< cred_listen (internal)         */
	char bearer[128];           /**< Bearer key clients present     */
	struct list clients;        /**< struct cfg_net allowed to ask  */
	char tls_cert[CFG_PATH_MAX];  /**< HTTPS: our certificate chain */
	char tls_key[CFG_PATH_MAX];   /**< Its private key              */
	char tls_ca[CFG_PATH_MAX];    /**< CAs of client certificates   */
};

/** The whole configuration */
struct cfg {
	char path[CFG_PATH_MAX];          /**< File it was read from   */
	int log_level;                    /**< DBG_ERR .. DBG_DEBUG    */
	int log_target;                   /**< enum elog_target        */
	int log_facility;                 /**< LOG_DAEMON, ...         */
	char pidfile[CFG_PATH_MAX];       /**< Written with -d         */
	char control_socket[CFG_SUN_MAX]; /**< umedgectl's socket      */
	struct list ifaces;               /**< struct cfg_iface        */
	struct cfg_sip sip;               /**< B2BUA                   */
	struct cfg_relay relay;           /**< Media relay             */
	struct cfg_turn turn;             /**< TURN server             */
	struct cfg_cred cred;             /**< Credential issuer       */
	struct cfg_metrics metrics;       /**< Prometheus /metrics     */
	struct cfg_hep {
		struct sa collector;      /**< HEP v3 over UDP, or unset */
		uint32_t capture_id;      /**< Chunk 12                 */
		char auth_key[64];        /**< Chunk 14, "" for none    */
	} hep;                            /**< Capture to Homer         */
	struct cfg_ha {
		struct sa redis;          /**< Redis server, or unset   */
		char redis_password[128]; /**< AUTH, "" for none        */
		uint32_t redis_db;        /**< SELECT                   */
		char node[64];            /**< This node's name         */
		char group[64];           /**< Keys' group (hash tag)   */
		uint32_t ttl;             /**< s a call's key outlives
						 its last write         */
		bool pair;                /**< One of an active/standby
						 pair (keepalived)      */
		bool store_keys;          /**< SRTP keys and rollover
						 counters in Redis      */
	} ha;                             /**< State for a standby      */
	struct tok_keyring *keys;         /**< token_secret lines      */
	uint32_t token_ttl;               /**< Default credential TTL  */
	struct cfg_drain {
		uint32_t timeout;         /**< s a drain waits at most  */
		uint32_t retry_after;     /**< Retry-After of its 503s  */
		bool options_503;         /**< OPTIONS get 503 as well  */
	} drain;                          /**< Graceful drain          */
};

int  cfg_load(struct cfg **cfgp, const char *path, char *err, size_t errsz);
int  cfg_parse(struct cfg **cfgp, const char *name, const char *buf,
	       size_t len, char *err, size_t errsz);
const struct cfg_iface *cfg_iface_find(const struct cfg *cfg,
				       const char *name);
const char *cfg_media_name(enum cfg_media m);
const char *cfg_divhi_name(enum cfg_divhi d);
const char *cfg_kpath_name(enum cfg_kpath k);
int  cfg_kpath_decode(const struct pl *word, enum cfg_kpath *k);
const char *cfg_rio_name(enum cfg_rio r);
const struct cfg_gwset *cfg_gwset_find(const struct cfg *cfg,
				       const char *name);
const char *cfg_tp_name(enum cfg_tp tp);
uint32_t cfg_media_ports(const struct cfg *cfg);

#endif
