# SPDX-License-Identifier: BSD-3-Clause
# turn-lib.sh: what the TURN tests share (sourced after lib.sh and
# topo_up): the server's configuration and start, coturn's echo peer
# and client, and the checks on the client's outcome.
#
# turn_up RELAY-INTERFACE starts umedge in edge with UDP, TCP and TLS
# listeners; $TURN_EXTRA holds more configuration lines, and
# $TURN_WRAP a command the daemon is started under (setpriv, say);
# $TURN_USER_QUOTA replaces turn_user_quota 200.

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/turn.key" \
	-out "$T/turn.crt" -days 2 -subj /CN=edge.test >/dev/null 2>&1 ||
	fail "openssl: no test certificate"

SECRET=turn-test-secret-0123456789
OLD=turn-test-older-0123456789
CTL="$UMEDGECTL -s $T/control.sock"

# turn_up RELAY-INTERFACE: write the configuration, start umedge in edge
turn_up() {
	cat >"$T/umedge.conf" <<-CONF
	interface external $EDGE_EXT ports=30000-30199
	interface external6 $EDGE_EXT6 ports=31000-31199
	interface internal $EDGE_INT ports=40000-40019
	sip_enable no
	relay_enable no
	turn_enable yes
	turn_listen internal udp 3478
	turn_listen internal tcp 3478
	turn_listen internal tls 5349
	turn_tls_cert $T/turn.crt
	turn_tls_key $T/turn.key
	turn_relay_interface $1
	turn_realm umedge.test
	turn_user_quota ${TURN_USER_QUOTA:-200}
	token_secret k1 $SECRET
	token_secret k0 $OLD
	control_socket $T/control.sock
	log_level info
	${TURN_EXTRA:-}
	CONF
	# shellcheck disable=SC2086
	ns_start_daemon "$NS_EDGE" "$T/umedge.conf" "$T/log" ${TURN_WRAP:-}
}

# peer_up ADDRESS: turnutils_peer in ext, echoing on ADDRESS:3480
peer_up() {
	ip netns exec "$NS_EXT" turnutils_peer -L "$1" -p 3480 \
		>"$T/peer-$1.log" 2>&1 &
	PIDS="$PIDS $!"
}

# uclient ARGS...: coturn's client in int, against the edge; output in
# $T/out, exit code in $RC. Bounded by timeout(1).
uclient() {
	set +e
	ip netns exec "$NS_INT" timeout 60 turnutils_uclient "$@" \
		"$EDGE_INT" >"$T/out" 2>&1
	RC=$?
	set -e
}

# relays WHAT ARGS...: the client relays with zero loss
relays() {
	what=$1; shift
	uclient "$@"
	lost=$(sed -n 's/.*Total lost packets \([0-9]*\) .*/\1/p' "$T/out")
	recv=$(sed -n 's/.*tot_recv_msgs=\([0-9]*\)$/\1/p' "$T/out" | tail -n 1)
	if [ "$RC" != 0 ] || [ "${lost:-x}" != 0 ] || [ "${recv:-0}" -lt 1 ]; then
		tail -n 20 "$T/out" | sed 's/^/    /' >&2
		fail "$what: exit $RC, lost '${lost:-?}', received '${recv:-?}'"
	fi
	ok "$what: $recv messages echoed, 0 lost"
}

# refused WHAT TEXT ARGS...: the client fails, its output holds TEXT
refused() {
	what=$1 text=$2; shift 2
	uclient "$@"
	if [ "$RC" = 0 ] || ! grep -qF -- "$text" "$T/out"; then
		tail -n 20 "$T/out" | sed 's/^/    /' >&2
		fail "$what: exit $RC, expected a failure with '$text'"
	fi
	ok "$what: refused ($text)"
}

# rest_cred EXPIRY USER SECRET: a TURN REST username and password
rest_user() { echo "$1:$2"; }
rest_pass() {
	printf '%s' "$1" | openssl dgst -sha1 -hmac "$2" -binary | base64
}

