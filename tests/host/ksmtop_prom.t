#!/bin/bash
# ksmtop --prometheus: the exposition passes promtool, a real Prometheus
# server on loopback scrapes it, and its query API returns the workload's
# ksm_ series with the values /proc and sysfs hold. Bad addresses and a port
# in use fail with a clear message.
source "$(dirname "$0")/lib.sh"
need_root
need_ksm
command -v prometheus > /dev/null || skip_all "prometheus is not installed (make deps installs it)"
command -v promtool > /dev/null || skip_all "promtool is not installed (make deps installs it)"
command -v curl > /dev/null || skip_all "curl is not installed"
plan 13
ksm_save
"$BIN/ksmctl" set run=1 pages_to_scan=2000 sleep_millisecs=10

CG=/ksmtop-prom-$$
CGROOT=$(findmnt -n -t cgroup2 -o TARGET | head -1)
[ -n "$CGROOT" ] || skip_all "no cgroup v2 mount"
trap 'cleanup; rmdir "$CGROOT$CG" 2>/dev/null' EXIT

# Two free loopback ports, picked by the kernel.
read -r PORT PPORT < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')

start_load A -n 2000 -k 2 -s 51 -c "$CG"
"$BIN/ksmctl" wait-merged "$A" 2000 60 && "$BIN/ksmctl" wait-stable "$A" 60

"$BIN/ksmtop" --prometheus "127.0.0.1:$PORT" --prom-processes 5 0.5 > "$TMP/top.out" \
	2> "$TMP/top.err" &
TOP=$!
_pids+=($TOP)
# wait_metrics REGEX: until /metrics shows a line matching REGEX (bounded).
wait_metrics() {
	local i
	for i in $(seq 1 100); do
		curl -sf "http://127.0.0.1:$PORT/metrics" > "$TMP/metrics" 2>/dev/null &&
			grep -qE -- "$1" "$TMP/metrics" && return 0
		sleep 0.1
	done
	return 1
}
wait_metrics "^ksm_process_merging_pages\\{pid=\"$A\"" && ok "/metrics serves the workload's series" ||
	not_ok "/metrics serves the workload's series" "$(cat "$TMP/top.err")"
is "an exporter without a terminal prints nothing on stdout" "$(wc -c < "$TMP/top.out")" 0
promtool check metrics < "$TMP/metrics" > "$TMP/promtool.out" 2>&1
is "promtool check metrics passes" "$?:$(cat "$TMP/promtool.out")" "0:"
bad=$(awk '/^# TYPE/ {t[$3] = $4} /^[a-z]/ {n = $1; sub(/\{.*/, "", n); if (!(n in t)) print n}' "$TMP/metrics" | sort -u)
is "every sample has a TYPE line" "$bad" ""
is "counters end in _total" "$(awk '/^# TYPE/ && $4 == "counter" && $3 !~ /_total$/ {print $3}' "$TMP/metrics")" ""
is "every metric name starts with ksm_" "$(grep -v '^#' "$TMP/metrics" | grep -vc '^ksm_')" 0

cat > "$TMP/prometheus.yml" <<EOT
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: ksmtop
    static_configs:
      - targets: ['127.0.0.1:$PORT']
EOT
prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
	--web.listen-address="127.0.0.1:$PPORT" > "$TMP/prometheus.log" 2>&1 &
PROM=$!
_pids+=($PROM)
# query EXPR: the first result's value, or "" (python parses the JSON).
query() {
	curl -sf --get "http://127.0.0.1:$PPORT/api/v1/query" --data-urlencode "query=$1" |
		python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "")' 2>/dev/null
}
wait_query() {
	local i v
	for i in $(seq 1 300); do
		v=$(query "$1")
		[ -n "$v" ] && { echo "$v"; return 0; }
		sleep 0.1
	done
	return 1
}
want=$(ksm_stat "$A" ksm_merging_pages)
got=$(wait_query "ksm_process_merging_pages{pid=\"$A\"}")
is "Prometheus scraped ksm_process_merging_pages of pid A == ksm_stat ($want)" "$got" "$want"
got=$(wait_query "ksm_cgroup_merging_pages{cgroup=\"$CG\"}")
is "Prometheus: ksm_cgroup_merging_pages of $CG" "$got" "$want"
got=$(wait_query "up{job=\"ksmtop\"}")
is "Prometheus sees the target up" "$got" 1
got=$(wait_query "ksm_event_source_active{event=\"merge_with_ksm_page\"}")
is "ksm_event_source_active for a stock tracepoint" "$got" 1
kill "$PROM" 2>/dev/null; wait "$PROM" 2>/dev/null

# Bad addresses, and the port in use (the exporter above still holds it).
out=$("$BIN/ksmtop" --prometheus "127.0.0.1:$PORT" -b 1 1 2>&1); rc=$?
[ $rc != 0 ] && echo "$out" | grep -q "ksmtop: cannot listen on 127.0.0.1:$PORT: Address already in use" &&
	ok "port in use: clear message, exit $rc" || not_ok "port in use" "rc $rc: $out"
out=$("$BIN/ksmtop" --prometheus "localhost" -b 1 1 2>&1); rc=$?
[ $rc != 0 ] && echo "$out" | grep -q "ksmtop: invalid address 'localhost'" &&
	ok "no port: clear message, exit $rc" || not_ok "no port" "rc $rc: $out"
out=$("$BIN/ksmtop" --prometheus "300.1.2.3:9100" -b 1 1 2>&1); rc=$?
[ $rc != 0 ] && echo "$out" | grep -q "ksmtop: invalid address '300.1.2.3:9100'" &&
	ok "bad host: clear message, exit $rc" || not_ok "bad host" "rc $rc: $out"
kill -INT "$TOP"; wait "$TOP"
done_testing
