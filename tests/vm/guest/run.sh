#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The VM suite, run inside the guest by /init.  TAP on stdout.
#
#   run.sh [only=SCENARIO[,SCENARIO]] [backends=B[,B]]
#
# Scenarios: unmerge migrate swap swapnode stale retry
# Backends (where the events come from; the assertions are the same):
#   tracefs   /sys/kernel/tracing/events/ksm/*, the kernel's own view
#   ksmsnoop  ksmsnoop -j, the patched tracepoints through BPF (tp_btf)
#   fallback  ksmsnoop -j --fallback, fentry/fexit instead of the new
#             tracepoints (checks that need events the fallback cannot see
#             are skipped, and say so)
. /tests/lib.sh

# retry is opt-in (only=retry): see sc_retry
ONLY="unmerge,migrate,swap,swapnode,stale"
BACKENDS="tracefs,ksmsnoop,fallback"
for a in "$@"; do
	case $a in
	only=*) ONLY=${a#only=} ;;
	backends=*) BACKENDS=${a#backends=} ;;
	esac
done

# ---- (a) run=2 unmerge and merge_across_nodes switch -----------------------
sc_unmerge() {
	ksm_reset 1
	ev_start
	# 300 copies of each of 4 contents: over max_page_sharing (256), so
	# every content needs a chain of two dups
	wl_start a -n 1200 -c 4 -s 11
	kset run 1
	if ! wait_until 180 '[ $(kget pages_shared) -eq 8 ] && [ $(kget pages_sharing) -eq 1192 ]'; then
		notok "unmerge: workload merged" "pages_shared=$(kget pages_shared) pages_sharing=$(kget pages_sharing)"
		wl_stop a; ev_stop; return
	fi
	ok "unmerge: 1200 pages merged into 8 KSM pages (4 chains of 2 dups)"
	chains=$(kget stable_node_chains)
	kset run 2
	shared=$(kget pages_shared) sharing=$(kget pages_sharing)
	dups=$(kget stable_node_dups) chains2=$(kget stable_node_chains)
	# pages_shared is 0 now: both switches empty the (empty) stable tree
	kset merge_across_nodes 0
	kset merge_across_nodes 1
	ev_stop
	wl_stop a

	check "unmerge: no leftovers (pages_shared, pages_sharing, dups, chains all 0)" \
		"pages_shared=$shared pages_sharing=$sharing dups=$dups chains=$chains2 (chains before: $chains)" \
		"$shared$sharing$dups$chains2" = 0000

	b=$(bracket unmerge)
	diag "run=2: $b"
	if [ "$(field pairs "$b")" = 0 ] && [ "$BACKEND" = fallback ]; then
		skip "unmerge: remove_all_stable_nodes begin/end (unmerge)" "fallback saw no remove_all_stable_nodes"
	else
		check "unmerge: one remove_all_stable_nodes begin/end pair, reason unmerge, busy 0, err 0" "$b" \
			"$(field pairs "$b")$(field busy "$b")$(field err "$b")$(field unpaired "$b")" = 1000
		check "unmerge: end.removed equals the stable_node_remove events in between" "$b" \
			"$(field removed "$b")" = "$(field counted "$b")"
	fi

	n=$(nodes)
	diag "nodes: $n"
	if [ "$(field inserted "$n")" = 0 ] && [ "$BACKEND" = fallback ]; then
		skip "unmerge: every inserted stable node removed" "fallback has no insert events"
	else
		check "unmerge: 8 stable nodes inserted, chained, every one removed, none unknown" "$n" \
			"$(field inserted "$n")-$(field leftover "$n")-$(field unknown "$n")" = 8-0-0 -a \
			"$(field chained "$n")" -ge 4
	fi
	rm_all=$(evcount event=stable_node_remove)
	rm_ok=$(($(evcount event=stable_node_remove reason=stale) + $(evcount event=stable_node_remove reason=unmerge)))
	check "unmerge: 8 stable_node_remove events, each with reason stale or unmerge" \
		"remove=$rm_all stale+unmerge=$rm_ok" "$rm_all-$rm_ok" = 8-8
	if [ "$BACKEND" = fallback ]; then
		diag "fallback: stale removals not checked against get_folio_stale verdicts"
	else
		check "unmerge: every stale removal follows a get_folio_stale verdict for its node" "$n" \
			"$(field stale_unexplained "$n")" = 0
	fi

	m=$(bracket merge_across_nodes)
	diag "merge_across_nodes: $m"
	if [ "$(field pairs "$m")" = 0 ] && [ "$BACKEND" = fallback ]; then
		skip "unmerge: merge_across_nodes switch begin/end" "fallback saw no remove_all_stable_nodes"
	else
		check "unmerge: merge_across_nodes switched twice: 2 begin/end pairs, 0 removed, busy 0, err 0" "$m" \
			"$(field pairs "$m")$(field removed "$m")$(field counted "$m")$(field busy "$m")$(field err "$m")$(field unpaired "$m")" = 200000
	fi
}

# ---- (b) cross-node migration of KSM pages --------------------------------
sc_migrate() {
	ksm_reset 0	# one stable tree per node: migrated nodes move trees
	ev_start
	wl_start a -n 512 -c 4 -s 22 -b 0
	kset run 1
	if ! wait_until 180 '[ $(kget pages_shared) -eq 4 ] && [ $(kget pages_sharing) -eq 508 ]'; then
		notok "migrate: workload merged" "pages_shared=$(kget pages_shared) pages_sharing=$(kget pages_sharing)"
		wl_stop a; ev_stop; return
	fi
	# ksmd holds references on the KSM folios it looks at, which makes
	# migration fail: keep it off while moving, then let it rebalance
	kset run 0
	where0=$(wl_cmd a where)
	r1=$(wl_cmd a "migrate 1")
	kset run 1
	wait_scans 2
	s1=$(kget pages_shared)-$(kget pages_sharing)
	where1=$(wl_cmd a where)
	t1=$(wl_cmd a touch)
	kset run 0
	r0=$(wl_cmd a "migrate 0")
	kset run 1
	wait_scans 2
	s0=$(kget pages_shared)-$(kget pages_sharing)
	where2=$(wl_cmd a where)
	ev_stop
	wl_stop a
	diag "before: $where0; $r1; $where1; $r0; $where2"

	check "migrate: all 512 pages moved to node 1 and back to node 0" "$r1 / $r0 / $where1 / $where2" \
		"$(field node1 "$where1")-$(field node0 "$where2")" = 512-512
	check "migrate: no stable node lost (pages_shared-pages_sharing 4-508 after each move)" \
		"after move to 1: $s1, after move back: $s0" "$s1-$s0" = 4-508-4-508
	check "migrate: content intact after migration" "$t1" "$(field bad "$t1")" = 0
	to1=$(evcount event=migrate_folio nid=0 new_nid=1)
	to0=$(evcount event=migrate_folio nid=1 new_nid=0)
	all=$(evcount event=migrate_folio)
	check "migrate: one migrate_folio event per KSM page each way, nid 0->1 and 1->0" \
		"0->1: $to1, 1->0: $to0, all: $all" "$to1-$to0-$all" = 4-4-8
	check "migrate: no stable_node_remove while migrating" \
		"$(evcount event=stable_node_remove) removals" "$(evcount event=stable_node_remove)" = 0
	n=$(nodes)
	diag "nodes: $n"
	if [ "$BACKEND" = fallback ] && [ "$(field inserted "$n")" = 0 ]; then
		skip "migrate: migrated nodes are known stable nodes, old pfn = node's pfn" "fallback has no insert events"
		skip "migrate: migrated nodes re-inserted into the target node's tree" "fallback has no insert events"
	else
		check "migrate: migrated nodes are known stable nodes, old pfn = node's pfn" "$n" \
			"$(field unknown "$n")-$(field badpfn "$n")" = 0-0
		i1=$(evcount event=stable_node_insert nid=1)
		check "migrate: ksmd moved the 4 migrated nodes into node 1's tree (merge_across_nodes=0)" \
			"stable_node_insert nid=1: $i1" "$i1" = 4
	fi
}

# ---- (c) KSM pages through zram swap and back --------------------------------
swap_setup() {
	[ -e /sys/fs/cgroup/ksmswap ] && return 0
	if ! grep -q zram0 /proc/swaps; then
		echo 256M > /sys/block/zram0/disksize || return 1
		mkswap /dev/zram0 > /dev/null || return 1
		swapon /dev/zram0 || return 1
	fi
	echo +memory > /sys/fs/cgroup/cgroup.subtree_control || return 1
	mkdir /sys/fs/cgroup/ksmswap
}

# reclaim_until KB: proactive reclaim of the workload cgroup until both
# workloads have at least KB kB swapped out (or 150 attempts).  The first
# passes only find the KSM pages referenced (fresh PTEs are young) and move
# them to the active list; later ones deactivate and swap them out, but how
# many passes that takes varies.
reclaim_until() {
	i=0
	while [ $i -lt 150 ]; do
		sa=$(awk '/^VmSwap/ { print $2 }' /proc/$(wl_pid a)/status)
		sb=$(awk '/^VmSwap/ { print $2 }' /proc/$(wl_pid b)/status)
		[ "$sa" -ge "$1" ] && [ "$sb" -ge "$1" ] && return 0
		echo 1M > /sys/fs/cgroup/ksmswap/memory.reclaim 2>/dev/null
		i=$((i + 1))
	done
	return 1
}

sc_swap() {
	if ! swap_setup; then
		skip "swap: zram swap and memory cgroup" "setup failed"
		return
	fi
	ksm_reset 1
	ev_start
	# two processes with the same 512 distinct pages: 512 KSM pages, each
	# mapped twice, charged to the ksmswap cgroup
	WL_CGROUP=/sys/fs/cgroup/ksmswap wl_start a -n 512 -c 512 -s 33
	WL_CGROUP=/sys/fs/cgroup/ksmswap wl_start b -n 512 -c 512 -s 33
	kset run 1
	if ! wait_until 180 '[ $(kget pages_shared) -eq 512 ] && [ $(kget pages_sharing) -eq 512 ]'; then
		notok "swap: workloads merged" "pages_shared=$(kget pages_shared) pages_sharing=$(kget pages_sharing)"
		wl_stop a; wl_stop b; ev_stop; return
	fi
	kset run 0	# ksmd out of the way: the faults decide alone
	copy0=$(vmstat ksm_swpin_copy) out0=$(vmstat pswpout)
	diag "memory.stat before: $(grep -E '^(anon|swapcached|active_anon|inactive_anon) ' /sys/fs/cgroup/ksmswap/memory.stat | tr '\n' ' ')"
	reclaim_until 1024
	diag "memory.stat after: $(grep -E '^(anon|swapcached|active_anon|inactive_anon|pgscan|pgsteal) ' /sys/fs/cgroup/ksmswap/memory.stat | tr '\n' ' ')"
	swapped="$(awk '/^VmSwap/ { print $2 }' /proc/$(wl_pid a)/status) kB + $(awk '/^VmSwap/ { print $2 }' /proc/$(wl_pid b)/status) kB"
	out=$(($(vmstat pswpout) - out0))
	ta=$(wl_cmd a touch)
	tb=$(wl_cmd b touch)
	copies=$(($(vmstat ksm_swpin_copy) - copy0))
	ev_stop
	wl_stop a
	wl_stop b
	diag "swapped out $out pages ($swapped), ksm_swpin_copy +$copies"
	diag "swapin_copy: $(awk '$1 == "event=swapin_copy" { r = ""; for (i = 2; i <= NF; i++) if ($i ~ /^(reason|result)=/) r = r $i " "; n[r]++ }
		END { for (r in n) printf "[%s]=%d ", r, n[r] }' "$EV")"

	check "swap: KSM pages pushed to zram by memory.reclaim" "pswpout +$out ($swapped)" "$out" -gt 0
	check "swap: content intact after swap-in in both processes" "$ta / $tb" \
		"$(field bad "$ta")-$(field bad "$tb")" = 0-0
	new=$(evcount event=swapin_copy result=new)
	check "swap: swapin_copy result=new events equal /proc/vmstat ksm_swpin_copy delta (> 0)" \
		"events $new, vmstat +$copies" "$new" = "$copies" -a "$copies" -gt 0
	nopfn=$(evcount event=swapin_copy result=new new_pfn=0)
	samepfn=$(($(evcount event=swapin_copy result=same) - $(evcount event=swapin_copy result=same new_pfn=0)))
	check "swap: a new copy has its pfn, an uncopied folio none" "new without pfn $nopfn, same with pfn $samepfn" \
		"$nopfn-$samepfn" = 0-0
	av=$(evcount event=swapin_copy reason=anon_vma result=new)
	check "swap: the second process's faults copy the folio the first one mapped (reason anon_vma)" \
		"anon_vma/new: $av" "$av" -gt 0
	bad=$(($(evcount event=swapin_copy) - $(evcount event=swapin_copy reason=none result=same) - \
		$(evcount event=swapin_copy reason=anon_vma) - $(evcount event=swapin_copy reason=no_stable_node) - \
		$(evcount event=swapin_copy reason=unmerge)))
	check "swap: every swapin_copy event has a known reason" "$bad unexpected" "$bad" = 0
}

# ---- (c') the seed scenario: a KSM folio in swap cache loses its node -------
sc_swapnode() {
	if ! swap_setup; then
		skip "swapnode: zram swap and memory cgroup" "setup failed"
		return
	fi
	hits=0 tries=0 copies=0
	while [ $tries -lt 3 ] && [ $hits -eq 0 ]; do
		tries=$((tries + 1))
		ksm_reset 1
		ev_start
		WL_CGROUP=/sys/fs/cgroup/ksmswap wl_start a -n 512 -c 512 -s 44
		WL_CGROUP=/sys/fs/cgroup/ksmswap wl_start b -n 512 -c 512 -s 44
		kset run 1
		wait_until 180 '[ $(kget pages_shared) -eq 512 ] && [ $(kget pages_sharing) -eq 512 ]'
		copy0=$(vmstat ksm_swpin_copy)
		reclaim_until 1024
		# unmerge while the pages are out: the stable node of a KSM
		# folio still in swap cache (unmapped) is removed and the folio
		# keeps PageKsm, so faulting it back must copy it; zram frees
		# most folios right after writeback, which closes that window
		kset run 2
		wl_cmd a touch > /dev/null
		wl_cmd b touch > /dev/null
		copies=$((copies + $(vmstat ksm_swpin_copy) - copy0))
		ev_stop
		wl_stop a
		wl_stop b
		hits=$(evcount event=swapin_copy reason=no_stable_node)
		diag "try $tries: no_stable_node $hits, unmerge $(evcount event=swapin_copy reason=unmerge), " \
			"removals with reason unmerge $(evcount event=stable_node_remove reason=unmerge)"
	done
	if [ "$hits" -gt 0 ]; then
		ok "swapnode: KSM folio without stable node copied on swap-in (reason no_stable_node), $hits times"
		nn=$(evcount event=swapin_copy reason=no_stable_node result=new)
		check "swapnode: those copies succeeded (result new)" "$nn of $hits" "$nn" = "$hits"
	else
		skip "swapnode: KSM folio without stable node copied on swap-in" \
			"not provoked in $tries tries: no KSM folio stayed in the swap cache across run=2"
	fi
}

# ---- (d) stale verdicts after the owners exit --------------------------------
sc_stale() {
	ksm_reset 1
	ev_start
	wl_start a -n 256 -c 4 -s 55
	kset run 1
	if ! wait_until 180 '[ $(kget pages_shared) -eq 4 ] && [ $(kget pages_sharing) -eq 252 ]'; then
		notok "stale: workload merged" "pages_shared=$(kget pages_shared)"
		wl_stop a; ev_stop; return
	fi
	wl_stop a
	# ksmd finds the exited mm, removes its rmap items: the nodes are stale
	wait_until 180 '[ $(kget pages_shared) -eq 0 ]'
	shared=$(kget pages_shared)
	# A node whose folio was still around when ksmd dropped its last rmap
	# item lingers in the tree until a search walks over it: search for
	# the same 4 contents so that every node gets its verdict.
	wl_start b -n 4 -c 4 -s 55
	wait_scans 2
	wl_stop b
	ev_stop
	check "stale: pages_shared back to 0 after the owner exited" "pages_shared=$shared" "$shared" = 0
	st=$(evcount event=stable_node_remove reason=stale)
	check "stale: 4 stable_node_remove events with reason stale" \
		"stale removals: $st, all removals: $(evcount event=stable_node_remove)" \
		"$st-$(evcount event=stable_node_remove)" = 4-4
	v=$(evcount event=get_folio_stale)
	vm=$(($(evcount event=get_folio_stale reason=mapping) + $(evcount event=get_folio_stale reason=freed) + \
		$(evcount event=get_folio_stale reason=unknown)))
	check "stale: 4 get_folio_stale verdicts (reason mapping or freed)" "verdicts $v, mapping/freed $vm" "$v-$vm" = 4-4
	n=$(nodes)
	diag "nodes: $n"
	if [ "$BACKEND" = fallback ] && [ "$(field inserted "$n")" = 0 ]; then
		skip "stale: every stale removal follows its verdict, no node left" "fallback has no insert events"
	else
		check "stale: every stale removal follows its verdict, no node left" "$n" \
			"$(field inserted "$n")-$(field leftover "$n")-$(field unknown "$n")-$(field stale_unexplained "$n")" = 4-0-0-0
	fi
}

# ---- (e) ksm_get_folio retry: migration racing with ksmd --------------------
# Opt-in: the race is not deterministic, and with ksmd at sleep_millisecs=1
# under TCG the migrating workload was seen not to come back (see
# kernel-patch/README.md); every wait here is bounded.
sc_retry() {
	ksm_reset 1
	ev_start
	wl_start a -n 256 -c 2 -s 66 -b 0
	kset run 1
	wait_until 180 '[ $(kget pages_shared) -eq 2 ]'
	kset sleep_millisecs 1
	i=0
	while [ $i -lt 20 ]; do
		wl_cmd a "migrate $(((i + 1) % 2))" > /dev/null || break
		i=$((i + 1))
	done
	kset run 0
	kset sleep_millisecs 10
	ev_stop
	kill -9 "$(wl_pid a)" 2>/dev/null
	exec 7>&-
	WL_PID_a=
	r=$(evcount event=get_folio_retry)
	diag "get_folio_retry events: $r, migrate_folio: $(evcount event=migrate_folio)"
	if [ "$r" -gt 0 ]; then
		same=$(awk '$1 == "event=get_folio_retry" { p = n = ""; for (i = 2; i <= NF; i++) { if ($i ~ /^pfn=/) p = substr($i, 5); if ($i ~ /^new_pfn=/) n = substr($i, 9) } if (p == n) c++ } END { print c + 0 }' "$EV")
		check "retry: ksm_get_folio retried on a kpfn change ($r times), old != new kpfn" "$same with old == new" "$same" = 0
	else
		skip "retry: ksm_get_folio retry on a concurrent migration" "race not hit in 20 migrations (not deterministic)"
	fi
}

[ -w $KSM/run ] || { echo "not ok 1 - KSM sysfs present"; exit 1; }
for be in $(echo "$BACKENDS" | tr ',' ' '); do
	BACKEND=$be
	PFX="[$be] "
	case $be in
	ksmsnoop|fallback)
		if ! command -v ksmsnoop > /dev/null; then
			skip "backend $be" "ksmsnoop not in the initramfs (make it first)"
			continue
		fi
		fb=
		[ "$be" = fallback ] && fb=--fallback
		ksmsnoop --list-probes $fb 2>&1 | sed 's/^/#   /'
		;;
	tracefs)
		if [ ! -d $T/events/ksm/ksm_stable_node_remove ]; then
			notok "tracefs: patched ksm tracepoints present" "no $T/events/ksm/ksm_stable_node_remove"
			continue
		fi
		;;
	esac
	for s in $(echo "$ONLY" | tr ',' ' '); do
		diag "---- $be: $s ($(cut -d' ' -f1 /proc/uptime)s)"
		sc_$s
	done
done
kset run 2
echo "1..$NTEST"
echo "# guest: $NPASS passed, $NFAIL failed, $NSKIP skipped"
