#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run every libFuzzer harness in FUZZ_BIN (build/san/fuzz/DIR/fuzz_NAME) for
# SECS seconds on its corpus: the seeds checked in under tests/fuzz/corpus/NAME
# (read only) and what it finds, kept in WORK/NAME for the next run.  One
# line per harness: corpus size, executions and executions per second.  A
# crash, a leak, a timeout or an out-of-memory is kept in WORK/crashes and
# fails the run (exit 1): make it a unit test, fix it, add it to the seeds.
#
#   tests/fuzz/run.sh FUZZ_BIN SECS WORK
set -u
bin=$1 secs=$2 work=$3
seeds=$(cd "$(dirname "$0")" && pwd)/corpus
fail=0
mkdir -p "$work/crashes"
for h in $(find "$bin" -type f -name 'fuzz_*' -perm -u+x | sort); do
	name=$(basename "$h")
	name=${name#fuzz_}
	mkdir -p "$work/$name" "$seeds/$name"
	log=$work/$name.log
	"$h" -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
		-max_len=65536 -artifact_prefix="$work/crashes/$name-" \
		"$work/$name" "$seeds/$name" > "$log" 2>&1
	rc=$?
	execs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log")
	rate=$(awk '/stat::average_exec_per_sec/ { print $2 }' "$log")
	corp=$(grep -o 'corp: [0-9]*/[0-9a-zA-Z]*' "$log" | tail -n 1 | cut -d' ' -f2)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	printf 'fuzz %-14s corpus %-12s %9s execs %7s exec/s  cov %-6s %s\n' "$name" \
		"${corp:-?}" "${execs:-?}" "${rate:-?}" "${cov:-?}" "$([ $rc = 0 ] && echo ok || echo FAILED)"
	if [ $rc != 0 ]; then
		fail=1
		grep -E 'ERROR|SUMMARY|runtime error|abort|Test unit written' "$log" | head -n 20
	fi
done
exit $fail
