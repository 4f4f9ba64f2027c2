#!/bin/bash
# make demo: a built-in workload in two cgroups, ksmd on, and the live view.
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
# little churn; batch: one job with many unique pages and few duplicates.
load -c $CG/web/1 -n 3000 -k 40 -u 300 -s 7 -w 50
load -c $CG/web/2 -n 3000 -k 40 -u 300 -s 7 -w 50
load -c $CG/batch -n 1000 -k 1 -u 2000 -s 9

if [ "$(cat /sys/kernel/mm/ksm/run)" != 1 ]; then
	echo "demo: turning ksmd on (pages_to_scan=1000, sleep_millisecs=20) until exit"
	"$BIN/ksmctl" set pages_to_scan=1000 sleep_millisecs=20 run=1
fi

if [ -x "$BIN/ksmtop" ]; then
	if [ -t 1 ]; then
		"$BIN/ksmtop" -c $CG
	else
		"$BIN/ksmtop" -b -c $CG 2 5
	fi
else
	echo "demo: ksmsnoop for 10 s (Ctrl-C to stop)"
	"$BIN/ksmsnoop" -c $CG -d 10 | head -40
fi
