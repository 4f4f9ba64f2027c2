#!/bin/bash
# The exporter holds up: 200 clients that connect and send nothing (from four
# loopback addresses), 100 more from one address (beyond the per-address
# limit), and malformed clients (slowloris headers, garbage, 64 KiB headers)
# stay connected, reconnecting whenever the server drops them, while a real
# Prometheus scrapes every second: every scrape succeeds and takes under 1 s,
# by Prometheus' own scrape_duration_seconds and by curl.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/prom_lib.sh"
need_root
need_ksm
need_prometheus
plan 9
ksm_save
"$BIN/ksmctl" set run=1 pages_to_scan=2000 sleep_millisecs=10
FLOOD_S=30

read -r PORT PPORT < <(free_ports 2)
start_load A -n 1000 -k 2 -s 53
start_ksmtop TOP --web.listen-address "127.0.0.1:$PORT" 1
start_prometheus "$PPORT" "global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: ksmtop
    static_configs:
      - targets: ['127.0.0.1:$PORT']"
wait_query 'up{job="ksmtop"} == 1' > /dev/null && ok "Prometheus scrapes before the flood" ||
	not_ok "Prometheus scrapes before the flood" "$(target_health)"

python3 "$(dirname "$0")/idle_clients.py" "$PORT" "$FLOOD_S" 50 127.0.0.2 127.0.0.3 127.0.0.4 \
	127.0.0.5 --flood 127.0.0.6 100 --bad 20 > "$TMP/flood.json" 2> "$TMP/flood.err" &
FLOOD=$!
_pids+=($FLOOD)
sleep 3
# While the flood runs: the exporter's own gauge of open connections, and
# scrapes timed by curl (a fresh connection each, as Prometheus' are).
maxconn=0
slow=0
for i in $(seq 1 20); do
	t=$(curl -s -o "$TMP/m" -w '%{http_code} %{time_total}' "http://127.0.0.1:$PORT/metrics")
	c=$(awk '/^ksm_exporter_http_connections / {print $2}' "$TMP/m")
	[ "${c:-0}" -gt "$maxconn" ] && maxconn=$c
	echo "$t" >> "$TMP/curl.times"
	awk -v t="$t" 'BEGIN {split(t, a, " "); exit !(a[1] == 200 && a[2] < 1)}' || slow=$((slow + 1))
	sleep 1
done
diag "curl scrapes (code, seconds): $(sort -k2 -n "$TMP/curl.times" | tail -n 1) slowest"
[ "$maxconn" -ge 264 ] && ok "the server held $maxconn connections at once (200 idle, 64 of the flood)" ||
	not_ok "the server held the idle connections" "max ksm_exporter_http_connections $maxconn"
is "20 curl scrapes during the flood: all 200 and under 1 s" "$slow" 0
wait "$FLOOD"
diag "clients: $(cat "$TMP/flood.json") $(cat "$TMP/flood.err")"
# 200 idle + 64 of the flood + 20 malformed + Prometheus and curl, at most:
# without the per-address limit the flood alone would add 100.
[ "$maxconn" -le 290 ] && ok "the flood from one address was held to the per-address limit ($maxconn open)" ||
	not_ok "per-address limit" "$maxconn open: $(cat "$TMP/flood.json")"

W="[$((FLOOD_S - 6))s]"
n=$(query "count_over_time(up{job=\"ksmtop\"}$W)")
[ "${n:-0}" -ge $((FLOOD_S - 10)) ] && ok "Prometheus scraped $n times during the flood" ||
	not_ok "Prometheus scraped during the flood" "count $n"
is "every one of those scrapes succeeded (min of up)" "$(query "min_over_time(up{job=\"ksmtop\"}$W)")" 1
max=$(query "max_over_time(scrape_duration_seconds{job=\"ksmtop\"}$W)")
diag "slowest Prometheus scrape during the flood: $max s"
awk -v m="$max" 'BEGIN {exit !(m != "" && m < 1)}' && ok "every scrape under 1 s (slowest $max s)" ||
	not_ok "every scrape under 1 s" "max scrape_duration_seconds '$max'"
h=$(query "histogram_quantile(0.99, sum by (le) (ksm_exporter_scrape_duration_seconds_bucket))")
diag "the exporter's own p99 scrape duration: $h s"
[ -n "$h" ] && ok "ksm_exporter_scrape_duration_seconds is a histogram Prometheus can read" ||
	not_ok "scrape duration histogram"
kill -0 "$TOP" && curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null &&
	ok "ksmtop is alive and healthy after the flood" || not_ok "ksmtop after the flood"
done_testing
