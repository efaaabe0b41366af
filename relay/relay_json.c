/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file relay_json.c  The relay's operator views as JSON (umedgectl
 *                     --json status, calls and call ID)
 *
 * The field names are a promise to scripts: umedgectl(8) lists them,
 * and tests/integration/ctl-json.test checks them.
 */
#include <string.h>
#include <time.h>
#include <re.h>
#include "cfg.h"
#include "jsonw.h"
#include "iface.h"
#include "fwd.h"
#include "offload.h"
#include "relay.h"
#include "sec.h"
#include "relay_priv.h"


static void kern_json(struct jsonw *w, const struct relay *relay)
{
	struct relay_kern_sum ks;
	char why[64];

	relay_kern_sum(relay, &ks);
	if (!ks.on) {
		jsonw_null(w, "kernel");
		return;
	}

	jsonw_obj(w, "kernel");
	if (ks.unavailable) {
		(void)re_snprintf(why, sizeof(why), "%m", ks.unavailable);
		jsonw_str(w, "state", "unavailable");
		jsonw_str(w, "path", "userspace");
		jsonw_str(w, "error", why);
		jsonw_close(w);
		return;
	}

	jsonw_str(w, "state", "on");
	jsonw_str(w, "path", offload_path_name(ks.path));
	jsonw_u64(w, "flows", ks.flows);
	jsonw_u64(w, "installs", ks.installs);
	jsonw_u64(w, "failures", ks.failures);
	jsonw_u64(w, "backoffs", ks.backoffs);
	jsonw_u64(w, "unrouted", ks.unrouted);
	jsonw_close(w);
}


/**
 * Write the relay's state as members of the open JSON object
 *
 * @param w     JSON writer, inside the object "relay"
 * @param relay Relay
 */
void relay_json(struct jsonw *w, const struct relay *relay)
{
	uint32_t pairs, free;

	if (!relay)
		return;

	relay_ports(relay, &free, &pairs);
	jsonw_u64(w, "threads", relay->nworkers);
	jsonw_u64(w, "calls", relay->ncalls);
	jsonw_u64(w, "port_pairs", pairs);
	jsonw_u64(w, "port_pairs_free", free);
	jsonw_u64(w, "offers", relay->offers);
	jsonw_u64(w, "answers", relay->answers);
	jsonw_u64(w, "refused", relay->refused);
	kern_json(w, relay);
}


static bool call_json(const struct relay_call *call, void *arg)
{
	struct jsonw *w = arg;
	struct relay_stream_info info;
	uint64_t pkts = 0;

	for (unsigned i = 0; !relay_call_stream(call, i, &info); i++)
		pkts += info.side[0].packets + info.side[1].packets;

	jsonw_obj(w, NULL);
	jsonw_str(w, "call_id", call->id);
	jsonw_u64(w, "age_s", (uint64_t)time(NULL) - call->created);
	jsonw_u64(w, "streams", relay_call_streams(call));
	jsonw_u64(w, "packets", pkts);
	jsonw_close(w);

	return w->err != 0;
}


/**
 * Write the relay's calls as the member "relay", an array (null when
 * the relay is disabled)
 *
 * @param w     JSON writer, inside an object
 * @param relay Relay, NULL if disabled
 */
void relay_calls_json(struct jsonw *w, const struct relay *relay)
{
	if (!relay) {
		jsonw_null(w, "relay");
		return;
	}

	jsonw_arr(w, "relay");
	relay_call_apply(relay, call_json, w);
	jsonw_close(w);
}


static void side_json(struct jsonw *w, const char *key,
		      const struct relay_side_info *si)
{
	jsonw_obj(w, key);
	jsonw_str(w, "interface", si->iface);
	jsonw_sa(w, "local", &si->local);
	jsonw_sa(w, "sdp", &si->sdp);
	jsonw_sa(w, "latched", &si->latched);
	jsonw_str(w, "latch_state", si->state);
	jsonw_bool(w, "rtcp_mux", si->mux);
	jsonw_str(w, "security", si->sec);
	jsonw_str(w, "profile", si->proto[0] ? si->proto : NULL);
	jsonw_u64(w, "packets", si->packets);
	jsonw_u64(w, "bytes", si->bytes);
	jsonw_u64(w, "rtcp", si->rtcp);
	jsonw_u64(w, "dropped", si->dropped);
	jsonw_u64(w, "errors", si->errors);
	jsonw_u64(w, "ssrc", si->ssrc);
	jsonw_i64(w, "lost", si->lost);
	jsonw_u64(w, "jitter_ms", si->jitter_ms);
	jsonw_u64(w, "idle_ms", si->idle_ms);
	jsonw_u64(w, "relatches", si->relatches);
	jsonw_close(w);
}


/**
 * Write one call with its streams as a JSON document
 *
 * @param w      JSON writer, at the top
 * @param relay  Relay
 * @param callid Call-ID
 *
 * @return 0 if success, ENOENT if there is no such call
 */
int relay_call_json(struct jsonw *w, const struct relay *relay,
		    const struct pl *callid)
{
	const struct relay_call *call = relay_call_find(relay, callid);
	struct relay_stream_info info;

	if (!call)
		return ENOENT;

	jsonw_obj(w, NULL);
	jsonw_str(w, "call_id", call->id);
	jsonw_u64(w, "age_s", (uint64_t)time(NULL) - call->created);
	jsonw_arr(w, "tags");
	jsonw_str(w, NULL, call->tag[0]);
	jsonw_str(w, NULL, call->tag[1]);
	jsonw_close(w);
	jsonw_bool(w, "answered", call->answered);
	jsonw_arr(w, "streams");
	for (unsigned i = 0; !relay_call_stream(call, i, &info); i++) {
		jsonw_obj(w, NULL);
		jsonw_u64(w, "index", info.index);
		jsonw_str(w, "type", info.type);
		jsonw_bool(w, "kernel", info.kernel != 0);
		jsonw_bool(w, "timed_out", info.timed_out);
		side_json(w, "offerer", &info.side[0]);
		side_json(w, "answerer", &info.side[1]);
		jsonw_close(w);
	}
	jsonw_close(w);
	jsonw_close(w);

	return 0;
}
