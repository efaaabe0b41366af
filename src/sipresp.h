/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipresp.h  Responses to requests that came on umedge's own
 *                  stream connections
 */
#ifndef UMEDGE_SIPRESP_H
#define UMEDGE_SIPRESP_H

int sipresp_vencode(struct mbuf *mb, const struct sip_msg *req,
		    bool rec_route, uint16_t scode, const char *reason,
		    const char *server, const char *fmt, va_list ap);
int sipresp_encode(struct mbuf *mb, const struct sip_msg *req,
		   bool rec_route, uint16_t scode, const char *reason,
		   const char *server, const char *fmt, ...);

#endif
