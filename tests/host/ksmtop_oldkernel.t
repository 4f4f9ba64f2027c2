#!/bin/bash
# ksmtop degrades, never refuses (#15): where no event source can load (a
# kernel without BTF or without ksm tracepoints: Linux 6.1) it runs on
# sysfs and /proc alone, says why, derives merges from counter deltas, and
# prints null / - for what it cannot know, never 0.
#  1. This kernel with its BTF hidden (a private mount namespace binds an
#     empty file over /sys/kernel/btf/vmlinux): no event source, no task
#     iterator; a real workload's numbers still equal /proc.
#  2. Stand-in /proc and /sys/kernel/mm/ksm shaped like Debian 12's 6.1
#     (ksm_stat holds ksm_rmap_items only, /proc/PID/ksm_merging_pages a
#     file of its own, no general_profit, ksm_zero_pages, smart_scan or
#     advisor, no KSM lines in vmstat), BTF hidden too.
source "$(dirname "$0")/lib.sh"
need_root
need_ksm
[ -n "$CGROOT" ] || skip_all "no cgroup v2 mount"
unshare -m true 2> /dev/null || skip_all "cannot make a mount namespace (unshare -m)"
plan 18
ksm_save
"$BIN/ksmctl" set run=0 pages_to_scan=2000 sleep_millisecs=10

CG=/ksmtop-old-$$
trap 'cleanup; rmdir "$CGROOT$CG" 2>/dev/null' EXIT
: > "$TMP/nobtf"
# nobtf CMD...: CMD with the kernel's BTF looking empty, as a kernel without it
nobtf() {
	unshare -m sh -c 'mount --bind "$0" /sys/kernel/btf/vmlinux && exec "$@"' "$TMP/nobtf" "$@"
}

# last FILE EXPR: EXPR on the last JSON document of FILE
last() { tail -n 1 "$1" > "$TMP/last.json" && jdoc "$TMP/last.json" "$2"; }
# shows NAME FILE ERE: FILE has a line matching ERE (else the file's head)
shows() {
	if grep -qE -- "$3" "$2"; then ok "$1"; else not_ok "$1" "$(head -n 12 "$2")"; fi
}

# ---- 1. this kernel, no event source -------------------------------------
start_load A -n 1000 -k 2 -s 61 -c "$CG"
"$BIN/ksmctl" set run=1
"$BIN/ksmctl" wait-stable "$A" 60
"$BIN/ksmctl" set run=0
nobtf "$BIN/ksmtop" -j 0.3 2 > "$TMP/nobtf.json" 2> "$TMP/nobtf.err"
is "no BTF: ksmtop -j still runs (exit 0), two documents" "$? $(grep -c . "$TMP/nobtf.json")" "0 2"
shows "the sources line says there are no events, and why" "$TMP/nobtf.err" \
	"sources: no events: no kernel BTF"
is "JSON: events not loaded, the error kept; processes from /proc" \
	"$(last "$TMP/nobtf.json" "(o['sources']['events']['loaded'], 'BTF' in o['sources']['events']['error'], o['sources']['processes'])")" \
	"(False, True, 'proc')"
is "the workload's merging pages and rmap items equal /proc/$A/ksm_stat" \
	"$(last "$TMP/nobtf.json" "[(p['merging_pages'], p['rmap_items']) for p in o['processes'] if p['pid'] == $A]")" \
	"[($(ksm_stat "$A" ksm_merging_pages), $(ksm_stat "$A" ksm_rmap_items))]"
is "merges are derived; what only events tell is null, not 0" \
	"$(last "$TMP/nobtf.json" "(o['global']['merges_source'], o['global']['rmap_removals'], o['global']['full_scan_seconds'], [p['rmap_removals'] for p in o['processes'] if p['pid'] == $A], o['events']['merge_with_ksm_page'])")" \
	"('derived', None, None, [None], None)"
nobtf "$BIN/ksmtop" -b 0.3 1 > "$TMP/nobtf.txt" 2>&1
shows "text: derived rates marked ~, rmap removals -" "$TMP/nobtf.txt" \
	"merges [0-9]+/s~ .* rmap rm - "
out=$(nobtf "$BIN/ksmtop" --list-probes 2>&1); rc=$?
is "--list-probes without BTF: an error, exit 1 (it was asked about probes)" \
	"$rc $(echo "$out" | grep -c 'no kernel BTF')" "1 1"
"$BIN/ksmtop" -j --no-events 0.3 1 > "$TMP/noev.json" 2>/dev/null
is "--no-events: no event source on a kernel that has one" \
	"$(jdoc "$TMP/noev.json" "(o['sources']['events'], o['global']['merges_source'])")" \
	"({'loaded': False, 'error': 'not loaded (--no-events)'}, 'derived')"

# ---- 2. Linux 6.1's /proc and sysfs --------------------------------------
P=$TMP/proc S=$TMP/ksm
mkdir -p "$P/4242" "$P/4243" "$S"
for f in full_scans max_page_sharing merge_across_nodes pages_shared pages_sharing \
	pages_to_scan pages_unshared pages_volatile run sleep_millisecs stable_node_chains \
	stable_node_chains_prune_millisecs stable_node_dups use_zero_pages; do
	echo 1 > "$S/$f"
done
echo 200 > "$S/pages_sharing"
printf 'nr_free_pages 1000\npgfault 5\n' > "$P/vmstat"
printf 'ksm_rmap_items 210\n' > "$P/4242/ksm_stat"
echo 200 > "$P/4242/ksm_merging_pages"
echo qemu-vm1 > "$P/4242/comm"
printf '0::/machine.slice/machine-qemu\\x2d1\\x2dvm1.scope\n' > "$P/4242/cgroup"
printf 'ksm_rmap_items 0\n' > "$P/4243/ksm_stat" # madvised, not scanned yet: unseen on 6.1
echo 0 > "$P/4243/ksm_merging_pages"
echo bash > "$P/4243/comm"
printf '0::/user.slice\n' > "$P/4243/cgroup"
old() { KSM_PROC_DIR=$P KSM_SYSFS_DIR=$S nobtf "$BIN/ksmtop" "$@"; }
old -j 0.2 1 > "$TMP/61.json" 2> "$TMP/61.err"
is "6.1 trees: ksmtop -j 0.2 1 runs (exit 0)" "$?" 0
is "the workload's pid, merging pages from ksm_merging_pages, rmap items from ksm_stat" \
	"$(jdoc "$TMP/61.json" "[(p['pid'], p['merging_pages'], p['rmap_items']) for p in o['processes']]")" \
	"[(4242, 200, 210)]"
is "what 6.1 does not tell is null: zero pages, profit, the mergeable flags" \
	"$(jdoc "$TMP/61.json" "[(p['zero_pages'], p['profit_bytes'], p['mergeable'], p['merge_any']) for p in o['processes']]")" \
	"[(None, None, None, None)]"
is "global: no general_profit, ksm_zero_pages, smart_scan, advisor, cow_ksm: null" \
	"$(jdoc "$TMP/61.json" "[o['global'][k] for k in ('general_profit', 'ksm_zero_pages', 'smart_scan', 'advisor_mode', 'cow_ksm', 'ksm_swpin_copy', 'general_profit_per_s')]")" \
	"[None, None, None, None, None, None, None]"
is "global: unmerges derived (no cow_ksm), pages_sharing as the file says" \
	"$(jdoc "$TMP/61.json" "(o['global']['unmerges_source'], o['global']['pages_sharing'])")" \
	"('derived', 200)"
is "the VM's scope is named by its workload, and / sums it" \
	"$(jdoc "$TMP/61.json" "(cg['/machine.slice/machine-qemu\\\\x2d1\\\\x2dvm1.scope']['workload']['vm_name'], cg['/']['subtree']['merging_pages'])")" \
	"('vm1', 200)"
old -b 0.2 1 > "$TMP/61.txt" 2>&1
shows "text: the process row shows - for ZERO, PROFIT and MODE" "$TMP/61.txt" \
	"^ +4242 qemu-vm1 +200 +210 +- +- .* - +vm vm1 "
shows "text: the header shows - for the files and counters 6.1 lacks" "$TMP/61.txt" \
	"^zero -  chains 1  dups 1  profit -  .* cow -  swap-in copies -"
shows "text: no ksmd in /proc, no scan events: ksmd's CPU and the scan time are -" \
	"$TMP/61.txt" "^ksmd +- cpu .* full scan - "
shows "the sources line says the processes come from (stand-in) /proc" "$TMP/61.txt" \
	"processes from proc \(KSM_PROC_DIR stands in for /proc\)"
done_testing
