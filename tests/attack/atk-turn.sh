# SPDX-License-Identifier: BSD-3-Clause
# atk-turn.sh: what the TURN attack tests share (sourced after lib.sh,
# topo_up, turn-lib.sh and atk-lib.sh): atkstun.py from the int
# namespace against the edge, and checks on its "STEP CODE" lines.

# A quarantine smaller than one flood's freed buffers (a TURN request
# frees a few KiB: its copy, the decoded message, the reply), so that
# RSS shows what the daemon keeps, not what ASan holds back
ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=1"

# stun CMD ARGS...: atkstun.py in int against the UDP/TCP listener;
# its lines in $T/stun
stun() {
	cmd=$1; shift
	ip netns exec "$NS_INT" timeout 120 /usr/bin/python3 \
		"$ATK_TOOLS/atkstun.py" "$cmd" --server "$EDGE_INT:3478" \
		--secret "$SECRET" "$@" >"$T/stun" 2>&1 ||
		{ cat "$T/stun" >&2; fail "atkstun.py $cmd failed"; }
}

# want STEP CODE [TEXT]: atkstun printed "STEP CODE" (and TEXT after)
want() {
	line=$(grep -F -- "$1 " "$T/stun" | head -n 1)
	case "$line" in
	"$1 $2"*"${3:-}"*) ok "$1: $2${3:+ ($3)}" ;;
	*) cat "$T/stun" >&2; fail "$1: expected '$2${3:+ $3}', got '$line'" ;;
	esac
}

# turn_state: umedgectl turn, in $T/turn
turn_state() { $CTL turn >"$T/turn" 2>&1 || fail "umedgectl turn"; }

# legit WHAT: the daemon is alive and a legit client relays
legit() {
	atk_alive "$1"
	relays "$1: a legit client relays" -W "$SECRET" -u alice \
		-e "$EXT_GW" -c -n 20 -m 1
}
