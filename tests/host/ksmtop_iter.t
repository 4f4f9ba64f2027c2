#!/bin/bash
# ksmtop's BPF task iterator against /proc, the reference: for workloads
# that hold still (ksmd off once they merged), every number the iterator
# reads (merging pages, rmap items, zero pages, profit, the madvise and
# prctl flags, comm, cgroup) equals /proc/PID/ksm_stat exactly, and equals
# what ksmtop --no-bpf-iter reads; no KSM user is missing; many processes
# spread over cgroups are all listed and summed.
source "$(dirname "$0")/lib.sh"
need_root
need_ksm
[ -n "$CGROOT" ] || skip_all "no cgroup v2 mount"
plan 9
ksm_save
"$BIN/ksmctl" set run=0 pages_to_scan=2000 sleep_millisecs=10 use_zero_pages=1

CG=/ksmtop-iter-$$
trap 'cleanup; rmdir "$CGROOT$CG"/many/g* "$CGROOT$CG"/many "$CGROOT$CG"/a "$CGROOT$CG"/b "$CGROOT$CG" 2>/dev/null' EXIT

start_load A -n 2000 -k 4 -u 100 -s 51 -c "$CG/a"
start_load P -P -n 1000 -k 2 -s 52 -c "$CG/a"
start_load Z -n 500 -k 1 -z 300 -s 53 -c "$CG/b"
start_load M -F 200 -n 2 -s 54 -c "$CG/many" -G 4
"$BIN/ksmctl" set run=1
"$BIN/ksmctl" wait-stable "$A" 60 && "$BIN/ksmctl" wait-stable "$P" 60 &&
	"$BIN/ksmctl" wait-stable "$Z" 60
# Frozen: nothing of ours changes between the three readings.
"$BIN/ksmctl" set run=0

"$BIN/ksmtop" -j 0.2 1 > "$TMP/iter.json" 2> "$TMP/iter.err"
"$BIN/ksmtop" -j --no-bpf-iter 0.2 1 > "$TMP/proc.json" 2> "$TMP/proc.err"
is "the default listing is the BPF task iterator" \
	"$(jdoc "$TMP/iter.json" "o['sources']['processes']")" "bpf_iter"
is "--no-bpf-iter lists /proc" "$(jdoc "$TMP/proc.json" "o['sources']['processes']")" "proc"
grep -q "processes from bpf_iter" "$TMP/iter.err" && ok "the sources line names the iterator" ||
	not_ok "the sources line names the iterator" "$(cat "$TMP/iter.err")"

# row PID: the fields of a process row, as /proc/PID/ksm_stat spells them
row() {
	python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
for p in o["processes"]:
    if p["pid"] == int(sys.argv[2]):
        yn = lambda b: {True: "yes", False: "no", None: "?"}[b]
        print(p["merging_pages"], p["rmap_items"], p["zero_pages"], p["profit_bytes"],
              yn(p["merge_any"]), yn(p["mergeable"]), p["comm"], p["cgroup"])' "$@"
}
# proc PID: the same from /proc
proc() {
	echo "$(ksm_stat "$1" ksm_merging_pages) $(ksm_stat "$1" ksm_rmap_items)" \
		"$(ksm_stat "$1" ksm_zero_pages) $(ksm_stat "$1" ksm_process_profit)" \
		"$(ksm_stat "$1" ksm_merge_any:) $(ksm_stat "$1" ksm_mergeable:)" \
		"$(cat "/proc/$1/comm") $(sed -n 's/^0:://p' "/proc/$1/cgroup")"
}
for w in A P Z; do
	diag "$w: $(row "$TMP/iter.json" "${!w}")"
	pid=${!w}
	is "$w (pid $pid): the iterator's numbers are /proc/$pid/ksm_stat's" \
		"$(row "$TMP/iter.json" "$pid")" "$(proc "$pid")"
done

# Every process either listing names, the other names the same, with the same numbers
# (other KSM users on the machine, a QEMU guest, may change between the two: ours do not).
diff=$(python3 -c '
import json, sys
rows = lambda f: {p["pid"]: p for p in json.load(open(f))["processes"]}
a, b = rows(sys.argv[1]), rows(sys.argv[2])
mine = lambda p: p["cgroup"].startswith(sys.argv[3] + "/")
keys = ("merging_pages", "rmap_items", "zero_pages", "profit_bytes", "mergeable", "merge_any",
        "comm", "cgroup")
print(sorted(p for p in set(a) ^ set(b) if mine((a.get(p) or b.get(p)))),
      sorted(p for p in set(a) & set(b) if mine(a[p]) and
             any(a[p][k] != b[p][k] for k in keys)))' "$TMP/iter.json" "$TMP/proc.json" "$CG")
is "the iterator and /proc list the same processes of ours, with the same numbers" "$diff" "[] []"

# No KSM user that /proc knows is missing from the iterator (ours and anyone's).
missing=$(for p in /proc/[0-9]*; do
	pid=${p#/proc/}
	grep -qE '^ksm_(mergeable|merge_any): yes' "$p/ksm_stat" 2>/dev/null || continue
	kill -0 "$pid" 2>/dev/null || continue
	python3 -c 'import json,sys; sys.exit(int(sys.argv[2]) not in
		{p["pid"] for p in json.load(open(sys.argv[1]))["processes"]})' "$TMP/iter.json" "$pid" ||
		echo "$pid"
done)
is "every process with ksm_mergeable or ksm_merge_any yes is listed" "$missing" ""

want=$(cat "$CGROOT$CG"/many/g*/cgroup.procs | wc -l)
got=$(jdoc "$TMP/iter.json" "[(c['subtree']['processes'], sorted(d['processes'] for d in o['cgroups'] if d['parent'] == '$CG/many')) for c in o['cgroups'] if c['cgroup'] == '$CG/many']")
is "-F 200 over 4 cgroups: $CG/many sums $want processes, 50 in each" "$got" "[($want, [50, 50, 50, 50])]"
done_testing
