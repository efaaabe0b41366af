/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file bpfdev.c  TC programs: loading them, attaching them to devices
 *
 * The TURN server's and the media relay's TC programs are both loaded
 * from bytes linked into the daemon and attached at the ingress hook of
 * the devices that hold their addresses (IPv4 or IPv6). Each program
 * has its own filter priority and the fixed handle 1, and attaches with
 * BPF_TC_F_REPLACE: a filter left by a process that was killed is
 * replaced, not doubled. Detaching removes our filter and nothing else:
 * libbpf's bpf_tc_hook_destroy() with BPF_TC_INGRESS alone would flush
 * every filter on the hook (an operator's, the other program's), so it
 * is never called, and the clsact qdisc, which costs nothing without
 * filters, is left in place. Programs return TC_ACT_UNSPEC for packets
 * that are not theirs, so the filters chain.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <re.h>
#define DEBUG_MODULE "bpfdev"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "bpfdev.h"
#include "rtlookup.h"


enum {
	BPFDEV_MAX    = 16,  /**< Addresses a program serves           */
	BPFDEV_HANDLE = 1,   /**< Our filter's handle at its priority  */
};

/** An address and the device that holds it */
struct bpfdev_ent {
	struct sa addr;      /**< The address (port ignored)           */
	int ifindex;         /**< Its device                           */
	uint32_t mtu;        /**< The device's MTU                     */
	bool attached;       /**< Our filter is on the device (set on the
				  first of the device's addresses)     */
};

/** The devices one TC program is attached to */
struct bpfdev {
	int prog_fd;                          /**< The program        */
	uint32_t prio;                        /**< Its priority       */
	struct bpfdev_ent ent[BPFDEV_MAX];    /**< Addresses served   */
	unsigned n;                           /**< ... how many       */
};


/* libbpf's messages: fmt is libbpf's own format string */
__attribute__((format(printf, 2, 0)))
static int print_handler(enum libbpf_print_level level, const char *fmt,
			 va_list ap)
{
	char buf[512];

	if (level == LIBBPF_DEBUG)
		return 0;

	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	if (level == LIBBPF_WARN)
		DEBUG_WARNING("libbpf: %s", buf);
	else
		DEBUG_INFO("libbpf: %s", buf);

	return 0;
}


/**
 * Open and load a BPF object from its bytes
 *
 * @param objp  Pointer to the loaded object (bpf_object__close() it)
 * @param bytes The object file's bytes
 * @param len   Their length
 *
 * @return 0 if success, otherwise errorcode
 */
int bpfdev_load(struct bpf_object **objp, const unsigned char *bytes,
		size_t len)
{
	struct bpf_object *obj;
	int err;

	if (!objp || !bytes || !len)
		return EINVAL;

	libbpf_set_print(print_handler);

	obj = bpf_object__open_mem(bytes, len, NULL);
	if (!obj)
		return errno ? errno : EINVAL;

	err = bpf_object__load(obj);
	if (err) {
		bpf_object__close(obj);
		return -err;
	}

	*objp = obj;

	return 0;
}


/**
 * @return the file descriptor of a loaded object's program, or -1
 */
int bpfdev_prog_fd(const struct bpf_object *obj, const char *name)
{
	struct bpf_program *prog;

	if (!obj || !name)
		return -1;

	prog = bpf_object__find_program_by_name(obj, name);

	return prog ? bpf_program__fd(prog) : -1;
}


static void hook_set(struct bpf_tc_hook *hook, int ifindex)
{
	memset(hook, 0, sizeof(*hook));
	hook->sz = sizeof(*hook);
	hook->ifindex = ifindex;
	hook->attach_point = BPF_TC_INGRESS;
}


static void ent_detach(const struct bpfdev *bd, const struct bpfdev_ent *e)
{
	struct bpf_tc_hook hook;
	struct bpf_tc_opts opts = {
		.sz = sizeof(opts),
		.handle = BPFDEV_HANDLE,
		.priority = bd->prio,
	};

	if (!e->attached)
		return;

	hook_set(&hook, e->ifindex);
	(void)bpf_tc_detach(&hook, &opts);
}


static void destructor(void *data)
{
	struct bpfdev *bd = data;

	for (unsigned i = 0; i < bd->n; i++)
		ent_detach(bd, &bd->ent[i]);
}


/**
 * Start a set of devices for one TC program
 *
 * @param bdp     Pointer to the set (mem_deref() detaches the program)
 * @param prog_fd The loaded program
 * @param prio    Its filter priority (one per program)
 *
 * @return 0 if success, otherwise errorcode
 */
int bpfdev_alloc(struct bpfdev **bdp, int prog_fd, uint32_t prio)
{
	struct bpfdev *bd;

	if (!bdp || prog_fd < 0 || !prio || prio > 0xffff)
		return EINVAL;

	bd = mem_zalloc(sizeof(*bd), destructor);
	if (!bd)
		return ENOMEM;

	bd->prog_fd = prog_fd;
	bd->prio = prio;
	*bdp = bd;

	return 0;
}


/* the device that holds an address: index and MTU */
static int dev_lookup(struct bpfdev_ent *e)
{
	struct ifaddrs *ifa, *i;
	struct sa a;
	int err = ENODEV;

	if (getifaddrs(&ifa))
		return errno;

	for (i = ifa; i; i = i->ifa_next) {
		if (i->ifa_addr && !sa_set_sa(&a, i->ifa_addr) &&
		    sa_cmp(&a, &e->addr, SA_ADDR))
			break;
	}

	if (!i)
		goto out;

	e->ifindex = (int)if_nametoindex(i->ifa_name);
	err = e->ifindex ? rtlookup_mtu(i->ifa_name, &e->mtu) : ENODEV;

 out:
	freeifaddrs(ifa);
	return err;
}


static const struct bpfdev_ent *ent_find(const struct bpfdev *bd,
					 const struct sa *addr)
{
	for (unsigned i = 0; i < bd->n; i++) {
		if (sa_cmp(&bd->ent[i].addr, addr, SA_ADDR))
			return &bd->ent[i];
	}

	return NULL;
}


static bool dev_held(const struct bpfdev *bd, int ifindex)
{
	for (unsigned i = 0; i < bd->n; i++) {
		if (bd->ent[i].ifindex == ifindex && bd->ent[i].attached)
			return true;
	}

	return false;
}


static int ent_attach(const struct bpfdev *bd, struct bpfdev_ent *e)
{
	struct bpf_tc_hook hook;
	struct bpf_tc_opts opts = {
		.sz = sizeof(opts),
		.prog_fd = bd->prog_fd,
		.flags = BPF_TC_F_REPLACE,
		.handle = BPFDEV_HANDLE,
		.priority = bd->prio,
	};
	int err;

	hook_set(&hook, e->ifindex);
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		return -err;

	err = bpf_tc_attach(&hook, &opts);
	if (err)
		return -err;

	e->attached = true;

	return 0;
}


/**
 * Attach the program to the device that holds an address, once per
 * device
 *
 * @param bd   Set of devices
 * @param addr The address (IPv4 or IPv6; the port is ignored)
 *
 * @return 0 if success, ENODEV if no device holds it, otherwise
 *         errorcode
 */
int bpfdev_attach(struct bpfdev *bd, const struct sa *addr)
{
	struct bpfdev_ent *e;
	int err;

	if (!bd || !addr)
		return EINVAL;

	if (ent_find(bd, addr))
		return 0;

	if (bd->n >= BPFDEV_MAX)
		return E2BIG;

	e = &bd->ent[bd->n];
	memset(e, 0, sizeof(*e));
	e->addr = *addr;
	err = dev_lookup(e);
	if (err)
		return err;

	if (!dev_held(bd, e->ifindex)) {
		err = ent_attach(bd, e);
		if (err)
			return err;
	}

	++bd->n;

	return 0;
}


/**
 * The device of an address the program serves
 *
 * @param bd      Set of devices
 * @param addr    The address
 * @param ifindex Its device's index (optional)
 * @param mtu     Its device's MTU (optional)
 *
 * @return 0 if success, ENODEV if the program does not serve it
 */
int bpfdev_find(const struct bpfdev *bd, const struct sa *addr,
		int *ifindex, uint32_t *mtu)
{
	const struct bpfdev_ent *e;

	if (!bd || !addr)
		return EINVAL;

	e = ent_find(bd, addr);
	if (!e)
		return ENODEV;

	if (ifindex)
		*ifindex = e->ifindex;
	if (mtu)
		*mtu = e->mtu;

	return 0;
}


/**
 * @return the number of devices the program is attached to
 */
unsigned bpfdev_count(const struct bpfdev *bd)
{
	unsigned n = 0;

	for (unsigned i = 0; bd && i < bd->n; i++)
		n += bd->ent[i].attached;

	return n;
}
