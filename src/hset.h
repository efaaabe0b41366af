/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file hset.h  A set of SIP hosts a call can go to: the UM hosts
 *               (call routers) inside, or a set of gateways outside
 *
 * Each host is probed with OPTIONS every sip_options_interval seconds
 * (0: never; every host counts as alive, and only failover per call
 * steers around a dead one).
 * A host that answers (any status below 500) is alive; one that times
 * out, refuses the connection or answers 5xx is taken out until it
 * answers again. A timeout umedge generates itself never counts as an
 * answer. Calls go to the alive host of the lowest priority value,
 * chosen among equal priorities by weight, and fail over to the next
 * one (hset_pick with the hosts already tried) on the failures the
 * set gives way on (hset_gives_way).
 */
#ifndef UMEDGE_HSET_H
#define UMEDGE_HSET_H

struct hset;
struct hhost;
struct cfg;
struct cfg_host;
struct uacauth;

enum {
	HSET_MAX        = 32,     /**< Hosts (bits of a tried mask)  */
	HSET_PROBE_MS   = 5000,   /**< Probe timeout                 */
};

/** What a set is made of */
struct hset_prm {
	const char *name;          /**< "um", or the gateway set's name */
	const struct list *hosts;  /**< struct cfg_host of cfg         */
	uint32_t failover;         /**< enum cfg_failover bits         */
	struct siptp *tp;          /**< The transport its hosts are on */
	const struct sa *laddr;    /**< Our address there, for From    */
	enum cfg_media media;      /**< Media security of its legs     */
	bool info_dtmf;            /**< Its INFO digits go to UM as
				        RFC 4733 events             */
};

int  hset_alloc(struct hset **hsp, const struct cfg *cfg,
		const struct hset_prm *prm);
const struct hhost *hset_pick(const struct hset *hs, uint32_t *tried);
bool hset_gives_way(const struct hset *hs, uint16_t scode);
unsigned hset_alive(const struct hset *hs);
unsigned hset_count(const struct hset *hs);
const char *hset_name(const struct hset *hs);
enum cfg_media hset_media(const struct hset *hs);
bool hset_info_dtmf(const struct hset *hs);
void hset_append(struct list *sets, struct hset *hs);
struct hset *hset_find(const struct list *sets, const char *name);
const struct hhost *hset_host_find(const struct list *sets,
				   const struct sa *addr);
int  hset_print(struct re_printf *pf, const struct hset *hs);
struct jsonw;
void hset_json(struct jsonw *w, const struct hset *hs);
int  hset_up_samples(struct mbuf *mb, const char *metric,
		     const struct hset *hs);
void hhost_uri(char *buf, size_t sz, const struct hhost *h,
	       const char *user);
const char *hhost_name(const struct hhost *h);
const struct cfg_host *hhost_cfg(const struct hhost *h);
const struct hset *hhost_hset(const struct hhost *h);
struct uacauth *hhost_auth(const struct hhost *h);

#endif
