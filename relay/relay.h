/**
 * @file relay.h  Media relay core: the public API
 *
 * The relay anchors every media stream of a call: port pairs from the
 * interfaces' ranges, latching, forwarding and timeouts. The B2BUA and
 * the ng control protocol adapter drive it through this API.
 * This first version holds the configuration it will run with.
 */
#ifndef UMEDGE_RELAY_H
#define UMEDGE_RELAY_H

struct cfg;
struct relay;

int  relay_alloc(struct relay **relayp, const struct cfg *cfg);
int  relay_status(struct re_printf *pf, const struct relay *relay);

#endif
