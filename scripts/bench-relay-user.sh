# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# bench-relay-user.sh: scripts/bench-relay --userspace (sourced by it;
# uses its relays, bench(), val(), per_pkt(), ratio() and bench-lib.sh's
# mmm, joined, overlap, rotate).
#
# The userspace path across veths (issue 16 item 5): where a userspace
# relay's time goes, and what io_uring changes. Six rows in the
# netns topology, each a process in the edge namespace:
#   rtpengine    the anchor, as in the plain runs (userspace only,
#                --num-threads=2)
#   umedge-epoll relay_kernel no, relay_threads 0 (one worker per vCPU),
#                relay_io epoll
#   umedge-uring the same with relay_io uring (the default, auto, where
#                the kernel has io_uring)
#   ring-epoll   tests/tools/umring -m epoll -t 2: a bare static relay
#                with umedge's system calls (epoll_wait, recvmmsg per
#                ready socket, sendmmsg) and nothing else
#   ring-uring   umring -m uring -t 2: the same relay on io_uring
#                (multishot recvmsg into provided buffers, sendmsg,
#                submitted and reaped together)
#   ring-conn    umring -m uring -t 2 -c: the same with each socket
#                connect()ed to its peer (early demux on receive, the
#                route kept for sends): what connected sockets would
#                give a relay
# The umring rows carry umbench -S's static calls; rtpengine and umedge
# get the same calls by ng. U_ROUNDS rounds, every row once per round,
# the order rotated by one each round; per row and round a fixed run
# (1000 calls x 50 pps one way) with perf stat counting the relay's
# system calls and context switches over its middle, and the max-rate
# search at 1000 calls. Ratios are taken within a round.

# u_params: the sizes of the runs, full or quick
u_params() {
	U_ROWS="rtpengine umedge-epoll umedge-uring ring-epoll ring-uring ring-conn"
	U_N=1000 U_F=40000 U_P0=30000
	if [ "$QUICK" = 1 ]; then
		U_N=100 U_ROUNDS=2 U_STEPS=3 U_STAT_AT=1 U_STAT_FOR=1
	else
		U_ROUNDS=3 U_STEPS=$MAX_STEPS U_STAT_AT=3 U_STAT_FOR=6
	fi
	U_SYSCALLS="recvmmsg sendmmsg recvmsg sendmsg recvfrom sendto epoll_wait io_uring_enter"
}

# u_build: the bare relay (liburing)
u_build() {
	[ -f /usr/include/liburing.h ] ||
		die "liburing-dev is not installed (scripts/deps build)"
	cc -O2 -Wall -o "$UMRING" "$TOP/tests/tools/umring.c" -luring \
		-lpthread || die "umring does not build"
}

# u_up ROW: ROW's relay in the edge namespace, its PID in UM_PID,
# RE_PID or RING_PID
u_up() {
	case $1 in
	rtpengine) start_rtpengine ;;
	umedge-*)
		UM_KERNEL=no UM_EXTRA="relay_io ${1#umedge-}" start_umedge
		# log_level warning: under "uring" a fallback is a warning
		! grep -q "relay_io uring: io_uring is not available" \
			"$WORK/umedge-$ENV.log" ||
			die "$(grep relay_io "$WORK/umedge-$ENV.log")" ;;
	ring-conn) RING_MODE=uring RING_CONN=-c u_ring "$1" ;;
	ring-*) RING_MODE=${1#ring-} RING_CONN="" u_ring "$1" ;;
	esac
}

# u_ring ROW: umring in the edge namespace, RING_MODE, RING_CONN (-c)
u_ring() {
	# shellcheck disable=SC2086
	$IN "$UMRING" -m "$RING_MODE" $RING_CONN -n "$U_N" -a "$EXT_GW" \
		-e "$EDGE_EXT:$U_P0" -i "$EDGE_INT:$U_P0" -b "$INT_UM" \
		-F "$U_F" -t 2 >"$WORK/$1.log" 2>&1 &
	RING_PID=$!
	PIDS="$PIDS $RING_PID"
	sleep 0.5
	kill -0 "$RING_PID" 2>/dev/null ||
		die "umring did not start: $(cat "$WORK/$1.log")"
}

u_pid() {
	case $1 in
	rtpengine) echo "$RE_PID" ;;
	umedge-*) echo "$UM_PID" ;;
	*) echo "$RING_PID" ;;
	esac
}

# u_stat ROW ROUND: perf stat of ROW's relay for U_STAT_FOR s from
# U_STAT_AT s into the fixed run, in the background; its output in
# WORK/stat-ROW-ROUND
u_stat() {
	local ev="" s
	U_STAT_PID=""
	[ "$U_PERF" = 1 ] || return 0
	for s in $U_SYSCALLS; do ev="$ev${ev:+,}syscalls:sys_enter_$s"; done
	(sleep "$U_STAT_AT"; perf stat -x, -e "$ev,context-switches" \
		-p "$(u_pid "$1")" -- sleep "$U_STAT_FOR" \
		2>"$WORK/stat-$1-$2") >/dev/null 2>&1 &
	U_STAT_PID=$!
}

# u_row ROW ROUND: ROW's fixed run and max-rate search in ROUND
u_row() {
	say "[ns] round $2: $1"
	u_up "$1"
	u_stat "$1" "$2"
	bench "$1" "n$U_N.$2" -n "$U_N" -r 50 -d "$DUR" -w "$WARM"
	[ -z "$U_STAT_PID" ] || wait "$U_STAT_PID" 2>/dev/null || :
	steps_saved=$MAX_STEPS MAX_STEPS=$U_STEPS
	max_runs "$U_N" "$2" "$1"
	MAX_STEPS=$steps_saved
	stop_pid "$(u_pid "$1")"
}

user_main() {
	u_params
	prepare_deps
	U_PERF=1
	perf stat -e context-switches -- true >/dev/null 2>&1 || {
		say "perf does not run here: no system call counts"
		U_PERF=0
	}
	rtpengine_service_off
	build
	u_build
	work_start
	netns_up || die "the userspace rows need the netns topology"
	env_set ns
	STATIC=(-S "$EDGE_EXT:$U_P0,$EDGE_INT:$U_P0" -F "$U_F")
	for round in $(seq "$U_ROUNDS"); do
		# shellcheck disable=SC2086
		for row in $(rotate "$round" $U_ROWS); do
			u_row "$row" "$round"
		done
	done
	ELAPSED=$(($(date +%s) - START))
	echo "$ELAPSED" >"$WORK/elapsed"
	user_report
}

# ---- report ------------------------------------------------------------

u_list() { for k in $(seq "$U_ROUNDS"); do "$@" "$k"; done; }
u_cpu() { per_pkt "ns.$1.n$U_N.$2" relay_cpu_s; }            # µs/packet
u_run() { val run "ns.$1.n$U_N.$3" "$2"; }                  # ROW KEY ROUND
u_best() { val max "ns.$1.max$U_N.$2" best_pps; }

# u_count ROW ROUND EVENTS...: the events perf counted, summed, per
# packet offered over its U_STAT_FOR s
u_count() {
	local f=$WORK/stat-$1-$2 pps
	pps=$(u_run "$1" offered_pps "$2")
	shift 2
	[ -s "$f" ] || return 0
	awk -F, -v pps="$pps" -v secs="$U_STAT_FOR" -v ev=" $* " '
	index(ev, " " $3 " ") { n += $1 }
	END { if (pps > 0) printf "%.2f\n", n / (secs * pps) }' "$f"
}

u_syscalls() {
	local s ev=""
	for s in $U_SYSCALLS; do ev="$ev syscalls:sys_enter_$s"; done
	# shellcheck disable=SC2086
	u_count "$1" "$2" $ev
}
u_wakes() { u_count "$1" "$2" context-switches; }
u_rate_ratio() { ratio "$(u_best "$1" "$3")" "$(u_best "$2" "$3")"; }
u_cpu_ratio() { ratio "$(u_cpu "$1" "$3")" "$(u_cpu "$2" "$3")"; }
u_p99_ratio() { ratio "$(u_run "$1" p99_us "$3")" "$(u_run "$2" p99_us "$3")"; }

u_table() {
	echo "| row | relay CPU µs/packet, $U_N × 50 pps (each round) | system calls / packet | context switches / packet | p99 µs (each round) | highest pps, $U_N calls (each round) | highest / rtpengine's (min / median / max) | CPU / rtpengine's (min / median / max) |"
	echo "|---|---|---|---|---|---|---:|---:|"
	for r in $U_ROWS; do
		printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$r" \
			"$(u_list u_cpu "$r" | joined)" \
			"$(u_list u_syscalls "$r" | joined)" \
			"$(u_list u_wakes "$r" | joined)" \
			"$(u_list u_run "$r" p99_us | joined)" \
			"$(u_list u_best "$r" | joined)" \
			"$(u_list u_rate_ratio "$r" rtpengine | mmm 2)" \
			"$(u_list u_cpu_ratio "$r" rtpengine | mmm 2)"
	done
}

# u_verdict "MIN / MEDIAN / MAX" GOAL: met in every round, some, none
u_verdict() {
	echo "$1" | awk -F' / ' -v g="$2" '{ print ($1 >= g) ? "met in every round" : ($3 >= g ? "met in some rounds" : "**not met**") }'
}

u_findings() {
	local um ue uu ra rb
	um=$(u_list u_rate_ratio umedge-uring rtpengine | mmm 2)
	ue=$(u_list u_rate_ratio umedge-uring umedge-epoll | mmm 2)
	uu=$(u_list u_rate_ratio ring-uring ring-epoll | mmm 2)
	echo "- **Goal: umedge's userspace highest rate ≥ 1.5× rtpengine's** (umedge-uring, the default where the kernel has io_uring): $um within a round (min / median / max), $(u_verdict "$um" 1.5); with epoll $(u_list u_rate_ratio umedge-epoll rtpengine | mmm 2)."
	echo "- **Goal: umedge's p99 at 50k pps ≤ rtpengine's.** umedge-uring / rtpengine within a round: $(u_list u_p99_ratio umedge-uring rtpengine | mmm 2); umedge-epoll / rtpengine $(u_list u_p99_ratio umedge-epoll rtpengine | mmm 2)."
	echo "- **io_uring against epoll in umedge** (design/mediabpf.md §8.3: kept if the median gains ≥ 5 % and the ranges do not overlap): highest rate $ue, CPU per packet at 50k pps $(u_list u_cpu_ratio umedge-uring umedge-epoll | mmm 2), p99 $(u_list u_p99_ratio umedge-uring umedge-epoll | mmm 2) (uring / epoll). The same for the bare relay: highest rate $uu, CPU per packet $(u_list u_cpu_ratio ring-uring ring-epoll | mmm 2)."
	ra=$(u_list u_best umedge-uring | mmm 0)
	rb=$(u_list u_best umedge-epoll | mmm 0)
	echo "- The absolute highest rates (min / median / max over the rounds): umedge-uring $ra, umedge-epoll $rb: the ranges $(overlap "$ra" "$rb"); $(u_list u_rate_ratio umedge-uring umedge-epoll | awk '$1 > 1.05 { n++ } END { print n + 0 }') of $U_ROUNDS rounds have io_uring ahead by more than 5 %. rtpengine's own highest rate over the rounds: $(u_list u_best rtpengine | joined) (how much the VM drifts between rounds, hence the ratios within a round)."
	echo "- What umedge does beyond the system calls (latching, RTP statistics, counters): CPU per packet umedge-epoll / ring-epoll $(u_list u_cpu_ratio umedge-epoll ring-epoll | mmm 2), umedge-uring / ring-uring $(u_list u_cpu_ratio umedge-uring ring-uring | mmm 2)."
	echo "- **Connected sockets in the bare relay** (ring-conn / ring-uring within a round): highest rate $(u_list u_rate_ratio ring-conn ring-uring | mmm 2), CPU per packet at 50k pps $(u_list u_cpu_ratio ring-conn ring-uring | mmm 2); the highest rates over the rounds $(u_list u_best ring-conn | mmm 0) against $(u_list u_best ring-uring | mmm 0): the ranges $(overlap "$(u_list u_best ring-conn | mmm 0)" "$(u_list u_best ring-uring | mmm 0)")."

}

user_text() {
	cat <<-EOF
	## Userspace path across veths: system calls and io_uring (issue 16)

	Generated by \`scripts/bench-relay --userspace$([ "$QUICK" = 1 ] && echo " --quick")\` on $DATE in $((ELAPSED / 60)) min
	(\`--quick\` writes to \`build-bench/bench-user-quick/\`).

	### Method

	- **Rows**, each a process in the edge namespace of
	  \`scripts/netns-topo\`, peers in ext and int: rtpengine (as above:
	  \`--table=-1 --num-threads=2\`), umedge (\`relay_kernel no\`,
	  \`relay_threads 0\`: one worker per vCPU) with \`relay_io epoll\`
	  and with \`relay_io uring\` (the default, \`auto\`, where the
	  kernel has io_uring), and
	  \`tests/tools/umring\`, a bare static relay of $U_N calls with 2
	  threads, once with umedge's system calls (\`-m epoll\`:
	  epoll_wait, recvmmsg per ready socket, sendmmsg) and once on
	  io_uring (\`-m uring\`: a multishot recvmsg per socket into
	  provided buffers, a sendmsg per datagram, submitted and reaped
	  with one io_uring_enter). umring checks each source as a latch
	  does and nothing else: it is the floor of a userspace relay with
	  those system calls.
	- **Load**: $U_N calls, 172-byte RTP one way; the fixed run at 50
	  pps per call ($DUR s), the max-rate search at $U_N calls (loss <
	  0.1 %, p99 < 10 ms, at most $U_STEPS rates). umbench -S gives the
	  umring rows the same streams that ng gives the relays.
	- **perf stat** counts the relay's system calls ($U_SYSCALLS) and
	  context switches over $U_STAT_FOR s in the middle of the fixed run;
	  per packet offered.
	- **Rounds**: $U_ROUNDS, every row once per round, the order rotated
	  by one each round; ratios within a round.

	### Machine and versions

	- Machine: $(nproc) vCPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), Debian $(cat /etc/debian_version), kernel $(uname -r).
	- umedge: $(cat "$WORK/umedge-version" 2>/dev/null || umedge_version), CFLAGS=-O2; rtpengine: $(rtpengine --version 2>&1 | sed -n 's/^Version: //p' | head -n 1); liburing $(dpkg-query -W -f '${Version}' liburing-dev 2>/dev/null || echo "?").

	### Results

	![highest rate per row and round](bench-relay-user.png)

	$(u_findings)

	$(u_table)

	The raw \`umbench\` output, perf's counts and the logs are kept in
	\`build-bench/bench-$MODE/\`.
	EOF
}

u_plot() {
	local dat=$WORK/user-plot.dat term k
	: >"$dat"
	for k in $(seq "$U_ROUNDS"); do
		echo "$k $(u_best rtpengine "$k") $(u_best umedge-epoll "$k")" \
			"$(u_best umedge-uring "$k") $(u_best ring-epoll "$k")" \
			"$(u_best ring-uring "$k") $(u_best ring-conn "$k")" >>"$dat"
	done
	term="pngcairo size 900,440 font 'sans,10'"
	gnuplot -e "set terminal $term" >/dev/null 2>&1 || term="png size 900,440"
	gnuplot >"$WORK/gnuplot-user.err" 2>&1 <<-GP || {
	set terminal $term
	set output '$OUT/bench-relay-user.png'
	set title 'Highest rate, $U_N calls across veths, loss < 0.1 %, p99 < 10 ms ($DATE)'
	set grid ytics
	set style data histograms
	set style histogram clustered gap 1
	set style fill solid 0.8 border -1
	set xlabel 'round'
	set ylabel 'packets per second'
	set yrange [0:*]
	set key below horizontal
	plot '$dat' u 2:xtic(1) t 'rtpengine' lc 2, '' u 3 t 'umedge epoll' lc rgb '#9ecae1', '' u 4 t 'umedge io\_uring' lc 1, '' u 5 t 'umring epoll' lc rgb '#c7e9c0', '' u 6 t 'umring io\_uring' lc rgb '#31a354', '' u 7 t 'umring io\_uring, connected' lc rgb '#006d2c'
	GP
		cat "$WORK/gnuplot-user.err" >&2
		die "gnuplot failed"
	}
}

user_report() {
	u_params
	DATE=$(date -u +%Y-%m-%d)
	local md=$OUT/benchmarks.md f=$WORK/user-section.md
	{
		echo "<!-- bench-relay-user:begin -->"
		user_text
		echo "<!-- bench-relay-user:end -->"
	} >"$f"
	section_write bench-relay-user "$f" "$md"
	u_plot
	say "wrote the userspace section of $md and $OUT/bench-relay-user.png"
	u_table >&2
}
