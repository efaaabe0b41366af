/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file umring.c  A bare static RTP relay, to measure what a userspace
 *                 relay's system calls cost with epoll and with io_uring
 *                 (scripts/bench-relay --uring; issue 16 item 5)
 *
 * usage: umring -m epoll|uring -n N -a A -e EXT:P0 -i INT:P0 -b B
 *               [-F PORT] [-t THREADS] [-c]
 *
 *   -m MODE    epoll: epoll_wait, then per ready socket recvmmsg and one
 *              sendmmsg per batch, as umedge's workers (relay/worker.c);
 *              uring: one io_uring per thread, a multishot recvmsg on
 *              every socket into a ring of provided buffers, a sendmsg
 *              per datagram, submitted and reaped together
 *              (io_uring_submit_and_wait), buffers given back when their
 *              send completes
 *   -n N       calls, 1 to 10000
 *   -a A       side A's peer address (IPv4)
 *   -e EXT:P0  the outside address and the first call's port on it
 *   -i INT:P0  the inside address and the first call's port on it
 *   -b B       side B's peer address
 *   -F PORT    the peers' port of the first call (default 40000)
 *   -t THREADS threads, each with the calls i where i % THREADS is its
 *              number (default 2)
 *   -c         each socket connect()ed to the peer it hears from and
 *              sends to, and datagrams sent without an address: the
 *              kernel then finds the socket of an arriving datagram
 *              by early demux and keeps the route of what it sends
 *              (a relay that did this would hear no other source on
 *              the port: measured, not what umedge does yet)
 *
 * Call i has a socket bound to EXT:(P0+2i) and one bound to INT:(P0+2i).
 * A datagram on the outside socket from A:(F+2i) leaves the inside one
 * for B:(F+2i), and the other way round: the streams of umbench -S with
 * the same -n, -a, -b and -F. A datagram from any other source is
 * counted and dropped (the check a relay's latch makes). There is no
 * RTP parsing, no statistics and no timer: what is left is the cost of
 * the system calls and the kernel's UDP path, which a relay cannot
 * avoid in userspace.
 *
 * Runs until SIGTERM or SIGINT, then prints
 * "umring mode=M relayed=R dropped=D errors=E" and exits 0.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <liburing.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>


enum {
	UMR_CALLS_MAX = 10000,  /**< Most calls                          */
	UMR_THREADS_MAX = 16,   /**< Most threads                        */
	UMR_BATCH = 32,         /**< Datagrams per recvmmsg              */
	UMR_EVENTS = 64,        /**< epoll events per wait               */
	UMR_PKT = 2048,         /**< Buffer size                         */
	UMR_NBUF = 4096,        /**< Provided buffers per io_uring       */
	UMR_RING = 4096,        /**< Submission queue entries            */
	UMR_TICK_MS = 200,      /**< Longest wait, to see the stop flag  */
};

/** One socket of a call */
struct umr_sock {
	int fd;                     /**< Bound to our address       */
	struct sockaddr_in src;     /**< The only accepted source   */
	struct umr_sock *out;       /**< Where its datagrams leave  */
	struct sockaddr_in dst;     /**< And to whom                */
};

/** One thread's counters */
struct umr_count {
	uint64_t relayed;
	uint64_t dropped;
	uint64_t errors;
};

/** A send in flight (io_uring): one per provided buffer */
struct umr_send {
	struct msghdr mh;
	struct iovec iov;
};

/** One thread */
struct umr_thread {
	pthread_t tid;
	unsigned no;                /**< Its number                 */
	struct umr_count c;         /**< What it did                */
};

static struct {
	bool uring;                 /**< -m uring                   */
	bool conn;                  /**< -c: sockets connected      */
	unsigned n;                 /**< Calls                      */
	unsigned threads;           /**< Threads                    */
	struct umr_sock *socks;     /**< 2 per call: ext, int       */
	volatile sig_atomic_t stop; /**< Set by the signal          */
} umr;


static int addr_port(const char *s, struct sockaddr_in *sin, bool port)
{
	char host[64];
	const char *c = port ? strrchr(s, ':') : NULL;
	size_t len = c ? (size_t)(c - s) : strlen(s);

	if ((port && !c) || len >= sizeof(host))
		return EINVAL;

	memcpy(host, s, len);
	host[len] = '\0';
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		return EINVAL;

	if (port)
		sin->sin_port = htons((uint16_t)atoi(c + 1));

	return 0;
}


static struct sockaddr_in at_port(struct sockaddr_in sin, unsigned p)
{
	sin.sin_port = htons((uint16_t)p);

	return sin;
}


static int sock_open(struct umr_sock *s, const struct sockaddr_in *local)
{
	int rcv = 1 << 20;

	s->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0);
	if (s->fd < 0)
		return errno;

	(void)setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	if (bind(s->fd, (const struct sockaddr *)local, sizeof(*local)))
		return errno;

	return 0;
}


/* -c: the socket hears only its peer, and sends to it by default */
static int sock_connect(const struct umr_sock *s)
{
	return connect(s->fd, (const struct sockaddr *)&s->src,
		       sizeof(s->src));
}


/* the address a datagram leaving s->out is sent to: none if connected */
static void dst_set(struct msghdr *h, struct umr_sock *s)
{
	h->msg_name = umr.conn ? NULL : &s->dst;
	h->msg_namelen = umr.conn ? 0 : sizeof(s->dst);
}


/* call i: socks[2i] outside (from A, out to B), socks[2i+1] inside */
static int calls_open(const struct sockaddr_in *a, const struct sockaddr_in *ext,
		      const struct sockaddr_in *in, const struct sockaddr_in *b,
		      unsigned f)
{
	umr.socks = calloc(2 * (size_t)umr.n, sizeof(*umr.socks));
	if (!umr.socks)
		return ENOMEM;

	for (unsigned i = 0; i < umr.n; i++) {
		struct umr_sock *x = &umr.socks[2 * i], *y = x + 1;
		unsigned p0 = ntohs(ext->sin_port), p1 = ntohs(in->sin_port);
		struct sockaddr_in l;
		int err;

		l = at_port(*ext, p0 + 2 * i);
		err = sock_open(x, &l);
		l = at_port(*in, p1 + 2 * i);
		err = err ? err : sock_open(y, &l);
		if (err)
			return err;

		x->src = at_port(*a, f + 2 * i);
		y->src = at_port(*b, f + 2 * i);
		x->out = y;
		x->dst = y->src;
		y->out = x;
		y->dst = x->src;
		if (umr.conn && (sock_connect(x) || sock_connect(y)))
			return errno;
	}

	return 0;
}


static bool src_ok(const struct umr_sock *s, const struct sockaddr_in *from)
{
	return from->sin_family == AF_INET &&
		from->sin_port == s->src.sin_port &&
		from->sin_addr.s_addr == s->src.sin_addr.s_addr;
}


/* ---- epoll, recvmmsg, sendmmsg ---------------------------------------- */

struct umr_mm {
	struct mmsghdr rx[UMR_BATCH], tx[UMR_BATCH];
	struct iovec rxiov[UMR_BATCH], txiov[UMR_BATCH];
	struct sockaddr_in from[UMR_BATCH];
	uint8_t buf[UMR_BATCH][UMR_PKT];
};


static void mm_sock(struct umr_mm *m, struct umr_sock *s, struct umr_count *c)
{
	unsigned ntx = 0;
	int n;

	for (int i = 0; i < UMR_BATCH; i++) {
		m->rx[i].msg_hdr.msg_name = &m->from[i];
		m->rx[i].msg_hdr.msg_namelen = sizeof(m->from[i]);
		m->rx[i].msg_hdr.msg_iov = &m->rxiov[i];
		m->rx[i].msg_hdr.msg_iovlen = 1;
		m->rxiov[i].iov_base = m->buf[i];
		m->rxiov[i].iov_len = UMR_PKT;
	}

	n = recvmmsg(s->fd, m->rx, UMR_BATCH, MSG_DONTWAIT, NULL);
	for (int i = 0; i < n; i++) {
		struct msghdr *h = &m->tx[ntx].msg_hdr;

		if (!src_ok(s, &m->from[i])) {
			++c->dropped;
			continue;
		}
		memset(h, 0, sizeof(*h));
		m->txiov[ntx].iov_base = m->buf[i];
		m->txiov[ntx].iov_len = m->rx[i].msg_len;
		dst_set(h, s);
		h->msg_iov = &m->txiov[ntx];
		h->msg_iovlen = 1;
		++ntx;
	}

	if (!ntx)
		return;

	n = sendmmsg(s->out->fd, m->tx, ntx, MSG_DONTWAIT);
	c->relayed += n > 0 ? (unsigned)n : 0;
	c->errors += ntx - (n > 0 ? (unsigned)n : 0);
}


static int mm_run(struct umr_thread *t)
{
	struct epoll_event evs[UMR_EVENTS];
	struct umr_mm *m = calloc(1, sizeof(*m));
	int ep = epoll_create1(EPOLL_CLOEXEC);

	if (!m || ep < 0)
		return ENOMEM;

	for (unsigned i = t->no; i < umr.n; i += umr.threads) {
		for (int k = 0; k < 2; k++) {
			struct epoll_event ev = {EPOLLIN, {0}};

			ev.data.ptr = &umr.socks[2 * i + k];
			(void)epoll_ctl(ep, EPOLL_CTL_ADD, umr.socks[2 * i + k].fd,
					&ev);
		}
	}

	while (!umr.stop) {
		int n = epoll_wait(ep, evs, UMR_EVENTS, UMR_TICK_MS);

		for (int i = 0; i < n; i++)
			mm_sock(m, evs[i].data.ptr, &t->c);
	}

	close(ep);
	free(m);

	return 0;
}


/* ---- io_uring ---------------------------------------------------------- */

/* user_data: a recv names its socket, a send its buffer (low bit set) */
#define UMR_SEND 1ull

struct umr_ur {
	struct io_uring ring;
	struct io_uring_buf_ring *br;
	uint8_t *bufs;                      /**< UMR_NBUF x UMR_PKT       */
	struct umr_send sends[UMR_NBUF];    /**< One per buffer           */
	struct msghdr rmh;                  /**< The multishot recv's     */
};


static struct io_uring_sqe *ur_sqe(struct umr_ur *u)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);

	if (!sqe) {
		(void)io_uring_submit(&u->ring);
		sqe = io_uring_get_sqe(&u->ring);
	}

	return sqe;
}


static void ur_buf_back(struct umr_ur *u, unsigned bid)
{
	io_uring_buf_ring_add(u->br, u->bufs + (size_t)bid * UMR_PKT, UMR_PKT,
			      (unsigned short)bid,
			      io_uring_buf_ring_mask(UMR_NBUF), 0);
	io_uring_buf_ring_advance(u->br, 1);
}


static void ur_arm(struct umr_ur *u, struct umr_sock *s)
{
	struct io_uring_sqe *sqe = ur_sqe(u);

	if (!sqe)
		return;

	io_uring_prep_recvmsg_multishot(sqe, s->fd, &u->rmh, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = 0;
	io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)s);
}


static void ur_recv(struct umr_ur *u, const struct io_uring_cqe *cqe,
		    struct umr_count *c)
{
	struct umr_sock *s = (void *)(uintptr_t)cqe->user_data;
	unsigned bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
	struct io_uring_recvmsg_out *o;
	struct umr_send *snd = &u->sends[bid];
	struct io_uring_sqe *sqe;

	if (!(cqe->flags & IORING_CQE_F_MORE))
		ur_arm(u, s);
	if (cqe->res < 0 || !(cqe->flags & IORING_CQE_F_BUFFER))
		return;

	o = io_uring_recvmsg_validate(u->bufs + (size_t)bid * UMR_PKT,
				      cqe->res, &u->rmh);
	if (!o || o->namelen < sizeof(struct sockaddr_in) ||
	    (o->flags & MSG_TRUNC) ||
	    !src_ok(s, io_uring_recvmsg_name(o)) || !(sqe = ur_sqe(u))) {
		++c->dropped;
		ur_buf_back(u, bid);
		return;
	}

	snd->iov.iov_base = io_uring_recvmsg_payload(o, &u->rmh);
	snd->iov.iov_len = io_uring_recvmsg_payload_length(o, cqe->res,
							    &u->rmh);
	dst_set(&snd->mh, s);
	snd->mh.msg_iov = &snd->iov;
	snd->mh.msg_iovlen = 1;
	io_uring_prep_sendmsg(sqe, s->out->fd, &snd->mh, MSG_DONTWAIT);
	io_uring_sqe_set_data64(sqe, ((uint64_t)bid << 1) | UMR_SEND);
}


static void ur_cqe(struct umr_ur *u, const struct io_uring_cqe *cqe,
		   struct umr_count *c)
{
	if (!(cqe->user_data & UMR_SEND)) {
		ur_recv(u, cqe, c);
		return;
	}

	if (cqe->res >= 0)
		++c->relayed;
	else
		++c->errors;
	ur_buf_back(u, (unsigned)(cqe->user_data >> 1));
}


static int ur_setup(struct umr_ur *u, unsigned no)
{
	struct io_uring_params p = {0};
	struct io_uring_buf_reg reg = {0};
	int err;

	p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SINGLE_ISSUER |
		IORING_SETUP_DEFER_TASKRUN;
	p.cq_entries = 4 * UMR_NBUF;
	err = -io_uring_queue_init_params(UMR_RING, &u->ring, &p);
	if (err)
		return err;

	u->bufs = malloc((size_t)UMR_NBUF * UMR_PKT);
	if (posix_memalign((void **)&u->br, 4096,
			   UMR_NBUF * sizeof(struct io_uring_buf)) || !u->bufs)
		return ENOMEM;

	io_uring_buf_ring_init(u->br);
	reg.ring_addr = (uintptr_t)u->br;
	reg.ring_entries = UMR_NBUF;
	reg.bgid = 0;
	err = -io_uring_register_buf_ring(&u->ring, &reg, 0);
	if (err)
		return err;

	for (unsigned b = 0; b < UMR_NBUF; b++)
		ur_buf_back(u, b);

	u->rmh.msg_namelen = sizeof(struct sockaddr_in);
	for (unsigned i = no; i < umr.n; i += umr.threads) {
		ur_arm(u, &umr.socks[2 * i]);
		ur_arm(u, &umr.socks[2 * i + 1]);
	}

	return 0;
}


static int ur_run(struct umr_thread *t)
{
	struct umr_ur *u = calloc(1, sizeof(*u));
	struct __kernel_timespec ts = {0, UMR_TICK_MS * 1000000ll};
	int err;

	if (!u)
		return ENOMEM;

	err = ur_setup(u, t->no);
	while (!err && !umr.stop) {
		struct io_uring_cqe *cqe;
		unsigned head, seen = 0;

		(void)io_uring_submit_and_wait_timeout(&u->ring, &cqe, 1, &ts,
						       NULL);
		io_uring_for_each_cqe(&u->ring, head, cqe) {
			ur_cqe(u, cqe, &t->c);
			++seen;
		}
		io_uring_cq_advance(&u->ring, seen);
	}

	io_uring_queue_exit(&u->ring);
	free(u->bufs);
	free(u->br);
	free(u);

	return err;
}


static void *thread_main(void *arg)
{
	struct umr_thread *t = arg;
	int err = umr.uring ? ur_run(t) : mm_run(t);

	if (err)
		fprintf(stderr, "umring: thread %u: %s\n", t->no, strerror(err));

	return NULL;
}


static void on_signal(int sig)
{
	(void)sig;
	umr.stop = 1;
}


static int usage(void)
{
	fprintf(stderr, "usage: umring -m epoll|uring -n N -a A -e EXT:P0 "
		"-i INT:P0 -b B [-F PORT] [-t THREADS] [-c]\n");

	return 2;
}


static int run(void)
{
	struct umr_thread t[UMR_THREADS_MAX] = {0};
	struct umr_count sum = {0};

	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	for (unsigned i = 0; i < umr.threads; i++) {
		t[i].no = i;
		if (pthread_create(&t[i].tid, NULL, thread_main, &t[i]))
			return 1;
	}

	for (unsigned i = 0; i < umr.threads; i++) {
		pthread_join(t[i].tid, NULL);
		sum.relayed += t[i].c.relayed;
		sum.dropped += t[i].c.dropped;
		sum.errors += t[i].c.errors;
	}

	printf("umring mode=%s relayed=%llu dropped=%llu errors=%llu\n",
	       umr.uring ? "uring" : "epoll", (unsigned long long)sum.relayed,
	       (unsigned long long)sum.dropped,
	       (unsigned long long)sum.errors);

	return 0;
}


int main(int argc, char *argv[])
{
	struct sockaddr_in a, b, ext, in;
	unsigned f = 40000;
	int c, ok = 0, err;

	umr.threads = 2;
	while ((c = getopt(argc, argv, "cm:n:a:e:i:b:F:t:")) != -1) {
		switch (c) {
		case 'm': umr.uring = !strcmp(optarg, "uring");
			  ok |= (umr.uring || !strcmp(optarg, "epoll")); break;
		case 'n': umr.n = (unsigned)atoi(optarg); break;
		case 'c': umr.conn = true; break;
		case 'a': ok |= addr_port(optarg, &a, false) ? 16 : 2; break;
		case 'b': ok |= addr_port(optarg, &b, false) ? 16 : 4; break;
		case 'e': ok |= addr_port(optarg, &ext, true) ? 16 : 8; break;
		case 'i': ok |= addr_port(optarg, &in, true) ? 16 : 32; break;
		case 'F': f = (unsigned)atoi(optarg); break;
		case 't': umr.threads = (unsigned)atoi(optarg); break;
		default: return usage();
		}
	}

	if (ok != (1 | 2 | 4 | 8 | 32) || !umr.n || umr.n > UMR_CALLS_MAX ||
	    !umr.threads || umr.threads > UMR_THREADS_MAX)
		return usage();

	err = calls_open(&a, &ext, &in, &b, f);
	if (err) {
		fprintf(stderr, "umring: sockets: %s\n", strerror(err));
		return 1;
	}

	return run();
}
