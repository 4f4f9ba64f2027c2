#!/bin/bash
# ksmtop -j: per-process numbers equal /proc/PID/ksm_stat, per-cgroup numbers
# equal the sum over the cgroup's processes, global numbers equal sysfs, and
# the per-interval merge counts of a workload of known size add up to it.
source "$(dirname "$0")/lib.sh"
need_root
need_ksm
plan 27
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
# Any other KSM user on the machine (a QEMU guest's RAM is mergeable) can
# still break COW and move pages_sharing, general_profit and cow_ksm while
# ksmd is off: read them before and after, the document's lie in between.
cow0=$(awk '$1 == "cow_ksm" {print $2}' /proc/vmstat)
grep -H . /sys/kernel/mm/ksm/* > "$TMP/sys0" 2>/dev/null
"$BIN/ksmtop" -j 0.2 2 > "$TMP/frozen.json" 2>/dev/null
grep -H . /sys/kernel/mm/ksm/* > "$TMP/sys1" 2>/dev/null
cow1=$(awk '$1 == "cow_ksm" {print $2}' /proc/vmstat)
is "ksmtop -j 0.2 2 prints two documents" "$(grep -c . "$TMP/frozen.json")" 2

for p in A B C; do
	pid=${!p}
	want="$(ksm_stat "$pid" ksm_merging_pages) $(ksm_stat "$pid" ksm_rmap_items) $(ksm_stat "$pid" ksm_zero_pages) $(ksm_stat "$pid" ksm_process_profit)"
	got=$(jlast "$TMP/frozen.json" "' '.join(str(p[k]) for p in o['processes'] if p['pid'] == $pid for k in ('merging_pages','rmap_items','zero_pages','profit_bytes'))")
	is "pid $p: merging rmap zero profit == /proc/$pid/ksm_stat ($want)" "$got" "$want"
done

# merging_of CGROUP...: the sum of ksm_merging_pages over their cgroup.procs
merging_of() {
	local cg pid sum=0
	for cg in "$@"; do
		for pid in $(cat "$CGROOT$cg/cgroup.procs"); do
			sum=$((sum + $(ksm_stat "$pid" ksm_merging_pages)))
		done
	done
	echo "$sum"
}
want=$(merging_of "$CG/a")
got=$(jlast "$TMP/frozen.json" "[c['merging_pages'] for c in o['cgroups'] if c['cgroup'] == '$CG/a']")
is "cgroup $CG/a merging_pages == sum over cgroup.procs ($want)" "$got" "[$want]"
got=$(jlast "$TMP/frozen.json" "[(p['comm'], p['cgroup'], p['mergeable']) for p in o['processes'] if p['pid'] == $A]")
is "process row: comm, cgroup path, mergeable" "$got" "[('ksmload', '$CG/a', True)]"

# The hierarchy: $CG holds no process itself; its subtree is everything below.
want=$(merging_of "$CG/a" "$CG/b")
got=$(jlast "$TMP/frozen.json" "[(c['processes'], c['subtree']['processes'], c['subtree']['merging_pages']) for c in o['cgroups'] if c['cgroup'] == '$CG']")
is "cgroup $CG: no process of its own, a subtree of 3 with merging_pages $want" "$got" "[(0, 3, $want)]"
got=$(jlast "$TMP/frozen.json" "[(c['depth'], c['parent']) for c in o['cgroups'] if c['cgroup'] == '$CG/b']")
is "cgroup $CG/b: depth 2, parent $CG" "$got" "[(2, '$CG')]"
got=$(jlast "$TMP/frozen.json" "[c['subtree']['merging_pages'] == sum(p['merging_pages'] for p in o['processes']) for c in o['cgroups'] if c['cgroup'] == '/']")
is "the root cgroup's subtree sums every KSM process" "$got" "[True]"
"$BIN/ksmtop" -j --cgroup-depth 1 -c "$CG" 0.2 1 > "$TMP/depth.json" 2>/dev/null
is "--cgroup-depth 1 -c $CG: one row, its subtree still whole" \
	"$(jlast "$TMP/depth.json" "[(c['cgroup'], c['subtree']['merging_pages']) for c in o['cgroups']]")" \
	"[('$CG', $want)]"
got=$(jlast "$TMP/frozen.json" "int($cow0 <= o['global']['cow_ksm'] <= $cow1 and o['global']['unmerges_source'] == 'vmstat')")
is "cow_ksm is /proc/vmstat's ($cow0..$cow1), unmerges come from it" "$got" 1
is "sources: events loaded, merges counted from events" \
	"$(jlast "$TMP/frozen.json" "(o['sources']['events']['loaded'], o['sources']['merges'])")" \
	"(True, 'events')"

# Every numeric sysfs file equals the document's global value (read before and after).
bad=$(python3 -c '
import json, sys
o = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][-1]["global"]
def snap(f):
    return {l.split(":")[0].rsplit("/", 1)[1]: l.split(":", 1)[1].strip() for l in open(f)}
a, b = snap(sys.argv[2]), snap(sys.argv[3])
print(" ".join(f"{n}={o.get(n)}({a[n]}..{b[n]})" for n in a if a[n].lstrip("-").isdigit()
      and not min(int(a[n]), int(b[n])) <= (o.get(n) if isinstance(o.get(n), int) else -2**63)
      <= max(int(a[n]), int(b[n]))))' "$TMP/frozen.json" "$TMP/sys0" "$TMP/sys1")
is "global numbers equal /sys/kernel/mm/ksm" "$bad" ""
got=$(jlast "$TMP/frozen.json" "o['nodes'][0]['ksm_pages'] == o['global']['pages_shared']")
is "one NUMA node: its KSM pages == pages_shared" "$got" "True"

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
