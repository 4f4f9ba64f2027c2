#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ksmd's throughput with CONFIG_KSM_BPF=y and no policy (flavour patched)
# against the same kernel without the option (flavour nobpf): boots them in
# turn (ABAB...), each boot measuring pages scanned per ksmd CPU tick
# (domains.sh ksmdbench: 5 runs of 10 full scans, all their pages over all
# their ticks), and prints the ratio of each pair, their median, min and max.
#
# The guests run with one CPU under QEMU's -icount: the guest's clock
# advances by 2^SHIFT ns per instruction executed, whatever the host's speed
# or load, so a tick is a fixed number of instructions (with HZ=250 and
# shift 2, 10^6) and pages per ksmd tick measures the instructions ksmd
# spends per page: the same figure on a quiet or a loaded machine.  TCG
# models no cache, so neither figure says anything about cache effects.
# BENCH_WALLCLOCK=1: the plain TCG guest of the VM suite instead (2 CPUs,
# the guest's clock the host's), whose ratio moves with the host's load.
#
#   bench-ksmd.sh PAIRS       (make vm-bench-ksmd [VM_BENCH_PAIRS=3])
set -u
PAIRS=${1:-3}
MAKE=${MAKE:-make}
SHIFT=${BENCH_ICOUNT_SHIFT:-2}
if [ "${BENCH_WALLCLOCK:-0}" = 1 ]; then
	mode="wall clock (TCG, 2 CPUs)" qemu= smp=2
else
	mode="-icount shift=$SHIFT (1 CPU, a tick = a fixed instruction count)"
	qemu="-icount shift=$SHIFT,sleep=off" smp=1
fi
echo "ksmd bench: $PAIRS ABAB pairs, $mode"
out=$(mktemp -d)
i=0
while [ $i -lt "$PAIRS" ]; do
	for f in patched nobpf; do
		$MAKE --no-print-directory vm-test VM_FLAVOUR=$f VM_SMP=$smp VM_QEMU_ARGS="$qemu" \
			VM_RUN_DIR='$(VM_DIR)'/bench-$f \
			VM_ARGS="only= policy= domains=ksmdbench torture=0 stock= sharing=0" > "$out/$i.$f" 2>&1
		v=$(sed -n 's/.*BENCH ksmd pages_per_tick total \([0-9.]*\).*/\1/p' "$out/$i.$f")
		echo "pair $i $f: ${v:-FAILED} pages per ksmd tick ($(grep -o '[0-9]* pages in [0-9]* ticks; runs: [0-9. ]*' "$out/$i.$f"))"
		[ -n "$v" ] || tail -n 5 "$out/$i.$f"
		eval "v_$f=\${v:-0}"
		[ -z "$v" ] || echo "$f $v" >> "$out/values"
	done
	echo "$v_patched $v_nobpf" | awk '$2 > 0 { printf "%.4f\n", $1 / $2 }' >> "$out/ratios"
	i=$((i + 1))
done
sort -n "$out/ratios" | awk -v m="$mode" '{ v[NR] = $1 } END {
	if (!NR) { print "no ratio measured"; exit 1 }
	printf "ksmd throughput, CONFIG_KSM_BPF=y (no policy) / =n: median %.3f (min %.3f, max %.3f, %d ABAB pairs, %s)\n",
		v[int((NR + 1) / 2)], v[1], v[NR], NR, m }'
# The same kernel against itself (A/A): how far its boots spread, the noise
# a ratio must beat; and the ratio of the two kernels' means.
awk '{ n[$1]++; s[$1] += $2; q[$1] += $2 * $2
	if (!($1 in lo) || $2 < lo[$1]) lo[$1] = $2
	if (!($1 in hi) || $2 > hi[$1]) hi[$1] = $2 }
END {
	for (f in n) {
		m[f] = s[f] / n[f]; sd = n[f] > 1 ? sqrt((q[f] - n[f] * m[f] * m[f]) / (n[f] - 1)) : 0
		se[f] = sd / sqrt(n[f])
		printf "%s: mean %.1f pages per tick, sd %.1f, boots %.1f..%.1f (A/A spread %.1f%%)\n",
			f, m[f], sd, lo[f], hi[f], 100 * (hi[f] - lo[f]) / m[f]
	}
	if (n["patched"] && n["nobpf"])
		printf "ratio of the means %.3f, difference %.1f%% +- %.1f%% (2 standard errors)\n",
			m["patched"] / m["nobpf"], 100 * (m["patched"] / m["nobpf"] - 1),
			200 * sqrt(se["patched"] ^ 2 + se["nobpf"] ^ 2) / m["nobpf"]
}' "$out/values"
rm -rf "$out"
