/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file daemon.c  Running in the background: fork, pidfile, readiness
 *
 * The parent waits until the child has opened its sockets and written
 * its pidfile, then exits with the child's status, so "umedge -d"
 * fails visibly when startup fails (systemd Type=forking).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <re.h>
#include "daemon.h"


static int ready_fd = -1;


/**
 * Fork into the background. Returns in the child only; the parent
 * exits once the child calls daemon_ready()
 *
 * @return 0 in the child, otherwise errorcode (no fork happened)
 */
int daemon_fork(void)
{
	int pfd[2];
	pid_t pid;
	int status = 1;

	if (pipe(pfd))
		return errno;

	pid = fork();
	if (pid < 0) {
		int err = errno;
		(void)close(pfd[0]);
		(void)close(pfd[1]);
		return err;
	}

	if (pid > 0) {
		char c;

		(void)close(pfd[1]);
		if (read(pfd[0], &c, 1) == 1 && c == 0)
			status = 0;
		_exit(status);
	}

	(void)close(pfd[0]);
	ready_fd = pfd[1];

	if (setsid() < 0)
		return errno;

	(void)umask(022);
	if (chdir("/"))
		return errno;

	return 0;
}


/**
 * Tell the waiting parent that startup finished
 *
 * @param err 0 if the daemon runs, otherwise the startup error
 */
void daemon_ready(int err)
{
	char c = err ? 1 : 0;

	if (ready_fd < 0)
		return;

	(void)!write(ready_fd, &c, 1);
	(void)close(ready_fd);
	ready_fd = -1;
}


/**
 * Point stdin, stdout and stderr at /dev/null
 *
 * @return 0 if success, otherwise errorcode
 */
int daemon_stdio_null(void)
{
	int fd = open("/dev/null", O_RDWR);

	if (fd < 0)
		return errno;

	(void)dup2(fd, STDIN_FILENO);
	(void)dup2(fd, STDOUT_FILENO);
	(void)dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		(void)close(fd);

	return 0;
}


/**
 * Write our pid to a file, replacing a stale one
 *
 * @param path Pidfile path
 *
 * @return 0 if success, otherwise errorcode
 */
int daemon_pidfile_write(const char *path)
{
	FILE *f;
	int err = 0;

	if (!path || !*path)
		return EINVAL;

	f = fopen(path, "w");
	if (!f)
		return errno;

	if (fprintf(f, "%ld\n", (long)getpid()) < 0)
		err = EIO;
	if (fclose(f))
		err = err ? err : errno;

	return err;
}


/**
 * Remove the pidfile if it still names this process
 *
 * @param path Pidfile path
 */
void daemon_pidfile_remove(const char *path)
{
	long pid = 0;
	FILE *f;

	if (!path || !*path)
		return;

	f = fopen(path, "r");
	if (!f)
		return;

	if (fscanf(f, "%ld", &pid) == 1 && pid == (long)getpid())
		(void)unlink(path);

	(void)fclose(f);
}
