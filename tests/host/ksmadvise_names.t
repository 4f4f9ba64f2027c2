#!/bin/bash
# ksmadvise on hostile names and bad input: a process named with escape
# sequences and a newline, cgroups named with control bytes and invalid
# UTF-8 reach the text report escaped and the JSON valid; every bad option
# is a usage error (2), every missing process or cgroup an error (1), with
# a message that says which.
source "$(dirname "$0")/lib.sh"
need_root
[ -n "$CGROOT" ] || skip_all "no cgroup v2 mount"
[ -r /proc/kpageflags ] || skip_all "no /proc/kpageflags"
plan 16

CG=/ksmadvise-names-$$
EVIL_CG=$'\e]0;pwned\a'
BAD_CG=$'bad\xff\xfe'
track_cgroup "$CG/$EVIL_CG"; track_cgroup "$CG/$BAD_CG"; track_cgroup "$CG"

# The binary's name becomes the comm (15 bytes at most).
EVIL_COMM=$'\e[2Jx\ny'
cp "$BIN/ksmload" "$TMP/$EVIL_COMM"
out=$TMP/evil.out
"$TMP/$EVIL_COMM" -n 64 -k 2 -c "$CG/$EVIL_CG" > "$out" &
_pids+=($!)
start_load B -n 64 -k 2 -c "$CG/$BAD_CG"
for i in $(seq 1 100); do grep -q ready "$out" && break; sleep 0.05; done
A=$(awk '/^ready/ {print $2}' "$out")

"$BIN/ksmadvise" -c "$CG" -q -i 0 > "$TMP/text"
is "text report: exit 0" "$?" 0
is "no raw ESC or BEL byte in the text report" "$(tr -cd '\033\007' < "$TMP/text" | wc -c)" 0
check "the comm is shown escaped (\\x1b[2Jx\\ny)" grep -qF '\x1b[2Jx\ny' "$TMP/text"
check "the cgroup is shown escaped (\\x1b]0;pwned\\x07)" grep -qF '\x1b]0;pwned\x07' "$TMP/text"
check "invalid UTF-8 is shown as \\xff\\xfe" grep -qF 'bad\xff\xfe' "$TMP/text"
"$BIN/ksmadvise" -c "$CG" -q -i 0 -j > "$TMP/j.json"
is "JSON: parses" "$(python3 -c 'import json,sys; json.load(open(sys.argv[1])); print(1)' "$TMP/j.json")" 1
is "JSON: the comm is the exact bytes" \
	"$(jdoc "$TMP/j.json" "[p['comm'] for p in o['processes'] if p['pid'] == $A] == ['\x1b[2Jx\ny']")" True
is "JSON: invalid UTF-8 in a cgroup name becomes the text \\xff\\xfe" \
	"$(jdoc "$TMP/j.json" "'$CG/bad\\\\xff\\\\xfe' in cg")" True
"$BIN/ksmadvise" -c "$CG" -q -i 0 --rules > "$TMP/rules"
is "--rules: names that a rules file cannot hold are comments, escaped" \
	"$(grep -av '^#' "$TMP/rules" | wc -l) $(tr -cd '\033' < "$TMP/rules" | wc -c)" "1 0"

# fails NAME RC REGEX ARGS...: ksmadvise ARGS exits RC and stderr matches.
fails() {
	local name=$1 want=$2 re=$3 err rc
	shift 3
	err=$("$BIN/ksmadvise" "$@" 2>&1 > /dev/null < /dev/null); rc=$?
	if [ "$rc" = "$want" ] && echo "$err" | grep -qE -- "$re"; then
		ok "$name: exit $rc"
	else
		not_ok "$name" "rc $rc (want $want), stderr: $err"
	fi
}
fails "no such pid" 1 "ksmadvise: no such process: 999999999" -p 999999999
fails "no such cgroup" 1 "no such cgroup v2 directory: /no/such-$$" -c /no/such-$$
fails "--rules with -j" 2 "does not go with -j" -j --rules
fails "unknown --assume knob" 2 "knows max_page_sharing" --assume pages_to_scan=5
fails "max_page_sharing below 2" 2 "invalid value in --assume" --assume max_page_sharing=1
fails "relative boundary" 2 "invalid boundary 'tenants'" -b tenants
got=$("$BIN/ksmadvise" -j -p 999999999 2>/dev/null); rc=$?
is "-j: the error is a JSON object on stdout, exit 1" \
	"$rc $(echo "$got" | python3 -c 'import json,sys; print(json.load(sys.stdin)["error"])')" \
	"1 no such process: 999999999"
done_testing
