# SPDX-License-Identifier: GPL-2.0
# The events of the kernel series v2 that the tools decode (sourced by run.sh
# after lib.sh): stable node chains collapsing to one dup and freed empty
# (sc_chains, a backend scenario: tracefs and ksmsnoop see the same), and
# merge domain moves and frees with the orphan removals between them
# (dom_events, a domains scenario: ksmsnoop beside tracefs).  The move of a
# node to migrate_nodes is checked by sc_migrate (run.sh), through nodes().

# chains: follow every chain through the events: a dup is inserted under its
# chain (stable_node_insert chain=C), leaves it when removed, and the chain
# ends with stable_node_chain_collapse (its only dup left takes its place)
# or stable_node_chain_free (no dup left).  Addresses are reused: a chain
# seen again after its end is a new one.  Reports
#   chains (distinct), collapsed, freed, bad (an end that does not match
#   the dups seen: unknown chain, collapse to a node that is not its last
#   dup or with another pfn, free of a chain with dups), open (chains never
#   ended), first_kept (collapses that kept the first node inserted)
chains() {
	awk '
	function f(k,   i) { for (i = 2; i <= NF; i++) if (index($i, k "=") == 1) return substr($i, length(k) + 2); return "" }
	function leave(n) { if (n in dupof) { ndups[dupof[n]]--; delete dupof[n] } }
	$1 == "event=stable_node_insert" {
		n = f("node"); c = f("chain"); pfn[n] = f("pfn")
		if (first == "") first = n
		if ((n in dupof) && dupof[n] != c) leave(n)
		if (c == "0" || (n in dupof)) next
		if (!(c in live)) { live[c] = 1; ndups[c] = 0; nchains++ }
		dupof[n] = c; ndups[c]++
	}
	$1 == "event=migrate_folio" { pfn[f("node")] = f("new_pfn") }
	$1 == "event=stable_node_remove" { leave(f("node")) }
	$1 == "event=stable_node_chain_collapse" {
		c = f("chain"); n = f("node"); col++
		if (!(c in live) || dupof[n] != c || ndups[c] != 1 || pfn[n] != f("pfn")) bad++
		else if (n == first) kept++
		leave(n); delete live[c]
	}
	$1 == "event=stable_node_chain_free" {
		c = f("chain"); fr++
		if (!(c in live) || ndups[c] != 0) bad++
		delete live[c]
	}
	END {
		for (c in live) open++
		printf "chains=%d collapsed=%d freed=%d bad=%d open=%d first_kept=%d\n",
			nchains, col, fr, bad, open, kept
	}' "$EV"
}

# ---- (g) stable node chains: collapse to their last dup, freed empty -------
# max_page_sharing=2 makes a chain of any content mapped more than twice.
# Phase 1: b's 2 pages of content X share a KSM page (a plain node), then
# a's 64 pages of X make 32 more dups, so b's node becomes a dup of a chain.
# a exits: ksmd drops its 32 dups (stale); the next search for X (c's page)
# walks the chain, finds b's dup alone and collapses the chain to it.
# Phase 2: the same without b (content Y): every dup goes stale, the search
# frees the empty chain.  stable_node_chains_prune_millisecs=0 lets every
# search prune.

# chain_search SEED: a (64 pages of one content) exits, its dups go stale;
# then c's page of the same content makes ksmd search the chain
chain_search() {
	wl_stop a
	wait_scans 2
	wl_start c -n 1 -c 1 -s "$1"
	wait_scans 2
}

sc_chains() {
	if [ "$BACKEND" = fallback ]; then
		skip "chains: collapse and free" "no fentry stand-in for the chain tracepoints"
		return
	fi
	ksm_reset 1
	prune=$(kget stable_node_chains_prune_millisecs)
	kset max_page_sharing 2
	kset stable_node_chains_prune_millisecs 0
	ev_start
	wl_start b -n 2 -c 1 -s 91
	kset run 1
	wait_until 120 '[ $(kget pages_shared) -eq 1 ] && [ $(kget pages_sharing) -eq 1 ]'
	wl_start a -n 64 -c 1 -s 91
	wait_until 180 '[ $(kget pages_shared) -eq 33 ] && [ $(kget stable_node_chains) -eq 1 ]'
	c1="shared $(kget pages_shared) sharing $(kget pages_sharing) chains $(kget stable_node_chains) dups $(kget stable_node_dups)"
	chain_search 91
	c2="chains $(kget stable_node_chains) dups $(kget stable_node_dups) shared $(kget pages_shared)"
	wl_stop b
	wl_stop c
	wl_start a -n 64 -c 1 -s 92
	wait_until 180 '[ $(kget pages_shared) -eq 32 ] && [ $(kget stable_node_chains) -eq 1 ]'
	c3="shared $(kget pages_shared) chains $(kget stable_node_chains) dups $(kget stable_node_dups)"
	chain_search 92
	c4="chains $(kget stable_node_chains) dups $(kget stable_node_dups)"
	wl_stop c
	ev_stop
	kset stable_node_chains_prune_millisecs "$prune"
	kset max_page_sharing 256

	check "chains: b's full node and a's 32 dups make one chain of 33 dups" "$c1" \
		"$c1" = "shared 33 sharing 33 chains 1 dups 33"
	check "chains: after a exited and c searched X: no chain, b's node a plain node again" "$c2" \
		"$c2" = "chains 0 dups 0 shared 1"
	check "chains: a chain of 32 dups (phase 2), then none once they all went stale" "$c3 / $c4" \
		"$c3-$c4" = "shared 32 chains 1 dups 32-chains 0 dups 0"
	ch=$(chains)
	diag "chains: $ch"
	diag "collapse: $(grep '^event=stable_node_chain_collapse' "$EV" | head -n 2 | tr '\n' '|')"
	diag "free: $(grep '^event=stable_node_chain_free' "$EV" | head -n 2 | tr '\n' '|')"
	check "chains: one stable_node_chain_collapse, to the chain's only dup left, which is b's node, with its kpfn" \
		"$ch" "$(field collapsed "$ch")-$(field first_kept "$ch")-$(field bad "$ch")" = 1-1-0
	check "chains: one stable_node_chain_free, of the chain whose dups had all gone; no chain left open" \
		"$ch" "$(field chains "$ch")-$(field freed "$ch")-$(field bad "$ch")-$(field open "$ch")" = 2-1-0-0
	st=$(evcount event=stable_node_remove reason=stale)
	check "chains: the 64 dups of the exited a removed as stale" \
		"stale $st of $(evcount event=stable_node_remove) removals" "$st" -ge 64
}

# ---- merge domain events: mm_domain, stable_node_remove orphan, domain_free --
# a (t1) and b (t2) merge together; t1 isolate moves a to its own domain D;
# a pipe then holds D's 4 KSM folios (pin 4), so that when t1 is denied (a
# unmerged, moved to never) D's nodes outlive the unmerge: the sweep of the
# empty D removes them with reason orphan and frees D.  The kernel's
# KSM_NODE_RM_ORPHAN (6) is this ABI's chain_prune value: "orphan" from
# ksmsnoop shows the CO-RE translation at work.  ksmsnoop -e of these kinds
# also loads the variant of the policy group (sapb) on a real kernel.
dom_events() {
	dom_setup
	ksmsnoop -e mm_domain,domain_free --list-probes > /tmp/dev.probes 2>&1
	rc=$?
	sed 's/^/#   /' /tmp/dev.probes | grep -E 'domain|policy|advisor|chain|migrate_list|stable_node_insert'
	pstate() { awk -v p="$1" '$1 == p { print $2 }' /tmp/dev.probes; }
	check "events: ksmsnoop -e mm_domain,domain_free loads the policy group, with patched and advisor beside it" \
		"exit $rc; mm_domain $(pstate ksm_mm_domain) domain_free $(pstate ksm_domain_free) insert $(pstate ksm_stable_node_insert) advisor $(pstate ksm_advisor) set_migration_pte $(pstate ksm_set_migration_pte)" \
		"$rc-$(pstate ksm_mm_domain)-$(pstate ksm_domain_free)-$(pstate ksm_stable_node_insert)-$(pstate ksm_advisor)-$(pstate ksm_set_migration_pte)" = \
		0-active-active-active-active-inactive
	ksmpolicy set /dt allow > /dev/null
	ksmsnoop -j -e mm_domain,domain_free,stable_node_remove,policy_decision > /tmp/dev.raw 2> /tmp/dev.err &
	sp=$!
	wait_until 60 "grep -q tracing /tmp/dev.err || ! kill -0 $sp 2>/dev/null" || diag "ksmsnoop did not start"
	tr_on ksm_mm_domain ksm_domain_free ksm_stable_node_remove
	WL_CGROUP=$DT/t1 wl_start a -n 256 -c 4 -s 881
	WL_CGROUP=$DT/t2 wl_start b -n 256 -c 4 -s 881
	pa=$(wl_pid a) pb=$(wl_pid b)
	kset run 1
	wait_until 120 "[ \$(kget pages_shared) -eq 4 ] && [ \$(kget pages_sharing) -eq 508 ]"
	ksmpolicy set /dt/t1 isolate > /dev/null
	wait_until 120 "[ \$(kget pages_shared) -eq 8 ] && [ \$(kstat $pa ksm_merging_pages) -eq 256 ]"
	pin=$(wl_cmd a "pin 4")
	ksmpolicy set /dt/t1 deny > /dev/null
	wait_until 120 "[ \$(kstat $pa ksm_rmap_items) -eq 0 ]"
	wait_scans 3
	tr_off > /tmp/dev.tr
	kill -INT "$sp"
	wait "$sp"
	wl_cmd a unpin > /dev/null
	awk -f /tests/norm.awk /tmp/dev.raw > /tmp/dev.snoop
	awk -f /tests/norm.awk /tmp/dev.tr > /tmp/dev.kern
	diag "events: $pin; ksmsnoop: $(tail -n 2 /tmp/dev.err | tr '\n' ' ')"
	diag "ksmsnoop: $(grep -E '^event=(mm_domain|domain_free)' /tmp/dev.snoop | tr '\n' '|' | cut -c1-600)"
	diag "tracefs:  $(grep -E '^event=(mm_domain|domain_free)' /tmp/dev.kern | tr '\n' '|' | cut -c1-600)"

	# a's two moves, attributed to a, with the domain ids the kernel gives
	mv=$(awk -v pa="$pa" '$1 == "event=mm_domain" {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		printf "%s:%s>%s:%s ", v["pid"] == pa ? "a" : v["pid"], v["from"], v["to"], v["err"] }' /tmp/dev.snoop)
	d=$(echo "$mv" | sed -n 's/^a:0>\([0-9]*\):0 .*/\1/p')
	check "events: mm_domain: a moved 0 -> D (its domain) then D -> never, err 0, attributed to a's pid, nothing else moved" \
		"$mv" -n "$d" -a "$mv" = "a:0>$d:0 a:$d>never:0 " -a "${d:-0}" != 0
	kmv=$(awk '$1 == "event=mm_domain" {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		printf "%s>%s:%s ", v["from"], v["to"], v["err"] }' /tmp/dev.kern)
	check "events: ksmsnoop's mm_domain from/to/err are tracefs's" "ksmsnoop $mv; tracefs $kmv" \
		"$kmv" = "0>$d:0 $d>never:0 "
	EV=/tmp/dev.snoop
	or=$(evcount event=stable_node_remove reason=orphan rmap_items=0)
	fr=$(evcount event=domain_free domain="$d" removed=4)
	check "events: D's 4 pinned nodes removed with reason orphan (0 rmap items), D freed with removed=4" \
		"orphan $or, chain_prune $(evcount event=stable_node_remove reason=chain_prune), domain_free $(grep -c '^event=domain_free' /tmp/dev.snoop): $(grep '^event=domain_free' /tmp/dev.snoop | head -n 2)" \
		"$or-$fr-$(evcount event=stable_node_remove reason=chain_prune)-$(grep -c '^event=domain_free' /tmp/dev.snoop)" = 4-1-0-1
	dec=$(evcount event=policy_decision pid="$pa" decision=isolate domain="$d")
	den=$(evcount event=policy_decision pid="$pa" decision=deny domain=never)
	check "events: policy_decision: a isolated in D, then denied" "isolate:$d $dec, deny $den" \
		"$dec" -gt 0 -a "$den" -gt 0
	EV=/tmp/dev.kern
	kor=$(evcount event=stable_node_remove reason=orphan rmap_items=0)
	kfr=$(evcount event=domain_free domain="$d" removed=4)
	check "events: tracefs agrees: 4 orphan removals, D freed with removed=4" "orphan $kor, domain_free $kfr" \
		"$kor-$kfr" = 4-1
	EV=/tmp/ev.kv
	check_nosplat "events: no splat"
	dom_teardown
}
