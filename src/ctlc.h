/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file ctlc.h  Control socket client, for umedgectl
 */
#ifndef UMEDGE_CTLC_H
#define UMEDGE_CTLC_H

int ctlc_request(const char *path, const char *line, struct mbuf **mbp);
int ctlc_wait_gone(const char *path, uint32_t seconds);

#endif
