/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file cdr.h  Call records: one JSON line per call
 *
 * The file is opened for each record (O_APPEND, one write per line), so
 * logrotate needs no signal and lines never interleave.
 */
#ifndef UMEDGE_CDR_H
#define UMEDGE_CDR_H

/** One call record */
struct cdr_rec {
	const char *id;           /**< The relay's call name, NULL if the
				       call was refused before it began  */
	const char *direction;    /**< "in" (from a gateway), "out" (UM) */
	uint64_t start_ms;        /**< Unix ms of the INVITE             */
	uint64_t answer_ms;       /**< Unix ms of the answer, 0 if none  */
	uint64_t end_ms;          /**< Unix ms of the end                */
	const char *cause;        /**< Why it ended                      */
	const char *from;         /**< Caller's user part                */
	const char *to;           /**< The number or user called         */
	const struct sa *src;     /**< Caller's source address           */
	const char *ext_callid;   /**< Call-ID outside, NULL if none     */
	const char *int_callid;   /**< Call-ID inside, NULL if none      */
	const char *chain;        /**< Hosts and targets tried           */
	re_printf_h *mediah;      /**< Prints the media counters, or NULL
				       for null                          */
	const void *media_arg;    /**< Its argument                      */
};

int cdr_write(const char *path, const struct mbuf *line);
int cdr_json_str(struct re_printf *pf, const char *s);
int cdr_record(const char *path, const struct cdr_rec *r);

#endif
