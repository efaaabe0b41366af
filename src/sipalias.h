/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipalias.h  Header names that libre would take for another
 */
#ifndef UMEDGE_SIPALIAS_H
#define UMEDGE_SIPALIAS_H

bool sipalias_is(const struct pl *name);
int  sipalias_rename(struct mbuf *mb);
void sipalias_real(const struct pl *name, struct pl *real);

#endif
