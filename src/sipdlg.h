/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipdlg.h  A libre dialog stored as text and made again
 */
#ifndef UMEDGE_SIPDLG_H
#define UMEDGE_SIPDLG_H

int sipdlg_export(struct mbuf *mb, struct sip_dialog *dlg);
int sipdlg_import(struct sip_dialog **dlgp, const struct pl *lines,
		  const char *target);

#endif
