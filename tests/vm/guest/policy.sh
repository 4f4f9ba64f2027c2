# SPDX-License-Identifier: GPL-2.0
# The KSM policy scenarios (kernel-patch/ 0007-0009, ksmpolicy), sourced by
# run.sh after lib.sh.  Run once, not per event backend:
#   run.sh policy=deny,isolate,weight,custom,robust,bench   (policy= for none)
# Every scenario starts and ends without a policy loaded.  Loop counters
# are not called i: wait_until (lib.sh) uses i.

CG=/sys/fs/cgroup
EXAMPLES=/opt/ksm-bpf/examples

# kstat PID FIELD: a field of /proc/PID/ksm_stat
kstat() { awk -v k="$2" '$1 == k { print $2 }' /proc/$1/ksm_stat 2>/dev/null; }

pol_cg() {
	for c in "$@"; do mkdir -p $CG/$c; done
}

pol_rmcg() {
	for c in "$@"; do
		[ -d $CG/$c ] || continue
		for s in $(find $CG/$c -depth -type d); do rmdir $s 2>/dev/null; done
	done
}

pol_reset() {
	ksmpolicy -q unload
	ksm_reset 1
}

# decisions NAME: count of ksm_policy_decision lines in the trace for a pid
pol_trace_on() {
	echo 0 > $T/tracing_on
	echo > $T/trace
	echo 1 > $T/events/ksm/ksm_policy_decision/enable
	echo 1 > $T/tracing_on
}
pol_trace_off() {
	echo 0 > $T/tracing_on
	echo 0 > $T/events/ksm/ksm_policy_decision/enable
	cat $T/trace > /tmp/pol.trace
}

# ---- deny: a denied cgroup's duplicates never merge, an allowed one's do ----
pol_deny() {
	pol_reset
	pol_cg pol_deny pol_allow
	out=$(ksmpolicy -v set /pol_deny deny 2>&1) ||
		{ notok "deny: ksmpolicy set /pol_deny deny" "$(echo "$out" | tail -n 30 | tr '\n' '|')"; return; }
	pol_trace_on
	ksmsnoop -j -e policy_decision > /tmp/pol.snoop 2> /tmp/pol.snoop.err &
	snoop=$!
	wait_until 30 "grep -q tracing /tmp/pol.snoop.err"
	# same contents in both: a denied page must not merge with an allowed one
	WL_CGROUP=$CG/pol_deny wl_start a -n 512 -c 8 -s 101
	WL_CGROUP=$CG/pol_allow wl_start b -n 512 -c 8 -s 101
	pa=$(wl_pid a) pb=$(wl_pid b)
	kset run 1
	wait_until 180 "[ \$(kstat $pb ksm_merging_pages) -eq 512 ]"
	wait_scans 3
	ma=$(kstat $pa ksm_merging_pages) mb=$(kstat $pb ksm_merging_pages)
	ra=$(kstat $pa ksm_rmap_items)
	shared=$(kget pages_shared)
	kill -INT $snoop; wait $snoop
	pol_trace_off
	check "deny: the allowed cgroup's 512 duplicate pages merged" "merging $mb" "$mb" = 512
	check "deny: the denied cgroup's pages never merged, and cost nothing (0 rmap_items)" \
		"merging $ma, rmap_items $ra" "$ma-$ra" = 0-0
	check "deny: 8 KSM pages, all the allowed cgroup's" "pages_shared $shared" "$shared" = 8
	nd=$(grep -c "domain 18446744073709551615 weight 1" /tmp/pol.trace)
	na=$(grep -c "domain 0 weight 1" /tmp/pol.trace)
	check "deny: ksm_policy_decision shows never for one mm and 0 for the other" \
		"never=$nd default=$na" "$nd" -gt 0 -a "$na" -gt 0
	sd=$(grep -c "\"pid\":$pa,.*\"decision\":\"deny\"" /tmp/pol.snoop)
	sa=$(grep -c "\"pid\":$pb,.*\"decision\":\"allow\"" /tmp/pol.snoop)
	check "deny: ksmsnoop shows the decisions as policy_decision events" \
		"deny for $pa: $sd, allow for $pb: $sa" "$sd" -gt 0 -a "$sa" -gt 0
	hits=$(ksmpolicy -j list | tr '{' '\n' | grep '"cgroup":"/pol_deny"' | sed 's/.*"action_hits":\([0-9]*\).*/\1/')
	check "deny: ksmpolicy list counts the rule's decisions" "action_hits $hits" "${hits:-0}" -gt 0
	ksmpolicy list | sed "s/^/# /"
	ksmpolicy status | sed "s/^/# /"
	ksmsnoop -q -e policy_decision -d 4 | head -n 5 | sed "s/^/# /"
	ex=$(ksmpolicy explain $pa)
	echo "$ex" | sed "s/^/# /"
	check "deny: ksmpolicy explain PID names the rule" "$ex" \
		"$(echo "$ex" | grep -c 'deny (rule on /pol_deny)')" = 1
	wl_stop a; wl_stop b
	pol_reset
	pol_rmcg pol_deny pol_allow
}

# ---- isolate: tenants merge within, never across --------------------------
pol_isolate() {
	pol_reset
	pol_cg pol_t1 pol_t2
	ksmpolicy set /pol_t1 isolate > /dev/null && ksmpolicy set /pol_t2 isolate > /dev/null ||
		{ notok "isolate: ksmpolicy set isolate" "failed"; return; }
	# a child created after the rule is covered by it
	pol_cg pol_t1/late
	WL_CGROUP=$CG/pol_t1/late wl_start a -n 512 -c 8 -s 202
	WL_CGROUP=$CG/pol_t2 wl_start b -n 512 -c 8 -s 202
	pa=$(wl_pid a) pb=$(wl_pid b)
	kset run 1
	wait_until 180 "[ \$(kstat $pa ksm_merging_pages) -eq 512 ] && [ \$(kstat $pb ksm_merging_pages) -eq 512 ]"
	wait_scans 3
	ma=$(kstat $pa ksm_merging_pages) mb=$(kstat $pb ksm_merging_pages)
	shared=$(kget pages_shared) sharing=$(kget pages_sharing)
	ksmpfn $pa 512 > /tmp/pfn.a
	ksmpfn $pb 512 > /tmp/pfn.b
	ka=$(grep -vc '^#' /tmp/pfn.a) kb=$(grep -vc '^#' /tmp/pfn.b)
	common=$(grep -v '^#' /tmp/pfn.a | grep -cxF -f - /tmp/pfn.b)
	check "isolate: each tenant's 512 pages merged within the tenant (child made after the rule)" \
		"merging $ma / $mb" "$ma-$mb" = 512-512
	check "isolate: 16 KSM pages (8 per tenant), pages_sharing 1008" \
		"pages_shared $shared, pages_sharing $sharing" "$shared-$sharing" = 16-1008
	check "isolate: pagemap+kpageflags: 8 KSM frames each, none shared across tenants" \
		"tenant 1: $ka frames, tenant 2: $kb frames, common $common" "$ka-$kb-$common" = 8-8-0
	ex=$(ksmpolicy explain /pol_t1/late)
	echo "$ex" | sed "s/^/# /"
	check "isolate: explain shows the inherited rule" "$ex" \
		"$(echo "$ex" | grep -c 'isolate (rule on /pol_t1, inherited)')" = 1
	# fall back: without the rules the tenants' pages move to domain 0
	ksmpolicy -q unset /pol_t1 && ksmpolicy -q unset /pol_t2
	wait_until 180 '[ $(kget pages_shared) -eq 8 ] && [ $(kget pages_sharing) -eq 1016 ]'
	shared=$(kget pages_shared) sharing=$(kget pages_sharing)
	check "isolate: rules unset: the tenants' pages are unshared and merge together (8 KSM pages)" \
		"pages_shared $shared, pages_sharing $sharing" "$shared-$sharing" = 8-1016
	wl_stop a; wl_stop b
	pol_reset
	pol_rmcg pol_t1 pol_t2
}

# time_to_merge PID N: tenths of a second from now until PID merges N pages
# (run in the background, writes /tmp/ttm.PID)

# ---- weight: sooner for a high weight, never for 0 ------------------------
pol_weight() {
	pol_reset
	pol_cg pol_hi pol_lo
	ksmpolicy -q set /pol_hi weight 8 && ksmpolicy -q set /pol_lo weight 1 ||
		{ notok "weight: ksmpolicy set weight" "failed"; return; }
	kset pages_to_scan 64
	kset sleep_millisecs 20
	# lo first: without the policy it would be scanned first
	WL_CGROUP=$CG/pol_lo wl_start a -n 1024 -c 16 -s 301
	WL_CGROUP=$CG/pol_hi wl_start b -n 1024 -c 16 -s 302
	pa=$(wl_pid a) pb=$(wl_pid b)
	s0=$(kget full_scans)
	kset run 1
	t=0 thi= tlo= shi= slo=
	while [ $t -lt 3000 ] && { [ -z "$thi" ] || [ -z "$tlo" ]; }; do
		[ -z "$thi" ] && [ "$(kstat $pb ksm_merging_pages)" = 1024 ] &&
			thi=$t shi=$(($(kget full_scans) - s0))
		[ -z "$tlo" ] && [ "$(kstat $pa ksm_merging_pages)" = 1024 ] &&
			tlo=$t slo=$(($(kget full_scans) - s0))
		usleep 100000
		t=$((t + 1))
	done
	diag "weight 8 fully merged after ${thi:-never}/10 s ($shi full scans), weight 1 after ${tlo:-never}/10 s ($slo full scans)"
	check "weight: both cgroups reach full merging" "hi ${thi:-never}, lo ${tlo:-never}" \
		-n "$thi" -a -n "$tlo"
	check "weight: weight 8 reaches full merging in under 60% of weight 1's time" \
		"hi ${thi:-never}/10 s, lo ${tlo:-never}/10 s" -n "$thi" -a -n "$tlo" -a \
		"$((${thi:-0} * 10))" -lt "$((${tlo:-0} * 6))"
	wl_stop a; wl_stop b
	kset run 2

	# weight 0: not scanned at all (no rmap_item), a default neighbour merges
	ksmpolicy -q set /pol_lo weight 0
	kset pages_to_scan 1000
	WL_CGROUP=$CG/pol_lo wl_start a -n 512 -c 8 -s 303
	WL_CGROUP=$CG/pol_hi wl_start b -n 512 -c 8 -s 304
	pa=$(wl_pid a) pb=$(wl_pid b)
	kset run 1
	wait_until 180 "[ \$(kstat $pb ksm_merging_pages) -eq 512 ]"
	wait_scans 3
	ra=$(kstat $pa ksm_rmap_items) ma=$(kstat $pa ksm_merging_pages)
	mb=$(kstat $pb ksm_merging_pages)
	check "weight: weight 0 is not scanned at all (0 rmap_items) while weight 8 merges" \
		"w0: rmap_items $ra merging $ma; w8: merging $mb" "$ra-$ma-$mb" = 0-0-512
	sk=$(ksmpolicy -j status | sed -n 's/.*"skipped":\([0-9]*\).*/\1/p')
	check "weight: status counts the skipped decisions" "skipped ${sk:-?}" "${sk:-0}" -gt 0
	wl_stop a; wl_stop b
	pol_reset
	pol_rmcg pol_hi pol_lo
}

# ---- a custom policy object ----------------------------------------------
pol_custom() {
	pol_reset
	obj=$EXAMPLES/isolate_top.bpf.o
	if [ ! -r $obj ]; then
		notok "custom: $obj in the initramfs" "missing"
		return
	fi
	out=$(ksmpolicy load /bin/busybox 2>&1)
	rc=$?
	nl=$(ksmpolicy -j status | grep -c '"loaded":false')
	check "custom: a file that is not a policy object is refused" "rc $rc: $out" \
		"$rc" != 0 -a "$nl" = 1
	out=$(ksmpolicy load $obj 2>&1)
	rc=$?
	check "custom: ksmpolicy load examples/isolate_top.bpf.o" "$out" "$rc" = 0
	st=$(ksmpolicy -j status)
	diag "$st"
	check "custom: status shows the custom policy attached" "$st" \
		"$(echo "$st" | grep -c '"attached":true,"builtin":false.*"name":"isolate_top"')" = 1
	pol_cg pol_c1 pol_c2/sub
	out=$(ksmpolicy set /pol_c1 deny 2>&1)
	check "custom: rules are refused while a custom policy is loaded" "$out" \
		"$(echo "$out" | grep -c 'custom policy (isolate_top) is loaded')" = 1
	WL_CGROUP=$CG/pol_c1 wl_start a -n 512 -c 8 -s 404
	WL_CGROUP=$CG/pol_c2/sub wl_start b -n 512 -c 8 -s 404
	pa=$(wl_pid a) pb=$(wl_pid b)
	kset run 1
	wait_until 180 "[ \$(kstat $pa ksm_merging_pages) -eq 512 ] && [ \$(kstat $pb ksm_merging_pages) -eq 512 ]"
	wait_scans 2
	shared=$(kget pages_shared)
	check "custom: each top-level cgroup merges on its own (16 KSM pages, not 8)" \
		"pages_shared $shared" "$shared" = 16
	wl_stop a; wl_stop b
	pol_reset
	pol_rmcg pol_c1 pol_c2
}

# ---- robustness: unload while scanning, kill -9, cgroup removal -----------
pol_robust() {
	pol_reset
	pol_cg pol_r1 pol_r2
	kset sleep_millisecs 0
	kset pages_to_scan 2000
	WL_CGROUP=$CG/pol_r1 wl_start a -n 1024 -c 8 -s 505
	WL_CGROUP=$CG/pol_r2 wl_start b -n 1024 -c 8 -s 505
	kset run 1
	cyc=0 bad=0
	while [ $cyc -lt 15 ]; do
		ksmpolicy -q set /pol_r1 isolate || bad=$((bad + 1))
		ksmpolicy -q set /pol_r2 isolate weight 3 || bad=$((bad + 1))
		usleep $((50000 + cyc * 20000))
		ksmpolicy -q unload || bad=$((bad + 1))
		cyc=$((cyc + 1))
	done
	check "robust: 15 load/unload cycles while ksmd scans flat out" "$bad failures" "$bad" = 0
	check "robust: nothing left pinned after unload" "$(ls /sys/fs/bpf)" \
		"$(ls -A /sys/fs/bpf | grep -c ksm)" = 0
	kset sleep_millisecs 10
	# unload keeps every mm in the domain it was last given (ksm.rst):
	# isolate both, let ksmd apply it, unload: still 8 KSM pages each
	ksmpolicy -q set /pol_r1 isolate && ksmpolicy -q set /pol_r2 isolate
	wait_scans 3
	ksmpolicy -q unload
	wait_until 180 '[ $(kget pages_shared) -eq 16 ] && [ $(kget pages_sharing) -eq 2032 ]'
	check "robust: after unload, isolated tenants stay isolated, merged within (16 KSM pages)" \
		"pages_shared $(kget pages_shared), pages_sharing $(kget pages_sharing)" \
		"$(kget pages_shared)-$(kget pages_sharing)" = 16-2032
	wl_stop a; wl_stop b
	kset run 2

	# kill -9 of ksmpolicy while it loads, pins and applies a rules file
	n=0
	: > /tmp/pol.rules
	while [ $n -lt 60 ]; do
		mkdir -p $CG/pol_k/c$n
		echo "/pol_k/c$n isolate weight $((n % 5))" >> /tmp/pol.rules
		n=$((n + 1))
	done
	cyc=0 hits=0
	while [ $cyc -lt 12 ]; do
		[ $((cyc % 3)) = 0 ] && ksmpolicy -q unload
		ksmpolicy -q apply /tmp/pol.rules &
		k=$!
		usleep $((cyc * 7000))
		kill -9 $k 2>/dev/null && hits=$((hits + 1))
		wait $k 2>/dev/null
		cyc=$((cyc + 1))
	done
	diag "kill -9 hit a running ksmpolicy $hits times of 12"
	out=$(ksmpolicy apply /tmp/pol.rules 2>&1)
	rc=$?
	check "robust: ksmpolicy works after 12 kill -9s mid-update" "$out" "$rc" = 0
	nl=$(ksmpolicy -j list | tr '{' '\n' | grep -c '"cgroup_id"')
	nu=$(ksmpolicy -j list | tr '{' '\n' | grep '"cgroup_id"' | sed 's/.*"cgroup_id":\([0-9]*\).*/\1/' | sort -u | wc -l)
	check "robust: 60 rules listed, none lost or duplicated" "listed $nl, distinct $nu" "$nl-$nu" = 60-60
	check "robust: no half-pinned leftovers" "$(ls -A /sys/fs/bpf)" \
		"$(ls -A /sys/fs/bpf | grep -c ksm-bpf-tmp)" = 0
	links=$(ls /sys/fs/bpf/ksm-bpf | grep -c '^link$')
	check "robust: one pinned link" "$links" "$links" = 1

	# a cgroup removed while its rule is in place
	pol_cg pol_gone
	ksmpolicy -q set /pol_gone isolate
	gid=$(ksmpolicy -j explain /pol_gone | sed -n 's/.*"cgroup_id":\([0-9]*\).*/\1/p')
	WL_CGROUP=$CG/pol_gone wl_start a -n 256 -c 4 -s 606
	kset run 1
	wait_until 120 "[ \$(kstat $(wl_pid a) ksm_merging_pages) -eq 256 ]"
	wl_stop a
	rmdir $CG/pol_gone
	wait_until 60 '[ $(kget pages_shared) -eq 0 ]'
	l=$(ksmpolicy -j list | tr '{' '\n' | grep "\"cgroup_id\":$gid")
	check "robust: a removed cgroup's rule is listed as such (exists false)" "$l" \
		"$(echo "$l" | grep -c '"exists":false')" = 1
	ksmpolicy -q unset id:$gid
	nl=$(ksmpolicy -j list | tr '{' '\n' | grep -c '"cgroup_id"')
	check "robust: ... and unset by id, the 60 others kept" "listed $nl" "$nl" = 60
	check "robust: ksmd went on (pages_shared back to 0)" "pages_shared $(kget pages_shared)" \
		"$(kget pages_shared)" = 0
	echo "/pol_k/c7 deny weight 2   # the only rule left" > /tmp/pol.one
	ksmpolicy -q apply --replace /tmp/pol.one
	l=$(ksmpolicy -j list)
	check "robust: apply --replace leaves exactly the file's rules" "$l" \
		"$(echo "$l" | tr '{' '\n' | grep -c '"cgroup_id"')-$(echo "$l" | grep -c '"action":"deny".*"cgroup":"/pol_k/c7".*"weight":2')" = 1-1
	pol_reset
	pol_rmcg pol_k pol_r1 pol_r2
}

# ---- pins: the policy's pins are root's alone (issue #14) -------------------
pol_pins() {
	pol_reset
	pol_cg pol_p
	ksmpolicy -q set /pol_p deny || { notok "pins: ksmpolicy set" "failed"; return; }
	d=/sys/fs/bpf/ksm-bpf
	check "pins: $d is a 0700 directory of root" "$(stat -c '%a %u' $d)" \
		"$(stat -c '%a-%u' $d)" = 700-0
	loose=$(for f in $d/*; do stat -c '%a %n' $f; done | grep -vc '^600 ')
	check "pins: every pin is 0600" "$(for f in $d/*; do stat -c '%a %n' $f; done)" "$loose" = 0
	out=$(asuser 65534 ls $d 2>&1)
	check "pins: non-root cannot list the directory" "$out" "$?" != 0
	out=$(asuser 65534 ksmpolicy list 2>&1)
	check "pins: non-root ksmpolicy list fails" "$out" "$?" != 0
	out=$(asuser 65534 ksmpolicy set /pol_p allow 2>&1)
	rc=$?
	ex=$(ksmpolicy explain /pol_p)
	check "pins: non-root ksmpolicy set fails, the rule stays deny" "$out / $ex" \
		"$rc-$(echo "$ex" | grep -c 'pol_p: deny')" = 1-1
	# a directory planted where the pins go (bpffs may be 1777): refused, not used
	ksmpolicy -q unload
	mkdir -m 0777 $d
	chown 65534 $d
	out=$(ksmpolicy set /pol_p deny 2>&1)
	rc=$?
	check "pins: a planted pin directory is refused" "$out" \
		"$rc-$(echo "$out" | grep -c 'refusing')" = 1-1
	rmdir $d
	pol_reset
	pol_rmcg pol_p
}

# ---- bench: the hook's cost per call, ksmd throughput with/without --------
ksmd_ticks() {
	for c in /proc/[0-9]*/comm; do
		[ "$(cat $c 2>/dev/null)" = ksmd ] || continue
		awk '{ print $14 + $15 }' ${c%comm}stat
		return
	done
	echo 0
}

# one run: pages_scanned per ksmd CPU tick over N full scans
bench_run() {
	sc0=$(kget pages_scanned) t0=$(ksmd_ticks)
	wait_scans $1
	echo "$(($(kget pages_scanned) - sc0)) $(($(ksmd_ticks) - t0))"
}

# prog_stats: "run_cnt run_time_ns" summed over the policy's programs
prog_stats() {
	ksmpolicy -j status | tr '{' '\n' | grep '"run_cnt"' |
		sed 's/.*"run_cnt":\([0-9]*\),"run_time_ns":\([0-9]*\).*/\1 \2/' |
		awk '{ c += $1; t += $2 } END { print c + 0, t + 0 }'
}

pol_bench() {
	pol_reset
	pol_cg pol_b1 pol_b2/sub
	kset sleep_millisecs 0
	kset pages_to_scan 4000
	# duplicates that merge, plus unique pages that stay in the unstable tree
	WL_CGROUP=$CG/pol_b1 wl_start a -n 2048 -c 64 -s 707
	WL_CGROUP=$CG/pol_b2/sub wl_start b -n 2048 -c 2048 -s 708
	kset run 1
	wait_scans 3
	echo 1 > /proc/sys/kernel/bpf_stats_enabled
	: > /tmp/bench.ratios
	cs=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)
	diag "BENCH clocksource $cs ($(case $cs in tsc*) echo "ns per call are measured" ;;
		*) echo "jiffies: ns per call are quantised, use make vm-bench" ;; esac))"
	pair=0 calls=0 ns=0 pticks=0
	while [ $pair -lt ${BENCH_PAIRS:-6} ]; do
		# A: no policy; B: the built-in policy with rules on both cgroups.
		# Each run starts after 2 warm-up scans (TCG translates new code
		# the first time it runs: the first calls of a new program are slow).
		ksmpolicy -q unload
		wait_scans 2
		r0=$(bench_run ${BENCH_SCANS:-20})
		ksmpolicy -q set /pol_b1 allow weight 1 && ksmpolicy -q set /pol_b2 allow
		wait_scans 2
		p0=$(prog_stats)
		r1=$(bench_run ${BENCH_SCANS:-20})
		p1=$(prog_stats)
		set -- $r0 $r1 $p0 $p1
		calls=$((calls + $7 - $5)) ns=$((ns + $8 - $6)) pticks=$((pticks + $4))
		diag "bench pair $pair: none $1 pages / $2 ticks, policy $3 pages / $4 ticks, $(($7 - $5)) hook calls"
		[ "$2" -gt 0 ] && [ "$4" -gt 0 ] &&
			echo "$1 $2 $3 $4" | awk '{ printf "%.4f\n", ($3 / $4) / ($1 / $2) }' >> /tmp/bench.ratios
		pair=$((pair + 1))
	done
	echo 0 > /proc/sys/kernel/bpf_stats_enabled
	npc=$(echo "$ns $calls" | awk '{ if ($2) printf "%.0f", $1 / $2; else print "?" }')
	# the hook's share of ksmd's CPU time in the policy runs (USER_HZ ticks)
	share=$(echo "$ns $pticks" | awk '{ if ($2) printf "%.3f", 100 * $1 / ($2 * 10000000); else print "?" }')
	med=$(sort -n /tmp/bench.ratios | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
	lo=$(sort -n /tmp/bench.ratios | head -n 1) hi=$(sort -n /tmp/bench.ratios | tail -n 1)
	diag "BENCH policy hook (merge_domain + scan_weight, bpf_stats): $npc ns per call over $calls calls, 2 calls per mm per round"
	diag "BENCH ksmd pages scanned per CPU tick, built-in policy / none: median $med (min $lo, max $hi, $(wc -l < /tmp/bench.ratios) ABAB pairs of ${BENCH_SCANS:-20} full scans)"
	diag "BENCH policy hook share of ksmd CPU time: $share% ($ns ns in the hook, $pticks ticks of ksmd)"
	check "bench: the hook ran and bpf_stats measured it" "$calls calls, $ns ns" "$calls" -gt 0
	check "bench: the hook costs under 2% of ksmd's CPU time (bpf_stats run_time_ns / ksmd ticks)" \
		"$share%" "$(echo "$share" | awk '{ print ($1 < 2) ? 1 : 0 }')" = 1
	# The measured ratio is reported, not checked: under TCG on a shared
	# 2-CPU host single runs scatter by +-20% and the median of 6-10 pairs
	# by about 5%, more than the 2% to resolve.  The check above measures
	# the overhead directly (as tests/bench/bench.py does for the tracers).
	diag "BENCH measured ratio is informational: TCG noise (see policy.sh)"
	wl_stop a; wl_stop b
	pol_reset
	pol_rmcg pol_b1 pol_b2
}

policy_suite() {
	if ! ksmpolicy -q status > /dev/null 2>&1; then
		notok "policy: ksmpolicy status (kernel with ksm_bpf_ops)" "$(ksmpolicy status 2>&1)"
		return
	fi
	for s in $(echo "$1" | tr ',' ' '); do
		diag "---- policy: $s ($(cut -d' ' -f1 /proc/uptime)s)"
		PFX="[policy] "
		pol_$s
	done
	PFX=
}
