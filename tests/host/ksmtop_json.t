#!/bin/bash
# ksmtop -j: per-process numbers equal /proc/PID/ksm_stat, per-cgroup numbers
# equal the sum over the cgroup's processes, global numbers equal sysfs, and
# the per-interval merge counts of a workload of known size add up to it.
source "$(dirname "$0")/lib.sh"
need_root
need_ksm
plan 21
ksm_save
"$BIN/ksmctl" set run=0 pages_to_scan=2000 sleep_millisecs=10

CG=/ksmtop-json-$$
# The cgroup2 mount may be /sys/fs/cgroup/unified (hybrid hosts): find it.
CGROOT=$(findmnt -n -t cgroup2 -o TARGET | head -1)
[ -n "$CGROOT" ] || skip_all "no cgroup v2 mount"
trap 'cleanup; rmdir "$CGROOT$CG/a" "$CGROOT$CG/b" "$CGROOT$CG" 2>/dev/null' EXIT

# jlast FILE EXPR: EXPR evaluated on the last JSON document of FILE (o).
jlast() {
	python3 -c '
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
o = docs[-1]
print(eval(sys.argv[2]))' "$1" "$2"
}
# jall FILE EXPR: EXPR evaluated on the list of documents (docs).
jall() {
	python3 -c '
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(eval(sys.argv[2]))' "$1" "$2"
}
# wait_docs FILE N: until FILE holds N documents (bounded).
wait_docs() {
	local i
	for i in $(seq 1 200); do
		[ "$(grep -c . "$1" 2>/dev/null)" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# ksmtop first, so that it sees every merge of the workloads from the start.
"$BIN/ksmtop" -j 0.5 > "$TMP/live.json" 2> "$TMP/live.err" &
TOP=$!
_pids+=($TOP)
for i in $(seq 1 100); do grep -q "sources:" "$TMP/live.err" && break; sleep 0.1; done
grep -q "sources:" "$TMP/live.err" && ok "ksmtop attached and reports its sources" ||
	not_ok "ksmtop attached" "$(cat "$TMP/live.err")"

start_load A -n 3000 -k 3 -u 200 -s 31 -c "$CG/a"
start_load B -n 1500 -k 5 -s 32 -c "$CG/a"
start_load C -n 1000 -k 2 -u 50 -s 33 -c "$CG/b"
"$BIN/ksmctl" set run=1
"$BIN/ksmctl" wait-stable "$A" 60 && "$BIN/ksmctl" wait-stable "$B" 60 &&
	"$BIN/ksmctl" wait-stable "$C" 60
merged_a=$(ksm_stat "$A" ksm_merging_pages)
# Two more samples: everything merged so far has been drained and counted.
n=$(grep -c . "$TMP/live.json")
wait_docs "$TMP/live.json" $((n + 2))
kill -INT "$TOP"; wait "$TOP"
is "ksmtop -j exits 0 on SIGINT" "$?" 0

is "workload A merged its 3000 duplicate pages" "$merged_a" 3000
got=$(jall "$TMP/live.json" "sum(p['merges'] for d in docs for p in d['processes'] if p['pid'] == $A)")
is "sum of A's per-interval merges == ksm_merging_pages ($merged_a)" "$got" "$merged_a"
got=$(jall "$TMP/live.json" "sum(p['merges'] for d in docs for p in d['processes'] if p['pid'] == $C)")
is "sum of C's per-interval merges == ksm_merging_pages" "$got" "$(ksm_stat "$C" ksm_merging_pages)"
bad=$(jall "$TMP/live.json" "sum(1 for d in docs for p in d['processes'] if abs(p['merges_per_s'] * d['interval_s'] - p['merges']) > 0.01 * p['merges'] + 0.01)")
is "merges_per_s * interval_s == merges in every document" "$bad" 0
got=$(jall "$TMP/live.json" "int(max(c['merges'] for d in docs for c in d['cgroups'] if c['cgroup'] == '$CG/a') > 0)")
is "cgroup $CG/a shows merges while its workloads merge" "$got" 1
got=$(jall "$TMP/live.json" "int(any(d['global']['scan_pages_per_s'] > 0 and d['global']['full_scan_seconds'] for d in docs))")
is "scan rate and time per full scan reported while ksmd runs" "$got" 1
got=$(jall "$TMP/live.json" "int(all(d['global']['ksmd_cpu_percent'] is not None for d in docs) and any(d['global']['ksmd_cpu_percent'] > 0 for d in docs))")
is "ksmd CPU % found and non-zero while scanning" "$got" 1

# Freeze ksmd: the counters hold still, so one sample can be compared exactly.
"$BIN/ksmctl" set run=0
"$BIN/ksmtop" -j 0.2 2 > "$TMP/frozen.json" 2>/dev/null
is "ksmtop -j 0.2 2 prints two documents" "$(grep -c . "$TMP/frozen.json")" 2

for p in A B C; do
	pid=${!p}
	want="$(ksm_stat "$pid" ksm_merging_pages) $(ksm_stat "$pid" ksm_rmap_items) $(ksm_stat "$pid" ksm_zero_pages) $(ksm_stat "$pid" ksm_process_profit)"
	got=$(jlast "$TMP/frozen.json" "' '.join(str(p[k]) for p in o['processes'] if p['pid'] == $pid for k in ('merging_pages','rmap_items','zero_pages','profit_bytes'))")
	is "pid $p: merging rmap zero profit == /proc/$pid/ksm_stat ($want)" "$got" "$want"
done

want=0
for pid in $(cat "$CGROOT$CG/a/cgroup.procs"); do
	want=$((want + $(ksm_stat "$pid" ksm_merging_pages)))
done
got=$(jlast "$TMP/frozen.json" "[c['merging_pages'] for c in o['cgroups'] if c['cgroup'] == '$CG/a']")
is "cgroup $CG/a merging_pages == sum over cgroup.procs ($want)" "$got" "[$want]"
got=$(jlast "$TMP/frozen.json" "[(p['comm'], p['cgroup'], p['mergeable']) for p in o['processes'] if p['pid'] == $A]")
is "process row: comm, cgroup path, mergeable" "$got" "[('ksmload', '$CG/a', True)]"

# Every sysfs file, as read now, equals the document's global value.
bad=""
for f in /sys/kernel/mm/ksm/*; do
	n=${f##*/}
	v=$(cat "$f" 2>/dev/null) || continue
	[[ "$v" =~ ^[0-9]+$ ]] || continue
	g=$(jlast "$TMP/frozen.json" "o['global'].get('$n')")
	[ "$g" = "$v" ] || bad="$bad $n=$g(sysfs $v)"
done
is "global numbers equal /sys/kernel/mm/ksm" "$bad" ""
is "one NUMA node: its KSM pages == pages_shared" \
	"$(jlast "$TMP/frozen.json" "o['nodes'][0]['ksm_pages']")" "$(sysfs pages_shared)"

# Filters and sorting.
"$BIN/ksmtop" -j -c "$CG/a" -s pid 0.2 1 > "$TMP/cg.json" 2>/dev/null
is "-c $CG/a -s pid: processes A and B, by pid" \
	"$(jlast "$TMP/cg.json" "[p['pid'] for p in o['processes']]")" \
	"$(python3 -c "print(sorted([$A, $B]))")"
is "-c $CG/a: only the subtree's cgroups" \
	"$(jlast "$TMP/cg.json" "[c['cgroup'] for c in o['cgroups']]")" "['$CG/a']"
"$BIN/ksmtop" -j -p "$C" 0.2 1 > "$TMP/pid.json" 2>/dev/null
is "-p C: only C" "$(jlast "$TMP/pid.json" "[p['pid'] for p in o['processes']]")" "[$C]"
"$BIN/ksmtop" -j -r 1 -s merging 0.2 1 > "$TMP/rows.json" 2>/dev/null
is "-r 1 -s merging: one row, the biggest" \
	"$(jlast "$TMP/rows.json" "[p['merging_pages'] for p in o['processes']]")" \
	"$(jlast "$TMP/frozen.json" "[max(p['merging_pages'] for p in o['processes'])]")"
done_testing
