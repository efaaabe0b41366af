/**
 * @file umhost.c  The internal UM hosts (call routers): choice and probes
 */
#include <string.h>
#include <re.h>
#define DEBUG_MODULE "umhost"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "cfg.h"
#include "umhost.h"


/** One UM host */
struct umhost {
	struct le le;                   /**< Member of umhosts.hosts      */
	struct umhosts *uh;             /**< Owner                        */
	const struct cfg_umhost *cfg;   /**< Its configuration line       */
	char name[CFG_HOST_MAX + 8];    /**< host:port, for logs          */
	bool alive;                     /**< Answers OPTIONS              */
	struct sip_request *probe;      /**< OPTIONS in flight            */
	struct tmr tmr;                 /**< Next probe / probe timeout   */
	uint32_t cseq;                  /**< Probe CSeq                   */
	uint64_t answered;              /**< Probes answered              */
	uint64_t missed;                /**< Probes unanswered or 5xx     */
};

/** The UM hosts */
struct umhosts {
	const struct cfg *cfg;          /**< Configuration (referenced)   */
	struct sip *sip;                /**< The inside stack             */
	struct sa laddr;                /**< Our inside address (From)    */
	struct list hosts;              /**< struct umhost                */
};


static void probe_start(void *arg);


static void host_destructor(void *data)
{
	struct umhost *h = data;

	tmr_cancel(&h->tmr);
	mem_deref(h->probe);
	list_unlink(&h->le);
}


static void umhosts_destructor(void *data)
{
	struct umhosts *uh = data;

	list_flush(&uh->hosts);
	mem_deref((void *)uh->cfg);
}


static const char *tp_param(enum cfg_tp tp)
{
	return tp == CFG_TLS ? "tls" : "tcp";
}


static void host_set(struct umhost *h, bool alive, const char *why)
{
	if (alive) {
		++h->answered;
		if (!h->alive)
			DEBUG_NOTICE("UM host %s is back (%s)\n", h->name, why);
	}
	else {
		++h->missed;
		if (h->alive)
			DEBUG_WARNING("UM host %s is out: %s\n", h->name, why);
	}

	h->alive = alive;
	if (h->uh->cfg->sip.options_interval)
		tmr_start(&h->tmr, h->uh->cfg->sip.options_interval * 1000,
			  probe_start, h);
}


static void probe_resp(int err, const struct sip_msg *msg, void *arg)
{
	struct umhost *h = arg;
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
	struct umhost *h = arg;

	h->probe = mem_deref(h->probe);
	host_set(h, false, "OPTIONS timed out");
}


static void probe_start(void *arg)
{
	struct umhost *h = arg;
	struct umhosts *uh = h->uh;
	char uri[CFG_HOST_MAX + 40];
	int err;

	umhost_uri(uri, sizeof(uri), h, NULL);

	h->probe = mem_deref(h->probe);
	err = sip_requestf(&h->probe, uh->sip, true, "OPTIONS", uri, NULL,
			   NULL, NULL, probe_resp, h,
			   "To: <%s>\r\n"
			   "From: <sip:umedge@%J>;tag=%016llx\r\n"
			   "Call-ID: %016llx\r\n"
			   "CSeq: %u OPTIONS\r\n"
			   "User-Agent: %s\r\n"
			   "Content-Length: 0\r\n\r\n",
			   uri, &uh->laddr, rand_u64(), rand_u64(), ++h->cseq,
			   uh->cfg->sip.user_agent);
	if (err) {
		host_set(h, false, "OPTIONS could not be sent");
		return;
	}

	tmr_start(&h->tmr, UMHOST_PROBE_MS, probe_timeout, h);
}


/**
 * Set up the UM hosts and start probing them
 *
 * @param uhp   Pointer to allocated hosts
 * @param cfg   Configuration (sip_um_host lines), referenced
 * @param sip   The inside SIP stack
 * @param laddr Our inside address, for From
 *
 * @return 0 if success, otherwise errorcode
 */
int umhosts_alloc(struct umhosts **uhp, const struct cfg *cfg,
		  struct sip *sip, const struct sa *laddr)
{
	struct umhosts *uh;
	int err = 0;

	if (!uhp || !cfg || !sip || !laddr)
		return EINVAL;

	if (list_count(&cfg->sip.umhosts) > UMHOST_MAX)
		return E2BIG;

	uh = mem_zalloc(sizeof(*uh), umhosts_destructor);
	if (!uh)
		return ENOMEM;

	uh->cfg = mem_ref((void *)cfg);
	uh->sip = sip;
	uh->laddr = *laddr;

	for (struct le *le = cfg->sip.umhosts.head; le; le = le->next) {
		struct umhost *h = mem_zalloc(sizeof(*h), host_destructor);

		if (!h) {
			err = ENOMEM;
			break;
		}

		h->uh = uh;
		h->cfg = le->data;
		h->alive = true;   /* until a probe says otherwise */
		(void)re_snprintf(h->name, sizeof(h->name), "%s:%u",
				  h->cfg->host, h->cfg->port);
		list_append(&uh->hosts, &h->le, h);
		if (cfg->sip.options_interval)
			tmr_start(&h->tmr, 0, probe_start, h);
	}

	if (err)
		mem_deref(uh);
	else
		*uhp = uh;

	return err;
}


/* Weighted choice among the candidates of the best priority */
static struct umhost *weighted(const struct umhosts *uh, uint32_t prio,
			       uint32_t tried)
{
	uint32_t total = 0, r;
	unsigned i = 0;

	for (struct le *le = uh->hosts.head; le; le = le->next, i++) {
		const struct umhost *h = le->data;

		if (h->alive && !(tried & (1u << i)) &&
		    h->cfg->priority == prio)
			total += h->cfg->weight ? h->cfg->weight : 1;
	}

	r = total ? rand_u32() % total : 0;
	i = 0;
	for (struct le *le = uh->hosts.head; le; le = le->next, i++) {
		struct umhost *h = le->data;
		uint32_t w = h->cfg->weight ? h->cfg->weight : 1;

		if (!h->alive || (tried & (1u << i)) ||
		    h->cfg->priority != prio)
			continue;
		if (r < w)
			return h;
		r -= w;
	}

	return NULL;
}


/**
 * Choose a UM host for a call
 *
 * @param uh    UM hosts
 * @param tried Hosts tried already (bit per host), updated
 *
 * @return the host, NULL if no alive host is left
 */
const struct umhost *umhosts_pick(const struct umhosts *uh, uint32_t *tried)
{
	const struct umhost *best = NULL;
	struct umhost *h;
	unsigned i = 0;

	if (!uh || !tried)
		return NULL;

	for (struct le *le = uh->hosts.head; le; le = le->next, i++) {
		const struct umhost *c = le->data;

		if (c->alive && !(*tried & (1u << i)) &&
		    (!best || c->cfg->priority < best->cfg->priority))
			best = c;
	}

	if (!best)
		return NULL;

	h = weighted(uh, best->cfg->priority, *tried);
	i = 0;
	for (struct le *le = uh->hosts.head; le; le = le->next, i++) {
		if (le->data == h)
			*tried |= 1u << i;
	}

	return h;
}


/** @return the number of hosts alive */
unsigned umhosts_alive(const struct umhosts *uh)
{
	unsigned n = 0;

	for (struct le *le = uh ? uh->hosts.head : NULL; le; le = le->next) {
		const struct umhost *h = le->data;

		n += h->alive;
	}

	return n;
}


/**
 * Make a host's SIP URI, with a user part if given
 *
 * @param buf  Buffer
 * @param sz   Its size
 * @param h    Host
 * @param user User part, or NULL
 */
void umhost_uri(char *buf, size_t sz, const struct umhost *h,
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
const char *umhost_name(const struct umhost *h)
{
	return h ? h->name : "";
}


/**
 * Print the hosts and their state for umedgectl status
 *
 * @param pf Print handler
 * @param uh UM hosts
 *
 * @return 0 if success, otherwise errorcode
 */
int umhosts_print(struct re_printf *pf, const struct umhosts *uh)
{
	int err = 0;

	for (struct le *le = uh ? uh->hosts.head : NULL; le; le = le->next) {
		const struct umhost *h = le->data;

		err |= re_hprintf(pf, "  um host %s %s priority %u weight %u: "
				  "%s (%llu probes answered, %llu missed)\n",
				  tp_param(h->cfg->tp), h->name,
				  h->cfg->priority, h->cfg->weight,
				  h->alive ? "alive" : "OUT",
				  (unsigned long long)h->answered,
				  (unsigned long long)h->missed);
	}

	return err;
}
