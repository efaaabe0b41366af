# SPDX-License-Identifier: BSD-3-Clause
# atk-lib.sh: shared helpers for umedge's attack tests (sourced after
# ../integration/lib.sh and the side's library: b2b-lib.sh, turn-lib.sh
# or relay-lib.sh).
#
# Every attack test asserts, after each phase:
#  - alive: the daemon runs and its control socket answers within 1 s
#    (atk_alive);
#  - undisturbed: a legitimate call or allocation carried on (the test's
#    own check);
#  - the designed answer: codes, Warning, counters (the test's own);
#  - bounded memory: the resident set reaches a plateau over repeated
#    floods (atk_rss, atk_plateau);
#  - a clean stop: stop_daemon requires exit 0, which a leak under ASan
#    turns into 23.

# A small quarantine, so that RSS reflects what the daemon keeps and
# not what ASan holds back
ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=23}:quarantine_size_mb=8"
export ASAN_OPTIONS

ATK_TOOLS=$top_srcdir/tests/tools

# atk_alive WHAT: the daemon ($DPID) runs and answers "status" in 1 s
atk_alive() {
	kill -0 "$DPID" 2>/dev/null || fail "$1: umedge is gone"
	timeout 1 "$UMEDGECTL" -s "$T/control.sock" status >"$T/alive" 2>&1 ||
		fail "$1: umedgectl status did not answer within 1 s"
}

# atk_rss: the daemon's resident set in KiB
atk_rss() { awk '/^VmRSS/ { print $2 }' "/proc/$DPID/status"; }

# atk_plateau WHAT R0 R1 R2 MAX_KB: RSS before, after a first flood and
# after a second of the same size; the second may add at most MAX_KB
atk_plateau() {
	d=$(( $4 - $3 ))
	[ "$d" -le "$5" ] ||
		fail "$1: RSS grows without bound: $2 -> $3 -> $4 KiB (+$d > $5)"
	ok "$1: RSS $2 -> $3 -> $4 KiB, second flood +$d KiB (at most $5)"
}

# atk_py TOOL ARGS...: run a python attack tool from tests/tools
atk_py() { t=$1; shift; /usr/bin/python3 "$ATK_TOOLS/$t" "$@"; }
