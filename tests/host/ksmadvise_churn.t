#!/bin/bash
# Prediction within 5% when workloads churn: pages whose merge is broken
# and restored all the time (ksmload -w), and pages rewritten faster than
# ksmd rescans them (ksmload -r, volatile: ksmadvise must leave them out,
# as ksmd's checksum test does).  With ksmd on, sysfs pages_sharing and
# pages_shared, sampled over several full scans, stay within 5% of the
# prediction that ksmadvise made with ksmd off.
source "$(dirname "$0")/lib.sh"
need_root
need_ksm
[ -n "$CGROOT" ] || skip_all "no cgroup v2 mount"
[ -r /proc/kpageflags ] || skip_all "no /proc/kpageflags"
plan 9
ksm_save

CG=/ksmadvise-churn-$$
track_cgroup "$CG/a"; track_cgroup "$CG/b"; track_cgroup "$CG/c"; track_cgroup "$CG"


# within5 GOT WANT: |GOT - WANT| <= 5% of WANT
within5() { python3 -c "import sys; g, w = int(sys.argv[1]), int(sys.argv[2]); sys.exit(abs(g - w) > 0.05 * w)" "$1" "$2"; }

"$BIN/ksmctl" set run=2 && "$BIN/ksmctl" set run=0 max_page_sharing=256 use_zero_pages=0 ||
	{ echo "Bail out! cannot reset KSM"; exit 1; }

# a and b: 4 contents x 750 pages between them, a churning 200 pages/s;
# b and c: 100 and 50 volatile pages; c: 50 contents x 10, 200 zero pages.
start_load A -n 2000 -k 4 -s 51 -w 200 -c "$CG/a"
start_load B -n 1000 -k 4 -s 51 -r 100 -u 100 -c "$CG/b"
start_load C -n 500 -k 50 -s 52 -z 200 -r 50 -c "$CG/c"

"$BIN/ksmadvise" -j -q -i 0.5 -c "$CG" > "$TMP/p.json"
is "ksmadvise -j exits 0" "$?" 0
is "the 150 rewritten pages are volatile" "$(jdoc "$TMP/p.json" "sum(c['volatile_pages'] for c in o['cgroups'] if c['cgroup'].startswith('$CG/'))")" 150
want_sharing=$(jdoc "$TMP/p.json" "o['prediction']['pages_sharing']")
want_shared=$(jdoc "$TMP/p.json" "o['prediction']['pages_shared']")
# 3 KSM pages for each of a+b's 4 contents (750 mappings), 50 for c's, 1 for
# the zero content; every other mapping is sharing.
is "predicted pages_shared" "$want_shared" 63
is "predicted pages_sharing" "$want_sharing" $((3000 + 500 + 200 - 63))

"$BIN/ksmctl" set pages_to_scan=5000 sleep_millisecs=10 run=1
"$BIN/ksmctl" wait-merged "$A" 1900 120 && "$BIN/ksmctl" wait-merged "$C" 400 120 &&
	"$BIN/ksmctl" wait-scans 5 120
worst_sharing=0 worst_shared=0 bad=""
for i in 1 2 3 4 5; do
	"$BIN/ksmctl" wait-scans 2 60
	s=$(sysfs pages_sharing) h=$(sysfs pages_shared)
	diag "sample $i: pages_sharing $s (predicted $want_sharing), pages_shared $h (predicted $want_shared)"
	within5 "$s" "$want_sharing" || bad="$bad sharing=$s"
	within5 "$h" "$want_shared" || bad="$bad shared=$h"
done
global_is "pages_sharing and pages_shared within 5% of the prediction in 5 samples" "$bad" ""
got=$(python3 -c "print(sum(int(l.split()[1]) for p in '$A $B $C'.split() for l in open(f'/proc/{p}/ksm_stat') if l.startswith('ksm_merging_pages')))")
want=$(jdoc "$TMP/p.json" "sum(c['merging_pages'] for c in o['cgroups'] if c['cgroup'].startswith('$CG/'))")
diag "merging pages: $got, predicted $want"
check "sum of ksm_merging_pages within 5% of the prediction ($got vs $want)" within5 "$got" "$want"
# The volatile pages never merged: b's merging pages are its 1000 duplicates at most.
check "b's volatile pages stayed out (ksm_merging_pages <= 1000)" test "$(ksm_stat "$B" ksm_merging_pages)" -le 1000
"$BIN/ksmctl" set run=0
"$BIN/ksmadvise" -j -q -i 0 -m 20 -c "$CG" > "$TMP/slow.json"
is "--max-rate 20 MB/s: exits 0" "$?" 0
rate=$(jdoc "$TMP/slow.json" "round(o['read']['bytes'] / o['read']['seconds'] / 1e6, 1)")
diag "--max-rate 20: $rate MB/s"
check "--max-rate 20: read at 15 to 21 MB/s (measured $rate MB/s)" \
	python3 -c "import sys; sys.exit(not 15 <= $rate <= 21)"
done_testing
