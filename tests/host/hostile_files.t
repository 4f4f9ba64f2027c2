#!/bin/bash
# Files any user can prepare: the recorder and the report never write
# through a symlink and make 0600 files (a link planted at the old
# predictable PATH.tmp, or at the target, changes nothing of its target);
# a trace or rules path that is a FIFO, a directory, /dev/zero or a 100 GB
# sparse file gets a clear error and exit 1 within seconds, never a hang or
# an OOM; malformed traces give FILE:LINE errors and exit 1.
source "$(dirname "$0")/lib.sh"
need_root
need_ksm
plan 25

D="$BIN/ksmdebug"
chmod 1777 "$TMP" # a shared /tmp-like directory, where a user can plant links
echo precious > "$TMP/victim"
ln -s "$TMP/victim" "$TMP/x.jsonl.tmp"
ln -s "$TMP/victim" "$TMP/y.jsonl"

ksm_save
ksm_fast
start_load L -n 128 -k 2
timeout 60 "$D" record -q -o "$TMP/x.jsonl" -d 2 > /dev/null
is "record -o: exit 0 (or 3: findings)" "$(($? == 0 || $? == 3))" 1
is "a link planted at PATH.tmp: its target untouched" "$(cat "$TMP/victim")" precious
is "record's file: a regular file, 0600, root's" "$(stat -c '%F %a %u' "$TMP/x.jsonl")" \
	"regular file 600 0"
is "record's file: not readable by another user" \
	"$(setpriv --reuid=65534 --regid=65534 --clear-groups cat "$TMP/x.jsonl" > /dev/null 2>&1; echo $?)" 1
timeout 60 "$D" record -q -o "$TMP/y.jsonl" -d 1 > /dev/null
is "a link at the target itself: replaced, its target untouched" \
	"$(cat "$TMP/victim") $(stat -c %F "$TMP/y.jsonl")" "precious regular file"
"$D" report -q --html "$TMP/r.html" -o "$TMP/r.txt" "$TMP/x.jsonl" > /dev/null
is "report -o and --html: 0600" "$(stat -c %a "$TMP/r.txt") $(stat -c %a "$TMP/r.html")" "600 600"
is "no temporary left behind" "$(ls -A "$TMP" | grep -c '^\.ksmdebug')" 0

# bad NAME WANT_RC PATTERN CMD...: exits WANT_RC within 10 s, PATTERN on stderr.
bad() {
	local name=$1 want=$2 pat=$3 rc t0 ms
	shift 3
	t0=$(date +%s%N)
	timeout 10 "$@" > /dev/null 2> "$TMP/err" < /dev/null
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	if [ "$rc" = "$want" ] && grep -qF -- "$pat" "$TMP/err"; then
		ok "$name: exit $rc after $ms ms"
	else
		not_ok "$name" "exit $rc after $ms ms, stderr: $(head -c 300 "$TMP/err")"
	fi
}

mkfifo "$TMP/fifo"
truncate -s 100G "$TMP/sparse"
bad "record -o a directory" 1 "cannot write $TMP: Is a directory" "$D" record -q -o "$TMP" -d 1
bad "record -o a FIFO without a reader" 1 "a FIFO with no reader" \
	"$D" record -q -o "$TMP/fifo" -d 1
ln -s /dev/null "$TMP/devlink"
bad "record -o a link to a device" 1 "devlink: not a regular file" \
	"$D" record -q -o "$TMP/devlink" -d 1
bad "replay a FIFO without a writer" 1 "fifo: not a regular file (a FIFO)" "$D" replay "$TMP/fifo"
bad "replay a directory" 1 ": is a directory" "$D" replay "$TMP"
bad "replay /dev/zero" 1 "/dev/zero: not a regular file (a character device)" \
	"$D" replay /dev/zero
bad "replay a 100 GB sparse file" 1 "sparse:1: line longer than 32 MiB: not a trace" \
	"$D" replay "$TMP/sparse"
bad "apply a FIFO" 1 "fifo: not a regular file (a FIFO)" "$BIN/ksmpolicy" apply "$TMP/fifo"
bad "apply /dev/zero" 1 "not a regular file (a character device)" \
	"$BIN/ksmpolicy" apply /dev/zero
bad "apply a 100 GB file" 1 "sparse: larger than 4.0 MiB" "$BIN/ksmpolicy" apply "$TMP/sparse"

# Malformed traces: one line each, a FILE:LINE error, exit 1.
t() { printf '%s' "$2" > "$TMP/$1.jsonl"; }
t empty ''
t nan '{"ts_ns":1,"event":"stop_scan","pid":NaN}
'
t dup '{"ts_ns":1,"event":"stop_scan","pid":1,"pid":2}
'
t range '{"ts_ns":1,"event":"stop_scan","pid":-1}
'
t torn '{"ts_ns":1,"event":"stop_scan"}
{"ts_ns":2,"eve'
python3 -c 'import sys; sys.stdout.write("[" * 1000000 + "]" * 1000000 + "\n")' > "$TMP/deep.jsonl"
python3 -c 'import sys; sys.stdout.write("{\"ts_ns\":1,\"event\":\"" + "x" * (100 << 20) + "\"}\n")' \
	> "$TMP/long.jsonl"
bad "an empty trace" 1 "empty.jsonl:1: empty: no trace lines" "$D" replay "$TMP/empty.jsonl"
bad "NaN" 1 "nan.jsonl:1: malformed JSON: invalid token" "$D" replay "$TMP/nan.jsonl"
bad "a duplicated key" 1 "dup.jsonl:1: malformed JSON: duplicate object key" \
	"$D" replay "$TMP/dup.jsonl"
bad "a number out of range" 1 'range.jsonl:1: "pid" is out of range' "$D" replay "$TMP/range.jsonl"
bad "a truncated last line" 1 "torn.jsonl:2: truncated line" "$D" report "$TMP/torn.jsonl"
bad "a million nested brackets" 1 "deep.jsonl:1: malformed JSON: maximum parsing depth" \
	"$D" replay "$TMP/deep.jsonl"
bad "a 100 MB line" 1 "long.jsonl:1: line longer than 32 MiB" "$D" replay "$TMP/long.jsonl"
bad "-j: a 100 MB line" 1 "long.jsonl:1: line longer than 32 MiB" "$D" replay -j "$TMP/long.jsonl"
done_testing
