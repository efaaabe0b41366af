/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file words.h  Splitting text into whitespace-separated words
 */
#ifndef UMEDGE_WORDS_H
#define UMEDGE_WORDS_H

bool words_next(struct pl *rest, struct pl *word);
void words_trim(struct pl *pl);
bool words_isnum(const struct pl *pl, size_t max);

#endif
