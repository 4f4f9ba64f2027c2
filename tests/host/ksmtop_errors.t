#!/bin/bash
# ksmtop on bad input: a clear "ksmtop: ..." message and the exit status of
# the one CLI convention (2 usage error, 1 run-time error), never a
# half-drawn screen. (Port in use and a too-small terminal are in
# ksmtop_prom.t and ksmtop_ui.t.)
source "$(dirname "$0")/lib.sh"
need_root
need_ksm
plan 12

# fails NAME STATUS REGEX ARGS...: ksmtop ARGS exits with STATUS and stderr matches.
fails() {
	local name=$1 want=$2 re=$3 out rc
	shift 3
	out=$("$BIN/ksmtop" "$@" 2>&1 > /dev/null < /dev/null); rc=$?
	if [ $rc = "$want" ] && echo "$out" | grep -qE -- "$re"; then
		ok "$name: exit $rc"
	else
		not_ok "$name" "rc $rc (want $want), stderr: $out"
	fi
}

fails "interval 0" 2 "ksmtop: invalid interval '0'" -b 0 1
fails "negative interval" 2 "ksmtop: invalid interval '-1'" -b -- -1 1
fails "interval not a number" 2 "ksmtop: invalid interval 'abc'" -b abc
fails "count 0" 2 "ksmtop: invalid count '0'" -b 1 0
fails "a third positional" 2 "ksmtop: unexpected argument '3'" -b 1 1 3
fails "unknown sort key" 2 "ksmtop: unknown sort key 'size' \(one of: pid, comm" -b -s size 1 1
fails "-b with -j" 2 "ksmtop: -b and -j are exclusive" -b -j 1 1
fails "no such pid" 1 "ksmtop: no such process: 999999999" -b -p 999999999 1 1
fails "no such cgroup" 1 "ksmtop: no such cgroup v2 directory: /no/such/cgroup-$$" -b -c /no/such/cgroup-$$ 1 1
out=$("$BIN/ksmtop" -j -p 999999999 1 1 2>/dev/null); rc=$?
is "-j: a run-time error is one JSON object on stdout, exit 1" "$rc $out" \
	'1 {"error":"no such process: 999999999"}'
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN/ksmtop" -b 1 1 2>&1); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q "ksmtop: must be run as root" &&
	ok "not root: clear message, exit $rc" || not_ok "not root" "rc $rc: $out"
out=$("$BIN/ksmtop" -b 0.2 1 2>&1 >/dev/null); rc=$?
is "valid arguments still work (exit 0)" "$rc" 0
done_testing
