/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file b2b.c  SIP B2BUA front end: stacks, listeners and the first
 *              look at every request
 *
 * Each side has its own libre SIP stack with its own transports, so a
 * message built for one side can only carry that side's addresses.
 * Every request is checked (sipguard) and its source judged (gate)
 * before anything holds state for it: a malformed request gets its
 * 4xx/5xx, an untrusted source 403, a source over its rate 503, all
 * stateless. Then it either matches a dialog of a call, or it is an
 * OPTIONS (200, answered here) or a new call from outside.
 */
#include <string.h>
#include <re.h>
#define DEBUG_MODULE "sip"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "cfg.h"
#include "elog.h"
#include "ipnet.h"
#include "relay.h"
#include "sipguard.h"
#include "gate.h"
#include "hset.h"
#include "srclim.h"
#include "inlim.h"
#include "outcall.h"
#include "tlsctx.h"
#include "tlsmat.h"
#include "sipraw.h"
#include "b2b.h"
#include "b2b_priv.h"
#include "bcall.h"


enum {
	LEGS_HASH   = 4096,  /**< Buckets of the leg table        */
	TRANS_HASH  = 16384, /**< Buckets of libre's transaction
				  tables: a transaction lingers 32 s
				  after it ends, so at 1000 calls/s
				  some 200k are kept             */
	CONN_HASH   = 1024,  /**< Buckets of its TCP/TLS conns    */
	RETRY_AFTER = 5,     /**< Seconds, with a rate-limit 503  */

	STREAM_MSG_MAX      = 65536,   /**< Largest message on a stream  */
	STREAM_LINGER_MS    = 2000,    /**< After 513/400, before close  */
};



static void b2b_destructor(void *data)
{
	struct b2b *b2b = data;

	list_flush(&b2b->calls);
	mem_deref(b2b->callids);      /* emptied by the calls' ends */
	list_flush(&b2b->lreqs);
	dtq_close(&b2b->q_noresp);
	dtq_close(&b2b->q_setup);
	for (int i = 0; i < B2B_OK_STEPS; i++)
		dtq_close(&b2b->q_ok[i]);
	list_flush(&b2b->raw);
	hash_flush(b2b->legs);
	mem_deref(b2b->legs);
	mem_deref(b2b->umhosts);
	list_flush(&b2b->gwsets);
	mem_deref(b2b->srclim);
	mem_deref(b2b->inlim);
	mem_deref(b2b->gate);
	for (int s = 0; s < 2; s++) {
		b2b->lsnr[s] = mem_deref(b2b->lsnr[s]);
		b2b->rlsnr[s] = mem_deref(b2b->rlsnr[s]);
		b2b->tp[s] = mem_deref(b2b->tp[s]);
		if (b2b->sip[s])
			sip_close(b2b->sip[s], true);
		b2b->sip[s] = mem_deref(b2b->sip[s]);
		mem_deref(b2b->tls[s]);
	}
	mem_deref(b2b->dnsc);
	mem_deref(b2b->hep);
	mem_deref((void *)b2b->cfg);
}


static bool refuse(struct b2b *b2b, enum b2b_side side,
		   const struct sip_msg *msg)
{
	struct sipguard_verdict v;
	bool ack = !pl_strcmp(&msg->met, "ACK");
	struct siptp *sip = b2b->tp[side];

	sipguard_request(msg, &v);
	if (v.scode) {
		++b2b->st.malformed;
		++b2b->st.guard[side][v.rule];
		if (gate_log(b2b->gate))
			DEBUG_INFO("%J: %r refused with %u: %s\n", &msg->src,
				   &msg->met, v.scode, v.why);
		if (!ack)
			(void)siptp_replyf(sip, msg, v.scode, v.reason,
					 "%s"
					 "Warning: 399 umedge \"%s\"\r\n"
					 "Content-Length: 0\r\n\r\n", v.hdrs,
					 v.why);
		return true;
	}

	/* over TLS the peer has shown a certificate from sip_tls_ca (the
	 * handshake required it): that is trust enough */
	if (msg->tp != SIP_TRANSP_TLS &&
	    !gate_trusted(b2b->gate, side == B2B_INT, &msg->src)) {
		++b2b->st.forbidden;
		if (gate_log(b2b->gate))
			DEBUG_INFO("%J: %r from an untrusted source: 403\n",
				   &msg->src, &msg->met);
		if (!ack)
			(void)siptp_reply(sip, msg, 403, "Forbidden");
		return true;
	}

	return false;
}


/* A gateway's new call, within the limits on calls in: 503 beyond */
static int invite_in(struct b2b *b2b, const struct sip_msg *msg)
{
	struct bcall_prm prm = {B2B_EXT, b2b->umhosts, NULL, NULL};
	const char *why = "";
	int err;

	err = inlim_take(b2b->inlim, b2b->cfg, &msg->src, &prm.slot, &why);
	if (err == EBUSY) {
		++b2b->st.in_limited;
		DEBUG_INFO("%J: INVITE refused with 503: %s\n", &msg->src,
			   why);
		return siptp_replyf(b2b->tp[B2B_EXT], msg, 503,
				  "Service Unavailable",
				  "Retry-After: %u\r\n"
				  "Warning: 399 umedge \"%s\"\r\n"
				  "Content-Length: 0\r\n\r\n", RETRY_AFTER,
				  why);
	}
	if (err)
		return err;

	err = bcall_invite(b2b, &prm, msg);
	mem_deref(prm.slot);

	return err;
}


/* A new call: a gateway's goes to the UM hosts; UM's own is judged and
 * routed first (outcall.c) */
static void invite(struct b2b *b2b, enum b2b_side side,
		   const struct sip_msg *msg)
{
	int err;

	/* after a takeover: our 2xx again, not a new call (legok.c) */
	if (leg_ok_again(b2b, msg))
		return;

	if (side == B2B_INT)
		err = outcall_invite(b2b, msg);
	else
		err = invite_in(b2b, msg);

	if (err)
		(void)siptp_reply(b2b->tp[side], msg, 500,
				"Server Internal Error");
}


/* While draining: a new call (and OPTIONS, unless drain_options_503
 * no) gets 503 with Retry-After, so gateways and proxies go elsewhere;
 * true if it was answered */
static bool drained(struct b2b *b2b, enum b2b_side side,
		    const struct sip_msg *msg)
{
	bool invite = !pl_strcmp(&msg->met, "INVITE");

	if (!invite && (pl_strcmp(&msg->met, "OPTIONS") ||
			!b2b->cfg->drain.options_503))
		return false;

	if (invite)
		++b2b->st.drained;
	(void)siptp_replyf(b2b->tp[side], msg, 503, "Service Unavailable",
			   "Retry-After: %u\r\n"
			   "Warning: 399 umedge \"draining\"\r\n"
			   "Content-Length: 0\r\n\r\n",
			   b2b->cfg->drain.retry_after);

	return true;
}


static void out_of_dialog(struct b2b *b2b, enum b2b_side side,
			  const struct sip_msg *msg)
{
	struct siptp *sip = b2b->tp[side];

	if (!pl_strcmp(&msg->met, "ACK"))
		return;

	if (pl_isset(&msg->to.tag)) {
		(void)siptp_reply(sip, msg, 481,
				"Call/Transaction Does Not Exist");
		return;
	}

	if (!gate_admit(b2b->gate, &msg->src, tmr_jiffies())) {
		++b2b->st.limited;
		(void)siptp_replyf(sip, msg, 503, "Service Unavailable",
				 "Retry-After: %u\r\n"
				 "Content-Length: 0\r\n\r\n", RETRY_AFTER);
		return;
	}

	if (b2b->draining && drained(b2b, side, msg))
		return;

	if (!pl_strcmp(&msg->met, "OPTIONS")) {
		(void)siptp_replyf(sip, msg, 200, "OK",
				 "Allow: %s\r\n"
				 "Accept: application/sdp\r\n"
				 "Content-Length: 0\r\n\r\n", B2B_ALLOW);
		return;
	}

	if (!pl_strcmp(&msg->met, "INVITE")) {
		invite(b2b, side, msg);
		return;
	}

	if (!pl_strcmp(&msg->met, "CANCEL")) {
		(void)siptp_reply(sip, msg, 481,
				"Call/Transaction Does Not Exist");
		return;
	}

	(void)siptp_replyf(sip, msg, 405, "Method Not Allowed",
			 "Allow: %s\r\nContent-Length: 0\r\n\r\n", B2B_ALLOW);
}


static bool request(struct b2b *b2b, enum b2b_side side,
		    const struct sip_msg *msg)
{
	struct leg *leg;

	if (refuse(b2b, side, msg))
		return true;

	leg = leg_find(b2b, msg);
	if (leg && leg->side == side)
		leg_recv(leg, msg);
	else
		out_of_dialog(b2b, side, msg);

	return true;
}


/* Outside, before the transactions (own transports' first look, or
 * sipraw.c's on libre's UDP): an untrusted source's request is refused
 * (a CANCEL or a retransmission of it must not reach them), and so is
 * a CANCEL from another source than its INVITE's */
bool b2b_fence_request(const struct sip_msg *msg, void *arg)
{
	struct b2b *b2b = arg;

	if (!gate_trusted(b2b->gate, false, &msg->src))
		return refuse(b2b, B2B_EXT, msg);

	if (pl_strcmp(&msg->met, "CANCEL") || !leg_cancel_foreign(b2b, msg))
		return false;

	DEBUG_INFO("%J: CANCEL from another source than its INVITE: 481\n",
		   &msg->src);
	(void)siptp_reply(b2b->tp[B2B_EXT], msg, 481,
			"Call/Transaction Does Not Exist");

	return true;
}


static bool ext_request(const struct sip_msg *msg, void *arg)
{
	struct b2b *b2b = arg;

	for (struct le *le = b2b->raw.head; le; le = le->next) {
		if (sipraw_claim(le->data, msg))
			return true;
	}

	return request(b2b, B2B_EXT, msg);
}


static bool int_request(const struct sip_msg *msg, void *arg)
{
	return request(arg, B2B_INT, msg);
}


static int resolver_alloc(struct b2b *b2b)
{
	struct sa nsv[8];
	uint32_t nsn = ARRAY_SIZE(nsv);
	char domain[64] = "";
	int err;

	err = dns_srv_get(domain, sizeof(domain), nsv, &nsn);
	if (err || !nsn) {
		nsn = 1;
		(void)sa_set_str(&nsv[0], "127.0.0.1", 53);
	}

	return dnsc_alloc(&b2b->dnsc, NULL, nsv, nsn);
}


static int gwsets_alloc(struct b2b *b2b, const struct cfg *cfg,
			struct list *sets)
{
	int err = 0;

	for (struct le *le = cfg->sip.gwsets.head; le && !err; le = le->next) {
		const struct cfg_gwset *set = le->data;
		const struct hset_prm prm = {
			set->name, &set->gws, set->failover, b2b->tp[B2B_EXT],
			&b2b->laddr[B2B_EXT],
			set->media ? set->media : cfg->sip.gw_media,
			set->info_dtmf
		};
		struct hset *hs;

		err = hset_alloc(&hs, cfg, &prm);
		if (!err)
			hset_append(sets, hs);
	}

	return err;
}


/* The UM hosts: every failure gives way to the next one */
static int umhosts_alloc(struct hset **hsp, struct b2b *b2b,
			 const struct cfg *cfg)
{
	const struct hset_prm prm = {
		"um", &cfg->sip.umhosts,
		CFG_FO_TIMEOUT | CFG_FO_408 | CFG_FO_5XX | CFG_FO_6XX,
		b2b->tp[B2B_INT], &b2b->laddr[B2B_INT], cfg->sip.um_media,
		false
	};

	return hset_alloc(hsp, cfg, &prm);
}


static void timeout_handler(const char *callid, void *arg)
{
	bcall_media_timeout(arg, callid);
}


/* A response no transaction took: a 2xx that came again is ACKed again;
 * anything else libre logs and drops */
static bool stray_response(const struct sip_msg *msg, void *arg)
{
	return leg_ack_again(arg, msg);
}


/* Requests and stray responses on own streams */
static void own_ext_request(const struct sip_msg *msg, void *arg)
{
	(void)request(arg, B2B_EXT, msg);
}


static void own_int_request(const struct sip_msg *msg, void *arg)
{
	(void)request(arg, B2B_INT, msg);
}


static void own_stray(const struct sip_msg *msg, void *arg)
{
	(void)stray_response(msg, arg);
}


/* The limits of own streams (sip_own_streams, sip_stream_*) */
static void stream_limits(struct b2b *b2b, const struct cfg_sip *c)
{
	struct sipstream_prm *p = &b2b->slim;

	p->conn.max_msg = STREAM_MSG_MAX;
	p->conn.first_ms = c->stream_msg_timeout * 1000;
	p->conn.msg_ms = c->stream_msg_timeout * 1000;
	p->conn.idle_ms = c->stream_idle * 1000;
	p->conn.linger_ms = STREAM_LINGER_MS;
	p->conn.allow = B2B_ALLOW;
	p->max_conns = c->stream_conns;
	p->max_per_source = c->stream_conns_source;
}


static int stacks_alloc(struct b2b *b2b, const struct cfg *cfg)
{
	int err = 0;

	stream_limits(b2b, &cfg->sip);
	for (int s = 0; s < 2 && !err; s++) {
		struct siptp_prm prm = {
			NULL, b2b->dnsc, cfg->sip.own_streams,
			cfg->sip.own_udp, s == B2B_EXT ? b2b->gate : NULL,
			cfg->sip.user_agent, &b2b->slim,
			s == B2B_EXT ? b2b_fence_request : NULL,
			s == B2B_EXT ? own_ext_request : own_int_request,
			own_stray, b2b
		};

		err = sip_alloc(&b2b->sip[s], b2b->dnsc, TRANS_HASH,
				TRANS_HASH, CONN_HASH, cfg->sip.user_agent,
				NULL, b2b);
		if (!err)
			err = sip_listen(&b2b->lsnr[s], b2b->sip[s], true,
					 s == B2B_EXT ? ext_request :
					 int_request, b2b);
		if (!err)
			err = sip_listen(&b2b->rlsnr[s], b2b->sip[s], false,
					 stray_response, b2b);
		prm.sip = b2b->sip[s];
		if (!err)
			err = siptp_alloc(&b2b->tp[s], &prm);
	}

	return err;
}


/**
 * Start the B2BUA
 *
 * @param b2bp  Pointer to allocated B2BUA
 * @param cfg   Configuration, referenced
 * @param relay The media relay every call is anchored on
 *
 * @return 0 if success, otherwise errorcode
 */
int b2b_alloc(struct b2b **b2bp, const struct cfg *cfg, struct relay *relay)
{
	struct b2b *b2b;
	char why[256];
	int err;

	if (!b2bp || !cfg)
		return EINVAL;

	if (!relay) {
		elog_err("sip_enable yes needs relay_enable yes: the B2BUA "
			 "anchors every call's media on the relay\n");
		return EINVAL;
	}

	b2b = mem_zalloc(sizeof(*b2b), b2b_destructor);
	if (!b2b)
		return ENOMEM;

	b2b->cfg = mem_ref((void *)cfg);
	b2b->relay = relay;
	err = dtq_init(&b2b->q_noresp, B2B_NORESP_MS);
	err |= dtq_init(&b2b->q_setup, B2B_SETUP_STORE_MS);
	for (int i = 0; i < B2B_OK_STEPS; i++)
		err |= dtq_init(&b2b->q_ok[i], 500u << i);   /* T1 .. T2 */
	if (err)
		goto out;

	err = b2b_sides_find(b2b, cfg);
	if (err)
		goto out;

	err  = hash_alloc(&b2b->legs, LEGS_HASH);
	err |= hash_alloc(&b2b->callids, LEGS_HASH);
	err |= resolver_alloc(b2b);
	err |= gate_alloc(&b2b->gate, cfg);
	if (err)
		goto out;

	err = stacks_alloc(b2b, cfg);
	if (!err)
		err = b2b_hep_start(b2b, cfg);
	if (err)
		goto out;

	err = b2b_listen_start(b2b, cfg);
	if (err)
		goto out;

	err = b2b_hosts_check(cfg, why, sizeof(why));
	if (err) {
		elog_err("%s\n", why);
		goto out;
	}

	err  = umhosts_alloc(&b2b->umhosts, b2b, cfg);
	err |= gwsets_alloc(b2b, cfg, &b2b->gwsets);
	err |= srclim_alloc(&b2b->srclim);
	err |= inlim_alloc(&b2b->inlim);
	if (err)
		goto out;

	relay_set_timeout_handler(relay, timeout_handler, b2b);

	DEBUG_INFO("B2BUA: outside %s, inside %s, %u UM hosts, "
		   "%u gateway sets\n", b2b->iface[B2B_EXT],
		   b2b->iface[B2B_INT], list_count(&cfg->sip.umhosts),
		   list_count(&cfg->sip.gwsets));

 out:
	if (err)
		mem_deref(b2b);
	else
		*b2bp = b2b;

	return err;
}


/**
 * Apply a reloaded configuration: trusted gateways, internal networks,
 * rate limit, redirect limit, user agent, CDR file, and for UM's own
 * calls the allowed numbers, routes, limits and gateway sets take
 * effect for the next request (calls in progress keep their set);
 * listeners and UM hosts on restart
 *
 * @param b2b B2BUA
 * @param cfg New configuration, referenced
 */
void b2b_set_cfg(struct b2b *b2b, const struct cfg *cfg)
{
	struct list sets = LIST_INIT;
	struct hset *um = NULL;

	if (!b2b || !cfg)
		return;

	/* new calls go to the new UM hosts; a call holds its own set */
	if (umhosts_alloc(&um, b2b, cfg))
		elog_err("sip: reload: the UM hosts could not be made; the "
			 "old ones stay\n");
	else {
		mem_deref(b2b->umhosts);
		b2b->umhosts = um;
	}

	if (gwsets_alloc(b2b, cfg, &sets)) {
		elog_err("sip: reload: the gateway sets could not be made; "
			 "the old ones stay\n");
		list_flush(&sets);
	}
	else {
		list_flush(&b2b->gwsets);
		while (sets.head)
			hset_append(&b2b->gwsets, list_ledata(sets.head));
	}

	tlsctx_gwsets_set(b2b->tls[B2B_EXT], &cfg->sip.gwsets);
	mem_deref((void *)b2b->cfg);
	b2b->cfg = mem_ref((void *)cfg);
	gate_set_cfg(b2b->gate, cfg);
}


/**
 * Read and check the SIP TLS files of a reload (sip_tls_cert, _key,
 * _ca): nothing changes yet
 *
 * @param b2b  B2BUA, NULL if disabled
 * @param cfg  New configuration
 * @param mp   The material, NULL when no TLS runs (or the B2BUA is off)
 * @param why  Buffer for the reason it cannot be used
 * @param sz   Its size
 *
 * @return 0 if success, otherwise errorcode (the reload is refused)
 */
int b2b_tls_prepare(const struct b2b *b2b, const struct cfg *cfg,
		    struct tlsmat **mp, char *why, size_t sz)
{
	*mp = NULL;
	if (!b2b || (!b2b->tls[B2B_EXT] && !b2b->tls[B2B_INT]))
		return 0;

	return tlsmat_load(mp, cfg->sip.tls_cert, cfg->sip.tls_key,
			   cfg->sip.tls_ca, why, sz);
}


/**
 * Put renewed SIP TLS material in force for new handshakes on both
 * sides (established connections keep theirs); inside, the names a
 * UM host's certificate must carry follow the new UM hosts
 *
 * @param b2b B2BUA
 * @param cfg New configuration
 * @param m   Material from b2b_tls_prepare(), or NULL
 */
void b2b_tls_commit(struct b2b *b2b, const struct cfg *cfg,
		    struct tlsmat *m)
{
	if (!b2b || !m)
		return;

	for (int s = 0; s < 2; s++) {
		if (b2b->tls[s] && tlsmat_apply(b2b->tls[s], m))
			elog_err("sip: reload: TLS of the %s could not be "
				 "renewed\n", s == B2B_EXT ? "outside" :
				 "inside");
	}

	if (b2b->tls[B2B_INT])
		(void)tlsctx_names_set(b2b->tls[B2B_INT], &cfg->sip.umhosts);
}


/**
 * Start or stop refusing new calls (a drain)
 *
 * @param b2b B2BUA, NULL if disabled
 * @param on  Whether new calls get 503
 */
void b2b_set_draining(struct b2b *b2b, bool on)
{
	if (b2b)
		b2b->draining = on;
}


/**
 * End every call now (a drain that timed out): BYE on both legs of an
 * answered call, 503 to the caller of one that is not
 *
 * @param b2b   B2BUA, NULL if disabled
 * @param cause Cause, for the log and the records
 */
void b2b_hangup_all(struct b2b *b2b, const char *cause)
{
	struct le *le = b2b ? b2b->calls.head : NULL;

	while (le) {
		struct bcall *call = le->data;

		le = le->next;
		bcall_hangup(call, cause);
	}
}
