#!/bin/bash
# ksmtop's interactive view driven as a person would, in tmux: it starts,
# sorts, filters, switches views, survives resizes (too small included),
# pauses, shows help, quits on q and on SIGTERM, and leaves the terminal as
# it found it (cooked mode, echo on, normal screen).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/prom_lib.sh"
need_root
need_ksm
command -v tmux > /dev/null || skip_all "tmux is not installed (make deps installs it)"
plan 24
ksm_save
"$BIN/ksmctl" set run=1 pages_to_scan=2000 sleep_millisecs=10

CG=/ksmtop-ui-$$
CGROOT=$(findmnt -n -t cgroup2 -o TARGET | head -1)
[ -n "$CGROOT" ] || skip_all "no cgroup v2 mount"
SOCK=ksmtop-test-$$
S=ui
tm() { tmux -L "$SOCK" "$@"; }
trap 'tm kill-server 2>/dev/null; cleanup; rmdir "$CGROOT$CG/sub" "$CGROOT$CG" 2>/dev/null' EXIT

start_load A -n 2000 -k 2 -s 41 -c "$CG"
start_load B -n 1000 -k 4 -s 42 -c "$CG"
start_load C -n 500 -k 2 -s 43 -c "$CG/sub"
"$BIN/ksmctl" wait-merged "$A" 2000 60 && "$BIN/ksmctl" wait-merged "$B" 1000 60 &&
	"$BIN/ksmctl" wait-merged "$C" 500 60

pane() { tm capture-pane -p -t "$S"; }
# wait_pane REGEX: until the screen shows REGEX (5 s at most).
wait_pane() {
	local i
	for i in $(seq 1 50); do
		pane | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	return 1
}
# wait_gone REGEX: until the screen no longer shows REGEX.
wait_gone() {
	local i
	for i in $(seq 1 50); do
		pane | grep -qE -- "$1" || return 0
		sleep 0.1
	done
	return 1
}
# Table rows: lines that start with a number, after the column header.
rows() { pane | sed -n '/ PID COMM /,$p' | awk '$1 ~ /^[0-9]+$/'; }
# until CMD...: until the check holds (5 s at most): a loaded machine redraws late
until_ok() {
	local i
	for i in $(seq 1 50); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
pass() { if "$@"; then ok "$T"; else not_ok "$T" "screen:
$(pane | sed 's/^/#   /')"; fi; }

tm new-session -d -s "$S" -x 160 -y 30 "bash --norc --noprofile"
tm send-keys -t "$S" "PS1='$ '; clear" Enter
PORT=$(free_ports 1)
# with an exporter: what the view's keys filter must not change what it serves
tm send-keys -t "$S" "$BIN/ksmtop 0.5 --web.listen-address 127.0.0.1:$PORT --prom-processes 100; echo EXIT=\$?; stty -a | grep -ow -- '-\\?icanon'; stty -a | grep -ow -- '-\\?echo'" Enter

T="starts: header, column titles, the workload's row"; pass wait_pane "^ *$A ksmload .* $CG\$"
T="names the unavailable event sources"; pass wait_pane "sources: .*unavailable"

tm send-keys -t "$S" P
T="P sorts by pid, ascending"; pass wait_pane "sort pid asc"
sorted_asc() { local p; p=$(rows | awk '{print $1}'); [ "$(echo "$p" | wc -l)" -ge 2 ] && [ "$p" = "$(echo "$p" | sort -n)" ]; }
T="rows are in ascending pid order"; pass until_ok sorted_asc
tm send-keys -t "$S" r
T="r reverses"; pass wait_pane "sort pid desc"
sorted_desc() { local p; p=$(rows | awk '{print $1}'); [ "$p" = "$(echo "$p" | sort -rn)" ]; }
T="rows are in descending pid order"; pass until_ok sorted_desc

tm send-keys -t "$S" c
wait_pane "^cgroup subtree"
tm send-keys -t "$S" "$CG" Enter
T="c filters by cgroup subtree"; pass wait_pane "filter cgroup=$CG "
only_cg() { [ "$(rows | wc -l)" = 3 ] && [ "$(rows | grep -c " $CG\(/sub\)\?\$")" = 3 ]; }
T="only the cgroup subtree's three processes are listed"; pass until_ok only_cg
tm send-keys -t "$S" p
wait_pane "^pid"
tm send-keys -t "$S" "$B" Enter
only_b() { wait_pane "pid=$B " && [ "$(rows | awk '{print $1}')" = "$B" ]; }
T="p filters by pid"; pass only_b
# both other workloads' series, from a sample taken after the filter
served() {
	local m
	sleep 1
	m=$(curl -s "http://127.0.0.1:$PORT/metrics") &&
		echo "$m" | grep -q "^ksm_process_merging_pages{pid=\"$A\"" &&
		echo "$m" | grep -q "^ksm_process_merging_pages{pid=\"$C\""
}
T="the exporter still serves every process while the view shows one"; pass served
tm send-keys -t "$S" x

tm send-keys -t "$S" Tab
# the cgroup's row sums its subtree (3 processes), SELF its own two
cgview() { wait_pane "^ +PROCS +MERGING +SELF" && wait_pane "^ +3 +3500 +3000 .* $CG\$"; }
T="tab switches to the cgroup view: subtree totals and SELF"; pass cgview

# The tree: each cgroup under its parent, by its last path component.
BQ='`' # the tree's last-child rule
tm send-keys -t "$S" t
tree() {
	wait_pane "view cgroups \(tree\)" && wait_pane "^ +3 .* [|$BQ]- \[-\] ${CG#/}\$" &&
		wait_pane "^ +1 +500 +500 .* +${BQ}- sub\$"
}
T="t shows the tree: the cgroup under /, sub under it"; pass tree
# Narrowed to the subtree, the cgroup is the first row, under the cursor.
tm send-keys -t "$S" c
wait_pane "^cgroup subtree"
tm send-keys -t "$S" "$CG" Enter
wait_pane "filter cgroup=$CG "
tm send-keys -t "$S" -- -
folded() { wait_pane "^ +3 .* \[\+\] $CG\$" && wait_gone "${BQ}- sub\$"; }
T="- folds the subtree under the cursor"; pass folded
tm send-keys -t "$S" +
T="+ unfolds it"; pass wait_pane "^ +1 +500 .*${BQ}- sub\$"
tm send-keys -t "$S" x t
T="t again: the flat list"; pass wait_pane "view cgroups  sort"
tm send-keys -t "$S" 3
T="3 switches to the node view"; pass wait_pane "^NODE +KSM_PAGES"
tm send-keys -t "$S" 1

tm resize-window -t "$S" -x 70 -y 15
narrow() { wait_pane "^ *PID COMM" && [ "$(pane | awk '{ if (length($0) > 70) n++ } END { print n + 0 }')" = 0 ]; }
T="resized to 70x15: still drawn, nothing wider than the screen"; pass narrow
tm resize-window -t "$S" -x 40 -y 8
T="resized to 40x8: says the terminal is too small"; pass wait_pane "terminal too small"
tm resize-window -t "$S" -x 160 -y 30
T="resized back: the table returns"; pass wait_pane "^ *$A ksmload"

tm send-keys -t "$S" Space
T="space pauses"; pass wait_pane "PAUSED"
tm send-keys -t "$S" Space h
T="h shows the keys"; pass wait_pane "^ksmtop keys"
tm send-keys -t "$S" Escape
wait_gone "^ksmtop keys"

tm send-keys -t "$S" q
restored() { wait_pane "^EXIT=0" && wait_pane "^icanon" && wait_pane "^echo" && ! pane | grep -q "PID COMM"; }
T="q quits with 0 and the terminal is restored (icanon, echo, normal screen)"; pass restored

# SIGTERM: the same clean exit.
tm send-keys -t "$S" "clear; bash -c 'echo \$\$ > $TMP/top.pid; exec $BIN/ksmtop'; echo EXIT2=\$?; stty -a | grep -ow -- '-\\?icanon'" Enter
wait_pane "^ *PID COMM"
pid=$(cat "$TMP/top.pid")
[ -n "$pid" ] && kill -TERM "$pid"
term_ok() { wait_pane "^EXIT2=0" && wait_pane "^icanon" && ! pane | grep -q "PID COMM"; }
T="SIGTERM: exits 0, terminal restored"; pass term_ok

# Too small from the start: an error, exit 1, terminal intact.
tm new-session -d -s small -x 40 -y 8 "bash --norc --noprofile"
tm send-keys -t small "$BIN/ksmtop; echo EXIT3=\$?" Enter
small_ok() {
	local i
	for i in $(seq 1 50); do
		tm capture-pane -p -t small | grep -q "EXIT3=1" && break
		sleep 0.1
	done
	tm capture-pane -p -J -t small | tr -d '\n' | grep -q "terminal too small" &&
		tm capture-pane -p -t small | grep -q "EXIT3=1"
}
T="a 40x8 terminal: 'terminal too small', exit 1"; pass small_ok
done_testing
