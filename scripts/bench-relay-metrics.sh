# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# bench-relay-metrics.sh: scripts/bench-relay --metrics (sourced by it;
# uses its relays, bench(), per_pkt(), ratio() and the helpers of
# bench-relay-srtp.sh: mmm, median, joined, overlap).
#
# What a Prometheus scrape every second costs the relay. Four daemons
# on loopback, each on addresses of its own, all running through the
# whole measurement: umedge without metrics, umedge with metrics_listen,
# rtpengine without --listen-http and rtpengine with it (its /metrics,
# the anchor's own cost of the same thing). A real Prometheus (Debian's)
# scrapes both endpoints every second from the first run to the last.
# Each round runs the same load through the four, the order reversed
# from round to round; the ratio "with metrics / without" of the CPU per
# relayed packet is taken within a round. Afterwards Prometheus's API
# says how many scrapes succeeded. The report is the
# bench-relay-metrics section of benchmarks.md.

# m_params: the sizes of the runs, full or quick
m_params() {
	M_N=1000 M_WARM=2
	if [ "$QUICK" = 1 ]; then
		M_N=200 M_DUR=3 M_ROUNDS=2
	else
		M_DUR=10 M_ROUNDS=5
	fi
	M_PROM=127.0.77.9:9092
	M_UMX=127.0.77.6:9100
	M_REX=127.0.77.7:9101
}

# m_umedge NAME EXT INT NG [LINE...]: an umedge (settings as in the plain
# runs) on its addresses; its PID in MPID_NAME, ng in MNG_NAME
m_umedge() {
	n=$1 ext=$2 int=$3 ng=$4
	shift 4
	{
		echo "interface external $ext ports=20000-24999"
		echo "interface internal $int ports=20000-24999"
		echo "sip_enable no"
		echo "log_level warning"
		echo "relay_threads 0"
		echo "relay_ng_listen $ng"
		echo "relay_ng_controller 127.0.0.0/8"
		echo "control_socket $WORK/control-$n.sock"
		for l in "$@"; do echo "$l"; done
	} >"$WORK/$n.conf"
	"$UMEDGE" -c "$WORK/$n.conf" >"$WORK/$n.log" 2>&1 &
	eval "MPID_$n=$! MNG_$n=$ng"
	PIDS="$PIDS $!"
	wait_ng "$!" "$ng" "$WORK/$n.log" "$n"
}

# m_rtpengine NAME EXT INT NG [FLAG...]: rtpengine as in bench-relay
m_rtpengine() {
	n=$1 ext=$2 int=$3 ng=$4
	shift 4
	rtpengine --config-file=none --foreground --log-stderr \
		--table=-1 --num-threads=2 --delete-delay=0 --log-level=4 \
		--interface="external/$ext" --interface="internal/$int" \
		--listen-ng="$ng" --port-min=25000 --port-max=29999 "$@" \
		>"$WORK/$n.log" 2>&1 &
	eval "MPID_$n=$! MNG_$n=$ng"
	PIDS="$PIDS $!"
	wait_ng "$!" "$ng" "$WORK/$n.log" "$n"
}

# m_prometheus: Prometheus scraping both endpoints every second
m_prometheus() {
	cat >"$WORK/prom.yml" <<-EOF
	global:
	  scrape_interval: 1s
	  scrape_timeout: 900ms
	scrape_configs:
	  - job_name: umedge
	    static_configs: [{targets: ['$M_UMX']}]
	  - job_name: rtpengine
	    static_configs: [{targets: ['$M_REX']}]
	EOF
	prometheus --config.file="$WORK/prom.yml" \
		--storage.tsdb.path="$WORK/prom-data" \
		--web.listen-address="$M_PROM" >"$WORK/prometheus.log" 2>&1 &
	M_PROM_PID=$!
	PIDS="$PIDS $M_PROM_PID"
	for _ in $(seq 100); do
		[ "$(m_query 'sum(up)')" = 2 ] && return 0
		sleep 0.2
	done
	cat "$WORK/prometheus.log" >&2
	die "Prometheus does not scrape both endpoints"
}

# m_query EXPR: the value of an instant query ("" if none)
m_query() {
	curl -s --max-time 2 "http://$M_PROM/api/v1/query" \
		--data-urlencode "query=$1" 2>/dev/null |
		python3 -c 'import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "")' 2>/dev/null || :
}

# m_run NAME ROUND: one run through a daemon (umedge* or rtpengine*)
m_run() {
	eval "pid=\$MPID_$1 ng=\$MNG_$1"
	case $1 in
	umedge*) UM_PID=$pid UM_NG=$ng r=umedge ;;
	*) RE_PID=$pid RE_NG=$ng r=rtpengine ;;
	esac
	c=plain
	case $1 in *m) c=metrics ;; esac
	bench "$r" "$c$M_N.r$2" -n "$M_N" -r 50 -d "$M_DUR" -w "$M_WARM" -2
}

m_rounds() {
	for k in $(seq "$M_ROUNDS"); do
		o="umedge umedgem rtpengine rtpenginem"
		[ $((k % 2)) = 1 ] || o="rtpenginem rtpengine umedgem umedge"
		for d in $o; do m_run "$d" "$k"; done
	done
}

# m_scrapes: the scrapes made and those that succeeded, per job
m_scrapes() {
	s=$(($(date +%s) - M_START + 5))
	for j in umedge rtpengine; do
		echo "$j $(m_query "count_over_time(up{job=\"$j\"}[${s}s])")" \
			"$(m_query "sum_over_time(up{job=\"$j\"}[${s}s])")" \
			"$(m_query "avg_over_time(scrape_duration_seconds{job=\"$j\"}[${s}s])")" \
			"$(m_query "avg_over_time(scrape_samples_scraped{job=\"$j\"}[${s}s])")"
	done >"$WORK/scrapes.txt"
	cat "$WORK/scrapes.txt" >&2
}

metrics_main() {
	m_params
	prepare_deps
	command -v prometheus >/dev/null 2>&1 ||
		die "prometheus is not installed (scripts/deps test)"
	rtpengine_service_off
	build
	work_start
	env_set lo
	say "[lo] four relays: umedge and rtpengine, each without and with metrics"
	m_umedge umedge 127.0.77.1 127.0.77.2 127.0.77.1:2223
	m_umedge umedgem 127.0.77.5 127.0.77.6 127.0.77.5:2223 \
		"metrics_listen internal ${M_UMX##*:}" \
		"metrics_client 127.0.0.0/8"
	m_rtpengine rtpengine 127.0.77.3 127.0.77.4 127.0.77.3:2223
	m_rtpengine rtpenginem 127.0.77.7 127.0.77.8 127.0.77.7:2223 \
		--listen-http="$M_REX"
	m_prometheus
	M_START=$(date +%s)
	m_rounds
	m_scrapes
	stop_pid "$M_PROM_PID"
	stop_all
	ELAPSED=$(($(date +%s) - START))
	echo "$ELAPSED" >"$WORK/elapsed"
	metrics_report
}

# ---- report ------------------------------------------------------------

m_cpu() { per_pkt "lo.$1.$2$M_N.r$3" relay_cpu_s; }        # µs/packet
m_list() { for k in $(seq "$M_ROUNDS"); do "$@" "$k"; done; }
m_ratio() {                                       # metrics/plain, a round
	ratio "$(m_cpu "$1" metrics "$2")" "$(m_cpu "$1" plain "$2")" 3
}
m_loss() {                                        # worst loss of a relay
	for c in plain metrics; do
		for k in $(seq "$M_ROUNDS"); do
			val run "lo.$1.$c$M_N.r$k" loss_pct
		done
	done | sort -g | tail -n 1
}

# m_scrape RELAY FIELD: 2 scrapes, 3 succeeded, 4 s each, 5 samples
m_scrape() { awk -v j="$1" -v f="$2" '$1 == j { print $f }' "$WORK/scrapes.txt"; }

m_table() {
	echo "| relay | without metrics, µs/packet each round | with, each round | with / without, each round | min / median / max | worst loss % | scrapes ok / made | samples a scrape | s a scrape |"
	echo "|---|---|---|---|---:|---:|---:|---:|---:|"
	for r in umedge rtpengine; do
		printf '| %s | %s | %s | %s | %s | %s | %s / %s | %.0f | %.4f |\n' "$r" \
			"$(m_list m_cpu "$r" plain | joined)" \
			"$(m_list m_cpu "$r" metrics | joined)" \
			"$(m_list m_ratio "$r" | joined)" \
			"$(m_list m_ratio "$r" | mmm 3)" "$(m_loss "$r")" \
			"$(m_scrape "$r" 3)" "$(m_scrape "$r" 2)" \
			"$(m_scrape "$r" 5)" "$(m_scrape "$r" 4)"
	done
}

m_findings() {
	u=$(m_list m_ratio umedge | mmm 3)
	e=$(m_list m_ratio rtpengine | mmm 3)
	um=$(m_list m_ratio umedge | median)
	hi=$(echo "$u" | awk -F' / ' '{ print $3 }')
	echo "- **Goal: metrics scraped every second cost umedge's relay at most 2 % of its CPU per packet.** Median ratio with/without over $M_ROUNDS rounds: ${um:-n/a}, $(awk -v x="${um:-9}" 'BEGIN { print (x <= 1.02) ? "met" : "**not met**" }'); highest round ${hi:-n/a}."
	echo "- Ratios with/without (min / median / max): umedge $u, rtpengine $e; the ranges $(overlap "$u" "$e"). A ratio below 1 is noise: the two umedge daemons differ only in the endpoint. umedge runs here as a relay alone (\`sip_enable no\`, no TURN), so its scrape carries the relay's and the process's series; rtpengine's carries all of its own."
	lo=$(echo "$u" | awk -F' / ' '{ print $1 }')
	echo "- The rounds of umedge spread from ${lo:-n/a} to ${hi:-n/a}: $(awk -v l="${lo:-0}" -v h="${hi:-9}" 'BEGIN { print (h - l > 0.02) ? "wider than the 2 % being measured, so this run shows whether the median rises, not that every round stays under 2 %" : "within the 2 % being measured" }')."
	echo "- Scrapes that succeeded / made: umedge $(m_scrape umedge 3) / $(m_scrape umedge 2), rtpengine $(m_scrape rtpengine 3) / $(m_scrape rtpengine 2) (Prometheus's \`up\`, over the whole measurement)."
}

metrics_text() {
	cat <<-EOF
	## What metrics cost: umedge and rtpengine scraped every second

	Generated by \`scripts/bench-relay --metrics$([ "$QUICK" = 1 ] && echo " --quick")\` on $DATE (a full run takes
	about $(( (M_ROUNDS * 4 * (M_DUR + M_WARM + 3)) / 60 + 2 )) minutes; \`--quick\` writes to
	\`build-bench/bench-metrics-quick/\`).

	### Method

	- **Relays**: four daemons on loopback, each on addresses of its own,
	  all up from the first run to the last: umedge without metrics and
	  umedge with \`metrics_listen\` (otherwise the same settings as the
	  plain runs above: \`relay_threads 0\`, \`log_level warning\`), and
	  rtpengine without and with \`--listen-http\` (its \`/metrics\`),
	  both with the flags of the runs above (\`--table=-1
	  --num-threads=2 --delete-delay=0 --log-level=4\`).
	- **Scraper**: Debian's Prometheus $(prometheus --version 2>&1 | awk 'NR == 1 { print $3 }'), \`scrape_interval: 1s\`, both
	  endpoints, from before the first run to after the last.
	- **Load**: $M_N calls, 172-byte RTP both ways at 50 packets per
	  second per stream ($((M_N * 100)) pps in all), $M_DUR s after a
	  $M_WARM s warm-up, new calls every run.
	- **Rounds**: $M_ROUNDS; each runs the load through the four daemons
	  one after the other, the order reversed from round to round. The
	  figure is the relay process's CPU (utime + stime) per relayed
	  packet; the ratio with/without is taken within a round, where
	  both ran under the same conditions.

	### Machine and versions

	- Date: $DATE; whole run: $((ELAPSED / 60)) min $((ELAPSED % 60)) s ($MODE).
	- Machine: $(nproc) vCPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), Debian $(cat /etc/debian_version), kernel $(uname -r).
	- umedge: $(cat "$WORK/umedge-version" 2>/dev/null || umedge_version), built with CFLAGS=-O2 (scripts/bench-lib.sh); rtpengine: $(rtpengine --version 2>&1 | sed -n 's/^Version: //p' | head -n 1).

	### Results

	![CPU per packet without and with metrics](bench-relay-metrics.png)

	$(m_findings)

	$(m_table)

	The raw \`umbench\` output, the daemons' logs and Prometheus's
	answers are kept in \`build-bench/bench-$MODE/\`.
	EOF
}

metrics_report() {
	m_params
	DATE=$(date -u +%Y-%m-%d)
	md=$OUT/benchmarks.md
	f=$WORK/metrics-section.md
	{
		echo "<!-- bench-relay-metrics:begin -->"
		metrics_text
		echo "<!-- bench-relay-metrics:end -->"
	} >"$f"
	section_write bench-relay-metrics "$f" "$md"
	m_plot
	say "wrote the metrics section of $md and $OUT/bench-relay-metrics.png"
	m_table >&2
}

# m_plot: DIR/bench-relay-metrics.png, CPU per packet of the four
# daemons in each round
m_plot() {
	dat=$WORK/metrics-plot.dat
	: >"$dat"
	for k in $(seq "$M_ROUNDS"); do
		echo "$k $(m_cpu umedge plain "$k") $(m_cpu umedge metrics "$k")" \
			"$(m_cpu rtpengine plain "$k") $(m_cpu rtpengine metrics "$k")" \
			>>"$dat"
	done
	term="pngcairo size 900,440 font 'sans,10'"
	gnuplot -e "set terminal $term" >/dev/null 2>&1 || term="png size 900,440"
	gnuplot >"$WORK/gnuplot-metrics.err" 2>&1 <<-GP || {
	set terminal $term
	set output '$OUT/bench-relay-metrics.png'
	set title 'Relay CPU per packet without and with a Prometheus scrape every second, $M_N calls × 50 pps both ways, $DATE'
	set grid ytics
	set style data histograms
	set style histogram clustered gap 1
	set style fill solid 0.8 border -1
	set xlabel 'round'
	set ylabel 'relay CPU µs per packet'
	set yrange [0:*]
	set key below horizontal
	plot '$dat' u 2:xtic(1) t 'umedge' lc 1, '' u 3 t 'umedge + metrics' lc rgb '#9ecae1', '' u 4 t 'rtpengine' lc 2, '' u 5 t 'rtpengine + metrics' lc rgb '#fdae6b'
	GP
		cat "$WORK/gnuplot-metrics.err" >&2
		die "gnuplot failed"
	}
}
