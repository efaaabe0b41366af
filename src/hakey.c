/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file hakey.c  The Redis keys of high availability, version 1: every
 *                key of a group shares its hash tag {GROUP}
 */
#include <re.h>
#include "hakey.h"


/**
 * A call's hash: umedge:v1:{GROUP}:call:ID
 *
 * @param buf   Buffer
 * @param sz    Its size (HAKEY_MAX)
 * @param group ha_group
 * @param id    The call's id
 */
void hakey_call(char *buf, size_t sz, const char *group, const char *id)
{
	(void)re_snprintf(buf, sz, "umedge:v1:{%s}:call:%s", group, id);
}


/**
 * The set of the group's call ids: umedge:v1:{GROUP}:calls
 *
 * @param buf   Buffer
 * @param sz    Its size
 * @param group ha_group
 */
void hakey_calls(char *buf, size_t sz, const char *group)
{
	(void)re_snprintf(buf, sz, "umedge:v1:{%s}:calls", group);
}


/**
 * The group's epoch, taken at each takeover: umedge:v1:{GROUP}:epoch
 *
 * @param buf   Buffer
 * @param sz    Its size
 * @param group ha_group
 */
void hakey_epoch(char *buf, size_t sz, const char *group)
{
	(void)re_snprintf(buf, sz, "umedge:v1:{%s}:epoch", group);
}
