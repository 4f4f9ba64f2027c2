# SPDX-License-Identifier: GPL-2.0
# Helpers of the guest suite: TAP, KSM knobs, waiting on counters, workloads,
# and the event capture that the assertions read (tracefs or ksmsnoop).

KSM=/sys/kernel/mm/ksm
T=/sys/kernel/tracing
# test-only knobs of kernel-patch/testing/ (absent on a kernel without them)
KT=/sys/kernel/debug/ksm_test
EV=/tmp/ev.kv
NTEST=0
NPASS=0
NFAIL=0
NSKIP=0

# ---- TAP ------------------------------------------------------------------
ok() { NTEST=$((NTEST + 1)); NPASS=$((NPASS + 1)); echo "ok $NTEST - $PFX$1"; }
notok() { NTEST=$((NTEST + 1)); NFAIL=$((NFAIL + 1)); echo "not ok $NTEST - $PFX$1 # $2"; }
skip() { NTEST=$((NTEST + 1)); NSKIP=$((NSKIP + 1)); echo "ok $NTEST - $PFX$1 # SKIP $2"; }
diag() { echo "# $*"; }
# check NAME DETAIL CONDITION...: ok if the test(1) condition holds
check() {
	name=$1 detail=$2
	shift 2
	if [ "$@" ]; then ok "$name"; else notok "$name" "$detail"; fi
}

# ---- KSM knobs and counters --------------------------------------------------
kget() { cat "$KSM/$1"; }
kset() { echo "$2" > "$KSM/$1" || diag "echo $2 > $KSM/$1 failed"; }
vmstat() { awk -v k="$1" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }' /proc/vmstat; }

# wait_until TIMEOUT_S SHELL_CONDITION: poll every 0.1 s; 1 on timeout
wait_until() {
	limit=$(($1 * 10))
	shift
	i=0
	while ! eval "$*"; do
		i=$((i + 1))
		[ $i -ge $limit ] && { diag "timeout (${limit}/10 s) waiting for: $*"; return 1; }
		usleep 100000
	done
	return 0
}

# wait_scans N: wait for ksmd to complete N more full scans (the shell's
# read: a fork per poll costs under TCG)
wait_scans() {
	read -r fs < $KSM/full_scans
	target=$((fs + $1))
	wait_until 120 "read -r fs < $KSM/full_scans; [ \$fs -ge $target ]"
}

# knob NAME VALUE: set a ksm_test knob; knobs_off: every knob back to 0
knob() { echo "$2" > "$KT/$1" || diag "echo $2 > $KT/$1 failed"; }
knobs_off() {
	for k in leave_stable_nodes get_folio_delay_us no_kpfn_recheck \
		copy_not_uptodate swapin_not_uptodate target_pid; do
		[ -e "$KT/$k" ] && echo 0 > "$KT/$k"
	done
	return 0
}

# ksm_reset: test knobs off, unmerge everything, default knobs, ksmd fast
ksm_reset() {
	knobs_off
	kset run 2
	[ -e $KSM/smart_scan ] && kset smart_scan 1
	kset merge_across_nodes "${1:-1}"
	kset max_page_sharing 256
	kset pages_to_scan 1000
	kset sleep_millisecs 10
}

# ---- workloads (ksmwork, driven through a fifo) ---------------------------
# Workload names a b c d e, each with its own fd for its fifo.
wl_fd() {
	case $1 in a) echo 7 ;; b) echo 8 ;; c) echo 5 ;; d) echo 6 ;; e) echo 4 ;;
	*) echo "workload name must be one of a b c d e" >&2; return 1 ;;
	esac
}

# wl_start NAME ARGS...: start ksmwork as workload NAME, wait for "ready"
wl_start() {
	n=$1
	shift
	fd=$(wl_fd "$n") || return 1
	rm -f /tmp/wl.$n.in /tmp/wl.$n.out
	mkfifo /tmp/wl.$n.in
	: > /tmp/wl.$n.out
	if [ -n "${WL_CGROUP:-}" ]; then
		sh -c "echo \$\$ > $WL_CGROUP/cgroup.procs; exec ksmwork $*" \
			< /tmp/wl.$n.in > /tmp/wl.$n.out 2>&1 &
	else
		ksmwork "$@" < /tmp/wl.$n.in > /tmp/wl.$n.out 2>&1 &
	fi
	eval "WL_PID_$n=$!"
	# keep the fifo open for writing on a numbered fd per workload
	eval "exec $fd> /tmp/wl.$n.in"
	wait_until 30 "grep -q '^ready' /tmp/wl.$n.out"
}

# wl_cmd NAME COMMAND: send a command, print its reply line.  Most replies
# come within milliseconds: poll every 10 ms for 0.2 s, then every 0.1 s
# (60 s in all).
wl_cmd() {
	before=$(wc -l < /tmp/wl.$1.out)
	fd=$(wl_fd "$1") || return 1
	echo "$2" >&"$fd"
	n=0
	while [ "$(wc -l < /tmp/wl.$1.out)" -le "$before" ]; do
		n=$((n + 1))
		[ $n -le 618 ] || { diag "timeout (60 s) waiting for $1 to answer: $2"; return 1; }
		if [ $n -le 20 ]; then usleep 10000; else usleep 100000; fi
	done
	tail -n 1 /tmp/wl.$1.out
}

wl_pid() { eval "echo \$WL_PID_$1"; }

# wl_stop NAME: quit the workload and reap it
wl_stop() {
	pid=$(wl_pid "$1")
	[ -n "$pid" ] || return 0
	fd=$(wl_fd "$1")
	echo quit >&"$fd"
	eval "exec $fd>&-"
	wait "$pid" 2>/dev/null
	eval "WL_PID_$1="
}

# field KEY LINE: value of KEY=value in LINE
field() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1; }

# ---- event capture -----------------------------------------------------------
# ev_start: start recording with the current $BACKEND
ev_start() {
	rm -f "$EV" /tmp/ev.raw /tmp/ev.err
	case $BACKEND in
	tracefs)
		echo 0 > $T/tracing_on
		echo 8192 > $T/buffer_size_kb
		echo > $T/trace
		echo 1 > $T/events/ksm/enable
		echo 1 > $T/tracing_on
		;;
	ksmsnoop|fallback)
		fb=
		[ "$BACKEND" = fallback ] && fb=--fallback
		ksmsnoop -j $fb > /tmp/ev.raw 2> /tmp/ev.err &
		SNOOP_PID=$!
		if ! wait_until 60 "grep -q 'tracing' /tmp/ev.err || ! kill -0 $SNOOP_PID 2>/dev/null"; then
			diag "ksmsnoop did not start"
		fi
		sed 's/^/#   /' /tmp/ev.err
		;;
	esac
}

# ev_stop: stop recording, leave the normalized events in $EV
ev_stop() {
	case $BACKEND in
	tracefs)
		echo 0 > $T/tracing_on
		cat $T/trace > /tmp/ev.raw
		echo 0 > $T/events/ksm/enable
		grep -q 'LOST\|lost' /tmp/ev.raw && diag "tracefs lost events"
		;;
	ksmsnoop|fallback)
		kill -INT "$SNOOP_PID" 2>/dev/null
		wait "$SNOOP_PID"
		tail -n 3 /tmp/ev.err | sed 's/^/#   /'
		;;
	esac
	awk -f /tests/norm.awk /tmp/ev.raw > "$EV"
	diag "$(wc -l < "$EV") events: $(awk '{ sub(/event=/, "", $1); n[$1]++ }
		END { for (e in n) printf "%s=%d ", e, n[e] }' "$EV")"
}

# evcount KEY=VALUE...: number of recorded events matching every pair
evcount() {
	awk -v f="$*" 'BEGIN { n = split(f, t, " ") }
		{ l = " " $0 " "; for (i = 1; i <= n; i++) if (!index(l, " " t[i] " ")) next; c++ }
		END { print c + 0 }' "$EV"
}

# evsum KEY FILTER...: sum of KEY over the matching events
evsum() {
	k=$1
	shift
	awk -v k="$k" -v f="$*" 'BEGIN { n = split(f, t, " ") }
		{ l = " " $0 " "; for (i = 1; i <= n; i++) if (!index(l, " " t[i] " ")) next
		  for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) s += substr($i, length(k) + 2) }
		END { print s + 0 }' "$EV"
}

# nodes: follow every stable node through insert/migrate/remove and report
#   inserted (distinct nodes), reinserted, chained, removed, leftover,
#   unknown (remove/migrate/migrate_list of a node never inserted), badpfn
#   (migrate or migrate_list whose old pfn is not the node's pfn),
#   stale_unexplained (stale removal without a get_folio_stale verdict for
#   the node just before), listed (stable_node_migrate_list events), parked
#   (nodes listed and never inserted again into their page's node tree)
nodes() {
	awk '
	function f(k,   i) { for (i = 2; i <= NF; i++) if (index($i, k "=") == 1) return substr($i, length(k) + 2); return "" }
	$1 == "event=stable_node_insert" {
		n = f("node")
		if (n in live) reins++; else { live[n] = 1; ins++ }
		if ((n in park) && park[n] == f("nid")) delete park[n]
		pfn[n] = f("pfn")
		if (f("chain") != "0") chained++
	}
	$1 == "event=get_folio_stale" { verdict[f("node")] = 1 }
	$1 == "event=migrate_folio" {
		n = f("node")
		if (!(n in live)) unknown++
		else if (pfn[n] != f("pfn")) badpfn++
		pfn[n] = f("new_pfn")
	}
	$1 == "event=stable_node_migrate_list" {
		n = f("node")
		if (!(n in live)) unknown++
		else if (pfn[n] != f("pfn")) badpfn++
		listed++
		park[n] = f("page_nid")
	}
	$1 == "event=stable_node_remove" {
		n = f("node")
		delete park[n]
		if (!(n in live)) unknown++
		else { delete live[n]; rm++ }
		if (f("reason") == "stale" && !(n in verdict)) unexpl++
		delete verdict[n]
	}
	END {
		left = 0
		for (n in live) left++
		for (n in park) parked++
		printf "inserted=%d reinserted=%d chained=%d removed=%d leftover=%d unknown=%d badpfn=%d stale_unexplained=%d listed=%d parked=%d\n",
			ins, reins, chained, rm, left, unknown, badpfn, unexpl, listed, parked
	}' "$EV"
}

# bracket REASON: the remove_all_stable_nodes begin/end pairs with REASON:
#   pairs, removed (sum of the end events' counts), counted (removals seen
#   between begin and end), busy, err (sum of |err|), unpaired
bracket() {
	awk -v r="$1" '
	function f(k,   i) { for (i = 2; i <= NF; i++) if (index($i, k "=") == 1) return substr($i, length(k) + 2); return "" }
	$1 == "event=remove_all_stable_nodes_begin" && f("reason") == r { if (open) unp++; open = 1; next }
	$1 == "event=stable_node_remove" && open { counted++ }
	$1 == "event=remove_all_stable_nodes_end" && f("reason") == r {
		if (!open) unp++
		open = 0; pairs++; removed += f("removed"); busy += f("busy")
		e = f("err"); if (e < 0) e = -e; err += e
	}
	END { if (open) unp++
		printf "pairs=%d removed=%d counted=%d busy=%d err=%d unpaired=%d\n", pairs, removed, counted, busy, err, unp }' "$EV"
}
