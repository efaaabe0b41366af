/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file jsonw.h  A streaming JSON writer for umedgectl's --json views
 *
 * Objects and arrays are opened and closed in order; members are
 * written with their key (NULL inside an array or at the top). The
 * first error sticks and ends all later output: a caller writes its
 * whole document, then takes the result of jsonw_end().
 */
#ifndef UMEDGE_JSONW_H
#define UMEDGE_JSONW_H

/** Deepest nesting a writer keeps track of */
#define JSONW_DEPTH 16

/** A writer on a print handler */
struct jsonw {
	struct re_printf *pf;   /**< Where the text goes               */
	unsigned depth;         /**< Open objects and arrays           */
	bool more[JSONW_DEPTH]; /**< A member was written at the depth */
	char close[JSONW_DEPTH];/**< '}' or ']' of each open level      */
	int err;                /**< First error, sticky               */
};

void jsonw_init(struct jsonw *w, struct re_printf *pf);
int  jsonw_end(struct jsonw *w);
void jsonw_obj(struct jsonw *w, const char *key);
void jsonw_arr(struct jsonw *w, const char *key);
void jsonw_close(struct jsonw *w);
void jsonw_u64(struct jsonw *w, const char *key, uint64_t v);
void jsonw_i64(struct jsonw *w, const char *key, int64_t v);
void jsonw_bool(struct jsonw *w, const char *key, bool v);
void jsonw_null(struct jsonw *w, const char *key);
void jsonw_str(struct jsonw *w, const char *key, const char *s);
void jsonw_pl(struct jsonw *w, const char *key, const struct pl *pl);
void jsonw_sa(struct jsonw *w, const char *key, const struct sa *sa);
int  jsonw_quote(struct re_printf *pf, const char *s, size_t n);

#endif
