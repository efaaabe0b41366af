/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file hakey.h  The Redis keys of high availability, version 1
 *                (docs/ha.md, "Key schema")
 */
#ifndef UMEDGE_HAKEY_H
#define UMEDGE_HAKEY_H

enum {
	HAKEY_MAX = 512,   /**< Room for a key                        */
};

void hakey_call(char *buf, size_t sz, const char *group, const char *id);
void hakey_calls(char *buf, size_t sz, const char *group);
void hakey_epoch(char *buf, size_t sz, const char *group);

#endif
