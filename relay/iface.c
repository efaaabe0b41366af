/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file iface.c  Relay interfaces and their RTP/RTCP socket pairs
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <re.h>
#include "cfg.h"
#include "portpool.h"
#include "iface.h"


enum {
	BIND_TRIES = 16,          /**< Pairs tried when ports are busy */
	SOCK_BUF   = 1 << 20,     /**< Socket buffers (bytes)          */
};


static void iface_destructor(void *data)
{
	struct relay_iface *ifc = data;

	list_unlink(&ifc->le);
	mem_deref(ifc->pool);
}


/**
 * Create a relay interface from its configuration
 *
 * @param ifcp Pointer to allocated interface
 * @param cfg  Configured interface, with a port range
 *
 * @return 0 if success, otherwise errorcode
 */
int iface_alloc(struct relay_iface **ifcp, const struct cfg_iface *cfg)
{
	struct relay_iface *ifc;
	int err;

	if (!ifcp || !cfg || !cfg->port_min)
		return EINVAL;

	ifc = mem_zalloc(sizeof(*ifc), iface_destructor);
	if (!ifc)
		return ENOMEM;

	str_ncpy(ifc->name, cfg->name, sizeof(ifc->name));
	ifc->addr = cfg->addr;
	ifc->advertise = sa_isset(&cfg->advertise, SA_ADDR) ?
		cfg->advertise : cfg->addr;
	ifc->port_min = cfg->port_min;
	ifc->port_max = cfg->port_max;

	err = portpool_alloc(&ifc->pool, cfg->port_min, cfg->port_max);
	if (err)
		mem_deref(ifc);
	else
		*ifcp = ifc;

	return err;
}


/**
 * Whether an interface is what a configured one describes
 *
 * @param ifc Interface
 * @param cfg Configured interface
 *
 * @return true if name, addresses and port range are the same
 */
bool iface_same(const struct relay_iface *ifc, const struct cfg_iface *cfg)
{
	const struct sa *adv = sa_isset(&cfg->advertise, SA_ADDR) ?
		&cfg->advertise : &cfg->addr;

	return !strcmp(ifc->name, cfg->name) &&
		sa_cmp(&ifc->addr, &cfg->addr, SA_ALL) &&
		sa_cmp(&ifc->advertise, adv, SA_ALL) &&
		ifc->port_min == cfg->port_min &&
		ifc->port_max == cfg->port_max;
}


static int udp_bind(const struct sa *local, uint16_t port, bool freebind,
		    int *fdp)
{
	struct sa sa = *local;
	int fd, buf = SOCK_BUF, on = 1, err = 0;

	fd = socket(sa_af(&sa), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		return errno;

	sa_set_port(&sa, port);
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	/* IP_FREEBIND at SOL_IP serves IPv6 sockets as well */
	if (freebind &&
	    setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &on, sizeof(on)))
		err = errno;

	if (err || bind(fd, &sa.u.sa, sa.len)) {
		err = err ? err : errno;
		(void)close(fd);
		return err;
	}

	*fdp = fd;

	return 0;
}


static int pair_bind(struct relay_iface *ifc, struct iface_pair *pair,
		     uint16_t port)
{
	int err;

	err = udp_bind(&ifc->addr, port, ifc->freebind, &pair->fd[0]);
	if (err)
		return err;

	err = udp_bind(&ifc->addr, port + 1, ifc->freebind, &pair->fd[1]);
	if (err) {
		(void)close(pair->fd[0]);
		return err;
	}

	pair->port = port;
	pair->local = ifc->addr;
	sa_set_port(&pair->local, port);

	return 0;
}


/**
 * Open an RTP/RTCP socket pair on a random free port pair. Pairs that
 * another process holds are skipped.
 *
 * @param ifc  Interface
 * @param pair The pair opened
 *
 * @return 0 if success, ENOSPC if the range is exhausted
 */
int iface_pair_open(struct relay_iface *ifc, struct iface_pair *pair)
{
	uint16_t busy[BIND_TRIES];
	unsigned nbusy = 0;
	int err = ENOSPC;

	if (!ifc || !pair)
		return EINVAL;

	pair->fd[0] = pair->fd[1] = -1;

	while (nbusy < BIND_TRIES) {
		uint16_t port;

		err = portpool_take(ifc->pool, &port);
		if (err)
			break;

		err = pair_bind(ifc, pair, port);
		if (!err)
			break;

		busy[nbusy++] = port;
		if (err != EADDRINUSE)
			break;
	}

	/* ports held elsewhere go back: they may be free later */
	while (nbusy)
		(void)portpool_put(ifc->pool, busy[--nbusy]);

	return err;
}


/**
 * Open an RTP/RTCP socket pair on a given port pair (a restored call's)
 *
 * @param ifc  Interface
 * @param pair The pair opened
 * @param port Its RTP port
 *
 * @return 0 if success, EALREADY if the pair is in use here,
 *         EADDRINUSE if another process holds it, otherwise errorcode
 */
int iface_pair_open_at(struct relay_iface *ifc, struct iface_pair *pair,
		       uint16_t port)
{
	int err;

	if (!ifc || !pair)
		return EINVAL;

	pair->fd[0] = pair->fd[1] = -1;
	err = portpool_claim(ifc->pool, port);
	if (err)
		return err;

	err = pair_bind(ifc, pair, port);
	if (err)
		(void)portpool_put(ifc->pool, port);

	return err;
}


/**
 * Close a socket pair and return its ports to the pool at once
 *
 * @param ifc  Interface it was opened on
 * @param pair The pair
 */
void iface_pair_close(struct relay_iface *ifc, struct iface_pair *pair)
{
	if (!ifc || !pair || pair->fd[0] < 0)
		return;

	(void)close(pair->fd[0]);
	(void)close(pair->fd[1]);
	pair->fd[0] = pair->fd[1] = -1;
	(void)portpool_put(ifc->pool, pair->port);
}


/** @return the address SDP announces for this interface */
const struct sa *iface_announce(const struct relay_iface *ifc)
{
	return ifc ? &ifc->advertise : NULL;
}
