/**
 * @file sipraw.h  Answers to SIP requests libre 1.1.0 cannot decode
 */
#ifndef UMEDGE_SIPRAW_H
#define UMEDGE_SIPRAW_H

struct sipraw;
struct gate;

int  sipraw_alloc(struct list *list, const struct sa *laddr,
		  const struct gate *gate, const char *allow);
bool sipraw_claim(struct sipraw *sr, const struct sip_msg *msg);
bool sipraw_ready(const struct sipraw *sr);
uint64_t sipraw_answered(const struct sipraw *sr);

#endif
