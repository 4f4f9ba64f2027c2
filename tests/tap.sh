#!/bin/bash
# TAP output for the shell test suites (tests/host, tests/install), read by
# prove.  Usage: source tap.sh; plan N; ok/not_ok/check/is/skip ...;
# done_testing (the suite's exit status).
_t=0
_fail=0

plan() { echo "1..$1"; }
ok() { _t=$((_t + 1)); echo "ok $_t - $1"; }
not_ok() { _t=$((_t + 1)); _fail=$((_fail + 1)); echo "not ok $_t - $1"; [ -n "${2:-}" ] && echo "# $2"; }
skip() { _t=$((_t + 1)); echo "ok $_t - $1 # SKIP $2"; }
diag() { echo "# $*"; }
# check NAME CMD...: pass when the command succeeds
check() { local n=$1; shift; if "$@"; then ok "$n"; else not_ok "$n" "command failed: $*"; fi; }
# is NAME GOT WANT
is() { if [ "$2" == "$3" ]; then ok "$1"; else not_ok "$1" "got '$2', want '$3'"; fi; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
done_testing() { [ "$_fail" = 0 ]; }
