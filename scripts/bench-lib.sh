# SPDX-License-Identifier: BSD-3-Clause
# bench-lib.sh: what the benchmark scripts share (sourced by bash).
#
# The caller sets PROG, TOP and PIDS. Helpers: die/say, stop_pid (by
# PID, TERM then KILL), stop_all, build_bench (an -O2 build in
# build-bench), cpu_ticks/cpu_ns/rss_kb of a process, and section_write,
# which puts a generated section between its markers in a benchmarks.md;
# rtpengine_service_off stops a packaged rtpengine-daemon; res_mmm and
# res_conf read a results file; sections_kept gives the sections a
# report that rewrites a benchmarks.md must keep.

. "$TOP/scripts/build-lib.sh"

die() { echo "$PROG: $*" >&2; exit 1; }
say() { echo "$PROG: $*" >&2; }

# stop_pid PID: TERM, up to 5 s, then KILL; forget it
stop_pid() {
	kill -0 "$1" 2>/dev/null || return 0
	kill -TERM "$1" 2>/dev/null || :
	for _ in $(seq 50); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null || :
	wait "$1" 2>/dev/null || :
	PIDS=$(echo " $PIDS " | sed "s/ $1 / /")
}

stop_all() { for p in $PIDS; do stop_pid "$p"; done; }

# build_bench: umedge built with -O2 (no sanitizers) in build-bench;
# from a fresh clone, configure is made first (autoreconf)
build_bench() {
	mkdir -p "$TOP/build-bench"
	um_bootstrap "$TOP" >"$TOP/build-bench/autoreconf.log" 2>&1 ||
		die "autoreconf failed (see $TOP/build-bench/autoreconf.log)"
	(
		cd "$TOP/build-bench"
		[ -f Makefile ] || ../configure CFLAGS=-O2 >configure.log 2>&1
		make -j"$(nproc)" >make.log 2>&1
	) || die "build failed (see $TOP/build-bench/make.log)"
}

# cpu_ticks PID: user + system clock ticks of a process, all threads
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# ticks_sum PID...: cpu_ticks of several processes, added
ticks_sum() {
	local s=0 p
	for p in "$@"; do s=$((s + $(cpu_ticks "$p" 2>/dev/null || echo 0))); done
	echo "$s"
}

# ksoftirqd_pids: the kernel's softirq threads (where softirq work that
# no sender's system call ran is charged)
ksoftirqd_pids() { grep -l '^ksoftirqd/' /proc/[0-9]*/comm 2>/dev/null | cut -d/ -f3; }

# times_us FILE: the user+system µs of the shell's waited-for children,
# from the second line of bash's \`times >FILE\` (the builtin must not
# run in a subshell, which has no children of its own)
times_us() {
	awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] }
	     printf "%.0f", t * 1e6 }' "$1"
}

# cpu_ns PID: CPU time of a process in nanoseconds, summed over its
# threads from /proc/PID/task/*/schedstat (first field: time on a CPU,
# ns). Precise where cpu_ticks counts 10 ms clock ticks. A thread that
# has exited is not counted: measure servers whose threads stay.
cpu_ns() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null |
		awk '{ s += $1 } END { printf "%.0f\n", s }'
}

# rss_kb PID: resident set of a process
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

# section_write NAME FILE MD: FILE's text replaces the section between
# <!-- NAME:begin --> and <!-- NAME:end --> in MD, or is appended
section_write() {
	if [ -f "$3" ] && grep -q "<!-- $1:begin -->" "$3"; then
		awk -v f="$2" -v b="<!-- $1:begin -->" -v e="<!-- $1:end -->" '
		$0 == b { while ((getline l < f) > 0) print l; skip = 1; next }
		$0 == e { skip = 0; next }
		!skip' "$3" >"$3.new" && mv "$3.new" "$3"
	else
		{ [ -f "$3" ] && cat "$3" && echo; cat "$2"; } >"$3.new"
		mv "$3.new" "$3"
	fi
}

# sections_kept MD: every section of MD between a line "<!-- NAME:begin
# -->" and its "<!-- NAME:end -->", in their order, for a report that
# rewrites the rest of MD (bench-relay: the sections of its other modes
# and of bench-sip and bench-turn)
sections_kept() {
	[ -f "$1" ] || return 0
	awk '/^<!-- [a-z0-9-]+:begin -->$/ { on = 1 }
		on { print }
		/^<!-- [a-z0-9-]+:end -->$/ { on = 0 }' "$1"
}

# rtpengine_service_off: Debian's rtpengine-daemon stopped (and disabled
# under systemd), so that the anchor a benchmark starts is the only one
rtpengine_service_off() {
	pf=/run/rtpengine/rtpengine-daemon.pid
	if [ -d /run/systemd/system ] && command -v systemctl >/dev/null &&
	   systemctl is-active --quiet rtpengine-daemon 2>/dev/null; then
		say "stopping and disabling rtpengine-daemon.service"
		systemctl stop rtpengine-daemon
		systemctl disable --quiet rtpengine-daemon || :
	elif [ -s "$pf" ] && kill -0 "$(cat "$pf")" 2>/dev/null; then
		say "stopping the packaged rtpengine-daemon (pid $(cat "$pf"))"
		/etc/init.d/rtpengine-daemon stop ||
			die "could not stop rtpengine-daemon"
	fi
	if [ -s "$pf" ] && kill -0 "$(cat "$pf")" 2>/dev/null; then
		die "rtpengine-daemon (pid $(cat "$pf")) is still running"
	fi
}

# res_mmm [FORMAT]: min, median and max of the numbers on stdin, in
# FORMAT (printf, default %d); nothing for none
res_mmm() {
	sort -n | awk -v f="${1:-%d}" '{ v[NR] = $1 } END {
		if (!NR) exit
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf f " " f " " f "\n", v[1], m, v[NR] }'
}

# res_conf KEY: the value of KEY=... on the "conf" lines of $RES
res_conf() {
	awk -v k="$1" '$1 == "conf" { for (i = 2; i <= NF; i++) {
		split($i, a, "="); if (a[1] == k) print a[2] } }' "$RES"
}

# mmm DIGITS: "min / median / max" of the numbers on stdin, one a line
# (others, such as n/a, left out), n/a if none
mmm() {
	grep -E '^[0-9.]+$' | sort -g | awk -v d="$1" '
	{ v[NR] = $1 }
	END {
		if (!NR) { print "n/a"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.*f / %.*f / %.*f\n", d, v[1], d, m, d, v[NR]
	}'
}

# median: the median alone of the numbers on stdin ("" if none)
median() { mmm 2 | awk -F' / ' 'NF == 3 { print $2 }'; }

# joined: stdin's lines as "a, b, c"
joined() { grep -v '^$' | paste -sd, - | sed 's/,/, /g'; }

# overlap A B: whether two min / median / max ranges overlap
overlap() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		split(a, x, " / "); split(b, y, " / ")
		lo = x[1] > y[1] ? x[1] : y[1]; hi = x[3] < y[3] ? x[3] : y[3]
		print (lo + 0 <= hi + 0) ? "overlap" : "do not overlap" }'
}

# rotate R WORDS...: the words rotated left by R - 1
rotate() {
	local k=$(( ($1 - 1) % ($# - 1) ))
	shift
	printf '%s\n' "${@:k+1}" "${@:1:k}"
}
