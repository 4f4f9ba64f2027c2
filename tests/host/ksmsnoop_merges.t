#!/bin/bash
# ksmsnoop's per-process count of successful merges equals what the kernel
# accounts in /proc/PID/ksm_stat, and the -p, -c and -e filters hold.
source "$(dirname "$0")/lib.sh"
need_root
need_ksm
plan 11
ksm_save
"$BIN/ksmctl" set run=0 pages_to_scan=2000 sleep_millisecs=10

CG=/ksmtest-$$
track_cgroup "$CG/a/child"; track_cgroup "$CG/a"; track_cgroup "$CG/b"; track_cgroup "$CG"

start_snoop ALL "$TMP/all.json" -j -e merge_with_ksm_page,remove_rmap_item,merge_one_page
start_load A -n 3000 -k 3 -u 200 -s 11 -c "$CG/a/child"
start_load B -n 1500 -k 5 -s 22 -c "$CG/b"
start_snoop BYPID "$TMP/pid.json" -j -p "$A"
start_snoop BYCG "$TMP/cg.json" -j -c "$CG/a"
start_snoop BYEV "$TMP/ev.json" -j -e merge_with_ksm_page

"$BIN/ksmctl" set run=1
"$BIN/ksmctl" wait-stable "$A" 60 && "$BIN/ksmctl" wait-stable "$B" 60
merged_a=$(ksm_stat "$A" ksm_merging_pages)
merged_b=$(ksm_stat "$B" ksm_merging_pages)
diag "kernel: pid $A merging $merged_a, pid $B merging $merged_b"
for p in $ALL $BYPID $BYCG $BYEV; do stop_snoop "$p"; done

got_a=$(jcount "$TMP/all.json" "o['event'] == 'merge_with_ksm_page' and o['err'] == 0 and o['pid'] == $A")
got_b=$(jcount "$TMP/all.json" "o['event'] == 'merge_with_ksm_page' and o['err'] == 0 and o['pid'] == $B")
is "pid A: successful merge_with_ksm_page == ksm_merging_pages ($merged_a)" "$got_a" "$merged_a"
is "pid B: successful merge_with_ksm_page == ksm_merging_pages ($merged_b)" "$got_b" "$merged_b"
[ "$merged_a" -ge 3000 ] && ok "workload A merged its 3000 duplicate pages" ||
	not_ok "workload A merged its 3000 duplicate pages" "merging $merged_a"

n=$(wc -l < "$TMP/pid.json")
bad=$(jcount "$TMP/pid.json" "o['pid'] != $A")
[ "$n" -gt 0 ] && [ "$bad" = 0 ] && ok "-p $A: $n events, all of pid $A" ||
	not_ok "-p filter" "$n events, $bad of another pid"
is "-p $A: merge count matches ksm_stat" \
	"$(jcount "$TMP/pid.json" "o['event'] == 'merge_with_ksm_page' and o['err'] == 0")" "$merged_a"

n=$(wc -l < "$TMP/cg.json")
bad=$(jcount "$TMP/cg.json" "not (o['cgroup'] or '').startswith('$CG/a')")
[ "$n" -gt 0 ] && [ "$bad" = 0 ] && ok "-c $CG/a: $n events, all in the subtree (child included)" ||
	not_ok "-c subtree filter" "$n events, $bad outside $CG/a"
is "-c: the child cgroup path is resolved" \
	"$(jcount "$TMP/cg.json" "o['cgroup'] == '$CG/a/child' and o['comm'] == 'ksmload'")" "$n"

n=$(wc -l < "$TMP/ev.json")
bad=$(jcount "$TMP/ev.json" "o['event'] != 'merge_with_ksm_page'")
[ "$n" -gt 0 ] && [ "$bad" = 0 ] && ok "-e merge_with_ksm_page: $n events, no other kind" ||
	not_ok "-e filter" "$n events, $bad of other kinds"

# Every JSON line carries the documented fields.
missing=$(jcount "$TMP/all.json" "not all(k in o for k in ('ts_ns','event','pid','comm','cgroup_id','cgroup','pfn','nid','err'))")
is "JSON lines carry ts_ns event pid comm cgroup_id cgroup pfn nid err" "$missing" 0
is "err is an integer on merge events" \
	"$(jcount "$TMP/all.json" "o['event'].startswith('merge') and not isinstance(o['err'], int)")" 0
# One NUMA node here: every merge's page is on node 0 (from zoneinfo spans).
is "nid resolved from /proc/zoneinfo for stock events" \
	"$(jcount "$TMP/all.json" "o['event'] == 'merge_with_ksm_page' and o['nid'] is None")" 0
done_testing
