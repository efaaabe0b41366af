# SPDX-License-Identifier: BSD-3-Clause
# lib.sh: shared helpers for umedge's integration tests (sourced).
#
# Every test gets a private directory $T (in $TMPDIR, default /tmp),
# removed at exit (kept with KEEP=1, for debugging), and stops the
# processes it started by PID. Exit codes follow automake: 0 pass,
# 1 fail, 77 skip.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
UMEDGE=$top_builddir/src/umedge
UMEDGECTL=$top_builddir/src/umedgectl
SAMPLE=$top_srcdir/etc/umedge.conf

T=$(mktemp -d "${TMPDIR:-/tmp}/umedge-test.XXXXXX")
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
# prepended. The B2BUA, the TURN server and the credential service are
# off: they bind the sample's documentation addresses, which exist only
# in the test namespaces (b2b-call.test, turn-uclient.test and
# cred-service.test run them there).
mkconf() {
	f=$1; shift
	: >"$f"
	for l in "$@"; do printf '%s\n' "$l" >>"$f"; done
	sed -e "s#/run/umedge/#$T/#" \
	    -e "s#^relay_ng_listen .*#relay_ng_listen 127.0.0.1:$NGPORT#" \
	    -e "s#^sip_enable .*#sip_enable              no#" \
	    -e "s#^cred_listen .*#\# cred_listen: off in tests#" \
	    -e "s#^turn_enable .*#turn_enable             no#" \
	    "$SAMPLE" >>"$f"
}

# start_daemon CONF LOG: run umedge in the foreground, wait for its
# control socket; sets DPID
start_daemon() {
	"$UMEDGE" -c "$1" >"$2" 2>&1 &
	DPID=$!
	PIDS="$PIDS $DPID"
	ctl_wait "$2"
}

# ns_start_daemon NS CONF LOG [WRAPPER...]: the same in namespace NS,
# under WRAPPER (setpriv, say) if given
ns_start_daemon() {
	ns=$1 conf=$2 log=$3
	shift 3
	ip netns exec "$ns" "$@" "$UMEDGE" -c "$conf" >"$log" 2>&1 &
	DPID=$!
	PIDS="$PIDS $DPID"
	ctl_wait "$log"
}

# ctl_wait LOG: up to 10 s for $DPID's control socket; on failure print
# LOG
ctl_wait() {
	i=0
	while [ ! -S "$T/control.sock" ]; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$DPID" 2>/dev/null; then
			cat "$1" >&2
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

# in_ns NS CMD...: run CMD in namespace NS
in_ns() { ns=$1; shift; ip netns exec "$ns" "$@"; }

# forget PID: no longer stop PID at exit (it ended)
forget() { PIDS=$(echo " $PIDS " | sed "s/ $1 / /"); }

# wait_for SECONDS WHAT CMD...: until CMD succeeds, or fail
wait_for() {
	end=$(($(date +%s) + $1)); what=$2; shift 2
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -le "$end" ] || fail "timed out waiting for $what"
		sleep 0.1
	done
}

# capture_start SIDE NS IFACE FILTER: tshark in NS on IFACE into
# $T/SIDE.pcapng, until capture_stop SIDE
capture_start() {
	ip netns exec "$2" tshark -n -q -i "$3" -f "$4" -a duration:120 \
		-w "$T/$1.pcapng" >"$T/tshark-$1.log" 2>&1 &
	eval "TSHARK_$1=$!"
	PIDS="$PIDS $!"
	wait_for 15 "tshark to capture in $2" \
		grep -q 'Capturing on' "$T/tshark-$1.log"
}

# tshark writes in blocks: give it the last packets before stopping it
capture_stop() {
	eval "p=\$TSHARK_$1"
	sleep 0.7
	kill -TERM "$p" 2>/dev/null || :
	wait "$p" 2>/dev/null || :
	forget "$p"
}

# check_rtp SIDE PEER RELAY MIN MAX: in SIDE's capture, RTP to PEER
# comes from RELAY:MIN-MAX, RTP from PEER goes there, nothing else is
# RTP, and there are more than MIN_PKTS packets each way
check_rtp() {
	side=$1 peer=$2 relay=$3 min=$4 max=$5
	tshark -n -r "$T/$side.pcapng" --enable-heuristic rtp_udp \
		-Y "rtp && rtp.version == 2" \
		-T fields -E separator=' ' \
		-e ip.src -e udp.srcport -e ip.dst -e udp.dstport \
		>"$T/$side.rtp" 2>"$T/$side.tshark-r.log" ||
		fail "tshark cannot read $T/$side.pcapng"
	awk -v peer="$peer" -v relay="$relay" -v min="$min" -v max="$max" \
		-v want="${MIN_PKTS:-50}" -v side="$side" '
	$3 == peer {
		to++
		if ($1 != relay || $2 < min || $2 > max) {
			bad++
			if (bad <= 5) printf "%s: RTP to %s from %s:%s\n", side, peer, $1, $2
		}
	}
	$1 == peer {
		from++
		if ($3 != relay || $4 < min || $4 > max) {
			bad++
			if (bad <= 5) printf "%s: RTP from %s to %s:%s\n", side, peer, $3, $4
		}
	}
	$1 != peer && $3 != peer {
		bad++
		if (bad <= 5) printf "%s: stray RTP %s:%s -> %s:%s\n", side, $1, $2, $3, $4
	}
	END {
		printf "%s: %d RTP packets to %s, %d from it, %d wrong\n", side, to, peer, from, bad
		exit !(bad == 0 && to > want && from > want)
	}' "$T/$side.rtp" >"$T/out" 2>&1 || {
		sed 's/^/    /' "$T/out" >&2
		fail "$side: RTP not all through $relay:$min-$max, or too little"
	}
	sed 's/^/# /' "$T/out"
	if [ -n "${SHOW:-}" ]; then
		echo "# $side: RTP flows seen by tshark (packets, src, sport, dst, dport):"
		sort "$T/$side.rtp" | uniq -c | sed 's/^/#   /'
	fi
}

# --- a test PKI in $T (openssl) ------------------------------------

# mkca NAME CN: a self-signed CA, $T/NAME.pem and $T/NAME.key
mkca() {
	openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		-nodes -keyout "$T/$1.key" -out "$T/$1.pem" -days 2 \
		-subj "/CN=$2" -addext 'basicConstraints=critical,CA:TRUE' \
		-addext 'keyUsage=critical,keyCertSign,cRLSign' \
		>>"$T/pki.log" 2>&1 || fail "openssl cannot make the CA $1"
}

# mkcert NAME CA CN EKU [SAN]: a certificate signed by CA
mkcert() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$T/$1.key" -out "$T/$1.csr" -subj "/CN=$3" \
		>>"$T/pki.log" 2>&1 || fail "openssl cannot make the key of $1"
	{
		echo 'basicConstraints=critical,CA:FALSE'
		echo 'keyUsage=critical,digitalSignature'
		echo "extendedKeyUsage=$4"
		[ -z "${5:-}" ] || echo "subjectAltName=$5"
	} >"$T/$1.ext"
	openssl x509 -req -in "$T/$1.csr" -CA "$T/$2.pem" -CAkey "$T/$2.key" \
		-CAcreateserial -days 2 -extfile "$T/$1.ext" -out "$T/$1.pem" \
		>>"$T/pki.log" 2>&1 || fail "openssl cannot sign $1"
}

# --- TLS fronts (socat) ---------------------------------------------

# A socat TLS front in a test (b2b-tls.test, b2b-out-tls.test,
# b2b-gw-tls.test) records its PID in FRONTS (and PIDS); topo_cleanup
# kills what is left.
FRONTS=""

# front NAME ADDR PORT CERT CA TARGET: a TLS server in FRONT_NS (else
# int) on ADDR:PORT
# (socat, one connection) with the certificate CERT, requiring a client
# certificate signed by CA, relaying the cleartext to TARGET (a socat
# address); its log is $T/NAME.front
front() {
	n=$1 addr=$2 port=$3 cert=$4 ca=$5 to=$6
	# ip netns exec itself (not in_ns): $! must be socat's PID
	ip netns exec "${FRONT_NS:-$NS_INT}" socat -d -d \
		"OPENSSL-LISTEN:$port,bind=$addr,reuseaddr,cert=$T/$cert.pem,key=$T/$cert.key,cafile=$T/$ca.pem,verify=1" \
		"$to" >"$T/$n.front" 2>&1 &
	eval "FRONT_$n=$!"
	PIDS="$PIDS $!"
	FRONTS="$FRONTS $!"
	wait_for 5 "the $n front to listen" sh -c \
		"ip netns exec ${FRONT_NS:-$NS_INT} ss -ltn | grep -qF '$addr:$port'"
}

# front_end NAME: stop the front whose PID is in FRONT_NAME. socat
# answers its peer's EOF with close_notify and, at exit, waits in
# SSL_shutdown() for umedge's, which never comes (libre ignores
# close_notify): SIGKILL after a second.
front_end() {
	eval "p=\$FRONT_$1"
	kill -TERM "$p" 2>/dev/null || :
	i=0
	while kill -0 "$p" 2>/dev/null && [ $i -lt 10 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	kill -KILL "$p" 2>/dev/null || :
	wait "$p" 2>/dev/null || :
	forget "$p"
	FRONTS=$(echo " $FRONTS " | sed "s/ $p / /")
}

# cleartext SIDE PORTS...: in SIDE's capture, TCP to or from these ports
# carries TLS application data and never SIP in clear
cleartext() {
	side=$1
	shift
	f=""
	for p in "$@"; do f="${f:+$f || }tcp.port == $p"; done
	tshark -n -r "$T/$side.pcapng" -Y "($f) && tcp.len > 0" \
		-T fields -e tcp.payload 2>/dev/null | tr -d ':' >"$T/$side.payload"
	[ -s "$T/$side.payload" ] || fail "$side: no TCP payload on ports $*"
	# "SIP/2.0", "INVITE sip:" and "OPTIONS sip:" in hex
	if grep -qi -e 5349502f322e30 -e 494e56495445207369703a \
		-e 4f5054494f4e53207369703a "$T/$side.payload"; then
		fail "$side: SIP in clear on ports $*"
	fi
	n=$(tshark -n -r "$T/$side.pcapng" -Y "($f) && tls.app_data" \
		2>/dev/null | wc -l)
	[ "$n" -gt 0 ] || fail "$side: no TLS application data on ports $*"
}

# rtp_alaw: $T/rtp.alaw, one second of a 1 kHz A-law tone, for the
# rtp_stream of the sipp scenarios
rtp_alaw() {
	awk 'BEGIN { for (i = 0; i < 8000; i++) printf "%c", (i % 8 < 4) ? 0x55 : 0xd5 }' \
		>"$T/rtp.alaw"
}

# sipp_hdr FILE METHOD-OR-CODE NAME: the first NAME header of the first
# such request (or response) in a sipp message trace
sipp_hdr() {
	tr -d '\r' <"$1" | awk -v m="$2" -v h="$3:" '
		$1 == m || ($1 == "SIP/2.0" && $2 == m) {b = 1; next}
		b && $1 == h {sub(/^[^:]*: */, ""); print; exit}'
}

# bye_in_dialog FILE: the BYE in a UAS's sipp trace is of the dialog
# its INVITE made (Call-ID, From, To with both tags) with a higher CSeq
bye_in_dialog() {
	grep -q '^BYE sip:' "$1" || fail "no BYE in $1"
	cseq=$(sipp_hdr "$1" BYE CSeq | cut -d' ' -f1)
	icseq=$(sipp_hdr "$1" INVITE CSeq | cut -d' ' -f1)
	[ "$cseq" -gt "$icseq" ] ||
		fail "the BYE's CSeq $cseq is not above the INVITE's $icseq"
	[ "$(sipp_hdr "$1" BYE Call-ID)" = "$(sipp_hdr "$1" INVITE Call-ID)" ] ||
		fail "the BYE's Call-ID is not the dialog's"
	[ "$(sipp_hdr "$1" BYE From)" = "$(sipp_hdr "$1" INVITE From)" ] ||
		fail "the BYE's From is not the dialog's: $(sipp_hdr "$1" BYE From)"
	[ "$(sipp_hdr "$1" BYE To)" = "$(sipp_hdr "$1" 200 To)" ] ||
		fail "the BYE's To is not the dialog's: $(sipp_hdr "$1" BYE To)"
}

# own_streams_line: the sip_own_streams and sip_own_udp lines
# UMEDGE_OWN_STREAMS asks for: 1 umedge's own TCP, TLS and UDP, 0
# libre's for all three, unset none (the default, own)
own_streams_line() {
	case ${UMEDGE_OWN_STREAMS:-} in
	1) printf 'sip_own_streams yes\nsip_own_udp yes\n' ;;
	0) printf 'sip_own_streams no\nsip_own_udp no\n' ;;
	esac
}

# --- the netns topology ---------------------------------------------

# topo_up PREFIX [LOG...]: the netns topology (scripts/netns-topo) named
# PREFIX and the PID, its variables set (NS_EXT, EDGE_EXT, ...); skips
# (77) without namespaces. At exit it goes down after lib_cleanup; when
# the test failed, the tails of the LOG files in $T are printed first.
# A test may define topo_hook, run before lib_cleanup.
topo_up() {
	TOPO_NAME=$(printf '%s%s' "$1" "$$" | cut -c1-8)
	shift
	TOPO_LOGS="$*"
	"$top_srcdir/scripts/netns-topo" up "$TOPO_NAME" >"$T/topo.env" \
		2>"$T/topo.err" || {
		rc=$?
		[ $rc = 77 ] && skip "$(cat "$T/topo.err")"
		fail "netns-topo up"
	}
	eval "$(cat "$T/topo.env")"
	trap topo_cleanup EXIT
	trap 'exit 1' INT TERM HUP
}

topo_cleanup() {
	rc=$?
	trap - EXIT
	set +e
	if [ "$rc" != 0 ] && [ "$rc" != 77 ]; then
		for f in $TOPO_LOGS; do
			[ -s "$T/$f" ] || continue
			echo "--- $f (last 30 lines)" >&2
			tail -n 30 "$T/$f" | sed 's/^/    /' >&2
		done
	fi
	if command -v topo_hook >/dev/null 2>&1; then topo_hook; fi
	# a front would hang lib_cleanup's wait (see front_end)
	for p in $FRONTS; do kill -KILL "$p" 2>/dev/null; done
	lib_cleanup
	"$top_srcdir/scripts/netns-topo" down "$TOPO_NAME" >/dev/null 2>&1
	exit "$rc"
}
