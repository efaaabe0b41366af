/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipans.h  Answers to requests libre cannot decode
 */
#ifndef UMEDGE_SIPANS_H
#define UMEDGE_SIPANS_H

bool     sipans_is_request(const struct pl *msg);
uint16_t sipans_status(const struct pl *msg, const char **reason);
int      sipans_encode(struct mbuf *mb, const struct pl *msg,
		       uint16_t scode, const char *reason,
		       const char *allow);

#endif
