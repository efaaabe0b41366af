/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sig.c  Signals delivered through the main loop (signalfd)
 *
 * SIGTERM, SIGINT and SIGHUP are blocked in every thread and read from
 * a signalfd in the main loop, so handlers run as ordinary callbacks
 * and may do anything (reload the configuration, close sockets).
 */
#include <signal.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <re.h>
#include "sig.h"


/** Signal reader */
struct sig {
	int fd;       /**< signalfd                 */
	sig_h *h;     /**< Handler                  */
	void *arg;    /**< Handler argument         */
};


static void handled_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGUSR2);
}


/**
 * Block the handled signals; call before any thread is started so that
 * every thread inherits the mask. SIGPIPE is ignored.
 *
 * @return 0 if success, otherwise errorcode
 */
int sig_block(void)
{
	sigset_t set;

	(void)signal(SIGPIPE, SIG_IGN);
	handled_set(&set);

	return sigprocmask(SIG_BLOCK, &set, NULL) ? errno : 0;
}


static void sig_destructor(void *data)
{
	struct sig *sig = data;

	if (sig->fd >= 0) {
		fd_close(sig->fd);
		(void)close(sig->fd);
	}
}


static void read_handler(int flags, void *arg)
{
	struct sig *sig = arg;
	struct signalfd_siginfo si;
	(void)flags;

	while (read(sig->fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		sig->h((int)si.ssi_signo, sig->arg);
}


/**
 * Start reading the handled signals in the main loop
 *
 * @param sigp Pointer to allocated signal reader
 * @param h    Handler
 * @param arg  Handler argument
 *
 * @return 0 if success, otherwise errorcode
 */
int sig_alloc(struct sig **sigp, sig_h *h, void *arg)
{
	struct sig *sig;
	sigset_t set;
	int err;

	if (!sigp || !h)
		return EINVAL;

	sig = mem_zalloc(sizeof(*sig), sig_destructor);
	if (!sig)
		return ENOMEM;

	sig->fd = -1;
	sig->h = h;
	sig->arg = arg;

	err = sig_block();
	if (err)
		goto out;

	handled_set(&set);
	sig->fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sig->fd < 0) {
		err = errno;
		goto out;
	}

	err = fd_listen(sig->fd, FD_READ, read_handler, sig);

 out:
	if (err)
		mem_deref(sig);
	else
		*sigp = sig;

	return err;
}
