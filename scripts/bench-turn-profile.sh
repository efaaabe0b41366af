# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# bench-turn-profile.sh: scripts/bench-turn --profile (sourced by it;
# uses its servers, run_relay(), val(), ratio() and bench-lib.sh's mmm,
# median, joined, overlap, rotate).
#
# TURN's userspace path (issue 16 item 6): where the servers' CPU goes,
# and how much of it is the kernel's work for each packet that no
# userspace server avoids. Two rows, each a fresh server in the edge
# namespace: coturn (the anchor, as in the main run) and umedge
# (turn_kernel no). PF_ROUNDS rounds, every row once per round, the
# order rotated each round; per row and round one relay run of
# PF_STREAMS streams for DUR s (as the main run's phase relay), with
# perf stat counting the server's system calls and context switches.
# Then one more run of each under perf record -g, left out of the CPU
# figures: the shares of its samples under udp_sendmsg (the send, and
# across a veth the receiving namespace's softirq run in the sender's
# context), under the receive calls, under udp_recvmsg alone (taking
# the datagram off the socket and copying it), under epoll_wait, in
# finish_task_switch, and outside the kernel.

# pf_params: the sizes of the runs, full or quick
pf_params() {
	PF_ROWS="coturn umedge"
	PF_STREAMS=100
	if [ "$QUICK" = 1 ]; then PF_ROUNDS=2; else PF_ROUNDS=3; fi
	PF_CALLS="recvmmsg sendmmsg recvmsg sendmsg recvfrom sendto epoll_wait io_uring_enter"
	PF_KEYS="send_pct recv_pct core_pct wait_pct switch_pct user_pct"
}

# pf_perf KIND ROW ROUND: perf (stat or record) attached to the server
# in the background, until pf_perf_end; output in WORK/KIND-ROW-ROUND
pf_perf() {
	local ev="" s out="$WORK/$1-$2-$3"
	PF_PERF_PID=""
	[ "$PF_PERF" = 1 ] || return 0
	if [ "$1" = stat ]; then
		for s in $PF_CALLS; do ev="$ev${ev:+,}syscalls:sys_enter_$s"; done
		perf stat -x, -e "$ev,context-switches" -p "$SUT" -o "$out" &
	else
		perf record -g -p "$SUT" -o "$out.data" >/dev/null 2>&1 &
	fi
	PF_PERF_PID=$!
	sleep 0.3
}

pf_perf_end() {
	[ -n "$PF_PERF_PID" ] || return 0
	kill -INT "$PF_PERF_PID" 2>/dev/null || :
	wait "$PF_PERF_PID" 2>/dev/null || :
}

# pf_run ROW ROUND KIND: ROW's run of ROUND, perf KIND (stat, record)
pf_run() {
	say "round $2: $1"
	sut_start "$1"
	pf_perf "$3" "$1" "$2"
	RUN_TAG="round=$2" run_relay "$1" "$PF_STREAMS" 1 profile ||
		say "$1 lost packets in round $2"
	pf_perf_end
	sut_stop
}

# pf_counts ROW ROUND: perf stat's counts of the run, as a line
# "perf sys=ROW round=ROUND syscalls=N cs=N" in results.txt
pf_counts() {
	local f="$WORK/stat-$1-$2"
	[ -s "$f" ] || return 0
	awk -F, -v s="$1" -v r="$2" '
		$3 ~ /^syscalls:/ { n += $1 }
		$3 == "context-switches" { cs = $1 }
		END { printf "perf sys=%s round=%s syscalls=%d cs=%d\n", s, r, n, cs }' \
		"$f" >>"$RES"
}

# pf_profile ROW: the shares (%) of ROW's profile as a "profile" line.
# A share is the children column of its largest entry point, as the
# entry points of one call differ by kernel
pf_profile() {
	local d="$WORK/record-$1-p.data" shares own
	[ -s "$d" ] || return 0
	shares=$(perf report -i "$d" --children --sort sym -g none --stdio \
		2>/dev/null | awk '
		function add(k) { if ($1 + 0 > v[k]) v[k] = $1 + 0 }
		$NF == "udp_sendmsg" { add("send") }
		$NF ~ /^(__x64_sys|__sys|do)_recvm?msg$/ || $NF == "__x64_sys_recvfrom" { add("recv") }
		$NF == "udp_recvmsg" { add("core") }
		$NF == "__x64_sys_epoll_wait" { add("wait") }
		$NF ~ /^finish_task_switch/ { add("switch") }
		END { printf "send_pct=%.1f recv_pct=%.1f core_pct=%.1f wait_pct=%.1f switch_pct=%.1f",
			v["send"], v["recv"], v["core"], v["wait"], v["switch"] }')
	own=$(perf report -i "$d" --no-children --sort dso --stdio \
		2>/dev/null | awk '/^ +[0-9.]+%/ && $2 != "[kernel.kallsyms]" { s += $1 } END { printf "%.1f", s }')
	echo "profile sys=$1 $shares user_pct=$own" >>"$RES"
}

pf_main() {
	local round row
	pf_params
	PF_PERF=1
	perf stat -e context-switches -- true >/dev/null 2>&1 || {
		say "perf does not run here: no system call counts, no profile"
		PF_PERF=0
	}
	START=$(date +%s)
	for round in $(seq "$PF_ROUNDS"); do
		# shellcheck disable=SC2086
		for row in $(rotate "$round" $PF_ROWS); do
			pf_run "$row" "$round" stat
			pf_counts "$row" "$round"
		done
	done
	for row in $PF_ROWS; do
		pf_run "$row" p record
		pf_profile "$row"
	done
	echo "elapsed sys=all s=$(($(date +%s) - START))" >>"$RES"
	pf_report
}

# ---- report ------------------------------------------------------------

# Every helper below takes the round last, for pf_list.
# pf_val KIND ROW KEY ROUND: KEY of ROW's KIND line (relay, perf) of
# ROUND
pf_val() { val "$1" "$2" "$3" "round=$4 "; }

# pf_per ROW KEY KIND ROUND: KEY of ROW's KIND line of ROUND per relayed
# packet (µs for cpu_us)
pf_per() {
	awk -v s="$(pf_val relay "$1" sent "$4")" -v r="$(pf_val relay "$1" recv "$4")" \
	    -v v="$(pf_val "$3" "$1" "$2" "$4")" \
	    'BEGIN { if (s + r > 0 && v != "") printf "%.3f\n", v / (s + r); else print "n/a" }'
}

pf_cpu() { pf_per "$1" cpu_us relay "$2"; }
pf_list() { for k in $(seq "$PF_ROUNDS"); do "$@" "$k"; done; }
pf_ratio() { ratio "$(pf_cpu "$1" "$3")" "$(pf_cpu "$2" "$3")"; echo; }
pf_med() { pf_list pf_cpu "$1" | median; }

# pf_row ROW: a row of the CPU table
pf_row() {
	printf '| %s | %s | %s | %s | %s |\n' "$1" \
		"$(pf_list pf_cpu "$1" | awk '{ printf "%.2f\n", $1 }' | joined)" \
		"$(pf_list pf_cpu "$1" | mmm 2)" \
		"$(pf_list pf_per "$1" syscalls perf | mmm 2)" \
		"$(pf_list pf_per "$1" cs perf | mmm 3)"
}

# pf_us ROW KEY...: profile shares of ROW, added, as µs per packet at
# the stat rounds' median CPU
pf_us() {
	local r=$1 k p=0
	shift
	for k in "$@"; do
		p=$(awk -v a="$p" -v b="$(val profile "$r" "$k")" 'BEGIN { print a + b }')
	done
	awk -v p="$p" -v c="$(pf_med "$r")" \
	    'BEGIN { if (c != "") printf "%.2f", p * c / 100; else print "n/a" }'
}

# pf_split ROW: a row of the profile table
pf_split() {
	local k
	printf '| %s | %s' "$1" "$(pf_med "$1")"
	for k in $PF_KEYS; do
		printf ' | %s (%s %%)' "$(pf_us "$1" "$k")" "$(val profile "$1" "$k")"
	done
	echo " |"
}

# pf_verdict RATIO: what the floor says of the 0.5x goal
pf_verdict() {
	if awk -v r="$1" 'BEGIN { exit !(r > 0.5) }'; then
		echo "above 0.5: the kernel's work for umedge's own receive and send of each packet already costs more than half of coturn's CPU, so no change to umedge's userspace code reaches the goal here; only a cheaper send (the kernel's path for each datagram) or the kernel path could"
	else
		echo "at most 0.5: the goal is within reach of a userspace server that spends little else; what umedge spends beyond the floor is the table's other columns"
	fi
}

pf_plot() {
	local r
	for r in $PF_ROWS; do
		echo "$r $(pf_list pf_cpu "$r" | mmm 2 | tr -d '/') $(pf_us "$r" send_pct core_pct)"
	done >"$WORK/profile.dat"
	gnuplot <<-EOF 2>"$WORK/gnuplot.err" || say "gnuplot failed"
	set terminal pngcairo size 800,420 font 'sans,10'
	set output '$OUT/bench-turn-profile.png'
	set termoption noenhanced
	set title 'TURN server CPU per relayed packet, $PF_STREAMS streams ($DATE)'
	set style fill solid 0.6
	set boxwidth 0.6
	set grid y
	set yrange [0:*]
	set key top right
	set ylabel 'server CPU µs per relayed packet'
	plot '$WORK/profile.dat' using 0:3:xtic(1) with boxes title 'median of $PF_ROUNDS rounds', \
	     '' using 0:3:2:4 with yerrorbars lc rgb 'black' pt 0 title 'min-max', \
	     '' using 0:5 with points pt 7 ps 1.5 lc rgb 'red' title 'send + receive (udp_sendmsg, udp_recvmsg)'
	EOF
}

pf_report() {
	local DATE u c floor
	DATE=$(date -u +%Y-%m-%d)
	pf_params
	pf_plot
	u=$(pf_list pf_cpu umedge | mmm 2)
	c=$(pf_list pf_cpu coturn | mmm 2)
	floor=$(ratio "$(pf_us umedge send_pct core_pct)" "$(pf_med coturn)")
	{
		echo "<!-- bench-turn-profile:begin -->"
		echo "## TURN's userspace path: where the server's CPU goes (issue 16)"
		echo
		echo "Generated by \`scripts/bench-turn --profile$([ "$QUICK" = 1 ] && echo " --quick")\` on $DATE in $(( $(val elapsed all s) / 60 )) min"
		echo "(\`--quick\` writes to \`build-bench/turn-profile-quick/\`). The topology,"
		echo "load and servers are the main run's: $PF_STREAMS uclient streams through"
		echo "channels, 172-byte packets echoed by turnutils_peer, ${DUR} s a run;"
		echo "coturn $(dpkg-query -W -f='${Version}' coturn 2>/dev/null) with \`use-auth-secret\` and its own threading"
		echo "(\`relay-threads\` unset: \"a default optimal algorithm\", its man page),"
		echo "umedge relaying in userspace. Every server is started fresh for each"
		echo "run; $PF_ROUNDS rounds, every row once a round, the order rotated each"
		echo "round. CPU is the server's user+system time (/proc, all threads) over"
		echo "the relayed packets (both directions). perf stat counts the server's"
		echo "system calls ($PF_CALLS) and context switches."
		echo
		echo "| server | CPU µs per relayed packet, rounds 1 to $PF_ROUNDS | min / median / max | system calls per packet | context switches per packet |"
		echo "|---|---|---|---|---|"
		for r in $PF_ROWS; do pf_row "$r"; done
		echo
		echo "umedge / coturn, CPU per relayed packet within each round:"
		echo "$(pf_list pf_ratio umedge coturn | joined) (goal: at most 0.5). The"
		echo "min-max ranges $(overlap "$u" "$c")."
		echo
		echo "**Where it goes**: one more run of each under perf record -g (not in"
		echo "the figures above). Each share of the samples is shown as µs per"
		echo "packet at the row's median CPU: under udp_sendmsg (the send; across a"
		echo "veth it includes the receiving namespace's softirq, IP and UDP receive"
		echo "and waking the receiver, run in the sender's context), under the"
		echo "receive system calls, of which udp_recvmsg (taking the datagram off"
		echo "the socket and copying it out), under epoll_wait (sleeping included),"
		echo "in finish_task_switch (being switched back in), and outside the kernel"
		echo "(the server's code and its libraries):"
		echo
		echo "| server | CPU µs per packet (median) | send | receive call | of it udp_recvmsg | epoll_wait | switched in | own code |"
		echo "|---|---:|---:|---:|---:|---:|---:|---:|"
		for r in $PF_ROWS; do pf_split "$r"; done
		echo
		echo "Every relayed packet is received and sent once by any userspace server,"
		echo "so umedge's send and udp_recvmsg, $(pf_us umedge send_pct core_pct) µs per packet, are a floor"
		echo "for it: ${floor}x coturn's median CPU per packet, $(pf_verdict "$floor")."
		echo "The kernel path (\`turn_kernel yes\`, the main run's umkern) pays neither."
		echo
		echo "![TURN CPU per relayed packet and its floor](bench-turn-profile.png)"
		echo
		echo "Every run:"
		echo
		echo '```'
		cat "$RES"
		echo '```'
		echo "<!-- bench-turn-profile:end -->"
	} >"$WORK/section.md"
	section_write bench-turn-profile "$WORK/section.md" "$OUT/benchmarks.md"
	say "CPU µs per relayed packet: umedge $u, coturn $c; floor ${floor}x coturn"
	say "wrote $OUT/benchmarks.md and $OUT/bench-turn-profile.png"
}
