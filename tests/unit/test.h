/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file test.h  umtest: retest-style unit tests
 *
 * Each test is "int test_x(void)", small, re-entrant and without
 * globals. The macros jump to "out:" with err set on failure, naming
 * the file and line.
 */
#ifndef UMEDGE_TEST_H
#define UMEDGE_TEST_H

#define TEST_FAIL(...) do {                                         \
		(void)re_fprintf(stderr, "\n  %s:%u: ", __FILE__,   \
				 __LINE__);                         \
		(void)re_fprintf(stderr, __VA_ARGS__);              \
	} while (0)

/* Evaluates e once and keeps it in err, so TEST_ERR(f(x)) is safe */
#define TEST_ERR(e) do {                                            \
		int e_ = (e);                                       \
		if (e_) {                                           \
			err = e_;                                   \
			TEST_FAIL("error %d (%m)\n", e_, e_);      \
			goto out;                                   \
		}                                                   \
	} while (0)

#define TEST_EQUALS(expected, actual) do {                          \
		long long e_ = (long long)(expected);               \
		long long a_ = (long long)(actual);                 \
		if (e_ != a_) {                                     \
			TEST_FAIL("expected %lld, got %lld (%s)\n", \
				  e_, a_, #actual);                 \
			err = EINVAL;                               \
			goto out;                                   \
		}                                                   \
	} while (0)

#define TEST_ASSERT(cond) do {                                      \
		if (!(cond)) {                                      \
			TEST_FAIL("assertion failed: %s\n", #cond); \
			err = EINVAL;                               \
			goto out;                                   \
		}                                                   \
	} while (0)

#define TEST_STRCMP(expected, actual) do {                          \
		const char *e_ = (expected), *a_ = (actual);        \
		if (!a_ || strcmp(e_, a_)) {                        \
			TEST_FAIL("expected \"%s\", got \"%s\"\n",  \
				  e_, a_ ? a_ : "(null)");          \
			err = EINVAL;                               \
			goto out;                                   \
		}                                                   \
	} while (0)

#define TEST_PLSTR(plv, expected) do {                               \
		const struct pl *p_ = (plv);                        \
		const char *e_ = (expected);                        \
		if (pl_strcmp(p_, e_)) {                            \
			TEST_FAIL("expected \"%s\", got \"%r\"\n", \
				  e_, p_);                          \
			err = EINVAL;                               \
			goto out;                                   \
		}                                                   \
	} while (0)

#define TEST_CONTAINS(haystack, needle) do {                        \
		const char *h_ = (haystack), *n_ = (needle);        \
		if (!h_ || !strstr(h_, n_)) {                       \
			TEST_FAIL("\"%s\" not in \"%s\"\n", n_,     \
				  h_ ? h_ : "(null)");              \
			err = EINVAL;                               \
			goto out;                                   \
		}                                                   \
	} while (0)

/* leak.c: bytes the heap holds now, and timers pending */
void   leak_init(char *argv[]);
size_t leak_bytes(void);
int    leak_timers(void);

/* cfg.c: parse a configuration that must be good, "test.conf" */
struct cfg;
int test_cfg_parse(struct cfg **cfgp, const char *text);
/* tfile.c: tests/data/DIR/NAME.EXT read whole */
int test_file_load(struct mbuf **mbp, const char *dir, const char *name,
		   const char *ext);

/* sip.c: a SIP message decoded from text with LF line ends */
int msg_make(struct sip_msg **msgp, const char *text);

/* sipxc.c: a response handler that appends "CODE " (or "eERR " for an
 * error) to arg, a char[TEST_RESP_LOG] */
enum { TEST_RESP_LOG = 64 };
void test_resp_log(int err, const struct sip_msg *msg, void *arg);
/* sipxc.c: a peer's response to a request (To gets ";tag=TAG", NULL:
 * "peer") */
int test_sip_answer(struct mbuf **mbp, const struct sip_msg *req,
		    uint16_t scode, const char *met, const char *tag);

/* The tests */
int test_cfg_sample(void);
int test_cfg_sample_outbound(void);
int test_cfg_minimal_defaults(void);
int test_cfg_full(void);
int test_cfg_bad(void);
int test_cfg_unknown_key_line(void);
int test_cfg_overlong(void);
int test_cfg_duplicate(void);
int test_cfg_comments(void);
int test_cfg_check(void);
int test_cfg_outbound(void);
int test_cfg_outbound_routes(void);
int test_cfg_gw_bad(void);
int test_cfg_route_bad(void);
int test_cfg_outbound_overlong(void);
int test_cfg_outbound_check(void);
int test_promfmt_label(void);
int test_promfmt_check(void);
int test_metrics_grammar(void);
int test_relay_alive(void);
int test_ng_draining(void);
int test_hep_vector(void);
int test_tlsmat_renew(void);
int test_hep_ipv6_limits(void);
int test_metrics_b2b_classes(void);
int test_jsonw_doc(void);
int test_jsonw_errors(void);
int test_ipnet_match(void);
int test_ipnet_unmap(void);
int test_tok_roundtrip(void);
int test_tok_vector(void);
int test_tok_forged(void);
int test_tok_expired(void);
int test_tok_truncated(void);
int test_tok_malformed(void);
int test_tok_scope(void);
int test_tok_rotation(void);
int test_tok_keyring(void);
int test_tok_rest_vector(void);
int test_tok_rest_verify(void);
int test_benc_decode(void);
int test_benc_truncated(void);
int test_benc_nested(void);
int test_benc_huge(void);
int test_benc_encode(void);
int test_benc_roundtrip(void);
int test_sdprw_parse(void);
int test_sdprw_golden(void);
int test_sdprw_bad(void);
int test_portpool_pairs(void);
int test_portpool_random(void);
int test_portpool_exhaust(void);
int test_portpool_reuse(void);
int test_portpool_claim(void);
int test_iface_open_at(void);
int test_latch_exact(void);
int test_latch_nat(void);
int test_latch_hijack(void);
int test_latch_window(void);
int test_latch_relatch(void);
int test_latch_moving(void);
int test_latch_kernel_hold(void);
int test_latch_reoffer(void);
int test_rtpstat_header(void);
int test_rtpstat_loss(void);
int test_rtpstat_jitter(void);
int test_fwd_forward(void);
int test_fwd_uring(void);
int test_fwd_silent(void);
int test_fwd_timeout(void);
int test_fwd_rtcp_cname(void);
int test_fwd_srtp_term(void);
int test_fwd_srtcp_tag(void);
int test_fwd_srtp_strangers(void);
int test_kern_flow(void);
int test_kpath_word(void);
int test_kpath_choose(void);
int test_kpath_slots(void);
int test_rtlookup(void);
int test_rtwatch_classify(void);
int test_rtlookup_answer(void);
int test_sipguard_rfc4475(void);
int test_sipguard_response(void);
int test_redir_targets(void);
int test_replaces(void);
int test_gate(void);
int test_srclim(void);
int test_inlim(void);
int test_sipguard_ids(void);
int test_prack_rseq(void);
int test_prack_rack(void);
int test_prack_order(void);
int test_rtcpsdes(void);
int test_rtcpsdes_bad(void);
int test_srtpx_vectors(void);
int test_srtpx_refuse(void);
int test_sdes_keygen(void);
int test_passhdr(void);
int test_passhdr_policy(void);
int test_sipraw_2543(void);
int test_sipalias_names(void);
int test_sipalias_rename(void);
int test_sipalias_none(void);
int test_sipans(void);
int test_sipframe_split(void);
int test_sipframe_fail(void);
int test_sipframe_limit(void);
int test_sipframe_rfc4475(void);
int test_sipresp(void);
int test_sipconn_survives(void);
int test_sipconn_toolarge(void);
int test_sipconn_slow(void);
int test_sipstream_limits(void);
int test_sipxs(void);
int test_sipconn_connect(void);
int test_sipxc(void);
int test_sipxc_udp(void);
int test_sipxc_cancel_sent(void);
int test_sipxs_udp(void);
int test_sipdlg(void);
int test_siptp_names(void);
int test_dtq(void);
int test_relay_call(void);
int test_relay_refuse(void);
int test_relay_rtcp_mux(void);
int test_relay_ipv6(void);
int test_relay_exhaust(void);
int test_relay_ifaces_reload(void);
int test_relay_restore(void);
int test_relay_rekey(void);
int test_relay_srtp_latch(void);
int test_relay_srtcp_latch(void);
int test_relay_t38(void);
int test_sdes_parse(void);
int test_ng_basic(void);
int test_ng_call(void);
int test_ng_kamailio(void);
int test_turn_rfc5769(void);
int test_turn_auth(void);
int test_turn_alloc(void);
int test_turn_perm(void);
int test_turn_chandata(void);
int test_turn_bandwidth(void);
int test_turn_expiry(void);
int test_turn_tokens(void);
int test_turn_ratelimit(void);
int test_turn_ratecap(void);
int test_turn_bindlimit(void);
int test_turn_peerdata(void);
int test_turn_tsock(void);
int test_turn_txq(void);
int test_turn_texp(void);
int test_turn_authcache(void);
int test_turn_reply(void);
int test_turn_after_mi(void);
int test_turn_addr_len(void);
int test_turn_evenport_quota(void);
int test_turn_unauth_cost(void);
int test_turn_perm_all(void);
int test_turn_tconn_idle(void);
int test_peerfilt_matrix(void);
int test_peerfilt_rules(void);
int test_turn_bucket(void);
int test_dplan_number(void);
int test_dplan_route(void);
int test_dplan_allowed(void);
int test_digest_rfc2617(void);
int test_digest_rfc7616(void);
int test_digest_noqop(void);
int test_digest_pick_order(void);
int test_digest_pick_realm(void);
int test_digest_pick_kind(void);
int test_digest_decode(void);
int test_digest_bytes(void);
int test_digest_long(void);
int test_digest_print(void);
int test_digest_refuse(void);
int test_ng_srtp(void);
int test_relay_dtmf(void);
int test_infodtmf_parse(void);
int test_stimer_se_decode(void);
int test_stimer_minse_decode(void);
int test_stimer_req_decode(void);
int test_stimer_uas(void);
int test_stimer_uac(void);
int test_stimer_times(void);
int test_stimer_print(void);
int test_stimer_retry(void);
int test_divhi_hi2div(void);
int test_passhdr_divhi(void);
int test_divhi_div2hi(void);
int test_divhi_roundtrip(void);
int test_divhi_limits(void);
int test_divhi_maps(void);
int test_fsrtp_closed(void);
int test_fsrtp_life(void);
int test_fsrtp_gcm_rtcp_replay(void);
int test_fsrtp_restore(void);
int test_haports_exposed(void);
int test_dtmf_codes(void);
int test_dtmf_event(void);
int test_dtmf_sequence(void);
int test_sec_golden(void);
int test_sec_refuse(void);
int test_sec_rekey(void);

#endif
