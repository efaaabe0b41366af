# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# bench-relay-srtp.sh: scripts/bench-relay --srtp (sourced by it; uses its
# relays, bench(), val(), per_pkt() and ratio()).
#
# SRTP⇄RTP on loopback: side A speaks plain RTP, side B SDES-SRTP; the
# offer asks for transport-protocol RTP/SAVP toward B, B answers the
# relay's AES_CM_128_HMAC_SHA1_80 line with its own key (umbench -s,
# with libre's SRTP: tests/tools/umbsrtp.c). Each round runs both relays, the first alternating, at a
# fixed rate both ways, plain RTP⇄RTP too for reference; then the
# max-rate search both ways with SRTP, in rounds as well. Before the
# relays start, tests/tools/srtpbench.c times libre's SRTP against
# libsrtp2's. The report is the bench-relay-srtp section of
# benchmarks.md.

# srtp_params: the sizes of the runs, full or quick
srtp_params() {
	SUITE=AES_CM_128_HMAC_SHA1_80
	S_WARM=1 S_MAX_START_TOTAL=40000
	if [ "$QUICK" = 1 ]; then
		S_N=200 S_DUR=2 S_ROUNDS=2 S_MAX_ROUNDS=1 S_MAX_STEPS=3 S_MAX_DUR=2
		S_MICRO1="-n 20000 -r 3" S_MICRO2="-n 4000 -r 3"
	else
		S_N=1000 S_DUR=10 S_ROUNDS=3 S_MAX_ROUNDS=3 S_MAX_STEPS=8
		S_MAX_DUR=3 S_MICRO1="-n 200000 -r 5" S_MICRO2="-n 20000 -r 5"
	fi
}

# srtp_order ROUND: the relays in the order of that round
srtp_order() {
	if [ $(($1 % 2)) = 1 ]; then echo "umedge rtpengine"; else echo "rtpengine umedge"; fi
}

srtp_fixed_rounds() {
	for k in $(seq "$S_ROUNDS"); do
		for r in $(srtp_order "$k"); do
			bench "$r" "plain$S_N.r$k" -n "$S_N" -r 50 -d "$S_DUR" \
				-w "$S_WARM" -2
			bench "$r" "srtp$S_N.r$k" -n "$S_N" -r 50 -d "$S_DUR" \
				-w "$S_WARM" -2 -s "$SUITE"
		done
	done
}

srtp_max_rounds() {
	start=$(awk -v t="$S_MAX_START_TOTAL" -v n="$S_N" 'BEGIN { print t / (2 * n) }')
	for k in $(seq "$S_MAX_ROUNDS"); do
		for r in $(srtp_order "$k"); do
			bench "$r" "srtpmax$S_N.r$k" -n "$S_N" -r "$start" \
				-d "$S_MAX_DUR" -w 1 -m "$S_MAX_STEPS" -2 -s "$SUITE"
		done
	done
}

srtp_main() {
	srtp_params
	prepare_deps
	rtpengine_service_off
	build
	work_start
	say "SRTP micro-benchmark: libre against libsrtp2, 1 and $((2 * S_N)) streams"
	# shellcheck disable=SC2086
	{ "$SRTPBENCH" -c 1 $S_MICRO1 && "$SRTPBENCH" -c $((2 * S_N)) $S_MICRO2; } \
		>"$WORK/srtpbench.txt" || die "srtpbench failed"
	grep '^summary' "$WORK/srtpbench.txt" >&2
	env_set lo
	say "[lo] starting umedge and rtpengine"
	start_umedge
	start_rtpengine
	srtp_fixed_rounds
	srtp_max_rounds
	grep -c 'UDP receive queue exceeded' "$WORK/rtpengine-lo.log" \
		>"$WORK/rtpengine-lo.strikes" || :
	grep -h 'queue exceeded\|rror' "$WORK/rtpengine-lo.log" \
		"$WORK/umedge-lo.log" | head -n 3 >&2 || :
	stop_pid "$UM_PID"
	stop_pid "$RE_PID"
	ELAPSED=$(($(date +%s) - START))
	echo "$ELAPSED" >"$WORK/elapsed"
	srtp_report
}

# ---- report ------------------------------------------------------------

# s_list FN RELAY CASE ARG: FN RELAY CASE ROUND ARG over the rounds of
# CASE (the max-rate rounds for srtpmax), one value a line
s_list() {
	n=$S_ROUNDS
	case $3 in srtpmax*) n=$S_MAX_ROUNDS ;; esac
	for k in $(seq "$n"); do "$1" "$2" "$3" "$k" "${4:-}"; done
}

s_cpu() { per_pkt "lo.$1.$2$S_N.r$3" "$4"; }               # µs/packet
s_run() { val run "lo.$1.$2$S_N.r$3" "$4"; }               # a run's KEY
s_max() { val max "lo.$1.$2$S_N.r$3" "$4"; }               # a search's
s_ratio() {                                                # u/e per round
	ratio "$(s_cpu umedge "$2" "$3" relay_cpu_s)" \
		"$(s_cpu rtpengine "$2" "$3" relay_cpu_s)"
}
s_max_ratio() {
	ratio "$(s_max umedge "$2" "$3" best_pps)" \
		"$(s_max rtpengine "$2" "$3" best_pps)"
}

# worst KEY RELAY CASE: the largest KEY over the case's runs
worst() { s_list s_run "$2" "$3" "$1" | sort -g | tail -n 1; }

# srtp_cpu_rows CASE MEDIA: one row per relay of the CPU table
srtp_cpu_rows() {
	for r in $RELAYS; do
		usr=$(s_list s_cpu "$r" "$1" relay_user_s | median)
		sys=$(s_list s_cpu "$r" "$1" relay_sys_s | median)
		printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$r" "$2" \
			"$(s_list s_cpu "$r" "$1" relay_cpu_s | joined)" \
			"$(s_list s_cpu "$r" "$1" relay_cpu_s | mmm 2)" \
			"${usr:-n/a} + ${sys:-n/a}" \
			"$(s_list s_run "$r" "$1" vm_us_per_pkt | median)" \
			"$(worst loss_pct "$r" "$1")" "$(worst p99_us "$r" "$1")" \
			"$(s_list s_run "$r" "$1" auth_fail | awk '{ s += $1 } END { print s + 0 }')"
	done
}

srtp_cpu_table() {
	echo "| relay | media | CPU µs per bridged packet, each round | min / median / max | user + kernel µs, median | whole-VM µs/packet, median | loss %, worst run | p99 µs, worst run | SRTP auth failures |"
	echo "|---|---|---|---:|---:|---:|---:|---:|---:|"
	srtp_cpu_rows srtp "SRTP⇄RTP"
	srtp_cpu_rows plain "RTP⇄RTP"
}

srtp_max_table() {
	echo "| relay | highest pps, each round | min / median / max | p50 / p99 µs at the best | CPU µs/packet there | lowest failing pps, best round | rtpengine queue strikes |"
	echo "|---|---|---:|---:|---:|---:|---:|"
	for r in $RELAYS; do
		b=$(s_list s_max "$r" srtpmax best_pps | sort -g | tail -n 1)
		k=$(for i in $(seq "$S_MAX_ROUNDS"); do
			[ "$(s_max "$r" srtpmax "$i" best_pps)" = "$b" ] && echo "$i"
		done | head -n 1)
		st="—"
		lf=$(s_max "$r" srtpmax "${k:-1}" lowest_fail_pps)
		[ "${lf:-0}" != 0 ] || lf="none within $S_MAX_STEPS rates"
		[ "$r" = rtpengine ] && st=$(cat "$WORK/rtpengine-lo.strikes" 2>/dev/null || echo 0)
		printf '| %s | %s | %s | %s / %s | %s | %s | %s |\n' "$r" \
			"$(s_list s_max "$r" srtpmax best_pps | joined)" \
			"$(s_list s_max "$r" srtpmax best_pps | mmm 0)" \
			"$(s_max "$r" srtpmax "${k:-1}" p50_us)" \
			"$(s_max "$r" srtpmax "${k:-1}" p99_us)" \
			"$(s_max "$r" srtpmax "${k:-1}" cpu_us_per_pkt)" \
			"$lf" "$st"
	done
}

# srtp_ratio_table: umedge/rtpengine, round by round
srtp_ratio_table() {
	cs=$(s_list s_ratio - srtp | mmm 2)
	cp=$(s_list s_ratio - plain | mmm 2)
	mx=$(s_list s_max_ratio - srtpmax | mmm 2)
	met=$(s_list s_ratio - srtp | awk '$1 != "n/a" && $1 + 0 <= 0.7' | wc -l)
	echo "| umedge/rtpengine | each round | min / median / max | better is | goal |"
	echo "|---|---|---:|---|---|"
	echo "| CPU per bridged packet, SRTP⇄RTP | $(s_list s_ratio - srtp | joined) | $cs | lower | ≤ 0.7: $([ "$met" = "$S_ROUNDS" ] && echo met || echo "**not met**") in $met of $S_ROUNDS rounds |"
	echo "| CPU per bridged packet, RTP⇄RTP (reference) | $(s_list s_ratio - plain | joined) | $cp | lower | — |"
	echo "| highest rate, SRTP⇄RTP | $(s_list s_max_ratio - srtpmax | joined) | $mx | higher | — |"
}

# srtp_cost RELAY: SRTP's CPU per packet over plain RTP's, per round
srtp_cost() {
	for k in $(seq "$S_ROUNDS"); do
		awk -v s="$(s_cpu "$1" srtp "$k" relay_cpu_s)" \
		    -v p="$(s_cpu "$1" plain "$k" relay_cpu_s)" \
			'BEGIN { if (s != "" && p != "") printf "%.2f\n", s - p }'
	done
}

# srtp_findings: the goal, the overlaps, whether the rate was sustained
srtp_findings() {
	u=$(s_list s_cpu umedge srtp relay_cpu_s | mmm 2)
	e=$(s_list s_cpu rtpengine srtp relay_cpu_s | mmm 2)
	um=$(s_list s_max umedge srtpmax best_pps | mmm 0)
	em=$(s_list s_max rtpengine srtpmax best_pps | mmm 0)
	rm_=$(s_list s_ratio - srtp | median)
	echo "- **Goal: umedge at most 0.7 × rtpengine's CPU per bridged packet.**"
	echo "  Median ratio ${rm_:-n/a} over $S_ROUNDS rounds: $(awk -v x="${rm_:-9}" 'BEGIN { print (x <= 0.7) ? "met" : "**not met**" }')."
	echo "- CPU µs per bridged packet, SRTP⇄RTP (min / median / max): umedge $u, rtpengine $e; the ranges $(overlap "$u" "$e")."
	echo "- Highest rate, SRTP⇄RTP both ways (pps): umedge $um, rtpengine $em; the ranges $(overlap "$um" "$em")."
	cu=$(srtp_cost umedge | joined) ce=$(srtp_cost rtpengine | joined)
	echo "- What SRTP adds per packet (the SRTP run minus the plain run of the same round, µs): umedge ${cu:-n/a}, rtpengine ${ce:-n/a}."
	bad=$(for r in $RELAYS; do s_list s_run "$r" srtp loss_pct; done |
		awk '$1 + 0 >= 0.1' | wc -l)
	af=$(for r in $RELAYS; do s_list s_run "$r" srtp auth_fail; done |
		awk '{ s += $1 } END { print s + 0 }')
	if [ "$bad" = 0 ] && [ "$af" = 0 ]; then
		echo "- Both relays sustained the fixed rate in every round (loss < 0.1 %, no SRTP authentication failure)."
	else
		echo "- **The fixed rate was not sustained in every run**: $bad SRTP runs with loss ≥ 0.1 %, $af SRTP authentication failures; CPU per packet near a ceiling is not comparable."
	fi
}

# micro KEY LIB SUITE STREAMS: KEY of srtpbench's summary line
micro() {
	awk -v l="lib=$2" -v s="suite=$3" -v c="streams=$4" -v k="$1=" '
	$1 == "summary" && $2 == l && $3 == s && $4 == c {
		for (i = 5; i <= NF; i++)
			if (index($i, k) == 1) print substr($i, length(k) + 1)
	}' "$WORK/srtpbench.txt"
}

# micro_part KEY LIB SUITE STREAMS: the median over rounds of
# protect_ns or unprotect_ns
micro_part() {
	awk -v l="lib=$2" -v s="suite=$3" -v c="streams=$4" -v k="$1=" '
	$1 == "srtp" && $3 == l && $4 == s && $5 == c {
		for (i = 6; i <= NF; i++)
			if (index($i, k) == 1) print substr($i, length(k) + 1)
	}' "$WORK/srtpbench.txt" | median
}

# libsrtp2's crypto backend, from what its shared library links
srtp2_backend() {
	so=$(ldconfig -p | awk '/libsrtp2\.so\.1 / { print $NF; exit }')
	libs=""
	[ -z "$so" ] || libs=$(ldd "$so" 2>/dev/null || :)
	case $libs in
	*libnss3*) echo "NSS (libnss3: AES and HMAC through PKCS #11 contexts)" ;;
	*libcrypto*) echo "OpenSSL (libcrypto)" ;;
	*) echo "its own built-in AES and SHA-1" ;;
	esac
}

# micro_row SUITE STREAMS: one line of the micro-benchmark's table
micro_row() {
	lr=$(micro total_ns_median libre "$1" "$2")
	l2=$(micro total_ns_median libsrtp2 "$1" "$2")
	x=$(ratio "$lr" "$l2")
	printf '| %s | %s | %.0f / %.0f / %.0f | %.0f / %.0f / %.0f | %.0f + %.0f | %.0f + %.0f | %s | %s |\n' \
		"$1" "$2" "$(micro total_ns_min libre "$1" "$2")" "$lr" \
		"$(micro total_ns_max libre "$1" "$2")" \
		"$(micro total_ns_min libsrtp2 "$1" "$2")" "$l2" \
		"$(micro total_ns_max libsrtp2 "$1" "$2")" \
		"$(micro_part protect_ns libre "$1" "$2")" \
		"$(micro_part unprotect_ns libre "$1" "$2")" \
		"$(micro_part protect_ns libsrtp2 "$1" "$2")" \
		"$(micro_part unprotect_ns libsrtp2 "$1" "$2")" \
		"$x" "$(awk -v x="$x" 'BEGIN { print x == "n/a" ? "—" : x < 1 ? "libre" : "libsrtp2" }')"
}

micro_table() {
	echo "| suite | streams | libre ns (min / median / max) | libsrtp2 ns (min / median / max) | libre protect + unprotect, median | libsrtp2 protect + unprotect, median | libre/libsrtp2, median | faster |"
	echo "|---|---:|---:|---:|---:|---:|---:|---|"
	f=$WORK/srtpbench.txt
	# shellcheck disable=SC2013  # one word a line
	for s in $(awk '$1 == "summary" && !seen[$3]++ { print substr($3, 7) }' "$f"); do
		# shellcheck disable=SC2013
		for n in $(awk '$1 == "summary" && !seen[$4]++ { print substr($4, 9) }' "$f"); do
			micro_row "$s" "$n"
		done
	done
}

srtp_machine() {
	echo "- Date: $DATE; whole run: $((ELAPSED / 60)) min $((ELAPSED % 60)) s ($MODE)."
	echo "- Machine: $(nproc) vCPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), Debian $(cat /etc/debian_version), kernel $(uname -r)."
	echo "- umedge: $(cat "$WORK/umedge-version" 2>/dev/null || umedge_version), \`../configure CFLAGS=-O2\`, \`relay_threads 0\` (= $(nproc) forwarding threads), SRTP through libre $(dpkg-query -W -f='${Version}' libre-dev 2>/dev/null) (OpenSSL $(openssl version 2>/dev/null | awk '{ print $2 }'))."
	echo "- rtpengine: $(rtpengine --version 2>&1 | sed -n 's/^Version: //p' | head -n 1), \`--table=-1 --num-threads=2 --delete-delay=0 --log-level=4\`, userspace only (its own SRTP over OpenSSL)."
	echo "- Load generator: \`tests/tools/umbench.c\`, side B's SRTP with libre (as umedge's); micro-benchmark: libre against libsrtp2 $(dpkg-query -W -f='${Version}' libsrtp2-1 2>/dev/null)."
	echo "- libsrtp2's crypto backend (Debian's build): $(srtp2_backend)."
}

srtp_method() {
	cat <<-EOF2
	- **Relays**: the daemons and settings of the plain runs, on
	  loopback. rtpengine as at its best for this load in userspace:
	  \`--table=-1\` (no kernel module; it could forward SRTP in the
	  kernel, which is not compared here: both relays work in
	  userspace), \`--num-threads=2\` (one forwarding thread per core),
	  \`--delete-delay=0\`, \`--log-level=4\` (warnings only, nothing per
	  packet), and its defaults of no jitter buffer, recording,
	  transcoding or Redis; its SRTP is its own code over OpenSSL's
	  libcrypto. umedge: \`relay_threads 0\` (one forwarding thread per
	  core), \`log_level warning\`; its SRTP is libre's over OpenSSL
	  (\`relay/srtpx.c\`). Both are children of the script, stopped by
	  PID; the packaged rtpengine-daemon service is stopped if it runs.
	- **Calls**: A speaks plain RTP (RTP/AVP), B SDES-SRTP. The ng
	  \`offer\` carries A's RTP/AVP SDP and \`transport-protocol:
	  RTP/SAVP\`, the receiver's (B's) leg: each relay offers B RTP/SAVP
	  with \`a=crypto\` lines of its own keys (umedge 4 suites, rtpengine
	  12 and a DTLS fingerprint). umbench (\`-s $SUITE\`) takes the
	  relay's $SUITE line from the SDP B receives and answers on its tag
	  with a fresh key of B's own (RTP/SAVP, no fingerprint, so
	  rtpengine uses SDES too); A's answer is plain RTP/AVP.
	- **Load**: $S_N calls, media both ways at 50 packets per second per
	  stream ($((S_N * 100)) pps in all). A→B: the relay encrypts A's
	  172-byte RTP with its key; B authenticates and decrypts it (a
	  packet that does not authenticate counts as lost, and as an
	  authentication failure). B→A: B encrypts with its own key
	  (182 bytes with the 10-byte tag); the relay authenticates,
	  decrypts and sends plain RTP to A. umbench's SRTP is libre's
	  (\`tests/tools/umbsrtp.c\`), the cheaper of the two libraries
	  measured below, which leaves more of the cores to the relays; the
	  micro-benchmark checks it against libsrtp2 every run. The
	  harness's crypto is the same for both relays and is not in their
	  CPU time.
	- **CPU per bridged packet**: the relay process's utime+stime over
	  the run (sending and draining) over the packets delivered, both
	  directions. $S_ROUNDS rounds; in each, both relays, the first
	  alternating from round to round, each a plain RTP⇄RTP run (the
	  same load without \`transport-protocol\`, for reference) and then
	  the SRTP⇄RTP run, $S_DUR s after a ${S_WARM} s warm-up, on new calls.
	  The ratio umedge/rtpengine is taken within each round.
	- **Highest rate**: the search above (loss < 0.1 %, p99 < 10 ms, at
	  least 99 % of the packets due sent; a rate fails when two runs at
	  it fail; new calls every run), SRTP⇄RTP both ways at $S_N calls,
	  from $S_MAX_START_TOTAL pps in all, ×1.5 then bisecting, at most
	  $S_MAX_STEPS rates of $S_MAX_DUR s; rounds: $S_MAX_ROUNDS, the first relay
	  alternating.
	- **Micro-benchmark** (\`tests/tools/srtpbench.c\`, before the
	  relays start): protect and unprotect of 172-byte RTP with libre's
	  \`srtp_encrypt\`/\`srtp_decrypt\` on an mbuf laid over the packet
	  buffer (as \`relay/srtpx.c\` does) and with libsrtp2's
	  \`srtp_protect\`/\`srtp_unprotect\`, in batches of 256 (all
	  protected, then all unprotected, each checked afterwards); thread
	  CPU time per packet, the library that goes first alternating.
	  Once with one stream (one sender's and one receiver's context: the
	  best case, everything in the cache; $(echo "$S_MICRO1" | awk '{ print $2 " packets per library, suite and round, " $4 " rounds" }')), and once with $((2 * S_N))
	  streams, each with its own key and SSRC, the packets going to them
	  in turn (the contexts a relay holds with $S_N calls both ways;
	  $(echo "$S_MICRO2" | awk '{ print $2 " packets, " $4 " rounds" }'); one untimed packet per stream first, as
	  both libraries set a stream up on its first packet). Every suite is
	  first checked across the libraries (libre protects, libsrtp2
	  unprotects, and the other way round).
	EOF2
}

# srtp_choice: which library the micro-benchmark says the relay should use
srtp_choice() {
	n=$((2 * S_N))
	x=$(ratio "$(micro total_ns_median libre "$SUITE" "$n")" \
		"$(micro total_ns_median libsrtp2 "$SUITE" "$n")")
	x1=$(ratio "$(micro total_ns_median libre "$SUITE" 1)" \
		"$(micro total_ns_median libsrtp2 "$SUITE" 1)")
	[ "$x" != n/a ] || return 0
	echo "For $SUITE libre's SRTP took $x × libsrtp2's time per packet with $n streams, $x1 × with one (medians): by this measurement $(awk -v x="$x" 'BEGIN { print (x < 1) ? "the relay keeps libre'"'"'s SRTP" : "libsrtp2 is the faster library" }')."
	echo
	echo "This is Debian's libsrtp2 as packaged, whose crypto backend is $(srtp2_backend): the library a relay built on Debian would link. Its time per packet grows with the number of contexts alive (it is not the stream lookup: each stream here has contexts of its own), while libre's stays flat. A libsrtp2 2.5.0 built from source with \`--enable-openssl\` was timed once by hand with the same program (2026-12-02, short runs while other work shared the VM; not regenerated by this script): for AES_CM_128_HMAC_SHA1_80, 950-970 ns per packet with one stream and 1095-1140 ns with 2000, against libre's 810-900 and 910-1010 ns in the same runs; for AEAD_AES_128_GCM 675-830 against 580-670 ns. libre was still the faster, by about 10-20 %, and libsrtp2 would have to be built and shipped with the relay to get there."
}

srtp_text() {
	cat <<-EOF
	## SRTP⇄RTP: umedge against rtpengine

	Generated by \`scripts/bench-relay --srtp$([ "$QUICK" = 1 ] && echo " --quick")\` on $DATE (a full run takes
	about 15 minutes; \`--quick\` is a one-minute smoke check that writes
	to \`build-bench/bench-srtp-quick/\`). Whole-VM figures, as above:
	the ratios within a round are the result.

	### Method

	$(srtp_method)

	### Machine and versions

	$(srtp_machine)

	### Results

	![SRTP⇄RTP: CPU per packet and highest rate](bench-relay-srtp.png)

	$(srtp_findings)

	$(srtp_ratio_table)

	CPU per bridged packet, $S_N calls × 50 pps both ways:

	$(srtp_cpu_table)

	Highest rate, SRTP⇄RTP both ways, $S_N calls:

	$(srtp_max_table)

	### SRTP libraries: libre against libsrtp2

	Thread CPU time per packet, protect + unprotect, over the rounds:

	$(micro_table)

	$(srtp_choice)

	The raw \`umbench\` and \`srtpbench\` output and the relays' logs are
	kept in \`build-bench/bench-$MODE/\`.
	EOF
}

# srtp_plot: DIR/bench-relay-srtp.png, CPU per bridged packet in each
# round (SRTP and plain, both relays) and the highest SRTP rates
srtp_plot() {
	dat=$WORK/srtp-plot.dat
	mx=$WORK/srtp-max.dat
	: >"$dat"
	: >"$mx"
	for k in $(seq "$S_ROUNDS"); do
		echo "$k $(s_cpu umedge srtp "$k" relay_cpu_s)" \
			"$(s_cpu rtpengine srtp "$k" relay_cpu_s)" \
			"$(s_cpu umedge plain "$k" relay_cpu_s)" \
			"$(s_cpu rtpengine plain "$k" relay_cpu_s)" >>"$dat"
	done
	for k in $(seq "$S_MAX_ROUNDS"); do
		echo "$k $(s_max umedge srtpmax "$k" best_pps)" \
			"$(s_max rtpengine srtpmax "$k" best_pps)" >>"$mx"
	done
	term="pngcairo size 1200,440 font 'sans,10'"
	gnuplot -e "set terminal $term" >/dev/null 2>&1 || term="png size 1200,440"
	gnuplot >"$WORK/gnuplot-srtp.err" 2>&1 <<-GP || {
	set terminal $term
	set output '$OUT/bench-relay-srtp.png'
	set multiplot layout 1,2 title 'umedge vs rtpengine (userspace), SRTP⇄RTP, $S_N calls, $DATE. Whole-VM, 2 cores shared with the load generator'
	set grid ytics
	set style data histograms
	set style histogram clustered gap 1
	set style fill solid 0.8 border -1
	set title 'CPU µs per bridged packet, $S_N calls × 50 pps both ways'
	set xlabel 'round'
	set ylabel 'relay CPU µs per packet'
	set yrange [0:*]
	set key below horizontal
	plot '$dat' u 2:xtic(1) t 'umedge SRTP⇄RTP' lc 1, '' u 3 t 'rtpengine SRTP⇄RTP' lc 2, '' u 4 t 'umedge RTP⇄RTP' lc rgb '#9ecae1', '' u 5 t 'rtpengine RTP⇄RTP' lc rgb '#fdae6b'
	set title 'Highest SRTP⇄RTP rate, loss < 0.1 % and p99 < 10 ms'
	set ylabel 'packets per second through the relay'
	plot '$mx' u 2:xtic(1) t 'umedge' lc 1, '' u 3 t 'rtpengine' lc 2
	unset multiplot
	GP
		cat "$WORK/gnuplot-srtp.err" >&2
		die "gnuplot failed"
	}
}

srtp_report() {
	srtp_params
	DATE=$(date -u +%Y-%m-%d)
	md=$OUT/benchmarks.md
	f=$WORK/srtp-section.md
	{
		echo "<!-- bench-relay-srtp:begin -->"
		srtp_text
		echo "<!-- bench-relay-srtp:end -->"
	} >"$f"
	section_write bench-relay-srtp "$f" "$md"
	srtp_plot
	say "wrote the SRTP section of $md and $OUT/bench-relay-srtp.png"
	srtp_ratio_table >&2
}
