# SPDX-License-Identifier: BSD-3-Clause
# b2b-lib.sh: the B2BUA tests' setup and helpers (sourced after lib.sh
# by the b2b-*.test that run sipp or baresip peers in the netns topology).
#
# B2B_NS names the netns topology's prefix (at most 3 letters; the PID
# is appended). The topology is torn down at exit; on failure the tails
# of the daemon's and the peers' logs (and of B2B_LOGS, files in $T)
# are printed. UMEDGE_EXTRA holds more configuration lines for
# umedge_up. B2B_BARESIP=1: the test runs baresip and checks tones
# (the baresip helpers below); it skips without them. B2B_SRTP=1 as
# well: its baresips may use SDES SRTP (the srtp module) and the audio
# is decrypted from the captures (tests/tools/srtpdec.py, Debian's
# python3-pylibsrtp); it skips without them.
export LC_ALL=C

HOLD_MS=${HOLD_MS:-3000}
MIN_PKTS=${MIN_PKTS:-40}
SCEN=$top_srcdir/tests/integration/sipp

[ "$(id -u)" -eq 0 ] || skip "must be run as root"
for c in ip sipp tshark socat; do
	command -v "$c" >/dev/null 2>&1 || skip "$c is not installed"
done
sipp -v 2>&1 | grep -q RTPSTREAM || skip "sipp lacks RTPSTREAM support"
BARESIP_MODS=${BARESIP_MODS:-/usr/lib/baresip/modules}
TONECHECK=$T/tonecheck
if [ -n "${B2B_BARESIP:-}" ]; then
	for c in baresip cc; do
		command -v "$c" >/dev/null 2>&1 || skip "$c is not installed"
	done
	for m in ausine g711 menu account ${B2B_SRTP:+srtp}; do
		[ -f "$BARESIP_MODS/$m.so" ] ||
			skip "baresip module $m is not in $BARESIP_MODS"
	done
	cc -O2 -Wall -o "$TONECHECK" "$top_srcdir/tests/tools/tonecheck.c" \
		-lm >"$T/cc.log" 2>&1 ||
		{ cat "$T/cc.log" >&2; fail "tonecheck does not build"; }
fi
SRTPDEC="/usr/bin/python3 $top_srcdir/tests/tools/srtpdec.py"
if [ -n "${B2B_SRTP:-}" ]; then
	/usr/bin/python3 -c 'import pylibsrtp' >/dev/null 2>&1 ||
		skip "python3-pylibsrtp is not installed"
fi

# shellcheck disable=SC2086
topo_up "${B2B_NS:-bc}" umedge.log gw.out router.out worker.out ${B2B_LOGS:-}

rtp_alaw

# umedge_up [UM-HOST-LINES...]: the daemon in the edge, these UM hosts;
# OPTS_IVAL sets sip_options_interval (default 0: no probes);
# UMEDGE_OWN_STREAMS as own_streams_line (lib.sh) says
umedge_up() {
	{
		cat <<-CONF
		interface external $EDGE_EXT ports=30000-30099
		interface internal $EDGE_INT ports=${INT_PORTS:-40000-40099}
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
		$(own_streams_line)
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

# ha_line: the daemon's "ha restore:" status line (ha_redis set)
ha_line() {
	"$UMEDGECTL" -s "$T/control.sock" status | grep '^ha restore:' || :
}

# umedge_restart [WHAT]: SIGKILL, umedge again with the same
# configuration, its restore from Redis done: one call made again, or
# the restore line WHAT
umedge_restart() {
	kill -KILL "$DPID"
	wait "$DPID" 2>/dev/null || :
	forget "$DPID"
	rm -f "$T/control.sock"
	ip netns exec "$NS_EDGE" "$UMEDGE" -c "$T/umedge.conf" \
		>>"$T/umedge.log" 2>&1 &
	DPID=$!
	PIDS="$PIDS $DPID"
	wait_for 10 "umedge to start again" test -S "$T/control.sock"
	wait_for 10 "the restore to finish ($(ha_line))" sh -c \
		"$UMEDGECTL -s $T/control.sock status | grep -q '^ha restore: done'"
	ha_line | grep -q "${1:-done, 1 calls made again, 0 refused}" ||
		fail "restore: $(ha_line)"
}

# sipp_uas NS TP NAME SCENARIO ADDR PORT [SIPP-ARGS...]: a sipp UAS in
# NS over TP (t1: TCP, u1: UDP), in the background (UAS_NAME; uas_wait
# NAME); its messages in $T/NAME.msg (a new file)
sipp_uas() {
	ns=$1 tp=$2 n=$3 sf=$4 addr=$5 port=$6
	shift 6
	case $sf in /*) ;; *) sf=$SCEN/$sf ;; esac
	rm -f "$T/$n.msg" "$T/$n.err"
	(cd "$T" && exec ip netns exec "$ns" timeout 90 sipp -sf "$sf" -t "$tp" \
		-i "$addr" -p "$port" -mi "$addr" -m 1 -timeout 30s -nostdin \
		-trace_msg -message_file "$T/$n.msg" \
		-trace_err -error_file "$T/$n.err" "$@") >"$T/$n.out" 2>&1 &
	eval "UAS_$n=$!"
	PIDS="$PIDS $!"
	l=lun; case $tp in t*) l=ltn ;; esac
	wait_for 5 "$n to listen" sh -c \
		"ip netns exec $ns ss -$l | grep -qF '$addr:$port'"
}

# uas NAME SCENARIO ADDR PORT [SIPP-ARGS...]: a sipp UAS over TCP in int
uas() {
	n=$1 sf=$2 addr=$3 port=$4
	shift 4
	sipp_uas "$NS_INT" t1 "$n" "$sf" "$addr" "$port" "$@"
}

# gw_start SCENARIO [SIPP-ARGS...]: the gateway's call from GW_ADDR
# (default EXT_GW) to GW_DST (default EDGE_EXT:5060), in the background
# (GW_PID); gw_wait sets RC_GW.
# gw: both.
gw_start() {
	sf=$1 ga=${GW_ADDR:-$EXT_GW}
	shift
	case $sf in /*) ;; *) sf=$SCEN/$sf ;; esac
	(cd "$T" && exec ip netns exec "$NS_EXT" timeout 90 sipp -sf "$sf" \
		-i "$ga" -p 5060 -mi "$ga" -m 1 -timeout 30s -nostdin \
		-s 8000 -trace_msg -message_file "$T/gw.msg" \
		-trace_err -error_file "$T/gw.err" "$@" \
		"${GW_DST:-$EDGE_EXT:5060}") \
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
# ext on ADDR:5060, for UM's calls out
gwu() {
	n=$1 sf=$2 addr=$3
	shift 3
	sipp_uas "$NS_EXT" u1 "$n" "$sf" "$addr" 5060 "$@"
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

# um_bg NAME SCENARIO NUMBER [SIPP-ARGS...]: um in the background
# (UM_PID); um_wait sets RC
um_bg() {
	( um "$@"; exit "$RC" ) &
	UM_PID=$!
	PIDS="$PIDS $UM_PID"
}

um_wait() {
	set +e
	wait "$UM_PID"
	RC=$?
	set -e
	forget "$UM_PID"
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

# ext_media: "PORT PACKETS" of the outside side of the one call's
# stream (umedgectl --json calls and call)
ext_media() {
	"$UMEDGECTL" -s "$T/control.sock" --json calls >"$T/calls.json" \
		2>/dev/null || return 1
	id=$(python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))["relay"]
print(r[0]["call_id"] if len(r) == 1 else "")' "$T/calls.json")
	[ -n "$id" ] || return 1
	"$UMEDGECTL" -s "$T/control.sock" --json call "$id" \
		>"$T/call.json" 2>/dev/null || return 1
	python3 -c 'import json,sys
s = json.load(open(sys.argv[1]))["streams"][0]
for side in (s["offerer"], s["answerer"]):
    if side["interface"] == "external":
        print(side["local"].rsplit(":", 1)[1], side["packets"])' \
		"$T/call.json"
}

ext_media_flows() {
	pk=$(ext_media | cut -d' ' -f2)
	[ "${pk:-0}" -gt 0 ]
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

# --- baresip peers and the tone check (B2B_BARESIP=1) ---------------

# sine_alaw FILE: one second of a 1 kHz A-law sine at -6 dBFS (8
# samples a period), for sipp's rtp_stream where the tone is checked
sine_alaw() {
	awk 'BEGIN { split("213 229 239 229 213 101 108 101", a)
		for (i = 0; i < 8000; i++) printf "%c", a[i % 8 + 1] }' >"$1"
}

# bs_conf NAME ADDR IFACE HZ ACCOUNT: a baresip configuration in
# $T/NAME: SIP (UDP and TCP) and RTP on ADDR and IFACE only, a sine of
# HZ as the microphone (ausine wants 48 kHz stereo; baresip resamples),
# no player, PCMA only, the one account ACCOUNT (an accounts line);
# the srtp module too when ACCOUNT asks for it (;mediaenc=srtp...)
bs_conf() {
	mkdir "$T/$1"
	cat >"$T/$1/config" <<-CONF
	poll_method		epoll
	sip_listen		$2:5060
	net_interface		$3
	call_local_timeout	20
	audio_source		ausine,$4
	ausrc_srate		48000
	ausrc_channels		2
	rtp_ports		10000-10019
	rtcp_mux		no
	module_path		$BARESIP_MODS
	module			g711.so
	module			ausine.so
	module_app		account.so
	module_app		menu.so
	CONF
	case $5 in
	*mediaenc=srtp*) echo "module			srtp.so" >>"$T/$1/config" ;;
	esac
	echo "$5" >"$T/$1/accounts"
	: >"$T/$1/contacts"
}

# bs_start NAME NS SECS [BARESIP-ARGS...]: baresip with $T/NAME in NS,
# in the background (BS_NAME its PID), output in $T/NAME.out, stopped
# by timeout(1) after SECS seconds at the latest
bs_start() {
	n=$1 ns=$2 secs=$3
	shift 3
	ip netns exec "$ns" timeout "$secs" env HOME="$T" baresip \
		-f "$T/$n" "$@" </dev/null >"$T/$n.out" 2>&1 &
	eval "BS_$n=$!"
	PIDS="$PIDS $!"
}

# bs_wait NAME: baresip's exit code in RC
bs_wait() {
	eval "p=\$BS_$1"
	set +e
	wait "$p"
	RC=$?
	set -e
	forget "$p"
}

# bs_stop NAME: SIGTERM (timeout(1) passes it on); the exit code in RC
bs_stop() {
	eval "p=\$BS_$1"
	kill -TERM "$p" 2>/dev/null || :
	bs_wait "$1"
}

# npkts SIDE FILTER: the number of packets in SIDE's capture that
# match the display filter FILTER
npkts() {
	tshark -n -r "$T/$1.pcapng" -Y "$2" >"$T/npkts.out" 2>"$T/npkts.log" || {
		sed 's/^/    /' "$T/npkts.log" >&2
		fail "tshark cannot apply '$2' to $1.pcapng"
	}
	wc -l <"$T/npkts.out" | tr -d ' '
}

# alaw_to SIDE DST: the PCMA payload to DST in SIDE's capture, as hex
# (one packet a line), into $T/SIDE.alaw.hex
alaw_to() {
	tshark -n -r "$T/$1.pcapng" --enable-heuristic rtp_udp \
		-Y "rtp.p_type == 8 && ip.dst == $2" -T fields -e rtp.payload \
		>"$T/$1.alaw.hex" 2>"$T/$1.payload.log" ||
		fail "tshark cannot extract the RTP payload from $1.pcapng"
}

# tone SIDE DST FREQ SECS: the PCMA payload to DST in SIDE's capture
# carries a FREQ Hz tone for SECS seconds (tests/tools/tonecheck.c)
tone() {
	alaw_to "$1" "$2"
	tone_in "$@"
}

# tone_in SIDE DST FREQ SECS: the same check of $T/SIDE.alaw.hex (from
# alaw_to or srtp_audio)
tone_in() {
	"$TONECHECK" "$3" "$4" <"$T/$1.alaw.hex" >"$T/out" 2>&1 || {
		sed 's/^/    /' "$T/out" >&2
		fail "$1: no $3 Hz tone for $4 s in the audio to $2"
	}
	sed "s/^/# $1: /" "$T/out"
}

# no_tone SIDE DST FREQ: not a tenth of a second of a FREQ Hz tone in
# the PCMA payload to DST (a peer's own tone must not come back to it)
no_tone() {
	alaw_to "$1" "$2"
	no_tone_in "$@"
}

# no_tone_in SIDE DST FREQ: the same check of $T/SIDE.alaw.hex
no_tone_in() {
	set +e
	"$TONECHECK" "$3" 0.1 <"$T/$1.alaw.hex" >"$T/out" 2>&1
	rc=$?
	set -e
	case $rc in
	1) ;;
	0) sed 's/^/    /' "$T/out" >&2
	   fail "$1: a $3 Hz tone in the audio to $2" ;;
	*) sed 's/^/    /' "$T/out" >&2
	   fail "$1: tonecheck exited $rc" ;;
	esac
}

# --- SDES SRTP in the captures (B2B_SRTP=1) -------------------------

# crypto_of SIDE FILTER: the a=crypto values ("TAG SUITE inline:...")
# of the last SDP in SIDE's capture that matches FILTER, one a line,
# into $T/crypto
crypto_of() {
	tshark -n -r "$T/$1.pcapng" -Y "sdp && $2" -T fields \
		-E "aggregator=$(printf '\t')" -e sdp.media_attr \
		>"$T/crypto.all" 2>"$T/crypto.log" ||
		fail "tshark cannot read the SDP in $1.pcapng"
	tail -n 1 "$T/crypto.all" | tr '\t' '\n' |
		sed -n 's/^crypto: *//p' >"$T/crypto"
}

# sdes_given SIDE PEER: the SDES key PEER was given for the SRTP it
# gets, from SIDE's capture: of the a=crypto lines of the last SDP sent
# to PEER, the one whose tag the offer/answer settled on (the tag of
# the SDP, to PEER or from it, with a single a=crypto line); sets
# SDES_SUITE and SDES_KEY, and SDES_PEER_KEY: the key PEER sent with
# (its own a=crypto of that tag)
sdes_given() {
	crypto_of "$1" "ip.src == $2"
	mv "$T/crypto" "$T/crypto.from"
	crypto_of "$1" "ip.dst == $2"
	if [ "$(wc -l <"$T/crypto")" = 1 ]; then
		tag=$(awk '{ print $1 }' "$T/crypto")
	elif [ "$(wc -l <"$T/crypto.from")" = 1 ]; then
		tag=$(awk '{ print $1 }' "$T/crypto.from")
	else
		fail "$1: no SDES exchange with $2 to take a key from"
	fi
	SDES_SUITE=$(awk -v t="$tag" '$1 == t { print $2 }' "$T/crypto")
	SDES_KEY=$(awk -v t="$tag" '$1 == t { print $3 }' "$T/crypto" |
		sed 's/^inline://; s/|.*//')
	SDES_PEER_KEY=$(awk -v t="$tag" '$1 == t { print $3 }' \
		"$T/crypto.from" | sed 's/^inline://; s/|.*//')
	[ -n "$SDES_KEY" ] && [ -n "$SDES_PEER_KEY" ] ||
		fail "$1: no a=crypto of tag $tag both to and from $2"
}

# srtp_audio SIDE DST: every datagram to DST in SIDE's capture but SIP
# authenticates as SRTP or SRTCP under the key DST was given
# (sdes_given), and no RTP payload was readable before decryption; the
# decrypted PCMA payload into $T/SIDE.alaw.hex, for
# tone_in and no_tone_in; the counters in SRTP_COUNTS
srtp_audio() {
	sdes_given "$1" "$2"
	tshark -n -r "$T/$1.pcapng" -Y "udp && !sip && ip.dst == $2" \
		-T fields -e udp.payload >"$T/$1.srtp.hex" 2>"$T/$1.srtp.log" ||
		fail "tshark cannot read the UDP to $2 in $1.pcapng"
	# shellcheck disable=SC2086
	$SRTPDEC --key "$SDES_KEY" --suite "$SDES_SUITE" \
		<"$T/$1.srtp.hex" >"$T/$1.alaw.hex" 2>"$T/$1.srtpdec" || {
		sed 's/^/    /' "$T/$1.srtpdec" >&2
		fail "$1: the media to $2 does not all decrypt under the $SDES_SUITE key it was given"
	}
	SRTP_COUNTS=$(tail -n 1 "$T/$1.srtpdec")
}
