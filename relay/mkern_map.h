/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file mkern_map.h  Media relay kernel path: the BPF maps' keys and
 *                    values (docs/design/mediabpf.md 3)
 *
 * Shared by the TC program (mkern.bpf.c) and its loader. Addresses and
 * ports are in network byte order, everything else in host order.
 *
 *   mk_flows  HASH, BPF_F_NO_PREALLOC: what arrives (mk_key) -> how it
 *             leaves (mk_flow). Written by the owning worker only,
 *             never changed in place (insert, replace or delete).
 *   mk_stats  ARRAY of slots (mk_stat): counters and RTP state of one
 *             direction of a flow, under the slot's spin lock; counted
 *             only while the slot's gen equals the flow's.
 *   mk_prog   PERCPU_ARRAY of __u64, indexed by enum mk_cnt: what the
 *             program did, punts by reason included.
 */
#ifndef UMEDGE_MKERN_MAP_H
#define UMEDGE_MKERN_MAP_H

#include <linux/types.h>
#include <linux/bpf.h>

enum {
	MK_FLOW_MAX = 65536,  /**< Entries in mk_flows               */
	MK_STAT_MAX = 65536,  /**< Slots in mk_stats                 */
	MK_FAM4     = 4,      /**< mk_key.family: IPv4               */
	MK_FAM6     = 6,      /**< mk_key.family: IPv6               */
};

/** mk_flow.flags */
enum mk_flag {
	MK_RTP        = 1 << 0,  /**< Parse RTP, keep the A.1/A.8 state */
	MK_MUX        = 1 << 1,  /**< RTCP may share the port (RFC 5761) */
	MK_RTCP_PUNT  = 1 << 2,  /**< RTCP goes to userspace (rewritten) */
	MK_SSRC_LEARN = 1 << 3,  /**< No SSRC yet: the first one is kept */
	MK_RTCP_FLOW  = 1 << 4,  /**< Flow 1: every packet is RTCP       */
};

/**
 * Why a packet of a flow went to userspace unchanged. Frag (a later
 * fragment) and exthdr carry no ports: counted in mk_prog only.
 */
enum mk_punt {
	MK_PUNT_SSRC = 0,  /**< Another SSRC, or none learnt       */
	MK_PUNT_RTCP,      /**< RTCP with MK_RTCP_PUNT              */
	MK_PUNT_FRAG,      /**< IPv4 fragment                       */
	MK_PUNT_OPTIONS,   /**< IPv4 options                        */
	MK_PUNT_EXTHDR,    /**< IPv6 extension header               */
	MK_PUNT_GSO,       /**< GSO super-packet                    */
	MK_PUNT_MTU,       /**< Over the out device's MTU           */
	MK_PUNT_CSUM0,     /**< IPv6 without UDP checksum           */
	MK_PUNT_LEN,       /**< Lengths that do not agree           */
	MK_PUNT_N
};

/** mk_prog's counters: the punts, then these */
enum mk_cnt {
	MK_CNT_REDIRECT = MK_PUNT_N,  /**< Rewritten and redirected     */
	MK_CNT_SHOT,                  /**< A helper failed mid-rewrite  */
	MK_CNT_NOSLOT,                /**< Forwarded, slot gen differs  */
	MK_CNT_N
};

/** What arrives: the peer's address and port, our socket's */
struct mk_key {
	__u32 saddr[4];   /**< Peer address (IPv4: [0], rest zero)  */
	__u32 daddr[4];   /**< Our socket's address                 */
	__u16 sport;      /**< Peer port                            */
	__u16 dport;      /**< Our socket's port                    */
	__u8 family;      /**< MK_FAM4 or MK_FAM6                   */
	__u8 pad[3];      /**< Zero                                 */
};

/** How it leaves: from our other socket to the other peer (same family) */
struct mk_flow {
	__u32 saddr[4];   /**< Our other socket's address           */
	__u32 daddr[4];   /**< The other peer's address             */
	__u16 sport;      /**< Our other socket's port              */
	__u16 dport;      /**< The other peer's port                */
	__u32 ifindex;    /**< Out device (route to daddr)          */
	__u16 mtu;        /**< Its MTU: larger results are punted   */
	__u16 flags;      /**< enum mk_flag                         */
	__u32 clock_rate; /**< RTP clock rate, 0: no jitter         */
	__u32 slot;       /**< Index into mk_stats                  */
	__u32 gen;        /**< Must equal the slot's gen            */
	__u32 nh[4];      /**< Next hop: the gateway, or daddr      */
};

/** One direction's counters and RTP state (struct rtpstat's fields) */
struct mk_stat {
	struct bpf_spin_lock lock;  /**< Held by the program, BPF_F_LOCK */
	__u32 gen;        /**< The flow it counts for               */
	__u64 pkts;       /**< Forwarded                            */
	__u64 bytes;      /**< Their UDP payload bytes              */
	__u64 rtcp;       /**< Of which RTCP                        */
	__u64 last_ns;    /**< CLOCK_MONOTONIC of the last one      */
	__u32 ssrc;       /**< rtpstat.ssrc                         */
	__u32 init;       /**< rtpstat.init (0 or 1)                */
	__u32 max_seq;    /**< rtpstat.max_seq (16 bits)            */
	__u32 cycles;     /**< rtpstat.cycles                       */
	__u32 base_seq;   /**< rtpstat.base_seq                     */
	__u32 received;   /**< rtpstat.received                     */
	__u32 jitter;     /**< rtpstat.jitter (<< 4)                */
	__u32 pad;        /**< Zero                                 */
	__s64 transit;    /**< rtpstat.transit                      */
	__u32 punt[MK_PUNT_N];  /**< Punted, by enum mk_punt        */
	__u32 pad2;       /**< Zero                                 */
};

#endif
