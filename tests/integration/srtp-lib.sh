# SPDX-License-Identifier: BSD-3-Clause
# srtp-lib.sh: SRTP media peers for the B2BUA's SRTP tests (sourced after
# b2b-lib.sh): tests/tools/srtppeer.py (libsrtp through
# python3-pylibsrtp, not the relay's code) in a namespace, started
# together, and the checks of what each got. Skips (77) without
# python3-pylibsrtp. PEER_SECS: how long a peer talks.

PY=/usr/bin/python3
SRTPPEER=$top_srcdir/tests/tools/srtppeer.py
"$PY" -c 'import pylibsrtp' 2>/dev/null || skip "python3-pylibsrtp is not installed"

# newkey: a fresh SDES inline key for AES_CM_128 (30 bytes, base64)
newkey() { head -c 30 /dev/urandom | base64; }

# sdp_file NAME: wait for the file a sipp scenario writes when it knows
# the other side of the edge (exec after the ACK)
sdp_file() { wait_for 10 "a scenario to write $1" test -s "$T/$1"; }

# soon: a wall-clock time a second from now, for peers to start at
# together (python takes a while to start)
soon() { date +%s.%N | awk '{ printf "%.3f", $1 + 1.0 }'; }

# peer NAME NS SRTPPEER-ARGS...: a media peer in NS, in the background
# (PEER_NAME), sending from START if set, talking for PEER_SECS; its
# counters in $T/NAME.json, its errors in $T/NAME.peer
peer() {
	pn=$1 pns=$2
	shift 2
	rm -f "$T/$pn.json"
	ip netns exec "$pns" timeout 20 "$PY" "$SRTPPEER" --secs "$PEER_SECS" \
		${START:+--start-at "$START"} \
		--out "$T/$pn.json" "$@" >"$T/$pn.peer" 2>&1 &
	eval "PEER_$pn=$!"
	PIDS="$PIDS $!"
}

# peer_wait NAME...: each peer ended well and wrote its counters
peer_wait() {
	for pn in "$@"; do
		pp=""
		eval "pp=\$PEER_$pn"
		set +e
		wait "$pp"
		rc=$?
		set -e
		forget "$pp"
		if [ "$rc" != 0 ] || [ ! -s "$T/$pn.json" ]; then
			fail "media peer $pn exited $rc: $(cat "$T/$pn.peer")"
		fi
	done
}

# media NAME MIN-OK CNAME-NOT-SEEN: peer NAME got at least MIN-OK of the
# far peer's packets and nothing else (bad, auth_fail and plain 0), and
# RTCP with CNAMEs, none of them CNAME-NOT-SEEN (the far peer's own) or
# naming an address of either side
media() {
	"$PY" - "$T/$1.json" "$2" "$3" >"$T/out" 2>&1 <<-'PY' || {
	import json, sys
	c = json.load(open(sys.argv[1]))
	want, other = int(sys.argv[2]), sys.argv[3]
	bad = [k for k in ("bad", "auth_fail", "plain") if c[k]]
	if c["ok"] < want:
	    bad.append("ok < %d" % want)
	if not c["rtcp"] or not c["cnames"]:
	    bad.append("no RTCP CNAME")
	leak = [n for n in c["cnames"]
	        if other in n or "198.51.100." in n or "203.0.113." in n]
	if leak:
	    bad.append("CNAMEs %s" % leak)
	print(json.dumps(c))
	print("; ".join(bad))
	sys.exit(1 if bad else 0)
	PY
		sed 's/^/    /' "$T/out" >&2
		fail "media at $1 ($(tail -n 1 "$T/out"))"
	}
	echo "# $1: $(head -n 1 "$T/out")"
}

