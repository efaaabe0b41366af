/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file mkern.c  Media relay eBPF fast path: the loaded TC program, its
 *                maps and the devices it is attached to
 *
 * The object is linked in as bytes (mkern_obj.c, built from
 * mkern.bpf.c) and attached with bpfdev at priority MKERN_PRIO to the
 * devices that hold the relay interfaces' addresses. The egress of a
 * direction is the device that holds our sending socket's address: the
 * peer is taken to be reached through it (on-link, or routed by the
 * same device). A peer behind another device would be dropped by
 * bpf_redirect_neigh(); a route lookup per install is a later step
 * (docs/design/mediabpf.md 4.2).
 *
 * The set of devices grows while the workers look in it (kattach.c:
 * an address that appears late), so it is guarded by a lock; the maps
 * need none.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <re.h>
#define DEBUG_MODULE "mkern"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "bpfdev.h"
#include "rtlookup.h"
#include "rtpstat.h"
#include "mkern.h"


extern const unsigned char mkern_obj[];
extern const size_t mkern_obj_len;

/** The loaded program and its maps */
struct mkern {
	struct bpf_object *obj;   /**< The loaded object             */
	int prog_fd;              /**< mkern_ingress                 */
	int flows_fd;             /**< mk_flows                      */
	int stats_fd;             /**< mk_stats                      */
	int cnt_fd;               /**< mk_prog                       */
	int ncpu;                 /**< Possible CPUs (mk_prog values) */
	struct bpfdev *devs;      /**< Devices it is attached to     */
	pthread_mutex_t lock;     /**< Guards devs                   */
	bool lock_ok;             /**< lock was initialised          */
	bool nobatch;             /**< Batch reads refused: per slot */
	uint32_t rgen;            /**< Route generation (atomic)     */
};


static void destructor(void *data)
{
	struct mkern *mk = data;

	/* the filters first: they hold the program */
	mem_deref(mk->devs);
	if (mk->obj)
		bpf_object__close(mk->obj);
	if (mk->lock_ok)
		pthread_mutex_destroy(&mk->lock);
}


/**
 * Load the relay's TC program and find its maps; attach nothing yet
 *
 * @param mkp Pointer to the allocated handle
 *
 * @return 0 if success, otherwise errorcode (EPERM: capabilities)
 */
int mkern_alloc(struct mkern **mkp)
{
	struct mkern *mk;
	int err;

	if (!mkp)
		return EINVAL;

	mk = mem_zalloc(sizeof(*mk), destructor);
	if (!mk)
		return ENOMEM;

	err = pthread_mutex_init(&mk->lock, NULL);
	if (err)
		goto out;
	mk->lock_ok = true;

	err = bpfdev_load(&mk->obj, mkern_obj, mkern_obj_len);
	if (err) {
		/* a kernel without the redirect helper: too old */
		if (err != EPERM && 0 == libbpf_probe_bpf_helper(
			    BPF_PROG_TYPE_SCHED_CLS, BPF_FUNC_redirect_neigh,
			    NULL))
			err = EOPNOTSUPP;
		goto out;
	}

	mk->prog_fd = bpfdev_prog_fd(mk->obj, "mkern_ingress");
	mk->flows_fd = bpf_object__find_map_fd_by_name(mk->obj, "mk_flows");
	mk->stats_fd = bpf_object__find_map_fd_by_name(mk->obj, "mk_stats");
	mk->cnt_fd = bpf_object__find_map_fd_by_name(mk->obj, "mk_prog");
	mk->ncpu = libbpf_num_possible_cpus();
	if (mk->prog_fd < 0 || mk->flows_fd < 0 || mk->stats_fd < 0 ||
	    mk->cnt_fd < 0 || mk->ncpu < 1) {
		err = ENOENT;
		goto out;
	}

	err = bpfdev_alloc(&mk->devs, mk->prog_fd, MKERN_PRIO);

 out:
	if (err)
		mem_deref(mk);
	else
		*mkp = mk;

	return err;
}


/**
 * Whether a kernel path may serve an address: not a wildcard (no device
 * to serve) and not loopback (media there is a lab's and stays in
 * userspace)
 *
 * @param addr A relay interface's address
 *
 * @return true if it may
 */
bool mkern_addr_ok(const struct sa *addr)
{
	return addr && !sa_is_any(addr) && !sa_is_loopback(addr);
}


/**
 * Attach the program to the device that holds an address
 *
 * @param mk   Handle
 * @param addr A relay interface's address
 *
 * @return 0 if success, EADDRNOTAVAIL for an address no kernel path
 *         serves (mkern_addr_ok()), ENODEV if no device holds it,
 *         otherwise errorcode
 */
int mkern_attach(struct mkern *mk, const struct sa *addr)
{
	int err;

	if (!mk || !addr)
		return EINVAL;

	if (!mkern_addr_ok(addr))
		return EADDRNOTAVAIL;

	pthread_mutex_lock(&mk->lock);
	err = bpfdev_attach(mk->devs, addr);
	pthread_mutex_unlock(&mk->lock);

	return err;
}


/**
 * Whether the program serves an address (is attached to its device)
 *
 * @param mk   Handle
 * @param addr An address
 *
 * @return true if it does
 */
bool mkern_serves(struct mkern *mk, const struct sa *addr)
{
	bool yes;

	if (!mk || !addr)
		return false;

	pthread_mutex_lock(&mk->lock);
	yes = !bpfdev_find(mk->devs, addr, NULL, NULL);
	pthread_mutex_unlock(&mk->lock);

	return yes;
}


/** @return the number of devices the program is attached to */
unsigned mkern_devices(struct mkern *mk)
{
	unsigned n;

	if (!mk)
		return 0;

	pthread_mutex_lock(&mk->lock);
	n = bpfdev_count(mk->devs);
	pthread_mutex_unlock(&mk->lock);

	return n;
}


static void addr_put(uint32_t a[4], const struct sa *sa)
{
	memset(a, 0, 4 * sizeof(*a));
	if (sa_af(sa) == AF_INET6)
		memcpy(a, sa->u.in6.sin6_addr.s6_addr, 16);
	else
		a[0] = sa->u.in.sin_addr.s_addr;
}


/**
 * A direction's way out: the device, its MTU and the next hop of the
 * kernel's route from our sending socket's address to the peer (policy
 * rules and tables included, as "ip route get PEER from LOCAL"), into
 * f->ifindex, f->mtu and f->nh. The program must serve our address (be
 * on the device that holds it): until it does, the direction stays in
 * userspace
 *
 * @param mk    Handle
 * @param rl    The calling worker's route lookups
 * @param local Our sending socket's address
 * @param peer  The peer's address
 * @param f     The direction's flow, its addresses already set
 *
 * @return 0 if success, ENODEV if the program does not serve local or
 *         the route's device has no Ethernet addresses, EHOSTUNREACH if
 *         there is no unicast route to the peer, otherwise errorcode
 */
int mkern_egress(struct mkern *mk, struct rtlookup *rl,
		 const struct sa *local, const struct sa *peer,
		 struct mk_flow *f)
{
	struct rtlookup_route rt;
	int err;

	if (!mk || !rl || !local || !peer || !f)
		return EINVAL;

	if (!mkern_serves(mk, local))
		return ENODEV;

	err = rtlookup_egress(rl, local, peer, &rt);
	if (err)
		return err;

	f->ifindex = (uint32_t)rt.ifindex;
	f->mtu = rt.mtu > 0xffff ? 0xffff : (uint16_t)rt.mtu;
	addr_put(f->nh, &rt.nexthop);

	return 0;
}


/**
 * A direction's key: what arrives from src at our socket dst
 *
 * @param k   Filled in
 * @param src The peer's address and port
 * @param dst Our socket's
 */
void mkern_key(struct mk_key *k, const struct sa *src, const struct sa *dst)
{
	memset(k, 0, sizeof(*k));
	addr_put(k->saddr, src);
	addr_put(k->daddr, dst);
	k->sport = htons(sa_port(src));
	k->dport = htons(sa_port(dst));
	k->family = sa_af(src) == AF_INET6 ? MK_FAM6 : MK_FAM4;
}


/**
 * A direction's rewrite: from our socket src to the peer dst; the rest
 * of the flow value is the caller's
 *
 * @param f   Its addresses and ports set
 * @param src Our other socket
 * @param dst The other peer
 */
void mkern_out(struct mk_flow *f, const struct sa *src, const struct sa *dst)
{
	addr_put(f->saddr, src);
	addr_put(f->daddr, dst);
	f->sport = htons(sa_port(src));
	f->dport = htons(sa_port(dst));
}


static int bpf_err(int r)
{
	if (!r)
		return 0;

	return r < 0 ? -r : (errno ? errno : EIO);
}


/** Insert a direction's flow (BPF_NOEXIST) */
int mkern_flow_add(const struct mkern *mk, const struct mk_key *k,
		   const struct mk_flow *f)
{
	if (!mk || !k || !f)
		return EINVAL;

	return bpf_err(bpf_map_update_elem(mk->flows_fd, k, f, BPF_NOEXIST));
}


/**
 * Replace a direction's flow that is in the map (a packet sees the old
 * value or the new one, whole)
 *
 * @return 0 if success, ENOENT if it is not there, otherwise errorcode
 */
int mkern_flow_update(const struct mkern *mk, const struct mk_key *k,
		      const struct mk_flow *f)
{
	if (!mk || !k || !f)
		return EINVAL;

	return bpf_err(bpf_map_update_elem(mk->flows_fd, k, f, BPF_EXIST));
}


/**
 * Routes or devices changed: every flow's egress is to be looked up
 * again (main thread; workers read mkern_route_gen() at their tick)
 *
 * @param mk The program
 */
void mkern_route_bump(struct mkern *mk)
{
	if (mk)
		(void)__atomic_add_fetch(&mk->rgen, 1, __ATOMIC_RELEASE);
}


/** @return the route generation: it changes when routes change */
uint32_t mkern_route_gen(const struct mkern *mk)
{
	return mk ? __atomic_load_n(&mk->rgen, __ATOMIC_ACQUIRE) : 0;
}


/** Delete a direction's flow */
int mkern_flow_del(const struct mkern *mk, const struct mk_key *k)
{
	if (!mk || !k)
		return EINVAL;

	return bpf_err(bpf_map_delete_elem(mk->flows_fd, k));
}


/** Write a slot whole, under its lock */
int mkern_slot_put(const struct mkern *mk, uint32_t slot,
		   const struct mk_stat *st)
{
	if (!mk || !st || slot >= MK_STAT_MAX)
		return EINVAL;

	return bpf_err(bpf_map_update_elem(mk->stats_fd, &slot, st,
					   BPF_F_LOCK));
}


/** Read a slot, under its lock */
int mkern_slot_get(const struct mkern *mk, uint32_t slot,
		   struct mk_stat *st)
{
	if (!mk || !st || slot >= MK_STAT_MAX)
		return EINVAL;

	return bpf_err(bpf_map_lookup_elem_flags(mk->stats_fd, &slot, st,
						 BPF_F_LOCK));
}


static int read_each(const struct mkern *mk, uint32_t first, uint32_t n,
		     struct mk_stat *st)
{
	for (uint32_t i = 0; i < n; i++) {
		int err = mkern_slot_get(mk, first + i, &st[i]);
		if (err)
			return err;
	}

	return 0;
}


/**
 * Read the slots [first, first + n), each under its lock: one batch
 * lookup, or one lookup per slot where the kernel refuses BPF_F_LOCK
 * batches
 *
 * @param mk    Handle
 * @param first First slot
 * @param n     How many
 * @param keys  Room for n keys
 * @param st    Room for n slots, filled in
 *
 * @return 0 if success, otherwise errorcode
 */
int mkern_slots_read(const struct mkern *mk, uint32_t first, uint32_t n,
		     uint32_t *keys, struct mk_stat *st)
{
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts,
			    .elem_flags = BPF_F_LOCK);
	uint32_t prev = first - 1, out = 0, got = 0;
	int err;

	if (!mk || !keys || !st || first + n > MK_STAT_MAX)
		return EINVAL;

	if (!n)
		return 0;

	if (mk->nobatch)
		return read_each(mk, first, n, st);

	/* an array batch starts after in_batch's key */
	while (got < n) {
		uint32_t cnt = n - got;

		err = bpf_err(bpf_map_lookup_batch(mk->stats_fd,
						   first || got ? &prev : NULL,
						   &out, keys + got, st + got,
						   &cnt, &opts));
		got += cnt;
		if (err == ENOENT || (!err && !cnt))
			break;
		if (err) {
			DEBUG_INFO("batch reads refused (%m): one lookup per "
				   "slot\n", err);
			((struct mkern *)mk)->nobatch = true;
			return read_each(mk, first, n, st);
		}
		prev = out;
	}

	return got == n ? 0 : EIO;
}


/**
 * What the program did, summed over the CPUs
 *
 * @param mk Handle
 * @param c  Filled in, by enum mk_punt then enum mk_cnt
 */
void mkern_counts(const struct mkern *mk, uint64_t c[MK_CNT_N])
{
	uint64_t v[mk && mk->ncpu > 0 ? mk->ncpu : 1];

	memset(c, 0, MK_CNT_N * sizeof(*c));
	if (!mk)
		return;

	for (uint32_t i = 0; i < MK_CNT_N; i++) {
		memset(v, 0, sizeof(v));
		if (bpf_map_lookup_elem(mk->cnt_fd, &i, v))
			continue;
		for (int j = 0; j < mk->ncpu; j++)
			c[i] += v[j];
	}
}


/** @return the name of a punt reason (enum mk_punt), for metrics */
const char *mkern_punt_name(unsigned i)
{
	static const char *names[MK_PUNT_N] = {
		"ssrc", "rtcp", "frag", "options", "exthdr", "gso", "mtu",
		"csum0", "len",
	};

	return i < MK_PUNT_N ? names[i] : "?";
}


/**
 * A slot's RTP state as a struct rtpstat, for rtpstat_lost() and
 * rtpstat_jitter_ms()
 *
 * @param st The slot
 * @param s  Filled in
 */
void mkern_stat_rtp(const struct mk_stat *st, struct rtpstat *s)
{
	memset(s, 0, sizeof(*s));
	s->ssrc = st->ssrc;
	s->init = st->init != 0;
	s->max_seq = (uint16_t)st->max_seq;
	s->cycles = st->cycles;
	s->base_seq = st->base_seq;
	s->received = st->received;
	s->transit = st->transit;
	s->jitter = st->jitter;
}


/**
 * A side's RTP state into a slot: the kernel goes on from it
 *
 * @param s  The side's state
 * @param st The slot, its RTP fields set
 */
void mkern_rtp_stat(const struct rtpstat *s, struct mk_stat *st)
{
	st->ssrc = s->ssrc;
	st->init = s->init;
	st->max_seq = s->max_seq;
	st->cycles = s->cycles;
	st->base_seq = s->base_seq;
	st->received = s->received;
	st->transit = s->transit;
	st->jitter = s->jitter;
}
