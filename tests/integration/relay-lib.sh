# SPDX-License-Identifier: BSD-3-Clause
# relay-lib.sh: the edge topology, umedge's relay in the edge namespace,
# and ng and media helpers for the relay tests (sourced after lib.sh).
#
# relay_up [EXTRA-CONFIG-LINE]: namespaces up, umedge started in the
# edge namespace with ports 30000-30019 outside and 40000-40019 inside
# (EXT_PORTS, INT_PORTS: other ranges), under RELAY_WRAP (a setpriv
# command line, say) if set;
# LEARN (s, default 3) and TIMEOUT (s, default 2) set the learning
# window and the media timeouts.

[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
command -v socat >/dev/null || skip "socat is not installed"
UMRTP=$top_builddir/tests/tools/umrtp
[ -x "$UMRTP" ] || skip "tests/tools/umrtp is not built"

topo_up rl log umedge.log

relay_up() {
	cat >"$T/umedge.conf" <<-CONF
	interface external $EDGE_EXT ports=${EXT_PORTS:-30000-30019}
	interface internal $EDGE_INT ports=${INT_PORTS:-40000-40019}
	sip_enable no
	relay_threads 2
	relay_ng_listen 127.0.0.1:2223
	relay_ng_controller 127.0.0.1/32
	relay_learn_window ${LEARN:-3}
	relay_timeout_setup ${TIMEOUT:-2}
	relay_timeout ${TIMEOUT:-2}
	control_socket $T/control.sock
	${1:-}
	CONF
	# shellcheck disable=SC2086 # RELAY_WRAP is a command line
	ns_start_daemon "$NS_EDGE" "$T/umedge.conf" "$T/log" ${RELAY_WRAP:-}
	ok "umedge runs in $NS_EDGE"
}

. "$top_srcdir/tests/integration/ng-lib.sh"

# call CALLID GW-SDP-PORT: offer from ext, answer from int; sets
# P_EXT (relay port facing the gateway), P_INT (facing the worker)
call() {
	ng "o$1" offer_body "$1" "$2" >"$T/offer"
	grep -q '6:result2:ok' "$T/offer" || fail "offer $1: $(cat "$T/offer")"
	[ "$(addr_of <"$T/offer")" = "$EDGE_INT" ] ||
		fail "offer $1 does not announce $EDGE_INT: $(cat "$T/offer")"
	P_INT=$(port_of <"$T/offer")
	ng "a$1" answer_body "$1" >"$T/answer"
	grep -q '6:result2:ok' "$T/answer" || fail "answer $1: $(cat "$T/answer")"
	[ "$(addr_of <"$T/answer")" = "$EDGE_EXT" ] ||
		fail "answer $1 does not announce $EDGE_EXT"
	P_EXT=$(port_of <"$T/answer")
}

# media CALLID GW-BIND: gateway, worker and attacker run at once; the
# gateway and the worker send N packets (default 150) at 50 pps, the
# attacker starts EVIL_AFTER s (default 0.5) later; START_MS: the
# peers wait that long between binding and sending (none by default)
media() {
	ip netns exec "$NS_INT" env UMRTP_START_MS="${START_MS:-0}" \
		"$UMRTP" both "$INT_UM:7000" \
		"$EDGE_INT:$P_INT" "${N:-150}" 50 0x2222 1500 >"$T/worker" &
	w=$!
	ip netns exec "$NS_EXT" env UMRTP_START_MS="${START_MS:-0}" \
		"$UMRTP" both "$2" \
		"$EDGE_EXT:$P_EXT" "${N:-150}" 50 0x1111 1500 >"$T/gw" &
	g=$!
	sleep "${EVIL_AFTER:-0.5}"
	ip netns exec "$NS_EXT" "$UMRTP" both "$EXT_HOST2:6000" \
		"$EDGE_EXT:$P_EXT" 100 50 0x1111 1500 >"$T/evil" &
	e=$!
	PIDS="$PIDS $w $g $e"
	wait $w $g $e
	PIDS=$(echo "$PIDS" | sed "s/ $w $g $e//")
}

# bleed_check WHAT: both peers got their media from the relay, at most
# LOSS packets short (default 10), and nothing from or to the attacker
bleed_check() { # WHAT
	wk=$(count "$T/worker" "$EDGE_INT:$P_INT")
	gw=$(count "$T/gw" "$EDGE_EXT:$P_EXT")
	n=${N:-150}
	[ "$wk" -ge $((n - ${LOSS:-10})) ] || fail "$1: worker got $wk of $n from the relay"
	[ "$gw" -ge $((n - ${LOSS:-10})) ] || fail "$1: gateway got $gw of $n from the relay"
	[ "$(others "$T/worker" "$EDGE_INT:$P_INT")" = 0 ] ||
		fail "$1: worker got packets from elsewhere: $(cat "$T/worker")"
	[ "$wk" -le "$n" ] || fail "$1: attacker injected ($wk > $n)"
	[ "$(others "$T/evil" none)" = 0 ] ||
		fail "$1: attacker received media: $(cat "$T/evil")"
}

