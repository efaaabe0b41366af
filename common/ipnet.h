/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file ipnet.h  IP networks: CIDR matching, IPv4-mapped addresses
 */
#ifndef UMEDGE_IPNET_H
#define UMEDGE_IPNET_H

bool ipnet_unmap(struct sa *sa);
bool ipnet_match(const struct list *nets, const struct sa *sa);
size_t ipnet_addr(const struct sa *sa, const uint8_t **bytesp);
bool ipnet_prefix_eq(const uint8_t *a, const uint8_t *b, unsigned bits);

#endif
