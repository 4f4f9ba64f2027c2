# SPDX-License-Identifier: GPL-2.0
# The merge-domain torture: seeded random operations over several workloads
# in several cgroups, with the invariants checked after each step.  Sourced
# by run.sh after lib.sh, policy.sh and domains.sh:
#   run.sh torture=1 [seed=N] [ops=N]
# The seed is printed first; the same seed replays the same operations:
#   make vm-test VM_ARGS="only= policy= domains= torture=1 seed=N"
#
# The model: which policy is attached (none, rules = ksmpolicy's built-in
# with its rules, top = examples/isolate_top, allow = the built-in object
# with no rules, swapped in by BPF_LINK_UPDATE), the rules, the cgroup of
# every process, and the merge domain each one should be in.  Domains follow
# the policy once ksmd has visited every mm (two full scans with run=1; the
# anchor workload in the root cgroup keeps full scans going whatever the
# rules say), and stay as they are without a policy (documented behaviour).
# After each step:
#   - no splat in the kernel log;
#   - sum of ksm_merging_pages of /proc/PID/ksm_stat = pages_shared +
#     pages_sharing (ksmd paused with run=0 while reading);
#   - no KSM frame mapped by two processes of different domains, and none
#     by a process whose domain is never (pagemap + kpageflags);
# and at the end run=2 leaves pages_shared = pages_sharing = 0, and the ksm
# slab caches hold no stable node and no rmap_item.

TT=/sys/fs/cgroup/tt
TT_CGS="g0 g1 g1/sub g2"
TT_WLS="a b c d"
TT_NPAGES=256

# tt_now: TT_NOW = the guest's uptime in centiseconds (no fork)
tt_now() {
	read -r TT_NOW _ < /proc/uptime
	TT_NOW=${TT_NOW%.*}${TT_NOW#*.}
	TT_NOW=${TT_NOW#0}
}

# rnd N: R = a pseudo-random number in [0, N) (a 31-bit LCG)
rnd() {
	SEED=$(((SEED * 1103515245 + 12345) % 2147483648))
	R=$(((SEED / 65536) % $1))
}
pick() {	# pick WORD...: P = one of the words
	rnd $#
	shift $R
	P=$1
}

# Everything below runs once per step: fork and exec cost most in the
# guest (TCG), so the helpers set variables instead of printing, and read
# files with the shell's read.

# var PATH: V = PATH with its slashes as underscores (a variable name part)
var() { V=${1//\//_}; }
rule_get() { var "$1"; eval "RG=\${RULE_${V}_$2:-}"; }	# RG = the rule
rule_put() { var "$1"; eval "RULE_${V}_$2=\$3"; }

# expected_domain CGROUP: ED = the domain a process in CGROUP (relative to
# /tt, or "/" for the root) should be in
expected_domain() {
	case $TT_POL in
	allow) ED=0; return ;;
	top) if [ "$1" = / ]; then ED=0; else ED=cg:tt; fi; return ;;
	esac
	# rules: nearest action up the tree
	c=$1
	while [ "$c" != / ] && [ "$c" != . ]; do
		rule_get "$c" act
		case $RG in
		deny) ED=never; return ;;
		isolate) ED="cg:$c"; return ;;
		allow) ED=0; return ;;
		esac
		case $c in */*) c=${c%/*} ;; *) c=. ;; esac
	done
	ED=0
}

# the tracked processes: "name pid cgroup npages" lines in /tmp/tt.procs,
# domains in DOM_<name>
tt_procs() {
	echo "e $WL_PID_e / 64" > /tmp/tt.procs
	for w in $TT_WLS; do
		eval "tp=\${WL_PID_$w:-} tc=\$CG_$w tch=\${CH_$w:-} tchc=\${CHCG_$w:-}"
		[ -n "$tp" ] && echo "$w $tp $tc $TT_NPAGES" >> /tmp/tt.procs
		[ -n "$tch" ] && echo "${w}x $tch $tchc $TT_NPAGES" >> /tmp/tt.procs
	done
	return 0
}

cg_path() { if [ "$1" = / ]; then CGP=/sys/fs/cgroup; else CGP=$TT/$1; fi; }

# settle: after an operation that can change a domain (TT_SETTLE), with
# run=1 and a policy, let ksmd visit every mm (two full scans: one whole
# round after the operation), then the model's domains follow the policy.
# Without a policy domains stay, and other operations move none.
settle() {
	[ "$TT_RUN" = 1 ] && [ "$TT_SETTLE" = 1 ] && [ "$TT_POL" != none ] || return 0
	wait_scans 2 || TT_FAIL="$TT_FAIL timeout-waiting-scans"
	tt_procs
	while read -r pn tp tc np; do
		expected_domain "$tc"
		eval "DOM_$pn=\$ED"
	done < /tmp/tt.procs
}

# check_step: the invariants (ksmd paused while reading); failures go
# into TT_FAIL.  One ksmpfn -c for every process: the sum of their
# ksm_merging_pages and the KSM frames shared across domains.
check_step() {
	if ! no_new_splat; then
		TT_FAIL="$TT_FAIL splat"
		grep -E "$SPLAT_RE" /tmp/dmesg.new | head -n 5 | sed 's/^/#   /'
	fi
	[ "$TT_RUN" = 1 ] || return 0
	tt_procs
	: > /tmp/tt.check
	while read -r pn tp tc np; do
		eval "echo \"$pn $tp $np \$DOM_$pn\"" >> /tmp/tt.check
	done < /tmp/tt.procs
	kset run 0
	r=$(ksmpfn -c /tmp/tt.check)
	read -r s1 < $KSM/pages_shared
	read -r s2 < $KSM/pages_sharing
	kset run 1
	sum=${r%% *}
	TT_FAIL="$TT_FAIL${r#"$sum"}"
	sum=${sum#merging=}
	[ "$sum" = $((s1 + s2)) ] || TT_FAIL="$TT_FAIL ksm_stat-sum=$sum-sysfs=$((s1 + s2))"
}

# slab_in_use CACHE: objects of CACHE in use: its empty slabs released first
# (shrink), "objects" then counts the objects of the slabs left
slab_in_use() {
	echo 1 > /sys/kernel/slab/$1/shrink 2>/dev/null
	cut -d' ' -f1 /sys/kernel/slab/$1/objects 2>/dev/null
}

# ---- the operations ------------------------------------------------------------
op_rule() {
	case $TT_POL in none|rules) ;; *) op_move; return ;; esac
	pick $TT_CGS; c=$P
	pick allow deny isolate weight weight unset; a=$P
	case $a in
	weight)	rnd 9; TT_OP="set /tt/$c weight $R"
		ksmpolicy set /tt/$c weight $R > /dev/null && rule_put "$c" w "$R" ;;
	unset)	TT_OP="unset /tt/$c"
		# with no policy loaded there is nothing to unset (and nothing loads)
		[ "$TT_POL" = none ] && return 0
		ksmpolicy unset /tt/$c > /dev/null 2>&1
		rule_put "$c" act ""; rule_put "$c" w "" ;;
	*)	TT_OP="set /tt/$c $a"
		ksmpolicy set /tt/$c $a > /dev/null && rule_put "$c" act "$a" ;;
	esac
	TT_POL=rules TT_SETTLE=1
}

op_unload() {
	TT_OP="unload ($TT_POL)"
	ksmpolicy unload > /dev/null 2>&1
	TT_POL=none
	for c in $TT_CGS; do rule_put "$c" act ""; rule_put "$c" w ""; done
}

op_load_custom() {
	[ "$TT_POL" = none ] || op_unload
	TT_OP="load isolate_top"
	ksmpolicy load $EXAMPLES/isolate_top.bpf.o > /dev/null && TT_POL=top
	TT_SETTLE=1
}

op_replace() {
	case $TT_POL in
	rules|top) obj=$EXAMPLES/builtin_policy.bpf.o; to=allow ;;
	allow) obj=$EXAMPLES/isolate_top.bpf.o; to=top ;;
	*) op_load_custom; return ;;
	esac
	TT_OP="replace $TT_POL by $to"
	TT_SETTLE=1
	r=$(ksmlink replace /sys/fs/bpf/ksm-bpf/link $obj)
	if [ "$r" = ok ]; then
		TT_POL=$to
	else
		TT_FAIL="$TT_FAIL replace:$r"
	fi
}

# wl_live NAME: true if workload NAME runs (its pid in p)
wl_live() { eval "p=\${WL_PID_$1:-}"; [ -n "$p" ]; }

op_move() {
	pick $TT_WLS; w=$P
	wl_live $w || { op_restart; return; }
	pick / $TT_CGS; c=$P
	TT_OP="move $w ($p) to $c"
	TT_SETTLE=1
	cg_path "$c"
	echo "$p" > "$CGP/cgroup.procs" && eval "CG_$w=$c"
}

op_fork() {
	pick $TT_WLS; w=$P
	wl_live $w || { op_restart; return; }
	eval "ch=\${CH_$w:-}"
	if [ -n "$ch" ]; then
		TT_OP="exit the child of $w"
		wl_cmd $w unfork > /dev/null
		eval "CH_$w="
	else
		r=$(wl_cmd $w fork)
		TT_OP="fork $w: $r"
		eval "CH_$w=$(field pid "$r")"
		eval "CHCG_$w=\$CG_$w"
		eval "DOM_${w}x=\$DOM_$w"
	fi
}

op_cow() {
	pick $TT_WLS; w=$P
	wl_live $w || { op_restart; return; }
	rnd 4
	TT_OP="cow $w every $((R + 2))"
	wl_cmd $w "cow $((R + 2))" > /dev/null
}

op_restart() {
	pick $TT_WLS; w=$P
	pick / $TT_CGS; c=$P
	TT_OP="restart $w in $c"
	TT_SETTLE=1
	wl_live $w && wl_stop $w
	eval "CH_$w="
	cg_path "$c"
	WL_CGROUP=$CGP wl_start $w -n $TT_NPAGES -c 16 -s 4242
	eval "CG_$w=$c"
	eval "DOM_$w=0"
}

op_run() {
	pick 0 2; r=$P
	TT_OP="run=$r, then run=1"
	kset run $r
	TT_RUN=$r
	# one operation while ksmd does not run: its effect waits for run=1
	pick rule move fork cow; op_$P
	TT_OP="run=$r; $TT_OP; run=1"
	kset run 1
	TT_RUN=1
}

op_nodes() {
	v=$((1 - $(kget merge_across_nodes)))
	TT_OP="run=2, merge_across_nodes=$v, run=1"
	kset run 2
	kset merge_across_nodes $v
	kset run 1
}

op_sharing() {
	pick 2 16 256; v=$P
	TT_OP="run=2, max_page_sharing=$v, run=1"
	kset run 2
	kset max_page_sharing $v
	kset run 1
}

op_migrate() {
	pick $TT_WLS; w=$P
	wl_live $w || { op_restart; return; }
	rnd 2
	r=$(wl_cmd $w "migrate $R")
	TT_OP="migrate $w to node $R: $r"
}

sc_torture() {
	SEED=${TT_SEED:-$(($(date +%s) % 100000))}
	seed0=$SEED
	echo "# torture seed=$SEED ops=${TT_OPS:-300} (replay: make vm-test VM_ARGS=\"only= policy= domains= torture=1 seed=$SEED\")"
	pol_reset
	no_new_splat
	kset pages_to_scan 2000
	for c in $TT_CGS; do mkdir -p $TT/$c; done
	TT_POL=none TT_RUN=1 DOM_e=0
	# the anchor: root cgroup, never ruled, keeps full scans going
	wl_start e -n 64 -c 8 -s 4241
	for w in $TT_WLS; do
		pick / $TT_CGS
		cg_path "$P"
		WL_CGROUP=$CGP wl_start $w -n $TT_NPAGES -c 16 -s 4242
		eval "CG_$w=$P DOM_$w=0 CH_$w="
	done
	kset run 1
	TT_SETTLE=1
	settle
	step=0 failed=0 t_op=0 t_settle=0 t_check=0
	while [ $step -lt "${TT_OPS:-300}" ]; do
		step=$((step + 1))
		TT_FAIL= TT_OP= TT_SETTLE=0
		pick rule rule rule rule unload load_custom replace move move fork cow \
			restart run nodes sharing migrate
		TT_O=$P
		tt_now; t0=$TT_NOW
		op_$TT_O
		tt_now; t1=$TT_NOW
		settle
		tt_now; t2=$TT_NOW
		check_step
		tt_now
		t_op=$((t_op + t1 - t0)) t_settle=$((t_settle + t2 - t1)) t_check=$((t_check + TT_NOW - t2))
		eval "TN_$TT_O=\$((\${TN_$TT_O:-0} + 1)) TS_$TT_O=\$((\${TS_$TT_O:-0} + TT_NOW - t0))"
		if [ -n "$TT_FAIL" ]; then
			failed=$((failed + 1))
			notok "step $step ($TT_OP)" "seed $seed0:$TT_FAIL"
			diag "torture: policy $TT_POL; $(cat /tmp/tt.procs | while read -r pn p c np; do
				printf '%s %s in %s dom %s; ' $pn $p $c "$(eval echo \$DOM_$pn)"; done)"
			diag "torture: rules: $(for c in $TT_CGS; do rule_get $c act; a=$RG; rule_get $c w
				printf '%s=%s/%s ' $c "$a" "$RG"; done)"
			diag "torture: kernel: $(ksmpolicy list 2>&1 | tr '\n' '|' | cut -c1-400)"
			[ $failed -ge 5 ] && { diag "torture: 5 failures, stopping"; break; }
		elif [ "${TT_VERBOSE:-0}" = 1 ] || [ $((step % 50)) = 0 ]; then
			diag "torture: step $step ok ($TT_OP), $(kget pages_shared) shared, $(kget full_scans) full scans"
		fi
	done
	diag "torture: $step steps: $((t_op / 100)) s in operations, $((t_settle / 100)) s waiting for ksmd, $((t_check / 100)) s checking"
	diag "torture: steps by operation (count, seconds):$(for o in rule unload load_custom replace move fork cow \
		restart run nodes sharing migrate; do eval "printf ' %s %s %s,' $o \${TN_$o:-0} \$((\${TS_$o:-0} / 100))"; done)"
	check "$step random operations (seed $seed0), every step's invariants held" \
		"$failed failed steps" "$failed" = 0 -a "$step" -ge "${TT_OPS:-300}"

	kset run 2
	shared=$(kget pages_shared) sharing=$(kget pages_sharing)
	nodes=$(slab_in_use ksm_stable_node) items=$(slab_in_use ksm_rmap_item)
	check "run=2 at the end: pages_shared 0, pages_sharing 0, no stable node, no rmap_item in the slabs" \
		"shared $shared sharing $sharing stable nodes ${nodes:-?} rmap_items ${items:-?}" \
		"$shared-$sharing-${nodes:-?}-${items:-?}" = 0-0-0-0
	check_nosplat "no splat"
	for w in $TT_WLS e; do wl_stop $w; done
	pol_reset
	kset merge_across_nodes 1
	pol_rmcg tt
}
