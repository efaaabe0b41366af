/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file fzrelay.h  Fuzz targets' helpers around a relay
 */

struct cfg;

int  fzrelay_cfg(struct cfg **cfgp, const char *conf);
void fzrelay_check(bool ok);
void fzrelay_flush(struct relay *relay);
void fzrelay_settle(struct relay *relay);
