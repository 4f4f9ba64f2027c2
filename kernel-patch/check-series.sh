#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Check that every prefix of the series builds, in several configurations:
#
#   kernel-patch/check-series.sh [WORKDIR]     (default /tmp/ksm-bpf-check)
#
# WORKDIR/src is the tarball of tests/vm/flavours/patched, a git tree with
# the patches of kernel-patch/series applied one by one; after each patch,
# the files the series touches are compiled with W=1 in each configuration
# (tinyconfig + tests/vm/config/guest.fragment, then):
#   bpf      kernel-patch/config.fragment (CONFIG_KSM_BPF=y)
#   nobpf    CONFIG_KSM_BPF=n
#   noksm    CONFIG_KSM=n
#   notrace  CONFIG_TRACEPOINTS=n (no FTRACE, BPF_EVENTS, KPROBES, PERF_EVENTS)
# and every patch goes through scripts/checkpatch.pl --strict.  Prints one
# line per patch and configuration; exit 1 if anything failed.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
W=${1:-/tmp/ksm-bpf-check}
TARBALL=$(awk '$1 == "tarball" { print $2 }' "$TOP/tests/vm/flavours/patched")
JOBS=${JOBS:-$(($(nproc) + 1))}
OBJS="mm/ksm.o mm/ksm_bpf.o kernel/fork.o mm/memory.o mm/migrate.o"
fail=0

mkdir -p "$W"
if [ ! -d "$W/src/.git" ]; then
	rm -rf "$W/src" && mkdir -p "$W/src"
	tar -C "$W/src" --strip-components=1 -xf "$TARBALL" || exit 1
	git -C "$W/src" init -q && git -C "$W/src" add -f . > /dev/null &&
		git -C "$W/src" -c user.name=check -c user.email=check@localhost \
			commit -qm base || exit 1
	git -C "$W/src" tag base
fi
git -C "$W/src" reset -q --hard base

config() {	# config VARIANT: WORKDIR/obj-VARIANT/.config
	o=$W/obj-$1
	mkdir -p "$o"
	make -s -C "$W/src" O="$o" tinyconfig > /dev/null
	cp "$TOP/tests/vm/config/guest.fragment" "$o/frag"
	case $1 in
	bpf) cat "$TOP/kernel-patch/config.fragment" >> "$o/frag" ;;
	nobpf) echo "# CONFIG_KSM_BPF is not set" >> "$o/frag" ;;
	noksm) sed -i '/^CONFIG_KSM=/d' "$o/frag"; echo "# CONFIG_KSM is not set" >> "$o/frag" ;;
	notrace) sed -i -E '/^CONFIG_(FTRACE|FUNCTION_TRACER|DYNAMIC_FTRACE|KPROBES|KPROBE_EVENTS|BPF_EVENTS|PERF_EVENTS|TRACEPOINTS|FUNCTION_ERROR_INJECTION)=/d' "$o/frag"
		 cat "$TOP/kernel-patch/config.fragment" >> "$o/frag" ;;
	esac
	"$W/src/scripts/kconfig/merge_config.sh" -m -O "$o" "$o/.config" "$o/frag" > /dev/null
	make -s -C "$W/src" O="$o" olddefconfig > /dev/null
}

n=0
for p in $(grep -v '^#' "$TOP/kernel-patch/series"); do
	n=$((n + 1))
	git -C "$W/src" am -q "$TOP/kernel-patch/$p" || { echo "$p: does not apply"; exit 1; }
	cp=$("$W/src/scripts/checkpatch.pl" --strict -q --no-signoff "$TOP/kernel-patch/$p" 2>/dev/null |
		sed -n 's/^total: //p')
	echo "$p: checkpatch --strict: ${cp:-0 errors, 0 warnings, 0 checks}"
	for v in bpf nobpf noksm notrace; do
		[ $n = 1 ] && config $v
		o=$W/obj-$v
		make -s -C "$W/src" O="$o" olddefconfig > /dev/null 2>&1
		objs=
		for f in $OBJS; do
			[ -e "$W/src/${f%.o}.c" ] || continue
			# an object of an option that is off is not built
			case $f in
			mm/ksm.o) grep -q '^CONFIG_KSM=y' "$o/.config" || continue ;;
			mm/ksm_bpf.o) grep -q '^CONFIG_KSM_BPF=y' "$o/.config" || continue ;;
			esac
			objs="$objs $f"
		done
		want=$(grep -E '^CONFIG_(KSM|KSM_BPF|TRACEPOINTS)=' "$o/.config" | tr '\n' ' ')
		if nice make -s -C "$W/src" O="$o" -j"$JOBS" W=1 $objs > "$o/build.log" 2>&1 &&
		   ! grep -q 'warning:' "$o/build.log"; then
			echo "$p: $v ($want): builds, no warning"
		else
			echo "$p: $v ($want): FAILED"
			grep -E 'error|warning' "$o/build.log" | head -n 5
			fail=1
		fi
	done
done
exit $fail
