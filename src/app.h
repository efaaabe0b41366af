/**
 * @file app.h  The umedge daemon: its parts and their lifetime
 */
#ifndef UMEDGE_APP_H
#define UMEDGE_APP_H

struct cfg;
struct app;

int  app_alloc(struct app **appp, struct cfg *cfg);
void app_reload(struct app *app);
const struct cfg *app_cfg(const struct app *app);

#endif
