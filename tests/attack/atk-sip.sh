# SPDX-License-Identifier: BSD-3-Clause
# atk-sip.sh: helpers of the SIP attack tests (sourced after lib.sh,
# b2b-lib.sh and atk-lib.sh).

ASCEN=$top_srcdir/tests/attack/sipp

# ids N: sets CID, FTAG and BR (a Via branch), each N bytes long and
# new at each call (a counter in front)
IDS_N=0
ids() {
	IDS_N=$((IDS_N + 1))
	pad=$(head -c "$1" /dev/zero | tr '\0' 'x')
	CID=$(printf 'c%03d%s' "$IDS_N" "$pad" | cut -c1-"$1")
	FTAG=$(printf 'f%03d%s' "$IDS_N" "$pad" | cut -c1-"$1")
	BR=$(printf 'z9hG4bK%03d%s' "$IDS_N" "$pad" | cut -c1-"$1")
}

# um_uas BYE RING [SIPP-ARGS...]: UM (um-uas.xml) over TCP on
# INT_UM:5060, ringing RING ms; BYE "um": UM sends the BYE after -d
# (um-bye-uas.xml)
um_uas() {
	sf=um-uas.xml r=$2
	[ "$1" = um ] && sf=um-bye-uas.xml
	shift 2
	sipp_uas "$NS_INT" t1 um "$ASCEN/$sf" "$INT_UM" 5060 -mp 6000 \
		-set ring "$r" -set ttag umtag "$@"
}

# gw_ids CID FTAG BR BYE [SIPP-ARGS...]: the gateway's call
# (ids-uac.xml) from GW_ADDR (default EXT_GW) with these identifiers,
# in the background (gw_wait), its messages in $T/GW_NAME.msg (default
# gw); BYE "um": the BYE comes from UM (ids-byeum-uac.xml)
gw_ids() {
	ga=${GW_ADDR:-$EXT_GW} sf=ids-uac.xml
	[ "$4" = um ] && sf=ids-byeum-uac.xml
	c=$1 f=$2 b=$3
	shift 4
	(cd "$T" && exec ip netns exec "$NS_EXT" timeout 90 sipp \
		-sf "$ASCEN/$sf" -i "$ga" -p 5060 -mi "$ga" -m 1 \
		-timeout 30s -nostdin -s 8000 -mp 6000 \
		-trace_msg -message_file "$T/${GW_NAME:-gw}.msg" \
		-trace_err -error_file "$T/${GW_NAME:-gw}.err" -cid_str "$c" -set ftag "$f" \
		-set br "$b" "$@" "$EDGE_EXT:5060") \
		>"$T/${GW_NAME:-gw}.out" 2>&1 &
	GW_PID=$!
	PIDS="$PIDS $GW_PID"
}

# atk_sip OUT ARGS...: tests/tools/atksip.py req ARGS in ext, its line
# in $T/OUT and in ATK (e.g. "sent 10 answered 10 codes 200:8,503:2
# no-retry-after 0 no-warning 0")
atk_sip() {
	o=$1
	shift
	in_ns "$NS_EXT" /usr/bin/python3 "$ATK_TOOLS/atksip.py" req "$@" \
		>"$T/$o" 2>&1 || { cat "$T/$o" >&2; fail "atksip.py failed"; }
	ATK=$(tail -n 1 "$T/$o")
	echo "# $o: $ATK"
}

# atk_count CODE: how many answers of CODE in ATK
atk_count() {
	echo "$ATK" | sed -n "s/.* codes \([^ ]*\) .*/\1/p" | tr ',' '\n' |
		awk -F: -v c="$1" '$1 == c { n = $2 } END { print n + 0 }'
}

# atk_field NAME: the number after NAME in ATK (sent, answered,
# no-retry-after, no-warning)
atk_field() {
	echo "$ATK" | awk -v f="$1" '{ for (i = 1; i < NF; i++)
		if ($i == f) print $(i + 1) }'
}

# atk_loss PEER-A PEER-B MAX-PERMILLE: RTP lost through the relay
# between PEER-A (in ext's capture) and PEER-B (in int's), each way,
# from the captures check_rtp read ($T/ext.rtp, $T/int.rtp), at most
# MAX-PERMILLE per mille
atk_loss() {
	awk -v a="$1" -v b="$2" -v max="$3" '
	FILENAME ~ /ext\.rtp$/ && $1 == a { a_sent++ }
	FILENAME ~ /ext\.rtp$/ && $3 == a { a_got++ }
	FILENAME ~ /int\.rtp$/ && $1 == b { b_sent++ }
	FILENAME ~ /int\.rtp$/ && $3 == b { b_got++ }
	END {
		la = a_sent ? 1000 * (a_sent - b_got) / a_sent : 1000
		lb = b_sent ? 1000 * (b_sent - a_got) / b_sent : 1000
		printf "%d of %d RTP packets from %s reached %s, %d of %d the other way (loss %.0f and %.0f per mille)\n", b_got, a_sent, a, b, a_got, b_sent, la, lb
		exit !(la <= max && lb <= max)
	}' "$T/ext.rtp" "$T/int.rtp" >"$T/out" || {
		cat "$T/out" >&2
		fail "RTP loss over $3 per mille"
	}
	sed 's/^/# /' "$T/out"
}

# call_pending: umedgectl calls shows one call, not yet answered
call_pending() {
	"$UMEDGECTL" -s "$T/control.sock" calls >"$T/calls" 2>&1 &&
		grep -q '^1 sip calls' "$T/calls"
}
