/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file b2blisten.c  The B2BUA's SIP listeners: made at start, and
 *                    added, moved or removed by a reload
 *
 * A listener's side is that of its interface's address (inside if it
 * lies in a sip_internal_network). The first listener of each side
 * names the side's relay interface and address: those stay for the
 * daemon's life.
 *
 * A reload works in two steps, as the rest of app_reload(). The
 * prepare step checks the new listeners and binds those that are new,
 * before anything changes; a failure refuses the reload whole. The
 * commit step puts them in force. Over own streams (TCP, TLS) a side
 * has one listener of each; one that is removed or moved stops
 * accepting, and its connections, with the calls on them, go on until
 * they close (siptp_stream_set()). Over own UDP (sip_own_udp) a UDP
 * listener is added or removed alone: a removed one's port is free at
 * once, and the calls whose messages went through it lose that path.
 * On libre's UDP (sip_own_udp no) UDP listeners can be added (libre's
 * sip_transp_add(); outside, with the sipraw.c helper) but not removed:
 * libre 1.1.0 closes its UDP transports only all at once
 * (sip_transp_flush()), so that change needs a restart.
 */
#include <string.h>
#include <re.h>
#define DEBUG_MODULE "sip"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "cfg.h"
#include "elog.h"
#include "ipnet.h"
#include "tlsctx.h"
#include "sipraw.h"
#include "b2b.h"
#include "b2b_priv.h"


/** What a reload does to the listeners, made before it applies */
struct b2b_lprep {
	struct sipstream *ss[2][2];   /**< [side][tls]: new listener   */
	bool set[2][2];               /**< [side][tls]: replace (ss NULL:
					   remove)                     */
	struct tls *tls[2];           /**< New TLS context per side    */
	struct list udp;              /**< struct udpnew               */
};

/** A UDP listener a reload adds or removes */
struct udpnew {
	struct le le;                 /**< Member of b2b_lprep.udp     */
	enum b2b_side side;           /**< Its side                    */
	struct sa laddr;              /**< Where                       */
	struct udp_sock *hold;        /**< libre's: bound until the commit */
	struct sipudp *su;            /**< Own: the new socket         */
	bool gone;                    /**< Removed                     */
};


/* libre's transport of a configured one */
static enum sip_transp tp_of(enum cfg_tp tp)
{
	switch (tp) {

	case CFG_TCP: return SIP_TRANSP_TCP;
	case CFG_TLS: return SIP_TRANSP_TLS;
	default:      return SIP_TRANSP_UDP;
	}
}


/* a listener's side and address; ENOENT for an unknown interface */
static int where(const struct cfg *cfg, const struct cfg_listen *l,
		 enum b2b_side *sidep, struct sa *laddr)
{
	const struct cfg_iface *ifc = cfg_iface_find(cfg, l->iface);

	if (!ifc)
		return ENOENT;

	*sidep = ipnet_match(&cfg->sip.internal_nets, &ifc->addr) ?
		B2B_INT : B2B_EXT;
	sa_cpy(laddr, &ifc->addr);
	sa_set_port(laddr, l->port);

	return 0;
}


/* the first listener's interface on each side, "" for none */
static int sides_of(const struct cfg *cfg, char name[2][CFG_NAME_MAX],
		    struct sa addr[2])
{
	memset(name, 0, 2 * CFG_NAME_MAX);
	for (struct le *le = cfg->sip.listeners.head; le; le = le->next) {
		const struct cfg_listen *l = le->data;
		enum b2b_side side;
		struct sa laddr;

		if (where(cfg, l, &side, &laddr))
			return ENOENT;

		if (name[side][0])
			continue;
		str_ncpy(name[side], l->iface, CFG_NAME_MAX);
		sa_cpy(&addr[side], &laddr);
		sa_set_port(&addr[side], 0);
	}

	return 0;
}


/**
 * Find each side's interface and address (the first listener's)
 *
 * @param b2b B2BUA
 * @param cfg Configuration
 *
 * @return 0 if success, otherwise errorcode
 */
int b2b_sides_find(struct b2b *b2b, const struct cfg *cfg)
{
	int err = sides_of(cfg, b2b->iface, b2b->laddr);

	if (!err && b2b->iface[B2B_EXT][0] && b2b->iface[B2B_INT][0])
		return 0;

	elog_err("sip: needs a sip_listen outside and one inside (on an "
		 "interface whose address is in a sip_internal_network)\n");

	return err ? err : EINVAL;
}


/* whether the configuration has a listener of a transport on a side */
static bool has_listener(const struct cfg *cfg, enum b2b_side side,
			 enum cfg_tp tp)
{
	for (struct le *le = cfg->sip.listeners.head; le; le = le->next) {
		const struct cfg_listen *l = le->data;
		enum b2b_side s;
		struct sa laddr;

		if (l->tp == tp && !where(cfg, l, &s, &laddr) && s == side)
			return true;
	}

	return false;
}


/* each host needs a listener of its transport on its side */
static int hosts_ok(const struct cfg *cfg, enum b2b_side side,
		    const struct list *hosts, const char *key, char *msg,
		    size_t sz)
{
	for (struct le *le = list_head(hosts); le; le = le->next) {
		const struct cfg_host *h = le->data;

		if (has_listener(cfg, side, h->tp))
			continue;

		(void)re_snprintf(msg, sz, "%s %s %s (line %u): needs a "
				  "sip_listen on the %s with %s", key,
				  cfg_tp_name(h->tp), h->host, h->line,
				  side == B2B_INT ? "inside" : "outside",
				  cfg_tp_name(h->tp));
		return EINVAL;
	}

	return 0;
}


/**
 * Check that every UM host and gateway has a listener of its transport
 * on its side
 *
 * @param cfg Configuration
 * @param msg Buffer for the reason
 * @param sz  Its size
 *
 * @return 0 if so, EINVAL if not
 */
int b2b_hosts_check(const struct cfg *cfg, char *msg, size_t sz)
{
	int err = hosts_ok(cfg, B2B_INT, &cfg->sip.umhosts, "sip_um_host",
			   msg, sz);

	for (struct le *le = cfg->sip.gwsets.head; le && !err; le = le->next) {
		const struct cfg_gwset *set = le->data;

		err = hosts_ok(cfg, B2B_EXT, &set->gws, "sip_gw", msg, sz);
	}

	return err;
}


/* a side's TLS context, made from the configuration's files */
static int tls_make(const struct cfg *cfg, enum b2b_side side,
		    struct tls **tlsp)
{
	const struct tlsctx_prm prm = {
		"sip_tls", cfg->sip.tls_cert, cfg->sip.tls_key,
		cfg->sip.tls_ca, true,
		side == B2B_INT ? &cfg->sip.umhosts : NULL,
		side == B2B_EXT ? &cfg->sip.gwsets : NULL
	};

	return tlsctx_alloc(tlsp, &prm);
}


/* a UDP listener on libre's stack; outside, with its sipraw helper */
static int udp_add(struct b2b *b2b, enum b2b_side side,
		   const struct sa *laddr)
{
	int err = sip_transp_add(b2b->sip[side], SIP_TRANSP_UDP, laddr);

	if (err || side != B2B_EXT)
		return err;

	err = sipraw_alloc(&b2b->raw, laddr, b2b->gate, B2B_ALLOW,
			   b2b_fence_request, b2b);
	if (!err && b2b->hep)
		sipraw_set_trace(list_ledata(b2b->raw.tail), b2b_hep_trace,
				 b2b);

	return err;
}


static int listen_one(struct b2b *b2b, const struct cfg *cfg,
		      enum b2b_side side, enum cfg_tp tp,
		      const struct sa *laddr)
{
	int err = 0;

	if (tp == CFG_TLS && !b2b->tls[side])
		err = tls_make(cfg, side, &b2b->tls[side]);
	if (err)
		return err;

	if (tp == CFG_UDP && cfg->sip.own_udp)
		return siptp_udp_listen(b2b->tp[side], laddr);
	if (tp != CFG_UDP && cfg->sip.own_streams)
		return siptp_listen(b2b->tp[side], laddr,
				    tp == CFG_TLS ? b2b->tls[side] : NULL);
	if (tp == CFG_TLS)
		return sip_transp_add(b2b->sip[side], SIP_TRANSP_TLS, laddr,
				      b2b->tls[side]);
	if (tp == CFG_TCP)
		return sip_transp_add(b2b->sip[side], SIP_TRANSP_TCP, laddr);

	return udp_add(b2b, side, laddr);
}


/**
 * Open every configured SIP listener (at start)
 *
 * @param b2b B2BUA
 * @param cfg Configuration
 *
 * @return 0 if success, otherwise errorcode
 */
int b2b_listen_start(struct b2b *b2b, const struct cfg *cfg)
{
	for (struct le *le = cfg->sip.listeners.head; le; le = le->next) {
		const struct cfg_listen *l = le->data;
		enum b2b_side side;
		struct sa laddr;
		int err;

		err = where(cfg, l, &side, &laddr);
		if (!err)
			err = listen_one(b2b, cfg, side, l->tp, &laddr);
		if (err) {
			elog_err("sip_listen %s %s %u: %m\n", l->iface,
				 cfg_tp_name(l->tp), l->port, err);
			return err;
		}

		DEBUG_INFO("listening on %s %J (%s)\n", cfg_tp_name(l->tp),
			   &laddr, side == B2B_INT ? "inside" : "outside");
	}

	return 0;
}


static void lprep_destructor(void *data)
{
	struct b2b_lprep *p = data;

	for (int s = 0; s < 2; s++) {
		mem_deref(p->ss[s][0]);
		mem_deref(p->ss[s][1]);
		mem_deref(p->tls[s]);
	}
	list_flush(&p->udp);
}


static void udpnew_destructor(void *data)
{
	struct udpnew *u = data;

	list_unlink(&u->le);
	mem_deref(u->hold);
	mem_deref(u->su);
}


/* whether a configuration has a UDP listener on a side and address */
static bool udp_in(const struct cfg *cfg, enum b2b_side side,
		   const struct sa *laddr)
{
	for (struct le *le = cfg->sip.listeners.head; le; le = le->next) {
		const struct cfg_listen *l = le->data;
		enum b2b_side s;
		struct sa a;

		if (l->tp == CFG_UDP && !where(cfg, l, &s, &a) &&
		    s == side && sa_cmp(&a, laddr, SA_ALL))
			return true;
	}

	return false;
}


/* the UDP listeners of the old configuration the new one drops: to be
 * closed (own UDP), or refused (libre's) */
static int udp_removed(const struct cfg *o, const struct cfg *n,
		       struct b2b_lprep *p, char *msg, size_t sz)
{
	for (struct le *le = o->sip.listeners.head; le; le = le->next) {
		const struct cfg_listen *l = le->data;
		struct udpnew *u;
		enum b2b_side side;
		struct sa laddr;

		if (l->tp != CFG_UDP || where(o, l, &side, &laddr) ||
		    udp_in(n, side, &laddr))
			continue;

		if (!o->sip.own_udp) {
			(void)re_snprintf(msg, sz, "sip_listen %s udp %u "
					  "removed: with sip_own_udp no that "
					  "needs a restart (libre closes its "
					  "UDP transports only all at once)",
					  l->iface, l->port);
			return EBUSY;
		}

		u = mem_zalloc(sizeof(*u), udpnew_destructor);
		if (!u)
			return ENOMEM;

		u->side = side;
		u->laddr = laddr;
		u->gone = true;
		list_append(&p->udp, &u->le, u);
	}

	return 0;
}


/* the UDP listeners the new configuration adds, bound now */
static int udp_prepare(const struct b2b *b2b, const struct cfg *n,
		       struct b2b_lprep *p, char *msg, size_t sz)
{
	const struct cfg *o = b2b->cfg;

	for (struct le *le = n->sip.listeners.head; le; le = le->next) {
		const struct cfg_listen *l = le->data;
		struct udpnew *u;
		int err;

		if (l->tp != CFG_UDP)
			continue;

		u = mem_zalloc(sizeof(*u), udpnew_destructor);
		if (!u)
			return ENOMEM;

		list_append(&p->udp, &u->le, u);
		err = where(n, l, &u->side, &u->laddr);
		if (err || udp_in(o, u->side, &u->laddr)) {
			mem_deref(u);
			continue;
		}

		if (o->sip.own_udp)
			err = siptp_udp_make(b2b->tp[u->side], &u->su,
					     &u->laddr);
		else
			err = udp_listen(&u->hold, &u->laddr, NULL, NULL);
		if (err) {
			(void)re_snprintf(msg, sz, "sip_listen %s udp %u: %m",
					  l->iface, l->port, err);
			return err;
		}
	}

	return 0;
}


/* where the configuration wants a side's TCP or TLS listener;
 * EEXIST for two of them */
static int stream_want(const struct cfg *cfg, enum b2b_side side,
		       enum cfg_tp tp, struct sa *laddr, bool *wanted)
{
	*wanted = false;
	for (struct le *le = cfg->sip.listeners.head; le; le = le->next) {
		const struct cfg_listen *l = le->data;
		enum b2b_side s;
		struct sa a;

		if (l->tp != tp || where(cfg, l, &s, &a) || s != side)
			continue;
		if (*wanted)
			return EEXIST;

		*wanted = true;
		*laddr = a;
	}

	return 0;
}


/* a side's TCP (t false) or TLS listener: kept, or replaced */
static int stream_prepare(const struct b2b *b2b, const struct cfg *cfg,
			  struct b2b_lprep *p, enum b2b_side s, bool t,
			  char *msg, size_t sz)
{
	const enum cfg_tp tp = t ? CFG_TLS : CFG_TCP;
	const char *sn = s == B2B_INT ? "inside" : "outside";
	struct sa want, have;
	bool wanted, had;
	struct tls *tls;
	int err;

	had = !siptp_laddr(b2b->tp[s], &have, tp_of(tp), NULL);
	if (stream_want(cfg, s, tp, &want, &wanted)) {
		(void)re_snprintf(msg, sz, "sip_listen: two %s listeners on "
				  "the %s (one of each transport per side)",
				  cfg_tp_name(tp), sn);
		return EINVAL;
	}

	if (wanted == had && (!had || sa_cmp(&want, &have, SA_ALL)))
		return 0;

	if (!cfg->sip.own_streams) {
		(void)re_snprintf(msg, sz, "sip_listen %s on the %s changed: "
				  "with sip_own_streams no that needs a "
				  "restart", cfg_tp_name(tp), sn);
		return EBUSY;
	}

	p->set[s][t] = true;
	if (!wanted)
		return 0;

	tls = t ? b2b->tls[s] : NULL;
	if (t && !tls) {
		err = tls_make(cfg, s, &p->tls[s]);
		if (err) {
			(void)re_snprintf(msg, sz, "sip_tls: %m", err);
			return err;
		}
		tls = p->tls[s];
	}

	err = siptp_stream_make(b2b->tp[s], &p->ss[s][t], &want, tls);
	if (err)
		(void)re_snprintf(msg, sz, "sip_listen %s %J: %m",
				  cfg_tp_name(tp), &want, err);

	return err;
}


/* a side keeps the interface of its first listener */
static int sides_kept(const struct b2b *b2b, const struct cfg *cfg,
		      char *msg, size_t sz)
{
	char name[2][CFG_NAME_MAX];
	struct sa addr[2];

	if (sides_of(cfg, name, addr)) {
		(void)re_snprintf(msg, sz, "sip_listen on an unknown "
				  "interface");
		return EINVAL;
	}

	for (int s = 0; s < 2; s++) {
		if (!strcmp(name[s], b2b->iface[s]))
			continue;

		(void)re_snprintf(msg, sz, "the first sip_listen of the %s "
				  "is on %s, was on %s: a side's interface "
				  "changes only with a restart",
				  s == B2B_INT ? "inside" : "outside",
				  name[s][0] ? name[s] : "nothing",
				  b2b->iface[s]);
		return EBUSY;
	}

	return 0;
}


/**
 * Check a reloaded configuration's SIP listeners and bind the new ones
 * (nothing changes yet)
 *
 * @param b2b B2BUA, NULL if disabled
 * @param cfg The new configuration
 * @param pp  What b2b_listen_commit() applies (NULL: nothing to do)
 * @param msg Buffer for the reason it cannot
 * @param sz  Its size
 *
 * @return 0 if success, otherwise errorcode
 */
int b2b_listen_prepare(const struct b2b *b2b, const struct cfg *cfg,
		       struct b2b_lprep **pp, char *msg, size_t sz)
{
	struct b2b_lprep *p;
	int err;

	*pp = NULL;
	if (!b2b || !cfg)
		return 0;

	p = mem_zalloc(sizeof(*p), lprep_destructor);
	if (!p)
		return ENOMEM;

	err = sides_kept(b2b, cfg, msg, sz);
	if (!err)
		err = b2b_hosts_check(cfg, msg, sz);
	if (!err)
		err = udp_removed(b2b->cfg, cfg, p, msg, sz);
	if (!err)
		err = udp_prepare(b2b, cfg, p, msg, sz);
	for (int s = 0; s < 2 && !err; s++) {
		err = stream_prepare(b2b, cfg, p, s, false, msg, sz);
		if (!err)
			err = stream_prepare(b2b, cfg, p, s, true, msg, sz);
	}

	if (err)
		mem_deref(p);
	else
		*pp = p;

	return err;
}


/* a UDP listener a reload adds or removes, in force */
static void udp_commit(struct b2b *b2b, struct udpnew *u)
{
	int err;

	if (u->gone) {
		err = siptp_udp_remove(b2b->tp[u->side], &u->laddr);
		if (!err)
			DEBUG_NOTICE("sip: udp %J closed\n", &u->laddr);
		return;
	}

	u->hold = mem_deref(u->hold);
	err = u->su ? siptp_udp_add(b2b->tp[u->side], u->su) :
		udp_add(b2b, u->side, &u->laddr);
	if (err)
		elog_err("sip: reload: UDP %J could not be added: %m\n",
			 &u->laddr, err);
	else
		DEBUG_NOTICE("sip: listening on udp %J\n", &u->laddr);
}


/**
 * Put the listeners b2b_listen_prepare() made in force; the TCP and
 * TLS listeners they replace stop accepting, their connections go on
 *
 * @param b2b B2BUA
 * @param p   From b2b_listen_prepare() (NULL: nothing)
 */
void b2b_listen_commit(struct b2b *b2b, struct b2b_lprep *p)
{
	if (!b2b || !p)
		return;

	for (int s = 0; s < 2; s++) {
		if (p->tls[s] && !b2b->tls[s])
			b2b->tls[s] = mem_ref(p->tls[s]);

		for (int t = 0; t < 2; t++) {
			if (!p->set[s][t])
				continue;
			siptp_stream_set(b2b->tp[s], t, p->ss[s][t],
					 b2b->tls[s]);
			DEBUG_NOTICE("sip: %s %s listener %s\n",
				     s == B2B_INT ? "inside" : "outside",
				     t ? "TLS" : "TCP",
				     p->ss[s][t] ? "in force" : "removed");
		}
	}

	for (struct le *le = p->udp.head; le; le = le->next)
		udp_commit(b2b, le->data);
}
