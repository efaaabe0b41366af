/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file promfmt.h  The Prometheus text exposition format (0.0.4): the
 *                  writer every part's metrics go through
 */
#ifndef UMEDGE_PROMFMT_H
#define UMEDGE_PROMFMT_H

/** Content-Type of the exposition */
#define PROMFMT_CTYPE "text/plain; version=0.0.4; charset=utf-8"

/** A metric family's type */
enum promfmt_type {
	PROMFMT_COUNTER,
	PROMFMT_GAUGE,
};

int promfmt_family(struct mbuf *mb, const char *name,
		   enum promfmt_type type, const char *help);
int promfmt_sample(struct mbuf *mb, const char *name, const char *labels,
		   uint64_t v);
int promfmt_one(struct mbuf *mb, const char *name, enum promfmt_type type,
		const char *help, uint64_t v);
int promfmt_label(char *buf, size_t sz, const char *key, const char *val);
bool promfmt_name_valid(const char *name, bool label);

#endif
