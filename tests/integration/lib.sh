# lib.sh: shared helpers for umedge's integration tests (sourced).
#
# Every test gets a private directory $T, removed at exit (kept with
# KEEP=1, for debugging), and stops
# the processes it started by PID. Exit codes follow automake:
# 0 pass, 1 fail, 77 skip.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
UMEDGE=$top_builddir/src/umedge
UMEDGECTL=$top_builddir/src/umedgectl
SAMPLE=$top_srcdir/etc/umedge.conf

T=$(mktemp -d /tmp/umedge-test.XXXXXX)
PIDS=""

lib_cleanup() {
	for p in $PIDS; do
		{ kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null; } ||
			true
	done
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap lib_cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
ok()   { echo "ok - $*"; }
skip() { echo "SKIP: $*" >&2; exit 77; }

# expect_rc WANT DESCRIPTION CMD...: run CMD, output to $T/out
expect_rc() {
	want=$1; what=$2; shift 2
	set +e
	"$@" >"$T/out" 2>&1
	rc=$?
	set -e
	if [ "$rc" != "$want" ]; then
		sed 's/^/    /' "$T/out" >&2
		fail "$what: exit $rc, expected $want"
	fi
}

# expect_out TEXT DESCRIPTION: the last command's output holds TEXT
expect_out() {
	grep -qF -- "$1" "$T/out" || {
		sed 's/^/    /' "$T/out" >&2
		fail "$2: output lacks '$1'"
	}
}

# A port of our own for the ng socket: tests run in parallel
NGPORT=$((20000 + $$ % 9000))

# mkconf FILE [LINES...]: the sample configuration with the control
# socket and pidfile in $T and the ng socket on $NGPORT, extra lines
# prepended
mkconf() {
	f=$1; shift
	: >"$f"
	for l in "$@"; do printf '%s\n' "$l" >>"$f"; done
	sed -e "s#/run/umedge/#$T/#" \
	    -e "s#^relay_ng_listen .*#relay_ng_listen 127.0.0.1:$NGPORT#" \
	    "$SAMPLE" >>"$f"
}

# start_daemon CONF LOG: run umedge in the foreground, wait for its
# control socket; sets DPID
start_daemon() {
	"$UMEDGE" -c "$1" >"$2" 2>&1 &
	DPID=$!
	PIDS="$PIDS $DPID"
	i=0
	while [ ! -S "$T/control.sock" ]; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$DPID" 2>/dev/null; then
			cat "$2" >&2
			fail "umedge did not start"
		fi
		sleep 0.1
	done
}

# stop_daemon: SIGTERM, wait, and require a clean exit (0); under
# ASan a leak makes the exit code 23
stop_daemon() {
	kill -TERM "$DPID"
	set +e
	wait "$DPID"
	rc=$?
	set -e
	PIDS=$(echo "$PIDS" | sed "s/ $DPID//")
	[ "$rc" = 0 ] || fail "umedge exited $rc after SIGTERM"
}

# wait_log FILE TEXT: wait up to 5 s for TEXT to appear in FILE
wait_log() {
	i=0
	until grep -qF -- "$2" "$1"; do
		i=$((i + 1))
		[ $i -le 50 ] || { cat "$1" >&2; fail "log lacks '$2'"; }
		sleep 0.1
	done
}
