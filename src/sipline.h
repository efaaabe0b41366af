/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipline.h  Lines of a SIP message as it came, before decoding
 */
#ifndef UMEDGE_SIPLINE_H
#define UMEDGE_SIPLINE_H

bool sipline_next(struct pl *rest, struct pl *line);
bool sipline_name(const struct pl *line, struct pl *name);
bool sipline_is(const struct pl *line, const char *name, char compact);

#endif
