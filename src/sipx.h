/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipx.h  Dialog functions libre 1.1.0 exports but declares only
 *               in its private src/sip/sip.h
 *
 * sip_drequestf() always writes "Max-Forwards: 70". A B2BUA passes the
 * caller's value on, decremented, so leg.c encodes dialog requests
 * itself with these and sends them with sip_request(). configure checks
 * that the library has them.
 */
#ifndef UMEDGE_SIPX_H
#define UMEDGE_SIPX_H

int  sip_dialog_encode(struct mbuf *mb, struct sip_dialog *dlg,
		       uint32_t cseq, const char *met);
const char *sip_dialog_uri(const struct sip_dialog *dlg);
const struct uri *sip_dialog_route(const struct sip_dialog *dlg);
uint32_t sip_dialog_hash(const struct sip_dialog *dlg);

#endif
