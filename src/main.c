/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file main.c  umedge: the edge SBC daemon, command line and main loop
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/resource.h>
#include <re.h>
#define DEBUG_MODULE "main"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "elog.h"
#include "cfg.h"
#include "app.h"
#include "daemon.h"
#include "sig.h"


enum {
	FD_BASE = 1024,  /**< fds beyond the media ports: SIP, TURN, ctl */
};

static struct app *g_app;


static void usage(void)
{
	(void)re_fprintf(stderr,
		"usage: umedge [-c FILE] [-t] [-d] [-h] [-v]\n"
		"  -c FILE  configuration file (default %s)\n"
		"  -t       check the configuration and exit\n"
		"  -d       run in the background, write the pidfile\n"
		"  -v       print the version and exit\n"
		"  -h       this help\n", UM_CONFIG);
}


static void signal_handler(int signo, void *arg)
{
	char msg[512];
	(void)arg;

	switch (signo) {

	case SIGHUP:
		DEBUG_NOTICE("SIGHUP: reloading the configuration\n");
		(void)app_reload(g_app, msg, sizeof(msg));
		break;

	case SIGUSR2:
		DEBUG_NOTICE("SIGUSR2: draining\n");
		(void)app_drain(g_app, app_cfg(g_app)->drain.timeout);
		break;

	default:
		DEBUG_NOTICE("signal %d: stopping\n", signo);
		app_stopping(g_app);
		re_cancel();
		break;
	}
}


/* Room for every media port's socket, plus signalling; raise the
 * limit as far as the process may, and size libre's fd table to it */
static int fds_raise(const struct cfg *cfg)
{
	rlim_t need = (rlim_t)cfg_media_ports(cfg) + FD_BASE;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return errno;

	if (rl.rlim_cur < need) {
		struct rlimit want = {need, rl.rlim_max > need ?
				      rl.rlim_max : need};

		if (setrlimit(RLIMIT_NOFILE, &want)) {
			rl.rlim_cur = rl.rlim_max;
			(void)setrlimit(RLIMIT_NOFILE, &rl);
			DEBUG_WARNING("RLIMIT_NOFILE is %llu, below the %llu "
				      "the port ranges need\n",
				      (unsigned long long)rl.rlim_max,
				      (unsigned long long)need);
			need = rl.rlim_max;
		}
	}
	else {
		need = rl.rlim_cur;
	}

	return fd_setsize((int)(need > 1 << 20 ? 1 << 20 : need));
}


static int config_check(const char *path)
{
	struct cfg *cfg = NULL;
	char errbuf[512];
	int err;

	err = cfg_load(&cfg, path, errbuf, sizeof(errbuf));
	if (err)
		(void)re_fprintf(stderr, "umedge: %s\n", errbuf);
	else
		(void)re_printf("umedge: %s: configuration OK\n", path);

	mem_deref(cfg);

	return err;
}


static int run(struct cfg *cfg, bool background)
{
	struct sig *sig = NULL;
	int err;

	err = libre_init();
	if (err)
		return err;

	err = elog_init("umedge", background ? ELOG_SYSLOG :
			(enum elog_target)cfg->log_target, cfg->log_facility);
	if (err)
		goto out;
	elog_set_level(cfg->log_level);

	err = fds_raise(cfg);
	if (err) {
		elog_err("fd_setsize: %m\n", err);
		goto out;
	}

	err = sig_alloc(&sig, signal_handler, NULL);
	if (err) {
		elog_err("signals: %m\n", err);
		goto out;
	}

	err = app_alloc(&g_app, cfg);
	if (err)
		goto out;

	if (background) {
		err = daemon_pidfile_write(cfg->pidfile);
		if (err) {
			elog_err("pidfile %s: %m\n", cfg->pidfile, err);
			goto out;
		}
		daemon_ready(0);
		(void)daemon_stdio_null();
	}
	app_ready(g_app);

	err = re_main(NULL);

 out:
	if (err)
		elog_err("startup failed: %m\n", err);
	daemon_ready(err);
	if (background)
		daemon_pidfile_remove(cfg->pidfile);
	g_app = mem_deref(g_app);
	mem_deref(sig);
	libre_close();
	elog_close();

	return err;
}


int main(int argc, char *argv[])
{
	const char *path = UM_CONFIG;
	bool check = false, background = false;
	struct cfg *cfg = NULL;
	char errbuf[512], abspath[PATH_MAX];
	int c, err;

	while ((c = getopt(argc, argv, "c:tdvh")) != -1) {
		switch (c) {

		case 'c': path = optarg; break;
		case 't': check = true; break;
		case 'd': background = true; break;
		case 'v':
			(void)re_printf("umedge %s\n", VERSION);
			return 0;
		case 'h':
			usage();
			return 0;
		default:
			usage();
			return 2;
		}
	}

	if (optind != argc) {
		usage();
		return 2;
	}

	if (check)
		return config_check(path) ? 1 : 0;

	/* -d changes directory to /: keep the path valid for reloads */
	if (realpath(path, abspath))
		path = abspath;

	err = cfg_load(&cfg, path, errbuf, sizeof(errbuf));
	if (err) {
		(void)re_fprintf(stderr, "umedge: %s\n", errbuf);
		return 1;
	}

	if (background) {
		err = daemon_fork();
		if (err) {
			(void)re_fprintf(stderr, "umedge: fork: %m\n", err);
			goto out;
		}
	}

	err = run(cfg, background);

 out:
	mem_deref(cfg);

	return err ? 1 : 0;
}
