/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file app.h  The umedge daemon: its parts and their lifetime
 */
#ifndef UMEDGE_APP_H
#define UMEDGE_APP_H

struct cfg;
struct app;

int  app_alloc(struct app **appp, struct cfg *cfg);
int  app_reload(struct app *app, char *msg, size_t msgsz);
void app_ready(struct app *app);
void app_stopping(struct app *app);
int  app_drain(struct app *app, uint32_t timeout);
const struct cfg *app_cfg(const struct app *app);

#endif
