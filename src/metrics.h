/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file metrics.h  The Prometheus endpoint: GET /metrics on
 *                  metrics_listen, inside only by default
 */
#ifndef UMEDGE_METRICS_H
#define UMEDGE_METRICS_H

struct cfg;
struct metrics;

/**
 * Write every metric of the daemon into mb (one scrape)
 *
 * @param mb  Buffer
 * @param arg Handler argument
 *
 * @return 0 if success, otherwise errorcode
 */
typedef int (metrics_h)(struct mbuf *mb, void *arg);

int metrics_alloc(struct metrics **mp, const struct cfg *cfg,
		  metrics_h *h, void *arg);

#endif
