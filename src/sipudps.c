/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sipudps.c  A side's own SIP sockets over UDP
 *
 * The sockets a side listens on. One can be added or removed alone (a
 * reload): removed, it is closed at once and its port free; the
 * transactions that still refer to it send nothing more. A request
 * leaves from the first socket of the destination's address family,
 * as libre's sip_transp_laddr() picks.
 */
#include <re.h>
#include "sipudp.h"
#include "sipudps.h"


/** The set */
struct sipudps {
	struct list l;               /**< struct member              */
	struct sipudp_prm prm;       /**< Settings of every socket   */
	sipudp_msg_h *msgh;          /**< Their message handler      */
	void *arg;                   /**< Its argument               */
	uint64_t answered;           /**< Answered by removed ones   */
};

/** A socket of the set */
struct member {
	struct le le;                /**< Member of sipudps.l        */
	struct sipudp *su;           /**< The socket                 */
};


static void set_destructor(void *data)
{
	struct sipudps *set = data;

	list_flush(&set->l);
}


static void member_destructor(void *data)
{
	struct member *m = data;

	list_unlink(&m->le);
	sipudp_close(m->su);
	mem_deref(m->su);
}


/**
 * Create a side's set of UDP sockets
 *
 * @param setp Pointer to the set
 * @param prm  Settings of its sockets (copied)
 * @param msgh Their message handler
 * @param arg  Its argument
 *
 * @return 0 if success, otherwise errorcode
 */
int sipudps_alloc(struct sipudps **setp, const struct sipudp_prm *prm,
		  sipudp_msg_h *msgh, void *arg)
{
	struct sipudps *set;

	if (!setp || !prm || !msgh)
		return EINVAL;

	set = mem_zalloc(sizeof(*set), set_destructor);
	if (!set)
		return ENOMEM;

	set->prm = *prm;
	set->msgh = msgh;
	set->arg = arg;
	*setp = set;

	return 0;
}


/**
 * Open a socket, not yet in the set (a reload binds before it commits;
 * what comes meanwhile is handled)
 *
 * @param set   Set
 * @param sup   Pointer to the socket
 * @param laddr Where
 *
 * @return 0 if success, otherwise errorcode
 */
int sipudps_make(struct sipudps *set, struct sipudp **sup,
		 const struct sa *laddr)
{
	if (!set)
		return EINVAL;

	return sipudp_alloc(sup, laddr, &set->prm, set->msgh, set->arg);
}


/**
 * Put a socket in the set
 *
 * @param set Set
 * @param su  Socket (referenced)
 *
 * @return 0 if success, otherwise errorcode
 */
int sipudps_add(struct sipudps *set, struct sipudp *su)
{
	struct member *m;

	if (!set || !su)
		return EINVAL;

	m = mem_zalloc(sizeof(*m), member_destructor);
	if (!m)
		return ENOMEM;

	m->su = mem_ref(su);
	list_append(&set->l, &m->le, m);

	return 0;
}


/**
 * Close the socket on an address and take it out of the set
 *
 * @param set   Set
 * @param laddr Its address
 *
 * @return 0 if success, ENOENT if none is there
 */
int sipudps_remove(struct sipudps *set, const struct sa *laddr)
{
	if (!set || !laddr)
		return EINVAL;

	for (struct le *le = set->l.head; le; le = le->next) {
		struct member *m = le->data;

		if (sa_cmp(sipudp_laddr(m->su), laddr, SA_ALL)) {
			set->answered += sipudp_answered(m->su);
			mem_deref(m);
			return 0;
		}
	}

	return ENOENT;
}


/**
 * The socket a message to dst leaves from
 *
 * @param set Set
 * @param dst Destination, or NULL for the first socket
 *
 * @return the socket, or NULL if none fits
 */
struct sipudp *sipudps_pick(const struct sipudps *set, const struct sa *dst)
{
	if (!set)
		return NULL;

	for (struct le *le = set->l.head; le; le = le->next) {
		struct member *m = le->data;

		if (!dst || sa_af(sipudp_laddr(m->su)) == sa_af(dst))
			return m->su;
	}

	return NULL;
}


/** @return how many sockets the set has */
uint32_t sipudps_count(const struct sipudps *set)
{
	return set ? list_count(&set->l) : 0;
}


/** @return the undecodable requests its sockets answered */
uint64_t sipudps_answered(const struct sipudps *set)
{
	uint64_t n;

	if (!set)
		return 0;

	n = set->answered;
	for (struct le *le = set->l.head; le; le = le->next) {
		const struct member *m = le->data;

		n += sipudp_answered(m->su);
	}

	return n;
}
