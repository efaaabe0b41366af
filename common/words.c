/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file words.c  Splitting text into whitespace-separated words
 */
#include <re.h>
#include "words.h"


static bool blank(char c)
{
	return c == ' ' || c == '\t';
}


/**
 * Strip blanks (spaces and tabs) from both ends
 *
 * @param pl Text, changed in place
 */
void words_trim(struct pl *pl)
{
	while (pl->l && blank(pl->p[0]))
		pl_advance(pl, 1);

	while (pl->l && blank(pl->p[pl->l - 1]))
		--pl->l;
}


/**
 * Take the next blank-separated word off the front of rest
 *
 * @param rest Text; advanced past the word
 * @param word The word
 *
 * @return true if there was a word
 */
bool words_next(struct pl *rest, struct pl *word)
{
	while (rest->l && blank(rest->p[0]))
		pl_advance(rest, 1);

	if (!rest->l)
		return false;

	word->p = rest->p;
	word->l = 0;
	while (word->l < rest->l && !blank(rest->p[word->l]))
		++word->l;

	pl_advance(rest, word->l);

	return true;
}


/**
 * Is this a decimal number of 1 to max digits, and nothing else?
 *
 * @param pl  Text
 * @param max Most digits
 *
 * @return true if it is
 */
bool words_isnum(const struct pl *pl, size_t max)
{
	if (!pl_isset(pl) || pl->l > max)
		return false;

	for (size_t i = 0; i < pl->l; i++) {
		if (pl->p[i] < '0' || pl->p[i] > '9')
			return false;
	}

	return true;
}
