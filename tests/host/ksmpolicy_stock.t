#!/bin/bash
# ksmpolicy on this (stock) kernel: without ksm_bpf_ops every command says
# what is missing and where to get it, and exits 1; usage errors exit 2, and
# malformed rules files are reported clearly, with line numbers, on any
# kernel.  Messages are prefixed "ksmpolicy COMMAND:" (lib/cli.h).  (The
# policy itself is tested on the patched kernel: tests/vm/.)
source "$(dirname "$0")/lib.sh"
need_root
plan 20

KP="$BIN/ksmpolicy"
stock=1
if [ -e /sys/kernel/btf/vmlinux ] && grep -qa ksm_bpf_ops /sys/kernel/btf/vmlinux; then
	stock=0
fi

# exits NAME STATUS REGEX ARGS...: ksmpolicy ARGS exits STATUS, stderr matches
exits() {
	local name=$1 want=$2 re=$3 out rc
	shift 3
	out=$("$KP" "$@" 2>&1 > /dev/null < /dev/null); rc=$?
	if [ $rc = "$want" ] && echo "$out" | grep -qE -- "$re"; then
		ok "$name: exit $rc"
	else
		not_ok "$name" "rc $rc (want $want), stderr: $out"
	fi
}
fails() { exits "$1" 1 "${@:2}"; }

missing='this kernel has no ksm_bpf_ops \(the KSM policy hook, CONFIG_KSM_BPF\): build one with the kernel-patch/ series applied, see kernel-patch/README.md'
if [ $stock = 1 ]; then
	fails "status on a stock kernel" "ksmpolicy status: $missing" status
	fails "set on a stock kernel" "ksmpolicy set: $missing" set / deny
	fails "list on a stock kernel" "ksmpolicy list: $missing" list
	fails "load on a stock kernel" "ksmpolicy load: $missing" load "$BIN/../examples/isolate_top.bpf.o"
	fails "unload on a stock kernel" "ksmpolicy unload: $missing" unload
	out=$("$KP" -j status 2> /dev/null); rc=$?
	if [ $rc != 0 ] && echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert "ksm_bpf_ops" in d["error"]'; then
		ok "-j status on a stock kernel: a JSON error object, exit $rc"
	else
		not_ok "-j status on a stock kernel" "rc $rc: $out"
	fi
	# the shared output options after the command too; --pretty indents
	out=$("$KP" status --pretty 2> /dev/null); rc=$?
	if [ $rc = 1 ] && [ "$(echo "$out" | head -n 1)" = "{" ] &&
		echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert "ksm_bpf_ops" in d["error"]'; then
		ok "status --pretty: an indented JSON error object, exit 1"
	else
		not_ok "status --pretty" "rc $rc: $out"
	fi
	[ ! -e /sys/fs/bpf/ksm-bpf ] && ok "nothing pinned on a stock kernel" ||
		not_ok "nothing pinned on a stock kernel" "$(ls /sys/fs/bpf/ksm-bpf)"
else
	for i in 1 2 3 4 5 6 7 8; do skip "stock kernel behaviour" "this kernel has ksm_bpf_ops"; done
fi

# usage errors
out=$("$KP" 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -q "Usage: ksmpolicy" && ok "no command: usage, exit 2" ||
	not_ok "no command" "rc $rc: $out"
exits "unknown command" 2 "ksmpolicy: unknown command 'frobnicate'" frobnicate
exits "unknown option" 2 "unrecognized option '--bogus'" --bogus status
exits "-p is not --pretty (it is a PID everywhere else)" 2 "invalid option -- 'p'" -p status
exits "a command without its arguments: usage" 2 "ksmpolicy set: missing arguments" set /
exits "a bad rule word: usage" 2 "ksmpolicy set: unknown rule word 'merge'" set / merge
exits "an extra argument: usage" 2 "ksmpolicy list: unexpected argument 'x'" list x
out=$("$KP" --help); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "EXAMPLES" && ok "--help: exit 0 with examples" ||
	not_ok "--help" "rc $rc"

# a malformed rules file: every error, with its line number, nothing applied
cat > "$TMP/rules" <<'RULES'
# tenants
/tenants/a isolate
/tenants/b weight lots
tenants/c deny

/d
/e deny allow   # two actions
/f weight 1001
RULES
out=$("$KP" apply "$TMP/rules" 2>&1); rc=$?
want="$TMP/rules:3: bad weight 'lots': a number from 0 to 1000
$TMP/rules:4: 'tenants/c' is not a cgroup path (must start with '/')
$TMP/rules:6: /d: missing rule (allow, deny, isolate, weight N)
$TMP/rules:7: two actions ('allow' after 'deny')
$TMP/rules:8: bad weight '1001': a number from 0 to 1000
ksmpolicy apply: $TMP/rules: 5 errors, no rule applied"
[ $rc = 1 ] && [ "$out" = "$want" ] && ok "malformed rules file: 5 line-numbered errors, exit 1" ||
	not_ok "malformed rules file" "rc $rc: $out"
out=$("$KP" -j apply "$TMP/rules" 2> /dev/null); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q '"error": *"'"$TMP"'/rules: 5 errors, no rule applied"' &&
	ok "malformed rules file with -j: JSON error on stdout" || not_ok "malformed rules file -j" "rc $rc: $out"
fails "rules file that does not exist" "ksmpolicy apply: $TMP/nope: No such file or directory" \
	apply "$TMP/nope"
printf '/ok allow\n/x %01100d\n' 0 > "$TMP/long"
fails "overlong line" "$TMP/long:2: line too long" apply "$TMP/long"
done_testing
