/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file jsonw.c  A streaming JSON writer for umedgectl's --json views
 *
 * Strings are escaped as RFC 8259 requires: '"' and '\' with a
 * backslash, control characters as \u00XX; other bytes pass (UTF-8 is
 * the caller's). Numbers are integers. Addresses are "IP:PORT" strings
 * ("[v6]:port"), null when unset.
 */
#include <string.h>
#include <re.h>
#include "jsonw.h"


/**
 * Start a writer
 *
 * @param w  Writer
 * @param pf Print handler the document goes to
 */
void jsonw_init(struct jsonw *w, struct re_printf *pf)
{
	if (!w)
		return;

	memset(w, 0, sizeof(*w));
	w->pf = pf;
	if (!pf)
		w->err = EINVAL;
}


/**
 * Finish a document: every object and array must have been closed
 *
 * @param w Writer
 *
 * @return 0 if the whole document was written, otherwise errorcode
 */
int jsonw_end(struct jsonw *w)
{
	if (!w)
		return EINVAL;

	if (!w->err && w->depth)
		w->err = EPROTO;
	if (!w->err)
		w->err = re_hprintf(w->pf, "\n");

	return w->err;
}


/**
 * Print a string as a JSON string, quoted and escaped
 *
 * @param pf Print handler
 * @param s  String, NULL for null
 * @param n  Its length
 *
 * @return 0 if success, otherwise errorcode
 */
int jsonw_quote(struct re_printf *pf, const char *s, size_t n)
{
	size_t run = 0;
	int err;

	if (!s)
		return re_hprintf(pf, "null");

	err = re_hprintf(pf, "\"");
	for (size_t i = 0; i < n && !err; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c != '"' && c != '\\' && c >= 0x20) {
			run++;
			continue;
		}

		err = pf->vph(s + i - run, run, pf->arg);
		run = 0;
		if (c == '"' || c == '\\')
			err |= re_hprintf(pf, "\\%c", c);
		else
			err |= re_hprintf(pf, "\\u%04x", c);
	}

	if (!err && run)
		err = pf->vph(s + n - run, run, pf->arg);

	return err | re_hprintf(pf, "\"");
}


/* the separator and key of the next member; false after an error */
static bool member(struct jsonw *w, const char *key)
{
	if (!w || w->err)
		return false;

	if (w->depth && w->more[w->depth - 1])
		w->err = re_hprintf(w->pf, ",");
	if (w->depth)
		w->more[w->depth - 1] = true;
	if (key && !w->err) {
		w->err = jsonw_quote(w->pf, key, strlen(key));
		w->err |= re_hprintf(w->pf, ":");
	}

	return !w->err;
}


static void open_one(struct jsonw *w, const char *key, char c)
{
	if (!member(w, key))
		return;

	if (w->depth >= JSONW_DEPTH) {
		w->err = EOVERFLOW;
		return;
	}

	w->more[w->depth] = false;
	w->close[w->depth++] = c == '{' ? '}' : ']';
	w->err = re_hprintf(w->pf, "%c", c);
}


/**
 * Open an object
 *
 * @param w   Writer
 * @param key Its key, NULL in an array or at the top
 */
void jsonw_obj(struct jsonw *w, const char *key)
{
	open_one(w, key, '{');
}


/**
 * Open an array
 *
 * @param w   Writer
 * @param key Its key, NULL in an array or at the top
 */
void jsonw_arr(struct jsonw *w, const char *key)
{
	open_one(w, key, '[');
}


/**
 * Close the innermost object or array (whichever it is)
 *
 * @param w Writer
 */
void jsonw_close(struct jsonw *w)
{
	if (!w || w->err)
		return;

	if (!w->depth) {
		w->err = EPROTO;
		return;
	}

	w->depth--;
	w->err = re_hprintf(w->pf, "%c", w->close[w->depth]);
}


/**
 * Write an unsigned integer member
 *
 * @param w   Writer
 * @param key Its key, NULL in an array
 * @param v   Value
 */
void jsonw_u64(struct jsonw *w, const char *key, uint64_t v)
{
	if (member(w, key))
		w->err = re_hprintf(w->pf, "%llu", (unsigned long long)v);
}


/**
 * Write a signed integer member
 *
 * @param w   Writer
 * @param key Its key, NULL in an array
 * @param v   Value
 */
void jsonw_i64(struct jsonw *w, const char *key, int64_t v)
{
	if (member(w, key))
		w->err = re_hprintf(w->pf, "%lld", (long long)v);
}


/**
 * Write a boolean member
 *
 * @param w   Writer
 * @param key Its key, NULL in an array
 * @param v   Value
 */
void jsonw_bool(struct jsonw *w, const char *key, bool v)
{
	if (member(w, key))
		w->err = re_hprintf(w->pf, "%s", v ? "true" : "false");
}


/**
 * Write a null member
 *
 * @param w   Writer
 * @param key Its key, NULL in an array
 */
void jsonw_null(struct jsonw *w, const char *key)
{
	if (member(w, key))
		w->err = re_hprintf(w->pf, "null");
}


/**
 * Write a string member
 *
 * @param w   Writer
 * @param key Its key, NULL in an array
 * @param s   NUL-terminated string, NULL for null
 */
void jsonw_str(struct jsonw *w, const char *key, const char *s)
{
	if (member(w, key))
		w->err = jsonw_quote(w->pf, s, s ? strlen(s) : 0);
}


/**
 * Write a string member from a pointer-length string
 *
 * @param w   Writer
 * @param key Its key, NULL in an array
 * @param pl  String, NULL or unset for null
 */
void jsonw_pl(struct jsonw *w, const char *key, const struct pl *pl)
{
	if (member(w, key))
		w->err = jsonw_quote(w->pf, pl_isset(pl) ? pl->p : NULL,
				     pl_isset(pl) ? pl->l : 0);
}


/**
 * Write an address member, "IP:PORT", or null when it is unset
 *
 * @param w   Writer
 * @param key Its key, NULL in an array
 * @param sa  Address
 */
void jsonw_sa(struct jsonw *w, const char *key, const struct sa *sa)
{
	char buf[64];

	if (!sa || !sa_isset(sa, SA_ADDR)) {
		jsonw_null(w, key);
		return;
	}

	(void)re_snprintf(buf, sizeof(buf), "%J", sa);
	jsonw_str(w, key, buf);
}
