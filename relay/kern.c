/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file kern.c  Kernel fast path: conntrack NAT entries through
 *               libnetfilter_conntrack
 *
 * An entry's original tuple is peer A -> our socket A. Its NAT binding
 * rewrites the destination to peer B and the source to our socket B,
 * so its reply tuple is peer B -> our socket B. While the entry lives
 * the kernel forwards both directions and counts them (with
 * nf_conntrack_acct = 1). Before the entry is created, the entries the
 * kernel made on its own for the same tuples while userspace forwarded
 * (our sockets talking to the peers) are destroyed: they would clash.
 */
#include <string.h>
#include <stdio.h>
#include <netinet/in.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <re.h>
#include "kern.h"


/** A conntrack netlink handle, with the result of the last GET */
struct kern {
	struct nfct_handle *h;    /**< Netlink socket             */
	const struct kern_flow *want;  /**< Flow GET looks for    */
	struct kern_count *cnt;   /**< Where GET stores counters  */
	bool found;               /**< GET returned that flow     */
	bool v4, v6;              /**< Families the kernel forwards */
};


enum {
	KERN_ADD_TRIES = 3,   /**< Creations tried while a tuple is taken */
};


static void kern_destructor(void *data)
{
	struct kern *k = data;

	if (k->h)
		nfct_close(k->h);
}


/* Header bytes conntrack counts and the UDP payload does not */
static uint64_t hdr_len(const struct sa *sa)
{
	return (sa_af(sa) == AF_INET6 ? 40 : 20) + 8;
}


/* Our entry's reply comes from peer B */
static bool is_ours(const struct nf_conntrack *ct,
		    const struct kern_flow *f)
{
	uint16_t port = htons(sa_port(&f->peer_b));

	if (nfct_get_attr_u16(ct, ATTR_REPL_PORT_SRC) != port)
		return false;

	if (sa_af(&f->peer_b) == AF_INET)
		return nfct_get_attr_u32(ct, ATTR_REPL_IPV4_SRC) ==
			f->peer_b.u.in.sin_addr.s_addr;

	return 0 == memcmp(nfct_get_attr(ct, ATTR_REPL_IPV6_SRC),
			   &f->peer_b.u.in6.sin6_addr, 16);
}


static int get_cb(enum nf_conntrack_msg_type type, struct nf_conntrack *ct,
		  void *arg)
{
	struct kern *k = arg;
	static const int attr[2][2] = {
		{ATTR_ORIG_COUNTER_PACKETS, ATTR_ORIG_COUNTER_BYTES},
		{ATTR_REPL_COUNTER_PACKETS, ATTR_REPL_COUNTER_BYTES},
	};

	(void)type;

	/* CONTINUE, not STOP: the ACK behind the entry must be read too,
	 * or it would answer the next query. An entry on the same tuple
	 * that the kernel made itself (ours was removed, and userspace
	 * forwarded since) has no NAT to peer B: not ours. */
	if (!k->want || !k->cnt || !is_ours(ct, k->want))
		return NFCT_CB_CONTINUE;

	k->found = true;

	for (int d = 0; d < 2; d++) {
		k->cnt->packets[d] = nfct_get_attr_u64(ct, attr[d][0]);
		k->cnt->bytes[d] = nfct_get_attr_u64(ct, attr[d][1]);
	}

	return NFCT_CB_CONTINUE;
}


/**
 * Open a conntrack handle, after checking the kernel's prerequisites
 * for IPv4 and IPv6 (kern_prepare)
 *
 * @param kp Pointer to allocated handle
 *
 * @return 0 if success, otherwise errorcode: the IPv4 reason when
 *         neither family is ready
 */
int kern_alloc(struct kern **kp)
{
	struct kern *k;
	int err = 0;

	if (!kp)
		return EINVAL;

	k = mem_zalloc(sizeof(*k), kern_destructor);
	if (!k)
		return ENOMEM;

	err = kern_prepare(AF_INET);
	k->v4 = !err;
	k->v6 = !kern_prepare(AF_INET6);
	if (k->v6)
		err = 0;
	if (err)
		goto out;

	k->h = nfct_open(CONNTRACK, 0);
	if (!k->h) {
		err = errno ? errno : ENOSYS;
		goto out;
	}

	if (nfct_callback_register(k->h, NFCT_T_ALL, get_cb, k) < 0) {
		err = errno ? errno : ENOMEM;
		goto out;
	}

 out:
	if (err)
		mem_deref(k);
	else
		*kp = k;

	return err;
}


/**
 * Tell whether the kernel forwards an address family
 *
 * @param k  Handle
 * @param af AF_INET or AF_INET6
 *
 * @return true if flows of that family can be installed
 */
bool kern_ready(const struct kern *k, int af)
{
	if (!k)
		return false;

	return af == AF_INET6 ? k->v6 : (af == AF_INET && k->v4);
}


/**
 * Check that a flow can be an entry: four concrete addresses of one
 * family, all with ports
 *
 * @param f Flow
 *
 * @return true if it can
 */
bool kern_flow_valid(const struct kern_flow *f)
{
	const struct sa *v[4];
	int af;

	if (!f)
		return false;

	v[0] = &f->peer_a;
	v[1] = &f->local_a;
	v[2] = &f->local_b;
	v[3] = &f->peer_b;
	af = sa_af(v[0]);

	for (int i = 0; i < 4; i++) {
		if (!sa_isset(v[i], SA_ALL) || sa_af(v[i]) != af ||
		    sa_is_any(v[i]))
			return false;
	}

	return af == AF_INET || af == AF_INET6;
}


/* Set the original tuple src -> dst, UDP */
static void tuple_set(struct nf_conntrack *ct, const struct sa *src,
		      const struct sa *dst)
{
	nfct_set_attr_u8(ct, ATTR_L3PROTO, (uint8_t)sa_af(src));
	if (sa_af(src) == AF_INET) {
		nfct_set_attr_u32(ct, ATTR_IPV4_SRC,
				  src->u.in.sin_addr.s_addr);
		nfct_set_attr_u32(ct, ATTR_IPV4_DST,
				  dst->u.in.sin_addr.s_addr);
	}
	else {
		nfct_set_attr(ct, ATTR_IPV6_SRC, &src->u.in6.sin6_addr);
		nfct_set_attr(ct, ATTR_IPV6_DST, &dst->u.in6.sin6_addr);
	}

	nfct_set_attr_u8(ct, ATTR_L4PROTO, IPPROTO_UDP);
	nfct_set_attr_u16(ct, ATTR_PORT_SRC, htons(sa_port(src)));
	nfct_set_attr_u16(ct, ATTR_PORT_DST, htons(sa_port(dst)));
}


/* One query on the tuple src -> dst; ENOENT if there is no entry */
static int tuple_query(struct kern *k, enum nf_conntrack_query q,
		       const struct sa *src, const struct sa *dst)
{
	struct nf_conntrack *ct;
	int err = 0;

	ct = nfct_new();
	if (!ct)
		return ENOMEM;

	tuple_set(ct, src, dst);
	if (nfct_query(k->h, q, ct) < 0)
		err = errno ? errno : EIO;

	nfct_destroy(ct);

	return err;
}


static void nat_set(struct nf_conntrack *ct, const struct kern_flow *f)
{
	if (sa_af(&f->peer_b) == AF_INET) {
		nfct_set_attr_u32(ct, ATTR_DNAT_IPV4,
				  f->peer_b.u.in.sin_addr.s_addr);
		nfct_set_attr_u32(ct, ATTR_SNAT_IPV4,
				  f->local_b.u.in.sin_addr.s_addr);
	}
	else {
		nfct_set_attr(ct, ATTR_DNAT_IPV6, &f->peer_b.u.in6.sin6_addr);
		nfct_set_attr(ct, ATTR_SNAT_IPV6,
			      &f->local_b.u.in6.sin6_addr);
	}

	nfct_set_attr_u16(ct, ATTR_DNAT_PORT, htons(sa_port(&f->peer_b)));
	nfct_set_attr_u16(ct, ATTR_SNAT_PORT, htons(sa_port(&f->local_b)));
}


static int create(struct kern *k, const struct kern_flow *f,
		  uint32_t timeout_s)
{
	struct nf_conntrack *ct;
	int err = 0;

	/* the kernel's own entries for the userspace phase */
	(void)tuple_query(k, NFCT_Q_DESTROY, &f->peer_a, &f->local_a);
	(void)tuple_query(k, NFCT_Q_DESTROY, &f->peer_b, &f->local_b);

	ct = nfct_new();
	if (!ct)
		return ENOMEM;

	tuple_set(ct, &f->peer_a, &f->local_a);
	nfct_setobjopt(ct, NFCT_SOPT_SETUP_REPLY);
	nat_set(ct, f);
	nfct_set_attr_u32(ct, ATTR_STATUS,
			  IPS_CONFIRMED | IPS_ASSURED | IPS_SEEN_REPLY);
	nfct_set_attr_u32(ct, ATTR_TIMEOUT, timeout_s);

	if (nfct_query(k->h, NFCT_Q_CREATE, ct) < 0)
		err = errno ? errno : EIO;

	nfct_destroy(ct);

	return err;
}


/**
 * Install a flow: from now on the kernel forwards it both ways. A
 * packet of the flow that arrives between the removal of the kernel's
 * own entry and the creation of ours makes a new own entry (EEXIST):
 * removed again, a few times.
 *
 * @param k         Handle
 * @param f         Flow (kern_flow_valid)
 * @param timeout_s Entry lifetime without packets, in seconds (the
 *                  kernel's UDP stream timeout applies once packets
 *                  flow)
 *
 * @return 0 if success, otherwise errorcode (EPERM without
 *         CAP_NET_ADMIN, EEXIST if a tuple stays taken)
 */
int kern_add(struct kern *k, const struct kern_flow *f, uint32_t timeout_s)
{
	int err = EEXIST;

	if (!k || !kern_flow_valid(f) || !timeout_s)
		return EINVAL;

	if (!kern_ready(k, sa_af(&f->peer_a)))
		return EAFNOSUPPORT;

	for (int i = 0; i < KERN_ADD_TRIES && err == EEXIST; i++)
		err = create(k, f, timeout_s);

	return err;
}


/**
 * Read a flow's counters
 *
 * @param k   Handle
 * @param f   Flow
 * @param cnt Counters since kern_add, UDP payload bytes
 *
 * @return 0 if success, ENOENT if the entry is gone, otherwise errorcode
 */
int kern_get(struct kern *k, const struct kern_flow *f,
	     struct kern_count *cnt)
{
	int err;

	if (!k || !kern_flow_valid(f) || !cnt)
		return EINVAL;

	memset(cnt, 0, sizeof(*cnt));
	k->want = f;
	k->cnt = cnt;
	k->found = false;
	err = tuple_query(k, NFCT_Q_GET, &f->peer_a, &f->local_a);
	k->want = NULL;
	k->cnt = NULL;

	if (!err && !k->found)
		err = ENOENT;
	if (err)
		return err;

	for (int d = 0; d < 2; d++) {
		uint64_t hdr = cnt->packets[d] * hdr_len(&f->peer_a);

		cnt->bytes[d] = cnt->bytes[d] > hdr ? cnt->bytes[d] - hdr : 0;
	}

	return 0;
}


/**
 * Remove a flow: userspace forwards it again
 *
 * @param k   Handle
 * @param f   Flow
 * @param cnt Its final counters, or NULL
 *
 * @return 0 if success, ENOENT if the entry was gone already,
 *         otherwise errorcode
 */
int kern_del(struct kern *k, const struct kern_flow *f,
	     struct kern_count *cnt)
{
	struct kern_count tmp;
	int err;

	if (!k || !kern_flow_valid(f))
		return EINVAL;

	err = kern_get(k, f, cnt ? cnt : &tmp);
	if (err)
		return err;

	return tuple_query(k, NFCT_Q_DESTROY, &f->peer_a, &f->local_a);
}


static int sysctl_get(const char *path, int *val)
{
	FILE *f = fopen(path, "r");
	int err = 0;

	if (!f)
		return errno;
	if (fscanf(f, "%d", val) != 1)
		err = EBADMSG;
	(void)fclose(f);

	return err;
}


static int sysctl_set(const char *path, int val)
{
	FILE *f = fopen(path, "w");
	int err = 0;

	if (!f)
		return errno;
	if (fprintf(f, "%d\n", val) < 0)
		err = EIO;
	if (fclose(f))
		err = errno;

	return err;
}


/**
 * Check the kernel's prerequisites for one address family: forwarding
 * must be on (the NATed packets are routed), and per-entry accounting
 * is switched on if it is off (counters and media timeouts need it)
 *
 * @param af AF_INET or AF_INET6
 *
 * @return 0 if ready, ENETDOWN if forwarding is off, ENOENT if
 *         conntrack is not loaded (no ruleset), otherwise errorcode
 */
int kern_prepare(int af)
{
	const char *fwd = af == AF_INET6 ?
		"/proc/sys/net/ipv6/conf/all/forwarding" :
		"/proc/sys/net/ipv4/ip_forward";
	const char *acct = "/proc/sys/net/netfilter/nf_conntrack_acct";
	int v = 0, err;

	err = sysctl_get(fwd, &v);
	if (err)
		return err;
	if (v != 1)
		return ENETDOWN;

	err = sysctl_get(acct, &v);
	if (err)
		return err;
	if (v != 1)
		err = sysctl_set(acct, 1);

	return err;
}
