/**
 * @file umhost.h  The internal UM hosts (call routers): choice and probes
 *
 * Each host is probed with OPTIONS every sip_options_interval seconds
 * (0: never; every host counts as alive, and only failover per call
 * steers around a dead one).
 * A host that answers (any status below 500) is alive; one that times
 * out, refuses the connection or answers 5xx is taken out until it
 * answers again. A timeout umedge generates itself never counts as an
 * answer. Calls go to the alive host of the lowest priority value,
 * chosen among equal priorities by weight, and fail over to the next
 * one (umhosts_pick with the hosts already tried).
 */
#ifndef UMEDGE_UMHOST_H
#define UMEDGE_UMHOST_H

struct umhosts;
struct umhost;
struct cfg;

enum {
	UMHOST_MAX        = 32,     /**< Hosts (bits of a tried mask)  */
	UMHOST_PROBE_MS   = 5000,   /**< Probe timeout                 */
};

int  umhosts_alloc(struct umhosts **uhp, const struct cfg *cfg,
		   struct sip *sip, const struct sa *laddr);
const struct umhost *umhosts_pick(const struct umhosts *uh,
				  uint32_t *tried);
unsigned umhosts_alive(const struct umhosts *uh);
void umhost_uri(char *buf, size_t sz, const struct umhost *h,
		const char *user);
const char *umhost_name(const struct umhost *h);
int  umhosts_print(struct re_printf *pf, const struct umhosts *uh);

#endif
