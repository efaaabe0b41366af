/**
 * @file passhdr.h  Headers a B2BUA passes from the gateway to UM as
 *                  they came
 *
 * UM finds the mailbox from Diversion (or History-Info) and the caller
 * from P-Asserted-Identity (design-notes §1). These are copied into the
 * inside INVITE unchanged, in the order they came.
 */
#ifndef UMEDGE_PASSHDR_H
#define UMEDGE_PASSHDR_H

int  passhdr_collect(char **hdrsp, const struct sip_msg *msg);
bool passhdr_passes(const struct pl *name);

#endif
