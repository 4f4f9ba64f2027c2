#!/bin/bash
# ksmtop --web.listen-address: the exposition passes promtool (text) and the
# OpenMetrics parser (by Accept), a real Prometheus server on loopback
# scrapes it and its query API returns the workload's ksm_ series with the
# values /proc and sysfs hold, hostile cgroup names included; /healthz, the
# landing page, 404 and 405; bad addresses and a port in use fail clearly.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/prom_lib.sh"
need_root
need_ksm
need_prometheus
plan 24
ksm_save
"$BIN/ksmctl" set run=1 pages_to_scan=2000 sleep_millisecs=10

CG=/ksmtop-prom-$$
# A name anyone with a delegated cgroup can choose (cgroup2 refuses only
# '/' and newlines): a quote, a backslash, a tab, a byte that is not UTF-8.
# The exposition must stay valid and safe on a terminal: the byte becomes
# the text \xff, the tab the text \t (docs/ksmtop.md), the rest is kept.
BADCG=$'/ksmtop-prom-bad-'$$$'-\xff"q\\\tx'
BADLABEL=$'/ksmtop-prom-bad-'$$$'-\\xff"q\\\\tx'
[ -n "$CGROOT" ] || skip_all "no cgroup v2 mount"
trap 'cleanup; rmdir "$CGROOT$CG" "$CGROOT$BADCG" 2>/dev/null' EXIT

read -r PORT PPORT < <(free_ports 2)

start_load A -n 2000 -k 2 -s 51 -c "$CG"
start_load B -n 500 -k 1 -s 52 -c "$BADCG"
"$BIN/ksmctl" wait-merged "$A" 2000 60 && "$BIN/ksmctl" wait-merged "$B" 500 60 &&
	"$BIN/ksmctl" wait-stable "$A" 60

start_ksmtop TOP --web.listen-address "127.0.0.1:$PORT" --prom-processes 5 0.5
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
is "promtool check metrics passes (hostile cgroup name included)" "$?:$(cat "$TMP/promtool.out")" "0:"
bad=$(awk '/^# TYPE/ {t[$3] = $4} /^[a-z]/ {n = $1; sub(/\{.*/, "", n); sub(/_(bucket|sum|count)$/, "", n); if (!(n in t)) print n}' "$TMP/metrics" | sort -u)
is "every sample has a TYPE line" "$bad" ""
is "counters end in _total" "$(awk '/^# TYPE/ && $4 == "counter" && $3 !~ /_total$/ {print $3}' "$TMP/metrics")" ""
is "every metric name starts with ksm_" "$(grep -v '^#' "$TMP/metrics" | grep -vc '^ksm_')" 0
is "no rates, no milliseconds: base units only" \
	"$(grep -E '^# TYPE' "$TMP/metrics" | grep -E 'per_second|millisecs|_percent' | wc -l)" 0
grep -q "^ksm_sleep_seconds 0.01$" "$TMP/metrics" && ok "sleep_millisecs=10 is ksm_sleep_seconds 0.01" ||
	not_ok "ksm_sleep_seconds" "$(grep sleep "$TMP/metrics")"
curl -sf -H 'Accept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' \
	-D "$TMP/om.head" "http://127.0.0.1:$PORT/metrics" > "$TMP/om"
is "OpenMetrics by Accept: content type" \
	"$(grep -i '^content-type' "$TMP/om.head" | tr -d '\r')" \
	"Content-Type: application/openmetrics-text; version=1.0.0; charset=utf-8"
out=$(/usr/bin/python3 -c '
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse
fams = {f.name: f.type for f in parse(open(sys.argv[1]).read())}
print(fams.get("ksm_full_scans"), fams.get("ksm_advisor_mode"), fams.get("ksm_cgroup_merges"))' "$TMP/om" 2>&1)
is "the OpenMetrics parser reads it: counter, info, per-cgroup counter" "$out" "counter info counter"
is "OpenMetrics ends in # EOF" "$(tail -n 1 "$TMP/om")" "# EOF"

start_prometheus "$PPORT" "global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: ksmtop
    static_configs:
      - targets: ['127.0.0.1:$PORT']"
want=$(ksm_stat "$A" ksm_merging_pages)
got=$(wait_query "ksm_process_merging_pages{pid=\"$A\"}")
is "Prometheus scraped ksm_process_merging_pages of pid A == ksm_stat ($want)" "$got" "$want"
got=$(wait_query "ksm_cgroup_merging_pages{cgroup=\"$CG\"}")
is "Prometheus: ksm_cgroup_merging_pages of $CG" "$got" "$want"
want=$(ksm_stat "$B" ksm_merging_pages)
label=$(python3 -c 'import json, sys; print(json.dumps(sys.argv[1]))' "$BADLABEL")
got=$(wait_query "ksm_cgroup_merging_pages{cgroup=$label}")
is "Prometheus: the hostile cgroup's series, its name as data ($want)" "$got" "$want"
got=$(wait_query "up{job=\"ksmtop\"}")
is "Prometheus sees the target up" "$got" 1
got=$(wait_query "ksm_event_source_active{event=\"merge_with_ksm_page\"}")
is "ksm_event_source_active for a stock tracepoint" "$got" 1
got=$(wait_query "ksm_bpf_prog_runs_total{prog=\"ksm_stop_scan\"} > 0")
[ -n "$got" ] && ok "BPF run statistics: ksm_stop_scan ran $got times" ||
	not_ok "BPF run statistics" "$(grep bpf "$TMP/metrics")"
kill "$PROM" 2>/dev/null; wait "$PROM" 2>/dev/null

is "/healthz" "$(curl -s -w '%{http_code}' "http://127.0.0.1:$PORT/healthz" | tr '\n' ' ')" "ok 200"
curl -s "http://127.0.0.1:$PORT/" | grep -q '<a href="/metrics">' && ok "landing page links /metrics" ||
	not_ok "landing page"
is "unknown path: 404" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/x")" 404
is "POST: 405" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$PORT/metrics")" 405

# Bad addresses, and the port in use (the exporter above still holds it).
out=$("$BIN/ksmtop" --prometheus "127.0.0.1:$PORT" -b 1 1 2>&1); rc=$?
[ $rc != 0 ] && echo "$out" | grep -q "ksmtop: cannot listen on 127.0.0.1:$PORT: Address already in use" &&
	ok "port in use (--prometheus, the old name): clear message, exit $rc" || not_ok "port in use" "rc $rc: $out"
out=$("$BIN/ksmtop" --web.listen-address "localhost:" -b 1 1 2>&1); rc=$?
[ $rc != 0 ] && echo "$out" | grep -q "ksmtop: invalid address 'localhost:'" &&
	ok "empty port: clear message, exit $rc" || not_ok "empty port" "rc $rc: $out"
out=$("$BIN/ksmtop" --web.listen-address "300.1.2.3" -b 1 1 2>&1); rc=$?
[ $rc != 0 ] && echo "$out" | grep -q "ksmtop: invalid address '300.1.2.3'" &&
	ok "bad host: clear message, exit $rc" || not_ok "bad host" "rc $rc: $out"
kill -INT "$TOP"; wait "$TOP"
done_testing
