#!/bin/bash
# Helpers of the exporter's host tests (source after lib.sh): free loopback
# ports, a real Prometheus server on loopback with its storage in $TMP, and
# its query API read with python3's json module.

need_prometheus() {
	command -v prometheus > /dev/null || skip_all "prometheus is not installed (make deps installs it)"
	command -v promtool > /dev/null || skip_all "promtool is not installed (make deps installs it)"
	command -v curl > /dev/null || skip_all "curl is not installed"
}

# free_ports N: N free loopback ports, picked by the kernel, on one line.
free_ports() {
	python3 -c '
import socket, sys
s = [socket.socket() for _ in range(int(sys.argv[1]))]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])' "$1"
}

# start_ksmtop VAR ARGS...: ksmtop as an exporter in the background, once
# its health endpoint answers (plain HTTP or HTTPS, any status); VAR gets
# its pid. Output in $TMP/top.out and $TMP/top.err.
start_ksmtop() {
	local var=$1 pid i
	shift
	"$BIN/ksmtop" "$@" > "$TMP/top.out" 2> "$TMP/top.err" &
	pid=$!
	_pids+=($pid)
	for i in $(seq 1 100); do
		grep -q "serving" "$TMP/top.err" 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	printf -v "$var" '%s' "$pid"
}

# start_prometheus PORT CONFIG_TEXT: Prometheus on 127.0.0.1:PORT with this
# configuration; PROM gets its pid.
start_prometheus() {
	printf '%s\n' "$2" > "$TMP/prometheus.yml"
	prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
		--web.listen-address="127.0.0.1:$1" > "$TMP/prometheus.log" 2>&1 &
	PROM=$!
	PROM_PORT=$1
	_pids+=($PROM)
}

# query EXPR: the first result's value, or "" (python parses the JSON).
query() {
	curl -sf --get "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1" |
		python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "")' 2>/dev/null
}

# wait_query EXPR [TENTHS]: until EXPR has a result (bounded); prints it.
wait_query() {
	local i v
	for i in $(seq 1 "${2:-300}"); do
		v=$(query "$1")
		[ -n "$v" ] && { echo "$v"; return 0; }
		sleep 0.1
	done
	return 1
}

# target_health: Prometheus' own word on its one target ("up", "down: why").
target_health() {
	curl -sf "http://127.0.0.1:$PROM_PORT/api/v1/targets" | python3 -c '
import json, sys
t = json.load(sys.stdin)["data"]["activeTargets"]
print(t[0]["health"] + (": " + t[0]["lastError"] if t[0]["lastError"] else "") if t else "none")'
}
