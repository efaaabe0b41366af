/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file main.c  umtest: runs the unit tests, then checks for leaks
 *
 * usage: umtest [NAME-SUBSTRING]
 *
 * Each test runs once to warm caches, then its heap and timer counts
 * are compared around a second run: a test that leaves bytes or timers
 * behind fails. The closing line is "N passed, N failed".
 */
#include <stdio.h>
#include <string.h>
#include <re.h>
#define DEBUG_MODULE "umtest"
#define DEBUG_LEVEL 5
#include <re_dbg.h>
#include "test.h"


#define TEST(x) {x, #x}

static const struct test {
	int (*exec)(void);
	const char *name;
} tests[] = {
	TEST(test_cfg_sample),
	TEST(test_cfg_sample_outbound),
	TEST(test_cfg_minimal_defaults),
	TEST(test_cfg_full),
	TEST(test_cfg_bad),
	TEST(test_cfg_unknown_key_line),
	TEST(test_cfg_overlong),
	TEST(test_cfg_duplicate),
	TEST(test_cfg_comments),
	TEST(test_cfg_check),
	TEST(test_cfg_outbound),
	TEST(test_cfg_outbound_routes),
	TEST(test_cfg_gw_bad),
	TEST(test_cfg_route_bad),
	TEST(test_cfg_outbound_overlong),
	TEST(test_cfg_outbound_check),
	TEST(test_promfmt_label),
	TEST(test_promfmt_check),
	TEST(test_metrics_grammar),
	TEST(test_relay_alive),
	TEST(test_ng_draining),
	TEST(test_hep_vector),
	TEST(test_tlsmat_renew),
	TEST(test_hep_ipv6_limits),
	TEST(test_metrics_b2b_classes),
	TEST(test_jsonw_doc),
	TEST(test_jsonw_errors),
	TEST(test_ipnet_match),
	TEST(test_ipnet_unmap),
	TEST(test_tok_roundtrip),
	TEST(test_tok_vector),
	TEST(test_tok_forged),
	TEST(test_tok_expired),
	TEST(test_tok_truncated),
	TEST(test_tok_malformed),
	TEST(test_tok_scope),
	TEST(test_tok_rotation),
	TEST(test_tok_keyring),
	TEST(test_tok_rest_vector),
	TEST(test_tok_rest_verify),
	TEST(test_benc_decode),
	TEST(test_benc_truncated),
	TEST(test_benc_nested),
	TEST(test_benc_huge),
	TEST(test_benc_encode),
	TEST(test_benc_roundtrip),
	TEST(test_sdprw_parse),
	TEST(test_sdprw_golden),
	TEST(test_sdprw_bad),
	TEST(test_portpool_pairs),
	TEST(test_portpool_random),
	TEST(test_portpool_exhaust),
	TEST(test_portpool_reuse),
	TEST(test_portpool_claim),
	TEST(test_iface_open_at),
	TEST(test_latch_exact),
	TEST(test_latch_nat),
	TEST(test_latch_hijack),
	TEST(test_latch_window),
	TEST(test_latch_relatch),
	TEST(test_latch_moving),
	TEST(test_latch_kernel_hold),
	TEST(test_latch_reoffer),
	TEST(test_rtpstat_header),
	TEST(test_rtpstat_loss),
	TEST(test_rtpstat_jitter),
	TEST(test_fwd_forward),
	TEST(test_fwd_timeout),
	TEST(test_fwd_rtcp_cname),
	TEST(test_fwd_srtp_term),
	TEST(test_fwd_srtcp_tag),
	TEST(test_fwd_srtp_strangers),
	TEST(test_fwd_uring),
	TEST(test_fwd_silent),
	TEST(test_kern_flow),
	TEST(test_kpath_word),
	TEST(test_kpath_choose),
	TEST(test_kpath_slots),
	TEST(test_rtlookup),
	TEST(test_rtwatch_classify),
	TEST(test_rtlookup_answer),
	TEST(test_sipguard_rfc4475),
	TEST(test_sipguard_response),
	TEST(test_redir_targets),
	TEST(test_replaces),
	TEST(test_gate),
	TEST(test_srclim),
	TEST(test_inlim),
	TEST(test_sipguard_ids),
	TEST(test_prack_rseq),
	TEST(test_prack_rack),
	TEST(test_prack_order),
	TEST(test_rtcpsdes),
	TEST(test_rtcpsdes_bad),
	TEST(test_srtpx_vectors),
	TEST(test_srtpx_refuse),
	TEST(test_sdes_keygen),
	TEST(test_passhdr),
	TEST(test_passhdr_policy),
	TEST(test_passhdr_divhi),
	TEST(test_sipraw_2543),
	TEST(test_sipalias_names),
	TEST(test_sipalias_rename),
	TEST(test_sipalias_none),
	TEST(test_sipans),
	TEST(test_sipframe_split),
	TEST(test_sipframe_fail),
	TEST(test_sipframe_limit),
	TEST(test_sipframe_rfc4475),
	TEST(test_sipresp),
	TEST(test_sipconn_survives),
	TEST(test_sipconn_toolarge),
	TEST(test_sipconn_slow),
	TEST(test_sipstream_limits),
	TEST(test_sipxs),
	TEST(test_sipconn_connect),
	TEST(test_sipxc),
	TEST(test_sipxc_udp),
	TEST(test_sipxc_cancel_sent),
	TEST(test_sipxs_udp),
	TEST(test_sipdlg),
	TEST(test_siptp_names),
	TEST(test_dtq),
	TEST(test_relay_call),
	TEST(test_relay_refuse),
	TEST(test_relay_rtcp_mux),
	TEST(test_relay_ipv6),
	TEST(test_relay_exhaust),
	TEST(test_relay_ifaces_reload),
	TEST(test_relay_restore),
	TEST(test_relay_rekey),
	TEST(test_relay_srtp_latch),
	TEST(test_relay_srtcp_latch),
	TEST(test_relay_t38),
	TEST(test_sdes_parse),
	TEST(test_ng_srtp),
	TEST(test_infodtmf_parse),
	TEST(test_stimer_se_decode),
	TEST(test_stimer_minse_decode),
	TEST(test_stimer_req_decode),
	TEST(test_stimer_uas),
	TEST(test_stimer_uac),
	TEST(test_stimer_times),
	TEST(test_stimer_print),
	TEST(test_stimer_retry),
	TEST(test_divhi_hi2div),
	TEST(test_divhi_div2hi),
	TEST(test_divhi_roundtrip),
	TEST(test_divhi_limits),
	TEST(test_divhi_maps),
	TEST(test_fsrtp_closed),
	TEST(test_fsrtp_life),
	TEST(test_fsrtp_gcm_rtcp_replay),
	TEST(test_fsrtp_restore),
	TEST(test_haports_exposed),
	TEST(test_dtmf_codes),
	TEST(test_relay_dtmf),
	TEST(test_dtmf_event),
	TEST(test_dtmf_sequence),
	TEST(test_sec_golden),
	TEST(test_sec_refuse),
	TEST(test_sec_rekey),
	TEST(test_ng_basic),
	TEST(test_ng_call),
	TEST(test_ng_kamailio),
	TEST(test_turn_rfc5769),
	TEST(test_turn_auth),
	TEST(test_turn_alloc),
	TEST(test_turn_perm),
	TEST(test_turn_chandata),
	TEST(test_turn_bandwidth),
	TEST(test_turn_expiry),
	TEST(test_turn_tokens),
	TEST(test_turn_ratelimit),
	TEST(test_turn_ratecap),
	TEST(test_turn_bindlimit),
	TEST(test_turn_peerdata),
	TEST(test_turn_tsock),
	TEST(test_turn_txq),
	TEST(test_turn_texp),
	TEST(test_turn_authcache),
	TEST(test_turn_reply),
	TEST(test_turn_after_mi),
	TEST(test_turn_addr_len),
	TEST(test_turn_evenport_quota),
	TEST(test_turn_unauth_cost),
	TEST(test_turn_perm_all),
	TEST(test_turn_tconn_idle),
	TEST(test_peerfilt_matrix),
	TEST(test_peerfilt_rules),
	TEST(test_turn_bucket),
	TEST(test_dplan_number),
	TEST(test_dplan_route),
	TEST(test_dplan_allowed),
	TEST(test_digest_rfc2617),
	TEST(test_digest_rfc7616),
	TEST(test_digest_noqop),
	TEST(test_digest_pick_order),
	TEST(test_digest_pick_realm),
	TEST(test_digest_pick_kind),
	TEST(test_digest_decode),
	TEST(test_digest_bytes),
	TEST(test_digest_long),
	TEST(test_digest_print),
	TEST(test_digest_refuse),
};


static int run_one(const struct test *t)
{
	size_t before;
	int timers, err;

	err = t->exec();
	if (err)
		return err;

	before = leak_bytes();
	timers = leak_timers();

	err = t->exec();
	if (err)
		return err;

	if (leak_bytes() != before) {
		(void)re_fprintf(stderr, "\n  leak: %zd bytes left behind",
				 (ssize_t)(leak_bytes() - before));
		return ENOMEM;
	}

	if (leak_timers() != timers) {
		(void)re_fprintf(stderr, "\n  leak: %d timers left running",
				 leak_timers() - timers);
		return EALREADY;
	}

	return 0;
}


int main(int argc, char *argv[])
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	unsigned passed = 0, failed = 0;
	int err;

	leak_init(argv);

	err = libre_init();
	if (err) {
		(void)re_fprintf(stderr, "libre_init: %m\n", err);
		return 1;
	}

	/* the code under test logs warnings and errors only */
	dbg_init(DBG_WARNING, DBG_NONE);

	/* stdio buffers are allocated on first use: not a leak */
	(void)re_printf("umtest: %zu tests\n", ARRAY_SIZE(tests));
	(void)fflush(stdout);

	for (size_t i = 0; i < ARRAY_SIZE(tests); i++) {
		const struct test *t = &tests[i];

		if (filter && !strstr(t->name, filter))
			continue;

		(void)re_printf("%-32s", t->name);
		(void)fflush(stdout);
		err = run_one(t);
		(void)re_printf("%s\n", err ? "  FAIL" : "ok");
		if (err)
			++failed;
		else
			++passed;
	}

	libre_close();

	(void)re_printf("%u passed, %u failed\n", passed, failed);

	return failed ? 1 : 0;
}
