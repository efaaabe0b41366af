/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file gate.h  Who may send requests to the edge, and how fast
 *
 * Outside, only configured gateways (sip_gateway networks) are served;
 * inside, only the internal networks; a TLS peer, whose certificate the
 * handshake verified, is trusted on either side (b2b.c). Anything else
 * is answered 403, statelessly. Each source address gets a token bucket of
 * sip_rate_limit requests per second (burst as large) for requests
 * outside a dialog; beyond it, 503 with Retry-After. In-dialog requests
 * are never limited: a call once admitted is not cut. Refusals are
 * logged at most GATE_LOG_PER_S lines a second (gate_log).
 */
#ifndef UMEDGE_GATE_H
#define UMEDGE_GATE_H

struct gate;
struct cfg;

enum {
	GATE_SOURCES_MAX = 65536,   /**< Buckets kept at most          */
	GATE_IDLE_MS     = 10000,   /**< A full, idle bucket is freed  */
	GATE_LOG_PER_S   = 10,      /**< Refusals logged a second      */
};

int  gate_alloc(struct gate **gatep, const struct cfg *cfg);
void gate_set_cfg(struct gate *gate, const struct cfg *cfg);
bool gate_trusted(const struct gate *gate, bool inside, const struct sa *src);
bool gate_admit(struct gate *gate, const struct sa *src, uint64_t now_ms);
unsigned gate_count(const struct gate *gate);
bool gate_log(struct gate *gate);

#endif
