/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file cdr.c  Call records: one JSON line per call
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <re.h>
#include "jsonw.h"
#include "cdr.h"


/**
 * Append one record
 *
 * @param path File
 * @param line JSON object without the newline
 *
 * @return 0 if success, otherwise errorcode
 */
int cdr_write(const char *path, const struct mbuf *line)
{
	ssize_t n;
	int fd, err = 0;

	if (!path || !line)
		return EINVAL;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0)
		return errno;

	n = write(fd, line->buf, line->end);
	if (n < 0)
		err = errno;
	else if ((size_t)n != line->end)
		err = EIO;

	if (close(fd) && !err)
		err = errno;

	return err;
}


/**
 * Print a string as a JSON string, quoted and escaped
 *
 * @param pf Print handler
 * @param s  NUL-terminated string, NULL for null
 *
 * @return 0 if success, otherwise errorcode
 */
int cdr_json_str(struct re_printf *pf, const char *s)
{
	return jsonw_quote(pf, s, s ? strlen(s) : 0);
}


static int media_print(struct re_printf *pf, const struct cdr_rec *r)
{
	if (!r->mediah)
		return re_hprintf(pf, "null");

	return r->mediah(pf, (void *)r->media_arg);
}


static int rec_print(struct re_printf *pf, const struct cdr_rec *r)
{
	return re_hprintf(pf, "{\"id\":%H,\"direction\":\"%s\","
			  "\"start_ms\":%llu,\"answer_ms\":%llu,"
			  "\"end_ms\":%llu,\"cause\":%H,"
			  "\"from\":%H,\"to\":%H,\"src\":\"%J\","
			  "\"ext_call_id\":%H,\"int_call_id\":%H,"
			  "\"chain\":%H,\"media\":%H}\n",
			  cdr_json_str, r->id, r->direction,
			  (unsigned long long)r->start_ms,
			  (unsigned long long)r->answer_ms,
			  (unsigned long long)r->end_ms,
			  cdr_json_str, r->cause, cdr_json_str, r->from,
			  cdr_json_str, r->to, r->src,
			  cdr_json_str, r->ext_callid,
			  cdr_json_str, r->int_callid,
			  cdr_json_str, r->chain, media_print, r);
}


/**
 * Append one call's record as a JSON line
 *
 * @param path File, "" for none
 * @param r    The record
 *
 * @return 0 if success (or no file), otherwise errorcode
 */
int cdr_record(const char *path, const struct cdr_rec *r)
{
	struct mbuf *mb;
	int err;

	if (!path || !r)
		return EINVAL;

	if (!path[0])
		return 0;

	mb = mbuf_alloc(1024);
	if (!mb)
		return ENOMEM;

	err = mbuf_printf(mb, "%H", rec_print, r);
	if (!err)
		err = cdr_write(path, mb);

	mem_deref(mb);

	return err;
}
