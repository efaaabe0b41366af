/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipraw.h  Answers to SIP requests libre 1.1.0 cannot decode
 */
#ifndef UMEDGE_SIPRAW_H
#define UMEDGE_SIPRAW_H

struct sipraw;
struct gate;

/**
 * A request came on the watched UDP transport, before libre took it
 *
 * @param msg The request (source, transport and socket filled in)
 * @param arg Handler argument
 *
 * @return true if it was answered or dropped: libre never sees it
 */
typedef bool (sipraw_req_h)(const struct sip_msg *msg, void *arg);

int  sipraw_alloc(struct list *list, const struct sa *laddr,
		  struct gate *gate, const char *allow,
		  sipraw_req_h *reqh, void *arg);
bool sipraw_claim(struct sipraw *sr, const struct sip_msg *msg);
bool sipraw_ready(const struct sipraw *sr);
void sipraw_set_trace(struct sipraw *sr, sip_trace_h *traceh, void *arg);
uint64_t sipraw_answered(const struct sipraw *sr);

#endif
