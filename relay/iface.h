/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file iface.h  Relay interfaces: a bind address, an advertised address
 *                and a pool of port pairs; opening RTP/RTCP socket pairs
 */
#ifndef UMEDGE_IFACE_H
#define UMEDGE_IFACE_H

struct cfg_iface;
struct portpool;

/** A logical interface of the relay */
struct relay_iface {
	struct le le;              /**< Member of relay.ifaces          */
	char name[32];             /**< "external", "internal", ...     */
	struct sa addr;            /**< Local address sockets bind to   */
	struct sa advertise;       /**< Address SDP announces           */
	struct portpool *pool;     /**< Port pairs                      */
	uint16_t port_min;         /**< Its range, as configured        */
	uint16_t port_max;         /**< ...                             */
	bool freebind;             /**< Bind before the address is ours
					(IP_FREEBIND: a standby's)     */
};

/** An open RTP/RTCP socket pair */
struct iface_pair {
	int fd[2];                 /**< RTP and RTCP sockets           */
	struct sa local;           /**< Bound address, RTP port        */
	uint16_t port;             /**< RTP port; RTCP is port + 1     */
};

int  iface_alloc(struct relay_iface **ifcp, const struct cfg_iface *cfg);
int  iface_pair_open_at(struct relay_iface *ifc, struct iface_pair *pair,
			uint16_t port);
int  iface_pair_open(struct relay_iface *ifc, struct iface_pair *pair);
void iface_pair_close(struct relay_iface *ifc, struct iface_pair *pair);
const struct sa *iface_announce(const struct relay_iface *ifc);
bool iface_same(const struct relay_iface *ifc, const struct cfg_iface *cfg);

#endif
