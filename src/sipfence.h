/**
 * @file sipfence.h  A first look at outside UDP requests, before
 *                   libre's server transactions see them
 */
#ifndef UMEDGE_SIPFENCE_H
#define UMEDGE_SIPFENCE_H

/**
 * A request came on a watched UDP transport, before libre took it
 *
 * @param msg The request (source, transport and socket filled in)
 * @param arg Handler argument
 *
 * @return true if it was answered or dropped: libre never sees it
 */
typedef bool (sipfence_h)(const struct sip_msg *msg, void *arg);

int sipfence_watch(struct list *list, const struct sip_msg *msg,
		   sipfence_h *reqh, void *arg);

#endif
