/**
 * @file cdr.h  Call records: one JSON line per call
 *
 * The file is opened for each record (O_APPEND, one write per line), so
 * logrotate needs no signal and lines never interleave.
 */
#ifndef UMEDGE_CDR_H
#define UMEDGE_CDR_H

int cdr_write(const char *path, const struct mbuf *line);
int cdr_json_str(struct re_printf *pf, const char *s);

#endif
