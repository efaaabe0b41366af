/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file dtqs.h  A set of timer queues, one per delay
 */
#ifndef UMEDGE_DTQS_H
#define UMEDGE_DTQS_H

struct dtqs;

int  dtqs_alloc(struct dtqs **qsp, const uint32_t *delays, size_t n);
int  dtqs_start(struct dtqs *qs, uint32_t ms, struct dte *e, dte_h *h,
		void *arg);

#endif
