/**
 * @file turnd.h  TURN server (RFC 5766/8656): the public API
 *
 * Workers behind NAT reach external peers through allocations on the
 * edge, authorised by TURN REST credentials from the token authority.
 * This first version holds the configuration it will run with.
 */
#ifndef UMEDGE_TURND_H
#define UMEDGE_TURND_H

struct cfg;
struct turnd;

int  turnd_alloc(struct turnd **turndp, const struct cfg *cfg);
int  turnd_status(struct re_printf *pf, const struct turnd *turnd);

#endif
