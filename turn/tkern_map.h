/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tkern_map.h  TURN kernel path: the BPF maps' keys and values
 *
 * Shared by the TC program (tkern.bpf.c) and its loader (tkern.c).
 * Addresses and ports are in network byte order; counters are the
 * program's, read by the loader.
 *
 * Two hash maps describe each offloaded channel:
 *   tkern_chan  (client, listener, channel) -> (relayed address, peer)
 *               ChannelData from the client leaves as a plain datagram
 *   tkern_peer  (peer, relayed address) -> (listener, client, channel)
 *               a datagram from the peer leaves as ChannelData
 */
#ifndef UMEDGE_TKERN_MAP_H
#define UMEDGE_TKERN_MAP_H

#include <linux/types.h>

enum {
	TKERN_MAP_MAX = 65536,  /**< Entries in each map */
};

/** ChannelData from a client, as it arrives */
struct tkern_ckey {
	__u32 cli_ip;     /**< Client address          */
	__u32 srv_ip;     /**< Listener address        */
	__u16 cli_port;   /**< Client port             */
	__u16 srv_port;   /**< Listener port           */
	__u16 chan;       /**< Channel number (host)   */
	__u16 pad;        /**< Zero                    */
};

/** ... and where it goes */
struct tkern_cval {
	__u32 relay_ip;   /**< Relayed address         */
	__u32 peer_ip;    /**< Peer address            */
	__u16 relay_port; /**< Relayed port            */
	__u16 peer_port;  /**< Peer port               */
	__u32 ifindex;    /**< Leaves by this device   */
	__u32 mtu;        /**< ... whose MTU this is   */
	__u32 pad;        /**< Zero                    */
	__u64 pkts;       /**< Relayed to the peer     */
	__u64 bytes;      /**< Their data bytes        */
};

/** A datagram from a peer to a relayed address */
struct tkern_pkey {
	__u32 peer_ip;    /**< Peer address            */
	__u32 relay_ip;   /**< Relayed address         */
	__u16 peer_port;  /**< Peer port               */
	__u16 relay_port; /**< Relayed port            */
};

/** ... and the client it goes to */
struct tkern_pval {
	__u32 srv_ip;     /**< Listener address        */
	__u32 cli_ip;     /**< Client address          */
	__u16 srv_port;   /**< Listener port           */
	__u16 cli_port;   /**< Client port             */
	__u16 chan;       /**< Channel number (host)   */
	__u16 pad;        /**< Zero                    */
	__u32 ifindex;    /**< Leaves by this device   */
	__u32 mtu;        /**< ... whose MTU this is   */
	__u64 pkts;       /**< Relayed to the client   */
	__u64 bytes;      /**< Their data bytes        */
};

#endif
