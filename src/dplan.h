/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file dplan.h  The dial plan of UM's outbound calls: the number an
 *                inside INVITE dials, whether UM may dial it, and the
 *                gateway set it goes to
 *
 * Pure functions over the configuration: they keep no state and send
 * nothing. A number, as dplan_number() gives it, is an optional '+' and
 * 1 to 15 digits (E.164's most), with no separators. Whether it may be
 * dialled is the toll-fraud guard: deny by default, allow what a
 * sip_out_allow line names (prefix and digit count). Its route is the
 * sip_route with the longest matching prefix, else the default route.
 * Prefixes match as written: "+1" never matches "1425...", nor "00"
 * "+44...". Include cfg.h first.
 */
#ifndef UMEDGE_DPLAN_H
#define UMEDGE_DPLAN_H

struct cfg;
struct cfg_route;

enum {
	DPLAN_NUM_MAX = CFG_DIGITS_MAX + 2,   /**< '+', digits and NUL */
};

int  dplan_number(char *num, size_t sz, const struct uri *uri);
bool dplan_allowed(const struct cfg *cfg, const char *num);
const struct cfg_route *dplan_route(const struct cfg *cfg, const char *num);

#endif
