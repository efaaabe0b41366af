/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file ctlc.c  Control socket client: one request, one answer
 */
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <re.h>
#include "ctlc.h"


enum {
	CTLC_TIMEOUT = 5000,        /**< ms to wait for the daemon */
	CTLC_MAX     = 4 << 20,     /**< Largest answer accepted   */
};


static int read_all(int fd, struct mbuf *mb)
{
	for (;;) {
		struct pollfd pfd = {fd, POLLIN, 0};
		uint8_t buf[4096];
		ssize_t n;

		if (poll(&pfd, 1, CTLC_TIMEOUT) <= 0)
			return ETIMEDOUT;

		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return errno;
		if (n == 0)
			return 0;
		if (mb->end + (size_t)n > CTLC_MAX)
			return EMSGSIZE;
		if (mbuf_write_mem(mb, buf, (size_t)n))
			return ENOMEM;
	}
}


/**
 * Send one command line to the daemon and read its whole answer
 *
 * @param path Control socket path
 * @param line Command line, without newline
 * @param mbp  Pointer to allocated answer ("ok\n..." or "error: ...")
 *
 * @return 0 if an answer came, otherwise errorcode
 */
int ctlc_request(const char *path, const char *line, struct mbuf **mbp)
{
	struct sockaddr_un sun;
	struct mbuf *mb = NULL;
	int fd, err = 0;

	if (!path || !line || !mbp)
		return EINVAL;

	if (strlen(path) >= sizeof(sun.sun_path))
		return ENAMETOOLONG;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	str_ncpy(sun.sun_path, path, sizeof(sun.sun_path));

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;

	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		err = errno;
		goto out;
	}

	if (send(fd, line, strlen(line), MSG_NOSIGNAL) < 0 ||
	    send(fd, "\n", 1, MSG_NOSIGNAL) < 0) {
		err = errno;
		goto out;
	}

	mb = mbuf_alloc(1024);
	if (!mb) {
		err = ENOMEM;
		goto out;
	}

	err = read_all(fd, mb);

 out:
	(void)close(fd);
	if (err)
		mem_deref(mb);
	else
		*mbp = mb;

	return err;
}


/* the "drain:" line of a status answer, or "" */
static void drain_line(const struct mbuf *mb, char *buf, size_t sz)
{
	struct pl line;

	buf[0] = '\0';
	if (!re_regex((const char *)mb->buf, mb->end, "drain: [^\n]+", &line))
		(void)pl_strcpy(&line, buf, sz);
}


/**
 * Wait until the daemon stops answering on its control socket (it
 * exited), printing its drain progress when it changes
 *
 * @param path    Control socket path
 * @param seconds How long to wait at most
 *
 * @return 0 once it is gone, ETIMEDOUT if it still answers
 */
int ctlc_wait_gone(const char *path, uint32_t seconds)
{
	char last[128] = "", now[128];

	for (uint32_t i = 0; i <= seconds; i++) {
		struct mbuf *mb = NULL;

		if (ctlc_request(path, "status", &mb))
			return 0;

		drain_line(mb, now, sizeof(now));
		mem_deref(mb);
		if (strcmp(now, last)) {
			(void)re_printf("%s%s\n", now[0] ? "drain: " : "",
					now[0] ? now : "not draining");
			str_ncpy(last, now, sizeof(last));
		}
		(void)sleep(1);
	}

	return ETIMEDOUT;
}
