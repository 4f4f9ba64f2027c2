#!/bin/bash
# make demo: a built-in workload in three cgroups; ksmadvise predicts what KSM
# would save with ksmd still off, then ksmd on and the live view converges.
# Every KSM setting it changes and every cgroup it makes is undone on exit.
set -u
BIN=${BIN:?}
[ "$(id -u)" = 0 ] || { echo "demo: run as root (KSM and BPF need it)" >&2; exit 1; }
[ -e /sys/kernel/mm/ksm/run ] || { echo "demo: this kernel has no KSM" >&2; exit 1; }
# KSM's state is global: never run beside a host test or the bench.
mkdir -p /run/lock
exec 9>/run/lock/ksm-bpf-host.lock
flock -w 600 9 || { echo "demo: a host test or the bench holds KSM (/run/lock/ksm-bpf-host.lock)" >&2; exit 1; }

TMP=$(mktemp -d /tmp/ksmdemo.XXXXXX)
CGROOT=$(findmnt -n -t cgroup2 -o TARGET | head -n 1)
[ -n "$CGROOT" ] || { echo "demo: no cgroup v2 mount" >&2; exit 1; }
CG=/ksm-demo
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	"$BIN/ksmctl" restore "$TMP/saved" && echo "demo: KSM settings restored"
	for d in web/1 web/2 web batch ""; do rmdir "$CGROOT$CG/$d" 2>/dev/null; done
	rm -rf "$TMP"
}
"$BIN/ksmctl" save "$TMP/saved" || exit 1
trap cleanup EXIT
trap 'exit 130' INT TERM

load() {
	"$BIN/ksmload" "$@" > "$TMP/load.$RANDOM" &
	pids+=($!)
}
# web: two replicas with the same image (they share most pages) and a
# little churn; batch: one job with many unique pages and few duplicates,
# and a helper that happens to hold some of web's pages (a shared library,
# say): KSM would merge them across the two tenants.
load -c $CG/web/1 -n 3000 -k 40 -u 300 -s 7 -w 50
load -c $CG/web/2 -n 3000 -k 40 -u 300 -s 7 -w 50
load -c $CG/batch -n 1000 -k 1 -u 2000 -s 9
load -c $CG/batch -n 200 -k 40 -s 7

pid_of() { awk '/^ready/ {print $2}' "$1"; }
for f in "$TMP"/load.*; do
	for i in $(seq 1 100); do [ -n "$(pid_of "$f")" ] && break; sleep 0.05; done
done

# 1. Before ksmd runs: what would KSM save here, for whom, and how much of
# it comes from pages shared across cgroups (the tenants here are web and
# batch; web/1 and web/2 are two cgroups of one tenant).
"$BIN/ksmctl" set run=0
echo
echo "demo: 1. ksmadvise, with ksmd off: what KSM would save, per cgroup, and what crosses cgroups"
echo
"$BIN/ksmadvise" -q -c $CG -b "$CG/*" -r 8
"$BIN/ksmadvise" -q -j -c $CG > "$TMP/advise.json"
predicted=$(python3 -c 'import json, sys; o = json.load(open(sys.argv[1])); print(o["prediction"]["merging_pages"], o["prediction"]["pages_sharing"], o["cross_cgroup"]["saving_pages"])' "$TMP/advise.json")
read -r want_merging want_sharing want_cross <<< "$predicted"
echo
echo "demo: the isolate rules that keep each tenant's pages to itself (ksmpolicy apply FILE):"
"$BIN/ksmadvise" -q -c $CG -b "$CG/*" --rules | sed 's/^/    /'

# 2. ksmd on: the live view converges to the prediction.
echo
echo "demo: 2. ksmd on (pages_to_scan=1000, sleep_millisecs=20): predicted $want_merging merging"
echo "      pages, $want_sharing pages saved, $want_cross of them by sharing across cgroups"
"$BIN/ksmctl" set pages_to_scan=1000 sleep_millisecs=20 run=1
if [ -t 1 ] && [ -t 0 ]; then
	echo "demo: ksmtop: 4 shows who shares with whom, 2 the cgroups, h the keys, q quits"
	sleep 3
	"$BIN/ksmtop" -c $CG
else
	"$BIN/ksmtop" -b -r 6 -c $CG 1 3
	"$BIN/ksmctl" wait-stable "$(pid_of "$(ls "$TMP"/load.* | head -n 1)")" 60 > /dev/null
	got=0
	for f in "$TMP"/load.*; do
		got=$((got + $(awk '$1 == "ksm_merging_pages" {print $2}' "/proc/$(pid_of "$f")/ksm_stat")))
	done
	echo "demo: merged: $got pages in the demo's cgroups (ksm_stat), predicted $want_merging"
	echo "demo: who shares with whom now (ksmdebug audit -c $CG -b '$CG/*'):"
	"$BIN/ksmdebug" audit -c $CG -b "$CG/*" > "$TMP/audit.txt"
	rc=$?
	sed 's/^/    /' "$TMP/audit.txt"
	echo "demo: audit exit status $rc (3: KSM shares pages across the tenants; the rules above"
	echo "      on a kernel with kernel-patch/ would make it 0)"
fi
