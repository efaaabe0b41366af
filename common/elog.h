/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file elog.h  Logging: libre's dbg output routed to stderr or syslog
 *
 * Every module logs through libre's DEBUG_* macros (or elog_err() for
 * errors, which libre has no macro for). elog owns the single sink.
 */
#ifndef UMEDGE_ELOG_H
#define UMEDGE_ELOG_H

/** Where log lines go */
enum elog_target {
	ELOG_STDERR = 0,  /**< Standard error, one line per message    */
	ELOG_SYSLOG,      /**< syslog(3), facility from configuration  */
};

int  elog_init(const char *ident, enum elog_target target, int facility);
void elog_close(void);
void elog_set_level(int level);
int  elog_level(void);
int  elog_level_parse(const char *name);
const char *elog_level_name(int level);
int  elog_facility_parse(const char *name);

#define elog_err(...)  dbg_printf(DBG_ERR, DEBUG_MODULE ": " __VA_ARGS__)

#endif
