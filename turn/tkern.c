/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tkern.c  TURN kernel path: the TC program's loader and maps
 *
 * With turn_kernel, ChannelData between a UDP client and a bound peer
 * is relayed by a TC ingress program (tkern.bpf.c) on the listener's
 * and the relayed address's devices, without reaching the sockets.
 * Userspace still decides everything: a channel is offloaded only while
 * its permission lives and the peer filter allows its peer, for IPv4
 * clients over UDP without a bandwidth cap; tkern_sync() is called
 * whenever one of these may have changed, and removing the entries
 * folds their counters into the allocation's. The relayed socket stays
 * bound, and sees whatever the program does not take.
 *
 * If the program cannot be loaded or attached (no CAP_BPF or
 * CAP_NET_ADMIN, an old kernel) the server says so and relays in
 * userspace.
 */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <re.h>
#define DEBUG_MODULE "tkern"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "cfg.h"
#include "bpfdev.h"
#include "tkern_map.h"
#include "turnd_priv.h"


enum {
	TKERN_PRIO = 0xe0de,  /**< Our filter's priority (the relay's
				   program runs before it)          */
};

/** The kernel path */
struct tkern {
	struct bpf_object *obj;           /**< Loaded program and maps */
	struct bpfdev *devs;              /**< Devices it is on        */
	int prog_fd;                      /**< tkern_ingress           */
	int chan_fd;                      /**< tkern_chan map          */
	int peer_fd;                      /**< tkern_peer map          */
	uint32_t nchans;                  /**< Channels offloaded now  */
	struct tstats gone;               /**< Relayed by entries that
					       were removed             */
};

extern const unsigned char tkern_obj[];
extern const size_t tkern_obj_len;


static void tkern_destructor(void *data)
{
	struct tkern *tk = data;

	mem_deref(tk->devs);
	bpf_object__close(tk->obj);
}


/* the program handles IPv4 only: other addresses need no device */
static int dev_attach(struct tkern *tk, const struct sa *sa)
{
	int err;

	if (sa_af(sa) != AF_INET)
		return 0;

	err = bpfdev_attach(tk->devs, sa);
	if (err == ENODEV)
		DEBUG_WARNING("no device holds %j\n", sa);

	return err;
}


static int prog_load(struct tkern *tk)
{
	int err;

	err = bpfdev_load(&tk->obj, tkern_obj, tkern_obj_len);
	if (err)
		return err;

	tk->prog_fd = bpfdev_prog_fd(tk->obj, "tkern_ingress");
	tk->chan_fd = bpf_object__find_map_fd_by_name(tk->obj, "tkern_chan");
	tk->peer_fd = bpf_object__find_map_fd_by_name(tk->obj, "tkern_peer");
	if (tk->prog_fd < 0 || tk->chan_fd < 0 || tk->peer_fd < 0)
		return ENOENT;

	return bpfdev_alloc(&tk->devs, tk->prog_fd, TKERN_PRIO);
}


/**
 * Load the program and attach it to the devices of the relayed address
 * and of every UDP listener
 *
 * @param tkp   Pointer to the kernel path
 * @param turnd TURN server, with its listeners open
 *
 * @return 0 if success, otherwise errorcode (the server then relays in
 *         userspace)
 */
int tkern_alloc(struct tkern **tkp, const struct turnd *turnd)
{
	struct tkern *tk;
	int err;

	if (!tkp || !turnd)
		return EINVAL;

	tk = mem_zalloc(sizeof(*tk), tkern_destructor);
	if (!tk)
		return ENOMEM;

	err = prog_load(tk);
	if (err)
		goto out;

	err = dev_attach(tk, &turnd->relay_addr);
	for (struct le *le = turnd->listeners.head; le && !err;
	     le = le->next) {
		const struct tlisten *lsn = le->data;

		if (lsn->tp == CFG_UDP)
			err = dev_attach(tk, &lsn->local);
	}

 out:
	if (err)
		mem_deref(tk);
	else
		*tkp = tk;

	return err;
}


static void keys_make(const struct talloc *al, const struct tchan *chan,
		      struct tkern_ckey *ck, struct tkern_pkey *pk)
{
	const struct sa *srv = &al->lsn->local;
	const struct turnd *turnd = al->turnd;

	memset(ck, 0, sizeof(*ck));
	ck->cli_ip = al->cli.u.in.sin_addr.s_addr;
	ck->cli_port = al->cli.u.in.sin_port;
	ck->srv_ip = srv->u.in.sin_addr.s_addr;
	ck->srv_port = srv->u.in.sin_port;
	ck->chan = chan->num;

	memset(pk, 0, sizeof(*pk));
	pk->peer_ip = chan->peer.u.in.sin_addr.s_addr;
	pk->peer_port = chan->peer.u.in.sin_port;
	pk->relay_ip = turnd->relay_addr.u.in.sin_addr.s_addr;
	pk->relay_port = htons(sa_port(&al->relay));
}


/* a channel's entries, with the counters so far */
static int chan_read(const struct tkern *tk, const struct talloc *al,
		     const struct tchan *chan, struct tkern_cval *cv,
		     struct tkern_pval *pv)
{
	struct tkern_ckey ck;
	struct tkern_pkey pk;
	int err = 0;

	keys_make(al, chan, &ck, &pk);
	memset(cv, 0, sizeof(*cv));
	memset(pv, 0, sizeof(*pv));
	if (bpf_map_lookup_elem(tk->chan_fd, &ck, cv))
		err = errno;
	if (bpf_map_lookup_elem(tk->peer_fd, &pk, pv))
		err = errno;

	return err;
}


static int chan_add(struct tkern *tk, const struct talloc *al,
		    const struct tchan *chan)
{
	const struct turnd *turnd = al->turnd;
	struct tkern_ckey ck;
	struct tkern_pkey pk;
	struct tkern_cval cv;
	struct tkern_pval pv;
	int rdev, ldev, err;
	uint32_t rmtu, lmtu;

	err = bpfdev_find(tk->devs, &turnd->relay_addr, &rdev, &rmtu);
	if (!err)
		err = bpfdev_find(tk->devs, &al->lsn->local, &ldev, &lmtu);
	if (err)
		return err;

	keys_make(al, chan, &ck, &pk);

	memset(&cv, 0, sizeof(cv));
	cv.relay_ip = pk.relay_ip;
	cv.relay_port = pk.relay_port;
	cv.peer_ip = pk.peer_ip;
	cv.peer_port = pk.peer_port;
	cv.ifindex = (uint32_t)rdev;
	cv.mtu = rmtu;

	memset(&pv, 0, sizeof(pv));
	pv.srv_ip = ck.srv_ip;
	pv.srv_port = ck.srv_port;
	pv.cli_ip = ck.cli_ip;
	pv.cli_port = ck.cli_port;
	pv.chan = chan->num;
	pv.ifindex = (uint32_t)ldev;
	pv.mtu = lmtu;

	if (bpf_map_update_elem(tk->chan_fd, &ck, &cv, BPF_NOEXIST))
		return errno;

	if (bpf_map_update_elem(tk->peer_fd, &pk, &pv, BPF_NOEXIST)) {
		err = errno;
		(void)bpf_map_delete_elem(tk->chan_fd, &ck);
		return err;
	}

	++tk->nchans;

	return 0;
}


static void stats_add(struct tstats *st, const struct tkern_cval *cv,
		      const struct tkern_pval *pv)
{
	st->pkts_out += cv->pkts;
	st->bytes_out += cv->bytes;
	st->pkts_in += pv->pkts;
	st->bytes_in += pv->bytes;
}


/**
 * Take a channel out of the kernel, and add what the kernel relayed
 * for it to the allocation's and the server's counters
 *
 * @param al   Allocation
 * @param chan Its channel
 */
void tkern_chan_del(struct talloc *al, struct tchan *chan)
{
	struct tkern *tk = al ? al->turnd->kern : NULL;
	struct tkern_ckey ck;
	struct tkern_pkey pk;
	struct tkern_cval cv;
	struct tkern_pval pv;

	if (!tk || !chan || !chan->kern)
		return;

	(void)chan_read(tk, al, chan, &cv, &pv);
	keys_make(al, chan, &ck, &pk);
	(void)bpf_map_delete_elem(tk->chan_fd, &ck);
	(void)bpf_map_delete_elem(tk->peer_fd, &pk);
	chan->kern = false;
	--tk->nchans;

	stats_add(&al->st, &cv, &pv);
	stats_add(&al->turnd->st, &cv, &pv);
	stats_add(&tk->gone, &cv, &pv);
}


/* may this channel be relayed by the kernel now */
static bool chan_offloadable(struct talloc *al, const struct tchan *chan)
{
	return al->lsn->tp == CFG_UDP && sa_af(&al->cli) == AF_INET &&
		sa_af(&chan->peer) == AF_INET && !al->bw.rate &&
		tperm_allows(al, &chan->peer);
}


/**
 * Bring an allocation's channels in the kernel in line with their
 * permissions and the peer filter now in force: called when a channel
 * is bound, a permission installed, or the configuration reloaded
 *
 * @param al Allocation
 */
void tkern_sync(struct talloc *al)
{
	struct tkern *tk = al ? al->turnd->kern : NULL;
	int err;

	if (!tk)
		return;

	for (struct le *le = al->chans.head; le; le = le->next) {
		struct tchan *chan = le->data;
		bool want = chan_offloadable(al, chan);

		if (!want && chan->kern) {
			tkern_chan_del(al, chan);
		}
		else if (want && !chan->kern) {
			err = chan_add(tk, al, chan);
			if (err) {
				DEBUG_INFO("channel 0x%04x of %J stays in "
					   "userspace: %m\n", chan->num,
					   &al->cli, err);
				continue;
			}
			chan->kern = true;
			DEBUG_INFO("channel 0x%04x of %J to %J: in the "
				   "kernel\n", chan->num, &al->cli,
				   &chan->peer);
		}
	}
}


/**
 * What the kernel has relayed so far for an allocation's offloaded
 * channels, added to st
 *
 * @param st Counters to add to
 * @param al Allocation
 */
void tkern_stats_add(struct tstats *st, const struct talloc *al)
{
	const struct tkern *tk = al ? al->turnd->kern : NULL;
	struct tkern_cval cv;
	struct tkern_pval pv;

	if (!tk || !st)
		return;

	for (struct le *le = al->chans.head; le; le = le->next) {
		const struct tchan *chan = le->data;

		if (chan->kern && !chan_read(tk, al, chan, &cv, &pv))
			stats_add(st, &cv, &pv);
	}
}


/**
 * What removed entries relayed in the kernel, added to st (live ones:
 * tkern_stats_add)
 *
 * @param st Counters to add to
 * @param tk Kernel path
 */
void tkern_gone_add(struct tstats *st, const struct tkern *tk)
{
	if (!st || !tk)
		return;

	st->pkts_out += tk->gone.pkts_out;
	st->bytes_out += tk->gone.bytes_out;
	st->pkts_in += tk->gone.pkts_in;
	st->bytes_in += tk->gone.bytes_in;
}


/**
 * @return channels in the kernel now, or 0 without the kernel path
 */
uint32_t tkern_count(const struct tkern *tk)
{
	return tk ? tk->nchans : 0;
}


/**
 * @return the number of devices the program is attached to
 */
unsigned tkern_devices(const struct tkern *tk)
{
	return tk ? bpfdev_count(tk->devs) : 0;
}
