#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The VM suite, run inside the guest by /init.  TAP on stdout.
#
#   run.sh [only=SCENARIO[,SCENARIO]] [backends=B[,B]] [policy=SCENARIO,...] [sharing=0|1]
#          [stock=SCENARIO,...] [migexec_runs=N] [verbose=1]
#
# Scenarios: unmerge migrate swap swapnode stale retry ksmdebug migexec chains
# Kernel matrix scenarios (stock.sh, first, on every kernel; stock= for
# none): merge.  A kernel without kernel-patch/ runs nothing else.
# Policy scenarios (policy.sh, once, policy= for none): deny isolate weight
# custom robust pins bench
# The sharing audit (audit.sh): after the policy scenarios when they include
# isolate, or as sharing=1 / sharing=0 say ("audit=" is the kernel's own)
# Merge domain scenarios (domains.sh, domains= for none): slab kselftest
# repro emptyround transitions forkdeny hotremove cap kfunc events (series.sh); the torture (torture.sh): torture=1
# [seed=N] [ops=N] (default on, torture=0 for none)
# Backends (where the events come from; the assertions are the same):
#   tracefs   /sys/kernel/tracing/events/ksm/*, the kernel's own view
#   ksmsnoop  ksmsnoop -j, the patched tracepoints through BPF (tp_btf)
#   fallback  ksmsnoop -j --fallback, fentry/fexit instead of the new
#             tracepoints (checks that need events the fallback cannot see
#             are skipped, and say so)
. /tests/lib.sh
. /tests/migexec.sh
. /tests/series.sh

ONLY="unmerge,migrate,swap,swapnode,stale,retry,ksmdebug,migexec,chains"
BACKENDS="tracefs,ksmsnoop,fallback"
# the KSM policy scenarios (policy.sh), run once after the backends
POLICY="deny,isolate,weight,custom,robust,pins,bench"
AUDIT=auto
DOMAINS="slab,kselftest,repro,emptyround,transitions,forkdeny,hotremove,cap,kfunc,events"
TORTURE=1
STOCK="merge"
for a in "$@"; do
	case $a in
	policy=*) POLICY=${a#policy=} ;;
	sharing=*) AUDIT=${a#sharing=} ;;
	domains=*) DOMAINS=${a#domains=} ;;
	torture=*) TORTURE=${a#torture=} ;;
	seed=*) TT_SEED=${a#seed=} ;;
	ops=*) TT_OPS=${a#ops=} ;;
	migexec_runs=*) MIGEXEC_RUNS=${a#migexec_runs=} ;;
	only=*) ONLY=${a#only=} ;;
	backends=*) BACKENDS=${a#backends=} ;;
	stock=*) STOCK=${a#stock=} ;;
	verbose=1) set -x ;;
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
	if [ "$BACKEND" != fallback ]; then
		ch=$(chains)
		check "unmerge: run=2 frees the 4 emptied chains (stable_node_chain_free), none collapsed, none left" \
			"$ch" "$(field chains "$ch")-$(field freed "$ch")-$(field collapsed "$ch")-$(field bad "$ch")-$(field open "$ch")" = 4-4-0-0-0
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
	# ksmtop, the live view, must show the same migrations (once is enough)
	if [ "$BACKEND" = ksmsnoop ]; then
		ksmtop -j 1 > /tmp/ksmtop.json 2>/tmp/ksmtop.err &
		top_pid=$!
		# its first sample is printed once every probe is attached
		wait_until 60 '[ -s /tmp/ksmtop.json ]'
	fi
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
	if [ "$BACKEND" = ksmsnoop ]; then
		# ksmtop prints once a second: give it a few samples to catch up
		wait_until 10 'tail -n 1 /tmp/ksmtop.json | grep -q "\"migrate_folio\":{\"total\":8,"'
		kill "$top_pid"; wait "$top_pid"
		last=$(tail -n 1 /tmp/ksmtop.json)
		tot=$(echo "$last" | grep -o '"migrate_folio":{"total":[0-9]*' | grep -o '[0-9]*$')
		check "migrate: ksmtop -j counts the 8 migrations (patched kernel view)" \
			"$(echo "$last" | grep -o '"patched_kernel":[a-z]*') migrate_folio total=$tot" \
			"$tot-$(echo "$last" | grep -c '"patched_kernel":true')" = 8-1
	fi

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
	if [ "$BACKEND" = fallback ]; then
		skip "migrate: stable_node_migrate_list, each way" "no fentry stand-in for it"
		return
	fi
	l01=$(evcount event=stable_node_migrate_list nid=0 page_nid=1)
	l10=$(evcount event=stable_node_migrate_list nid=1 page_nid=0)
	check "migrate: each migrated node left its tree for migrate_nodes once each way (migrate_list nid 0 page_nid 1, then 1 and 0)" \
		"0->1: $l01, 1->0: $l10, all: $(field listed "$n")" "$l01-$l10-$(field listed "$n")" = 4-4-8
	check "migrate: migrate_list names known nodes at their migrated kpfn, each inserted again into its page's node tree" \
		"$n" "$(field unknown "$n")-$(field badpfn "$n")-$(field parked "$n")" = 0-0-0
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
		# zram frees a folio right after writeback, which closes the
		# window: a pipe holding 16 of the KSM folios (vmsplice) keeps
		# them in the swap cache once reclaim has unmapped them
		pin=$(wl_cmd a "pin 16")
		reclaim_until 2048
		sw=$(awk '/^VmSwap/ { print $2 }' /proc/$(wl_pid a)/status)
		# unmerge while the pages are out: the stable node of a KSM
		# folio still in swap cache (unmapped) is removed and the folio
		# keeps PageKsm, so faulting it back must copy it
		kset run 2
		wl_cmd a touch > /dev/null
		wl_cmd b touch > /dev/null
		wl_cmd a unpin > /dev/null
		copies=$((copies + $(vmstat ksm_swpin_copy) - copy0))
		ev_stop
		wl_stop a
		wl_stop b
		hits=$(evcount event=swapin_copy reason=no_stable_node)
		diag "try $tries: $pin, swapped $sw kB," \
			"no_stable_node $hits, unmerge $(evcount event=swapin_copy reason=unmerge), " \
			"removals with reason unmerge $(evcount event=stable_node_remove reason=unmerge)"
	done
	if [ "$hits" -gt 0 ]; then
		check "swapnode: the 16 pinned KSM folios, without stable node, copied on swap-in (reason no_stable_node), $hits times" \
			"$hits copies for 16 pinned folios" "$hits" -ge 16
		nn=$(evcount event=swapin_copy reason=no_stable_node result=new)
		check "swapnode: those copies succeeded (result new)" "$nn of $hits" "$nn" = "$hits"
	else
		notok "swapnode: KSM folio without stable node copied on swap-in" \
			"not provoked in $tries tries: no pinned KSM folio was in the swap cache across run=2"
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
# The race needs a KSM folio to migrate between ksm_get_folio()'s read of
# its node's kpfn and its look at the folio.  ksm_test/get_folio_delay_us
# (kernel-patch/testing/) opens that window deterministically: on ksmd's
# walks for a page of target_pid, ksm_get_folio() goes on with the kpfn it
# read at the node's previous visit, and ksmd pauses (holding no lock)
# between such pages.  A workload of unique pages (b, the target) makes
# every scan walk the stable tree, whose one node is a's KSM page: once
# ksmd has visited it, every migration of that folio lands in the window,
# and ksmd's next visit retries exactly once.  No timing is involved.

# race_setup: workload a, 256 pages of 1 content on node 0 (1 KSM page, the
# only node of the stable tree), and b, 128 unique pages that keep ksmd
# searching the stable tree
race_setup() {
	[ -e $KSM/smart_scan ] && kset smart_scan 0	# keep scanning b
	wl_start a -n 256 -c 1 -s 66 -b 0
	wl_start b -n 128 -c 128 -s 67
	# the knobs act on b's pages only (kernel-patch/testing)
	knob target_pid "$(wl_pid b)"
	kset run 1
	wait_until 180 '[ $(kget pages_shared) -eq 1 ] && [ $(kget pages_sharing) -eq 255 ]'
}

# race_migrate N [DELAY_US]: N migrations of a's KSM page (to node 1, 0,
# 1, ...) with get_folio_delay_us DELAY_US (default 20000; 0: no window).
# ksmd visits the node first (two full scans: one complete after the knob
# is set), then after each migration (a busy folio is migrated again, at
# most 3 times) two full scans let ksmd visit it again.  Replies in
# /tmp/race.mig
race_migrate() {
	: > /tmp/race.mig
	knob get_folio_delay_us "${2:-20000}"
	wait_scans 2
	mi=0	# not i: wait_until uses i
	while [ $mi -lt "$1" ]; do
		to=$(((mi + 1) % 2))
		try=0
		while [ $try -lt 3 ]; do
			r=$(wl_cmd a "migrate $to") || break
			echo "$r" >> /tmp/race.mig
			try=$((try + 1))
			[ "$(field on_node "$r")" = 256 ] && break
		done
		wait_scans 2
		mi=$((mi + 1))
	done
	knob get_folio_delay_us 0
}

# retry_unmatched: get_folio_retry events whose (node, old kpfn, new kpfn)
# is not the (node, old pfn, new pfn) of a migrate_folio event
retry_unmatched() {
	awk 'function f(k,   i) { for (i = 2; i <= NF; i++) if (index($i, k "=") == 1) return substr($i, length(k) + 2); return "" }
	$1 == "event=migrate_folio" { m[f("node") " " f("pfn") " " f("new_pfn")] = 1 }
	$1 == "event=get_folio_retry" { r[NR] = f("node") " " f("pfn") " " f("new_pfn") }
	END { for (i in r) if (!(r[i] in m)) u++; print u + 0 }' "$EV"
}

sc_retry() {
	if [ ! -e $KT/get_folio_delay_us ]; then
		skip "retry: ksm_get_folio retry on a concurrent migration" "no $KT (kernel without kernel-patch/testing)"
		return
	fi
	ksm_reset 1
	ev_start
	if ! race_setup; then
		notok "retry: workload merged" "pages_shared=$(kget pages_shared) pages_sharing=$(kget pages_sharing)"
		wl_stop a; wl_stop b; ev_stop; return
	fi
	race_migrate 2
	kset run 0
	ev_stop
	wl_stop a
	wl_stop b
	r=$(evcount event=get_folio_retry)
	m=$(evcount event=migrate_folio)
	full=$(grep -c '^migrated .*on_node=256 ' /tmp/race.mig)
	nrep=$(grep -c '^migrated' /tmp/race.mig)
	diag "migrations: $(tr '\n' ';' < /tmp/race.mig)"
	diag "get_folio_retry $r, migrate_folio $m, get_folio_stale $(evcount event=get_folio_stale)"
	check "retry: a's KSM page migrated to node 1 and back while ksmd scanned" \
		"$full of 2 migrations complete ($nrep move_pages calls, a busy folio is moved again)" "$full" = 2
	if [ "$BACKEND" = fallback ]; then
		skip "retry: ksm_get_folio retried on a concurrent migration" "fexit sees the outcome only: no retry event in the fallback"
		return
	fi
	check "retry: ksm_get_folio retried once per move of the KSM folio (get_folio_retry = migrate_folio >= 2)" \
		"$r retries, $m migrate_folio" "$r" = "$m" -a "$m" -ge 2
	u=$(retry_unmatched)
	check "retry: every retry's old -> new kpfn is a migrate_folio of the same node" "$u of $r unmatched" "$u" = 0
	check "retry: no stale verdict while migrating (the re-check worked)" \
		"$(evcount event=get_folio_stale) get_folio_stale" "$(evcount event=get_folio_stale)" = 0
}

# ---- (f) ksmdebug catches each injected bug, and nothing on a clean run ---------
# The knobs of kernel-patch/testing/ bring back one historical bug each;
# ksmdebug record runs around the workload, ksmdebug replay must name the
# bug's signature (and nothing must be found with every knob off).  Runs once,
# under the ksmsnoop backend (ksmdebug has its own event source).

# kd_start FILE: ksmdebug record -o FILE in the background, until kd_stop
kd_start() {
	KD_FILE=$1
	rm -f "$1" "$1.err"
	ksmdebug record -o "$1" --no-trigger 2> "$1.err" &
	KD_PID=$!
	wait_until 60 "grep -q 'recording' $1.err || ! kill -0 $KD_PID 2>/dev/null" ||
		diag "ksmdebug record did not start"
}

kd_stop() {
	kill -INT "$KD_PID" 2>/dev/null
	wait "$KD_PID"
	sed 's/^/#   /' "$KD_FILE.err" | tail -n 3
}

# kd_replay FILE: replay -j into FILE.replay, exit status in KD_RC; the
# detectors found in KD_FOUND ("name name ...")
kd_replay() {
	ksmdebug -j replay "$1" > "$1.replay" 2> "$1.replay.err"
	KD_RC=$?
	KD_FOUND=$(sed -n 's/.*"type":"finding","detector":"\([a-z_]*\)".*/\1/p' "$1.replay" | sort | uniq -c |
		awk '{ s = s (s == "" ? "" : " ") $2 "=" $1 } END { print s }')
	diag "replay $1: exit $KD_RC, findings: ${KD_FOUND:-none}"
}

# kd_finding FILE DETECTOR: the first finding line of DETECTOR
kd_finding() { grep "\"detector\":\"$2\"" "$1.replay" | head -n 1; }

# evidence LINE EVENT KEY: KEY of the first evidence event EVENT in a finding
evidence() {
	echo "$1" | awk -v e="$2" -v k="$3" '{
		q = index($0, "\"evidence\":[")
		n = split(q ? substr($0, q) : $0, a, /[}],[{]/)
		for (i = 1; i <= n; i++) {
			if (!index(a[i], "\"event\":\"" e "\""))
				continue
			p = index(a[i], "\"" k "\":")
			if (!p)
				continue
			v = substr(a[i], p + length(k) + 3)
			sub(/[],}].*/, "", v)
			gsub(/"/, "", v)
			print v
			exit
		}
	}'
}

# kd_report FILE DETECTOR PHRASE VALUE: report --html of FILE exits 3 and
# its page has the detector, the finding's message (PHRASE), highlighted
# evidence rows, and VALUE (a node or pfn of the evidence)
kd_report() {
	ksmdebug report "$1" --html "$1.html" > "$1.txt" 2>&1
	rc=$?
	touch "$1.html"
	d=$(grep -c "$2" "$1.html") p=$(grep -c "$3" "$1.html")
	e=$(grep -c 'class="ev"' "$1.html") v=$(grep -c "${4:-no value}" "$1.html")
	check "ksmdebug: report --html of the $2 trace: exit 3, the finding, its message, evidence rows, $4" \
		"exit $rc, lines with: $2 $d, '$3' $p, evidence rows $e, '$4' $v" \
		"$rc" = 3 -a "$d" -gt 0 -a "$p" -gt 0 -a "$e" -gt 0 -a "$v" -gt 0
}

# the three bug workloads; each leaves its knobs as it found them (off)
kd_leftover() {	# $1: 1 = bug on
	ksm_reset 1
	kd_start "$2"
	wl_start a -n 256 -c 4 -s 81
	kset run 1
	wait_until 180 '[ $(kget pages_shared) -eq 4 ] && [ $(kget pages_sharing) -eq 252 ]'
	# a pipe holds the 4 KSM folios: their nodes outlive the unmerge
	diag "$(wl_cmd a 'pin 4')"
	knob leave_stable_nodes "$1"
	kset run 2
	knob leave_stable_nodes 0
	kd_stop
	wl_cmd a unpin > /dev/null
	wl_stop a
	kset run 2	# removes what was left
}

kd_race() {
	ksm_reset 1
	kd_start "$2"
	if [ "$1" = 1 ]; then
		ksmdebug -j watch > "$2.watch" 2> "$2.watch.err" &
		KW_PID=$!
		wait_until 60 "grep -q 'watching' $2.watch.err || ! kill -0 $KW_PID 2>/dev/null"
	fi
	race_setup
	knob no_kpfn_recheck "$1"
	# clean run: every knob off, the window too
	if [ "$1" = 1 ]; then race_migrate 2; else race_migrate 2 0; fi
	knob no_kpfn_recheck 0
	kset run 0
	if [ "$1" = 1 ]; then
		kill -INT "$KW_PID" 2>/dev/null
		wait "$KW_PID"
	fi
	kd_stop
	wl_stop a
	wl_stop b
	diag "migrations: $(tr '\n' ';' < /tmp/race.mig)"
}

kd_copy() {
	ksm_reset 1
	kd_start "$2"
	WL_CGROUP=/sys/fs/cgroup/ksmswap wl_start a -n 256 -c 256 -s 83
	WL_CGROUP=/sys/fs/cgroup/ksmswap wl_start b -n 256 -c 256 -s 83
	kset run 1
	wait_until 180 '[ $(kget pages_shared) -eq 256 ] && [ $(kget pages_sharing) -eq 256 ]'
	kset run 0
	reclaim_until 512
	knob swapin_not_uptodate "$1"
	knob copy_not_uptodate "$1"
	# the knobs act on target_pid only: each process faults its pages back
	knob target_pid "$(wl_pid a)"
	KD_TOUCH="$(wl_cmd a touch)"
	knob target_pid "$(wl_pid b)"
	KD_TOUCH="$KD_TOUCH / $(wl_cmd b touch)"
	knob target_pid 0
	knob swapin_not_uptodate 0
	knob copy_not_uptodate 0
	kd_stop
	wl_stop a
	wl_stop b
	diag "touch: $KD_TOUCH"
}

sc_ksmdebug() {
	if [ "$BACKEND" != ksmsnoop ]; then
		diag "ksmdebug: runs once, under the ksmsnoop backend"
		return
	fi
	if ! command -v ksmdebug > /dev/null; then
		skip "ksmdebug: injected bugs found" "ksmdebug not in the initramfs"
		return
	fi
	if [ ! -e $KT/leave_stable_nodes ]; then
		skip "ksmdebug: injected bugs found" "no $KT (kernel without kernel-patch/testing)"
		return
	fi

	# (a) leave_stable_nodes -> leftover_nodes
	kd_leftover 1 /tmp/kd.leftover
	kd_replay /tmp/kd.leftover
	f=$(kd_finding /tmp/kd.leftover leftover_nodes)
	check "ksmdebug: leave_stable_nodes: replay exits 3 and reports leftover_nodes" \
		"exit $KD_RC, findings ${KD_FOUND:-none}" "$KD_RC" = 3 -a -n "$f"
	check "ksmdebug: leftover_nodes evidence: stable_node_insert, remove_all_stable_nodes_end reason unmerge removed 0 err 0" \
		"$(echo "$f" | cut -c1-300)" \
		"$(evidence "$f" stable_node_insert event)-$(evidence "$f" remove_all_stable_nodes_end reason)-$(evidence "$f" remove_all_stable_nodes_end removed)-$(evidence "$f" remove_all_stable_nodes_end err)" = stable_node_insert-unmerge-0-0
	kd_report /tmp/kd.leftover leftover_nodes "seen inserted were never removed" remove_all_stable_nodes_end

	# (b) get_folio_delay_us + no_kpfn_recheck -> migration_stale_race
	kd_race 1 /tmp/kd.race
	kd_replay /tmp/kd.race
	f=$(kd_finding /tmp/kd.race migration_stale_race)
	check "ksmdebug: no_kpfn_recheck: replay exits 3 and reports migration_stale_race" \
		"exit $KD_RC, findings ${KD_FOUND:-none}" "$KD_RC" = 3 -a -n "$f"
	mp=$(evidence "$f" migrate_folio pfn) sp=$(evidence "$f" get_folio_stale pfn)
	mn=$(evidence "$f" migrate_folio node) sn=$(evidence "$f" get_folio_stale node)
	check "ksmdebug: migration_stale_race evidence: migrate_folio then get_folio_stale on the old pfn, same node" \
		"migrate node $mn pfn $mp, stale node $sn pfn $sp" -n "$mp" -a "$mp" = "$sp" -a "$mn" = "$sn"
	check "ksmdebug: watch reported migration_stale_race live" \
		"$(grep -c . /tmp/kd.race.watch) lines; $(tail -n 1 /tmp/kd.race.watch.err)" \
		"$(grep -c '"detector":"migration_stale_race"' /tmp/kd.race.watch)" -gt 0
	kd_report /tmp/kd.race migration_stale_race "without a kpfn re-read retry" "$mn"

	# (c) copy_not_uptodate + swapin_not_uptodate -> copy_not_uptodate
	if swap_setup; then
		kd_copy 1 /tmp/kd.copy
		kd_replay /tmp/kd.copy
		f=$(kd_finding /tmp/kd.copy copy_not_uptodate)
		check "ksmdebug: copy_not_uptodate: replay exits 3 and reports copy_not_uptodate" \
			"exit $KD_RC, findings ${KD_FOUND:-none}; touch $KD_TOUCH" "$KD_RC" = 3 -a -n "$f"
		check "ksmdebug: copy_not_uptodate evidence: swapin_copy result new, src_uptodate false" \
			"$(echo "$f" | cut -c1-400)" \
			"$(evidence "$f" swapin_copy result)-$(evidence "$f" swapin_copy src_uptodate)" = new-false
		kd_report /tmp/kd.copy copy_not_uptodate "the copy holds garbage" \
			"$(printf '0x%x' "$(evidence "$f" swapin_copy pfn)")"
	else
		skip "ksmdebug: copy_not_uptodate" "zram swap and memory cgroup setup failed"
	fi

	# (d) the same three stresses, every knob off: nothing to find
	kd_leftover 0 /tmp/kd.clean1
	kd_race 0 /tmp/kd.clean2
	swap_setup && kd_copy 0 /tmp/kd.clean3
	for t in 1 2 3; do
		[ -e /tmp/kd.clean$t ] || continue
		kd_replay /tmp/kd.clean$t
		check "ksmdebug: clean run $t (knobs off, same stress): replay exits 0, no finding" \
			"exit $KD_RC, findings: ${KD_FOUND:-none}; $(head -c 300 /tmp/kd.clean$t.replay)" \
			"$KD_RC" = 0 -a -z "$KD_FOUND"
	done
	# the clean stresses did go through the paths the bugs are on
	n=$(grep -c '"event":"stable_node_remove"' /tmp/kd.clean1)
	check "ksmdebug: the clean unmerge removed the pinned nodes (stable_node_remove seen)" "$n removals" "$n" -gt 0
	n=$(grep -c '"event":"migrate_folio"' /tmp/kd.clean2)
	check "ksmdebug: the clean race stress migrated the KSM pages (migrate_folio seen)" "$n migrations" "$n" -gt 0
	if [ -e /tmp/kd.clean3 ]; then
		n=$(grep '"event":"swapin_copy"' /tmp/kd.clean3 | grep '"result":"new"' | grep -c '"src_uptodate":true')
		check "ksmdebug: the clean swap stress copied uptodate folios (swapin_copy new, src_uptodate true)" \
			"$n copies" "$n" -gt 0
	fi
}

[ -w $KSM/run ] || { echo "not ok 1 - KSM sysfs present"; exit 1; }
. /tests/stock.sh
stock_suite "$STOCK"
[ -d $T/events/ksm/ksm_stable_node_remove ] || BACKENDS= POLICY= AUDIT=0 DOMAINS= TORTURE=0
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
PFX=
. /tests/policy.sh
. /tests/domains.sh
. /tests/torture.sh
if [ -n "$POLICY" ]; then
	policy_suite "$POLICY"
fi
case "$AUDIT,$POLICY" in
1,* | auto,*isolate*)
	. /tests/policy.sh
	. /tests/audit.sh
	audit_suite
	;;
esac
if [ -n "$DOMAINS" ]; then
	domains_suite "$DOMAINS"
fi
if [ "$TORTURE" = 1 ]; then
	if ksmpolicy status > /dev/null 2>&1; then
		diag "---- torture ($(cut -d' ' -f1 /proc/uptime)s)"
		PFX="[torture] "
		sc_torture
		PFX=
	else
		skip "torture: merge domains under random operations" "no ksm_bpf_ops in this kernel"
	fi
fi
kset run 2
echo "1..$NTEST"
echo "# guest: $NPASS passed, $NFAIL failed, $NSKIP skipped"
