/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file rtpstat.h  Per-source RTP statistics: loss and jitter (RFC 3550
 *                  appendix A.1 and A.8), from the packets' headers
 */
#ifndef UMEDGE_RTPSTAT_H
#define UMEDGE_RTPSTAT_H

/** What the RTP header says, for forwarding decisions */
struct rtphdr {
	uint8_t pt;          /**< Payload type                 */
	uint16_t seq;        /**< Sequence number              */
	uint32_t ts;         /**< Timestamp                    */
	uint32_t ssrc;       /**< Synchronisation source       */
};

/** Sequence and jitter state of one source */
struct rtpstat {
	uint32_t ssrc;        /**< Source being tracked         */
	bool init;            /**< First packet seen            */
	uint16_t max_seq;     /**< Highest sequence number      */
	uint32_t cycles;      /**< Wraps of the sequence, <<16  */
	uint32_t base_seq;    /**< First sequence number        */
	uint32_t received;    /**< Packets counted              */
	int64_t transit;      /**< Last transit time (ts units) */
	uint32_t jitter;      /**< Interarrival jitter, << 4    */
};

int      rtphdr_decode(struct rtphdr *h, const uint8_t *p, size_t len);
bool     rtp_is_rtcp(const uint8_t *p, size_t len);
void     rtpstat_update(struct rtpstat *s, const struct rtphdr *h,
			uint64_t arrival_us, uint32_t clock_rate);
uint32_t rtpstat_expected(const struct rtpstat *s);
int64_t  rtpstat_lost(const struct rtpstat *s);
uint32_t rtpstat_jitter_ms(const struct rtpstat *s, uint32_t clock_rate);

#endif
