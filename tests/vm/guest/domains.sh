# SPDX-License-Identifier: GPL-2.0
# Merge domains of the ksm_bpf_ops series (kernel-patch/), transition by
# transition, sourced by run.sh after lib.sh and policy.sh:
#   run.sh domains=slab,kselftest,repro,emptyround,transitions,forkdeny,hotremove,cap,kfunc
#   (domains= for none)
# What each transition does is documented in Documentation/admin-guide/mm/
# ksm.rst of the series ("KSM policy"); each check below says which rule of
# it is checked.  Every scenario starts and ends without a policy loaded.

DT=/sys/fs/cgroup/dt
SPLAT_RE='(WARNING:|BUG:|Oops|Kernel panic|general protection fault|Call Trace:|possible circular locking|possible recursive locking|inconsistent lock state|INFO: task .* blocked|RCU stall|KASAN|UBSAN|kernel BUG)'

# no_new_splat: no splat printed since the last call (reads and clears the
# kernel log; the console keeps everything for run-vm.sh's own check)
no_new_splat() {
	dmesg -c > /tmp/dmesg.new 2>/dev/null
	! grep -qE "$SPLAT_RE" /tmp/dmesg.new
}

# check_nosplat NAME: a check that no splat was printed since the last call
check_nosplat() {
	if no_new_splat; then
		ok "$1"
	else
		notok "$1" "$(grep -m 3 -E "$SPLAT_RE" /tmp/dmesg.new | tr '\n' '|' | cut -c1-300)"
	fi
}

# common_lines FILE1 FILE2: lines of FILE2 that are in FILE1 (busybox grep -f
# with an empty pattern file matches every line: no pattern, no match)
common_lines() {
	if [ -s "$1" ]; then grep -cxF -f "$1" "$2"; else echo 0; fi
}

# common PID_A PID_B NPAGES: KSM frames mapped by both (pagemap+kpageflags)
common_frames() {
	ksmpfn "$1" "$3" | grep -v '^#' > /tmp/pfn.1
	ksmpfn "$2" "$3" | grep -v '^#' > /tmp/pfn.2
	common_lines /tmp/pfn.1 /tmp/pfn.2
}
frames() { ksmpfn "$1" "$2" | grep -vc '^#'; }

dom_setup() {
	pol_reset
	kset pages_to_scan 2000
	for c in t1 t2 t3 t4; do mkdir -p $DT/$c; done
	no_new_splat
}

dom_teardown() {
	for w in a b c d; do wl_stop $w; done
	pol_reset
	pol_rmcg dt w0
}

# ---- the crash of the issue: weight 0 on unstable rmap_items, then ... ------
# ... exit (kill), weight back to non-zero, or run=2.  ksmd used to BUG in
# remove_rmap_item_from_tree(): the skipped mm's unstable rmap_items aged.
repro_one() {	# $1: how the mm is visited again
	pol_reset
	mkdir -p /sys/fs/cgroup/w0
	# the anchor (root cgroup, no rule) keeps full scans going
	wl_start b -n 64 -c 8 -s 900
	# 60 contents twice, 968 once: the unique pages stay in the unstable tree
	WL_CGROUP=/sys/fs/cgroup/w0 wl_start a -n 1088 -c 1028 -s 901
	pa=$(wl_pid a)
	kset run 1
	wait_until 120 "[ \$(kstat $pa ksm_rmap_items) -eq 1088 ]"
	before=$(kstat $pa ksm_rmap_items)
	ksmpolicy set /w0 weight 0 > /dev/null
	# more than 2 full scans: the old kernel's age check fired at 2
	wait_scans 4
	ri=$(kstat $pa ksm_rmap_items) mp=$(kstat $pa ksm_merging_pages)
	check "repro ($1): weight 0 freed the mm's unstable rmap_items, kept the merged pages' ones" \
		"rmap_items $before -> $ri, merging $mp" "$before" = 1088 -a "$ri" = "$mp"
	case $1 in
	exit)	kill -9 "$pa"; wait "$pa" 2>/dev/null; eval "WL_PID_a="; exec 7>&- ;;
	weight)	ksmpolicy set /w0 weight 3 > /dev/null ;;
	run2)	kset run 2; kset run 1 ;;
	esac
	wait_scans 3
	if [ "$1" = weight ]; then
		ri=$(kstat $pa ksm_rmap_items)
		check "repro (weight): weight 3 again: the mm is scanned again (1088 rmap_items)" \
			"rmap_items $ri" "$ri" = 1088
	fi
	check_nosplat "repro ($1): no splat (BUG in remove_rmap_item_from_tree before v2)"
	wl_stop a
	wl_stop b
	kset run 2
	check "repro ($1): run=2 leaves nothing (pages_shared, pages_sharing, pages_unshared 0)" \
		"$(kget pages_shared)/$(kget pages_sharing)/$(kget pages_unshared)" \
		"$(kget pages_shared)$(kget pages_sharing)$(kget pages_unshared)" = 000
	pol_reset
	pol_rmcg w0
}

dom_repro() {
	repro_one exit
	repro_one weight
	repro_one run2
}

# ---- a round that scans nothing is not a full scan --------------------------
# The only KSM mm gets weight 0: ksmd still wakes every 10 ms and asks the
# policy (a ksm_policy_decision of weight 0 each round), but no round may
# start a full scan (ksm_start_scan), nor count one in full_scans.  Weight 1
# again: full scans resume.  Deterministic: the kernel before v2 counted a
# full scan on every wake-up, however slow the guest.
dom_emptyround() {
	pol_reset
	mkdir -p /sys/fs/cgroup/w0
	WL_CGROUP=/sys/fs/cgroup/w0 wl_start a -n 256 -c 8 -s 903
	pa=$(wl_pid a)
	kset run 1
	wait_until 120 "[ \$(kstat $pa ksm_merging_pages) -eq 256 ]"
	others=$(grep -l '^ksm_rmap_items [1-9]' /proc/[0-9]*/ksm_stat 2>/dev/null |
		grep -v "^/proc/$pa/" | tr '\n' ' ')
	tr_on ksm_policy_decision ksm_start_scan
	ksmpolicy set /w0 weight 0 > /dev/null
	# from the first round that passes the mm by ...
	wait_until 60 "grep -q 'ksm_policy_decision:.* weight 0\$' $T/trace"
	fs0=$(kget full_scans)
	# ... 20 more rounds
	wait_until 60 "[ \$(grep -c 'ksm_policy_decision:.* weight 0\$' $T/trace) -ge 21 ]"
	fs1=$(kget full_scans)
	tr_off > /tmp/tr.empty
	starts=$(awk '/ksm_policy_decision:.* weight 0$/ { on = 1 } on && /ksm_start_scan:/ { n++ }
		END { print n + 0 }' /tmp/tr.empty)
	passes=$(grep -c 'ksm_policy_decision:.* weight 0$' /tmp/tr.empty)
	check "emptyround: weight 0 on the only mm: 21 rounds or more pass it by, no full scan starts or counts" \
		"$passes passes, full_scans $fs0 -> $fs1, ksm_start_scan after the first pass: $starts, other KSM mms: ${others:-none}" \
		"$passes" -ge 21 -a "$fs1" = "$fs0" -a "$starts" = 0 -a -z "$others"
	ksmpolicy set /w0 weight 1 > /dev/null
	wait_scans 2
	fs2=$(kget full_scans)
	check "emptyround: weight 1 again: full scans resume" "full_scans $fs1 -> $fs2" "$fs2" -ge $((fs1 + 2))
	check_nosplat "emptyround: no splat"
	wl_stop a
	pol_reset
	pol_rmcg w0
}

# ---- every transition of an mm ---------------------------------------------
# a in t1, b in t2, c in t3: 512 pages of the same 8 contents each
dom_transitions() {
	dom_setup
	ksmpolicy set /dt allow > /dev/null
	WL_CGROUP=$DT/t1 wl_start a -n 512 -c 8 -s 777
	WL_CGROUP=$DT/t2 wl_start b -n 512 -c 8 -s 777
	WL_CGROUP=$DT/t3 wl_start c -n 512 -c 8 -s 777
	pa=$(wl_pid a) pb=$(wl_pid b) pc=$(wl_pid c)
	kset run 1
	wait_until 120 "[ \$(kget pages_shared) -eq 8 ] && [ \$(kget pages_sharing) -eq 1528 ]"
	check "transitions: allow: the 3 tenants merge together (8 KSM pages, a and b share 8 frames)" \
		"pages_shared $(kget pages_shared) sharing $(kget pages_sharing)" \
		"$(kget pages_shared)-$(common_frames $pa $pb 512)" = 8-8

	# allow -> deny: unmerged, rmap_items freed, within one full round
	ksmpolicy set /dt/t1 deny > /dev/null
	wait_scans 2
	ra=$(kstat $pa ksm_rmap_items) ma=$(kstat $pa ksm_merging_pages)
	check "transitions: allow -> deny: 0 rmap_items and 0 merged pages after one round" \
		"rmap_items $ra merging $ma frames $(frames $pa 512)" "$ra-$ma-$(frames $pa 512)" = 0-0-0
	s0=$(kget pages_scanned)
	wait_scans 2
	ra=$(kstat $pa ksm_rmap_items)
	check "transitions: deny costs nothing after: still 0 rmap_items 2 rounds later" \
		"rmap_items $ra" "$ra" = 0

	# deny -> allow
	ksmpolicy unset /dt/t1 > /dev/null
	wait_until 120 "[ \$(kstat $pa ksm_merging_pages) -eq 512 ]"
	check "transitions: deny -> allow: merged again, with the others (8 common frames)" \
		"merging $(kstat $pa ksm_merging_pages)" "$(common_frames $pa $pb 512)" = 8

	# allow -> isolate:D
	ksmpolicy set /dt/t1 isolate > /dev/null
	ksmpolicy set /dt/t2 isolate > /dev/null
	wait_scans 3
	wait_until 120 "[ \$(kstat $pa ksm_merging_pages) -eq 512 ] && [ \$(kstat $pb ksm_merging_pages) -eq 512 ]"
	check "transitions: allow -> isolate: t1 and t2 merge only within (24 KSM pages, no common frame)" \
		"pages_shared $(kget pages_shared), a/b common $(common_frames $pa $pb 512), a/c $(common_frames $pa $pc 512)" \
		"$(kget pages_shared)-$(common_frames $pa $pb 512)-$(common_frames $pa $pc 512)" = 24-0-0

	# D -> D': the owner moves to another isolated cgroup
	echo $pa > $DT/t2/cgroup.procs
	wait_scans 3
	wait_until 120 "[ \$(common_frames $pa $pb 512) -eq 8 ]"
	check "transitions: isolate:t1 -> isolate:t2 (moved cgroups): a now shares t2's frames" \
		"a/b common $(common_frames $pa $pb 512), pages_shared $(kget pages_shared)" \
		"$(common_frames $pa $pb 512)-$(kget pages_shared)" = 8-16
	echo $pa > $DT/t1/cgroup.procs
	wait_scans 3
	wait_until 120 "[ \$(kstat $pa ksm_merging_pages) -eq 512 ]"
	check "transitions: back to t1: no frame shared with t2 any more" \
		"a/b common $(common_frames $pa $pb 512)" "$(common_frames $pa $pb 512)" = 0

	# weight w -> 0 -> w: d has 40 contents twice and 220 unique pages
	WL_CGROUP=$DT/t4 wl_start d -n 300 -c 260 -s 779
	pd=$(wl_pid d)
	wait_until 120 "[ \$(kstat $pd ksm_rmap_items) -eq 300 ] && [ \$(kstat $pd ksm_merging_pages) -eq 80 ]"
	ksmpolicy set /dt/t4 weight 0 > /dev/null
	wait_scans 3
	rd=$(kstat $pd ksm_rmap_items) md=$(kstat $pd ksm_merging_pages)
	check "transitions: weight 0: the 220 unstable rmap_items freed, the 80 merged pages kept" \
		"rmap_items $rd merging $md" "$rd-$md" = 80-80
	ksmpolicy set /dt/t4 weight 4 > /dev/null
	wait_until 120 "[ \$(kstat $pd ksm_rmap_items) -eq 300 ]"
	check "transitions: weight 0 -> 4: scanned again (300 rmap_items)" \
		"rmap_items $(kstat $pd ksm_rmap_items)" "$(kstat $pd ksm_rmap_items)" = 300
	wl_stop d

	# fork: the child maps its parent's KSM pages, in its parent's domain
	f=$(wl_cmd a fork)
	ch=$(field pid "$f")
	wait_scans 3
	check "transitions: fork: the child of an isolated parent shares only its parent's frames" \
		"$f: child/parent common $(common_frames $ch $pa 512), child/b $(common_frames $ch $pb 512)" \
		"$(common_frames $ch $pa 512)-$(common_frames $ch $pb 512)" = 8-0
	wl_cmd a unfork > /dev/null

	# unload: every mm keeps its domain; nothing is unmerged at once
	tr_on ksm_mm_domain
	ma=$(kstat $pa ksm_merging_pages) mb=$(kstat $pb ksm_merging_pages)
	ksmpolicy unload > /dev/null
	wait_scans 3
	ma2=$(kstat $pa ksm_merging_pages) mb2=$(kstat $pb ksm_merging_pages)
	moves=$(tr_off | grep -c ksm_mm_domain:)
	check "transitions: unload: isolation kept (pagemap: a/b 0 common frames, a/c 0, b/c 0)" \
		"a/b $(common_frames $pa $pb 512), a/c $(common_frames $pa $pc 512), b/c $(common_frames $pb $pc 512)" \
		"$(common_frames $pa $pb 512)$(common_frames $pa $pc 512)$(common_frames $pb $pc 512)" = 000
	check "transitions: unload: no private merge broken (merging a $ma -> $ma2, b $mb -> $mb2, 0 domain moves)" \
		"moves $moves" "$ma-$mb-$moves" = "$ma2-$mb2-0"
	check "transitions: unload: each tenant still merged within (8 frames each)" \
		"a $(frames $pa 512), b $(frames $pb 512), c $(frames $pc 512)" \
		"$(frames $pa 512)-$(frames $pb 512)-$(frames $pc 512)" = 8-8-8

	# run=2 and run=1 without a policy: unmerged, then merged in the same domains
	kset run 2
	check "transitions: run=2: everything unmerged" "shared $(kget pages_shared)" \
		"$(kget pages_shared)$(kget pages_sharing)" = 00
	kset run 1
	wait_until 120 "[ \$(kstat $pa ksm_merging_pages) -eq 512 ] && [ \$(kstat $pb ksm_merging_pages) -eq 512 ]"
	check "transitions: run=2 then run=1: merged again in the kept domains (24 KSM pages, 0 common)" \
		"pages_shared $(kget pages_shared), a/b $(common_frames $pa $pb 512)" \
		"$(kget pages_shared)-$(common_frames $pa $pb 512)" = 24-0

	# merge_across_nodes and max_page_sharing switches, with domains
	kset run 2
	kset merge_across_nodes 0
	kset max_page_sharing 16
	kset run 1
	wait_until 120 "[ \$(kstat $pa ksm_merging_pages) -eq 512 ] && [ \$(kstat $pb ksm_merging_pages) -eq 512 ]"
	check "transitions: merge_across_nodes=0, max_page_sharing=16: merged in the domains, in chains" \
		"chains $(kget stable_node_chains), a/b $(common_frames $pa $pb 512)" \
		"$(kget stable_node_chains)-$(common_frames $pa $pb 512)" != 0-0 -a \
		"$(common_frames $pa $pb 512)" = 0
	wl_cmd a "migrate 1" > /dev/null
	wait_scans 2
	check "transitions: migration to node 1 with merge_across_nodes=0: still isolated" \
		"a/b $(common_frames $pa $pb 512)" "$(common_frames $pa $pb 512)" = 0
	kset run 2
	kset merge_across_nodes 1
	kset max_page_sharing 256
	kset run 1

	# load a policy again: the domains follow it
	tr_on ksm_mm_domain ksm_policy_decision
	out=$(ksmpolicy load $EXAMPLES/isolate_top.bpf.o 2>&1)
	wait_until 120 "[ \$(common_frames $pa $pb 512) -eq 8 ]"
	tr_off > /tmp/tr.load
	check "transitions: load isolate_top: /dt is one domain again (a/b 8 common frames)" \
		"a/b $(common_frames $pa $pb 512); load: $out; moves: $(grep -c ksm_mm_domain: /tmp/tr.load); $(grep ksm_mm_domain: /tmp/tr.load | tail -n 3 | tr '\n' '|'); $(tail -n 2 /tmp/tr.load | tr '\n' '|')" \
		"$(common_frames $pa $pb 512)" = 8

	# replace (BPF_LINK_UPDATE) by the built-in object with empty rules
	if [ -r $EXAMPLES/builtin_policy.bpf.o ] && [ -e /sys/fs/bpf/ksm-bpf/link ]; then
		r=$(ksmlink replace /sys/fs/bpf/ksm-bpf/link $EXAMPLES/builtin_policy.bpf.o)
		wait_scans 3
		wait_until 120 "[ \$(common_frames $pa $pb 512) -eq 8 ]"
		check "transitions: replace (link update) by a policy that allows all: $r, domain 0" \
			"a/b $(common_frames $pa $pb 512), pages_shared $(kget pages_shared)" \
			"$r-$(kget pages_shared)" = ok-8
	else
		skip "transitions: replace (link update)" "no built-in object or no pinned link"
	fi

	# exit: the last mm of a domain goes, the domain is freed
	ksmpolicy unload > /dev/null
	ksmpolicy set /dt/t3 isolate > /dev/null
	wait_scans 3
	tr_on ksm_domain_free
	wl_stop c
	wait_scans 3
	nf=$(tr_off | grep -c 'ksm_domain_free:')
	check "transitions: exit of the last mm of a domain: the domain is freed" "ksm_domain_free $nf" \
		"$nf" -ge 1

	check_nosplat "transitions: no splat"
	dom_teardown
}

tr_on() {
	echo 0 > $T/tracing_on
	echo > $T/trace
	for e in "$@"; do echo 1 > $T/events/ksm/$e/enable; done
	echo 1 > $T/tracing_on
}

tr_off() {
	echo 0 > $T/tracing_on
	for e in $T/events/ksm/*/enable; do echo 0 > $e; done
	cat $T/trace
}

# ---- CAP_SYS_ADMIN in the initial user namespace to attach ------------------
dom_cap() {
	pol_reset
	r=$(ksmlink nocap attach $EXAMPLES/isolate_top.bpf.o)
	check "cap: attaching a policy without CAP_SYS_ADMIN (CAP_BPF, CAP_PERFMON kept) fails with EPERM" \
		"$r" "$(echo "$r" | cut -d' ' -f1-3)" = "error 1 link_create:"
	r=$(ksmlink attach $EXAMPLES/isolate_top.bpf.o /sys/fs/bpf/ksmlink-cap)
	check "cap: ... and with it, it works" "$r" "$r" = ok
	rm -f /sys/fs/bpf/ksmlink-cap
}

# ---- the kfunc filter and the trusted arguments ------------------------------
dom_kfunc() {
	dom_setup
	r=$(ksmlink attach /tests/pol_denied.bpf.o /sys/fs/bpf/ksmlink-denied)
	check "kfunc: a policy calling bpf_task_from_pid() (a struct_ops kfunc, not a KSM one) is refused" \
		"$r" "${r%% *}" = error
	rm -f /sys/fs/bpf/ksmlink-denied
	r=$(ksmlink attach /tests/pol_trusted.bpf.o /sys/fs/bpf/ksmlink-trusted)
	check "kfunc: a policy passing the trusted cgroup argument to bpf_cgroup_ancestor() loads" "$r" "$r" = ok
	WL_CGROUP=$DT/t1 wl_start a -n 512 -c 8 -s 778
	mkdir -p /sys/fs/cgroup/dt2
	WL_CGROUP=/sys/fs/cgroup/dt2 wl_start b -n 512 -c 8 -s 778
	pa=$(wl_pid a) pb=$(wl_pid b)
	kset run 1
	wait_until 120 "[ \$(kstat $pa ksm_merging_pages) -eq 512 ] && [ \$(kstat $pb ksm_merging_pages) -eq 512 ]"
	check "kfunc: ... and isolates the top-level cgroups through it (16 KSM pages, 0 common frames)" \
		"pages_shared $(kget pages_shared), a/b $(common_frames $pa $pb 512)" \
		"$(kget pages_shared)-$(common_frames $pa $pb 512)" = 16-0
	rm -f /sys/fs/bpf/ksmlink-trusted
	dom_teardown
	rmdir /sys/fs/cgroup/dt2 2>/dev/null
}

# ---- zero cost: upstream slab sizes with CONFIG_KSM_BPF and no policy -------
dom_slab() {
	for c in ksm_rmap_item ksm_stable_node; do
		sz=$(cat /sys/kernel/slab/$c/object_size 2>/dev/null)
		diag "SLAB $c object_size ${sz:-?} (kernel $(uname -r))"
		check "slab: $c object_size is upstream's 64 bytes" "object_size ${sz:-missing}" "${sz:-0}" = 64
	done
}

# ---- memory hot-remove: stable nodes on memory that goes offline -----------
# Needs CONFIG_MEMORY_HOTREMOVE.  The scenario makes its own movable memory:
# a memory block of node 1 that can go offline (the top one cannot: the
# boot allocations of the node sit there) goes offline and comes back
# online_movable, the only ZONE_MOVABLE of node 1, where the node's user
# pages are allocated first.  Three workloads merge there: a (isolated, its
# own domain) and b exit while ksmd is off, so their stable nodes stay in
# the trees pointing at freed frames; c stays.  The block goes offline
# again: c's KSM folios migrate off it, and ksm_check_stable_tree() removes
# the nodes of a and b from both domains' trees (reason hotremove).  Online
# again, ksmd frees the exited mms and a's domain; run=2 leaves nothing.
MEMB=/sys/devices/system/memory

# hr_blocks PFN...: the memory blocks of those frames (hex, as ksmpfn prints
# them), once each
hr_blocks() {
	bs=$(printf '%d' "0x$(cat $MEMB/block_size_bytes)")
	for p in "$@"; do echo $((0x$p * 4096 / bs)); done | sort -un
}

# hr_state STATE BLOCK...: echo STATE to each block (offlining may need a
# few tries while a folio is busy); the blocks that did not take it
hr_state() {
	st=$1
	shift
	for blk in "$@"; do
		t=0
		while [ $t -lt 20 ] && ! echo "$st" > $MEMB/memory$blk/state 2>/dev/null; do
			t=$((t + 1))
			usleep 100000
		done
		[ $t -lt 20 ] || printf ' %s' "$blk"
	done
}

# hr_movable: HR_BLOCK = a block of node 1 now online in ZONE_MOVABLE, from
# the top down; empty if none would go offline
hr_movable() {
	HR_BLOCK=
	for blk in $(ls -d /sys/devices/system/node/node1/memory[0-9]* | sed 's/.*memory//' | sort -rn); do
		echo offline > $MEMB/memory$blk/state 2>/dev/null || continue
		if echo online_movable > $MEMB/memory$blk/state; then
			HR_BLOCK=$blk
			return
		fi
		echo online > $MEMB/memory$blk/state
	done
}

dom_hotremove() {
	if [ ! -e $MEMB/block_size_bytes ] || [ ! -d /sys/devices/system/node/node1 ]; then
		skip "hotremove: stable nodes on offlined memory" \
			"no memory hot-remove here (CONFIG_MEMORY_HOTREMOVE and two nodes needed)"
		return
	fi
	hr_movable
	check "hotremove: a block of node 1 offline and online_movable again" \
		"no block of node 1 went offline" -n "$HR_BLOCK"
	[ -n "$HR_BLOCK" ] || return
	dom_setup
	ksmpolicy set /dt/t1 isolate > /dev/null
	WL_CGROUP=$DT/t1 wl_start a -n 256 -c 4 -s 901 -b 1
	wl_start b -n 256 -c 4 -s 902 -b 1
	wl_start c -n 256 -c 4 -s 903 -b 1
	pa=$(wl_pid a) pb=$(wl_pid b) pc=$(wl_pid c)
	kset run 1
	wait_until 180 "[ \$(kget pages_shared) -eq 12 ] && [ \$(kget pages_sharing) -eq 756 ]"
	kset run 0
	for w in a b c; do ksmpfn "$(wl_pid $w)" 256 | grep -v '^#' > /tmp/hr.$w; done
	blocks=$(hr_blocks $(cat /tmp/hr.a /tmp/hr.b /tmp/hr.c))
	zones=$(for blk in $blocks; do cat $MEMB/memory$blk/valid_zones; done | sort -u | tr '\n' ' ')
	diag "hotremove: KSM frames a: $(tr '\n' ' ' < /tmp/hr.a) b: $(tr '\n' ' ' < /tmp/hr.b) c: $(tr '\n' ' ' < /tmp/hr.c); blocks $blocks ($zones)"
	check "hotremove: the 12 KSM frames (a isolated, b and c default) are in the movable block $HR_BLOCK" \
		"$(cat /tmp/hr.a /tmp/hr.b /tmp/hr.c | wc -l) frames in blocks $blocks, zones $zones" \
		"$(cat /tmp/hr.a /tmp/hr.b /tmp/hr.c | wc -l)-$blocks-$zones" = "12-$HR_BLOCK-Movable "
	wl_stop a
	wl_stop b
	tr_on ksm_stable_node_remove ksm_migrate_folio
	bad=$(hr_state offline $blocks)
	tr_off > /tmp/tr.hr
	rm_hr=$(grep -c 'ksm_stable_node_remove:.*reason hotremove' /tmp/tr.hr)
	rm_all=$(grep -c 'ksm_stable_node_remove:' /tmp/tr.hr)
	mig=$(grep -c 'ksm_migrate_folio:' /tmp/tr.hr)
	check "hotremove: blocks $blocks offline" "not offline:${bad:- none}" "${blocks:+some}-$bad" = some-
	check "hotremove: the 8 nodes of the exited a (own domain) and b removed with reason hotremove, no other" \
		"hotremove $rm_hr of $rm_all removals" "$rm_hr-$rm_all" = 8-8
	t=$(wl_cmd c touch)
	check "hotremove: c's 4 KSM folios migrated off, still merged, content intact" \
		"migrate_folio $mig, c merging $(kstat $pc ksm_merging_pages), $t" \
		"$mig-$(kstat $pc ksm_merging_pages)-$(field bad "$t")" = 4-256-0
	bad=$(hr_state online_movable $blocks)
	check "hotremove: blocks online again" "not online:${bad:- none}" "${blocks:+some}-$bad" = some-
	tr_on ksm_domain_free
	kset run 1
	wait_until 120 "[ \$(kget pages_shared) -eq 4 ] && [ \$(kget pages_sharing) -eq 252 ]"
	wait_scans 2
	tr_off > /tmp/tr.hr2
	check "hotremove: ksmd then frees the exited mms and a's domain (4 KSM pages left, domain_free seen)" \
		"pages_shared $(kget pages_shared) sharing $(kget pages_sharing), $(grep -c 'ksm_domain_free:' /tmp/tr.hr2) domain_free" \
		"$(kget pages_shared)-$(kget pages_sharing)-$(grep -c 'ksm_domain_free:' /tmp/tr.hr2)" = 4-252-1
	kset run 2
	check "hotremove: run=2 leaves nothing" "pages_shared $(kget pages_shared) sharing $(kget pages_sharing)" \
		"$(kget pages_shared)-$(kget pages_sharing)" = 0-0
	check_nosplat "hotremove: no splat"
	dom_teardown
}

# ---- the series' kselftest (tools/testing/selftests/mm/ksm_bpf_ops) ---------
# Its own KTAP goes to the log; its exit status (kselftest's: 0 pass, 4
# skip) is one check here.  It skips on a kernel without CONFIG_KSM_BPF.
dom_kselftest() {
	if [ ! -x /tests/ksm_bpf_ops ]; then
		skip "kselftest: mm/ksm_bpf_ops" "not built (it is built from the patched flavour's source tree)"
		return
	fi
	pol_reset
	/tests/ksm_bpf_ops > /tmp/kselftest.out 2>&1
	rc=$?
	sed 's/^/#   /' /tmp/kselftest.out
	n=$(grep -c '^ok ' /tmp/kselftest.out)
	case $rc in
	0) ok "kselftest: mm/ksm_bpf_ops: $n tests passed" ;;
	4) skip "kselftest: mm/ksm_bpf_ops" "$(grep -m1 -o 'SKIP.*' /tmp/kselftest.out)" ;;
	*) notok "kselftest: mm/ksm_bpf_ops" "exit $rc: $(grep '^not ok' /tmp/kselftest.out | tr '\n' ' ')" ;;
	esac
	pol_reset
}

domains_suite() {
	for s in $(echo "$1" | tr ',' ' '); do
		diag "---- domains: $s ($(cut -d' ' -f1 /proc/uptime)s)"
		PFX="[domains] "
		case $s in
		slab|ksmdbench|kselftest) dom_$s ;;
		*)	if ksmpolicy status > /dev/null 2>&1; then
				dom_$s
			else
				skip "domains: $s" "no ksm_bpf_ops in this kernel"
			fi ;;
		esac
	done
	PFX=
}

# ---- ksmd throughput, no policy (make vm-bench-ksmd runs it on two kernels) --
# pages scanned per ksmd CPU tick over BENCH_SCANS full scans, BENCH_RUNS
# times, with duplicates that merge, COW writes that unmerge them, and
# unique pages that stay in the unstable tree.  The figure is all runs'
# pages over all their ticks: the runs differ in what they do (the first
# rounds after a COW burst unmerge and merge again), so a median of runs
# picks one phase, while the total weighs each as it costs.
dom_ksmdbench() {
	pol_reset
	kset sleep_millisecs 0
	kset pages_to_scan 4000
	wl_start a -n 2048 -c 64 -s 707
	wl_start b -n 2048 -c 2048 -s 708
	kset run 1
	wait_scans 3
	: > /tmp/ksmdbench
	r=0 pages=0 ticks=0
	while [ $r -lt "${BENCH_RUNS:-5}" ]; do
		wl_cmd a "cow 8" > /dev/null
		set -- $(bench_run "${BENCH_SCANS:-10}")
		[ "$2" -gt 0 ] && echo "$1 $2" | awk '{ printf "%.1f\n", $1 / $2 }' >> /tmp/ksmdbench
		diag "BENCH ksmd run $r: $1 pages in $2 ticks"
		pages=$((pages + $1)) ticks=$((ticks + $2))
		r=$((r + 1))
	done
	total=
	[ "$ticks" -gt 0 ] && total=$(echo "$pages $ticks" | awk '{ printf "%.1f", $1 / $2 }')
	diag "BENCH ksmd pages_per_tick total $total ($pages pages in $ticks ticks; runs: $(tr '\n' ' ' < /tmp/ksmdbench)) kernel $(uname -r) ksm_bpf $(ksmpolicy status > /dev/null 2>&1 && echo y || echo n)"
	check "ksmdbench: ksmd measured" "$(cat /tmp/ksmdbench | tr '\n' ' ')" -n "$total"
	wl_stop a
	wl_stop b
	pol_reset
}

# ---- a forked child left in a cgroup its parent moved out of -------------------
dom_forkdeny() {
	dom_setup
	WL_CGROUP=$DT/t2 wl_start b -n 256 -c 16 -s 4242
	wl_start c -n 256 -c 16 -s 4242
	pb=$(wl_pid b) pc=$(wl_pid c)
	kset run 1
	wait_until 120 "[ \$(kstat $pb ksm_merging_pages) -eq 256 ] && [ \$(kstat $pc ksm_merging_pages) -eq 256 ]"
	ksmpolicy set /dt allow > /dev/null
	f=$(wl_cmd b fork)
	ch=$(field pid "$f")
	wait_scans 2
	echo $pb > $DT/t1/cgroup.procs
	wait_scans 2
	diag "forkdeny: before: child $ch cgroup $(cat /proc/$ch/cgroup) ksm_stat $(tr '\n' ' ' < /proc/$ch/ksm_stat) child/c $(common_frames $ch $pc 256)"
	tr_on ksm_mm_domain ksm_policy_decision
	ksmpolicy set /dt/t2 deny > /dev/null
	wait_scans 3
	tr_off > /tmp/tr.fd
	x=$(common_frames $ch $pc 256)
	check "forkdeny: a child left in a denied cgroup is unmerged (0 frames shared with c)" \
		"child/c $x; ksm_stat $(tr '\n' ' ' < /proc/$ch/ksm_stat); moves: $(grep ksm_mm_domain: /tmp/tr.fd | tr '\n' '|' | cut -c1-600)" "$x" = 0
	wl_cmd b unfork > /dev/null
	dom_teardown
}
