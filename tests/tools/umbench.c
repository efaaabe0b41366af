/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file umbench.c  Media relay benchmark: sets calls up on a relay over
 *                  rtpengine's ng protocol, sends paced RTP through
 *                  them and measures loss, latency, and the relay's CPU
 *                  time and memory
 *
 * usage: umbench [options]
 *   -c IP:PORT  the relay's ng socket (required unless -0)
 *   -a IP       address of the A peers (default 127.0.0.1)
 *   -b IP       address of the B peers (default 127.0.0.1)
 *   -A NS       make the A sockets in network namespace NS
 *   -B NS       make the B sockets in network namespace NS
 *   -C NS       make the ng socket in network namespace NS
 *   -i A,B      direction (interface names) of the offer; the answer
 *               gives B,A; "-" sends none (default external,internal)
 *   -n CALLS    calls, 1 to 1000 (default 1)
 *   -r PPS      packets per second per stream (default 50)
 *   -d SEC      measured seconds per run, 1 to 60 (default 10)
 *   -w SEC      warm-up seconds before each run, 0 to 10 (default 1)
 *   -2          media both ways (A to B and B to A)
 *   -p PID      the relay's process: CPU time and RSS
 *   -m STEPS    max-rate mode, at most STEPS rates (1 to 16)
 *   -l PCT      max-rate: loss bound in percent (default 0.1)
 *   -L MS       max-rate: p99 latency bound (default 10)
 *   -0          no relay: A and B send to each other (harness alone)
 *   -S EXT:P0,INT:P0
 *               static calls, no ng and no relay process: call i's
 *               peer A binds A:(F+2i) and sends to EXT:(P0+2i), its
 *               peer B binds B:(F+2i) and sends to INT:(P0+2i) (with
 *               -2); what forwards them is the kernel's static
 *               conntrack NAT entries for the same calls
 *               (tests/tools/umct add, same -n, -a, -b and -F);
 *               a max-rate search reuses the same calls in every run
 *   -F PORT     with -S: the peers' port of call 0 (default 40000)
 *   -X SEC      every SEC seconds of a measured run, the A peers
 *               start a new RTP stream (a new SSRC, same socket), as
 *               a gateway that restarts its media does; a relay that
 *               holds streams in the kernel hands them back and in
 *               again (1 to 60; default none)
 *   -s SUITE    side B speaks SDES-SRTP (A stays plain RTP): the offer
 *               asks for transport-protocol RTP/SAVP toward B, and B
 *               answers the relay's a=crypto line of SUITE
 *               (AES_CM_128_HMAC_SHA1_80 or _32, AES_256_CM_HMAC_SHA1_80
 *               or _32) with a key of its own
 *   -t TAG      label of the output lines
 *   -g          gaps: per flow, the longest time between two packets
 *               received in the measured run, and whether the flow was
 *               still (again) receiving in its last second; a "gaps"
 *               line gives how many flows were and the gaps' p50, p99
 *               and max (a failover test kills the relay mid-run)
 *   -P          only send an ng ping; exit 0 on pong
 *
 * Each call has a peer A and a peer B with a socket each. umbench
 * offers A's SDP, answers with B's, and connects each socket to the
 * relay port the relay gave its peer. A sends 172-byte RTP (12-byte
 * header, 160 bytes of payload) at PPS, streams staggered over the
 * packet interval, with sendmmsg; B receives with recvmmsg in a second
 * thread (with -2 both send and receive). The payload holds a magic
 * number, the call, the direction, a run number, a sequence number and
 * the CLOCK_MONOTONIC send time: one host, so no clock skew.
 *
 * Each run is preceded by a warm-up whose packets are not counted.
 * After sending, the receiver drains until 300 ms pass without a
 * packet, or 3 s; later packets count as lost. Over the measured run
 * (sending and draining) umbench reads the relay's utime+stime
 * (/proc/PID/stat, all threads) and its threads' voluntary context
 * switches, its own CPU time, and that of every other process (a lower
 * bound of the interference); the relay's RSS before and after the
 * calls are set up.
 *
 * With -s, B encrypts what it sends with its own key and decrypts and
 * authenticates what it receives with the relay's key from the offer
 * (libre's SRTP, umbsrtp.c; one context per call and direction, each
 * used by one thread); a packet that does not authenticate is counted
 * (auth_fail, the warm-up's too) and as lost. The harness's crypto is
 * the same for every relay.
 *
 * Max-rate mode starts at PPS per stream and multiplies it by 1.5 until
 * a step fails, then bisects, each run on new calls. A run passes when
 * at least 99% of the packets due were sent, the loss is under -l and
 * the p99 under -L; a step passes when its run does, or, as other load
 * on the machine can fail one run, a second run at the same rate.
 *
 * Output: "key=value" lines: "setup", one "run" per run, "max",
 * "gaps" (-g), "end".
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/random.h>
#include "umbsrtp.h"


enum {
	CALLS_MAX  = 1000,          /**< Most calls                        */
	PKT_SIZE   = 172,           /**< RTP header and 160 bytes of PCMA  */
	BATCH      = 64,            /**< Datagrams per sendmmsg/recvmmsg   */
	RX_BUF     = 2048,          /**< Receive buffer per datagram       */
	SOCK_BUF   = 1 << 18,       /**< Our sockets' buffers              */
	NG_MAX     = 65536,         /**< Largest ng message                */
	PKT_ROOM   = PKT_SIZE + UMBSRTP_TRAILER,  /**< Send buffer         */
	KEY_MAX    = 46,            /**< Longest SDES key and salt         */
	TICK_US    = 250,           /**< Sender's pacing tick              */
	QUIET_MS   = 300,           /**< Drain: this long without packets  */
	DRAIN_MS   = 3000,          /**< Drain: at most this long          */
	HIST_FINE  = 65536,         /**< Latency buckets of 1 us           */
	HIST_COARSE = 10000,        /**< Then buckets of 1 ms              */
	PROCS_MAX  = 4096,          /**< Other processes watched           */
	MAGIC      = 0x554d424e,    /**< "UMBN"                            */
};

/** An SDES suite B may speak */
struct suite {
	const char *name;          /**< As in a=crypto                */
	size_t key_len;            /**< Master key and salt, bytes    */
};

/** Command-line settings */
struct opts {
	const char *ctl;           /**< ng IP:PORT                    */
	const char *addr[2];       /**< A and B addresses             */
	const char *ns[3];         /**< Namespaces: A, B, ng          */
	const char *dir[2];        /**< Interface names, or NULL      */
	const char *tag;           /**< Label                         */
	const struct suite *suite; /**< B's SRTP suite, NULL: plain   */
	unsigned calls;            /**< Calls                         */
	double pps;                /**< Per stream                    */
	unsigned dur;              /**< Measured seconds              */
	unsigned warm;             /**< Warm-up seconds               */
	unsigned ndir;             /**< Directions, 1 or 2            */
	unsigned steps;            /**< Max-rate runs, 0 for one run  */
	double loss_max;           /**< Max-rate loss bound, percent  */
	double p99_max_ms;         /**< Max-rate p99 bound            */
	int pid;                   /**< Relay process, 0 for none     */
	int direct;                /**< No relay                      */
	int fixed;                 /**< Static calls (-S)             */
	struct sockaddr_in stat[2];  /**< -S: EXT:P0 and INT:P0       */
	unsigned first_port;       /**< -S: peers' port of call 0     */
	unsigned ssrc_every;       /**< -X: new A SSRC every this many s */
	int ping;                  /**< Only ping                     */
	int gaps;                  /**< Per-flow gaps (-g)            */
};

/** One call: peer A (0) and peer B (1) */
struct call {
	int fd[2];                    /**< Sockets                       */
	struct sockaddr_in local[2];  /**< Their addresses               */
	struct sockaddr_in relay[2];  /**< Where each sends              */
	uint32_t seq[2];              /**< Next sequence, per direction  */
	struct srtp *tx;              /**< B's key: what B sends         */
	struct srtp *rx;              /**< The relay's key: what B gets  */
	unsigned crypto_tag;          /**< The a=crypto tag B answers    */
	char key64[72];               /**< B's key, base64               */
};

/** Counters of one run; from rx on, the receiver thread's */
struct run_stats {
	uint64_t due;                  /**< Packets that were due         */
	uint64_t sent;                 /**< Packets sent                  */
	uint64_t send_err;             /**< Sends that failed             */
	uint64_t rx;                   /**< Counted packets received      */
	uint64_t rx_other;             /**< Warm-up or earlier runs       */
	uint64_t rx_wrong;             /**< Foreign or on the wrong call  */
	uint64_t auth_fail;            /**< SRTP that did not authenticate */
	uint64_t reordered;            /**< Sequence not increasing       */
	uint32_t hist[HIST_FINE + HIST_COARSE];  /**< Latency histogram   */
};

/** CPU time of one other process */
struct proc_cpu {
	int pid;
	double cpu_s;                  /**< utime+stime                   */
};

/** CPU counters at one moment */
struct cpu_snap {
	uint64_t ns;                   /**< Monotonic time                */
	double relay_user_s;           /**< Relay's utime                 */
	double relay_sys_s;            /**< Relay's stime                 */
	unsigned long long relay_csw;  /**< Its threads' voluntary sleeps */
	double self_s;                 /**< Our CPU time                  */
	double vm_busy_s;              /**< All CPUs' busy time (/proc/stat) */
	struct proc_cpu proc[PROCS_MAX]; /**< Other processes           */
	unsigned nproc;                /**< Entries in proc               */
};

/** The benchmark */
struct bench {
	struct opts o;
	struct call *calls;
	int ctl_fd;                    /**< ng socket                     */
	unsigned cookie;               /**< ng cookie counter             */
	unsigned gen;                  /**< Calls set up so far, in Call-IDs */
	uint8_t epoch;                 /**< Run number, in the payload    */
	uint32_t ssrc_gen;             /**< A's stream generation (-X)    */
	int epfd;                      /**< Receiver's epoll              */
	uint32_t *rx_last;             /**< Last sequence per flow        */
	uint64_t *rx_ns;               /**< Last arrival per flow (-g)    */
	uint64_t *gap_ns;              /**< Longest gap per flow (-g)     */
	struct run_stats st;
	volatile int sending;          /**< Sender still running          */
	uint64_t send_end_ns;          /**< When the sender stopped       */
};


static void die(const char *what)
{
	fprintf(stderr, "umbench: %s%s%s\n", what, errno ? ": " : "",
		errno ? strerror(errno) : "");
	exit(1);
}


static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}


static void sleep_until(uint64_t ns)
{
	struct timespec ts = {(time_t)(ns / 1000000000u),
			      (long)(ns % 1000000000u)};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		;
}


static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}


static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}


/* ---- network namespaces and sockets ---------------------------------- */

/* Enter namespace name, or the one we started in when name is NULL */
static void ns_enter(const char *name)
{
	static int orig = -1;
	char path[256];
	int fd;

	if (orig < 0 && !name)
		return;
	if (orig < 0) {
		orig = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (orig < 0)
			die("open /proc/self/ns/net");
	}

	if (!name) {
		if (setns(orig, CLONE_NEWNET))
			die("setns back");
		return;
	}

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET))
		die(path);
	close(fd);
}


static int addr_parse(const char *s, uint16_t port, struct sockaddr_in *sin)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen(s);

	if (n >= sizeof(host))
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(colon ? (uint16_t)atoi(colon + 1) : port);

	return inet_pton(AF_INET, host, &sin->sin_addr) == 1 ? 0 : -1;
}


/* A UDP socket bound to ip and port, 0 for one the kernel picks */
static int udp_open(const char *ip, uint16_t port, struct sockaddr_in *local)
{
	socklen_t len = sizeof(*local);
	int fd, buf = SOCK_BUF;

	if (addr_parse(ip, 0, local))
		die("bad address");
	local->sin_port = htons(port);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	if (bind(fd, (struct sockaddr *)local, sizeof(*local)) ||
	    getsockname(fd, (struct sockaddr *)local, &len))
		die("bind");

	return fd;
}


/* With -S, call i's port: P0+2i on at's address (-S), F+2i for the
 * peers when at is NULL; 0 (the kernel picks) otherwise */
static uint16_t fixed_port(const struct opts *o, unsigned i,
			   const struct sockaddr_in *at)
{
	unsigned p = at ? ntohs(at->sin_port) : o->first_port;

	return o->fixed ? (uint16_t)(p + 2 * i) : 0;
}


static void peers_open(struct bench *b)
{
	for (int side = 0; side < 2; side++) {
		ns_enter(b->o.ns[side]);
		for (unsigned i = 0; i < b->o.calls; i++) {
			struct call *c = &b->calls[i];

			c->fd[side] = udp_open(b->o.addr[side],
					       fixed_port(&b->o, i, NULL),
					       &c->local[side]);
		}
	}
	ns_enter(NULL);
}


/* ---- ng: bencode over UDP --------------------------------------------- */

/** A message being built */
struct wbuf {
	char *p;
	size_t len, cap;
};


static void w_raw(struct wbuf *w, const char *s, size_t n)
{
	if (w->len + n > w->cap)
		die("ng message too long");
	memcpy(w->p + w->len, s, n);
	w->len += n;
}


static void w_str(struct wbuf *w, const char *s)
{
	char num[24];

	snprintf(num, sizeof(num), "%zu:", strlen(s));
	w_raw(w, num, strlen(num));
	w_raw(w, s, strlen(s));
}


static void w_kv(struct wbuf *w, const char *k, const char *v)
{
	w_str(w, k);
	w_str(w, v);
}


/* A peer's SDP; B's answer (c given) speaks SRTP when s is set */
static void sdp_print(char *sdp, size_t cap, const struct sockaddr_in *sin,
		      const struct call *c, const struct suite *s)
{
	char ip[INET_ADDRSTRLEN], crypto[160] = "";

	if (s && c)
		snprintf(crypto, sizeof(crypto),
			 "a=crypto:%u %s inline:%s\r\n", c->crypto_tag,
			 s->name, c->key64);
	inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
	snprintf(sdp, cap,
		 "v=0\r\no=- %u 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\n"
		 "t=0 0\r\nm=audio %u %s 8\r\n"
		 "a=rtpmap:8 PCMA/8000\r\na=sendrecv\r\n%s",
		 ntohs(sin->sin_port), ip, ip, ntohs(sin->sin_port),
		 *crypto ? "RTP/SAVP" : "RTP/AVP", crypto);
}


static void call_id(const struct bench *b, unsigned i, char *buf,
		    size_t size)
{
	snprintf(buf, size, "umbench-%d-%u-%u", (int)getpid(), b->gen, i);
}


/* The body of an offer (side 0, from A) or answer (side 1, from B) */
static void ng_body(const struct bench *b, struct wbuf *w, unsigned i,
		    int side)
{
	char cid[64], sdp[768];

	call_id(b, i, cid, sizeof(cid));
	sdp_print(sdp, sizeof(sdp), &b->calls[i].local[side],
		  side ? &b->calls[i] : NULL, b->o.suite);

	w_kv(w, "command", side ? "answer" : "offer");
	w_kv(w, "call-id", cid);
	w_kv(w, "from-tag", "peer-a");
	if (side)
		w_kv(w, "to-tag", "peer-b");
	w_kv(w, "sdp", sdp);
	if (!side && b->o.suite)
		w_kv(w, "transport-protocol", "RTP/SAVP");
	if (b->o.dir[0]) {
		w_str(w, "direction");
		w_raw(w, "l", 1);
		w_str(w, b->o.dir[side]);
		w_str(w, b->o.dir[!side]);
		w_raw(w, "e", 1);
	}
}


/* Send "COOKIE d<body>e", wait for the reply with that cookie */
static size_t ng_xchg(struct bench *b, const char *body, size_t blen,
		      char *reply, size_t cap)
{
	char msg[NG_MAX], cookie[32];
	int clen = snprintf(cookie, sizeof(cookie), "umb%u_%u ",
			    (unsigned)getpid(), ++b->cookie);
	size_t mlen = (size_t)clen + 2 + blen;

	if (mlen > sizeof(msg))
		die("ng message too long");
	memcpy(msg, cookie, (size_t)clen);
	msg[clen] = 'd';
	memcpy(msg + clen + 1, body, blen);
	msg[mlen - 1] = 'e';

	for (int tries = 0; tries < 3; tries++) {
		ssize_t n;

		if (send(b->ctl_fd, msg, mlen, 0) < 0)
			die("ng send");
		while ((n = recv(b->ctl_fd, reply, cap - 1, 0)) >= 0) {
			if (n > clen && !memcmp(reply, cookie, (size_t)clen)) {
				reply[n] = '\0';
				return (size_t)n;
			}
		}
	}
	errno = 0;
	die("no ng reply (is the relay running?)");
	return 0;
}


/* Find a bencoded string value by key; NULL if absent */
static const char *bget(const char *msg, size_t mlen, const char *key,
			size_t *vlen)
{
	char pat[64], *num;
	const char *p, *end = msg + mlen;

	snprintf(pat, sizeof(pat), "%zu:%s", strlen(key), key);
	p = memmem(msg, mlen, pat, strlen(pat));
	if (!p)
		return NULL;
	*vlen = strtoul(p + strlen(pat), &num, 10);
	if (num >= end || *num != ':' || num + 1 + *vlen > end)
		return NULL;

	return num + 1;
}


/* ---- SRTP on side B ---------------------------------------------------- */

static const struct suite suites[] = {
	{"AES_CM_128_HMAC_SHA1_80", 30},
	{"AES_CM_128_HMAC_SHA1_32", 30},
	{"AES_256_CM_HMAC_SHA1_80", 46},
	{"AES_256_CM_HMAC_SHA1_32", 46},
};

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";


static const struct suite *suite_find(const char *name)
{
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (!strcmp(suites[i].name, name))
			return &suites[i];

	return NULL;
}


/* Base64 with padding (RFC 4648) */
static void b64_encode(const uint8_t *in, size_t n, char *out)
{
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		*out++ = b64[v >> 18 & 63];
		*out++ = b64[v >> 12 & 63];
		*out++ = i + 1 < n ? b64[v >> 6 & 63] : '=';
		*out++ = i + 2 < n ? b64[v & 63] : '=';
	}
	*out = '\0';
}


/* Base64, padding optional (rtpengine and umedge leave it out); returns
 * the bytes decoded, or -1 */
static int b64_decode(const char *in, uint8_t *out, size_t cap)
{
	uint32_t v = 0;
	size_t n = 0;
	int bits = 0;

	for (; *in && *in != '='; in++) {
		const char *c = strchr(b64, *in);

		if (!c)
			return -1;
		v = v << 6 | (uint32_t)(c - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == cap)
				return -1;
			out[n++] = (uint8_t)(v >> bits);
		}
	}

	return (int)n;
}


/* A context for key (master key and salt) of suite s */
static struct srtp *bsrtp_ctx(const struct suite *s, const uint8_t *key)
{
	struct srtp *ctx = NULL;

	if (umbsrtp_alloc(&ctx, s->name, key, s->key_len)) {
		errno = 0;
		die("srtp_alloc");
	}

	return ctx;
}


/* The relay's a=crypto line of our suite in the SDP it offers B: its
 * key becomes B's inbound context, and B gets a key of its own on
 * that tag for the answer */
static int bsrtp_setup(const struct suite *s, struct call *c,
		       const char *sdp, size_t len)
{
	char buf[4096], name[64], key64[96];
	uint8_t key[KEY_MAX];
	const char *l;
	unsigned tag;

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, sdp, len);
	buf[len] = '\0';
	for (l = strstr(buf, "a=crypto:"); l; l = strstr(l + 1, "a=crypto:")) {
		if (sscanf(l, "a=crypto:%u %63s inline:%95[^|\r\n ]", &tag,
			   name, key64) == 3 && !strcmp(name, s->name))
			break;
	}
	if (!l || b64_decode(key64, key, sizeof(key)) != (int)s->key_len)
		return -1;
	c->rx = bsrtp_ctx(s, key);

	if (getrandom(key, s->key_len, 0) != (ssize_t)s->key_len)
		die("getrandom");
	c->tx = bsrtp_ctx(s, key);
	c->crypto_tag = tag;
	b64_encode(key, s->key_len, c->key64);

	return 0;
}


static void bsrtp_free(struct call *c)
{
	umbsrtp_free(c->tx);
	umbsrtp_free(c->rx);
	c->tx = c->rx = NULL;
}


/* The relay's address in an SDP: c= and the first m= port */
static int sdp_relay(const char *sdp, size_t len, struct sockaddr_in *sin)
{
	char buf[4096], ip[64];
	const char *c, *m;
	unsigned port;

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, sdp, len);
	buf[len] = '\0';
	c = strstr(buf, "c=IN IP4 ");
	m = strstr(buf, "m=audio ");
	if (!c || !m || sscanf(c + 9, "%63[0-9.]", ip) != 1 ||
	    sscanf(m + 8, "%u", &port) != 1)
		return -1;

	return addr_parse(ip, (uint16_t)port, sin);
}


static void ng_step(struct bench *b, unsigned i, int side)
{
	char body[4096], reply[NG_MAX];
	struct wbuf w = {body, 0, sizeof(body)};
	const char *sdp;
	size_t n, slen;

	ng_body(b, &w, i, side);
	n = ng_xchg(b, body, w.len, reply, sizeof(reply));
	sdp = bget(reply, n, "sdp", &slen);

	/* the offer's SDP goes to B: where B sends; the answer's to A */
	if (!strstr(reply, "6:result2:ok") || !sdp ||
	    sdp_relay(sdp, slen, &b->calls[i].relay[!side]) ||
	    (!side && b->o.suite &&
	     bsrtp_setup(b->o.suite, &b->calls[i], sdp, slen))) {
		fprintf(stderr, "umbench: %s of call %u: %s\n",
			side ? "answer" : "offer", i, reply);
		exit(1);
	}
}


static void ng_delete(struct bench *b, unsigned i)
{
	char body[256], reply[NG_MAX], cid[64];
	struct wbuf w = {body, 0, sizeof(body)};

	call_id(b, i, cid, sizeof(cid));
	w_kv(&w, "command", "delete");
	w_kv(&w, "call-id", cid);
	(void)ng_xchg(b, body, w.len, reply, sizeof(reply));
}


/* One ping with a short wait, to see whether the relay is up */
static int ng_ping(struct bench *b)
{
	static const char body[] = "7:command4:ping";
	char msg[64], reply[256];
	int len = snprintf(msg, sizeof(msg), "umbping d%se", body);
	ssize_t n;

	if (send(b->ctl_fd, msg, (size_t)len, 0) < 0)
		return 1;
	n = recv(b->ctl_fd, reply, sizeof(reply) - 1, 0);
	if (n <= 0)
		return 1;
	reply[n] = '\0';

	return strstr(reply, "6:result4:pong") ? 0 : 1;
}


static void ctl_open(struct bench *b)
{
	struct sockaddr_in sin;
	struct timeval tv = {1, 0};

	if (addr_parse(b->o.ctl, 2223, &sin))
		die("bad ng address");
	ns_enter(b->o.ns[2]);
	b->ctl_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ns_enter(NULL);
	if (b->ctl_fd < 0 ||
	    connect(b->ctl_fd, (struct sockaddr *)&sin, sizeof(sin)))
		die("ng socket");
	(void)setsockopt(b->ctl_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}


/* Offer and answer every call; or, without a relay, pair the peers;
 * or, with -S, address the static entries */
static void calls_setup(struct bench *b)
{
	for (unsigned i = 0; i < b->o.calls; i++) {
		struct call *c = &b->calls[i];

		if (b->o.direct) {
			c->relay[0] = c->local[1];
			c->relay[1] = c->local[0];
		} else if (b->o.fixed) {
			for (int s = 0; s < 2; s++) {
				c->relay[s] = b->o.stat[s];
				c->relay[s].sin_port = htons(fixed_port(
					&b->o, i, &b->o.stat[s]));
			}
		} else {
			ng_step(b, i, 0);
			ng_step(b, i, 1);
		}
		for (int s = 0; s < 2; s++) {
			if (connect(c->fd[s], (struct sockaddr *)&c->relay[s],
				    sizeof(c->relay[s])))
				die("connect");
		}
	}
}


/* Delete every call; the next calls_setup makes new ones */
static void calls_delete(struct bench *b)
{
	for (unsigned i = 0; !b->o.direct && !b->o.fixed && i < b->o.calls;
	     i++) {
		ng_delete(b, i);
		bsrtp_free(&b->calls[i]);
	}
	++b->gen;
}


/* ---- /proc ------------------------------------------------------------ */

/* The relay's utime and stime, all threads (scaled to the scheduler's
 * exact run time by the kernel) */
static void relay_cpu(int pid, double *user_s, double *sys_s)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;

	*user_s = *sys_s = 0;
	if (!pid)
		return;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		die(path);
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	/* after "(comm)": state ppid pgrp session tty tpgid flags minflt
	 * cminflt majflt cmajflt utime stime */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
			 "%*u %lu %lu", &ut, &st) != 2)
		die("parse /proc/PID/stat");

	*user_s = (double)ut / (double)sysconf(_SC_CLK_TCK);
	*sys_s = (double)st / (double)sysconf(_SC_CLK_TCK);
}


static long relay_rss_kb(int pid)
{
	char path[64], line[256];
	long kb = 0;
	FILE *f;

	if (!pid)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		die(path);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	fclose(f);

	return kb;
}


/* Context switches of all the relay's threads: how often it sleeps */
static unsigned long long relay_csw(int pid)
{
	char path[300], line[256];
	unsigned long long sum = 0, v;
	struct dirent *de;
	DIR *d;

	if (!pid)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		die(path);
	while ((de = readdir(d))) {
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/status", pid,
			 de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "voluntary_ctxt_switches: %llu",
				   &v) == 1)
				sum += v;
		fclose(f);
	}
	closedir(d);

	return sum;
}


static int proc_cmp(const void *a, const void *b)
{
	return ((const struct proc_cpu *)a)->pid -
	       ((const struct proc_cpu *)b)->pid;
}


/* CPU time of every other process, sorted by PID (/proc/stat's tick
 * counts miss short wake-ups, and the harness's are short) */
static void others_cpu(const struct bench *b, struct cpu_snap *s)
{
	struct dirent *de;
	DIR *d = opendir("/proc");

	if (!d)
		die("/proc");
	s->nproc = 0;
	while ((de = readdir(d)) && s->nproc < PROCS_MAX) {
		char path[300], buf[1024], *p;
		unsigned long v[2];
		int pid = atoi(de->d_name);
		FILE *f;

		if (pid <= 0 || pid == b->o.pid || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		f = fopen(path, "r");
		if (!f)
			continue;
		p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
		fclose(f);
		if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u "
				 "%*u %*u %lu %lu", &v[0], &v[1]) != 2)
			continue;
		s->proc[s->nproc].pid = pid;
		s->proc[s->nproc++].cpu_s = (double)(v[0] + v[1]) /
					    (double)sysconf(_SC_CLK_TCK);
	}
	closedir(d);
	qsort(s->proc, s->nproc, sizeof(s->proc[0]), proc_cmp);
}


/* Their CPU time between the snapshots: the growth of those in both,
 * all of those that started in between; a lower bound, as processes
 * that ended in between are missed */
static double others_delta(const struct cpu_snap *a, const struct cpu_snap *b)
{
	double sum = 0;
	unsigned i = 0, j = 0;

	while (j < b->nproc) {
		if (i < a->nproc && a->proc[i].pid < b->proc[j].pid) {
			++i;
		} else if (i < a->nproc && a->proc[i].pid == b->proc[j].pid) {
			if (b->proc[j].cpu_s > a->proc[i].cpu_s)
				sum += b->proc[j].cpu_s - a->proc[i].cpu_s;
			++i;
			++j;
		} else {
			sum += b->proc[j++].cpu_s;
		}
	}

	return sum;
}


/* Busy time of all CPUs, softirq included: what the whole VM spent,
 * wherever the kernel charged it */
static double vm_busy(void)
{
	unsigned long long v[8] = {0};
	FILE *f = fopen("/proc/stat", "r");
	int n;

	if (!f)
		return 0;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
		   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (n != 8)
		return 0;

	/* user nice system [idle iowait] irq softirq steal */
	return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) /
	       (double)sysconf(_SC_CLK_TCK);
}


static void cpu_snap(const struct bench *b, struct cpu_snap *s)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	s->ns = now_ns();
	relay_cpu(b->o.pid, &s->relay_user_s, &s->relay_sys_s);
	s->relay_csw = relay_csw(b->o.pid);
	s->vm_busy_s = vm_busy();
	s->self_s = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	others_cpu(b, s);
}


/* ---- sending ---------------------------------------------------------- */

/* The payload: magic, call, direction and warm-up flag, run, sequence,
 * send time */
static void pkt_fill(uint8_t *p, unsigned call, int dir, uint8_t epoch,
		     int warm, uint32_t seq, uint32_t gen)
{
	uint64_t t = now_ns();
	uint32_t ssrc = (call * 2 + (unsigned)dir + 1) | (dir ? 0 : gen << 16);

	p[0] = 0x80;
	p[1] = 8;
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	put32(p + 4, seq * 160);
	put32(p + 8, ssrc);
	put32(p + 12, MAGIC);
	put32(p + 16, call);
	p[20] = (uint8_t)(dir | (warm ? 2 : 0));
	p[21] = epoch;
	put32(p + 22, seq);
	put32(p + 26, (uint32_t)(t >> 32));
	put32(p + 30, (uint32_t)t);
	memset(p + 34, 0xd5, PKT_SIZE - 34);
}


/* Send n packets of flow (call i, direction dir) in one sendmmsg; B's
 * encrypted with its key when it speaks SRTP */
static unsigned flow_send(struct bench *b, unsigned i, int dir, unsigned n,
			  int warm)
{
	static uint8_t pkt[BATCH][PKT_ROOM];
	static struct mmsghdr mm[BATCH];
	static struct iovec iov[BATCH];
	struct call *c = &b->calls[i];
	int sent;

	for (unsigned k = 0; k < n; k++) {
		size_t len = PKT_SIZE;

		pkt_fill(pkt[k], i, dir, b->epoch, warm, c->seq[dir] + k,
			 b->ssrc_gen);
		if (dir && c->tx &&
		    umbsrtp_protect(c->tx, pkt[k], &len, PKT_ROOM)) {
			errno = 0;
			die("srtp_encrypt");
		}
		iov[k].iov_base = pkt[k];
		iov[k].iov_len = len;
		memset(&mm[k], 0, sizeof(mm[k]));
		mm[k].msg_hdr.msg_iov = &iov[k];
		mm[k].msg_hdr.msg_iovlen = 1;
	}

	sent = sendmmsg(c->fd[dir], mm, n, MSG_DONTWAIT);
	if (sent < 0)
		sent = 0;
	c->seq[dir] += (uint32_t)sent;
	if (!warm)
		b->st.send_err += n - (unsigned)sent;

	return (unsigned)sent;
}


/* Packets flow f (of nflows) owes before time t: packet k of flow f is
 * due at (k + f / nflows) / pps */
static uint64_t flow_due(double t_s, double pps, unsigned f, unsigned nflows)
{
	double x = t_s * pps - (double)f / nflows;
	uint64_t k;

	if (x <= 0)
		return 0;
	k = (uint64_t)x;

	return k + ((double)k < x);
}


/* One pass over the flows: send what each owes at t_s; returns the
 * packets due in all */
static uint64_t flows_pass(struct bench *b, double t_s, double pps,
			   uint64_t *done, int warm)
{
	unsigned nflows = b->o.calls * b->o.ndir;
	uint64_t due = 0;

	for (unsigned f = 0; f < nflows; f++) {
		uint64_t d = flow_due(t_s, pps, f, nflows);
		uint64_t n = d - done[f];

		due += d;
		if (n > BATCH)
			n = BATCH;
		if (n)
			done[f] += flow_send(b, f / b->o.ndir,
					     (int)(f % b->o.ndir),
					     (unsigned)n, warm);
	}

	return due;
}


/* Send every flow at pps for dur_ns, a pass every TICK_US; returns the
 * packets sent */
static uint64_t send_phase(struct bench *b, double pps, uint64_t dur_ns,
			   int warm, uint64_t *due)
{
	unsigned nflows = b->o.calls * b->o.ndir;
	uint64_t t0 = now_ns(), tick = t0, total = 0;
	uint64_t *done = calloc(nflows, sizeof(*done));

	if (!done)
		die("calloc");

	for (;;) {
		uint64_t now = now_ns();

		if (now >= t0 + dur_ns) {
			*due = flows_pass(b, (double)dur_ns / 1e9, pps, done,
					  warm);
			break;
		}
		if (!warm && b->o.ssrc_every)
			b->ssrc_gen = (uint32_t)((now - t0) / 1000000000ull /
						 b->o.ssrc_every);
		(void)flows_pass(b, (double)(now - t0) / 1e9, pps, done,
				 warm);
		tick += TICK_US * 1000;
		if (tick > now)
			sleep_until(tick);
		else
			tick = now;
	}

	for (unsigned f = 0; f < nflows; f++)
		total += done[f];
	free(done);

	return total;
}


/* ---- receiving -------------------------------------------------------- */

static void hist_add(struct run_stats *st, uint64_t ns)
{
	uint64_t us = ns / 1000, k = us;

	if (us >= HIST_FINE) {
		k = HIST_FINE + (us - HIST_FINE) / 1000;
		if (k >= HIST_FINE + HIST_COARSE)
			k = HIST_FINE + HIST_COARSE - 1;
	}
	++st->hist[k];
}


/* The latency in us at quantile q of the histogram */
static double hist_quantile(const struct run_stats *st, double q)
{
	uint64_t want = (uint64_t)(q * (double)st->rx), seen = 0;

	if (!st->rx)
		return 0;
	if (want >= st->rx)
		want = st->rx - 1;
	for (unsigned k = 0; k < HIST_FINE + HIST_COARSE; k++) {
		seen += st->hist[k];
		if (seen > want)
			return k < HIST_FINE ? k :
			       HIST_FINE + (double)(k - HIST_FINE) * 1000;
	}

	return HIST_FINE + (double)HIST_COARSE * 1000;
}


/* Judge one received packet, on the socket of flow f; what B receives
 * is decrypted with the relay's key first when B speaks SRTP */
static void pkt_rx(struct bench *b, unsigned f, uint8_t *p, unsigned len,
		   uint64_t now)
{
	unsigned call = f / 2, dir = f % 2;
	struct srtp *rx = dir ? NULL : b->calls[call].rx;
	uint64_t t;
	uint32_t seq;

	if (rx) {
		size_t n = len;

		if (umbsrtp_unprotect(rx, p, &n)) {
			++b->st.auth_fail;
			return;
		}
		len = (unsigned)n;
	}
	if (len != PKT_SIZE || get32(p + 12) != MAGIC ||
	    get32(p + 16) != call || (p[20] & 1) != dir) {
		++b->st.rx_wrong;
		return;
	}
	if (p[21] != b->epoch || (p[20] & 2)) {
		++b->st.rx_other;
		return;
	}

	seq = get32(p + 22);
	t = (uint64_t)get32(p + 26) << 32 | get32(p + 30);
	if (seq <= b->rx_last[f] && b->rx_last[f] != UINT32_MAX)
		++b->st.reordered;
	b->rx_last[f] = seq;
	if (b->rx_ns[f] && now - b->rx_ns[f] > b->gap_ns[f])
		b->gap_ns[f] = now - b->rx_ns[f];
	b->rx_ns[f] = now;
	++b->st.rx;
	hist_add(&b->st, now > t ? now - t : 0);
}


/* Read what the socket of flow f holds; returns the packets read */
static unsigned sock_drain(struct bench *b, unsigned f)
{
	static uint8_t buf[BATCH][RX_BUF];
	static struct mmsghdr mm[BATCH];
	static struct iovec iov[BATCH];
	struct call *c = &b->calls[f / 2];
	int fd = c->fd[f % 2 ? 0 : 1];       /* A->B arrives at B */
	unsigned total = 0;

	for (int round = 0; round < 4; round++) {
		uint64_t now;
		int n;

		for (int k = 0; k < BATCH; k++) {
			iov[k].iov_base = buf[k];
			iov[k].iov_len = RX_BUF;
			memset(&mm[k], 0, sizeof(mm[k]));
			mm[k].msg_hdr.msg_iov = &iov[k];
			mm[k].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(fd, mm, BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			break;
		now = now_ns();
		for (int k = 0; k < n; k++)
			pkt_rx(b, f, buf[k], mm[k].msg_len, now);
		total += (unsigned)n;
		if (n < BATCH)
			break;
	}

	return total;
}


/* Receive until the sender has stopped and the flows are quiet */
static void *rx_main(void *arg)
{
	struct bench *b = arg;
	struct epoll_event ev[256];
	uint64_t last_rx = now_ns();

	for (;;) {
		int n = epoll_wait(b->epfd, ev, 256, 50);
		uint64_t now;

		for (int i = 0; i < n; i++)
			if (sock_drain(b, ev[i].data.u32))
				last_rx = now_ns();

		now = now_ns();
		if (__atomic_load_n(&b->sending, __ATOMIC_ACQUIRE))
			continue;
		if (now - last_rx > QUIET_MS * 1000000ull ||
		    now - b->send_end_ns > DRAIN_MS * 1000000ull)
			break;
	}

	return NULL;
}


/* Watch the receiving socket of every flow: B, and A with -2 */
static void rx_init(struct bench *b)
{
	b->epfd = epoll_create1(EPOLL_CLOEXEC);
	b->rx_last = malloc(b->o.calls * 2 * sizeof(*b->rx_last));
	b->rx_ns = calloc(b->o.calls * 2, sizeof(*b->rx_ns));
	b->gap_ns = calloc(b->o.calls * 2, sizeof(*b->gap_ns));
	if (b->epfd < 0 || !b->rx_last || !b->rx_ns || !b->gap_ns)
		die("epoll");

	for (unsigned i = 0; i < b->o.calls; i++) {
		for (unsigned dir = 0; dir < b->o.ndir; dir++) {
			struct epoll_event ev = {EPOLLIN, {0}};
			unsigned f = i * 2 + dir;

			ev.data.u32 = f;
			if (epoll_ctl(b->epfd, EPOLL_CTL_ADD,
				      b->calls[i].fd[dir ? 0 : 1], &ev))
				die("epoll_ctl");
		}
	}
}


/* ---- runs ------------------------------------------------------------- */

/** What one run found */
struct result {
	double pps, offered;          /**< Per stream, in all            */
	double loss;                  /**< Percent of the packets sent   */
	double p50, p99, pmax;        /**< Latency, us                   */
	double cpu_s, user_s, sys_s;  /**< The relay's CPU time          */
	double cpu_us_pkt;            /**< Its CPU per packet delivered  */
	double pkt_wake;              /**< Packets per relay wake-up     */
	double relay_pct, self_pct;   /**< CPU, percent of one core      */
	double other_pct;             /**< Other processes' CPU          */
	double vm_us_pkt;             /**< Whole VM's CPU per packet     */
	double secs;                  /**< Measured interval             */
	int pass;                     /**< Max-rate criteria met         */
	int attempt;                  /**< Of a max-rate step: 1 or 2    */
};


static void result_print(const struct bench *b, const struct result *r,
			 const char *kind)
{
	const struct run_stats *st = &b->st;

	printf("%s tag=%s calls=%u dirs=%u pps_stream=%.1f offered_pps=%.0f "
	       "due=%llu sent=%llu send_err=%llu recv=%llu loss_pct=%.4f "
	       "p50_us=%.0f p99_us=%.0f max_us=%.0f reordered=%llu "
	       "wrong=%llu late_or_warm=%llu auth_fail=%llu srtp=%s "
	       "relay_cpu_s=%.2f "
	       "relay_user_s=%.2f relay_sys_s=%.2f "
	       "cpu_us_per_pkt=%.2f pkts_per_wakeup=%.1f relay_cpu_pct=%.1f "
	       "harness_cpu_pct=%.1f "
	       "other_cpu_pct=%.1f vm_us_per_pkt=%.2f secs=%.2f pass=%d "
	       "attempt=%d\n",
	       kind, b->o.tag, b->o.calls, b->o.ndir, r->pps, r->offered,
	       (unsigned long long)st->due, (unsigned long long)st->sent,
	       (unsigned long long)st->send_err, (unsigned long long)st->rx,
	       r->loss, r->p50, r->p99, r->pmax,
	       (unsigned long long)st->reordered,
	       (unsigned long long)st->rx_wrong,
	       (unsigned long long)st->rx_other,
	       (unsigned long long)st->auth_fail,
	       b->o.suite ? b->o.suite->name : "-", r->cpu_s, r->user_s,
	       r->sys_s, r->cpu_us_pkt, r->pkt_wake,
	       r->relay_pct, r->self_pct, r->other_pct, r->vm_us_pkt,
	       r->secs, r->pass, r->attempt);
	fflush(stdout);
}


static void result_make(const struct bench *b, const struct cpu_snap *s0,
			const struct cpu_snap *s1, double pps,
			struct result *r)
{
	const struct run_stats *st = &b->st;

	memset(r, 0, sizeof(*r));
	r->pps = pps;
	r->offered = pps * b->o.calls * b->o.ndir;
	r->loss = st->sent ? 100.0 * (double)(st->sent - (st->rx < st->sent ?
					      st->rx : st->sent)) /
			     (double)st->sent : 100;
	r->p50 = hist_quantile(st, 0.50);
	r->p99 = hist_quantile(st, 0.99);
	r->pmax = hist_quantile(st, 1.0);
	r->secs = (double)(s1->ns - s0->ns) / 1e9;
	r->user_s = s1->relay_user_s - s0->relay_user_s;
	r->sys_s = s1->relay_sys_s - s0->relay_sys_s;
	r->cpu_s = r->user_s + r->sys_s;
	r->cpu_us_pkt = st->rx ? r->cpu_s * 1e6 / (double)st->rx : 0;
	r->pkt_wake = s1->relay_csw > s0->relay_csw ? (double)st->rx /
		      (double)(s1->relay_csw - s0->relay_csw) : 0;
	r->relay_pct = 100 * r->cpu_s / r->secs;
	r->self_pct = 100 * (s1->self_s - s0->self_s) / r->secs;
	r->other_pct = 100 * others_delta(s0, s1) / r->secs;
	r->vm_us_pkt = st->rx ? (s1->vm_busy_s - s0->vm_busy_s) * 1e6 /
		       (double)st->rx : 0;
	r->pass = st->sent >= st->due * 99 / 100 && st->rx &&
		  r->loss < b->o.loss_max && r->p99 < b->o.p99_max_ms * 1000;
}


/* Warm up, then one measured run at pps per stream; the receiver
 * runs throughout and ignores the warm-up's packets */
static void run_once(struct bench *b, double pps, struct result *r)
{
	static struct cpu_snap s0, s1;
	pthread_t rx;
	uint64_t due;

	++b->epoch;
	memset(&b->st, 0, sizeof(b->st));
	memset(b->rx_last, 0xff, b->o.calls * 2 * sizeof(*b->rx_last));
	memset(b->rx_ns, 0, b->o.calls * 2 * sizeof(*b->rx_ns));
	memset(b->gap_ns, 0, b->o.calls * 2 * sizeof(*b->gap_ns));
	b->sending = 1;
	if (pthread_create(&rx, NULL, rx_main, b))
		die("pthread_create");

	if (b->o.warm)
		(void)send_phase(b, pps, b->o.warm * 1000000000ull, 1, &due);

	cpu_snap(b, &s0);
	b->st.sent = send_phase(b, pps, b->o.dur * 1000000000ull, 0,
				&b->st.due);
	b->send_end_ns = now_ns();
	__atomic_store_n(&b->sending, 0, __ATOMIC_RELEASE);
	pthread_join(rx, NULL);
	cpu_snap(b, &s1);

	result_make(b, &s0, &s1, pps, r);
}


/* One max-rate step at pps, each run but the very first on new calls:
 * a relay may give up on a socket it could not keep up with (rtpengine
 * does), which must not fail later steps. A failed run is repeated
 * once, as other load on the machine can fail one; returns whether
 * either run passed, the better one in r */
static int max_step(struct bench *b, double pps, unsigned *runs,
		    struct result *r)
{
	struct result t;

	for (int attempt = 1; attempt <= 2; attempt++) {
		if ((*runs)++) {
			calls_delete(b);
			calls_setup(b);
		}
		run_once(b, pps, &t);
		t.attempt = attempt;
		result_print(b, &t, "step");
		if (attempt == 1 || t.pass || t.p99 < r->p99)
			*r = t;
		if (t.pass)
			return 1;
	}

	return 0;
}


/* Raise the rate x1.5 until a step fails, then bisect, for at most
 * o.steps rates */
static void max_rate(struct bench *b)
{
	double lo = 0, hi = 0, pps = b->o.pps;
	struct result r, best;
	unsigned runs = 0;

	memset(&best, 0, sizeof(best));
	for (unsigned step = 0; step < b->o.steps; step++) {
		if (max_step(b, pps, &runs, &r)) {
			lo = pps;
			best = r;
		} else {
			hi = pps;
		}
		if (!hi)
			pps = lo * 1.5;
		else if (hi - lo <= hi * 0.04)
			break;
		else
			pps = (lo + hi) / 2;
	}

	printf("max tag=%s calls=%u dirs=%u best_pps_stream=%.1f "
	       "best_pps=%.0f p50_us=%.0f p99_us=%.0f cpu_us_per_pkt=%.2f "
	       "lowest_fail_pps=%.0f\n", b->o.tag, b->o.calls, b->o.ndir, lo,
	       lo * b->o.calls * b->o.ndir, best.p50, best.p99,
	       best.cpu_us_pkt, hi * b->o.calls * b->o.ndir);
}


/* ---- main ------------------------------------------------------------- */

static int u64_cmp(const void *a, const void *b)
{
	const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}


/* The flows' gaps (-g): a flow "resumed" if it received in the last
 * second of sending; the gaps of those that received at all, sorted */
static void gaps_print(const struct bench *b)
{
	const unsigned nf = b->o.calls * b->o.ndir;
	uint64_t *g = calloc(nf ? nf : 1, sizeof(*g));
	unsigned n = 0, resumed = 0;

	if (!g)
		die("calloc");

	for (unsigned i = 0; i < b->o.calls; i++) {
		for (unsigned dir = 0; dir < b->o.ndir; dir++) {
			const unsigned f = i * 2 + dir;

			if (!b->rx_ns[f])
				continue;
			g[n++] = b->gap_ns[f];
			if (b->rx_ns[f] + 1000000000ull >= b->send_end_ns)
				++resumed;
		}
	}

	qsort(g, n, sizeof(*g), u64_cmp);
	printf("gaps tag=%s flows=%u received=%u resumed=%u gap_p50_ms=%.0f "
	       "gap_p99_ms=%.0f gap_max_ms=%.0f\n", b->o.tag, nf, n, resumed,
	       n ? (double)g[n / 2] / 1e6 : 0,
	       n ? (double)g[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1] /
	       1e6 : 0, n ? (double)g[n - 1] / 1e6 : 0);
	fflush(stdout);
	free(g);
}


static int usage(void)
{
	fprintf(stderr,
		"usage: umbench [-c IP:PORT | -0] [-a IP] [-b IP] [-A NS] "
		"[-B NS] [-C NS]\n"
		"               [-i A,B|-] [-n CALLS] [-r PPS] [-d SEC] "
		"[-w SEC] [-2] [-p PID]\n"
		"               [-m STEPS] [-l PCT] [-L MS] [-s SUITE] "
		"[-t TAG] [-g] [-P]\n"
		"               [-S EXT:P0,INT:P0 [-F PORT]] [-X SEC]\n");
	return 2;
}


static void dir_parse(struct opts *o, char *s)
{
	char *comma = strchr(s, ',');

	if (!strcmp(s, "-")) {
		o->dir[0] = o->dir[1] = NULL;
		return;
	}
	if (!comma)
		exit(usage());
	*comma = '\0';
	o->dir[0] = s;
	o->dir[1] = comma + 1;
}


/* -S EXT:P0,INT:P0 */
static int stat_parse(struct opts *o, char *s)
{
	char *comma = strchr(s, ',');

	if (!comma)
		return -1;
	*comma = '\0';
	o->fixed = 1;

	return addr_parse(s, 0, &o->stat[0]) ||
	       addr_parse(comma + 1, 0, &o->stat[1]) ? -1 : 0;
}


/* With -S, every call's ports fit below 65536 */
static int fixed_fits(const struct opts *o)
{
	unsigned span = 2 * (o->calls - 1);

	return o->first_port && o->first_port + span <= 65535 &&
	       ntohs(o->stat[0].sin_port) &&
	       ntohs(o->stat[0].sin_port) + span <= 65535 &&
	       ntohs(o->stat[1].sin_port) &&
	       ntohs(o->stat[1].sin_port) + span <= 65535;
}


static int opts_parse(struct opts *o, int argc, char *argv[])
{
	int c;

	*o = (struct opts){.addr = {"127.0.0.1", "127.0.0.1"},
			   .dir = {"external", "internal"}, .tag = "-",
			   .calls = 1, .pps = 50, .dur = 10, .warm = 1,
			   .ndir = 1, .loss_max = 0.1, .p99_max_ms = 10,
			   .first_port = 40000};

	while ((c = getopt(argc, argv,
			   "c:a:b:A:B:C:i:n:r:d:w:2p:m:l:L:0s:t:gPS:F:X:"))
	       != -1) {
		switch (c) {
		case 'c': o->ctl = optarg; break;
		case 'a': o->addr[0] = optarg; break;
		case 'b': o->addr[1] = optarg; break;
		case 'A': o->ns[0] = optarg; break;
		case 'B': o->ns[1] = optarg; break;
		case 'C': o->ns[2] = optarg; break;
		case 'i': dir_parse(o, optarg); break;
		case 'n': o->calls = (unsigned)atoi(optarg); break;
		case 'r': o->pps = atof(optarg); break;
		case 'd': o->dur = (unsigned)atoi(optarg); break;
		case 'w': o->warm = (unsigned)atoi(optarg); break;
		case '2': o->ndir = 2; break;
		case 'p': o->pid = atoi(optarg); break;
		case 'm': o->steps = (unsigned)atoi(optarg); break;
		case 'l': o->loss_max = atof(optarg); break;
		case 'L': o->p99_max_ms = atof(optarg); break;
		case '0': o->direct = 1; break;
		case 's':
			o->suite = suite_find(optarg);
			if (!o->suite)
				return -1;
			break;
		case 't': o->tag = optarg; break;
		case 'P': o->ping = 1; break;
		case 'g': o->gaps = 1; break;
		case 'S':
			if (stat_parse(o, optarg))
				return -1;
			break;
		case 'F': o->first_port = (unsigned)atoi(optarg); break;
		case 'X': o->ssrc_every = (unsigned)atoi(optarg); break;
		default: return -1;
		}
	}

	if (optind != argc || (!o->ctl && !o->direct && !o->fixed) ||
	    (o->fixed && !fixed_fits(o)) || o->calls < 1 ||
	    o->calls > CALLS_MAX || o->pps < 0.1 ||
	    o->pps * o->calls * o->ndir > 2e6 || o->dur < 1 ||
	    o->dur > 60 || o->warm > 10 || o->steps > 16 ||
	    o->ssrc_every > 60 ||
	    ((o->direct || o->fixed) && o->suite) || (o->direct && o->fixed))
		return -1;

	return 0;
}


/* Room for two sockets per call, and a watchdog for the whole run */
static void limits_set(const struct opts *o)
{
	struct rlimit rl;
	unsigned runs = o->steps ? 2 * o->steps : 1;   /* with retries */

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	alarm(runs * (o->dur + o->warm + DRAIN_MS / 1000 + 2) + 120);
}


int main(int argc, char *argv[])
{
	static struct bench b;
	struct result r;
	long rss0, rss1;
	uint64_t t0, t1;

	if (opts_parse(&b.o, argc, argv))
		return usage();
	if (b.o.ping) {
		ctl_open(&b);
		return ng_ping(&b);
	}
	limits_set(&b.o);

	b.calls = calloc(b.o.calls, sizeof(*b.calls));
	if (!b.calls)
		die("calloc");
	peers_open(&b);
	if (!b.o.direct && !b.o.fixed)
		ctl_open(&b);

	rss0 = relay_rss_kb(b.o.pid);
	t0 = now_ns();
	calls_setup(&b);
	t1 = now_ns();
	usleep(200000);
	rss1 = relay_rss_kb(b.o.pid);
	printf("setup tag=%s calls=%u setup_s=%.3f calls_per_s=%.0f "
	       "rss_before_kb=%ld rss_after_kb=%ld mem_per_call_b=%.0f\n",
	       b.o.tag, b.o.calls, (double)(t1 - t0) / 1e9,
	       b.o.calls / ((double)(t1 - t0) / 1e9), rss0, rss1,
	       (double)(rss1 - rss0) * 1024 / b.o.calls);
	fflush(stdout);

	rx_init(&b);
	if (b.o.steps) {
		max_rate(&b);
	} else {
		run_once(&b, b.o.pps, &r);
		result_print(&b, &r, "run");
		if (b.o.gaps)
			gaps_print(&b);
	}

	rss1 = relay_rss_kb(b.o.pid);
	calls_delete(&b);
	printf("end tag=%s rss_media_kb=%ld rss_deleted_kb=%ld\n", b.o.tag,
	       rss1, relay_rss_kb(b.o.pid));

	return 0;
}
