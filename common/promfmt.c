/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file promfmt.c  The Prometheus text exposition format (0.0.4)
 *
 * A family is "# HELP" and "# TYPE" lines, then its samples, each
 * "name{labels} value" on one line ended by LF. Label values escape
 * backslash, double quote and line feed; help text escapes backslash
 * and line feed. umedge's values are all integers.
 */
#include <string.h>
#include <re.h>
#include "promfmt.h"


static int help_print(struct re_printf *pf, const char *help)
{
	int err = 0;

	for (const char *p = help; *p && !err; p++) {
		if (*p == '\\')
			err = re_hprintf(pf, "\\\\");
		else if (*p == '\n')
			err = re_hprintf(pf, "\\n");
		else
			err = pf->vph(p, 1, pf->arg);
	}

	return err;
}


/**
 * Write a family's HELP and TYPE lines
 *
 * @param mb   Buffer
 * @param name Metric name (counters end in _total)
 * @param type Counter or gauge
 * @param help One line of help
 *
 * @return 0 if success, otherwise errorcode
 */
int promfmt_family(struct mbuf *mb, const char *name,
		   enum promfmt_type type, const char *help)
{
	return mbuf_printf(mb, "# HELP %s %H\n# TYPE %s %s\n", name,
			   help_print, help, name,
			   type == PROMFMT_COUNTER ? "counter" : "gauge");
}


/**
 * Write one sample
 *
 * @param mb     Buffer
 * @param name   Metric name
 * @param labels Label pairs, already escaped (promfmt_label()), or NULL
 * @param v      Value
 *
 * @return 0 if success, otherwise errorcode
 */
int promfmt_sample(struct mbuf *mb, const char *name, const char *labels,
		   uint64_t v)
{
	if (!labels || !labels[0])
		return mbuf_printf(mb, "%s %llu\n", name,
				   (unsigned long long)v);

	return mbuf_printf(mb, "%s{%s} %llu\n", name, labels,
			   (unsigned long long)v);
}


/**
 * Write a family of one sample without labels
 *
 * @param mb   Buffer
 * @param name Metric name
 * @param type Counter or gauge
 * @param help One line of help
 * @param v    Value
 *
 * @return 0 if success, otherwise errorcode
 */
int promfmt_one(struct mbuf *mb, const char *name, enum promfmt_type type,
		const char *help, uint64_t v)
{
	return promfmt_family(mb, name, type, help) |
		promfmt_sample(mb, name, NULL, v);
}


/**
 * Append a label pair key="value" to a label list (a comma before it
 * when the list is not empty), the value escaped
 *
 * @param buf Label list, NUL-terminated
 * @param sz  Its size
 * @param key Label name
 * @param val Label value
 *
 * @return 0 if success, EOVERFLOW if it does not fit
 */
int promfmt_label(char *buf, size_t sz, const char *key, const char *val)
{
	size_t n = strlen(buf);
	int r;

	r = re_snprintf(buf + n, sz - n, "%s%s=\"", n ? "," : "", key);
	if (r < 0)
		return EOVERFLOW;
	n += (size_t)r;

	for (const char *p = val; *p; p++) {
		const char *esc = *p == '\\' ? "\\\\" : *p == '"' ? "\\\"" :
			*p == '\n' ? "\\n" : NULL;
		size_t len = esc ? 2 : 1;

		if (n + len + 2 > sz)
			return EOVERFLOW;
		memcpy(buf + n, esc ? esc : p, len);
		n += len;
	}

	if (n + 2 > sz)
		return EOVERFLOW;
	buf[n++] = '"';
	buf[n] = '\0';

	return 0;
}


/**
 * Whether a name is a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) or,
 * with label, a valid label name ([a-zA-Z_][a-zA-Z0-9_]*, not "__...")
 *
 * @param name  Name
 * @param label Whether it is a label name
 *
 * @return true if valid
 */
bool promfmt_name_valid(const char *name, bool label)
{
	if (!name || !name[0] || (name[0] >= '0' && name[0] <= '9'))
		return false;
	if (label && !strncmp(name, "__", 2))
		return false;

	for (const char *p = name; *p; p++) {
		bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
			|| (*p >= '0' && *p <= '9') || *p == '_' ||
			(!label && *p == ':');
		if (!ok)
			return false;
	}

	return true;
}
