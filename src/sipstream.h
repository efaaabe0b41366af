/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipstream.h  A SIP listener over TCP or TLS, umedge's own
 */
#ifndef UMEDGE_SIPSTREAM_H
#define UMEDGE_SIPSTREAM_H

/** A listener's limits */
struct sipstream_prm {
	struct sipconn_prm conn;    /**< Each connection's           */
	uint32_t max_conns;         /**< Connections at once         */
	uint32_t max_per_source;    /**< From one address at once    */
};

struct sipstream;

int  sipstream_listen(struct sipstream **ssp, const struct sa *laddr,
		      struct tls *tls, const struct sipstream_prm *prm,
		      sipconn_msg_h *msgh, void *arg);
void sipstream_close(struct sipstream *ss);
uint32_t sipstream_count(const struct sipstream *ss);
uint64_t sipstream_refused(const struct sipstream *ss);
const struct sa *sipstream_laddr(const struct sipstream *ss);

#endif
