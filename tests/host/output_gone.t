#!/bin/bash
# Output that goes away: a pipe whose reader left (after one line, or before
# any), a full disk (/dev/full): every command ends within a tick or two with
# exit status 1 and "standard output: ..." on stderr, and leaves no BPF
# program of its own behind.  Events keep flowing (a COW-breaking workload)
# so that the JSON streams have lines to write.
source "$(dirname "$0")/lib.sh"
need_root
need_ksm
plan 26

ksm_save
ksm_fast
start_load L -n 512 -k 4 -w 200
"$BIN/ksmctl" wait-merged "$L" 400 30 > /dev/null

# Our programs still loaded: light-skeleton names start with ksm_.
ours() { bpftool prog show 2>/dev/null | grep -c ' name ksm_'; }
before=$(ours)

# gone NAME SECS WANT_ERR CMD...: run "CMD | READER" (READER from $reader),
# the command must exit 1 within SECS with WANT_ERR on stderr.
gone() {
	local name=$1 secs=$2 want=$3 rc t0 t1 ms
	shift 3
	t0=$(date +%s%N)
	timeout 30 "$@" 2> "$TMP/err" | $reader > /dev/null
	rc=${PIPESTATUS[0]}
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	if [ "$rc" = 1 ] && [ "$ms" -lt $((secs * 1000)) ] && grep -q "$want" "$TMP/err"; then
		ok "$name: exit 1 after $ms ms"
	else
		not_ok "$name" "exit $rc after $ms ms (want 1 within ${secs}s), stderr: $(head -c 300 "$TMP/err")"
	fi
}

reader="head -n 1"
gone "ksmsnoop | head -1" 3 "standard output: Broken pipe" "$BIN/ksmsnoop" -q
gone "ksmsnoop -j | head -1" 3 "standard output: Broken pipe" "$BIN/ksmsnoop" -j -q
gone "ksmsnoop -T | head -1" 3 "standard output: Broken pipe" "$BIN/ksmsnoop" -T -q
gone "ksmtop -b | head -1" 4 "standard output: Broken pipe" "$BIN/ksmtop" -b -q
gone "ksmtop -j | head -1" 4 "standard output: Broken pipe" "$BIN/ksmtop" -j -q
# the reader gone before the command wrote anything (an idle stream)
reader="true"
gone "ksmsnoop | true" 3 "standard output: Broken pipe" "$BIN/ksmsnoop" -q
gone "ksmsnoop -j -e advisor | true (no event ever)" 3 "standard output: Broken pipe" \
	"$BIN/ksmsnoop" -j -q -e advisor
gone "ksmtop -b 30 | true (before its first sample)" 3 "standard output: Broken pipe" \
	"$BIN/ksmtop" -b -q 30
gone "ksmdebug watch | true" 3 "standard output: Broken pipe" "$BIN/ksmdebug" watch -q
gone "ksmdebug watch -j | true" 3 "standard output: Broken pipe" "$BIN/ksmdebug" watch -j -q

# full NAME SECS CMD...: CMD > /dev/full exits 1 within SECS, saying ENOSPC.
full() {
	local name=$1 secs=$2 rc t0 ms
	shift 2
	t0=$(date +%s%N)
	timeout 30 "$@" > /dev/full 2> "$TMP/err"
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	if [ "$rc" = 1 ] && [ "$ms" -lt $((secs * 1000)) ] &&
		grep -q "standard output: No space left on device" "$TMP/err"; then
		ok "$name > /dev/full: exit 1 after $ms ms"
	else
		not_ok "$name > /dev/full" "exit $rc after $ms ms, stderr: $(head -c 300 "$TMP/err")"
	fi
}

full "ksmsnoop" 3 "$BIN/ksmsnoop" -q
full "ksmsnoop -j" 5 "$BIN/ksmsnoop" -j -q
full "ksmtop -b" 4 "$BIN/ksmtop" -b -q
full "ksmtop -j" 4 "$BIN/ksmtop" -j -q
"$BIN/ksmsnoop" -j -q -d 2 > "$TMP/trace.jsonl"
full "ksmdebug replay" 10 "$BIN/ksmdebug" replay "$TMP/trace.jsonl"
full "ksmdebug report" 10 "$BIN/ksmdebug" report "$TMP/trace.jsonl"
full "ksmdebug report -j" 10 "$BIN/ksmdebug" report -j "$TMP/trace.jsonl"
full "ksmdebug snapshot" 10 "$BIN/ksmdebug" snapshot
full "ksmsnoop --list-events" 3 "$BIN/ksmsnoop" --list-events
full "ksmpolicy --help" 3 "$BIN/ksmpolicy" --help
full "ksmadvise" 30 "$BIN/ksmadvise" -q -i 0 -p "$L"

is "no BPF program of ours left loaded" "$(ours)" "$before"

# SIGPIPE is handled, not fatal: the status is 1, never 141.  The pipe's
# reader is closed before the command starts (no race with a fast writer).
closed_pipe() {
	python3 -c '
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
print(subprocess.run(sys.argv[1:], stdout=w, stderr=subprocess.DEVNULL).returncode)' "$@"
}
is "ksmsnoop --list-events into a closed pipe: exit 1 (not 141)" \
	"$(closed_pipe "$BIN/ksmsnoop" --list-events)" 1
is "ksmdebug replay into a closed pipe: exit 1" \
	"$(closed_pipe "$BIN/ksmdebug" replay "$TMP/trace.jsonl")" 1
"$BIN/ksmtop" -b -q 0.1 3 > "$TMP/top3"
is "ksmtop -b with a reader: exit 0" "$? $(grep -c '^ksmtop ' "$TMP/top3")" "0 3"
"$BIN/ksmsnoop" -q -d 1 > /dev/null
is "ksmsnoop to /dev/null: exit 0" "$?" 0
done_testing
