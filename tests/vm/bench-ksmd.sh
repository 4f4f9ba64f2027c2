#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ksmd's throughput with CONFIG_KSM_BPF=y and no policy (flavour patched)
# against the same kernel without the option (flavour nobpf): boots them in
# turn (ABAB...), each boot measuring pages scanned per ksmd CPU tick
# (domains.sh ksmdbench: median of 5 runs of 10 full scans), and prints the
# ratio of each pair, their median, min and max.
#
#   bench-ksmd.sh PAIRS       (make vm-bench-ksmd [VM_BENCH_PAIRS=3])
set -u
PAIRS=${1:-3}
MAKE=${MAKE:-make}
out=$(mktemp -d)
i=0
while [ $i -lt "$PAIRS" ]; do
	for f in patched nobpf; do
		$MAKE --no-print-directory vm-test VM_FLAVOUR=$f \
			VM_ARGS="only= policy= domains=ksmdbench torture=0 stock= sharing=0" > "$out/$i.$f" 2>&1
		v=$(sed -n 's/.*BENCH ksmd pages_per_tick median \([0-9.]*\).*/\1/p' "$out/$i.$f")
		echo "pair $i $f: ${v:-FAILED} pages per ksmd tick ($(grep -o 'runs: [0-9. ]*' "$out/$i.$f"))"
		eval "v_$f=\${v:-0}"
	done
	echo "$v_patched $v_nobpf" | awk '$2 > 0 { printf "%.4f\n", $1 / $2 }' >> "$out/ratios"
	i=$((i + 1))
done
sort -n "$out/ratios" | awk '{ v[NR] = $1 } END {
	if (!NR) { print "no ratio measured"; exit 1 }
	printf "ksmd throughput, CONFIG_KSM_BPF=y (no policy) / =n: median %.3f (min %.3f, max %.3f, %d ABAB pairs)\n",
		v[int((NR + 1) / 2)], v[1], v[NR], NR }'
rm -rf "$out"
