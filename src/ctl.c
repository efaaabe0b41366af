/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file ctl.c  Control socket server
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <re.h>
#define DEBUG_MODULE "ctl"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "elog.h"
#include "words.h"
#include "jsonw.h"
#include "ctl.h"


enum {
	CTL_LINE_MAX = 1024,     /**< Longest command line         */
	CTL_CONN_MAX = 16,       /**< Clients served at once       */
	CTL_TIMEOUT  = 5000,     /**< ms a client may take         */
};

/** The control socket */
struct ctl {
	int fd;                     /**< Listening socket           */
	char path[108];             /**< Its path, unlinked at end  */
	struct list cmds;           /**< struct ctl_cmd             */
	struct list conns;          /**< struct ctl_conn            */
};

/** A registered command */
struct ctl_cmd {
	struct le le;          /**< Member of ctl.cmds      */
	const char *name;      /**< Command word            */
	const char *help;      /**< One line of help        */
	ctl_cmd_h *h;          /**< Handler                 */
	void *arg;             /**< Handler argument        */
};

/** One client connection */
struct ctl_conn {
	struct le le;          /**< Member of ctl.conns        */
	struct ctl *ctl;       /**< Owner                      */
	int fd;                /**< Connected socket           */
	struct mbuf *mb;       /**< Request, then the answer   */
	bool answering;        /**< Writing the answer         */
	struct tmr tmr;        /**< Client timeout             */
};


static void conn_destructor(void *data)
{
	struct ctl_conn *conn = data;

	tmr_cancel(&conn->tmr);
	list_unlink(&conn->le);
	if (conn->fd >= 0) {
		fd_close(conn->fd);
		(void)close(conn->fd);
	}
	mem_deref(conn->mb);
}


static void ctl_destructor(void *data)
{
	struct ctl *ctl = data;

	list_flush(&ctl->conns);
	list_flush(&ctl->cmds);
	if (ctl->fd >= 0) {
		fd_close(ctl->fd);
		(void)close(ctl->fd);
		(void)unlink(ctl->path);
	}
}


static int help_print(struct re_printf *pf, const struct ctl *ctl)
{
	int err = 0;

	for (struct le *le = ctl->cmds.head; le; le = le->next) {
		const struct ctl_cmd *cmd = le->data;
		err |= re_hprintf(pf, "  %-12s %s\n", cmd->name, cmd->help);
	}

	return err;
}


static int print_handler(const char *p, size_t size, void *arg)
{
	return mbuf_write_mem(arg, (const uint8_t *)p, size);
}


/* a leading word "json" asks for the JSON view of the command */
static bool json_word(struct pl *args)
{
	struct pl rest = *args, word;

	if (!words_next(&rest, &word) || pl_strcmp(&word, "json"))
		return false;

	*args = rest;
	return true;
}


static int dispatch(struct ctl *ctl, const struct pl *line,
		    struct mbuf *body, bool *json)
{
	struct re_printf pf = {print_handler, body};
	struct pl name, args;

	args = *line;
	*json = json_word(&args);
	if (!words_next(&args, &name)) {
		(void)re_hprintf(&pf, "empty command; commands are:\n");
		(void)help_print(&pf, ctl);
		return EINVAL;
	}

	words_trim(&args);

	for (struct le *le = ctl->cmds.head; le; le = le->next) {
		const struct ctl_cmd *cmd = le->data;

		if (0 == pl_strcmp(&name, cmd->name))
			return cmd->h(&pf, &args, *json, cmd->arg);
	}

	(void)re_hprintf(&pf, "unknown command '%r'; commands are:\n", &name);
	(void)help_print(&pf, ctl);

	return ENOENT;
}


static void conn_write(struct ctl_conn *conn)
{
	while (mbuf_get_left(conn->mb)) {
		ssize_t n = send(conn->fd, mbuf_buf(conn->mb),
				 mbuf_get_left(conn->mb), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			break;
		}
		mbuf_advance(conn->mb, n);
	}

	mem_deref(conn);
}


/* an error in JSON: the handler's text becomes {"error": TEXT} */
static void err_json(struct mbuf *body, int err)
{
	struct re_printf pf = {print_handler, body};
	struct jsonw w;
	char text[512];
	size_t n = min(body->end, sizeof(text) - 1);

	memcpy(text, body->buf, n);
	while (n && (text[n - 1] == '\n' || text[n - 1] == ' '))
		n--;
	text[n] = '\0';
	if (!n)
		(void)re_snprintf(text, sizeof(text), "%m", err);

	mbuf_reset(body);
	jsonw_init(&w, &pf);
	jsonw_obj(&w, NULL);
	jsonw_str(&w, "error", text);
	jsonw_close(&w);
	(void)jsonw_end(&w);
}


static void conn_answer(struct ctl_conn *conn, const struct pl *line)
{
	struct mbuf *body = mbuf_alloc(512);
	struct mbuf *out = mbuf_alloc(512);
	bool json;
	int err;

	if (!body || !out) {
		mem_deref(body);
		mem_deref(out);
		mem_deref(conn);
		return;
	}

	err = dispatch(conn->ctl, line, body, &json);
	if (err && json)
		err_json(body, err);
	if (err && !body->end)
		(void)mbuf_printf(out, "error: %m\n", err);
	else
		(void)mbuf_write_str(out, err ? "error: " : "ok\n");
	(void)mbuf_write_mem(out, body->buf, body->end);
	mem_deref(body);

	out->pos = 0;
	mem_deref(conn->mb);
	conn->mb = out;
	conn->answering = true;

	(void)fd_listen(conn->fd, FD_WRITE, NULL, NULL);
	conn_write(conn);
}


static void conn_handler(int flags, void *arg)
{
	struct ctl_conn *conn = arg;
	uint8_t buf[512];
	const uint8_t *nl;
	struct pl line;
	ssize_t n;

	if (conn->answering) {
		conn_write(conn);
		return;
	}

	n = recv(conn->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || mbuf_write_mem(conn->mb, buf, (size_t)n) ||
	    conn->mb->end > CTL_LINE_MAX) {
		mem_deref(conn);
		return;
	}

	nl = memchr(conn->mb->buf, '\n', conn->mb->end);
	if (!nl)
		return;

	line.p = (const char *)conn->mb->buf;
	line.l = (size_t)(nl - conn->mb->buf);
	if (line.l && line.p[line.l - 1] == '\r')
		--line.l;

	conn_answer(conn, &line);
}


static void conn_timeout(void *arg)
{
	struct ctl_conn *conn = arg;

	DEBUG_NOTICE("client timed out\n");
	mem_deref(conn);
}


static void accept_handler(int flags, void *arg)
{
	struct ctl *ctl = arg;
	struct ctl_conn *conn;
	int fd;

	fd = accept4(ctl->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;

	if (list_count(&ctl->conns) >= CTL_CONN_MAX) {
		DEBUG_WARNING("too many clients, refusing one\n");
		(void)close(fd);
		return;
	}

	conn = mem_zalloc(sizeof(*conn), conn_destructor);
	if (!conn) {
		(void)close(fd);
		return;
	}

	conn->fd = fd;
	conn->ctl = ctl;
	conn->mb = mbuf_alloc(256);
	list_append(&ctl->conns, &conn->le, conn);
	tmr_start(&conn->tmr, CTL_TIMEOUT, conn_timeout, conn);

	if (!conn->mb || fd_listen(fd, FD_READ, conn_handler, conn))
		mem_deref(conn);
}


/* A socket file left behind by a dead daemon is removed; a live one
 * is EADDRINUSE */
static int stale_remove(const struct sockaddr_un *sun)
{
	struct stat st;
	int fd, err = 0;

	if (lstat(sun->sun_path, &st))
		return 0;

	if (!S_ISSOCK(st.st_mode))
		return EEXIST;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;

	if (0 == connect(fd, (const struct sockaddr *)sun, sizeof(*sun)))
		err = EADDRINUSE;
	else if (unlink(sun->sun_path))
		err = errno;

	(void)close(fd);

	return err;
}


static int ctl_bind(struct ctl *ctl)
{
	struct sockaddr_un sun;
	int err;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	str_ncpy(sun.sun_path, ctl->path, sizeof(sun.sun_path));

	err = stale_remove(&sun);
	if (err)
		return err;

	ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			 0);
	if (ctl->fd < 0)
		return errno;

	if (bind(ctl->fd, (struct sockaddr *)&sun, sizeof(sun))) {
		err = errno;
		(void)close(ctl->fd);
		ctl->fd = -1;
		return err;
	}

	if (chmod(ctl->path, 0660) || listen(ctl->fd, CTL_CONN_MAX))
		return errno;

	return fd_listen(ctl->fd, FD_READ, accept_handler, ctl);
}


/**
 * Open the control socket
 *
 * @param ctlp Pointer to allocated control socket
 * @param path Socket path; a stale file there is replaced
 *
 * @return 0 if success, EADDRINUSE if a daemon is serving it already,
 *         otherwise errorcode
 */
int ctl_alloc(struct ctl **ctlp, const char *path)
{
	struct ctl *ctl;
	int err;

	if (!ctlp || !path || !*path)
		return EINVAL;

	ctl = mem_zalloc(sizeof(*ctl), ctl_destructor);
	if (!ctl)
		return ENOMEM;

	ctl->fd = -1;
	if (strlen(path) >= sizeof(ctl->path)) {
		err = ENAMETOOLONG;
		goto out;
	}
	str_ncpy(ctl->path, path, sizeof(ctl->path));

	err = ctl_bind(ctl);
	if (err)
		elog_err("cannot serve control socket %s: %m\n", path, err);

 out:
	if (err)
		mem_deref(ctl);
	else
		*ctlp = ctl;

	return err;
}


/**
 * Add a command
 *
 * @param ctl  Control socket
 * @param name Command word (static string)
 * @param help One line of help (static string)
 * @param h    Handler
 * @param arg  Handler argument
 *
 * @return 0 if success, otherwise errorcode
 */
int ctl_register(struct ctl *ctl, const char *name, const char *help,
		 ctl_cmd_h *h, void *arg)
{
	struct ctl_cmd *cmd;

	if (!ctl || !name || !help || !h)
		return EINVAL;

	cmd = mem_zalloc(sizeof(*cmd), NULL);
	if (!cmd)
		return ENOMEM;

	cmd->name = name;
	cmd->help = help;
	cmd->h = h;
	cmd->arg = arg;
	list_append(&ctl->cmds, &cmd->le, cmd);

	return 0;
}
