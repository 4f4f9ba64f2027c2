# SPDX-License-Identifier: GPL-2.0
# The kernel matrix's scenarios (issue #15), sourced by run.sh on every
# flavour: what the tools promise on any kernel with BTF and KSM, whatever
# delivers the stock events (the ksm tracepoints of 6.4+, or their fentry
# and kprobe stand-ins before).  Each check reads the kernel's own numbers
# (/proc/PID/ksm_merging_pages, /sys/kernel/mm/ksm) and the tools' output.
#
#   stock=merge   (the default; stock= runs nothing)
#
# merge: a 1,000-page workload (4 contents) and 100 zero pages, merged
# (use_zero_pages=1), then unmerged (run=2), traced at once by
#   ksmsnoop -j                       what this kernel serves by default
#   ksmsnoop -j --stand-ins           the fentry stand-ins of the stock kinds
#   ksmsnoop -j --stand-ins --kprobes their kprobe stand-ins
#   ksmdebug record                   then replayed
# and ksmtop -j 1 1 once merged.  The streams must agree event for event.

ST=/tmp/stock
ST_MODES="default standins kprobes"

st_args() {
	case $1 in
	default) ;;
	standins) echo --stand-ins ;;
	kprobes) echo --stand-ins --kprobes ;;
	esac
}

# st_snoop_start MODE: ksmsnoop -j in MODE, into $ST.MODE.json
st_snoop_start() {
	# shellcheck disable=SC2046
	: > $ST.$1.err
	ksmsnoop -j $(st_args "$1") > $ST.$1.json 2> $ST.$1.err &
	eval "ST_PID_$1=$!"
	wait_until 60 "grep -q 'tracing' $ST.$1.err || ! kill -0 \$ST_PID_$1 2>/dev/null" ||
		diag "ksmsnoop $(st_args "$1") did not start"
}

st_snoop_stop() {
	kill -INT "$(eval echo \$ST_PID_$1)" 2>/dev/null
	wait "$(eval echo \$ST_PID_$1)"
	awk -f /tests/norm.awk $ST.$1.json > $ST.$1.kv
	diag "ksmsnoop $1 ($(st_args "$1")): $(tail -n 2 $ST.$1.err | tr '\n' ' ')"
}

# st_count FILE KEY=VALUE...: events of FILE (normalized) matching every pair
st_count() {
	f=$1
	shift
	(EV=$f; evcount "$@")
}

# st_proj FILE: the stock-kind events as (event pid pfn err mm into_ksm_page),
# without what differs by probe (time, cpu, source)
st_proj() {
	awk '$1 ~ /^event=(merge_with_ksm_page|merge_one_page|remove_rmap_item|remove_ksm_page)$/ {
		o = $1
		for (i = 2; i <= NF; i++)
			if ($i ~ /^(pid|pfn|err|mm|into_ksm_page)=/)
				o = o " " $i
		print o
	}' "$1"
}

# Which probe serves each stock kind, and a reason for every unused probe.
st_probes() {
	ksmsnoop -j --list-probes > $ST.probes.json 2> $ST.probes.err
	rc=$?
	nodetail=$(grep -o '"state":"[a-z]*","source":"[a-z_]*","detail":""' $ST.probes.json | grep -vc '"state":"active"')
	check "stock: ksmsnoop --list-probes runs and gives a reason for every unused probe" \
		"exit $rc, $nodetail without a reason; $(head -c 200 $ST.probes.err)" "$rc-$nodetail" = 0-0
	for k in merge_with_ksm_page merge_one_page remove_rmap_item remove_ksm_page enter exit; do
		by=$(grep -o "{[^{}]*\"state\":\"active\"[^{}]*\"events\":\[[^]]*\"$k\"[^]]*\]" \
			$ST.probes.json | sed -n 's/.*"probe":"\([a-z_0-9]*\)".*"source":"\([a-z_]*\)".*/\1 (\2)/p' |
			tr '\n' ' ')
		check "stock: $k is served on this kernel" "no active probe delivers it" -n "$by"
		diag "$k: $by"
	done
	grep -o '"probe":"ksm_[a-z_]*","target":"[a-z_]*","state":"inactive","source":"tracepoint","detail":"[^"]*"' \
		$ST.probes.json | sed 's/^/#   /'
}

# The workload's numbers as the kernel counts them, and ksmtop's.
st_top() {
	ksmtop -j 1 1 > $ST.top.json 2> $ST.top.err
	rc=$?
	row=$(grep -o "{[^{}]*\"pid\":$1,[^{}]*}" $ST.top.json | head -n 1)
	tm=$(echo "$row" | sed -n 's/.*"merging_pages":\([0-9a-z]*\).*/\1/p')
	diag "ksmtop: exit $rc; row $(echo "$row" | cut -c1-200); $(head -c 200 $ST.top.err)"
	check "stock: ksmtop -j 1 1 reports pid $1 with merging pages equal to /proc ($2)" \
		"exit $rc, merging_pages '$tm'" "$rc" = 0 -a "$tm" = "$2"
}

st_merge() {
	ksm_reset 1
	kset use_zero_pages 1
	for m in $ST_MODES; do st_snoop_start $m; done
	rm -f $ST.rec $ST.rec.err
	: > $ST.rec.err
	ksmdebug record -o $ST.rec --no-trigger > $ST.rec.out 2> $ST.rec.err &
	rec_pid=$!
	wait_until 60 "grep -q 'recording' $ST.rec.err || ! kill -0 $rec_pid 2>/dev/null"
	ksmload -n 1000 -k 4 -z 100 -s 15 > $ST.wl 2>&1 &
	wl=$!
	wait_until 30 "grep -q '^ready' $ST.wl"
	kset run 1
	if ! wait_until 180 "[ \$(cat /proc/$wl/ksm_merging_pages) -eq 1000 ]"; then
		notok "stock: workload merged" "ksm_merging_pages $(cat /proc/$wl/ksm_merging_pages)"
	fi
	wait_scans 2	# the zero pages, and nothing left to merge
	merging=$(cat /proc/$wl/ksm_merging_pages)
	shared=$(kget pages_shared) sharing=$(kget pages_sharing)
	st_top "$wl" "$merging"
	kset run 2
	kill -INT $wl
	wait $wl
	for m in $ST_MODES; do st_snoop_stop $m; done
	kill -INT $rec_pid
	wait $rec_pid
	diag "merged: ksm_merging_pages $merging, pages_shared $shared, pages_sharing $sharing"
	check "stock: the workload's 1000 pages merged (/proc/PID/ksm_merging_pages)" \
		"merging $merging" "$merging" = 1000
	# other KSM users (a host's VMs) share the global counters
	ST_ALONE=0
	[ $((shared + sharing)) -eq "$merging" ] && ST_ALONE=1
	for m in $ST_MODES; do st_check_stream $m "$wl" "$merging" "$sharing" "$shared"; done
	st_same default standins
	st_same default kprobes
	st_recorded "$wl"
	kset use_zero_pages 0
}

# st_unserved MODE: the ksmsnoop of MODE found nothing to run here (the
# host: no trampolines, no kprobes); its error is the reason
st_unserved() { grep -q '"error":"no KSM event source can run' $ST.$1.json; }

# st_check_stream MODE PID MERGING SHARING SHARED: one ksmsnoop's stream
st_check_stream() {
	f=$ST.$1.kv
	P="stock [$1]:"
	if st_unserved "$1"; then
		skip "$P ksmsnoop $(st_args "$1") events" "$(head -c 200 $ST.$1.json)"
		return
	fi
	ok_m=$(st_count $f event=merge_with_ksm_page pid=$2 err=0)
	nopid=$(st_count $f event=merge_with_ksm_page pid=0)
	diag "$1: merge_with_ksm_page pid $2 err 0: $ok_m (all: $(st_count $f event=merge_with_ksm_page)," \
		"sources: $(sed -n 's/.*"event":"merge_with_ksm_page","source":"\([a-z_]*\)".*/\1/p' \
		$ST.$1.json | sort | uniq -c | tr -s ' \n' ' '))"
	check "$P every successful merge_with_ksm_page of the workload attributed to its pid, one per merging page" \
		"pid $2: $ok_m, /proc ksm_merging_pages $3; $nopid merges without an owner" \
		"$ok_m-$nopid" = "$3-0"
	z=$(st_count $f event=merge_one_page pid=$2 err=0)
	check "$P 100 zero-page merges (merge_one_page) attributed to the workload" \
		"$z of $(st_count $f event=merge_one_page)" "$z" = 100
	# run=2: the tracepoint fires for every item of a node but the last
	rr=$(st_count $f event=remove_rmap_item pid=$2) rk=$(st_count $f event=remove_ksm_page)
	check "$P run=2: remove_rmap_item for each of the workload's pages but one per KSM page (4)" \
		"remove_rmap_item $rr (all pids $(st_count $f event=remove_rmap_item)), merging $3" \
		"$rr" = $(($3 - 4))
	if [ "$ST_ALONE" = 1 ]; then
		check "$P run=2: one remove_ksm_page per KSM page (pages_shared $5)" \
			"remove_ksm_page $rk" "$rk" = "$5"
	else
		check "$P run=2: remove_ksm_page for the workload's 4 KSM pages (other KSM users add theirs)" \
			"remove_ksm_page $rk, pages_shared $5" "$rk" -ge 4
	fi
	e=$(st_count $f event=enter pid=$2)
	mm=$(awk -v p="pid=$2" '$1 == "event=enter" && index(" " $0 " ", " " p " ") {
		for (i = 2; i <= NF; i++) if ($i ~ /^mm=/) print $i; exit }' $f)
	x=$(st_count $f event=exit "$mm")
	check "$P one enter (pid $2) and one exit for its mm" "enter $e, exit $x ($mm)" "$e-$x" = 1-1
}

# st_same A B: two streams carry the same stock-kind events, in order
st_same() {
	st_unserved "$1" || st_unserved "$2" && return 0
	st_proj $ST.$1.kv > $ST.$1.proj
	st_proj $ST.$2.kv > $ST.$2.proj
	d=$(cmp $ST.$1.proj $ST.$2.proj 2>&1)
	check "stock: ksmsnoop $(st_args "$1") and $(st_args "$2") give the same events, fields and owners" \
		"$(wc -l < $ST.$1.proj) vs $(wc -l < $ST.$2.proj) events: $d" -z "$d"
}

# ksmdebug record ran alongside: its trace replays, and holds the merges
st_recorded() {
	n=$(grep -c '"event":"merge_with_ksm_page"' $ST.rec 2>/dev/null)
	want=$(st_count $ST.default.kv event=merge_with_ksm_page)
	check "stock: ksmdebug record kept every merge_with_ksm_page" \
		"$n recorded, $want traced; $(tail -n 1 $ST.rec.err)" "${n:-0}" = "$want" -a "$want" -gt 0
	ksmdebug -j replay $ST.rec > $ST.replay 2> $ST.replay.err
	rc=$?
	check "stock: ksmdebug replay of that trace exits 0 with no finding" \
		"exit $rc: $(head -c 300 $ST.replay) $(head -c 200 $ST.replay.err)" \
		"$rc" = 0 -a "$(grep -c '"type":"finding"' $ST.replay)" = 0
}

# stock_suite SCENARIOS: run them (comma-separated), PFX says where
stock_suite() {
	for s in $(echo "$1" | tr ',' ' '); do
		PFX=
		diag "---- stock: $s ($(cut -d' ' -f1 /proc/uptime)s)"
		[ "$s" = merge ] && st_probes
		st_$s
	done
}
