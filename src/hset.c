/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file hset.c  A set of SIP hosts: choice and OPTIONS probes
 */
#include <string.h>
#include <re.h>
#define DEBUG_MODULE "hset"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "cfg.h"
#include "uacauth.h"
#include "siptp.h"
#include "jsonw.h"
#include "promfmt.h"
#include "hset.h"


/** One host */
struct hhost {
	struct le le;                   /**< Member of hset.hosts         */
	struct hset *hs;                /**< Owner                        */
	const struct cfg_host *cfg;     /**< Its configuration line       */
	struct uacauth *auth;           /**< Its credentials and the
					     challenge in force, shared by
					     the legs toward it, or NULL */
	char name[CFG_HOST_MAX + 8];    /**< host:port, for logs          */
	bool alive;                     /**< Answers OPTIONS              */
	struct siptp_req *probe;        /**< OPTIONS in flight            */
	struct tmr tmr;                 /**< Next probe / probe timeout   */
	uint32_t cseq;                  /**< Probe CSeq                   */
	uint64_t answered;              /**< Probes answered              */
	uint64_t missed;                /**< Probes unanswered or 5xx     */
};

/** A set of hosts */
struct hset {
	struct le le;                   /**< Member of a list of sets     */
	const struct cfg *cfg;          /**< Configuration (referenced)   */
	char name[CFG_NAME_MAX];        /**< "um" or the set's name       */
	uint32_t failover;              /**< enum cfg_failover bits       */
	enum cfg_media media;           /**< Media security of its legs   */
	bool info_dtmf;                 /**< INFO digits become RFC 4733  */
	struct siptp *tp;               /**< The transport of the hosts   */
	struct sa laddr;                /**< Our address there (From)     */
	struct list hosts;              /**< struct hhost                 */
};


static void probe_start(void *arg);


static void host_destructor(void *data)
{
	struct hhost *h = data;

	tmr_cancel(&h->tmr);
	mem_deref(h->probe);
	mem_deref(h->auth);
	list_unlink(&h->le);
}


static void hset_destructor(void *data)
{
	struct hset *hs = data;

	list_unlink(&hs->le);
	list_flush(&hs->hosts);
	mem_deref((void *)hs->cfg);
}


static const char *tp_param(enum cfg_tp tp)
{
	return cfg_tp_name(tp);
}


static const char *kind(const struct hhost *h)
{
	return h->cfg->set ? "gateway" : "UM host";
}


static void host_set(struct hhost *h, bool alive, const char *why)
{
	if (alive) {
		++h->answered;
		if (!h->alive)
			DEBUG_NOTICE("%s %s is back (%s)\n", kind(h), h->name,
				     why);
	}
	else {
		++h->missed;
		if (h->alive)
			DEBUG_WARNING("%s %s is out: %s\n", kind(h), h->name,
				      why);
	}

	h->alive = alive;
	if (h->hs->cfg->sip.options_interval)
		tmr_start(&h->tmr, h->hs->cfg->sip.options_interval * 1000,
			  probe_start, h);
}


static void probe_resp(int err, const struct sip_msg *msg, void *arg)
{
	struct hhost *h = arg;
	char why[64];

	if (err || !msg) {
		(void)re_snprintf(why, sizeof(why), "OPTIONS: %m", err);
		host_set(h, false, why);
		return;
	}

	if (msg->scode < 200)
		return;

	(void)re_snprintf(why, sizeof(why), "OPTIONS answered %u",
			  msg->scode);
	host_set(h, msg->scode < 500, why);
}


/* libre gives up on a non-INVITE after 32 s; a probe after 5 s */
static void probe_timeout(void *arg)
{
	struct hhost *h = arg;

	h->probe = mem_deref(h->probe);
	host_set(h, false, "OPTIONS timed out");
}


/* The probe's headers after the request line and Via */
static int probe_encode(struct mbuf *mb, const struct hhost *h,
			const char *uri)
{
	const struct hset *hs = h->hs;

	return mbuf_printf(mb, "To: <%s>\r\n"
			   "From: <sip:umedge@%J>;tag=%016llx\r\n"
			   "Call-ID: %016llx\r\n"
			   "CSeq: %u OPTIONS\r\n"
			   "Max-Forwards: 70\r\n"
			   "User-Agent: %s\r\n"
			   "Content-Length: 0\r\n\r\n",
			   uri, &hs->laddr, rand_u64(), rand_u64(), h->cseq,
			   hs->cfg->sip.user_agent);
}


static void probe_start(void *arg)
{
	struct hhost *h = arg;
	struct hset *hs = h->hs;
	char uri[CFG_HOST_MAX + 40];
	struct mbuf *mb;
	int err;

	hhost_uri(uri, sizeof(uri), h, NULL);

	h->probe = mem_deref(h->probe);
	++h->cseq;
	mb = mbuf_alloc(512);
	err = mb ? probe_encode(mb, h, uri) : ENOMEM;
	if (!err) {
		mb->pos = 0;
		err = siptp_request(&h->probe, hs->tp, true, "OPTIONS", uri,
				    NULL, mb, 0, NULL, probe_resp, h);
	}
	mem_deref(mb);
	if (err) {
		char why[64];

		(void)re_snprintf(why, sizeof(why), "OPTIONS could not be "
				  "sent: %m", err);
		host_set(h, false, why);
		return;
	}

	tmr_start(&h->tmr, HSET_PROBE_MS, probe_timeout, h);
}


static int host_add(struct hset *hs, const struct cfg_host *c)
{
	struct hhost *h = mem_zalloc(sizeof(*h), host_destructor);

	if (!h)
		return ENOMEM;

	h->hs = hs;
	h->cfg = c;
	h->alive = true;   /* until a probe says otherwise */
	if (c->user[0] && uacauth_alloc(&h->auth, c)) {
		mem_deref(h);
		return ENOMEM;
	}
	(void)re_snprintf(h->name, sizeof(h->name), "%s:%u", c->host,
			  c->port);
	list_append(&hs->hosts, &h->le, h);
	if (hs->cfg->sip.options_interval)
		tmr_start(&h->tmr, 0, probe_start, h);

	return 0;
}


/**
 * Set up a set of hosts and start probing them
 *
 * @param hsp Pointer to allocated set
 * @param cfg Configuration the hosts are from (referenced)
 * @param prm The set's hosts, failover, stack and address
 *
 * @return 0 if success, otherwise errorcode
 */
int hset_alloc(struct hset **hsp, const struct cfg *cfg,
	       const struct hset_prm *prm)
{
	struct hset *hs;
	int err = 0;

	if (!hsp || !cfg || !prm || !prm->hosts || !prm->tp || !prm->laddr)
		return EINVAL;

	if (list_count(prm->hosts) > HSET_MAX)
		return E2BIG;

	hs = mem_zalloc(sizeof(*hs), hset_destructor);
	if (!hs)
		return ENOMEM;

	hs->cfg = mem_ref((void *)cfg);
	str_ncpy(hs->name, prm->name, sizeof(hs->name));
	hs->failover = prm->failover;
	hs->media = prm->media;
	hs->info_dtmf = prm->info_dtmf;
	hs->tp = prm->tp;
	hs->laddr = *prm->laddr;

	for (struct le *le = prm->hosts->head; le && !err; le = le->next)
		err = host_add(hs, le->data);

	if (err)
		mem_deref(hs);
	else
		*hsp = hs;

	return err;
}


static bool candidate(const struct hhost *h, unsigned i, uint32_t tried,
		      uint32_t prio)
{
	return h->alive && !(tried & (1u << i)) && h->cfg->priority == prio;
}


/* Weighted choice among the candidates of the best priority */
static struct hhost *weighted(const struct hset *hs, uint32_t prio,
			      uint32_t tried)
{
	uint32_t total = 0, r;
	unsigned i = 0;

	for (struct le *le = hs->hosts.head; le; le = le->next, i++) {
		const struct hhost *h = le->data;

		if (candidate(h, i, tried, prio))
			total += h->cfg->weight ? h->cfg->weight : 1;
	}

	r = total ? rand_u32() % total : 0;
	i = 0;
	for (struct le *le = hs->hosts.head; le; le = le->next, i++) {
		struct hhost *h = le->data;
		uint32_t w = h->cfg->weight ? h->cfg->weight : 1;

		if (!candidate(h, i, tried, prio))
			continue;
		if (r < w)
			return h;
		r -= w;
	}

	return NULL;
}


/**
 * Choose a host for a call
 *
 * @param hs    Set of hosts
 * @param tried Hosts tried already (bit per host), updated
 *
 * @return the host, NULL if no alive host is left
 */
const struct hhost *hset_pick(const struct hset *hs, uint32_t *tried)
{
	const struct hhost *best = NULL;
	struct hhost *h;
	unsigned i = 0;

	if (!hs || !tried)
		return NULL;

	for (struct le *le = hs->hosts.head; le; le = le->next, i++) {
		const struct hhost *c = le->data;

		if (c->alive && !(*tried & (1u << i)) &&
		    (!best || c->cfg->priority < best->cfg->priority))
			best = c;
	}

	if (!best)
		return NULL;

	h = weighted(hs, best->cfg->priority, *tried);
	i = 0;
	for (struct le *le = hs->hosts.head; le; le = le->next, i++) {
		if (le->data == h)
			*tried |= 1u << i;
	}

	return h;
}


/**
 * Tell whether a failed attempt gives way to the set's next host
 *
 * @param hs    Set of hosts
 * @param scode Final status, 0 for no response or a failed connection
 *
 * @return true if the next host is tried
 */
bool hset_gives_way(const struct hset *hs, uint16_t scode)
{
	uint32_t fo = hs ? hs->failover : 0;

	if (!scode)
		return fo & CFG_FO_TIMEOUT;
	if (scode == 408)
		return fo & CFG_FO_408;
	if (scode >= 500 && scode < 600)
		return fo & CFG_FO_5XX;
	if (scode >= 600)
		return fo & CFG_FO_6XX;

	return false;
}


/** @return the number of hosts alive */
unsigned hset_alive(const struct hset *hs)
{
	unsigned n = 0;

	for (struct le *le = hs ? hs->hosts.head : NULL; le; le = le->next) {
		const struct hhost *h = le->data;

		n += h->alive;
	}

	return n;
}


/** @return the number of hosts */
unsigned hset_count(const struct hset *hs)
{
	return hs ? list_count(&hs->hosts) : 0;
}


/** @return the set's name */
const char *hset_name(const struct hset *hs)
{
	return hs ? hs->name : "";
}


/** @return the media security of a set's legs (UNSET: none said) */
enum cfg_media hset_media(const struct hset *hs)
{
	return hs ? hs->media : CFG_MEDIA_UNSET;
}


/** @return true if the set's INFO digits are played as RFC 4733 */
bool hset_info_dtmf(const struct hset *hs)
{
	return hs && hs->info_dtmf;
}


/** @return the set a host is in */
const struct hset *hhost_hset(const struct hhost *h)
{
	return h ? h->hs : NULL;
}


/**
 * Append a set to a list of sets (it leaves the list it is in)
 *
 * @param sets List of struct hset
 * @param hs   Set
 */
void hset_append(struct list *sets, struct hset *hs)
{
	if (!sets || !hs)
		return;

	list_unlink(&hs->le);
	list_append(sets, &hs->le, hs);
}


/**
 * Find a set by name
 *
 * @param sets List of struct hset
 * @param name Its name
 *
 * @return the set, NULL if none
 */
struct hset *hset_find(const struct list *sets, const char *name)
{
	for (struct le *le = list_head(sets); le && name; le = le->next) {
		struct hset *hs = le->data;

		if (!strcmp(hs->name, name))
			return hs;
	}

	return NULL;
}


/**
 * Find the host of a list of sets that has an address (the gateway a
 * call came from); hosts given by name are not resolved for this
 *
 * @param sets List of struct hset
 * @param addr The address (its port is not compared)
 *
 * @return the host, NULL if none
 */
const struct hhost *hset_host_find(const struct list *sets,
				   const struct sa *addr)
{
	for (struct le *le = list_head(sets); le && addr; le = le->next) {
		const struct hset *hs = le->data;

		for (struct le *he = hs->hosts.head; he; he = he->next) {
			const struct hhost *h = he->data;
			struct sa sa;

			if (!sa_set_str(&sa, h->cfg->host, 0) &&
			    sa_cmp(&sa, addr, SA_ADDR))
				return h;
		}
	}

	return NULL;
}


/**
 * Make a host's SIP URI, with a user part if given
 *
 * @param buf  Buffer
 * @param sz   Its size
 * @param h    Host
 * @param user User part, or NULL
 */
void hhost_uri(char *buf, size_t sz, const struct hhost *h,
	       const char *user)
{
	const char *host = h->cfg->host;
	bool v6 = strchr(host, ':') != NULL;

	(void)re_snprintf(buf, sz, "sip:%s%s%s%s%s:%u;transport=%s",
			  user ? user : "", user && user[0] ? "@" : "",
			  v6 ? "[" : "", host, v6 ? "]" : "", h->cfg->port,
			  tp_param(h->cfg->tp));
}


/** @return host:port, for logs and records */
const char *hhost_name(const struct hhost *h)
{
	return h ? h->name : "";
}


/** @return the host's credentials (shared by the legs toward it), or
 *  NULL if it has none */
struct uacauth *hhost_auth(const struct hhost *h)
{
	return h ? h->auth : NULL;
}


/** @return the host's configuration line */
const struct cfg_host *hhost_cfg(const struct hhost *h)
{
	return h ? h->cfg : NULL;
}


/**
 * Print the hosts and their state for umedgectl status
 *
 * @param pf Print handler
 * @param hs Set of hosts
 *
 * @return 0 if success, otherwise errorcode
 */
int hset_print(struct re_printf *pf, const struct hset *hs)
{
	int err = 0;

	for (struct le *le = hs ? hs->hosts.head : NULL; le; le = le->next) {
		const struct hhost *h = le->data;

		err |= re_hprintf(pf, "  %s%s %s %s priority %u weight %u: "
				  "%s (%llu probes answered, %llu missed)\n",
				  h->cfg->set ? "gateway " : "um host",
				  h->cfg->set ? hs->name : "",
				  tp_param(h->cfg->tp), h->name,
				  h->cfg->priority, h->cfg->weight,
				  h->alive ? "alive" : "OUT",
				  (unsigned long long)h->answered,
				  (unsigned long long)h->missed);
	}

	return err;
}


/**
 * Write each host of a set as a JSON object, for umedgectl --json
 *
 * @param w  JSON writer, inside an array
 * @param hs Host set, NULL for none
 */
void hset_json(struct jsonw *w, const struct hset *hs)
{
	for (struct le *le = hs ? hs->hosts.head : NULL; le; le = le->next) {
		const struct hhost *h = le->data;

		jsonw_obj(w, NULL);
		jsonw_str(w, "set", h->cfg->set ? hs->name : "um");
		jsonw_str(w, "host", h->name);
		jsonw_str(w, "transport", tp_param(h->cfg->tp));
		jsonw_bool(w, "alive", h->alive);
		jsonw_u64(w, "priority", h->cfg->priority);
		jsonw_u64(w, "weight", h->cfg->weight);
		jsonw_u64(w, "probes_answered", h->answered);
		jsonw_u64(w, "probes_missed", h->missed);
		jsonw_close(w);
	}
}


/**
 * Write a sample per host of a set: 1 if it answers its probes, else 0
 *
 * @param mb     Buffer
 * @param metric Metric name (its family is written by the caller)
 * @param hs     Host set, NULL for none
 *
 * @return 0 if success, otherwise errorcode
 */
int hset_up_samples(struct mbuf *mb, const char *metric,
		    const struct hset *hs)
{
	int err = 0;

	for (struct le *le = hs ? hs->hosts.head : NULL; le; le = le->next) {
		const struct hhost *h = le->data;
		char l[2 * CFG_HOST_MAX + 64] = "";

		err |= promfmt_label(l, sizeof(l), "set", hs->name);
		err |= promfmt_label(l, sizeof(l), "host", h->name);
		err |= promfmt_sample(mb, metric, l, h->alive);
	}

	return err;
}
