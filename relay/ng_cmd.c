/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file ng_cmd.c  ng protocol commands: offer, answer, delete, query,
 *                 list
 */
#include <string.h>
#include <strings.h>
#include <re.h>
#include "bencode.h"
#include "sdes.h"
#include "relay.h"
#include "ng_priv.h"


/* Flags that umedge always honours or that do not apply: accepted
 * without a warning */
static const char *flags_quiet[] = {
	"trust-address", "symmetric", "strict-source", "port-latching",
	"no-rtcp-attribute", "loop-protect", "record-call",
};


static void warn(struct ng_cmd *c, const struct pl *what)
{
	size_t n = strlen(c->warning);

	if (n + what->l + 3 >= sizeof(c->warning))
		return;

	(void)re_snprintf(c->warning + n, sizeof(c->warning) - n, "%s%r",
			  n ? ", " : "unknown flags ignored: ", what);
}


static bool quiet(const struct pl *flag)
{
	for (size_t i = 0; i < ARRAY_SIZE(flags_quiet); i++) {
		if (0 == pl_strcasecmp(flag, flags_quiet[i]))
			return true;
	}

	return false;
}


/* transport-protocol: the receiver's security and profile */
static bool proto_apply(struct relay_req *req, const struct pl *v)
{
	static const struct {
		const char *name;
		enum relay_sec sec;
		enum relay_fb fb;
	} t[] = {
		{"RTP/AVP",   RELAY_SEC_RTP,  RELAY_FB_AVP},
		{"RTP/SAVP",  RELAY_SEC_SRTP, RELAY_FB_AVP},
		{"RTP/AVPF",  RELAY_SEC_RTP,  RELAY_FB_AVPF},
		{"RTP/SAVPF", RELAY_SEC_SRTP, RELAY_FB_AVPF},
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		if (0 == pl_strcasecmp(v, t[i].name)) {
			req->sec[1] = t[i].sec;
			req->fb = t[i].fb;
			return true;
		}
	}

	return false;
}


/* An SDES flag without its "SDES-": off, pad, no-SUITE, only-SUITE */
static void sdes_apply(struct ng_cmd *c, struct relay_req *req,
		       const struct pl *f)
{
	struct pl suite;
	uint32_t bit;

	if (0 == pl_strcasecmp(f, "off"))
		req->sdes.off = true;
	else if (0 == pl_strcasecmp(f, "pad"))
		req->sdes.pad = true;
	else if (!re_regex(f->p, f->l, "no-[^]+", &suite) &&
		 (bit = sdes_bit_find(&suite)))
		req->sdes.no |= bit;
	else if (!re_regex(f->p, f->l, "only-[^]+", &suite) &&
		 (bit = sdes_bit_find(&suite)))
		req->sdes.only |= bit;
	else
		warn(c, f);
}


static void flag_apply(struct ng_cmd *c, struct relay_req *req,
		       const struct pl *f)
{
	const struct pl sdes = {f->p + 5, f->l > 5 ? f->l - 5 : 0};

	if (f->l > 5 && 0 == strncasecmp(f->p, "SDES-", 5))
		sdes_apply(c, req, &sdes);
	else if (proto_apply(req, f))
		return;
	else if (0 == pl_strcasecmp(f, "replace-origin"))
		req->replace_origin = true;
	else if (0 == pl_strcasecmp(f, "replace-session-connection"))
		req->replace_session_conn = true;
	else if (f->l > 6 && 0 == strncmp(f->p, "token=", 6)) {
		req->token.p = f->p + 6;
		req->token.l = f->l - 6;
	}
	else if (!quiet(f))
		warn(c, f);
}


static void replace_apply(struct ng_cmd *c, struct relay_req *req,
			  const struct pl *f)
{
	if (0 == pl_strcasecmp(f, "origin"))
		req->replace_origin = true;
	else if (0 == pl_strcasecmp(f, "session-connection") ||
		 0 == pl_strcasecmp(f, "session connection"))
		req->replace_session_conn = true;
	else
		warn(c, f);
}


static void mux_apply(struct ng_cmd *c, struct relay_req *req,
		      const struct pl *f)
{
	if (0 == pl_strcasecmp(f, "offer"))
		req->mux = RELAY_MUX_OFFER;
	else if (0 == pl_strcasecmp(f, "demux"))
		req->mux = RELAY_MUX_DEMUX;
	else if (0 != pl_strcasecmp(f, "accept"))
		warn(c, f);
}


/* Each string of a list under key, through h */
static void flags_each(struct ng_cmd *c, struct relay_req *req,
		       const char *key,
		       void (*h)(struct ng_cmd *, struct relay_req *,
				 const struct pl *))
{
	const struct benc *l = benc_dict_get(c->dict, key);

	if (!l)
		return;

	if (l->type == BENC_STR) {
		h(c, req, &l->s);
		return;
	}

	for (struct le *le = l->type == BENC_LIST ? l->items.head : NULL; le;
	     le = le->next) {
		const struct benc *b = le->data;

		if (b->type == BENC_STR)
			h(c, req, &b->s);
	}
}


static void direction_apply(struct ng_cmd *c, struct relay_req *req)
{
	const struct benc *l = benc_dict_get(c->dict, "direction");
	int n = 0;

	if (!l || l->type != BENC_LIST)
		return;

	for (struct le *le = l->items.head; le && n < 2; le = le->next) {
		const struct benc *b = le->data;

		if (b->type == BENC_STR)
			req->dir[n++] = b->s;
	}
}


static int req_parse(struct ng_cmd *c, struct relay_req *req)
{
	struct pl ice, proto;

	memset(req, 0, sizeof(*req));
	req->ng = true;

	if (benc_dict_str(c->dict, "call-id", &req->callid) ||
	    benc_dict_str(c->dict, "from-tag", &req->from_tag) ||
	    benc_dict_str(c->dict, "sdp", &req->sdp)) {
		c->error = "call-id, from-tag and sdp are required";
		return EINVAL;
	}
	(void)benc_dict_str(c->dict, "to-tag", &req->to_tag);
	(void)benc_dict_str(c->dict, "token", &req->token);

	flags_each(c, req, "flags", flag_apply);
	flags_each(c, req, "replace", replace_apply);
	flags_each(c, req, "rtcp-mux", mux_apply);
	flags_each(c, req, "SDES", sdes_apply);
	direction_apply(c, req);

	if (0 == benc_dict_str(c->dict, "transport-protocol", &proto) &&
	    !proto_apply(req, &proto))
		warn(c, &proto);

	if (0 == benc_dict_str(c->dict, "ICE", &ice)) {
		if (0 == pl_strcasecmp(&ice, "remove"))
			req->ice_remove = true;
		else if (0 != pl_strcasecmp(&ice, "default"))
			warn(c, &ice);
	}

	return 0;
}


static int exchange(struct ng_cmd *c, bool answer)
{
	struct mbuf *sdp = mbuf_alloc(2048);
	struct relay_req req;
	const char *why = NULL;
	struct pl pl;
	int err;

	if (!sdp)
		return ENOMEM;

	err = req_parse(c, &req);
	if (err)
		goto out;

	err = answer ? relay_answer(c->relay, &req, sdp, &why) :
		relay_offer(c->relay, &req, sdp, &why);
	if (err) {
		c->error = why ? why : "internal error";
		goto out;
	}

	pl.p = (const char *)sdp->buf;
	pl.l = sdp->end;
	err = benc_enc_kv_str(c->reply, "result", "ok") |
		benc_enc_kv_pl(c->reply, "sdp", &pl);

 out:
	mem_deref(sdp);

	return err;
}


int ng_cmd_offer(struct ng_cmd *c)
{
	struct pl callid;

	if (c->draining && !benc_dict_str(c->dict, "call-id", &callid) &&
	    !relay_call_find(c->relay, &callid)) {
		c->error = "draining";
		return EBUSY;
	}

	return exchange(c, false);
}


int ng_cmd_answer(struct ng_cmd *c)
{
	return exchange(c, true);
}


int ng_cmd_delete(struct ng_cmd *c)
{
	struct pl callid;

	if (benc_dict_str(c->dict, "call-id", &callid)) {
		c->error = "call-id is required";
		return EINVAL;
	}

	if (relay_delete(c->relay, &callid)) {
		c->error = "Call-ID not found";
		return ENOENT;
	}

	return benc_enc_kv_str(c->reply, "result", "ok");
}


static int stats_enc(struct mbuf *mb, const char *key, uint64_t packets,
		     uint64_t bytes, uint64_t errors)
{
	return benc_enc_cstr(mb, key) | benc_enc_dict_begin(mb) |
		benc_enc_kv_int(mb, "packets", (int64_t)packets) |
		benc_enc_kv_int(mb, "bytes", (int64_t)bytes) |
		benc_enc_kv_int(mb, "errors", (int64_t)errors) |
		benc_enc_end(mb);
}


static int endpoint_enc(struct mbuf *mb, const char *key,
			const struct sa *sa)
{
	char addr[64] = "";

	if (sa_isset(sa, SA_ADDR))
		(void)sa_ntop(sa, addr, sizeof(addr));

	return benc_enc_cstr(mb, key) | benc_enc_dict_begin(mb) |
		benc_enc_kv_str(mb, "family", sa_af(sa) == AF_INET6 ?
				"IPv6" : "IPv4") |
		benc_enc_kv_str(mb, "address", addr) |
		benc_enc_kv_int(mb, "port", sa_port(sa)) |
		benc_enc_end(mb);
}


static int side_enc(struct mbuf *mb, const struct relay_stream_info *si,
		    int side)
{
	const struct relay_side_info *s = &si->side[side];

	return benc_enc_dict_begin(mb) |
		benc_enc_kv_int(mb, "index", si->index + 1) |
		benc_enc_kv_str(mb, "type", si->type) |
		benc_enc_kv_int(mb, "local port", sa_port(&s->local)) |
		endpoint_enc(mb, "endpoint", &s->latched) |
		endpoint_enc(mb, "advertised endpoint", &s->sdp) |
		stats_enc(mb, "stats", s->packets, s->bytes, s->errors) |
		benc_enc_kv_str(mb, "latch", s->state) |
		benc_enc_kv_str(mb, "protocol", s->proto) |
		benc_enc_kv_str(mb, "media security", s->sec) |
		benc_enc_kv_int(mb, "dropped", (int64_t)s->dropped) |
		benc_enc_kv_int(mb, "lost", s->lost) |
		benc_enc_kv_int(mb, "jitter", s->jitter_ms) |
		benc_enc_kv_int(mb, "SSRC", s->ssrc) |
		benc_enc_kv_int(mb, "idle", (int64_t)(s->idle_ms / 1000)) |
		benc_enc_kv_int(mb, "timed out", si->timed_out) |
		benc_enc_kv_int(mb, "kernel", si->kernel) |
		benc_enc_end(mb);
}


static int tag_enc(struct mbuf *mb, const struct relay_call *call, int side)
{
	struct relay_stream_info si;
	const char *tag = relay_call_tag(call, side);
	int err;

	err = benc_enc_cstr(mb, tag) | benc_enc_dict_begin(mb) |
		benc_enc_kv_str(mb, "tag", tag) |
		benc_enc_cstr(mb, "medias") | benc_enc_list_begin(mb);

	for (unsigned i = 0; !relay_call_stream(call, i, &si); i++)
		err |= side_enc(mb, &si, side);

	return err | benc_enc_end(mb) | benc_enc_end(mb);
}


int ng_cmd_query(struct ng_cmd *c)
{
	const struct relay_call *call;
	struct relay_stream_info si;
	uint64_t pk[2] = {0, 0}, by = 0, er = 0;
	struct pl callid;
	int err;

	if (benc_dict_str(c->dict, "call-id", &callid)) {
		c->error = "call-id is required";
		return EINVAL;
	}

	call = relay_call_find(c->relay, &callid);
	if (!call) {
		c->error = "Call-ID not found";
		return ENOENT;
	}

	for (unsigned i = 0; !relay_call_stream(call, i, &si); i++) {
		for (int s = 0; s < 2; s++) {
			pk[0] += si.side[s].packets - si.side[s].rtcp;
			pk[1] += si.side[s].rtcp;
			by += si.side[s].bytes;
			er += si.side[s].errors;
		}
	}

	err = benc_enc_kv_str(c->reply, "result", "ok") |
		benc_enc_kv_int(c->reply, "created",
				(int64_t)relay_call_created(call)) |
		benc_enc_cstr(c->reply, "totals") |
		benc_enc_dict_begin(c->reply) |
		stats_enc(c->reply, "RTP", pk[0], by, er) |
		stats_enc(c->reply, "RTCP", pk[1], 0, 0) |
		benc_enc_end(c->reply) |
		benc_enc_cstr(c->reply, "tags") | benc_enc_dict_begin(c->reply);

	for (int s = 0; s < 2; s++) {
		if (relay_call_tag(call, s)[0])
			err |= tag_enc(c->reply, call, s);
	}

	return err | benc_enc_end(c->reply);
}


static bool list_call(const struct relay_call *call, void *arg)
{
	struct mbuf *mb = arg;

	return 0 != benc_enc_cstr(mb, relay_call_id(call));
}


int ng_cmd_list(struct ng_cmd *c)
{
	int err;

	err = benc_enc_kv_str(c->reply, "result", "ok") |
		benc_enc_cstr(c->reply, "calls") |
		benc_enc_list_begin(c->reply);

	relay_call_apply(c->relay, list_call, c->reply);

	return err | benc_enc_end(c->reply);
}
