/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file fzrelay.h  Fuzz targets' helpers around a relay
 */

void fzrelay_check(bool ok);
void fzrelay_flush(struct relay *relay);
