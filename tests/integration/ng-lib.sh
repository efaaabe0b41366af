# SPDX-License-Identifier: BSD-3-Clause
# ng-lib.sh: an ng controller and RTP counts for the relay tests
# (sourced by relay-lib.sh and ha-pair.test, after lib.sh and the
# topology's variables: EXT_GW, INT_UM)

# ng COOKIE BODY-FUNCTION [ARGS]: send "COOKIE d<body>e" from NG_NS
# (default the edge) to NG_ADDR (default 127.0.0.1:2223); the body
# function prints the dictionary's entries. Nothing
# here goes through $(...), which would strip the SDP's last newline,
# and socat reads a whole file, so the message is one datagram.
ng() {
	c=$1; shift
	{ printf '%s d' "$c"; "$@"; printf e; } >"$T/msg"
	ip netns exec "${NG_NS:-$NS_EDGE}" socat -t0.5 -b 65536 - \
		"UDP:${NG_ADDR:-127.0.0.1:2223}" <"$T/msg"
}
bstr() { printf '%d:%s' "${#1}" "$1"; }
kv() { bstr "$1"; bstr "$2"; }
sdp() { # ADDR PORT
	printf 'v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio %s RTP/AVP 8\r\na=sendrecv\r\n' "$1" "$1" "$2"
}
sdp_kv() { # ADDR PORT: the "sdp" entry
	sdp "$1" "$2" >"$T/sdp"
	printf '3:sdp%d:' "$(wc -c <"$T/sdp")"
	cat "$T/sdp"
}
dir_kv() { printf '9:directionl'; bstr "$1"; bstr "$2"; printf e; }
offer_body() { # CALLID PORT
	kv command offer; kv call-id "$1"; kv from-tag gw
	sdp_kv "$EXT_GW" "$2"; dir_kv external internal
}
answer_body() { # CALLID
	kv command answer; kv call-id "$1"; kv from-tag gw; kv to-tag um
	sdp_kv "$INT_UM" 7000; dir_kv internal external
}
cmd_body() { kv command "$1"; kv call-id "$2"; }
port_of() { sed -n 's/.*m=audio \([0-9]*\) .*/\1/p' | head -n 1; }
addr_of() { sed -n 's/.*c=IN IP4 \([0-9.]*\).*/\1/p' | head -n 1; }

# count FILE SOURCE: packets umrtp saw from SOURCE ("ip:port")
count() { awk -v s="$2" '$1 == s { print $2 }' "$1" | grep . || echo 0; }
others() { awk -v s="$2" '$1 != s && $1 != "sent" { n += $2 } END { print n + 0 }' "$1"; }

