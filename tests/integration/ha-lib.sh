# SPDX-License-Identifier: BSD-3-Clause
# ha-lib.sh: an active/standby pair of umedge nodes under keepalived,
# their calls in Redis (issue 15), for ha-pair.test and ha-load.test.
# Sourced after lib.sh with HA_PREFIX set (two letters: the namespaces'
# prefix); skips (77) without root, keepalived, redis-server, socat or
# tests/tools/umrtp. On return: the topology below is up, redis-server
# runs, ea is the active node (role active, the service addresses) and
# eb the standby; each node's umedge has relay_ng_listen on the inside
# service address and a B2BUA (UDP outside, TCP inside, UM at INT_UM).
#
#   ext (bridge)                 ea / eb                 int (bridge)
#   gateway 198.51.100.10  ext0 .2 / .3   int0 .2 / .3   controller, UM
#   attacker 198.51.100.11  service addresses            203.0.113.10
#                          198.51.100.1 and 203.0.113.1  redis .12
#                          (VRRP, keepalived, unicast)
#
# Each node: the interfaces on the service addresses, ha_pair yes,
# net.ipv4.ip_nonlocal_bind=1 in its namespace; keepalived with a check
# of its own umedge's PID every second (fall 1), advert_int 0.5,
# nopreempt, both BACKUP; its notify runs `umedgectl ha takeover` on
# MASTER, `ha release` on BACKUP or FAULT. UMEDGE_HA_CONF lines are
# added to each node's configuration; HA_PORTS_EXT and HA_PORTS_INT
# give its port ranges (30000-30099, 31000-31099: below the kernel's
# ephemeral ports, 32768 up, which a wildcard socket of the standby,
# its DNS client's say, may hold when a restore needs the same port).
[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
for c in keepalived redis-server redis-cli socat ip; do
	command -v "$c" >/dev/null 2>&1 || skip "$c is not installed"
done
UMRTP=$top_builddir/tests/tools/umrtp
[ -x "$UMRTP" ] || skip "tests/tools/umrtp is not built"
KA=$(command -v keepalived)

P=$(printf '%s%s' "$HA_PREFIX" "$$" | cut -c1-6)
NS_EXT=$P-ext NS_EA=$P-ea NS_EB=$P-eb NS_INT=$P-int
EXT_GW=198.51.100.10 EXT_EVIL=198.51.100.11 EDGE_EXT=198.51.100.1
INT_UM=203.0.113.10 REDIS=203.0.113.12 EDGE_INT=203.0.113.1
PASS=ha-test-0123456789
HASTATE="python3 $top_srcdir/tests/tools/hastate.py"

pair_down() {
	for n in $NS_EXT $NS_EA $NS_EB $NS_INT; do
		ip netns del "$n" 2>/dev/null || :
	done
}

pair_cleanup() {
	rc=$?
	trap - EXIT
	set +e
	if [ "$rc" != 0 ] && [ "$rc" != 77 ]; then
		for f in a.log b.log ka-a.log ka-b.log redis.log um.out gw.out; do
			[ -s "$T/$f" ] || continue
			echo "--- $f (last 25 lines)" >&2
			tail -n 25 "$T/$f" | sed 's/^/    /' >&2
		done
	fi
	lib_cleanup
	pair_down
	exit "$rc"
}

# link NS-A IF-A NS-B IF-B: a veth between two namespaces
link() {
	ip link add "$P$2" type veth peer name "$P$4" || return 1
	ip link set "$P$2" netns "$1" name "$2"
	ip link set "$P$4" netns "$3" name "$4"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

# bridge NS ADDR...: br0 in NS with these addresses (/24)
bridge() {
	ns=$1; shift
	ip -n "$ns" link add br0 type bridge
	ip -n "$ns" link set br0 up
	for a in "$@"; do ip -n "$ns" addr add "$a/24" dev br0; done
}

pair_up() {
	for n in $NS_EXT $NS_EA $NS_EB $NS_INT; do
		ip netns add "$n" || return 1
		ip -n "$n" link set lo up
	done
	bridge "$NS_EXT" "$EXT_GW" "$EXT_EVIL"
	bridge "$NS_INT" "$INT_UM" "$REDIS"
	link "$NS_EA" ext0 "$NS_EXT" xa && link "$NS_EB" ext0 "$NS_EXT" xb &&
		link "$NS_EA" int0 "$NS_INT" ia && link "$NS_EB" int0 "$NS_INT" ib ||
		return 1
	for i in xa xb; do ip -n "$NS_EXT" link set "$i" master br0; done
	for i in ia ib; do ip -n "$NS_INT" link set "$i" master br0; done
	ip -n "$NS_EA" addr add 198.51.100.2/24 dev ext0
	ip -n "$NS_EA" addr add 203.0.113.2/24 dev int0
	ip -n "$NS_EB" addr add 198.51.100.3/24 dev ext0
	ip -n "$NS_EB" addr add 203.0.113.3/24 dev int0
	for n in $NS_EA $NS_EB; do
		ip netns exec "$n" sysctl -qw net.ipv4.ip_nonlocal_bind=1
	done
}

trap pair_cleanup EXIT
trap 'exit 1' INT TERM HUP
pair_up 2>"$T/topo.err" || skip "no network namespaces: $(cat "$T/topo.err")"

# umedge_start NAME NS: a node's umedge
umedge_start() {
	n=$1 ns=$2
	cat >"$T/$n.conf" <<-EOF
	interface external $EDGE_EXT ports=${HA_PORTS_EXT:-30000-30099}
	interface internal $EDGE_INT ports=${HA_PORTS_INT:-31000-31099}
	sip_listen external udp 5060
	sip_listen internal tcp 5060
	sip_gateway $EXT_GW/32
	sip_internal_network 203.0.113.0/24
	sip_um_host tcp $INT_UM:5060
	sip_options_interval 0
	sip_cdr_file $T/$n.cdr.json
	relay_threads 1
	relay_ng_listen $EDGE_INT:2223
	relay_ng_controller $INT_UM/32
	relay_learn_window 1
	relay_timeout 60
	control_socket $T/$n.sock
	ha_redis $REDIS:6379
	ha_redis_password $PASS
	ha_pair yes
	ha_node edge-$n
	${UMEDGE_HA_CONF:-}
	EOF
	ip netns exec "$ns" "$UMEDGE" -c "$T/$n.conf" >"$T/$n.log" 2>&1 &
	echo $! >"$T/$n.pid"
	PIDS="$PIDS $!"
	wait_for 10 "umedge $n" test -S "$T/$n.sock"
}

# node NAME NS SELF PEER-EXT PEER-INT PRIO: umedge and keepalived
node() {
	n=$1 ns=$2
	umedge_start "$n" "$ns"
	cat >"$T/$n.notify" <<-EOF
	#!/bin/sh
	case \$3 in
	MASTER) exec "$UMEDGECTL" -s "$T/$n.sock" ha takeover ;;
	BACKUP|FAULT) exec "$UMEDGECTL" -s "$T/$n.sock" ha release ;;
	esac
	EOF
	chmod +x "$T/$n.notify"
	cat >"$T/ka-$n.conf" <<-EOF
	global_defs {
	    router_id edge-$n
	    script_user root
	    vrrp_version 3
	}
	vrrp_script umedge_up {
	    script "/bin/sh -c 'kill -0 \$(cat $T/$n.pid)'"
	    interval 1
	    fall 1
	    rise 1
	}
	vrrp_sync_group EDGE {
	    group { OUT IN }
	    notify $T/$n.notify
	}
	vrrp_instance OUT {
	    state BACKUP
	    nopreempt
	    interface ext0
	    virtual_router_id 51
	    priority $6
	    advert_int 0.5
	    unicast_src_ip $3
	    unicast_peer { $4 }
	    virtual_ipaddress { $EDGE_EXT/24 dev ext0 }
	    track_script { umedge_up }
	}
	vrrp_instance IN {
	    state BACKUP
	    nopreempt
	    interface int0
	    virtual_router_id 52
	    priority $6
	    advert_int 0.5
	    unicast_src_ip $(echo "$3" | sed 's/^198\.51\.100\./203.0.113./')
	    unicast_peer { $5 }
	    virtual_ipaddress { $EDGE_INT/24 dev int0 }
	    track_script { umedge_up }
	}
	EOF
	ip netns exec "$ns" "$KA" -n -l -D -P -f "$T/ka-$n.conf" \
		-p "$T/ka-$n.pid" -r "$T/vrrp-$n.pid" \
		>"$T/ka-$n.log" 2>&1 &
	PIDS="$PIDS $!"
}

role() { "$UMEDGECTL" -s "$T/$1.sock" status | sed -n 's/^ha: node [^,]*, role \([a-z]*\),.*/\1/p'; }
role_is() { [ "$(role "$1")" = "$2" ]; }
rcli() {
	ip netns exec "$NS_INT" redis-cli -h "$REDIS" -a "$PASS" \
		--no-auth-warning "$@"
}
key() { echo "umedge:v1:{umedge}:call:$1"; }
locked() { rcli --raw HGET "$(key "$1")" relay | $HASTATE locked; }

ip netns exec "$NS_INT" redis-server --bind "$REDIS" --port 6379 \
	--requirepass "$PASS" --save '' --appendonly no --protected-mode no \
	--dir "$T" --daemonize no >"$T/redis.log" 2>&1 &
PIDS="$PIDS $!"
wait_for 10 "redis-server" sh -c \
	"ip netns exec $NS_INT ss -ltn | grep -qF '$REDIS:6379'"

node a "$NS_EA" 198.51.100.2 198.51.100.3 203.0.113.3 110
wait_for 10 "node a to take over ($(role a))" role_is a active
node b "$NS_EB" 198.51.100.3 198.51.100.2 203.0.113.2 100
sleep 2
role_is b standby || fail "node b: role $(role b), not standby"
ip -n "$NS_EA" addr show dev ext0 | grep -qF "$EDGE_EXT/24" ||
	fail "ea does not hold $EDGE_EXT"
ok "a pair under keepalived: ea active with the service addresses, eb standby"
