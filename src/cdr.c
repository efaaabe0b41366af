/**
 * @file cdr.c  Call records: one JSON line per call
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <re.h>
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
	int err;

	if (!s)
		return re_hprintf(pf, "null");

	err = re_hprintf(pf, "\"");
	for (; *s && !err; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			err = re_hprintf(pf, "\\%c", c);
		else if (c < 0x20)
			err = re_hprintf(pf, "\\u%04x", c);
		else
			err = pf->vph((const char *)&c, 1, pf->arg);
	}

	return err | re_hprintf(pf, "\"");
}
