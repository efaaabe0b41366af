/**
 * @file ipnet.h  IP networks: CIDR matching, IPv4-mapped addresses
 */
#ifndef UMEDGE_IPNET_H
#define UMEDGE_IPNET_H

bool ipnet_unmap(struct sa *sa);
bool ipnet_match(const struct list *nets, const struct sa *sa);

#endif
