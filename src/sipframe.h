/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipframe.h  Framing SIP messages on a stream (TCP, TLS)
 */
#ifndef UMEDGE_SIPFRAME_H
#define UMEDGE_SIPFRAME_H

/** What the framer found */
enum sipframe_ev {
	SIPFRAME_MSG,    /**< A whole message                             */
	SIPFRAME_PONG,   /**< A CRLFCRLF keep-alive: answer with one CRLF */
	SIPFRAME_FAIL,   /**< Cannot be framed: answer scode if it is a
			      request, then close the connection          */
};

/**
 * Called for each thing found, in order; it must not free the framer
 *
 * @param ev    What
 * @param mb    MSG: the message alone, from pos 0 (the handler may
 *              keep a reference); FAIL: its headers as far as they
 *              came, valid during the call only; PONG: NULL
 * @param scode FAIL: 513 (too large) or 400 (no usable Content-Length)
 * @param arg   Handler argument
 */
typedef void (sipframe_h)(enum sipframe_ev ev, struct mbuf *mb,
			  uint16_t scode, void *arg);

struct sipframe;

int  sipframe_alloc(struct sipframe **sfp, size_t max, sipframe_h *h,
		    void *arg);
int  sipframe_input(struct sipframe *sf, const uint8_t *p, size_t n);
bool sipframe_started(const struct sipframe *sf);
bool sipframe_failed(const struct sipframe *sf);
int  sipframe_clen(const struct pl *hdrs, size_t *clen);

#endif
