# SPDX-License-Identifier: GPL-2.0
# ---- the 2010 race between migration and exec's stack move --------------
# kernel-patch/testing/0003 brings it back: with exec_stack_migratable the
# temporary stack of an exec is valid for migration again, and the gates of
# exec_stack_* make a move_pages() of its pages straddle the stack move
# every time (migexec race); the entries left behind are cleared by the
# knob and the exec is killed, so the kernel never trips on them.
# ksmdebug watch and record must name each one (address and pfn, as the
# kernel lists them in exec_stack_repaired) and exit 3 with
# migration_entry_leftover; the same gated run with the stack protected, and
# an ungated stress (a chain of execs while another process migrates their
# stack) with every knob off, must find nothing.  Runs once, under the
# ksmsnoop backend; MIGEXEC_RUNS (default 2) times in a row.
# Uses run.sh's kd_start, kd_stop and kd_replay (ksmdebug record, replay).

# me_watch FILE: ksmdebug -j watch into FILE until me_unwatch
me_watch() {
	ME_WATCH=$1
	ksmdebug -j watch > "$1" 2> "$1.err" &
	ME_WATCH_PID=$!
	wait_until 60 "grep -q watching $1.err || ! kill -0 $ME_WATCH_PID 2>/dev/null" ||
		diag "ksmdebug watch did not start"
}

# me_unwatch: stop it; its exit status in ME_WATCH_RC, findings in ME_WATCH_N
me_unwatch() {
	kill -INT "$ME_WATCH_PID" 2>/dev/null
	wait "$ME_WATCH_PID"
	ME_WATCH_RC=$?
	ME_WATCH_N=$(grep -c '"type":"finding","detector":"migration_entry_leftover"' "$ME_WATCH")
}

# me_run NAME CMD...: CMD under ksmdebug record and watch; /tmp/me.NAME.*
me_run() {
	f=/tmp/me.$1
	shift
	kd_start "$f"
	me_watch "$f.watch"
	"$@" > "$f.out" 2> "$f.err"
	ME_RC=$?
	me_unwatch
	kd_stop
	kd_replay "$f"
	# the bug's victims can print garbage (NULs read from a lost stack)
	cat "$f.out" "$f.err" | tr -d '\000' | sed 's/^/#   /' | head -n 20
}

# me_named FINDINGS REPAIRED: how many of the kernel's repaired entries
# (addr=0x.. moved_to=0x.. pfn=0x.. lines) a finding in FINDINGS names
me_named() {
	n=0
	while read -r l; do
		grep -q "migration entry at $(field addr "$l") for pfn $(field pfn "$l") " "$1" &&
			n=$((n + 1))
	done < "$2"
	echo $n
}

# me_unjudged FILE: migration entries the replay could not judge
me_unjudged() { sed -n 's/.*"migration_entries_unjudged":\([0-9]*\).*/\1/p' "$1.replay"; }

# me_events FILE EVENT: the EVENT lines of a recorded trace (not evidence)
me_events() { grep -c "^{\"ts_ns\":[0-9]*,\"event\":\"$2\"" "$1"; }

me_bug() {	# $1: the run
	f=/tmp/me.bug$1
	knob exec_stack_migratable 1
	me_run bug$1 migexec race 2
	knob exec_stack_migratable 0
	grep '^addr=' "$f.out" > "$f.repaired"
	rounds=$(grep -c '^round' "$f.out")
	raced=$(grep '^round' "$f.out" | grep -c 'held=1 exec=killed:9')
	moved=$(sed -n 's/^round .* moved=\([0-9]*\) .*/\1/p' "$f.out" | awk '{ s += $1 } END { print s + 0 }')
	left=$(wc -l < "$f.repaired")
	check "migexec $1: knob on: every exec's stack migrated across the move, entries left, exec killed" \
		"exit $ME_RC, rounds $rounds, raced $raced, moved $moved, left $left" \
		"$ME_RC" = 0 -a "$rounds" = 2 -a "$raced" = 2 -a "$moved" -gt 0 -a "$left" = "$moved"
	check "migexec $1: knob on: ksmdebug watch exits 3 with a migration_entry_leftover per entry left" \
		"exit $ME_WATCH_RC, findings $ME_WATCH_N, entries left $left" \
		"$ME_WATCH_RC" = 3 -a "$ME_WATCH_N" = "$left"
	named=$(me_named "$f.watch" "$f.repaired")
	check "migexec $1: knob on: the findings name each entry's address and pfn" \
		"$named of $left named; first: $(head -n 1 "$f.repaired")" "$named" = "$left" -a "$left" -gt 0
	n=$(grep -c '"detector":"migration_entry_leftover"' "$f.replay")
	check "migexec $1: knob on: ksmdebug record + replay exits 3, migration_entry_leftover only" \
		"exit $KD_RC, findings: $KD_FOUND" \
		"$KD_RC" = 3 -a "$KD_FOUND" = "migration_entry_leftover=$left" -a "$(me_named "$f.replay" "$f.repaired")" = "$left"
}

me_clean() {	# $1: the run
	f=/tmp/me.clean$1
	me_run clean$1 migexec race 2
	safe=$(grep '^round' "$f.out" | grep -c 'held=0 exec=exited:0')
	left=$(grep -c '^addr=' "$f.out")
	sets=$(me_events "$f" set_migration_pte) rms=$(me_events "$f" remove_migration_pte)
	check "migexec $1: stack protected, same gates: execs unharmed, nothing left, no finding" \
		"exit $ME_RC, safe rounds $safe, left $left, watch exit $ME_WATCH_RC ($ME_WATCH_N), replay exit $KD_RC ($KD_FOUND)" \
		"$ME_RC" = 0 -a "$safe" = 2 -a "$left" = 0 -a "$ME_WATCH_RC" = 0 -a "$KD_RC" = 0
	check "migexec $1: stack protected: the run's own migrations were traced and paired" \
		"set $sets remove $rms, unjudged $(me_unjudged "$f")" \
		"$sets" -gt 0 -a "$rms" -gt 0 -a "$(me_unjudged "$f")" = 0
	knob target_pid 0
	f=/tmp/me.stress$1
	me_run stress$1 migexec stress 60
	sets=$(me_events "$f" set_migration_pte) rms=$(me_events "$f" remove_migration_pte)
	check "migexec $1: knobs off, execs under migration stress: no finding" \
		"exit $ME_RC ($(cat "$f.out")), watch exit $ME_WATCH_RC ($ME_WATCH_N), replay exit $KD_RC ($KD_FOUND), set $sets remove $rms" \
		"$ME_RC" = 0 -a "$ME_WATCH_RC" = 0 -a "$KD_RC" = 0 -a "$sets" -gt 0
}

sc_migexec() {
	if [ "$BACKEND" != ksmsnoop ]; then
		diag "migexec: runs once, under the ksmsnoop backend"
		return
	fi
	if [ ! -e $KT/exec_stack_gates ]; then
		skip "migexec: the exec stack race found" "no $KT/exec_stack_gates (kernel without kernel-patch/testing/0003)"
		return
	fi
	r=1
	while [ $r -le "${MIGEXEC_RUNS:-2}" ]; do
		me_bug $r
		me_clean $r
		r=$((r + 1))
	done
	knob target_pid 0
	knob exec_stack_migrator 0
}
