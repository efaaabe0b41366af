# b2b-lib.sh: the B2BUA tests' setup and helpers (sourced after lib.sh
# by the b2b-*.test that run sipp peers in the netns topology).
#
# B2B_NS names the netns topology's prefix (at most 3 letters; the PID
# is appended). The topology is torn down at exit; on failure the tails
# of the daemon's and the peers' logs (and of B2B_LOGS, files in $T)
# are printed. UMEDGE_EXTRA holds more configuration lines for
# umedge_up.
export LC_ALL=C

HOLD_MS=${HOLD_MS:-3000}
MIN_PKTS=${MIN_PKTS:-40}
SCEN=$top_srcdir/tests/integration/sipp

[ "$(id -u)" -eq 0 ] || skip "must be run as root"
for c in ip sipp tshark socat; do
	command -v "$c" >/dev/null 2>&1 || skip "$c is not installed"
done
sipp -v 2>&1 | grep -q RTPSTREAM || skip "sipp lacks RTPSTREAM support"

# shellcheck disable=SC2086
topo_up "${B2B_NS:-bc}" umedge.log gw.out router.out worker.out ${B2B_LOGS:-}

# rtp.alaw: one second of a 1 kHz A-law tone, for sipp's rtp_stream
awk 'BEGIN { for (i = 0; i < 8000; i++) printf "%c", (i % 8 < 4) ? 0x55 : 0xd5 }' \
	>"$T/rtp.alaw"

# umedge_up [UM-HOST-LINES...]: the daemon in the edge, these UM hosts;
# OPTS_IVAL sets sip_options_interval (default 0: no probes)
umedge_up() {
	{
		cat <<-CONF
		interface external $EDGE_EXT ports=30000-30099
		interface internal $EDGE_INT ports=40000-40099
		sip_listen external udp 5060
		sip_listen external tcp 5060
		sip_listen internal tcp 5060
		sip_gateway $EXT_GW/32
		sip_internal_network 203.0.113.0/24
		sip_options_interval ${OPTS_IVAL:-0}
		sip_cdr_file $T/cdr.json
		relay_learn_window 2
		control_socket $T/control.sock
		log_level info
		${UMEDGE_EXTRA:-}
		CONF
		for h in "$@"; do echo "sip_um_host $h"; done
	} >"$T/umedge.conf"
	rm -f "$T/control.sock"
	ip netns exec "$NS_EDGE" "$UMEDGE" -c "$T/umedge.conf" >"$T/umedge.log" 2>&1 &
	DPID=$!
	PIDS="$PIDS $DPID"
	wait_for 10 "umedge to start" test -S "$T/control.sock"
}

# uas NAME SCENARIO ADDR PORT [SIPP-ARGS...]: a sipp UAS over TCP in int
uas() {
	n=$1 sf=$2 addr=$3 port=$4
	shift 4
	(cd "$T" && exec ip netns exec "$NS_INT" timeout 90 sipp -sf "$SCEN/$sf" -t t1 \
		-i "$addr" -p "$port" -mi "$addr" -m 1 -timeout 30s -nostdin \
		-trace_msg -message_file "$T/$n.msg" \
		-trace_err -error_file "$T/$n.err" "$@") >"$T/$n.out" 2>&1 &
	eval "UAS_$n=$!"
	PIDS="$PIDS $!"
	wait_for 5 "$n to listen" sh -c \
		"ip netns exec $NS_INT ss -ltn | grep -qF '$addr:$port'"
}

# gw_start SCENARIO [SIPP-ARGS...]: the gateway's call, in the
# background (GW_PID); gw_wait sets RC_GW. gw: both.
gw_start() {
	sf=$1
	shift
	(cd "$T" && exec ip netns exec "$NS_EXT" timeout 90 sipp -sf "$SCEN/$sf" \
		-i "$EXT_GW" -p 5060 -mi "$EXT_GW" -m 1 -timeout 30s -nostdin \
		-s 8000 -trace_msg -message_file "$T/gw.msg" \
		-trace_err -error_file "$T/gw.err" "$@" "$EDGE_EXT:5060") \
		>"$T/gw.out" 2>&1 &
	GW_PID=$!
	PIDS="$PIDS $GW_PID"
}

gw_wait() {
	set +e
	wait "$GW_PID"
	RC_GW=$?
	set -e
	forget "$GW_PID"
}

gw() { gw_start "$@"; gw_wait; }

# gwu NAME SCENARIO ADDR [SIPP-ARGS...]: a sipp gateway (UAS, UDP) in
# ext, for UM's calls out, in the background (UAS_NAME; uas_wait NAME);
# its messages in $T/NAME.msg (a new file)
gwu() {
	n=$1 sf=$2 addr=$3
	shift 3
	case $sf in /*) ;; *) sf=$SCEN/$sf ;; esac
	rm -f "$T/$n.msg" "$T/$n.err"
	(cd "$T" && exec ip netns exec "$NS_EXT" timeout 60 sipp -sf "$sf" \
		-i "$addr" -p 5060 -mi "$addr" -m 1 -timeout 30s -nostdin \
		-trace_msg -message_file "$T/$n.msg" \
		-trace_err -error_file "$T/$n.err" "$@") >"$T/$n.out" 2>&1 &
	eval "UAS_$n=$!"
	PIDS="$PIDS $!"
	wait_for 5 "$n to listen" sh -c \
		"ip netns exec $NS_EXT ss -lun | grep -qF '$addr:5060'"
}

# um NAME SCENARIO NUMBER [SIPP-ARGS...]: UM's call (UAC, TCP) from int
# to UM_EDGE (default the edge's inside TCP listener), from UMPORT
# (default 5070); its exit code in RC, its messages in $T/NAME.msg
um() {
	n=$1 sf=$2 num=$3
	shift 3
	rm -f "$T/$n.msg" "$T/$n.err"
	set +e
	(cd "$T" && exec ip netns exec "$NS_INT" timeout 60 sipp -sf "$SCEN/$sf" \
		-t t1 -i "$INT_UM" -p "${UMPORT:-5070}" -mi "$INT_UM" -m 1 -timeout 30s \
		-nostdin -s "$num" -trace_msg -message_file "$T/$n.msg" \
		-trace_err -error_file "$T/$n.err" "$@" "${UM_EDGE:-$EDGE_INT:5060}") \
		>"$T/$n.out" 2>&1
	RC=$?
	set -e
}

# no_foreign NAME...: nothing the gateway NAME got or sent names an
# inside address (gw*, trunk*, pstn*), nothing UM NAME got or sent
# names an outside one (um*), in the sipp message logs
no_foreign() {
	for f in "$@"; do
		case $f in
		um*) pat='198\.51\.100\.' what="an outside address in SIP to UM" ;;
		*) pat='203\.0\.113\.' what="an inside address in SIP to the gateway" ;;
		esac
		[ -s "$T/$f.msg" ] || fail "no messages in $f.msg"
		! grep -n "$pat" "$T/$f.msg" >"$T/out" || {
			sed 's/^/    /' "$T/out" | head -n 10 >&2
			fail "$what ($f.msg)"
		}
	done
}

# show TITLE FILE: with SHOW=1 (scripts/demo), print FILE indented
show() {
	[ -n "${SHOW:-}" ] || return 0
	echo "# $1"
	sed 's/^/#   /' "$2"
}

# ladder FILE: the start lines of the SIP messages a sipp saw
ladder() { tr -d '\r' <"$1" | grep -E '^(SIP/2\.0 |[A-Z]+ sip:)' >"$T/ladder"; }

calls_up() {
	"$UMEDGECTL" -s "$T/control.sock" calls >"$T/calls" 2>&1 &&
		grep -q '^1 sip calls' "$T/calls" &&
		grep -q ' confirmed ' "$T/calls"
}

# uas_wait NAME: the UAS's exit code in RC
uas_wait() {
	eval "p=\$UAS_$1"
	set +e
	wait "$p"
	RC=$?
	set -e
	forget "$p"
}

relay_idle() {
	"$UMEDGECTL" -s "$T/control.sock" status >"$T/out" 2>&1 &&
		grep -q ' 0 calls, 100 of 100 port pairs free' "$T/out" &&
		grep -q 'sip: 0 calls now' "$T/out"
}

phase_end() {
	wait_for 5 "every call and port to be released ($1)" relay_idle
	ok "$1: no call left, every port pair free"
}

