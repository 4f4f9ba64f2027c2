#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run every libFuzzer harness in FUZZ_BIN (build/san/fuzz/DIR/fuzz_NAME) on
# its corpus: the seeds checked in under tests/fuzz/corpus/NAME (read only)
# and what it finds, kept in WORK/NAME.  One line per harness: corpus size,
# executions and executions per second.  A crash, a leak, a timeout or an
# out-of-memory is kept in WORK/crashes and fails the run (exit 1): make it a
# unit test, fix it, add it to the seeds.
#
#   tests/fuzz/run.sh FUZZ_BIN SECS WORK
#	explore: SECS seconds a harness, a random seed, the corpus kept
#	between runs (make fuzz).
#   tests/fuzz/run.sh -r RUNS_FILE -s SEED -l LOGS FUZZ_BIN WORK
#	replay: the number of inputs RUNS_FILE gives each harness, from the
#	seeds alone, one fixed random seed and fixed addresses, so the same
#	tree gives the same verdict on a machine however fast or loaded
#	(make check-sanitize).  A randomly found crash in CI would make the
#	check flaky; exploring is make fuzz's job.  Sanitizer reports are
#	files in LOGS.
set -u
runs_file= seed= logs=
while getopts l:r:s: opt; do
	case $opt in
	l) logs=$OPTARG ;;
	r) runs_file=$OPTARG ;;
	s) seed=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ -n "$runs_file" ]; then
	[ $# = 2 ] && [ -n "$seed" ] && [ -n "$logs" ] ||
		{ echo "usage: $0 -r RUNS_FILE -s SEED -l LOGS FUZZ_BIN WORK" >&2; exit 2; }
	bin=$1 work=$2
	rm -rf "$work" # the seeds alone, not what an earlier run found
else
	[ $# = 3 ] || { echo "usage: $0 FUZZ_BIN SECS WORK" >&2; exit 2; }
	bin=$1 secs=$2 work=$3
fi
seeds=$(cd "$(dirname "$0")" && pwd)/corpus
fail=0
mkdir -p "$work/crashes"
work=$(cd "$work" && pwd)

# explore NAME HARNESS LOG: random seeds for secs seconds, in place.
explore() {
	mkdir -p "$work/$1" "$seeds/$1"
	"$2" -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
		-max_len=65536 -artifact_prefix="$work/crashes/$1-" \
		"$work/$1" "$seeds/$1" > "$3" 2>&1
}

# replay NAME HARNESS LOG: the same inputs on every run.  -reload=0: no
# rereading of the corpus on a timer.  setarch -R, a fixed environment and
# relative paths: the same addresses, since pointer comparisons feed the
# mutator's table of compares (and fuzz.h fixes jansson's hash seed).
replay() {
	local n dir=$work/$1

	n=$(awk -v h="$1" '$1 == h { print $2 }' "$runs_file")
	if [ -z "$n" ]; then
		echo "fuzz $1: no entry in $runs_file" >&2
		return 2
	fi
	mkdir -p "$dir/found" "$dir/seeds" "$logs"
	[ ! -d "$seeds/$1" ] || cp -r "$seeds/$1/." "$dir/seeds/"
	ln -s "$(cd "$(dirname "$2")" && pwd)/$(basename "$2")" "$dir/fuzz"
	ln -s "$(cd "$logs" && pwd)" "$dir/logs"
	(cd "$dir" && env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		ASAN_OPTIONS=log_path=logs/asan:detect_leaks=1 \
		UBSAN_OPTIONS=log_path=logs/ubsan:print_stacktrace=1 \
		setarch -R ./fuzz -runs="$n" -seed="$seed" -reload=0 -print_final_stats=1 \
		-timeout=10 -rss_limit_mb=2048 -max_len=65536 -artifact_prefix=../crashes/"$1"- \
		found seeds) > "$3" 2>&1
}

for h in $(find "$bin" -type f -name 'fuzz_*' -perm -u+x | sort); do
	name=$(basename "$h")
	name=${name#fuzz_}
	log=$work/$name.log
	if [ -n "$runs_file" ]; then
		replay "$name" "$h" "$log"
	else
		explore "$name" "$h" "$log"
	fi
	rc=$?
	execs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log")
	rate=$(awk '/stat::average_exec_per_sec/ { print $2 }' "$log")
	corp=$(grep -o 'corp: [0-9]*/[0-9a-zA-Z]*' "$log" | tail -n 1 | cut -d' ' -f2)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	printf 'fuzz %-14s corpus %-12s %9s execs %7s exec/s  cov %-6s %s\n' "$name" \
		"${corp:-?}" "${execs:-?}" "${rate:-?}" "${cov:-?}" "$([ $rc = 0 ] && echo ok || echo FAILED)"
	if [ $rc != 0 ]; then
		fail=1
		grep -E 'ERROR|SUMMARY|runtime error|abort|not read back|Test unit written' "$log" |
			head -n 20
		ls "$work/crashes/$name-"* 2>/dev/null
	fi
done
exit $fail
