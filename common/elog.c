/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file elog.c  Logging sink for libre's dbg module
 */
#include <string.h>
#include <stdio.h>
#include <syslog.h>
#include <re.h>
#define DEBUG_MODULE "elog"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "elog.h"


static struct {
	enum elog_target target;
	int level;
} elog = { ELOG_STDERR, DBG_INFO };


static const char *level_names[] = {
	"emerg", "alert", "crit", "error", "warning", "notice", "info",
	"debug"
};


static void print_handler(int level, const char *p, size_t len, void *arg)
{
	(void)arg;

	/* dbg lines end in "\n"; syslog adds its own */
	while (len && (p[len-1] == '\n' || p[len-1] == '\r'))
		--len;

	if (elog.target == ELOG_SYSLOG) {
		syslog(level, "%.*s", (int)len, p);
		return;
	}

	(void)re_fprintf(stderr, "umedge[%s] %b\n",
			 elog_level_name(level), p, len);
}


/**
 * Initialise logging. Call once, after libre_init()
 *
 * @param ident    syslog identity
 * @param target   Log sink
 * @param facility syslog facility (LOG_DAEMON, LOG_LOCAL0 ...)
 *
 * @return 0 if success, otherwise errorcode
 */
int elog_init(const char *ident, enum elog_target target, int facility)
{
	if (!ident)
		return EINVAL;

	if (elog.target == ELOG_SYSLOG && target != ELOG_SYSLOG)
		closelog();

	elog.target = target;
	if (target == ELOG_SYSLOG)
		openlog(ident, LOG_PID | LOG_NDELAY, facility);

	dbg_init(elog.level, DBG_NONE);
	dbg_handler_set(print_handler, NULL);

	return 0;
}


/** Stop logging to the sink and close syslog */
void elog_close(void)
{
	dbg_handler_set(NULL, NULL);
	if (elog.target == ELOG_SYSLOG)
		closelog();
	elog.target = ELOG_STDERR;
}


/**
 * Set the highest level that is logged
 *
 * @param level DBG_ERR .. DBG_DEBUG
 */
void elog_set_level(int level)
{
	if (level < DBG_EMERG || level > DBG_DEBUG)
		return;

	elog.level = level;
	dbg_init(level, DBG_NONE);
}


/** @return the current log level */
int elog_level(void)
{
	return elog.level;
}


/**
 * Parse a level name
 *
 * @param name "error", "warning", "notice", "info" or "debug"
 *
 * @return the DBG_* level, or -1 if the name is unknown
 */
int elog_level_parse(const char *name)
{
	if (!name)
		return -1;

	for (size_t i = DBG_ERR; i < ARRAY_SIZE(level_names); i++) {
		if (0 == strcmp(name, level_names[i]))
			return (int)i;
	}

	return -1;
}


/**
 * Name of a log level
 *
 * @param level DBG_* level
 *
 * @return its name, "?" if out of range
 */
const char *elog_level_name(int level)
{
	if (level < 0 || level >= (int)ARRAY_SIZE(level_names))
		return "?";

	return level_names[level];
}


/**
 * Parse a syslog facility name
 *
 * @param name "daemon", "user" or "local0" .. "local7"
 *
 * @return the LOG_* facility, or -1 if the name is unknown
 */
int elog_facility_parse(const char *name)
{
	static const struct { const char *name; int fac; } tab[] = {
		{"daemon", LOG_DAEMON}, {"user", LOG_USER},
		{"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1},
		{"local2", LOG_LOCAL2}, {"local3", LOG_LOCAL3},
		{"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},
		{"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
	};

	if (!name)
		return -1;

	for (size_t i = 0; i < ARRAY_SIZE(tab); i++) {
		if (0 == strcmp(name, tab[i].name))
			return tab[i].fac;
	}

	return -1;
}
