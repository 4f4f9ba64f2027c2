#!/bin/bash
# Shared helpers for the host tests: TAP output, KSM settings saved and
# restored on exit, workloads started and always reaped.
# Usage: source "$(dirname "$0")/lib.sh"; plan N; ...; done_testing

# Host tests change global KSM state and assert on global counters: one at a
# time on this machine, whoever runs them (fd 9 is held until the test ends).
mkdir -p /run/lock
exec 9>/run/lock/ksm-bpf-host.lock
flock -w 3600 9 || { echo "Bail out! another host test holds /run/lock/ksm-bpf-host.lock"; exit 1; }

BIN=${BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../build/bin" && pwd)}
TMP=$(mktemp -d /tmp/ksmtest.XXXXXX)
_pids=()
_cgroups=()
_saved=""
# cgroup v2 may be at /sys/fs/cgroup or, in hybrid mode, /sys/fs/cgroup/unified.
CGROOT=$(findmnt -n -t cgroup2 -o TARGET 2>/dev/null | head -n 1)

source "$(dirname "${BASH_SOURCE[0]}")/../tap.sh"

need_root() { [ "$(id -u)" = 0 ] || skip_all "needs root"; }
need_ksm() { [ -e /sys/kernel/mm/ksm/run ] || skip_all "kernel has no KSM"; }

# Save every KSM knob now; restore them (and reap workloads) on any exit.
ksm_save() {
	_saved=$TMP/ksm.saved
	"$BIN/ksmctl" save "$_saved" || { echo "Bail out! cannot save KSM settings"; exit 1; }
}

cleanup() {
	local p
	for p in "${_pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${_pids[@]}"; do wait "$p" 2>/dev/null; done
	[ -n "$_saved" ] && "$BIN/ksmctl" restore "$_saved"
	local cg
	for cg in "${_cgroups[@]}"; do [ -n "$CGROOT" ] && rmdir "$CGROOT$cg" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT

# start_load NAME ARGS...: run ksmload in the background, wait for "ready",
# and set the variable NAME to its pid.
start_load() {
	local var=$1 out pid i
	shift
	out=$TMP/load.$RANDOM
	"$BIN/ksmload" "$@" > "$out" &
	_pids+=($!)
	for i in $(seq 1 200); do
		pid=$(awk '/^ready/ {print $2}' "$out" 2>/dev/null)
		[ -n "$pid" ] && break
		sleep 0.05
	done
	[ -n "$pid" ] || { echo "Bail out! ksmload did not start: $*"; exit 1; }
	printf -v "$var" '%s' "$pid"
}

# Remember a cgroup (path below the cgroup2 root) for removal at exit,
# children before parents.
track_cgroup() { _cgroups+=("$1"); }

# The ksm_stat value KEY of PID.
ksm_stat() { awk -v k="$2" '$1 == k {print $2}' "/proc/$1/ksm_stat"; }
sysfs() { cat "/sys/kernel/mm/ksm/$1"; }

# Fast, busy ksmd for tests; the caller has called ksm_save.
ksm_fast() { "$BIN/ksmctl" set pages_to_scan=2000 sleep_millisecs=10 run=1; }

# start_snoop VAR OUTFILE ARGS...: ksmsnoop in the background, once it says
# it is tracing; VAR gets its pid. Its stderr goes to OUTFILE.err.
start_snoop() {
	local var=$1 out=$2 i pid
	shift 2
	"$BIN/ksmsnoop" "$@" > "$out" 2> "$out.err" &
	pid=$!
	_pids+=($pid)
	for i in $(seq 1 200); do
		grep -q "tracing" "$out.err" 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	printf -v "$var" '%s' "$pid"
}

# stop_snoop PID: SIGINT and wait; returns its exit status.
stop_snoop() {
	kill -INT "$1" 2>/dev/null
	wait "$1"
}

# JSON lines helpers (python3's json module parses; no hand-rolled parsing).
# jcount FILE EXPR: number of lines for which the Python expression on o holds.
jcount() {
	python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    o = json.loads(line)
    if eval(sys.argv[2]):
        n += 1
print(n)' "$1" "$2"
}

# jdoc FILE EXPR: the Python expression EXPR on the JSON document in FILE,
# as o; cg maps the document's "cgroups" rows by their "cgroup" path.
jdoc() {
	python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
cg = {c["cgroup"]: c for c in o.get("cgroups", []) if isinstance(c, dict) and "cgroup" in c}
print(eval(sys.argv[2]))' "$1" "$2"
}

# ksm_users_outside CG: "pid comm" of every process that uses KSM (mergeable
# or merge_any) outside the cgroup subtree CG.  Global counters (sysfs) are
# only this test's to assert on when there is none: a QEMU guest, whose RAM
# is mergeable, or another workload merges too.
ksm_users_outside() {
	local p cg
	for p in /proc/[0-9]*; do
		grep -qE '^ksm_(mergeable|merge_any): yes' "$p/ksm_stat" 2>/dev/null || continue
		cg=$(sed -n 's/^0:://p' "$p/cgroup" 2>/dev/null)
		case "$cg" in "$1"|"$1"/*) continue ;; esac
		echo "${p#/proc/} $(cat "$p/comm" 2>/dev/null)"
	done
}

# global_is NAME GOT WANT: "is" for a global counter (sysfs), which counts
# every KSM user on the host: asserted only while the test's workloads,
# under its cgroup $CG, are the only ones; else a skip that names the others.
global_is() {
	local others
	others=$(ksm_users_outside "$CG" | tr '\n' ' ')
	if [ -n "$others" ]; then skip "$1" "other KSM users on this host: $others"; else is "$@"; fi
}
