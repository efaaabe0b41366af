/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file turnuri.h  The TURN URIs (RFC 7065) clients reach the edge's
 *                  TURN listeners at, and the credential JSON that
 *                  carries them
 */
#ifndef UMEDGE_TURNURI_H
#define UMEDGE_TURNURI_H

struct cfg;
struct tok_rest;

bool turnuri_user_valid(const char *user);
int turnuri_json(struct re_printf *pf, const struct cfg *cfg);
int turnuri_lines(struct re_printf *pf, const struct cfg *cfg);
int turnuri_cred_json(struct mbuf *mb, const struct cfg *cfg,
		      const struct tok_rest *cred);

#endif
