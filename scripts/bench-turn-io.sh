# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# bench-turn-io.sh: scripts/bench-turn --io (sourced by it; uses its
# servers, run_relay(), val(), ratio() and bench-lib.sh's mmm, joined,
# overlap, rotate).
#
# TURN's userspace path (issue 16 item 6): what turn_io changes, and
# how much of the server's CPU is the kernel's send that no userspace
# design avoids. Three rows, each a fresh server in the edge namespace:
#   coturn        the anchor, as in the main run
#   umedge-uring  turn_io uring: ChannelData read in a listener's batch
#                 goes to its peers with one io_uring_enter
#   umedge-epoll  turn_io epoll: one sendto per datagram
# IO_ROUNDS rounds, every row once per round, the order rotated by one
# each round; per row and round one relay run of IO_STREAMS streams for
# DUR s (as the main run's phase relay), with perf stat counting the
# server's system calls and context switches over the run. Then one
# profile round, left out of the figures: perf record -g of
# umedge-uring and coturn over the same run; the share of their CPU
# under udp_sendmsg (the send and the delivery to the receiving
# namespace that a veth runs in the sender's context) gives the
# floor.

# io_params: the sizes of the runs, full or quick
io_params() {
	IO_ROWS="coturn umedge-uring umedge-epoll"
	IO_STREAMS=100
	if [ "$QUICK" = 1 ]; then IO_ROUNDS=2; else IO_ROUNDS=3; fi
	IO_CALLS="recvmmsg sendmmsg recvmsg sendmsg recvfrom sendto epoll_wait io_uring_enter"
}

io_up() {
	case $1 in
	coturn) start_coturn ;;
	umedge-*)
		start_umedge no "${1#umedge-}"
		! grep -q "turn_io uring: io_uring is not available" \
			"$WORK/umedge.log" ||
			die "$(grep turn_io "$WORK/umedge.log")" ;;
	esac
	sleep 0.5
}

# io_perf KIND ROW ROUND: perf (stat or record) attached to the server
# in the background, until io_perf_end; output in WORK/KIND-ROW-ROUND
io_perf() {
	local ev="" s out="$WORK/$1-$2-$3"
	IO_PERF_PID=""
	[ "$IO_PERF" = 1 ] || return 0
	if [ "$1" = stat ]; then
		for s in $IO_CALLS; do ev="$ev${ev:+,}syscalls:sys_enter_$s"; done
		perf stat -x, -e "$ev,context-switches" -p "$SUT" -o "$out" &
	else
		perf record -g -p "$SUT" -o "$out.data" >/dev/null 2>&1 &
	fi
	IO_PERF_PID=$!
	sleep 0.3
}

io_perf_end() {
	[ -n "$IO_PERF_PID" ] || return 0
	kill -INT "$IO_PERF_PID" 2>/dev/null || :
	wait "$IO_PERF_PID" 2>/dev/null || :
}

# io_run ROW ROUND KIND: ROW's run of ROUND, perf KIND (stat, record)
io_run() {
	say "round $2: $1"
	io_up "$1"
	io_perf "$3" "$1" "$2"
	RUN_TAG="round=$2" run_relay "$1" "$IO_STREAMS" 1 io ||
		say "$1 lost packets in round $2"
	io_perf_end
	sut_stop
}

# io_profile ROW: shares (%) of ROW's profile: under udp_sendmsg
# (send), under the receive system calls (recv: the largest of their
# kernel entry points, which differ by call and kernel), under epoll_wait
# (wait), in finish_task_switch (switch: being switched in), and the
# samples outside the kernel (own code and libraries)
io_profile() {
	local d="$WORK/record-$1-p.data" shares own
	[ -s "$d" ] || return 0
	shares=$(perf report -i "$d" --children --sort sym -g none --stdio \
		2>/dev/null | awk '
		function add(k) { if ($1 + 0 > v[k]) v[k] = $1 + 0 }
		$NF == "udp_sendmsg" { add("send") }
		$NF ~ /^(__x64_sys|__sys|do)_recvm?msg$/ || $NF == "__x64_sys_recvfrom" { add("recv") }
		$NF == "__x64_sys_epoll_wait" { add("wait") }
		$NF ~ /^finish_task_switch/ { add("switch") }
		END { printf "send_pct=%.1f recv_pct=%.1f wait_pct=%.1f switch_pct=%.1f",
			v["send"], v["recv"], v["wait"], v["switch"] }')
	own=$(perf report -i "$d" --no-children --sort dso --stdio \
		2>/dev/null | awk '/^ +[0-9.]+%/ && $2 != "[kernel.kallsyms]" { s += $1 } END { printf "%.1f", s }')
	echo "profile sys=$1 $shares user_pct=$own" >>"$RES"
}

io_main() {
	local round row
	io_params
	IO_PERF=1
	perf stat -e context-switches -- true >/dev/null 2>&1 || {
		say "perf does not run here: no system call counts, no profile"
		IO_PERF=0
	}
	START=$(date +%s)
	for round in $(seq "$IO_ROUNDS"); do
		# shellcheck disable=SC2086
		for row in $(rotate "$round" $IO_ROWS); do
			io_run "$row" "$round" stat
			io_counts "$row" "$round"
		done
	done
	for row in umedge-uring coturn; do
		io_run "$row" p record
		io_profile "$row"
	done
	echo "elapsed sys=all s=$(($(date +%s) - START))" >>"$RES"
	io_report
}

# io_counts ROW ROUND: perf stat's counts of the run, as a line
# "perf sys=ROW round=ROUND syscalls=N cs=N" in results.txt
io_counts() {
	local f="$WORK/stat-$1-$2"
	[ -s "$f" ] || return 0
	awk -F, -v s="$1" -v r="$2" '
		$3 ~ /^syscalls:/ { n += $1 }
		$3 == "context-switches" { cs = $1 }
		END { printf "perf sys=%s round=%s syscalls=%d cs=%d\n", s, r, n, cs }' \
		"$f" >>"$RES"
}

# ---- report ------------------------------------------------------------

# Every helper below takes the round last, for io_list.
# io_val KIND ROW KEY ROUND: KEY of ROW's KIND line (relay, perf) of
# ROUND
io_val() { val "$1" "$2" "$3" "round=$4 "; }

# io_per ROW KEY KIND ROUND: KEY of ROW's KIND line of ROUND per relayed
# packet (µs for the *_us keys)
io_per() {
	awk -v s="$(io_val relay "$1" sent "$4")" -v r="$(io_val relay "$1" recv "$4")" \
	    -v v="$(io_val "$3" "$1" "$2" "$4")" \
	    'BEGIN { if (s + r > 0 && v != "") printf "%.3f\n", v / (s + r); else print "n/a" }'
}

io_cpu() { io_per "$1" cpu_us relay "$2"; }

# io_ratio A B ROUND: A's CPU per packet over B's in ROUND
io_ratio() { ratio "$(io_cpu "$1" "$3")" "$(io_cpu "$2" "$3")"; echo; }

io_list() { for k in $(seq "$IO_ROUNDS"); do "$@" "$k"; done; }

# io_row ROW: a row of the CPU table
io_row() {
	printf '| %s | %s | %s | %s | %s |\n' "$1" \
		"$(io_list io_cpu "$1" | joined)" \
		"$(io_list io_cpu "$1" | mmm 2)" \
		"$(io_list io_per "$1" syscalls perf | mmm 2)" \
		"$(io_list io_per "$1" cs perf | mmm 3)"
}

# io_us ROW KEY: a profile share of ROW as µs per packet at the stat
# rounds' median CPU
io_us() {
	awk -v p="$(val profile "$1" "$2")" -v c="$(io_list io_cpu "$1" | median)" \
	    'BEGIN { if (p != "" && c != "") printf "%.2f", p * c / 100; else print "n/a" }'
}

# io_split ROW: a row of the profile table
io_split() {
	local k
	printf '| %s | %s' "$1" "$(io_list io_cpu "$1" | median)"
	for k in send_pct recv_pct wait_pct switch_pct user_pct; do
		printf ' | %s (%s %%)' "$(io_us "$1" "$k")" "$(val profile "$1" "$k")"
	done
	echo " |"
}

# io_verdict FLOOR-RATIO: what the floor says of the 0.5x goal
io_verdict() {
	if awk -v r="$1" 'BEGIN { exit !(r > 0.5) }'; then
		echo "above the goal: no userspace server that sends each packet with a UDP socket reaches 0.5x here."
	else
		echo "below the goal: a server spending little beyond its sends could reach 0.5x; what umedge spends above them is in the other columns."
	fi
}

io_plot() {
	local r
	for r in $IO_ROWS; do
		echo "$r $(io_list io_cpu "$r" | mmm 2 | tr -d '/')"
	done >"$WORK/io.dat"
	gnuplot <<-EOF 2>"$WORK/gnuplot.err" || say "gnuplot failed"
	set terminal pngcairo size 800,420 font 'sans,10'
	set output '$OUT/bench-turn-io.png'
	set title 'TURN server CPU per relayed packet, $IO_STREAMS streams: min, median, max of $IO_ROUNDS rounds ($DATE)'
	set style fill solid 0.6
	set boxwidth 0.6
	set grid y
	set yrange [0:*]
	set ylabel 'server CPU µs per relayed packet'
	plot '$WORK/io.dat' using 0:3:xtic(1) with boxes notitle, \
	     '' using 0:3:2:4 with yerrorbars lc rgb 'black' pt 0 notitle, \
	     '' using 0:3:3 with labels offset 3,0.6 notitle
	EOF
}

io_report() {
	local DATE u e c
	DATE=$(date -u +%Y-%m-%d)
	io_params
	io_plot
	u=$(io_list io_cpu umedge-uring | mmm 2)
	e=$(io_list io_cpu umedge-epoll | mmm 2)
	c=$(io_list io_cpu coturn | mmm 2)
	{
		echo "<!-- bench-turn-io:begin -->"
		echo "## TURN's userspace path: system calls and io_uring (issue 16)"
		echo
		echo "Generated by \`scripts/bench-turn --io$([ "$QUICK" = 1 ] && echo " --quick")\` on $DATE in $(( $(val elapsed all s) / 60 )) min"
		echo "(\`--quick\` writes to \`build-bench/turn-io-quick/\`). The topology, load"
		echo "and servers are the main run's: $IO_STREAMS uclient streams through"
		echo "channels, 172-byte packets echoed by turnutils_peer, for ${DUR} s each;"
		echo "coturn $(dpkg-query -W -f='${Version}' coturn 2>/dev/null) with \`use-auth-secret\` and its own"
		echo "threading (\`relay-threads\` unset: \"a default optimal algorithm\", its"
		echo "man page),"
		echo "umedge once with \`turn_io uring\` and once with \`turn_io epoll\`, every"
		echo "server started fresh for each run. $IO_ROUNDS rounds, every row once a"
		echo "round, the order rotated each round. perf stat counts the server's"
		echo "system calls ($IO_CALLS) and context switches."
		echo
		echo "| server | CPU µs per relayed packet, per round | min / median / max | system calls per packet | context switches per packet |"
		echo "|---|---|---|---|---|"
		for r in $IO_ROWS; do io_row "$r"; done
		echo
		echo "Ratios within each round (CPU per relayed packet):"
		echo
		echo "- umedge-uring / umedge-epoll: $(io_list io_ratio umedge-uring umedge-epoll | joined)."
		echo "- umedge-uring / coturn: $(io_list io_ratio umedge-uring coturn | joined) (goal 0.5)."
		echo "- umedge-epoll / coturn: $(io_list io_ratio umedge-epoll coturn | joined)."
		echo
		echo "The min-max ranges of umedge-uring and umedge-epoll $(overlap "$u" "$e");"
		echo "those of umedge-uring and coturn $(overlap "$u" "$c")."
		echo
		echo "**Where the server's CPU goes**: one more run of umedge-uring and of"
		echo "coturn under perf record -g (not in the figures above); each share of"
		echo "the samples as µs per packet at the row's median CPU: under"
		echo "udp_sendmsg (the send; across a veth it includes the receiving"
		echo "namespace's softirq, IP and UDP receive and waking the receiver, run"
		echo "in the sender's context), under the receive system calls, under"
		echo "epoll_wait, in finish_task_switch (being switched back in), and"
		echo "outside the kernel (the server's code and libraries):"
		echo
		echo "| server | CPU µs per packet (median) | send | receive | epoll_wait | switched in | own code |"
		echo "|---|---:|---:|---:|---:|---:|---:|"
		io_split umedge-uring
		io_split coturn
		echo
		echo "Every relayed packet is one send, in any userspace server, so"
		echo "umedge-uring's send, $(io_us umedge-uring send_pct) µs per packet, is a floor: $(ratio "$(io_us umedge-uring send_pct)" "$(io_list io_cpu coturn | median)")x coturn's median CPU per"
		echo "packet, $(io_verdict "$(ratio "$(io_us umedge-uring send_pct)" "$(io_list io_cpu coturn | median)")")"
		echo "The kernel path (\`turn_kernel yes\`, the main run's umkern) pays none of it."
		echo
		echo "![TURN CPU per relayed packet](bench-turn-io.png)"
		echo
		echo "Every run:"
		echo
		echo '```'
		cat "$RES"
		echo '```'
		echo "<!-- bench-turn-io:end -->"
	} >"$WORK/section.md"
	section_write bench-turn-io "$WORK/section.md" "$OUT/benchmarks.md"
	say "CPU µs per relayed packet: umedge-uring $u, umedge-epoll $e, coturn $c"
	say "wrote $OUT/benchmarks.md and $OUT/bench-turn-io.png"
}
