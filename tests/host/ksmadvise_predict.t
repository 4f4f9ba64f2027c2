#!/bin/bash
# Prediction equals reality: ksmadvise -j reads workloads of known shape in
# three cgroups with ksmd off; then ksmd runs until merging is stable and
# the kernel's own numbers (sysfs pages_shared, pages_sharing,
# ksm_zero_pages; each cgroup's sum of ksm_merging_pages and ksm_zero_pages)
# must equal the prediction exactly, with use_zero_pages off and on.
source "$(dirname "$0")/lib.sh"
need_root
need_ksm
[ -n "$CGROOT" ] || skip_all "no cgroup v2 mount"
[ -r /proc/kpageflags ] || skip_all "no /proc/kpageflags"
plan 25
ksm_save

CG=/ksmadvise-predict-$$
track_cgroup "$CG/a"; track_cgroup "$CG/b"; track_cgroup "$CG/c"; track_cgroup "$CG"


# cg_stat CGROUP KEY: the sum of KEY in ksm_stat over the cgroup's processes.
cg_stat() {
	local sum=0 p
	for p in $(cat "$CGROOT$1/cgroup.procs"); do sum=$((sum + $(ksm_stat "$p" "$2"))); done
	echo $sum
}
# Unmerge everything KSM holds (stale stable nodes too), then ksmd off: the
# global counters start from zero and only these workloads will move them.
fresh() {
	"$BIN/ksmctl" set run=2 && "$BIN/ksmctl" set run=0 "$@"
}
settle() {
	"$BIN/ksmctl" set pages_to_scan=5000 sleep_millisecs=10 run=1
	for p in $A $B $B2 $C; do "$BIN/ksmctl" wait-stable "$p" 120 || return 1; done
	"$BIN/ksmctl" wait-scans 3 60
}

fresh max_page_sharing=256 merge_across_nodes=1 use_zero_pages=0 ||
	{ echo "Bail out! cannot reset KSM"; exit 1; }

# a: 3 contents x 1000 pages (4 KSM pages each: max_page_sharing chains),
#    300 zero pages, 200 unique pages.
# b: 20 contents x 30 pages, 100 zero pages, 50 unique; and a process with
#    20 contents x 2 pages of seed 43, the same contents as c's.
# c: 20 contents x 3 pages of seed 43, 100 unique: 20 KSM pages shared with b.
start_load A -n 3000 -k 3 -s 41 -u 200 -z 300 -c "$CG/a"
start_load B -n 600 -k 20 -s 42 -u 50 -z 100 -c "$CG/b"
start_load B2 -n 40 -k 20 -s 43 -c "$CG/b"
start_load C -n 60 -k 20 -s 43 -u 100 -c "$CG/c"

# One content of n mappings in chains of 256: ceil(n / 256) KSM pages when
# n % 256 != 1 (no lone page left here).
shared=$((3 * 4 + 20 + 20 + 2))		# a's, b's, b2+c's, and the 400 zero pages
sharing=$((3000 + 600 + 100 + 400 - shared))

"$BIN/ksmadvise" -j -q -c "$CG" > "$TMP/p0.json" 2> "$TMP/p0.err"
is "ksmadvise -j with ksmd off exits 0" "$?" 0
is "read the four workloads' pages (3500 + 750 + 40 + 160)" \
	"$(jdoc "$TMP/p0.json" "sum(cg[k]['pages'] for k in ('$CG/a','$CG/b','$CG/c'))")" 4450
is "predicted pages_shared (use_zero_pages=0)" "$(jdoc "$TMP/p0.json" "o['prediction']['pages_shared']")" $shared
is "predicted pages_sharing" "$(jdoc "$TMP/p0.json" "o['prediction']['pages_sharing']")" $sharing
is "predicted cross-cgroup KSM pages: b <-> c 20, a <-> b 1 (the zero content)" \
	"$(jdoc "$TMP/p0.json" "[(p['a'], p['b'], p['ksm_pages']) for p in o['pairs']]")" \
	"[('$CG/b', '$CG/c', 20), ('$CG/a', '$CG/b', 1)]"
is "saving from sharing across cgroups: a <-> b share the zero content, b <-> c 20 pages" \
	"$(jdoc "$TMP/p0.json" "o['cross_cgroup']['saving_pages']")" 21

settle || not_ok "ksmd settled" "$(cat /sys/kernel/mm/ksm/*)"
diag "use_zero_pages=0: sysfs pages_shared $(sysfs pages_shared) pages_sharing $(sysfs pages_sharing) ksm_zero_pages $(sysfs ksm_zero_pages); predicted $(jdoc "$TMP/p0.json" "'%(pages_shared)d %(pages_sharing)d %(ksm_zero_pages)d' % o['prediction']")"
global_is "pages_shared == prediction" "$(sysfs pages_shared)" "$(jdoc "$TMP/p0.json" "o['prediction']['pages_shared']")"
global_is "pages_sharing == prediction" "$(sysfs pages_sharing)" "$(jdoc "$TMP/p0.json" "o['prediction']['pages_sharing']")"
global_is "ksm_zero_pages == prediction (0)" "$(sysfs ksm_zero_pages)" "$(jdoc "$TMP/p0.json" "o['prediction']['ksm_zero_pages']")"
for c in a b c; do
	is "cgroup $c: sum of ksm_merging_pages == predicted merging_pages" \
		"$(cg_stat "$CG/$c" ksm_merging_pages)" "$(jdoc "$TMP/p0.json" "cg['$CG/$c']['merging_pages']")"
done

# ksmadvise again with ksmd on and everything merged: the same prediction.
"$BIN/ksmctl" set run=0
"$BIN/ksmadvise" -j -q -c "$CG" > "$TMP/p1.json"
is "with the pages merged already, the same prediction" \
	"$(jdoc "$TMP/p1.json" "(o['prediction']['pages_shared'], o['prediction']['pages_sharing'])")" \
	"$(jdoc "$TMP/p0.json" "(o['prediction']['pages_shared'], o['prediction']['pages_sharing'])")"

# use_zero_pages=1: the 400 zero pages go to the zero page, one by one.
fresh use_zero_pages=1
"$BIN/ksmadvise" -j -q -c "$CG" > "$TMP/p2.json"
is "predicted ksm_zero_pages (use_zero_pages=1)" "$(jdoc "$TMP/p2.json" "o['prediction']['ksm_zero_pages']")" 400
is "predicted pages_shared without the zero content" "$(jdoc "$TMP/p2.json" "o['prediction']['pages_shared']")" $((shared - 2))
settle || not_ok "ksmd settled" "$(cat /sys/kernel/mm/ksm/*)"
diag "use_zero_pages=1: sysfs pages_shared $(sysfs pages_shared) pages_sharing $(sysfs pages_sharing) ksm_zero_pages $(sysfs ksm_zero_pages); predicted $(jdoc "$TMP/p2.json" "'%(pages_shared)d %(pages_sharing)d %(ksm_zero_pages)d' % o['prediction']")"
global_is "pages_shared == prediction" "$(sysfs pages_shared)" "$(jdoc "$TMP/p2.json" "o['prediction']['pages_shared']")"
global_is "pages_sharing == prediction" "$(sysfs pages_sharing)" "$(jdoc "$TMP/p2.json" "o['prediction']['pages_sharing']")"
global_is "ksm_zero_pages == prediction" "$(sysfs ksm_zero_pages)" "$(jdoc "$TMP/p2.json" "o['prediction']['ksm_zero_pages']")"
for c in a b c; do
	got="$(cg_stat "$CG/$c" ksm_merging_pages) $(cg_stat "$CG/$c" ksm_zero_pages)"
	is "cgroup $c: ksm_merging_pages, ksm_zero_pages sums == prediction" "$got" \
		"$(jdoc "$TMP/p2.json" "'%d %d' % (cg['$CG/$c']['merging_pages'], cg['$CG/$c']['zero_pages'])")"
done

# Isolation: each cgroup alone keeps all but the cross-cgroup saving.
is "per-cgroup scope saving == global - cross" \
	"$(jdoc "$TMP/p2.json" "o['scopes']['per_cgroup']['saving_pages'] == o['scopes']['global']['saving_pages'] - o['cross_cgroup']['saving_pages']")" True
"$BIN/ksmctl" set run=0
"$BIN/ksmadvise" -q -c "$CG" -b "$CG/a" -b "$CG/b" --rules > "$TMP/rules"
is "--rules: one isolate line per boundary" "$(grep -v '^#' "$TMP/rules")" "$CG/a isolate
$CG/b isolate"
"$BIN/ksmadvise" -q -c "$CG" --rules > "$TMP/rules2"
is "--rules without -b: one isolate line per cgroup" "$(grep -vc '^#' "$TMP/rules2")" 3
"$BIN/ksmadvise" -c "$CG" -r 0 > "$TMP/text" 2>&1
check "text report names the cgroups and the pair" grep -q "$CG/b *$CG/c *20" "$TMP/text"
done_testing
