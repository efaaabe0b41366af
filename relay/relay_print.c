/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file relay_print.c  What the relay shows: query data and umedgectl's
 *                      "calls" and "call" views
 */
#include <string.h>
#include <time.h>
#include <re.h>
#include "cfg.h"
#include "iface.h"
#include "fwd.h"
#include "offload.h"
#include "mkern.h"
#include "worker.h"
#include "portpool.h"
#include "relay.h"
#include "sec.h"
#include "relay_priv.h"


/** @return the call's Call-ID */
const char *relay_call_id(const struct relay_call *call)
{
	return call ? call->id : NULL;
}


/** @return the tag of side 0 (offerer) or 1 (answerer), "" if unknown */
const char *relay_call_tag(const struct relay_call *call, int side)
{
	return call && (side == 0 || side == 1) ? call->tag[side] : NULL;
}


/** @return the unix time the call was created */
uint64_t relay_call_created(const struct relay_call *call)
{
	return call ? call->created : 0;
}


/** @return the number of streams of the call */
unsigned relay_call_streams(const struct relay_call *call)
{
	return call ? list_count(&call->streams) : 0;
}


static void side_info(const struct relay_stream *s, int i, uint64_t now,
		      struct relay_side_info *si)
{
	const struct fwd_side *fside = &s->fs->side[i];
	const struct fwd_counters *c = &fside->c;
	struct fwd_view view;
	uint64_t last;

	fwd_side_view(s->fs, i, &view);

	si->local = s->pair[i].local;
	si->sdp = s->sdp[i];
	si->latched = view.addr;
	si->state = latch_state_name(view.state);
	si->iface = s->ifc[i]->name;
	si->mux = s->mux[i];
	str_ncpy(si->proto, s->sec[i].proto, sizeof(si->proto));
	(void)re_snprintf(si->sec, sizeof(si->sec), "%H", sec_print,
			  &s->sec[i]);
	si->packets = FWD_GET(c->packets);
	si->bytes = FWD_GET(c->bytes);
	si->rtcp = FWD_GET(c->rtcp);
	si->dropped = FWD_GET(c->dropped);
	si->errors = FWD_GET(c->errors);
	si->ssrc = FWD_GET(c->ssrc);
	si->lost = FWD_GET(c->lost);
	si->jitter_ms = FWD_GET(c->jitter_ms);
	si->relatches = view.relatches;
	last = FWD_GET(c->last_rx);
	si->idle_ms = last ? now - last : now - s->fs->phase_start;
}


/**
 * Describe the call's i-th stream (in m= order)
 *
 * @param call Call
 * @param i    0 .. relay_call_streams() - 1
 * @param info Filled in
 *
 * @return 0 if success, ENOENT if there is no such stream
 */
int relay_call_stream(const struct relay_call *call, unsigned i,
		      struct relay_stream_info *info)
{
	struct le *le;
	uint64_t now = fwd_now_ms();

	if (!call || !info)
		return EINVAL;

	le = list_head(&call->streams);
	while (le && i--)
		le = le->next;
	if (!le)
		return ENOENT;

	{
		const struct relay_stream *s = le->data;

		memset(info, 0, sizeof(*info));
		info->index = s->index;
		str_ncpy(info->type, s->type, sizeof(info->type));
		info->timed_out = s->timed_out;
		info->kernel = FWD_GET(s->fs->kflows);
		side_info(s, 0, now, &info->side[0]);
		side_info(s, 1, now, &info->side[1]);
	}

	return 0;
}


/**
 * Count the port pairs of every interface
 *
 * @param relay  Relay
 * @param freep  Pairs free
 * @param totalp Pairs in all
 */
void relay_ports(const struct relay *relay, uint32_t *freep,
		 uint32_t *totalp)
{
	uint32_t pairs = 0, free = 0;

	for (struct le *le = relay ? relay->ifaces.head : NULL; le;
	     le = le->next) {
		const struct relay_iface *ifc = le->data;

		pairs += portpool_pairs(ifc->pool);
		free += portpool_free(ifc->pool);
	}

	if (freep)
		*freep = free;
	if (totalp)
		*totalp = pairs;
}


/**
 * Sum the kernel fast path's figures over the workers
 *
 * @param relay Relay
 * @param ks    Filled in
 */
void relay_kern_sum(const struct relay *relay, struct relay_kern_sum *ks)
{
	_Static_assert(MK_CNT_N <= ARRAY_SIZE(ks->prog), "prog counters");

	memset(ks, 0, sizeof(*ks));
	ks->on = relay->cfg->relay.kernel != CFG_KPATH_NO;
	ks->path = relay->kpath;
	if (!ks->on)
		return;

	if (relay->kpath == OFFLOAD_USER) {
		ks->unavailable = relay->kpath_err ? relay->kpath_err : ENODEV;
		return;
	}

	if (relay->kpath == OFFLOAD_BPF)
		mkern_counts(relay->mk, ks->prog);

	for (unsigned i = 0; i < relay->nworkers; i++) {
		const struct offload *o = worker_offload(relay->workers[i]);

		if (relay->kpath == OFFLOAD_CONNTRACK && !o->kern) {
			ks->unavailable = o->last_err ? o->last_err : ENODEV;
			return;
		}
		ks->flows += FWD_GET(o->flows);
		ks->installs += FWD_GET(o->installs);
		ks->failures += FWD_GET(o->failures);
		ks->backoffs += FWD_GET(o->backoffs);
		ks->unrouted += FWD_GET(o->unrouted);
		if (FWD_GET(o->last_err))
			ks->last_err = FWD_GET(o->last_err);
	}
}


static int punts_print(struct re_printf *pf, const struct relay_kern_sum *ks)
{
	int err = re_hprintf(pf, ", redirected %llu, punts:",
			     (unsigned long long)ks->prog[MK_CNT_REDIRECT]);

	for (unsigned i = 0; i < MK_PUNT_N; i++)
		err |= re_hprintf(pf, "%s %s %llu", i ? "," : "",
				  mkern_punt_name(i),
				  (unsigned long long)ks->prog[i]);

	return err;
}


/* The kernel fast path, summed over the workers */
static int kernel_status(struct re_printf *pf, const struct relay *relay)
{
	struct relay_kern_sum ks;
	int err;

	relay_kern_sum(relay, &ks);
	if (!ks.on)
		return re_hprintf(pf, "kernel: off\n");
	if (ks.unavailable)
		return re_hprintf(pf, "kernel: unavailable (%m)\n",
				  ks.unavailable);

	err = re_hprintf(pf, "kernel: %s, %u flows, %llu installed, "
			 "%llu refused",
			 ks.path == OFFLOAD_BPF ? "bpf" : "on", ks.flows,
			 (unsigned long long)ks.installs,
			 (unsigned long long)ks.failures);
	if (ks.last_err)
		err |= re_hprintf(pf, " (last: %m)", ks.last_err);
	if (ks.path == OFFLOAD_BPF) {
		err |= re_hprintf(pf, ", %llu held back, %llu unrouted",
				  (unsigned long long)ks.backoffs,
				  (unsigned long long)ks.unrouted);
		err |= punts_print(pf, &ks);
	}
	else
		err |= re_hprintf(pf, ", path conntrack");

	return err | re_hprintf(pf, "\n");
}


/**
 * Print the relay's state for umedgectl status
 *
 * @param pf    Print handler
 * @param relay Relay, NULL if disabled
 *
 * @return 0 if success, otherwise errorcode
 */
int relay_status(struct re_printf *pf, const struct relay *relay)
{
	uint32_t pairs, free;
	int err;

	if (!relay)
		return re_hprintf(pf, "relay: disabled\n");

	relay_ports(relay, &free, &pairs);

	err = re_hprintf(pf, "relay: enabled, %u threads, %u calls, "
			 "%u of %u port pairs free, %llu offers, "
			 "%llu answers, %llu refused\n",
			 relay->nworkers, relay->ncalls, free, pairs,
			 (unsigned long long)relay->offers,
			 (unsigned long long)relay->answers,
			 (unsigned long long)relay->refused);

	return err | kernel_status(pf, relay);
}


static bool call_line(const struct relay_call *call, void *arg)
{
	struct re_printf *pf = arg;
	struct relay_stream_info info;
	uint64_t pkts = 0;

	for (unsigned i = 0; !relay_call_stream(call, i, &info); i++)
		pkts += info.side[0].packets + info.side[1].packets;

	(void)re_hprintf(pf, "%-40s %6llus %2u streams %10llu packets\n",
			 call->id,
			 (unsigned long long)(time(NULL) - call->created),
			 relay_call_streams(call), (unsigned long long)pkts);

	return false;
}


/**
 * Print one line per call
 *
 * @param pf    Print handler
 * @param relay Relay
 *
 * @return 0 if success, otherwise errorcode
 */
int relay_calls_print(struct re_printf *pf, const struct relay *relay)
{
	if (!relay)
		return re_hprintf(pf, "the relay is disabled\n");

	(void)re_hprintf(pf, "%u calls\n", relay->ncalls);
	relay_call_apply(relay, call_line, pf);

	return 0;
}


static int side_print(struct re_printf *pf, const char *name,
		      const struct relay_side_info *si)
{
	return re_hprintf(pf,
		"    %s (%s): local %J, sdp %J, latched %J (%s%s)\n"
		"      media %s (%s)\n"
		"      packets %llu, bytes %llu, rtcp %llu, dropped %llu, "
		"errors %llu\n"
		"      ssrc %08x, lost %lld, jitter %u ms, idle %llu ms, "
		"relatches %u\n",
		name, si->iface, &si->local, &si->sdp, &si->latched,
		si->state, si->mux ? ", rtcp-mux" : "", si->sec,
		si->proto[0] ? si->proto : "-",
		(unsigned long long)si->packets,
		(unsigned long long)si->bytes,
		(unsigned long long)si->rtcp,
		(unsigned long long)si->dropped,
		(unsigned long long)si->errors, si->ssrc,
		(long long)si->lost, si->jitter_ms,
		(unsigned long long)si->idle_ms, si->relatches);
}


/**
 * Print one call with its streams, sides, latches and counters
 *
 * @param pf     Print handler
 * @param relay  Relay
 * @param callid Call-ID
 *
 * @return 0 if success, ENOENT if there is no such call
 */
int relay_call_print(struct re_printf *pf, const struct relay *relay,
		     const struct pl *callid)
{
	const struct relay_call *call = relay_call_find(relay, callid);
	struct relay_stream_info info;
	int err;

	if (!call) {
		(void)re_hprintf(pf, "no call '%r'\n", callid);
		return ENOENT;
	}

	err = re_hprintf(pf, "call %s, %llu s, tags %s / %s%s\n", call->id,
			 (unsigned long long)(time(NULL) - call->created),
			 call->tag[0], call->tag[1],
			 call->answered ? ", answered" : "");

	for (unsigned i = 0; !relay_call_stream(call, i, &info); i++) {
		err |= re_hprintf(pf, "  stream %u (%s)%s%s\n", info.index,
				  info.type,
				  info.kernel ? ", in kernel" : "",
				  info.timed_out ? ", TIMED OUT" : "");
		err |= side_print(pf, "offerer ", &info.side[0]);
		err |= side_print(pf, "answerer", &info.side[1]);
	}

	return err;
}
