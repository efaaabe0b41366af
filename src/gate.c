/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file gate.c  Who may send requests to the edge, and how fast
 *
 * Buckets hold tokens in thousandths, refilled at sip_rate_limit per
 * second. A sweep every GATE_IDLE_MS frees those that are full again,
 * so memory follows the sources active in the last seconds. When
 * GATE_SOURCES_MAX sources are tracked, a new source is refused until
 * the next sweep: a flood from many addresses costs a bounded amount.
 * Refusals are logged at most GATE_LOG_PER_S lines a second, so that
 * forged sources cannot fill the log either.
 */
#include <string.h>
#include <re.h>
#define DEBUG_MODULE "sip"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "cfg.h"
#include "ipnet.h"
#include "tbucket.h"
#include "gate.h"


/** One source's bucket */
struct bucket {
	struct le he;          /**< Member of gate.buckets      */
	struct sa addr;        /**< Source address, no port     */
	struct tbucket tb;     /**< Requests per second         */
};

/** The gate */
struct gate {
	const struct cfg *cfg;     /**< Configuration (referenced)    */
	struct hash *buckets;      /**< struct bucket by address      */
	unsigned n;                /**< Buckets in the hash           */
	struct tmr tmr;            /**< Sweep                         */
	struct tbucket logtb;      /**< Refusals logged a second      */
	uint64_t held;             /**< Refusals not logged since     */
};


static void bucket_destructor(void *data)
{
	struct bucket *b = data;

	hash_unlink(&b->he);
}


static void gate_destructor(void *data)
{
	struct gate *gate = data;

	tmr_cancel(&gate->tmr);
	hash_flush(gate->buckets);
	mem_deref(gate->buckets);
	mem_deref((void *)gate->cfg);
}


static bool sweep_handler(struct le *le, void *arg)
{
	struct bucket *b = le->data;
	struct gate *gate = arg;

	if (tbucket_full(&b->tb, tmr_jiffies())) {
		mem_deref(b);
		--gate->n;
	}

	return false;
}


static void sweep(void *arg)
{
	struct gate *gate = arg;

	(void)hash_apply(gate->buckets, sweep_handler, gate);
	tmr_start(&gate->tmr, GATE_IDLE_MS, sweep, gate);
}


/**
 * Allocate the gate
 *
 * @param gatep Pointer to allocated gate
 * @param cfg   Configuration (sip_gateway, sip_internal_network,
 *              sip_rate_limit), referenced
 *
 * @return 0 if success, otherwise errorcode
 */
int gate_alloc(struct gate **gatep, const struct cfg *cfg)
{
	struct gate *gate;
	int err;

	if (!gatep || !cfg)
		return EINVAL;

	gate = mem_zalloc(sizeof(*gate), gate_destructor);
	if (!gate)
		return ENOMEM;

	gate->cfg = mem_ref((void *)cfg);
	err = hash_alloc(&gate->buckets, 1024);
	if (err) {
		mem_deref(gate);
		return err;
	}

	tbucket_init(&gate->logtb, GATE_LOG_PER_S, GATE_LOG_PER_S,
		     tmr_jiffies());
	tmr_start(&gate->tmr, GATE_IDLE_MS, sweep, gate);
	*gatep = gate;

	return 0;
}


/** Apply a reloaded configuration: networks and rate at once */
void gate_set_cfg(struct gate *gate, const struct cfg *cfg)
{
	if (!gate || !cfg)
		return;

	mem_deref((void *)gate->cfg);
	gate->cfg = mem_ref((void *)cfg);
}


/**
 * Tell whether a source may send requests
 *
 * @param gate   Gate
 * @param inside The request came to the inside stack
 * @param src    Its source address
 *
 * @return true if it is a configured gateway (outside) or inside an
 *         internal network (inside)
 */
bool gate_trusted(const struct gate *gate, bool inside, const struct sa *src)
{
	if (!gate || !src)
		return false;

	return ipnet_match(inside ? &gate->cfg->sip.internal_nets :
			   &gate->cfg->sip.gateways, src);
}


static bool bucket_cmp(struct le *le, void *arg)
{
	const struct bucket *b = le->data;

	return sa_cmp(&b->addr, arg, SA_ADDR);
}


/**
 * Take a token for one request from a source
 *
 * @param gate   Gate
 * @param src    Source address (the port is ignored)
 * @param now_ms Monotonic ms
 *
 * @return true if it may be served, false for 503
 */
bool gate_admit(struct gate *gate, const struct sa *src, uint64_t now_ms)
{
	uint64_t rate;
	struct bucket *b;

	if (!gate || !src)
		return false;

	rate = gate->cfg->sip.rate_limit;
	if (!rate)
		return true;

	b = list_ledata(hash_lookup(gate->buckets, sa_hash(src, SA_ADDR),
				    bucket_cmp, (void *)src));
	if (!b) {
		if (gate->n >= GATE_SOURCES_MAX)
			return false;

		b = mem_zalloc(sizeof(*b), bucket_destructor);
		if (!b)
			return false;

		sa_cpy(&b->addr, src);
		tbucket_init(&b->tb, rate, rate, now_ms);
		hash_append(gate->buckets, sa_hash(src, SA_ADDR), &b->he, b);
		++gate->n;
	}

	tbucket_set(&b->tb, rate, rate);

	return tbucket_take(&b->tb, 1, now_ms);
}


/**
 * Get the number of sources the gate tracks now
 *
 * @param gate Gate
 *
 * @return Buckets kept (at most GATE_SOURCES_MAX)
 */
unsigned gate_count(const struct gate *gate)
{
	return gate ? gate->n : 0;
}


/**
 * Tell whether a refusal may be logged: at most GATE_LOG_PER_S lines a
 * second (a burst as large). The first line after some were held back
 * says how many.
 *
 * @param gate Gate
 *
 * @return true to log it
 */
bool gate_log(struct gate *gate)
{
	if (!gate)
		return true;

	if (!tbucket_take(&gate->logtb, 1, tmr_jiffies())) {
		++gate->held;
		return false;
	}

	if (gate->held)
		DEBUG_INFO("%llu more refusals were not logged\n",
			   (unsigned long long)gate->held);
	gate->held = 0;

	return true;
}
